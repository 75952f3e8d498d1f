//! Host isolation with nftables, with "commit confirmed": `isolate --host` adds one
//! table of our own that drops all traffic in and out except the admin's SSH session
//! and admin ranges (see [`rules`]), then starts a detached watchdog. Unless
//! `confirm` arrives before the deadline, the watchdog removes the table again, so a
//! mistake cannot lock the admin out for good. `release` removes exactly that table.
//!
//! The watchdog is a detached process (its own session, immune to the SSH session
//! ending) rather than a systemd timer, so it works the same on hosts, containers
//! and network namespaces without systemd; it finds what to undo in the case.

mod rules;
pub mod ssh;

pub use rules::{Allowed, TABLE, ruleset};
pub use ssh::SshSession;

use crate::{QuarantineError, tools};
use breachkit_case::{Action, Case, Change, ChangeError, apply_changes, undo_batch};
use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The case batch of host isolation.
pub const BATCH: &str = "isolate-host";
const TABLE_KIND: &str = "nft-table";
const WATCHDOG_KIND: &str = "watchdog";
const NFT_HINT: &str = "install nftables (apt-get install nftables)";

/// How to start the watchdog: the program and the arguments before `--token`.
#[derive(Debug, Clone)]
pub struct Watchdog {
    pub program: PathBuf,
    pub args: Vec<OsString>,
}

/// What `isolate --host` will do.
#[derive(Debug, Clone)]
pub struct Plan {
    pub allowed: Allowed,
    pub ruleset: String,
    pub confirm_within: Duration,
    nft: PathBuf,
}

/// Plans isolation; needs `nft`. Changes nothing.
pub fn plan(allowed: Allowed, confirm_within: Duration) -> Result<Plan, QuarantineError> {
    let nft = tools::require("nft", NFT_HINT)?;
    Ok(Plan {
        ruleset: ruleset(&allowed),
        allowed,
        confirm_within,
        nft,
    })
}

#[derive(Debug, Serialize, Deserialize)]
struct TableUndo {
    table: String,
    /// The table as it was when one of that name already existed (`nft list table`).
    previous: Option<String>,
}

struct TableChange<'a> {
    nft: &'a PathBuf,
    ruleset: &'a str,
}

fn nft(nft: &PathBuf, args: &[&str], stdin: Option<&str>) -> Result<String, QuarantineError> {
    let mut cmd = Command::new(nft);
    cmd.args(args);
    let Some(input) = stdin else {
        return tools::run(&mut cmd);
    };
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| QuarantineError::ToolFailed {
            command: "nft -f -".into(),
            output: e.to_string(),
        })?;
    if let Some(mut s) = child.stdin.take() {
        let _ = s.write_all(input.as_bytes());
    }
    let out = child
        .wait_with_output()
        .map_err(|e| QuarantineError::ToolFailed {
            command: "nft -f -".into(),
            output: e.to_string(),
        })?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(QuarantineError::ToolFailed {
            command: "nft -f -".into(),
            output: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

fn table_exists(nft_bin: &PathBuf) -> Result<Option<String>, QuarantineError> {
    match nft(nft_bin, &["list", "table", "inet", TABLE], None) {
        Ok(listing) => Ok(Some(listing)),
        Err(QuarantineError::ToolFailed { output, .. }) if output.contains("No such file") => {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Replaces the table atomically: one `nft -f` transaction (create, delete, add),
/// so applying twice leaves one table.
fn load_table(nft_bin: &PathBuf, ruleset: &str) -> Result<(), QuarantineError> {
    let script = format!("table inet {TABLE}\ndelete table inet {TABLE}\n{ruleset}");
    nft(nft_bin, &["-f", "-"], Some(&script)).map(drop)
}

impl Change for TableChange<'_> {
    fn kind(&self) -> &str {
        TABLE_KIND
    }
    fn target(&self) -> String {
        format!("inet {TABLE}")
    }
    fn undo_data(&self) -> Result<(String, Option<Vec<u8>>), ChangeError> {
        let undo = TableUndo {
            table: TABLE.into(),
            previous: table_exists(self.nft)?,
        };
        Ok((serde_json::to_string(&undo)?, None))
    }
    fn apply(&mut self) -> Result<(), ChangeError> {
        load_table(self.nft, self.ruleset)?;
        Ok(())
    }
}

fn undo_table(action: &Action) -> Result<(), ChangeError> {
    let u: TableUndo = serde_json::from_str(&action.undo)?;
    if u.table != TABLE {
        return Err(format!("unexpected table {:?} in the case", u.table).into());
    }
    let nft_bin = tools::require("nft", NFT_HINT)?;
    match u.previous {
        Some(previous) => load_table(&nft_bin, &previous)?,
        None => match nft(&nft_bin, &["delete", "table", "inet", TABLE], None) {
            Err(QuarantineError::ToolFailed { output, .. }) if output.contains("No such file") => {}
            other => {
                other?;
            }
        },
    }
    Ok(())
}

#[derive(Debug, Serialize, Deserialize)]
struct WatchdogUndo {
    token: String,
    /// Unix seconds at which the watchdog rolls back.
    deadline: i64,
}

struct WatchdogChange<'a> {
    spawn: &'a Watchdog,
    token: String,
    deadline: i64,
}

impl Change for WatchdogChange<'_> {
    fn kind(&self) -> &str {
        WATCHDOG_KIND
    }
    fn target(&self) -> String {
        format!(
            "roll back at {}",
            jiff::Timestamp::from_second(self.deadline)
                .map(|t| t.to_string())
                .unwrap_or_default()
        )
    }
    fn undo_data(&self) -> Result<(String, Option<Vec<u8>>), ChangeError> {
        let undo = WatchdogUndo {
            token: self.token.clone(),
            deadline: self.deadline,
        };
        Ok((serde_json::to_string(&undo)?, None))
    }
    fn apply(&mut self) -> Result<(), ChangeError> {
        use std::os::unix::process::CommandExt;
        let mut cmd = Command::new(&self.spawn.program);
        cmd.args(&self.spawn.args)
            .arg("--token")
            .arg(&self.token)
            .arg("--deadline")
            .arg(self.deadline.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: setsid is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                nix::unistd::setsid()
                    .map(drop)
                    .map_err(std::io::Error::from)
            });
        }
        let child = cmd.spawn()?;
        // The child is reaped by init once we exit; it outlives this process.
        std::mem::forget(child);
        Ok(())
    }
}

