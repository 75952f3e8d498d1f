//! The timeline: findings and key events (logins, privilege, persistence, webshell
//! requests, mail bursts, detections) in time order, and its CSV forms in the column
//! layouts forensic timeline tools import: Timesketch (`message,datetime,
//! timestamp_desc,…`) and plaso's l2t_csv (`date,time,timezone,MACB,source,…`).

use breachkit_finding::{Finding, Severity};
use serde::Serialize;
use std::io::{self, Write};

/// One line of the timeline. Strings from the host are lossless-escaped; printers
/// still pass them through `terminal_safe`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Unix seconds (UTC).
    pub time: i64,
    /// What kind of event (`ssh login`, `crontab`, `finding`).
    pub what: String,
    /// One sentence.
    pub summary: String,
    /// Host path of the log.
    pub path: String,
    pub line: u64,
    /// The log line.
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

impl Entry {
    /// A finding as a timeline entry (when it has a time).
    pub fn of_finding(f: &Finding) -> Option<Entry> {
        let time = f
            .time
            .as_deref()?
            .parse::<jiff::Timestamp>()
            .ok()?
            .as_second();
        Some(Entry {
            time,
            what: "finding".to_string(),
            summary: f.title.clone(),
            path: f.path.clone().unwrap_or_default(),
            line: f.line.unwrap_or(0),
            text: f.evidence.clone().unwrap_or_default(),
            rule: Some(f.rule.clone()),
            severity: Some(f.severity),
        })
    }

    /// RFC 3339 UTC time.
    pub fn rfc3339(&self) -> String {
        crate::time::rfc3339(self.time)
    }
}

/// Sorts by time (then file and line), so the story reads first access → shell →
/// persistence → spam.
pub fn sort(entries: &mut [Entry]) {
    entries.sort_by(|a, b| {
        a.time
            .cmp(&b.time)
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.line.cmp(&b.line))
            .then_with(|| b.severity.cmp(&a.severity))
    });
}

/// The CSV column layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvLayout {
    /// Timesketch: `message,datetime,timestamp_desc` and extra columns.
    Timesketch,
    /// plaso's l2t_csv (log2timeline's classic 17 columns).
    L2t,
}

/// A CSV field from text: control characters escaped visibly (a row is one line
/// and no escape sequence reaches a terminal), a would-be formula neutralised with
/// a `'`, quoted when it holds a comma or quote (RFC 4180). See
/// [`breachkit_finding::csv_cell`]; the other cells are numbers and words of ours.
fn field(s: &str) -> String {
    breachkit_finding::csv_cell(s)
}

