//! `breachkit gather`: runs the checks, collects the evidence bundle, records the
//! run (with the findings) and the bundle in the case, and prints where the bundle
//! is and its manifest's SHA-256. `gather verify` re-hashes a bundle.

use crate::Exit;
use crate::commands::record::{Outcome as RunOutcome, Recorder, Unwritable};
use crate::config::{Config, GatherConfig};
use crate::failures::{self, Failures};
use crate::print;
use crate::print::quarantine::{Outcome, table};
use anyhow::Context as _;
use breachkit_finding::{Severity, escape_path};
use breachkit_gather::bundle::verify;
use breachkit_host::Host;
use serde_json::json;
use std::path::{Path, PathBuf};

pub fn run(
    config: &Config,
    gather: &GatherConfig,
    failures: &mut Failures,
) -> anyhow::Result<Exit> {
    match gather {
        GatherConfig::Verify { bundle } => run_verify(config, bundle),
        GatherConfig::Collect {
            root,
            out,
            examiner,
            note,
            max_file,
            av,
        } => {
            let host = match root {
                Some(root) => {
                    Host::image(root).context("cannot gather from this image (--root)")?
                }
                None => Host::live(),
            };
            let opts = breachkit_gather::Options {
                out: out
                    .clone()
                    .unwrap_or_else(|| default_out(config.case.dir())),
                case_dir: config.case.dir().to_path_buf(),
                examiner: examiner.clone().unwrap_or_else(default_examiner),
                note: note.clone(),
                max_file: *max_file,
                av: av.as_ref().map(|a| {
                    let mut o = breachkit_gather::av::AvOptions::new();
                    o.paths = a.scan.clone();
                    if let Some(addr) = &a.clamd {
                        o.clamd = breachkit_gather::av::ClamdChoice::At(addr.clone());
                    }
                    o
                }),
            };
            collect(config, &host, &opts, failures)
        }
    }
}

fn collect(
    config: &Config,
    host: &Host,
    opts: &breachkit_gather::Options,
    failures: &mut Failures,
) -> anyhow::Result<Exit> {
    let recorder = Recorder::open(config, host, Unwritable::Stop)?;
    // Package integrity runs in the collection itself, over every package file.
    let checks: Vec<_> = breachkit_detect::all_checks()
        .iter()
        .copied()
        .filter(|c| c.name() != "packages")
        .collect();
    let bar = print::progress(config, checks.len() as u64, "checking");
    let (mut report, failed) = breachkit_detect::run(host, &checks, &|name| {
        bar.set_message(name.to_string());
        bar.inc(1);
    });
    bar.finish_and_clear();
    failures.extend(failed);
    report.failed = failures.missing();

    let bar = print::progress(config, 0, "gathering");
    let gathered = breachkit_gather::gather(host, &report, opts, &mut |what| {
        bar.set_message(breachkit_finding::terminal_safe(what).into_owned());
        bar.tick();
    })
    .with_context(|| format!("cannot gather into {}", escape_path(&opts.out)))?;
    bar.finish_and_clear();
    report.findings.extend(gathered.findings.iter().cloned());
    report.failed.extend(gathered.failed.iter().cloned());
    report.warnings.extend(gathered.warnings.iter().cloned());
    let recorded = recorder.record(
        config,
        &mut report,
        RunOutcome::verdict([
            ("bundle_files", gathered.files as u64),
            ("bundle_bytes", gathered.bytes),
        ]),
    );

    let headline = if gathered.complete {
        format!("bundle written: {}", escape_path(&gathered.bundle))
    } else {
        format!(
            "bundle INCOMPLETE: {} ({})",
            escape_path(&gathered.bundle),
            gathered
                .acquisition
                .stopped
                .as_deref()
                .unwrap_or("stopped early")
        )
    };
    let verdict = breachkit_finding::Verdict::of_run(&report.findings, &report.failed);
    let mut o = Outcome::new(
        headline,
        json!({
            "bundle": escape_path(&gathered.bundle),
            "manifest_sha256": gathered.manifest_sha256,
            "recorded_in_case": gathered.recorded,
            "complete": gathered.complete,
            "files": gathered.files,
            "bytes": gathered.bytes,
            "acquisition": gathered.acquisition,
            "verdict": verdict,
            "findings": report.findings,
        }),
    );
    o.row("manifest SHA-256", gathered.manifest_sha256.clone());
    o.row(
        "recorded",
        if gathered.recorded {
            format!("in the case {}", escape_path(&opts.case_dir))
        } else {
            "NOT in the case: note the hash above".to_string()
        },
    );
    o.row(
        "files",
        format!("{} ({} bytes)", gathered.files, gathered.bytes),
    );
    o.row("examiner", gathered.acquisition.examiner.clone());
    o.row(
        "findings",
        format!(
            "{} ({}); `breachkit case show` lists them{}",
            report.findings.len(),
            verdict.kind.as_str(),
            recorded
                .map(|(_, id)| format!(", run {id}"))
                .unwrap_or_default()
        ),
    );
    let rows: Vec<Vec<String>> = gathered
        .acquisition
        .parts
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                p.outcome.to_string(),
                p.note.clone().unwrap_or_else(|| p.files.join(", ")),
            ]
        })
        .collect();
    o.lines = table(&rows);
    o.warnings = report.warnings.clone();
    print::quarantine::outcome(config, &o)?;
    if !gathered.complete {
        return Ok(Exit::Error);
    }
    Ok(failures::exit_of(&report, Severity::Medium))
}

fn run_verify(config: &Config, bundle: &Path) -> anyhow::Result<Exit> {
    let absolute = bundle
        .canonicalize()
        .unwrap_or_else(|_| bundle.to_path_buf());
    let recorded = breachkit_case::Case::open_existing(config.case.dir())
        .ok()
        .and_then(|c| c.bundle(&escape_path(&absolute)).ok().flatten());
    let report = verify::verify(
        bundle,
        recorded.as_ref().map(|r| r.manifest_sha256.as_str()),
    )
    .with_context(|| format!("cannot verify {}", escape_path(bundle)))?;
    let ok = report.intact();
    let headline = if ok {
        format!("bundle intact: {} files match the manifest", report.checked)
    } else {
        format!(
            "bundle DIFFERS from its manifest: {} difference(s) in {} files",
            report.differences.len(),
            report.checked
        )
    };
    let mut o = Outcome::new(headline, json!({ "verify": report, "ok": ok }));
    o.row("bundle", escape_path(&report.bundle));
    o.row("manifest SHA-256", report.manifest_sha256.clone());
    o.row(
        "case record",
        report
            .recorded_manifest_sha256
            .clone()
            .unwrap_or_else(|| "none".into()),
    );
    if !report.complete {
        o.row("complete", "no: collection stopped early");
    }
    o.warnings = report.warnings.clone();
    o.lines = print::quarantine::differences(&report.differences, "(bundle)");
    print::quarantine::outcome(config, &o)?;
    Ok(if ok { Exit::Clean } else { Exit::Findings })
}

/// `CASE/evidence/bundle-TIME`.
fn default_out(case_dir: &Path) -> PathBuf {
    let stamp = breachkit_case::now_rfc3339().replace([':', '-'], "");
    case_dir
        .join(breachkit_quarantine::backup::EVIDENCE_DIR)
        .join(format!("bundle-{stamp}"))
}

/// Who runs breachkit: the user behind sudo, else the login name.
fn default_examiner() -> String {
    ["SUDO_USER", "USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}
