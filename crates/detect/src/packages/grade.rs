//! How bad a changed, missing or unreadable packaged file is, by where it is (the
//! grading is in the module comment of `packages`), and the rules that say so.
//! Which files the `check` scope verifies is decided here too: the bin/sbin
//! directories and the security libraries.

use super::Counts;
use super::hash::{Item, Seen};
use super::info::hex;
use breachkit_finding::{Finding, Rule, Severity, Step, escape_bytes};

const CHANGED_BINARY: Rule = Rule {
    id: "packages.changed-binary",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "A system binary or security library differs from its package",
    explanation: "The file's checksum is not the one its package installed. Rootkits replace exactly these files (ps, ls, netstat, ss, sshd, login, su, sudo, PAM and NSS modules, the loader, libc, libprocps) with versions that hide the attacker and log passwords; package updates never leave a file like this.",
    mitre: Some("T1554"),
    next_step: "Treat the host as compromised: keep the file as evidence (copy it, record its hash), do not trust the host's own tools any more, and rebuild from a clean image rather than reinstalling the package over it.",
};

const CHANGED_FILE: Rule = Rule {
    id: "packages.changed-file",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "A packaged file differs from its package",
    explanation: "The file's checksum is not the one its package installed. Libraries, kernel modules and helpers are where backdoors hide; other files are changed by admins or by other package managers (pip, npm) too.",
    mitre: Some("T1554"),
    next_step: "Compare the file with the package's version (apt-get download, dpkg-deb -x) and find out who changed it and when; reinstall the package once it is kept as evidence.",
};

const CHANGED_CONFFILE: Rule = Rule {
    id: "packages.changed-conffile",
    step: Step::Aware,
    severity: Severity::Info,
    title: "A configuration file differs from its package's version",
    explanation: "Conffiles are the admin's to edit (dpkg keeps the edits on upgrade and `dpkg --verify` does not call them corruption), so this is not a sign by itself; it says where the configuration is not the packaged default.",
    mitre: None,
    next_step: "Review the change if this file matters to security (PAM, sshd, sudoers, cron).",
};

const MISSING: Rule = Rule {
    id: "packages.missing-file",
    step: Step::Aware,
    severity: Severity::Low,
    title: "A packaged file is missing",
    explanation: "A file its package installed is not there. Admins remove tools to harden a host, but attackers also delete the tools that would show them.",
    mitre: Some("T1070.004"),
    next_step: "Find out who removed it (shell history, logs); reinstall the package to put it back.",
};

const UNVERIFIED: Rule = Rule {
    id: "packages.unverified",
    step: Step::Aware,
    severity: Severity::Low,
    title: "Packaged files could not be verified",
    explanation: "These files were not checked against their package's checksums, so nothing is known about them: they are not counted as fine.",
    mitre: None,
    next_step: "Verify them another way: from a trusted system with the package database of this host (dpkg --verify --root, rpm -Va --root).",
};

/// Where a file is, as far as its grade goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    /// A tool rootkits replace, in a bin/sbin directory.
    Tool,
    /// PAM, NSS, the loader, libc, libcrypt, libprocps/libproc2, libkeyutils.
    SecurityLib,
    /// Any other file in a bin/sbin directory.
    Binary,
    /// Other shared libraries and kernel modules, helpers, /boot, /etc.
    System,
    Other,
    /// Documentation, manual pages, translations.
    Doc,
}

const BIN_DIRS: &[&[u8]] = &[b"/bin", b"/sbin", b"/usr/bin", b"/usr/sbin"];

const LIB_DIRS: &[&[u8]] = &[
    b"/lib/",
    b"/lib32/",
    b"/lib64/",
    b"/libx32/",
    b"/usr/lib/",
    b"/usr/lib32/",
    b"/usr/lib64/",
    b"/usr/libx32/",
];

/// The tools userland rootkits replace: what shows processes, files, connections,
/// logins and logs, what lets one in or up, and what would check them.
const TOOLS: &[&[u8]] = &[
    b"ps",
    b"top",
    b"htop",
    b"pstree",
    b"pgrep",
    b"pkill",
    b"pidof",
    b"kill",
    b"killall",
    b"w",
    b"who",
    b"whoami",
    b"last",
    b"lastlog",
    b"uptime",
    b"vmstat",
    b"watch",
    b"ls",
    b"dir",
    b"vdir",
    b"find",
    b"du",
    b"df",
    b"stat",
    b"lsof",
    b"fuser",
    b"netstat",
    b"ss",
    b"ip",
    b"ifconfig",
    b"route",
    b"arp",
    b"tcpdump",
    b"sshd",
    b"ssh",
    b"login",
    b"passwd",
    b"chsh",
    b"chfn",
    b"su",
    b"sudo",
    b"newgrp",
    b"crontab",
    b"cron",
    b"bash",
    b"sh",
    b"dash",
    b"lsmod",
    b"insmod",
    b"modprobe",
    b"rmmod",
    b"ldd",
    b"strings",
    b"md5sum",
    b"sha1sum",
    b"sha256sum",
    b"dpkg",
    b"rpm",
    b"systemctl",
    b"journalctl",
    b"dmesg",
    b"rsyslogd",
    b"syslogd",
    b"chattr",
    b"lsattr",
    b"mount",
    b"useradd",
    b"usermod",
    b"chpasswd",
    b"tar",
    b"gzip",
    b"curl",
    b"wget",
];

