//! PHP data flow, approximated: where decoded strings and request data end up.
//!
//! Only a file with decoders (`base64_decode`, `gzinflate`, `str_rot13`, `strrev`,
//! `hex2bin`…) or request data (`$_GET`, `$_POST`, `$_COOKIE`, `php://input`…)
//! among its [`Words`] has its assignments and calls looked at. Variables are
//! tracked by name across the file (no scopes): a variable assigned a decoded
//! string is *decoded*, one assigned request data is *tainted*, one assigned the
//! name of a dangerous function (as a literal, or assembled from pieces, reversed,
//! rot13-ed or base64-ed) is a *function name*. Then every code runner (`eval`, `assert`, `create_function`,
//! `preg_replace` with `/e`, `call_user_func`…), command runner (`system`, `exec`,
//! `passthru`…) and variable-function call is judged by what its arguments hold.
//!
//! All of it reads the file's code view (`code`: no comments, no calls inside
//! string literals). Data flows only through the value of an expression: request
//! data used as an index (`$table[$_GET['k']]`) or handed to a function that is not
//! [`TRANSPARENT`] (`isset`, `intval`, `$db->get(…)`) gives a new value, not the
//! request's.

use super::words::Words;
use super::{Heuristic, code};
use regex::bytes::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

pub(super) const DECODERS: &[&str] = &[
    "base64_decode",
    "gzinflate",
    "gzuncompress",
    "gzdecode",
    "str_rot13",
    "strrev",
    "hex2bin",
    "convert_uudecode",
];
pub(super) const REQUEST: &[&str] = &[
    "$_get",
    "$_post",
    "$_request",
    "$_cookie",
    "$_files",
    "$_server",
    "php://input",
    "getallheaders",
];
pub(super) const HASHES: &[&str] = &["md5", "sha1", "hash(", "crypt("];

/// Functions that run code or commands.
const RUNNERS: &[&str] = &[
    "assert",
    "eval",
    "system",
    "exec",
    "passthru",
    "shell_exec",
    "popen",
    "proc_open",
    "pcntl_exec",
    "create_function",
    "call_user_func",
    "call_user_func_array",
    "preg_replace",
];

/// Besides the runners and decoders, a function dangerous when called through a
/// variable: it writes a file.
const WRITERS: &[&str] = &["file_put_contents"];

/// Functions whose result carries their argument on: string reshaping, decoding,
/// picking from a list. Request data passed through them is still request data.
const TRANSPARENT: &[&str] = &[
    "array",
    "trim",
    "ltrim",
    "rtrim",
    "stripslashes",
    "stripcslashes",
    "urldecode",
    "rawurldecode",
    "base64_decode",
    "gzinflate",
    "gzuncompress",
    "gzdecode",
    "str_rot13",
    "strrev",
    "hex2bin",
    "convert_uudecode",
    "html_entity_decode",
    "htmlspecialchars_decode",
    "str_replace",
    "str_ireplace",
    "preg_replace",
    "substr",
    "strtolower",
    "strtoupper",
    "implode",
    "join",
    "sprintf",
    "vsprintf",
    "pack",
    "strval",
    "unserialize",
    "json_decode",
    "array_pop",
    "array_shift",
    "current",
    "reset",
    "end",
    "wp_unslash",
];

/// Most assignments followed in one file.
const MAX_ASSIGNMENTS: usize = 20_000;
/// Longest argument list looked at.
const MAX_ARGS: usize = 4000;

/// ASCII semantics (`\w`, `\b`, case): PHP names are ASCII, and a Unicode word
/// boundary would make the regex engine fall back to its slowest search on any
/// file with UTF-8 text in it.
fn re(pattern: &str) -> Regex {
    regex::bytes::RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .expect("static regex")
}

