//! `--format json` (one document) and `--format jsonl` (one finding per line).
//! Field names are part of the contract: add fields, never rename them. Every JSON
//! goes through `breachkit_finding::json`, which escapes what serde_json leaves raw
//! (DEL, C1 controls, bidi characters).

use super::Header;
use crate::config::Format;
use breachkit_detect::Check;
use breachkit_finding::json::{to_writer, to_writer_pretty};
use breachkit_finding::{Report, Verdict};
use serde_json::json;
use std::io::{self, Write};

/// The document. `verdict` is `incomplete` when anything failed: `failed` then
/// names what, and `findings_verdict` says what the findings alone say.
pub fn write_document(
    out: &mut impl Write,
    header: &Header,
    report: &Report,
    verdict: &Verdict,
) -> io::Result<()> {
    to_writer_pretty(&mut *out, &document(header, report, verdict))?;
    writeln!(out)
}

/// The document [`write_document`] writes, for commands that add fields to it.
pub fn document(header: &Header, report: &Report, verdict: &Verdict) -> serde_json::Value {
    json!({
        "tool": "breachkit",
        "version": env!("CARGO_PKG_VERSION"),
        "host": { "root": header.root, "live": header.live },
        "case": header.case.as_ref().map(|(db, run)| json!({ "database": db, "run": run })),
        "verdict": verdict.kind,
        "failed": verdict.failed,
        "findings_verdict": verdict.findings_say,
        "reasons": verdict.reasons,
        "findings": report.findings,
        "warnings": report.warnings,
        "checks": report.checks,
    })
}

pub fn write_lines(out: &mut impl Write, report: &Report) -> io::Result<()> {
    for f in &report.findings {
        to_writer(&mut *out, f)?;
        writeln!(out)?;
    }
    Ok(())
}

pub fn write_check_list(
    out: &mut impl Write,
    format: Format,
    checks: &[&dyn Check],
) -> io::Result<()> {
    let items: Vec<_> = checks
        .iter()
        .map(|c| json!({ "name": c.name(), "about": c.about(), "live_only": c.needs_live() }))
        .collect();
    if format == Format::Json {
        to_writer_pretty(&mut *out, &items)?;
        return writeln!(out);
    }
    for item in items {
        to_writer(&mut *out, &item)?;
        writeln!(out)?;
    }
    Ok(())
}
