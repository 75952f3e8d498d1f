//! The bodyfile of a planted tree, line by line, then read back by the Sleuth Kit's
//! own `mactime` (Debian package `sleuthkit`).

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_gather::bodyfile::{self, Counts, Options};
use breachkit_host::Host;
use md5::{Digest, Md5};
use nix::sys::stat::{Mode, UtimensatFlags, utimensat};
use nix::sys::time::TimeSpec;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Sets atime and mtime of a path itself (a link is not followed).
fn times(path: &Path, atime: i64, mtime: i64) {
    utimensat(
        nix::fcntl::AT_FDCWD,
        path,
        &TimeSpec::new(atime, 0),
        &TimeSpec::new(mtime, 0),
        UtimensatFlags::NoFollowSymlink,
    )
    .unwrap();
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The name with a `|`, a quote, a newline, a `%` escape and a terminal sequence.
fn hostile() -> &'static OsStr {
    OsStr::from_bytes(b"x|y\"\n%41\x1b[2J.php")
}

struct Tree {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

fn plant() -> Tree {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let html = root.join("var/www/html");
    std::fs::create_dir_all(html.join("sub")).unwrap();
    std::fs::create_dir_all(root.join("tmp")).unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(root.join("etc/passwd"), "root:x:0:0::/root:/bin/sh\n").unwrap();

    let index = html.join("index.php");
    std::fs::write(&index, "<?php echo 1;\n").unwrap();
    chmod(&index, 0o644);
    // atime older than mtime: a read without O_NOATIME would update it (relatime).
    times(&index, 1577900000, 1577934245);

    let big = html.join("big.bin");
    std::fs::write(&big, vec![b'a'; 100]).unwrap();
    chmod(&big, 0o4755);
    times(&big, 1600000000, 1600000000);

    let evil = html.join(hostile());
    std::fs::write(&evil, "").unwrap();
    chmod(&evil, 0o644);
    times(&evil, 1500000000, 1577934245);

    let bad = html.join(OsStr::from_bytes(b"bad\xff.php"));
    std::fs::write(&bad, "x").unwrap();

    std::fs::write(html.join("sub/deep.txt"), "deep").unwrap();
    std::os::unix::fs::symlink("/etc/passwd", html.join("link")).unwrap();
    std::os::unix::fs::symlink("loop2", html.join("loop1")).unwrap();
    std::os::unix::fs::symlink("loop1", html.join("loop2")).unwrap();
    times(&html.join("link"), 1400000000, 1400000001);
    nix::unistd::mkfifo(&html.join("fifo"), Mode::from_bits_truncate(0o644)).unwrap();

    chmod(&root.join("tmp"), 0o1777);
    std::fs::write(root.join("tmp/.x"), "").unwrap();
    times(&html, 1577000000, 1577000001);
    Tree { _dir: dir, root }
}

/// ctime and crtime as the bodyfile writes them.
fn ctimes(path: &Path) -> (i64, u64, i64) {
    let m = std::fs::symlink_metadata(path).unwrap();
    let crtime = m
        .created()
        .map(|t| t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64)
        .unwrap_or(0);
    (m.ctime(), m.ino(), crtime)
}

fn walk(tree: &Tree, options: &Options) -> (String, Counts, Vec<breachkit_finding::Warning>) {
    let host = Host::image(&tree.root).unwrap();
    let dirs: Vec<PathBuf> = ["/var/www", "/var/www/html", "/nonexistent", "/tmp"]
        .iter()
        .map(PathBuf::from)
        .collect();
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let counts = bodyfile::write_bodyfile(&host, &dirs, options, &mut out, &mut warnings).unwrap();
    (String::from_utf8(out).unwrap(), counts, warnings)
}

#[test]
fn lines_are_exact_names_escaped_links_not_followed() {
    let tree = plant();
    let html = tree.root.join("var/www/html");
    let options = Options {
        md5_max: Some(50),
        ..Options::default()
    };
    let (text, counts, warnings) = walk(&tree, &options);
    assert!(warnings.is_empty(), "{warnings:?}");
    // Listing and hashing left every time as it was: a second walk sees the same.
    assert_eq!(walk(&tree, &options).0, text);
    let lines: Vec<&str> = text.lines().collect();
    let names: Vec<&str> = lines.iter().map(|l| l.split('|').nth(1).unwrap()).collect();
    assert_eq!(
        names,
        [
            "/var/www",
            "/var/www/html",
            "/var/www/html/bad\\xff.php",
            "/var/www/html/big.bin",
            "/var/www/html/fifo",
            "/var/www/html/index.php",
            "/var/www/html/link",
            "/var/www/html/loop1",
            "/var/www/html/loop2",
            "/var/www/html/sub",
            "/var/www/html/sub/deep.txt",
            "/var/www/html/x%7Cy\\x22\\n%2541\\e[2J.php",
            "/tmp",
            "/tmp/.x",
        ]
    );
    assert!(lines.iter().all(|l| l.split('|').count() == 11), "{text}");
    assert_eq!(
        counts,
        Counts {
            files: 10,
            dirs: 4,
            hashed: 5,
            errors: 0
        }
    );

    let md5 = hex::encode(Md5::digest(b"<?php echo 1;\n"));
    let (c, ino, b) = ctimes(&html.join("index.php"));
    assert_eq!(
        lines[5],
        format!(
            "{md5}|/var/www/html/index.php|{ino}|r/rrw-r--r--|0|0|14|1577900000|1577934245|{c}|{b}"
        )
    );
    // Hashing did not touch the access time.
    assert_eq!(
        std::fs::metadata(html.join("index.php")).unwrap().atime(),
        1577900000
    );
    let (c, ino, b) = ctimes(&html.join("big.bin"));
    assert_eq!(
        lines[3],
        format!("0|/var/www/html/big.bin|{ino}|r/rrwsr-xr-x|0|0|100|1600000000|1600000000|{c}|{b}"),
        "over the MD5 cap: 0"
    );
    let (c, ino, b) = ctimes(&html.join("link"));
    assert_eq!(
        lines[6],
        format!("0|/var/www/html/link|{ino}|l/lrwxrwxrwx|0|0|11|1400000000|1400000001|{c}|{b}")
    );
    let (c, ino, b) = ctimes(&html.join(hostile()));
    assert_eq!(
        lines[11],
        format!(
            "{}|/var/www/html/x%7Cy\\x22\\n%2541\\e[2J.php|{ino}|r/rrw-r--r--|0|0|0|1500000000|1577934245|{c}|{b}",
            hex::encode(Md5::digest(b""))
        )
    );
    assert!(
        lines[4].starts_with("0|/var/www/html/fifo|"),
        "a FIFO is never opened"
    );
    assert!(lines[4].contains("|p/prw-r--r--|"));
    let (c, ino, b) = ctimes(&html);
    assert_eq!(
        lines[1],
        format!("0|/var/www/html|{ino}|d/drwxr-xr-x|0|0|4096|1577000000|1577000001|{c}|{b}")
    );
    assert!(lines[12].contains("|d/drwxrwxrwt|"), "{}", lines[12]);

    // Without MD5 every sum is 0.
    let (text, counts, _) = walk(&tree, &Options::default());
    assert_eq!(counts.hashed, 0);
    assert!(text.lines().all(|l| l.starts_with("0|")));

    // Link targets, as fls writes them, on request (reading one updates its atime).
    let (text, counts, warnings) = walk(
        &tree,
        &Options {
            link_targets: true,
            ..Options::default()
        },
    );
    assert!(warnings.is_empty() && counts.errors == 0, "{warnings:?}");
    let (c, ino, b) = ctimes(&html.join("link"));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[6],
        format!(
            "0|/var/www/html/link -> /etc/passwd|{ino}|l/lrwxrwxrwx|0|0|11|1400000000|1400000001|{c}|{b}"
        )
    );
    assert!(lines[7].starts_with("0|/var/www/html/loop1 -> loop2|"));
    assert!(lines[8].starts_with("0|/var/www/html/loop2 -> loop1|"));
}

