//! Streaming one log file line by line, plain or gzip, in bounded memory: a line is
//! kept up to [`MAX_LINE`] bytes (the rest is skipped, the line marked cut), a gzip
//! archive is decompressed as it is read and never past a size bound, and damage
//! (a truncated archive, a read error, a file that shrank while it was read) ends
//! the file with a problem saying where, after every line before it was given.

use breachkit_host::{Host, HostError, Line};
use flate2::bufread::MultiGzDecoder;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The longest line kept; the rest of a longer line is skipped.
pub const MAX_LINE: usize = 64 << 10;

/// The read buffer of one file.
const BUFFER: usize = 256 << 10;

/// A gzip archive is decompressed to at most this many times its own size (logs
/// compress 5–30 times; a decompression bomb a thousand times), and never less
/// than [`MIN_GZIP_BOUND`].
const GZIP_RATIO: u64 = 200;
const MIN_GZIP_BOUND: u64 = 1 << 30;

/// Reads lines from a plain or gzip log.
pub struct LogReader {
    inner: Box<dyn BufRead + Send>,
    /// The open file (for `fstat` at the end), when reading a file.
    file: Option<File>,
    /// Bytes taken from the file so far.
    consumed: Arc<AtomicU64>,
    gzip: bool,
    buf: Vec<u8>,
    number: u64,
    problem: Option<String>,
    done: bool,
}

impl LogReader {
    /// Opens a host file (never following a final symlink, never a FIFO).
    pub fn open(host: &Host, host_path: &Path) -> Result<LogReader, HostError> {
        let (file, _meta) = host.open(host_path)?;
        LogReader::from_file(file).map_err(|e| {
            HostError::new(
                breachkit_finding::escape_path(host_path),
                breachkit_host::HostErrorKind::Io(e),
            )
        })
    }

    /// Reads an open file; gzip is recognised by its magic bytes, not its name.
    pub fn from_file(file: File) -> io::Result<LogReader> {
        let stat = file.try_clone()?;
        let consumed = Arc::new(AtomicU64::new(0));
        let (inner, gzip) = decoded(file, Arc::clone(&consumed))?;
        Ok(LogReader {
            inner,
            file: Some(stat),
            consumed,
            gzip,
            buf: Vec::new(),
            number: 0,
            problem: None,
            done: false,
        })
    }

    /// Reads any stream of lines (the output of `journalctl`).
    pub fn from_stream(stream: impl Read + Send + 'static) -> LogReader {
        LogReader {
            inner: Box::new(BufReader::with_capacity(BUFFER, stream)),
            file: None,
            consumed: Arc::new(AtomicU64::new(0)),
            gzip: false,
            buf: Vec::new(),
            number: 0,
            problem: None,
            done: false,
        }
    }

    pub fn is_gzip(&self) -> bool {
        self.gzip
    }

    /// Lines read so far.
    pub fn lines_read(&self) -> u64 {
        self.number
    }

    /// What went wrong, if the file could not be read to its end.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// The next line (without its newline and a trailing `\r`), or `None` at the end
    /// or at damage (see [`LogReader::problem`]).
    pub fn next_line(&mut self) -> Option<Line<'_>> {
        if self.done {
            return None;
        }
        self.buf.clear();
        let mut cut = false;
        let mut any = false;
        loop {
            let chunk = match self.inner.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.fail(e);
                    break;
                }
            };
            if chunk.is_empty() {
                self.finish();
                break;
            }
            any = true;
            let (part, used, end) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (chunk.get(..i).unwrap_or(chunk), i + 1, true),
                None => (chunk, chunk.len(), false),
            };
            let room = MAX_LINE.saturating_sub(self.buf.len());
            if part.len() > room {
                cut = true;
            }
            self.buf.extend_from_slice(part.get(..room).unwrap_or(part));
            self.inner.consume(used);
            if end {
                break;
            }
        }
        if !any {
            return None;
        }
        self.number += 1;
        let mut bytes = &self.buf[..];
        if !cut && let Some(stripped) = bytes.strip_suffix(b"\r") {
            bytes = stripped;
        }
        Some(Line {
            number: self.number,
            bytes,
            cut,
        })
    }

    fn fail(&mut self, e: io::Error) {
        self.done = true;
        self.problem = Some(describe(self.gzip, &e, self.number));
    }

    /// Device and inode of the file being read.
    pub fn id(&self) -> Option<(u64, u64)> {
        use std::os::unix::fs::MetadataExt;
        let meta = self.file.as_ref()?.metadata().ok()?;
        Some((meta.dev(), meta.ino()))
    }

    /// At the end of a plain file: a file that is now shorter than what was read was
    /// truncated while being read (logrotate's copytruncate).
    fn finish(&mut self) {
        self.done = true;
        if self.gzip {
            return;
        }
        let now = self.file.as_ref().and_then(|f| f.metadata().ok());
        let read = self.consumed.load(Ordering::Relaxed);
        if let Some(meta) = now
            && meta.len() < read
        {
            self.problem = Some(format!(
                "the file shrank from {read} to {} bytes while it was read (rotated with copytruncate?); lines written after line {} may be missing",
                meta.len(),
                self.number
            ));
        }
    }
}

