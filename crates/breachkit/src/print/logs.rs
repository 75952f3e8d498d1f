//! Printing what `breachkit logs` found besides findings: the timeline (an aligned
//! table, JSON or JSON lines) and trigger-word matches (`path:line:text` like grep,
//! or JSON), every host string through `terminal_safe`.

use super::human::write_warnings;
use crate::config::{Config, Format};
use breachkit_finding::{Severity, Warning, terminal_safe};
use breachkit_logs::{Entry, Match};
use serde_json::json;
use std::io::{self, Write};
use std::sync::Mutex;

/// Warnings on stderr (human and jsonl) unless `--quiet`.
pub fn warnings(config: &Config, warnings: &[Warning]) -> io::Result<()> {
    if config.quiet || config.format == Format::Json {
        return Ok(());
    }
    let err = std::io::stderr();
    let colour = super::colour_on(&err);
    write_warnings(&mut err.lock(), warnings, colour)
}

/// The timeline in the configured format; `failed` names what failed internally
/// (its events are missing: the timeline is incomplete).
pub fn timeline(
    config: &Config,
    entries: &[Entry],
    warns: &[Warning],
    failed: &[String],
) -> io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match config.format {
        Format::Human => {
            writeln!(out, "Timeline: {} events, times in UTC", entries.len())?;
            for what in failed {
                let missing =
                    format!("INCOMPLETE: {what} failed internally; its events are missing");
                writeln!(out, "{}", terminal_safe(&missing))?;
            }
            if !entries.is_empty() {
                writeln!(out)?;
                let what_width = entries.iter().map(|e| e.what.len()).max().unwrap_or(0);
                for e in entries {
                    let sev = e.severity.map(Severity::as_str).unwrap_or("");
                    writeln!(
                        out,
                        "{}  {:<8}  {:<what_width$}  {}  ({}:{})",
                        e.rfc3339(),
                        sev.to_uppercase(),
                        e.what,
                        terminal_safe(&e.summary),
                        terminal_safe(&e.path),
                        e.line
                    )?;
                    if let Some(rule) = &e.rule {
                        writeln!(
                            out,
                            "{:22}{:<8}  {rule}: {}",
                            "",
                            "",
                            terminal_safe(&e.text)
                        )?;
                    }
                }
            }
        }
        Format::Json => {
            let doc = json!({ "timeline": entries, "warnings": warns, "failed": failed });
            breachkit_finding::json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        Format::Jsonl => {
            for e in entries {
                breachkit_finding::json::to_writer(&mut out, e)?;
                writeln!(out)?;
            }
        }
    }
    out.flush()?;
    warnings(config, warns)
}

/// Prints matches as they come, from any thread.
pub struct GrepPrinter {
    format: Format,
    /// Whether a JSON item was written (for commas), and the first write error.
    state: Mutex<(bool, Option<io::Error>)>,
}

impl GrepPrinter {
    pub fn new(config: &Config) -> GrepPrinter {
        if config.format == Format::Json {
            let _ = write!(std::io::stdout().lock(), "{{\"matches\": [");
        }
        GrepPrinter {
            format: config.format,
            state: Mutex::new((false, None)),
        }
    }

    pub fn batch(&self, matches: &[Match]) {
        let mut buf = Vec::with_capacity(matches.len() * 128);
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if state.1.is_some() {
            return;
        }
        for m in matches {
            let _ = match self.format {
                Format::Human => writeln!(
                    buf,
                    "{}:{}:{}{}",
                    terminal_safe(&m.path),
                    m.line,
                    terminal_safe(&m.text),
                    if m.cut { " …[cut]" } else { "" }
                ),
                Format::Jsonl => {
                    breachkit_finding::json::to_writer(&mut buf, m).and_then(|()| writeln!(buf))
                }
                Format::Json => {
                    if state.0 {
                        buf.push(b',');
                    }
                    state.0 = true;
                    buf.push(b'\n');
                    breachkit_finding::json::to_writer(&mut buf, m)
                }
            };
        }
        if let Err(e) = std::io::stdout().lock().write_all(&buf) {
            state.1 = Some(e);
        }
    }

    /// Ends the output (JSON closes its document with the totals and warnings).
    /// `failed` names what failed internally (its matches are missing).
    pub fn finish(
        &self,
        config: &Config,
        (files, bytes, matches): (u64, u64, u64),
        warns: &[Warning],
        failed: &[String],
    ) -> io::Result<()> {
        let error = self.state.lock().ok().and_then(|mut s| s.1.take());
        if let Some(e) = error {
            return Err(e);
        }
        let mut out = std::io::stdout().lock();
        if self.format == Format::Json {
            let tail = json!({ "files": files, "bytes": bytes, "matching_lines": matches, "warnings": warns, "failed": failed });
            let tail = breachkit_finding::json::to_string(&tail)?;
            writeln!(out, "\n], {}", tail.trim_start_matches('{'))?;
        }
        out.flush()?;
        drop(out);
        if !config.quiet && self.format == Format::Human {
            writeln!(
                std::io::stderr(),
                "{matches} matching line(s) in {files} log(s), {bytes} bytes searched."
            )?;
            for what in failed {
                let missing =
                    format!("INCOMPLETE: {what} failed internally; its matches are missing");
                writeln!(std::io::stderr(), "{}", terminal_safe(&missing))?;
            }
        }
        warnings(config, warns)
    }
}
