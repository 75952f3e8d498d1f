//! The printing layer: the report as human text (verdict first, findings grouped by
//! step and severity, host strings escaped), JSON or JSON lines; progress bars and
//! warnings on stderr.

mod human;
pub mod json;
pub mod logs;
pub mod quarantine;

use crate::config::{Config, Format};
use breachkit_detect::Check;
use breachkit_finding::{Report, Severity, Verdict, terminal_safe};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};

/// What the report is about.
pub struct Header {
    pub title: String,
    /// The image root, or `/` for the live host.
    pub root: String,
    pub live: bool,
    /// Case database and run id, when the run was recorded.
    pub case: Option<(String, i64)>,
    /// What failed internally besides what the report's `failed` says (commands
    /// put it there, so the case records it too): its results are missing, so the
    /// verdict is `incomplete`.
    pub incomplete: Vec<String>,
}

/// The verdict printed for a report: `incomplete` when the report or the header
/// names anything that failed.
pub fn verdict(header: &Header, report: &Report) -> Verdict {
    let mut failed = report.failed.clone();
    for what in &header.incomplete {
        if !failed.contains(what) {
            failed.push(what.clone());
        }
    }
    Verdict::of_run(&report.findings, &failed)
}

/// Prints a report on stdout in the configured format; warnings go to stderr
/// (human and jsonl) unless `--quiet`.
pub fn report(
    config: &Config,
    header: &Header,
    report: &Report,
    threshold: Severity,
) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let verdict = verdict(header, report);
    match config.format {
        Format::Human => human::write(
            &mut out,
            header,
            (report, &verdict),
            threshold,
            colour_on(&std::io::stdout()),
        )?,
        Format::Json => json::write_document(&mut out, header, report, &verdict)?,
        Format::Jsonl => json::write_lines(&mut out, report)?,
    }
    out.flush()?;
    if !config.quiet && config.format != Format::Json {
        human::write_warnings(
            &mut std::io::stderr().lock(),
            &report.warnings,
            colour_on(&std::io::stderr()),
        )?;
    }
    Ok(())
}

/// Prints the list of checks.
pub fn check_list(format: Format, checks: &[&dyn Check]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        Format::Human => {
            for c in checks {
                let live = if c.needs_live() {
                    " (live host only)"
                } else {
                    ""
                };
                writeln!(out, "{:<12} {}{}", c.name(), c.about(), live)?;
            }
        }
        Format::Json | Format::Jsonl => json::write_check_list(&mut out, format, checks)?,
    }
    Ok(())
}

/// Prints an error that stopped a command, with its causes, on stderr.
pub fn error(err: &anyhow::Error) {
    let mut msg = err.to_string();
    for cause in err.chain().skip(1) {
        msg.push_str(&format!(": {cause}"));
    }
    error_line(&msg);
}

/// Prints one error line on stderr (`breachkit: error: …`).
pub fn error_line(msg: &str) {
    let line = format!("breachkit: error: {msg}");
    let _ = writeln!(std::io::stderr(), "{}", terminal_safe(&line));
}

/// A progress bar on stderr, drawn only on a terminal and never with `--quiet`.
pub fn progress(config: &Config, len: u64, what: &str) -> ProgressBar {
    if config.quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(what.to_string());
    bar
}

/// Colour only on a terminal and never when `NO_COLOR` is set to anything.
fn colour_on(stream: &impl IsTerminal) -> bool {
    stream.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
