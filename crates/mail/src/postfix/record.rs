//! Postfix's typed records, as its `record(3)` and `rec_type.h` describe them: one
//! type byte, the data length in 7-bit groups (lowest group first, the high bit set
//! while more follow), then the data. Reading follows pointer records (`p`, edits
//! patched in after the end marker) with Postfix's own limit on backward jumps, and
//! skips padding (`w`). Nothing here trusts the file: lengths are bounded, a pointer
//! outside the file or a jump loop is an error, and a file cut short says where.

use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};

/// Record types (`rec_type.h`).
pub(crate) mod kind {
    pub const SIZE: u8 = b'C';
    pub const TIME: u8 = b'T';
    pub const FROM: u8 = b'S';
    pub const RCPT: u8 = b'R';
    pub const ATTR: u8 = b'A';
    pub const MESG: u8 = b'M';
    pub const CONT: u8 = b'L';
    pub const NORM: u8 = b'N';
    pub const XTRA: u8 = b'X';
    pub const END: u8 = b'E';
    pub(super) const PTR: u8 = b'p';
    pub(super) const DTXT: u8 = b'w';
}

/// The longest record accepted. Postfix's own lines are at most `line_length_limit`
/// (2048) bytes; envelope records hold one address or attribute each.
const MAX_RECORD: usize = 1 << 20;
/// Postfix's limit on pointer jumps back to an earlier offset (`REVERSE_JUMP_LIMIT`).
const REVERSE_JUMP_LIMIT: u32 = 10_000;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    #[error("cut short at byte {0} (the file ends inside a record)")]
    Truncated(u64),
    #[error("record at byte {offset} claims {len} bytes, more than a queue file record can hold")]
    TooLong { offset: u64, len: u64 },
    #[error("record at byte {0} has a malformed length")]
    BadLength(u64),
    #[error("pointer record at byte {0} is malformed or points outside the file")]
    BadPointer(u64),
    #[error("pointer records loop (more than {REVERSE_JUMP_LIMIT} jumps back)")]
    PointerLoop,
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// Reads records in Postfix's order (pointers followed, padding skipped).
pub(crate) struct Records<R> {
    inner: BufReader<R>,
    pos: u64,
    file_len: u64,
    reverse_jumps: u32,
    last_jump: u64,
}

impl<R: Read + Seek> Records<R> {
    pub fn new(inner: R, file_len: u64) -> Self {
        Records {
            inner: BufReader::with_capacity(16 << 10, inner),
            pos: 0,
            file_len,
            reverse_jumps: 0,
            last_jump: 0,
        }
    }

    /// The next record's type and data (into `buf`), or `None` at the end of the file.
    pub fn next(&mut self, buf: &mut Vec<u8>) -> Result<Option<u8>, RecordError> {
        loop {
            let Some((kind, len, start)) = self.header()? else {
                return Ok(None);
            };
            match kind {
                kind::DTXT => self.skip(len)?,
                kind::PTR => {
                    self.data(len, buf)?;
                    self.jump(buf, start)?;
                }
                _ => {
                    self.data(len, buf)?;
                    return Ok(Some(kind));
                }
            }
        }
    }

    /// Like [`Records::next`] but drops the data unread (message bodies).
    pub fn skip_next(&mut self, buf: &mut Vec<u8>) -> Result<Option<u8>, RecordError> {
        loop {
            let Some((kind, len, start)) = self.header()? else {
                return Ok(None);
            };
            match kind {
                kind::PTR => {
                    self.data(len, buf)?;
                    self.jump(buf, start)?;
                }
                _ => {
                    self.skip(len)?;
                    if kind != kind::DTXT {
                        return Ok(Some(kind));
                    }
                }
            }
        }
    }

    /// Moves to a byte offset (the extracted segment, found from the size record).
    pub fn seek(&mut self, offset: u64) -> Result<(), RecordError> {
        if offset > self.file_len {
            return Err(RecordError::Truncated(self.file_len));
        }
        self.inner.seek(SeekFrom::Start(offset))?;
        self.pos = offset;
        Ok(())
    }

