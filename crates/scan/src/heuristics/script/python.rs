//! Python source as tokens: dotted names as one token (`os.system`, `.recv` after
//! a call), strings with their prefixes (raw, bytes, f-strings kept raw for their
//! `{…}` parts, triple-quoted ones across lines), numbers, operators, and the end of
//! each logical line (newlines inside brackets and after `\` do not end one).
//! Comments are left out. One pass.

use super::code::{T, Tok};

pub(in crate::heuristics) fn tokens(b: &[u8]) -> Vec<Tok> {
    let mut lx = Lexer {
        b,
        i: 0,
        depth: 0,
        out: Vec::new(),
    };
    lx.run();
    lx.out
}

struct Lexer<'a> {
    b: &'a [u8],
    i: usize,
    depth: usize,
    out: Vec<Tok>,
}

const OPS: &[&str] = &[
    "**=", "//=", ">>=", "<<=", "==", "!=", "<=", ">=", "->", "**", "//", "+=", "-=", "*=", "/=",
    "%=", "|=", "&=", ":=", "<<", ">>",
];
const SINGLE: &[&str] = &[
    "(", ")", "[", "]", "{", "}", ",", ";", ".", "=", "+", "-", "*", "/", "%", "<", ">", "!", ":",
    "&", "|", "^", "~", "@",
];

fn ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

impl Lexer<'_> {
    fn peek(&self, k: usize) -> u8 {
        self.b.get(self.i + k).copied().unwrap_or(0)
    }

    fn push(&mut self, t: T, at: usize) {
        self.out.push(Tok { t, at });
    }

    fn end(&mut self, at: usize) {
        if !matches!(self.out.last().map(|t| &t.t), None | Some(T::End)) {
            self.push(T::End, at);
        }
    }

    fn run(&mut self) {
        while self.i < self.b.len() {
            let c = self.b[self.i];
            let at = self.i;
            match c {
                b'\n' => {
                    self.i += 1;
                    if self.depth == 0 {
                        self.end(at);
                    }
                }
                b';' if self.depth == 0 => {
                    self.i += 1;
                    self.end(at);
                }
                b' ' | b'\t' | b'\r' | b'\x0c' => self.i += 1,
                b'\\' if matches!(self.peek(1), b'\n' | b'\r') => {
                    self.i += 2;
                    if self.b.get(self.i - 1) == Some(&b'\r') && self.peek(0) == b'\n' {
                        self.i += 1;
                    }
                }
                b'#' => {
                    self.i = memchr::memchr(b'\n', &self.b[self.i..])
                        .map_or(self.b.len(), |k| self.i + k);
                }
                b'\'' | b'"' => self.string(at, false, false),
                b'.' if ident_start(self.peek(1)) && self.after_term() => {
                    self.i += 1;
                    let name = self.dotted();
                    self.push(T::Name(format!(".{name}")), at);
                }
                c if c.is_ascii_digit() || (c == b'.' && self.peek(1).is_ascii_digit()) => {
                    while ident_char(self.peek(0)) || self.peek(0) == b'.' {
                        self.i += 1;
                    }
                    let text = String::from_utf8_lossy(&self.b[at..self.i]).into_owned();
                    self.push(T::Num(text), at);
                }
                c if ident_start(c) => {
                    if let Some((raw, f)) = self.string_prefix() {
                        self.string(at, raw, f);
                    } else {
                        let name = self.dotted();
                        self.push(T::Name(name), at);
                    }
                }
                _ => self.op(),
            }
        }
    }

    fn after_term(&self) -> bool {
        match self.out.last().map(|t| &t.t) {
            Some(T::Name(_) | T::Str { .. } | T::Num(_)) => true,
            Some(T::Op(o)) => matches!(*o, ")" | "]" | "}"),
            _ => false,
        }
    }

    /// `a.b.c`: a name with its attributes.
    fn dotted(&mut self) -> String {
        let start = self.i;
        loop {
            while ident_char(self.peek(0)) {
                self.i += 1;
            }
            if self.peek(0) == b'.' && ident_start(self.peek(1)) {
                self.i += 1;
            } else {
                break;
            }
        }
        String::from_utf8_lossy(&self.b[start..self.i]).into_owned()
    }

    /// A string prefix (`r`, `b`, `f`, `rb`, `fr`, …) right before a quote: whether
    /// the string is raw, and whether it is an f-string. Moves past the prefix.
    fn string_prefix(&mut self) -> Option<(bool, bool)> {
        let mut k = 0;
        while k < 2 && matches!(self.peek(k).to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f') {
            k += 1;
        }
        if k == 0 || !matches!(self.peek(k), b'\'' | b'"') {
            return None;
        }
        let prefix = self.b[self.i..self.i + k].to_ascii_lowercase();
        self.i += k;
        Some((prefix.contains(&b'r'), prefix.contains(&b'f')))
    }

    fn string(&mut self, at: usize, raw: bool, f: bool) {
        let q = self.peek(0);
        let triple = self.peek(1) == q && self.peek(2) == q;
        self.i += if triple { 3 } else { 1 };
        let start = self.i;
        let mut end = self.b.len();
        while self.i < self.b.len() {
            let c = self.b[self.i];
            if c == b'\\' {
                self.i += 2;
                continue;
            }
            if c == b'\n' && !triple {
                end = self.i;
                break;
            }
            if c == q && (!triple || (self.peek(1) == q && self.peek(2) == q)) {
                end = self.i;
                self.i += if triple { 3 } else { 1 };
                break;
            }
            self.i += 1;
        }
        self.i = self.i.min(self.b.len());
        let body = String::from_utf8_lossy(&self.b[start..end.min(self.b.len())]).into_owned();
        let t = if f {
            T::Str {
                text: body,
                interp: true,
            }
        } else if raw {
            T::Str {
                text: body,
                interp: false,
            }
        } else {
            T::Str {
                text: unescape(&body),
                interp: false,
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
                match *op {
                    "(" | "[" | "{" => self.depth += 1,
                    ")" | "]" | "}" => self.depth = self.depth.saturating_sub(1),
                    _ => {}
                }
                self.push(T::Op(op), at);
                return;
            }
        }
        self.i += 1;
    }
}

