//! at jobs waiting to run: `/var/spool/cron/atjobs` (Debian) and `/var/spool/at`
//! (RHEL). A job file is a shell script: at's own preamble (environment exports, the
//! `cd` to the submitter's directory) and then the submitted commands.

use super::{MAX_JOB_FILE, job_lines, judge_command};
use crate::Context;
use breachkit_finding::{Rule, Severity, Step};

const AT_JOB: Rule = Rule {
    id: "at.suspicious-job",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "Pending at job that fetches, decodes or runs code from a temp or hidden path",
    explanation: "A one-off job queued with at will run this command later, once: attackers use it to come back after a clean-up.",
    mitre: Some("T1053.002"),
    next_step: "Keep a copy for evidence, then remove the job (atrm) and look for what it would start.",
};

pub fn check(ctx: &mut Context) {
    for dir in ["/var/spool/cron/atjobs", "/var/spool/at"] {
        for entry in super::job_files(ctx, dir, 1) {
            let Some(content) = ctx.read_entry(&entry, MAX_JOB_FILE) else {
                continue;
            };
            let path = entry.display();
            for line in job_lines(ctx, &path, &content.bytes) {
                let text = line.text();
                let t = text.trim();
                if t.is_empty() || t.starts_with('#') || is_preamble(t) {
                    continue;
                }
                judge_command(ctx, &AT_JOB, &path, Some(line.number), t, None);
            }
        }
    }
}

/// at's own lines: `NAME=value; export NAME`, `umask 22`, the `cd … || {` block.
fn is_preamble(line: &str) -> bool {
    line.starts_with("umask ")
        || line.starts_with("echo 'Execution directory inaccessible'")
        || line == "exit 1"
        || line == "}"
        || (line.starts_with("cd ") && line.ends_with("|| {"))
        || line.split_once("; export ").is_some_and(|(assign, name)| {
            assign
                .strip_prefix(name.trim())
                .is_some_and(|value| value.starts_with('='))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preamble_is_recognised() {
        assert!(is_preamble("PATH=/usr/bin:/bin; export PATH"));
        assert!(is_preamble("cd /tmp || {"));
        assert!(is_preamble("umask 22"));
        assert!(!is_preamble("/tmp/.x/run"));
        assert!(!is_preamble("X=1; export Y"));
    }
}
