//! `--format json` (one document) and `--format jsonl` (one finding per line).
//! Field names are part of the contract: add fields, never rename them.

use super::Header;
use crate::config::Format;
use breachkit_detect::Check;
use breachkit_finding::Report;
use serde_json::json;
use std::io::{self, Write};

pub fn write_document(out: &mut impl Write, header: &Header, report: &Report) -> io::Result<()> {
    let verdict = report.verdict();
    let doc = json!({
        "tool": "breachkit",
        "version": env!("CARGO_PKG_VERSION"),
        "host": { "root": header.root, "live": header.live },
        "case": header.case.as_ref().map(|(db, run)| json!({ "database": db, "run": run })),
        "verdict": verdict.kind,
        "reasons": verdict.reasons,
        "findings": report.findings,
        "warnings": report.warnings,
        "checks": report.checks,
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

pub fn write_lines(out: &mut impl Write, report: &Report) -> io::Result<()> {
    for f in &report.findings {
        serde_json::to_writer(&mut *out, f)?;
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
        serde_json::to_writer_pretty(&mut *out, &items)?;
        return writeln!(out);
    }
    for item in items {
        serde_json::to_writer(&mut *out, &item)?;
        writeln!(out)?;
    }
    Ok(())
}
