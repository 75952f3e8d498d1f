//! The login records against the real tools: util-linux `utmpdump -r` writes binary
//! `wtmp` records from text, `utmpdump` and `last` read them back; shadow's
//! `lastlog -R` reads a sparse lastlog; the SQLite databases are written with the
//! schemas of wtmpdb and lastlog2.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_finding::Warning;
use breachkit_gather::logins::{self, Login, UTMP_SIZE, UtmpRecord};
use breachkit_host::Host;
use std::io::Write;
use std::process::{Command, Stdio};

/// Runs a tool the test needs; fails (never skips) when it is not installed.
fn run(cmd: &mut Command, stdin: &[u8]) -> Vec<u8> {
    let name = format!("{:?}", cmd.get_program());
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{name} is needed by this test ({e}): apt-get install -y util-linux login")
        });
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn image() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    for d in ["etc", "var/log", "run", "var/lib/wtmpdb", "var/lib/lastlog"] {
        std::fs::create_dir_all(t.path().join(d)).unwrap();
    }
    std::fs::write(
        t.path().join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/bash\n\
         alice:x:1000:1000::/home/alice:/bin/bash\n\
         bob:x:4000000000:100::/home/bob:/bin/bash\n",
    )
    .unwrap();
    t
}

fn read_all(host: &Host) -> (Vec<Login>, Vec<Warning>) {
    let mut got = Vec::new();
    let mut warnings = Vec::new();
    logins::read_all(
        host,
        &mut |l| {
            got.push(l);
            Ok(())
        },
        &mut warnings,
    )
    .unwrap();
    (got, warnings)
}

fn utmp(all: &[Login]) -> Vec<&UtmpRecord> {
    all.iter()
        .filter_map(|l| match l {
            Login::Utmp(r) => Some(r),
            _ => None,
        })
        .collect()
}

/// What `utmpdump` prints of a string field: non-printable bytes and brackets are `?`.
fn cleanse(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '[' && c != ']' || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect()
}

/// The bracketed fields of one `utmpdump` line.
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        // A field ends at the "] " before the next "[" (the host may hold brackets
        // only as '?', so the first "]" closes it).
        let close = after.find(']').unwrap();
        out.push(after[..close].to_string());
        rest = &after[close + 1..];
    }
    out
}

/// A host name that clears the screen, paints, returns the carriage and rings
/// (no `]`: it ends a field of utmpdump's text format).
const HOSTILE: &str = "evil\x1b[2J\x1b[1;31mroot\r\x07host";

fn wtmp_text() -> String {
    [
        "[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-13-amd64      ] [0.0.0.0        ] [2024-05-06T07:00:00,000000+00:00]".to_string(),
        "[6] [00612] [tty1] [LOGIN   ] [tty1        ] [                    ] [0.0.0.0        ] [2024-05-06T07:00:01,250000+00:00]".to_string(),
        "[7] [01234] [ts/0] [alice   ] [pts/0       ] [2001:db8::1         ] [2001:db8::1    ] [2024-05-06T07:08:09,123456+00:00]".to_string(),
        format!("[7] [04321] [ts/1] [root    ] [pts/1       ] [{HOSTILE}] [203.0.113.66   ] [2024-05-06T08:00:00,000001+00:00]"),
        "[8] [01234] [ts/0] [        ] [pts/0       ] [                    ] [0.0.0.0        ] [2024-05-06T09:10:11,000000+00:00]".to_string(),
    ]
    .join("\n")
        + "\n"
}

