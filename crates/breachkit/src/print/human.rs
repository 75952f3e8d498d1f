//! Human output: the verdict first, then findings grouped by step and severity, each
//! with its evidence, explanation and next step. Every host string goes through
//! `terminal_safe`.

use super::Header;
use breachkit_finding::{Finding, Report, Severity, Verdict, VerdictKind, Warning, terminal_safe};
use std::io::{self, Write};

struct Paint(bool);

impl Paint {
    fn sev(&self, s: Severity) -> String {
        let label = format!("{:<8}", s.as_str().to_uppercase());
        let code = match s {
            Severity::Critical => "1;31",
            Severity::High => "31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info => "2",
        };
        self.wrap(code, &label)
    }

    fn verdict(&self, v: VerdictKind) -> String {
        let code = match v {
            VerdictKind::Compromised => "1;31",
            VerdictKind::Suspicious => "1;33",
            VerdictKind::Clean => "1;32",
            VerdictKind::Incomplete => "1;35",
        };
        self.wrap(code, &v.as_str().to_uppercase())
    }

    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }

    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }

    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

pub fn write(
    out: &mut impl Write,
    header: &Header,
    (report, verdict): (&Report, &Verdict),
    threshold: Severity,
    colour: bool,
) -> io::Result<()> {
    let p = Paint(colour);
    let what = if header.live {
        "the running system".to_string()
    } else {
        format!("image {}", terminal_safe(&header.root))
    };
    writeln!(out, "{} — {}", p.bold(&terminal_safe(&header.title)), what)?;
    let above = report
        .findings
        .iter()
        .filter(|f| f.severity >= threshold)
        .count();
    writeln!(out)?;
    if verdict.is_incomplete() {
        // Named first: what failed, then what the rest of the run says.
        let failed: Vec<String> = verdict
            .failed
            .iter()
            .map(|w| format!("{w} failed"))
            .collect();
        writeln!(
            out,
            "Verdict: {} ({}) — what ran reads {}, {above} finding(s) at or above {threshold}",
            p.verdict(verdict.kind),
            terminal_safe(&failed.join("; ")),
            verdict.findings_say.as_str().to_uppercase(),
        )?;
    } else {
        writeln!(out, "Verdict: {}", p.verdict(verdict.kind))?;
    }
    for reason in &verdict.reasons {
        writeln!(out, "  - {}", terminal_safe(reason))?;
    }
    for what in &verdict.failed {
        let missing = format!("INCOMPLETE: {what} failed internally; its results are missing");
        writeln!(out, "  - {}", p.wrap("1;31", &terminal_safe(&missing)))?;
    }
    let mut steps: Vec<_> = report.findings.iter().map(|f| f.step).collect();
    steps.sort();
    steps.dedup();
    for step in steps {
        writeln!(out)?;
        writeln!(out, "{}", p.bold(step.title()))?;
        for sev in Severity::ALL.iter().rev() {
            for f in report
                .findings
                .iter()
                .filter(|f| f.step == step && f.severity == *sev)
            {
                write_finding(out, &p, f)?;
            }
        }
    }
    writeln!(out)?;
    let counts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .filter_map(|s| {
            let n = report.findings.iter().filter(|f| f.severity == *s).count();
            (n > 0).then(|| format!("{n} {s}"))
        })
        .collect();
    writeln!(
        out,
        "{} finding(s){}; {above} at or above {threshold}.",
        report.findings.len(),
        if counts.is_empty() {
            String::new()
        } else {
            format!(" ({})", counts.join(", "))
        }
    )?;
    let ran: Vec<String> = report
        .checks
        .iter()
        .filter(|c| c.skipped.is_none())
        .map(|c| format!("{} ({} ms)", c.name, c.millis))
        .collect();
    writeln!(out, "{}", p.dim(&format!("Checks run: {}", ran.join(", "))))?;
    for c in report.checks.iter().filter(|c| c.skipped.is_some()) {
        writeln!(
            out,
            "Skipped check {}: {}",
            c.name,
            c.skipped.as_deref().unwrap_or("")
        )?;
    }
    if let Some((db, run)) = &header.case {
        writeln!(
            out,
            "{}",
            p.dim(&format!(
                "Recorded in case {} as run {run}.",
                terminal_safe(db)
            ))
        )?;
    }
    Ok(())
}

fn write_finding(out: &mut impl Write, p: &Paint, f: &Finding) -> io::Result<()> {
    writeln!(
        out,
        "  {} {}  {}",
        p.sev(f.severity),
        p.bold(&f.rule),
        terminal_safe(&f.title)
    )?;
    let mut place = Vec::new();
    if let Some(pid) = f.pid {
        place.push(format!("pid {pid}"));
    }
    if let Some(path) = &f.path {
        match f.line {
            Some(line) => place.push(format!("{}:{line}", terminal_safe(path))),
            None => place.push(terminal_safe(path).into_owned()),
        }
    }
    if let Some(time) = &f.time {
        place.push(format!("at {time}"));
    }
    let pad = "           ";
    if !place.is_empty() {
        writeln!(out, "{pad}{}", place.join("  "))?;
    }
    if let Some(ev) = &f.evidence {
        writeln!(out, "{pad}> {}", terminal_safe(ev))?;
    }
    writeln!(out, "{pad}{}", p.dim(&terminal_safe(&f.explanation)))?;
    if let Some(next) = &f.next_step {
        writeln!(out, "{pad}next: {}", terminal_safe(next))?;
    }
    if let Some(t) = &f.mitre {
        writeln!(out, "{pad}{}", p.dim(&format!("ATT&CK {t}")))?;
    }
    Ok(())
}

pub fn write_warnings(out: &mut impl Write, warnings: &[Warning], colour: bool) -> io::Result<()> {
    let p = Paint(colour);
    for w in warnings {
        let label = p.wrap("33", "warning:");
        match &w.path {
            Some(path) => writeln!(
                out,
                "{label} {}: {}",
                terminal_safe(path),
                terminal_safe(&w.message)
            )?,
            None => writeln!(out, "{label} {}", terminal_safe(&w.message))?,
        }
    }
    Ok(())
}
