//! Web access logs: PHP run from upload and temp directories (POSTs answered 200
//! above all), webshell parameters carrying commands, attack patterns (SQL
//! injection, traversal, inclusion, command injection) grouped by source, scanner
//! user agents, wp-login.php and xmlrpc.php floods (and the login that ends one), and
//! bursts of hits on a PHP file that had never answered before.
//!
//! An attack answered 2xx is judged by its response size: each path keeps a
//! bounded summary of its ordinary answers' sizes ([`Sizes`]), and each source the
//! smallest and largest answer to its SQL injection, traversal and inclusion
//! requests per path. Both are judged when the family's stream ends, so the
//! ordinary answers logged after an attack count as much as those before it. An
//! attack whose answer is far outside the path's usual range changed the answer
//! (it may have worked): medium. One answered with the usual size did not: low.
//! Without enough ordinary answers to compare, the rule says what it said before
//! sizes were kept (an answered page or script is medium, the front page low).

use super::config::{Thresholds, automaton, count, minutes, web_section};
use super::sizes::{Sizes, Usual};
use super::{At, Bounded, Hit, Seen, Shared, Window};
use crate::event::WebRequest;
use aho_corasick::AhoCorasick;
use breachkit_finding::{Rule, Severity, Step};
use std::collections::HashMap;

const UPLOAD_PHP: Rule = Rule {
    id: "web.php-in-uploads",
    step: Step::Aware,
    severity: Severity::High,
    title: "PHP run from an upload or temp directory",
    explanation: "A PHP file in an upload or temp directory was requested and answered. No code belongs there: an uploaded PHP file that answers is almost always a webshell, and POSTs to it are commands.",
    mitre: Some("T1505.003"),
    next_step: "Look at the file on disk (breachkit scan), take evidence, and see what else the same source requested.",
};
const SHELL_COMMAND: Rule = Rule {
    id: "web.shell-command",
    step: Step::Aware,
    severity: Severity::High,
    title: "A command passed to a PHP file",
    explanation: "A request gave a PHP file a parameter shaped like a webshell's (cmd=, c=, exec=…) holding a command or encoded code, and the file answered.",
    mitre: Some("T1505.003"),
    next_step: "Open the PHP file named in the request: a file that runs its parameters is a webshell.",
};
const ATTACK: Rule = Rule {
    id: "web.attack-patterns",
    step: Step::Aware,
    severity: Severity::Low,
    title: "Attack patterns in requests from one source",
    explanation: "Requests from one address carried SQL injection, path traversal, file inclusion or command injection patterns. Mostly automated and harmless when refused, or when the page answered with its usual size (the front page answers any query); worth a look when a page or script answered 200 with a size unlike its ordinary answers (the attack changed what it returned), or when there are too few ordinary answers to tell.",
    mitre: Some("T1190"),
    next_step: "Check the answered requests and the application they hit; keep it updated.",
};
const SCANNER: Rule = Rule {
    id: "web.scanner",
    step: Step::Aware,
    severity: Severity::Low,
    title: "A vulnerability scanner",
    explanation: "Requests came with the user agent of an attack or scanning tool (sqlmap, nikto, wpscan…). Someone is looking for a way in.",
    mitre: Some("T1595.002"),
    next_step: "Nothing to do if all were refused; see what the scanner found answered.",
};
const LOGIN_FLOOD: Rule = Rule {
    id: "web.login-flood",
    step: Step::Aware,
    severity: Severity::Low,
    title: "wp-login.php or xmlrpc.php flood",
    explanation: "One address sent many login POSTs to WordPress in a short time: password guessing.",
    mitre: Some("T1110.001"),
    next_step: "Rate-limit or block xmlrpc.php and wp-login.php for unknown addresses.",
};
const LOGIN_AFTER_FLOOD: Rule = Rule {
    id: "web.login-after-flood",
    step: Step::Aware,
    severity: Severity::High,
    title: "WordPress login after a flood of attempts",
    explanation: "An address that flooded wp-login.php was then redirected the way a successful login is (302): a WordPress password was guessed.",
    mitre: Some("T1110.001"),
    next_step: "Reset the WordPress passwords, review administrators and recently installed plugins and themes.",
};
const NEW_PHP: Rule = Rule {
    id: "web.new-php-burst",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "A burst of requests to a PHP file never seen before",
    explanation: "A PHP file that had never answered before in the log history suddenly answered many requests. Webshells appear this way; so do new pages.",
    mitre: Some("T1505.003"),
    next_step: "Check the file on disk is part of the site.",
};