/// Name prefixes of the security libraries (the name also holds `.so`).
const SECURITY_LIBS: &[&[u8]] = &[
    b"pam_",
    b"libpam.so",
    b"libpam_misc.so",
    b"libpamc.so",
    b"libnss_",
    b"ld-linux",
    b"ld64.so",
    b"ld-2.",
    b"libc.so",
    b"libc-2.",
    b"libcrypt.so",
    b"libprocps.so",
    b"libproc2.so",
    b"libproc-",
    b"libkeyutils.so",
];

const SYSTEM_DIRS: &[&[u8]] = &[
    b"/usr/libexec/",
    b"/lib/systemd/",
    b"/usr/lib/systemd/",
    b"/usr/lib/openssh/",
    b"/boot/",
    b"/etc/",
];

const DOC_DIRS: &[&[u8]] = &[
    b"/usr/share/doc/",
    b"/usr/share/doc-base/",
    b"/usr/share/man/",
    b"/usr/share/info/",
    b"/usr/share/locale/",
    b"/usr/share/lintian/",
];

/// Where the file at host path `path` is.
pub(super) fn class(path: &[u8]) -> Class {
    let (dir, name) = match path.iter().rposition(|&b| b == b'/') {
        Some(at) => (
            path.get(..at).unwrap_or_default(),
            path.get(at + 1..).unwrap_or_default(),
        ),
        None => (&b""[..], path),
    };
    if BIN_DIRS.contains(&dir) {
        return if TOOLS.contains(&name) {
            Class::Tool
        } else {
            Class::Binary
        };
    }
    let in_lib = LIB_DIRS.iter().any(|d| path.starts_with(d));
    let shared = memchr::memmem::find(name, b".so").is_some();
    let security = SECURITY_LIBS.iter().any(|p| name.starts_with(p));
    if in_lib && shared && security && !in_modules(path) {
        return Class::SecurityLib;
    }
    let module = [&b".ko"[..], b".ko.xz", b".ko.zst", b".ko.gz"]
        .iter()
        .any(|s| name.ends_with(s));
    if (in_lib && shared) || module || SYSTEM_DIRS.iter().any(|d| path.starts_with(d)) {
        return Class::System;
    }
    if DOC_DIRS.iter().any(|d| path.starts_with(d)) {
        return Class::Doc;
    }
    Class::Other
}

/// True when `path` is in a lib directory's kernel module tree (`/lib/modules/…`).
fn in_modules(path: &[u8]) -> bool {
    LIB_DIRS.iter().any(|d| {
        path.strip_prefix(*d)
            .is_some_and(|rest| rest.starts_with(b"modules/"))
    })
}

/// True when the `check` scope verifies the file at `path`.
pub(super) fn in_check_scope(path: &[u8]) -> bool {
    matches!(
        class(path),
        Class::Tool | Class::SecurityLib | Class::Binary
    )
}

/// A finding that the file at `path` differs from its package (the evidence is the caller's).
pub(super) fn changed(path: &[u8], conffile: bool) -> Finding {
    let at = escape_bytes(path);
    if conffile {
        return CHANGED_CONFFILE.finding().path(at);
    }
    match class(path) {
        Class::Tool | Class::SecurityLib => CHANGED_BINARY.finding().path(at),
        Class::Binary => CHANGED_BINARY.finding().severity(Severity::High).path(at),
        Class::System => CHANGED_FILE.finding().path(at),
        Class::Other => CHANGED_FILE.finding().severity(Severity::Low).path(at),
        Class::Doc => CHANGED_FILE.finding().severity(Severity::Info).path(at),
    }
}

/// A finding that the file at `path` is missing; none for documentation.
pub(super) fn missing(path: &[u8], conffile: bool) -> Option<Finding> {
    let f = MISSING.finding().path(escape_bytes(path));
    if conffile {
        return Some(
            f.severity(Severity::Info)
                .note("It is a conffile: dpkg keeps an admin's deletion of a conffile on upgrade."),
        );
    }
    match class(path) {
        Class::Tool | Class::SecurityLib => Some(f.severity(Severity::Medium)),
        Class::Doc => None,
        _ => Some(f),
    }
}

