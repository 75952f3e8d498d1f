//! Which host files an evidence bundle copies, byte for byte: every log (rotated
//! and compressed ones included), the journal, crontabs and at jobs, systemd
//! units, the account, sudo, PAM and loader files of `/etc`, web server, PHP, SSH
//! and mail configuration, each home's top-level dot-files (histories, shell
//! start-up files), its `.ssh` directory and user units, and every file a finding
//! points at. Only what exists is listed; directories are copied whole.

use breachkit_finding::{Finding, unescape_bytes};
use breachkit_host::Host;
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

/// Host paths copied whole when present.
const SYSTEM: &[&str] = &[
    // Logs and the journal.
    "/var/log",
    "/run/log/journal",
    // Scheduled jobs.
    "/etc/crontab",
    "/etc/anacrontab",
    "/etc/cron.d",
    "/etc/cron.hourly",
    "/etc/cron.daily",
    "/etc/cron.weekly",
    "/etc/cron.monthly",
    "/var/spool/cron",
    "/var/spool/at",
    "/etc/at.allow",
    "/etc/at.deny",
    // Services.
    "/etc/systemd",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
    "/etc/init.d",
    "/etc/rc.local",
    // Accounts, sudo, PAM, the loader.
    "/etc/passwd",
    "/etc/shadow",
    "/etc/group",
    "/etc/gshadow",
    "/etc/sudoers",
    "/etc/sudoers.d",
    "/etc/login.defs",
    "/etc/pam.d",
    "/etc/security",
    "/etc/ld.so.preload",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/profile",
    "/etc/profile.d",
    "/etc/bash.bashrc",
    "/etc/environment",
    "/etc/hosts",
    "/etc/resolv.conf",
    "/etc/hostname",
    // Remote access (configuration only: never the host's private keys).
    "/etc/ssh/sshd_config",
    "/etc/ssh/sshd_config.d",
    "/etc/ssh/ssh_config",
    "/etc/ssh/ssh_config.d",
    // Web servers and PHP.
    "/etc/nginx",
    "/etc/apache2",
    "/etc/httpd",
    "/etc/php",
    "/etc/php.ini",
    "/etc/php.d",
    "/etc/php-fpm.d",
    // Mail.
    "/etc/postfix",
    "/etc/exim4",
    "/etc/aliases",
    "/etc/mailname",
];

/// Within each home: directories copied whole besides the top-level dot-files.
const HOME_DIRS: &[&str] = &[
    ".ssh",
    ".config/systemd/user",
    ".config/autostart",
    ".local/share/fish",
    ".config/fish",
];

/// The host paths to copy for `findings`, sorted, each present on the host. A path
/// inside another listed directory is left to it.
pub fn host_files(host: &Host, findings: &[Finding]) -> Vec<PathBuf> {
    let mut out = BTreeSet::new();
    let mut add = |p: PathBuf| {
        if host.lstat(&p).is_ok() {
            out.insert(p);
        }
    };
    for p in SYSTEM {
        add(PathBuf::from(p));
    }
    for (home, _) in host.accounts().homes() {
        for d in HOME_DIRS {
            add(home.join(d));
        }
        if let Ok(listing) = std::fs::read_dir(host.locate(&home)) {
            for e in listing.flatten() {
                let name = e.file_name();
                let is_file = e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink());
                if is_file && name.as_bytes().starts_with(b".") {
                    add(home.join(name));
                }
            }
        }
    }
    for f in findings {
        if let Some(p) = &f.path {
            let raw = unescape_bytes(p);
            if raw.starts_with(b"/") {
                add(PathBuf::from(OsStr::from_bytes(&raw)));
            }
        }
    }
    let all: Vec<PathBuf> = out.into_iter().collect();
    // Sorted: a directory comes right before what it holds.
    let mut kept: Vec<PathBuf> = Vec::with_capacity(all.len());
    for p in all {
        if !kept.iter().any(|k| p.starts_with(k)) {
            kept.push(p);
        }
    }
    kept
}
