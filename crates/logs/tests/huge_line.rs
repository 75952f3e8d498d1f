//! A 100 MB line in the middle of an access log: the rules read past it and still
//! find the webshell after it, trigger-word search finds a word at its far end and
//! after it with the right line numbers, and memory stays flat (this test binary
//! runs alone so its peak resident size measures only this).

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_host::Host;
use breachkit_logs::{Match, Options, Words, analyse, grep, standard};
use breachkit_testkit::FakeHost;
use std::io::Write;
use std::sync::Mutex;

/// Peak resident memory of this process, in KiB.
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

#[test]
fn a_100_mb_line_is_read_past_in_flat_memory() {
    let h = FakeHost::empty();
    h.mkdir("/var/log/nginx");
    {
        let f = std::fs::File::create(h.path("/var/log/nginx/access.log")).expect("create");
        let mut w = std::io::BufWriter::new(f);
        let line = |n: u32, path: &str| {
            format!(
                "198.51.100.4 - - [06/May/2024:10:00:{:02} +0000] \"POST {path} HTTP/1.1\" 200 5 \"-\" \"x\"\n",
                n % 60
            )
        };
        w.write_all(line(1, "/index.php").as_bytes())
            .expect("write");
        w.write_all(b"198.51.100.4 - - [06/May/2024:10:00:02 +0000] \"GET /")
            .expect("write");
        let chunk = vec![b'A'; 1 << 20];
        for _ in 0..100 {
            w.write_all(&chunk).expect("write");
        }
        w.write_all(b" kinsing\" 404 0 \"-\" \"x\"\n")
            .expect("write");
        w.write_all(line(3, "/wp-content/uploads/x.php?cmd=id").as_bytes())
            .expect("write");
        w.write_all(b"xmrig after\n").expect("write");
    }
    let before = peak_kib();
    let host = Host::image(h.root()).expect("image");
    let mut warnings = Vec::new();
    let families = standard(&host, &mut warnings);
    let a = analyse(&host, &families, &Options::default());
    assert!(
        a.findings
            .iter()
            .any(|f| f.rule == "web.php-in-uploads" && f.line == Some(3)),
        "{:#?}",
        a.findings
    );
    assert!(
        a.warnings.iter().any(|w| w.message.contains(
            "1 line(s) are longer than 64 KiB; only their start was read (the first is line 2)"
        )),
        "{:#?}",
        a.warnings
    );

    let words = Words::new(&["kinsing".to_string(), "xmrig".to_string()], false).expect("words");
    let found = Mutex::new(Vec::new());
    let stats = grep(&host, &families, &words, &|m: &[Match]| {
        found
            .lock()
            .expect("lock")
            .extend(m.iter().map(|m| (m.line, m.cut, m.text.len())))
    });
    assert!(stats.warnings.is_empty(), "{:#?}", stats.warnings);
    let found = found.into_inner().expect("lock");
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!((found[0].0, found[0].1), (2, true));
    assert!(found[0].2 <= 4096);
    assert_eq!((found[1].0, found[1].1), (4, false));

    let grown = peak_kib().saturating_sub(before);
    assert!(
        grown < 48 << 10,
        "peak memory grew by {grown} KiB reading a 100 MB line"
    );
}
