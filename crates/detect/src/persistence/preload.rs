//! `/etc/ld.so.preload`: libraries the dynamic loader injects into every program.
//! Honest systems do not have one; userland rootkits (and miners hiding themselves)
//! do, because it hides files and processes from ps, ls and netstat.

use crate::Context;
use breachkit_finding::{Rule, Severity, Step, escape_bytes, escape_path};
use breachkit_host::lines;
use std::path::Path;

const PRELOAD: Rule = Rule {
    id: "persist.ld-so-preload",
    step: Step::Aware,
    severity: Severity::High,
    title: "/etc/ld.so.preload exists",
    explanation: "Every dynamically linked program on this host loads the libraries listed here. Userland rootkits use it to hide their files, processes and connections from ps, ls and netstat (breachkit is linked statically, so it is not affected).",
    mitre: Some("T1574.006"),
    next_step: "Do not trust the host's own tools. Take the listed libraries as evidence, then empty the file and reboot into a clean state.",
};

pub fn check(ctx: &mut Context) {
    let path = "/etc/ld.so.preload";
    let meta = match ctx.host.lstat(path) {
        Ok(m) => m,
        Err(e) if e.is_not_found() => return,
        Err(e) => return ctx.warn(&e),
    };
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(ctx.host.locate(path)).unwrap_or_default();
        ctx.report(
            PRELOAD
                .finding()
                .path(path)
                .evidence(format!("symbolic link -> {}", escape_path(&target))),
        );
        return;
    }
    let Some(content) = ctx.read(path, 1 << 20) else {
        return;
    };
    // Whole lines: the file is bounded, and a cut line would hide what follows.
    let libs: Vec<String> = lines(&content.bytes, usize::MAX)
        .flat_map(|l| {
            let text = escape_bytes(l.bytes);
            text.split_whitespace()
                .take_while(|w| !w.starts_with('#'))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    let finding = PRELOAD.finding().path(path);
    if libs.is_empty() {
        ctx.report(finding.evidence("(empty)"));
        return;
    }
    let missing: Vec<&String> = libs
        .iter()
        .filter(|l| ctx.host.lstat(Path::new(l.as_str())).is_err())
        .collect();
    let mut f = finding
        .severity(Severity::Critical)
        .evidence(libs.join(" "));
    if !missing.is_empty() {
        f = f.note(format!(
            "Listed but not visible: {} (a rootkit hides its own files).",
            missing
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    ctx.report(f);
}
