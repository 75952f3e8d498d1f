//! `breachkit case show`: list the runs recorded in the case (every command that
//! reads the host records one), then print the findings of the last run that gives
//! a verdict (`logs grep` does not). `--format json` adds the list as `runs`.

use crate::Exit;
use crate::config::{Config, Format};
use crate::print;
use anyhow::Context as _;
use breachkit_case::{Case, RunSummary};
use breachkit_finding::{Severity, escape_path, terminal_safe};
use serde_json::json;
use std::io::Write;

pub fn run(config: &Config) -> anyhow::Result<Exit> {
    let dir = config.case.dir();
    let case = Case::open_existing(dir)
        .with_context(|| format!("cannot show case {}", escape_path(dir)))?;
    let runs = case.runs()?;
    if runs.is_empty() {
        anyhow::bail!(
            "case {} has no runs yet; run `breachkit check --case {}` first",
            escape_path(dir),
            escape_path(dir)
        );
    }
    let bundles = case.bundles()?;
    let last = case.last_judged_run()?;
    let header = last.as_ref().map(|run| print::Header {
        title: format!(
            "case run {}: `breachkit {}` on {} ({}), {} → {}",
            run.id,
            run.info.command,
            run.info.hostname,
            run.info.root,
            run.info.started_at,
            run.info.finished_at
        ),
        root: run.info.root.clone(),
        live: run.info.root == "/",
        case: Some((escape_path(case.db_path()), run.id)),
        incomplete: Vec::new(),
    });
    let stdout = std::io::stdout();
    match config.format {
        Format::Json => {
            let mut doc = match (&last, &header) {
                (Some(run), Some(header)) => {
                    let verdict = print::verdict(header, &run.report);
                    print::json::document(header, &run.report, &verdict)
                }
                _ => json!({ "tool": "breachkit", "version": env!("CARGO_PKG_VERSION") }),
            };
            if let Some(obj) = doc.as_object_mut() {
                obj.insert("runs".to_string(), runs.iter().map(run_json).collect());
                obj.insert(
                    "bundles".to_string(),
                    bundles.iter().map(bundle_json).collect(),
                );
            }
            let mut out = std::io::BufWriter::new(stdout.lock());
            breachkit_finding::json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
            out.flush()?;
        }
        Format::Human => {
            let mut out = std::io::BufWriter::new(stdout.lock());
            writeln!(out, "Runs in case {}:", terminal_safe(&escape_path(dir)))?;
            for r in &runs {
                writeln!(out, "  {}", terminal_safe(&run_line(r)))?;
            }
            if !bundles.is_empty() {
                writeln!(out, "Evidence bundles (breachkit gather verify BUNDLE):")?;
            }
            for b in &bundles {
                let line = format!(
                    "  {}  {}  by {}{}  manifest SHA-256 {}",
                    b.created_at,
                    b.bundle,
                    b.examiner,
                    if b.complete { "" } else { "  INCOMPLETE" },
                    b.manifest_sha256
                );
                writeln!(out, "{}", terminal_safe(&line))?;
            }
            writeln!(out)?;
            out.flush()?;
            drop(out);
            if let (Some(run), Some(header)) = (&last, &header) {
                print::report(config, header, &run.report, Severity::Info)?;
            }
        }
        Format::Jsonl => {
            if let (Some(run), Some(header)) = (&last, &header) {
                print::report(config, header, &run.report, Severity::Info)?;
            }
        }
    }
    Ok(Exit::Clean)
}

/// `#3 2026-…Z → 2026-…Z  [compromised]  breachkit scan --root /mnt/img /var/www  (on /mnt/img: 3 findings, 120 files, …)`
fn run_line(r: &RunSummary) -> String {
    // The findings first; other counts only when not zero.
    let counts: Vec<String> = std::iter::once(format!("{} findings", r.findings))
        .chain(
            r.info
                .counts
                .iter()
                .filter(|(k, v)| **v > 0 && k.as_str() != "findings")
                .map(|(k, v)| format!("{v} {k}")),
        )
        .collect();
    format!(
        "#{} {} → {}  [{}]  breachkit {}  (on {}: {})",
        r.id,
        r.info.started_at,
        r.info.finished_at,
        r.verdict,
        r.info.command,
        r.info.root,
        counts.join(", ")
    )
}

fn run_json(r: &RunSummary) -> serde_json::Value {
    json!({
        "id": r.id,
        "command": r.info.command,
        "root": r.info.root,
        "hostname": r.info.hostname,
        "version": r.info.version,
        "started_at": r.info.started_at,
        "finished_at": r.info.finished_at,
        "verdict": r.verdict,
        "findings": r.findings,
        "counts": r.info.counts,
    })
}

fn bundle_json(b: &breachkit_case::BundleRecord) -> serde_json::Value {
    json!({
        "bundle": b.bundle,
        "manifest_sha256": b.manifest_sha256,
        "examiner": b.examiner,
        "complete": b.complete,
        "created_at": b.created_at,
    })
}
