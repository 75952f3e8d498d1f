//! Verifying a dpkg host: reads the status file, the diversions and the path
//! filters, gathers each installed package's files in scope with their md5 (from
//! its md5sums, only those its `.list` still owns; its conffiles from the status
//! file), hashes them all in parallel and grades what differs.

use super::complaints::Complaints;
use super::divert::Diversions;
use super::filters::Filters;
use super::hash::{self, Item};
use super::info::{list_paths, parse_md5sums};
use super::status::{self, Package};
use super::{Counts, Database, PackageReport, PackagesError, Scope, grade};
use breachkit_finding::{Finding, Warning};
use breachkit_host::Host;
use std::collections::HashSet;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

pub(super) const STATUS: &str = "/var/lib/dpkg/status";
const INFO: &str = "/var/lib/dpkg/info";
const DIVERSIONS: &str = "/var/lib/dpkg/diversions";
const CONFIG: &str = "/etc/dpkg/dpkg.cfg";
const CONFIG_DIR: &str = "/etc/dpkg/dpkg.cfg.d";

/// The most of the status file read (a host with 10,000 packages has ~30 MB).
const MAX_STATUS: u64 = 256 << 20;
/// The most of one md5sums, list or diversions file read.
const MAX_INFO: u64 = 64 << 20;
const MAX_CONFIG: u64 = 1 << 20;

/// What the packages' files must be, and what was found before hashing.
struct Plan {
    items: Vec<Item>,
    findings: Vec<Finding>,
    warnings: Vec<Warning>,
    counts: Counts,
}

pub(super) fn verify(host: &Host, scope: Scope) -> Result<PackageReport, PackagesError> {
    let status = host.read(STATUS, MAX_STATUS)?;
    let mut plan = Plan {
        items: Vec::new(),
        findings: Vec::new(),
        warnings: Vec::new(),
        counts: Counts::default(),
    };
    if status.truncated {
        plan.warnings.push(truncated(STATUS, MAX_STATUS));
    }
    let packages = status::parse(
        &status.bytes,
        &mut Complaints::new(STATUS, &mut plan.warnings),
    );
    let diversions = match read(host, DIVERSIONS, MAX_INFO, &mut plan.warnings) {
        Some(bytes) => {
            Diversions::parse(&bytes, &mut Complaints::new(DIVERSIONS, &mut plan.warnings))
        }
        None => Diversions::default(),
    };
    let filters = filters(host, &mut plan.warnings);
    plan.counts.packages = packages.len();
    for package in &packages {
        plan_package(host, scope, package, &diversions, &filters, &mut plan);
    }
    plan.counts.files = plan.items.len();
    let seen = hash::hash_all(host, &plan.items);
    for (item, seen) in plan.items.iter().zip(&seen) {
        if let Some(f) = grade::judge(item, seen, &mut plan.counts) {
            plan.findings.push(f);
        }
    }
    Ok(PackageReport {
        database: Database::Dpkg,
        findings: plan.findings,
        warnings: plan.warnings,
        counts: plan.counts,
    })
}

