//! The `packages` check (package integrity) on a small dpkg image and its planted
//! twins — a trojaned `ps`, a changed file under /usr/share, a changed conffile, a
//! diverted file, files missing, corrupt database files, an RPM image — and on this
//! machine's own dpkg database.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_detect::packages::{Database, PackageReport, Scope, verify_packages};
use breachkit_detect::{Check, all_checks, run};
use breachkit_finding::{Finding, Report, Severity};
use breachkit_host::Host;
use breachkit_testkit::FakeHost;
use md5::{Digest, Md5};
use std::time::Instant;

fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One package of the fixture.
struct Pkg<'a> {
    name: &'a str,
    /// `Some` for a `Multi-Arch: same` package (info files `NAME:ARCH.*`).
    multi_arch: Option<&'a str>,
    files: &'a [(&'a str, &'a [u8])],
    conffiles: &'a [(&'a str, &'a [u8])],
}

/// A small Debian image: files on disk, their md5sums and lists, the status file.
fn install(h: &FakeHost, packages: &[Pkg]) {
    let mut status = String::new();
    for p in packages {
        let info = match p.multi_arch {
            Some(arch) => format!("/var/lib/dpkg/info/{}:{arch}", p.name),
            None => format!("/var/lib/dpkg/info/{}", p.name),
        };
        let mut sums = String::new();
        let mut list = String::from("/.\n");
        for (path, content) in p.files {
            h.write(path, content);
            sums.push_str(&format!(
                "{}  {}\n",
                md5_hex(content),
                path.trim_start_matches('/')
            ));
            list.push_str(&format!("{path}\n"));
        }
        let mut conf = String::new();
        for (path, content) in p.conffiles {
            h.write(path, content);
            conf.push_str(&format!(" {path} {}\n", md5_hex(content)));
            list.push_str(&format!("{path}\n"));
        }
        h.write(&format!("{info}.md5sums"), sums);
        h.write(&format!("{info}.list"), list);
        status.push_str(&format!(
            "Package: {}\nStatus: install ok installed\nPriority: important\nArchitecture: {}\n",
            p.name,
            p.multi_arch.unwrap_or("amd64")
        ));
        if !conf.is_empty() {
            status.push_str(&format!("Conffiles:\n{conf}"));
        }
        status.push_str("Description: a package\n more text\n\n");
    }
    h.write("/var/lib/dpkg/status", status);
}

const PS: &[u8] = b"\x7fELF the real ps";
const TROJAN: &[u8] = b"\x7fELF ps that hides the miner";
const LIBDIR: &str = "/usr/lib/x86_64-linux-gnu";