#[test]
fn unreadable_directories_and_links_to_root_do_not_stop_the_walk() {
    let tree = plant();
    let html = tree.root.join("var/www/html");
    // A directory swapped for a link to `/` is listed as a link, never entered.
    std::fs::remove_dir_all(html.join("sub")).unwrap();
    std::os::unix::fs::symlink("/", html.join("sub")).unwrap();
    // The walk runs as an unprivileged user below: the image must be reachable.
    chmod(&tree.root, 0o755);

    // As an unprivileged user a mode-000 directory cannot be listed.
    let locked = html.join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("secret"), "").unwrap();
    chmod(&locked, 0o000);
    let root = tree.root.clone();
    let child = std::thread::spawn(move || {
        // setuid on this thread only (the raw syscall is per-thread on Linux).
        let rc = unsafe { nix::libc::syscall(nix::libc::SYS_setresuid, 65534, 65534, 65534) };
        assert_eq!(rc, 0);
        let host = Host::image(&root).unwrap();
        let mut out = Vec::new();
        let mut warnings = Vec::new();
        let counts = bodyfile::write_bodyfile(
            &host,
            &[PathBuf::from("/var/www/html")],
            &Options {
                md5_max: Some(1 << 20),
                ..Options::default()
            },
            &mut out,
            &mut warnings,
        )
        .unwrap();
        (String::from_utf8(out).unwrap(), counts, warnings)
    });
    let (text, counts, warnings) = child.join().unwrap();
    let locked_warnings: Vec<_> = warnings
        .iter()
        .filter(|w| w.path.as_deref() == Some("/var/www/html/locked"))
        .collect();
    assert_eq!(locked_warnings.len(), 1, "{warnings:?}");
    assert!(
        locked_warnings[0]
            .message
            .contains("cannot list the directory")
    );
    assert!(
        text.contains("|/var/www/html/locked|"),
        "listed, not entered"
    );
    assert!(!text.contains("secret"));
    assert!(text.contains("|/var/www/html/sub|"), "the walk went on");
    assert!(text.contains("|/var/www/html/x%7Cy"), "the walk went on");
    assert!(
        !text.contains("|/etc/passwd|"),
        "the link to / was not entered"
    );
    assert_eq!(counts.dirs, 2, "{text}");
    assert_eq!(counts.errors as usize, warnings.len());
}

