//! Walking directory trees of the host and scanning every regular file in
//! parallel: one walker thread streams file paths in batches through a bounded
//! channel to N scanning threads, each owning its [`FileScanner`]. Nothing is
//! filtered (hidden, root-owned and ignored-by-git files are scanned), symlinks are
//! never followed, FIFOs, sockets and devices are skipped without being opened, and
//! memory stays bounded however large the tree or a single directory is.
//!
//! Each scanning thread also tells, for a file in a temp or upload folder, whether
//! it is loose there or part of an application tree unpacked there ([`AppTrees`]):
//! location is context, and a backup extracted under `/tmp` is judged on its content.

use crate::{Engine, Places, Scanned};
use breachkit_finding::{Finding, Warning, escape_path};
use breachkit_host::{Host, HostError, HostErrorKind};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Instant;

/// Files handed to a scanning thread at once.
const BATCH: usize = 64;
/// Batches waiting at most (bounds memory on huge trees).
const QUEUE: usize = 64;

/// What to scan: directories or files of a host, as host paths.
pub struct Tree<'a> {
    pub host: &'a Host,
    pub roots: Vec<PathBuf>,
    /// Scanning threads (at least one).
    pub threads: usize,
}

/// Live counters for a progress bar; read them from another thread.
#[derive(Debug, Default)]
pub struct Progress {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
    pub hits: AtomicU64,
}

/// Totals of one scan.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stats {
    pub files: u64,
    pub bytes: u64,
    pub findings: u64,
    /// Findings dropped because the file is in the known-good list.
    pub suppressed: u64,
    /// FIFOs, sockets and devices, skipped without being opened.
    pub special: u64,
    /// Symbolic links, not followed.
    pub symlinks: u64,
    pub millis: u64,
}

/// Scans every regular file under the roots; returns the findings, the warnings
/// about what could not be read, and the totals.
pub fn scan_tree(
    engine: &Engine,
    tree: &Tree,
    progress: &Progress,
) -> (Vec<Finding>, Vec<Warning>, Stats) {
    let started = Instant::now();
    let host = tree.host;
    let roots = distinct_roots(host, &tree.roots);
    let (tx, rx) = sync_channel::<Vec<PathBuf>>(QUEUE);
    let rx = Mutex::new(rx);
    let threads = tree.threads.max(1);
    let (mut findings, mut warnings, mut stats) = std::thread::scope(|s| {
        let walker = s.spawn(|| walk(host, &roots, tx));
        let workers: Vec<_> = (0..threads)
            .map(|_| s.spawn(|| work(engine, host, &rx, progress)))
            .collect();
        let mut findings = Vec::new();
        let mut warnings = Vec::new();
        let mut stats = Stats::default();
        for w in workers {
            match w.join() {
                Ok((f, w, st)) => {
                    findings.extend(f);
                    warnings.extend(w);
                    stats.files += st.files;
                    stats.bytes += st.bytes;
                    stats.suppressed += st.suppressed;
                }
                Err(_) => warnings.push(Warning {
                    path: None,
                    message: "a scanning thread failed internally; some files were not scanned"
                        .into(),
                }),
            }
        }
        match walker.join() {
            Ok((w, special, symlinks)) => {
                warnings.extend(w);
                stats.special = special;
                stats.symlinks = symlinks;
            }
            Err(_) => warnings.push(Warning {
                path: None,
                message: "the directory walker failed internally; some files were not scanned"
                    .into(),
            }),
        }
        (findings, warnings, stats)
    });
    findings.sort_by(|a, b| a.path.cmp(&b.path));
    warnings.sort_by(|a, b| a.path.cmp(&b.path));
    stats.findings = findings.len() as u64;
    stats.millis = started.elapsed().as_millis() as u64;
    (findings, warnings, stats)
}

/// The roots resolved inside the host, missing ones and ones inside another dropped.
fn distinct_roots(host: &Host, roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut real: Vec<PathBuf> = roots
        .iter()
        .map(|r| host.resolve(r))
        .filter(|r| std::fs::symlink_metadata(r).is_ok())
        .collect();
    real.sort();
    real.dedup();
    let all = real.clone();
    real.retain(|p| !all.iter().any(|o| o != p && p.starts_with(o)));
    real
}