/// Processes whose command line holds the token (the watchdog of that token).
fn watchdog_pids(token: &str) -> Vec<i32> {
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    rd.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| c.split(|&b| b == 0).any(|a| a == token.as_bytes()))
        })
        .collect()
}

fn undo_watchdog(action: &Action) -> Result<(), ChangeError> {
    let u: WatchdogUndo = serde_json::from_str(&action.undo)?;
    let me = std::process::id() as i32;
    for pid in watchdog_pids(&u.token) {
        if pid != me {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
    }
    Ok(())
}

fn undo_action(action: &Action) -> Result<(), ChangeError> {
    match action.kind.as_str() {
        TABLE_KIND => undo_table(action),
        WATCHDOG_KIND => undo_watchdog(action),
        other => Err(format!("unknown isolation action {other:?}").into()),
    }
}

/// When isolation is in force: `Some(deadline)` while unconfirmed, `Some(None)` once
/// confirmed, `None` when not isolated.
pub fn state(case: &Case) -> Result<Option<Option<i64>>, QuarantineError> {
    let actions = case.actions_in_force(BATCH)?;
    if actions.is_empty() {
        return Ok(None);
    }
    let deadline = actions
        .iter()
        .filter(|a| a.kind == WATCHDOG_KIND)
        .filter_map(|a| serde_json::from_str::<WatchdogUndo>(&a.undo).ok())
        .map(|u| u.deadline)
        .next();
    Ok(Some(deadline))
}

/// Applies isolation: the table, then the watchdog; returns the deadline (Unix
/// seconds). Refused when the case already holds isolation in force.
pub fn apply(case: &mut Case, plan: &Plan, spawn: &Watchdog) -> Result<i64, QuarantineError> {
    if state(case)?.is_some() {
        return Err(QuarantineError::Refused(
            "the host is already isolated for this case; nothing changed (see `quarantine status`)"
                .into(),
        ));
    }
    let now = jiff::Timestamp::now();
    let deadline = deadline_after(now.as_second(), plan.confirm_within);
    let token = format!(
        "breachkit-watchdog-{}-{}",
        std::process::id(),
        now.as_nanosecond()
    );
    let mut steps: Vec<Box<dyn Change + '_>> = vec![
        Box::new(TableChange {
            nft: &plan.nft,
            ruleset: &plan.ruleset,
        }),
        Box::new(WatchdogChange {
            spawn,
            token,
            deadline,
        }),
    ];
    apply_changes(case, BATCH, &mut steps, undo_action)?;
    Ok(deadline)
}

/// Unix seconds `within` after `now`; a window too long for the clock means never.
fn deadline_after(now: i64, within: Duration) -> i64 {
    now.saturating_add(i64::try_from(within.as_secs()).unwrap_or(i64::MAX))
}

/// `confirm`: stops the watchdog; the table stays. False when nothing awaited it.
pub fn confirm(case: &mut Case) -> Result<bool, QuarantineError> {
    let mut confirmed = false;
    for a in case.actions_in_force(BATCH)? {
        if a.kind == WATCHDOG_KIND {
            undo_watchdog(&a).map_err(|e| QuarantineError::Refused(e.to_string()))?;
            case.set_action_state(a.id, breachkit_case::ActionState::Undone, Some("confirmed"))?;
            confirmed = true;
        }
    }
    Ok(confirmed)
}

/// `release`: removes the table (and a watchdog still waiting).
pub fn release(case: &mut Case) -> Result<(), QuarantineError> {
    let left = undo_batch(case, BATCH, undo_action)?;
    if left.is_empty() {
        Ok(())
    } else {
        Err(QuarantineError::Undo(left))
    }
}

/// The watchdog's body: sleeps until the deadline, then rolls isolation back unless
/// it was confirmed (its action no longer in force) or released meanwhile.
pub fn watchdog(
    case_dir: &std::path::Path,
    token: &str,
    deadline: i64,
) -> Result<bool, QuarantineError> {
    loop {
        let left = deadline.saturating_sub(jiff::Timestamp::now().as_second());
        if left <= 0 {
            break;
        }
        std::thread::sleep(Duration::from_secs(left.min(5) as u64));
    }
    let mut case = Case::open_existing(case_dir)?;
    let pending = case.actions_in_force(BATCH)?.into_iter().any(|a| {
        a.kind == WATCHDOG_KIND
            && serde_json::from_str::<WatchdogUndo>(&a.undo).is_ok_and(|u| u.token == token)
    });
    if !pending {
        return Ok(false);
    }
    release(&mut case)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `now + within as i64` overflowed, or wrapped to a deadline in the past.
    #[test]
    fn deadlines_never_overflow() {
        assert_eq!(deadline_after(1_000, Duration::from_secs(300)), 1_300);
        assert_eq!(
            deadline_after(1_000, Duration::from_secs(u64::MAX)),
            i64::MAX
        );
        assert_eq!(
            deadline_after(i64::MAX - 1, Duration::from_secs(300)),
            i64::MAX
        );
    }
}
