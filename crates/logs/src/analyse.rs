//! Running the rules over log families: each family (a log and its rotations, or the
//! journal) is read oldest line first by one worker, families in parallel. Findings
//! seen in two logs (auth.log and syslog, a file and the journal) are kept once,
//! long runs of one rule are capped, and every problem with a file becomes a warning
//! naming it.

use crate::journal::{Journal, JournalError, Output};
use crate::parse::{Format, JournalRecord, Parser};
use crate::reader::{LogReader, MAX_LINE};
use crate::rules::{At, Engine, Facts, Hit, Patterns, Thresholds, excerpt};
use crate::source::{Family, LogFile};
use crate::time::host_zone;
use crate::timeline::{self, Entry};
use breachkit_finding::{Finding, Warning, escape_path};
use breachkit_host::Host;
use jiff::tz::TimeZone;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Findings of one rule kept before the rest are summarised in a warning.
const MAX_PER_RULE: usize = 20;
/// Rules whose every finding is kept: each antivirus detection names a file to look at.
const UNCAPPED: &[&str] = &["av.detection"];

/// What the rules are given.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub thresholds: Thresholds,
    pub facts: Facts,
}

/// What reading the logs gave.
#[derive(Debug, Default)]
pub struct Analysis {
    pub findings: Vec<Finding>,
    /// Key events and findings, in time order.
    pub timeline: Vec<Entry>,
    pub warnings: Vec<Warning>,
    /// Files (and journals) read, and their lines.
    pub files: usize,
    pub lines: u64,
}

/// What the rules know of the host's accounts.
pub fn facts(host: &Host) -> Facts {
    let accounts = host.accounts();
    let mut f = Facts::default();
    for u in &accounts.users {
        if accounts.is_service(u) {
            f.service_accounts.insert(u.name.clone());
            f.service_uids.insert(u.uid);
        }
        if u.is_web_account() {
            f.web_accounts.insert(u.name.clone());
            f.web_uids.insert(u.uid);
        }
    }
    for name in breachkit_host::WEB_ACCOUNTS {
        f.web_accounts.insert((*name).to_string());
        f.service_accounts.insert((*name).to_string());
    }
    f
}

/// Reads every family and runs the rules.
pub fn analyse(host: &Host, families: &[Family], options: &Options) -> Analysis {
    let zone = host_zone(host);
    let patterns = Patterns::default();
    let results: Vec<Part> = families
        .par_iter()
        .map(|f| read_family(host, f, &zone, options, &patterns))
        .collect();
    merge(results)
}

/// What one family gave.
#[derive(Default)]
struct Part {
    hits: Vec<Hit>,
    timeline: Vec<Entry>,
    warnings: Vec<Warning>,
    files: usize,
    lines: u64,
}

fn read_family(
    host: &Host,
    family: &Family,
    zone: &TimeZone,
    options: &Options,
    patterns: &Patterns,
) -> Part {
    let mut part = Part::default();
    let mut parser = Parser::new(family.format, zone.clone());
    let mut engine = Engine::new(&options.thresholds, &options.facts, patterns);
    if family.format == Format::Journal {
        read_journal(host, family, &parser, &mut engine, &mut part);
    } else {
        for (file, reference) in with_references(&family.files) {
            parser.set_reference(reference);
            read_file(host, file, &parser, &mut engine, &mut part);
        }
    }
    let (hits, timeline, notes) = engine.finish();
    part.hits = hits;
    part.timeline = timeline;
    for n in notes {
        part.warnings.push(Warning::new(family.display(), n));
    }
    part
}

/// Each file with the latest time its lines can have: its mtime, capped by the
/// reference of the next newer rotation (rotation order beats a touched mtime).
fn with_references(files: &[LogFile]) -> Vec<(&LogFile, i64)> {
    let mut cap = i64::MAX;
    let mut out: Vec<(&LogFile, i64)> = files
        .iter()
        .rev()
        .map(|f| {
            cap = cap.min(f.mtime);
            (f, cap)
        })
        .collect();
    out.reverse();
    out
}

/// Problems met in one file, reported once each.
#[derive(Default)]
struct Tally {
    unparsed: u64,
    first_unparsed: u64,
    cut: u64,
    first_cut: u64,
}

