//! The report as a small document (headings, paragraphs, fields, lists, tables, the
//! timeline chart), built once from [`ReportData`]: what is said and in which order
//! is decided here, and the HTML and Markdown writers only lay the blocks out.

use super::data::ReportData;
use super::timeline::{Event, Lane};
use breachkit_finding::{Finding, Severity, VerdictKind};

/// A piece of a line.
#[derive(Debug, Clone)]
pub enum Span {
    Text(String),
    Strong(String),
    /// A host string or a command: monospace where the format has it.
    Code(String),
    /// A severity label (`HIGH`), marked so colour can be added; the word carries
    /// the meaning.
    Severity(Severity),
}

pub type Line = Vec<Span>;

/// How the verdict box reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Bad,
    Warn,
    Good,
}

#[derive(Debug, Clone)]
pub enum Block<'a> {
    /// A heading of level 1 to 4.
    Heading(u8, String),
    Para(Line),
    /// A framed box (the verdict): its first line is its title.
    Callout(Tone, Vec<Line>),
    /// Labelled values.
    Fields(Vec<(&'static str, Line)>),
    Bullets(Vec<Line>),
    Table {
        head: &'static [&'static str],
        rows: Vec<Vec<Line>>,
    },
    /// The timeline chart (formats without pictures leave it out: the event table
    /// that follows holds the same).
    Chart(&'a [Event]),
}

fn text(s: impl Into<String>) -> Span {
    Span::Text(s.into())
}

fn code(s: impl Into<String>) -> Span {
    Span::Code(s.into())
}

fn line(s: impl Into<String>) -> Line {
    vec![text(s)]
}

fn opt(s: Option<&str>) -> Line {
    s.map(|s| vec![code(s)]).unwrap_or_default()
}

/// The document of a report.
pub fn build(data: &ReportData) -> Vec<Block<'_>> {
    let mut doc = Vec::new();
    let host = data
        .judged
        .as_ref()
        .map_or("(no run recorded)", |r| r.info.hostname.as_str());
    doc.push(Block::Heading(1, format!("breachkit case report: {host}")));
    verdict(data, &mut doc);
    facts(data, &mut doc);
    doc.push(Block::Heading(2, "What remains to do".into()));
    if data.remaining.is_empty() {
        doc.push(Block::Para(line("Nothing the case records is left open.")));
    } else {
        doc.push(Block::Bullets(
            data.remaining.iter().map(|r| line(r.to_string())).collect(),
        ));
    }
    findings(data, &mut doc);
    timeline(data, &mut doc);
    actions(data, &mut doc);
    evidence(data, &mut doc);
    runs(data, &mut doc);
    doc
}

fn verdict(data: &ReportData, doc: &mut Vec<Block<'_>>) {
    let Some(v) = &data.verdict else {
        doc.push(Block::Callout(
            Tone::Warn,
            vec![
                vec![Span::Strong("Verdict: none".into())],
                line("No run with a verdict is recorded in this case."),
            ],
        ));
        return;
    };
    let tone = match v.kind {
        VerdictKind::Compromised => Tone::Bad,
        VerdictKind::Suspicious | VerdictKind::Incomplete => Tone::Warn,
        VerdictKind::Clean => Tone::Good,
    };
    let mut lines = vec![vec![Span::Strong(format!(
        "Verdict: {}",
        v.kind.as_str().to_uppercase()
    ))]];
    if v.is_incomplete() {
        lines.push(vec![
            text("Part of the run failed, so its findings are not the whole story. Failed: "),
            code(v.failed.join("; ")),
        ]);
        lines.push(line(format!(
            "What the findings alone say: {}.",
            v.findings_say.as_str()
        )));
    }
    if v.reasons.is_empty() {
        lines.push(line("No finding at medium or above."));
    } else {
        lines.push(line("Why:"));
        lines.extend(v.reasons.iter().map(|r| vec![text("• "), text(r)]));
    }
    doc.push(Block::Callout(tone, lines));
}