static DECODER_CALL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|hex2bin|convert_uudecode)\s*\(",
    )
});
static REQUEST_DATA: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)\$_(?:GET|POST|REQUEST|COOKIE|FILES)\b|\$_SERVER\s*\[\s*['"]HTTP_|php://input|\bgetallheaders\s*\("#,
    )
});
static REQUEST_CALLED: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"\$_(?:GET|POST|REQUEST|COOKIE|SERVER)\s*\[\s*['"]?[\w-]{0,40}['"]?\s*\]\s*\("#)
});
static GATE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)(?:\b(?:md5|sha1|crypt)\s*\(|\bhash\s*\(\s*['"]\w+['"]\s*,)\s*\$_(?:GET|POST|REQUEST|COOKIE|SERVER)\s*\[[^\]]{1,60}\]\s*\)\s*[!=]==?\s*['"][0-9a-fA-F$./]{32,128}['"]|['"][0-9a-fA-F]{32,128}['"]\s*[!=]==?\s*(?:md5|sha1)\s*\(\s*\$_(?:GET|POST|REQUEST|COOKIE|SERVER)"#,
    )
});
static ASSIGN: LazyLock<Regex> =
    LazyLock::new(|| re(r"\$(\w{1,64})\s*(?:\[[^\]\n]{0,40}\]\s*)?\.?=([^=>][^;\n]{0,600})"));
static SINK: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:^|[^\w$>:\\])(eval|assert|create_function|preg_replace|call_user_func_array|call_user_func|array_map|system|exec|passthru|shell_exec|popen|proc_open|pcntl_exec)\s*\(|\$(\w{1,64})\s*\(",
    )
});
static VAR: LazyLock<Regex> = LazyLock::new(|| re(r"\$(\w{1,64})"));
static PREG_E: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"^\(\s*(?:'[^']*[/#~|!@%}][a-zA-Z]*e[a-zA-Z]*'|"[^"]*[/#~|!@%}][a-zA-Z]*e[a-zA-Z]*")\s*,"#)
});

/// What is known of a variable.
#[derive(Default, Clone)]
struct Var {
    decoded: bool,
    tainted: bool,
    /// Holds the name of a dangerous function; `true` when that name was hidden.
    function: Option<bool>,
    /// That function runs code or commands (is in [`RUNNERS`]).
    runner: bool,
}

pub(crate) fn run(raw: &[u8], words: &Words, hit: &mut impl FnMut(Heuristic, Option<usize>)) {
    if !(words.decoder || words.request) {
        return;
    }
    let mut code = Vec::new();
    code::php_code(raw, &mut code);
    let bytes = &code[..];
    if words.request {
        if let Some(m) = REQUEST_CALLED.find(bytes) {
            hit(Heuristic::SuperglobalFunction, Some(m.start()));
        }
        // The hard-coded hash is a string literal: read the file as it is.
        if words.hash
            && let Some(m) = GATE.find(raw)
        {
            hit(Heuristic::PasswordGate, Some(m.start()));
        }
    }
    let vars = assignments(bytes);
    let mut seen = [false; 4];
    let mut report = |h: Heuristic, at: usize| {
        let slot = match h {
            Heuristic::DecoderChain => 0,
            Heuristic::SuperglobalSink => 1,
            Heuristic::SuperglobalFunction => 2,
            _ => 3,
        };
        if !seen[slot] {
            seen[slot] = true;
            hit(h, Some(at));
        }
    };
    for c in SINK.captures_iter(bytes) {
        let Some(whole) = c.get(0) else { continue };
        let open = whole.end() - 1;
        let args = balanced(&bytes[open..]);
        let (decoded, tainted) = judge(args, &vars);
        let at = c.get(1).or(c.get(2)).map_or(whole.start(), |m| m.start());
        if let Some(name) = c.get(1) {
            if is_definition(bytes, name.start()) {
                continue;
            }
            let name = name.as_bytes().to_ascii_lowercase();
            let code_runner = match &name[..] {
                b"preg_replace" => PREG_E.is_match(args),
                b"call_user_func" | b"call_user_func_array" | b"array_map" => {
                    callee_is_dangerous(args, &vars)
                }
                b"eval" | b"assert" | b"create_function" => true,
                _ => false,
            };
            let command_runner = !code_runner
                && matches!(
                    &name[..],
                    b"system"
                        | b"exec"
                        | b"passthru"
                        | b"shell_exec"
                        | b"popen"
                        | b"proc_open"
                        | b"pcntl_exec"
                );
            if (code_runner || command_runner) && decoded {
                report(Heuristic::DecoderChain, at);
            }
            if (code_runner || command_runner) && tainted {
                report(Heuristic::SuperglobalSink, at);
            }
        } else if let Some(var) = c.get(2).and_then(|v| vars.get(v.as_bytes())) {
            if var.tainted {
                report(Heuristic::SuperglobalFunction, at);
            }
            if let Some(hidden) = var.function {
                if var.runner && decoded {
                    report(Heuristic::DecoderChain, at);
                }
                if var.runner && tainted {
                    report(Heuristic::SuperglobalSink, at);
                }
                if hidden {
                    report(Heuristic::DecoderNameString, at);
                }
            } else if var.decoded {
                // A function name that came out of a decoder.
                report(Heuristic::DecoderNameString, at);
            }
        }
    }
}

