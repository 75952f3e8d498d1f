//! Finding the logs: the standard places of Debian/Ubuntu, RHEL-family and cPanel
//! servers (and any `--log PATH`), each log grouped with its rotated siblings
//! (`auth.log`, `auth.log.1`, `auth.log.2.gz`, `secure-20240505`) oldest first, so
//! the rules read history in order. The systemd journal is one more family.

use crate::parse::Format;
use breachkit_finding::{Warning, escape_path};
use breachkit_host::{Entry, Host};
use std::collections::{BTreeMap, HashSet};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// One file of a family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFile {
    /// Host path.
    pub host: PathBuf,
    /// 0 for the live file; larger is older.
    pub rank: u64,
    /// Modification time, Unix seconds.
    pub mtime: i64,
    /// Device and inode when listed (a file swapped since was rotated).
    pub id: (u64, u64),
}

/// A log and its rotations, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    /// Host path of the live file (or the journal directory).
    pub base: PathBuf,
    pub format: Format,
    pub files: Vec<LogFile>,
}

impl Family {
    pub fn display(&self) -> String {
        escape_path(&self.base)
    }
}

/// syslog files, most specific first (a finding seen in two is kept from the first).
const SYSLOG_NAMES: &[&str] = &[
    "auth.log",
    "secure",
    "mail.log",
    "maillog",
    "cron",
    "cron.log",
    "daemon.log",
    "user.log",
    "syslog",
    "messages",
];
const WEB_DIRS: &[&str] = &[
    "/var/log/nginx",
    "/var/log/apache2",
    "/var/log/httpd",
    "/usr/local/apache/logs",
];
const DOMLOGS: &str = "/usr/local/apache/domlogs";
const JOURNAL_DIRS: &[&str] = &["/var/log/journal", "/run/log/journal"];

/// Other single logs: (directory, name, format).
const OTHERS: &[(&str, &str, Format)] = &[
    ("/var/log/exim4", "mainlog", Format::Exim),
    ("/var/log", "exim_mainlog", Format::Exim),
    ("/var/log/exim", "main.log", Format::Exim),
    ("/var/log/clamav", "clamav.log", Format::ClamAv),
    ("/var/log/clamav", "clamd.log", Format::ClamAv),
    ("/var/log/clamav", "clamscan.log", Format::ClamAv),
    ("/var/log", "clamd.log", Format::ClamAv),
    ("/var/log", "clamd.scan", Format::ClamAv),
    ("/usr/local/maldetect/logs", "event_log", Format::Syslog),
    ("/usr/local/maldetect", "event_log", Format::Syslog),
];

/// The log families at the standard places of the host.
pub fn standard(host: &Host, warnings: &mut Vec<Warning>) -> Vec<Family> {
    let mut out = Vec::new();
    let mut listed: BTreeMap<&str, Vec<(PathBuf, Vec<Entry>)>> = BTreeMap::new();
    let var_log = listed
        .entry("/var/log")
        .or_insert_with(|| families_in(host, "/var/log", 1, warnings));
    for name in SYSLOG_NAMES {
        out.extend(
            var_log
                .iter()
                .filter(|(base, _)| base.file_name().is_some_and(|n| n == *name))
                .map(|(base, files)| family(base, Format::Syslog, files)),
        );
    }
    for dir in WEB_DIRS {
        for (base, files) in families_in(host, dir, 1, warnings) {
            if let Some(format) = web_format(&base, false) {
                out.push(family(&base, format, &files));
            }
        }
    }
    for (base, files) in families_in(host, DOMLOGS, 2, warnings) {
        if let Some(format) = web_format(&base, true) {
            out.push(family(&base, format, &files));
        }
    }
    for (dir, name, format) in OTHERS {
        let families = listed
            .entry(dir)
            .or_insert_with(|| families_in(host, dir, 1, warnings));
        for (base, files) in families.iter() {
            if base.file_name().is_some_and(|n| n == *name) {
                out.push(family(base, *format, files));
            }
        }
    }
    out.extend(journals(host, warnings));
    dedupe(out)
}

