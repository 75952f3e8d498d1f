//! The timeline of the case: each timed finding of the judged run (through the log
//! timeline's own conversion, `breachkit_logs::Entry::of_finding`), every
//! run, action, bundle and backup, on one time axis in lanes that tell the story:
//! first access → execution (webshell use, commands) → persistence → spam, then
//! what the response did.

use super::data::Backup;
use breachkit_case::{Action, ActionState, BundleRecord, RunSummary};
use breachkit_finding::{Finding, Severity};
use breachkit_logs::Entry;

/// The lanes of the chart, in the order they are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lane {
    Access,
    Execution,
    Persistence,
    Spam,
    OtherFindings,
    Response,
}

impl Lane {
    pub const ALL: [Lane; 6] = [
        Lane::Access,
        Lane::Execution,
        Lane::Persistence,
        Lane::Spam,
        Lane::OtherFindings,
        Lane::Response,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Lane::Access => "First access",
            Lane::Execution => "Webshell use, commands",
            Lane::Persistence => "Persistence",
            Lane::Spam => "Spam",
            Lane::OtherFindings => "Other findings",
            Lane::Response => "Response (breachkit)",
        }
    }

    /// The lane of a finding's rule id: the first prefix that matches in [`LANES`].
    pub fn of_rule(rule: &str) -> Lane {
        LANES
            .iter()
            .find(|(prefix, _)| rule.starts_with(prefix))
            .map_or(Lane::OtherFindings, |&(_, lane)| lane)
    }
}

/// Rule id prefixes and their lane; the more specific prefixes come first.
const LANES: &[(&str, Lane)] = &[
    ("auth.ssh-", Lane::Access),
    ("web.scanner", Lane::Access),
    ("web.attack-patterns", Lane::Access),
    ("web.login-", Lane::Access),
    ("mail.sasl-", Lane::Access),
    ("history.crontab", Lane::Persistence),
    ("history.ssh-key", Lane::Persistence),
    ("history.account-add", Lane::Persistence),
    ("history.root-account", Lane::Persistence),
    ("auth.crontab-replace", Lane::Persistence),
    ("auth.systemd-new-unit", Lane::Persistence),
    ("auth.user-created", Lane::Persistence),
    ("auth.group-created", Lane::Persistence),
    ("auth.uid-zero", Lane::Persistence),
    ("auth.admin-group", Lane::Persistence),
    ("auth.password-changed", Lane::Persistence),
    ("accounts.", Lane::Persistence),
    ("at.", Lane::Persistence),
    ("cron.", Lane::Persistence),
    ("persist.", Lane::Persistence),
    ("php.", Lane::Persistence),
    ("rclocal.", Lane::Persistence),
    ("ssh.", Lane::Persistence),
    ("systemd.", Lane::Persistence),
    ("wp.", Lane::Persistence),
    ("scan.mailer", Lane::Spam),
    ("mail.", Lane::Spam),
    ("web.", Lane::Execution),
    ("scan.", Lane::Execution),
    ("proc.", Lane::Execution),
    ("history.", Lane::Execution),
    ("auth.su", Lane::Execution),
    ("auth.service-sudo", Lane::Execution),
];

/// One event on the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Unix seconds, UTC.
    pub time: i64,
    pub lane: Lane,
    /// A short label (a rule id, a command, `bundle`).
    pub label: String,
    /// One sentence: the finding's title and path, the action's target…
    pub detail: String,
    /// A finding's severity; none for what the response did.
    pub severity: Option<Severity>,
}

impl Event {
    /// RFC 3339, UTC.
    pub fn rfc3339(&self) -> String {
        rfc3339(self.time)
    }
}

/// Unix seconds as RFC 3339 UTC.
pub fn rfc3339(secs: i64) -> String {
    breachkit_case::timestamp_rfc3339(secs)
}

/// Seconds of an RFC 3339 time, if it parses.
fn seconds(rfc3339: &str) -> Option<i64> {
    rfc3339
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_second())
}

/// The events in time order, and how many findings had no usable time.
pub fn events(
    findings: &[Finding],
    runs: &[RunSummary],
    actions: &[Action],
    bundles: &[BundleRecord],
    backups: &[Backup],
) -> (Vec<Event>, usize) {
    let mut events = Vec::new();
    let mut untimed = 0;
    for f in findings {
        let Some(entry) = Entry::of_finding(f) else {
            untimed += 1;
            continue;
        };
        let detail = if entry.path.is_empty() {
            entry.summary
        } else {
            format!("{}: {}", entry.summary, entry.path)
        };
        events.push(Event {
            time: entry.time,
            lane: Lane::of_rule(&f.rule),
            label: f.rule.clone(),
            detail,
            severity: Some(f.severity),
        });
    }
    let mut response = |time: &str, label: String, detail: String| {
        if let Some(time) = seconds(time) {
            events.push(Event {
                time,
                lane: Lane::Response,
                label,
                detail,
                severity: None,
            });
        }
    };
    for r in runs {
        response(
            &r.info.started_at,
            format!("run {}", r.id),
            format!(
                "{} ({}, {} findings)",
                r.info.command, r.verdict, r.findings
            ),
        );
    }
    for a in actions {
        response(
            &a.planned_at,
            a.batch.clone(),
            format!("{} {} made", a.kind, a.target),
        );
        if a.state == ActionState::Undone {
            response(
                &a.updated_at,
                format!("{} undone", a.batch),
                format!("{} {} undone", a.kind, a.target),
            );
        }
    }
    for b in bundles {
        response(
            &b.created_at,
            "bundle".to_string(),
            format!("evidence bundle {} by {}", b.bundle, b.examiner),
        );
    }
    for b in backups {
        if let Some(r) = &b.record {
            response(
                &r.created_at,
                "backup".to_string(),
                format!("evidence backup {}", b.archive),
            );
        }
    }
    events.sort_by(|a, b| {
        a.time
            .cmp(&b.time)
            .then_with(|| a.lane.cmp(&b.lane))
            .then_with(|| a.label.cmp(&b.label))
    });
    (events, untimed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_fall_into_the_story_lanes() {
        assert_eq!(Lane::of_rule("auth.ssh-brute-force"), Lane::Access);
        assert_eq!(Lane::of_rule("web.shell-command"), Lane::Execution);
        assert_eq!(Lane::of_rule("history.crontab"), Lane::Persistence);
        assert_eq!(Lane::of_rule("history.download-exec"), Lane::Execution);
        assert_eq!(Lane::of_rule("mail.outbound-spike"), Lane::Spam);
        assert_eq!(
            Lane::of_rule("packages.changed-binary"),
            Lane::OtherFindings
        );
    }
}
