//! The rules: stateful detectors fed the events of one log family in time order
//! (oldest rotation first). State is bounded: per-source maps stop growing at
//! [`MAX_KEYS`], windows keep at most their threshold of timestamps, and each
//! finding keeps only the lines that show it.

mod accounts;
mod av;
pub mod config;
mod mail;
mod sizes;
mod ssh;
mod web;

use crate::event::{Event, Kind};
use crate::timeline::Entry;
use breachkit_finding::{Finding, Rule, Severity, escape_bytes};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

pub use config::Thresholds;

/// The most distinct keys (sources, paths, users) one map of a rule tracks.
pub const MAX_KEYS: usize = 100_000;
/// The most key events one family adds to the timeline.
const MAX_TIMELINE: usize = 100_000;
/// The most bytes of a line kept as evidence.
const MAX_EXCERPT: usize = 1024;

/// What the rules know of the host: which accounts are services (never log in).
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Service and web account names (not root).
    pub service_accounts: HashSet<String>,
    /// UIDs of the service accounts (su logs a uid when the account has no name).
    pub service_uids: HashSet<u32>,
    /// UIDs of the web server's accounts (postfix pickup logs a uid).
    pub web_uids: HashSet<u32>,
    /// Names of the web server's accounts.
    pub web_accounts: HashSet<String>,
}

/// Where a line is: its file (host path, escaped), number and bytes.
#[derive(Clone, Copy)]
pub struct At<'a> {
    pub path: &'a Arc<str>,
    pub line: u64,
    /// The line as the evidence shows it (escaped when it was read).
    pub text: &'a dyn Fn() -> String,
}

impl At<'_> {
    pub fn seen(&self, time: Option<i64>) -> Seen {
        Seen {
            path: Arc::clone(self.path),
            line: self.line,
            time,
            text: (self.text)(),
        }
    }
}

/// The evidence of one line, kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub path: Arc<str>,
    pub line: u64,
    pub time: Option<i64>,
    pub text: String,
}

impl Seen {
    /// `path:line`.
    pub fn place(&self) -> String {
        format!("{}:{}", self.path, self.line)
    }
}

/// The excerpt of a line kept as evidence.
pub fn excerpt(bytes: &[u8]) -> String {
    escape_bytes(bytes.get(..MAX_EXCERPT).unwrap_or(bytes))
}

/// A finding of a rule, with the key that makes it the same finding when two logs
/// hold the same line (syslog and auth.log, a text log and the journal).
#[derive(Debug, Clone)]
pub struct Hit {
    pub finding: Finding,
    pub key: String,
}

impl Hit {
    /// A finding of `rule` shown by `seen`, about `subject`.
    pub fn new(rule: &Rule, seen: &Seen, subject: &str) -> Hit {
        let mut f = rule
            .finding()
            .path(seen.path.to_string())
            .line(seen.line)
            .evidence(seen.text.clone());
        if let Some(t) = seen.time {
            f = f.unix_time(t);
        }
        Hit {
            key: format!("{}|{}|{:?}", rule.id, subject, seen.time),
            finding: f,
        }
    }

    pub fn severity(mut self, s: Severity) -> Hit {
        self.finding = self.finding.severity(s);
        self
    }

    pub fn note(mut self, sentence: impl AsRef<str>) -> Hit {
        self.finding = self.finding.note(sentence);
        self
    }
}

/// Timestamps of one key in a sliding window, at most `limit` kept.
#[derive(Debug, Clone, Default)]
pub struct Window {
    times: VecDeque<i64>,
}

impl Window {
    /// Adds a time; true when the window now holds at least `limit` times no more
    /// than `span` seconds apart.
    pub fn push(&mut self, t: i64, span: i64, limit: usize) -> bool {
        self.times.push_back(t);
        while self.times.len() > limit {
            self.times.pop_front();
        }
        while self.times.front().is_some_and(|f| *f < t - span) {
            self.times.pop_front();
        }
        self.times.len() >= limit
    }

    /// How many of the kept times are within `span` seconds before `t`.
    pub fn recent(&self, t: i64, span: i64) -> usize {
        self.times
            .iter()
            .filter(|x| **x >= t - span && **x <= t)
            .count()
    }
}

/// A map that stops taking new keys at [`MAX_KEYS`] (and says it did).
#[derive(Debug)]
pub struct Bounded<V> {
    pub map: HashMap<String, V>,
    pub full: bool,
}

impl<V> Default for Bounded<V> {
    fn default() -> Self {
        Bounded {
            map: HashMap::new(),
            full: false,
        }
    }
}

impl<V: Default> Bounded<V> {
    /// The value of `key`, made when there is room.
    pub fn entry(&mut self, key: &str) -> Option<&mut V> {
        if !self.map.contains_key(key) {
            if self.map.len() >= MAX_KEYS {
                self.full = true;
                return None;
            }
            self.map.insert(key.to_string(), V::default());
        }
        self.map.get_mut(key)
    }
}

