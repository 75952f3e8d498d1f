//! Shell history of every account (bash, zsh, fish, sh, mysql, python, psql): each
//! command is read with its line and, where the format records it, its time, and
//! judged by the shared command classifier. The files themselves tell too: linked to
//! `/dev/null`, emptied, or kept by a service account that never logs in.

use crate::Context;
use breachkit_finding::{Finding, Rule, Severity, Step, escape_bytes, escape_path};
use breachkit_host::lines;
use breachkit_scan::shellcmd::{self, SignKind};
use std::path::Path;

pub struct History;

impl crate::Check for History {
    fn name(&self) -> &'static str {
        "history"
    }

    fn about(&self) -> &'static str {
        "shell, mysql and python history of every account: download-and-run, reverse shells, wiping, new keys and accounts"
    }

    fn run(&self, ctx: &mut Context) {
        let accounts = ctx.host.accounts();
        for (home, owner) in accounts.homes() {
            let service = owner.is_some_and(|u| accounts.is_service(u));
            for (name, format) in FILES {
                check_file(ctx, &home.join(name), *format, service);
            }
        }
    }
}

/// How a history file stores commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// One command a line; bash's `#EPOCH` lines give the time of the next one.
    Plain,
    /// zsh extended history: `: EPOCH:DURATION;command`.
    Zsh,
    /// fish: `- cmd: command` then `  when: EPOCH`.
    Fish,
    /// mysql: spaces written as `\040`.
    Mysql,
}

const FILES: &[(&str, Format)] = &[
    (".bash_history", Format::Plain),
    (".sh_history", Format::Plain),
    (".ash_history", Format::Plain),
    (".history", Format::Plain),
    (".zsh_history", Format::Zsh),
    (".zhistory", Format::Zsh),
    (".histfile", Format::Zsh),
    (".local/share/fish/fish_history", Format::Fish),
    (".config/fish/fish_history", Format::Fish),
    (".mysql_history", Format::Mysql),
    (".python_history", Format::Plain),
    (".psql_history", Format::Plain),
];

/// The most of one history file that is read.
const MAX_FILE: u64 = 64 << 20;
/// The most of one line that is judged.
const MAX_LINE: usize = 64 << 10;
/// Findings of one rule in one file before the rest are summarised.
const MAX_PER_RULE: usize = 20;

const MITRE_HISTORY: Option<&str> = Some("T1059.004");