/// The families of paths given with `--log` (host paths): a file with its rotated
/// siblings, or every log in a directory. The format follows the name, or is
/// found line by line.
pub fn given(host: &Host, paths: &[PathBuf], warnings: &mut Vec<Warning>) -> Vec<Family> {
    let mut out = Vec::new();
    for path in paths {
        let host_path = if path.is_absolute() {
            path.clone()
        } else {
            Path::new("/").join(path)
        };
        let entry = match host.entry(&host_path) {
            Ok(e) => e,
            Err(e) => {
                warnings.push(e.warning());
                continue;
            }
        };
        if entry.meta.is_dir() {
            if JOURNAL_DIRS.iter().any(|d| host_path == Path::new(d))
                || has_journal_files(host, &host_path)
            {
                out.push(journal_family(&host_path));
                continue;
            }
            for (base, files) in families_in(host, &host_path, 1, warnings) {
                out.push(family(&base, guess_format(&base), &files));
            }
            continue;
        }
        let Some(dir) = host_path.parent() else {
            continue;
        };
        let Some((base_name, _)) = rotation(&entry.file_name()) else {
            warnings.push(Warning::new(
                entry.display(),
                "compressed with a method other than gzip; not read",
            ));
            continue;
        };
        let base = dir.join(&base_name);
        let siblings: Vec<(PathBuf, Vec<Entry>)> = families_in(host, dir, 1, warnings)
            .into_iter()
            .filter(|(b, _)| *b == base)
            .collect();
        if siblings.is_empty() {
            // Not a regular file (a FIFO, a link): reading it says why.
            out.push(family(
                &base,
                guess_format(&base),
                std::slice::from_ref(&entry),
            ));
        }
        for (b, files) in siblings {
            out.push(family(&b, guess_format(&b), &files));
        }
    }
    dedupe(out)
}

/// The format a log's name says, for logs named by the user.
fn guess_format(base: &Path) -> Format {
    let name = base
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if SYSLOG_NAMES.contains(&name.as_str()) || name == "event_log" {
        return Format::Syslog;
    }
    if let Some((_, _, f)) = OTHERS.iter().find(|(_, n, _)| *n == name) {
        return *f;
    }
    let in_web_dir = WEB_DIRS
        .iter()
        .chain([&DOMLOGS])
        .any(|d| base.starts_with(d));
    match web_format(base, false) {
        Some(f) if in_web_dir || name.contains("access") || name.contains("error") => f,
        _ => Format::Auto,
    }
}

/// The format of a web server's log by name; `None` for logs of other shapes.
fn web_format(base: &Path, domlog: bool) -> Option<Format> {
    let name = base.file_name()?.to_string_lossy().to_ascii_lowercase();
    let skip = [
        "bytes_log",
        "ssl_request",
        "modsec",
        "suexec",
        "ftpxferlog",
        ".pid",
        ".bkup",
        "ftp.",
    ];
    if skip.iter().any(|s| name.contains(s)) {
        return None;
    }
    if name.contains("error") {
        return Some(Format::WebError);
    }
    if domlog || name.contains("access") || name.ends_with(".log") || name.ends_with("_log") {
        return Some(Format::WebAccess);
    }
    None
}

fn family(base: &Path, format: Format, entries: &[Entry]) -> Family {
    let mut files: Vec<LogFile> = entries
        .iter()
        .filter_map(|e| {
            let (_, rank) = rotation(&e.file_name())?;
            Some(LogFile {
                host: e.host.clone(),
                rank,
                mtime: e.meta.mtime(),
                id: (e.meta.dev(), e.meta.ino()),
            })
        })
        .collect();
    files.sort_by(|a, b| b.rank.cmp(&a.rank).then_with(|| a.host.cmp(&b.host)));
    Family {
        base: base.to_path_buf(),
        format,
        files,
    }
}

