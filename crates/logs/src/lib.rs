//! Logs: where a breach leaves its story. This crate finds a server's logs (the
//! standard places of Debian/Ubuntu, RHEL-family and cPanel hosts, plus any path
//! given), reads them with their rotations (plain, gzip, the systemd journal) in
//! bounded memory, parses each line into a timed [`Event`] (RFC 3164/5424 and ISO
//! syslog, web access and error logs, postfix and exim, ClamAV and maldet), and runs
//! rules over the events that turn brute force, logins, privilege changes,
//! webshell requests, attacks answered with an unusual response size, spam runs
//! and antivirus detections into findings, with the lines behind them. It also builds the timeline of those events and searches
//! every log for many trigger words at once.
//!
//! The rules' data (thresholds, web patterns, default trigger words) lives in
//! `rules/logs/` and is embedded in the binary.

mod analyse;
mod event;
mod grep;
mod journal;
mod parse;
mod reader;
mod rules;
mod source;
mod time;
mod timeline;

pub use analyse::{Analysis, Options, analyse, facts};
pub use event::{CronAction, Event, Kind, MailStatus, WebRequest};
pub use grep::{GrepStats, Match, Words, WordsError, default_words, grep, words_from};
pub use journal::{JournalError, journalctl};
pub use parse::{Format, Parser};
pub use reader::{LogReader, MAX_LINE};
pub use rules::config::ConfigError;
pub use rules::{Facts, Thresholds};
pub use source::{Family, LogFile, given, standard};
pub use timeline::{CsvLayout, Entry, write_csv};
