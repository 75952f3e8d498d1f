//! RPM hosts (a `/var/lib/rpm` and no dpkg database). RPM's database (Berkeley DB,
//! NDB or SQLite by version) is not read natively; on the live system the host's
//! own `rpm -Va` is the interface (by absolute path, `LC_ALL=C`, bounded output, a
//! time limit), and its lines are graded as dpkg's files are:
//! `S.5....T.  c /etc/x` — the third flag `5` is a changed digest, `?` a file rpm
//! could not read, `missing` a missing file; the `c` marks a config file (graded as
//! a conffile). Mode, owner and time changes alone are not reported. The package
//! of each reported file is asked with `rpm -qf`. rpm does not print the digests,
//! so these findings name the flags instead. Without rpm on the host, and on an
//! image, a `packages.unverified` finding says nothing was verified. (A hacked
//! host's rpm may lie like its ps does: the finding's evidence says rpm said it.)

use super::{Counts, Database, PackageReport, Scope, grade};
use breachkit_finding::{Finding, Warning, escape_bytes};
use breachkit_host::{Host, lines};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub(super) const DATABASE: &str = "/var/lib/rpm";
/// Where rpm is looked for (never through `PATH`).
const RPM: &[&str] = &["/usr/bin/rpm", "/bin/rpm"];
/// `rpm -Va` hashes every file of every package: minutes on a big host.
const VERIFY_TIME: Duration = Duration::from_secs(30 * 60);
const LOOKUP_TIME: Duration = Duration::from_secs(60);
const MAX_OUTPUT: u64 = 64 << 20;
/// The most files whose package is asked (`rpm -qf`, one run each).
const MAX_LOOKUPS: usize = 200;
/// The most lines of rpm's error output kept as warnings.
const MAX_ERRORS: usize = 10;

pub(super) fn verify(host: &Host, scope: Scope) -> PackageReport {
    let mut report = PackageReport {
        database: Database::Rpm,
        findings: Vec::new(),
        warnings: Vec::new(),
        counts: Counts::default(),
    };
    let not_verified = |why: &str| {
        grade::unverified(None).path(DATABASE).evidence(format!(
            "RPM database {DATABASE}: {why}; no installed file was verified"
        ))
    };
    if !host.is_live() {
        report.findings.push(not_verified(
            "an offline image (breachkit reads only dpkg's database itself; run rpm -Va --root on it from a trusted system)",
        ));
        return report;
    }
    let Some(rpm) = RPM
        .iter()
        .find(|p| host.lstat(p).is_ok_and(|m| m.is_file()))
    else {
        report
            .findings
            .push(not_verified("rpm is not installed on this host"));
        return report;
    };
    let output = match run(rpm, &["-Va", "--nodeps", "--noscripts"], VERIFY_TIME) {
        Ok(output) => output,
        Err(why) => {
            report
                .findings
                .push(not_verified(&format!("{rpm} -Va failed: {why}")));
            return report;
        }
    };
    for line in lines(&output.stderr, usize::MAX).take(MAX_ERRORS) {
        report.warnings.push(Warning::new(
            *rpm,
            format!("rpm -Va said: {}", escape_bytes(line.bytes)),
        ));
    }
    let mut lookups = 0;
    for line in lines(&output.stdout, usize::MAX) {
        let Some(v) = parse_line(line.bytes) else {
            report.warnings.push(Warning::new(
                *rpm,
                format!(
                    "rpm -Va output line {} not understood: {}",
                    line.number,
                    escape_bytes(line.bytes)
                ),
            ));
            continue;
        };
        if v.kind == Kind::Attributes || (scope == Scope::Check && !grade::in_check_scope(v.path)) {
            continue;
        }
        lookups += 1;
        let package = if lookups <= MAX_LOOKUPS {
            owner(rpm, v.path)
        } else {
            "(not looked up)".to_string()
        };
        if let Some(f) = judge(&v, &package, &mut report.counts) {
            report.findings.push(f);
        }
    }
    report
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The digest differs (`5`).
    Changed,
    Missing,
    /// rpm could not check the digest (`?`).
    Unread,
    /// Only mode, owner, time or other attributes differ.
    Attributes,
}

/// One line of `rpm -Va`.
#[derive(Debug, PartialEq, Eq)]
struct Verified<'a> {
    kind: Kind,
    /// The flags as printed (`S.5....T.`, `missing`).
    flags: &'a [u8],
    config: bool,
    path: &'a [u8],
}

/// `FLAGS [MARKER] /path`, or `None` when the line is not one.
fn parse_line(line: &[u8]) -> Option<Verified<'_>> {
    let at = line.iter().position(|&b| b == b' ')?;
    let (flags, rest) = line.split_at_checked(at)?;
    let kind = if flags == b"missing" {
        Kind::Missing
    } else {
        let valid = (8..=9).contains(&flags.len())
            && flags
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b"?.".contains(b));
        match flags.get(2) {
            Some(b'5') if valid => Kind::Changed,
            Some(b'?') if valid => Kind::Unread,
            Some(_) if valid => Kind::Attributes,
            _ => return None,
        }
    };
    let rest = rest.trim_ascii_start();
    let (marker, path) = match rest {
        [m, b' ', path @ ..] if b"cdglr".contains(m) => (Some(*m), path.trim_ascii_start()),
        _ => (None, rest),
    };
    path.starts_with(b"/").then_some(Verified {
        kind,
        flags,
        config: marker == Some(b'c'),
        path,
    })
}

