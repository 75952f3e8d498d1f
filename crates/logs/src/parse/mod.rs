//! Line parsers: each log format turns a line into zero or more [`Event`]s with a
//! normalised UTC time. A [`Parser`] is made once per log family (it knows the
//! host's time zone) and told each file's reference time (for the year RFC 3164
//! leaves out).

mod auth;
mod av;
mod journal;
mod mail;
mod syslog;
mod web;

pub use journal::JournalRecord;

use crate::event::{Event, Kind};
use crate::time::{Clock, YearGuess};
use jiff::tz::TimeZone;

/// The most events one `message repeated N times` line stands for.
const MAX_REPEAT: u32 = 10_000;

/// The format of a log family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// RFC 3164, RFC 5424 or ISO 8601 syslog: auth.log, secure, syslog, messages,
    /// mail.log, maillog, cron, maldet's event_log.
    Syslog,
    /// Web access logs (common, combined, vhost_combined).
    WebAccess,
    /// nginx and apache error logs.
    WebError,
    /// Exim's main log.
    Exim,
    /// ClamAV's log file and clamscan's `--log`.
    ClamAv,
    /// `journalctl -o json` records.
    Journal,
    /// Unknown (`--log PATH`): each line is tried against every format.
    Auto,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Syslog => "syslog",
            Format::WebAccess => "web access",
            Format::WebError => "web error",
            Format::Exim => "exim",
            Format::ClamAv => "clamav",
            Format::Journal => "journal",
            Format::Auto => "auto",
        }
    }
}

/// Parses the lines of one log family.
#[derive(Debug)]
pub struct Parser {
    format: Format,
    clock: Clock,
    years: YearGuess,
}

