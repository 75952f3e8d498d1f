//! `breachkit logs check | timeline | grep`: the logs of the live host or an image
//! (the standard places plus `--log PATH`), turned into findings, a timeline, or
//! the lines holding trigger words. Every run is recorded in the case: `check` and
//! `timeline` with their findings and verdict, `grep` with its counts (matches are
//! not findings: no verdict).

use crate::Exit;
use crate::commands::record::{Outcome, Recorder, Unwritable};
use crate::config::{Config, LogsAction, LogsConfig};
use crate::failures::{self, Failures};
use crate::print;
use anyhow::Context as _;
use breachkit_finding::{CheckStatus, Report, Severity, Warning, escape_path};
use breachkit_host::Host;
use breachkit_logs::{Analysis, Family, GrepStats, Options, Thresholds, Words};
use std::path::PathBuf;
use std::time::Instant;

pub fn run(config: &Config, logs: &LogsConfig, failures: &mut Failures) -> anyhow::Result<Exit> {
    let host = match &logs.root {
        Some(root) => Host::image(root).context("cannot read this image (--root)")?,
        None => Host::live(),
    };
    let recorder = Recorder::open(config, &host, Unwritable::Warn)?;
    let mut warnings = Vec::new();
    let families = failures
        .source("finding the logs", || {
            families(&host, &logs.logs, &mut warnings)
        })
        .unwrap_or_else(|w| {
            warnings.push(w);
            Vec::new()
        });
    match &logs.action {
        LogsAction::Check { min_severity } => {
            let options = options(&host, logs, failures, &mut warnings)?;
            let sources = Sources {
                host: &host,
                families: &families,
                warnings,
            };
            check(config, sources, &options, *min_severity, recorder, failures)
        }
        LogsAction::Timeline { csv } => {
            let options = options(&host, logs, failures, &mut warnings)?;
            // The timeline's findings are the log rules': the case keeps them and
            // their verdict, as for `logs check`.
            let (mut report, analysis) = judged(&host, &families, &options, failures, warnings);
            recorder.record(
                config,
                &mut report,
                Outcome::verdict([
                    ("logs", analysis.files as u64),
                    ("lines", analysis.lines),
                    ("events", analysis.timeline.len() as u64),
                ]),
            );
            let warnings = report.warnings;
            match csv {
                Some(layout) => {
                    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                    breachkit_logs::write_csv(&mut out, &analysis.timeline, *layout)?;
                    std::io::Write::flush(&mut out)?;
                    print::logs::warnings(config, &warnings)?;
                }
                None => print::logs::timeline(
                    config,
                    &analysis.timeline,
                    &warnings,
                    &failures.missing(),
                )?,
            }
            Ok(Exit::Clean)
        }
        LogsAction::Grep {
            word_files,
            words,
            case_sensitive,
        } => {
            let search = Search {
                word_files,
                words,
                case_sensitive: *case_sensitive,
            };
            let sources = Sources {
                host: &host,
                families: &families,
                warnings,
            };
            grep(config, sources, &search, recorder, failures)
        }
    }
}

/// The standard logs and those given with `--log`.
fn families(host: &Host, given: &[PathBuf], warnings: &mut Vec<Warning>) -> Vec<Family> {
    let mut families = breachkit_logs::standard(host, warnings);
    for f in breachkit_logs::given(host, given, warnings) {
        if !families.iter().any(|g| g.base == f.base) {
            families.push(f);
        }
    }
    families
}

/// The logs read and judged, contained: a bug met in one log costs the analysis.
/// The logs analysed and their report (findings, warnings, the failures met); the
/// rest of the analysis (counts, timeline) beside it.
fn judged(
    host: &Host,
    families: &[Family],
    options: &Options,
    failures: &mut Failures,
    mut warnings: Vec<Warning>,
) -> (Report, Analysis) {
    let started = Instant::now();
    let mut analysis = analyse(host, families, options, failures);
    warnings.append(&mut analysis.warnings);
    let mut report = Report {
        findings: std::mem::take(&mut analysis.findings),
        warnings,
        checks: vec![status("logs", started)],
        failed: failures.missing(),
    };
    report.sort();
    (report, analysis)
}

