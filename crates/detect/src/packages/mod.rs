//! `packages`: package integrity. The files every installed package put on the host
//! are checked against the checksums in the package database, as `dpkg --verify`
//! does, but read natively (never trusting the host's own `dpkg`) and through
//! [`Host`], so an offline image is checked inside the image.
//!
//! On Debian and its derivatives the database is read directly: the installed
//! packages and their conffiles from `/var/lib/dpkg/status`, each package's files
//! from `info/PKG[:ARCH].list` and their md5 from `info/PKG[:ARCH].md5sums`. As dpkg:
//! - a package is installed when its status says `ok` and `installed` (or
//!   `triggers-pending`/`triggers-awaited`: unpacked and configured); `hold` and
//!   `deinstall` selections of an installed package count, its files are there;
//! - a file listed in the md5sums but not in the package's `.list` any more was
//!   taken over by another package (`Replaces:`) and is that package's to verify;
//! - a diverted file (`/var/lib/dpkg/diversions`) is checked where it was moved to,
//!   except in the package that diverted it;
//! - a file under a `path-exclude` of `/etc/dpkg/dpkg.cfg.d/*` or `dpkg.cfg`
//!   (not re-included by a later `path-include`) is not installed: not missing;
//! - conffiles (checked from the md5 in the status file) belong to the admin: a
//!   changed or deleted conffile is only info, and `obsolete` or
//!   `remove-on-upgrade` conffiles are not checked at all;
//! - what has no checksum is not verified: directories of the `.list` (dpkg
//!   reports missing ones; they hold nothing to trojan) and symlinks (alternatives
//!   and the like). A package with files but no md5sums at all is
//!   `packages.unverified`.
//!
//! Grading (see `grade`): a changed file where rootkits replace tools — the tools
//! that show processes, files, connections and logins (`ps`, `ls`, `netstat`, `ss`,
//! `sshd`, `login`, `top`, `find`, `lsof`, `passwd`, `su`, `sudo`, …) and the
//! libraries every login or program goes through (PAM modules and libpam, NSS
//! modules, the dynamic loader, libc, libcrypt, libprocps/libproc2, libkeyutils) —
//! is critical (`packages.changed-binary`, ATT&CK T1554, the trojaned tools of a
//! userland rootkit, T1014); any other file in `/bin`, `/sbin`, `/usr/bin` or
//! `/usr/sbin` is high; other shared libraries, kernel modules, `/usr/libexec`,
//! systemd's and OpenSSH's helpers, `/boot` and non-conffiles in `/etc` are medium
//! (`packages.changed-file`); anything else low, documentation info. A missing
//! tool or security library is medium, other missing files low, missing
//! documentation nothing. A file that could not be read is never counted as fine:
//! it is `packages.unverified` (medium for the tools, low otherwise).
//!
//! Two scopes ([`Scope`]): the `check` scope verifies only the binaries in the
//! bin/sbin directories and the security libraries — a few thousand files, seconds;
//! [`Scope::Full`] verifies every file of every package (for `breachkit gather`).
//!
//! RPM hosts (a `/var/lib/rpm` and no dpkg database) are verified by the host's own
//! `rpm -Va` on the live system (its output parsed, see `rpm`); where rpm is not
//! there, and on images, a `packages.unverified` finding says the files were not
//! verified, never nothing.
//!
//! Each module has one job: `status` (the status file), `info` (md5sums and file
//! lists), `divert` (diversions), `filters` (path-exclude), `dpkg` (putting them
//! together), `hash` (hashing in parallel), `grade` (rules and severities), `rpm`,
//! `complaints` (warnings about malformed lines).

mod complaints;
mod divert;
mod dpkg;
mod filters;
mod grade;
mod hash;
mod info;
mod rpm;
mod status;

use crate::Context;
use breachkit_finding::{Finding, Warning};
use breachkit_host::{Host, HostError};

/// Which files to verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The files in `/bin`, `/sbin`, `/usr/bin`, `/usr/sbin` and the PAM, NSS,
    /// loader, libc and process-listing libraries: what `breachkit check` verifies.
    Check,
    /// Every file of every installed package, conffiles included.
    Full,
}

/// The package database that was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Database {
    /// dpkg's, read natively.
    Dpkg,
    /// RPM's, through the host's `rpm -Va` (or not at all: see the findings).
    /// `rpm -Va` names only what differs, so `packages`, `files` and `verified`
    /// stay zero.
    Rpm,
}

/// How many packages and files were looked at, and what became of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Installed packages in the database.
    pub packages: usize,
    /// Installed packages with files but no checksums: their files were not verified.
    pub packages_without_checksums: usize,
    /// Files in scope with a checksum (conffiles included).
    pub files: usize,
    /// Files hashed whose md5 is the package's.
    pub verified: usize,
    /// Files (not conffiles) that differ from the package: other content, or a
    /// symlink, directory or special file where a regular file belongs.
    pub changed: usize,
    /// Conffiles that differ from the package's version (an admin's edits, mostly).
    pub conffiles_changed: usize,
    /// Files listed but not there (excluded ones not counted).
    pub missing: usize,
    /// Files not there because a `path-exclude` kept them from being installed.
    pub excluded: usize,
    /// Files that could not be read (or were too large to hash): not verified.
    pub unreadable: usize,
}

/// What [`verify_packages`] found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PackageReport {
    pub database: Database,
    /// Findings with host paths, escaped, step "aware".
    pub findings: Vec<Finding>,
    /// Inputs that could not be read or parsed (a corrupt line names file and line).
    pub warnings: Vec<Warning>,
    pub counts: Counts,
}

/// Why nothing could be verified.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PackagesError {
    #[error(
        "no package database (/var/lib/dpkg/status, /var/lib/rpm): installed files were not verified"
    )]
    NoDatabase,
    #[error("the package database could not be read ({0}): installed files were not verified")]
    Database(#[from] HostError),
}

/// Verifies the installed packages' files on `host` against the package database,
/// the files of `scope`. Problems with single inputs are warnings in the report;
/// only a database that cannot be found or read at all is an error.
pub fn verify_packages(host: &Host, scope: Scope) -> Result<PackageReport, PackagesError> {
    match host.lstat(dpkg::STATUS) {
        Ok(_) => return dpkg::verify(host, scope),
        Err(e) if !e.is_not_found() => return Err(PackagesError::Database(e)),
        Err(_) => {}
    }
    match host.lstat(rpm::DATABASE) {
        Ok(_) => Ok(rpm::verify(host, scope)),
        Err(e) if e.is_not_found() => Err(PackagesError::NoDatabase),
        Err(e) => Err(PackagesError::Database(e)),
    }
}

pub struct Packages;

impl crate::Check for Packages {
    fn name(&self) -> &'static str {
        "packages"
    }

    fn about(&self) -> &'static str {
        "package integrity: system binaries, PAM/NSS modules, loader and libc changed from their dpkg (or rpm) checksums"
    }

    fn run(&self, ctx: &mut Context) {
        match verify_packages(ctx.host, Scope::Check) {
            Ok(report) => {
                for finding in report.findings {
                    ctx.report(finding);
                }
                ctx.warn_all(report.warnings);
            }
            Err(e) => ctx.warn_general(e.to_string()),
        }
    }
}
