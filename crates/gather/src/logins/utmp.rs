//! glibc's x86_64 `struct utmp` (384 bytes), the record of `wtmp`, `btmp` and
//! `utmp`: parsed field by field from bytes, never trusted.

use super::{LoginsError, Sink, text_field, timestamp};
use breachkit_finding::Warning;
use breachkit_host::Host;
use jiff::Timestamp;
use serde::{Serialize, Serializer};
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

/// The size of one record.
pub const UTMP_SIZE: usize = 384;

/// `ut_type`: what a record says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UtmpType {
    Empty,
    RunLevel,
    BootTime,
    NewTime,
    OldTime,
    InitProcess,
    LoginProcess,
    UserProcess,
    DeadProcess,
    Accounting,
}

impl UtmpType {
    /// The type of a `ut_type` value; `None` for a value glibc never writes.
    pub fn from_code(code: i32) -> Option<UtmpType> {
        Some(match code {
            0 => UtmpType::Empty,
            1 => UtmpType::RunLevel,
            2 => UtmpType::BootTime,
            3 => UtmpType::NewTime,
            4 => UtmpType::OldTime,
            5 => UtmpType::InitProcess,
            6 => UtmpType::LoginProcess,
            7 => UtmpType::UserProcess,
            8 => UtmpType::DeadProcess,
            9 => UtmpType::Accounting,
            _ => return None,
        })
    }

    /// The name `<utmp.h>` gives it (`USER_PROCESS`).
    pub fn name(self) -> &'static str {
        match self {
            UtmpType::Empty => "EMPTY",
            UtmpType::RunLevel => "RUN_LVL",
            UtmpType::BootTime => "BOOT_TIME",
            UtmpType::NewTime => "NEW_TIME",
            UtmpType::OldTime => "OLD_TIME",
            UtmpType::InitProcess => "INIT_PROCESS",
            UtmpType::LoginProcess => "LOGIN_PROCESS",
            UtmpType::UserProcess => "USER_PROCESS",
            UtmpType::DeadProcess => "DEAD_PROCESS",
            UtmpType::Accounting => "ACCOUNTING",
        }
    }
}

impl Serialize for UtmpType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// One record of a `wtmp`, `btmp` or `utmp` file. Strings are the bytes before the
/// first NUL of their field, escaped losslessly ([`breachkit_finding::escape_bytes`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UtmpRecord {
    /// The host path of the file.
    pub file: String,
    /// Byte offset of the record in the file.
    pub offset: u64,
    #[serde(rename = "type")]
    pub kind: UtmpType,
    pub pid: i32,
    /// `ut_line`: the terminal (`pts/0`, `ssh:notty`, `~`).
    pub line: String,
    /// `ut_id`: the inittab id or terminal suffix.
    pub id: String,
    pub user: String,
    /// `ut_host`: remote host name or kernel version (set by whoever logs in: hostile).
    pub host: String,
    /// `ut_addr_v6`: IPv4 when only the first word is set, else IPv6; none when zero.
    pub addr: Option<IpAddr>,
    /// `ut_exit`: termination and exit status of a `DEAD_PROCESS`.
    pub exit: [i16; 2],
    pub session: i32,
    /// `ut_tv` in UTC.
    #[serde(serialize_with = "timestamp")]
    pub time: Option<Timestamp>,
}

/// Why a 384-byte block is not a record.
enum Bad {
    Type(i32),
    Microseconds(i32),
}

fn i32_at(b: &[u8; UTMP_SIZE], at: usize) -> i32 {
    let mut word = [0u8; 4];
    if let Some(src) = b.get(at..at + 4) {
        word.copy_from_slice(src);
    }
    i32::from_le_bytes(word)
}

fn i16_at(b: &[u8; UTMP_SIZE], at: usize) -> i16 {
    let mut word = [0u8; 2];
    if let Some(src) = b.get(at..at + 2) {
        word.copy_from_slice(src);
    }
    i16::from_le_bytes(word)
}

fn field(b: &[u8; UTMP_SIZE], at: usize, len: usize) -> String {
    text_field(b.get(at..at + len).unwrap_or_default())
}

/// `ut_addr_v6` as glibc and util-linux read it: four words in network order; only
/// the first set means IPv4.
fn address(b: &[u8; UTMP_SIZE]) -> Option<IpAddr> {
    let raw = b.get(348..364)?;
    let mut v6 = [0u8; 16];
    v6.copy_from_slice(raw);
    if v6 == [0; 16] {
        return None;
    }
    if v6.get(4..).is_some_and(|rest| rest.iter().all(|&x| x == 0)) {
        let [a, b, c, d, ..] = v6;
        return Some(IpAddr::V4(Ipv4Addr::new(a, b, c, d)));
    }
    Some(IpAddr::V6(Ipv6Addr::from(v6)))
}

