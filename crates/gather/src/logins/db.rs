//! The SQLite login databases that replace the binary files on newer systems
//! (Debian 13, util-linux 2.40+): wtmpdb's `/var/lib/wtmpdb/wtmp.db` and
//! `/var/lib/lastlog/lastlog2.db`. The file is read through [`Host::open`] (no
//! symlink, no FIFO, `O_NOATIME`, bounded) into memory and opened there read-only,
//! so SQLite never touches the host's copy (no journal, no `-shm`, no atime).

use super::{LoginsError, Sink, timestamp};
use breachkit_finding::{Warning, escape_bytes};
use breachkit_host::Host;
use jiff::Timestamp;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, MAIN_DB, Row};
use serde::Serialize;
use std::io::Read;
use std::path::Path;

/// The largest database read.
const MAX_DB: u64 = 512 << 20;

/// One row of wtmpdb's `wtmp` table: a boot or a session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WtmpdbRecord {
    pub file: String,
    pub id: i64,
    /// `BOOT_TIME`, `RUN_LVL`, `USER_PROCESS`, `EMPTY`, or `UNKNOWN(n)`.
    #[serde(rename = "type")]
    pub kind: String,
    pub user: String,
    #[serde(serialize_with = "timestamp")]
    pub login: Option<Timestamp>,
    #[serde(serialize_with = "timestamp")]
    pub logout: Option<Timestamp>,
    pub tty: String,
    pub remote_host: String,
    pub service: String,
}

/// One row of lastlog2's `Lastlog2` table: an account's last login.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lastlog2Record {
    pub file: String,
    pub user: String,
    #[serde(serialize_with = "timestamp")]
    pub time: Option<Timestamp>,
    pub tty: String,
    pub remote_host: String,
    pub service: String,
}

/// wtmpdb's own type numbers (`wtmpdb.h`), which differ from utmp's.
fn wtmpdb_type(code: i64) -> String {
    match code {
        0 => "EMPTY".into(),
        1 => "BOOT_TIME".into(),
        2 => "RUN_LVL".into(),
        3 => "USER_PROCESS".into(),
        n => format!("UNKNOWN({n})"),
    }
}

/// A column as text, whatever its storage class (a tampered database need not
/// follow the schema).
fn text(row: &Row<'_>, i: usize) -> String {
    match row.get_ref(i) {
        Ok(ValueRef::Text(b) | ValueRef::Blob(b)) => escape_bytes(b),
        Ok(ValueRef::Integer(n)) => n.to_string(),
        Ok(ValueRef::Real(f)) => f.to_string(),
        Ok(ValueRef::Null) | Err(_) => String::new(),
    }
}

fn integer(row: &Row<'_>, i: usize) -> Option<i64> {
    match row.get_ref(i) {
        Ok(ValueRef::Integer(n)) => Some(n),
        Ok(ValueRef::Text(b)) => std::str::from_utf8(b).ok()?.trim().parse().ok(),
        _ => None,
    }
}