const DOWNLOAD_EXEC: Rule = Rule {
    id: "history.download-exec",
    step: Step::Aware,
    severity: Severity::High,
    title: "Shell history: a script downloaded and run",
    explanation: "Someone fetched code from the network and ran it straight away (curl … | sh). This is how droppers, miners and backdoors are installed.",
    mitre: Some("T1105"),
    next_step: "Find out what the URL served (proxy or web logs, the file if saved) and look for what it installed: new cron jobs, services, binaries in temp directories.",
};
const DECODE_EXEC: Rule = Rule {
    id: "history.decode-exec",
    step: Step::Aware,
    severity: Severity::High,
    title: "Shell history: encoded commands decoded and run",
    explanation: "A base64 (or similar) blob was decoded and run, which hides the real command from anyone reading the history.",
    mitre: Some("T1140"),
    next_step: "Decode the blob by hand (never pipe it to a shell) and follow what it did.",
};
const REVERSE_SHELL: Rule = Rule {
    id: "history.reverse-shell",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "Shell history: a reverse shell",
    explanation: "A shell was wired to a network connection (/dev/tcp, nc -e, a FIFO into nc, socat exec): someone took interactive control of this host.",
    mitre: Some("T1059.004"),
    next_step: "Note the remote address and time, isolate the host (breachkit quarantine), and check the process list for a live one.",
};
const TEMP_EXEC: Rule = Rule {
    id: "history.temp-exec",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "Shell history: a program run from a temp directory",
    explanation: "A file in /tmp, /var/tmp or /dev/shm was made executable or run. Attackers drop their tools there because anyone can write to them.",
    mitre: MITRE_HISTORY,
    next_step: "Look at that file (if it still exists) and at what else the same session did.",
};
const HIDDEN_EXEC: Rule = Rule {
    id: "history.hidden-exec",
    step: Step::Aware,
    severity: Severity::Low,
    title: "Shell history: a program run from a hidden directory",
    explanation: "A program in a directory whose name starts with a dot was run. Tools are sometimes installed there (~/.local/bin), and so is malware.",
    mitre: MITRE_HISTORY,
    next_step: "Check that the program is one you know.",
};
const WIPE: Rule = Rule {
    id: "history.wipe",
    step: Step::Aware,
    severity: Severity::High,
    title: "Shell history: history wiped or switched off",
    explanation: "The session cleared or disabled its own history (history -c, unset HISTFILE, HISTSIZE=0, history linked to /dev/null). Honest admins rarely do this; intruders nearly always do.",
    mitre: Some("T1070.003"),
    next_step: "What came before the wipe is gone from this file: look at the auth log for the session's login time and source, and at other users' histories.",
};
const LOG_WIPE: Rule = Rule {
    id: "history.log-wipe",
    step: Step::Aware,
    severity: Severity::High,
    title: "Shell history: system logs wiped",
    explanation: "Login records or system logs were deleted or emptied, to hide how and when someone got in.",
    mitre: Some("T1070.002"),
    next_step: "Look for the missing records elsewhere: rotated logs, the journal, a remote log server.",
};
const SSH_KEY: Rule = Rule {
    id: "history.ssh-key",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "Shell history: an SSH key added",
    explanation: "A key was appended to an authorized_keys file: whoever holds the private key can log in without a password.",
    mitre: Some("T1098.004"),
    next_step: "Compare the authorized_keys files with the keys you know; remove the others.",
};
const ACCOUNT_ADD: Rule = Rule {
    id: "history.account-add",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "Shell history: an account created",
    explanation: "A user account was created from the shell.",
    mitre: Some("T1136.001"),
    next_step: "Check that the account is one you made.",
};
const ROOT_ACCOUNT: Rule = Rule {
    id: "history.root-account",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "Shell history: an account given root rights",
    explanation: "An account was given UID 0 or put in the sudo/wheel/root group from the shell: a backdoor login with full rights.",
    mitre: Some("T1098"),
    next_step: "Find the account in /etc/passwd and /etc/group and remove it (after taking evidence).",
};
const FIREWALL_OFF: Rule = Rule {
    id: "history.firewall-off",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "Shell history: firewall or SELinux turned off",
    explanation: "The firewall was flushed or disabled, or SELinux set to permissive.",
    mitre: Some("T1562.004"),
    next_step: "Check the firewall is back as you configured it, and who ran this.",
};
const CHATTR: Rule = Rule {
    id: "history.chattr",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "Shell history: the immutable flag changed",
    explanation: "chattr +i makes a file undeletable even by root (malware protects its cron jobs and keys this way); chattr -i unlocks a file to change it.",
    mitre: Some("T1222.002"),
    next_step: "lsattr the named files; an immutable cron file or authorized_keys is a strong sign.",
};
const CRONTAB: Rule = Rule {
    id: "history.crontab",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "Shell history: a crontab installed from a file or a pipe",
    explanation: "A crontab was replaced non-interactively (… | crontab -, crontab FILE) or removed, the way scripts plant persistence.",
    mitre: Some("T1053.003"),
    next_step: "Read the user's crontab now (breachkit check reports suspicious cron jobs).",
};
const MINER: Rule = Rule {
    id: "history.miner",
    step: Step::Aware,
    severity: Severity::High,
    title: "Shell history: a cryptocurrency miner",
    explanation: "A miner, a mining pool or miner options appear in the history.",
    mitre: Some("T1496"),
    next_step: "Find and stop the miner; look for how it is restarted (cron, systemd).",
};
const DEVNULL_LINK: Rule = Rule {
    id: "history.devnull-link",
    step: Step::Aware,
    severity: Severity::High,
    title: "History file linked to /dev/null",
    explanation: "The history file is a link to /dev/null, so nothing typed in this account is kept. Intruders do this to leave no trace.",
    mitre: Some("T1070.003"),
    next_step: "Find who made the link (its ctime, the auth log at that time) and what the account did since.",
};
const LINKED: Rule = Rule {
    id: "history.symlink",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "History file is a symbolic link",
    explanation: "The history file points elsewhere (not followed). History files are normally plain files.",
    mitre: Some("T1070.003"),
    next_step: "See where it points and why.",
};
const EMPTIED: Rule = Rule {
    id: "history.emptied",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "History file emptied",
    explanation: "The history file exists but is empty: it was truncated. A shell that is used appends to it.",
    mitre: Some("T1070.003"),
    next_step: "Its modification time tells when it was emptied; look at the auth log around that time.",
};
const SERVICE_HISTORY: Rule = Rule {
    id: "history.service-account",
    step: Step::Aware,
    severity: Severity::High,
    title: "Shell history kept by a service account",
    explanation: "A service account (the web server, a database) never logs in, so it has no shell history, unless someone got a shell as that account: typically through a webshell.",
    mitre: Some("T1505.003"),
    next_step: "Read this file: it is the attacker's own record. Then look for the webshell in the web root.",
};

