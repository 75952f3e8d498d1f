//! Trigger-word search: many words at once with one Aho-Corasick automaton over
//! every log, rotated and gzipped ones and the journal included, files in parallel.
//! Each file is scanned in large blocks (not line by line): only where a word
//! matches is the line found and numbered. A line longer than the block is still
//! searched whole, in bounded memory, and shown cut.

use crate::journal::{Journal, Output};
use crate::parse::Format;
use crate::reader::{decoded, describe};
use crate::source::Family;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use breachkit_finding::{Warning, escape_bytes, escape_path};
use breachkit_host::Host;
use rayon::prelude::*;
use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

const DEFAULT_WORDS: &str = include_str!("../../../rules/logs/trigger-words.txt");
/// The block read and searched at once.
const BLOCK: usize = 1 << 20;
/// The most of a matching line shown.
const MAX_SHOWN: usize = 2048;
/// Matches handed to the caller at once.
const BATCH: usize = 1024;

/// The built-in trigger words (`rules/logs/trigger-words.txt`).
pub fn default_words() -> Vec<String> {
    DEFAULT_WORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// The words of a file given with `--words`: one a line, blank lines skipped.
pub fn words_from(text: &[u8]) -> Vec<String> {
    text.split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.is_empty())
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect()
}

/// The compiled words.
#[derive(Debug, Clone)]
pub struct Words {
    automaton: AhoCorasick,
    count: usize,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WordsError {
    #[error("no words to search for")]
    Empty,
    #[error("the words cannot be compiled: {0}")]
    Build(#[from] aho_corasick::BuildError),
}

impl Words {
    /// One automaton for all the words; ASCII case is ignored unless `case_sensitive`.
    pub fn new(words: &[String], case_sensitive: bool) -> Result<Words, WordsError> {
        if words.is_empty() {
            return Err(WordsError::Empty);
        }
        // A DFA with standard (earliest-match) semantics: only whether a line
        // matches is needed, and that is the fastest search.
        // Very many words make too big a DFA: then the automaton picks its own kind.
        let build = |kind| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(!case_sensitive)
                .match_kind(MatchKind::Standard)
                .kind(kind)
                .build(words)
        };
        let automaton = build(Some(AhoCorasickKind::DFA)).or_else(|_| build(None))?;
        Ok(Words {
            automaton,
            count: words.len(),
        })
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// One matching line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Match {
    /// Host path of the log (or the journal directory).
    pub path: String,
    pub line: u64,
    /// The line, lossless-escaped, cut to a bound.
    pub text: String,
    /// True when the line was longer than what is shown.
    pub cut: bool,
}

/// Totals of a search.
#[derive(Debug, Default)]
pub struct GrepStats {
    pub files: u64,
    pub bytes: u64,
    pub matches: u64,
    pub warnings: Vec<Warning>,
}

/// Searches every file of `families`; `emit` gets the matches of one file in
/// batches, in line order (files run in parallel, so batches of different files
/// interleave).
pub fn grep(
    host: &Host,
    families: &[Family],
    words: &Words,
    emit: &(dyn Fn(&[Match]) + Sync),
) -> GrepStats {
    enum Item<'a> {
        File(&'a std::path::Path),
        Journal(&'a std::path::Path),
    }
    let items: Vec<Item> = families
        .iter()
        .flat_map(|f| -> Vec<Item> {
            if f.format == Format::Journal {
                vec![Item::Journal(&f.base)]
            } else {
                f.files.iter().map(|x| Item::File(&x.host)).collect()
            }
        })
        .collect();
    let bytes = AtomicU64::new(0);
    let matches = AtomicU64::new(0);
    let outcomes: Vec<Option<Warning>> = items
        .par_iter()
        .map(|item| {
            let (path, result) = match item {
                Item::File(p) => (*p, search_file(host, p, words, emit, &bytes, &matches)),
                Item::Journal(p) => (*p, search_journal(host, p, words, emit, &bytes, &matches)),
            };
            result.err().map(|msg| Warning::new(escape_path(path), msg))
        })
        .collect();
    GrepStats {
        files: items.len() as u64,
        bytes: bytes.into_inner(),
        matches: matches.into_inner(),
        warnings: outcomes.into_iter().flatten().collect(),
    }
}

fn search_file(
    host: &Host,
    path: &std::path::Path,
    words: &Words,
    emit: &(dyn Fn(&[Match]) + Sync),
    bytes: &AtomicU64,
    matches: &AtomicU64,
) -> Result<(), String> {
    let (file, _) = host.open(path).map_err(|e| e.kind.to_string())?;
    let (stream, gzip) = decoded(file, Arc::new(AtomicU64::new(0))).map_err(|e| e.to_string())?;
    let shown: Arc<str> = Arc::from(escape_path(path).as_str());
    scan(stream, words, &shown, emit, bytes, matches)
        .map_err(|(e, lines)| describe(gzip, &e, lines))
}

fn search_journal(
    host: &Host,
    dir: &std::path::Path,
    words: &Words,
    emit: &(dyn Fn(&[Match]) + Sync),
    bytes: &AtomicU64,
    matches: &AtomicU64,
) -> Result<(), String> {
    let mut journal = Journal::open(&host.resolve(dir), Output::Text).map_err(|e| e.to_string())?;
    let output = journal.output.take().ok_or("journalctl gave no output")?;
    let shown: Arc<str> = Arc::from(escape_path(dir).as_str());
    scan(output, words, &shown, emit, bytes, matches)
        .map_err(|(e, lines)| describe(false, &e, lines))?;
    match journal.finish() {
        Some(problem) => Err(problem),
        None => Ok(()),
    }
}

/// The line being read when it outgrew the block.
struct Long {
    number: u64,
    head: Vec<u8>,
    matched: bool,
}

/// Batches matches for `emit`.
struct Out<'a> {
    path: &'a Arc<str>,
    batch: Vec<Match>,
    emit: &'a (dyn Fn(&[Match]) + Sync),
    count: u64,
}

impl Out<'_> {
    fn push(&mut self, line: u64, bytes: &[u8], cut: bool) {
        let shown = bytes.get(..MAX_SHOWN).unwrap_or(bytes);
        let shown = shown.strip_suffix(b"\r").unwrap_or(shown);
        self.batch.push(Match {
            path: self.path.to_string(),
            line,
            text: escape_bytes(shown),
            cut: cut || bytes.len() > MAX_SHOWN,
        });
        self.count += 1;
        if self.batch.len() >= BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if !self.batch.is_empty() {
            (self.emit)(&self.batch);
            self.batch.clear();
        }
    }
}

fn count_lines(b: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', b).count() as u64
}

/// `buf[from..to]`. `scan` keeps `start <= end <= buf.len()` and derives every other
/// position between them, so the range is always in bounds; were it not, the part
/// is empty (a line missed, not a panic).
fn span(buf: &[u8], from: usize, to: usize) -> &[u8] {
    buf.get(from..to).unwrap_or_default()
}

/// Scans a stream block by block. On a read error, gives it with the lines read.
fn scan(
    mut r: impl Read,
    words: &Words,
    path: &Arc<str>,
    emit: &(dyn Fn(&[Match]) + Sync),
    bytes: &AtomicU64,
    matches: &AtomicU64,
) -> Result<(), (io::Error, u64)> {
    let ac = &words.automaton;
    let mut out = Out {
        path,
        batch: Vec::new(),
        emit,
        count: 0,
    };
    let mut buf = vec![0u8; BLOCK];
    let (mut start, mut end) = (0usize, 0usize);
    let mut line_no: u64 = 1;
    let mut long: Option<Long> = None;
    let mut total: u64 = 0;
    let result = loop {
        if end == buf.len() {
            if start > 0 {
                buf.copy_within(start..end, 0);
                end -= start;
                start = 0;
            } else {
                // One line fills the block: search it, keep its head to show and
                // enough of its end that a word across the cut is still found.
                let l = long.get_or_insert_with(|| Long {
                    number: line_no,
                    head: span(&buf, 0, MAX_SHOWN.min(end)).to_vec(),
                    matched: false,
                });
                l.matched = l.matched || ac.is_match(span(&buf, 0, end));
                let keep = 256.min(end);
                buf.copy_within(end - keep..end, 0);
                end = keep;
            }
        }
        let n = match r.read(buf.get_mut(end..).unwrap_or_default()) {
            Ok(0) => break Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => break Err(e),
        };
        total += n as u64;
        end += n;
        let Some(last) = memchr::memrchr(b'\n', span(&buf, start, end)) else {
            continue;
        };
        let region_end = start + last + 1;
        if let Some(l) = long.take() {
            let nl = start + memchr::memchr(b'\n', span(&buf, start, region_end)).unwrap_or(last);
            if l.matched || ac.is_match(span(&buf, start, nl)) {
                out.push(l.number, &l.head, true);
            }
            line_no += 1;
            start = nl + 1;
        }
        let mut pos = start;
        while let Some(m) = ac.find(span(&buf, pos, region_end)) {
            let at = pos + m.start();
            let ls = memchr::memrchr(b'\n', span(&buf, pos, at)).map_or(pos, |i| pos + i + 1);
            line_no += count_lines(span(&buf, pos, ls));
            let le =
                memchr::memchr(b'\n', span(&buf, at, region_end)).map_or(region_end, |i| at + i);
            out.push(line_no, span(&buf, ls, le), false);
            line_no += 1;
            pos = (le + 1).min(region_end);
        }
        line_no += count_lines(span(&buf, pos, region_end));
        start = region_end;
    };
    // The last line, without a newline.
    match long.take() {
        Some(l) if l.matched || ac.is_match(span(&buf, start, end)) => {
            out.push(l.number, &l.head, true);
        }
        Some(_) => {}
        None if start < end && ac.is_match(span(&buf, start, end)) => {
            out.push(line_no, span(&buf, start, end), false);
        }
        None => {}
    }
    out.flush();
    bytes.fetch_add(total, Ordering::Relaxed);
    matches.fetch_add(out.count, Ordering::Relaxed);
    result.map_err(|e| (e, line_no.saturating_sub(1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn run(data: &[u8], words: &[&str]) -> Vec<(u64, String, bool)> {
        let words = Words::new(
            &words.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
            false,
        )
        .unwrap();
        let found = Mutex::new(Vec::new());
        let path: Arc<str> = Arc::from("/x");
        let (b, m) = (AtomicU64::new(0), AtomicU64::new(0));
        scan(
            data,
            &words,
            &path,
            &|ms: &[Match]| {
                found
                    .lock()
                    .unwrap()
                    .extend(ms.iter().map(|m| (m.line, m.text.clone(), m.cut)))
            },
            &b,
            &m,
        )
        .unwrap();
        found.into_inner().unwrap()
    }

    #[test]
    fn numbers_lines_and_finds_each_line_once() {
        let got = run(
            b"a\nxmrig and XMRIG\nb\nc webshell\nlast WebShell",
            &["xmrig", "webshell"],
        );
        assert_eq!(
            got,
            [
                (2, "xmrig and XMRIG".to_string(), false),
                (4, "c webshell".to_string(), false),
                (5, "last WebShell".to_string(), false)
            ]
        );
    }

    #[test]
    fn lines_across_blocks_and_huge_lines() {
        let mut data = Vec::new();
        for i in 0..200_000 {
            data.extend(format!("line {i} ordinary text here\n").as_bytes());
        }
        data.extend(b"the word kinsing is here\n");
        // A 3-block line with the word near its end, across no newline.
        data.extend(std::iter::repeat_n(b'x', 3 * BLOCK));
        data.extend(b" kinsing\nafter\xff kinsing\n");
        let got = run(&data, &["kinsing"]);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].0, 200_001);
        assert_eq!(
            (got[1].0, got[1].2, got[1].1.len()),
            (200_002, true, MAX_SHOWN)
        );
        assert_eq!(got[2], (200_003, "after\\xff kinsing".to_string(), false));
    }

    #[test]
    fn word_lists() {
        assert!(default_words().len() >= 90);
        assert_eq!(words_from(b"a\r\n\nb c\n"), ["a", "b c"]);
        assert!(Words::new(&[], false).is_err());
    }
}
