//! The code of a PHP file as the data-flow heuristics read it: comments blanked, and
//! inside string literals the characters that would pass for calls, indexes or
//! variables blanked (`(` `)` everywhere; `$` `[` `]` too where PHP does not
//! interpolate: single quotes and nowdoc). Every byte keeps its offset, so lines and
//! excerpts still point into the file. A docblock that mentions
//! `$_SERVER['SERVER_NAME'] (or 'localhost')` or a format string `'%1$s (%2$s)'` is
//! then no call.
//!
//! The lexer knows PHP's tags, comments (`//`, `#` but not `#[`, `/* */`, each ended
//! by `?>` where PHP ends them), quoted strings with their escapes, backticks, and
//! heredoc/nowdoc. Outside `<?php … ?>` (HTML) nothing is changed.

/// Writes the code view of `src` into `out` (same length as `src`).
pub(crate) fn php_code(src: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(src);
    let mut i = 0;
    let n = src.len();
    // Outside PHP until an opening tag.
    let mut in_php = false;
    while i < n {
        if !in_php {
            match memchr::memmem::find(&src[i..], b"<?") {
                Some(rel) => {
                    i += rel + 2;
                    in_php = true;
                }
                None => break,
            }
            continue;
        }
        match src[i] {
            b'?' if src.get(i + 1) == Some(&b'>') => {
                in_php = false;
                i += 2;
            }
            b'#' if src.get(i + 1) != Some(&b'[') => i = line_comment(src, out, i),
            b'/' if src.get(i + 1) == Some(&b'/') => i = line_comment(src, out, i),
            b'/' if src.get(i + 1) == Some(&b'*') => {
                let end = memchr::memmem::find(&src[i + 2..], b"*/").map_or(n, |e| i + 2 + e + 2);
                blank(&mut out[i..end]);
                i = end;
            }
            b'\'' => i = quoted(src, out, i, b'\'', Literal::Plain),
            b'"' => i = quoted(src, out, i, b'"', Literal::Interpolated),
            b'`' => i = quoted(src, out, i, b'`', Literal::Shell),
            b'<' if src[i..].starts_with(b"<<<") => i = heredoc(src, out, i),
            _ => i += 1,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Literal {
    /// `'…'` and nowdoc: no variables, no escapes but `\\` and `\'`.
    Plain,
    /// `"…"` and heredoc: variables are interpolated.
    Interpolated,
    /// `` `…` ``: a shell command; left as it is.
    Shell,
}

/// Blanks a comment from `i` to the end of the line or to `?>`; returns where code
/// goes on.
fn line_comment(src: &[u8], out: &mut [u8], i: usize) -> usize {
    let line_end = memchr::memchr(b'\n', &src[i..]).map_or(src.len(), |e| i + e);
    let end = memchr::memmem::find(&src[i..line_end], b"?>").map_or(line_end, |e| i + e);
    blank(&mut out[i..end]);
    end
}

/// A quoted literal opened at `i` by `quote`; returns the index after it.
fn quoted(src: &[u8], out: &mut [u8], i: usize, quote: u8, kind: Literal) -> usize {
    let mut j = i + 1;
    while j < src.len() {
        let b = src[j];
        if b == b'\\' {
            j += 2;
            continue;
        }
        if b == quote {
            return j + 1;
        }
        mask(&mut out[j], kind);
        j += 1;
    }
    src.len()
}

/// `<<<ID`, `<<<"ID"` or `<<<'ID'` at `i`: the body runs to the line that starts
/// (after indentation) with `ID` not followed by a name character.
fn heredoc(src: &[u8], out: &mut [u8], i: usize) -> usize {
    let mut j = i + 3;
    while j < src.len() && matches!(src[j], b' ' | b'\t') {
        j += 1;
    }
    let kind = match src.get(j) {
        Some(b'\'') => {
            j += 1;
            Literal::Plain
        }
        Some(b'"') => {
            j += 1;
            Literal::Interpolated
        }
        _ => Literal::Interpolated,
    };
    let start = j;
    while j < src.len() && is_name(src[j]) {
        j += 1;
    }
    let id = &src[start..j];
    if id.is_empty() {
        return i + 3;
    }
    let Some(body) = memchr::memchr(b'\n', &src[j..]).map(|e| j + e + 1) else {
        return src.len();
    };
    let mut line = body;
    while line < src.len() {
        let next = memchr::memchr(b'\n', &src[line..]).map_or(src.len(), |e| line + e + 1);
        let t = src[line..next].trim_ascii_start();
        if t.starts_with(id) && !t.get(id.len()).is_some_and(|&b| is_name(b)) {
            return line + (next - line - t.len()) + id.len();
        }
        for b in &mut out[line..next] {
            mask(b, kind);
        }
        line = next;
    }
    src.len()
}

fn is_name(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Blanks what a literal's byte could be mistaken for in code.
fn mask(b: &mut u8, kind: Literal) {
    let blanked = match kind {
        Literal::Plain => matches!(*b, b'(' | b')' | b'$' | b'[' | b']'),
        Literal::Interpolated => matches!(*b, b'(' | b')'),
        Literal::Shell => false,
    };
    if blanked {
        *b = b' ';
    }
}

/// Spaces over a comment, newlines kept.
fn blank(s: &mut [u8]) {
    for b in s {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(s: &str) -> String {
        let mut out = Vec::new();
        php_code(s.as_bytes(), &mut out);
        assert_eq!(out.len(), s.len());
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn comments_are_blanked() {
        assert_eq!(
            view("<?php // $_GET['a'] (x)\n$a = 1; # $b(\n/* $c( */ $d();"),
            "<?php                  \n$a = 1;      \n          $d();"
        );
        // `?>` ends a line comment; HTML is left alone; `#[` is an attribute.
        assert_eq!(
            view("<?php // x ?>$y(<?php #[A] f();"),
            "<?php      ?>$y(<?php #[A] f();"
        );
        assert_eq!(view("no php here $x(1) // y"), "no php here $x(1) // y");
    }

    #[test]
    fn literals_lose_their_calls() {
        assert_eq!(
            view(r#"<?php printf('%1$s (%2$s)', "$a (b) \" ( $c[1]"); `ls ($x)`;"#),
            r#"<?php printf('%1 s  %2 s ', "$a  b  \"   $c[1]"); `ls ($x)`;"#
        );
        assert_eq!(
            view(r"<?php $a = 'it\'s ($x)'; $b();"),
            r"<?php $a = 'it\'s   x '; $b();"
        );
        // A `//` inside a string is no comment.
        assert_eq!(
            view("<?php $u = 'http://x'; $f($_GET[1]);"),
            "<?php $u = 'http://x'; $f($_GET[1]);"
        );
    }

    #[test]
    fn heredoc_and_nowdoc() {
        let src = "<?php $a = <<<EOT\n  $x (y)\n  EOT;\n$b = <<<'N'\n$z(1)\nN;\n$c();";
        assert_eq!(
            view(src),
            "<?php $a = <<<EOT\n  $x  y \n  EOT;\n$b = <<<'N'\n z 1 \nN;\n$c();"
        );
        // Unterminated input ends quietly.
        view("<?php $a = 'open");
        view("<?php $a = <<<");
        view("<?php $a = <<<X\nnever");
        view("<?php /* open");
    }
}
