//! Cron: `/etc/crontab` and `/etc/cron.d` (with a user field), user crontabs under
//! `/var/spool/cron` (Debian's `crontabs/`, RHEL's flat files, SUSE's `tabs/`),
//! `/etc/anacrontab`, and the scripts in `/etc/cron.{hourly,daily,weekly,monthly}`.

use super::{MAX_JOB_FILE, job_lines, judge_command};
use crate::Context;
use breachkit_finding::{Rule, Severity, Step};

const CRON_JOB: Rule = Rule {
    id: "cron.suspicious-job",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "Cron job that fetches, decodes or runs code from a temp or hidden path",
    explanation: "A scheduled job does what attackers' persistence does: downloads and runs a script, decodes a hidden command, or starts a program from a temp or hidden directory. It will bring the intruder back after any clean-up.",
    mitre: Some("T1053.003"),
    next_step: "Keep a copy of the file for evidence, then remove the job (breachkit cleanup) and look for what it downloaded or started.",
};

/// Where a crontab line's command starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// `m h dom mon dow user command` (`/etc/crontab`, `/etc/cron.d`).
    System,
    /// `m h dom mon dow command` (user crontabs).
    User,
    /// `period delay job-id command` (`/etc/anacrontab`).
    Anacron,
    /// A script: every line is a command.
    Script,
}

pub fn check(ctx: &mut Context) {
    for (path, layout) in [
        ("/etc/crontab", Layout::System),
        ("/etc/anacrontab", Layout::Anacron),
    ] {
        if let Some(content) = ctx.read(path, MAX_JOB_FILE) {
            check_lines(ctx, path, &content.bytes, layout);
        }
    }
    let mut dirs = vec![
        ("/etc/cron.d", 1, Layout::System),
        ("/var/spool/cron", 3, Layout::User),
    ];
    for dir in [
        "/etc/cron.hourly",
        "/etc/cron.daily",
        "/etc/cron.weekly",
        "/etc/cron.monthly",
    ] {
        dirs.push((dir, 1, Layout::Script));
    }
    for (dir, depth, layout) in dirs {
        for entry in super::job_files(ctx, dir, depth) {
            let p = entry.host.to_string_lossy();
            // at jobs share /var/spool/cron on Debian; they have their own reader.
            if p.contains("/atjobs/") || p.contains("/atspool/") {
                continue;
            }
            if let Some(content) = ctx.read_entry(&entry, MAX_JOB_FILE) {
                check_lines(ctx, &entry.display(), &content.bytes, layout);
            }
        }
    }
}

fn check_lines(ctx: &mut Context, path: &str, bytes: &[u8], layout: Layout) {
    for line in job_lines(ctx, path, bytes) {
        let text = line.text();
        let t = text.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let (command, note) = match layout {
            Layout::Script => (t, None),
            _ if is_assignment(t) => (t.split_once('=').map_or(t, |(_, v)| v), None),
            Layout::System => (skip_schedule(t, 1), reboot_note(t)),
            Layout::User => (skip_schedule(t, 0), reboot_note(t)),
            Layout::Anacron => (skip_fields(t, 3), None),
        };
        judge_command(ctx, &CRON_JOB, path, Some(line.number), command, note);
    }
}

fn reboot_note(line: &str) -> Option<&'static str> {
    line.starts_with("@reboot")
        .then_some("It runs at every boot (@reboot).")
}

/// `NAME=value` lines set the environment of the jobs below them.
fn is_assignment(line: &str) -> bool {
    line.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name
                .trim()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// The command of a crontab line: after five time fields (or one `@keyword`) and
/// `extra` more fields (the user, in system crontabs).
fn skip_schedule(line: &str, extra: usize) -> &str {
    let time_fields = if line.starts_with('@') { 1 } else { 5 };
    skip_fields(line, time_fields + extra)
}

/// `line` without its first `n` whitespace-separated fields.
fn skip_fields(line: &str, n: usize) -> &str {
    let mut rest = line.trim_start();
    for _ in 0..n {
        rest = rest
            .split_once(char::is_whitespace)
            .map_or("", |(_, after)| after)
            .trim_start();
    }
    rest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_cut_from_schedules() {
        assert_eq!(skip_schedule("*/5 * * * * root /tmp/x -a", 1), "/tmp/x -a");
        assert_eq!(skip_schedule("@reboot  /tmp/x", 0), "/tmp/x");
        assert_eq!(skip_schedule("0 3\t* * *\tcurl x|sh", 0), "curl x|sh");
        assert_eq!(
            skip_fields("1 5 cron.daily run-parts /etc/cron.daily", 3),
            "run-parts /etc/cron.daily"
        );
        assert!(is_assignment("PATH=/usr/bin:/bin"));
        assert!(!is_assignment("* * * * * x=1 /bin/true"));
    }
}
