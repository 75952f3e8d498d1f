//! Bad input the scanner must survive, warning and going on: a 2 GB sparse file
//! (read only up to the size cap), a file truncated while it is scanned, a FIFO
//! (skipped without blocking), a symlink to /etc/shadow inside the web root (not
//! followed), file names that are not UTF-8, 100,000 files in one directory, and
//! files that are one long run of a character (every pass must be linear).

use breachkit_host::Host;
use breachkit_scan::{Engine, Options, Progress, Stats, Tree, scan_tree};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const SHELL: &[u8] = b"<?php @system($_GET['c']);\n";

fn engine() -> Engine {
    Engine::new(Options::new(breachkit_detect::files::PLACES)).unwrap()
}

fn scan(
    root: &Path,
    engine: &Engine,
) -> (
    Vec<breachkit_finding::Finding>,
    Vec<breachkit_finding::Warning>,
    Stats,
) {
    let host = Host::image(root).unwrap();
    let tree = Tree {
        host: &host,
        roots: vec![PathBuf::from("/var/www")],
        threads: 2,
    };
    scan_tree(engine, &tree, &Progress::default())
}

fn web(root: &Path) -> PathBuf {
    let d = root.join("var/www/html");
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn sparse_2gb_file_is_capped() {
    let t = tempfile::tempdir().unwrap();
    let big = web(t.path()).join("backup.zip");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    let started = Instant::now();
    let (findings, warnings, stats) = scan(t.path(), &engine());
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "took {:?}",
        started.elapsed()
    );
    assert!(findings.is_empty());
    assert_eq!(stats.bytes, 32 << 20);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(
        warnings[0].path.as_deref(),
        Some("/var/www/html/backup.zip")
    );
    assert!(
        warnings[0].message.contains("only the first 32 MiB"),
        "{}",
        warnings[0].message
    );
}

#[test]
fn fifo_and_symlinks_are_not_opened_or_followed() {
    let t = tempfile::tempdir().unwrap();
    let html = web(t.path());
    nix::unistd::mkfifo(
        &html.join("pipe.php"),
        nix::sys::stat::Mode::from_bits_truncate(0o644),
    )
    .unwrap();
    std::os::unix::fs::symlink("/etc/shadow", html.join("shadow.txt")).unwrap();
    // A link out of the tree to a real webshell: following it would report it.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("evil.php"), SHELL).unwrap();
    std::os::unix::fs::symlink(outside.path().join("evil.php"), html.join("link.php")).unwrap();
    std::os::unix::fs::symlink(outside.path(), html.join("linked-dir")).unwrap();
    std::fs::write(html.join("index.php"), b"<?php echo 'hello';\n").unwrap();
    let started = Instant::now();
    let (findings, warnings, stats) = scan(t.path(), &engine());
    assert!(started.elapsed() < Duration::from_secs(60));
    assert!(findings.is_empty(), "{findings:?}");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(stats.files, 1);
    assert_eq!(stats.special, 1);
    assert_eq!(stats.symlinks, 3);
}

#[test]
fn invalid_utf8_names_are_escaped() {
    let t = tempfile::tempdir().unwrap();
    let html = web(t.path());
    let name = std::ffi::OsStr::from_bytes(b"sh\xffell\x1b[2J.php");
    std::fs::write(html.join(name), SHELL).unwrap();
    let (findings, warnings, _) = scan(t.path(), &engine());
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(findings.len(), 1);
    assert_eq!(
        findings[0].path.as_deref(),
        Some("/var/www/html/sh\\xffell\u{1b}[2J.php")
    );
    assert_eq!(findings[0].rule, "scan.webshell");
}

#[test]
fn truncated_while_scanned() {
    let t = tempfile::tempdir().unwrap();
    let html = web(t.path());
    let file = html.join("growing.php");
    let mut content = SHELL.to_vec();
    content.resize(2 << 20, b' ');
    std::fs::write(&file, &content).unwrap();
    let engine = engine();
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let f = std::fs::OpenOptions::new().write(true).open(&file).unwrap();
                f.set_len(100).unwrap();
                f.set_len(2 << 20).unwrap();
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        for _ in 0..10 {
            let (findings, _warnings, stats) = scan(t.path(), &engine);
            assert_eq!(stats.files, 1);
            assert!(findings.len() <= 1);
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    // Deterministically: what was read is shorter than what fstat said.
    let host = Host::image(t.path()).unwrap();
    let mut c = host.read("/var/www/html/growing.php", 1 << 30).unwrap();
    c.bytes.truncate(50);
    c.truncated = true;
    let got = engine
        .scanner()
        .scan_content("/var/www/html/growing.php", &c);
    assert!(
        got.warnings
            .iter()
            .any(|w| w.message.contains("shrank while it was read")),
        "{:?}",
        got.warnings
    );
}

#[test]
fn hundred_thousand_files_in_one_directory() {
    let t = tempfile::tempdir().unwrap();
    let dir = web(t.path()).join("cache");
    std::fs::create_dir(&dir).unwrap();
    for i in 0..100_000 {
        std::fs::write(dir.join(format!("{i:06}.html")), b"<p>cached page</p>\n").unwrap();
    }
    std::fs::write(dir.join("050000.php"), SHELL).unwrap();
    let (findings, warnings, stats) = scan(t.path(), &engine());
    assert!(warnings.is_empty());
    assert_eq!(stats.files, 100_001);
    assert_eq!(findings.len(), 1);
    assert_eq!(
        findings[0].path.as_deref(),
        Some("/var/www/html/cache/050000.php")
    );
}

/// One long run of one character, without a space or a newline, in each kind of
/// script: every pass over it is linear. Once a run of base64 characters was
/// re-read whole at each further character (a 256 KiB file took 9 s, 1 MiB over
/// a minute in a release build); 4 MiB each, in a debug build, now take about a
/// second in all.
#[test]
fn one_long_run_is_linear() {
    let engine = engine();
    let mut scanner = engine.scanner();
    let run = vec![b'a'; 4 << 20];
    let mut php = b"<?php $x = '".to_vec();
    php.extend(&run);
    let start = Instant::now();
    for (path, bytes) in [
        ("/var/www/html/a.php", &run),
        ("/var/www/html/b.inc", &run),
        ("/var/www/html/c.sh", &run),
        ("/var/www/html/d.php", &php),
    ] {
        let got = scanner.scan_bytes(path, bytes, 0, 0);
        assert!(got.finding.is_none(), "{path}: {:?}", got.finding);
    }
    let took = start.elapsed();
    assert!(took < Duration::from_secs(30), "took {took:?}");
}
