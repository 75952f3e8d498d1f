//! Every family and every heuristic on the project's own samples
//! (`tests/samples`, listed with their planted host paths in `MANIFEST`): each
//! sample is found at medium or above with its family's rule and the heuristics
//! the manifest names; each clean look-alike (`tests/clean`) stays silent.

use breachkit_finding::Severity;
use breachkit_scan::{Engine, Heuristic, Options, RULES};
use std::path::{Path, PathBuf};

const NOW: i64 = 1_750_000_000;

struct Sample {
    file: PathBuf,
    host: String,
    rule: String,
    heuristics: Vec<String>,
    stomped: bool,
}

fn manifest(dir: &str) -> Vec<Sample> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(dir);
    let text = std::fs::read_to_string(dir.join("MANIFEST")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            Sample {
                file: dir.join(w[0]),
                host: w[1].to_string(),
                rule: w.get(2).unwrap_or(&"").to_string(),
                heuristics: w
                    .iter()
                    .skip(3)
                    .filter(|h| !h.starts_with('@'))
                    .map(|h| h.to_string())
                    .collect(),
                stomped: w.contains(&"@stomped"),
            }
        })
        .collect()
}

fn engine() -> Engine {
    Engine::new(Options::new(breachkit_detect::files::PLACES)).unwrap()
}

#[test]
fn every_sample_is_found_with_its_family_and_heuristics() {
    let engine = engine();
    let mut scanner = engine.scanner();
    let mut wrong = Vec::new();
    for s in manifest("samples") {
        let bytes = std::fs::read(&s.file).unwrap();
        let mtime = if s.stomped { NOW - 400 * 86_400 } else { NOW };
        let got = scanner.scan_bytes(&s.host, &bytes, mtime, NOW);
        let Some(f) = got.finding else {
            wrong.push(format!("{}: not found", s.file.display()));
            continue;
        };
        let ev = f.evidence.clone().unwrap_or_default();
        let missing: Vec<_> = s
            .heuristics
            .iter()
            .filter(|h| !ev.contains(&format!("{h} +")))
            .collect();
        if f.rule != s.rule || f.severity < Severity::Medium || !missing.is_empty() {
            wrong.push(format!(
                "{}: {} {} (want {} with {:?}) {ev}",
                s.file.display(),
                f.severity,
                f.rule,
                s.rule,
                missing
            ));
        }
        assert!(f.path.as_deref() == Some(s.host.as_str()));
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn samples_cover_every_family_and_heuristic() {
    let samples = manifest("samples");
    for rule in RULES {
        if matches!(rule.id, "scan.known-bad-hash" | "scan.user-rule") {
            continue; // tested with --hashes and --rules
        }
        assert!(
            samples.iter().any(|s| s.rule == rule.id),
            "no sample for {}",
            rule.id
        );
    }
    for h in Heuristic::ALL {
        assert!(
            samples
                .iter()
                .any(|s| s.heuristics.iter().any(|x| x == h.id())),
            "no sample shows heuristic {}",
            h.id()
        );
    }
}

#[test]
fn clean_look_alikes_stay_silent() {
    let engine = engine();
    let mut scanner = engine.scanner();
    let mut loud = Vec::new();
    for s in manifest("clean") {
        let bytes = std::fs::read(&s.file).unwrap();
        let mtime = if s.stomped { NOW - 400 * 86_400 } else { NOW };
        if let Some(f) = scanner.scan_bytes(&s.host, &bytes, mtime, NOW).finding {
            loud.push(format!(
                "{}: {} {} {:?}",
                s.file.display(),
                f.severity,
                f.rule,
                f.evidence
            ));
        }
    }
    assert!(loud.is_empty(), "\n{}", loud.join("\n"));
}

/// A preload list of 60,000 domains (the shape of MediaWiki's HSTS list) that
/// happens to hold two mining pools' domains, installed from a package: silent. The
/// same pool named in a small launcher next to the miner's name is found.
#[test]
fn one_pool_in_a_long_domain_list_is_silent() {
    let engine = engine();
    let mut scanner = engine.scanner();
    let mut list = String::from("<?php\n// Domains linked over HTTPS only.\nreturn [\n");
    for i in 0..60_000 {
        list.push_str(&format!("\t'site{i}.example.org' => 1,\n"));
        match i {
            11_337 => list.push_str("\t'f2pool.com' => 1,\n"),
            51_337 => list.push_str("\t'prohashing.com' => 1,\n"),
            _ => {}
        }
    }
    list.push_str("];\n");
    let host = "/usr/share/mediawiki/extensions/LinkFixer/domains.php";
    let got = scanner.scan_bytes(host, list.as_bytes(), NOW - 400 * 86_400, NOW);
    assert!(got.finding.is_none(), "{:?}", got.finding);
    let launcher = b"#!/bin/sh\ncd /dev/shm/.x && ./xmrig -o f2pool.com:3333 -u 4Abc --donate-level 1 -t 2 &\n";
    let got = scanner.scan_bytes("/dev/shm/.x/go.sh", launcher, NOW, NOW);
    let f = got.finding.expect("launcher found");
    assert_eq!(f.rule, "scan.miner");
    assert!(f.severity >= Severity::Medium);
}