/// The files of a directory grouped by their log's base path (rotation suffixes
/// stripped). Symbolic links are left out (never followed); so are files
/// compressed with another method than gzip, with a warning.
fn families_in(
    host: &Host,
    dir: impl AsRef<Path>,
    depth: usize,
    warnings: &mut Vec<Warning>,
) -> Vec<(PathBuf, Vec<Entry>)> {
    let mut groups: BTreeMap<PathBuf, Vec<Entry>> = BTreeMap::new();
    for e in host.walk(dir, depth, warnings) {
        let ft = e.meta.file_type();
        if ft.is_symlink() && SYSLOG_NAMES.contains(&e.file_name().as_str()) {
            // A system log replaced by a link (to /dev/null, to hide logins).
            let target = std::fs::read_link(&e.real).unwrap_or_default();
            warnings.push(Warning::new(
                e.display(),
                format!(
                    "is a symbolic link to {}; not followed",
                    escape_path(&target)
                ),
            ));
        }
        if ft.is_dir() || ft.is_symlink() {
            continue;
        }
        let Some(parent) = e.host.parent() else {
            continue;
        };
        match rotation(&e.file_name()) {
            Some((base, _)) => groups.entry(parent.join(base)).or_default().push(e),
            None => {
                if is_log_name(&e.file_name()) {
                    warnings.push(Warning::new(
                        e.display(),
                        "compressed with a method other than gzip; not read",
                    ));
                }
            }
        }
    }
    groups.into_iter().collect()
}

/// True when an unreadable compressed file is a rotated log worth a warning.
fn is_log_name(name: &str) -> bool {
    name.contains("log") || SYSLOG_NAMES.iter().any(|n| name.starts_with(n))
}

/// A file name's log base name and rotation rank (0 live, larger older), or `None`
/// for a compression other than gzip.
pub fn rotation(name: &str) -> Option<(String, u64)> {
    if [".xz", ".bz2", ".zst", ".lz4", ".lzma", ".Z"]
        .iter()
        .any(|s| name.ends_with(s))
    {
        return None;
    }
    let (stem, gz) = match name.strip_suffix(".gz") {
        Some(s) => (s, true),
        None => (name, false),
    };
    if let Some((base, n)) = stem.rsplit_once('.')
        && !base.is_empty()
        && (1..=4).contains(&n.len())
        && n.bytes().all(|b| b.is_ascii_digit())
    {
        return Some((base.to_string(), n.parse().ok()?));
    }
    if let Some((base, date)) = stem.rsplit_once('-')
        && !base.is_empty()
        && (date.len() == 8 || date.len() == 10)
        && date.bytes().all(|b| b.is_ascii_digit())
    {
        // secure-20240505: a later date is a newer rotation.
        let d: u64 = date.get(..8)?.parse().ok()?;
        return Some((base.to_string(), 100_000_000 - d.min(99_999_999)));
    }
    Some((stem.to_string(), u64::from(gz)))
}

fn journals(host: &Host, _warnings: &mut Vec<Warning>) -> Vec<Family> {
    JOURNAL_DIRS
        .iter()
        .map(Path::new)
        .filter(|d| has_journal_files(host, d))
        .map(journal_family)
        .collect()
}

fn has_journal_files(host: &Host, dir: &Path) -> bool {
    let mut ignored = Vec::new();
    host.walk(dir, 2, &mut ignored).iter().any(|e| {
        e.is_file() && {
            let n = e.file_name();
            n.ends_with(".journal") || n.ends_with(".journal~")
        }
    })
}

fn journal_family(dir: &Path) -> Family {
    Family {
        base: dir.to_path_buf(),
        format: Format::Journal,
        files: Vec::new(),
    }
}

