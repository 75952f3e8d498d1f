//! systemd: units (and their drop-ins) in every system and user unit directory, the
//! timers that start them, and generators (programs systemd runs at every boot and
//! reload to write units). A unit is judged by its `Exec*=` commands and by
//! `Environment=LD_PRELOAD`; a unit or generator that is a link into a temp or hidden
//! directory is judged by where it points.

use super::{MAX_JOB_FILE, job_lines, judge_command};
use crate::Context;
use crate::paths::{in_hidden_dir, is_temp};
use breachkit_finding::{Rule, Severity, Step, escape_path};
use breachkit_host::{Entry, Line, lines};
use std::collections::BTreeMap;
use std::path::PathBuf;

const UNIT: Rule = Rule {
    id: "systemd.suspicious-exec",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "systemd unit runs code that is fetched, decoded, or kept in a temp or hidden path",
    explanation: "A service runs a command the way attackers' persistence does; systemd will restart it at every boot (and on failure), as root unless the unit says otherwise.",
    mitre: Some("T1543.002"),
    next_step: "Keep a copy of the unit and its program for evidence, then stop, disable and remove the unit (breachkit cleanup).",
};

const LINKED: Rule = Rule {
    id: "systemd.unit-link",
    step: Step::Aware,
    severity: Severity::High,
    title: "systemd unit or generator is a link into a temp or hidden directory",
    explanation: "systemd follows this link to a file in a temp or hidden directory, where no unit belongs.",
    mitre: Some("T1543.002"),
    next_step: "Keep the target for evidence, then remove the link and reload systemd.",
};

const GENERATOR: Rule = Rule {
    id: "systemd.generator",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "systemd generator runs suspicious commands",
    explanation: "Generators run as root early at every boot and at every daemon-reload; this one fetches, decodes or runs code from a temp or hidden path.",
    mitre: Some("T1543.002"),
    next_step: "Keep a copy for evidence, remove it and reload systemd.",
};

const LOCAL_GENERATOR: Rule = Rule {
    id: "systemd.local-generator",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "systemd generator installed outside the packaged directories",
    explanation: "A generator in /etc, /run or /usr/local was put there by hand, not by a package. Generators run as root at every boot and daemon-reload; they are rare and an effective hiding place.",
    mitre: Some("T1543.002"),
    next_step: "Read it and confirm you installed it.",
};

const UNIT_DIRS: &[&str] = &[
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/local/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
    "/etc/systemd/user",
    "/usr/lib/systemd/user",
];

const GENERATOR_DIRS: &[(&str, bool)] = &[
    ("/etc/systemd/system-generators", true),
    ("/run/systemd/system-generators", true),
    ("/usr/local/lib/systemd/system-generators", true),
    ("/usr/lib/systemd/system-generators", false),
    ("/lib/systemd/system-generators", false),
    ("/etc/systemd/user-generators", true),
    ("/usr/local/lib/systemd/user-generators", true),
    ("/usr/lib/systemd/user-generators", false),
];

const EXEC_KEYS: &[&str] = &[
    "ExecStart",
    "ExecStartPre",
    "ExecStartPost",
    "ExecStop",
    "ExecStopPost",
    "ExecReload",
    "ExecCondition",
];

pub fn check(ctx: &mut Context) {
    let mut dirs: Vec<PathBuf> = UNIT_DIRS.iter().map(PathBuf::from).collect();
    let homes: Vec<PathBuf> = ctx
        .host
        .accounts()
        .homes()
        .into_iter()
        .map(|(h, _)| h)
        .collect();
    dirs.extend(homes.iter().map(|h| h.join(".config/systemd/user")));
    let units = collect(ctx, &dirs, 3);
    let timers = timer_targets(ctx, &units);
    for entry in &units {
        if entry.meta.file_type().is_symlink() {
            check_link(ctx, entry);
            continue;
        }
        let name = entry.file_name();
        let Some(content) = ctx.read_entry(entry, MAX_JOB_FILE) else {
            continue;
        };
        let started_by = timers
            .get(&name)
            .map(|t| format!("It is started by timer {t}."));
        let unit_lines = job_lines(ctx, &entry.display(), &content.bytes);
        for (number, key, value) in directives(unit_lines) {
            let command = match key.as_str() {
                k if EXEC_KEYS.contains(&k) => value
                    .trim_start_matches(['@', '-', ':', '+', '!', '|'])
                    .to_string(),
                "Environment" if value.contains("LD_PRELOAD=") => value.clone(),
                _ => continue,
            };
            judge_command(
                ctx,
                &UNIT,
                &entry.display(),
                Some(number),
                &command,
                started_by.as_deref(),
            );
            if key == "Environment" {
                let f = UNIT
                    .finding()
                    .severity(Severity::High)
                    .path(entry.display())
                    .line(number);
                ctx.report(
                    f.evidence(format!("Environment={value}"))
                        .note("It preloads a library into the service."),
                );
            }
        }
    }
    for (dir, local) in GENERATOR_DIRS {
        for entry in collect(ctx, &[PathBuf::from(dir)], 1) {
            check_generator(ctx, &entry, *local);
        }
    }
}