/// The clean image: a merged /usr (`/bin` is a link to `usr/bin`), a diversion, a
/// path-exclude, a conffile, a file taken over by another package.
fn clean() -> FakeHost {
    let h = FakeHost::empty();
    h.mkdir("/usr/bin");
    h.symlink("usr/bin", "/bin");
    install(
        &h,
        &[
            Pkg {
                name: "procps",
                multi_arch: None,
                files: &[
                    ("/usr/bin/ps", PS),
                    ("/usr/bin/top", b"top"),
                    ("/usr/bin/watch", b"watch"),
                    ("/usr/lib/x86_64-linux-gnu/libproc2.so.0.0.1", b"libproc2"),
                    ("/usr/share/doc/procps/README", b"readme"),
                    ("/usr/share/man/man1/ps.1.gz", b"man"),
                    ("/usr/share/locale/de/LC_MESSAGES/procps-ng.mo", b"mo"),
                ],
                conffiles: &[("/etc/sysctl.conf", b"# sysctl\n")],
            },
            Pkg {
                name: "coreutils",
                multi_arch: None,
                // Listed as /bin/ls, stored in /usr/bin through the link.
                files: &[("/bin/ls", b"ls"), ("/bin/cat", b"cat")],
                conffiles: &[],
            },
            Pkg {
                name: "libc6",
                multi_arch: Some("amd64"),
                files: &[
                    ("/usr/lib/x86_64-linux-gnu/libc.so.6", b"libc"),
                    (
                        "/usr/lib/x86_64-linux-gnu/security/pam_unix.so",
                        b"pam_unix",
                    ),
                ],
                conffiles: &[],
            },
            Pkg {
                name: "libperl-foo",
                multi_arch: None,
                files: &[("/usr/share/perl5/Foo.pm", b"package Foo;\n1;\n")],
                conffiles: &[],
            },
            Pkg {
                name: "libpq-dev",
                multi_arch: None,
                files: &[("/usr/bin/pg_config", b"libpq-dev's pg_config")],
                conffiles: &[],
            },
            Pkg {
                name: "postgresql-common",
                multi_arch: None,
                files: &[("/usr/bin/pg_config", b"postgresql-common's wrapper")],
                conffiles: &[],
            },
        ],
    );
    // postgresql-common diverted libpq-dev's pg_config (install() wrote the wrapper last).
    h.write("/usr/bin/pg_config.libpq-dev", b"libpq-dev's pg_config");
    h.write(
        "/var/lib/dpkg/diversions",
        "/usr/bin/pg_config\n/usr/bin/pg_config.libpq-dev\npostgresql-common\n",
    );
    // Locale files are never unpacked here.
    h.write(
        "/etc/dpkg/dpkg.cfg.d/excludes",
        "# docker-slim\npath-exclude=/usr/share/locale/*\n",
    );
    std::fs::remove_file(h.path("/usr/share/locale/de/LC_MESSAGES/procps-ng.mo")).unwrap();
    // coreutils' md5sums still lists /usr/bin/watch, which procps took over (its
    // `.list` no longer has it): procps's checksum is the one that counts.
    h.append(
        "/var/lib/dpkg/info/coreutils.md5sums",
        format!("{}  usr/bin/watch\n", md5_hex(b"an older watch")),
    );
    h
}

fn verify(h: &FakeHost, scope: Scope) -> PackageReport {
    let host = Host::image(h.root()).unwrap();
    verify_packages(&host, scope).unwrap()
}

/// The registered check on an image.
fn check(h: &FakeHost) -> Report {
    let packages: &dyn Check = *all_checks()
        .iter()
        .find(|c| c.name() == "packages")
        .expect("the packages check is registered");
    let host = Host::image(h.root()).unwrap();
    let (report, failures) = run(&host, &[packages], &|_| {});
    assert!(failures.is_empty(), "{failures:?}");
    report
}

fn only<'r>(findings: &'r [Finding], rule: &str, path: &str) -> &'r Finding {
    let found: Vec<_> = findings
        .iter()
        .filter(|f| f.rule == rule && f.path.as_deref() == Some(path))
        .collect();
    assert_eq!(found.len(), 1, "{rule} at {path} in {findings:#?}");
    found[0]
}

#[test]
fn clean_image_is_silent_in_both_scopes() {
    let h = clean();
    let report = check(&h);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);

    let check_scope = verify(&h, Scope::Check);
    assert_eq!(check_scope.database, Database::Dpkg);
    assert!(check_scope.findings.is_empty());
    let c = check_scope.counts;
    assert_eq!(c.packages, 6);
    // ps, top, watch, libproc2, ls, cat, libc, pam_unix, two pg_config.
    assert_eq!((c.files, c.verified), (10, 10), "{c:?}");

    let full = verify(&h, Scope::Full);
    assert!(full.findings.is_empty(), "{:#?}", full.findings);
    assert!(full.warnings.is_empty(), "{:#?}", full.warnings);
    let c = full.counts;
    assert_eq!((c.files, c.verified, c.excluded), (15, 14, 1), "{c:?}");
    assert_eq!((c.changed, c.missing, c.unreadable), (0, 0, 0));
}