/// Drops families already listed and files listed twice (hard links, the same
/// file reached through two places).
fn dedupe(families: Vec<Family>) -> Vec<Family> {
    let mut seen_base = HashSet::new();
    let mut seen_file = HashSet::new();
    families
        .into_iter()
        .filter(|f| seen_base.insert(f.base.clone()))
        .map(|mut f| {
            f.files.retain(|file| seen_file.insert(file.id));
            f
        })
        .filter(|f| f.format == Format::Journal || !f.files.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use breachkit_testkit::FakeHost;

    #[test]
    fn rotation_suffixes() {
        assert_eq!(rotation("auth.log"), Some(("auth.log".into(), 0)));
        assert_eq!(rotation("auth.log.1"), Some(("auth.log".into(), 1)));
        assert_eq!(rotation("auth.log.12.gz"), Some(("auth.log".into(), 12)));
        let a = rotation("secure-20240505").unwrap();
        let b = rotation("secure-20240428.gz").unwrap();
        assert_eq!(a.0, "secure");
        assert!(b.1 > a.1 && a.1 > 0);
        assert_eq!(rotation("access.log.gz"), Some(("access.log".into(), 1)));
        assert_eq!(rotation("syslog.2.xz"), None);
        assert_eq!(rotation("example.com"), Some(("example.com".into(), 0)));
    }

    #[test]
    fn standard_places_group_rotations_oldest_first() {
        let h = FakeHost::empty();
        h.write("/var/log/auth.log", "a\n");
        h.write("/var/log/auth.log.1", "b\n");
        h.write("/var/log/auth.log.2.gz", "c");
        h.write("/var/log/auth.log.3.xz", "d");
        h.write("/var/log/nginx/access.log", "x\n");
        h.write("/var/log/nginx/error.log", "x\n");
        h.write("/var/log/nginx/nginx.pid", "1\n");
        h.write("/usr/local/apache/domlogs/bob/example.com-ssl_log", "x\n");
        h.write("/usr/local/apache/domlogs/bob/example.com-bytes_log", "x\n");
        h.write("/var/log/exim4/mainlog", "x\n");
        h.write("/var/log/journal/abc/system.journal", "x");
        h.symlink("/etc/shadow", "/var/log/syslog");
        let host = Host::image(h.root()).unwrap();
        let mut w = Vec::new();
        let fams = standard(&host, &mut w);
        let names: Vec<_> = fams
            .iter()
            .map(|f| (f.display(), f.format, f.files.len()))
            .collect();
        assert_eq!(
            names,
            [
                ("/var/log/auth.log".to_string(), Format::Syslog, 3),
                (
                    "/var/log/nginx/access.log".to_string(),
                    Format::WebAccess,
                    1
                ),
                ("/var/log/nginx/error.log".to_string(), Format::WebError, 1),
                (
                    "/usr/local/apache/domlogs/bob/example.com-ssl_log".to_string(),
                    Format::WebAccess,
                    1
                ),
                ("/var/log/exim4/mainlog".to_string(), Format::Exim, 1),
                ("/var/log/journal".to_string(), Format::Journal, 0),
            ]
        );
        let order: Vec<_> = fams[0].files.iter().map(|f| escape_path(&f.host)).collect();
        assert_eq!(
            order,
            [
                "/var/log/auth.log.2.gz",
                "/var/log/auth.log.1",
                "/var/log/auth.log"
            ]
        );
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w.iter().any(|w| w.message.contains("other than gzip")));
        assert!(
            w.iter()
                .any(|w| w.message.contains("symbolic link to /etc/shadow"))
        );
    }

    #[test]
    fn given_paths_bring_their_rotations_or_their_directory() {
        let h = FakeHost::empty();
        h.write("/srv/app/logs/app.log", "x\n");
        h.write("/srv/app/logs/app.log.1.gz", "x");
        h.write("/srv/app/logs/worker-access.log", "x\n");
        h.write("/opt/site/error.log", "x\n");
        h.write("/opt/site/error.log.1", "x\n");
        let host = Host::image(h.root()).unwrap();
        let mut w = Vec::new();
        let fams = given(
            &host,
            &[
                PathBuf::from("/opt/site/error.log"),
                PathBuf::from("/srv/app/logs"),
                PathBuf::from("/nope.log"),
            ],
            &mut w,
        );
        let names: Vec<_> = fams
            .iter()
            .map(|f| (f.display(), f.format, f.files.len()))
            .collect();
        assert_eq!(
            names,
            [
                ("/opt/site/error.log".to_string(), Format::WebError, 2),
                ("/srv/app/logs/app.log".to_string(), Format::Auto, 2),
                (
                    "/srv/app/logs/worker-access.log".to_string(),
                    Format::WebAccess,
                    1
                ),
            ]
        );
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].path.as_deref(), Some("/nope.log"));
    }
}