/// `function exec(` is a definition, not a call.
fn is_definition(bytes: &[u8], name_start: usize) -> bool {
    let before = &bytes[name_start.saturating_sub(12)..name_start];
    let t = before.trim_ascii_end();
    t.len() >= 8 && t[t.len() - 8..].eq_ignore_ascii_case(b"function")
}

/// Follows assignments in file order.
fn assignments(bytes: &[u8]) -> HashMap<Vec<u8>, Var> {
    let mut vars: HashMap<Vec<u8>, Var> = HashMap::new();
    for c in ASSIGN.captures_iter(bytes).take(MAX_ASSIGNMENTS) {
        let (Some(name), Some(rhs)) = (c.get(1), c.get(2)) else {
            continue;
        };
        let rhs = rhs.as_bytes();
        if is_closure(rhs) {
            // What a closure's body uses is not what the variable holds.
            continue;
        }
        let (mut decoded, mut tainted) = judge(rhs, &vars);
        let name_held =
            string_value(rhs).map(|(value, hidden)| (value.to_ascii_lowercase(), hidden));
        let is = |list: &[&str]| {
            name_held
                .as_ref()
                .is_some_and(|(v, _)| list.iter().any(|d| d.as_bytes() == v.as_slice()))
        };
        let runner = is(RUNNERS);
        // Run code, decode or write files when called through a variable.
        let dangerous = runner || is(DECODERS) || is(WRITERS);
        let function = name_held
            .as_ref()
            .filter(|_| dangerous)
            .map(|(_, hidden)| *hidden);
        if function.is_some() {
            // The decoder that revealed the name is not a decoded payload.
            decoded = false;
        }
        let previous = vars.get(name.as_bytes());
        if c.get(0).is_some_and(|m| m.as_bytes().contains(&b'.')) {
            // `.=` keeps what the variable had.
            decoded |= previous.is_some_and(|v| v.decoded);
            tainted |= previous.is_some_and(|v| v.tainted);
        }
        if decoded || tainted || function.is_some() || previous.is_some() {
            vars.insert(
                name.as_bytes().to_vec(),
                Var {
                    decoded,
                    tainted,
                    function,
                    runner,
                },
            );
        }
    }
    vars
}

/// `function (…) use (…) {` or `fn (…) =>`: a closure, not a value.
fn is_closure(rhs: &[u8]) -> bool {
    let t = rhs.trim_ascii_start();
    let t = t
        .strip_prefix(b"static")
        .map_or(t, <[u8]>::trim_ascii_start);
    t.starts_with(b"function")
        || t.starts_with(b"fn")
            && t.get(2)
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'(')
}

