#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! The antivirus job against a real ClamAV daemon started for the test (its own
//! configuration, sockets and signature database in a temp dir): a planted file
//! found by clamd over FILDES (Unix socket) and INSTREAM (TCP), a webshell found by
//! breachkit's engine, a clean twin silent on both, big files marked cut; then
//! clamd stopped, and fake daemons answering garbage, a size-limit error, or
//! nothing: every file's clamd verdict is an error, never clean.

use breachkit_gather::av::{
    self, AvOptions, AvReport, ClamdAddr, ClamdChoice, FileResult, Verdict,
};
use breachkit_host::Host;
use md5::{Digest, Md5};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PLANTED: &[u8] = b"Quarterly numbers, nothing to see here.\nBKAVTEST-7f3a9c-PLANTED\n";
const TWIN: &[u8] = b"Quarterly numbers, nothing to see here.\nand only numbers here.\n";
const SHELL: &[u8] = b"<?php @system($_GET['c']);\n";
const SIG_HDB: &str = "Breachkit.Test.Planted";
const SIG_NDB: &str = "Breachkit.Test.Body";
/// The daemon's StreamMaxLength and MaxFileSize in the test.
const LIMIT: u64 = 1 << 20;

/// Makes sure `clamd` is installed: installs Debian's package when it is missing,
/// fails (never skips) when that is impossible.
fn ensure_clamd() {
    let have = |p: &str| Path::new(p).exists();
    if have("/usr/sbin/clamd") && have("/usr/bin/clamdscan") {
        return;
    }
    let status = Command::new("apt-get")
        .args(["install", "-y", "clamav-daemon", "clamdscan"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status();
    assert!(
        have("/usr/sbin/clamd"),
        "clamd is missing and `apt-get install -y clamav-daemon clamdscan` did not install it \
         ({status:?}); install the Debian package clamav-daemon to run these tests"
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A real clamd with its own configuration and database, stopped when dropped.
struct RealClamd {
    child: Option<Child>,
    dir: tempfile::TempDir,
    socket: PathBuf,
    port: u16,
}

impl RealClamd {
    /// With the test's signatures, in `db` (a copy of ClamAV's real database, for
    /// the benchmark) when given.
    fn start(db: Option<PathBuf>) -> RealClamd {
        ensure_clamd();
        let dir = tempfile::tempdir().unwrap();
        let db = db.unwrap_or_else(|| dir.path().join("db"));
        std::fs::create_dir_all(&db).unwrap();
        let md5 = hex::encode(Md5::digest(PLANTED));
        std::fs::write(
            db.join("breachkit.hdb"),
            format!("{md5}:{}:{SIG_HDB}\n", PLANTED.len()),
        )
        .unwrap();
        std::fs::write(
            db.join("breachkit.ndb"),
            format!("{SIG_NDB}:0:*:{}\n", hex::encode(b"BKAVTEST-7f3a9c")),
        )
        .unwrap();
        let socket = dir.path().join("clamd.sock");
        let port = free_port();
        let conf = dir.path().join("clamd.conf");
        std::fs::write(
            &conf,
            format!(
                "Foreground yes\nLocalSocket {}\nTCPSocket {port}\nTCPAddr 127.0.0.1\n\
                 DatabaseDirectory {}\nPidFile {}\nLogFile {}\nUser root\n\
                 StreamMaxLength 1M\nMaxFileSize 1M\nMaxScanSize 1M\nBytecode no\n",
                socket.display(),
                db.display(),
                dir.path().join("clamd.pid").display(),
                dir.path().join("clamd.log").display(),
            ),
        )
        .unwrap();
        let child = Command::new("/usr/sbin/clamd")
            .arg(format!("--config-file={}", conf.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("clamd.stderr")).unwrap())
            .spawn()
            .expect("start clamd");
        let mut me = RealClamd {
            child: Some(child),
            dir,
            socket,
            port,
        };
        me.wait_for_pong();
        me
    }

    fn wait_for_pong(&mut self) {
        let client = av::Clamd::new(
            ClamdAddr::Unix(self.socket.clone()),
            Duration::from_secs(2),
            LIMIT,
        );
        let until = Instant::now() + Duration::from_secs(300);
        while Instant::now() < until {
            if client.ping().is_ok() {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!("clamd exited ({status}) before answering:\n{}", self.logs());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("clamd did not answer PING within 300 s:\n{}", self.logs());
    }

    fn logs(&self) -> String {
        let read = |n| std::fs::read_to_string(self.dir.path().join(n)).unwrap_or_default();
        format!("{}\n{}", read("clamd.stderr"), read("clamd.log"))
    }

    fn unix(&self) -> ClamdAddr {
        ClamdAddr::Unix(self.socket.clone())
    }

    fn tcp(&self) -> ClamdAddr {
        ClamdAddr::Tcp(format!("127.0.0.1:{}", self.port))
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for RealClamd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A fake host: the planted file, a webshell, a clean twin, a big file, a symlink
/// out of the tree.
fn fake_host() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let www = t.path().join("var/www/html");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("report.txt"), PLANTED).unwrap();
    std::fs::write(www.join("twin.txt"), TWIN).unwrap();
    std::fs::write(www.join("up.php"), SHELL).unwrap();
    std::fs::write(www.join("big.dat"), vec![b'a'; (2 * LIMIT) as usize]).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", www.join("passwd")).unwrap();
    // Opening it would block the walk: it must be passed by.
    nix::unistd::mkfifo(
        &www.join("pipe"),
        nix::sys::stat::Mode::from_bits_truncate(0o644),
    )
    .unwrap();
    t
}

fn options(clamd: ClamdChoice) -> AvOptions {
    let mut o = AvOptions::new();
    o.paths = vec![PathBuf::from("/var/www")];
    o.clamd = clamd;
    o.clamd_timeout = Duration::from_secs(3);
    o.clamd_stream_max = Some(LIMIT);
    o.clamd_max_file = Some(LIMIT);
    o.threads = 2;
    o
}

/// Runs the job; returns the report and every file's result by host path.
fn run(root: &Path, opts: &AvOptions) -> (AvReport, Vec<FileResult>) {
    let host = Host::image(root).unwrap();
    let mut all = Vec::new();
    let report = av::run(&host, opts, &mut |r| all.push(r.clone()));
    all.sort_by(|a, b| a.path.cmp(&b.path));
    (report, all)
}

fn by_path<'a>(all: &'a [FileResult], name: &str) -> &'a FileResult {
    let path = format!("/var/www/html/{name}");
    all.iter()
        .find(|r| r.path == path)
        .unwrap_or_else(|| panic!("{path} not scanned: {all:#?}"))
}

fn is_error(v: &Option<Verdict>) -> bool {
    matches!(v, Some(Verdict::Error { .. }))
}

/// Both engines on the fake host through a working clamd at `addr`.
fn check_both_engines(root: &Path, addr: ClamdAddr, transport: &str) {
    let (report, all) = run(root, &options(ClamdChoice::At(addr)));
    let json = serde_json::to_string_pretty(&report).unwrap();
    assert!(report.failed.is_empty(), "{json}");
    assert_eq!(report.clamd.status, "ok", "{json}");
    assert_eq!(report.clamd.transport, Some(transport));
    assert!(
        report
            .clamd
            .version
            .as_deref()
            .is_some_and(|v| v.starts_with("ClamAV ")),
        "{json}"
    );
    assert_eq!(all.len(), 4, "the symlink is not followed: {all:#?}");
    assert_eq!(report.counts.symlinks, 1);
    assert_eq!(report.counts.special, 1, "the FIFO");

    let planted = by_path(&all, "report.txt");
    assert_eq!(planted.own, Verdict::Clean, "{json}");
    match &planted.clamd {
        Some(Verdict::Found { name, .. }) => {
            // clamd marks signatures not from its own databases `.UNOFFICIAL`.
            assert!(
                [SIG_HDB, SIG_NDB].iter().any(|s| name
                    .strip_prefix(s)
                    .is_some_and(|r| r.is_empty() || r == ".UNOFFICIAL")),
                "{name}"
            )
        }
        other => panic!("clamd missed the planted file over {transport}: {other:?}\n{json}"),
    }
    let shell = by_path(&all, "up.php");
    assert!(shell.own.is_found(), "{json}");
    assert_eq!(shell.clamd, Some(Verdict::Clean), "{json}");
    let twin = by_path(&all, "twin.txt");
    assert_eq!(twin.own, Verdict::Clean);
    assert_eq!(twin.clamd, Some(Verdict::Clean));
    assert!(!report.files.iter().any(|f| f.path.ends_with("twin.txt")));
    // Larger than the daemon's limits: clamd's OK is no verdict on the whole file.
    let big = by_path(&all, "big.dat");
    assert!(
        matches!(big.clamd, Some(Verdict::Cut { .. })),
        "{transport}: {big:?}"
    );

    assert_eq!(report.counts.files, 4);
    assert_eq!(report.counts.found_own, 1);
    assert_eq!(report.counts.found_clamd, 1);
    assert_eq!(report.counts.found_both, 0);
    assert_eq!(report.counts.errors_clamd, 0);
    assert_eq!(report.counts.cut_clamd, 1);
    assert_eq!(
        report.disagree,
        ["/var/www/html/report.txt", "/var/www/html/up.php"]
    );
    let av: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "gather.av-detection")
        .collect();
    assert_eq!(av.len(), 1, "{json}");
    assert_eq!(av[0].path.as_deref(), Some("/var/www/html/report.txt"));
    assert_eq!(av[0].severity, breachkit_finding::Severity::High);
    assert!(av[0].title.starts_with("ClamAV detects Breachkit.Test."));
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule.starts_with("scan.")
                && f.path.as_deref() == Some("/var/www/html/up.php"))
    );
}

#[test]
fn real_clamd_fildes_instream_and_stopped() {
    let host = fake_host();
    let mut clamd = RealClamd::start(None);
    // An access time older than the change: a read without O_NOATIME would move it.
    let planted = host.path().join("var/www/html/report.txt");
    let old = nix::sys::time::TimeSpec::new(1_000_000_000, 0);
    nix::sys::stat::utimensat(
        nix::fcntl::AT_FDCWD,
        &planted,
        &old,
        &nix::sys::time::TimeSpec::UTIME_OMIT,
        nix::sys::stat::UtimensatFlags::NoFollowSymlink,
    )
    .unwrap();
    check_both_engines(host.path(), clamd.unix(), "fildes");
    check_both_engines(host.path(), clamd.tcp(), "instream");
    let atime = std::os::unix::fs::MetadataExt::atime(&std::fs::metadata(&planted).unwrap());
    assert_eq!(
        atime, 1_000_000_000,
        "reading the files moved their access time"
    );

    // Found from a configuration file naming the test's socket.
    let conf = clamd.dir.path().join("found.conf");
    std::fs::write(
        &conf,
        format!(
            "# test\nLocalSocket {}\nStreamMaxLength 1M\nMaxFileSize 1M\n",
            clamd.socket.display()
        ),
    )
    .unwrap();
    let missing = clamd.dir.path().join("missing.conf");
    let (report, _) = run(
        host.path(),
        &options(ClamdChoice::Auto {
            configs: vec![missing.clone(), conf.clone()],
        }),
    );
    assert_eq!(report.clamd.config.as_deref(), conf.to_str());
    assert_eq!(report.counts.found_clamd, 1);
    let (report, _) = run(
        host.path(),
        &options(ClamdChoice::Auto {
            configs: vec![missing],
        }),
    );
    assert_eq!(report.clamd.status, "not-used");
    assert!(report.failed.is_empty());

    // The daemon stopped: no file is clean to clamd, and the job says it failed.
    let (unix, tcp) = (clamd.unix(), clamd.tcp());
    clamd.stop();
    // Found from its configuration but not running (nobody asked for it by
    // name): said in a warning, the job is not failed.
    let (report, all) = run(
        host.path(),
        &options(ClamdChoice::Auto {
            configs: vec![conf.clone()],
        }),
    );
    assert_eq!(report.clamd.status, "not-used");
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.message.contains("does not answer")),
        "{:?}",
        report.warnings
    );
    assert!(all.iter().all(|r| r.clamd.is_none()));
    for addr in [unix, tcp] {
        let (report, all) = run(host.path(), &options(ClamdChoice::At(addr.clone())));
        assert_eq!(report.clamd.status, "failed", "{addr}");
        assert!(
            report.failed.iter().any(|f| f.contains("clamd")),
            "{:?}",
            report.failed
        );
        assert!(!report.warnings.is_empty());
        assert_eq!(all.len(), 4);
        assert!(all.iter().all(|r| is_error(&r.clamd)), "{all:#?}");
        assert_eq!(report.counts.errors_clamd, 4);
        assert_eq!(report.counts.found_clamd, 0);
        // Listed: what the own engine found; a down clamd's errors are only counted.
        let listed: Vec<_> = report.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(listed, ["/var/www/html/up.php"]);
        // The own engine still did its job.
        assert!(by_path(&all, "up.php").own.is_found());
        assert!(
            !report
                .findings
                .iter()
                .any(|f| f.rule == "gather.av-detection")
        );
    }
}