fn rule_for(kind: SignKind) -> Option<&'static Rule> {
    Some(match kind {
        SignKind::DownloadExec => &DOWNLOAD_EXEC,
        SignKind::DecodeExec => &DECODE_EXEC,
        SignKind::ReverseShell => &REVERSE_SHELL,
        SignKind::TempExec => &TEMP_EXEC,
        SignKind::HiddenExec => &HIDDEN_EXEC,
        SignKind::HistoryWipe => &WIPE,
        SignKind::LogWipe => &LOG_WIPE,
        SignKind::SshKeyAdd => &SSH_KEY,
        SignKind::AccountAdd => &ACCOUNT_ADD,
        SignKind::PrivilegedAccount => &ROOT_ACCOUNT,
        SignKind::FirewallOff => &FIREWALL_OFF,
        SignKind::Immutable => &CHATTR,
        SignKind::CrontabInstall => &CRONTAB,
        SignKind::Miner => &MINER,
        SignKind::Fetch => return None,
    })
}

fn check_file(ctx: &mut Context, host_path: &Path, format: Format, service: bool) {
    let meta = match ctx.host.lstat(host_path) {
        Ok(m) => m,
        Err(e) if e.is_not_found() => return,
        Err(e) => return ctx.warn(&e),
    };
    let shown = escape_path(host_path);
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(ctx.host.locate(host_path)).unwrap_or_default();
        let rule = if target == Path::new("/dev/null") {
            &DEVNULL_LINK
        } else {
            &LINKED
        };
        ctx.report(
            rule.finding()
                .path(&shown)
                .evidence(format!("-> {}", escape_path(&target))),
        );
        return;
    }
    if service {
        ctx.report(
            SERVICE_HISTORY
                .finding()
                .path(&shown)
                .evidence(format!("{} bytes", meta.len())),
        );
    }
    let Some(content) = ctx.read(host_path, MAX_FILE) else {
        return;
    };
    if content.bytes.is_empty() && !service {
        ctx.report(EMPTIED.finding().path(&shown));
        return;
    }
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for cmd in commands(&content.bytes, format) {
        if cmd.cut {
            ctx.warn_at(
                &shown,
                format!(
                    "line {} is longer than {MAX_LINE} bytes; only its start was checked",
                    cmd.line
                ),
            );
        }
        for sign in shellcmd::classify(&cmd.text) {
            let Some(rule) = rule_for(sign.kind) else {
                continue;
            };
            let n = bump(&mut counts, rule.id);
            if n > MAX_PER_RULE {
                continue;
            }
            let mut f: Finding = rule
                .finding()
                .path(&shown)
                .line(cmd.line)
                .evidence(cmd.raw.as_str());
            if let Some(t) = cmd.time {
                f = f.unix_time(t);
            }
            ctx.report(f);
        }
    }
    for (rule, n) in counts.into_iter().filter(|(_, n)| *n > MAX_PER_RULE) {
        ctx.warn_at(
            &shown,
            format!("{n} lines match {rule}; only the first {MAX_PER_RULE} are reported"),
        );
    }
}

