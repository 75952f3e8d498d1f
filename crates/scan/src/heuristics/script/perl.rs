//! Perl source as tokens: enough of Perl's lexical rules to see what the code calls
//! and with what (variables, strings with their interpolations, backticks and
//! `qx`, regexes, `<$fh>` reads, here-documents), with comments, POD and what
//! follows `__END__` left out. One pass; a construct it misreads costs at most the
//! rest of its line or string, never a second pass.

use super::code::{T, Tok};

pub(in crate::heuristics) fn tokens(b: &[u8]) -> Vec<Tok> {
    let mut lx = Lexer {
        b,
        i: 0,
        out: Vec::new(),
        after_heredocs: None,
        no_slash_before: 0,
    };
    lx.run();
    lx.out
}

struct Lexer<'a> {
    b: &'a [u8],
    i: usize,
    out: Vec<Tok>,
    /// Where the code goes on after this line: past the here-documents it opened.
    after_heredocs: Option<usize>,
    /// No `/` before this offset closes a regex (a look-ahead on this line failed).
    no_slash_before: usize,
}

/// Multi-character operators, longest first.
const OPS: &[&str] = &[
    "<=>", "**=", "||=", "&&=", "//=", "...", "=~", "!~", "=>", "->", "==", "!=", "<=", ">=", ".=",
    "+=", "-=", "*=", "/=", "|=", "x=", "||", "&&", "//", "..", "::", "**", "++", "--", "<<", ">>",
];
const SINGLE: &[&str] = &[
    "(", ")", "[", "]", "{", "}", ",", ";", ".", "=", "+", "-", "*", "/", "%", "<", ">", "!", "?",
    ":", "&", "|", "^", "~", "\\", "@", "$",
];

/// Words after which a `/` starts a regex rather than a division.
const REGEX_AFTER: &[&str] = &[
    "split", "grep", "map", "join", "if", "unless", "and", "or", "not", "return", "push",
    "unshift", "when", "while", "until", "print", "x", "lt", "gt", "le", "ge", "eq", "ne", "cmp",
];

fn ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn closer(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        b'{' => b'}',
        b'<' => b'>',
        c => c,
    }
}

