//! Where sshd looks for keys: `AuthorizedKeysFile` in `/etc/ssh/sshd_config` and the
//! files it `Include`s (a plain path, or a wildcard in the last component), with the
//! `%h`, `%u`, `%U` and `%%` tokens expanded per account.

use crate::Context;
use breachkit_host::{User, lines, wildcard};
use std::path::{Path, PathBuf};

const SSHD_CONFIG: &str = "/etc/ssh/sshd_config";
/// sshd's own default when `AuthorizedKeysFile` is not set.
const DEFAULT_FILES: [&str; 2] = [".ssh/authorized_keys", ".ssh/authorized_keys2"];
const MAX_CONFIG: u64 = 1 << 20;
const MAX_LINE: usize = 16 << 10;
/// sshd stops at 16 levels of `Include` too.
const MAX_DEPTH: usize = 16;

/// One `AuthorizedKeysFile` value, tokens not yet expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysFile(String);

impl KeysFile {
    /// True when each account has its own file (relative to the home, or with a
    /// token); false for one absolute file that every account shares.
    pub fn per_account(&self) -> bool {
        !self.0.starts_with('/') || ["%h", "%u", "%U"].iter().any(|t| self.0.contains(t))
    }

    /// The host path for one home and its owner; `None` when a token needs an owner
    /// that is unknown or the value has a token sshd does not know (it refuses those).
    pub fn expand(&self, home: &Path, owner: Option<&User>) -> Option<PathBuf> {
        let mut out = String::with_capacity(self.0.len());
        let mut chars = self.0.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('%') => out.push('%'),
                Some('h') => out.push_str(home.to_str()?),
                Some('u') => out.push_str(&owner?.name),
                Some('U') => out.push_str(&owner?.uid.to_string()),
                _ => return None,
            }
        }
        let path = PathBuf::from(out);
        Some(if path.is_absolute() {
            path
        } else {
            home.join(path)
        })
    }
}

/// The key files sshd reads: the first `AuthorizedKeysFile` outside `Match` blocks
/// (or sshd's default), then any set inside `Match` blocks, which an attacker can add
/// for one account without touching the others.
pub fn keys_files(ctx: &mut Context) -> Vec<KeysFile> {
    let mut config = Config::default();
    config.read(ctx, Path::new(SSHD_CONFIG), false, 0);
    let mut files = config
        .global
        .unwrap_or_else(|| DEFAULT_FILES.map(|f| KeysFile(f.to_string())).to_vec());
    for f in config.in_match {
        if !files.contains(&f) {
            files.push(f);
        }
    }
    files
}

#[derive(Default)]
struct Config {
    global: Option<Vec<KeysFile>>,
    in_match: Vec<KeysFile>,
    seen: Vec<PathBuf>,
}

impl Config {
    fn read(&mut self, ctx: &mut Context, path: &Path, mut in_match: bool, depth: usize) {
        // Included twice (or in a loop): the first reading already counted.
        if self.seen.iter().any(|p| p == path) {
            return;
        }
        if depth > MAX_DEPTH {
            ctx.warn_at(
                breachkit_finding::escape_path(path),
                "more than 16 nested sshd Include levels; not read",
            );
            return;
        }
        self.seen.push(path.to_path_buf());
        let Some(content) = ctx.read(path, MAX_CONFIG) else {
            return;
        };
        for line in lines(&content.bytes, MAX_LINE) {
            let text = line.text();
            let Some((keyword, args)) = directive(&text) else {
                continue;
            };
            match keyword.as_str() {
                "match" => in_match = !args.first().is_some_and(|a| a.eq_ignore_ascii_case("all")),
                "include" => {
                    for pattern in args {
                        for file in included(ctx, pattern) {
                            self.read(ctx, &file, in_match, depth + 1);
                        }
                    }
                }
                "authorizedkeysfile" => {
                    let files = args
                        .iter()
                        .filter(|a| !a.eq_ignore_ascii_case("none"))
                        .map(|a| KeysFile(a.to_string()));
                    if in_match {
                        self.in_match.extend(files);
                    } else if self.global.is_none() {
                        self.global = Some(files.collect());
                    }
                }
                _ => {}
            }
        }
    }
}