/// The walker: sends batches of real paths of regular files; returns its warnings
/// and how many special files and symlinks it passed by.
fn walk(host: &Host, roots: &[PathBuf], tx: SyncSender<Vec<PathBuf>>) -> (Vec<Warning>, u64, u64) {
    let mut warnings = Vec::new();
    let (mut special, mut symlinks) = (0, 0);
    let mut batch = Vec::with_capacity(BATCH);
    for root in roots {
        let walker = walkdir::WalkDir::new(root)
            .follow_links(false)
            .follow_root_links(false);
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
                    return (warnings, special, symlinks);
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
    (warnings, special, symlinks)
}

/// A scanning thread: its own scanner, its own findings.
fn work(
    engine: &Engine,
    host: &Host,
    rx: &Mutex<Receiver<Vec<PathBuf>>>,
    progress: &Progress,
) -> (Vec<Finding>, Vec<Warning>, Stats) {
    let mut scanner = engine.scanner();
    let mut findings = Vec::new();
    let mut warnings = Vec::new();
    let mut stats = Stats::default();
    loop {
        let batch = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => break,
        };
        let Ok(batch) = batch else { break };
        for real in batch {
            let scanned = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                scanner.scan_found(host, &real)
            })) {
                Ok(scanned) => scanned,
                Err(_) => {
                    // A bug met on one file costs that file, not the thread.
                    scanner = engine.scanner();
                    Scanned {
                        warnings: vec![Warning::new(
                            host.display(&real),
                            "the scanner failed internally on this file; it was not judged",
                        )],
                        ..Scanned::default()
                    }
                }
            };
            stats.files += 1;
            stats.bytes += scanned.bytes;
            stats.suppressed += u64::from(scanned.suppressed);
            progress.files.fetch_add(1, Ordering::Relaxed);
            progress.bytes.fetch_add(scanned.bytes, Ordering::Relaxed);
            warnings.extend(scanned.warnings);
            if let Some(f) = scanned.finding {
                progress.hits.fetch_add(1, Ordering::Relaxed);
                findings.push(f);
            }
        }
    }
    (findings, warnings, stats)
}

/// Directories judged at most, per scanning thread, before the cache starts over.
const APP_CACHE: usize = 1024;
/// How many folders below a temp or upload folder may be an application's root
/// (`/tmp/restore/var/www/vhosts/example.com/httpdocs` is 6 down).
const APP_LEVELS: usize = 12;
/// Paths deeper than this (a hostile tree) are not looked at: the file is loose.
const APP_MAX_COMPONENTS: usize = 64;
/// Entries of one folder read at most to count its PHP files and folders.
const LISTING: usize = 4096;
/// PHP files and folders that make a folder of code, at least.
const MIN_PHP: usize = 5;
const MIN_FOLDERS: usize = 2;
/// Where an application keeps its code: `index.php` next to two of these, or
/// `composer.json` next to one, marks an application's root.
const CODE_DIRS: &[&str] = &[
    "admin",
    "administrator",
    "app",
    "application",
    "apps",
    "classes",
    "components",
    "config",
    "core",
    "ext",
    "extensions",
    "inc",
    "include",
    "includes",
    "language",
    "languages",
    "lib",
    "libraries",
    "libs",
    "modules",
    "plugins",
    "program",
    "skins",
    "sites",
    "src",
    "system",
    "templates",
    "themes",
    "vendor",
];

/// Tells a loose file in a temp or upload folder (`/tmp/x.php`, `/dev/shm/.x/run`,
/// `uploads/2024/05/info.php`) from one of an application tree unpacked there
/// (`/tmp/restore-2024/wp-includes/load.php`, `uploads/backup/wp-admin/x.php`).
///
/// The rule: a file belongs to an application tree when one of the folders between
/// the temp or upload folder and the file (at most [`APP_LEVELS`] down, none of
/// them hidden on the way) bears the marks of an application's root — see
/// [`is_app_root`]. The marks are names probed with `lstat` and, failing those,
/// the first [`LISTING`] entries of the folder's listing (as the walk itself reads
/// it), so judging a folder costs a few system calls whatever its size or depth,
/// opens no file and follows no symlink. One cache per scanning thread holds the
/// verdicts of at most [`APP_CACHE`] folders.
///
/// Without a host (bytes scanned as a path: `FileScanner::scan_bytes`) nothing is
/// known of the surroundings and a file is judged loose, as before this existed:
/// the cautious side for an investigator.
#[derive(Debug, Default)]
pub(crate) struct AppTrees {
    roots: HashMap<PathBuf, bool>,
}