#[test]
fn wtmp_written_by_utmpdump_reads_as_utmpdump_and_last_read_it() {
    let t = image();
    let wtmp = t.path().join("var/log/wtmp");
    let binary = run(Command::new("utmpdump").arg("-r"), wtmp_text().as_bytes());
    assert_eq!(binary.len(), 5 * UTMP_SIZE);
    std::fs::write(&wtmp, &binary).unwrap();

    let host = Host::image(t.path()).unwrap();
    let (all, warnings) = read_all(&host);
    assert!(warnings.is_empty(), "{warnings:?}");
    let records = utmp(&all);
    assert_eq!(records.len(), 5);

    // utmpdump's own reading of the same file, field by field.
    let dumped = run(Command::new("utmpdump").arg(&wtmp).env("TZ", "UTC"), b"");
    let dumped = String::from_utf8_lossy(&dumped);
    let lines: Vec<&str> = dumped.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(lines.len(), 5, "{dumped}");
    for (r, line) in records.iter().zip(&lines) {
        let f = fields(line);
        let code = match r.kind.name() {
            "BOOT_TIME" => 2,
            "LOGIN_PROCESS" => 6,
            "USER_PROCESS" => 7,
            "DEAD_PROCESS" => 8,
            other => panic!("unexpected type {other}"),
        };
        assert_eq!(f[0], code.to_string(), "{line}");
        assert_eq!(f[1].parse::<i32>().unwrap(), r.pid, "{line}");
        assert_eq!(f[2].trim_end(), r.id.trim_end(), "{line}");
        assert_eq!(f[3].trim_end(), r.user, "{line}");
        assert_eq!(f[4].trim_end(), r.line, "{line}");
        assert_eq!(f[5].trim_end(), cleanse(&r.host), "{line}");
        let addr = r.addr.map_or("0.0.0.0".to_string(), |a| a.to_string());
        assert_eq!(f[6].trim_end(), addr, "{line}");
        let time = r.time.unwrap();
        let ours = format!(
            "{},{:06}+00:00",
            time.strftime("%Y-%m-%dT%H:%M:%S"),
            time.subsec_microsecond()
        );
        assert_eq!(f[7], ours, "{line}");
    }

    let alice = records[2];
    assert_eq!(alice.kind.name(), "USER_PROCESS");
    assert_eq!(alice.addr.unwrap().to_string(), "2001:db8::1");
    assert_eq!(
        alice.time.unwrap().to_string(),
        "2024-05-06T07:08:09.123456Z"
    );
    assert_eq!(alice.file, "/var/log/wtmp");
    assert_eq!(alice.offset, 2 * UTMP_SIZE as u64);
    let root = records[3];
    assert_eq!(
        root.host, HOSTILE,
        "kept as it was, escaped only when printed"
    );
    assert_eq!(root.addr.unwrap().to_string(), "203.0.113.66");
    assert_eq!(records[0].host, "6.1.0-13-amd64");
    assert_eq!(records[0].addr, None);

    // last(1) sees the same sessions.
    let last = run(
        Command::new("last")
            .args(["-f"])
            .arg(&wtmp)
            .args(["--time-format", "iso", "-w", "-i", "-x"])
            .env("TZ", "UTC"),
        b"",
    );
    let last = String::from_utf8_lossy(&last);
    for (user, line, addr, time) in [
        ("alice", "pts/0", "2001:db8::1", "2024-05-06T07:08:09+00:00"),
        ("root", "pts/1", "203.0.113.66", "2024-05-06T08:00:00+00:00"),
        (
            "reboot",
            "system boot",
            "0.0.0.0",
            "2024-05-06T07:00:00+00:00",
        ),
    ] {
        assert!(
            last.lines().any(|l| l.starts_with(user)
                && l.contains(line)
                && l.contains(addr)
                && l.contains(time)),
            "{user} {time} not in last's output:\n{last}"
        );
    }

    // JSON lines: one object a record, nothing a terminal acts on.
    let mut out = Vec::new();
    let written = logins::write_jsonl(&host, &mut out).unwrap();
    assert_eq!(written.records, 5);
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.lines().all(|l| !l.chars().any(char::is_control)),
        "{text:?}"
    );
    let json: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(json.len(), 5);
    assert_eq!(json[2]["format"], "utmp");
    assert_eq!(json[2]["type"], "USER_PROCESS");
    assert_eq!(json[2]["user"], "alice");
    assert_eq!(json[2]["addr"], "2001:db8::1");
    assert_eq!(json[2]["time"], "2024-05-06T07:08:09.123456Z");
    assert_eq!(json[3]["host"], HOSTILE);
    assert_eq!(json[0]["addr"], serde_json::Value::Null);
}

