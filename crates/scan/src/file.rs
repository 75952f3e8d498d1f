//! Scanning one file: read it through the host (bounded, never following a
//! symlink, never blocking), run the YARA rules with this thread's reused scanner
//! and the heuristics, add up the hits, and turn them into at most one finding.

use crate::Engine;
use crate::family::Family;
use crate::hashes::{self, KNOWN_GOOD_SET};
use crate::heuristics::{self, Heuristic, HeuristicHit, Kind, View, Words};
use crate::report::{self, Hit};
use crate::rules::Scope;
use crate::walk::AppTrees;
use crate::weights::WEIGHTS;
use breachkit_finding::{Finding, Warning};
use breachkit_host::{Content, Entry, Host};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// What scanning one file gave.
#[derive(Debug, Default)]
pub struct Scanned {
    pub finding: Option<Finding>,
    pub warnings: Vec<Warning>,
    /// Bytes scanned.
    pub bytes: u64,
    /// A finding was dropped because the file is in the known-good list.
    pub suppressed: bool,
}

/// One thread's scanner: yara-x scanners (one per rule scope, and one for the
/// user's rules) reused for every file, and buffers.
pub struct FileScanner<'e> {
    engine: &'e Engine,
    builtin: [yara_x::Scanner<'e>; 3],
    user: Option<yara_x::Scanner<'e>>,
    php: breachkit_php::Analyzer,
    hits: Vec<Hit<'e>>,
    heuristic_hits: Vec<HeuristicHit>,
    /// Which folders of temp and upload places are application roots.
    trees: AppTrees,
}

impl<'e> FileScanner<'e> {
    pub(crate) fn new(engine: &'e Engine) -> Self {
        let scanner = |rules| {
            let mut yara = yara_x::Scanner::new(rules);
            yara.set_timeout(engine.options.timeout);
            // The first match of each pattern is all a finding shows.
            yara.fast_scan(true);
            yara.use_mmap(false);
            yara
        };
        FileScanner {
            engine,
            builtin: engine.rules.builtin.each_ref().map(scanner),
            user: engine.rules.user.as_ref().map(scanner),
            php: breachkit_php::Analyzer::new(),
            hits: Vec::new(),
            heuristic_hits: Vec::new(),
            trees: AppTrees::default(),
        }
    }

    /// Reads a file found by a walk and scans it. A file that vanished is skipped
    /// silently; one that cannot be read, is cut at the size cap or changed while
    /// read gives a warning.
    pub fn scan_entry(&mut self, host: &Host, entry: &Entry) -> Scanned {
        self.scan_found(host, &entry.real)
    }

    /// [`FileScanner::scan_entry`] for a file a directory walk found at `real` (a
    /// path on this machine under the host's root).
    pub fn scan_found(&mut self, host: &Host, real: &Path) -> Scanned {
        let max = self.engine.options.max_size;
        match host.read_found(real, max) {
            Ok(content) => {
                let places = &self.engine.options.places;
                let app = self.trees.path_in_app(host, places, real);
                self.scan_content_in(&host.display(real), &content, app.as_deref())
            }
            Err(e) if e.is_not_found() => Scanned::default(),
            Err(e) => Scanned {
                warnings: vec![e.warning()],
                ..Scanned::default()
            },
        }
    }

    /// Scans what was read of a file at `path` (a host path, escaped). Nothing is
    /// known of its surroundings: in a temp or upload folder it is judged loose.
    pub fn scan_content(&mut self, path: &str, content: &Content) -> Scanned {
        self.scan_content_in(path, content, None)
    }

    /// `app`: the file's path below the root of the application tree it belongs to
    /// in a temp or upload folder (see `AppTrees`).
    fn scan_content_in(&mut self, path: &str, content: &Content, app: Option<&str>) -> Scanned {
        let max = self.engine.options.max_size;
        let mut warnings = Vec::new();
        let read = content.bytes.len() as u64;
        if content.truncated && read >= max {
            warnings.push(Warning::new(
                path,
                format!(
                    "file is {} bytes; only the first {} MiB were scanned",
                    content.meta.len(),
                    max >> 20
                ),
            ));
        } else if content.truncated {
            warnings.push(Warning::new(
                path,
                format!(
                    "file shrank while it was read ({} bytes expected, {read} read); scanned what was read",
                    content.meta.len()
                ),
            ));
        }
        let mut scanned = self.scan_bytes_in(
            path,
            &content.bytes,
            content.meta.mtime(),
            content.meta.ctime(),
            app,
        );
        warnings.append(&mut scanned.warnings);
        scanned.warnings = warnings;
        scanned
    }

    /// Scans bytes as the file at `path` with the given times. Nothing is known of
    /// its surroundings: in a temp or upload folder it is judged loose.
    pub fn scan_bytes(&mut self, path: &str, bytes: &[u8], mtime: i64, ctime: i64) -> Scanned {
        self.scan_bytes_in(path, bytes, mtime, ctime, None)
    }

