//! Running the antivirus job: choosing and checking clamd, walking the host paths
//! (one walker thread, batches through a bounded channel), judging each file on
//! worker threads that each own a breachkit scanner and ask clamd for the same
//! open file, and adding up the results on the calling thread.

use super::clamd::{Answer, Clamd, ClamdAddr};
use super::config::{ClamdConfig, DEFAULT_LIMIT};
use super::verdict::{Counts, EngineState, FileResult, Verdict};
use super::{AvOptions, AvReport, ClamdChoice};
use breachkit_finding::{Finding, Warning, escape_path};
use breachkit_host::{Host, HostError, HostErrorKind};
use breachkit_scan::{Engine, FileScanner, Scanned};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Instant;

/// Files handed to a worker at once.
const BATCH: usize = 32;
/// Batches and results waiting at most (memory stays bounded).
const QUEUE: usize = 32;
/// Requests to clamd failing in a row (no connection, no answer in time) after
/// which it is not asked any more: every later file gets an error at once.
const GIVE_UP: u32 = 3;

/// clamd as the workers use it.
struct ClamdUse {
    client: Clamd,
    max_file: u64,
    /// Transport failures in a row.
    failures: AtomicU32,
    /// Why clamd is not asked any more.
    down: Mutex<Option<String>>,
}

impl ClamdUse {
    fn down(&self) -> Option<String> {
        self.down.lock().ok().and_then(|d| d.clone())
    }

    fn give_up(&self, reason: String) {
        if let Ok(mut d) = self.down.lock()
            && d.is_none()
        {
            *d = Some(reason);
        }
    }

    /// The verdict on one open file; `true` with it when clamd was not asked
    /// because it is down.
    fn judge(&self, file: &mut File, size: u64) -> (Verdict, bool) {
        if let Some(reason) = self.down() {
            return (Verdict::error(reason), true);
        }
        (self.ask(file, size), false)
    }

    fn ask(&self, file: &mut File, size: u64) -> Verdict {
        let scan = match self.client.scan_file(file, size) {
            Ok(scan) => {
                self.failures.store(0, Ordering::Relaxed);
                scan
            }
            Err(e) => {
                if e.is_transport() && self.failures.fetch_add(1, Ordering::Relaxed) + 1 >= GIVE_UP
                {
                    self.give_up(format!(
                        "clamd not asked any more after {GIVE_UP} failed requests in a row; the last: {e}"
                    ));
                }
                return Verdict::error(e.to_string());
            }
        };
        let sent = size.saturating_sub(scan.unsent);
        match scan.answer {
            Answer::Found(name) => Verdict::Found {
                name,
                severity: None,
                detail: (scan.unsent > 0)
                    .then(|| format!("in the first {sent} of {size} bytes (StreamMaxLength)")),
            },
            Answer::Clean if scan.unsent > 0 => Verdict::cut(format!(
                "clamd got only the first {sent} of {size} bytes (its StreamMaxLength)"
            )),
            Answer::Clean if size > self.max_file => Verdict::cut(format!(
                "{size} bytes, more than clamd's MaxFileSize ({}): clamd answers OK without scanning beyond it",
                self.max_file
            )),
            Answer::Clean => Verdict::Clean,
            Answer::Error(message) => Verdict::error(format!("clamd answered \"{message}\"")),
        }
    }
}

/// One judged file on its way to the calling thread.
struct Judged {
    result: FileResult,
    finding: Option<Finding>,
    /// The own engine dropped its finding: a known-good package file.
    known_good: bool,
    /// The own engine, or clamd, was down: its error is no news about this file.
    own_down: bool,
    clamd_down: bool,
}

impl Judged {
    /// Listed in the report: an engine that worked found something in the file,
    /// could not judge it whole, or the two disagree. A file only a down engine
    /// failed on is counted, not listed (the failed section says why once).
    fn listed(&self) -> bool {
        let r = &self.result;
        (!r.own.is_clean() && !self.own_down)
            || (r.clamd.as_ref().is_some_and(|c| !c.is_clean()) && !self.clamd_down)
    }
}