#[test]
fn own_engine_that_cannot_start_is_a_failed_section() {
    let host = fake_host();
    let mut opts = options(ClamdChoice::Off);
    opts.scan.rules = vec![host.path().join("no-such-rules.yar")];
    let (report, all) = run(host.path(), &opts);
    assert_eq!(report.own.status, "failed");
    assert_eq!(report.clamd.status, "not-used");
    assert!(
        report
            .failed
            .iter()
            .any(|f| f.contains("no-such-rules.yar")),
        "{:?}",
        report.failed
    );
    assert_eq!(all.len(), 4);
    assert!(
        all.iter()
            .all(|r| matches!(r.own, Verdict::Error { .. }) && r.clamd.is_none()),
        "{all:#?}"
    );
    assert_eq!(report.counts.errors_own, 4);
    assert!(report.files.is_empty() && report.findings.is_empty());
}

#[derive(Clone, Copy)]
enum Fake {
    Garbage,
    SizeLimit,
    Silent,
}

/// Reads one command (up to `\0`); `None` at the end of the connection.
fn command(conn: &mut impl Read) -> Option<Vec<u8>> {
    let mut cmd = Vec::new();
    let mut b = [0u8; 1];
    loop {
        match conn.read(&mut b) {
            Ok(1) if b[0] == 0 => return Some(cmd),
            Ok(1) => cmd.push(b[0]),
            _ => return None,
        }
    }
}

