//! Findings about one queue as a whole: its size and growth, how much of it is
//! stuck, who fills it (one sender, one uid, the web server), the same subject over
//! and over, messages with huge recipient lists, and delay reasons that say the host
//! is blacklisted.

use super::{examples, ratio};
use crate::model::Message;
use crate::rules;
use crate::summary::{sender_label, uid_label};
use breachkit_finding::{Finding, Severity};
use breachkit_host::Accounts;
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// Queue sizes (messages, recipients) at which a pile-up is medium, then high.
const QUEUE_MEDIUM: (usize, usize) = (100, 1_000);
const QUEUE_HIGH: (usize, usize) = (1_000, 10_000);
/// Arrivals within this window before the newest one measure growth.
const GROWTH_WINDOW: i64 = 3_600;
const GROWTH_MEDIUM: usize = 50;
const GROWTH_HIGH: usize = 500;
/// Deferred share is judged from this many messages on.
const SHARE_MIN: usize = 20;
const MANY_RCPT: usize = 50;
const MANY_RCPT_HIGH: usize = 1_000;
/// "Dominating": this share of at least this many messages.
const DOMINANT_MIN: usize = 50;
const DOMINANT_SHARE: f64 = 0.8;
const WEB_HIGH: (usize, usize) = (20, 200);
const SUBJECT_MIN: usize = 20;
const SUBJECT_SHARE: f64 = 0.3;

/// Blocklist words in a delay reason; a bare 5.7.1 (policy refusal) counts less.
static BLOCKLISTED: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::literal(
        r"(?i)blocked using|spamhaus|spamcop|barracuda|sorbs|abuseat|uceprotect|psbl|\bdnsbl\b|\brbl\b|black ?list|block ?list|listed (?:at|on|in|by)|poor reputation|ip reputation|too many complaints|rejected (?:as|due to) spam|spam (?:detected|message rejected)",
    )
});
static POLICY_571: LazyLock<Regex> = LazyLock::new(|| crate::pattern::literal(r"\b5\.7\.1\b"));

