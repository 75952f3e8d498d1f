//! sshd: brute force, the login that follows failures from the same source (the
//! moment a password was guessed), root and service-account logins, logins from
//! sources and with keys never seen before in the log's own history, and sprays of
//! non-existent user names.

use super::config::{count, minutes};
use super::{At, Bounded, FirstSeen, Hit, Seen, Shared, Window};
use crate::event::{Event, Kind};
use breachkit_finding::{Rule, Severity, Step};
use std::collections::HashSet;

const BRUTE_FORCE: Rule = Rule {
    id: "auth.ssh-brute-force",
    step: Step::Aware,
    severity: Severity::Low,
    title: "SSH brute force from one source",
    explanation: "Many failed SSH logins came from one address in a short time. Every server on the internet sees this; it matters when a login from the same address follows (see auth.ssh-login-after-failures).",
    mitre: Some("T1110.001"),
    next_step: "Make sure password logins are off (PasswordAuthentication no) or rate-limited (fail2ban).",
};
const LOGIN_AFTER_FAILURES: Rule = Rule {
    id: "auth.ssh-login-after-failures",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "SSH login after many failures from the same source",
    explanation: "An address that had been failing to log in then logged in: its password guessing worked. This is most likely the moment the server was broken into.",
    mitre: Some("T1110"),
    next_step: "Change that account's password, remove keys it may have added, isolate the host (breachkit quarantine) and follow what the session did from this time on.",
};
const ROOT_LOGIN: Rule = Rule {
    id: "auth.ssh-root-login",
    step: Step::Aware,
    severity: Severity::Low,
    title: "SSH login as root",
    explanation: "Someone logged in directly as root. With a key this may be your own routine; with a password it is how guessed root passwords are used.",
    mitre: Some("T1078.003"),
    next_step: "Check the source address is one of yours; prefer PermitRootLogin no and personal accounts with sudo.",
};
const SERVICE_LOGIN: Rule = Rule {
    id: "auth.ssh-service-login",
    step: Step::Aware,
    severity: Severity::High,
    title: "SSH login by a service account",
    explanation: "A service account (the web server, a database, a daemon) logged in over SSH. These accounts never log in; someone gave one a password, a key or a shell.",
    mitre: Some("T1078.003"),
    next_step: "Look at that account's ~/.ssh/authorized_keys, shell and password, and what the session did.",
};
const NEW_SOURCE: Rule = Rule {
    id: "auth.ssh-new-source",
    step: Step::Aware,
    severity: Severity::Low,
    title: "SSH login from a source never seen before in these logs",
    explanation: "An account logged in from an address that had never logged in before in the log history kept on this host. With a key used before it is most likely the same person on another network (low); with a password or a key never seen it may be someone else (medium).",
    mitre: Some("T1078"),
    next_step: "Check the address belongs to someone who may log in.",
};
const NEW_KEY: Rule = Rule {
    id: "auth.ssh-new-key",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "SSH login with a key never seen before in these logs",
    explanation: "A public key that had never been used before in the log history was used to log in. Intruders add their own key to authorized_keys to come back.",
    mitre: Some("T1098.004"),
    next_step: "Find that key's fingerprint in the account's authorized_keys (ssh-keygen -lf) and remove it unless it is known.",
};
const SPRAY: Rule = Rule {
    id: "auth.ssh-invalid-user-spray",
    step: Step::Aware,
    severity: Severity::Low,
    title: "SSH logins tried for many non-existent accounts",
    explanation: "One address tried many user names that do not exist here: a password spray of common names (admin, test, oracle…).",
    mitre: Some("T1110.003"),
    next_step: "Nothing to do if no login followed; consider blocking the source.",
};

#[derive(Debug, Default)]
struct Source {
    failures: u64,
    first_failure: Option<Seen>,
    brute_window: Window,
    recent_failures: Window,
    /// The line where brute force was first reached.
    brute: Option<Seen>,
    invalid_users: HashSet<String>,
    spray: Option<Seen>,
}

#[derive(Debug, Default)]
pub struct State {
    sources: Bounded<Source>,
    login_sources: FirstSeen,
    keys: FirstSeen,
}

impl State {
    pub fn full(&self) -> bool {
        self.sources.full
    }

