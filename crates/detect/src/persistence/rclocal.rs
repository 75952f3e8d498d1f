//! `/etc/rc.local` (and RHEL's `/etc/rc.d/rc.local`): a script run as root at boot.

use super::{MAX_JOB_FILE, job_lines, judge_command};
use crate::Context;
use breachkit_finding::{Rule, Severity, Step, escape_bytes};
use breachkit_host::lines;

const SUSPICIOUS: Rule = Rule {
    id: "rclocal.suspicious-command",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "rc.local runs a command that fetches, decodes or runs from a temp or hidden path",
    explanation: "/etc/rc.local runs as root at every boot; this command is what attackers put there to survive a reboot.",
    mitre: Some("T1037.004"),
    next_step: "Keep a copy for evidence, then remove the line and look for what it started.",
};

const COMMANDS: Rule = Rule {
    id: "rclocal.commands",
    step: Step::Aware,
    severity: Severity::Low,
    title: "rc.local runs commands at boot",
    explanation: "/etc/rc.local is not empty. Few current systems need it; make sure you know every line.",
    mitre: Some("T1037.004"),
    next_step: "Read the file and confirm each command is yours.",
};

pub fn check(ctx: &mut Context) {
    for path in ["/etc/rc.local", "/etc/rc.d/rc.local"] {
        let Some(content) = ctx.read(path, MAX_JOB_FILE) else {
            continue;
        };
        let mut plain = Vec::new();
        for line in job_lines(ctx, path, &content.bytes) {
            let text = line.text();
            let t = text.trim();
            if t.is_empty() || t.starts_with('#') || t == "exit 0" {
                continue;
            }
            if !judge_command(ctx, &SUSPICIOUS, path, Some(line.number), t, None) {
                plain.push(line.number);
            }
        }
        if let Some(first) = plain.first() {
            ctx.report(COMMANDS.finding().path(path).line(*first).evidence(format!(
                "{} command line(s): {}",
                plain.len(),
                escape_bytes(first_line(&content.bytes, *first))
            )));
        }
    }
}

fn first_line(bytes: &[u8], number: u64) -> &[u8] {
    lines(bytes, usize::MAX)
        .find(|l| l.number == number)
        .map_or(&[], |l| l.bytes)
}