pub(crate) fn findings(spool: &str, msgs: &[&Message], accounts: &Accounts) -> Vec<Finding> {
    let mut out = Vec::new();
    let total = msgs.len();
    if total == 0 {
        return out;
    }
    let recipients: usize = msgs.iter().map(|m| m.recipient_count).sum();
    let at = |f: Finding| f.path(spool.to_string());

    if total >= QUEUE_MEDIUM.0 || recipients >= QUEUE_MEDIUM.1 {
        let high = total >= QUEUE_HIGH.0 || recipients >= QUEUE_HIGH.1;
        let oldest = msgs.iter().filter_map(|m| m.arrival).min();
        let mut f = at(rules::QUEUE_SIZE.finding()).evidence(format!(
            "{total} messages to {recipients} recipients queued"
        ));
        if let Some(t) = oldest {
            f = f.unix_time(t);
        }
        out.push(if high { f.severity(Severity::High) } else { f });
    }

    if let Some(newest) = msgs.iter().filter_map(|m| m.arrival).max() {
        let recent = msgs
            .iter()
            .filter(|m| {
                m.arrival
                    .is_some_and(|t| t > newest.saturating_sub(GROWTH_WINDOW))
            })
            .count();
        if recent >= GROWTH_MEDIUM {
            let f = at(rules::QUEUE_GROWTH.finding())
                .evidence(format!(
                    "{recent} messages queued in the hour up to the newest arrival"
                ))
                .unix_time(newest);
            out.push(if recent >= GROWTH_HIGH {
                f.severity(Severity::High)
            } else {
                f
            });
        }
    }

    let stuck = msgs.iter().filter(|m| m.queue.is_stuck()).count();
    if total >= SHARE_MIN && ratio(stuck, total) >= 0.5 {
        out.push(at(rules::DEFERRED_SHARE.finding()).evidence(format!(
            "{stuck} of {total} messages deferred, held or frozen ({:.0}%)",
            100.0 * ratio(stuck, total)
        )));
    }

    let many: Vec<&&Message> = msgs
        .iter()
        .filter(|m| m.recipient_count >= MANY_RCPT)
        .collect();
    if !many.is_empty() {
        let max = many.iter().map(|m| m.recipient_count).max().unwrap_or(0);
        let f = at(rules::MANY_RECIPIENTS.finding()).evidence(format!(
            "{} messages with {MANY_RCPT} or more recipients (largest: {max}); e.g. {}",
            many.len(),
            examples(many.iter().map(|m| &m.path))
        ));
        out.push(if many.len() >= 10 || max >= MANY_RCPT_HIGH {
            f.severity(Severity::High)
        } else {
            f
        });
    }

    if total >= DOMINANT_MIN {
        if let Some((sender, n)) = top(msgs.iter().map(|m| sender_label(&m.sender)))
            && ratio(n, total) >= DOMINANT_SHARE
        {
            out.push(
                at(rules::DOMINANT_SENDER.finding())
                    .evidence(format!("{n} of {total} messages from {sender}")),
            );
        }
        let with_uid: Vec<&&Message> = msgs.iter().filter(|m| m.uid.is_some()).collect();
        if let Some((label, n)) = top(with_uid.iter().map(|m| uid_label(m)))
            && ratio(n, total) >= DOMINANT_SHARE
        {
            let web = with_uid
                .iter()
                .find(|m| uid_label(m) == label)
                .and_then(|m| m.uid)
                .and_then(|u| accounts.by_uid(u))
                .is_some_and(|u| u.is_web_account());
            let f = at(rules::DOMINANT_UID.finding())
                .evidence(format!("{n} of {total} messages submitted by uid {label}"));
            out.push(if web {
                f.severity(Severity::High)
                    .note("It is the web server's account: a PHP script is sending.")
            } else {
                f
            });
        }
    }

    let web: Vec<&&Message> = msgs
        .iter()
        .filter(|m| {
            m.uid
                .and_then(|u| accounts.by_uid(u))
                .is_some_and(|u| u.is_web_account())
        })
        .collect();
    if !web.is_empty() {
        let rcpts: usize = web.iter().map(|m| m.recipient_count).sum();
        let users: Vec<String> = {
            let mut u: Vec<String> = web.iter().map(|m| uid_label(m)).collect();
            u.sort();
            u.dedup();
            u
        };
        let f = at(rules::WEB_UID.finding()).evidence(format!(
            "{} messages to {rcpts} recipients submitted by {}",
            web.len(),
            users.join(", ")
        ));
        out.push(if web.len() >= WEB_HIGH.0 || rcpts >= WEB_HIGH.1 {
            f.severity(Severity::High)
        } else {
            f
        });
    }

    let subjects = msgs
        .iter()
        .filter_map(|m| m.headers.subject.as_deref())
        .map(|s| s.trim().to_string());
    if let Some((subject, n)) = top(subjects)
        && n >= SUBJECT_MIN
        && ratio(n, total) >= SUBJECT_SHARE
    {
        let example = msgs
            .iter()
            .find(|m| m.headers.subject.as_deref().map(str::trim) == Some(subject.as_str()))
            .map(|m| m.path.clone())
            .unwrap_or_default();
        out.push(at(rules::SAME_SUBJECT.finding()).evidence(format!(
            "{n} of {total} messages titled {subject:?}; e.g. {example}"
        )));
    }

    out.extend(blacklisted(spool, msgs));
    out
}

fn blacklisted(spool: &str, msgs: &[&Message]) -> Option<Finding> {
    let mut listed: Vec<&str> = Vec::new();
    let mut listed_msgs = 0;
    let mut policy: Vec<&str> = Vec::new();
    let mut policy_msgs = 0;
    for m in msgs {
        let hit = m.delay_reasons.iter().find(|r| BLOCKLISTED.is_match(r));
        if let Some(r) = hit {
            listed_msgs += 1;
            if listed.len() < 3 && !listed.contains(&r.as_str()) {
                listed.push(r);
            }
        } else if let Some(r) = m.delay_reasons.iter().find(|r| POLICY_571.is_match(r)) {
            policy_msgs += 1;
            if policy.len() < 3 && !policy.contains(&r.as_str()) {
                policy.push(r);
            }
        }
    }
    let f = rules::BLACKLISTED.finding().path(spool.to_string());
    if listed_msgs > 0 {
        return Some(f.evidence(format!("{listed_msgs} messages: {}", listed.join(" | "))));
    }
    (policy_msgs > 0).then(|| {
        f.severity(Severity::Medium).evidence(format!(
            "{policy_msgs} messages refused by policy (5.7.1): {}",
            policy.join(" | ")
        ))
    })
}

/// The most frequent value and its count.
fn top(values: impl Iterator<Item = String>) -> Option<(String, usize)> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
}