/// Serves one connection of a fake clamd: PING and VERSION answered properly,
/// scans as `mode` says.
fn serve(mut conn: impl Read + Write, mode: Fake) {
    let Some(cmd) = command(&mut conn) else {
        return;
    };
    let answer: &[u8] = match (cmd.as_slice(), mode) {
        (b"zPING", _) => b"PONG\0",
        (b"zVERSION", _) => b"ClamAV 9.9.9/1/fake\0",
        (_, Fake::Garbage) => b"\x1b[2Jall good, trust me\0",
        (_, Fake::SizeLimit) => b"INSTREAM size limit exceeded. ERROR\0",
        // Answers nothing, reads until the client gives up.
        (_, Fake::Silent) => b"",
    };
    let _ = conn.write_all(answer);
    // Whatever else the client sends is read (not left to reset the connection).
    let mut sink = [0u8; 4096];
    while matches!(conn.read(&mut sink), Ok(n) if n > 0) {}
}

fn fake_unix(dir: &Path, mode: Fake) -> ClamdAddr {
    let path = dir.join("fake.sock");
    let listener = UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            std::thread::spawn(move || serve(conn, mode));
        }
    });
    ClamdAddr::Unix(path)
}

fn fake_tcp(mode: Fake) -> ClamdAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            std::thread::spawn(move || serve(conn, mode));
        }
    });
    ClamdAddr::Tcp(format!("127.0.0.1:{port}"))
}

