//! `breachkit gather`: collects one evidence bundle, in order of volatility. On a
//! live host the volatile state first ([`crate::live`]: sockets, processes and the
//! executables of suspect ones, mounts, modules, firewall), then on any host the
//! login records ([`crate::logins`]), the host files of [`crate::artifacts`] copied
//! byte for byte into an archive with its own manifest, the mail queue summary,
//! every file of every package verified against the package database, the phishing
//! kits the checks found with where their stolen data goes ([`crate::phishing`]),
//! the antivirus job ([`crate::av`]: breachkit's engine and clamd, file by file),
//! the filesystem timeline ([`crate::bodyfile`]) of the web roots, temp dirs, `/etc`
//! and homes, the findings of the checks, and the acquisition log. The manifest is
//! written last, its SHA-256 recorded in the case.
//!
//! A part that fails is recorded in the acquisition log and the rest goes on; a
//! bundle that cannot be written to any more (a full disk) stops collecting, keeps
//! what it has, and is marked incomplete with a manifest of exactly that.

use crate::acquisition::{ACQUISITION, Acquisition, Part};
use crate::bundle::{BundleWriter, pack::pack};
use crate::{GatherError, artifacts, av, bodyfile, live, logins, phishing};
use breachkit_finding::{Finding, Report, Warning, escape_path};
use breachkit_host::Host;
use breachkit_quarantine::backup::{ArchiveLimits, write_archive};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Host directories of the filesystem timeline besides the web roots and homes.
const TIMELINE_DIRS: &[&str] = &["/tmp", "/var/tmp", "/dev/shm", "/etc"];

/// How a bundle is collected.
#[derive(Debug, Clone)]
pub struct Options {
    /// A new directory, or a file ending in `.tar.zst`.
    pub out: PathBuf,
    /// The case directory (the bundle is recorded there).
    pub case_dir: PathBuf,
    pub examiner: String,
    pub note: Option<String>,
    /// The most copied of one host file; a larger one keeps its first bytes.
    pub max_file: u64,
    /// The antivirus job (breachkit's engine and clamd over the filesystem), or
    /// `None` to leave it out.
    pub av: Option<av::AvOptions>,
}

/// What `gather` wrote.
#[derive(Debug, Clone)]
pub struct Gathered {
    /// The bundle: the directory or the `.tar.zst`.
    pub bundle: PathBuf,
    pub manifest_sha256: String,
    pub complete: bool,
    pub files: usize,
    pub bytes: u64,
    /// Findings that only a collection makes (a kernel module hidden from the list,
    /// every file of every package verified).
    pub findings: Vec<Finding>,
    /// What failed to give its results (the run's verdict is then incomplete).
    pub failed: Vec<String>,
    pub acquisition: Acquisition,
    /// False when the manifest's hash could not be recorded in the case (a warning
    /// says so, and the hash is printed for the examiner to note).
    pub recorded: bool,
    pub warnings: Vec<Warning>,
}