/// Opens the database at `host_path` in memory; `None` (with a warning unless it is
/// simply absent) when it cannot be.
fn open(
    host: &Host,
    host_path: &Path,
    warnings: &mut Vec<Warning>,
) -> Option<(Connection, String)> {
    let (file, meta) = match host.open(host_path) {
        Ok(opened) => opened,
        Err(e) if e.is_not_found() => return None,
        Err(e) => {
            warnings.push(e.warning());
            return None;
        }
    };
    let name = host.display(&host.locate(host_path));
    let warn = |warnings: &mut Vec<Warning>, msg: String| {
        warnings.push(Warning::new(&name, msg));
    };
    if meta.len() == 0 {
        warn(warnings, "file is empty (0 bytes): no records".into());
        return None;
    }
    if meta.len() > MAX_DB {
        warn(
            warnings,
            format!(
                "database is {} bytes, more than {MAX_DB}; not read",
                meta.len()
            ),
        );
        return None;
    }
    let mut bytes = Vec::new();
    if let Err(e) = file.take(MAX_DB).read_to_end(&mut bytes) {
        warn(warnings, format!("read error: {e}"));
        return None;
    }
    // A database in WAL mode (header bytes 18 and 19 are 2) cannot be opened in
    // memory; as a rollback-journal database it reads the same (the WAL itself is
    // another file, looked at below).
    for at in [18, 19] {
        if let Some(b) = bytes.get_mut(at).filter(|b| **b == 2) {
            *b = 1;
        }
    }
    let wal = host_path.with_file_name(format!(
        "{}-wal",
        host_path.file_name().unwrap_or_default().to_string_lossy()
    ));
    if let Ok(m) = host.lstat(&wal)
        && m.len() > 0
    {
        warn(
            warnings,
            format!(
                "its write-ahead log {}-wal holds {} bytes not yet in the database \
                 (possibly the latest logins); not read: collect that file too",
                name,
                m.len()
            ),
        );
    }
    let size = bytes.len();
    let opened = Connection::open_in_memory().and_then(|mut conn| {
        conn.deserialize_read_exact(MAIN_DB, bytes.as_slice(), size, true)?;
        Ok(conn)
    });
    match opened {
        Ok(conn) => Some((conn, name)),
        Err(e) => {
            warn(warnings, format!("not a readable SQLite database: {e}"));
            None
        }
    }
}

/// Passes each row of `sql` to `each`; a query error becomes a warning.
fn rows(
    conn: &Connection,
    name: &str,
    sql: &str,
    warnings: &mut Vec<Warning>,
    mut each: impl FnMut(&Row<'_>) -> Result<(), LoginsError>,
) -> Result<(), LoginsError> {
    let query = conn.prepare(sql).and_then(|mut stmt| {
        let mut rows = stmt.query([])?;
        let mut out = Ok(());
        while let Some(row) = rows.next()? {
            out = each(row);
            if out.is_err() {
                break;
            }
        }
        Ok(out)
    });
    match query {
        Ok(result) => result,
        Err(e) => {
            warnings.push(Warning::new(name, format!("cannot read its records: {e}")));
            Ok(())
        }
    }
}

pub(crate) fn read_wtmpdb_file(
    host: &Host,
    host_path: &Path,
    sink: Sink<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<(), LoginsError> {
    let Some((conn, name)) = open(host, host_path, warnings) else {
        return Ok(());
    };
    let sql = "SELECT rowid, Type, User, Login, Logout, TTY, RemoteHost, Service \
               FROM wtmp ORDER BY Login, rowid";
    rows(&conn, &name, sql, warnings, |row| {
        let micros = |i| integer(row, i).and_then(|us| Timestamp::from_microsecond(us).ok());
        let r = WtmpdbRecord {
            file: name.clone(),
            id: integer(row, 0).unwrap_or_default(),
            kind: integer(row, 1).map_or_else(|| "UNKNOWN".into(), wtmpdb_type),
            user: text(row, 2),
            login: micros(3),
            logout: micros(4),
            tty: text(row, 5),
            remote_host: text(row, 6),
            service: text(row, 7),
        };
        sink(super::Login::Wtmpdb(r)).map_err(LoginsError::Write)
    })
}

pub(crate) fn read_lastlog2_file(
    host: &Host,
    host_path: &Path,
    sink: Sink<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<(), LoginsError> {
    let Some((conn, name)) = open(host, host_path, warnings) else {
        return Ok(());
    };
    let sql = "SELECT Name, Time, TTY, RemoteHost, Service FROM Lastlog2 ORDER BY Name";
    rows(&conn, &name, sql, warnings, |row| {
        let r = Lastlog2Record {
            file: name.clone(),
            user: text(row, 0),
            time: integer(row, 1)
                .filter(|&s| s != 0)
                .and_then(|s| Timestamp::from_second(s).ok()),
            tty: text(row, 2),
            remote_host: text(row, 3),
            service: text(row, 4),
        };
        sink(super::Login::Lastlog2(r)).map_err(LoginsError::Write)
    })
}
