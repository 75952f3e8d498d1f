//! The `processes` check (live host only). Every process is read straight from
//! `/proc`, never through `ps`, which a rootkit can replace or hook, and turned into
//! findings: programs that are fileless, deleted or in temp and hidden directories,
//! kernel-thread impostors, web and database accounts running shells, shells wired to
//! network sockets, miners, `LD_PRELOAD`, and PIDs hidden from the `/proc` listing.
//!
//! - `proc_read` reads one process; `unread` sums up what could not be read;
//! - `inspect` applies the per-process rules, helped by `locations` (where a program
//!   runs from), `programs` (what it is), `sockets` (what its stdin/stdout are),
//!   `environ` (`LD_PRELOAD`, miner settings) and `cpu` (how busy it is);
//! - `hidden` probes every PID for processes missing from the listing;
//! - `rules` holds the text of every finding.
//!
//! breachkit itself is never reported. A process that exits while it is read is
//! skipped quietly.
//!
//! The readers are public for the evidence bundle (step 3), which lists the same
//! processes and sockets: one way of reading `/proc`, not two.

mod cpu;
mod environ;
mod hidden;
mod inspect;
mod locations;
mod proc_read;
mod programs;
mod rules;
mod sockets;
mod unread;

pub use locations::{Exe, Place, exe_state, risky_place};
pub use proc_read::{
    Ids, MAX_ARGS, ProcInfo, ReadError, Stat, list_pids, open, read_bounded, read_stat,
    read_with_stat,
};
pub use sockets::{InetSocket, TABLES, TableRow, parse_rows, word};

use crate::{Check, Context};
use cpu::Clock;
use inspect::Inspector;
use std::collections::BTreeSet;
use unread::Unread;

pub struct Processes;

impl Check for Processes {
    fn name(&self) -> &'static str {
        "processes"
    }

    fn about(&self) -> &'static str {
        "running processes, read from /proc: deleted, fileless or temp-dir programs, \
         kernel-thread impostors, web accounts running shells, reverse shells, miners, \
         LD_PRELOAD, PIDs hidden from /proc"
    }

    fn needs_live(&self) -> bool {
        true
    }

    fn run(&self, ctx: &mut Context) {
        let own = std::process::id();
        let as_root = nix::unistd::geteuid().is_root();
        let pids = match proc_read::list_pids() {
            Ok(pids) => pids,
            Err(e) => {
                ctx.warn_at("/proc", format!("cannot list processes: {e}"));
                return;
            }
        };
        let clock = Clock::now()
            .inspect_err(|e| ctx.warn_at("/proc/uptime", format!("{e}; CPU use is not judged")))
            .ok();
        let mut inspector = Inspector::new(ctx.host.accounts(), clock);
        let mut unread = Unread::default();
        for &pid in pids.iter().filter(|&&pid| pid != own) {
            match proc_read::read(pid) {
                Ok(Some(mut info)) => {
                    unread.absorb(&mut info);
                    for finding in inspector.inspect(&info, &mut unread) {
                        ctx.report(finding);
                    }
                }
                Ok(None) => {}
                Err(e) => unread.record(pid, "process", e),
            }
        }
        look_for_hidden(ctx, &mut inspector, &mut unread, &pids, as_root);
        unread.warn(ctx, as_root);
    }
}

/// Probes every PID for processes the `/proc` listing leaves out.
fn look_for_hidden(
    ctx: &mut Context,
    inspector: &mut Inspector,
    unread: &mut Unread,
    listed: &BTreeSet<u32>,
    as_root: bool,
) {
    let own = std::process::id();
    if !as_root {
        ctx.warn_general(
            "the probe for processes hidden from /proc needs root (without it /proc may hide \
             other users' processes on purpose); skipped",
        );
        return;
    }
    if !listed.contains(&own) {
        ctx.warn_general(
            "breachkit itself is not listed in /proc (it belongs to another PID namespace); \
             the probe for hidden processes is skipped",
        );
        return;
    }
    let pid_max = hidden::pid_max().unwrap_or_else(|e| {
        ctx.warn_at(
            "/proc/sys/kernel/pid_max",
            format!("{e}; probing PIDs up to {}", hidden::PID_MAX_LIMIT),
        );
        hidden::PID_MAX_LIMIT
    });
    match hidden::hidden_pids(&hidden::System, pid_max, own) {
        Ok(found) => {
            for pid in found {
                for finding in inspector.inspect_hidden(pid, unread) {
                    ctx.report(finding);
                }
            }
        }
        Err(e) => ctx.warn_at(
            "/proc",
            format!("cannot list processes again ({e}); hidden processes were not probed"),
        ),
    }
}