#[test]
fn truncated_garbage_and_empty_files_are_warnings_and_the_rest_is_read() {
    let t = image();
    let good = run(Command::new("utmpdump").arg("-r"), wtmp_text().as_bytes());
    // wtmp: the records, a block of garbage, then half a record.
    let mut wtmp = good.clone();
    let mut garbage = vec![0x41u8; UTMP_SIZE];
    garbage[..4].copy_from_slice(&1234i32.to_le_bytes());
    wtmp.extend_from_slice(&garbage);
    wtmp.extend_from_slice(&good[..100]);
    std::fs::write(t.path().join("var/log/wtmp"), &wtmp).unwrap();
    // btmp.1: rotated and cut in the middle of its second record.
    std::fs::write(t.path().join("var/log/btmp.1"), &good[..UTMP_SIZE + 7]).unwrap();
    // btmp: emptied.
    std::fs::write(t.path().join("var/log/btmp"), b"").unwrap();
    // utmp reached twice: /var/run -> /run.
    std::fs::write(t.path().join("run/utmp"), &good[..UTMP_SIZE]).unwrap();
    std::os::unix::fs::symlink("/run", t.path().join("var/run")).unwrap();

    let host = Host::image(t.path()).unwrap();
    let (all, warnings) = read_all(&host);
    let records = utmp(&all);
    let per_file = |f: &str| records.iter().filter(|r| r.file == f).count();
    assert_eq!(per_file("/var/log/wtmp"), 5);
    assert_eq!(per_file("/var/log/btmp.1"), 1);
    assert_eq!(per_file("/run/utmp"), 1, "read once, under its real name");
    assert_eq!(records.len(), 7);

    let about = |f: &str| -> Vec<&Warning> {
        warnings
            .iter()
            .filter(|w| w.path.as_deref() == Some(f))
            .collect()
    };
    let w = about("/var/log/wtmp");
    assert_eq!(w.len(), 2, "{warnings:?}");
    assert!(w.iter().any(|w| w.message.contains("garbage")
        && w.message.contains("offset 1920")
        && w.message.contains("unknown ut_type 1234")));
    assert!(w.iter().any(|w| {
        w.message
            .contains("partial record of 100 bytes at offset 2304")
    }));
    let w = about("/var/log/btmp.1");
    assert_eq!(w.len(), 1);
    assert!(
        w[0].message
            .contains("partial record of 7 bytes at offset 384")
    );
    let w = about("/var/log/btmp");
    assert_eq!(w.len(), 1);
    assert!(w[0].message.contains("empty"));
    assert_eq!(warnings.len(), 4, "{warnings:?}");

    // The same rules for bytes in memory.
    let mut w = Vec::new();
    assert_eq!(logins::parse_utmp(&wtmp, "x", &mut w).len(), 5);
    assert_eq!(w.len(), 2);
    let mut w = Vec::new();
    assert!(logins::parse_utmp(b"", "x", &mut w).is_empty());
    assert!(w[0].message.contains("empty"));
}

#[test]
fn invalid_utf8_in_fields_is_kept_escaped() {
    let mut rec = vec![0u8; UTMP_SIZE];
    rec[..4].copy_from_slice(&7i32.to_le_bytes());
    rec[44..50].copy_from_slice(b"r\xffo\\t\0");
    rec[50] = b'X'; // after the NUL: not part of the name
    rec[348..352].copy_from_slice(&[192, 0, 2, 1]);
    let mut w = Vec::new();
    let r = &logins::parse_utmp(&rec, "/var/log/btmp", &mut w)[0];
    assert!(w.is_empty());
    assert_eq!(r.user, "r\\xffo\\\\t");
    assert_eq!(r.addr.unwrap().to_string(), "192.0.2.1");
    assert_eq!(r.time, None);
}