/// Whether an expression holds a decoded string or request data, directly or
/// through a known variable.
fn judge(expr: &[u8], vars: &HashMap<Vec<u8>, Var>) -> (bool, bool) {
    let opaque = opaque_spans(expr);
    let flows = |at: usize| !opaque.iter().any(|&(a, b)| a <= at && at < b);
    let mut decoded = DECODER_CALL.find_iter(expr).any(|m| flows(m.start()));
    let mut tainted = REQUEST_DATA.find_iter(expr).any(|m| flows(m.start()));
    if (!decoded || !tainted) && !vars.is_empty() {
        for v in VAR.captures_iter(expr) {
            let Some(name) = v.get(1) else { continue };
            if let Some(var) = vars.get(name.as_bytes())
                && flows(name.start())
            {
                decoded |= var.decoded;
                tainted |= var.tainted;
            }
        }
    }
    (decoded, tainted)
}

/// The spans of an expression whose value does not become the expression's value:
/// indexes (`$t[…]`) and the arguments of calls to functions that are not
/// [`TRANSPARENT`] (methods and variable functions included).
fn opaque_spans(expr: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    // Open brackets: (where, opaque).
    let mut stack: Vec<(usize, bool)> = Vec::new();
    for (i, &b) in expr.iter().enumerate() {
        match b {
            b'(' | b'[' => {
                let before = expr[..i].trim_ascii_end();
                let opaque = if b == b'[' {
                    // An index follows a value; an array literal follows an operator.
                    before.last().is_some_and(|&c| {
                        c.is_ascii_alphanumeric() || matches!(c, b'_' | b']' | b')' | b'}')
                    })
                } else {
                    let name_len = before
                        .iter()
                        .rev()
                        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                        .count();
                    let name = &before[before.len() - name_len..];
                    let head = &before[..before.len() - name_len];
                    if name.is_empty() {
                        // Grouping, or `$f(…)` / `$o->m()(…)`: a call through a value.
                        before
                            .last()
                            .is_some_and(|&c| matches!(c, b')' | b']' | b'}'))
                    } else {
                        let method =
                            head.ends_with(b"->") || head.ends_with(b"::") || head.ends_with(b"$");
                        method
                            || !TRANSPARENT
                                .iter()
                                .any(|t| t.as_bytes().eq_ignore_ascii_case(name))
                    }
                };
                stack.push((i, opaque));
            }
            b')' | b']' => {
                if let Some((open, opaque)) = stack.pop()
                    && opaque
                {
                    spans.push((open, i + 1));
                }
            }
            _ => {}
        }
    }
    for (open, opaque) in stack {
        if opaque {
            spans.push((open, expr.len()));
        }
    }
    spans
}

/// `call_user_func('assert', …)` or `call_user_func($f, …)` with `$f` a dangerous
/// function name: the first argument names a code runner.
fn callee_is_dangerous(args: &[u8], vars: &HashMap<Vec<u8>, Var>) -> bool {
    let inner = args.strip_prefix(b"(").unwrap_or(args);
    let first = inner
        .split(|&b| b == b',')
        .next()
        .unwrap_or(b"")
        .trim_ascii();
    if let Some(name) = first.strip_prefix(b"$") {
        return vars.get(name).is_some_and(|v| v.runner || v.tainted);
    }
    string_value(first).is_some_and(|(v, _)| {
        let v = v.to_ascii_lowercase();
        RUNNERS.iter().any(|d| d.as_bytes() == v.as_slice())
    })
}

/// The parenthesised argument list starting at `(`, bounded.
fn balanced(from: &[u8]) -> &[u8] {
    let mut depth = 0usize;
    for (i, &b) in from.iter().enumerate().take(MAX_ARGS) {
        match b {
            b'(' => depth += 1,
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return &from[..=i];
                }
            }
            _ => {}
        }
    }
    &from[..from.len().min(MAX_ARGS)]
}