/// A config line as its lower-cased keyword and arguments (`Keyword args` or
/// `Keyword=args`); `None` for blank lines and comments.
fn directive(line: &str) -> Option<(String, Vec<&str>)> {
    let t = line.trim();
    if t.is_empty() || t.starts_with('#') {
        return None;
    }
    let end = t
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(t.len());
    let (keyword, rest) = t.split_at(end);
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest);
    let args = rest
        .split_whitespace()
        .take_while(|a| !a.starts_with('#'))
        .map(|a| a.trim_matches('"'))
        .collect();
    Some((keyword.to_ascii_lowercase(), args))
}

/// The files an `Include` names: relative to `/etc/ssh`, a wildcard allowed in the
/// last component only (in name order, as glob(3) gives them).
fn included(ctx: &mut Context, pattern: &str) -> Vec<PathBuf> {
    let path = Path::new("/etc/ssh").join(pattern);
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return Vec::new();
    };
    if dir.to_str().is_none_or(|d| d.contains(['*', '?', '['])) {
        ctx.warn_at(
            breachkit_finding::escape_path(&path),
            "sshd Include with a wildcard in a directory name; those files were not checked",
        );
        return Vec::new();
    }
    if !name.contains(['*', '?']) {
        return vec![path];
    }
    ctx.walk(dir, 1)
        .into_iter()
        .filter(|e| !e.meta.is_dir() && wildcard(name.as_bytes(), e.file_name().as_bytes()))
        .map(|e| e.host)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, uid: u32) -> User {
        User {
            name: name.to_string(),
            uid,
            gid: uid,
            home: PathBuf::from("/home/x"),
            shell: "/bin/bash".to_string(),
            line: 1,
        }
    }

    #[test]
    fn tokens_expand_relative_to_the_home() {
        let home = Path::new("/var/www");
        let u = user("www-data", 33);
        let exp = |s: &str| KeysFile(s.to_string()).expand(home, Some(&u));
        assert_eq!(
            exp(".ssh/authorized_keys"),
            Some(PathBuf::from("/var/www/.ssh/authorized_keys"))
        );
        assert_eq!(
            exp("/etc/ssh/keys/%u"),
            Some(PathBuf::from("/etc/ssh/keys/www-data"))
        );
        assert_eq!(
            exp("%h/.k_%U_100%%"),
            Some(PathBuf::from("/var/www/.k_33_100%"))
        );
        assert_eq!(exp("%x"), None);
        assert_eq!(KeysFile("/etc/ssh/keys/%u".into()).expand(home, None), None);
        assert!(!KeysFile("/etc/ssh/all_keys".into()).per_account());
        assert!(KeysFile("/etc/ssh/keys/%u".into()).per_account());
        assert!(KeysFile(".ssh/authorized_keys".into()).per_account());
    }

    #[test]
    fn directives_take_both_spellings() {
        assert_eq!(
            directive("  AuthorizedKeysFile  .ssh/a  \".ssh/b\" # old"),
            Some(("authorizedkeysfile".to_string(), vec![".ssh/a", ".ssh/b"]))
        );
        assert_eq!(
            directive("AuthorizedKeysFile=.ssh/a"),
            Some(("authorizedkeysfile".to_string(), vec![".ssh/a"]))
        );
        assert_eq!(directive("# AuthorizedKeysFile x"), None);
    }

    #[test]
    fn wildcards_match_like_glob() {
        assert!(wildcard(b"*.conf", b"50-cloud-init.conf"));
        assert!(!wildcard(b"*.conf", b"50-cloud-init.conf~"));
        assert!(!wildcard(b"*.conf", b".hidden.conf"));
        assert!(wildcard(b"a?c*", b"abcdef"));
        assert!(wildcard(b"*a*a*a*a*a*b", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaab"));
        assert!(!wildcard(
            b"*a*a*a*a*a*b",
            b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        ));
    }
}