#[test]
fn mactime_reads_every_line_with_its_times() {
    let which = Command::new("mactime").arg("-h").output();
    assert!(
        which.is_ok(),
        "mactime (Debian package sleuthkit) is needed by this test: apt-get install -y sleuthkit"
    );
    let tree = plant();
    let (text, _, _) = walk(
        &tree,
        &Options {
            md5_max: Some(1 << 20),
            ..Options::default()
        },
    );
    let body = tree.root.join("body.txt");
    std::fs::write(&body, &text).unwrap();
    let out = Command::new("mactime")
        .arg("-b")
        .arg(&body)
        .args(["-d", "-y", "-z", "UTC"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let timeline = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = timeline.lines().skip(1).collect();

    // One row per distinct time of each entry (a crtime of 0 is a time to mactime).
    let expected: usize = text
        .lines()
        .map(|l| {
            let mut t: Vec<&str> = l.split('|').skip(7).collect();
            t.sort();
            t.dedup();
            t.len()
        })
        .sum();
    assert_eq!(rows.len(), expected, "{timeline}");

    let ino = std::fs::symlink_metadata(tree.root.join("var/www/html").join(hostile()))
        .unwrap()
        .ino();
    let name = "\"/var/www/html/x|y\\x22\\n%41\\e[2J.php\"";
    let mine: Vec<&&str> = rows.iter().filter(|r| r.ends_with(name)).collect();
    assert!(
        mine.contains(&&&*format!(
            "2020-01-02T03:04:05Z,0,m...,r/rrw-r--r--,0,0,{ino},{name}"
        )),
        "{timeline}"
    );
    assert!(
        mine.contains(&&&*format!(
            "2017-07-14T02:40:00Z,0,.a..,r/rrw-r--r--,0,0,{ino},{name}"
        )),
        "{timeline}"
    );
    assert!(
        rows.iter().any(
            |r| r.starts_with("2019-12-22T07:33:21Z,4096,m...,d/drwxr-xr-x,0,0,")
                && r.ends_with(",\"/var/www/html\"")
        ),
        "{timeline}"
    );
    assert!(!timeline.contains('\x1b'));
}

#[test]
fn on_the_live_root_a_linked_directory_is_walked_where_it_leads() {
    let t = tempfile::tempdir().unwrap();
    let real = t.path().join("srv-www");
    std::fs::create_dir(&real).unwrap();
    std::fs::write(real.join("index.php"), "x").unwrap();
    let link = t.path().join("www");
    std::os::unix::fs::symlink("srv-www", &link).unwrap();
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let counts = bodyfile::write_bodyfile(
        &Host::live(),
        &[link.clone(), real.clone()],
        &Options::default(),
        &mut out,
        &mut warnings,
    )
    .unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let text = String::from_utf8(out).unwrap();
    let real = real.canonicalize().unwrap();
    let names: Vec<&str> = text.lines().map(|l| l.split('|').nth(1).unwrap()).collect();
    assert_eq!(
        names,
        [
            real.to_str().unwrap().to_string(),
            format!("{}/index.php", real.to_str().unwrap())
        ],
        "walked once, under its real name"
    );
    assert_eq!((counts.dirs, counts.files), (1, 1));
}