/// The value of a constant string expression: literals joined with `.`, each
/// possibly wrapped in `strrev`, `str_rot13` or `base64_decode`, and `chr(N)`.
/// Returns the value and whether it was hidden (more than one piece, or decoded).
fn string_value(expr: &[u8]) -> Option<(Vec<u8>, bool)> {
    let mut rest = expr.trim_ascii();
    if let Some(r) = rest.strip_suffix(b";") {
        rest = r.trim_ascii_end();
    }
    let mut value = Vec::new();
    let mut pieces = 0;
    let mut hidden = false;
    loop {
        rest = rest.trim_ascii_start();
        let (piece, after, transformed) = string_piece(rest)?;
        value.extend(piece);
        pieces += 1;
        hidden |= transformed;
        rest = after.trim_ascii_start();
        if rest.is_empty() {
            break;
        }
        rest = rest.strip_prefix(b".")?;
        if value.len() > 64 {
            return None;
        }
    }
    Some((value, hidden || pieces > 1))
}

/// One piece of a string expression: `'lit'`, `"lit"` (without `$`), `chr(N)`,
/// or `f('lit')` for a decoder `f`.
fn string_piece(s: &[u8]) -> Option<(Vec<u8>, &[u8], bool)> {
    let q = *s.first()?;
    if q == b'\'' || q == b'"' {
        let end = memchr::memchr(q, &s[1..])? + 1;
        let lit = &s[1..end];
        if q == b'"' && lit.contains(&b'$') {
            return None;
        }
        return Some((unescape(lit), &s[end + 1..], false));
    }
    let open = memchr::memchr(b'(', s)?;
    let func = s[..open].trim_ascii().to_ascii_lowercase();
    let close = memchr::memchr(b')', &s[open..])? + open;
    let inner = s[open + 1..close].trim_ascii();
    let after = &s[close + 1..];
    if func == b"chr" {
        let n: u8 = std::str::from_utf8(inner).ok()?.trim().parse().ok()?;
        return Some((vec![n], after, true));
    }
    let (lit, rest, _) = string_piece(inner)?;
    if !rest.trim_ascii().is_empty() {
        return None;
    }
    let value = match &func[..] {
        b"strrev" => lit.into_iter().rev().collect(),
        b"str_rot13" => lit.iter().map(|&b| rot13(b)).collect(),
        b"base64_decode" => base64(&lit)?,
        _ => return None,
    };
    Some((value, after, true))
}

/// `\xHH` and `\NNN` escapes as PHP reads them in double-quoted strings.
fn unescape(lit: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(lit.len());
    let mut i = 0;
    while i < lit.len() {
        if lit[i] == b'\\' {
            let hex = lit.get(i + 1) == Some(&b'x')
                && lit
                    .get(i + 2..i + 4)
                    .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
            if hex {
                let s = std::str::from_utf8(&lit[i + 2..i + 4]).unwrap_or("0");
                out.push(u8::from_str_radix(s, 16).unwrap_or(0));
                i += 4;
                continue;
            }
            let oct = lit
                .get(i + 1..i + 4)
                .is_some_and(|o| o.iter().all(|c| (b'0'..=b'7').contains(c)));
            if oct {
                let s = std::str::from_utf8(&lit[i + 1..i + 4]).unwrap_or("0");
                out.push(u8::from_str_radix(s, 8).unwrap_or(0));
                i += 4;
                continue;
            }
        }
        out.push(lit[i]);
        i += 1;
    }
    out
}

fn rot13(b: u8) -> u8 {
    match b {
        b'a'..=b'z' => (b - b'a' + 13) % 26 + b'a',
        b'A'..=b'Z' => (b - b'A' + 13) % 26 + b'A',
        _ => b,
    }
}

