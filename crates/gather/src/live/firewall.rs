//! The firewall rules, from the programs that are their real interface: `nft list
//! ruleset` and `iptables-save`/`ip6tables-save` (the kernel gives the rules only
//! over netlink, in a form these programs own). Each is looked up in the system's
//! program directories, run with a clean environment and a timeout, and captured; a
//! missing program is recorded as not present and a failing one as an error, never
//! as an empty rule set.

use breachkit_finding::{escape_bytes, escape_path};
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};
use std::io::{self, Read};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Where the programs are looked for (not `$PATH`, which the caller's shell set).
pub const TOOL_DIRS: &[&str] = &["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

/// The programs run, with their arguments.
pub const FIREWALL_COMMANDS: &[(&str, &[&str])] = &[
    ("nft", &["list", "ruleset"]),
    ("iptables-save", &[]),
    ("ip6tables-save", &[]),
];

/// The most of a program's output that is kept (a big rule set is a few MB).
const MAX_OUTPUT: u64 = 32 << 20;
/// The most of its error output that is kept.
const MAX_STDERR: u64 = 64 << 10;

/// What one program gave.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FirewallOutcome {
    /// The program is in none of the directories searched.
    NotPresent { searched: Vec<String> },
    /// It ran and succeeded.
    Ran {
        path: String,
        output: String,
        /// The output was longer than 32 MiB and is cut there.
        output_capped: bool,
        stderr: String,
    },
    /// It could not be run, failed or timed out.
    Failed { path: String, error: String },
}

/// One program's dump of the rules.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FirewallDump {
    pub program: String,
    pub args: Vec<String>,
    #[serde(flatten)]
    pub outcome: FirewallOutcome,
}

/// The first executable regular file named `name` in `dirs`.
fn find(dirs: &[&Path], name: &str) -> Option<PathBuf> {
    dirs.iter().map(|d| d.join(name)).find(|p| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

/// Reads at most `limit` bytes of a pipe and drains the rest, so the writer never
/// blocks on a full pipe; whether there was more.
fn capture(mut pipe: impl Read, limit: u64) -> io::Result<(Vec<u8>, bool)> {
    let mut kept = Vec::new();
    (&mut pipe).take(limit).read_to_end(&mut kept)?;
    let rest = io::copy(&mut pipe, &mut io::sink())?;
    Ok((kept, rest > 0))
}

type Reader<'s> = Result<std::thread::ScopedJoinHandle<'s, io::Result<(Vec<u8>, bool)>>, String>;

/// What a reader thread captured.
fn joined(reader: Reader<'_>) -> Result<(Vec<u8>, bool), String> {
    reader?
        .join()
        .map_err(|_| "its reader thread failed".to_string())?
        .map_err(|e| format!("cannot read its output: {e}"))
}

struct Captured {
    status: ExitStatus,
    stdout: Vec<u8>,
    stdout_capped: bool,
    stderr: Vec<u8>,
}

/// Runs `path args` with no input and a clean environment, in a process group of
/// its own that is killed when `timeout` passes.
fn run(path: &Path, args: &[&str], timeout: Duration) -> Result<Captured, String> {
    let mut child = Command::new(path)
        .args(args)
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start: {e}"))?;
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err("cannot capture its output".to_string());
    };
    let group = i32::try_from(child.id()).map(Pid::from_raw);
    std::thread::scope(|scope| {
        let out = std::thread::Builder::new()
            .spawn_scoped(scope, move || capture(stdout, MAX_OUTPUT))
            .map_err(|e| format!("cannot start a reader thread: {e}"));
        let err = std::thread::Builder::new()
            .spawn_scoped(scope, move || capture(stderr, MAX_STDERR))
            .map_err(|e| format!("cannot start a reader thread: {e}"));
        let deadline = Instant::now() + timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Ok(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Ok(None) => {
                    if let Ok(group) = group {
                        let _ = killpg(group, Signal::SIGKILL);
                    }
                    let _ = child.kill();
                    let _ = child.wait();
                    break Err(format!(
                        "did not finish within {} s and was killed",
                        timeout.as_secs_f64()
                    ));
                }
                Err(e) => break Err(format!("cannot wait for it: {e}")),
            }
        };
        let (stdout, stdout_capped) = joined(out)?;
        let (stderr, _) = joined(err)?;
        Ok(Captured {
            status: status?,
            stdout,
            stdout_capped,
            stderr,
        })
    })
}

fn dump(dirs: &[&Path], name: &str, args: &[&str], timeout: Duration) -> FirewallOutcome {
    let Some(path) = find(dirs, name) else {
        return FirewallOutcome::NotPresent {
            searched: dirs.iter().map(|d| escape_path(d)).collect(),
        };
    };
    let shown = escape_path(&path);
    match run(&path, args, timeout) {
        Ok(c) if c.status.success() => FirewallOutcome::Ran {
            path: shown,
            output: escape_bytes(&c.stdout),
            output_capped: c.stdout_capped,
            stderr: escape_bytes(&c.stderr),
        },
        Ok(c) => FirewallOutcome::Failed {
            path: shown,
            error: format!("{}: {}", c.status, escape_bytes(c.stderr.trim_ascii())),
        },
        Err(error) => FirewallOutcome::Failed { path: shown, error },
    }
}

/// Runs every program of [`FIREWALL_COMMANDS`] found in `dirs`, each within `timeout`.
pub fn firewall_in(dirs: &[&Path], timeout: Duration) -> Vec<FirewallDump> {
    FIREWALL_COMMANDS
        .iter()
        .map(|&(name, args)| FirewallDump {
            program: name.to_string(),
            args: args.iter().map(|a| a.to_string()).collect(),
            outcome: dump(dirs, name, args, timeout),
        })
        .collect()
}

/// The host's firewall rules, from the programs in [`TOOL_DIRS`].
pub fn firewall(timeout: Duration) -> Vec<FirewallDump> {
    let dirs: Vec<&Path> = TOOL_DIRS.iter().map(Path::new).collect();
    firewall_in(&dirs, timeout)
}
