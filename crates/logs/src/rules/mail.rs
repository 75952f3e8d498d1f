//! Mail logs: hours when outbound mail spikes far above the usual, mail submitted
//! by the web server's account (PHP mailers), storms of deferred and bounced mail,
//! and SMTP AUTH guessing and the login that ends it (a stolen mailbox password).

use super::config::{count, minutes};
use super::{At, Bounded, Hit, Seen, Shared, Window};
use crate::event::{Event, Kind, MailStatus};
use breachkit_finding::{Rule, Severity, Step};
use std::collections::BTreeMap;

/// The most hours reported by one hourly rule.
const MAX_HOURS: usize = 20;

const SPIKE: Rule = Rule {
    id: "mail.outbound-spike",
    step: Step::Aware,
    severity: Severity::High,
    title: "Outbound mail spiked",
    explanation: "Far more mail left this server in one hour than it usually sends. A hacked site or mailbox sending spam looks like this, and gets the server's address blacklisted.",
    mitre: Some("T1496"),
    next_step: "Look at the mail queue (breachkit mail), find who submitted the messages of that hour, and stop it.",
};
const WEB_SUBMISSIONS: Rule = Rule {
    id: "mail.web-submissions",
    step: Step::Aware,
    severity: Severity::Low,
    title: "The web server's account submits mail",
    explanation: "Mail was submitted locally by the web server's account (PHP mail()). Contact forms and password resets do this a few times an hour; a PHP mailer planted by an intruder sends hundreds.",
    mitre: Some("T1505.003"),
    next_step: "Find which script sends (php.ini mail.log, the X-PHP-Originating-Script header) and check it.",
};
const STORM: Rule = Rule {
    id: "mail.bounce-storm",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "A storm of deferred and bounced mail",
    explanation: "Many messages were deferred or bounced in one hour: mail to addresses that do not exist, or receivers refusing this server. Spam runs leave this trail.",
    mitre: Some("T1496"),
    next_step: "Look at the deferred queue and who the messages are from.",
};
const SASL_BRUTE: Rule = Rule {
    id: "mail.sasl-brute-force",
    step: Step::Aware,
    severity: Severity::Low,
    title: "SMTP AUTH password guessing",
    explanation: "Many SMTP authentication failures came from one address: someone is guessing mailbox passwords.",
    mitre: Some("T1110.001"),
    next_step: "Block the source (fail2ban) and make sure mailbox passwords are strong.",
};
const SASL_AFTER_FAILURES: Rule = Rule {
    id: "mail.sasl-login-after-failures",
    step: Step::Aware,
    severity: Severity::High,
    title: "SMTP login after password guessing",
    explanation: "An address that had been failing SMTP authentication then logged in: a mailbox password was guessed, and the mailbox can now send spam through this server.",
    mitre: Some("T1078"),
    next_step: "Change that mailbox's password and look at what it sent since.",
};

#[derive(Debug, Default)]
struct Hour {
    count: u64,
    first: Option<Seen>,
}

impl Hour {
    fn add(&mut self, at: &At, time: Option<i64>) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(at.seen(time));
        }
    }
}

#[derive(Debug, Default)]
struct SaslSource {
    failures: u64,
    window: Window,
    brute: Option<Seen>,
    login: Option<(Seen, String)>,
}

#[derive(Debug, Default)]
pub struct State {
    outbound: BTreeMap<i64, Hour>,
    web: BTreeMap<i64, Hour>,
    failed: BTreeMap<i64, Hour>,
    sasl: Bounded<SaslSource>,
}

fn hour_of(t: i64) -> i64 {
    t.div_euclid(3600)
}

impl State {
    pub fn full(&self) -> bool {
        self.sasl.full
    }

