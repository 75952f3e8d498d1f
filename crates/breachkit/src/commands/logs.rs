//! `breachkit logs check | timeline | grep`: the logs of the live host or an image
//! (the standard places plus `--log PATH`), turned into findings, a timeline, or
//! the lines holding trigger words.

use crate::Exit;
use crate::config::{Config, LogsAction, LogsConfig};
use crate::print;
use anyhow::Context as _;
use breachkit_finding::{CheckStatus, Report, Severity, Warning, escape_path};
use breachkit_host::Host;
use breachkit_logs::{Family, Options, Thresholds, Words};
use std::time::Instant;

pub fn run(config: &Config, logs: &LogsConfig) -> anyhow::Result<Exit> {
    let host = match &logs.root {
        Some(root) => Host::image(root).context("cannot read this image (--root)")?,
        None => Host::live(),
    };
    let mut warnings = Vec::new();
    let mut families = breachkit_logs::standard(&host, &mut warnings);
    for f in breachkit_logs::given(&host, &logs.logs, &mut warnings) {
        if !families.iter().any(|g| g.base == f.base) {
            families.push(f);
        }
    }
    match &logs.action {
        LogsAction::Check { min_severity } => {
            let options = options(&host, logs)?;
            check(config, &host, &families, &options, warnings, *min_severity)
        }
        LogsAction::Timeline { csv } => {
            let options = options(&host, logs)?;
            let analysis = breachkit_logs::analyse(&host, &families, &options);
            warnings.extend(analysis.warnings);
            match csv {
                Some(layout) => {
                    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                    breachkit_logs::write_csv(&mut out, &analysis.timeline, *layout)?;
                    std::io::Write::flush(&mut out)?;
                    print::logs::warnings(config, &warnings)?;
                }
                None => print::logs::timeline(config, &analysis.timeline, &warnings)?,
            }
            Ok(Exit::Clean)
        }
        LogsAction::Grep {
            word_files,
            words,
            case_sensitive,
        } => grep(
            config,
            &host,
            &families,
            word_files,
            words,
            *case_sensitive,
            warnings,
        ),
    }
}

/// The rules' options: the host's accounts and the thresholds (with `--thresholds`).
fn options(host: &Host, logs: &LogsConfig) -> anyhow::Result<Options> {
    let mut thresholds = Thresholds::default();
    if let Some(file) = &logs.thresholds {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read --thresholds {}", escape_path(file)))?;
        thresholds
            .apply(&text)
            .with_context(|| format!("bad thresholds in {}", escape_path(file)))?;
    }
    Ok(Options {
        thresholds,
        facts: breachkit_logs::facts(host),
    })
}

fn check(
    config: &Config,
    host: &Host,
    families: &[Family],
    options: &Options,
    mut warnings: Vec<Warning>,
    min_severity: Severity,
) -> anyhow::Result<Exit> {
    let started = Instant::now();
    let analysis = breachkit_logs::analyse(host, families, options);
    warnings.extend(analysis.warnings);
    let mut report = Report {
        findings: analysis.findings,
        warnings,
        checks: vec![CheckStatus {
            name: "logs".to_string(),
            skipped: None,
            millis: started.elapsed().as_millis() as u64,
        }],
    };
    report.sort();
    let header = print::Header {
        title: format!(
            "breachkit logs check: {} logs, {} lines",
            analysis.files, analysis.lines
        ),
        root: escape_path(host.root()),
        live: host.is_live(),
        case: None,
    };
    print::report(config, &header, &report, min_severity)?;
    Ok(if report.any_at_or_above(min_severity) {
        Exit::Findings
    } else {
        Exit::Clean
    })
}

fn grep(
    config: &Config,
    host: &Host,
    families: &[Family],
    word_files: &[std::path::PathBuf],
    words: &[String],
    case_sensitive: bool,
    mut warnings: Vec<Warning>,
) -> anyhow::Result<Exit> {
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
    let printer = print::logs::GrepPrinter::new(config);
    let stats = breachkit_logs::grep(host, families, &compiled, &|batch| printer.batch(batch));
    warnings.extend(stats.warnings);
    printer.finish(config, stats.files, stats.bytes, stats.matches, &warnings)?;
    Ok(if stats.matches > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    })
}