fn analyse(
    host: &Host,
    families: &[Family],
    options: &Options,
    failures: &mut Failures,
) -> Analysis {
    failures
        .source("reading the logs", || {
            breachkit_logs::analyse(host, families, options)
        })
        .unwrap_or_else(|w| Analysis {
            warnings: vec![w],
            ..Analysis::default()
        })
}

/// The rules' options: the host's accounts and the thresholds (with `--thresholds`).
fn options(
    host: &Host,
    logs: &LogsConfig,
    failures: &mut Failures,
    warnings: &mut Vec<Warning>,
) -> anyhow::Result<Options> {
    let mut thresholds = Thresholds::default();
    if let Some(file) = &logs.thresholds {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read --thresholds {}", escape_path(file)))?;
        thresholds
            .apply(&text)
            .with_context(|| format!("bad thresholds in {}", escape_path(file)))?;
    }
    let facts = failures
        .source("reading the host's accounts", || {
            breachkit_logs::facts(host)
        })
        .unwrap_or_else(|w| {
            warnings.push(w);
            Default::default()
        });
    Ok(Options { thresholds, facts })
}

/// The logs found, and the warnings of finding them.
struct Sources<'a> {
    host: &'a Host,
    families: &'a [Family],
    warnings: Vec<Warning>,
}

/// What `logs grep` searches for.
struct Search<'a> {
    word_files: &'a [PathBuf],
    words: &'a [String],
    case_sensitive: bool,
}

fn check(
    config: &Config,
    sources: Sources,
    options: &Options,
    min_severity: Severity,
    recorder: Recorder,
    failures: &mut Failures,
) -> anyhow::Result<Exit> {
    let Sources {
        host,
        families,
        warnings,
    } = sources;
    let (mut report, analysis) = judged(host, families, options, failures, warnings);
    let recorded = recorder.record(
        config,
        &mut report,
        Outcome::verdict([("logs", analysis.files as u64), ("lines", analysis.lines)]),
    );
    let header = print::Header {
        title: format!(
            "breachkit logs check: {} logs, {} lines",
            analysis.files, analysis.lines
        ),
        root: escape_path(host.root()),
        live: host.is_live(),
        case: recorded,
        incomplete: Vec::new(),
    };
    print::report(config, &header, &report, min_severity)?;
    Ok(failures::exit_of(&report, min_severity))
}

fn grep(
    config: &Config,
    sources: Sources,
    search: &Search,
    recorder: Recorder,
    failures: &mut Failures,
) -> anyhow::Result<Exit> {
    let Sources {
        host,
        families,
        mut warnings,
    } = sources;
    let Search {
        word_files,
        words,
        case_sensitive,
    } = *search;
    let mut list: Vec<String> = words.to_vec();
    for file in word_files {
        let bytes = std::fs::read(file)
            .with_context(|| format!("cannot read --words {}", escape_path(file)))?;
        list.extend(breachkit_logs::words_from(&bytes));
    }
    if word_files.is_empty() && words.is_empty() {
        list = breachkit_logs::default_words();
    }
    let compiled = Words::new(&list, case_sensitive).context("cannot search for these words")?;
    let started = Instant::now();
    let printer = print::logs::GrepPrinter::new(config);
    let stats = failures
        .source("searching the logs", || {
            breachkit_logs::grep(host, families, &compiled, &|batch| printer.batch(batch))
        })
        .unwrap_or_else(|w| GrepStats {
            warnings: vec![w],
            ..GrepStats::default()
        });
    warnings.extend(stats.warnings);
    // Matches are not findings: the case keeps the counts, and no verdict.
    let mut report = Report {
        findings: Vec::new(),
        warnings,
        checks: vec![status("grep", started)],
        failed: failures.missing(),
    };
    recorder.record(
        config,
        &mut report,
        Outcome::no_verdict([
            ("logs", stats.files),
            ("bytes", stats.bytes),
            ("matches", stats.matches),
            ("words", list.len() as u64),
        ]),
    );
    printer.finish(
        config,
        (stats.files, stats.bytes, stats.matches),
        &report.warnings,
        &report.failed,
    )?;
    Ok(if stats.matches > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    })
}

/// The one "check" a logs run is, with its wall time.
fn status(name: &str, started: Instant) -> CheckStatus {
    CheckStatus {
        name: name.to_string(),
        skipped: None,
        millis: started.elapsed().as_millis() as u64,
    }
}
