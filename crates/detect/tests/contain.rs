//! A check that panics on a host file (a bug met on host data) costs its own
//! results only: the other checks of the run still report, the failure names the
//! check and the panic, and the report says what is missing.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_detect::{Check, Context, all_checks, run};
use breachkit_host::Host;
use breachkit_testkit::FakeHost;

/// A check with the bug of issue 18: it cuts the sender out of a `From ` line
/// by slicing at 5, which panics on a line that is just `From`.
struct SlicesFromLines;

impl Check for SlicesFromLines {
    fn name(&self) -> &'static str {
        "slices"
    }
    fn about(&self) -> &'static str {
        "test check with a slicing bug"
    }
    fn run(&self, ctx: &mut Context) {
        let Some(content) = ctx.read("/var/mail/www-data", 1 << 20) else {
            return;
        };
        for line in content.bytes.split(|&b| b == b'\n') {
            if line.starts_with(b"From") {
                let sender = &line.trim_ascii_end()[5..];
                ctx.warn_general(String::from_utf8_lossy(sender).into_owned());
            }
        }
    }
}

static SLICES: SlicesFromLines = SlicesFromLines;

#[test]
fn a_panicking_check_costs_only_its_own_results() {
    let (h, _) = FakeHost::planted();
    h.write("/var/mail/www-data", "From \nSubject: x\n\n");
    let host = Host::image(h.root()).unwrap();
    let accounts = *all_checks()
        .iter()
        .find(|c| c.name() == "accounts")
        .unwrap();
    let (report, failures) = run(&host, &[&SLICES, accounts], &|_| {});

    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].what, "check slices");
    assert!(failures[0].cause.contains("out of range"), "{failures:?}");
    let slices = report.checks.iter().find(|c| c.name == "slices").unwrap();
    assert_eq!(slices.skipped.as_deref(), Some("failed internally"));
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.message.contains("check slices failed internally")),
        "{:?}",
        report.warnings
    );
    // The other check ran and reported.
    let accounts = report.checks.iter().find(|c| c.name == "accounts").unwrap();
    assert_eq!(accounts.skipped, None);
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule.starts_with("account")),
        "{:?}",
        report.findings
    );
}