/// The finding for one line, counted.
fn judge(v: &Verified, package: &str, counts: &mut Counts) -> Option<Finding> {
    let said = format!("package {package}: rpm -Va says {}", escape_bytes(v.flags));
    match v.kind {
        Kind::Changed => {
            if v.config {
                counts.conffiles_changed += 1;
            } else {
                counts.changed += 1;
            }
            Some(grade::changed(v.path, v.config).evidence(format!("{said} (digest differs)")))
        }
        Kind::Missing => {
            counts.missing += 1;
            grade::missing(v.path, v.config).map(|f| f.evidence(said))
        }
        Kind::Unread => {
            counts.unreadable += 1;
            Some(grade::unverified(Some(v.path)).evidence(format!("{said} (digest not checked)")))
        }
        Kind::Attributes => None,
    }
}

/// The package that owns `path`, as rpm says.
fn owner(rpm: &str, path: &[u8]) -> String {
    let path = std::ffi::OsStr::from_bytes(path);
    let args = [
        std::ffi::OsStr::new("-qf"),
        std::ffi::OsStr::new("--qf"),
        std::ffi::OsStr::new("%{NAME}\\n"),
        path,
    ];
    match run(rpm, &args, LOOKUP_TIME) {
        Ok(out) => {
            let names: Vec<String> = lines(&out.stdout, 200)
                .map(|l| escape_bytes(l.bytes))
                .filter(|n| !n.is_empty())
                .collect();
            if names.is_empty() {
                "(unknown)".to_string()
            } else {
                names.join(", ")
            }
        }
        Err(_) => "(unknown)".to_string(),
    }
}

/// What a run of rpm printed.
struct Output {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Runs rpm with `args`, its output bounded, killed after `limit`.
fn run<S: AsRef<std::ffi::OsStr>>(
    rpm: &str,
    args: &[S],
    limit: Duration,
) -> Result<Output, String> {
    let mut child = Command::new(rpm)
        .args(args)
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err("no pipe to read its output".to_string());
    };
    let started = Instant::now();
    std::thread::scope(|scope| {
        let out = scope.spawn(|| drain(stdout));
        let err = scope.spawn(|| drain(stderr));
        let mut timed_out = false;
        loop {
            match child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if started.elapsed() > limit => {
                    timed_out = true;
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(e.to_string());
                }
            }
        }
        let stdout = out.join().unwrap_or_default();
        let stderr = err.join().unwrap_or_default();
        if timed_out {
            Err(format!("stopped after {} ms", limit.as_millis()))
        } else {
            Ok(Output { stdout, stderr })
        }
    })
}

/// Reads a pipe to its end, keeping at most [`MAX_OUTPUT`] bytes.
fn drain(pipe: impl Read) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut pipe = pipe;
    let _ = pipe.by_ref().take(MAX_OUTPUT).read_to_end(&mut kept);
    // The rest is read and dropped so that rpm is never blocked on a full pipe.
    let _ = std::io::copy(&mut pipe, &mut std::io::sink());
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use breachkit_finding::Severity;

    #[test]
    fn rpm_va_lines() {
        let v = parse_line(b"S.5....T.  c /etc/ssh/sshd_config").unwrap();
        assert_eq!(
            (v.kind, v.config, v.path),
            (Kind::Changed, true, &b"/etc/ssh/sshd_config"[..])
        );
        let v = parse_line(b"S.5....T.    /usr/bin/ps").unwrap();
        assert_eq!(
            (v.kind, v.config, v.path),
            (Kind::Changed, false, &b"/usr/bin/ps"[..])
        );
        let v = parse_line(b"missing     /usr/bin/top").unwrap();
        assert_eq!((v.kind, v.path), (Kind::Missing, &b"/usr/bin/top"[..]));
        let v = parse_line(b"..?......  c /etc/sudoers").unwrap();
        assert_eq!(v.kind, Kind::Unread);
        let v = parse_line(b".M.......    /usr/bin/su").unwrap();
        assert_eq!(v.kind, Kind::Attributes);
        let v = parse_line(b"S.5....T.  d /usr/share/doc/x y").unwrap();
        assert_eq!(v.path, b"/usr/share/doc/x y");
        assert!(parse_line(b"Unsatisfied dependencies for x: y").is_none());
        assert!(parse_line(b"error: cannot open Packages index").is_none());
    }

    #[test]
    fn rpm_lines_are_graded_like_dpkg_files() {
        let mut counts = Counts::default();
        let ps = parse_line(b"S.5....T.    /usr/bin/ps").unwrap();
        let f = judge(&ps, "procps-ng", &mut counts).unwrap();
        assert_eq!(f.severity, Severity::Critical);
        assert_eq!(f.path.as_deref(), Some("/usr/bin/ps"));
        assert!(f.evidence.unwrap_or_default().contains("procps-ng"));
        let conf = parse_line(b"S.5....T.  c /etc/ssh/sshd_config").unwrap();
        assert_eq!(
            judge(&conf, "openssh-server", &mut counts).map(|f| f.severity),
            Some(Severity::Info)
        );
        assert_eq!((counts.changed, counts.conffiles_changed), (1, 1));
    }

    #[test]
    fn a_program_that_runs_too_long_is_stopped() {
        let started = Instant::now();
        let err = run("/bin/sleep", &["5"], Duration::from_millis(200)).err();
        assert!(err.is_some_and(|e| e.contains("stopped")));
        assert!(started.elapsed() < Duration::from_secs(4));
        let out = run("/bin/echo", &["hello"], LOOKUP_TIME)
            .ok()
            .map(|o| o.stdout);
        assert_eq!(out.as_deref(), Some(&b"hello\n"[..]));
    }
}