/// Unit files in `dirs`, each real directory read once (`/lib` is often `/usr/lib`).
fn collect(ctx: &mut Context, dirs: &[PathBuf], depth: usize) -> Vec<Entry> {
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut out = Vec::new();
    for dir in dirs {
        let real = ctx.host.resolve(dir);
        if seen.contains(&real) {
            continue;
        }
        seen.push(real);
        out.extend(
            ctx.walk(dir, depth)
                .into_iter()
                .filter(|e| !e.meta.is_dir()),
        );
    }
    out
}

/// Service name → the timer that starts it (`Unit=` or the timer's own name).
fn timer_targets(ctx: &mut Context, units: &[Entry]) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for entry in units.iter().filter(|e| e.is_file()) {
        let name = entry.file_name();
        let Some(stem) = name.strip_suffix(".timer") else {
            continue;
        };
        let Some(content) = ctx.read_entry(entry, MAX_JOB_FILE) else {
            continue;
        };
        let target = directives(lines(&content.bytes, usize::MAX))
            .into_iter()
            .find(|(_, k, _)| k == "Unit")
            .map(|(_, _, v)| v)
            .unwrap_or_else(|| format!("{stem}.service"));
        map.insert(target, entry.display());
    }
    map
}

fn check_link(ctx: &mut Context, entry: &Entry) {
    let Ok(target) = std::fs::read_link(&entry.real) else {
        return;
    };
    let shown = escape_path(&target);
    if is_temp(&shown) || in_hidden_dir(&shown) {
        ctx.report(
            LINKED
                .finding()
                .path(entry.display())
                .evidence(format!("-> {shown}")),
        );
    }
}

fn check_generator(ctx: &mut Context, entry: &Entry, local: bool) {
    if entry.meta.file_type().is_symlink() {
        return check_link(ctx, entry);
    }
    let Some(content) = ctx.read_entry(entry, MAX_JOB_FILE) else {
        return;
    };
    let mut suspicious = false;
    if content.bytes.starts_with(b"#!") {
        for line in job_lines(ctx, &entry.display(), &content.bytes) {
            let text = line.text();
            let t = text.trim();
            if !t.is_empty() && !t.starts_with('#') {
                suspicious |= judge_command(
                    ctx,
                    &GENERATOR,
                    &entry.display(),
                    Some(line.number),
                    t,
                    None,
                );
            }
        }
    }
    if local && !suspicious {
        let kind = if content.bytes.starts_with(b"#!") {
            "script"
        } else {
            "program"
        };
        ctx.report(
            LOCAL_GENERATOR
                .finding()
                .path(entry.display())
                .evidence(format!("{kind}, {} bytes", content.meta.len())),
        );
    }
}

/// `Key=value` lines of a unit file with their line numbers; `\` continuations
/// joined (in place: many continuation lines stay linear, not quadratic).
fn directives<'a>(lines: impl IntoIterator<Item = Line<'a>>) -> Vec<(u64, String, String)> {
    let mut out: Vec<(u64, String, String)> = Vec::new();
    let mut continuing = false;
    for line in lines {
        let text = line.text();
        let t = text.trim();
        if continuing {
            if let Some(last) = out.last_mut() {
                let kept = last.2.trim_end().len();
                last.2.truncate(kept);
                last.2.push(' ');
                last.2.push_str(t.trim_end_matches('\\').trim_end());
            }
            continuing = t.ends_with('\\');
            continue;
        }
        if t.starts_with(['#', ';', '[']) {
            continue;
        }
        if let Some((k, v)) = t.split_once('=') {
            continuing = v.ends_with('\\');
            out.push((
                line.number,
                k.trim().to_string(),
                v.trim().trim_end_matches('\\').trim_end().to_string(),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_join_continuations() {
        let d = directives(lines(
            b"[Service]\n# c\nExecStart=/bin/sh -c \\\n  'curl x | sh'\nUser=www-data\n",
            usize::MAX,
        ));
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].0, 3);
        assert_eq!(d[0].2, "/bin/sh -c 'curl x | sh'");
        assert_eq!(d[1].1, "User");
    }
}
