//! PHP 5 syntax that tree-sitter's grammar (PHP 7.4 onwards) no longer knows,
//! rewritten in place before parsing, every byte keeping its offset: string and
//! array offsets in braces (`$s{4}`, removed in PHP 8), which old obfuscators use
//! on every line (`$O{4}.$O{9}`), become brackets; the `<script language="php">`
//! opening tag (removed in PHP 7) becomes `<?php` and its `</script>` a `?>`,
//! padded with spaces.
//!
//! A small lexer walks the source: outside `<?php … ?>` (HTML) nothing is touched;
//! comments, quoted strings, backticks and heredocs are skipped; a `{` that follows
//! a variable name or the `]`/`}` closing such an offset is an offset.

/// Rewrites `src` in place. Returns true when something was rewritten.
pub(crate) fn rewrite(src: &mut [u8]) -> bool {
    let n = src.len();
    let mut changed = false;
    let mut i = 0;
    let mut in_php = false;
    // Inside a `<script language="php">` block: `</script>` closes it.
    let mut script = false;
    // Open offsets: positions of the `{` that became `[`, with their brace depth.
    let mut open: Vec<usize> = Vec::new();
    // Nesting of other braces inside an open offset (`$a{$b{1}}`, `$a{f(){}}`).
    let mut depth: Vec<u32> = Vec::new();
    // The next `<script language="php">` block at or after where it was looked
    // for: found once, not again at each `?>` (a template leaves PHP thousands of
    // times; searching to the end each time would be quadratic).
    let mut next_block: Option<Option<(usize, usize)>> = None;
    while i < n {
        if !in_php {
            let tag = memchr::memmem::find(&src[i..], b"<?").map(|r| i + r);
            if next_block.is_none_or(|b| b.is_some_and(|(at, _)| at < i)) {
                next_block = Some(script_open(&src[i..]).map(|(at, len)| (i + at, len)));
            }
            let block = next_block.flatten();
            match (tag, block) {
                (Some(t), Some((b, _))) if t < b => {
                    i = t + 2;
                    in_php = true;
                }
                (_, Some((b, len))) => {
                    pad(&mut src[b..b + len], b"<?php");
                    changed = true;
                    i = b + len;
                    in_php = true;
                    script = true;
                }
                (Some(t), None) => {
                    i = t + 2;
                    in_php = true;
                }
                (None, None) => break,
            }
            continue;
        }
        match src[i] {
            b'?' if src.get(i + 1) == Some(&b'>') => {
                in_php = false;
                script = false;
                open.clear();
                depth.clear();
                i += 2;
            }
            b'<' if script && starts_with_ci(&src[i..], b"</script>") => {
                pad(&mut src[i..i + 9], b"?>");
                changed = true;
                in_php = false;
                script = false;
                open.clear();
                depth.clear();
                i += 9;
            }
            b'#' if src.get(i + 1) != Some(&b'[') => i = line_comment_end(src, i),
            b'/' if src.get(i + 1) == Some(&b'/') => i = line_comment_end(src, i),
            b'/' if src.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&src[i + 2..], b"*/").map_or(n, |e| i + 2 + e + 2);
            }
            q @ (b'\'' | b'"' | b'`') => i = quoted_end(src, i, q),
            b'<' if src[i..].starts_with(b"<<<") => i = heredoc_end(src, i),
            b'{' => {
                if follows_variable(src, i) {
                    src[i] = b'[';
                    changed = true;
                    open.push(i);
                    depth.push(0);
                } else if let Some(d) = depth.last_mut() {
                    *d += 1;
                }
                i += 1;
            }
            b'}' => {
                match depth.last_mut() {
                    Some(0) => {
                        src[i] = b']';
                        open.pop();
                        depth.pop();
                    }
                    Some(d) => *d -= 1,
                    None => {}
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    changed
}

/// A `{` right after `$name`, or after the `]` of an offset (`$a[1]{2}`, `$a{1}{2}`).
fn follows_variable(src: &[u8], at: usize) -> bool {
    let before = &src[..at];
    let Some(&last) = before.last() else {
        return false;
    };
    if last == b']' {
        // `$a[1]{2}` or a rewritten `$a{1}{2}`: the bracket closes an offset.
        return true;
    }
    if !is_name(last) {
        return false;
    }
    let name_len = before.iter().rev().take_while(|&&b| is_name(b)).count();
    let start = at - name_len;
    start > 0
        && src[start - 1] == b'$'
        && !src[start].is_ascii_digit()
        // `${name}` inside a string is handled by the string skip; `$$a{1}` is fine.
        && name_len > 0
}

/// Where the first `<script language="php">` tag (quotes and case as PHP 5 took
/// them) starts in `s`, and its length.
fn script_open(s: &[u8]) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(rel) = find_ci(&s[from..], b"<script") {
        let at = from + rel;
        let end = memchr::memchr(b'>', &s[at..]).map(|e| at + e + 1)?;
        let tag: Vec<u8> = s[at..end]
            .iter()
            .filter(|b| !b.is_ascii_whitespace() && **b != b'"' && **b != b'\'')
            .map(u8::to_ascii_lowercase)
            .collect();
        if tag == b"<scriptlanguage=php>" {
            return Some((at, end - at));
        }
        from = at + 7;
    }
    None
}

fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

fn starts_with_ci(s: &[u8], prefix: &[u8]) -> bool {
    s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// Writes `with` at the start of `span` and spaces after it.
fn pad(span: &mut [u8], with: &[u8]) {
    for (i, b) in span.iter_mut().enumerate() {
        *b = with.get(i).copied().unwrap_or(b' ');
    }
}

fn is_name(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The end of a `//` or `#` comment: the line's end or a `?>` before it.
fn line_comment_end(src: &[u8], i: usize) -> usize {
    let line_end = memchr::memchr(b'\n', &src[i..]).map_or(src.len(), |e| i + e);
    memchr::memmem::find(&src[i..line_end], b"?>").map_or(line_end, |e| i + e)
}

/// The index after a literal opened at `i` by `quote`.
fn quoted_end(src: &[u8], i: usize, quote: u8) -> usize {
    let mut j = i + 1;
    while j < src.len() {
        match src[j] {
            b'\\' => j += 2,
            b if b == quote => return j + 1,
            _ => j += 1,
        }
    }
    src.len()
}

/// `<<<ID`, `<<<"ID"` or `<<<'ID'` at `i`: the index after the closing identifier
/// (a line that starts, after indentation, with `ID` not followed by a name byte).
fn heredoc_end(src: &[u8], i: usize) -> usize {
    let mut j = i + 3;
    while j < src.len() && matches!(src[j], b' ' | b'\t' | b'\'' | b'"') {
        j += 1;
    }
    let start = j;
    while j < src.len() && is_name(src[j]) {
        j += 1;
    }
    let id = &src[start..j];
    if id.is_empty() {
        return i + 3;
    }
    let Some(mut line) = memchr::memchr(b'\n', &src[j..]).map(|e| j + e + 1) else {
        return src.len();
    };
    while line < src.len() {
        let next = memchr::memchr(b'\n', &src[line..]).map_or(src.len(), |e| line + e + 1);
        let t = src[line..next].trim_ascii_start();
        if t.starts_with(id) && !t.get(id.len()).is_some_and(|&b| is_name(b)) {
            return line + (next - line - t.len()) + id.len();
        }
        line = next;
    }
    src.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rw(s: &str) -> String {
        let mut b = s.as_bytes().to_vec();
        rewrite(&mut b);
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn brace_offsets_become_brackets() {
        assert_eq!(rw("<?php $f = $O{4}.$O{9};"), "<?php $f = $O[4].$O[9];");
        assert_eq!(rw("<?php $a{$b{1}}{2};"), "<?php $a[$b[1]][2];");
        assert_eq!(rw("<?php $t{$i}^$k{$j};"), "<?php $t[$i]^$k[$j];");
    }

    #[test]
    fn blocks_strings_and_comments_stay() {
        let same = [
            "<?php if ($a) { $b = 1; } function f() { return 1; }",
            "<?php $s = \"{$a} ${b} $c{1}\"; $t = '$d{1}';",
            "<?php // $a{1}\n# $b{2}\n/* $c{3} */",
            "<html>$a{1}</html>",
            "<?php $h = <<<EOT\n$a{1}\nEOT;\n",
            "<?php ${'a'} = 1; $$b = 2; class A { }",
        ];
        for s in same {
            assert_eq!(rw(s), s);
        }
        // After the heredoc, code again.
        assert_eq!(
            rw("<?php $h = <<<EOT\nx\nEOT;\n$a{1};"),
            "<?php $h = <<<EOT\nx\nEOT;\n$a[1];"
        );
    }

    #[test]
    fn script_language_php_blocks() {
        let src = "<html><script language=\"php\">@eval($_POST[1]);</script><p>$a{1}</p>";
        let out = rw(src);
        assert_eq!(out.len(), src.len());
        assert!(out.starts_with("<html><?php "), "{out}");
        assert!(out.contains("@eval($_POST[1]);?>"), "{out}");
        // HTML after the block is left alone.
        assert!(out.ends_with("<p>$a{1}</p>"), "{out}");
        let js = "<script type=\"text/javascript\">var a = b{1};</script>";
        assert_eq!(rw(js), js);
    }

    #[test]
    fn unterminated_input_is_harmless() {
        for s in [
            "<?php $a{",
            "<?php 'open",
            "<?php <<<",
            "<?php $a}}}",
            "<?php /*",
        ] {
            rw(s);
        }
    }
}
