//! Indicators of compromise for third parties (abuse desks, CERTs, the authorities):
//! the attacker addresses of the log findings, the URLs, domains and addresses that
//! droppers, miners and shell commands reach, the SHA-256 of every malicious file,
//! and the mailboxes and chat-bot tokens phishing kits send their loot to. Each
//! indicator says where it was seen (host path, log file and line), when (the
//! finding's time, else the run's) and by which rule.
//!
//! [`collect`] reads them from the last judged run of a case ([`extract`] does the
//! reading of one finding, conservatively: a value is exported only when it parses
//! as what it claims to be); [`write`] exports them as a STIX 2.1 bundle
//! ([`stix`]), CSV ([`csv`]) or a MISP event ([`misp`]). Exports are deterministic:
//! the same case gives the same bytes, with UUIDv5 ids.
//!
//! Addresses that are not globally routable (private, loopback, link-local, CGNAT)
//! are kept but marked [`Indicator::internal`]: CSV shows them with a note, STIX
//! and MISP, which are for sharing, leave them out.

mod csv;
mod extract;
mod misp;
mod stix;

use breachkit_case::{Case, CaseError, StoredRun};
use breachkit_finding::{Finding, Severity};
use jiff::Timestamp;
use std::collections::BTreeMap;
use std::io::Write;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IocError {
    #[error(transparent)]
    Case(#[from] CaseError),
    #[error("the case has no judged run yet: run `breachkit check` first")]
    NoRun,
    #[error("writing the indicators: {0}")]
    Write(#[from] std::io::Error),
    #[error("unknown indicator format {0:?} (stix, csv or misp)")]
    UnknownFormat(String),
}

/// What an indicator is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// An address the attacker came from (a log line's client or SSH source).
    SourceIp,
    /// An address malicious code connects to (a download server, a reverse shell).
    DestinationIp,
    Url,
    Domain,
    /// The SHA-256 of a malicious file, lowercase hex.
    Sha256,
    /// A mailbox a phishing kit sends what it harvests to.
    Email,
    /// A Telegram bot token (`ID:SECRET`) a kit sends what it harvests through.
    BotToken,
}

impl Kind {
    /// The name in CSV (MISP's attribute names where MISP has one).
    pub fn name(self) -> &'static str {
        match self {
            Kind::SourceIp => "ip-src",
            Kind::DestinationIp => "ip-dst",
            Kind::Url => "url",
            Kind::Domain => "domain",
            Kind::Sha256 => "sha256",
            Kind::Email => "email-dst",
            Kind::BotToken => "telegram-bot-token",
        }
    }
}

/// One place and time an indicator was seen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Sighting {
    /// When: the finding's time, else the run's start ([`Sighting::run_time`]).
    pub time: Timestamp,
    /// Whether `time` is the run's (the finding had none: a file on disk).
    pub run_time: bool,
    /// Where: the host path (a file, a log file) with `:line`, or `pid N`; as the
    /// finding has it (escaped host bytes, attacker-chosen).
    pub place: String,
    /// The finding's rule id (`web.shell-command`).
    pub rule: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    pub kind: Kind,
    /// The value as the attacker wrote it (host bytes unescaped, lossy UTF-8).
    pub value: String,
    /// An address that is not globally routable: not for sharing as an attacker's.
    pub internal: bool,
    /// Every sighting, oldest first; never empty.
    pub seen: Vec<Sighting>,
}

impl Indicator {
    pub fn first_seen(&self) -> Option<Timestamp> {
        self.seen.iter().map(|s| s.time).min()
    }

    pub fn last_seen(&self) -> Option<Timestamp> {
        self.seen.iter().map(|s| s.time).max()
    }

    /// The rule ids behind it, each once, sorted.
    pub fn rules(&self) -> Vec<&str> {
        let mut rules: Vec<&str> = self.seen.iter().map(|s| s.rule.as_str()).collect();
        rules.sort_unstable();
        rules.dedup();
        rules
    }
}

