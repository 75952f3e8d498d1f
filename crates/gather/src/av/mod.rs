//! The antivirus job of `gather`: every regular file of the chosen host paths
//! (the whole filesystem but `/proc`, `/sys`, `/dev` and `/run` by default) judged
//! by two engines side by side — breachkit's own scanner (`breachkit-scan`, as
//! `breachkit scan` runs it) and the ClamAV daemon ([`clamd`]: the open file handed
//! over with FILDES on a Unix socket, streamed with INSTREAM over TCP) — and written
//! into the bundle as `av/report.json`.
//!
//! A verdict is never "clean" unless the engine saw the whole file and said so: a
//! file that could not be read, was cut at a size limit, timed out, or got an error
//! or an answer breachkit does not understand is an `error` or `cut` with the
//! reason. A clamd that cannot be reached when it was asked for (or that stops
//! answering during the run) makes every file's clamd verdict an error, a warning,
//! and a failed section in [`AvReport::failed`]; the caller marks the run incomplete.
//!
//! [`run`] walks (never following a symlink, skipping FIFOs, sockets and
//! devices unopened), scans on worker threads each owning its scanner, and hands
//! every file's result to the caller's callback on the calling thread (stream them
//! to a file: memory stays flat); the report keeps only the files where an engine
//! found something, failed, or the two disagree.

pub mod clamd;
pub mod config;
mod job;
mod verdict;

pub use clamd::{Answer, Clamd, ClamdAddr, ClamdError};
pub use config::{CLAMD_CONFIGS, ClamdConfig};
pub use job::run;
pub use verdict::{AV_DETECTION, Counts, EngineState, FileResult, Verdict};

use breachkit_finding::{Finding, Warning};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

/// Host directories the default scan of `/` leaves out: kernel and runtime state.
pub const DEFAULT_EXCLUDES: &[&str] = &["/proc", "/sys", "/dev", "/run"];

/// Which clamd to ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClamdChoice {
    /// The one clamd's configuration file names (the first of `configs` that
    /// exists); not used when there is none.
    Auto { configs: Vec<PathBuf> },
    /// This address (an error per file when it does not answer).
    At(ClamdAddr),
    /// Only breachkit's engine.
    Off,
}

/// How the job runs.
#[derive(Debug, Clone)]
pub struct AvOptions {
    /// Host paths to scan; empty: the whole filesystem (`/`).
    pub paths: Vec<PathBuf>,
    /// Host paths not walked (see [`DEFAULT_EXCLUDES`]).
    pub exclude: Vec<PathBuf>,
    pub clamd: ClamdChoice,
    /// Deadline of one request to clamd (connect, send, answer).
    pub clamd_timeout: Duration,
    /// clamd's `StreamMaxLength` and `MaxFileSize` when known better than its
    /// configuration file says; with [`ClamdChoice::At`] no file is read, and
    /// without these [`config::DEFAULT_LIMIT`] is assumed (a larger file is cut).
    pub clamd_stream_max: Option<u64>,
    pub clamd_max_file: Option<u64>,
    /// Scanning threads (each asks clamd for its files too).
    pub threads: usize,
    /// breachkit's own engine.
    pub scan: breachkit_scan::Options,
}

impl AvOptions {
    /// The whole filesystem, clamd from its configuration file, one thread per
    /// core: each thread holds a scanner (its rules, and a PHP syntax tree of up
    /// to about 80 MB while it analyses a file), so threads beyond the cores add
    /// memory, not speed (measured: 4 threads on 2 cores peaked at 437 MB).
    pub fn new() -> AvOptions {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        AvOptions {
            paths: Vec::new(),
            exclude: DEFAULT_EXCLUDES.iter().map(PathBuf::from).collect(),
            clamd: ClamdChoice::Auto {
                configs: config::default_configs(),
            },
            clamd_timeout: Duration::from_secs(120),
            clamd_stream_max: None,
            clamd_max_file: None,
            threads: cores,
            scan: breachkit_scan::Options::new(breachkit_detect::files::PLACES),
        }
    }
}

impl Default for AvOptions {
    fn default() -> Self {
        AvOptions::new()
    }
}

/// What the job found: `av/report.json` in the bundle.
#[derive(Debug, Clone, Serialize)]
pub struct AvReport {
    /// The host paths scanned (escaped).
    pub roots: Vec<String>,
    /// breachkit's own engine.
    pub own: EngineState,
    pub clamd: EngineState,
    pub counts: Counts,
    /// Every file an engine found something in or could not judge whole (a file
    /// both call clean is only counted, and so is one only an engine that was down
    /// failed on: [`AvReport::failed`] says why once).
    pub files: Vec<FileResult>,
    /// The host paths where one engine found something and the other called the
    /// file clean.
    pub disagree: Vec<String>,
    /// The own engine's findings, and `gather.av-detection` for each file clamd
    /// flags that breachkit's engine did not.
    pub findings: Vec<Finding>,
    /// Directories that could not be walked, an engine that could not be used.
    pub warnings: Vec<Warning>,
    /// The parts that failed (the run is incomplete): `av: clamd …`.
    pub failed: Vec<String>,
    pub millis: u64,
}