#[test]
fn a_trojaned_ps_is_critical() {
    let h = clean();
    h.write("/usr/bin/ps", TROJAN);
    let report = check(&h);
    let f = only(&report.findings, "packages.changed-binary", "/usr/bin/ps");
    assert_eq!(f.severity, Severity::Critical);
    let evidence = f.evidence.as_deref().unwrap_or_default();
    assert!(evidence.contains("package procps"), "{evidence}");
    assert!(evidence.contains(&md5_hex(PS)), "{evidence}");
    assert!(evidence.contains(&md5_hex(TROJAN)), "{evidence}");
    assert_eq!(f.mitre.as_deref(), Some("T1554"));
    assert_eq!(report.findings.len(), 1, "{:#?}", report.findings);
    assert_eq!(verify(&h, Scope::Check).counts.changed, 1);
}

#[test]
fn security_libraries_and_other_binaries() {
    let h = clean();
    h.write(&format!("{LIBDIR}/security/pam_unix.so"), b"logs passwords");
    h.write(&format!("{LIBDIR}/libc.so.6"), b"hooked");
    h.write("/usr/bin/pg_config", b"changed wrapper");
    // /bin/ls through the /bin link: reported where the package lists it.
    h.write("/usr/bin/ls", b"ls that hides files");
    let report = check(&h);
    let sev = |path: &str| only(&report.findings, "packages.changed-binary", path).severity;
    assert_eq!(
        sev(&format!("{LIBDIR}/security/pam_unix.so")),
        Severity::Critical
    );
    assert_eq!(sev(&format!("{LIBDIR}/libc.so.6")), Severity::Critical);
    assert_eq!(sev("/bin/ls"), Severity::Critical);
    assert_eq!(sev("/usr/bin/pg_config"), Severity::High);
    assert_eq!(report.findings.len(), 4, "{:#?}", report.findings);
}

#[test]
fn a_changed_file_under_usr_share_is_low_and_only_in_full_scope() {
    let h = clean();
    h.write(
        "/usr/share/perl5/Foo.pm",
        b"package Foo; system($ENV{X});\n1;\n",
    );
    assert!(check(&h).findings.is_empty());
    let full = verify(&h, Scope::Full);
    let f = only(
        &full.findings,
        "packages.changed-file",
        "/usr/share/perl5/Foo.pm",
    );
    assert_eq!(f.severity, Severity::Low);
    assert!(
        f.evidence
            .as_deref()
            .unwrap()
            .contains("package libperl-foo")
    );
    assert_eq!(full.findings.len(), 1);
}

#[test]
fn a_changed_conffile_is_info_only() {
    let h = clean();
    h.write("/etc/sysctl.conf", "# sysctl\nnet.ipv4.ip_forward=1\n");
    assert!(check(&h).findings.is_empty());
    let full = verify(&h, Scope::Full);
    let f = only(
        &full.findings,
        "packages.changed-conffile",
        "/etc/sysctl.conf",
    );
    assert_eq!(f.severity, Severity::Info);
    assert_eq!((full.counts.conffiles_changed, full.counts.changed), (1, 0));
    // An obsolete conffile is the admin's alone: not checked.
    let status = std::fs::read_to_string(h.path("/var/lib/dpkg/status")).unwrap();
    let obsolete = status.replace(
        &format!("/etc/sysctl.conf {}", md5_hex(b"# sysctl\n")),
        &format!("/etc/sysctl.conf {} obsolete", md5_hex(b"# sysctl\n")),
    );
    h.write("/var/lib/dpkg/status", obsolete);
    assert!(verify(&h, Scope::Full).findings.is_empty());
}

#[test]
fn a_diverted_file_is_checked_where_it_lives() {
    let h = clean();
    // Silent with the diversion (the clean twin); without it, libpq-dev's
    // pg_config would be taken for the wrapper at /usr/bin/pg_config.
    std::fs::remove_file(h.path("/var/lib/dpkg/diversions")).unwrap();
    let report = check(&h);
    let f = only(
        &report.findings,
        "packages.changed-binary",
        "/usr/bin/pg_config",
    );
    assert!(f.evidence.as_deref().unwrap().contains("package libpq-dev"));
    // And a change to the diverted copy is seen at its new place.
    let h = clean();
    h.write("/usr/bin/pg_config.libpq-dev", b"trojaned");
    let report = check(&h);
    let f = only(
        &report.findings,
        "packages.changed-binary",
        "/usr/bin/pg_config.libpq-dev",
    );
    assert!(
        f.evidence
            .as_deref()
            .unwrap()
            .contains("listed as /usr/bin/pg_config, diverted here")
    );
}