/// A Python string literal's value: the common escapes decoded, others kept.
pub(super) fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('0') => out.push('\0'),
            Some('\n') => {}
            Some('x') => {
                let hex: String = (0..2)
                    .filter_map(|_| chars.next_if(char::is_ascii_hexdigit))
                    .collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push_str("\\x");
                        out.push_str(&hex);
                    }
                }
            }
            Some(n @ ('\\' | '\'' | '"')) => out.push(n),
            Some(n) => {
                out.push('\\');
                out.push(n);
            }
            None => out.push('\\'),
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
    fn names_strings_and_lines() {
        let t = kinds(
            "import os # os.system('x')\nd = s.recv(1024).decode()\nos.system(f\"{d} 2>&1\")\n",
        );
        assert!(t.contains(&T::Name("s.recv".into())));
        assert!(t.contains(&T::Name(".decode".into())));
        assert!(t.contains(&T::Str {
            text: "{d} 2>&1".into(),
            interp: true
        }));
        assert!(!t.contains(&T::Str {
            text: "x".into(),
            interp: false
        }));
        assert_eq!(t.iter().filter(|t| **t == T::End).count(), 3);
        // Newlines inside brackets and after a backslash do not end the line.
        let t = kinds("x = f(a,\n  b)\ny = 1 + \\\n 2\n");
        assert_eq!(t.iter().filter(|t| **t == T::End).count(), 2);
        let t = kinds("s = b'NICK x\\r\\n'\nt = '''a\nb'''\nu = r'\\d'\n");
        assert!(t.contains(&T::Str {
            text: "NICK x\r\n".into(),
            interp: false
        }));
        assert!(t.contains(&T::Str {
            text: "a\nb".into(),
            interp: false
        }));
        assert!(t.contains(&T::Str {
            text: "\\d".into(),
            interp: false
        }));
    }

    #[test]
    fn hostile_input_is_one_pass() {
        let s = "'".repeat(100_000) + &"(".repeat(100_000) + &"\"\"\"".repeat(3);
        assert!(!tokens(s.as_bytes()).is_empty());
    }
}
