//! From what was read to findings: per queue (pile-up, who sends, blacklisting), per
//! header anomaly, per sending script, per mailbox full of bounces.

mod headers;
mod queue;
mod scripts;

use crate::domains::OwnDomains;
use crate::mailbox::Mailbox;
use crate::model::Message;
use crate::phplog::ScriptCalls;
use crate::rules;
use breachkit_finding::{Finding, Severity, Warning};
use breachkit_host::Host;
use std::collections::HashMap;
use std::path::PathBuf;

/// Recent bounces in one mailbox at which it is backscatter: low, medium, high.
const BOUNCES: (usize, usize, usize) = (5, 20, 200);
/// Examples named in evidence.
const EXAMPLES: usize = 3;

pub(crate) struct Inputs<'a> {
    pub host: &'a Host,
    pub messages: &'a [Message],
    pub own: &'a OwnDomains,
    pub web_roots: &'a [PathBuf],
    pub php_log: Vec<ScriptCalls>,
    pub mailboxes: &'a [Mailbox],
    pub suspicious_place: &'a (dyn Fn(&str) -> bool + Sync),
}

pub(crate) fn all(inputs: Inputs, warnings: &mut Vec<Warning>) -> Vec<Finding> {
    let accounts = inputs.host.accounts();
    let mut by_spool: HashMap<&str, Vec<&Message>> = HashMap::new();
    for m in inputs.messages {
        by_spool.entry(m.spool.as_str()).or_default().push(m);
    }
    let mut spools: Vec<(&str, Vec<&Message>)> = by_spool.into_iter().collect();
    spools.sort_by_key(|(s, _)| *s);
    let mut out = Vec::new();
    for (spool, msgs) in &spools {
        out.extend(queue::findings(spool, msgs, accounts));
        out.extend(headers::findings(spool, msgs, inputs.own, accounts));
    }
    out.extend(scripts::findings(
        inputs.host,
        inputs.web_roots,
        inputs.messages,
        inputs.php_log,
        inputs.suspicious_place,
        warnings,
    ));
    out.extend(inputs.mailboxes.iter().filter_map(backscatter));
    out
}

fn backscatter(m: &Mailbox) -> Option<Finding> {
    let n = m.recent_bounces;
    let severity = if n >= BOUNCES.2 {
        Severity::High
    } else if n >= BOUNCES.1 || (n >= BOUNCES.0 && m.php_bounces > 0) {
        Severity::Medium
    } else if n >= BOUNCES.0 {
        Severity::Low
    } else {
        return None;
    };
    let mut f = rules::BACKSCATTER
        .finding()
        .severity(severity)
        .path(m.path.clone())
        .evidence(format!(
            "{n} bounces in the last 30 days of this mailbox ({} of {} messages in all; {} return mail sent by a PHP script); e.g. {}",
            m.bounces,
            m.messages,
            m.php_bounces,
            m.samples.join(" | ")
        ));
    if let Some(t) = m.newest {
        f = f.unix_time(t);
    }
    Some(f)
}

/// A few message files, for evidence.
fn examples<'a>(paths: impl Iterator<Item = &'a String>) -> String {
    paths.take(EXAMPLES).cloned().collect::<Vec<_>>().join(", ")
}

/// Values with their counts, most frequent first (`paypal.com ×120, x.example ×3`).
fn ranked(values: Vec<String>) -> String {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    let mut v: Vec<(String, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let shown: Vec<String> = v.iter().take(5).map(|(k, n)| format!("{k} ×{n}")).collect();
    match v.len() {
        n if n > 5 => format!("{} and {} more", shown.join(", "), n - 5),
        _ => shown.join(", "),
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Hop, example_message};
    use breachkit_host::Accounts;

    /// Issue 18: arrival times are the queue files' word (an Exim `-H` time line may
    /// say `-9223372036854775808`); `newest - window`, `arrival + day` and
    /// `date - arrival` overflowed (a panic in debug builds).
    #[test]
    fn extreme_times_do_not_overflow() {
        let accounts = Accounts::default();
        let own = OwnDomains::default();
        for (arrival, date) in [(i64::MIN, i64::MAX), (i64::MAX, i64::MIN)] {
            let mut m = example_message();
            m.arrival = Some(arrival);
            m.headers.date = Some(date);
            m.headers.received = [date, arrival]
                .map(|d| Hop {
                    date: Some(d),
                    ..Hop::default()
                })
                .to_vec();
            let msgs = vec![&m; 30];
            let _ = queue::findings(&m.spool, &msgs, &accounts);
            let found = headers::findings(&m.spool, &msgs, &own, &accounts);
            assert!(found.iter().any(|f| f.rule == crate::rules::DATE_SKEW.id));
        }
    }
}
