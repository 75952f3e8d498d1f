//! One Postfix queue file: the envelope segment (size record, arrival time, sender,
//! recipients, attributes), the message content (only its header block is kept; the
//! body is skipped using the offsets in the size record, so a 50 MB message costs no
//! more than a small one), and the extracted segment (recipients taken from the
//! headers by `sendmail -t`), up to the end marker.

use super::record::{RecordError, Records, kind};
use crate::headers::MAX_HEADER_BLOCK;
use std::io::{Read, Seek};

/// What a queue file holds.
#[derive(Debug, Default)]
pub(crate) struct QueueFile {
    pub arrival: Option<i64>,
    /// The message size from the size record (absent in `maildrop` files).
    pub size: Option<u64>,
    pub sender: String,
    /// Recipients still to be delivered.
    pub recipients: Vec<String>,
    /// The SMTP client's address, for mail that came in over SMTP.
    pub client_address: Option<String>,
    /// `rewrite_context=local`: submitted on this host (sendmail/postdrop).
    pub local_submission: bool,
    /// The header block, `\n` line ends, up to the blank line.
    pub header_block: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueueFileError {
    #[error("not a Postfix queue file (it starts with byte 0x{0:02x}, not a queue file record)")]
    NotAQueueFile(u8),
    #[error("empty file")]
    Empty,
    #[error("no end marker: the file is incomplete")]
    NoEnd,
    #[error("{0}")]
    Record(#[from] RecordError),
}

/// Record types that may start a queue file: the size record (queue files written by
/// cleanup) or the envelope records postdrop writes into `maildrop`.
const FIRST: &[u8] = b"CTcFASR";

pub(crate) fn read<R: Read + Seek>(mut inner: R, len: u64) -> Result<QueueFile, QueueFileError> {
    let mut first_byte = [0u8; 1];
    if inner.read(&mut first_byte).map_err(RecordError::Io)? == 0 {
        return Err(QueueFileError::Empty);
    }
    if !FIRST.contains(&first_byte[0]) {
        return Err(QueueFileError::NotAQueueFile(first_byte[0]));
    }
    inner.rewind().map_err(RecordError::Io)?;
    let mut r = Records::new(inner, len);
    let mut buf = Vec::with_capacity(256);
    let mut q = QueueFile::default();
    let mut body_at: Option<(u64, u64)> = None;
    // Envelope segment.
    loop {
        let Some(k) = r.next(&mut buf)? else {
            return Err(QueueFileError::NoEnd);
        };
        match k {
            kind::SIZE => {
                let n = numbers(&buf);
                // Fields: content bytes, data offset, recipients, flags, message size.
                if let (Some(&content), Some(&offset)) = (n.first(), n.get(1)) {
                    body_at = Some((offset, content));
                }
                q.size = n.get(4).copied().filter(|s| *s > 0).or(n.first().copied());
            }
            kind::TIME => q.arrival = numbers(&buf).first().map(|t| *t as i64),
            kind::FROM => q.sender = breachkit_finding::escape_bytes(&buf),
            kind::RCPT => q.recipients.push(breachkit_finding::escape_bytes(&buf)),
            kind::ATTR => attribute(&buf, &mut q),
            kind::MESG => break,
            kind::END => return Ok(q),
            _ => {}
        }
    }
    // Content: the header block, then skip the body.
    let mut line_open = false;
    let mut in_headers = true;
    loop {
        let next = if in_headers {
            r.next(&mut buf)?
        } else {
            r.skip_next(&mut buf)?
        };
        let Some(k) = next else {
            return Err(QueueFileError::NoEnd);
        };
        match k {
            kind::NORM | kind::CONT if in_headers => {
                if k == kind::NORM && !line_open && buf.is_empty() {
                    in_headers = false;
                    if let Some((offset, content)) = body_at {
                        // Both numbers are the file's word: a sum past `u64::MAX`
                        // is past the end of the file, not an overflow.
                        r.seek(offset.saturating_add(content))?;
                    }
                    continue;
                }
                if q.header_block.len() + buf.len() < MAX_HEADER_BLOCK {
                    q.header_block.extend_from_slice(&buf);
                    if k == kind::NORM {
                        q.header_block.push(b'\n');
                    }
                }
                line_open = k == kind::CONT;
            }
            kind::XTRA => break,
            kind::END => return Ok(q),
            _ => {}
        }
    }
    // Extracted segment.
    loop {
        let Some(k) = r.next(&mut buf)? else {
            return Err(QueueFileError::NoEnd);
        };
        match k {
            kind::RCPT => q.recipients.push(breachkit_finding::escape_bytes(&buf)),
            kind::END => return Ok(q),
            _ => {}
        }
    }
}

fn attribute(data: &[u8], q: &mut QueueFile) {
    let text = String::from_utf8_lossy(data);
    let Some((name, value)) = text.split_once('=') else {
        return;
    };
    match name {
        "rewrite_context" => q.local_submission = value == "local",
        "client_address" | "log_client_address" if q.client_address.is_none() => {
            q.client_address = Some(breachkit_finding::escape_bytes(value.as_bytes()));
        }
        _ => {}
    }
}

fn numbers(data: &[u8]) -> Vec<u64> {
    String::from_utf8_lossy(data)
        .split_whitespace()
        .map_while(|n| n.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use breachkit_testkit::mailqueue::{PostfixMessage, postfix_queue_file, postfix_record};
    use std::io::Cursor;

    fn queue_file(sender: &str, rcpts: &[&str], headers: &[&str], body: &[&str]) -> Vec<u8> {
        postfix_queue_file(&PostfixMessage {
            arrival: 1795546165,
            sender: sender.to_string(),
            recipients: rcpts.iter().map(|r| r.to_string()).collect(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            body: body.join("\n"),
            local: true,
        })
    }

    #[test]
    fn envelope_headers_and_extracted() {
        let mut f = queue_file(
            "www-data@web01.example.com",
            &["a@example.org", "b@example.net"],
            &["Subject: hi", "From: x@example.com"],
            &["body line"; 50],
        );
        // Recipients `sendmail -t` took from the headers follow the content.
        let end = f.len() - 2;
        f.splice(end..end, postfix_record(b'R', b"c@example.com"));
        let q = read(Cursor::new(&f), f.len() as u64).unwrap();
        assert_eq!(q.arrival, Some(1795546165));
        assert_eq!(q.sender, "www-data@web01.example.com");
        assert_eq!(
            q.recipients,
            ["a@example.org", "b@example.net", "c@example.com"]
        );
        assert!(q.local_submission);
        assert_eq!(q.header_block, b"Subject: hi\nFrom: x@example.com\n");
        assert_eq!(q.size, Some(12 + 20 + 1 + 50 * 10));
    }

    #[test]
    fn cut_and_foreign_files_are_errors() {
        let f = queue_file("s@x.example", &["r@y.example"], &["Subject: a"], &["b"]);
        for cut in [1, 10, f.len() / 2, f.len() - 1] {
            assert!(
                read(Cursor::new(&f[..cut]), cut as u64).is_err(),
                "cut at {cut}"
            );
        }
        assert!(matches!(
            read(Cursor::new(b"<?php echo 1;"), 13),
            Err(QueueFileError::NotAQueueFile(b'<'))
        ));
        assert!(matches!(
            read(Cursor::new(b""), 0),
            Err(QueueFileError::Empty)
        ));
    }

    /// Issue 18: the size record's content length and data offset are the file's
    /// word; their sum overflowed (a panic in debug builds) near `u64::MAX`.
    #[test]
    fn a_size_record_past_u64_is_an_error() {
        let max = u64::MAX;
        let mut f = postfix_record(b'C', format!("{max} {max} 1 0 10").as_bytes());
        f.extend(postfix_record(b'S', b"s@x.example"));
        f.extend(postfix_record(b'M', b""));
        f.extend(postfix_record(b'N', b"Subject: a"));
        f.extend(postfix_record(b'N', b""));
        f.extend(postfix_record(b'N', b"body"));
        f.extend(postfix_record(b'E', b""));
        assert!(matches!(
            read(Cursor::new(&f), f.len() as u64),
            Err(QueueFileError::Record(RecordError::Truncated(_)))
        ));
    }
}
