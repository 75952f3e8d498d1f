//! Findings about what queued messages' headers claim. Only mail written on this
//! host (submitted locally or over SMTP from this host) is judged for forgery:
//! mail relayed in from the network legitimately comes from other domains.

use super::{examples, ranked};
use crate::domains::OwnDomains;
use crate::model::{Message, domain_of};
use crate::rules;
use breachkit_finding::{Finding, Severity};
use breachkit_host::Accounts;

/// A Date more than this far from the arrival time is skewed.
const DATE_SKEW: u64 = 2 * 86_400;
/// Received dates may disagree by clock drift; more than this is impossible.
const HOP_SLACK: i64 = 3_600;
/// Messages at which a header anomaly goes from low to medium, and to high.
const MEDIUM_AT: usize = 10;
const HIGH_AT: usize = 100;

/// X-Mailer signatures of spam tools sold or shared for hacked sites.
const BULK_MAILERS: &[&str] = &[
    "leaf phpmailer",
    "leafmailer",
    "mailer inbox",
    "inbox mass mailer",
    "owl phpmailer",
    "owl mailer",
    "mass mailer",
    "massmailer",
    "bulk mailer",
    "bulkmailer",
    "atomic mail sender",
    "sendblaster",
    "turbo-mailer",
    "turbo mailer",
    "supermailer",
    "advanced mass sender",
    "gammadyne mailer",
    "epochta mailer",
    "darkmailer",
    "dark mailer",
    "priv8 mailer",
    "priv8mailer",
    "xleet",
    "alfa mailer",
    "marvel mailer",
];
/// Desktop mail programs: a server-side script claiming to be one is forging.
const DESKTOP_CLIENTS: &[&str] = &[
    "microsoft outlook",
    "outlook express",
    "microsoft office outlook",
    "windows live mail",
    "the bat!",
    "thunderbird",
    "apple mail",
    "iphone mail",
    "foxmail",
];