/// Collects a bundle of `host` into `opts.out`; `checks` is the report of the
/// checks just run (its findings name the files to keep, and go into the bundle).
pub fn gather(
    host: &Host,
    checks: &Report,
    opts: &Options,
    progress: &mut dyn FnMut(&str),
) -> Result<Gathered, GatherError> {
    let packed = opts.out.to_string_lossy().ends_with(".tar.zst");
    let dir = if packed {
        let mut name = opts.out.clone().into_os_string();
        name.push(".partial");
        PathBuf::from(name)
    } else {
        opts.out.clone()
    };
    if packed && opts.out.symlink_metadata().is_ok() {
        return Err(GatherError::BadInput(format!(
            "{} exists: a bundle is never written over a file",
            escape_path(&opts.out)
        )));
    }
    let mut bundle = BundleWriter::create(&dir)?;
    let mut acq = Acquisition::start(
        host,
        escape_path(&opts.case_dir),
        opts.examiner.clone(),
        opts.note.clone(),
    );
    let mut findings = Vec::new();
    let mut warnings = Vec::new();
    let mut failed = Vec::new();

    if host.is_live() {
        progress("live state");
        let state = live::collect(&live::Options {
            exe_copies: bundle.path_for("live/exe/.keep").ok().map(|p| dir_of(&p)),
            ..live::Options::default()
        });
        findings.extend(state.findings());
        let mut part = write_part(&mut bundle, "live", "live/state.json", "/proc, /sys", |w| {
            breachkit_finding::json::to_writer(&mut *w, &state)
        });
        adopt_dir(&mut bundle, "live/exe", "/proc/PID/exe", &mut part);
        acq.parts.push(part);
    } else {
        acq.parts
            .push(skipped("live", "an image: no running system to read"));
    }

    progress("login records");
    let mut login_warnings = Vec::new();
    let part = write_part(
        &mut bundle,
        "logins",
        "logins.jsonl",
        "wtmp, btmp, utmp, lastlog",
        |w| {
            let written = logins::write_jsonl(host, w).map_err(std::io::Error::other)?;
            login_warnings = written.warnings;
            Ok(())
        },
    );
    warnings.append(&mut login_warnings);
    acq.parts.push(part);

    progress("host files");
    acq.parts.push(host_files(
        host,
        checks,
        opts,
        &mut bundle,
        &mut warnings,
        progress,
    ));

    progress("mail queues");
    let (mail, mail_failed) = breachkit_detect::mail::inspect(host);
    failed.extend(mail_failed.iter().map(|f| f.what.clone()));
    let part = write_part(
        &mut bundle,
        "mail",
        "mail.json",
        "mail queues, PHP mail log, mailboxes",
        |w| {
            breachkit_finding::json::to_writer(
                &mut *w,
                &serde_json::json!({
                    "summary": mail.summary,
                    "own_domains": mail.own_domains,
                    "php_mail_log": mail.php_mail_log,
                    "mailboxes": mail.mailboxes,
                }),
            )
        },
    );
    acq.parts.push(part);

    progress("package integrity");
    acq.parts.push(packages(
        host,
        &mut bundle,
        &mut findings,
        &mut warnings,
        &mut failed,
    ));

    progress("phishing kits");
    let kits = phishing::kits(host, &checks.findings);
    warnings.extend(kits.warnings.iter().cloned());
    let mut part = write_part(
        &mut bundle,
        "phishing",
        "phishing.json",
        "scan.phishing findings",
        |w| breachkit_finding::json::to_writer(&mut *w, &kits),
    );
    part.note = Some(format!(
        "{} kit(s), {} destination(s) of stolen data",
        kits.kits.len(),
        kits.kits
            .iter()
            .map(|k| k.destinations.len())
            .sum::<usize>()
    ));
    acq.parts.push(part);

    match &opts.av {
        Some(av_opts) => {
            progress("antivirus job");
            let known: Vec<Finding> = checks.findings.iter().chain(&findings).cloned().collect();
            acq.parts.push(antivirus(
                host,
                av_opts,
                &known,
                &mut bundle,
                &mut findings,
                &mut warnings,
                &mut failed,
                progress,
            ));
        }
        None => acq.parts.push(skipped("av", "left out (--no-av)")),
    }

    progress("filesystem timeline");
    let mut dirs: Vec<PathBuf> = host.web_roots(&mut warnings);
    dirs.extend(TIMELINE_DIRS.iter().map(PathBuf::from));
    dirs.extend(host.accounts().homes().into_iter().map(|(h, _)| h));
    let mut timeline_warnings = Vec::new();
    let part = write_part(
        &mut bundle,
        "timeline",
        "timeline.body",
        "file system metadata",
        |w| {
            bodyfile::write_bodyfile(
                host,
                &dirs,
                &bodyfile::Options::default(),
                w,
                &mut timeline_warnings,
            )
            .map(|_| ())
            .map_err(std::io::Error::other)
        },
    );
    warnings.append(&mut timeline_warnings);
    acq.parts.push(part);

    let mut all = checks.clone();
    all.findings.extend(findings.iter().cloned());
    let part = write_part(
        &mut bundle,
        "findings",
        "findings.json",
        "breachkit check",
        |w| breachkit_finding::json::to_writer(&mut *w, &all),
    );
    acq.parts.push(part);

    acq.ended_at = breachkit_case::now_rfc3339();
    acq.complete = bundle.stopped().is_none();
    acq.stopped = bundle.stopped().map(str::to_string);
    acq.warnings = warnings.clone();
    bundle
        .document(ACQUISITION, "breachkit gather", |w| {
            breachkit_finding::json::to_writer(&mut *w, &acq)
        })
        .map_err(|e| stop_error(&dir, e))?;
    let names = bundle.names();
    let finished = bundle.finish().map_err(|e| stop_error(&dir, e))?;
    let bundle_path = if packed {
        progress("packing");
        pack(&dir, &names, &opts.out)?;
        opts.out.clone()
    } else {
        dir
    };
    let absolute = bundle_path
        .canonicalize()
        .unwrap_or_else(|_| bundle_path.clone());
    let record = breachkit_case::BundleRecord {
        bundle: escape_path(&absolute),
        manifest_sha256: finished.manifest_sha256.clone(),
        examiner: opts.examiner.clone(),
        complete: finished.complete,
        created_at: acq.ended_at.clone(),
    };
    let recorded = match breachkit_case::Case::open(&opts.case_dir)
        .and_then(|mut c| c.record_bundle(&record))
    {
        Ok(()) => true,
        Err(e) => {
            warnings.push(Warning::new(
                escape_path(&absolute),
                format!(
                    "the manifest's SHA-256 ({}) could not be recorded in the case ({e}): note it, verify needs it to check the manifest itself",
                    finished.manifest_sha256
                ),
            ));
            false
        }
    };
    Ok(Gathered {
        bundle: absolute,
        manifest_sha256: finished.manifest_sha256,
        complete: finished.complete,
        files: finished.files,
        bytes: finished.bytes,
        findings,
        failed,
        acquisition: acq,
        recorded,
        warnings,
    })
}

