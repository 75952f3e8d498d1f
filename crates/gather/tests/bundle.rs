//! The evidence bundle on a planted fake host: every log, history, persistence file
//! and flagged file is in it with the right hash; `verify` passes, then names the
//! file after one byte is changed (directory and `.tar.zst`); a manifest rewritten
//! with its file is caught by the case's record; a full disk leaves an incomplete
//! bundle that still verifies; a bundle inside the collected tree does not hold
//! itself.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_gather::bundle::verify::{VerifyReport, verify};
use breachkit_gather::{Gathered, Options, gather};
use breachkit_host::Host;
use breachkit_testkit::FakeHost;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn options(out: &Path, case: &Path) -> Options {
    Options {
        out: out.to_path_buf(),
        case_dir: case.to_path_buf(),
        examiner: "ann".into(),
        note: Some("test".into()),
        max_file: 1 << 30,
        av: None,
    }
}

fn collect(h: &FakeHost, opts: &Options) -> (Gathered, breachkit_finding::Report) {
    let host = Host::image(h.root()).unwrap();
    let (report, failed) = breachkit_detect::run(&host, breachkit_detect::all_checks(), &|_| {});
    assert!(failed.is_empty(), "{failed:?}");
    let g = gather(&host, &report, opts, &mut |_| {}).unwrap();
    (g, report)
}

fn recorded(case: &Path, bundle: &Path) -> String {
    let case = breachkit_case::Case::open_existing(case).unwrap();
    let key = breachkit_finding::escape_path(&bundle.canonicalize().unwrap());
    case.bundle(&key)
        .unwrap()
        .expect("bundle recorded")
        .manifest_sha256
}

fn check(bundle: &Path, case: &Path) -> VerifyReport {
    verify(bundle, Some(&recorded(case, bundle))).unwrap()
}