#[test]
fn missing_files_are_graded() {
    let h = clean();
    for gone in [
        "/usr/bin/top",
        "/usr/bin/cat",
        "/usr/share/man/man1/ps.1.gz",
        "/usr/share/perl5/Foo.pm",
        "/etc/sysctl.conf",
    ] {
        std::fs::remove_file(h.path(gone)).unwrap();
    }
    let report = check(&h);
    let missing =
        |findings: &[Finding], path: &str| only(findings, "packages.missing-file", path).severity;
    assert_eq!(missing(&report.findings, "/usr/bin/top"), Severity::Medium);
    assert_eq!(missing(&report.findings, "/bin/cat"), Severity::Low);
    assert_eq!(report.findings.len(), 2, "{:#?}", report.findings);
    let full = verify(&h, Scope::Full);
    assert_eq!(
        missing(&full.findings, "/usr/share/perl5/Foo.pm"),
        Severity::Low
    );
    assert_eq!(missing(&full.findings, "/etc/sysctl.conf"), Severity::Info);
    // The manual page is nothing; the excluded locale file is not even missing.
    assert_eq!(full.findings.len(), 4, "{:#?}", full.findings);
    assert_eq!((full.counts.missing, full.counts.excluded), (5, 1));
}

#[test]
fn path_excludes_and_file_lists_are_what_keep_it_silent() {
    // Without dpkg's path-exclude the locale file is missing (documentation: no
    // finding, but counted).
    let h = clean();
    std::fs::remove_file(h.path("/etc/dpkg/dpkg.cfg.d/excludes")).unwrap();
    let c = verify(&h, Scope::Full).counts;
    assert_eq!((c.missing, c.excluded), (1, 0), "{c:?}");
    // Without coreutils' file list, the watch procps took over is taken for
    // coreutils' own, and the warning says why.
    let h = clean();
    std::fs::remove_file(h.path("/var/lib/dpkg/info/coreutils.list")).unwrap();
    let report = check(&h);
    let f = only(
        &report.findings,
        "packages.changed-binary",
        "/usr/bin/watch",
    );
    assert!(f.evidence.as_deref().unwrap().contains("package coreutils"));
    assert!(
        report.warnings.iter().any(|w| {
            w.path.as_deref() == Some("/var/lib/dpkg/info/coreutils.list")
                && w.message.starts_with("missing")
        }),
        "{:#?}",
        report.warnings
    );
}

#[test]
fn a_link_or_a_directory_in_place_of_a_binary_is_a_change() {
    let h = clean();
    std::fs::remove_file(h.path("/usr/bin/ps")).unwrap();
    h.symlink("/dev/shm/.x/ps", "/usr/bin/ps");
    std::fs::remove_file(h.path("/usr/bin/top")).unwrap();
    h.mkdir("/usr/bin/top");
    let report = check(&h);
    let ps = only(&report.findings, "packages.changed-binary", "/usr/bin/ps");
    assert!(
        ps.evidence
            .as_deref()
            .unwrap()
            .contains("a symbolic link to /dev/shm/.x/ps")
    );
    let top = only(&report.findings, "packages.changed-binary", "/usr/bin/top");
    assert!(top.evidence.as_deref().unwrap().contains("a directory"));
}