/// A file's content as a buffered stream: decompressed when it is gzip (told by its
/// magic bytes), bounded against decompression bombs. `consumed` counts the bytes
/// taken from the file. True when it is gzip.
pub(crate) fn decoded(
    file: File,
    consumed: Arc<AtomicU64>,
) -> io::Result<(Box<dyn BufRead + Send>, bool)> {
    let size = file.metadata()?.len();
    let mut raw = BufReader::with_capacity(
        BUFFER,
        Counting {
            inner: file,
            count: consumed,
        },
    );
    if !raw.fill_buf()?.starts_with(&[0x1f, 0x8b]) {
        return Ok((Box::new(raw), false));
    }
    let bound = size.saturating_mul(GZIP_RATIO).max(MIN_GZIP_BOUND);
    let stream = Bounded {
        inner: MultiGzDecoder::new(raw),
        left: bound,
        bound,
    };
    Ok((Box::new(BufReader::with_capacity(BUFFER, stream)), true))
}

/// What a read error means, for a warning: where it stopped and what is lost.
pub(crate) fn describe(gzip: bool, e: &io::Error, lines: u64) -> String {
    let after = match lines {
        0 => "before the first line".to_string(),
        n => format!("after line {n}"),
    };
    if !gzip {
        return format!("read error {after}: {e}; the rest is not read");
    }
    match e.kind() {
        io::ErrorKind::UnexpectedEof => {
            format!("truncated gzip archive: read up to the damage, {after}; the rest is lost")
        }
        io::ErrorKind::FileTooLarge => format!("{e}; stopped {after}"),
        _ => format!("damaged gzip data {after}: {e}; the rest is not read"),
    }
}

/// Counts the bytes read from the file.
struct Counting {
    inner: File,
    count: Arc<AtomicU64>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Stops a decompressor past a bound, with an error saying so.
struct Bounded<R> {
    inner: R,
    left: u64,
    bound: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!(
                    "gzip archive decompresses to more than {} bytes (a decompression bomb?)",
                    self.bound
                ),
            ));
        }
        let limit = usize::try_from(self.left).unwrap_or(usize::MAX);
        let n = match buf.split_at_mut_checked(limit) {
            Some((head, _)) => self.inner.read(head)?,
            None => self.inner.read(buf)?,
        };
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn all_lines(r: &mut LogReader) -> Vec<(u64, Vec<u8>, bool)> {
        let mut out = Vec::new();
        while let Some(l) = r.next_line() {
            out.push((l.number, l.bytes.to_vec(), l.cut));
        }
        out
    }

    fn file_with(bytes: &[u8]) -> (tempfile::TempDir, File) {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("log");
        std::fs::write(&p, bytes).unwrap();
        let f = File::open(&p).unwrap();
        (t, f)
    }

    #[test]
    fn plain_and_gzip_read_the_same_lines() {
        let text = b"one\r\ntwo\n\nfour";
        let (_t, f) = file_with(text);
        let mut plain = LogReader::from_file(f).unwrap();
        let a = all_lines(&mut plain);
        let (_t2, f2) = file_with(&gz(text));
        let mut zipped = LogReader::from_file(f2).unwrap();
        assert!(zipped.is_gzip());
        assert_eq!(a, all_lines(&mut zipped));
        assert_eq!(a.len(), 4);
        assert_eq!(a[0].1, b"one");
        assert_eq!(a[3], (4, b"four".to_vec(), false));
        assert!(plain.problem().is_none() && zipped.problem().is_none());
    }

    #[test]
    fn truncated_gzip_is_read_up_to_the_damage() {
        let text: String = (0..20_000)
            .map(|i| format!("line {i} {}\n", i * 7919))
            .collect();
        let full = gz(text.as_bytes());
        let (_t, f) = file_with(&full[..full.len() / 2]);
        let mut r = LogReader::from_file(f).unwrap();
        let lines = all_lines(&mut r);
        assert!(
            lines.len() > 1000 && lines.len() < 20_000,
            "{}",
            lines.len()
        );
        // Every line given is a whole, correct line.
        for (n, bytes, _) in &lines[..lines.len() - 1] {
            assert_eq!(
                String::from_utf8_lossy(bytes),
                format!("line {} {}", n - 1, (n - 1) * 7919)
            );
        }
        let p = r.problem().unwrap();
        assert!(p.contains("truncated gzip"), "{p}");
    }

    #[test]
    fn a_huge_line_is_cut_in_bounded_memory() {
        let mut data = b"before\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 3 * MAX_LINE));
        data.extend(b"\nafter\n");
        let (_t, f) = file_with(&data);
        let mut r = LogReader::from_file(f).unwrap();
        let lines = all_lines(&mut r);
        assert_eq!(lines.len(), 3);
        assert!(lines[1].2 && lines[1].1.len() == MAX_LINE);
        assert_eq!(lines[2], (3, b"after".to_vec(), false));
        assert!(r.buf.capacity() <= 2 * MAX_LINE);
    }

    #[test]
    fn rotation_while_reading_keeps_the_open_file_and_truncation_is_reported() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("auth.log");
        let text: String = (0..100_000).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&p, &text).unwrap();
        let mut r = LogReader::from_file(File::open(&p).unwrap()).unwrap();
        assert!(r.next_line().is_some());
        // logrotate renames the file and a new one is started.
        std::fs::rename(&p, t.path().join("auth.log.1")).unwrap();
        std::fs::write(&p, "new file\n").unwrap();
        let rest = all_lines(&mut r);
        assert_eq!(rest.len(), 99_999);
        assert!(r.problem().is_none());

        // copytruncate: the file is emptied under the reader.
        let q = t.path().join("mail.log");
        std::fs::write(&q, &text).unwrap();
        let mut r = LogReader::from_file(File::open(&q).unwrap()).unwrap();
        assert!(r.next_line().is_some());
        File::options()
            .write(true)
            .open(&q)
            .unwrap()
            .set_len(0)
            .unwrap();
        let _ = all_lines(&mut r);
        assert!(r.problem().unwrap().contains("shrank"), "{:?}", r.problem());
    }
}