/// Standard base64, padding optional; `None` on anything else.
fn base64(s: &[u8]) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let s: Vec<u8> = s.iter().copied().filter(|&c| c != b'=').collect();
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for chunk in s.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c)? << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend(&bytes[1..chunk.len().max(1)]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(src: &str) -> Vec<Heuristic> {
        let mut v = Vec::new();
        run(
            src.as_bytes(),
            &Words::native(src.as_bytes()),
            &mut |h, _| v.push(h),
        );
        v.sort_by_key(|h| *h as usize);
        v
    }

    #[test]
    fn decoder_chains_through_variables() {
        assert_eq!(
            hits("<?php $p = str_rot13(base64_decode($d)); $q = $p; @eval($q);"),
            [Heuristic::DecoderChain]
        );
        assert_eq!(
            hits("<?php $f = 'cre'.'ate_func'.'tion'; $g = $f('', gzinflate($z)); $g();"),
            [Heuristic::DecoderChain, Heuristic::DecoderNameString]
        );
        assert_eq!(
            hits("<?php $a = strrev('tressa'); $a(base64_decode($_COOKIE['z']));"),
            [
                Heuristic::DecoderChain,
                Heuristic::SuperglobalSink,
                Heuristic::DecoderNameString
            ]
        );
        assert_eq!(
            hits("<?php preg_replace('/.*/e', base64_decode($x), '');"),
            [Heuristic::DecoderChain]
        );
        // Decoding data is not running it.
        assert!(hits("<?php $img = base64_decode($raw); file_put_contents($f, $img); echo json_decode(base64_decode($s));").is_empty());
        assert!(hits("<?php $cb = 'strtoupper'; echo $cb(base64_decode($x));").is_empty());
        assert!(hits("<?php preg_replace('/a/i', base64_decode($x), $y);").is_empty());
    }

    #[test]
    fn request_data_into_runners() {
        assert_eq!(
            hits("<?php $c = $_POST['c']; $o = ''; system($c);"),
            [Heuristic::SuperglobalSink]
        );
        assert_eq!(
            hits("<?php $_GET['f']($_GET['a']);"),
            [Heuristic::SuperglobalFunction]
        );
        assert_eq!(
            hits("<?php $f = $_REQUEST['f']; $f($_REQUEST['a']);"),
            [Heuristic::SuperglobalFunction]
        );
        assert_eq!(
            hits("<?php $s = \"sys\" . \"tem\"; $s($_GET['cmd']);"),
            [Heuristic::SuperglobalSink, Heuristic::DecoderNameString]
        );
        assert_eq!(
            hits("<?php call_user_func('assert', $_POST['x']);"),
            [Heuristic::SuperglobalSink]
        );
        // Honest request handling.
        assert!(hits("<?php $id = (int) $_GET['id']; $db->exec(\"DELETE FROM t WHERE id=$id\"); $action = $_POST['action']; do_action($action); array_map('intval', $_POST['ids']);").is_empty());
        assert!(hits("<?php function exec($cmd) { return 1; } $cmd = $_GET['c'];").is_empty());
    }

    #[test]
    fn password_gates() {
        assert_eq!(
            hits("<?php if (md5($_POST['p']) == '5f4dcc3b5aa765d61d8327deb882cf99') { echo 1; }"),
            [Heuristic::PasswordGate]
        );
        assert_eq!(
            hits("<?php if ('5f4dcc3b5aa765d61d8327deb882cf99' === md5($_COOKIE['k'])) {}"),
            [Heuristic::PasswordGate]
        );
        assert!(hits("<?php if (md5($_POST['p']) == $row['hash']) {}").is_empty());
    }

    #[test]
    fn string_values() {
        assert_eq!(
            string_value(b"'ba'.'se64_decode'"),
            Some((b"base64_decode".to_vec(), true))
        );
        assert_eq!(
            string_value(b"base64_decode('c3lzdGVt')"),
            Some((b"system".to_vec(), true))
        );
        assert_eq!(
            string_value(b"\"\\x61ssert\""),
            Some((b"assert".to_vec(), false))
        );
        assert_eq!(
            string_value(b"chr(101).'val'"),
            Some((b"eval".to_vec(), true))
        );
        assert_eq!(string_value(b"$x . 'a'"), None);
        assert_eq!(base64(b"YQ=="), Some(b"a".to_vec()));
        // A literal ending in a backslash (seen in real code) is kept as is.
        assert_eq!(unescape(b"C:\\"), b"C:\\".to_vec());
        assert_eq!(unescape(b"a\\x4"), b"a\\x4".to_vec());
    }
}