/// A finding that files could not be verified, about `path` when there is one.
pub(super) fn unverified(path: Option<&[u8]>) -> Finding {
    let f = UNVERIFIED.finding();
    match path {
        Some(p) if matches!(class(p), Class::Tool | Class::SecurityLib) => {
            f.severity(Severity::Medium).path(escape_bytes(p))
        }
        Some(p) => f.path(escape_bytes(p)),
        None => f,
    }
}

/// The finding (if any) for what was seen at an item's place, counted.
pub(super) fn judge(item: &Item, seen: &Seen, counts: &mut Counts) -> Option<Finding> {
    let pkg = &item.package;
    let expected = hex(&item.md5);
    let moved = if item.real == item.listed {
        String::new()
    } else {
        format!(" (listed as {}, diverted here)", escape_bytes(&item.listed))
    };
    let found = match seen {
        Seen::Same => {
            counts.verified += 1;
            return None;
        }
        Seen::Missing if item.excluded => {
            counts.excluded += 1;
            return None;
        }
        Seen::Missing => {
            counts.missing += 1;
            return missing(&item.real, item.conffile).map(|f| {
                f.evidence(format!(
                    "package {pkg}: expected md5 {expected}, not on disk{moved}"
                ))
            });
        }
        Seen::Unreadable(why) => {
            counts.unreadable += 1;
            return Some(unverified(Some(&item.real)).evidence(format!(
                "package {pkg}: expected md5 {expected}, not verified: {why}{moved}"
            )));
        }
        Seen::Differs(actual) => format!("actual md5 {}", hex(actual)),
        Seen::Link(target) => format!("a symbolic link to {target} instead of the file"),
        Seen::Special(kind) => format!("a {kind} instead of the file"),
    };
    if item.conffile {
        counts.conffiles_changed += 1;
    } else {
        counts.changed += 1;
    }
    Some(changed(&item.real, item.conffile).evidence(format!(
        "package {pkg}: expected md5 {expected}, {found}{moved}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_by_place() {
        assert_eq!(class(b"/usr/bin/ps"), Class::Tool);
        assert_eq!(class(b"/bin/ls"), Class::Tool);
        assert_eq!(class(b"/usr/sbin/sshd"), Class::Tool);
        assert_eq!(class(b"/usr/bin/python3"), Class::Binary);
        assert_eq!(
            class(b"/usr/lib/x86_64-linux-gnu/security/pam_unix.so"),
            Class::SecurityLib
        );
        assert_eq!(
            class(b"/lib/x86_64-linux-gnu/libc.so.6"),
            Class::SecurityLib
        );
        assert_eq!(
            class(b"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
            Class::SecurityLib
        );
        assert_eq!(
            class(b"/usr/lib/x86_64-linux-gnu/libnss_files.so.2"),
            Class::SecurityLib
        );
        assert_eq!(
            class(b"/lib/x86_64-linux-gnu/libproc2.so.0.0.1"),
            Class::SecurityLib
        );
        assert_eq!(
            class(b"/usr/lib/x86_64-linux-gnu/libcurl.so.4"),
            Class::System
        );
        assert_eq!(
            class(b"/usr/lib/x86_64-linux-gnu/libcrypto.so.3"),
            Class::System
        );
        assert_eq!(
            class(b"/lib/modules/6.1.0/kernel/fs/ext4/ext4.ko.xz"),
            Class::System
        );
        assert_eq!(class(b"/usr/lib/modules/6.1/pam_x.so"), Class::System);
        assert_eq!(class(b"/usr/share/doc/bash/README"), Class::Doc);
        assert_eq!(class(b"/usr/share/perl5/x.pm"), Class::Other);
        assert_eq!(
            class(b"/usr/lib/node_modules/npm/bin/npm.ps1"),
            Class::Other
        );
        assert!(in_check_scope(b"/usr/sbin/anything"));
        assert!(!in_check_scope(b"/usr/bin/sub/dir"));
        assert!(!in_check_scope(b"/usr/share/x"));
    }

    #[test]
    fn severities() {
        assert_eq!(changed(b"/usr/bin/ps", false).severity, Severity::Critical);
        assert_eq!(changed(b"/usr/bin/python3", false).severity, Severity::High);
        assert_eq!(changed(b"/usr/share/x", false).severity, Severity::Low);
        assert_eq!(
            changed(b"/etc/ssh/sshd_config", true).severity,
            Severity::Info
        );
        assert!(missing(b"/usr/share/man/man1/ls.1.gz", false).is_none());
        assert_eq!(
            missing(b"/usr/bin/ps", false).map(|f| f.severity),
            Some(Severity::Medium)
        );
        assert_eq!(unverified(Some(b"/usr/bin/ls")).severity, Severity::Medium);
    }
}
