//! The embedded rules are plain YARA: Debian's `yara` (libyara 4.x) compiles them
//! and finds on the samples the same rules yara-x found. `scripts/test` installs
//! yara; without it this test fails rather than skip.

use breachkit_scan::{Engine, Options};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

#[test]
fn debian_yara_agrees_with_yara_x_on_the_samples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules_dir = root.join("../../rules/yara");
    let samples = root.join("tests/samples");
    // One directory per scope (rules/yara/README.md).
    let mut rule_files: Vec<_> = std::fs::read_dir(&rules_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .flat_map(|dir| std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yar"))
        .collect();
    assert!(rule_files.len() >= 10, "{rule_files:?}");
    rule_files.sort();
    let out = Command::new("yara")
        .arg("-w")
        .arg("-r")
        .args(&rule_files)
        .arg(&samples)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run yara ({e}); scripts/test installs it (apt-get install yara)")
        });
    assert!(
        out.status.success(),
        "yara rejected the rules: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut by_file: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let (rule, file) = line.split_once(' ').unwrap();
        by_file
            .entry(file.to_string())
            .or_default()
            .insert(rule.to_string());
    }
    let engine = Engine::new(Options::new(breachkit_detect::files::PLACES)).unwrap();
    let mut scanner = engine.scanner();
    let mut disagree = Vec::new();
    for file in walk(&samples) {
        let bytes = std::fs::read(&file).unwrap();
        let shown = file.to_string_lossy().into_owned();
        // Neither a temp nor an upload folder; the name (its extension) kept.
        let name = file.file_name().unwrap().to_string_lossy();
        let finding = scanner
            .scan_bytes(&format!("/srv/sample/{name}"), &bytes, 0, 0)
            .finding;
        // YARA rule names have underscores; heuristic ids have dashes.
        let yara_x: BTreeSet<String> = finding
            .and_then(|f| f.evidence)
            .map(|ev| {
                let names = ev.split(" | ").next().unwrap_or("").to_string();
                names
                    .split([':', ','])
                    .filter_map(|n| n.trim().split(" +").next().map(str::to_string))
                    .filter(|n| n.contains('_') && !n.contains('-') && !n.contains(' '))
                    .collect()
            })
            .unwrap_or_default();
        let libyara = by_file.get(&shown).cloned().unwrap_or_default();
        if !yara_x.is_subset(&libyara) || (libyara.is_empty() != yara_x.is_empty()) {
            disagree.push(format!("{shown}: yara-x {yara_x:?}, libyara {libyara:?}"));
        }
    }
    assert!(disagree.is_empty(), "\n{}", disagree.join("\n"));
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.file_name().is_some_and(|n| n != "MANIFEST") {
            out.push(p);
        }
    }
    out
}