impl AppTrees {
    /// For a file at `real` (a path on this machine under the host's root) in a temp
    /// or upload folder: its path below the root of the application tree it belongs
    /// to (`/wp-content/uploads/x.php`), escaped; `None` when it is loose there or
    /// in no such folder.
    pub(crate) fn path_in_app(
        &mut self,
        host: &Host,
        places: &Places,
        real: &Path,
    ) -> Option<String> {
        let host_path = host.host_path(real);
        let in_place = |p: &Path| {
            let s = p.to_string_lossy();
            (places.is_temp)(&s) || (places.in_uploads)(&s)
        };
        if !in_place(&host_path) {
            return None;
        }
        let parts: Vec<_> = host_path.components().collect();
        if parts.len() > APP_MAX_COMPONENTS {
            return None;
        }
        // Every folder above the file, from the top; the file itself is no root.
        let (_file, folders) = parts.split_last()?;
        let mut prefix = PathBuf::new();
        let mut dir = host.root().to_path_buf();
        let mut levels = 0;
        let mut app = None;
        for (n, part) in folders.iter().enumerate() {
            prefix.push(part);
            if let Component::Normal(name) = part {
                dir.push(name);
            }
            if !in_place(&prefix) {
                continue;
            }
            levels += 1;
            let hidden = part.as_os_str().as_encoded_bytes().first() == Some(&b'.');
            if levels > APP_LEVELS || hidden {
                break;
            }
            if self.is_app_root(&dir) {
                app = Some(n + 1);
            }
        }
        let below: PathBuf = parts[app?..].iter().collect();
        Some(format!("/{}", escape_path(&below)))
    }

    fn is_app_root(&mut self, dir: &Path) -> bool {
        if let Some(known) = self.roots.get(dir) {
            return *known;
        }
        if self.roots.len() >= APP_CACHE {
            self.roots.clear();
        }
        let verdict = is_app_root(dir);
        self.roots.insert(dir.to_path_buf(), verdict);
        verdict
    }
}

/// The marks of an application's root in `dir` (not followed if a symlink):
/// WordPress (`wp-includes/` and `wp-admin/`), a Composer project (`composer.json`
/// and a code folder: `vendor/`, `src/`, `lib/`…), a CMS or framework root
/// (`index.php` and two code folders: Joomla, Drupal, phpBB, MediaWiki, Nextcloud,
/// a `wp-content` folder…), a WordPress theme (`style.css` and `functions.php`), a
/// WordPress plugin (`NAME/NAME.php` and `readme.txt`), a copy of a whole system
/// (`etc/` and `usr/`), or else a folder of code ([`many_php_and_folders`]: a
/// library's tree). A lone script, a hidden folder of tools, a folder of session
/// files or a year/month upload folder has none of them. A `.git` folder alone is
/// no mark: a tool cloned and built in `/tmp` (a miner) has one.
fn is_app_root(dir: &Path) -> bool {
    let is = |name: &str, dir_wanted: bool| {
        std::fs::symlink_metadata(dir.join(name)).is_ok_and(|m| {
            if dir_wanted {
                m.file_type().is_dir()
            } else {
                m.file_type().is_file()
            }
        })
    };
    let code_dirs =
        |want: usize| CODE_DIRS.iter().filter(|d| is(d, true)).take(want).count() >= want;
    if matches!(std::fs::symlink_metadata(dir), Ok(m) if !m.file_type().is_dir()) {
        return false;
    }
    let plugin_file = dir
        .file_name()
        .map(|n| format!("{}.php", n.to_string_lossy()));
    (is("wp-includes", true) && is("wp-admin", true))
        || (is("composer.json", false) && code_dirs(1))
        || (is("index.php", false) && code_dirs(2))
        || (is("style.css", false) && is("functions.php", false))
        || (plugin_file.is_some_and(|f| is(&f, false)) && is("readme.txt", false))
        || (is("etc", true) && is("usr", true))
        || many_php_and_folders(dir)
}

/// A folder of code: at least [`MIN_PHP`] PHP files and [`MIN_FOLDERS`] folders
/// (not hidden, not a year or month of uploads) among the first [`LISTING`]
/// entries of `dir` (a library's tree: `Symfony/Component/Yaml`).
fn many_php_and_folders(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let (mut php, mut folders) = (0, 0);
    for entry in entries.take(LISTING).flatten() {
        let name = entry.file_name();
        let name = name.as_encoded_bytes();
        if name.first() == Some(&b'.') {
            continue;
        }
        match entry.file_type() {
            Ok(t) if t.is_dir() && !name.iter().all(u8::is_ascii_digit) => folders += 1,
            Ok(t) if t.is_file() && is_php_name(name) => php += 1,
            _ => {}
        }
        if php >= MIN_PHP && folders >= MIN_FOLDERS {
            return true;
        }
    }
    false
}