impl Lexer<'_> {
    fn peek(&self, k: usize) -> u8 {
        self.b.get(self.i + k).copied().unwrap_or(0)
    }

    fn push(&mut self, t: T, at: usize) {
        self.out.push(Tok { t, at });
    }

    fn text(&self, from: usize, to: usize) -> String {
        String::from_utf8_lossy(&self.b[from..to.min(self.b.len())]).into_owned()
    }

    /// Whether the last token ends a term, so that `/`, `<` and `%` are operators.
    fn after_term(&self) -> bool {
        match self.out.last().map(|t| &t.t) {
            Some(T::Var(_) | T::Num(_) | T::Str { .. } | T::Cmd(_) | T::ReadLine(_)) => true,
            Some(T::Regex(_)) => true,
            Some(T::Op(o)) => matches!(*o, ")" | "]" | "}"),
            Some(T::Name(n)) => !REGEX_AFTER.contains(&n.as_str()),
            _ => false,
        }
    }

    fn at_line_start(&self) -> bool {
        self.i == 0 || self.b[self.i - 1] == b'\n'
    }

    fn run(&mut self) {
        while self.i < self.b.len() {
            let c = self.b[self.i];
            let at = self.i;
            match c {
                b'\n' => {
                    self.i += 1;
                    if let Some(next) = self.after_heredocs.take() {
                        self.i = next.max(self.i);
                    }
                }
                b' ' | b'\t' | b'\r' | b'\x0c' => self.i += 1,
                b'#' => self.skip_line(),
                b'=' if self.at_line_start() && self.peek(1).is_ascii_alphabetic() => self.pod(),
                b'\'' => {
                    self.i += 1;
                    let raw = self.delimited(b'\'');
                    self.push(
                        T::Str {
                            text: unescape_single(&raw),
                            interp: false,
                        },
                        at,
                    );
                }
                b'"' => {
                    self.i += 1;
                    let text = self.delimited(b'"');
                    self.push(T::Str { text, interp: true }, at);
                }
                b'`' => {
                    self.i += 1;
                    let text = self.delimited(b'`');
                    self.push(T::Cmd(text), at);
                }
                b'$' => self.scalar(),
                b'@' if ident_start(self.peek(1)) || self.peek(1) == b':' => {
                    self.i += 1;
                    let name = self.name();
                    let key = if name == "_" { "@_".to_string() } else { name };
                    self.push(T::Var(key), at);
                }
                b'%' if !self.after_term()
                    && (ident_start(self.peek(1)) || self.peek(1) == b'$') =>
                {
                    self.i += 1;
                    if self.peek(0) != b'$' {
                        let name = self.name();
                        self.push(T::Var(name), at);
                    }
                }
                b'&' if !self.after_term() && ident_start(self.peek(1)) => {
                    // `&name(...)`: a call of the sub `name`.
                    self.i += 1;
                    let name = self.name();
                    self.push(T::Name(name), at);
                }
                b'/' if !self.after_term() && self.i >= self.no_slash_before => self.slash_regex(),
                b'<' if !self.after_term() && self.readline() => {}
                b'<' if self.peek(1) == b'<' && !self.after_term() && self.heredoc() => {}
                c if c.is_ascii_digit() => self.number(),
                c if ident_start(c) => self.word(),
                _ => self.op(),
            }
        }
    }

    fn skip_line(&mut self) {
        self.i = memchr::memchr(b'\n', &self.b[self.i..]).map_or(self.b.len(), |k| self.i + k);
    }

    /// POD: from a line starting with `=word` to the line starting with `=cut`.
    fn pod(&mut self) {
        loop {
            self.skip_line();
            if self.i >= self.b.len() {
                return;
            }
            self.i += 1;
            if self.b[self.i..].starts_with(b"=cut") {
                self.skip_line();
                return;
            }
        }
    }

    /// The text up to the closing delimiter (brackets nest), raw; `i` goes past it.
    fn delimited(&mut self, open: u8) -> String {
        let close = closer(open);
        let start = self.i;
        let mut depth = 0usize;
        while self.i < self.b.len() {
            let c = self.b[self.i];
            if c == b'\\' {
                self.i += 2;
                continue;
            }
            if c == close && depth == 0 {
                let s = self.text(start, self.i);
                self.i += 1;
                return s;
            }
            if open != close {
                if c == open {
                    depth += 1;
                } else if c == close {
                    depth -= 1;
                }
            }
            self.i += 1;
        }
        self.i = self.b.len();
        self.text(start, self.b.len())
    }

    /// An identifier with `::` parts.
    fn name(&mut self) -> String {
        let start = self.i;
        while self.i < self.b.len() {
            let c = self.b[self.i];
            if ident_char(c) {
                self.i += 1;
            } else if c == b':' && self.peek(1) == b':' && ident_start(self.peek(2)) {
                self.i += 2;
            } else if c == b'\'' && ident_start(self.peek(1)) && self.i > start {
                // Old package separator: `main'x`. Rare; treat as the end.
                break;
            } else {
                break;
            }
        }
        self.text(start, self.i)
    }

    fn scalar(&mut self) {
        let at = self.i;
        let next = self.peek(1);
        self.i += 1;
        if next == b'#' {
            // `$#array`, `$#{expr}`, `$#$ref`: the last index of an array.
            self.i += 1;
            if ident_start(self.peek(0)) {
                let name = self.name();
                self.push(T::Var(name), at);
            }
            return;
        }
        if ident_start(next) || (next == b':' && self.peek(1) == b':') {
            if next == b':' {
                self.i += 2;
            }
            let name = self.name();
            let key = if name == "_" && self.peek(0) == b'[' {
                "@_".to_string()
            } else {
                name
            };
            self.push(T::Var(key), at);
            return;
        }
        if next.is_ascii_digit() {
            let start = self.i;
            while self.peek(0).is_ascii_digit() {
                self.i += 1;
            }
            let name = self.text(start, self.i);
            self.push(T::Var(name), at);
            return;
        }
        if next == b'{' {
            // `${name}` is the variable; `${ expr }` dereferences what follows.
            let start = self.i + 1;
            let mut k = start;
            while k < self.b.len() && ident_char(self.b[k]) {
                k += 1;
            }
            if k > start && self.b.get(k) == Some(&b'}') {
                let name = self.text(start, k);
                self.i = k + 1;
                self.push(T::Var(name), at);
            }
            return;
        }
        if next == b'$' {
            // `$$ref` dereferences `$ref`; `$$` alone is the process id.
            if !(ident_start(self.peek(1)) || self.peek(1) == b'{') {
                self.i += 1;
                self.push(T::Var("$".into()), at);
            }
            return;
        }
        if next != 0 && !next.is_ascii_whitespace() {
            self.i += 1;
            self.push(T::Var((next as char).to_string()), at);
        }
    }

    fn slash_regex(&mut self) {
        let at = self.i;
        let mut k = self.i + 1;
        while k < self.b.len() {
            match self.b[k] {
                b'\\' => k += 2,
                b'/' => break,
                b'\n' => {
                    // No closing slash on this line: this one divides, and so does
                    // every later one on the line.
                    self.no_slash_before = k;
                    self.op();
                    return;
                }
                _ => k += 1,
            }
        }
        let text = self.text(self.i + 1, k);
        self.i = (k + 1).min(self.b.len());
        self.flags();
        self.push(T::Regex(text), at);
    }

    fn flags(&mut self) {
        while self.peek(0).is_ascii_alphabetic() {
            self.i += 1;
        }
    }

    /// `<$fh>`, `<FH>`, `<>`: reading a line.
    fn readline(&mut self) -> bool {
        let mut k = self.i + 1;
        if self.b.get(k) == Some(&b'<') && self.b.get(k + 1) == Some(&b'>') {
            // `<<>>`
            self.push(T::ReadLine(String::new()), self.i);
            self.i = k + 3;
            return true;
        }
        if self.b.get(k) == Some(&b'$') {
            k += 1;
        }
        let start = k;
        while k < self.b.len() && (ident_char(self.b[k]) || self.b[k] == b':') {
            k += 1;
        }
        if self.b.get(k) != Some(&b'>') || (start == k && self.b.get(start - 1) == Some(&b'$')) {
            return false;
        }
        let name = self.text(start, k);
        self.push(T::ReadLine(name), self.i);
        self.i = k + 1;
        true
    }

    /// `<<"EOF"`, `<<'EOF'`, `<<EOF`, `<<~EOF`: the body is the lines after this one,
    /// up to the terminator.
    fn heredoc(&mut self) -> bool {
        let at = self.i;
        let mut k = self.i + 2;
        let indent = self.b.get(k) == Some(&b'~');
        if indent {
            k += 1;
        }
        while self.b.get(k) == Some(&b' ') {
            k += 1;
        }
        let (delim, interp, end) = match self.b.get(k) {
            Some(&q) if q == b'"' || q == b'\'' => {
                let Some(len) = memchr::memchr(q, &self.b[k + 1..]) else {
                    return false;
                };
                (&self.b[k + 1..k + 1 + len], q == b'"', k + 2 + len)
            }
            Some(&c) if ident_start(c) && k == at + 2 + usize::from(indent) => {
                let mut e = k;
                while e < self.b.len() && ident_char(self.b[e]) {
                    e += 1;
                }
                (&self.b[k..e], true, e)
            }
            _ => return false,
        };
        let body_start = match self.after_heredocs {
            Some(p) => p,
            None => memchr::memchr(b'\n', &self.b[end..]).map_or(self.b.len(), |n| end + n + 1),
        };
        let mut line = body_start;
        let mut body_end = self.b.len();
        let mut resume = self.b.len();
        while line < self.b.len() {
            let stop = memchr::memchr(b'\n', &self.b[line..]).map_or(self.b.len(), |n| line + n);
            let mut l = &self.b[line..stop];
            if l.last() == Some(&b'\r') {
                l = &l[..l.len() - 1];
            }
            if indent {
                l = l.trim_ascii_start();
            }
            if l == delim {
                body_end = line;
                resume = (stop + 1).min(self.b.len());
                break;
            }
            line = stop + 1;
        }
        let text = self.text(body_start, body_end);
        self.after_heredocs = Some(resume);
        self.i = end;
        self.push(T::Str { text, interp }, at);
        true
    }

    fn number(&mut self) {
        let at = self.i;
        let start = self.i;
        if self.peek(0) == b'0' && matches!(self.peek(1), b'x' | b'X' | b'b' | b'B') {
            self.i += 2;
            while self.peek(0).is_ascii_hexdigit() || self.peek(0) == b'_' {
                self.i += 1;
            }
        } else {
            while self.peek(0).is_ascii_digit() || self.peek(0) == b'_' {
                self.i += 1;
            }
            if self.peek(0) == b'.' && self.peek(1).is_ascii_digit() {
                self.i += 1;
                while self.peek(0).is_ascii_digit() || self.peek(0) == b'_' {
                    self.i += 1;
                }
            }
            if matches!(self.peek(0), b'e' | b'E')
                && (self.peek(1).is_ascii_digit()
                    || (matches!(self.peek(1), b'+' | b'-') && self.peek(2).is_ascii_digit()))
            {
                self.i += 2;
                while self.peek(0).is_ascii_digit() {
                    self.i += 1;
                }
            }
        }
        let text = self.text(start, self.i);
        self.push(T::Num(text), at);
    }

    fn word(&mut self) {
        let at = self.i;
        let name = self.name();
        if (name == "__END__" || name == "__DATA__") && (at == 0 || self.b[at - 1] == b'\n') {
            self.i = self.b.len();
            return;
        }
        if let Some(kind) = quote_like(&name)
            && self.quote_follows()
        {
            self.quote(kind, at);
            return;
        }
        self.push(T::Name(name), at);
    }

    /// Whether a quote-like operator's delimiter follows (not `q => 1`, `$h{s}`, `->y`).
    fn quote_follows(&self) -> bool {
        if matches!(self.out.last().map(|t| &t.t), Some(T::Op("->"))) {
            return false;
        }
        let mut k = self.i;
        while k < self.b.len() && matches!(self.b[k], b' ' | b'\t') {
            k += 1;
        }
        let Some(&c) = self.b.get(k) else {
            return false;
        };
        if c == b'=' {
            return self.b.get(k + 1) != Some(&b'>') && self.b.get(k + 1) != Some(&b'=');
        }
        if c == b'#' {
            return k == self.i;
        }
        if c == b'}' && matches!(self.out.last().map(|t| &t.t), Some(T::Op("{"))) {
            return false;
        }
        c.is_ascii_punctuation() && !matches!(c, b',' | b';' | b')' | b'_')
    }

    fn quote(&mut self, kind: Quote, at: usize) {
        while matches!(self.peek(0), b' ' | b'\t') {
            self.i += 1;
        }
        let open = self.peek(0);
        self.i += 1;
        let first = self.delimited(open);
        let second = if matches!(kind, Quote::Subst) {
            if open != closer(open) {
                while self.peek(0).is_ascii_whitespace() {
                    self.i += 1;
                }
                let open2 = self.peek(0);
                self.i += 1;
                Some(self.delimited(open2))
            } else {
                Some(self.delimited(open))
            }
        } else {
            None
        };
        let t = match kind {
            Quote::Single => T::Str {
                text: unescape_single(&first),
                interp: false,
            },
            Quote::Double => T::Str {
                text: first,
                interp: true,
            },
            Quote::Words => T::Str {
                text: first,
                interp: false,
            },
            Quote::Command => T::Cmd(first),
            Quote::Match => {
                self.flags();
                T::Regex(first)
            }
            Quote::Subst => {
                self.flags();
                let _ = second;
                T::Regex(first)
            }
        };
        self.push(t, at);
    }

    fn op(&mut self) {
        let at = self.i;
        let rest = &self.b[self.i..];
        for op in OPS.iter().chain(SINGLE) {
            if rest.starts_with(op.as_bytes()) {
                self.i += op.len();
                self.push(T::Op(op), at);
                return;
            }
        }
        // Anything else (non-ASCII text, stray bytes) is skipped.
        self.i += 1;
    }
}