#[test]
fn fake_clamd_garbage_size_limit_and_silence_are_errors() {
    let host = fake_host();
    let socks = tempfile::tempdir().unwrap();
    let cases = [
        (
            "garbage over FILDES",
            fake_unix(socks.path(), Fake::Garbage),
            "does not understand",
        ),
        (
            "garbage over INSTREAM",
            fake_tcp(Fake::Garbage),
            "does not understand",
        ),
        (
            "size limit",
            fake_tcp(Fake::SizeLimit),
            "INSTREAM size limit exceeded",
        ),
        ("silence", fake_tcp(Fake::Silent), "no answer within"),
    ];
    for (what, addr, reason) in cases {
        let mut opts = options(ClamdChoice::At(addr));
        opts.clamd_timeout = Duration::from_secs(1);
        let started = Instant::now();
        let (report, all) = run(host.path(), &opts);
        let json = serde_json::to_string_pretty(&report).unwrap();
        assert_eq!(report.clamd.version.as_deref(), Some("ClamAV 9.9.9/1/fake"));
        assert_eq!(all.len(), 4, "{what}");
        for r in &all {
            assert!(is_error(&r.clamd), "{what}: {r:?}");
        }
        assert!(
            all.iter().any(
                |r| matches!(&r.clamd, Some(Verdict::Error { reason: m }) if m.contains(reason))
            ),
            "{what}: {json}"
        );
        assert_eq!(report.counts.errors_clamd, 4, "{what}");
        assert!(report.disagree.is_empty(), "{what}");
        if what != "silence" {
            assert_eq!(report.files.len(), 4, "{what}: every error is listed");
        }
        // The escape sequence of the garbage answer never reaches the report raw.
        assert!(!json.contains('\x1b'), "{what}");
        if what == "silence" {
            assert!(report.clamd.status == "failed", "{json}");
            assert!(!report.failed.is_empty());
            assert!(started.elapsed() < Duration::from_secs(30));
        }
    }
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let t = e.file_type().unwrap();
        if t.is_dir() {
            out.extend(walk_files(&e.path()));
        } else if t.is_file() {
            out.push(e.path());
        }
    }
    out
}