    fn scan_bytes_in(
        &mut self,
        path: &str,
        bytes: &[u8],
        mtime: i64,
        ctime: i64,
        app: Option<&str>,
    ) -> Scanned {
        let mut scanned = Scanned {
            bytes: bytes.len() as u64,
            ..Scanned::default()
        };
        self.hits.clear();
        self.heuristic_hits.clear();
        let kind = Kind::of(path, bytes);
        let scope = Scope::of(path, kind, bytes);
        let words = self
            .run_yara(path, bytes, scope, &mut scanned.warnings)
            .unwrap_or_else(|| Words::native(bytes));
        // Rules match in no set order; among equally strong hits the first decides
        // the family: webshell before loader before dropper, as Family lists them.
        self.hits.sort_by_key(|h| (h.family, h.name));
        let view = View {
            path,
            bytes,
            kind,
            mtime,
            ctime,
            places: &self.engine.options.places,
            app_path: app,
            words: &words,
        };
        heuristics::run(&view, &mut self.heuristic_hits);
        let mut paths = Vec::new();
        // PHP files, and images that carry PHP code.
        let in_image = self
            .heuristic_hits
            .iter()
            .any(|h| h.heuristic == Heuristic::PhpInImage);
        let php_inside = kind == Kind::Php || in_image;
        if php_inside
            && scope == Scope::Php
            && heuristics::worth_a_look(
                &words,
                bytes.len(),
                report::score(&self.hits) + self.native_score(),
            )
        {
            let outcome = heuristics::analyse_php(
                &mut self.php,
                &self.engine.options.php,
                path,
                bytes,
                in_image,
                &mut |h| self.heuristic_hits.push(h),
            );
            if let Some(cut) = outcome.cut {
                scanned.warnings.push(Warning::new(
                    path,
                    format!(
                        "the PHP analysis did not see the whole file ({cut}); judged by the rules and what it saw"
                    ),
                ));
            }
            paths = outcome.paths;
        }
        for h in &self.heuristic_hits {
            let w = WEIGHTS.of(h.heuristic);
            self.hits.push(Hit {
                name: h.heuristic.id(),
                score: w.score,
                family: h.family.unwrap_or(w.family),
                description: w.description,
                offset: h.offset,
                path: paths
                    .iter()
                    .find(|(k, _)| *k == h.heuristic)
                    .map(|(_, p)| p.clone()),
            });
        }
        let needs_hash = !self.engine.known_bad.is_empty()
            || (self.engine.options.known_good
                && report::score(&self.hits) >= WEIGHTS.report_floor());
        let hash = needs_hash.then(|| hashes::sha256(bytes));
        if let Some(name) = hash.as_ref().and_then(|h| self.engine.known_bad.get(h)) {
            self.hits.push(Hit {
                name: "known-bad-hash",
                score: 1000,
                family: Family::KnownBad,
                description: "",
                offset: None,
                path: None,
            });
            let mut f = report::finding(path, bytes, kind, &self.hits, hash.as_ref());
            f = f.note(format!("The hash list names it {:?}.", name));
            scanned.finding = Some(f);
            return scanned;
        }
        if report::score(&self.hits) < WEIGHTS.report_floor() {
            return scanned;
        }
        if self.engine.options.known_good
            && hash.as_ref().is_some_and(|h| KNOWN_GOOD_SET.contains(h))
        {
            scanned.suppressed = true;
            return scanned;
        }
        scanned.finding = Some(report::finding(
            path,
            bytes,
            kind,
            &self.hits,
            hash.as_ref(),
        ));
        scanned
    }

    /// What the native heuristics found so far adds to the score (timestomping
    /// aside: every file a package installed has that shape).
    fn native_score(&self) -> u32 {
        self.heuristic_hits
            .iter()
            .filter(|h| h.heuristic != Heuristic::Timestomp)
            .map(|h| WEIGHTS.of(h.heuristic).score)
            .sum()
    }

    /// Adds the hits of the built-in rules of the file's scope and of the user's
    /// rules; returns the heuristics' words, or `None` when the built-in rules did
    /// not finish.
    fn run_yara(
        &mut self,
        path: &str,
        bytes: &[u8],
        scope: Scope,
        warnings: &mut Vec<Warning>,
    ) -> Option<Words> {
        let timeout = self.engine.options.timeout;
        let mut words = Words::default();
        let builtin = &mut self.builtin[scope as usize];
        let finished = match builtin.scan(bytes) {
            Ok(results) => {
                add_hits(&results, &mut self.hits, &mut words);
                true
            }
            Err(e) => {
                warnings.push(yara_failed(path, &e, timeout, true));
                false
            }
        };
        if let Some(user) = &mut self.user {
            match user.scan(bytes) {
                Ok(results) => add_hits(&results, &mut self.hits, &mut words),
                Err(e) => warnings.push(yara_failed(path, &e, timeout, false)),
            }
        }
        finished.then_some(words)
    }
}

/// The hits of the rules that matched, and the words their private rules found.
fn add_hits<'r>(results: &yara_x::ScanResults<'_, 'r>, hits: &mut Vec<Hit<'r>>, words: &mut Words) {
    for rule in results.matching_rules().include_private(true) {
        if rule.is_private() {
            if crate::rules::is_words_rule(&rule) {
                words.add_yara(&rule);
            } else if heuristics::is_look_rule(rule.identifier()) {
                words.hidden = true;
            }
            continue;
        }
        let meta = crate::rules::meta(&rule);
        let offset = rule
            .patterns()
            .filter_map(|p| p.matches().next().map(|m| m.range().start))
            .min();
        hits.push(Hit {
            name: rule.identifier(),
            score: meta.score,
            family: meta.family,
            description: meta.description.unwrap_or(""),
            offset,
            path: None,
        });
    }
}

/// `builtin`: the built-in rules failed (the heuristics judge alone), not the user's.
fn yara_failed(
    path: &str,
    e: &yara_x::ScanError,
    timeout: std::time::Duration,
    builtin: bool,
) -> Warning {
    let rules = if builtin { "built-in" } else { "user" };
    let after = if builtin {
        "; only the heuristics judged this file"
    } else {
        ""
    };
    match e {
        yara_x::ScanError::Timeout => Warning::new(
            path,
            format!(
                "YARA gave up on the {rules} rules after {} s{after}",
                timeout.as_secs()
            ),
        ),
        e => Warning::new(
            path,
            format!("YARA scan with the {rules} rules failed: {e}{after}"),
        ),
    }
}