#[derive(Clone, Copy)]
enum Quote {
    Single,
    Double,
    Words,
    Command,
    Match,
    Subst,
}

fn quote_like(name: &str) -> Option<Quote> {
    Some(match name {
        "q" => Quote::Single,
        "qq" => Quote::Double,
        "qw" => Quote::Words,
        "qx" => Quote::Command,
        "m" | "qr" => Quote::Match,
        "s" | "tr" | "y" => Quote::Subst,
        _ => return None,
    })
}

/// A single-quoted string's value: only `\\` and `\'` are escapes.
fn unescape_single(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n @ ('\\' | '\'')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<T> {
        tokens(src.as_bytes()).into_iter().map(|t| t.t).collect()
    }

    #[test]
    fn variables_strings_and_reads() {
        let t = kinds("while (my $l = <$sock>) { system($1) if $l =~ /!sh (.*)/; }");
        assert!(t.contains(&T::ReadLine("sock".into())));
        assert!(t.contains(&T::Var("1".into())));
        assert!(t.contains(&T::Regex("!sh (.*)".into())));
        let t = kinds("my @o = `$cmd 2>&1`; my $x = qx{id}; print $s \"NICK x\\r\\n\";");
        assert!(t.contains(&T::Cmd("$cmd 2>&1".into())));
        assert!(t.contains(&T::Cmd("id".into())));
        assert!(t.contains(&T::Str {
            text: "NICK x\\r\\n".into(),
            interp: true
        }));
        assert_eq!(kinds("my $t = $_[0]; shift;")[3], T::Var("@_".into()));
    }

    #[test]
    fn comments_pod_heredocs_and_end() {
        let src = "# system($x)\nmy $a = 1; # `id`\n=pod\n\nsystem($pod)\n\n=cut\nprint <<\"EOT\", 2;\nbody $v\nEOT\nmy $b = $a / 2; my $c = 3 / 4;\n__END__\nsystem($x)\n";
        let t = kinds(src);
        assert!(!t.iter().any(|t| matches!(t, T::Cmd(_))));
        assert!(!t.contains(&T::Var("pod".into())));
        assert!(!t.contains(&T::Var("x".into())));
        assert!(t.contains(&T::Str {
            text: "body $v\n".into(),
            interp: true
        }));
        assert!(t.contains(&T::Var("c".into())));
        assert!(!t.iter().any(|t| matches!(t, T::Regex(_))));
    }

    #[test]
    fn quote_like_operators() {
        let t = kinds("my %h = (q => 1, s => 2); $x =~ s{a}{b}g; my $y = q(it's); $h{y} = 1;");
        assert!(t.contains(&T::Name("q".into())));
        assert!(t.contains(&T::Regex("a".into())));
        assert!(t.contains(&T::Str {
            text: "it's".into(),
            interp: false
        }));
        assert!(t.contains(&T::Name("y".into())));
    }

    #[test]
    fn hostile_input_is_one_pass() {
        let line = "/".repeat(200_000) + "\n" + &"<".repeat(100_000) + &"$".repeat(100_000);
        let t = tokens(line.as_bytes());
        assert!(!t.is_empty());
        let unterminated = "q{".to_string() + &"x".repeat(100_000);
        assert_eq!(tokens(unterminated.as_bytes()).len(), 1);
    }
}