/// The own engine and `clamdscan --fdpass` on the same tree, and the job with both.
/// Run in release: `cargo test --release -p breachkit-gather --test av -- --ignored --nocapture`
/// (`BREACHKIT_AV_BENCH=DIR` picks the tree, default the benign PHP of the benchmark;
/// `BREACHKIT_AV_BENCH_DB=DIR`, a writable copy of `/var/lib/clamav`, gives clamd
/// ClamAV's real signatures instead of the test's two).
#[test]
#[ignore]
fn bench_own_engine_vs_clamdscan() {
    let tree = std::env::var_os("BREACHKIT_AV_BENCH").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench/php-webshells/benign"),
        PathBuf::from,
    );
    let tree = tree.canonicalize().expect("the benchmark tree");
    let clamd = RealClamd::start(std::env::var_os("BREACHKIT_AV_BENCH_DB").map(PathBuf::from));
    let host = Host::live();
    let mut opts = options(ClamdChoice::Off);
    opts.paths = vec![tree.clone()];
    opts.threads = std::thread::available_parallelism().map_or(2, usize::from);

    let t = Instant::now();
    let own = av::run(&host, &opts, &mut |_| {});
    let own_time = t.elapsed();

    let conf = clamd.dir.path().join("clamd.conf");
    let t = Instant::now();
    let out = Command::new("clamdscan")
        .arg(format!("--config-file={}", conf.display()))
        .args(["--fdpass", "--multiscan", "--infected", "--no-summary"])
        .arg(&tree)
        .output()
        .unwrap();
    let clamdscan_time = t.elapsed();

    // clamd alone through breachkit's client, one connection per file, one thread:
    // what a request costs besides clamd's own scanning.
    let files: Vec<PathBuf> = walk_files(&tree);
    for (name, addr) in [("fildes", clamd.unix()), ("instream", clamd.tcp())] {
        let client = av::Clamd::new(addr, Duration::from_secs(60), 25 << 20);
        let t = Instant::now();
        let mut found = 0;
        for f in &files {
            let (mut file, meta) = host.open(f).unwrap();
            if let Ok(s) = client.scan_file(&mut file, meta.len())
                && matches!(s.answer, av::Answer::Found(_))
            {
                found += 1;
            }
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "client alone, {name}, 1 thread: {} files in {secs:.2} s ({:.0} µs a file, {found} found)",
            files.len(),
            secs * 1e6 / files.len().max(1) as f64
        );
    }

    for (name, addr) in [("fildes", clamd.unix()), ("instream", clamd.tcp())] {
        opts.clamd = ClamdChoice::At(addr);
        for threads in [opts.threads, opts.threads * 2, opts.threads * 4] {
            let mut o = opts.clone();
            o.threads = threads;
            let t = Instant::now();
            let both = av::run(&host, &o, &mut |_| {});
            println!(
                "job, both engines, clamd {name}, {threads} threads: {} files in {:.2} s \
                 (clamd errors {}, failed {:?})",
                both.counts.files,
                t.elapsed().as_secs_f64(),
                both.counts.errors_clamd,
                both.failed
            );
        }
    }
    println!(
        "own engine alone: {} files in {:.2} s ({} found)",
        own.counts.files,
        own_time.as_secs_f64(),
        own.counts.found_own
    );
    println!(
        "clamdscan --fdpass --multiscan: {:.2} s, exit {:?}",
        clamdscan_time.as_secs_f64(),
        out.status.code()
    );
}
