//! The login records of the host, parsed natively (never through `last`, which a
//! rootkit may replace): `wtmp` (logins, logouts, boots), `btmp` (failed logins),
//! `utmp` (who is logged in now), `lastlog` (each account's last login), and the
//! SQLite databases newer systems keep instead (wtmpdb, lastlog2).
//!
//! Everything is streamed: a record is handed to a sink as it is read (a `btmp` of
//! a brute-forced server holds millions). A missing file is no error; an
//! unreadable, empty, truncated or garbled one is a [`Warning`] naming it, and the
//! rest is read. Strings from the records are kept as escaped text
//! ([`breachkit_finding::escape_bytes`]: invalid UTF-8 becomes `\xNN`); the JSON
//! writer also escapes what a terminal would act on (`ut_host` is chosen by anyone
//! who fails an SSH login).

mod db;
mod lastlog;
mod utmp;

pub use db::{Lastlog2Record, WtmpdbRecord};
pub use lastlog::{LASTLOG_SIZE, LastlogRecord, parse_lastlog_record};
pub use utmp::{UTMP_SIZE, UtmpRecord, UtmpType, parse_utmp};

use breachkit_finding::{Warning, escape_bytes};
use breachkit_host::Host;
use jiff::Timestamp;
use serde::{Serialize, Serializer};
use std::io::{self, Write};
use std::path::Path;

/// The `struct utmp` files read, rotated ones included.
pub const UTMP_FILES: &[&str] = &[
    "/var/log/wtmp",
    "/var/log/wtmp.1",
    "/var/log/btmp",
    "/var/log/btmp.1",
    "/run/utmp",
    "/var/run/utmp",
];
pub const LASTLOG_FILE: &str = "/var/log/lastlog";
pub const WTMPDB_FILE: &str = "/var/lib/wtmpdb/wtmp.db";
pub const LASTLOG2_FILE: &str = "/var/lib/lastlog/lastlog2.db";

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoginsError {
    /// The sink (the output) failed; reading stops.
    #[error("writing the login records: {0}")]
    Write(#[source] io::Error),
}

/// One record of any of the sources; in JSON, `"format"` says which.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "format", rename_all = "snake_case")]
pub enum Login {
    Utmp(UtmpRecord),
    Lastlog(LastlogRecord),
    Wtmpdb(WtmpdbRecord),
    Lastlog2(Lastlog2Record),
}

/// Where records go as they are read; an error stops the reading.
pub type Sink<'a> = &'a mut dyn FnMut(Login) -> io::Result<()>;

/// A fixed-size, NUL-terminated field as escaped text.
pub(crate) fn text_field(bytes: &[u8]) -> String {
    let text = bytes.split(|&b| b == 0).next().unwrap_or_default();
    escape_bytes(text)
}

/// A time as RFC 3339 in UTC (`2024-05-06T07:08:09.123456Z`), or `null`.
pub(crate) fn timestamp<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.collect_str(t),
        None => s.serialize_none(),
    }
}

/// Reads one `wtmp`/`btmp`/`utmp` file of the host into `sink`.
pub fn read_utmp(
    host: &Host,
    host_path: impl AsRef<Path>,
    sink: Sink<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<(), LoginsError> {
    utmp::read_utmp_file(host, host_path.as_ref(), &mut Vec::new(), sink, warnings)
}

/// Reads a `lastlog` file of the host into `sink` (see the `lastlog` module: only
/// the accounts' records and the file's data extents are read).
pub fn read_lastlog(
    host: &Host,
    host_path: impl AsRef<Path>,
    sink: Sink<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<(), LoginsError> {
    lastlog::read_lastlog_file(host, host_path.as_ref(), sink, warnings)
}

/// Reads a wtmpdb database of the host into `sink`.
pub fn read_wtmpdb(
    host: &Host,
    host_path: impl AsRef<Path>,
    sink: Sink<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<(), LoginsError> {
    db::read_wtmpdb_file(host, host_path.as_ref(), sink, warnings)
}

/// Reads a lastlog2 database of the host into `sink`.
pub fn read_lastlog2(
    host: &Host,
    host_path: impl AsRef<Path>,
    sink: Sink<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<(), LoginsError> {
    db::read_lastlog2_file(host, host_path.as_ref(), sink, warnings)
}

/// Reads every login source of the host ([`UTMP_FILES`], [`LASTLOG_FILE`],
/// [`WTMPDB_FILE`], [`LASTLOG2_FILE`]) into `sink`, in that order. A file reached
/// twice (`/var/run` is usually a link to `/run`) is read once.
pub fn read_all(
    host: &Host,
    sink: Sink<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<(), LoginsError> {
    let mut seen = Vec::new();
    for path in UTMP_FILES {
        utmp::read_utmp_file(host, Path::new(path), &mut seen, sink, warnings)?;
    }
    read_lastlog(host, LASTLOG_FILE, sink, warnings)?;
    read_wtmpdb(host, WTMPDB_FILE, sink, warnings)?;
    read_lastlog2(host, LASTLOG2_FILE, sink, warnings)
}

/// What [`write_jsonl`] wrote.
#[derive(Debug, Default)]
pub struct Written {
    pub records: u64,
    pub warnings: Vec<Warning>,
}

/// Writes every login record of the host (see [`read_all`]) to `out` as JSON lines,
/// one record an object with `"format"` (`utmp`, `lastlog`, `wtmpdb`, `lastlog2`).
/// The JSON is terminal-safe ([`breachkit_finding::json`]).
pub fn write_jsonl(host: &Host, out: impl Write) -> Result<Written, LoginsError> {
    let mut written = Written::default();
    let mut out = io::BufWriter::new(out);
    let mut records = 0u64;
    let mut sink = |login: Login| {
        records += 1;
        write_json_line(&mut out, &login)
    };
    read_all(host, &mut sink, &mut written.warnings)?;
    written.records = records;
    out.flush().map_err(LoginsError::Write)?;
    Ok(written)
}

/// One record as one line of terminal-safe JSON.
pub fn write_json_line(out: &mut impl Write, login: &Login) -> io::Result<()> {
    breachkit_finding::json::to_writer(&mut *out, login)?;
    out.write_all(b"\n")
}