/// The host files of [`artifacts`] into `files.tar.zst` with its manifest.
fn host_files(
    host: &Host,
    checks: &Report,
    opts: &Options,
    bundle: &mut BundleWriter,
    warnings: &mut Vec<Warning>,
    progress: &mut dyn FnMut(&str),
) -> Part {
    const ARCHIVE: &str = "files.tar.zst";
    const MANIFEST: &str = "files.manifest.jsonl";
    // The note the archive writer leaves beside it.
    const TAINTED: &str = "files.tar.zst.TAINTED";
    if let Some(why) = bundle.stopped() {
        return skipped("files", &format!("not collected: {why}"));
    }
    let paths = artifacts::host_files(host, &checks.findings);
    let skip = bundle
        .dir()
        .canonicalize()
        .unwrap_or_else(|_| bundle.dir().to_path_buf());
    let limits = ArchiveLimits {
        skip: &skip,
        max_file: Some(opts.max_file),
    };
    let archive = bundle.dir().join(ARCHIVE);
    let manifest = bundle.dir().join(MANIFEST);
    let mut last = std::time::Instant::now();
    let written = write_archive(host, &paths, &limits, &archive, &manifest, &mut |p| {
        if last.elapsed().as_millis() > 200 {
            last = std::time::Instant::now();
            progress(&format!(
                "host files: {} ({} files)",
                escape_path(&p.path),
                p.entries
            ));
        }
    });
    match written {
        Ok(summary) => {
            warnings.extend(summary.warnings);
            let mut part = Part {
                name: "files".into(),
                outcome: "collected",
                files: Vec::new(),
                note: Some(format!(
                    "{} files, {} directories, {} links, {} bytes from {} host paths",
                    summary.files,
                    summary.dirs,
                    summary.symlinks,
                    summary.bytes,
                    paths.len()
                )),
            };
            for name in [ARCHIVE, MANIFEST, TAINTED] {
                match bundle.adopt(name, "host files (see files.manifest.jsonl)") {
                    Ok(e) => part.files.push(e.path),
                    Err(e) => fail(bundle, &mut part, e),
                }
            }
            part
        }
        Err(e) => {
            let mut part = skipped("files", "");
            fail(bundle, &mut part, GatherError::Quarantine(e));
            part
        }
    }
}

/// Every file of every installed package verified (`packages.json`); its findings
/// join the run's. No package database is a warning; a database that cannot be
/// read is a failure of the run.
fn packages(
    host: &Host,
    bundle: &mut BundleWriter,
    findings: &mut Vec<Finding>,
    warnings: &mut Vec<Warning>,
    failed: &mut Vec<String>,
) -> Part {
    use breachkit_detect::packages::{PackagesError, Scope, verify_packages};
    let report = match verify_packages(host, Scope::Full) {
        Ok(r) => r,
        Err(e @ PackagesError::NoDatabase) => {
            warnings.push(Warning::new(escape_path(host.root()), e.to_string()));
            return skipped("packages", &e.to_string());
        }
        Err(e) => {
            failed.push("package integrity (gather)".to_string());
            let mut part = skipped("packages", "");
            part.outcome = "failed";
            part.note = Some(e.to_string());
            return part;
        }
    };
    let mut part = write_part(
        bundle,
        "packages",
        "packages.json",
        "package database",
        |w| breachkit_finding::json::to_writer(&mut *w, &report),
    );
    let c = report.counts;
    part.note = Some(format!(
        "{} packages, {} files verified: {} changed, {} missing, {} unreadable",
        c.packages, c.verified, c.changed, c.missing, c.unreadable
    ));
    findings.extend(report.findings);
    warnings.extend(report.warnings);
    part
}

