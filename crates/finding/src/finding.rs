//! One finding: what was seen, where, how bad, and what to do next.

use crate::{Severity, Step};
use serde::{Deserialize, Serialize};

/// A finding. Serialised field names are part of the output contract: fields may be
/// added, never renamed. Strings that came from the host (`path`, `evidence`) are
/// already lossless-escaped (see [`crate::escape_bytes`]) but may still hold control
/// characters: printers pass them through [`crate::terminal_safe`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub step: Step,
    pub severity: Severity,
    pub title: String,
    pub explanation: String,
    /// A host path (`/var/www/html/x.php`), never prefixed by an image root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 1-based line number in `path`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// When it happened (RFC 3339, UTC), if the evidence says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// An excerpt of what was seen: the line, the command line, the key options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mitre: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
}

/// The longest excerpt a finding carries; longer ones are cut with a marker.
pub const MAX_EVIDENCE_CHARS: usize = 400;

impl Finding {
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    pub fn line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    pub fn pid(mut self, pid: u32) -> Self {
        self.pid = Some(pid);
        self
    }

    /// Sets the time from seconds since the Unix epoch; out-of-range values are ignored.
    pub fn unix_time(mut self, secs: i64) -> Self {
        self.time = jiff::Timestamp::from_second(secs)
            .ok()
            .map(|t| t.to_string());
        self
    }

    /// Sets the excerpt, cut to [`MAX_EVIDENCE_CHARS`] characters.
    pub fn evidence(mut self, text: impl Into<String>) -> Self {
        let text: String = text.into();
        let cut = text.char_indices().nth(MAX_EVIDENCE_CHARS);
        self.evidence = Some(match cut.and_then(|(at, _)| text.split_at_checked(at)) {
            Some((kept, rest)) => format!("{kept}…[{} more bytes]", rest.len()),
            None => text,
        });
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Appends a sentence to the explanation (context specific to this finding).
    pub fn note(mut self, sentence: impl AsRef<str>) -> Self {
        self.explanation.push(' ');
        self.explanation.push_str(sentence.as_ref());
        self
    }
}

#[cfg(test)]
mod tests {
    use crate::{Rule, Severity, Step};

    const R: Rule = Rule {
        id: "t.rule",
        step: Step::Aware,
        severity: Severity::High,
        title: "t",
        explanation: "e",
        mitre: None,
        next_step: "n",
    };

    #[test]
    fn evidence_is_bounded_and_time_is_utc() {
        let f = R.finding().evidence("x".repeat(1000)).unix_time(0);
        let ev = f.evidence.unwrap_or_default();
        assert!(ev.starts_with(&"x".repeat(400)));
        assert!(ev.ends_with("[600 more bytes]"));
        assert_eq!(f.time.as_deref(), Some("1970-01-01T00:00:00Z"));
    }
}