pub(crate) fn findings(
    spool: &str,
    msgs: &[&Message],
    own: &OwnDomains,
    accounts: &Accounts,
) -> Vec<Finding> {
    let local: Vec<&Message> = msgs
        .iter()
        .copied()
        .filter(|m| m.origin.is_from_this_host())
        .collect();
    let mut out = Vec::new();
    let at = |f: Finding| f.path(spool.to_string());
    let scale = |f: Finding, n: usize| {
        if n >= HIGH_AT {
            f.severity(Severity::High)
        } else if n >= MEDIUM_AT {
            f.severity(Severity::Medium)
        } else {
            f
        }
    };

    if !own.is_empty() {
        let foreign = |a: &Option<String>| {
            a.as_deref()
                .map(domain_of)
                .filter(|d| !d.is_empty() && !own.owns(d))
        };
        let mut from_domains = Vec::new();
        let mut spoofed = Vec::new();
        let (mut reply, mut ret, mut sender, mut path) = (0, 0, 0, 0);
        for m in &local {
            let from = foreign(&m.headers.from);
            let envelope = Some(domain_of(&m.sender)).filter(|d| !d.is_empty() && !own.owns(d));
            let hdr_sender = foreign(&m.headers.sender);
            // A Return-Path header written by the script itself (the MTA adds its own
            // only at final delivery).
            let return_path = foreign(&m.headers.return_path);
            let claimed = from
                .or_else(|| hdr_sender.clone())
                .or_else(|| return_path.clone())
                .or_else(|| envelope.clone());
            if let Some(d) = claimed {
                from_domains.push(d);
                spoofed.push(*m);
                reply += usize::from(foreign(&m.headers.reply_to).is_some());
                ret += usize::from(envelope.is_some());
                sender += usize::from(hdr_sender.is_some());
                path += usize::from(return_path.is_some());
            }
        }
        if !spoofed.is_empty() {
            out.push(scale(
                at(rules::FORGED_FROM.finding()).evidence(format!(
                    "{} messages from {}; with a foreign Reply-To: {reply}, envelope sender: {ret}, Sender: {sender}, Return-Path: {path}; e.g. {}",
                    spoofed.len(),
                    ranked(from_domains),
                    examples(spoofed.iter().map(|m| &m.path))
                )),
                spoofed.len(),
            ));
        }

        let odd_ids: Vec<(&Message, String)> = local
            .iter()
            .filter_map(|m| {
                let id = m.headers.message_id.as_deref()?;
                let d = domain_of(id.trim_matches(['<', '>']));
                (!d.is_empty() && !own.owns(&d)).then_some((*m, d))
            })
            .collect();
        if !odd_ids.is_empty() {
            out.push(scale(
                at(rules::MESSAGE_ID_DOMAIN.finding()).evidence(format!(
                    "{} messages with Message-IDs of {}; e.g. {}",
                    odd_ids.len(),
                    ranked(odd_ids.iter().map(|(_, d)| d.clone()).collect()),
                    examples(odd_ids.iter().map(|(m, _)| &m.path))
                )),
                odd_ids.len(),
            ));
        }
    }

    let forged: Vec<(&Message, &'static str)> = msgs
        .iter()
        .filter_map(|m| impossible_chain(m).map(|why| (*m, why)))
        .collect();
    if !forged.is_empty() {
        let f = at(rules::FORGED_RECEIVED.finding()).evidence(format!(
            "{} messages: {}; e.g. {}",
            forged.len(),
            forged.first().map_or("", |(_, why)| why),
            examples(forged.iter().map(|(m, _)| &m.path))
        ));
        out.push(if forged.len() >= MEDIUM_AT {
            f.severity(Severity::High)
        } else {
            f
        });
    }

    let skewed: Vec<&Message> = local
        .iter()
        .copied()
        .filter(|m| date_skew(m).is_some_and(|s| s > DATE_SKEW))
        .collect();
    if !skewed.is_empty() {
        let days = skewed
            .iter()
            .filter_map(|m| date_skew(m))
            .map(|s| s / 86_400)
            .max()
            .unwrap_or(0);
        out.push(scale(
            at(rules::DATE_SKEW.finding()).evidence(format!(
                "{} messages dated up to {days} days from their arrival; e.g. {}",
                skewed.len(),
                examples(skewed.iter().map(|m| &m.path))
            )),
            skewed.len(),
        ));
    }

    let injected: Vec<&Message> = msgs
        .iter()
        .copied()
        .filter(|m| m.headers.injection.is_some())
        .collect();
    if let Some(first) = injected.first() {
        out.push(at(rules::HEADER_INJECTION.finding()).evidence(format!(
            "{} messages; {} (Subject {:?}); e.g. {}",
            injected.len(),
            first.headers.injection.as_deref().unwrap_or(""),
            first.headers.subject.as_deref().unwrap_or(""),
            examples(injected.iter().map(|m| &m.path))
        )));
    }

    let mut tools: Vec<String> = Vec::new();
    let mut tool_msgs: Vec<&Message> = Vec::new();
    let mut fake_clients: Vec<&Message> = Vec::new();
    for m in msgs {
        let Some(mailer) = m.headers.mailer.as_deref() else {
            continue;
        };
        let lower = mailer.to_ascii_lowercase();
        if BULK_MAILERS.iter().any(|b| lower.contains(b)) {
            tools.push(mailer.to_string());
            tool_msgs.push(m);
        } else if DESKTOP_CLIENTS.iter().any(|c| lower.contains(c))
            && submitted_by_service(m, accounts)
        {
            tools.push(mailer.to_string());
            fake_clients.push(m);
        }
    }
    if !tool_msgs.is_empty() || !fake_clients.is_empty() {
        let n = tool_msgs.len() + fake_clients.len();
        let f = at(rules::BULK_MAILER.finding()).evidence(format!(
            "{n} messages: {}; e.g. {}",
            ranked(tools),
            examples(tool_msgs.iter().chain(&fake_clients).map(|m| &m.path))
        ));
        out.push(if tool_msgs.is_empty() {
            f.severity(Severity::Medium)
                .note("A desktop mail program cannot have submitted mail from a service account on this server.")
        } else {
            f
        });
    }
    out
}

/// Submitted locally by a service account or a PHP script, where no person types mail.
fn submitted_by_service(m: &Message, accounts: &Accounts) -> bool {
    m.headers.php_script.is_some()
        || m.uid
            .and_then(|u| accounts.by_uid(u))
            .is_some_and(|u| accounts.is_service(u))
}

/// Seconds between a message's `Date:` and its arrival, when it has both (either
/// may be anywhere in `i64`: a plain difference could overflow).
fn date_skew(m: &Message) -> Option<u64> {
    Some(m.headers.date?.abs_diff(m.arrival?))
}

/// Why a message's Received chain cannot be true, if it cannot.
fn impossible_chain(m: &Message) -> Option<&'static str> {
    let hops = &m.headers.received;
    if m.origin.is_from_this_host()
        && let Some(stamp) = hops.iter().position(|h| h.local_stamp)
        && hops.len() > stamp + 1
    {
        return Some("Received headers of other servers below this host's local-submission stamp");
    }
    for pair in hops.windows(2) {
        if let [newer, older] = pair
            && let (Some(newer), Some(older)) = (newer.date, older.date)
            && older > newer.saturating_add(HOP_SLACK)
        {
            return Some("Received dates run backwards");
        }
    }
    let arrival = m.arrival?;
    hops.iter()
        .filter_map(|h| h.date)
        .any(|d| d > arrival.saturating_add(86_400))
        .then_some("a Received date after the message entered the queue")
}