/// The compiled patterns of `rules/logs/web.txt`.
#[derive(Debug)]
pub struct Patterns {
    attack: AhoCorasick,
    /// The category of each attack pattern.
    attack_category: Vec<&'static str>,
    scanner: AhoCorasick,
    shell_params: Vec<&'static str>,
    shell_commands: Vec<&'static str>,
    php: Vec<&'static str>,
    upload_dirs: Vec<&'static str>,
}

const CATEGORIES: &[&str] = &["sqli", "traversal", "inclusion", "command"];
/// The categories whose answers are judged by their size: when they work they
/// change what the page returns (rows of a table, a file's content).
const SIZE_JUDGED: &[&str] = &["sqli", "traversal", "inclusion"];
/// Paths per source whose attack answers are kept for judging by size; answers on
/// further paths are judged as if the path had no history.
const PATHS_PER_SOURCE: usize = 8;
/// (source, path) pairs kept for judging by size, all sources together (each keeps
/// two lines of evidence).
const MAX_ATTEMPTS: usize = 10_000;
/// Paths that answer 200 whatever the query string.
const FRONT_PAGES: &[&str] = &["/", "/index.php"];

impl Default for Patterns {
    fn default() -> Self {
        let mut attack = Vec::new();
        let mut attack_category = Vec::new();
        for c in CATEGORIES {
            for p in web_section(c) {
                attack.push(p);
                attack_category.push(*c);
            }
        }
        Patterns {
            attack: automaton(&attack),
            attack_category,
            scanner: automaton(&web_section("scanner-agent")),
            shell_params: web_section("shell-param"),
            shell_commands: web_section("shell-command"),
            php: web_section("php-file"),
            upload_dirs: web_section("upload-dir"),
        }
    }
}

impl Patterns {
    /// A PHP file, or a path through one (`/x.php/extra`), whatever the case.
    fn is_php(&self, path: &str) -> bool {
        let b = path.as_bytes();
        self.php.iter().any(|ext| {
            let e = ext.as_bytes();
            ends_with_ignore_case(b, e)
                || memchr::memchr_iter(b'.', b).any(|i| {
                    let from_dot = b.get(i..).unwrap_or_default();
                    from_dot.get(e.len()) == Some(&b'/') && starts_with_ignore_case(from_dot, e)
                })
        })
    }

    fn in_upload_dir(&self, path: &str) -> bool {
        let lower = path.to_ascii_lowercase();
        self.upload_dirs.iter().any(|d| lower.contains(d))
    }

    /// A query parameter that carries a command: a webshell parameter name with a
    /// value holding shell syntax, a command word or a long base64 blob.
    fn shell_param<'q>(&self, query: &'q str) -> Option<&'q str> {
        query.split('&').find(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            if v.is_empty() || !self.shell_params.iter().any(|p| p.eq_ignore_ascii_case(k)) {
                return false;
            }
            let first = v.split([' ', '+', ';', '|']).next().unwrap_or("");
            v.contains([';', '|', '`', '$', '(', '/'])
                || self.shell_commands.contains(&first)
                || is_base64_blob(v)
        })
    }
}

fn starts_with_ignore_case(s: &[u8], prefix: &[u8]) -> bool {
    s.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

fn ends_with_ignore_case(s: &[u8], suffix: &[u8]) -> bool {
    s.len()
        .checked_sub(suffix.len())
        .and_then(|i| s.get(i..))
        .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix))
}

fn is_base64_blob(v: &str) -> bool {
    v.len() >= 24
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        && v.bytes().any(|b| b.is_ascii_digit())
        && v.bytes().any(|b| b.is_ascii_uppercase())
}