/// The antivirus job: every file's verdicts by both engines (`av/files.jsonl`, one
/// line a file, streamed) and the job's report (`av/report.json`). Its findings not
/// already made by the checks join the run's; an engine that failed makes the run
/// incomplete.
#[allow(clippy::too_many_arguments)]
fn antivirus(
    host: &Host,
    av_opts: &av::AvOptions,
    known: &[Finding],
    bundle: &mut BundleWriter,
    findings: &mut Vec<Finding>,
    warnings: &mut Vec<Warning>,
    failed: &mut Vec<String>,
    progress: &mut dyn FnMut(&str),
) -> Part {
    let mut opts = av_opts.clone();
    if host.is_live() {
        // The bundle being written is not evidence of the host.
        opts.exclude.push(bundle.dir().to_path_buf());
    }
    let mut report = None;
    let mut part = write_part(
        bundle,
        "av",
        "av/files.jsonl",
        "breachkit scan and clamd",
        |w| {
            let mut written: std::io::Result<()> = Ok(());
            let mut n = 0u64;
            let r = av::run(host, &opts, &mut |file| {
                n += 1;
                if n.is_multiple_of(500) {
                    progress(&format!("antivirus job: {n} files, {}", file.path));
                }
                if written.is_ok() {
                    written = breachkit_finding::json::to_writer(&mut *w, file)
                        .and_then(|()| w.write_all(b"\n"));
                }
            });
            report = Some(r);
            written
        },
    );
    let Some(report) = report else {
        return part;
    };
    let doc = write_part(
        bundle,
        "av",
        "av/report.json",
        "breachkit scan and clamd",
        |w| breachkit_finding::json::to_writer_pretty(&mut *w, &report),
    );
    part.files.extend(doc.files);
    if doc.outcome != "collected" {
        part.outcome = doc.outcome;
        part.note = doc.note;
        return part;
    }
    let c = &report.counts;
    part.note = Some(format!(
        "{} files: breachkit found {}, clamd {} ({}), both {}; {} errors",
        c.files,
        c.found_own,
        c.found_clamd,
        report.clamd.status,
        c.found_both,
        c.errors_own + c.errors_clamd
    ));
    let seen = |f: &Finding| known.iter().any(|k| k.rule == f.rule && k.path == f.path);
    findings.extend(report.findings.iter().filter(|f| !seen(f)).cloned());
    warnings.extend(report.warnings.iter().cloned());
    failed.extend(report.failed.iter().cloned());
    part
}

/// Writes one bundle file as a part of the collection.
fn write_part(
    bundle: &mut BundleWriter,
    name: &str,
    file: &str,
    source: &str,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Part {
    if let Some(why) = bundle.stopped() {
        return skipped(name, &format!("not collected: {why}"));
    }
    let mut part = Part {
        name: name.to_string(),
        outcome: "collected",
        files: Vec::new(),
        note: None,
    };
    match bundle.document(file, source, write) {
        Ok(e) => part.files.push(e.path),
        Err(e) => fail(bundle, &mut part, e),
    }
    part
}

/// Lists every file some other code wrote under `sub` of the bundle.
fn adopt_dir(bundle: &mut BundleWriter, sub: &str, source: &str, part: &mut Part) {
    let root = bundle.dir().join(sub);
    let mut names: Vec<String> = walkdir::WalkDir::new(&root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(bundle.dir()).ok()?;
            rel.to_str().map(str::to_string)
        })
        .collect();
    names.sort();
    for name in names {
        match bundle.adopt(&name, source) {
            Ok(e) => part.files.push(e.path),
            Err(e) => fail(bundle, part, e),
        }
    }
}

/// Records a failed part; a bundle that cannot be written stops.
fn fail(bundle: &mut BundleWriter, part: &mut Part, e: GatherError) {
    let text = e.to_string();
    if is_full(&e) {
        bundle.stop(format!("the bundle could not be written: {text}"));
    }
    part.outcome = "failed";
    part.note = Some(text);
}

/// Whether an error means nothing more can be written to the bundle.
fn is_full(e: &GatherError) -> bool {
    use std::io::ErrorKind::{QuotaExceeded, ReadOnlyFilesystem, StorageFull};
    let kind = match e {
        GatherError::Io { source, .. } => Some(source.kind()),
        GatherError::Quarantine(breachkit_quarantine::QuarantineError::Io { source, .. }) => {
            Some(source.kind())
        }
        _ => None,
    };
    matches!(kind, Some(StorageFull | QuotaExceeded | ReadOnlyFilesystem))
}

fn skipped(name: &str, why: &str) -> Part {
    Part {
        name: name.to_string(),
        outcome: "skipped",
        files: Vec::new(),
        note: (!why.is_empty()).then(|| why.to_string()),
    }
}

fn dir_of(p: &Path) -> PathBuf {
    p.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// The bundle could not be finished: what remains is in `dir`.
fn stop_error(dir: &Path, e: GatherError) -> GatherError {
    GatherError::BadBundle {
        path: dir.to_path_buf(),
        message: format!(
            "the bundle could not be finished ({e}); what was collected is in this directory, without a manifest"
        ),
    }
}
