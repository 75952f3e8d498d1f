//! Escaping of host strings. Every file name, log line and command line on a hacked
//! host was chosen by the attacker: it may hold invalid UTF-8, terminal escape
//! sequences, carriage returns that overwrite what was printed, or bidi overrides
//! that make `evil.php` read as something else.
//!
//! Two layers: [`escape_bytes`] turns raw host bytes into a `String` once, at capture
//! (invalid UTF-8 becomes `\xNN`, a literal backslash becomes `\\`, so it is lossless);
//! [`terminal_safe`] additionally escapes control and bidi characters before a string
//! reaches a terminal, and [`csv_cell`] makes a CSV cell of it that neither a terminal
//! nor a spreadsheet acts on.

use std::borrow::Cow;
use std::fmt::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// Host bytes as a lossless `String`: valid UTF-8 is kept, each invalid byte becomes
/// `\xNN` and a backslash becomes `\\`.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\\' {
                out.push_str("\\\\");
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// A host path as a lossless `String` (see [`escape_bytes`]).
pub fn escape_path(path: &Path) -> String {
    escape_bytes(path.as_os_str().as_bytes())
}

/// The host bytes an [`escape_bytes`] string stands for (`\\` and `\xNN` undone),
/// e.g. to open again the file a finding names.
pub fn unescape_bytes(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match rest {
            [b'\\', tail @ ..] => {
                out.push(b'\\');
                rest = tail;
            }
            [b'x', hi, lo, tail @ ..] if hi.is_ascii_hexdigit() && lo.is_ascii_hexdigit() => {
                let hex = [*hi, *lo];
                let byte = std::str::from_utf8(&hex)
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                out.push(byte.unwrap_or(b'?'));
                rest = tail;
            }
            _ => out.push(b'\\'),
        }
    }
    out
}

/// Characters a terminal would act on rather than print: C0 and C1 controls, DEL,
/// and the bidi embedding, override and isolate characters.
fn is_dangerous(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}')
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// A string fit for a terminal: control and bidi characters become `\n`, `\t`, `\r`,
/// `\e`, `\xNN` or `\u{NNNN}`.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_dangerous) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            c if is_dangerous(c) && (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_dangerous(c) => {
                let _ = write!(out, "\\u{{{:04x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A host string as one CSV cell (RFC 4180), safe on a terminal and in a
/// spreadsheet: control and bidi characters are escaped visibly as by
/// [`terminal_safe`] (so a cell is never more than one line), a cell a spreadsheet
/// would take for a formula (starting with `=`, `+`, `-`, `@`, tab or carriage
/// return, per OWASP's CSV injection advice) gets a `'` in front, and a cell holding
/// a comma or a quote is quoted.
pub fn csv_cell(s: &str) -> String {
    let safe = terminal_safe(s);
    let formula = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let cell = if formula {
        Cow::Owned(format!("'{safe}"))
    } else {
        safe
    };
    if cell.contains([',', '"']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_and_backslashes_are_lossless() {
        assert_eq!(escape_bytes(b"a\xffb\\c"), "a\\xffb\\\\c");
        assert_eq!(escape_bytes("é".as_bytes()), "é");
    }

    #[test]
    fn unescape_gives_the_bytes_back() {
        for raw in [&b"a\xffb\\c"[..], b"\\x41", "é\n".as_bytes(), b"\\xz", b""] {
            assert_eq!(unescape_bytes(&escape_bytes(raw)), raw, "{raw:?}");
        }
    }

    #[test]
    fn terminal_controls_are_neutralised() {
        assert_eq!(terminal_safe("ok"), "ok");
        assert_eq!(terminal_safe("x\u{1b}[2J\r\u{7}y"), "x\\e[2J\\r\\x07y");
        assert_eq!(terminal_safe("a\u{202e}php.jpg"), "a\\u{202e}php.jpg");
        assert_eq!(terminal_safe("\u{9b}31m"), "\\x9b31m");
    }

    #[test]
    fn csv_cells_are_one_line_and_no_formula() {
        assert_eq!(csv_cell("plain text"), "plain text");
        assert_eq!(csv_cell("a,\"b\""), "\"a,\"\"b\"\"\"");
        assert_eq!(csv_cell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(csv_cell("=1,2"), "\"'=1,2\"");
        for c in ["+1", "-1", "@SUM(A1)", "\t=1", "\r=1"] {
            assert!(csv_cell(c).starts_with('\''), "{c:?}");
        }
        assert_eq!(
            csv_cell("x\u{1b}[2J\ny\u{7f}\u{9b}"),
            "x\\e[2J\\ny\\x7f\\x9b"
        );
    }
}