    pub fn event(&mut self, s: &mut Shared, ev: &Event, at: &At) {
        let t = s.thresholds;
        match ev.kind {
            Kind::SshFailed { source, .. } => {
                let Some(src) = self.sources.entry(source) else {
                    return;
                };
                src.failures += 1;
                if src.first_failure.is_none() {
                    src.first_failure = Some(at.seen(ev.time));
                }
                if let Some(time) = ev.time {
                    let span = minutes(t.ssh_brute_window_minutes);
                    if src
                        .brute_window
                        .push(time, span, count(t.ssh_brute_failures))
                        && src.brute.is_none()
                    {
                        src.brute = Some(at.seen(ev.time));
                    }
                    let after = count(t.ssh_after_failures);
                    src.recent_failures
                        .push(time, minutes(t.ssh_after_window_hours * 60.0), after);
                }
            }
            Kind::SshInvalidUser { user, source } => {
                let Some(src) = self.sources.entry(source) else {
                    return;
                };
                let limit = count(t.ssh_spray_users);
                if src.invalid_users.len() < limit {
                    src.invalid_users.insert(user.to_string());
                }
                if src.invalid_users.len() >= limit && src.spray.is_none() {
                    src.spray = Some(at.seen(ev.time));
                }
            }
            Kind::SshAccepted {
                user,
                source,
                method,
                key,
            } => self.accepted(s, ev.time, at, user, source, method, key),
            _ => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn accepted(
        &mut self,
        s: &mut Shared,
        time: Option<i64>,
        at: &At,
        user: &str,
        source: &str,
        method: &str,
        key: Option<&str>,
    ) {
        let t = s.thresholds;
        let seen = at.seen(time);
        s.key_event(
            &seen,
            "ssh login",
            format!("{user} logged in over SSH from {source} ({method})"),
        );
        let subject = format!("{user}@{source}");
        if let (Some(src), Some(now)) = (self.sources.map.get(source), time) {
            let span = minutes(t.ssh_after_window_hours * 60.0);
            let failed = src.recent_failures.recent(now, span);
            if failed >= count(t.ssh_after_failures) {
                let mut hit = Hit::new(&LOGIN_AFTER_FAILURES, &seen, &subject).note(format!(
                    "{source} failed {} times in all before this login as {user}",
                    src.failures
                ));
                if let Some(first) = &src.first_failure {
                    hit = hit.note(format!("(the first failure at {}).", first.place()));
                }
                s.hits.push(hit);
            }
        }
        if user == "root" {
            let mut hit = Hit::new(&ROOT_LOGIN, &seen, &subject);
            if method != "publickey" {
                hit = hit
                    .severity(Severity::Medium)
                    .note(format!("This login used a {method}, not a key."));
            }
            s.hits.push(hit);
        }
        if s.is_service(user) {
            s.hits.push(Hit::new(&SERVICE_LOGIN, &seen, &subject));
        }
        let learned = s.learned(time);
        let new_key = key.is_some_and(|k| self.keys.first(k));
        if self.login_sources.first(source) && learned {
            let hit = Hit::new(&NEW_SOURCE, &seen, &subject);
            s.hits.push(if method == "publickey" && !new_key {
                hit.note(format!(
                    "With a key used before: likely {user} on another network."
                ))
            } else {
                hit.severity(Severity::Medium).note(format!(
                    "{user} used a {} here, not a key seen before: check who it was.",
                    if method == "publickey" {
                        "new key"
                    } else {
                        method
                    }
                ))
            });
        }
        if let Some(k) = key
            && new_key
            && learned
        {
            s.hits.push(
                Hit::new(&NEW_KEY, &seen, &format!("{user}:{k}"))
                    .note(format!("Key {k} for {user} from {source}.")),
            );
        }
    }

    pub fn finish(&mut self, s: &mut Shared) {
        let mut sources: Vec<_> = self.sources.map.iter().collect();
        sources.sort_by(|a, b| a.0.cmp(b.0));
        for (addr, src) in sources {
            if let Some(seen) = &src.brute {
                s.hits.push(Hit::new(&BRUTE_FORCE, seen, addr).note(format!(
                    "{addr} failed {} times in all{}.",
                    src.failures,
                    src.first_failure
                        .as_ref()
                        .map(|f| format!(", the first at {}", f.place()))
                        .unwrap_or_default()
                )));
            }
            if let Some(seen) = &src.spray {
                s.hits.push(Hit::new(&SPRAY, seen, addr).note(format!(
                    "{addr} tried at least {} different non-existent accounts.",
                    src.invalid_users.len()
                )));
            }
        }
    }
}