fn parse_record(b: &[u8; UTMP_SIZE], file: &str, offset: u64) -> Result<UtmpRecord, Bad> {
    let code = i32_at(b, 0);
    let kind = UtmpType::from_code(code).ok_or(Bad::Type(code))?;
    let (sec, usec) = (i32_at(b, 340), i32_at(b, 344));
    if !(0..1_000_000).contains(&usec) {
        return Err(Bad::Microseconds(usec));
    }
    let time = (sec != 0 || usec != 0)
        .then(|| Timestamp::new(i64::from(sec), usec * 1000).ok())
        .flatten();
    Ok(UtmpRecord {
        file: file.to_string(),
        offset,
        kind,
        pid: i32_at(b, 4),
        line: field(b, 8, 32),
        id: field(b, 40, 4),
        user: field(b, 44, 32),
        host: field(b, 76, 256),
        exit: [i16_at(b, 332), i16_at(b, 334)],
        session: i32_at(b, 336),
        time,
        addr: address(b),
    })
}

/// Counts what was wrong with a file, for one warning at the end rather than one
/// per record (a file of garbage would flood the report).
#[derive(Default)]
struct Problems {
    bad: u64,
    first: Option<(u64, String)>,
}

impl Problems {
    fn add(&mut self, offset: u64, bad: Bad) {
        self.bad += 1;
        if self.first.is_none() {
            let why = match bad {
                Bad::Type(t) => format!("unknown ut_type {t}"),
                Bad::Microseconds(u) => format!("tv_usec {u} out of range"),
            };
            self.first = Some((offset, why));
        }
    }

    fn report(self, file: &str, warnings: &mut Vec<Warning>) {
        if let Some((offset, why)) = self.first {
            warnings.push(Warning::new(
                file,
                format!(
                    "{} block(s) of {UTMP_SIZE} bytes are not utmp records (garbage), \
                     the first at offset {offset} ({why}); skipped",
                    self.bad
                ),
            ));
        }
    }
}

/// The records of a whole `wtmp`/`btmp`/`utmp` file held in memory. `file` names
/// it in the records and warnings.
pub fn parse_utmp(bytes: &[u8], file: &str, warnings: &mut Vec<Warning>) -> Vec<UtmpRecord> {
    let mut out = Vec::new();
    let mut problems = Problems::default();
    let mut blocks = bytes.chunks_exact(UTMP_SIZE);
    let mut offset = 0u64;
    for block in blocks.by_ref() {
        let mut b = [0u8; UTMP_SIZE];
        b.copy_from_slice(block);
        match parse_record(&b, file, offset) {
            Ok(r) => out.push(r),
            Err(bad) => problems.add(offset, bad),
        }
        offset += UTMP_SIZE as u64;
    }
    problems.report(file, warnings);
    let rest = blocks.remainder().len();
    if rest > 0 {
        warnings.push(truncated(file, offset, rest));
    } else if bytes.is_empty() {
        warnings.push(Warning::new(file, "file is empty (0 bytes): no records"));
    }
    out
}

fn truncated(file: &str, offset: u64, len: usize) -> Warning {
    Warning::new(
        file,
        format!(
            "ends with a partial record of {len} bytes at offset {offset} \
             (truncated file, or not a utmp file); ignored"
        ),
    )
}

/// Reads a `wtmp`/`btmp`/`utmp` file of the host record by record (a `btmp` of a
/// brute-forced server is large), passing each to `sink`. A missing file yields
/// nothing; unreadable, empty, truncated or garbage files a warning. Returns the
/// `(device, inode)` read, so a file reached twice (`/var/run` → `/run`) is read once.
pub(crate) fn read_utmp_file(
    host: &Host,
    host_path: &Path,
    seen: &mut Vec<(u64, u64)>,
    sink: Sink<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<(), LoginsError> {
    use std::os::unix::fs::MetadataExt;
    let (file, meta) = match host.open(host_path) {
        Ok(opened) => opened,
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => {
            warnings.push(e.warning());
            return Ok(());
        }
    };
    let name = host.display(&host.locate(host_path));
    if seen.contains(&(meta.dev(), meta.ino())) {
        return Ok(());
    }
    seen.push((meta.dev(), meta.ino()));
    if meta.len() == 0 {
        warnings.push(Warning::new(&name, "file is empty (0 bytes): no records"));
        return Ok(());
    }
    let mut reader = std::io::BufReader::with_capacity(UTMP_SIZE * 256, file);
    let mut problems = Problems::default();
    let mut offset = 0u64;
    loop {
        let mut b = [0u8; UTMP_SIZE];
        let got = match fill(&mut reader, &mut b) {
            Ok(n) => n,
            Err(e) => {
                warnings.push(Warning::new(
                    &name,
                    format!("read error at offset {offset}: {e}; the rest is not read"),
                ));
                break;
            }
        };
        if got == 0 {
            break;
        }
        if got < UTMP_SIZE {
            warnings.push(truncated(&name, offset, got));
            break;
        }
        match parse_record(&b, &name, offset) {
            Ok(r) => sink(super::Login::Utmp(r)).map_err(LoginsError::Write)?,
            Err(bad) => problems.add(offset, bad),
        }
        offset += UTMP_SIZE as u64;
    }
    problems.report(&name, warnings);
    Ok(())
}

/// Reads until `buf` is full or the end of the file; returns how much was read.
fn fill(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while let Some(rest) = buf.get_mut(got..) {
        if rest.is_empty() {
            break;
        }
        match reader.read(rest) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}