fn read_file(host: &Host, file: &LogFile, parser: &Parser, engine: &mut Engine, part: &mut Part) {
    let shown = escape_path(&file.host);
    let mut reader = match LogReader::open(host, &file.host) {
        Ok(r) => r,
        Err(e) if e.is_not_found() => {
            part.warnings.push(Warning::new(
                shown,
                "vanished before it could be read (rotated while the logs were read?); its lines are missing",
            ));
            return;
        }
        Err(e) => {
            part.warnings.push(e.warning());
            return;
        }
    };
    if reader.id().is_some_and(|id| id != file.id) {
        part.warnings.push(Warning::new(
            shown.clone(),
            "was replaced while the logs were read (rotated?); what was read may repeat or miss lines of its rotations",
        ));
    }
    part.files += 1;
    let path: Arc<str> = Arc::from(shown.as_str());
    let mut tally = Tally::default();
    while let Some(line) = reader.next_line() {
        if line.bytes.is_empty() {
            continue;
        }
        if line.cut {
            tally.cut += 1;
            if tally.first_cut == 0 {
                tally.first_cut = line.number;
            }
        }
        let bytes = line.bytes;
        let text = || excerpt(bytes);
        let at = At {
            path: &path,
            line: line.number,
            text: &text,
        };
        if !parser.parse(bytes, &mut |ev| engine.event(&ev, &at)) {
            tally.unparsed += 1;
            if tally.first_unparsed == 0 {
                tally.first_unparsed = line.number;
            }
        }
    }
    part.lines += reader.lines_read();
    if let Some(p) = reader.problem() {
        part.warnings.push(Warning::new(shown.clone(), p));
    }
    if tally.unparsed > 0 {
        part.warnings.push(Warning::new(
            shown.clone(),
            format!(
                "{} line(s) are not in the {} format and were skipped (the first is line {})",
                tally.unparsed,
                parser.format().name(),
                tally.first_unparsed
            ),
        ));
    }
    if tally.cut > 0 {
        part.warnings.push(Warning::new(
            shown,
            format!(
                "{} line(s) are longer than {} KiB; only their start was read (the first is line {})",
                tally.cut,
                MAX_LINE >> 10,
                tally.first_cut
            ),
        ));
    }
}

fn read_journal(
    host: &Host,
    family: &Family,
    parser: &Parser,
    engine: &mut Engine,
    part: &mut Part,
) {
    let shown = family.display();
    let mut journal = match Journal::open(&host.resolve(&family.base), Output::Json) {
        Ok(j) => j,
        Err(e @ JournalError::NoJournalctl) | Err(e @ JournalError::Spawn(_)) => {
            part.warnings.push(Warning::new(shown, e.to_string()));
            return;
        }
    };
    let Some(output) = journal.output.take() else {
        return;
    };
    let mut lines = LogReader::from_stream(output);
    part.files += 1;
    let path: Arc<str> = Arc::from(shown.as_str());
    while let Some(line) = lines.next_line() {
        let bytes = line.bytes;
        let text = || {
            JournalRecord::parse(&String::from_utf8_lossy(bytes))
                .map(|r| r.line())
                .unwrap_or_else(|| excerpt(bytes))
        };
        let at = At {
            path: &path,
            line: line.number,
            text: &text,
        };
        parser.parse(bytes, &mut |ev| engine.event(&ev, &at));
    }
    part.lines += lines.lines_read();
    if let Some(p) = lines.problem() {
        part.warnings.push(Warning::new(shown.clone(), p));
    }
    if let Some(p) = journal.finish() {
        part.warnings.push(Warning::new(shown, p));
    }
}

/// Joins the families' results: duplicates dropped, each rule capped, the timeline
/// sorted.
fn merge(parts: Vec<Part>) -> Analysis {
    let mut out = Analysis::default();
    let mut keys = HashSet::new();
    let mut hits: Vec<Hit> = Vec::new();
    let mut events = Vec::new();
    for p in parts {
        out.warnings.extend(p.warnings);
        out.files += p.files;
        out.lines += p.lines;
        hits.extend(p.hits.into_iter().filter(|h| keys.insert(h.key.clone())));
        events.extend(p.timeline);
    }
    hits.sort_by_key(|h| std::cmp::Reverse(h.finding.severity));
    let mut per_rule: HashMap<String, usize> = HashMap::new();
    for h in hits {
        let n = per_rule.entry(h.finding.rule.clone()).or_default();
        *n += 1;
        if *n <= MAX_PER_RULE || UNCAPPED.contains(&h.finding.rule.as_str()) {
            out.findings.push(h.finding);
        }
    }
    let mut over: Vec<_> = per_rule
        .into_iter()
        .filter(|(rule, n)| *n > MAX_PER_RULE && !UNCAPPED.contains(&rule.as_str()))
        .collect();
    over.sort();
    for (rule, n) in over {
        out.warnings.push(Warning {
            path: None,
            message: format!(
                "{n} findings of {rule}; only the {MAX_PER_RULE} most severe are listed"
            ),
        });
    }
    let mut seen = HashSet::new();
    events.retain(|e| seen.insert((e.time, e.what.clone(), e.summary.clone())));
    events.extend(out.findings.iter().filter_map(Entry::of_finding));
    timeline::sort(&mut events);
    out.timeline = events;
    out
}