    /// Type, data length and offset of the next record; `None` at a clean end.
    fn header(&mut self) -> Result<Option<(u8, u64, u64)>, RecordError> {
        let start = self.pos;
        let Some(kind) = self.byte()? else {
            return Ok(None);
        };
        let mut len: u64 = 0;
        let mut shift = 0u32;
        loop {
            if shift >= 32 {
                return Err(RecordError::BadLength(start));
            }
            let b = self.byte()?.ok_or(RecordError::Truncated(self.pos))?;
            len |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
        }
        if len > MAX_RECORD as u64 {
            return Err(RecordError::TooLong { offset: start, len });
        }
        Ok(Some((kind, len, start)))
    }

    fn byte(&mut self) -> io::Result<Option<u8>> {
        let b = match self.inner.fill_buf()?.first() {
            Some(b) => *b,
            None => return Ok(None),
        };
        self.inner.consume(1);
        self.pos += 1;
        Ok(Some(b))
    }

    fn data(&mut self, len: u64, buf: &mut Vec<u8>) -> Result<(), RecordError> {
        buf.clear();
        let got = (&mut self.inner).take(len).read_to_end(buf)? as u64;
        self.pos += got;
        if got < len {
            return Err(RecordError::Truncated(self.pos));
        }
        Ok(())
    }

    fn skip(&mut self, len: u64) -> Result<(), RecordError> {
        if self.pos + len > self.file_len {
            return Err(RecordError::Truncated(self.file_len));
        }
        self.inner.seek_relative(len as i64)?;
        self.pos += len;
        Ok(())
    }

    /// Follows a pointer record whose data is in `buf`; offset 0 is a placeholder.
    fn jump(&mut self, buf: &[u8], at: u64) -> Result<(), RecordError> {
        let text = std::str::from_utf8(buf).map_err(|_| RecordError::BadPointer(at))?;
        let offset: u64 = text
            .trim()
            .parse()
            .map_err(|_| RecordError::BadPointer(at))?;
        if offset == 0 {
            return Ok(());
        }
        if offset <= self.last_jump {
            self.reverse_jumps += 1;
            if self.reverse_jumps > REVERSE_JUMP_LIMIT {
                return Err(RecordError::PointerLoop);
            }
        }
        self.last_jump = offset;
        self.seek(offset).map_err(|_| RecordError::BadPointer(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use breachkit_testkit::mailqueue::postfix_record as rec;
    use std::io::Cursor;

    fn all(bytes: &[u8]) -> Result<Vec<(u8, Vec<u8>)>, RecordError> {
        let mut r = Records::new(Cursor::new(bytes), bytes.len() as u64);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(k) = r.next(&mut buf)? {
            out.push((k, buf.clone()));
            if k == kind::END {
                break;
            }
        }
        Ok(out)
    }

    #[test]
    fn lengths_pointers_and_padding() {
        let long = vec![b'x'; 300];
        let mut f = rec(b'S', b"a@b");
        f.extend(rec(b'N', &long));
        f.extend(rec(b'w', b"      "));
        // A pointer to the record after the end marker, which points back.
        let ptr_at = f.len();
        f.extend(rec(b'p', b"            000"));
        let back = f.len();
        f.extend(rec(b'E', b""));
        let target = f.len();
        f.extend(rec(b'R', b"c@d"));
        f.extend(rec(b'p', format!("{back:15}").as_bytes()));
        let patched = format!("{target:15}");
        let mut fixed = f[..ptr_at].to_vec();
        fixed.extend(rec(b'p', patched.as_bytes()));
        fixed.extend_from_slice(&f[ptr_at + 2 + 15..]);
        let got = all(&fixed).unwrap();
        let kinds: Vec<u8> = got.iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, b"SNRE");
        assert_eq!(got[1].1.len(), 300);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        assert!(matches!(all(b"S\x05ab"), Err(RecordError::Truncated(_))));
        assert!(matches!(
            all(b"S\xff\xff\xff\xff\x7f"),
            Err(RecordError::TooLong { .. }) | Err(RecordError::BadLength(_))
        ));
        assert!(matches!(
            all(&rec(b'p', b"99999")),
            Err(RecordError::BadPointer(_))
        ));
        // A pointer to itself loops.
        let f = rec(b'p', b"1");
        let mut looped = rec(b'S', b"");
        looped.extend(rec(b'p', b"2"));
        assert!(all(&looped).is_err());
        assert!(all(&f).is_err());
    }
}