/// A set of keys seen, that stops growing at [`MAX_KEYS`].
#[derive(Debug, Default)]
pub struct FirstSeen {
    set: HashSet<String>,
}

impl FirstSeen {
    /// Inserts; true when the key was not there before (false when full).
    pub fn first(&mut self, key: &str) -> bool {
        if self.set.contains(key) || self.set.len() >= MAX_KEYS {
            return false;
        }
        self.set.insert(key.to_string());
        true
    }
}

/// What every rule module sees besides the event.
pub struct Shared<'f> {
    pub thresholds: &'f Thresholds,
    pub facts: &'f Facts,
    /// The end of the learning period (the family's first time + learning hours).
    pub learn_until: Option<i64>,
    pub hits: Vec<Hit>,
    pub timeline: Vec<Entry>,
    pub timeline_full: bool,
}

impl Shared<'_> {
    /// True when `time` is after the learning period.
    pub fn learned(&self, time: Option<i64>) -> bool {
        matches!((time, self.learn_until), (Some(t), Some(end)) if t > end)
    }

    pub fn is_service(&self, user: &str) -> bool {
        self.facts.service_accounts.contains(user)
    }

    pub fn is_web(&self, user: &str) -> bool {
        self.facts.web_accounts.contains(user)
    }

    /// Adds a key event to the timeline.
    pub fn key_event(&mut self, seen: &Seen, what: &'static str, summary: String) {
        let Some(time) = seen.time else { return };
        if self.timeline.len() >= MAX_TIMELINE {
            self.timeline_full = true;
            return;
        }
        self.timeline.push(Entry {
            time,
            what: what.to_string(),
            summary,
            path: seen.path.to_string(),
            line: seen.line,
            text: seen.text.clone(),
            rule: None,
            severity: None,
        });
    }
}

/// Every rule, for one log family.
pub struct Engine<'f> {
    pub shared: Shared<'f>,
    ssh: ssh::State,
    accounts: accounts::State,
    web: web::State<'f>,
    mail: mail::State,
    av: av::State,
}

impl<'f> Engine<'f> {
    pub fn new(thresholds: &'f Thresholds, facts: &'f Facts, patterns: &'f web::Patterns) -> Self {
        Engine {
            shared: Shared {
                thresholds,
                facts,
                learn_until: None,
                hits: Vec::new(),
                timeline: Vec::new(),
                timeline_full: false,
            },
            ssh: ssh::State::default(),
            accounts: accounts::State::default(),
            web: web::State::new(patterns),
            mail: mail::State::default(),
            av: av::State::default(),
        }
    }

    /// Feeds one event.
    pub fn event(&mut self, ev: &Event, at: &At) {
        if let (Some(t), None) = (ev.time, self.shared.learn_until) {
            self.shared.learn_until =
                Some(t + (self.shared.thresholds.learning_hours * 3600.0) as i64);
        }
        let s = &mut self.shared;
        match ev.kind {
            Kind::SshFailed { .. } | Kind::SshInvalidUser { .. } | Kind::SshAccepted { .. } => {
                self.ssh.event(s, ev, at)
            }
            Kind::UserAdded { .. }
            | Kind::GroupAdded { .. }
            | Kind::GroupMember { .. }
            | Kind::UidChanged { .. }
            | Kind::PasswordChanged { .. }
            | Kind::Sudo { .. }
            | Kind::Su { .. }
            | Kind::Crontab { .. }
            | Kind::UnitStarted { .. } => self.accounts.event(s, ev, at),
            Kind::AvFound { .. } | Kind::AvQuarantined { .. } => self.av.event(s, ev, at),
            Kind::Web(ref r) => self.web.event(s, ev.time, r, at),
            Kind::MailSubmitted { .. }
            | Kind::MailOutcome { .. }
            | Kind::SaslFailed { .. }
            | Kind::SaslLogin { .. } => self.mail.event(s, ev, at),
            Kind::WebError { .. } | Kind::Other => {}
        }
    }

    /// The findings and key events, and whether a bound was reached.
    pub fn finish(mut self) -> (Vec<Hit>, Vec<Entry>, Vec<String>) {
        let mut notes = Vec::new();
        let s = &mut self.shared;
        self.ssh.finish(s);
        self.web.finish(s);
        self.mail.finish(s);
        if self.ssh.full() || self.web.full() || self.mail.full() || self.accounts.full() {
            notes.push(format!(
                "more than {MAX_KEYS} distinct sources or paths; later new ones were not tracked by the rules"
            ));
        }
        if self.web.attempts_full() {
            notes.push(
                "too many sources attacked too many paths; some attacks answered 2xx were not judged by their response size"
                    .to_string(),
            );
        }
        if s.timeline_full {
            notes.push(format!(
                "more than {MAX_TIMELINE} key events; the timeline keeps the first ones"
            ));
        }
        (
            std::mem::take(&mut s.hits),
            std::mem::take(&mut s.timeline),
            notes,
        )
    }
}

pub use web::Patterns;