/// Runs the job on `host` (see the module comment); `progress` gets every file's
/// result, on the calling thread, as it is judged.
pub fn run(host: &Host, opts: &AvOptions, progress: &mut dyn FnMut(&FileResult)) -> AvReport {
    let started = Instant::now();
    let mut warnings = Vec::new();
    let mut failed = Vec::new();
    let asked = if opts.paths.is_empty() {
        vec![PathBuf::from("/")]
    } else {
        opts.paths.clone()
    };
    let roots = distinct_roots(host, &asked, &mut warnings);
    let excludes: Vec<PathBuf> = opts.exclude.iter().map(|e| host.resolve(e)).collect();

    let (engine, own) = match Engine::new(opts.scan.clone()) {
        Ok(engine) => (Some(engine), ok_state()),
        Err(e) => {
            let reason = format!("breachkit's scan engine could not start: {e}");
            warnings.push(Warning {
                path: None,
                message: reason.clone(),
            });
            failed.push(format!("av: {reason}"));
            (None, failed_state(reason))
        }
    };
    let own_failed = own.reason.clone().unwrap_or_default();
    let (clamd, mut clamd_state) = choose_clamd(opts);
    if clamd_state.status == "not-used"
        && clamd_state.address.is_some()
        && let Some(reason) = &clamd_state.reason
    {
        warnings.push(Warning {
            path: None,
            message: reason.clone(),
        });
    }
    if clamd_state.is_failed() {
        let reason = clamd_state.reason.clone().unwrap_or_default();
        warnings.push(Warning {
            path: None,
            message: reason.clone(),
        });
        failed.push(format!("av: {reason}"));
    }

    let mut counts = Counts::default();
    let mut files = Vec::new();
    let mut findings = Vec::new();
    let (batch_tx, batch_rx) = sync_channel::<Vec<PathBuf>>(QUEUE);
    let batch_rx = Mutex::new(batch_rx);
    let (result_tx, result_rx) = sync_channel::<Judged>(QUEUE * BATCH);
    std::thread::scope(|s| {
        let mut workers = Vec::new();
        for n in 0..opts.threads.max(1) {
            let tx = result_tx.clone();
            let (engine, clamd, rx, own_failed) = (
                engine.as_ref(),
                clamd.as_ref(),
                &batch_rx,
                own_failed.as_str(),
            );
            let spawned = std::thread::Builder::new()
                .name(format!("av-{n}"))
                .spawn_scoped(s, move || work(host, engine, own_failed, clamd, rx, tx));
            match spawned {
                Ok(h) => workers.push(h),
                Err(e) => warnings.push(Warning {
                    path: None,
                    message: format!("could not start an antivirus thread: {e}"),
                }),
            }
        }
        drop(result_tx);
        if workers.is_empty() {
            failed.push("av: no scanning thread could start; no file was scanned".to_string());
            return;
        }
        let walker = std::thread::Builder::new()
            .name("av-walk".into())
            .spawn_scoped(s, || walk(host, &roots, &excludes, batch_tx));
        let walker = match walker {
            Ok(w) => Some(w),
            Err(e) => {
                failed.push(format!(
                    "av: could not start the directory walk ({e}); no file was scanned"
                ));
                None
            }
        };
        for judged in result_rx {
            progress(&judged.result);
            counts.add(&judged.result);
            counts.known_good += u64::from(judged.known_good);
            let listed = judged.listed();
            findings.extend(judged.finding);
            findings.extend(judged.result.av_finding());
            if listed {
                files.push(judged.result);
            }
        }
        for w in workers {
            if w.join().is_err() {
                failed.push("av: a scanning thread failed; some files were not scanned".into());
            }
        }
        match walker.map(|w| w.join()) {
            Some(Ok((mut w, symlinks, special))) => {
                warnings.append(&mut w);
                counts.symlinks = symlinks;
                counts.special = special;
            }
            Some(Err(_)) => {
                failed.push("av: the directory walk failed; some files were not scanned".into())
            }
            None => {}
        }
    });

    if let Some(reason) = clamd.as_ref().and_then(ClamdUse::down)
        && !clamd_state.is_failed()
    {
        warnings.push(Warning {
            path: None,
            message: reason.clone(),
        });
        failed.push(format!("av: {reason}"));
        clamd_state.status = "failed";
        clamd_state.reason = Some(reason);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    findings.sort_by(|a, b| a.path.cmp(&b.path).then_with(|| a.rule.cmp(&b.rule)));
    let disagree = files
        .iter()
        .filter(|f| f.disagree())
        .map(|f| f.path.clone())
        .collect();
    AvReport {
        roots: asked.iter().map(|p| escape_path(p)).collect(),
        own,
        clamd: clamd_state,
        counts,
        files,
        disagree,
        findings,
        warnings,
        failed,
        millis: started.elapsed().as_millis() as u64,
    }
}

fn ok_state() -> EngineState {
    EngineState {
        status: "ok",
        ..EngineState::default()
    }
}

fn failed_state(reason: String) -> EngineState {
    EngineState {
        status: "failed",
        reason: Some(reason),
        ..EngineState::default()
    }
}

/// The clamd to ask and its state: pinged and asked its version, or why not.
/// When it does not answer, it is still returned (marked down), so every file's
/// verdict says why clamd did not judge it.
fn choose_clamd(opts: &AvOptions) -> (Option<ClamdUse>, EngineState) {
    let (addr, conf, conf_path) = match &opts.clamd {
        ClamdChoice::Off => {
            let state = EngineState {
                status: "not-used",
                reason: Some("clamd turned off".into()),
                ..EngineState::default()
            };
            return (None, state);
        }
        ClamdChoice::At(addr) => (addr.clone(), ClamdConfig::default(), None),
        ClamdChoice::Auto { configs } => match ClamdConfig::find(configs) {
            Ok(Some((path, conf))) => match conf.address() {
                Some(addr) => (addr, conf, Some(path)),
                None => {
                    let reason = format!(
                        "clamd: {} names no LocalSocket and no TCPSocket",
                        escape_path(&path)
                    );
                    return (None, failed_state(reason));
                }
            },
            Ok(None) => {
                let names: Vec<String> = configs.iter().map(|p| escape_path(p)).collect();
                let state = EngineState {
                    status: "not-used",
                    reason: Some(format!(
                        "no clamd configuration found ({})",
                        names.join(", ")
                    )),
                    ..EngineState::default()
                };
                return (None, state);
            }
            Err(e) => return (None, failed_state(format!("clamd: {e}"))),
        },
    };
    let stream_max = opts
        .clamd_stream_max
        .or(conf.stream_max)
        .unwrap_or(DEFAULT_LIMIT);
    let max_file = opts
        .clamd_max_file
        .or(conf.max_file_size)
        .unwrap_or(DEFAULT_LIMIT);
    let client = Clamd::new(addr.clone(), opts.clamd_timeout, stream_max);
    let mut state = EngineState {
        status: "ok",
        address: Some(addr.to_string()),
        transport: Some(match addr {
            ClamdAddr::Unix(_) => "fildes",
            ClamdAddr::Tcp(_) => "instream",
        }),
        config: conf_path.as_deref().map(escape_path),
        ..EngineState::default()
    };
    let checked = client.ping().and_then(|()| client.version());
    let down = match checked {
        Ok(version) => {
            state.version = Some(version);
            None
        }
        Err(e) if matches!(opts.clamd, ClamdChoice::Auto { .. }) => {
            // Installed but not running (often: no signatures downloaded yet). Not
            // asked for by name, so not a failure of the job: said, not hidden.
            state.status = "not-used";
            state.reason = Some(format!(
                "clamd is configured ({}) but does not answer at {addr}: {e}; only breachkit's engine scanned (start clamd, or give --clamd ADDR)",
                state.config.as_deref().unwrap_or("clamd.conf")
            ));
            return (None, state);
        }
        Err(e) => {
            let reason = format!("clamd does not answer: {e}");
            state.status = "failed";
            state.reason = Some(reason.clone());
            Some(reason)
        }
    };
    let used = ClamdUse {
        client,
        max_file,
        failures: AtomicU32::new(0),
        down: Mutex::new(down),
    };
    (Some(used), state)
}

/// The roots resolved inside the host; missing ones warned about, ones inside
/// another dropped.
fn distinct_roots(host: &Host, roots: &[PathBuf], warnings: &mut Vec<Warning>) -> Vec<PathBuf> {
    let mut real = Vec::new();
    for r in roots {
        let p = host.resolve(r);
        match std::fs::symlink_metadata(&p) {
            Ok(_) => real.push(p),
            Err(e) => warnings.push(HostError::new(escape_path(r), HostErrorKind::Io(e)).warning()),
        }
    }
    real.sort();
    real.dedup();
    let all = real.clone();
    real.retain(|p| !all.iter().any(|o| o != p && p.starts_with(o)));
    real
}

/// The walker: sends batches of real paths of regular files; returns its warnings
/// and how many symlinks and special files it passed by.
fn walk(
    host: &Host,
    roots: &[PathBuf],
    excludes: &[PathBuf],
    tx: SyncSender<Vec<PathBuf>>,
) -> (Vec<Warning>, u64, u64) {
    let mut warnings = Vec::new();
    let (mut symlinks, mut special) = (0, 0);
    let mut batch = Vec::with_capacity(BATCH);
    for root in roots {
        let walker = walkdir::WalkDir::new(root)
            .follow_links(false)
            .follow_root_links(false)
            .into_iter()
            .filter_entry(|e| !excludes.iter().any(|x| x == e.path()));
        for item in walker {
            let entry = match item {
                Ok(e) => e,
                Err(err) => {
                    let path = err.path().map_or_else(|| root.clone(), Path::to_path_buf);
                    let kind = match err.into_io_error() {
                        Some(io) if io.kind() == std::io::ErrorKind::NotFound => continue,
                        Some(io) => HostErrorKind::Io(io),
                        None => HostErrorKind::SymlinkLoop,
                    };
                    warnings.push(HostError::new(host.display(&path), kind).warning());
                    continue;
                }
            };
            let ft = entry.file_type();
            if ft.is_file() {
                batch.push(entry.into_path());
                if batch.len() == BATCH
                    && tx
                        .send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                        .is_err()
                {
                    return (warnings, symlinks, special);
                }
            } else if ft.is_symlink() {
                symlinks += 1;
            } else if !ft.is_dir() {
                special += 1;
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(batch);
    }
    (warnings, symlinks, special)
}

/// A worker: its own scanner; both engines on each file it is handed.
fn work(
    host: &Host,
    engine: Option<&Engine>,
    own_failed: &str,
    clamd: Option<&ClamdUse>,
    rx: &Mutex<Receiver<Vec<PathBuf>>>,
    tx: SyncSender<Judged>,
) {
    let mut scanner = engine.map(Engine::scanner);
    loop {
        let batch = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(batch) = batch else { return };
        for real in batch {
            let judged = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                judge(host, &real, scanner.as_mut(), own_failed, clamd)
            }));
            let judged = judged.unwrap_or_else(|_| {
                // A bug met on one file costs that file, not the thread.
                scanner = engine.map(Engine::scanner);
                let reason = "the antivirus job failed internally on this file; it was not judged";
                Judged {
                    result: FileResult {
                        path: host.display(&real),
                        size: 0,
                        own: Verdict::error(reason),
                        clamd: clamd.map(|_| Verdict::error(reason)),
                    },
                    finding: None,
                    known_good: false,
                    own_down: false,
                    clamd_down: false,
                }
            });
            if tx.send(judged).is_err() {
                return;
            }
        }
    }
}

