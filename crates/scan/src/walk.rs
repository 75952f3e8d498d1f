//! Walking directory trees of the host and scanning every regular file in
//! parallel: one walker thread streams file paths in batches through a bounded
//! channel to N scanning threads, each owning its [`FileScanner`]. Nothing is
//! filtered (hidden, root-owned and ignored-by-git files are scanned), symlinks are
//! never followed, FIFOs, sockets and devices are skipped without being opened, and
//! memory stays bounded however large the tree or a single directory is.

use crate::{Engine, Scanned};
use breachkit_finding::{Finding, Warning};
use breachkit_host::{Host, HostError, HostErrorKind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Instant;

/// Files handed to a scanning thread at once.
const BATCH: usize = 64;
/// Batches waiting at most (bounds memory on huge trees).
const QUEUE: usize = 64;

/// What to scan: directories or files of a host, as host paths.
pub struct Tree<'a> {
    pub host: &'a Host,
    pub roots: Vec<PathBuf>,
    /// Scanning threads (at least one).
    pub threads: usize,
}

/// Live counters for a progress bar; read them from another thread.
#[derive(Debug, Default)]
pub struct Progress {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
    pub hits: AtomicU64,
}

/// Totals of one scan.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stats {
    pub files: u64,
    pub bytes: u64,
    pub findings: u64,
    /// Findings dropped because the file is in the known-good list.
    pub suppressed: u64,
    /// FIFOs, sockets and devices, skipped without being opened.
    pub special: u64,
    /// Symbolic links, not followed.
    pub symlinks: u64,
    pub millis: u64,
}

/// Scans every regular file under the roots; returns the findings, the warnings
/// about what could not be read, and the totals.
pub fn scan_tree(
    engine: &Engine,
    tree: &Tree,
    progress: &Progress,
) -> (Vec<Finding>, Vec<Warning>, Stats) {
    let started = Instant::now();
    let host = tree.host;
    let roots = distinct_roots(host, &tree.roots);
    let (tx, rx) = sync_channel::<Vec<PathBuf>>(QUEUE);
    let rx = Mutex::new(rx);
    let threads = tree.threads.max(1);
    let (mut findings, mut warnings, mut stats) = std::thread::scope(|s| {
        let walker = s.spawn(|| walk(host, &roots, tx));
        let workers: Vec<_> = (0..threads)
            .map(|_| s.spawn(|| work(engine, host, &rx, progress)))
            .collect();
        let mut findings = Vec::new();
        let mut warnings = Vec::new();
        let mut stats = Stats::default();
        for w in workers {
            match w.join() {
                Ok((f, w, st)) => {
                    findings.extend(f);
                    warnings.extend(w);
                    stats.files += st.files;
                    stats.bytes += st.bytes;
                    stats.suppressed += st.suppressed;
                }
                Err(_) => warnings.push(Warning {
                    path: None,
                    message: "a scanning thread failed internally; some files were not scanned"
                        .into(),
                }),
            }
        }
        match walker.join() {
            Ok((w, special, symlinks)) => {
                warnings.extend(w);
                stats.special = special;
                stats.symlinks = symlinks;
            }
            Err(_) => warnings.push(Warning {
                path: None,
                message: "the directory walker failed internally; some files were not scanned"
                    .into(),
            }),
        }
        (findings, warnings, stats)
    });
    findings.sort_by(|a, b| a.path.cmp(&b.path));
    warnings.sort_by(|a, b| a.path.cmp(&b.path));
    stats.findings = findings.len() as u64;
    stats.millis = started.elapsed().as_millis() as u64;
    (findings, warnings, stats)
}

/// The roots resolved inside the host, missing ones and ones inside another dropped.
fn distinct_roots(host: &Host, roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut real: Vec<PathBuf> = roots
        .iter()
        .map(|r| host.resolve(r))
        .filter(|r| std::fs::symlink_metadata(r).is_ok())
        .collect();
    real.sort();
    real.dedup();
    let all = real.clone();
    real.retain(|p| !all.iter().any(|o| o != p && p.starts_with(o)));
    real
}

/// The walker: sends batches of real paths of regular files; returns its warnings
/// and how many special files and symlinks it passed by.
fn walk(host: &Host, roots: &[PathBuf], tx: SyncSender<Vec<PathBuf>>) -> (Vec<Warning>, u64, u64) {
    let mut warnings = Vec::new();
    let (mut special, mut symlinks) = (0, 0);
    let mut batch = Vec::with_capacity(BATCH);
    for root in roots {
        let walker = walkdir::WalkDir::new(root)
            .follow_links(false)
            .follow_root_links(false);
        for item in walker {
            let entry = match item {
                Ok(e) => e,
                Err(err) => {
                    let path = err.path().map_or_else(|| root.clone(), Path::to_path_buf);
                    let kind = match err.into_io_error() {
                        Some(io) if io.kind() == std::io::ErrorKind::NotFound => continue,
                        Some(io) => HostErrorKind::Io(io),
                        None => HostErrorKind::SymlinkLoop,
                    };
                    warnings.push(HostError::new(host.display(&path), kind).warning());
                    continue;
                }
            };
            let ft = entry.file_type();
            if ft.is_file() {
                batch.push(entry.into_path());
                if batch.len() == BATCH
                    && tx
                        .send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                        .is_err()
                {
                    return (warnings, special, symlinks);
                }
            } else if ft.is_symlink() {
                symlinks += 1;
            } else if !ft.is_dir() {
                special += 1;
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(batch);
    }
    (warnings, special, symlinks)
}

/// A scanning thread: its own scanner, its own findings.
fn work(
    engine: &Engine,
    host: &Host,
    rx: &Mutex<Receiver<Vec<PathBuf>>>,
    progress: &Progress,
) -> (Vec<Finding>, Vec<Warning>, Stats) {
    let mut scanner = engine.scanner();
    let mut findings = Vec::new();
    let mut warnings = Vec::new();
    let mut stats = Stats::default();
    loop {
        let batch = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => break,
        };
        let Ok(batch) = batch else { break };
        for real in batch {
            let scanned = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                scanner.scan_found(host, &real)
            })) {
                Ok(scanned) => scanned,
                Err(_) => {
                    // A bug met on one file costs that file, not the thread.
                    scanner = engine.scanner();
                    Scanned {
                        warnings: vec![Warning::new(
                            host.display(&real),
                            "the scanner failed internally on this file; it was not judged",
                        )],
                        ..Scanned::default()
                    }
                }
            };
            stats.files += 1;
            stats.bytes += scanned.bytes;
            stats.suppressed += u64::from(scanned.suppressed);
            progress.files.fetch_add(1, Ordering::Relaxed);
            progress.bytes.fetch_add(scanned.bytes, Ordering::Relaxed);
            warnings.extend(scanned.warnings);
            if let Some(f) = scanned.finding {
                progress.hits.fetch_add(1, Ordering::Relaxed);
                findings.push(f);
            }
        }
    }
    (findings, warnings, stats)
}