/// Percent-decodes (and `+` → space in the query) into `out`, lossy.
fn decode(target: &str, out: &mut String) {
    out.clear();
    let mut bytes = Vec::with_capacity(target.len());
    let mut rest = target.as_bytes();
    let mut in_query = false;
    while let Some((&c, after)) = rest.split_first() {
        rest = after;
        match c {
            b'%' => match percent(after) {
                Some((byte, tail)) => {
                    bytes.push(byte);
                    rest = tail;
                }
                None => bytes.push(b'%'),
            },
            b'?' => {
                in_query = true;
                bytes.push(b'?');
            }
            b'+' if in_query => bytes.push(b' '),
            c => bytes.push(c),
        }
    }
    out.push_str(&String::from_utf8_lossy(&bytes));
}

/// The byte `%XY` stands for (`after`: what follows the `%`), and what follows it.
fn percent(after: &[u8]) -> Option<(u8, &[u8])> {
    let [hi, lo, tail @ ..] = after else {
        return None;
    };
    Some((hex(*hi)? << 4 | hex(*lo)?, tail))
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// One path's strongest request so far.
#[derive(Debug, Default)]
struct PathHit {
    rank: u8,
    seen: Option<Seen>,
    requests: u64,
    answered: u64,
}

impl PathHit {
    fn add(&mut self, rank: u8, ok: bool, at: &At, time: Option<i64>) {
        self.requests += 1;
        self.answered += u64::from(ok);
        if self.seen.is_none() || rank > self.rank {
            self.rank = rank;
            self.seen = Some(at.seen(time));
        }
    }
}

/// One answer to an attack, kept as evidence.
#[derive(Debug, Clone)]
struct Answer {
    size: u64,
    /// The request target's length: a page that echoes the request grows by it.
    echo: u64,
    seen: Seen,
}

/// The attacks of one source on one path answered 200 with a known size: the
/// smallest and the largest answer (the two farthest from any usual range).
#[derive(Debug)]
struct Attempt {
    path: String,
    front: bool,
    count: u64,
    low: Answer,
    high: Answer,
}

impl Attempt {
    fn add(&mut self, size: u64, echo: u64, at: &At, time: Option<i64>) {
        self.count += 1;
        if size < self.low.size {
            self.low = Answer {
                size,
                echo,
                seen: at.seen(time),
            };
        } else if size > self.high.size {
            self.high = Answer {
                size,
                echo,
                seen: at.seen(time),
            };
        }
    }
}

/// How the answers of an [`Attempt`] compare with the path's ordinary answers.
enum Judged<'a> {
    /// The answer farthest outside the usual range, how far (in margins).
    Unusual(&'a Answer, Usual, f64),
    Usual,
    /// Fewer ordinary answers than the history threshold.
    Unknown,
}

#[derive(Debug, Default)]
struct Source {
    categories: Vec<&'static str>,
    attacks: u64,
    answered: u64,
    first: Option<Seen>,
    /// Attacks answered 200 with a known size, per path, to be judged by size.
    attempts: Vec<Attempt>,
    /// Attacks answered 2xx on a page or script (not the front page) that cannot
    /// be judged by size (no size, not 200, HEAD, command injection, no room).
    unjudged: u64,
    first_unjudged: Option<Seen>,
    scanner: Option<Seen>,
    login_window: Window,
    flood: Option<Seen>,
    login_posts: u64,
    flood_login: Option<Seen>,
}

#[derive(Debug, Default)]
struct NewPhp {
    answered: u64,
    baseline: bool,
    first_ok: i64,
    window: Window,
    burst: Option<Seen>,
}

pub struct State<'f> {
    patterns: &'f Patterns,
    sources: Bounded<Source>,
    uploads: Bounded<PathHit>,
    shells: Bounded<PathHit>,
    php: Bounded<NewPhp>,
    /// The sizes of each path's ordinary answers.
    sizes: Bounded<Sizes>,
    /// Attempts kept, all sources together, and whether one found no room.
    attempts: usize,
    attempts_full: bool,
    decoded: String,
}

impl<'f> State<'f> {
    pub fn new(patterns: &'f Patterns) -> Self {
        State {
            patterns,
            sources: Bounded::default(),
            uploads: Bounded::default(),
            shells: Bounded::default(),
            php: Bounded::default(),
            sizes: Bounded::default(),
            attempts: 0,
            attempts_full: false,
            decoded: String::new(),
        }
    }

