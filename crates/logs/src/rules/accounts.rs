//! Accounts and privilege in the auth log: accounts and groups created (UID or GID
//! 0), accounts put in admin groups, password changes, sudo and su by service
//! accounts, crontabs replaced without an editor, and systemd units never started
//! before.

use super::{At, FirstSeen, Hit, Shared};
use crate::event::{CronAction, Event, Kind};
use breachkit_finding::{Rule, Severity, Step};
use std::collections::HashMap;

/// Groups whose members are administrators.
const ADMIN_GROUPS: &[&str] = &["sudo", "wheel", "adm", "admin", "root"];
/// Programs that give a shell when run through sudo or su.
const SHELLS: &[&str] = &[
    "sh", "bash", "dash", "zsh", "ksh", "csh", "tcsh", "fish", "su",
];
/// UIDs below this are system accounts (Debian and RHEL alike).
const SYSTEM_UID_END: u32 = 1000;
/// How long after `crontab -e` starts its REPLACE is the editor's own (seconds).
const EDIT_SESSION: i64 = 6 * 3600;

const USER_CREATED: Rule = Rule {
    id: "auth.user-created",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "An account was created",
    explanation: "useradd created an account. Intruders create accounts to come back; an account with UID 0 is a second root. A system account that cannot log in (a package's) is only noted (low).",
    mitre: Some("T1136.001"),
    next_step: "Check the account is one you made (breachkit check reviews /etc/passwd); remove it after taking evidence if not.",
};
const GROUP_CREATED: Rule = Rule {
    id: "auth.group-created",
    step: Step::Aware,
    severity: Severity::Low,
    title: "A group was created",
    explanation: "groupadd created a group (packages do this when they install). A group with GID 0 shares root's group rights.",
    mitre: Some("T1136.001"),
    next_step: "Check the group belongs to a package or a colleague.",
};
const ADMIN_GROUP: Rule = Rule {
    id: "auth.admin-group",
    step: Step::Aware,
    severity: Severity::High,
    title: "An account was put in an administrators' group",
    explanation: "An account was added to sudo, wheel, adm, admin or root: it can now become root (or read every log).",
    mitre: Some("T1098"),
    next_step: "Check who did this and why; take the account out of the group if it is not known.",
};
const ROOT_UID: Rule = Rule {
    id: "auth.uid-zero",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "An account was given UID 0",
    explanation: "An account was created or changed to have UID 0 (or a group GID 0): a second root under another name, the classic backdoor account.",
    mitre: Some("T1098"),
    next_step: "Find it in /etc/passwd (and /etc/group), take evidence and remove it; then look for how the intruder got root.",
};
const PASSWORD_CHANGED: Rule = Rule {
    id: "auth.password-changed",
    step: Step::Aware,
    severity: Severity::Low,
    title: "A password was changed",
    explanation: "An account's password was changed. For root or a service account this is how an intruder keeps a way in.",
    mitre: Some("T1098"),
    next_step: "Check the change was yours.",
};
const SERVICE_SUDO: Rule = Rule {
    id: "auth.service-sudo",
    step: Step::Aware,
    severity: Severity::High,
    title: "A service account used sudo",
    explanation: "A service account (the web server, a database) ran sudo. Services never do this by themselves; a webshell or an intruder running as that account does. A shell run this way is critical; one command a sudoers rule allows a monitoring or backup account is only noted (low).",
    mitre: Some("T1548.003"),
    next_step: "See what the command did; check /etc/sudoers and /etc/sudoers.d for rules for that account.",
};
const SU_ROOT: Rule = Rule {
    id: "auth.su-root",
    step: Step::Aware,
    severity: Severity::Low,
    title: "su to root",
    explanation: "Someone became root with su. Admins do this; a service account doing it means someone runs commands as that service.",
    mitre: Some("T1548"),
    next_step: "Check who it was and what followed.",
};
const CRONTAB_REPLACE: Rule = Rule {
    id: "auth.crontab-replace",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "A crontab was replaced without an editor",
    explanation: "A crontab was installed from a file or a pipe (crontab FILE, … | crontab -), not edited with crontab -e. Malware plants its persistence this way; a service account's crontab even more so.",
    mitre: Some("T1053.003"),
    next_step: "Read that user's crontab now (crontab -l -u USER or /var/spool/cron) and remove jobs you did not add.",
};
const NEW_UNIT: Rule = Rule {
    id: "auth.systemd-new-unit",
    step: Step::Aware,
    severity: Severity::Low,
    title: "A systemd unit started for the first time in these logs",
    explanation: "systemd started a unit that it had never started before in the log history. New services come with new software, or with malware that installs itself as a service.",
    mitre: Some("T1543.002"),
    next_step: "Check the unit file (systemctl cat UNIT) belongs to installed software.",
};

