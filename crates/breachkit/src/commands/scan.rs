//! `breachkit scan PATH…`: the content scanner on chosen files and directories of
//! the running system or of an offline copy (`--root`), with the user's extra rules
//! and hash lists; same output formats and exit codes as `check`, and a progress
//! bar (files, bytes, hits) on a terminal. The run is recorded in the case.

use crate::Exit;
use crate::commands::record::{Outcome, Recorder, Unwritable};
use crate::config::{Config, ScanConfig};
use crate::failures::{self, Failures};
use crate::print;
use anyhow::Context as _;
use breachkit_finding::{CheckStatus, Report, escape_path};
use breachkit_host::Host;
use breachkit_scan::{Engine, Options, Progress, Stats, Tree, scan_tree};
use indicatif::ProgressStyle;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub fn run(config: &Config, scan: &ScanConfig, failures: &mut Failures) -> anyhow::Result<Exit> {
    let host = match &scan.root {
        Some(dir) => Host::image(dir)
            .with_context(|| format!("cannot use {} as the root", escape_path(dir)))?,
        None => Host::live(),
    };
    let roots = scan_roots(&host, &scan.paths)?;
    let recorder = Recorder::open(config, &host, Unwritable::Warn)?;
    let mut options = Options::new(breachkit_detect::files::PLACES);
    options.rules = scan.rules.clone();
    options.hashes = scan.hashes.clone();
    options.max_size = scan.max_size;
    options.known_good = scan.known_good;
    // Compiling the rules starts threads: a bug there costs the scan, which is then
    // reported as incomplete (bad user rules are an error, as before).
    let engine = match failures.source("loading the scan rules", || Engine::new(options)) {
        Ok(engine) => Ok(engine.context("cannot load the scan rules")?),
        Err(warning) => Err(warning),
    };
    let tree = Tree {
        host: &host,
        roots,
        threads: scan.threads,
    };
    let progress = Progress::default();
    let bar = print::progress(config, 0, "scanning");
    if !bar.is_hidden()
        && let Ok(style) = ProgressStyle::with_template("{prefix} {spinner} {elapsed} {msg}")
    {
        bar.set_style(style);
    }
    let done = std::sync::atomic::AtomicBool::new(false);
    let (findings, warnings, stats) = std::thread::scope(|s| {
        // Only a visible bar needs the ticker; a failed spawn (no threads left)
        // costs the bar's updates, not the scan (`s.spawn` would panic).
        let ticker = (!bar.is_hidden())
            .then(|| {
                std::thread::Builder::new().spawn_scoped(s, || {
                    while !done.load(Ordering::Relaxed) && !bar.is_hidden() {
                        bar.set_message(format!(
                            "{} files, {}, {} hits",
                            progress.files.load(Ordering::Relaxed),
                            mib(progress.bytes.load(Ordering::Relaxed)),
                            progress.hits.load(Ordering::Relaxed)
                        ));
                        bar.tick();
                        std::thread::sleep(Duration::from_millis(100));
                    }
                })
            })
            .and_then(Result::ok);
        // The scanner contains each file and its threads; this catches a bug around them.
        let out = match &engine {
            Ok(engine) => failures
                .source("scanning", || scan_tree(engine, &tree, &progress))
                .unwrap_or_else(|w| (Vec::new(), vec![w], Stats::default())),
            Err(warning) => (Vec::new(), vec![warning.clone()], Stats::default()),
        };
        done.store(true, Ordering::Relaxed);
        if let Some(ticker) = ticker {
            let _ = ticker.join();
        }
        out
    });
    bar.finish_and_clear();
    let mut report = Report {
        findings,
        warnings,
        checks: vec![CheckStatus {
            name: "scan".to_string(),
            skipped: None,
            millis: stats.millis,
        }],
        failed: failures.missing(),
    };
    report.sort();
    let recorded = recorder.record(
        config,
        &mut report,
        Outcome::verdict([
            ("files", stats.files),
            ("bytes", stats.bytes),
            ("known_good", stats.suppressed),
        ]),
    );
    let mut title = format!(
        "breachkit scan: {} files, {} in {:.1} s",
        stats.files,
        mib(stats.bytes),
        stats.millis as f64 / 1000.0
    );
    if stats.suppressed > 0 {
        title.push_str(&format!(
            "; {} known-good package files not reported",
            stats.suppressed
        ));
    }
    let header = print::Header {
        title,
        root: escape_path(host.root()),
        live: host.is_live(),
        case: recorded,
        incomplete: Vec::new(),
    };
    print::report(config, &header, &report, scan.min_severity)?;
    Ok(failures::exit_of(&report, scan.min_severity))
}

/// The host paths to scan. On the live system relative paths are taken from the
/// working directory (symlinks in them resolved: the user named them); inside
/// `--root` a path must be absolute and is resolved within the copy.
fn scan_roots(host: &Host, paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut roots = Vec::new();
    for p in paths {
        let cannot = || format!("cannot scan {}", escape_path(p));
        if host.is_live() {
            roots.push(p.canonicalize().with_context(cannot)?);
            continue;
        }
        if !p.is_absolute() {
            anyhow::bail!(
                "{}: with --root, give paths as the host sees them (/var/www…)",
                cannot()
            );
        }
        std::fs::symlink_metadata(host.resolve(p))
            .with_context(|| format!("{}: not found in {}", cannot(), escape_path(host.root())))?;
        roots.push(p.clone());
    }
    Ok(roots)
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
}