    pub fn full(&self) -> bool {
        self.sources.full
            || self.uploads.full
            || self.shells.full
            || self.php.full
            || self.sizes.full
    }

    /// True when attack answers were judged without their size for want of room.
    pub fn attempts_full(&self) -> bool {
        self.attempts_full
    }

    pub fn event(&mut self, s: &mut Shared, time: Option<i64>, r: &WebRequest, at: &At) {
        let p = self.patterns;
        let ok = (200..300).contains(&r.status);
        let raw_path = r.target.split('?').next().unwrap_or("");
        let needs_decoding = r.target.contains('%') || r.target.contains('+');
        let target: &str = if needs_decoding {
            decode(r.target, &mut self.decoded);
            &self.decoded
        } else {
            r.target
        };
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let php = p.is_php(path);
        let t = s.thresholds;

        if php && p.in_upload_dir(path) {
            // 3: POST answered, 2: answered, 1: refused.
            let rank = match (ok, r.method) {
                (true, "POST") => 3,
                (true, _) => 2,
                _ => 1,
            };
            if let Some(h) = self.uploads.entry(raw_path) {
                h.add(rank, ok, at, time);
            }
            if rank >= 2 {
                let seen = at.seen(time);
                s.key_event(
                    &seen,
                    "webshell request",
                    format!("{} {} {} from {}", r.method, raw_path, r.status, r.source),
                );
            }
        }
        let shell = if php { p.shell_param(query) } else { None };
        if let Some(param) = shell {
            if let Some(h) = self.shells.entry(raw_path) {
                h.add(u8::from(ok) + 1, ok, at, time);
            }
            if ok {
                let seen = at.seen(time);
                s.key_event(
                    &seen,
                    "webshell command",
                    format!("{} {raw_path} with {param} from {}", r.method, r.source),
                );
            }
        }
        let attack = p
            .attack
            .find(target)
            .and_then(|m| p.attack_category.get(m.pattern().as_usize()).copied());
        let scanner = !r.agent.is_empty() && p.scanner.is_match(r.agent);
        // The status and size a size judgement needs (HEAD answers have no body).
        let sized = match r.size {
            Some(size) if r.status == 200 && r.method != "HEAD" => Some(size),
            _ => None,
        };
        if attack.is_none()
            && shell.is_none()
            && !scanner
            && let Some(size) = sized
            && let Some(e) = self.sizes.entry(raw_path)
        {
            e.add(size);
        }
        let login = r.method == "POST"
            && (path.ends_with("/wp-login.php") || path.ends_with("/xmlrpc.php"));
        if attack.is_some() || scanner || login {
            let Some(src) = self.sources.entry(r.source) else {
                return;
            };
            if let Some(cat) = attack {
                src.attacks += 1;
                if !src.categories.contains(&cat) {
                    src.categories.push(cat);
                }
                if src.first.is_none() {
                    src.first = Some(at.seen(time));
                }
                // The front page answers any query string (WordPress, most CMSs):
                // its 200 says nothing of the attack's success, its size may.
                let front = FRONT_PAGES.contains(&path);
                if ok {
                    src.answered += 1;
                }
                let echo = r.target.len() as u64;
                let kept = match sized {
                    Some(size) if SIZE_JUDGED.contains(&cat) => {
                        if let Some(a) = src.attempts.iter_mut().find(|a| a.path == raw_path) {
                            a.add(size, echo, at, time);
                            true
                        } else if src.attempts.len() < PATHS_PER_SOURCE
                            && self.attempts < MAX_ATTEMPTS
                        {
                            let first = Answer {
                                size,
                                echo,
                                seen: at.seen(time),
                            };
                            src.attempts.push(Attempt {
                                path: raw_path.to_string(),
                                front,
                                count: 1,
                                low: first.clone(),
                                high: first,
                            });
                            self.attempts += 1;
                            true
                        } else {
                            self.attempts_full |= self.attempts >= MAX_ATTEMPTS;
                            false
                        }
                    }
                    _ => false,
                };
                if ok && !kept && !front {
                    src.unjudged += 1;
                    if src.first_unjudged.is_none() {
                        src.first_unjudged = Some(at.seen(time));
                    }
                }
            }
            if scanner && src.scanner.is_none() {
                src.scanner = Some(at.seen(time));
            }
            if login && let Some(now) = time {
                src.login_posts += 1;
                let span = minutes(t.web_flood_window_minutes);
                if src
                    .login_window
                    .push(now, span, count(t.web_flood_requests))
                    && src.flood.is_none()
                {
                    src.flood = Some(at.seen(time));
                }
                if src.flood.is_some()
                    && r.status == 302
                    && path.ends_with("/wp-login.php")
                    && src.flood_login.is_none()
                {
                    let seen = at.seen(time);
                    s.key_event(
                        &seen,
                        "wordpress login",
                        format!("{} logged in to WordPress after a flood", r.source),
                    );
                    src.flood_login = Some(seen);
                }
            }
        }
        if php
            && ok
            && let Some(now) = time
        {
            let learned = s.learned(time);
            let hits = count(t.web_new_php_hits);
            let span = minutes(t.web_new_php_window_minutes);
            if let Some(e) = self.php.entry(raw_path) {
                if e.answered == 0 {
                    e.first_ok = now;
                    // Answered during the learning period: part of the site.
                    e.baseline = !learned;
                }
                e.answered += 1;
                if !e.baseline
                    && e.burst.is_none()
                    && now - e.first_ok <= span
                    && e.window.push(now, span, hits)
                {
                    e.burst = Some(at.seen(time));
                }
            }
        }
    }

