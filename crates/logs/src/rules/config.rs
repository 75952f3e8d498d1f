//! The data the rules run on, kept out of the code under `rules/logs/`: thresholds
//! (`thresholds.conf`, overridable with a file of the same shape) and the web
//! patterns (`web.txt`), both embedded in the binary.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

const THRESHOLDS: &str = include_str!("../../../../rules/logs/thresholds.conf");
const WEB_PATTERNS: &str = include_str!("../../../../rules/logs/web.txt");

/// A problem in a thresholds file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("line {line}: expected `name = number`, found {text:?}")]
    Syntax { line: usize, text: String },
    #[error(
        "line {line}: unknown threshold {name:?}; the known ones are in rules/logs/thresholds.conf"
    )]
    Unknown { line: usize, name: String },
}

/// The rules' thresholds; see `rules/logs/thresholds.conf` for what each means.
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    pub learning_hours: f64,
    pub ssh_brute_failures: f64,
    pub ssh_brute_window_minutes: f64,
    pub ssh_after_failures: f64,
    pub ssh_after_window_hours: f64,
    pub ssh_spray_users: f64,
    pub web_flood_requests: f64,
    pub web_flood_window_minutes: f64,
    pub web_new_php_hits: f64,
    pub web_new_php_window_minutes: f64,
    pub web_size_history: f64,
    pub web_size_margin_bytes: f64,
    pub web_size_margin_percent: f64,
    pub web_size_echo_factor: f64,
    pub mail_spike_per_hour: f64,
    pub mail_spike_factor: f64,
    pub mail_spike_absolute: f64,
    pub mail_web_per_hour: f64,
    pub mail_storm_per_hour: f64,
    pub mail_sasl_failures: f64,
    pub mail_sasl_window_minutes: f64,
}

impl Default for Thresholds {
    /// The embedded `rules/logs/thresholds.conf`.
    fn default() -> Self {
        let mut t = Thresholds {
            learning_hours: 0.0,
            ssh_brute_failures: 0.0,
            ssh_brute_window_minutes: 0.0,
            ssh_after_failures: 0.0,
            ssh_after_window_hours: 0.0,
            ssh_spray_users: 0.0,
            web_flood_requests: 0.0,
            web_flood_window_minutes: 0.0,
            web_new_php_hits: 0.0,
            web_new_php_window_minutes: 0.0,
            web_size_history: 0.0,
            web_size_margin_bytes: 0.0,
            web_size_margin_percent: 0.0,
            web_size_echo_factor: 0.0,
            mail_spike_per_hour: 0.0,
            mail_spike_factor: 0.0,
            mail_spike_absolute: 0.0,
            mail_web_per_hour: 0.0,
            mail_storm_per_hour: 0.0,
            mail_sasl_failures: 0.0,
            mail_sasl_window_minutes: 0.0,
        };
        // The embedded file is tested to parse (see the tests below).
        let _ = t.apply(THRESHOLDS);
        t
    }
}

