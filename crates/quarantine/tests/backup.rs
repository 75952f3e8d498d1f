//! Evidence backup and verify on a real tree: symlinks kept as links and never
//! followed, FIFOs recorded not read, files vanishing mid-backup warned, atime left
//! alone, a changed byte found by verify, a full case disk a clear error.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use breachkit_host::Host;
use breachkit_quarantine::backup::{self, ManifestEntry};
use breachkit_quarantine::verify;
use std::io::Read;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

fn tree() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("www");
    std::fs::create_dir_all(d.join("sub")).unwrap();
    std::fs::write(d.join("a.txt"), b"hello\n").unwrap();
    // Incompressible-ish content larger than any buffer.
    let big: Vec<u8> = (0u32..600_000)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(d.join("sub/big.bin"), &big).unwrap();
    std::fs::write(d.join("z.txt"), b"last\n").unwrap();
    symlink("/etc/passwd", d.join("escape")).unwrap();
    symlink("a.txt", d.join("rel")).unwrap();
    symlink("loop", d.join("loop")).unwrap();
    nix::unistd::mkfifo(
        &d.join("fifo"),
        nix::sys::stat::Mode::from_bits_truncate(0o600),
    )
    .unwrap();
    (t, d)
}

fn manifest(path: &Path) -> Vec<ManifestEntry> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn archive_entries(path: &Path) -> Vec<(String, tar::EntryType, Vec<u8>, Option<String>)> {
    let f = std::fs::File::open(path).unwrap();
    let mut a = tar::Archive::new(zstd::stream::read::Decoder::new(f).unwrap());
    a.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
            let link = e
                .link_name_bytes()
                .map(|l| String::from_utf8_lossy(&l).into_owned());
            let t = e.header().entry_type();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            (name, t, data, link)
        })
        .collect()
}

#[test]
fn backup_keeps_links_records_fifos_and_verifies() {
    let (t, d) = tree();
    let case = t.path().join("case");
    // atime older than mtime: a plain read would update it (relatime).
    let epoch = |s| std::time::UNIX_EPOCH + std::time::Duration::from_secs(s);
    std::fs::File::options()
        .write(true)
        .open(d.join("a.txt"))
        .unwrap()
        .set_times(
            std::fs::FileTimes::new()
                .set_accessed(epoch(1_000_000_000))
                .set_modified(epoch(1_100_000_000)),
        )
        .unwrap();
    let mut seen = 0;
    let s = backup::backup(&Host::live(), std::slice::from_ref(&d), &case, &mut |p| {
        seen = p.entries
    })
    .unwrap();
    assert_eq!(
        (s.files, s.symlinks, s.special, s.dirs),
        (3, 3, 1, 2),
        "{s:?}"
    );
    assert_eq!(seen, 9);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    use std::os::unix::fs::MetadataExt;
    assert_eq!(
        std::fs::metadata(d.join("a.txt")).unwrap().atime(),
        1_000_000_000,
        "atime untouched"
    );
    assert!(s.archive.starts_with(case.join("evidence")));

    let entries = archive_entries(&s.archive);
    let rel = |n: &str| format!("{}/{n}", d.strip_prefix("/").unwrap().display());
    let escape = entries.iter().find(|e| e.0 == rel("escape")).unwrap();
    assert_eq!(escape.1, tar::EntryType::Symlink);
    assert_eq!(escape.3.as_deref(), Some("/etc/passwd"));
    assert!(escape.2.is_empty(), "the link target is never read");
    assert!(
        !entries.iter().any(|e| e.0.ends_with("fifo")),
        "FIFO not stored"
    );
    let big = entries.iter().find(|e| e.0 == rel("sub/big.bin")).unwrap();
    assert_eq!(big.2, std::fs::read(d.join("sub/big.bin")).unwrap());

    let m = manifest(&s.manifest);
    let fifo = m.iter().find(|e| e.path.ends_with("/fifo")).unwrap();
    assert_eq!((fifo.kind.as_str(), fifo.stored), ("fifo", false));
    let a = m.iter().find(|e| e.path.ends_with("/a.txt")).unwrap();
    assert_eq!(
        a.sha256.as_deref(),
        Some("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03")
    );
    assert_eq!(a.mode, 0o644);
    assert_eq!(a.owner.as_deref(), Some("root"));
    assert!(a.mtime.starts_with("2004-11-09"), "{}", a.mtime);
    let header: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&s.manifest)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["tainted"], true);
    assert!(s.archive.with_extension("zst.TAINTED").is_file());

    let r = verify::verify(&s.archive).unwrap();
    assert!(r.differences.is_empty(), "{:?}", r.differences);
    assert_eq!(r.checked, 8);
}