#[derive(Debug, Default)]
pub struct State {
    /// (by, user) → time of the last `BEGIN EDIT`.
    edits: HashMap<(String, String), i64>,
    units: FirstSeen,
}

impl State {
    pub fn full(&self) -> bool {
        self.edits.len() >= super::MAX_KEYS
    }

    pub fn event(&mut self, s: &mut Shared, ev: &Event, at: &At) {
        match ev.kind {
            Kind::UserAdded { name, uid, shell } => {
                let seen = at.seen(ev.time);
                s.key_event(
                    &seen,
                    "account created",
                    format!("account {name} created (UID {})", show(uid)),
                );
                if uid == Some(0) {
                    s.hits.push(Hit::new(&ROOT_UID, &seen, name));
                } else if uid.is_some_and(|u| u < SYSTEM_UID_END) && shell.is_some_and(no_login) {
                    // A package installing its service account (mysql, _chrony…).
                    s.hits.push(
                        Hit::new(&USER_CREATED, &seen, name)
                            .severity(Severity::Low)
                            .note("A system account that cannot log in: packages create these when they install."),
                    );
                } else {
                    s.hits.push(Hit::new(&USER_CREATED, &seen, name));
                }
            }
            Kind::GroupAdded { name, gid } => {
                let seen = at.seen(ev.time);
                let rule = if gid == Some(0) {
                    &ROOT_UID
                } else {
                    &GROUP_CREATED
                };
                s.hits.push(Hit::new(rule, &seen, name));
            }
            Kind::UidChanged { user, uid } => {
                let seen = at.seen(ev.time);
                s.key_event(&seen, "account changed", format!("{user} given UID {uid}"));
                if uid == 0 {
                    s.hits.push(Hit::new(&ROOT_UID, &seen, user));
                }
            }
            Kind::GroupMember { user, group } if ADMIN_GROUPS.contains(&group) => {
                let seen = at.seen(ev.time);
                s.key_event(
                    &seen,
                    "account changed",
                    format!("{user} put in group {group}"),
                );
                s.hits
                    .push(Hit::new(&ADMIN_GROUP, &seen, &format!("{user}:{group}")));
            }
            Kind::PasswordChanged { user } => {
                let seen = at.seen(ev.time);
                s.key_event(
                    &seen,
                    "password changed",
                    format!("password of {user} changed"),
                );
                let mut hit = Hit::new(&PASSWORD_CHANGED, &seen, user);
                if user == "root" || s.is_service(user) {
                    hit = hit.severity(Severity::Medium);
                }
                s.hits.push(hit);
            }
            Kind::Sudo {
                by,
                runas,
                command,
                refused,
            } => {
                let shell = is_shell(command);
                if s.is_service(by) {
                    let seen = at.seen(ev.time);
                    s.key_event(
                        &seen,
                        "sudo",
                        format!("{by} ran sudo as {runas}: {command}"),
                    );
                    let hit = Hit::new(&SERVICE_SUDO, &seen, &format!("{by}:{command}"));
                    let hit = if shell && !refused {
                        hit.severity(Severity::Critical).note(format!(
                            "The command is a shell: {by} got an interactive shell as {runas}."
                        ))
                    } else if refused {
                        hit.note("sudo refused it; the attempt alone shows someone is using this account.")
                    } else if s.is_web(by) {
                        hit
                    } else {
                        // A monitoring or backup account that sudoers lets run one command.
                        hit.severity(Severity::Low).note(
                            "sudo allowed this one command (a sudoers rule for the account); check the rule is yours.",
                        )
                    };
                    s.hits.push(hit);
                } else if shell && !refused {
                    let seen = at.seen(ev.time);
                    s.key_event(&seen, "sudo", format!("{by} opened a shell as {runas}"));
                }
            }
            Kind::Su { to, by, by_uid } => {
                if to != "root" {
                    return;
                }
                let seen = at.seen(ev.time);
                s.key_event(&seen, "su", format!("{by} became root with su"));
                let mut hit = Hit::new(&SU_ROOT, &seen, by);
                if s.is_service(by) || by_uid.is_some_and(|u| s.facts.service_uids.contains(&u)) {
                    hit = hit
                        .severity(Severity::High)
                        .note("A service account did this.");
                }
                s.hits.push(hit);
            }
            Kind::Crontab { by, user, action } => self.crontab(s, ev.time, at, by, user, action),
            Kind::UnitStarted { unit } => {
                if unit.starts_with("session-")
                    || unit.starts_with("Session ")
                    || unit.starts_with("user@")
                    || unit.starts_with("user-runtime-dir@")
                {
                    return;
                }
                if self.units.first(unit) && s.learned(ev.time) {
                    let seen = at.seen(ev.time);
                    s.key_event(
                        &seen,
                        "new unit",
                        format!("systemd started {unit} for the first time"),
                    );
                    s.hits.push(Hit::new(&NEW_UNIT, &seen, unit));
                }
            }
            _ => {}
        }
    }