impl Thresholds {
    /// Sets the thresholds a file names; the others keep their values.
    pub fn apply(&mut self, text: &str) -> Result<(), ConfigError> {
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let syntax = || ConfigError::Syntax {
                line: i + 1,
                text: raw.to_string(),
            };
            let (name, value) = line.split_once('=').ok_or_else(syntax)?;
            let value: f64 = value.trim().parse().map_err(|_| syntax())?;
            if !value.is_finite() || value < 0.0 {
                return Err(syntax());
            }
            let name = name.trim();
            *self.slot(name).ok_or_else(|| ConfigError::Unknown {
                line: i + 1,
                name: name.to_string(),
            })? = value;
        }
        Ok(())
    }

    fn slot(&mut self, name: &str) -> Option<&mut f64> {
        Some(match name {
            "learning.hours" => &mut self.learning_hours,
            "ssh.brute_force.failures" => &mut self.ssh_brute_failures,
            "ssh.brute_force.window_minutes" => &mut self.ssh_brute_window_minutes,
            "ssh.login_after_failures.failures" => &mut self.ssh_after_failures,
            "ssh.login_after_failures.window_hours" => &mut self.ssh_after_window_hours,
            "ssh.spray.users" => &mut self.ssh_spray_users,
            "web.login_flood.requests" => &mut self.web_flood_requests,
            "web.login_flood.window_minutes" => &mut self.web_flood_window_minutes,
            "web.new_php.hits" => &mut self.web_new_php_hits,
            "web.new_php.window_minutes" => &mut self.web_new_php_window_minutes,
            "web.response_size.history" => &mut self.web_size_history,
            "web.response_size.margin_bytes" => &mut self.web_size_margin_bytes,
            "web.response_size.margin_percent" => &mut self.web_size_margin_percent,
            "web.response_size.echo_factor" => &mut self.web_size_echo_factor,
            "mail.spike.per_hour" => &mut self.mail_spike_per_hour,
            "mail.spike.factor" => &mut self.mail_spike_factor,
            "mail.spike.absolute" => &mut self.mail_spike_absolute,
            "mail.web_submissions.per_hour" => &mut self.mail_web_per_hour,
            "mail.storm.per_hour" => &mut self.mail_storm_per_hour,
            "mail.sasl.failures" => &mut self.mail_sasl_failures,
            "mail.sasl.window_minutes" => &mut self.mail_sasl_window_minutes,
            _ => return None,
        })
    }
}

/// A count threshold as a whole number (at least 1).
pub fn count(v: f64) -> usize {
    (v.round() as usize).max(1)
}

/// Seconds of a number of minutes.
pub fn minutes(v: f64) -> i64 {
    (v * 60.0).round() as i64
}

/// The sections of `rules/logs/web.txt`.
pub fn web_section(name: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in WEB_PATTERNS.lines() {
        let t = line.trim_end_matches(['\r', '\n']);
        if t.trim().is_empty() || t.trim_start().starts_with('#') {
            continue;
        }
        if let Some(s) = t.trim().strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            inside = s == name;
            continue;
        }
        if inside {
            // Leading spaces never matter; a trailing space does (`;wget `).
            out.push(t.trim_start());
        }
    }
    out
}

/// A case-insensitive automaton over patterns (a DFA: the pattern sets are small,
/// and every request's target and user agent goes through one).
// Only called on the embedded `rules/logs/web.txt` (compiled into the binary, never
// read from the host), which every rules test builds: it cannot fail at run time.
#[allow(clippy::expect_used)]
pub fn automaton(patterns: &[&str]) -> AhoCorasick {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .kind(Some(AhoCorasickKind::DFA))
        .build(patterns)
        .expect("the embedded patterns compile (tested)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_parses() {
        let mut t = Thresholds::default();
        assert!(t.apply(THRESHOLDS).is_ok());
        assert_eq!(t.ssh_brute_failures, 20.0);
        assert!(t.mail_sasl_window_minutes > 0.0);
        assert_eq!(t.web_size_history, 10.0);
        assert!(t.web_size_margin_bytes > 0.0 && t.web_size_margin_percent > 0.0);
        assert!(t.apply("ssh.spray.users = 3 # fewer\n").is_ok());
        assert_eq!(t.ssh_spray_users, 3.0);
        assert!(matches!(
            t.apply("nope = 1"),
            Err(ConfigError::Unknown { line: 1, .. })
        ));
        assert!(matches!(
            t.apply("\nssh.spray.users"),
            Err(ConfigError::Syntax { line: 2, .. })
        ));
        for section in [
            "sqli",
            "traversal",
            "inclusion",
            "command",
            "shell-param",
            "shell-command",
            "scanner-agent",
            "php-file",
            "upload-dir",
        ] {
            assert!(!web_section(section).is_empty(), "{section}");
        }
        assert!(web_section("command").contains(&";wget "));
    }
}
