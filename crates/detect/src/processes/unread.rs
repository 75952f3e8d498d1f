//! What could not be read, gathered over all processes into one summary warning
//! each for refused and failed reads, instead of one warning per process.

use super::proc_read::{ProcInfo, ReadError};
use crate::Context;
use std::collections::{BTreeMap, BTreeSet};

/// How many PIDs a warning names before it summarises the rest.
const MAX_PIDS_NAMED: usize = 10;

#[derive(Debug, Default)]
pub(super) struct Unread {
    denied_parts: BTreeSet<&'static str>,
    denied_pids: BTreeSet<u32>,
    /// The first failure of each process.
    failed: BTreeMap<u32, String>,
}

impl Unread {
    /// Notes that `what` of process `pid` could not be read. A process that exited
    /// is not a problem and is not noted.
    pub fn record(&mut self, pid: u32, what: &'static str, error: ReadError) {
        match error {
            ReadError::Gone => {}
            ReadError::Denied => {
                self.denied_parts.insert(what);
                self.denied_pids.insert(pid);
            }
            ReadError::Failed(message) => {
                self.failed
                    .entry(pid)
                    .or_insert_with(|| format!("{what}: {message}"));
            }
        }
    }

    /// Takes over what a process read could not read.
    pub fn absorb(&mut self, info: &mut ProcInfo) {
        for (what, error) in std::mem::take(&mut info.unread) {
            self.record(info.pid, what, error);
        }
    }

    /// The summary warnings, if anything could not be read.
    pub fn warn(&self, ctx: &mut Context, as_root: bool) {
        if !self.denied_pids.is_empty() {
            let parts: Vec<&str> = self.denied_parts.iter().copied().collect();
            let hint = if as_root {
                "even root was refused: a security module or a more privileged container \
                 manager protects them"
            } else {
                "run breachkit as root to see every process"
            };
            ctx.warn_general(format!(
                "{} could not be read completely (permission denied for {}: PID {}); \
                 findings about them may be missing; {hint}",
                processes(self.denied_pids.len()),
                parts.join(", "),
                name_pids(self.denied_pids.iter().copied()),
            ));
        }
        if let Some((pid, first)) = self.failed.iter().next() {
            ctx.warn_general(format!(
                "{} could not be read (PID {}); the first error, PID {pid}: {first}",
                processes(self.failed.len()),
                name_pids(self.failed.keys().copied()),
            ));
        }
    }
}

fn processes(n: usize) -> String {
    match n {
        1 => "1 process".to_string(),
        n => format!("{n} processes"),
    }
}

fn name_pids(pids: impl ExactSizeIterator<Item = u32>) -> String {
    let total = pids.len();
    let mut named: Vec<String> = pids.take(MAX_PIDS_NAMED).map(|p| p.to_string()).collect();
    if total > MAX_PIDS_NAMED {
        named.push(format!("and {} more", total - MAX_PIDS_NAMED));
    }
    named.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use breachkit_host::Host;

    #[test]
    fn one_warning_per_kind_and_exits_are_quiet() {
        let mut unread = Unread::default();
        for pid in 1..=12 {
            unread.record(pid, "exe", ReadError::Denied);
            unread.record(pid, "environ", ReadError::Denied);
        }
        unread.record(40, "process", ReadError::Gone);
        unread.record(50, "stat", ReadError::Failed("unexpected format".into()));
        unread.record(50, "exe", ReadError::Failed("later".into()));
        let host = Host::live();
        let mut ctx = Context::new(&host);
        unread.warn(&mut ctx, false);
        let (findings, warnings) = ctx.into_parts();
        assert!(findings.is_empty());
        assert_eq!(warnings.len(), 2);
        assert_eq!(
            warnings[0].message,
            "12 processes could not be read completely (permission denied for environ, exe: \
             PID 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, and 2 more); findings about them may be missing; \
             run breachkit as root to see every process"
        );
        assert_eq!(
            warnings[1].message,
            "1 process could not be read (PID 50); the first error, PID 50: stat: unexpected format"
        );
        let mut ctx = Context::new(&host);
        Unread::default().warn(&mut ctx, true);
        assert!(ctx.into_parts().1.is_empty());
    }
}
