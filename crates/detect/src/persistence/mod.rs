//! Persistence: everything that starts code again by itself — cron (system and user
//! crontabs, the cron.* directories, anacron), at jobs, systemd units, timers and
//! generators, `/etc/rc.local` — and `/etc/ld.so.preload`, which injects a library
//! into every program. A job is judged by the command it runs, with the shared
//! classifier.

mod at;
mod cron;
mod preload;
mod rclocal;
mod systemd;

use crate::Context;
use breachkit_finding::{Rule, Severity, escape_bytes};
use breachkit_scan::shellcmd::{self, SignKind};

pub struct Persistence;

impl crate::Check for Persistence {
    fn name(&self) -> &'static str {
        "persistence"
    }

    fn about(&self) -> &'static str {
        "cron, at, systemd units/timers/generators, rc.local and ld.so.preload: jobs that fetch, decode or run from temp or hidden paths"
    }

    fn run(&self, ctx: &mut Context) {
        cron::check(ctx);
        at::check(ctx);
        systemd::check(ctx);
        rclocal::check(ctx);
        preload::check(ctx);
    }
}

/// The most of one job file that is read.
const MAX_JOB_FILE: u64 = 8 << 20;
/// The most of one line that is judged.
const MAX_LINE: usize = 64 << 10;

/// How bad a sign is in something that runs unattended, as root or a service.
/// A bare download is not reported: `curl https://site/wp-cron.php` is how
/// WordPress cron is often run.
fn job_severity(kind: SignKind) -> Option<Severity> {
    use SignKind::*;
    Some(match kind {
        DownloadExec | DecodeExec | ReverseShell | Miner | PrivilegedAccount => Severity::Critical,
        TempExec | HistoryWipe | LogWipe | SshKeyAdd | FirewallOff => Severity::High,
        HiddenExec | AccountAdd | Immutable | CrontabInstall => Severity::Medium,
        Fetch => return None,
    })
}

/// Reports `command` under `rule` when it shows a sign; the severity is that of the
/// strongest sign, the evidence lists them all. Returns whether it reported.
fn judge_command(
    ctx: &mut Context,
    rule: &Rule,
    path: &str,
    line: Option<u64>,
    command: &str,
    note: Option<&str>,
) -> bool {
    let signs: Vec<_> = shellcmd::classify(command)
        .into_iter()
        .filter_map(|s| job_severity(s.kind).map(|sev| (sev, s)))
        .collect();
    let Some(worst) = signs.iter().map(|(sev, _)| *sev).max() else {
        return false;
    };
    let what: Vec<&str> = signs.iter().map(|(_, s)| s.kind.describe()).collect();
    let mut f = rule.finding().severity(worst).path(path).evidence(format!(
        "[{}] {}",
        what.join("; "),
        escape_bytes(command.trim().as_bytes())
    ));
    if let Some(line) = line {
        f = f.line(line);
    }
    if let Some(note) = note {
        f = f.note(note);
    }
    ctx.report(f);
    true
}

/// The files of a job directory, down to `depth`. Directories are left out; symlinks,
/// FIFOs and devices are kept so that reading them says why they were not read.
fn job_files(ctx: &mut Context, dir: &str, depth: usize) -> Vec<breachkit_host::Entry> {
    let mut entries = ctx.walk(dir, depth);
    entries.retain(|e| !e.meta.is_dir());
    entries
}