/// The indicators of one run of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicators {
    /// The investigated host's name (as it reports it: attacker-chosen).
    pub hostname: String,
    /// The run they come from, and its command line.
    pub run_id: i64,
    pub command: String,
    /// When the run ended: the time of the export's objects.
    pub as_of: Timestamp,
    /// Sorted by kind, then value.
    pub items: Vec<Indicator>,
}

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A STIX 2.1 bundle (JSON).
    Stix,
    /// CSV: one indicator per row.
    Csv,
    /// A MISP event (JSON).
    Misp,
}

impl std::str::FromStr for Format {
    type Err = IocError;

    fn from_str(s: &str) -> Result<Format, IocError> {
        match s {
            "stix" => Ok(Format::Stix),
            "csv" => Ok(Format::Csv),
            "misp" => Ok(Format::Misp),
            other => Err(IocError::UnknownFormat(other.to_string())),
        }
    }
}

/// The indicators of the case's last judged run.
pub fn collect(case: &Case) -> Result<Indicators, IocError> {
    let run = case.last_judged_run()?.ok_or(IocError::NoRun)?;
    Ok(of_run(&run))
}

/// The indicators of a stored run's findings (`info` findings are not signs of a
/// compromise and give none).
pub fn of_run(run: &StoredRun) -> Indicators {
    let started = parse_time(&run.info.started_at).unwrap_or(Timestamp::UNIX_EPOCH);
    let as_of = parse_time(&run.info.finished_at).unwrap_or(started);
    let parser = extract::parser();
    let mut found: BTreeMap<(Kind, String), Vec<Sighting>> = BTreeMap::new();
    for f in &run.report.findings {
        if f.severity == Severity::Info {
            continue;
        }
        let sighting = sighting(f, started);
        for (kind, value) in extract::values(f, &parser) {
            let seen = found.entry((kind, value)).or_default();
            if !seen.contains(&sighting) {
                seen.push(sighting.clone());
            }
        }
    }
    let items = found
        .into_iter()
        .map(|((kind, value), mut seen)| {
            seen.sort();
            Indicator {
                internal: matches!(kind, Kind::SourceIp | Kind::DestinationIp)
                    && extract::is_internal(&value),
                kind,
                value,
                seen,
            }
        })
        .collect();
    Indicators {
        hostname: run.info.hostname.clone(),
        run_id: run.id,
        command: run.info.command.clone(),
        as_of,
        items,
    }
}

/// Writes the indicators in `format`.
pub fn write(indicators: &Indicators, format: Format, out: impl Write) -> Result<(), IocError> {
    match format {
        Format::Stix => stix::write(indicators, out)?,
        Format::Csv => csv::write(indicators, out)?,
        Format::Misp => misp::write(indicators, out)?,
    }
    Ok(())
}

fn sighting(f: &Finding, run_start: Timestamp) -> Sighting {
    let time = f.time.as_deref().and_then(parse_time);
    let place = match (&f.path, f.line, f.pid) {
        (Some(path), Some(line), _) => format!("{path}:{line}"),
        (Some(path), None, _) => path.clone(),
        (None, _, Some(pid)) => format!("pid {pid}"),
        (None, _, None) => String::new(),
    };
    Sighting {
        time: time.unwrap_or(run_start),
        run_time: time.is_none(),
        place,
        rule: f.rule.clone(),
    }
}

fn parse_time(s: &str) -> Option<Timestamp> {
    s.parse().ok()
}

/// A time as STIX and MISP want it: RFC 3339, UTC, milliseconds.
fn stix_time(t: Timestamp) -> String {
    let ms = t.as_millisecond();
    let secs = Timestamp::from_second(ms.div_euclid(1000)).unwrap_or(t);
    format!(
        "{}.{:03}Z",
        secs.strftime("%Y-%m-%dT%H:%M:%S"),
        ms.rem_euclid(1000)
    )
}

/// A deterministic UUIDv5 for `parts` (joined with NUL) in breachkit's namespace.
fn uuid_of(parts: &[&str]) -> uuid::Uuid {
    let namespace = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"urn:breachkit:iocs");
    uuid::Uuid::new_v5(&namespace, parts.join("\0").as_bytes())
}