    pub fn finish(&mut self, s: &mut Shared) {
        for (path, h) in sorted(&self.uploads.map) {
            let Some(seen) = &h.seen else { continue };
            let sev = match h.rank {
                3 => Severity::Critical,
                2 => Severity::High,
                _ => Severity::Low,
            };
            let mut hit = Hit::new(&UPLOAD_PHP, seen, path)
                .severity(sev)
                .note(format!(
                    "{path}: {} requests, {} answered with 2xx.",
                    h.requests, h.answered
                ));
            if h.rank == 1 {
                hit = hit.note("None was answered: probing for a shell that is not there.");
            }
            s.hits.push(hit);
        }
        for (path, h) in sorted(&self.shells.map) {
            let Some(seen) = &h.seen else { continue };
            let mut hit = Hit::new(&SHELL_COMMAND, seen, path).note(format!(
                "{path}: {} such requests, {} answered.",
                h.requests, h.answered
            ));
            if h.answered == 0 {
                hit = hit.severity(Severity::Low).note("None was answered.");
            }
            s.hits.push(hit);
        }
        for (addr, src) in sorted(&self.sources.map) {
            if let Some(first) = &src.first {
                s.hits.push(self.attack_hit(s.thresholds, addr, src, first));
            }
            if let Some(seen) = &src.scanner {
                s.hits.push(Hit::new(&SCANNER, seen, addr));
            }
            if let Some(seen) = &src.flood {
                s.hits.push(Hit::new(&LOGIN_FLOOD, seen, addr).note(format!(
                    "{addr} sent {} login POSTs in all.",
                    src.login_posts
                )));
            }
            if let Some(seen) = &src.flood_login {
                s.hits.push(Hit::new(&LOGIN_AFTER_FLOOD, seen, addr));
            }
        }
        for (path, e) in sorted(&self.php.map) {
            if let Some(seen) = &e.burst {
                s.hits.push(Hit::new(&NEW_PHP, seen, path).note(format!(
                    "{path} first answered after the learning period, then at least {} times within {} minutes.",
                    count(s.thresholds.web_new_php_hits),
                    s.thresholds.web_new_php_window_minutes
                )));
            }
        }
    }
}

