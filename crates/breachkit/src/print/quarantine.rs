//! Printing of step-2 commands: a plan or a result as aligned human text (verdict
//! line first, host strings made terminal-safe) or one JSON document; warnings on
//! stderr.

use super::{colour_on, human};
use crate::config::{Config, Format};
use breachkit_finding::{Warning, terminal_safe};
use std::io::Write;

/// What a quarantine command has to say.
pub struct Outcome {
    /// First line: what happened or what would happen.
    pub headline: String,
    /// Label/value rows, aligned.
    pub rows: Vec<(String, String)>,
    /// Further lines (tables, lists), already laid out.
    pub lines: Vec<String>,
    pub json: serde_json::Value,
    pub warnings: Vec<Warning>,
}

impl Outcome {
    pub fn new(headline: impl Into<String>, json: serde_json::Value) -> Outcome {
        Outcome {
            headline: headline.into(),
            rows: Vec::new(),
            lines: Vec::new(),
            json,
            warnings: Vec::new(),
        }
    }

    pub fn row(&mut self, label: &str, value: impl Into<String>) {
        self.rows.push((label.to_string(), value.into()));
    }
}

/// Left-aligned columns of a table: every row has the same number of cells.
/// The table of a verify's differences: where (`whole` for the archive or bundle
/// itself) and what.
pub fn differences(diffs: &[breachkit_quarantine::verify::Difference], whole: &str) -> Vec<String> {
    let rows: Vec<Vec<String>> = diffs
        .iter()
        .map(|d| {
            let at = if d.path.is_empty() { whole } else { &d.path };
            vec![at.to_string(), d.what.clone()]
        })
        .collect();
    table(&rows)
}

pub fn table(rows: &[Vec<String>]) -> Vec<String> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| terminal_safe(s).chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    rows.iter()
        .map(|r| {
            let cells: Vec<String> = r
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (s, w))| {
                    let s = terminal_safe(s);
                    if i + 1 == r.len() {
                        s.into_owned()
                    } else {
                        format!("{s:<w$}")
                    }
                })
                .collect();
            format!("  {}", cells.join("  ")).trim_end().to_string()
        })
        .collect()
}

pub fn outcome(config: &Config, o: &Outcome) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match config.format {
        Format::Human => {
            writeln!(out, "{}", terminal_safe(&o.headline))?;
            let width = o.rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
            for (label, value) in &o.rows {
                writeln!(out, "  {label:<width$}  {}", terminal_safe(value))?;
            }
            for line in &o.lines {
                writeln!(out, "{}", terminal_safe(line))?;
            }
        }
        Format::Json => writeln!(
            out,
            "{}",
            breachkit_finding::json::to_string_pretty(&o.json)?
        )?,
        Format::Jsonl => writeln!(out, "{}", breachkit_finding::json::to_string(&o.json)?)?,
    }
    out.flush()?;
    if !config.quiet && config.format != Format::Json {
        human::write_warnings(
            &mut std::io::stderr().lock(),
            &o.warnings,
            colour_on(&std::io::stderr()),
        )?;
    }
    Ok(())
}