/// Host path → SHA-256 of every file the archive's manifest lists.
fn archived(dir: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(dir.join("files.manifest.jsonl")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["kind"] == "file")
        .map(|v| {
            (
                v["path"].as_str().unwrap().to_string(),
                v["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn files_under(h: &FakeHost, host_dir: &str) -> Vec<String> {
    walkdir::WalkDir::new(h.path(host_dir))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| format!("/{}", e.path().strip_prefix(h.root()).unwrap().display()))
        .collect()
}

fn sha(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

fn flip_byte(path: &Path, at: u64) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut bytes = std::fs::read(path).unwrap();
    let i = usize::try_from(at).unwrap().min(bytes.len() - 1);
    bytes[i] ^= 0x20;
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn every_artifact_is_in_the_bundle_with_its_hash() {
    let (h, _) = FakeHost::planted();
    let t = tempfile::tempdir().unwrap();
    let (out, case) = (t.path().join("bundle"), t.path().join("case"));
    let (g, report) = collect(&h, &options(&out, &case));
    assert!(g.complete && g.recorded, "{:?}", g.acquisition);
    for f in [
        "acquisition.json",
        "logins.jsonl",
        "timeline.body",
        "findings.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let files = archived(&out);
    let mut wanted: Vec<String> = Vec::new();
    for dir in ["/var/log", "/etc/cron.d", "/etc/systemd", "/var/spool/cron"] {
        wanted.extend(files_under(&h, dir));
    }
    wanted.extend(["/etc/crontab", "/etc/passwd", "/root/.bash_history"].map(String::from));
    wanted.extend(
        report
            .findings
            .iter()
            .filter_map(|f| f.path.clone())
            .filter(|p| {
                p.starts_with('/') && h.path(p).symlink_metadata().is_ok_and(|m| m.is_file())
            }),
    );
    assert!(wanted.len() > 30, "the fixture has artifacts: {wanted:?}");
    for p in &wanted {
        let Some(got) = files.get(p) else {
            panic!("{p} is not in the bundle");
        };
        assert_eq!(got, &sha(&h.path(p)), "{p}: hash");
    }
    // The acquisition log says who, what and from where.
    let acq: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("acquisition.json")).unwrap()).unwrap();
    assert_eq!(acq["examiner"], "ann");
    assert_eq!(acq["complete"], true);
    assert!(acq["binary_sha256"].as_str().is_some_and(|s| s.len() == 64));

    let ok = check(&out, &case);
    assert!(ok.intact(), "{:?}", ok.differences);
    assert!(ok.checked as usize > wanted.len());

    // One byte of a bundle file changed: named.
    flip_byte(&out.join("timeline.body"), 10);
    let bad = check(&out, &case);
    assert!(
        bad.differences.iter().any(|d| d.path == "timeline.body"),
        "{:?}",
        bad.differences
    );
}

#[test]
fn a_changed_archive_entry_and_a_rewritten_manifest_are_caught() {
    let (h, _) = FakeHost::planted();
    let t = tempfile::tempdir().unwrap();
    let (out, case) = (t.path().join("bundle"), t.path().join("case"));
    collect(&h, &options(&out, &case));
    // The findings file and the manifest rewritten together: the case's record
    // of the manifest catches it.
    let findings = out.join("findings.json");
    std::fs::write(&findings, b"{}").unwrap();
    let manifest = std::fs::read_to_string(out.join("MANIFEST.jsonl")).unwrap();
    let forged: String = manifest
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            if v["path"] == "findings.json" {
                v["sha256"] = sha(&findings).into();
                v["size"] = 2.into();
            }
            format!("{v}\n")
        })
        .collect();
    std::fs::write(out.join("MANIFEST.jsonl"), forged).unwrap();
    let r = check(&out, &case);
    assert!(
        r.differences.iter().any(|d| d.path == "MANIFEST.jsonl"),
        "{:?}",
        r.differences
    );
    assert!(
        verify(&out, None)
            .unwrap()
            .warnings
            .iter()
            .any(|w| w.message.contains("no record"))
    );
}

#[test]
fn a_packed_bundle_verifies_and_names_a_changed_file() {
    let (h, _) = FakeHost::planted();
    let t = tempfile::tempdir().unwrap();
    let (out, case) = (t.path().join("bundle.tar.zst"), t.path().join("case"));
    let (g, _) = collect(&h, &options(&out, &case));
    assert!(out.is_file() && g.bundle.ends_with("bundle.tar.zst"));
    assert!(!t.path().join("bundle.tar.zst.partial").exists());
    let ok = check(&out, &case);
    assert!(ok.intact(), "{:?}", ok.differences);
    assert!(ok.checked > 20);

    // Unpack, change one byte of the host files' archive, pack again.
    let scratch = t.path().join("scratch");
    std::fs::create_dir(&scratch).unwrap();
    let names = unpack(&out, &scratch);
    flip_byte(&scratch.join("files.tar.zst"), 200);
    let tampered = t.path().join("tampered.tar.zst");
    repack(&scratch, &names, &tampered);
    let bad = verify(&tampered, Some(&recorded(&case, &out))).unwrap();
    assert!(
        bad.differences
            .iter()
            .any(|d| d.path.starts_with("files.tar.zst")),
        "{:?}",
        bad.differences
    );
}

#[test]
fn a_full_disk_leaves_an_incomplete_bundle_that_verifies() {
    let h = FakeHost::clean();
    // Incompressible: the archive of the logs cannot fit on 1 MiB.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let noise: Vec<u8> = (0..3_000_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    h.write("/var/log/big.log", noise);
    let disk = breachkit_testkit::full_disk::FullDisk::mount();
    let t = tempfile::tempdir().unwrap();
    let out = disk.path().join("bundle");
    let case = t.path().join("case");
    let (g, _) = collect(&h, &options(&out, &case));
    assert!(!g.complete, "{:?}", g.acquisition);
    let stopped = g.acquisition.stopped.clone().unwrap_or_default();
    assert!(stopped.contains("No space left"), "{stopped}");
    assert!(
        !out.join("files.tar.zst").exists(),
        "no half archive is kept"
    );
    let r = check(&out, &case);
    assert!(r.intact(), "{:?}", r.differences);
    assert!(!r.complete);
}

#[test]
fn a_bundle_inside_the_collected_tree_does_not_hold_itself() {
    let h = FakeHost::clean();
    let t = tempfile::tempdir().unwrap();
    let out = h.path("/var/log/evidence");
    let case = t.path().join("case");
    collect(&h, &options(&out, &case));
    assert!(
        archived(&out)
            .keys()
            .all(|p| !p.starts_with("/var/log/evidence"))
    );
    assert!(check(&out, &case).intact());
}

#[test]
fn a_non_empty_target_is_refused() {
    let h = FakeHost::clean();
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("bundle");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "mine").unwrap();
    let host = Host::image(h.root()).unwrap();
    let report = breachkit_finding::Report::default();
    let err = gather(
        &host,
        &report,
        &options(&out, &t.path().join("case")),
        &mut |_| {},
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("not empty"), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.join("keep.txt")).unwrap(),
        "mine"
    );
}

fn unpack(archive: &Path, into: &Path) -> Vec<String> {
    let f = std::fs::File::open(archive).unwrap();
    let mut tar = tar::Archive::new(zstd::stream::read::Decoder::new(f).unwrap());
    let mut names = Vec::new();
    for e in tar.entries().unwrap() {
        let mut e = e.unwrap();
        let name = e.path().unwrap().display().to_string();
        let target: PathBuf = into.join(&name);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        e.unpack(&target).unwrap();
        names.push(name);
    }
    names
}