fn is_php_name(name: &[u8]) -> bool {
    let ext = name.rsplit(|b| *b == b'.').next().unwrap_or_default();
    name.len() > ext.len()
        && [&b"php"[..], b"inc", b"phtml"]
            .iter()
            .any(|e| ext.eq_ignore_ascii_case(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_temp(p: &str) -> bool {
        p.strip_prefix("/tmp").is_some_and(|r| r.starts_with('/'))
    }
    fn in_uploads(p: &str) -> bool {
        p.contains("/uploads/")
    }
    const PLACES: Places = Places {
        is_temp,
        in_uploads,
    };

    fn touch(root: &Path, rel: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b"<?php\n").unwrap();
    }

    #[test]
    fn app_trees_and_loose_files() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        for f in [
            "tmp/restore/wp-includes/load.php",
            "tmp/restore/wp-admin/index.php",
            "tmp/restore/wp-content/uploads/2024/x.php",
            "tmp/restore/.x/y.php",
            "tmp/x.php",
            "tmp/.x/wp-includes/a.php",
            "tmp/.x/wp-admin/a.php",
            "tmp/lone/shell.php",
            "tmp/akismet/akismet.php",
            "tmp/akismet/readme.txt",
            "tmp/theme/style.css",
            "tmp/theme/functions.php",
            "tmp/lib/composer.json",
            "tmp/lib/src/A.php",
            "tmp/cms/index.php",
            "tmp/cms/includes/a.php",
            "tmp/cms/modules/b.php",
            "tmp/site/uploads/backup/index.php",
            "tmp/site/uploads/backup/lib/a.php",
            "tmp/site/uploads/backup/includes/b.php",
            "tmp/site/uploads/2024/05/info.php",
            "srv/www/app.php",
        ] {
            touch(r, f);
        }
        for i in 0..6 {
            touch(r, &format!("tmp/Yaml/F{i}.php"));
            touch(r, &format!("tmp/site/uploads/2024/s{i}.php"));
            touch(r, &format!("tmp/flat/s{i}.php"));
        }
        touch(r, "tmp/Yaml/Exception/E.php");
        touch(r, "tmp/Yaml/Tag/T.php");
        touch(r, "tmp/site/uploads/2024/06/a.jpg");
        touch(r, "tmp/flat/css/a.css");
        std::fs::create_dir_all(r.join("tmp/sys/etc")).unwrap();
        touch(r, "tmp/sys/usr/bin/tool");
        let host = Host::image(r).unwrap();
        let mut trees = AppTrees::default();
        let mut at = |p: &str| trees.path_in_app(&host, &PLACES, &host.locate(p));
        assert_eq!(
            at("/tmp/restore/wp-includes/load.php").as_deref(),
            Some("/wp-includes/load.php")
        );
        assert_eq!(
            at("/tmp/restore/wp-admin/index.php").as_deref(),
            Some("/wp-admin/index.php")
        );
        assert_eq!(
            at("/tmp/restore/wp-content/uploads/2024/x.php").as_deref(),
            Some("/wp-content/uploads/2024/x.php")
        );
        assert_eq!(at("/tmp/restore/.x/y.php").as_deref(), Some("/.x/y.php"));
        assert_eq!(at("/tmp/x.php"), None);
        assert_eq!(at("/tmp/.x/wp-includes/a.php"), None, "hidden on the way");
        assert_eq!(at("/tmp/lone/shell.php"), None);
        assert_eq!(
            at("/tmp/akismet/akismet.php").as_deref(),
            Some("/akismet.php")
        );
        assert_eq!(
            at("/tmp/theme/functions.php").as_deref(),
            Some("/functions.php")
        );
        assert_eq!(at("/tmp/lib/src/A.php").as_deref(), Some("/src/A.php"));
        assert_eq!(
            at("/tmp/cms/modules/b.php").as_deref(),
            Some("/modules/b.php")
        );
        assert_eq!(
            at("/tmp/sys/usr/bin/tool").as_deref(),
            Some("/usr/bin/tool")
        );
        // The innermost root decides what lies below it.
        assert_eq!(
            at("/tmp/site/uploads/backup/lib/a.php").as_deref(),
            Some("/lib/a.php")
        );
        assert_eq!(at("/tmp/site/uploads/2024/05/info.php"), None);
        assert_eq!(at("/tmp/Yaml/Tag/T.php").as_deref(), Some("/Tag/T.php"));
        assert_eq!(
            at("/tmp/site/uploads/2024/s1.php"),
            None,
            "months are no code"
        );
        assert_eq!(at("/tmp/flat/s1.php"), None, "one folder is not enough");
        assert_eq!(
            at("/srv/www/app.php"),
            None,
            "not in a temp or upload folder"
        );
        assert_eq!(at("/tmp/nowhere/x.php"), None);
    }
}
