//! The `processes` check on the live host: the test starts real processes that look
//! like an intrusion (a program deleted after it started, a shell on a TCP socket, a
//! miner command line, LD_PRELOAD, a shell run by www-data), runs the breachkit binary
//! and checks each is reported with its PID, and that a shell on a Unix socket is not
//! taken for a reverse shell. Needs root (scripts/test runs it as root).

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use serde_json::Value;
use std::net::{TcpListener, TcpStream};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The children the test started; each is in its own process group, and the whole
/// group is killed and the child reaped on drop, so a failed assert leaks nothing.
#[derive(Default)]
struct Children(Vec<Child>);

impl Children {
    fn spawn(&mut self, cmd: &mut Command) -> u32 {
        let child = cmd
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
        let pid = child.id();
        self.0.push(child);
        pid
    }
}

impl Drop for Children {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let group = nix::unistd::Pid::from_raw(child.id() as i32);
            let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn exe_of(pid: u32) -> Option<PathBuf> {
    std::fs::read_link(format!("/proc/{pid}/exe")).ok()
}

/// Waits until `pid` runs `expected` (or anything but this test, when `None`).
fn wait_for_exec(pid: u32, expected: Option<&Path>) {
    let me = exe_of(std::process::id()).expect("own exe");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let exe = exe_of(pid);
        let done = match (&exe, expected) {
            (Some(exe), Some(want)) => exe == want,
            (Some(exe), None) => *exe != me,
            (None, _) => false,
        };
        if done {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "process {pid} did not exec in 5 s (exe now {exe:?})"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn find<'a>(findings: &'a [Value], rule: &str, pid: u32) -> Option<&'a Value> {
    findings
        .iter()
        .find(|f| f["rule"] == rule && f["pid"] == pid)
}

fn summary(findings: &[Value]) -> String {
    findings
        .iter()
        .map(|f| format!("{} pid {} {}", f["rule"], f["pid"], f["evidence"]))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn processes_that_look_like_an_intrusion_are_reported() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "this test needs root: it starts a process as www-data (uid 33) and reads every \
         process under /proc; run it as root (scripts/test does)"
    );
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    assert!(
        passwd.lines().any(|l| l.starts_with("www-data:x:33:")),
        "this test needs the www-data account with uid 33 (Debian's default)"
    );
    let mut children = Children::default();

    // A program deleted after it started, in a temp directory.
    let dir = tempfile::Builder::new()
        .prefix("breachkit-live-")
        .tempdir_in("/tmp")
        .unwrap();
    let copy = dir.path().join("sleep");
    std::fs::copy("/bin/sleep", &copy).unwrap();
    let deleted = children.spawn(Command::new(&copy).arg("60"));
    wait_for_exec(deleted, Some(&copy));
    std::fs::remove_file(&copy).unwrap();

    // A shell whose stdin and stdout are a TCP connection; the server end is kept
    // open so the shell waits for commands.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let (_server, _) = listener.accept().unwrap();
    let tcp_in = OwnedFd::from(client.try_clone().unwrap());
    let reverse = children.spawn(
        Command::new("sh")
            .stdin(Stdio::from(tcp_in))
            .stdout(Stdio::from(OwnedFd::from(client)))
            .stderr(Stdio::null()),
    );

    // The control: a shell on a Unix socket pair is no network connection.
    let (unix_a, _unix_b) = UnixStream::pair().unwrap();
    let unix_in = OwnedFd::from(unix_a.try_clone().unwrap());
    let control = children.spawn(
        Command::new("sh")
            .stdin(Stdio::from(unix_in))
            .stdout(Stdio::from(OwnedFd::from(unix_a)))
            .stderr(Stdio::null()),
    );

    // A miner command line (`; :` keeps sh from exec'ing sleep in its place).
    let miner = children.spawn(Command::new("sh").args([
        "-c",
        "sleep 60; :",
        "xmrig",
        "-o",
        "stratum+tcp://pool.example.org:3333",
    ]));

    // LD_PRELOAD of a library that does not exist (ld.so only warns).
    let preload = children.spawn(
        Command::new("sleep")
            .arg("60")
            .env("LD_PRELOAD", "/tmp/breachkit-test-missing.so")
            .stderr(Stdio::null()),
    );

    // www-data running a shell.
    let web = children.spawn(
        Command::new("/bin/sh")
            .args(["-c", "sleep 60; :"])
            .current_dir("/")
            .uid(33)
            .gid(33),
    );

    for pid in [reverse, control, miner, preload, web] {
        wait_for_exec(pid, None);
    }

    let case = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_breachkit"))
        .args(["check", "--only", "processes", "--format", "json", "--case"])
        .arg(case.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("output is not JSON ({e}); stderr: {stderr}"));
    let findings = doc["findings"].as_array().cloned().unwrap_or_default();
    let all = summary(&findings);

    let expect = |rule: &str, pid: u32| -> Value {
        find(&findings, rule, pid)
            .cloned()
            .unwrap_or_else(|| panic!("no {rule} for pid {pid}; findings:\n{all}"))
    };

    let f = expect("proc.deleted-exe", deleted);
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["path"], copy.to_str().unwrap());
    assert!(f["evidence"].as_str().unwrap().contains("(deleted)"));

    let f = expect("proc.reverse-shell", reverse);
    assert_eq!(f["severity"], "critical");
    let evidence = f["evidence"].as_str().unwrap();
    assert!(
        evidence.contains(&format!("-> 127.0.0.1:{port}")),
        "the remote end is the listener: {evidence}"
    );
    assert!(
        find(&findings, "proc.reverse-shell", control).is_none(),
        "a shell on a Unix socket is not a reverse shell; findings:\n{all}"
    );

    let f = expect("proc.miner", miner);
    assert!(f["evidence"].as_str().unwrap().contains("stratum+tcp://"));

    let f = expect("proc.ld-preload", preload);
    assert_eq!(f["severity"], "high");
    assert!(
        f["evidence"]
            .as_str()
            .unwrap()
            .contains("/tmp/breachkit-test-missing.so")
    );

    let f = expect("proc.web-user-shell", web);
    assert!(f["evidence"].as_str().unwrap().contains("www-data"));

    assert!(
        !findings.iter().any(|f| f["pid"] == std::process::id()),
        "the test process itself looks like nothing; findings:\n{all}"
    );
    assert_eq!(doc["verdict"], "compromised", "findings:\n{all}");
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
}
