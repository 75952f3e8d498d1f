//! Hashing the packaged files: md5 (what dpkg records) of each file, streamed in
//! bounded pieces, on as many threads as there are cores. A file is opened as
//! every host file is (no final symlink followed, no FIFO or device opened, no
//! atime change); what is there instead of a regular file is said, never hashed.

use breachkit_finding::escape_path;
use breachkit_host::{Host, HostErrorKind};
use md5::{Digest, Md5};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The largest file hashed; a larger one is not verified (no packaged file is
/// near it, and hashing it would take minutes).
const MAX_HASHED: u64 = 4 << 30;
/// The most threads used: hashing is bound by the disk beyond a few.
const MAX_THREADS: usize = 8;

/// One file to verify.
#[derive(Debug)]
pub(super) struct Item {
    pub package: String,
    /// The host path as the package lists it.
    pub listed: Vec<u8>,
    /// The host path where it lives (another one when a diversion moved it).
    pub real: Vec<u8>,
    pub md5: [u8; 16],
    pub conffile: bool,
    /// A `path-exclude` kept it from being unpacked: its absence is normal.
    pub excluded: bool,
}

/// What is at an item's place.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Seen {
    /// A regular file with the package's md5.
    Same,
    /// A regular file with this other md5.
    Differs([u8; 16]),
    Missing,
    /// A symbolic link (not followed) to this target, escaped.
    Link(String),
    /// A directory, FIFO, socket or device.
    Special(&'static str),
    /// Could not be read: why.
    Unreadable(String),
}

/// What is at each item's place, in the items' order.
pub(super) fn hash_all(host: &Host, items: &[Item]) -> Vec<Seen> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, MAX_THREADS);
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, Seen)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (1..threads)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .spawn_scoped(scope, || worker(host, items, &next))
                    .ok()
            })
            .collect();
        // This thread works too: alone when no other could be had (a host at its
        // process limit).
        let mut all = worker(host, items, &next);
        for w in workers {
            match w.join() {
                Ok(done) => all.extend(done),
                // A bug met on some file: the whole check reports the failure.
                Err(payload) => std::panic::resume_unwind(payload),
            }
        }
        all
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, s)| s).collect()
}

/// Takes the next item until none is left; gives what it saw, by item index.
fn worker(host: &Host, items: &[Item], next: &AtomicUsize) -> Vec<(usize, Seen)> {
    let mut done = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(item) = items.get(i) else { break };
        done.push((i, seen(host, item, &mut buf)));
    }
    done
}

/// What is at `item`'s place.
fn seen(host: &Host, item: &Item, buf: &mut [u8]) -> Seen {
    let path = Path::new(std::ffi::OsStr::from_bytes(&item.real));
    let (file, meta) = match host.open(path) {
        Ok(open) => open,
        Err(e) => {
            return match e.kind {
                HostErrorKind::Symlink => {
                    let target = std::fs::read_link(host.locate(path)).unwrap_or_default();
                    Seen::Link(escape_path(&target))
                }
                HostErrorKind::NotRegular(kind) => Seen::Special(kind),
                HostErrorKind::Io(io)
                    if io.kind() == std::io::ErrorKind::NotFound
                        || io.raw_os_error() == Some(nix::libc::ENOTDIR) =>
                {
                    Seen::Missing
                }
                other => Seen::Unreadable(other.to_string()),
            };
        }
    };
    if meta.len() > MAX_HASHED {
        return Seen::Unreadable(format!(
            "{} bytes, more than the {} hashed",
            meta.len(),
            MAX_HASHED
        ));
    }
    let mut md5 = Md5::new();
    let mut reader = file.take(MAX_HASHED);
    loop {
        match reader.read(buf) {
            Ok(0) => break,
            Ok(n) => md5.update(buf.get(..n).unwrap_or_default()),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Seen::Unreadable(e.to_string()),
        }
    }
    let actual: [u8; 16] = md5.finalize().into();
    if actual == item.md5 {
        Seen::Same
    } else {
        Seen::Differs(actual)
    }
}