fn facts(data: &ReportData, doc: &mut Vec<Block<'_>>) {
    let mut fields = Vec::new();
    if let Some(run) = &data.judged {
        fields.push(("Host", vec![code(&run.info.hostname)]));
        fields.push(("Root", vec![code(&run.info.root)]));
        fields.push((
            "Verdict from",
            vec![text(format!("run {}: ", run.id)), code(&run.info.command)],
        ));
        fields.push((
            "Run time",
            line(format!(
                "{} to {}",
                run.info.started_at, run.info.finished_at
            )),
        ));
        fields.push(("breachkit", line(&run.info.version)));
    }
    if let (Some(first), Some(last)) = (data.runs.first(), data.runs.last()) {
        fields.push((
            "Case runs",
            line(format!(
                "{} run(s), from {} to {}",
                data.runs.len(),
                first.info.started_at,
                last.info.finished_at
            )),
        ));
    }
    fields.push(("Case", vec![code(&data.case_dir)]));
    fields.push(("Report made", line(&data.generated_at)));
    doc.push(Block::Fields(fields));
}

fn findings(data: &ReportData, doc: &mut Vec<Block<'_>>) {
    doc.push(Block::Heading(2, "Findings".into()));
    let Some(run) = &data.judged else {
        doc.push(Block::Para(line("No findings: no judged run.")));
        return;
    };
    let counts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .map(|&s| {
            let n = run
                .report
                .findings
                .iter()
                .filter(|f| f.severity == s)
                .count();
            format!("{n} {s}")
        })
        .collect();
    doc.push(Block::Para(line(format!(
        "{} finding(s) in run {}: {}.",
        run.report.findings.len(),
        run.id,
        counts.join(", ")
    ))));
    for group in &data.findings {
        doc.push(Block::Heading(3, format!("Step {}", group.step.title())));
        for f in &group.findings {
            finding(f, doc);
        }
    }
    let skipped: Vec<Line> = run
        .report
        .checks
        .iter()
        .filter_map(|c| {
            let why = c.skipped.as_deref()?;
            Some(vec![code(&c.name), text(": "), text(why)])
        })
        .collect();
    if !skipped.is_empty() {
        doc.push(Block::Heading(3, "Checks skipped".into()));
        doc.push(Block::Bullets(skipped));
    }
    if !run.report.warnings.is_empty() {
        doc.push(Block::Heading(3, "Input that could not be read".into()));
        doc.push(Block::Table {
            head: &["Path", "Problem"],
            rows: run
                .report
                .warnings
                .iter()
                .map(|w| vec![opt(w.path.as_deref()), line(&w.message)])
                .collect(),
        });
    }
}

fn finding(f: &Finding, doc: &mut Vec<Block<'_>>) {
    doc.push(Block::Heading(
        4,
        format!(
            "{} {}: {}",
            f.severity.as_str().to_uppercase(),
            f.rule,
            f.title
        ),
    ));
    let mut fields = vec![("Severity", vec![Span::Severity(f.severity)])];
    fields.push(("Rule", vec![code(&f.rule)]));
    if let Some(path) = &f.path {
        let mut at = vec![code(path)];
        if let Some(l) = f.line {
            at.push(text(format!(", line {l}")));
        }
        fields.push(("Path", at));
    }
    if let Some(pid) = f.pid {
        fields.push(("PID", line(pid.to_string())));
    }
    if let Some(time) = &f.time {
        fields.push(("Time", line(time)));
    }
    if let Some(ev) = &f.evidence {
        fields.push(("Evidence", vec![code(ev)]));
    }
    if let Some(m) = &f.mitre {
        fields.push(("MITRE ATT&CK", vec![code(m)]));
    }
    fields.push(("Why it matters", line(&f.explanation)));
    if let Some(n) = &f.next_step {
        fields.push(("Next step", line(n)));
    }
    doc.push(Block::Fields(fields));
}

fn timeline<'a>(data: &'a ReportData, doc: &mut Vec<Block<'a>>) {
    doc.push(Block::Heading(2, "Timeline".into()));
    if data.events.is_empty() {
        doc.push(Block::Para(line("No timed events.")));
        return;
    }
    doc.push(Block::Chart(&data.events));
    if data.untimed_findings > 0 {
        doc.push(Block::Para(line(format!(
            "{} finding(s) carry no time and are not on the timeline.",
            data.untimed_findings
        ))));
    }
    doc.push(Block::Table {
        head: &["Time (UTC)", "Lane", "Event", "Severity", "Detail"],
        rows: data
            .events
            .iter()
            .map(|e| {
                vec![
                    line(e.rfc3339()),
                    line(e.lane.title()),
                    vec![code(&e.label)],
                    e.severity
                        .map(|s| vec![Span::Severity(s)])
                        .unwrap_or_default(),
                    line(&e.detail),
                ]
            })
            .collect(),
    });
    let lanes: Vec<&str> = Lane::ALL
        .iter()
        .filter(|l| data.events.iter().any(|e| e.lane == **l))
        .map(|l| l.title())
        .collect();
    doc.push(Block::Para(line(format!(
        "Lanes shown: {}.",
        lanes.join(", ")
    ))));
}