fn repack(dir: &Path, names: &[String], out: &Path) {
    let f = std::fs::File::create(out).unwrap();
    let mut tar = tar::Builder::new(zstd::stream::write::Encoder::new(f, 3).unwrap());
    for n in names {
        tar.append_path_with_name(dir.join(n), n).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap();
}

#[test]
fn every_package_file_is_verified_and_a_trojaned_tool_found() {
    let h = FakeHost::clean();
    let honest = b"the real ps\n";
    let md5 = |b: &[u8]| {
        use md5::Digest;
        hex::encode(md5::Md5::digest(b))
    };
    h.write(
        "/var/lib/dpkg/status",
        "Package: procps\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2:4.0.2-3\n\n",
    );
    h.write(
        "/var/lib/dpkg/info/procps.list",
        "/usr\n/usr/bin\n/usr/bin/ps\n/usr/share/doc/procps/README\n",
    );
    h.write(
        "/var/lib/dpkg/info/procps.md5sums",
        format!(
            "{}  usr/bin/ps\n{}  usr/share/doc/procps/README\n",
            md5(honest),
            md5(b"docs\n")
        ),
    );
    h.write("/usr/share/doc/procps/README", "docs\n");
    let t = tempfile::tempdir().unwrap();
    let (out, case) = (t.path().join("bundle"), t.path().join("case"));

    // The clean twin: nothing from the package check.
    h.write("/usr/bin/ps", honest);
    let (g, _) = collect(&h, &options(&out, &case));
    assert!(
        g.findings.iter().all(|f| !f.rule.starts_with("packages.")),
        "{:?}",
        g.findings
    );
    let counts: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("packages.json")).unwrap()).unwrap();
    assert_eq!(counts["counts"]["verified"], 2, "{counts}");

    h.write(
        "/usr/bin/ps",
        b"#!/bin/sh\n/usr/bin/.ps.real \"$@\" | grep -v miner\n",
    );
    let out2 = t.path().join("bundle2");
    let (g, _) = collect(&h, &options(&out2, &case));
    let trojan = g
        .findings
        .iter()
        .find(|f| f.rule == "packages.changed-binary")
        .expect("the replaced ps is found");
    assert_eq!(trojan.path.as_deref(), Some("/usr/bin/ps"));
    assert_eq!(trojan.severity, breachkit_finding::Severity::Critical);
}

#[test]
fn a_phishing_kit_is_reported_with_where_its_loot_goes() {
    let h = FakeHost::clean();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scan/tests/samples/phishing");
    let kit = "/var/www/html/wp-content/uploads/2024/04/o365";
    for (sample, name) in [
        ("o365.html", "index.html"),
        ("harvester.php", "next.php"),
        ("htaccess", ".htaccess"),
    ] {
        h.write(
            &format!("{kit}/{name}"),
            std::fs::read(samples.join(sample)).unwrap(),
        );
    }
    let t = tempfile::tempdir().unwrap();
    let (out, case) = (t.path().join("bundle"), t.path().join("case"));
    collect(&h, &options(&out, &case));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("phishing.json")).unwrap()).unwrap();
    let kits = report["kits"].as_array().unwrap();
    assert_eq!(kits.len(), 1, "{report}");
    let k = &kits[0];
    assert_eq!(k["folder"], kit);
    assert_eq!(k["pages"][0], format!("{kit}/index.html"));
    assert_eq!(k["harvesters"][0], format!("{kit}/next.php"));
    let dest: Vec<(String, String)> = k["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().into(),
                d["value"].as_str().unwrap().into(),
            )
        })
        .collect();
    for (kind, value) in [
        ("mail", "drop.box@example.net"),
        ("chat-bot", "api.telegram.org/bot5123:AAF-x"),
        ("drop-file", "logs.txt"),
    ] {
        assert!(
            dest.contains(&(kind.into(), value.into())),
            "{kind} {value}: {dest:?}"
        );
    }

    // The clean twin: the site's own pages make no kit.
    let clean = FakeHost::clean();
    let out2 = t.path().join("bundle2");
    collect(&clean, &options(&out2, &case));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out2.join("phishing.json")).unwrap()).unwrap();
    assert_eq!(report["kits"].as_array().map(Vec::len), Some(0), "{report}");
}

#[test]
fn the_antivirus_job_reports_each_file_once() {
    let (h, _) = FakeHost::planted();
    let t = tempfile::tempdir().unwrap();
    let (out, case) = (t.path().join("bundle"), t.path().join("case"));
    let mut opts = options(&out, &case);
    let mut av = breachkit_gather::av::AvOptions::new();
    av.paths = vec![PathBuf::from("/var/www"), PathBuf::from("/tmp")];
    av.clamd = breachkit_gather::av::ClamdChoice::Off;
    opts.av = Some(av);
    let (g, report) = collect(&h, &opts);
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("av/report.json")).unwrap()).unwrap();
    assert!(doc["counts"]["found_own"].as_u64().unwrap() > 0, "{doc}");
    assert_eq!(doc["clamd"]["status"], "not-used");
    let lines = std::fs::read_to_string(out.join("av/files.jsonl")).unwrap();
    assert_eq!(
        lines.lines().count() as u64,
        doc["counts"]["files"].as_u64().unwrap()
    );
    // What the files check already reported is not reported again.
    for f in &g.findings {
        assert!(
            !report
                .findings
                .iter()
                .any(|k| k.rule == f.rule && k.path == f.path),
            "{} {:?} twice",
            f.rule,
            f.path
        );
    }
    assert!(check(&out, &case).intact());
}
