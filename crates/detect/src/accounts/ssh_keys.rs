//! The `authorized_keys` files of every home: keys of service accounts, files
//! changed after the last package change, key files that are symlinks, and (through
//! `key_options`) what each key's options do.

use super::{authorized_keys, key_options, sshd_config};
use crate::Context;
use breachkit_finding::{Rule, Severity, Step, escape_bytes, escape_path};
use breachkit_host::{Accounts, User, lines};
use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

const MAX_KEYS_FILE: u64 = 4 << 20;
/// Certificates make key lines a few KiB; nothing honest comes near this.
const MAX_LINE: usize = 64 << 10;
const DAY: i64 = 86_400;
/// Package databases whose modification time is the last install or upgrade.
const PACKAGE_DBS: [&str; 3] = [
    "/var/lib/dpkg/status",
    "/var/lib/rpm/rpmdb.sqlite",
    "/var/lib/rpm/Packages",
];

const SERVICE_KEY: Rule = Rule {
    id: "ssh.service-account-key",
    step: Step::Aware,
    severity: Severity::High,
    title: "A service account has SSH keys",
    explanation: "Service accounts (the web server, databases, daemons) run programs; nobody logs in as them. An authorized_keys file in such an account's home lets whoever holds the key log in as that account, and even with a nologin shell the key still opens tunnels (ssh -N). Attackers who got a webshell add one because the web server can write its own home.",
    mitre: Some("T1098.004"),
    next_step: "Keep a copy for evidence, then remove the file. Look in auth.log for \"Accepted publickey for\" this account, and find how the file was written (web logs around its date).",
};

const KEYS_RECENT: Rule = Rule {
    id: "ssh.keys-recent",
    step: Step::Aware,
    severity: Severity::Low,
    title: "SSH keys changed after the last package change",
    explanation: "This authorized_keys file changed more than a day after the last package install or upgrade. That happens when someone adds their own key; it is also what an attacker who adds theirs leaves behind. Compare the date with the time of the break-in.",
    mitre: Some("T1098.004"),
    next_step: "Ask who added which key; remove keys nobody claims, and look in auth.log for logins with them (\"Accepted publickey\").",
};

const KEYS_SYMLINK: Rule = Rule {
    id: "ssh.keys-symlink",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "An authorized_keys file is a symbolic link",
    explanation: "sshd follows the link and trusts whatever the target holds. Attackers point it at a file they can write (in /tmp or the web root) to add keys later, or keep their keys outside the home where nobody looks. breachkit did not follow it.",
    mitre: Some("T1098.004"),
    next_step: "Look at the target (ls -l); replace the link by a real file holding only the keys you trust.",
};

/// Checks the key files sshd would read for every home.
pub fn check(ctx: &mut Context, accounts: &Accounts) {
    let files = sshd_config::keys_files(ctx);
    let baseline = Baseline::of(ctx);
    let mut seen: Vec<PathBuf> = Vec::new();
    for (home, owner) in accounts.homes() {
        for file in &files {
            let Some(path) = file.expand(&home, owner) else {
                continue;
            };
            if seen.contains(&path) {
                continue;
            }
            let owner = owner.filter(|_| file.per_account());
            check_file(ctx, accounts, &path, owner, baseline.as_ref());
            seen.push(path);
        }
    }
}

/// Who a key in this file logs in as, for the explanation.
fn whose(owner: Option<&User>) -> String {
    match owner {
        Some(u) => format!("Whoever holds the key logs in as {}.", u.name),
        None => "sshd reads this file for every account.".to_string(),
    }
}