/// Adds the files of `package` in `scope` to the plan.
fn plan_package(
    host: &Host,
    scope: Scope,
    package: &Package,
    diversions: &Diversions,
    filters: &Filters,
    plan: &mut Plan,
) {
    let wanted = |path: &[u8]| scope == Scope::Full || grade::in_check_scope(path);
    let base = info_base(host, package);
    let sums_path = format!("{INFO}/{base}.md5sums");
    let list_path = format!("{INFO}/{base}.list");
    let sums = read(host, &sums_path, MAX_INFO, &mut plan.warnings);
    let conffiles: HashSet<&[u8]> = package
        .conffiles
        .iter()
        .map(|c| c.path.as_slice())
        .collect();
    let mut add = |listed: &[u8], md5: [u8; 16], conffile: bool| {
        let real = diversions.moved(listed, &package.name).unwrap_or(listed);
        plan.items.push(Item {
            package: package.name.clone(),
            listed: listed.to_vec(),
            real: real.to_vec(),
            md5,
            conffile,
            excluded: filters.excludes(listed),
        });
    };
    for c in &package.conffiles {
        if let Some(md5) = c.md5.filter(|_| !c.retired && wanted(&c.path)) {
            add(&c.path, md5, true);
        }
    }
    let Some(sums) = sums else {
        let Some(list) = read(host, &list_path, MAX_INFO, &mut plan.warnings) else {
            return;
        };
        let unchecked = list_paths(&list)
            .into_iter()
            .filter(|p| wanted(p) && !conffiles.contains(p))
            .filter(|p| !is_dir(host, p))
            .count();
        if unchecked > 0 {
            plan.counts.packages_without_checksums += 1;
            plan.findings
                .push(grade::unverified(None).path(&sums_path).evidence(format!(
                    "package {}: no {sums_path}; {unchecked} of its files were not verified",
                    package.name
                )));
        }
        return;
    };
    let sums = parse_md5sums(
        &sums,
        &mut Complaints::new(sums_path.as_str(), &mut plan.warnings),
    );
    let mut sums = sums
        .iter()
        .filter(|s| wanted(&s.path) && !conffiles.contains(s.path.as_slice()))
        .peekable();
    if sums.peek().is_none() {
        return;
    }
    // Only the files the package still owns: one taken over by another package
    // (`Replaces:`) is that package's to verify.
    let list = read(host, &list_path, MAX_INFO, &mut plan.warnings);
    let owned = list.as_deref().map(list_paths);
    if owned.is_none() {
        plan.warnings.push(Warning::new(
            list_path,
            "missing: the package's md5sums were verified without knowing which files it still owns",
        ));
    }
    for sum in sums {
        let path = sum.path.as_slice();
        if owned.as_ref().is_none_or(|o| o.contains(path)) {
            add(path, sum.md5, false);
        }
    }
}

/// The name of a package's info files: `PKG:ARCH` for a `Multi-Arch: same`
/// package, else `PKG`; both names come from the status file, checked.
fn info_base(host: &Host, package: &Package) -> String {
    if let Some(arch) = &package.arch {
        let qualified = format!("{}:{arch}", package.name);
        let exists = |ext: &str| host.lstat(format!("{INFO}/{qualified}.{ext}")).is_ok();
        if exists("list") || exists("md5sums") {
            return qualified;
        }
    }
    package.name.clone()
}

fn is_dir(host: &Host, path: &[u8]) -> bool {
    host.lstat(Path::new(OsStr::from_bytes(path)))
        .is_ok_and(|m| m.is_dir())
}

/// The path filters of dpkg's configuration: `dpkg.cfg.d/*` in name order (only
/// the names dpkg reads: letters, digits, `_` and `-`), then `dpkg.cfg`.
fn filters(host: &Host, warnings: &mut Vec<Warning>) -> Filters {
    let mut filters = Filters::default();
    let mut files: Vec<String> = host
        .walk(CONFIG_DIR, 1, warnings)
        .into_iter()
        .filter(|e| e.is_file())
        .filter(|e| {
            e.host.file_name().is_some_and(|n| {
                n.as_bytes()
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
            })
        })
        .map(|e| e.display())
        .collect();
    files.push(CONFIG.to_string());
    for file in files {
        if let Some(bytes) = read(host, &file, MAX_CONFIG, warnings) {
            filters.add(&bytes);
        }
    }
    filters
}

/// A file of at most `limit` bytes: `None` silently when missing, with a warning
/// when unreadable; a warning too when it was larger than the limit.
fn read(host: &Host, path: &str, limit: u64, warnings: &mut Vec<Warning>) -> Option<Vec<u8>> {
    match host.read(path, limit) {
        Ok(content) => {
            if content.truncated {
                warnings.push(truncated(path, limit));
            }
            Some(content.bytes)
        }
        Err(e) if e.is_not_found() => None,
        Err(e) => {
            warnings.push(e.warning());
            None
        }
    }
}

fn truncated(path: &str, limit: u64) -> Warning {
    Warning::new(
        path,
        format!("larger than {limit} bytes; only the first {limit} were read"),
    )
}
