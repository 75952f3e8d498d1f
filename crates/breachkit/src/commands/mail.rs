//! `breachkit mail`: the mail queues read natively, summed up as tables (by queue,
//! sender, uid, script, subject, recipient domain) after the verdict and findings.
//! `--format json` gives one document with the summary, every queued message and
//! the findings; `jsonl` one finding per line. The run is recorded in the case.

use crate::Exit;
use crate::commands::record::{Outcome, Recorder, Unwritable};
use crate::config::{Config, Format, MailConfig};
use crate::failures::{self, Failures};
use crate::print;
use anyhow::Context as _;
use breachkit_finding::{CheckStatus, Report, Severity, escape_path, terminal_safe};
use breachkit_host::Host;
use breachkit_mail::MailReport;
use breachkit_mail::summary::Row;
use serde_json::json;
use std::io::Write;
use std::time::Instant;

/// The exit-code threshold, as for `check`.
const THRESHOLD: Severity = Severity::Medium;
/// Rows shown per table in human output (JSON has them all).
const HUMAN_ROWS: usize = 10;
/// Longest key shown in a table cell, in characters.
const MAX_CELL: usize = 70;

pub fn run(config: &Config, mail: &MailConfig, failures: &mut Failures) -> anyhow::Result<Exit> {
    let host = match &mail.root {
        Some(root) => Host::image(root).with_context(|| "cannot read this image (--root)")?,
        None => Host::live(),
    };
    let recorder = Recorder::open(config, &host, Unwritable::Warn)?;
    let bar = print::progress(config, 1, "reading the mail queues");
    let started = Instant::now();
    let (mail, failed) = breachkit_detect::mail::inspect(&host);
    bar.finish_and_clear();
    failures.extend(failed);
    let mut report = Report {
        findings: mail.findings.clone(),
        warnings: mail.warnings.clone(),
        checks: vec![CheckStatus {
            name: "mail".to_string(),
            skipped: None,
            millis: started.elapsed().as_millis() as u64,
        }],
        failed: failures.missing(),
    };
    report.sort();
    let recorded = recorder.record(
        config,
        &mut report,
        Outcome::verdict([
            ("messages", mail.summary.messages as u64),
            ("recipients", mail.summary.recipients as u64),
            ("bytes", mail.summary.bytes),
            ("mailboxes", mail.mailboxes.len() as u64),
        ]),
    );
    let header = print::Header {
        title: "breachkit mail".to_string(),
        root: escape_path(host.root()),
        live: host.is_live(),
        case: recorded,
        incomplete: Vec::new(),
    };
    match config.format {
        Format::Json => write_document(&header, &report, &mail)?,
        Format::Jsonl => print::report(config, &header, &report, THRESHOLD)?,
        Format::Human => {
            print::report(config, &header, &report, THRESHOLD)?;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            write_tables(&mut out, &mail)?;
            out.flush()?;
        }
    }
    Ok(failures::exit_of(&report, THRESHOLD))
}

