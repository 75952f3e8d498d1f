//! `breachkit report`: the case as one self-contained HTML file (or Markdown), and
//! with `--iocs` its indicators as a STIX 2.1 bundle, CSV or a MISP event.

use crate::Exit;
use crate::config::{Config, ReportConfig};
use crate::print;
use crate::print::quarantine::Outcome;
use anyhow::Context as _;
use breachkit_case::Case;
use breachkit_finding::escape_path;
use breachkit_gather::{iocs, report};
use serde_json::json;
use std::io::Write;
use std::path::Path;

pub fn run(config: &Config, r: &ReportConfig) -> anyhow::Result<Exit> {
    let dir = config.case.dir();
    let case = Case::open_existing(dir)
        .with_context(|| format!("cannot report on case {}", escape_path(dir)))?;
    let format = if r.markdown {
        report::Format::Markdown
    } else {
        report::Format::Html
    };
    let out = r
        .out
        .clone()
        .unwrap_or_else(|| dir.join(format!("report.{}", format.extension())));
    let text = report::render(&case, format).context("cannot render the report")?;
    write_file(&out, text.as_bytes())?;
    let mut o = Outcome::new(
        format!("report written: {}", escape_path(&out)),
        json!({ "report": escape_path(&out), "format": format.extension() }),
    );
    o.row("case", escape_path(dir));
    if let Some(path) = &r.iocs {
        let format: iocs::Format = r.iocs_format.parse()?;
        let found = iocs::collect(&case).context("cannot collect the indicators")?;
        let mut bytes = Vec::new();
        iocs::write(&found, format, &mut bytes)?;
        write_file(path, &bytes)?;
        o.row(
            "indicators",
            format!(
                "{} written to {} ({})",
                found.items.len(),
                escape_path(path),
                r.iocs_format
            ),
        );
        if let Some(doc) = o.json.as_object_mut() {
            doc.insert("iocs".into(), json!(escape_path(path)));
            doc.insert("indicators".into(), json!(found.items.len()));
        }
    }
    print::quarantine::outcome(config, &o)?;
    Ok(Exit::Clean)
}

/// Writes `bytes` to `path` through a new file beside it, renamed over it: a reader
/// never sees half a report, and a link planted at `path` is replaced, not followed.
fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".tmp{}", std::process::id()));
    let tmp = std::path::PathBuf::from(name);
    let result = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", escape_path(path)))
}