    fn crontab(
        &mut self,
        s: &mut Shared,
        time: Option<i64>,
        at: &At,
        by: &str,
        user: &str,
        action: CronAction,
    ) {
        let key = (by.to_string(), user.to_string());
        match action {
            CronAction::BeginEdit => {
                if let Some(t) = time
                    && (self.edits.len() < super::MAX_KEYS || self.edits.contains_key(&key))
                {
                    self.edits.insert(key, t);
                }
            }
            CronAction::Replace => {
                let seen = at.seen(time);
                let edited = match (self.edits.get(&key), time) {
                    (Some(begin), Some(t)) => t >= *begin && t - begin <= EDIT_SESSION,
                    _ => false,
                };
                s.key_event(
                    &seen,
                    "crontab",
                    format!("{by} replaced the crontab of {user}"),
                );
                if s.is_service(by) || s.is_service(user) {
                    s.hits.push(
                        Hit::new(&CRONTAB_REPLACE, &seen, user)
                            .severity(Severity::High)
                            .note("It is a service account's crontab: the web server does not install cron jobs, a webshell does."),
                    );
                } else if !edited {
                    s.hits.push(Hit::new(&CRONTAB_REPLACE, &seen, user));
                }
                self.edits.remove(&key);
            }
            CronAction::Delete => {
                let seen = at.seen(time);
                s.key_event(
                    &seen,
                    "crontab",
                    format!("{by} deleted the crontab of {user}"),
                );
            }
        }
    }
}

fn show(v: Option<u32>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "?".to_string())
}

/// True for a shell that refuses logins (`/usr/sbin/nologin`, `/bin/false`).
fn no_login(shell: &str) -> bool {
    matches!(shell.rsplit('/').next(), Some("nologin" | "false"))
}

/// True when a sudo command runs a shell (`/bin/bash`, `sh -c …`, `su -`).
fn is_shell(command: &str) -> bool {
    let prog = command.split(' ').next().unwrap_or("");
    let base = prog.rsplit('/').next().unwrap_or(prog);
    SHELLS.contains(&base)
}