impl State<'_> {
    /// The attack finding of one source: medium when an answer's size shows the
    /// attack changed the page, low when every answer had its page's usual size,
    /// and as before sizes were kept when there is too little to compare with.
    fn attack_hit(&self, t: &Thresholds, addr: &str, src: &Source, first: &Seen) -> Hit {
        let mut worst: Option<(&Attempt, &Answer, Usual, f64)> = None;
        let mut unusual_paths = 0;
        let mut usual = 0;
        let mut unjudged = src.unjudged;
        let mut unjudged_seen = src.first_unjudged.as_ref();
        for a in &src.attempts {
            match self.judge(t, a) {
                Judged::Unusual(answer, range, far) => {
                    unusual_paths += 1;
                    if worst.as_ref().is_none_or(|w| far > w.3) {
                        worst = Some((a, answer, range, far));
                    }
                }
                Judged::Usual => usual += a.count,
                Judged::Unknown if !a.front => {
                    unjudged += a.count;
                    if unjudged_seen
                        .is_none_or(|s| (a.low.seen.time, a.low.seen.line) < (s.time, s.line))
                    {
                        unjudged_seen = Some(&a.low.seen);
                    }
                }
                Judged::Unknown => {}
            }
        }
        let summary = format!(
            "{addr}: {} requests with {} patterns, {} answered with 2xx.",
            src.attacks,
            src.categories.join(", "),
            src.answered
        );
        let mut hit = if let Some((a, answer, range, _)) = worst {
            let mut hit = Hit::new(&ATTACK, &answer.seen, addr)
                .severity(Severity::Medium)
                .note(summary)
                .note(format!(
                    "{} answered one ({}) with {} bytes, where its {} ordinary answers are usually {}–{} bytes: the attack changed what the page returned, so it may have worked (rows of the database, a file's content).",
                    a.path,
                    answer.seen.place(),
                    answer.size,
                    range.count,
                    range.lo,
                    range.hi
                ));
            if unusual_paths > 1 {
                hit = hit.note(format!(
                    "{unusual_paths} paths answered this source's attacks with unusual sizes."
                ));
            }
            hit
        } else if let Some(seen) = unjudged_seen.filter(|_| unjudged > 0) {
            Hit::new(&ATTACK, seen, addr)
                .severity(Severity::Medium)
                .note(summary)
        } else {
            Hit::new(&ATTACK, first, addr).note(summary)
        };
        if usual > 0 {
            hit = hit.note(format!(
                "{usual} answered with their page's usual size: the attack did not change the answer."
            ));
        }
        if unjudged > 0 {
            hit = hit.note(format!(
                "{unjudged} of the answers (2xx from a page or script) could not be judged by size: too few ordinary answers to compare with, no size logged, or not a SQL injection, traversal or inclusion."
            ));
        }
        hit
    }

    fn judge<'a>(&self, t: &Thresholds, a: &'a Attempt) -> Judged<'a> {
        let Some(range) = self
            .sizes
            .map
            .get(&a.path)
            .and_then(Sizes::usual)
            .filter(|u| u.count >= count(t.web_size_history) as u64)
        else {
            return Judged::Unknown;
        };
        let margin = |answer: &Answer| {
            let m = t
                .web_size_margin_bytes
                .max(t.web_size_margin_percent / 100.0 * range.hi as f64)
                .max(t.web_size_echo_factor * answer.echo as f64);
            m.round() as u64
        };
        let far = |answer: &'a Answer| {
            range
                .beyond(answer.size, margin(answer))
                .map(|f| (answer, f))
        };
        match (far(&a.low), far(&a.high)) {
            (Some((_, fx)), Some((y, fy))) if fy > fx => Judged::Unusual(y, range, fy),
            (Some((x, fx)), _) | (None, Some((x, fx))) => Judged::Unusual(x, range, fx),
            (None, None) => Judged::Usual,
        }
    }
}

