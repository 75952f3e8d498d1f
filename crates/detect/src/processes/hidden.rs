//! PIDs hidden from `/proc`. A rootkit (a `readdir` hook loaded through
//! `/etc/ld.so.preload`, or a kernel module) removes its processes from the `/proc`
//! listing that `ps` reads, but the kernel still answers `kill(pid, 0)` for them. So
//! every PID up to `pid_max` is probed with signal 0 (which sends nothing).
//!
//! Threads answer too and are never listed: a PID whose `/proc/PID/status` names
//! another thread group is a thread and is skipped. Processes start and stop during
//! the probe, so every candidate is checked again against a fresh listing.

use super::proc_read::{ReadError, list_pids, parse_status};
use nix::errno::Errno;
use nix::sys::signal::kill;
use nix::unistd::Pid;
use std::collections::BTreeSet;

/// The highest PID the kernel can ever hand out (`PID_MAX_LIMIT` on 64-bit), probed
/// up to when `/proc/sys/kernel/pid_max` cannot be read.
pub(super) const PID_MAX_LIMIT: u32 = 4_194_304;

/// What the probe needs from the system; the real one is [`System`].
pub(super) trait Probe {
    fn list(&self) -> std::io::Result<BTreeSet<u32>>;
    /// Whether the kernel knows the PID (`kill(pid, 0)` succeeds or is refused).
    fn answers(&self, pid: u32) -> bool;
    /// The thread group of the PID, when its status can be read.
    fn tgid(&self, pid: u32) -> Option<u32>;
}

/// The running system.
pub(super) struct System;

impl Probe for System {
    fn list(&self) -> std::io::Result<BTreeSet<u32>> {
        list_pids()
    }

    fn answers(&self, pid: u32) -> bool {
        let Ok(raw) = i32::try_from(pid) else {
            return false;
        };
        matches!(kill(Pid::from_raw(raw), None), Ok(()) | Err(Errno::EPERM))
    }

    fn tgid(&self, pid: u32) -> Option<u32> {
        let status = std::fs::read(format!("/proc/{pid}/status")).ok()?;
        parse_status(&status).map(|ids| ids.tgid)
    }
}

/// The largest PID to probe.
pub(super) fn pid_max() -> Result<u32, ReadError> {
    let text = std::fs::read_to_string("/proc/sys/kernel/pid_max")?;
    text.trim()
        .parse()
        .map_err(|_| ReadError::Failed(format!("/proc/sys/kernel/pid_max: not a number: {text:?}")))
}

/// PIDs in `1..=pid_max` the kernel knows but `/proc` does not list, threads and
/// `own` (this process) left out.
pub(super) fn hidden_pids(probe: &impl Probe, pid_max: u32, own: u32) -> std::io::Result<Vec<u32>> {
    let is_hidden = |pid: u32, listed: &BTreeSet<u32>| {
        pid != own
            && !listed.contains(&pid)
            && probe.answers(pid)
            && probe.tgid(pid).is_none_or(|tgid| tgid == pid)
    };
    let listed = probe.list()?;
    let candidates: Vec<u32> = (1..=pid_max)
        .filter(|&pid| is_hidden(pid, &listed))
        .collect();
    if candidates.is_empty() {
        return Ok(candidates);
    }
    // List first, probe after: a process that exits in between is then not there to
    // answer, and one that started since the first listing is in the second.
    let listed = probe.list()?;
    Ok(candidates
        .into_iter()
        .filter(|&pid| is_hidden(pid, &listed))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::HashMap;

    /// A fake system: listings handed out in turn, live PIDs with their thread group.
    struct Fake {
        listings: RefCell<Vec<BTreeSet<u32>>>,
        live: HashMap<u32, Option<u32>>,
    }

    impl Probe for Fake {
        fn list(&self) -> std::io::Result<BTreeSet<u32>> {
            let mut l = self.listings.borrow_mut();
            Ok(if l.len() > 1 {
                l.remove(0)
            } else {
                l[0].clone()
            })
        }
        fn answers(&self, pid: u32) -> bool {
            self.live.contains_key(&pid)
        }
        fn tgid(&self, pid: u32) -> Option<u32> {
            self.live.get(&pid).copied().flatten()
        }
    }

    fn fake(listings: &[&[u32]], live: &[(u32, Option<u32>)]) -> Fake {
        Fake {
            listings: RefCell::new(
                listings
                    .iter()
                    .map(|l| l.iter().copied().collect())
                    .collect(),
            ),
            live: live.iter().copied().collect(),
        }
    }

    #[test]
    fn unlisted_processes_are_hidden_threads_and_self_are_not() {
        let f = fake(
            &[&[1, 2, 10]],
            &[
                (1, Some(1)),
                (2, Some(2)),
                (10, Some(10)),
                (11, Some(10)),
                (20, Some(20)),
                (30, None),
                (40, Some(40)),
            ],
        );
        // 11 is a thread of 10, 40 is this process, 30's status is unreadable (still hidden).
        assert_eq!(hidden_pids(&f, 100, 40).unwrap(), vec![20, 30]);
    }

    #[test]
    fn a_process_listed_on_the_second_look_is_not_hidden() {
        let f = fake(&[&[1], &[1, 7]], &[(1, Some(1)), (7, Some(7))]);
        assert!(hidden_pids(&f, 100, 99).unwrap().is_empty());
    }

    #[test]
    fn pids_above_pid_max_are_not_probed() {
        let f = fake(&[&[1]], &[(1, Some(1)), (500, Some(500))]);
        assert!(hidden_pids(&f, 100, 99).unwrap().is_empty());
    }

    #[test]
    fn nothing_is_hidden_on_this_machine_and_threads_are_told_apart() {
        // A thread of this test process answers kill() but is not listed.
        let (tx, rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
        let t = std::thread::spawn(move || {
            tx.send(nix::unistd::gettid().as_raw() as u32).unwrap();
            stop_rx.recv().ok();
        });
        let tid = rx.recv().unwrap();
        assert!(System.answers(tid));
        assert_eq!(System.tgid(tid), Some(std::process::id()));
        let max = pid_max().unwrap();
        assert!(max >= tid);
        let hidden = hidden_pids(&System, max, std::process::id()).unwrap();
        stop_tx.send(()).unwrap();
        t.join().unwrap();
        assert!(!hidden.contains(&tid), "a thread is not a hidden process");
        assert!(
            hidden.is_empty(),
            "hidden PIDs on a clean test machine: {hidden:?}"
        );
    }
}