fn actions(data: &ReportData, doc: &mut Vec<Block<'_>>) {
    doc.push(Block::Heading(2, "Actions taken (step 2 and later)".into()));
    if data.actions.is_empty() {
        doc.push(Block::Para(line("No change to the host is journalled.")));
        return;
    }
    let in_force = data.actions.iter().filter(|a| a.state.in_force()).count();
    doc.push(Block::Para(line(format!(
        "{} change(s) journalled; {in_force} still in force.",
        data.actions.len()
    ))));
    doc.push(Block::Table {
        head: &[
            "Id",
            "Batch",
            "Kind",
            "Target",
            "State",
            "In force",
            "Made",
            "Last change",
            "Note",
        ],
        rows: data
            .actions
            .iter()
            .map(|a| {
                vec![
                    line(a.id.to_string()),
                    vec![code(&a.batch)],
                    vec![code(&a.kind)],
                    vec![code(&a.target)],
                    line(a.state.as_str()),
                    line(if a.state.in_force() { "yes" } else { "no" }),
                    line(&a.planned_at),
                    line(&a.updated_at),
                    opt(a.note.as_deref()),
                ]
            })
            .collect(),
    });
}

fn evidence(data: &ReportData, doc: &mut Vec<Block<'_>>) {
    doc.push(Block::Heading(2, "Evidence".into()));
    doc.push(Block::Heading(3, "Bundles (step 3)".into()));
    if data.bundles.is_empty() {
        doc.push(Block::Para(line("No evidence bundle recorded.")));
    } else {
        doc.push(Block::Table {
            head: &["Bundle", "Manifest SHA-256", "Examiner", "Complete", "Made"],
            rows: data
                .bundles
                .iter()
                .map(|b| {
                    vec![
                        vec![code(&b.bundle)],
                        vec![code(&b.manifest_sha256)],
                        line(&b.examiner),
                        line(if b.complete {
                            "yes"
                        } else {
                            "no (stopped early)"
                        }),
                        line(&b.created_at),
                    ]
                })
                .collect(),
        });
    }
    doc.push(Block::Heading(3, "Backups (step 2)".into()));
    if data.backups.is_empty() {
        doc.push(Block::Para(line("No evidence backup in the case.")));
    } else {
        doc.push(Block::Table {
            head: &["Archive", "Manifest", "Manifest SHA-256", "Made"],
            rows: data
                .backups
                .iter()
                .map(|b| match &b.record {
                    Some(r) => vec![
                        vec![code(&b.archive)],
                        vec![code(&r.manifest)],
                        vec![code(&r.manifest_sha256)],
                        line(&r.created_at),
                    ],
                    None => vec![
                        vec![code(&b.archive)],
                        Vec::new(),
                        line("not recorded in the case"),
                        Vec::new(),
                    ],
                })
                .collect(),
        });
    }
}

fn runs(data: &ReportData, doc: &mut Vec<Block<'_>>) {
    doc.push(Block::Heading(2, "Runs".into()));
    if data.runs.is_empty() {
        doc.push(Block::Para(line("No run recorded.")));
        return;
    }
    doc.push(Block::Table {
        head: &[
            "Id", "Command", "Root", "Host", "Started", "Finished", "Verdict", "Findings",
        ],
        rows: data
            .runs
            .iter()
            .map(|r| {
                vec![
                    line(r.id.to_string()),
                    vec![code(&r.info.command)],
                    vec![code(&r.info.root)],
                    vec![code(&r.info.hostname)],
                    line(&r.info.started_at),
                    line(&r.info.finished_at),
                    line(&r.verdict),
                    line(r.findings.to_string()),
                ]
            })
            .collect(),
    });
}