fn lastlog_record(time: i32, line: &str, host: &str) -> Vec<u8> {
    let mut b = vec![0u8; logins::LASTLOG_SIZE as usize];
    b[..4].copy_from_slice(&time.to_le_bytes());
    b[4..4 + line.len()].copy_from_slice(line.as_bytes());
    b[36..36 + host.len()].copy_from_slice(host.as_bytes());
    b
}

#[test]
fn sparse_lastlog_is_read_by_extents_and_accounts_and_matches_lastlog() {
    use std::os::unix::fs::FileExt;
    let t = image();
    let path = t.path().join("var/log/lastlog");
    let f = std::fs::File::create(&path).unwrap();
    let size = logins::LASTLOG_SIZE;
    // alice (uid 1000), a deleted account (uid 70000: no passwd entry), and bob's
    // uid far away (4e9 × 292 bytes ≈ 1 TiB, sparse), never logged in but last.
    f.write_all_at(
        &lastlog_record(1714979289, "pts/3", "203.0.113.9"),
        1000 * size,
    )
    .unwrap();
    f.write_all_at(&lastlog_record(1700000000, "pts/9", HOSTILE), 70000 * size)
        .unwrap();
    f.set_len(4_000_000_001 * size).unwrap();
    drop(f);
    let meta = std::fs::metadata(&path).unwrap();
    assert!(meta.len() > 1 << 40);
    assert!(
        std::os::unix::fs::MetadataExt::blocks(&meta) < 1024,
        "the test file must be sparse"
    );

    let host = Host::image(t.path()).unwrap();
    let (all, warnings) = read_all(&host);
    assert!(warnings.is_empty(), "{warnings:?}");
    let records: Vec<_> = all
        .iter()
        .filter_map(|l| match l {
            Login::Lastlog(r) => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(records.len(), 2, "{records:?}");
    assert_eq!(records[0].uid, 1000);
    assert_eq!(records[0].user.as_deref(), Some("alice"));
    assert_eq!(records[0].line, "pts/3");
    assert_eq!(records[0].host, "203.0.113.9");
    assert_eq!(records[0].time.unwrap().to_string(), "2024-05-06T07:08:09Z");
    assert_eq!(records[1].uid, 70000);
    assert_eq!(records[1].user, None, "an account since deleted");
    assert_eq!(records[1].host, HOSTILE);

    // shadow's lastlog(8) reads the same file for the same accounts.
    let out = run(
        Command::new("lastlog")
            .arg("-R")
            .arg(t.path())
            .env("TZ", "UTC"),
        b"",
    );
    let out = String::from_utf8_lossy(&out);
    let alice = out.lines().find(|l| l.starts_with("alice")).unwrap();
    assert!(
        alice.contains("pts/3") && alice.contains("203.0.113.9"),
        "{out}"
    );
    assert!(alice.contains("Mon May  6 07:08:09 +0000 2024"), "{out}");
    for never in ["root", "bob"] {
        let l = out.lines().find(|l| l.starts_with(never)).unwrap();
        assert!(l.contains("Never logged in"), "{out}");
    }

    // Truncated: the last record cut; the others still read.
    let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.set_len(70000 * size + 10).unwrap();
    drop(f);
    let host = Host::image(t.path()).unwrap();
    let (all, warnings) = read_all(&host);
    assert_eq!(all.len(), 1);
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].message.contains("truncated"), "{warnings:?}");
    assert_eq!(warnings[0].path.as_deref(), Some("/var/log/lastlog"));
}