    pub fn event(&mut self, s: &mut Shared, ev: &Event, at: &At) {
        let t = s.thresholds;
        let Some(time) = ev.time else { return };
        match ev.kind {
            Kind::MailOutcome { status, outbound } => match status {
                MailStatus::Sent if outbound => self
                    .outbound
                    .entry(hour_of(time))
                    .or_default()
                    .add(at, ev.time),
                MailStatus::Deferred | MailStatus::Bounced => self
                    .failed
                    .entry(hour_of(time))
                    .or_default()
                    .add(at, ev.time),
                MailStatus::Sent => {}
            },
            Kind::MailSubmitted { uid, user } => {
                let web = uid.is_some_and(|u| s.facts.web_uids.contains(&u))
                    || user.is_some_and(|u| s.facts.web_accounts.contains(u));
                if web {
                    self.web.entry(hour_of(time)).or_default().add(at, ev.time);
                }
            }
            Kind::SaslFailed { source, .. } => {
                if let Some(src) = self.sasl.entry(source) {
                    src.failures += 1;
                    let span = minutes(t.mail_sasl_window_minutes);
                    if src.window.push(time, span, count(t.mail_sasl_failures))
                        && src.brute.is_none()
                    {
                        src.brute = Some(at.seen(ev.time));
                    }
                }
            }
            Kind::SaslLogin { source, user } => {
                if let Some(src) = self.sasl.map.get_mut(source)
                    && src.brute.is_some()
                    && src.login.is_none()
                {
                    let seen = at.seen(ev.time);
                    s.key_event(
                        &seen,
                        "mail login",
                        format!("{user} logged in to SMTP from {source} after guessing"),
                    );
                    src.login = Some((seen, user.to_string()));
                }
            }
            _ => {}
        }
    }

    pub fn finish(&mut self, s: &mut Shared) {
        let t = s.thresholds;
        let mut counts: Vec<u64> = self.outbound.values().map(|h| h.count).collect();
        counts.sort_unstable();
        let median = counts.get(counts.len() / 2).copied().unwrap_or(0) as f64;
        let spike = |n: u64| {
            let n = n as f64;
            n >= t.mail_spike_absolute
                || (n >= t.mail_spike_per_hour && n >= t.mail_spike_factor * median.max(1.0))
        };
        report_hours(s, &self.outbound, &SPIKE, spike, |n| {
            format!(
                "{n} messages left for other servers in this hour; the usual hour sends {median}."
            )
        });
        let web_limit = t.mail_web_per_hour;
        let busiest = self.web.values().map(|h| h.count).max().unwrap_or(0);
        if busiest > 0 && (busiest as f64) < web_limit {
            let total: u64 = self.web.values().map(|h| h.count).sum();
            if let Some(first) = self.web.values().find_map(|h| h.first.as_ref()) {
                s.hits
                    .push(Hit::new(&WEB_SUBMISSIONS, first, "web").note(format!(
                        "{total} messages in all, at most {busiest} in one hour."
                    )));
            }
        }
        let raised = |n: u64| n as f64 >= web_limit;
        let before = s.hits.len();
        report_hours(s, &self.web, &WEB_SUBMISSIONS, raised, |n| {
            format!(
                "{n} messages were submitted by the web server's account in this hour: a PHP mailer at work."
            )
        });
        for h in s.hits.iter_mut().skip(before) {
            h.finding.severity = Severity::High;
        }
        let storm = |n: u64| n as f64 >= t.mail_storm_per_hour;
        report_hours(s, &self.failed, &STORM, storm, |n| {
            format!("{n} messages were deferred or bounced in this hour.")
        });
        let mut sources: Vec<_> = self.sasl.map.iter().collect();
        sources.sort_by(|a, b| a.0.cmp(b.0));
        for (addr, src) in sources {
            if let Some(seen) = &src.brute {
                s.hits.push(
                    Hit::new(&SASL_BRUTE, seen, addr)
                        .note(format!("{addr} failed {} times in all.", src.failures)),
                );
            }
            if let Some((seen, user)) = &src.login {
                s.hits
                    .push(Hit::new(&SASL_AFTER_FAILURES, seen, addr).note(format!(
                        "{addr} logged in as {user} after {} failures.",
                        src.failures
                    )));
            }
        }
    }
}

/// One finding per hour whose count passes `over`, the hour's first line as evidence.
fn report_hours(
    s: &mut Shared,
    hours: &BTreeMap<i64, Hour>,
    rule: &Rule,
    over: impl Fn(u64) -> bool,
    note: impl Fn(u64) -> String,
) {
    let mut reported = 0;
    for (hour, h) in hours {
        if !over(h.count) {
            continue;
        }
        let Some(first) = &h.first else { continue };
        if reported == MAX_HOURS {
            break;
        }
        reported += 1;
        s.key_event(first, "mail burst", note(h.count));
        s.hits
            .push(Hit::new(rule, first, &hour.to_string()).note(note(h.count)));
    }
}