/// Writes the timeline as CSV.
pub fn write_csv(out: &mut impl Write, entries: &[Entry], layout: CsvLayout) -> io::Result<()> {
    match layout {
        CsvLayout::Timesketch => {
            writeln!(
                out,
                "message,datetime,timestamp_desc,timestamp,event_type,severity,rule,source_file,line,log_line"
            )?;
            for e in entries {
                let row = [
                    field(&e.summary),
                    e.rfc3339(),
                    field(&format!("Log: {}", e.what)),
                    e.time.saturating_mul(1_000_000).to_string(),
                    field(&e.what),
                    e.severity.map(|s| s.to_string()).unwrap_or_default(),
                    field(e.rule.as_deref().unwrap_or("")),
                    field(&e.path),
                    e.line.to_string(),
                    field(&e.text),
                ];
                writeln!(out, "{}", row.join(","))?;
            }
        }
        CsvLayout::L2t => {
            writeln!(
                out,
                "date,time,timezone,MACB,source,sourcetype,type,user,host,short,desc,version,filename,inode,notes,format,extra"
            )?;
            for e in entries {
                let t = jiff::Timestamp::from_second(e.time)
                    .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
                    .to_zoned(jiff::tz::TimeZone::UTC);
                let notes = match (&e.rule, e.severity) {
                    (Some(r), Some(s)) => format!("{s} {r}"),
                    _ => String::new(),
                };
                let row = [
                    t.strftime("%m/%d/%Y").to_string(),
                    t.strftime("%H:%M:%S").to_string(),
                    "UTC".to_string(),
                    "..C.".to_string(),
                    "LOG".to_string(),
                    field(&format!("breachkit {}", e.what)),
                    "Content Modification Time".to_string(),
                    "-".to_string(),
                    "-".to_string(),
                    field(&e.summary),
                    field(&e.text),
                    "2".to_string(),
                    field(&format!("{}:{}", e.path, e.line)),
                    "-".to_string(),
                    field(&notes),
                    "breachkit".to_string(),
                    "-".to_string(),
                ];
                writeln!(out, "{}", row.join(","))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_layouts_quote_and_keep_columns() {
        let e = Entry {
            time: 1_714_989_600,
            what: "ssh login".into(),
            summary: "root logged in, from \"x\"".into(),
            path: "/var/log/auth.log".into(),
            line: 7,
            text: "a,b".into(),
            rule: None,
            severity: None,
        };
        let mut out = Vec::new();
        write_csv(&mut out, std::slice::from_ref(&e), CsvLayout::Timesketch).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<_> = text.lines().collect();
        assert!(lines[0].starts_with("message,datetime,timestamp_desc,"));
        assert_eq!(
            lines[1],
            "\"root logged in, from \"\"x\"\"\",2024-05-06T10:00:00Z,Log: ssh login,1714989600000000,ssh login,,,/var/log/auth.log,7,\"a,b\""
        );
        let mut out = Vec::new();
        write_csv(&mut out, &[e], CsvLayout::L2t).unwrap();
        let text = String::from_utf8(out).unwrap();
        let row = text.lines().nth(1).unwrap();
        assert!(row.starts_with("05/06/2024,10:00:00,UTC,..C.,LOG,breachkit ssh login,"));
        assert_eq!(text.lines().next().unwrap().split(',').count(), 17);
    }

    #[test]
    fn csv_cells_never_carry_controls_or_formulas() {
        let e = Entry {
            time: 1_714_989_600,
            what: "web request".into(),
            summary: "=cmd|' /C calc'!A0".into(),
            path: "/var/log/x\u{1b}[2J.log".into(),
            line: 1,
            text: "GET /\u{1b}[2J\u{9b}31m\u{7f} \"a\"\r\nb".into(),
            rule: Some("-rule".into()),
            severity: Some(Severity::High),
        };
        for layout in [CsvLayout::Timesketch, CsvLayout::L2t] {
            let mut out = Vec::new();
            write_csv(&mut out, std::slice::from_ref(&e), layout).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert_eq!(text.lines().count(), 2, "{text}");
            assert!(
                !text.chars().any(|c| c.is_control() && c != '\n'),
                "{text:?}"
            );
            assert!(text.contains("'=cmd|' /C calc'!A0"), "{text}");
            assert!(!text.contains(",=") && !text.contains(",-rule"), "{text}");
            assert!(text.contains("/var/log/x\\e[2J.log"), "{text}");
            assert!(
                text.contains(r#""GET /\e[2J\x9b31m\x7f ""a""\r\nb""#),
                "{text}"
            );
        }
    }

    /// Issue 18: a journal record's time is the journal's word (`__REALTIME_TIMESTAMP`
    /// of `-9223372036854775808` gives `i64::MIN / 10^6`); scaling it back to
    /// microseconds overflowed (a panic in debug builds).
    #[test]
    fn times_at_the_ends_of_i64_do_not_overflow() {
        let record = crate::parse::JournalRecord::parse(
            r#"{"__REALTIME_TIMESTAMP":"-9223372036854775808","MESSAGE":"x"}"#,
        )
        .unwrap();
        for time in [record.time.unwrap(), i64::MAX, i64::MIN] {
            let e = Entry {
                time,
                what: "x".into(),
                summary: "x".into(),
                path: "/x".into(),
                line: 1,
                text: "x".into(),
                rule: None,
                severity: None,
            };
            for layout in [CsvLayout::Timesketch, CsvLayout::L2t] {
                let mut out = Vec::new();
                write_csv(&mut out, std::slice::from_ref(&e), layout).unwrap();
            }
        }
    }
}
