//! `quarantine verify` against a hostile case folder: a FIFO in place of the
//! archive or its manifest is an error naming it (never a hang), and an archive and
//! manifest rewritten consistently are caught by the manifest hash the case
//! recorded at backup time. A backup the case holds no record of verifies with a
//! warning that the manifest itself could not be checked.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_host::Host;
use breachkit_quarantine::backup::{self, BackupSummary, ManifestEntry};
use breachkit_quarantine::verify::{self, VerifyReport};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn backed_up() -> (tempfile::TempDir, PathBuf, BackupSummary) {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("www");
    std::fs::create_dir_all(d.join("sub")).unwrap();
    std::fs::write(d.join("a.txt"), b"hello\n").unwrap();
    std::fs::write(d.join("sub/b.php"), b"<?php echo 1;\n").unwrap();
    let case = t.path().join("case");
    let s = backup::backup(&Host::live(), std::slice::from_ref(&d), &case, &mut |_| {}).unwrap();
    (t, case, s)
}

fn mkfifo(p: &Path) {
    nix::unistd::mkfifo(p, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
}

/// Runs verify on another thread; fails the test if it does not return in time.
fn verify_promptly(archive: &Path) -> Result<VerifyReport, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let archive = archive.to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(verify::verify(&archive).map_err(|e| e.to_string()));
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("verify blocked (on a FIFO?)")
}

fn writable(p: &Path) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600)).unwrap();
}

#[test]
fn backup_records_the_manifest_hash_and_verify_checks_it() {
    let (_t, _case, s) = backed_up();
    let sha = hex::encode(Sha256::digest(std::fs::read(&s.manifest).unwrap()));
    assert_eq!(s.manifest_sha256, sha);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    let r = verify::verify(&s.archive).unwrap();
    assert!(r.differences.is_empty(), "{:?}", r.differences);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(r.recorded_manifest_sha256.as_deref(), Some(sha.as_str()));
}

#[test]
fn verify_refuses_a_fifo_archive_promptly() {
    let (_t, case, s) = backed_up();
    let fifo = case.join("evidence/backup-fifo.tar.zst");
    mkfifo(&fifo);
    std::fs::copy(&s.manifest, verify::manifest_of(&fifo)).unwrap();
    let err = verify_promptly(&fifo).unwrap_err();
    assert!(err.contains("backup-fifo.tar.zst"), "{err}");
    assert!(err.contains("FIFO"), "{err}");
}

#[test]
fn verify_refuses_a_fifo_manifest_promptly() {
    let (_t, case, s) = backed_up();
    let archive = case.join("evidence/backup-other.tar.zst");
    std::fs::copy(&s.archive, &archive).unwrap();
    mkfifo(&verify::manifest_of(&archive));
    let err = verify_promptly(&archive).unwrap_err();
    assert!(err.contains("backup-other.manifest.jsonl"), "{err}");
    assert!(err.contains("FIFO"), "{err}");

    // The backup's own manifest swapped for a FIFO: the same.
    writable(&s.manifest);
    std::fs::remove_file(&s.manifest).unwrap();
    mkfifo(&s.manifest);
    let err = verify_promptly(&s.archive).unwrap_err();
    assert!(err.contains(".manifest.jsonl"), "{err}");
    assert!(err.contains("FIFO"), "{err}");
}

/// Rewrites the archive with `a.txt` changed, and the manifest to match it.
fn rewrite_consistently(s: &BackupSummary) {
    let f = std::fs::File::open(&s.archive).unwrap();
    let mut a = tar::Archive::new(zstd::stream::read::Decoder::new(f).unwrap());
    let mut out = tar::Builder::new(Vec::new());
    let planted = b"<?php system($_GET['c']);\n".to_vec();
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        let mut h = e.header().clone();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        let name = String::from_utf8(e.path_bytes().into_owned()).unwrap();
        if name.ends_with("/a.txt") {
            data = planted.clone();
            h.set_size(data.len() as u64);
        }
        out.append_data(&mut h, &name, &data[..]).unwrap();
    }
    let bytes = zstd::encode_all(&out.into_inner().unwrap()[..], 3).unwrap();
    writable(&s.archive);
    std::fs::write(&s.archive, bytes).unwrap();

    let text = std::fs::read_to_string(&s.manifest).unwrap();
    let mut lines = text.lines();
    let mut new = format!("{}\n", lines.next().unwrap());
    for l in lines {
        let mut e: ManifestEntry = serde_json::from_str(l).unwrap();
        if e.path.ends_with("/a.txt") {
            e.size = planted.len() as u64;
            e.sha256 = Some(hex::encode(Sha256::digest(&planted)));
        }
        new.push_str(&serde_json::to_string(&e).unwrap());
        new.push('\n');
    }
    writable(&s.manifest);
    std::fs::write(&s.manifest, new).unwrap();
}

#[test]
fn an_archive_and_manifest_rewritten_together_fail_verify() {
    let (_t, _case, s) = backed_up();
    rewrite_consistently(&s);
    let r = verify::verify(&s.archive).unwrap();
    assert_eq!(r.differences.len(), 1, "{:?}", r.differences);
    let what = &r.differences[0].what;
    let now = hex::encode(Sha256::digest(std::fs::read(&s.manifest).unwrap()));
    assert!(what.contains(".manifest.jsonl"), "{what}");
    assert!(what.contains(&now), "{what}");
    assert!(what.contains(&s.manifest_sha256), "{what}");
    assert_ne!(now, s.manifest_sha256);
}

#[test]
fn a_backup_without_a_recorded_hash_verifies_with_a_warning() {
    let (_t, case, s) = backed_up();
    // As a backup made by an older breachkit: the case has no record of it.
    let copy = case.join("evidence/backup-old.tar.zst");
    std::fs::copy(&s.archive, &copy).unwrap();
    std::fs::copy(&s.manifest, verify::manifest_of(&copy)).unwrap();
    let r = verify::verify(&copy).unwrap();
    assert!(r.differences.is_empty(), "{:?}", r.differences);
    assert_eq!(r.recorded_manifest_sha256, None);
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    let w = &r.warnings[0];
    assert!(
        w.path
            .as_deref()
            .is_some_and(|p| p.ends_with("backup-old.manifest.jsonl")),
        "{w:?}"
    );
    assert!(w.message.contains("could not be checked"), "{w:?}");
}
