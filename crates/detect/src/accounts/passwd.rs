//! `/etc/passwd` and `/etc/shadow`: a second UID 0, empty password hashes, and
//! service accounts that can log in.

use crate::Context;
use breachkit_finding::{Finding, Rule, Severity, Step, escape_bytes};
use breachkit_host::{Accounts, User, lines};

const PASSWD: &str = "/etc/passwd";
const SHADOW: &str = "/etc/shadow";
/// The same bound `Accounts` reads with.
const MAX_ACCOUNT_FILE: u64 = 16 << 20;
const MAX_LINE: usize = 64 << 10;

/// Service accounts whose own package gives them a shell: (name, shell).
const PACKAGED_SHELLS: &[(&str, &str)] = &[("postgres", "/bin/bash")];

const UID0_DUPLICATE: Rule = Rule {
    id: "accounts.uid0-duplicate",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "An account other than root has UID 0",
    explanation: "The kernel knows users by number only: every account with UID 0 is root, whatever its name. Attackers add one (toor, sysadm, or a name that looks like a service) to log in as root with a password of their own. A healthy system has exactly one UID 0 account, root.",
    mitre: Some("T1136.001"),
    next_step: "Lock it at once (usermod -L -s /usr/sbin/nologin NAME), then remove the line with vipw (and vipw -s for /etc/shadow); look in auth.log for logins as it, and change root's credentials.",
};

const EMPTY_PASSWORD: Rule = Rule {
    id: "accounts.empty-password",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "An account has an empty password",
    explanation: "The password field of this account is empty: wherever PAM accepts empty passwords (su, the console, and sshd with PermitEmptyPasswords) anyone can log in as it without typing anything. Locked accounts show ! or * there, never nothing, so an empty field was set on purpose.",
    mitre: Some("T1098"),
    next_step: "Lock the account now (passwd -l NAME), then find who emptied the field (auth.log, shell history) and whether the account was used since.",
};

const SERVICE_SHELL: Rule = Rule {
    id: "accounts.service-shell",
    step: Step::Aware,
    severity: Severity::High,
    title: "A service account has a login shell",
    explanation: "Service accounts run programs, not people; they normally have /usr/sbin/nologin or /bin/false as their shell. With a real shell, a key, a password or a su into the account gives a full login. Attackers who got in through the web server give it a shell so they can come back as it.",
    mitre: Some("T1098"),
    next_step: "If nothing needs it, set the shell back (usermod -s /usr/sbin/nologin NAME), and check the account's home for SSH keys and shell history.",
};

pub fn check(ctx: &mut Context, accounts: &Accounts) {
    let passwd = reread(ctx, PASSWD);
    let passwd_lines: Vec<&[u8]> = passwd
        .as_deref()
        .map(|b| lines(b, MAX_LINE).map(|l| l.bytes).collect())
        .unwrap_or_default();
    let mut root_seen = false;
    for user in &accounts.users {
        let raw = passwd_lines
            .get((user.line as usize).saturating_sub(1))
            .copied();
        let at = |rule: &Rule| {
            let f = rule.finding().path(PASSWD).line(user.line);
            match raw {
                Some(bytes) => f.evidence(escape_bytes(bytes)),
                None => f,
            }
        };
        if user.uid == 0 {
            if user.name == "root" && !root_seen {
                root_seen = true;
            } else {
                ctx.report(at(&UID0_DUPLICATE).note(format!(
                    "Logging in as {} is logging in as root.",
                    user.name
                )));
            }
        }
        if raw.and_then(|r| r.split(|&b| b == b':').nth(1)) == Some(b"") {
            ctx.report(at(&EMPTY_PASSWORD).note(
                "The field is empty in /etc/passwd itself, so /etc/shadow is not even looked at.",
            ));
        }
        if accounts.is_service(user) && user.has_login_shell() {
            ctx.report(service_shell(at(&SERVICE_SHELL), user));
        }
    }
    let Some(shadow) = reread(ctx, SHADOW) else {
        return;
    };
    for line in lines(&shadow, MAX_LINE) {
        let mut fields = line.bytes.split(|&b| b == b':');
        let name = fields.next().unwrap_or_default();
        if matches!(name.first(), None | Some(b'#' | b'+' | b'-')) {
            continue;
        }
        if fields.next() == Some(b"") {
            ctx.report(
                EMPTY_PASSWORD
                    .finding()
                    .path(SHADOW)
                    .line(line.number)
                    .evidence(escape_bytes(line.bytes)),
            );
        }
    }
}

/// How bad a shell is depends on the account: the web server's is how webshells
/// come back; a few packages give theirs one on purpose.
fn service_shell(finding: Finding, user: &User) -> Finding {
    if PACKAGED_SHELLS.contains(&(user.name.as_str(), user.shell.as_str())) {
        finding.severity(Severity::Low).note(format!(
            "{} gets {} from its own package (Debian's PostgreSQL does this on purpose); check that nobody logs in with it.",
            user.name, user.shell
        ))
    } else if user.is_web_account() {
        finding.note(format!(
            "{} runs the web server or a database: with a shell, a webshell or a stolen key becomes a full login.",
            user.name
        ))
    } else {
        finding.severity(Severity::Low).note(format!(
            "{} is a system account; a few packages give theirs a shell, so check whether this one should have one.",
            user.name
        ))
    }
}

/// An account file `Accounts` has already read. Its problems (unreadable, a symlink,
/// a FIFO) are among the `Accounts` warnings this check forwards, so they are not
/// reported twice.
fn reread(ctx: &Context, path: &str) -> Option<Vec<u8>> {
    ctx.host.read(path, MAX_ACCOUNT_FILE).ok().map(|c| c.bytes)
}
