//! The files a script downloads, followed to what it does with them: made
//! executable, run, deleted. Paths are resolved against the folder the script
//! changed into, so `cd /tmp; wget -O .x …; ./.x` and `wget -O /tmp/.x …; /tmp/.x`
//! are the same drop; a folder the script cannot know (`cd "$(mktemp -d)"`) is a
//! folder of its own, named `?N`.

use super::Seen;
use crate::heuristics::Heuristic;

/// Downloads followed per script, at most (a hostile script may have millions).
const MAX_FILES: usize = 64;
/// Path parts looked at, at most.
const MAX_PARTS: usize = 64;
/// Folders whose content anyone can write, where droppers put what they fetch.
const TEMP: &[&str] = &[
    "/tmp/",
    "/var/tmp/",
    "/dev/shm/",
    "/run/shm/",
    "/var/lib/php/sessions/",
];

#[derive(Debug)]
struct Drop {
    path: String,
    at: usize,
    executable: bool,
    ran: Option<usize>,
    /// It was started in the background: still running when deleted.
    background: bool,
    deleted: Option<usize>,
}

#[derive(Debug)]
pub(in crate::heuristics) struct Drops {
    cwd: String,
    unknown: u32,
    files: Vec<Drop>,
}

impl Default for Drops {
    fn default() -> Self {
        Drops {
            cwd: "?0".into(),
            unknown: 0,
            files: Vec::new(),
        }
    }
}

impl Drops {
    /// The script changes into `dir` (`cd`, `chdir`, `os.chdir`).
    pub fn cd(&mut self, dir: &str) {
        let dir = dir.trim();
        self.cwd = if dir.is_empty() || dir == "~" {
            "~".into()
        } else if dir == "-" || dir.contains(['$', '`', '*', '?', '\u{1}', '\u{2}', '\u{3}']) {
            self.unknown += 1;
            format!("?{}", self.unknown)
        } else {
            self.resolve(dir)
        };
    }

    /// `path` made absolute against the current folder, `.` and `..` resolved.
    pub fn resolve(&self, path: &str) -> String {
        let path = path.trim();
        let joined;
        let full = if path.starts_with('/') || path.starts_with('~') {
            path
        } else {
            joined = format!("{}/{}", self.cwd, path);
            &joined
        };
        let mut parts: Vec<&str> = Vec::new();
        for part in full.split('/').take(MAX_PARTS) {
            match part {
                "" | "." => {}
                ".." => {
                    if parts
                        .last()
                        .is_some_and(|p| !p.starts_with('?') && *p != "~")
                    {
                        parts.pop();
                    }
                }
                p => parts.push(p),
            }
        }
        let body = parts.join("/");
        if full.starts_with('/') {
            format!("/{body}")
        } else {
            body
        }
    }

    /// Whether `path` lies in a temp folder.
    pub fn in_temp(&self, path: &str) -> bool {
        let p = self.resolve(path);
        TEMP.iter().any(|t| p.starts_with(t))
    }

    /// The script saved what it downloaded at `path`.
    pub fn fetched(&mut self, path: &str, at: usize) {
        let path = self.resolve(path);
        if path.is_empty() || path.ends_with('/') || self.files.len() >= MAX_FILES {
            return;
        }
        if !self.files.iter().any(|f| f.path == path) {
            self.files.push(Drop {
                path,
                at,
                executable: false,
                ran: None,
                background: false,
                deleted: None,
            });
        }
    }

    /// `from` (a download, if it is one) is copied or moved to `to`.
    pub fn copied(&mut self, from: &str, to: &str, at: usize) {
        let from = self.resolve(from);
        if let Some(f) = self.files.iter().find(|f| f.path == from) {
            let name = f.path.rsplit('/').next().unwrap_or_default().to_string();
            let to = if to.ends_with('/') {
                format!("{to}{name}")
            } else {
                to.to_string()
            };
            let executable = f.executable;
            self.fetched(&to, at);
            let to = self.resolve(&to);
            if let Some(t) = self.files.iter_mut().find(|f| f.path == to) {
                t.executable |= executable;
            }
        }
    }

    pub fn made_executable(&mut self, pattern: &str) {
        let pattern = self.resolve(pattern);
        for f in &mut self.files {
            if glob(&pattern, &f.path) {
                f.executable = true;
            }
        }
    }