fn bump(counts: &mut Vec<(&'static str, usize)>, id: &'static str) -> usize {
    match counts.iter_mut().find(|(r, _)| *r == id) {
        Some((_, n)) => {
            *n += 1;
            *n
        }
        None => {
            counts.push((id, 1));
            1
        }
    }
}

/// One command of a history file.
#[derive(Debug, PartialEq, Eq)]
struct Command {
    line: u64,
    /// The command, invalid UTF-8 replaced, for matching.
    text: String,
    /// The whole line as it is in the file (lossless-escaped), for the evidence.
    raw: String,
    time: Option<i64>,
    cut: bool,
}

/// The commands of a history file in the given format.
fn commands(bytes: &[u8], format: Format) -> Vec<Command> {
    let mut out: Vec<Command> = Vec::new();
    let mut pending_time: Option<i64> = None;
    for line in lines(bytes, MAX_LINE) {
        let text = line.text();
        let (cmd, time): (String, Option<i64>) = match format {
            Format::Plain => {
                if let Some(t) = text
                    .strip_prefix('#')
                    .and_then(|t| t.trim().parse::<i64>().ok())
                {
                    pending_time = Some(t);
                    continue;
                }
                (text.into_owned(), pending_time.take())
            }
            Format::Zsh => match text.strip_prefix(": ").and_then(|r| r.split_once(';')) {
                Some((meta, cmd)) => (
                    cmd.to_string(),
                    meta.split(':').next().and_then(|t| t.trim().parse().ok()),
                ),
                None => (text.into_owned(), None),
            },
            Format::Fish => {
                if let Some(t) = text.trim_start().strip_prefix("when:") {
                    if let (Some(last), Ok(t)) = (out.last_mut(), t.trim().parse()) {
                        last.time = Some(t);
                    }
                    continue;
                }
                match text.strip_prefix("- cmd: ") {
                    Some(cmd) => (cmd.replace("\\n", "\n").replace("\\\\", "\\"), None),
                    None => continue,
                }
            }
            Format::Mysql => (text.replace("\\040", " "), None),
        };
        if cmd.trim().is_empty() {
            continue;
        }
        out.push(Command {
            line: line.number,
            text: cmd,
            raw: escape_bytes(line.bytes),
            time,
            cut: line.cut,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_yield_commands_lines_and_times() {
        let bash = commands(b"#1700000000\nls\nid\n", Format::Plain);
        assert_eq!(bash.len(), 2);
        assert_eq!((bash[0].line, bash[0].time), (2, Some(1_700_000_000)));
        assert_eq!(bash[1].time, None);
        let zsh = commands(b": 1700000001:0;curl x | sh\n", Format::Zsh);
        assert_eq!(
            (zsh[0].text.as_str(), zsh[0].time),
            ("curl x | sh", Some(1_700_000_001))
        );
        let fish = commands(
            b"- cmd: echo a\\nb\n  when: 1700000002\n- cmd: ls\n",
            Format::Fish,
        );
        assert_eq!(fish.len(), 2);
        assert_eq!(
            (fish[0].text.as_str(), fish[0].time, fish[0].line),
            ("echo a\nb", Some(1_700_000_002), 1)
        );
        let mysql = commands(b"select\\040*\\040from\\040t;\n", Format::Mysql);
        assert_eq!(mysql[0].text, "select * from t;");
    }

    #[test]
    fn garbage_and_huge_lines_do_not_break_parsing() {
        let mut bytes = vec![0xff, 0xfe, 0, 1, 2, b'\n'];
        bytes.extend(std::iter::repeat_n(b'a', MAX_LINE + 10));
        bytes.extend(b"\nhistory -c\n");
        let cmds = commands(&bytes, Format::Plain);
        assert_eq!(cmds.len(), 3);
        assert!(cmds[1].cut);
        assert_eq!(cmds[2].text, "history -c");
    }
}