#[test]
fn a_corrupt_status_file_warns_and_the_rest_is_checked() {
    let h = clean();
    h.write("/usr/bin/ps", TROJAN);
    let status = std::fs::read_to_string(h.path("/var/lib/dpkg/status")).unwrap();
    let corrupt = format!(
        "\x00\x01garbage without a colon\n\n{status}Package: ../../../etc\nStatus: install ok installed\n"
    );
    h.write("/var/lib/dpkg/status", corrupt);
    h.append("/var/lib/dpkg/info/procps.md5sums", "not a checksum line\n");
    let report = check(&h);
    assert_eq!(
        only(&report.findings, "packages.changed-binary", "/usr/bin/ps").severity,
        Severity::Critical
    );
    let warned = |path: &str, line: &str| {
        report.warnings.iter().any(|w| {
            w.path.as_deref() == Some(path) && w.message.starts_with(&format!("line {line}:"))
        })
    };
    assert!(
        warned("/var/lib/dpkg/status", "1"),
        "{:#?}",
        report.warnings
    );
    let last = corrupt_lines(&h, "/var/lib/dpkg/status") - 1;
    assert!(
        warned("/var/lib/dpkg/status", &last.to_string()),
        "{:#?}",
        report.warnings
    );
    assert!(
        warned("/var/lib/dpkg/info/procps.md5sums", "8"),
        "{:#?}",
        report.warnings
    );
    assert_eq!(report.warnings.len(), 3, "{:#?}", report.warnings);
}

fn corrupt_lines(h: &FakeHost, path: &str) -> usize {
    std::fs::read_to_string(h.path(path))
        .unwrap()
        .lines()
        .count()
}

#[test]
fn a_package_without_checksums_is_unverified() {
    let h = clean();
    std::fs::remove_file(h.path("/var/lib/dpkg/info/procps.md5sums")).unwrap();
    let report = check(&h);
    let f: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "packages.unverified")
        .collect();
    assert_eq!(f.len(), 1, "{:#?}", report.findings);
    assert!(f[0].evidence.as_deref().unwrap().contains("package procps"));
    assert_eq!(
        verify(&h, Scope::Check).counts.packages_without_checksums,
        1
    );
}

#[test]
fn an_rpm_image_is_said_to_be_unverified() {
    let h = FakeHost::empty();
    h.write("/var/lib/rpm/rpmdb.sqlite", "");
    let report = check(&h);
    assert_eq!(report.findings.len(), 1, "{:#?}", report.findings);
    assert_eq!(report.findings[0].rule, "packages.unverified");
    assert!(
        report.findings[0]
            .evidence
            .as_deref()
            .unwrap()
            .contains("offline image")
    );
    // No database at all: a warning says nothing was verified.
    let report = check(&FakeHost::empty());
    assert!(report.findings.is_empty());
    assert!(
        report.warnings[0].message.contains("no package database"),
        "{:#?}",
        report.warnings
    );
}

#[test]
fn this_machines_own_packages_are_intact() {
    let host = Host::live();
    if host.lstat("/var/lib/dpkg/status").is_err() {
        panic!("this test needs a dpkg host (Debian); this machine has no /var/lib/dpkg/status");
    }
    let started = Instant::now();
    let report = verify_packages(&host, Scope::Check).unwrap();
    let took = started.elapsed();
    eprintln!("check scope: {:?} in {took:?} (debug build)", report.counts);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
    assert!(report.counts.verified > 100, "{:?}", report.counts);
    assert_eq!(report.counts.verified, report.counts.files);
}

/// Times of both scopes on this machine: `cargo test -p breachkit-detect --test
/// packages -- --ignored --nocapture`.
#[test]
#[ignore = "timing: run by hand"]
fn time_both_scopes_on_this_machine() {
    let host = Host::live();
    for scope in [Scope::Check, Scope::Full] {
        let started = Instant::now();
        let report = verify_packages(&host, scope).unwrap();
        eprintln!(
            "{scope:?}: {:?} in {:?}; {} findings, {} warnings",
            report.counts,
            started.elapsed(),
            report.findings.len(),
            report.warnings.len()
        );
        let mut worst: Vec<_> = report.findings.iter().collect();
        worst.sort_by_key(|f| std::cmp::Reverse(f.severity));
        for f in worst.iter().take(15) {
            eprintln!("  {} {} {:?} {:?}", f.severity, f.rule, f.path, f.evidence);
        }
    }
}