    /// The script runs `path` (in the background or not); whether it is a
    /// download.
    pub fn ran(&mut self, path: &str, background: bool, at: usize) -> bool {
        let path = self.resolve(path);
        let mut found = false;
        for f in &mut self.files {
            if f.path == path {
                f.ran.get_or_insert(at);
                f.background |= background;
                found = true;
            }
        }
        found
    }

    pub fn deleted(&mut self, pattern: &str, at: usize) {
        let pattern = self.resolve(pattern);
        for f in &mut self.files {
            if f.ran.is_some() && glob(&pattern, &f.path) {
                f.deleted.get_or_insert(at);
            }
        }
    }

    /// What the downloads show, as heuristics.
    pub fn report(&self, seen: &mut Seen) {
        for f in &self.files {
            if let Some(ran) = f.ran {
                seen.add(Heuristic::ScriptFetchRun, ran);
            }
            if (f.executable || f.ran.is_some()) && hidden(&f.path) {
                seen.add(Heuristic::ScriptHiddenDrop, f.at);
            }
            // An installer deleted once it finished is tidy; a program deleted
            // while it runs, or a hidden one or one in a temp folder, is hiding.
            let hiding =
                f.background || hidden(&f.path) || TEMP.iter().any(|t| f.path.starts_with(t));
            if let (Some(_), Some(deleted), true) = (f.ran, f.deleted, hiding) {
                seen.add(Heuristic::ScriptRunDelete, deleted);
            }
        }
    }
}

/// A dot-file, or a file in a hidden folder of a temp folder (`/tmp/.X11-unix/.x`
/// is hidden; `~/.local/bin/tool` is an ordinary install).
fn hidden(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    if name.starts_with('.') && name != "." && name != ".." {
        return true;
    }
    TEMP.iter().any(|t| {
        path.strip_prefix(t)
            .is_some_and(|rest| rest.split('/').any(|p| p.starts_with('.')))
    })
}

/// A pattern with at most one `*` (`*`, `.x*`, `/tmp/*`) matches `s`; more stars
/// match nothing, so the check stays linear.
fn glob(pattern: &str, s: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == s,
        Some((_, rest)) if rest.contains('*') => false,
        Some((head, tail)) => {
            s.len() >= head.len() + tail.len() && s.starts_with(head) && s.ends_with(tail)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heuristics(d: &Drops) -> Vec<Heuristic> {
        let mut seen = Seen::default();
        d.report(&mut seen);
        seen.0.iter().map(|(h, _)| *h).collect()
    }

    #[test]
    fn paths_resolve_against_the_folder_changed_into() {
        let mut d = Drops::default();
        assert_eq!(d.resolve("./x"), "?0/x");
        d.cd("/tmp");
        assert_eq!(d.resolve("./.x"), "/tmp/.x");
        assert_eq!(d.resolve("../var/./tmp//y"), "/var/tmp/y");
        d.cd("$(mktemp -d)");
        assert_eq!(d.resolve("x"), "?1/x");
        assert_eq!(d.resolve("../../x"), "?1/x");
        assert!(glob("/tmp/*", "/tmp/.x"));
        assert!(glob("*.sh", "/a/b.sh"));
        assert!(!glob("/tmp/a*", "/tmp/b"));
        assert!(!glob("/tmp/*a*", "/tmp/a"));
    }

    #[test]
    fn a_hidden_download_run_and_deleted() {
        let mut d = Drops::default();
        d.cd("/var/tmp");
        d.fetched(".x", 10);
        d.made_executable("/var/tmp/.x");
        assert!(d.ran("./.x", false, 20));
        d.deleted("*", 30);
        assert_eq!(
            heuristics(&d),
            [
                Heuristic::ScriptFetchRun,
                Heuristic::ScriptHiddenDrop,
                Heuristic::ScriptRunDelete
            ]
        );
        // A tarball downloaded and unpacked, its installer run: no drop was run.
        let mut d = Drops::default();
        d.fetched("site-1.2.tar.gz", 1);
        assert!(!d.ran("site-1.2/install.sh", false, 2));
        d.deleted("site-1.2.tar.gz", 3);
        assert!(heuristics(&d).is_empty());
        assert!(!hidden("/home/u/.local/bin/tool"));
        assert!(hidden("/dev/shm/.cache/kworker"));
    }
}