fn check_file(
    ctx: &mut Context,
    accounts: &Accounts,
    path: &Path,
    owner: Option<&User>,
    baseline: Option<&Baseline>,
) {
    let shown = escape_path(path);
    match ctx.host.lstat(path) {
        Err(e) if e.is_not_found() => return,
        Err(e) => {
            ctx.warn(&e);
            return;
        }
        Ok(meta) if meta.file_type().is_symlink() => {
            let target = std::fs::read_link(ctx.host.locate(path))
                .map(|t| escape_path(&t))
                .unwrap_or_else(|_| "?".to_string());
            ctx.report(
                KEYS_SYMLINK
                    .finding()
                    .path(&shown)
                    .evidence(format!("{shown} -> {target}"))
                    .note(whose(owner)),
            );
            return;
        }
        Ok(_) => {}
    }
    let Some(content) = ctx.read(path, MAX_KEYS_FILE) else {
        return;
    };
    let mut first_key: Option<(u64, String)> = None;
    for line in lines(&content.bytes, MAX_LINE) {
        let text = line.text();
        let t = text.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let parsed = if line.cut {
            Err("longer than 64 KiB")
        } else {
            authorized_keys::parse(t)
        };
        let key = match parsed {
            Ok(key) => key,
            Err(why) => {
                ctx.warn_at(
                    &shown,
                    format!("line {}: not a key line ({why}); ignored", line.number),
                );
                continue;
            }
        };
        // The key itself is long and says nothing to a person: show its start.
        let evidence = escape_bytes(line.bytes).replacen(&key.blob, &key.short_blob(), 1);
        let at = |rule: &Rule| {
            rule.finding()
                .path(&shown)
                .line(line.number)
                .evidence(&evidence)
        };
        for finding in key_options::findings(&key, at) {
            ctx.report(finding.note(whose(owner)));
        }
        first_key.get_or_insert((line.number, evidence));
    }
    let Some((line, evidence)) = first_key else {
        return;
    };
    if let Some(user) = owner.filter(|u| u.uid != 0 && accounts.is_service(u)) {
        let role = if user.is_web_account() {
            "runs the web server or a database"
        } else {
            "is a system account"
        };
        ctx.report(
            SERVICE_KEY
                .finding()
                .path(&shown)
                .line(line)
                .evidence(evidence)
                .note(format!(
                    "The account {} (UID {}) {role}.",
                    user.name, user.uid
                )),
        );
    }
    if let Some((time, why)) =
        baseline.and_then(|b| b.recent(content.meta.mtime(), content.meta.ctime()))
    {
        ctx.report(KEYS_RECENT.finding().path(&shown).unix_time(time).note(why));
    }
}

/// When packages last changed: the newest package database present.
struct Baseline {
    db: &'static str,
    mtime: i64,
    /// False when the database's ctime is far from its mtime, as after a copy or an
    /// extraction (every ctime is then the copy's time and says nothing).
    trust_ctime: bool,
}

impl Baseline {
    fn of(ctx: &Context) -> Option<Baseline> {
        PACKAGE_DBS
            .iter()
            .filter_map(|db| {
                let meta = ctx.host.lstat(db).ok().filter(Metadata::is_file)?;
                Some(Baseline {
                    db,
                    mtime: meta.mtime(),
                    trust_ctime: meta.ctime().abs_diff(meta.mtime()) <= DAY.unsigned_abs(),
                })
            })
            .max_by_key(|b| b.mtime)
    }

    /// When a file with these times changed and why that counts as recent, if it does.
    fn recent(&self, mtime: i64, ctime: i64) -> Option<(i64, String)> {
        // Times come from the host (an image can hold any): no overflow.
        let days = |t: i64| t.saturating_sub(self.mtime) / DAY;
        let after = self.mtime.saturating_add(DAY);
        if mtime > after {
            return Some((
                mtime,
                format!(
                    "It was modified {} days after the last package change ({} was last written then).",
                    days(mtime),
                    self.db
                ),
            ));
        }
        if self.trust_ctime && ctime > after {
            return Some((
                ctime,
                format!(
                    "Its modification time looks old, but its inode change time (ctime, which touch cannot set back) is {} days after the last package change ({}): the date was probably faked.",
                    days(ctime),
                    self.db
                ),
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_by_mtime_or_by_a_trusted_ctime() {
        let base = |trust_ctime| Baseline {
            db: "/var/lib/dpkg/status",
            mtime: 1_000 * DAY,
            trust_ctime,
        };
        let old = 900 * DAY;
        let new = 1_010 * DAY;
        assert!(base(true).recent(old, old).is_none());
        assert!(base(true).recent(1_000 * DAY + 3_600, old).is_none());
        let (t, why) = base(false).recent(new, new).unwrap();
        assert_eq!(t, new);
        assert!(why.contains("10 days after"), "{why}");
        let (t, why) = base(true).recent(old, new).unwrap();
        assert_eq!(t, new);
        assert!(why.contains("ctime"), "{why}");
        // After a copy every ctime is the copy's: not evidence.
        assert!(base(false).recent(old, new).is_none());
    }

    #[test]
    fn extreme_times_from_an_image_do_not_overflow() {
        let at = |mtime| Baseline {
            db: "/var/lib/dpkg/status",
            mtime,
            trust_ctime: true,
        };
        assert!(at(i64::MAX).recent(i64::MAX, i64::MAX).is_none());
        let (t, _) = at(i64::MIN).recent(i64::MAX, i64::MIN).unwrap();
        assert_eq!(t, i64::MAX);
    }
}
