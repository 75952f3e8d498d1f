//! Escaping for the report. Every string shown (host paths, evidence, command
//! lines, even rule ids and titles read back from the case) goes through here; only
//! the report's own markup is written raw.
//!
//! Both formats first pass the string through [`terminal_safe`]: control and bidi
//! characters become visible escapes (`\e`, `\n`, `\u{202e}`), so no string spans
//! lines, breaks a table row or reorders what is read. Then:
//! - HTML: `&`, `<`, `>`, `"` and `'` become character references, in text and in
//!   attribute values alike (attributes are always double-quoted).
//! - Markdown: a backslash goes before every ASCII punctuation character that
//!   CommonMark or GitHub give a meaning to (CommonMark lets any ASCII punctuation
//!   be escaped so): `\` `` ` `` `*` `_` `~` `{` `}` `[` `]` `(` `)` `<` `>` `#`
//!   `!` `|` `&` `.` `:` `@` `$` `^` `=`. That takes the meaning out of HTML tags
//!   and entities, emphasis and strike-through, code spans, links and images,
//!   autolinks (`http:`, `www.`, `a@b`), math, headings and numbered lists, and GFM
//!   table cells (an escaped pipe never splits a cell). `-` and `+` are escaped
//!   only as a string's first character (a list marker); `/ , ; ' " % ?` never
//!   mean anything inline and are left as they are, so paths stay readable. Host
//!   strings are never put in code spans: inside one in a table, a backslash
//!   before a pipe cannot be kept.

use breachkit_finding::terminal_safe;

/// `s` as HTML text or a double-quoted attribute value.
pub fn html(s: &str) -> String {
    let safe = terminal_safe(s);
    let mut out = String::with_capacity(safe.len());
    for c in safe.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// ASCII punctuation with no meaning inside a Markdown line (see the module
/// comment); `-` and `+` only past a string's first character.
const INERT: &str = "/,;'\"%?-+";

/// `s` as Markdown text that renders as exactly these characters.
pub fn markdown(s: &str) -> String {
    let safe = terminal_safe(s);
    let mut out = String::with_capacity(safe.len() + 8);
    for (i, c) in safe.chars().enumerate() {
        let marker = i == 0 && matches!(c, '-' | '+');
        if marker || (c.is_ascii_punctuation() && !INERT.contains(c)) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_markup_and_controls_become_text() {
        assert_eq!(
            html("\"><img src=x onerror='a()'>&\u{1b}[2J"),
            "&quot;&gt;&lt;img src=x onerror=&#39;a()&#39;&gt;&amp;\\e[2J"
        );
    }

    #[test]
    fn markdown_punctuation_is_escaped_but_slashes_kept() {
        assert_eq!(markdown("/var/www/a|b`c"), "/var/www/a\\|b\\`c");
        assert_eq!(markdown("-x-y, 'z'?"), "\\-x-y, 'z'?");
        assert_eq!(markdown("# [x](y)\n"), "\\# \\[x\\]\\(y\\)\\\\n");
        assert_eq!(markdown("a\\|b"), "a\\\\\\|b");
    }
}
