//! The scan engine: the compiled rules, the hash lists and the limits, built once
//! and shared (read-only) by every scanning thread.

use crate::ScanError;
use crate::file::FileScanner;
use crate::hashes::KnownBad;
use crate::rules::RuleSets;
use std::path::PathBuf;
use std::time::Duration;

/// How the caller classifies host paths (the detect crate's `paths` module), so the
/// scanner judges places the way every other check does.
#[derive(Debug, Clone, Copy)]
pub struct Places {
    /// Inside a world-writable temp directory.
    pub is_temp: fn(&str) -> bool,
    /// Inside a web application's upload directory.
    pub in_uploads: fn(&str) -> bool,
}

#[derive(Debug, Clone)]
pub struct Options {
    /// User YARA rule files or directories.
    pub rules: Vec<PathBuf>,
    /// User known-bad hash lists.
    pub hashes: Vec<PathBuf>,
    /// Only the first `max_size` bytes of a file are scanned.
    pub max_size: u64,
    /// YARA gives up on one file after this long (the heuristics still run).
    pub timeout: Duration,
    /// Drop findings on files whose hash is in the built-in known-good list.
    pub known_good: bool,
    pub places: Places,
    /// How far the PHP analysis (the second stage) goes on one file.
    pub php: breachkit_php::Limits,
}

impl Options {
    /// The defaults: built-in rules only, 32 MiB per file, 10 s per file,
    /// known-good suppression on.
    pub fn new(places: Places) -> Options {
        Options {
            rules: Vec::new(),
            hashes: Vec::new(),
            max_size: 32 << 20,
            timeout: Duration::from_secs(10),
            known_good: true,
            places,
            php: breachkit_php::Limits::default(),
        }
    }
}

/// Compiled rules, hash lists and limits.
pub struct Engine {
    pub(crate) rules: RuleSets,
    pub(crate) known_bad: KnownBad,
    pub(crate) options: Options,
}

impl Engine {
    pub fn new(options: Options) -> Result<Engine, ScanError> {
        let rules = crate::rules::compile(&options.rules)?;
        let known_bad = KnownBad::load(&options.hashes)?;
        Ok(Engine {
            rules,
            known_bad,
            options,
        })
    }

    /// A scanner for one thread; reuse it for every file that thread scans.
    pub fn scanner(&self) -> FileScanner<'_> {
        FileScanner::new(self)
    }

    pub fn options(&self) -> &Options {
        &self.options
    }
}