/// Rewrites the archive with one byte of one file changed (the tar stays valid).
fn change_one_byte(archive: &Path, name_end: &str) {
    let f = std::fs::File::open(archive).unwrap();
    let mut a = tar::Archive::new(zstd::stream::read::Decoder::new(f).unwrap());
    let mut out = tar::Builder::new(Vec::new());
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        let mut h = e.header().clone();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        let name = e.path_bytes().into_owned();
        if String::from_utf8_lossy(&name).ends_with(name_end) {
            data[0] ^= 1;
        }
        if h.entry_type() == tar::EntryType::Symlink {
            let target = e.link_name_bytes().unwrap().into_owned();
            out.append_link(
                &mut h,
                std::path::Path::new(std::str::from_utf8(&name).unwrap()),
                std::str::from_utf8(&target).unwrap(),
            )
            .unwrap();
        } else {
            out.append_data(&mut h, std::str::from_utf8(&name).unwrap(), &data[..])
                .unwrap();
        }
    }
    let bytes = zstd::encode_all(&out.into_inner().unwrap()[..], 3).unwrap();
    std::fs::write(archive, bytes).unwrap();
}

#[test]
fn verify_finds_a_changed_byte_and_a_damaged_archive() {
    let (t, d) = tree();
    let case = t.path().join("case");
    let s = backup::backup(&Host::live(), std::slice::from_ref(&d), &case, &mut |_| {}).unwrap();
    let copy = case.join("evidence/copy.tar.zst");
    std::fs::copy(&s.archive, &copy).unwrap();
    std::fs::copy(&s.manifest, verify::manifest_of(&copy)).unwrap();
    change_one_byte(&s.archive, "/a.txt");
    let r = verify::verify(&s.archive).unwrap();
    assert_eq!(r.differences.len(), 1, "{:?}", r.differences);
    assert!(r.differences[0].path.ends_with("/a.txt"));
    assert!(
        r.differences[0].what.contains("SHA-256"),
        "{:?}",
        r.differences
    );

    // A flipped byte in the compressed stream: reported, never a crash.
    let mut bytes = std::fs::read(&copy).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&copy, bytes).unwrap();
    let r = verify::verify(&copy).unwrap();
    assert!(!r.differences.is_empty());
}

#[test]
fn a_file_vanishing_mid_backup_is_a_warning() {
    let (t, d) = tree();
    let case = t.path().join("case");
    let victim = d.join("z.txt");
    let s = backup::backup(&Host::live(), std::slice::from_ref(&d), &case, &mut |p| {
        if p.path.ends_with("a.txt") {
            let _ = std::fs::remove_file(&victim);
        }
    })
    .unwrap();
    assert!(
        s.warnings
            .iter()
            .any(|w| w.path.as_deref().is_some_and(|p| p.ends_with("/z.txt"))
                && w.message.contains("vanished")),
        "{:?}",
        s.warnings
    );
    assert!(verify::verify(&s.archive).unwrap().differences.is_empty());
}

#[test]
fn a_full_case_disk_is_a_clear_error_and_leaves_nothing() {
    let (_t, d) = tree();
    let full = common::FullDisk::new();
    let case = full.dir.path().join("case");
    std::fs::create_dir(&case).ok();
    let err = backup::backup(&Host::live(), &[d], &case, &mut |_| {}).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("No space left") || msg.contains("space"),
        "{msg}"
    );
    let left: Vec<_> = std::fs::read_dir(case.join("evidence"))
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "partial archive removed: {left:?}");
}

/// A panic mid-way (here in the progress callback, standing in for a bug met on a
/// host file) leaves no half archive in the evidence folder to be taken for evidence.
#[test]
fn a_panic_mid_backup_leaves_no_partial_archive() {
    let (t, d) = tree();
    let case = t.path().join("case");
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        backup::backup(&Host::live(), std::slice::from_ref(&d), &case, &mut |p| {
            if p.entries == 3 {
                panic!("a bug met on the third entry");
            }
        })
    }));
    assert!(outcome.is_err(), "the callback panicked");
    let left: Vec<_> = std::fs::read_dir(case.join("evidence"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