fn write_document(
    header: &print::Header,
    report: &Report,
    mail: &MailReport,
) -> anyhow::Result<()> {
    let verdict = print::verdict(header, report);
    let doc = json!({
        "tool": "breachkit",
        "version": env!("CARGO_PKG_VERSION"),
        "host": { "root": header.root, "live": header.live },
        "case": header.case.as_ref().map(|(db, run)| json!({ "database": db, "run": run })),
        "verdict": verdict.kind,
        "failed": verdict.failed,
        "findings_verdict": verdict.findings_say,
        "reasons": verdict.reasons,
        "summary": mail.summary,
        "queues": mail.queues,
        "mailboxes": mail.mailboxes,
        "php_mail_log": mail.php_mail_log,
        "own_domains": mail.own_domains,
        "findings": report.findings,
        "warnings": report.warnings,
    });
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    breachkit_finding::json::to_writer_pretty(&mut out, &doc)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

fn write_tables(out: &mut impl Write, mail: &MailReport) -> std::io::Result<()> {
    let s = &mail.summary;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    writeln!(out)?;
    if mail.queues.locations.is_empty() {
        writeln!(out, "Mail queues: no Postfix or Exim queue found.")?;
    } else {
        let places: Vec<String> = mail
            .queues
            .locations
            .iter()
            .map(|(mta, dir)| format!("{} {}", mta.as_str(), terminal_safe(dir)))
            .collect();
        writeln!(
            out,
            "Mail queues ({}): {} messages to {} recipients, {}",
            places.join(", "),
            s.messages,
            s.recipients,
            bytes(s.bytes)
        )?;
        let mut notes = Vec::new();
        if mail.queues.vanished > 0 {
            notes.push(format!(
                "{} left the queue while it was read",
                mail.queues.vanished
            ));
        }
        if mail.queues.in_progress > 0 {
            notes.push(format!("{} still being written", mail.queues.in_progress));
        }
        if mail.queues.unreadable > 0 {
            notes.push(format!(
                "{} unreadable (see warnings)",
                mail.queues.unreadable
            ));
        }
        if !notes.is_empty() {
            writeln!(out, "  ({})", notes.join("; "))?;
        }
    }
    if !s.queues.is_empty() {
        let rows = s
            .queues
            .iter()
            .map(|q| {
                vec![
                    q.mta.as_str().to_string(),
                    q.queue.as_str().to_string(),
                    q.messages.to_string(),
                    q.recipients.to_string(),
                    bytes(q.bytes),
                    q.oldest.map_or("-".into(), |t| age(now.saturating_sub(t))),
                    q.newest.map_or("-".into(), |t| age(now.saturating_sub(t))),
                ]
            })
            .collect();
        table(
            out,
            "By queue",
            &[
                "mta",
                "queue",
                "messages",
                "recipients",
                "size",
                "oldest",
                "newest",
            ],
            rows,
        )?;
    }
    for (title, key, rows) in [
        ("By sender", "sender", &s.by_sender),
        ("By submitting uid", "uid (user)", &s.by_uid),
        ("By PHP script", "script", &s.by_script),
        ("By subject", "subject", &s.by_subject),
        ("By recipient domain", "domain", &s.by_recipient_domain),
    ] {
        if !rows.is_empty() {
            table(out, title, &["messages", "recipients", key], keyed(rows))?;
        }
    }
    let bouncy: Vec<Vec<String>> = mail
        .mailboxes
        .iter()
        .filter(|m| m.bounces > 0)
        .map(|m| {
            vec![
                m.messages.to_string(),
                m.bounces.to_string(),
                m.recent_bounces.to_string(),
                cell(&m.path),
            ]
        })
        .collect();
    if !bouncy.is_empty() {
        table(
            out,
            "Mailboxes with bounces",
            &["messages", "bounces", "last 30 days", "mailbox"],
            bouncy,
        )?;
    }
    if !mail.own_domains.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "The host's own domains (from its MTA and web server configuration): {}",
            terminal_safe(&mail.own_domains.join(", "))
        )?;
    }
    Ok(())
}

fn keyed(rows: &[Row]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = rows
        .iter()
        .take(HUMAN_ROWS)
        .map(|r| {
            vec![
                r.messages.to_string(),
                r.recipients.to_string(),
                cell(&r.key),
            ]
        })
        .collect();
    if let Some(rest) = rows.get(HUMAN_ROWS..).filter(|rest| !rest.is_empty()) {
        out.push(vec![
            rest.iter().map(|r| r.messages).sum::<usize>().to_string(),
            rest.iter().map(|r| r.recipients).sum::<usize>().to_string(),
            format!("({} more; --format json lists them)", rest.len()),
        ]);
    }
    out
}

/// A host string fit for one table cell: terminal-safe and cut.
fn cell(s: &str) -> String {
    let safe = terminal_safe(s);
    match safe.char_indices().nth(MAX_CELL) {
        Some((i, _)) => format!("{}…", safe.get(..i).unwrap_or_default()),
        None => safe.into_owned(),
    }
}