#[test]
fn wtmpdb_and_lastlog2_databases_are_read_without_writing() {
    let t = image();
    let wtmp_db = t.path().join("var/lib/wtmpdb/wtmp.db");
    {
        let db = rusqlite::Connection::open(&wtmp_db).unwrap();
        // The schema wtmpdb creates (lib/sqlite.c), in WAL mode as journald-era
        // systems leave it.
        db.execute_batch(
            "PRAGMA journal_mode=WAL;
             CREATE TABLE IF NOT EXISTS wtmp(ID INTEGER PRIMARY KEY, Type INTEGER, User TEXT NOT NULL, Login INTEGER, Logout INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT) STRICT;
             INSERT INTO wtmp (Type,User,Login,Logout,TTY,RemoteHost,Service) VALUES
               (1,'reboot',1788249600000000,NULL,'~','6.12.48+deb13-amd64',NULL),
               (3,'alice',1788249700123456,1788253300000000,'pts/0','192.0.2.15','sshd');",
        )
        .unwrap();
        db.execute(
            "INSERT INTO wtmp (Type,User,Login,TTY,RemoteHost,Service) VALUES (3,'mallory',1788260000000000,'pts/2',?1,'sshd')",
            [HOSTILE],
        )
        .unwrap();
    }
    let lastlog2 = t.path().join("var/lib/lastlog/lastlog2.db");
    {
        let db = rusqlite::Connection::open(&lastlog2).unwrap();
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS Lastlog2(Name TEXT PRIMARY KEY, Time INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT);
             INSERT INTO Lastlog2 VALUES ('root',1788250000,'tty1',NULL,'login'),('alice',1788249700,'pts/0','192.0.2.15','sshd');",
        )
        .unwrap();
    }
    let before: Vec<_> = std::fs::read_dir(t.path().join("var/lib/wtmpdb"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let bytes_before = std::fs::read(&wtmp_db).unwrap();
    assert_eq!(&bytes_before[18..20], &[2, 2], "a WAL-mode database");

    let host = Host::image(t.path()).unwrap();
    let (all, warnings) = read_all(&host);
    assert!(warnings.is_empty(), "{warnings:?}");
    let sessions: Vec<_> = all
        .iter()
        .filter_map(|l| match l {
            Login::Wtmpdb(r) => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(sessions.len(), 3);
    assert_eq!(sessions[0].kind, "BOOT_TIME");
    assert_eq!(sessions[1].kind, "USER_PROCESS");
    assert_eq!(sessions[1].user, "alice");
    assert_eq!(
        sessions[1].login.unwrap().to_string(),
        "2026-09-01T08:01:40.123456Z"
    );
    assert_eq!(
        sessions[1].logout.unwrap().to_string(),
        "2026-09-01T09:01:40Z"
    );
    assert_eq!(sessions[1].remote_host, "192.0.2.15");
    assert_eq!(sessions[2].remote_host, HOSTILE);
    assert_eq!(sessions[2].logout, None);
    let last: Vec<_> = all
        .iter()
        .filter_map(|l| match l {
            Login::Lastlog2(r) => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(last.len(), 2);
    assert_eq!(last[0].user, "alice");
    assert_eq!(last[1].user, "root");
    assert_eq!(last[1].remote_host, "");
    assert_eq!(last[1].time.unwrap().to_string(), "2026-09-01T08:06:40Z");

    // Nothing written next to the databases, not a byte changed.
    let after: Vec<_> = std::fs::read_dir(t.path().join("var/lib/wtmpdb"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(before, after);
    assert_eq!(std::fs::read(&wtmp_db).unwrap(), bytes_before);

    // A write-ahead log the database does not hold yet is named, not silently lost.
    std::fs::write(t.path().join("var/lib/wtmpdb/wtmp.db-wal"), [0u8; 32]).unwrap();
    std::fs::write(
        t.path().join("var/lib/lastlog/lastlog2.db"),
        b"not sqlite at all",
    )
    .unwrap();
    let host = Host::image(t.path()).unwrap();
    let (all, warnings) = read_all(&host);
    assert_eq!(all.len(), 3);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].message.contains("wtmp.db-wal holds 32 bytes"));
    assert_eq!(
        warnings[1].path.as_deref(),
        Some("/var/lib/lastlog/lastlog2.db")
    );
}

#[test]
fn missing_sources_are_silent() {
    let t = image();
    let host = Host::image(t.path()).unwrap();
    let (all, warnings) = read_all(&host);
    assert!(all.is_empty() && warnings.is_empty());
}
