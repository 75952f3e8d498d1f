//! Splitting file bytes into lines without trusting them: any bytes, any length.

/// One line of a file: 1-based number, its bytes (without the newline, cut to the
/// maximum length) and whether it was cut.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    pub number: u64,
    pub bytes: &'a [u8],
    pub cut: bool,
}

impl Line<'_> {
    /// The line as text, invalid UTF-8 replaced (for matching, not for display).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.bytes)
    }
}

/// The lines of `bytes`, each cut to `max_len` bytes. A trailing `\r` is dropped.
pub fn lines(bytes: &[u8], max_len: usize) -> impl Iterator<Item = Line<'_>> {
    let mut rest = bytes;
    let mut number = 0;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        number += 1;
        let (mut line, next) =
            match memchr::memchr(b'\n', rest).and_then(|i| rest.split_at_checked(i)) {
                Some((line, newline_on)) => (line, newline_on.get(1..).unwrap_or_default()),
                None => (rest, &[][..]),
            };
        rest = next;
        if let Some(stripped) = line.strip_suffix(b"\r") {
            line = stripped;
        }
        let cut = line.len() > max_len;
        Some(Line {
            number,
            bytes: line.get(..max_len).unwrap_or(line),
            cut,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_numbered_and_cut() {
        let all: Vec<_> = lines(b"a\r\nbbbbbb\n\nc", 3).collect();
        assert_eq!(all.len(), 4);
        assert_eq!(all[0].bytes, b"a");
        assert_eq!((all[1].bytes, all[1].cut), (&b"bbb"[..], true));
        assert_eq!(all[2].bytes, b"");
        assert_eq!((all[3].number, all[3].bytes), (4, &b"c"[..]));
    }
}
