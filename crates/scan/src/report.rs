//! Turning a file's hits into its finding: the score (sum of the distinct hits),
//! the severity from the score, the family of the strongest hit, and evidence that
//! lets the admin judge in one look (every rule with its weight, the line of the
//! strongest hit, an escaped excerpt of it).

use crate::family::Family;
use crate::hashes::{Sha256, hex};
use crate::heuristics::Kind;
use crate::weights::WEIGHTS;
use breachkit_finding::{Finding, Severity, escape_bytes};

/// One rule or heuristic that hit a file.
#[derive(Debug, Clone)]
pub(crate) struct Hit<'e> {
    pub name: &'e str,
    pub score: u32,
    pub family: Family,
    pub description: &'e str,
    pub offset: Option<usize>,
    /// For a fact of the PHP analysis: the path from the source to the sink.
    pub path: Option<String>,
}

impl Hit<'_> {
    /// A fact of the PHP analysis: it knows the code (a pattern may have matched
    /// text inside a string the code only writes somewhere).
    fn understood(&self) -> bool {
        self.path.is_some()
    }
}

/// How much of the line around a hit the excerpt shows.
const BEFORE: usize = 60;
const AFTER: usize = 240;
/// How many hits the evidence names before "…".
const NAMED: usize = 5;

/// The file's score: the sum over distinct hit names.
pub(crate) fn score(hits: &[Hit]) -> u32 {
    let mut total = 0;
    for (i, h) in hits.iter().enumerate() {
        if !hits[..i].iter().any(|o| o.name == h.name) {
            total += h.score;
        }
    }
    total
}

pub(crate) fn finding(
    path: &str,
    bytes: &[u8],
    kind: Kind,
    hits: &[Hit],
    hash: Option<&Sha256>,
) -> Finding {
    let mut ordered: Vec<&Hit> = Vec::with_capacity(hits.len());
    for h in hits {
        if !ordered.iter().any(|o| o.name == h.name) {
            ordered.push(h);
        }
    }
    // Strongest first; among equals, what the PHP analysis understood, then the
    // one that points at a line.
    ordered.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| b.understood().cmp(&a.understood()))
            .then_with(|| b.offset.is_some().cmp(&a.offset.is_some()))
    });
    let total = score(hits);
    let top = ordered[0];
    let severity = WEIGHTS.severity(total).unwrap_or(Severity::Info);
    let mut names: Vec<String> = ordered
        .iter()
        .take(NAMED)
        .map(|h| format!("{} +{}", h.name, h.score))
        .collect();
    if ordered.len() > NAMED {
        names.push(format!("{} more", ordered.len() - NAMED));
    }
    let at = ordered.iter().find_map(|h| h.offset);
    let mut evidence = format!("score {total}: {}", names.join(", "));
    if let Some(at) = at {
        evidence.push_str(" | ");
        evidence.push_str(&excerpt(bytes, at));
    }
    let mut f = top
        .family
        .rule()
        .finding()
        .path(path)
        .severity(severity)
        .evidence(evidence);
    if let Some(at) = at
        && kind.is_text()
    {
        f = f.line(line_number(bytes, at));
    }
    let said: Vec<&str> = ordered
        .iter()
        .map(|h| h.description)
        .filter(|d| !d.is_empty())
        .take(3)
        .collect();
    if !said.is_empty() {
        f = f.note(format!("Seen here: {}.", said.join("; ")));
    }
    if let Some(path) = ordered.iter().find_map(|h| h.path.as_deref()) {
        f = f.note(format!("Path: {path}."));
    }
    if let Some(h) = hash {
        f = f.note(format!("SHA-256 {}.", hex(h)));
    }
    f
}

/// 1-based line number of a byte offset.
fn line_number(bytes: &[u8], at: usize) -> u64 {
    let upto = &bytes[..at.min(bytes.len())];
    memchr::memchr_iter(b'\n', upto).count() as u64 + 1
}

/// The line holding `at`, cut to a window around it, escaped.
fn excerpt(bytes: &[u8], at: usize) -> String {
    let at = at.min(bytes.len());
    let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
    let from = start.max(at.saturating_sub(BEFORE));
    let to = end.min(at + AFTER);
    let mut s = String::new();
    if from > start {
        s.push('…');
    }
    s.push_str(escape_bytes(&bytes[from..to]).trim());
    if to < end {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(name: &'static str, score: u32, family: Family, offset: Option<usize>) -> Hit<'static> {
        Hit {
            name,
            score,
            family,
            description: "why",
            offset,
            path: None,
        }
    }

    #[test]
    fn strongest_hit_decides_family_and_line() {
        let bytes = b"<?php\n// x\n@eval($_POST['\x1b[2J']);\n";
        let hits = [
            hit("timestomp", 10, Family::Misplaced, None),
            hit("php_request_to_exec", 90, Family::Webshell, Some(12)),
            hit("php_request_to_exec", 90, Family::Webshell, Some(12)),
        ];
        assert_eq!(score(&hits), 100);
        let f = finding("/var/www/x.php", bytes, Kind::Php, &hits, None);
        assert_eq!(f.rule, "scan.webshell");
        assert_eq!(f.severity, Severity::Critical);
        assert_eq!(f.line, Some(3));
        let ev = f.evidence.unwrap();
        assert!(
            ev.starts_with("score 100: php_request_to_exec +90, timestomp +10 | @eval("),
            "{ev}"
        );
        // Raw control bytes stay in the (lossless) evidence; printers make them safe.
        assert!(ev.contains('\x1b'));
    }

    #[test]
    fn excerpts_are_windows_of_long_lines() {
        let mut line = vec![b'a'; 1000];
        line[500] = b'X';
        let e = excerpt(&line, 500);
        assert!(e.starts_with('…') && e.ends_with('…'));
        assert!(e.chars().count() < 320);
        assert_eq!(excerpt(b"ab\xffc\nnext", 1), "ab\\xffc");
    }
}