fn sorted<V>(map: &HashMap<String, V>) -> Vec<(&String, &V)> {
    let mut v: Vec<_> = map.iter().collect();
    v.sort_by(|a, b| a.0.cmp(b.0));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::sizes::SAMPLE;
    use crate::rules::{Facts, MAX_KEYS};
    use std::sync::Arc;

    fn request<'a>(source: &'a str, target: &'a str, size: u64) -> WebRequest<'a> {
        WebRequest {
            vhost: None,
            source,
            method: "GET",
            target,
            status: 200,
            size: Some(size),
            agent: "Mozilla/5.0",
        }
    }

    /// A log far bigger than the bounds: more distinct paths than any map keeps,
    /// more attacking sources and attacked paths than are kept for judging. Every
    /// structure stops at its bound, says so, and what was kept is still judged.
    #[test]
    fn many_distinct_paths_stay_bounded() {
        let thresholds = Thresholds::default();
        let facts = Facts::default();
        let patterns = Patterns::default();
        let mut shared = Shared {
            thresholds: &thresholds,
            facts: &facts,
            learn_until: None,
            hits: Vec::new(),
            timeline: Vec::new(),
            timeline_full: false,
        };
        let mut state = State::new(&patterns);
        let file: Arc<str> = Arc::from("/var/log/nginx/access.log");
        let text = || String::from("a line");
        let mut n = 0u64;
        let mut feed = |state: &mut State, shared: &mut Shared, r: WebRequest| {
            n += 1;
            let at = At {
                path: &file,
                line: n,
                text: &text,
            };
            state.event(shared, Some(1_717_405_200 + n as i64), &r, &at);
        };
        // A product page with a long, ordinary history.
        for i in 0..5_000 {
            let target = format!("/product.php?id={}", i % 50);
            feed(
                &mut state,
                &mut shared,
                request("198.51.100.1", &target, 5_100 + i % 200),
            );
        }
        // Then more distinct paths than any map keeps (a catalogue, a crawler).
        for i in 0..MAX_KEYS + 20_000 {
            let target = format!("/item/{i}/");
            feed(
                &mut state,
                &mut shared,
                request("198.51.100.2", &target, 9_000),
            );
        }
        // One source attacking many paths, then more sources than are kept.
        for i in 0..20 {
            let target = format!("/p{i}.php?id=1%20UNION%20SELECT%201,2");
            feed(
                &mut state,
                &mut shared,
                request("203.0.113.1", &target, 40_000),
            );
        }
        for i in 0..MAX_ATTEMPTS + 500 {
            let source = format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255);
            let target = "/product.php?id=1%20UNION%20SELECT%20user,password%20FROM%20users";
            feed(&mut state, &mut shared, request(&source, target, 40_000));
        }
        assert_eq!(state.sizes.map.len(), MAX_KEYS);
        assert!(state.sizes.full && state.full());
        assert!(state.sizes.map.values().all(|s| s.kept() <= SAMPLE));
        assert_eq!(state.attempts, MAX_ATTEMPTS);
        assert!(state.attempts_full());
        assert!(
            state
                .sources
                .map
                .values()
                .all(|s| s.attempts.len() <= PATHS_PER_SOURCE)
        );
        state.finish(&mut shared);
        let attacks: Vec<_> = shared
            .hits
            .iter()
            .map(|h| &h.finding)
            .filter(|f| f.rule == "web.attack-patterns")
            .collect();
        assert_eq!(attacks.len(), MAX_ATTEMPTS + 501);
        // Every attack was answered 200 by a script: medium, by its size where it
        // was kept, as a bare 200 where there was no room.
        assert!(attacks.iter().all(|f| f.severity == Severity::Medium));
        let by_size = attacks
            .iter()
            .filter(|f| f.explanation.contains("/product.php answered one"))
            .count();
        assert_eq!(by_size, MAX_ATTEMPTS - PATHS_PER_SOURCE);
    }

    #[test]
    fn decoding_and_shell_parameters() {
        let mut out = String::new();
        decode("/x.php?c=cat%20%2Fetc%2Fpasswd+x&y=%zz%4", &mut out);
        assert_eq!(out, "/x.php?c=cat /etc/passwd x&y=%zz%4");
        let p = Patterns::default();
        assert_eq!(p.shell_param("a=1&cmd=id"), Some("cmd=id"));
        assert_eq!(
            p.shell_param("c=cat /etc/passwd"),
            Some("c=cat /etc/passwd")
        );
        assert_eq!(
            p.shell_param("c=ZXZhbCgkX1BPU1RbJ3gnXSk7Cg=="),
            Some("c=ZXZhbCgkX1BPU1RbJ3gnXSk7Cg==")
        );
        assert_eq!(p.shell_param("c=12&p=about"), None);
        assert_eq!(p.shell_param("s=hello"), None);
        assert!(p.is_php("/wp-content/uploads/2024/05/x.PHP"));
        assert!(p.is_php("/a.php/extra"));
        assert!(!p.is_php("/a.phpx"));
        assert!(p.in_upload_dir("/wp-content/uploads/2024/x.php"));
    }
}