/// An aligned table: numbers right-aligned, the last column left as it is.
fn table(
    out: &mut impl Write,
    title: &str,
    headers: &[&str],
    rows: Vec<Vec<String>>,
) -> std::io::Result<()> {
    fn at(r: &[String], col: usize) -> &str {
        r.get(col).map_or("", String::as_str)
    }
    let widths: Vec<usize> = (0..headers.len())
        .map(|col| {
            rows.iter()
                .map(|r| at(r, col).chars().count())
                .chain(headers.get(col).map(|h| h.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let numeric: Vec<bool> = (0..headers.len())
        .map(|col| {
            rows.iter().all(|r| {
                let c = at(r, col);
                c.chars().next().is_some_and(|c| c.is_ascii_digit()) || c == "-"
            })
        })
        .collect();
    let line = |cells: Vec<&str>| -> String {
        let count = cells.len();
        cells
            .iter()
            .zip(widths.iter().zip(&numeric))
            .enumerate()
            .map(|(i, (c, (width, numeric)))| {
                let pad = width.saturating_sub(c.chars().count());
                if i + 1 == count {
                    c.to_string()
                } else if *numeric {
                    format!("{}{c}", " ".repeat(pad))
                } else {
                    format!("{c}{}", " ".repeat(pad))
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(out)?;
    writeln!(out, "{title}")?;
    writeln!(out, "  {}", line(headers.to_vec()).trim_end())?;
    for r in &rows {
        writeln!(
            out,
            "  {}",
            line(r.iter().map(String::as_str).collect()).trim_end()
        )?;
    }
    Ok(())
}

fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KB", n as f64 / (1u64 << 10) as f64),
        n => format!("{n} B"),
    }
}

/// `3d 4h`, `2h 5m`, `40s` (negative ages, from clocks that disagree, show as 0s).
fn age(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        s if s >= 86_400 => format!("{}d {}h", s / 86_400, s % 86_400 / 3_600),
        s if s >= 3_600 => format!("{}h {}m", s / 3_600, s % 3_600 / 60),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use breachkit_mail::summary::{QueueRow, Summary};
    use breachkit_mail::{Mta, Queue, QueueScan};

    fn report(summary: Summary) -> MailReport {
        MailReport {
            summary,
            queues: QueueScan {
                locations: vec![(Mta::Postfix, "/var/spool/postfix".into())],
                ..QueueScan::default()
            },
            mailboxes: Vec::new(),
            php_mail_log: Vec::new(),
            own_domains: Vec::new(),
            findings: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Message times come from queue files: an image can hold any, and `now - t`
    /// overflowed.
    #[test]
    fn tables_of_extreme_values_do_not_panic() {
        let rows = (0..HUMAN_ROWS + 3)
            .map(|i| Row {
                key: format!("{i}-{}", "é".repeat(2 * MAX_CELL)),
                messages: i,
                recipients: i,
            })
            .collect();
        let summary = Summary {
            messages: 1,
            queues: vec![QueueRow {
                mta: Mta::Postfix,
                queue: Queue::Deferred,
                messages: 1,
                recipients: 1,
                bytes: u64::MAX,
                oldest: Some(i64::MIN),
                newest: Some(i64::MAX),
            }],
            by_sender: rows,
            ..Summary::default()
        };
        let mut out = Vec::new();
        write_tables(&mut out, &report(summary)).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("(3 more; --format json lists them)"),
            "{text}"
        );
        assert!(text.contains('…'), "{text}");
    }

    #[test]
    fn tables_line_up() {
        let mut out = Vec::new();
        table(
            &mut out,
            "By sender",
            &["messages", "recipients", "sender"],
            vec![
                vec!["12".into(), "3".into(), "a@example.com".into()],
                vec!["1".into(), "-".into(), "b@example.com".into()],
            ],
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "\nBy sender\n  messages  recipients  sender\n        12           3  a@example.com\n         1           -  b@example.com\n"
        );
    }
}