impl Parser {
    pub fn new(format: Format, zone: TimeZone) -> Parser {
        let years = YearGuess::new(jiff::Timestamp::now().as_second(), &zone);
        Parser {
            format,
            clock: Clock::new(zone),
            years,
        }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// The latest time the next file's lines can have (its mtime, capped by the
    /// newer rotations): the year of RFC 3164 lines is inferred from it.
    pub fn set_reference(&mut self, unix_seconds: i64) {
        self.years = YearGuess::new(unix_seconds, self.clock.zone());
    }

    /// Parses one line, calling `emit` for each event it holds. False when the line
    /// has none of the format's shapes.
    pub fn parse(&self, line: &[u8], emit: &mut dyn FnMut(Event)) -> bool {
        // Most lines are valid UTF-8: checking that is much faster than the lossy
        // conversion, which is kept for the others.
        let text = match std::str::from_utf8(line) {
            Ok(t) => std::borrow::Cow::Borrowed(t),
            Err(_) => String::from_utf8_lossy(line),
        };
        self.parse_text(&text, self.format, emit)
    }

    fn parse_text(&self, text: &str, format: Format, emit: &mut dyn FnMut(Event)) -> bool {
        let one = |emit: &mut dyn FnMut(Event), time: i64, kind: Kind| {
            emit(Event {
                time: Some(time),
                kind,
            })
        };
        match format {
            Format::Syslog => self.syslog(text, emit),
            Format::WebAccess => web::access(text)
                .map(|(t, r)| one(emit, t, Kind::Web(r)))
                .is_some(),
            Format::WebError => web::error(text, &self.clock)
                .map(|(t, k)| one(emit, t, k))
                .is_some(),
            Format::Exim => mail::exim(text, &self.clock)
                .map(|(t, k)| one(emit, t, k))
                .is_some(),
            Format::ClamAv => {
                self.clamav(text, emit);
                true
            }
            Format::Journal => match JournalRecord::parse(text) {
                Some(rec) => {
                    let kind = program_message(&rec.program, rec.pid, &rec.message);
                    emit(Event {
                        time: rec.time,
                        kind: kind.unwrap_or(Kind::Other),
                    });
                    true
                }
                None => false,
            },
            Format::Auto => {
                [
                    Format::Syslog,
                    Format::WebAccess,
                    Format::WebError,
                    Format::Exim,
                ]
                .into_iter()
                .any(|f| self.parse_text(text, f, emit))
                    || av::clamav(text).is_some_and(|k| {
                        emit(Event {
                            time: None,
                            kind: k,
                        });
                        true
                    })
            }
        }
    }

    fn syslog(&self, text: &str, emit: &mut dyn FnMut(Event)) -> bool {
        let Some(h) = syslog::parse(text, &self.clock, &self.years) else {
            return false;
        };
        let (times, message) = syslog::repeated(h.message).unwrap_or((1, h.message));
        let kind = program_message(h.program, h.pid, message).unwrap_or(Kind::Other);
        for _ in 0..times.clamp(1, MAX_REPEAT) {
            emit(Event { time: h.time, kind });
        }
        true
    }

    /// clamd's log file (`Mon May  6 10:00:00 2024 -> msg`) or clamscan's (no time).
    fn clamav(&self, text: &str, emit: &mut dyn FnMut(Event)) {
        let (time, msg) = match text.split_once(" -> ") {
            Some((stamp, msg)) => match web::ctime(stamp, &self.clock) {
                Some(t) => (Some(t), msg),
                None => (None, text),
            },
            None => (None, text),
        };
        let kind = av::clamav(msg).unwrap_or(Kind::Other);
        emit(Event { time, kind });
    }
}

/// The event of a syslog message from `program`.
fn program_message<'a>(program: &str, pid: Option<u32>, msg: &'a str) -> Option<Kind<'a>> {
    if program.starts_with("postfix") {
        return mail::postfix(program, msg);
    }
    match program {
        "clamd" | "clamav" | "clamscan" | "clamav-daemon" => av::clamav(msg),
        "maldet" => av::maldet(msg),
        _ => auth::message(program, pid, msg),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(p: &Parser, line: &[u8]) -> (bool, Vec<String>) {
        let mut out = Vec::new();
        let ok = p.parse(line, &mut |e| {
            out.push(format!("{:?} {:?}", e.time, e.kind))
        });
        (ok, out)
    }

    #[test]
    fn repeated_messages_count_and_invalid_utf8_still_parses() {
        let mut p = Parser::new(Format::Syslog, TimeZone::UTC);
        p.set_reference(1_714_989_600);
        let (ok, ev) = events(
            &p,
            b"May  6 09:00:00 web01 sshd[1]: message repeated 3 times: [ Failed password for root from 203.0.113.9 port 22 ssh2]",
        );
        assert!(ok);
        assert_eq!(ev.len(), 3);
        assert!(ev[0].contains("SshFailed"));
        let (ok, ev) = events(
            &p,
            b"May  6 09:00:00 web01 sshd[1]: Failed password for r\xffoot from 203.0.113.9 port 22 ssh2",
        );
        assert!(ok && ev[0].contains("r\u{fffd}oot"));
        let (ok, _) = events(&p, b"\x00\x01 binary junk");
        assert!(!ok);
    }

    #[test]
    fn auto_tries_every_format() {
        let p = Parser::new(Format::Auto, TimeZone::UTC);
        let (ok, ev) = events(
            &p,
            br#"203.0.113.9 - - [06/May/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "x""#,
        );
        assert!(ok && ev[0].contains("Web"));
        let (ok, ev) = events(&p, b"/tmp/x.php: Php.Shell FOUND");
        assert!(ok && ev[0].contains("AvFound"));
    }

    /// One line of each shape the parsers know, each with every field present.
    const SHAPES: &[&str] = &[
        "May  6 09:00:00 web01 sshd[1]: Failed password for root from 203.0.113.9 port 22 ssh2",
        "May 16 09:00:00 web01 sudo:    alice : TTY=pts/0 ; PWD=/x ; USER=root ; COMMAND=/bin/bash",
        "<38>1 2024-05-06T08:00:00.5Z web01 sshd 812 - [meta x=\"]\\]\"] Accepted publickey for a from 1.2.3.4 port 2 ssh2: ED25519 SHA256:x",
        "<13>May  6 09:00:00 web01 maldet(22633): {hit} malware hit SIG found for /x",
        "2024-05-06T10:00:00.123456+02:00 web01 postfix/smtpd[77]: warning: unknown[203.0.113.4]: SASL LOGIN authentication failed",
        "2024-05-06 10:00:00 +0200 [123] 1xVvaV-0002GH-0N <= a@b.example U=www-data P=local S=1",
        "example.com:80 203.0.113.9 - - [06/May/2024:10:00:00 +0200] \"POST /x.php?c=id HTTP/1.1\" 200 12 \"-\" \"M \\\"x\\\"\"",
        "2024/05/06 10:00:00 [error] 1#1: *5 open() failed, client: 1.2.3.4, server: x",
        "[Mon May 06 10:00:00.123456 2024] [php:error] [pid 1] [client 1.2.3.4:5678] x",
        "Mon May  6 10:00:00 2024 -> /var/www/x.php: Php.Shell FOUND",
        "{\"__REALTIME_TIMESTAMP\":\"1714982400000000\",\"SYSLOG_IDENTIFIER\":\"sshd\",\"_PID\":\"1\",\"MESSAGE\":\"Accepted password for a from 1.2.3.4 port 1 ssh2\"}",
    ];

    /// Issue 18: lines cut anywhere, or holding multi-byte characters where the
    /// parsers expect ASCII, are parsed or refused, never a panic.
    #[test]
    fn cut_and_multibyte_lines_do_not_panic() {
        let formats = [
            Format::Syslog,
            Format::WebAccess,
            Format::WebError,
            Format::Exim,
            Format::ClamAv,
            Format::Journal,
            Format::Auto,
        ];
        let parsers: Vec<Parser> = formats
            .iter()
            .map(|f| Parser::new(*f, TimeZone::UTC))
            .collect();
        let mut lines: Vec<Vec<u8>> = Vec::new();
        for shape in SHAPES {
            let b = shape.as_bytes();
            for cut in 0..=b.len() {
                let (head, tail) = b.split_at(cut);
                lines.push(head.to_vec());
                for filler in ["é", "€", " ", "  ", "\u{feff}", "\u{1F600}"] {
                    // Inserted, and in place of the byte there.
                    lines.push([head, filler.as_bytes(), tail].concat());
                    lines.push(
                        [head, filler.as_bytes(), tail.get(1..).unwrap_or_default()].concat(),
                    );
                }
            }
        }
        for line in &lines {
            for p in &parsers {
                let _ = events(p, line);
            }
        }
    }
}
