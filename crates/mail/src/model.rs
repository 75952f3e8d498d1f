//! What a queued message is, whichever MTA queued it: the envelope (id, queue, age,
//! size, sender, recipients, submitting uid), why it is stuck, and what its headers
//! say. Every string here came from the host and is lossless-escaped.

use serde::Serialize;

/// The mail transfer agent whose queue a message is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mta {
    Postfix,
    Exim,
}

impl Mta {
    pub fn as_str(self) -> &'static str {
        match self {
            Mta::Postfix => "postfix",
            Mta::Exim => "exim",
        }
    }
}

/// Where in its MTA's queue a message sits. Postfix has a directory per queue; an
/// Exim message is `queued` until a delivery attempt defers it, or `frozen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Queue {
    Maildrop,
    Incoming,
    Active,
    Deferred,
    Hold,
    Corrupt,
    Queued,
    Frozen,
}

impl Queue {
    pub fn as_str(self) -> &'static str {
        match self {
            Queue::Maildrop => "maildrop",
            Queue::Incoming => "incoming",
            Queue::Active => "active",
            Queue::Deferred => "deferred",
            Queue::Hold => "hold",
            Queue::Corrupt => "corrupt",
            Queue::Queued => "queued",
            Queue::Frozen => "frozen",
        }
    }

    /// Messages that were tried and could not be delivered (or were given up on).
    pub fn is_stuck(self) -> bool {
        matches!(self, Queue::Deferred | Queue::Frozen | Queue::Hold)
    }
}

/// How a message entered the MTA: submitted on this host (sendmail, PHP's `mail()`),
/// over SMTP from this host (an app talking to 127.0.0.1), or from the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Local,
    Loopback,
    Remote,
    Unknown,
}

impl Origin {
    /// True when the message was written on this host (its headers are the host's
    /// own doing, so forged ones mean something here).
    pub fn is_from_this_host(self) -> bool {
        matches!(self, Origin::Local | Origin::Loopback)
    }
}

/// One `Received:` header, top (newest) first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Hop {
    /// The header as it stands, unfolded and escaped.
    pub text: String,
    /// Its date, seconds since the epoch.
    pub date: Option<i64>,
    /// True for the stamp the local MTA writes on a local submission
    /// (`Postfix, from userid N` / `with local (Exim …)`).
    pub local_stamp: bool,
}

/// What the headers say. Decoded (encoded words, folding) by `mail-parser`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HeaderInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The From address (`user@domain`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The Date header, seconds since the epoch; `date_invalid` when present but unreadable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<i64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub date_invalid: bool,
    /// X-Mailer, or User-Agent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mailer: Option<String>,
    /// `X-PHP-Originating-Script: UID:NAME`: the script's owner and file name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub php_script: Option<PhpScript>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub received: Vec<Hop>,
    /// Why the headers look like a header injection, if they do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub injection: Option<String>,
}

/// A PHP script named by `X-PHP-Originating-Script` or `X-PHP-Script`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PhpScript {
    /// The script's owner (PHP writes the uid of the file's owner).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// A file name (`X-PHP-Originating-Script`) or `host/path` (`X-PHP-Script`).
    pub name: String,
}

/// One message in a queue.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub mta: Mta,
    pub id: String,
    pub queue: Queue,
    /// The queue file (Postfix) or `-H` file (Exim), as a host path.
    pub path: String,
    /// The queue (spool) directory it is in, as a host path.
    pub spool: String,
    /// When the MTA accepted it (seconds since the epoch).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrival: Option<i64>,
    /// Message size in bytes.
    pub size: u64,
    /// Envelope sender; empty for bounces (`<>`).
    pub sender: String,
    /// Recipients still to be delivered.
    #[serde(skip)]
    pub recipients: Vec<String>,
    pub recipient_count: usize,
    /// The uid that submitted it, where the MTA recorded one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// The account name for `uid` (or the login the MTA recorded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    pub origin: Origin,
    /// Why delivery is delayed (distinct reasons, as the MTA logged them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub delay_reasons: Vec<String>,
    pub headers: HeaderInfo,
}

impl Message {
    /// The distinct domains of the pending recipients, lower-cased.
    pub fn recipient_domains(&self) -> Vec<String> {
        let mut d: Vec<String> = self.recipients.iter().map(|r| domain_of(r)).collect();
        d.sort();
        d.dedup();
        d
    }
}

/// The domain of an address (`a@B.example` → `b.example`); empty when there is none.
pub fn domain_of(address: &str) -> String {
    let a = address.trim().trim_start_matches('<').trim_end_matches('>');
    match a.rsplit_once('@') {
        Some((_, d)) => d.trim().trim_end_matches('.').to_ascii_lowercase(),
        None => String::new(),
    }
}

/// A locally submitted message with nothing unusual about it, for tests to vary.
#[cfg(test)]
pub(crate) fn example_message() -> Message {
    Message {
        mta: Mta::Exim,
        id: "1xVvaV-0002GH-0N".into(),
        queue: Queue::Queued,
        path: "/var/spool/exim4/input/1xVvaV-0002GH-0N-H".into(),
        spool: "/var/spool/exim4".into(),
        arrival: Some(1795546195),
        size: 1000,
        sender: "www-data@web01.example.com".into(),
        recipients: vec!["a@example.org".into()],
        recipient_count: 1,
        uid: Some(33),
        user: Some("www-data".into()),
        origin: Origin::Local,
        delay_reasons: Vec::new(),
        headers: HeaderInfo::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_of_addresses() {
        assert_eq!(domain_of("a@B.Example."), "b.example");
        assert_eq!(domain_of("<x@y.z>"), "y.z");
        assert_eq!(domain_of("root"), "");
    }
}