/// Both engines on one file found by the walk at `real`.
fn judge(
    host: &Host,
    real: &Path,
    scanner: Option<&mut FileScanner<'_>>,
    own_failed: &str,
    clamd: Option<&ClamdUse>,
) -> Judged {
    let path = host.display(real);
    let (mut file, meta) = match host.open(host.host_path(real)) {
        Ok(opened) => opened,
        Err(e) => {
            let verdict = if e.is_not_found() {
                Verdict::Skipped {
                    reason: "gone before it was scanned".into(),
                }
            } else {
                Verdict::error(e.kind.to_string())
            };
            return Judged {
                result: FileResult {
                    path,
                    size: 0,
                    clamd: clamd.map(|_| verdict.clone()),
                    own: verdict,
                },
                finding: None,
                known_good: false,
                own_down: false,
                clamd_down: false,
            };
        }
    };
    let size = meta.len();
    let own_down = scanner.is_none();
    let (own, finding, known_good) = match scanner {
        Some(scanner) => {
            let scanned = scanner.scan_found(host, real);
            let known_good = scanned.suppressed;
            let (own, finding) = own_verdict(scanned, size);
            (own, finding, known_good)
        }
        None => (Verdict::error(own_failed), None, false),
    };
    let (clamd, clamd_down) = match clamd.map(|c| c.judge(&mut file, size)) {
        Some((verdict, down)) => (Some(verdict), down),
        None => (None, false),
    };
    Judged {
        result: FileResult {
            path,
            size,
            own,
            clamd,
        },
        finding,
        known_good,
        own_down,
        clamd_down,
    }
}

/// The own engine's verdict (and finding) from what scanning the file gave.
fn own_verdict(scanned: Scanned, size: u64) -> (Verdict, Option<Finding>) {
    let reasons = || {
        let all: Vec<&str> = scanned
            .warnings
            .iter()
            .map(|w| w.message.as_str())
            .collect();
        all.join("; ")
    };
    if let Some(f) = &scanned.finding {
        let verdict = Verdict::Found {
            name: f.rule.clone(),
            severity: Some(f.severity),
            detail: f.evidence.clone(),
        };
        return (verdict, scanned.finding);
    }
    let verdict = if scanned.bytes == 0 && size > 0 && !scanned.warnings.is_empty() {
        Verdict::error(reasons())
    } else if !scanned.warnings.is_empty() {
        Verdict::cut(reasons())
    } else if scanned.bytes == 0 && size > 0 {
        Verdict::Skipped {
            reason: "gone while it was scanned".into(),
        }
    } else {
        Verdict::Clean
    };
    (verdict, None)
}
