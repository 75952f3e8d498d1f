//! `/var/log/lastlog`: one 292-byte `struct lastlog` per uid at offset `uid × 292`.
//! On a host with large uids (LDAP, containers) the file is sparse and terabytes
//! long, so it is never read whole: only the records of the host's accounts and of
//! the file's data extents (`SEEK_DATA`/`SEEK_HOLE`, which also finds the records of
//! accounts since deleted) are read.

use super::{LoginsError, Sink, text_field, timestamp};
use breachkit_finding::Warning;
use breachkit_host::Host;
use jiff::Timestamp;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// The size of one record: `ll_time` (i32), `ll_line[32]`, `ll_host[256]`.
pub const LASTLOG_SIZE: u64 = 292;

/// At most this many bytes of data extents are visited; past it (a file copied
/// without its holes) only the accounts' records are read.
const MAX_EXTENT_BYTES: u64 = 64 << 20;

/// The last login of one uid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LastlogRecord {
    /// The host path of the file.
    pub file: String,
    pub uid: u32,
    /// The account of that uid in `/etc/passwd`; none for a uid no account has (now).
    pub user: Option<String>,
    #[serde(serialize_with = "timestamp")]
    pub time: Option<Timestamp>,
    pub line: String,
    /// Remote host (hostile: chosen by whoever logged in).
    pub host: String,
}

/// The record at `uid`, or none when it is all zero (never logged in).
pub fn parse_lastlog_record(
    b: &[u8; LASTLOG_SIZE as usize],
    file: &str,
    uid: u32,
    user: Option<String>,
) -> Option<LastlogRecord> {
    if b.iter().all(|&x| x == 0) {
        return None;
    }
    let mut word = [0u8; 4];
    word.copy_from_slice(b.get(..4)?);
    let sec = i32::from_le_bytes(word);
    Some(LastlogRecord {
        file: file.to_string(),
        uid,
        user,
        time: (sec != 0)
            .then(|| Timestamp::from_second(i64::from(sec)).ok())
            .flatten(),
        line: text_field(b.get(4..36).unwrap_or_default()),
        host: text_field(b.get(36..292).unwrap_or_default()),
    })
}

/// The uids whose records lie in the file's data extents; `None` when the extents
/// cannot be asked for or hold more than [`MAX_EXTENT_BYTES`].
fn extent_uids(file: &File, len: u64) -> Option<BTreeSet<u32>> {
    use nix::unistd::{Whence, lseek};
    let mut uids = BTreeSet::new();
    let mut at: i64 = 0;
    let mut total = 0u64;
    let end = i64::try_from(len).ok()?;
    while at < end {
        let start = match lseek(file, at, Whence::SeekData) {
            Ok(s) => s,
            Err(nix::errno::Errno::ENXIO) => break,
            Err(_) => return None,
        };
        let stop = lseek(file, start, Whence::SeekHole).ok()?.min(end);
        let (s, e) = (u64::try_from(start).ok()?, u64::try_from(stop).ok()?);
        total += e.saturating_sub(s);
        if total > MAX_EXTENT_BYTES {
            return None;
        }
        let first = s / LASTLOG_SIZE;
        let last = e.saturating_sub(1) / LASTLOG_SIZE;
        for uid in first..=last {
            uids.insert(u32::try_from(uid).ok()?);
        }
        if stop <= at {
            break;
        }
        at = stop;
    }
    Some(uids)
}

/// Reads the lastlog file at `host_path`: the records of every account of the host
/// and of every data extent, in uid order.
pub(crate) fn read_lastlog_file(
    host: &Host,
    host_path: &Path,
    sink: Sink<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<(), LoginsError> {
    let (file, meta) = match host.open(host_path) {
        Ok(opened) => opened,
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => {
            warnings.push(e.warning());
            return Ok(());
        }
    };
    let name = host.display(&host.locate(host_path));
    let len = meta.len();
    if len == 0 {
        warnings.push(Warning::new(&name, "file is empty (0 bytes): no records"));
        return Ok(());
    }
    let accounts = host.accounts();
    let mut uids: BTreeSet<u32> = accounts.users.iter().map(|u| u.uid).collect();
    match extent_uids(&file, len) {
        Some(found) => uids.extend(found),
        None => warnings.push(Warning::new(
            &name,
            format!(
                "data extents unknown or larger than {MAX_EXTENT_BYTES} bytes: only the \
                 records of the accounts in /etc/passwd were read"
            ),
        )),
    }
    if len % LASTLOG_SIZE != 0 {
        warnings.push(Warning::new(
            &name,
            format!(
                "size {len} is not a multiple of {LASTLOG_SIZE}: the last record is \
                 truncated (or this is not a lastlog file); it is ignored"
            ),
        ));
    }
    for uid in uids {
        let offset = u64::from(uid) * LASTLOG_SIZE;
        if offset + LASTLOG_SIZE > len {
            continue;
        }
        let mut b = [0u8; LASTLOG_SIZE as usize];
        if let Err(e) = file.read_exact_at(&mut b, offset) {
            warnings.push(Warning::new(
                &name,
                format!("read error at offset {offset} (uid {uid}): {e}"),
            ));
            continue;
        }
        let user = accounts.by_uid(uid).map(|u| u.name.clone());
        if let Some(r) = parse_lastlog_record(&b, &name, uid, user) {
            sink(super::Login::Lastlog(r)).map_err(LoginsError::Write)?;
        }
    }
    Ok(())
}
