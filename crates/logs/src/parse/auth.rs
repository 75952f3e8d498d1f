//! Messages of the programs that log logins and privilege: sshd, sudo, su, the
//! shadow tools (useradd, usermod, groupadd, passwd, chpasswd), crontab and systemd.

use crate::event::{CronAction, Kind};

/// The event of one message from `program`, if it is one the rules use.
pub fn message<'a>(program: &str, pid: Option<u32>, msg: &'a str) -> Option<Kind<'a>> {
    match program {
        "sshd" | "sshd-session" => sshd(msg),
        "sudo" => sudo(msg),
        "su" => su(msg),
        "useradd" | "usermod" | "groupadd" | "gpasswd" => shadow(msg),
        "passwd" | "chpasswd" => password(msg),
        "crontab" => crontab(msg),
        "systemd" if pid == Some(1) => systemd(msg),
        _ => None,
    }
}

fn sshd(msg: &str) -> Option<Kind<'_>> {
    if let Some(rest) = msg.strip_prefix("Failed ") {
        let (_method, rest) = rest.split_once(" for ")?;
        let (invalid_user, rest) = match rest.strip_prefix("invalid user ") {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let (user, source) = user_from(rest)?;
        return Some(Kind::SshFailed {
            user,
            source,
            invalid_user,
        });
    }
    if let Some(rest) = msg.strip_prefix("Invalid user ") {
        let (user, source) = user_from(rest)?;
        return Some(Kind::SshInvalidUser { user, source });
    }
    if let Some(rest) = msg.strip_prefix("Accepted ") {
        let (method, rest) = rest.split_once(" for ")?;
        let (user, source) = user_from(rest)?;
        // `… ssh2: ED25519 SHA256:AbC…`
        let key = rest.split_once(": ").and_then(|(_, k)| {
            k.split(' ')
                .find(|w| w.starts_with("SHA256:") || w.contains(':'))
        });
        return Some(Kind::SshAccepted {
            user,
            source,
            method,
            key,
        });
    }
    None
}

/// `NAME from ADDR port N …` (NAME may be empty, or contain spaces: take the last
/// ` from `).
fn user_from(s: &str) -> Option<(&str, &str)> {
    let head = s.split_once(" port ").map_or(s, |(head, _)| head);
    let (user, rest) = head.rsplit_once(" from ").or_else(|| {
        // An empty user name: `Invalid user  from 1.2.3.4`.
        head.strip_prefix("from ").map(|r| ("", r))
    })?;
    let source = rest.split(' ').next()?;
    Some((user.trim(), source))
}

/// `alice : TTY=pts/0 ; PWD=/x ; USER=root ; COMMAND=/bin/bash`.
fn sudo(msg: &str) -> Option<Kind<'_>> {
    let (by, rest) = msg.trim_start().split_once(" : ")?;
    let mut runas = "root";
    let mut command = "";
    let mut refused = false;
    for field in rest.split(" ; ") {
        if let Some(u) = field.strip_prefix("USER=") {
            runas = u;
        } else if let Some(c) = field.strip_prefix("COMMAND=") {
            command = c;
        } else if field.contains("NOT in sudoers")
            || field.contains("incorrect password")
            || field.contains("command not allowed")
        {
            refused = true;
        }
    }
    if command.is_empty() {
        return None;
    }
    // COMMAND= is the last field and may itself contain ` ; `.
    if let Some((_, c)) = rest.split_once("COMMAND=") {
        command = c;
    }
    Some(Kind::Sudo {
        by: by.trim(),
        runas,
        command,
        refused,
    })
}

/// `pam_unix(su:session): session opened for user root(uid=0) by alice(uid=1000)`.
fn su(msg: &str) -> Option<Kind<'_>> {
    let rest = msg
        .strip_prefix("pam_unix(su:session): ")
        .or_else(|| msg.strip_prefix("pam_unix(su-l:session): "))?;
    let rest = rest.strip_prefix("session opened for user ")?;
    let (to, by) = rest.split_once(" by ")?;
    fn name(s: &str) -> &str {
        s.split('(').next().unwrap_or("").trim()
    }
    let to = name(to);
    let by_uid = by
        .split_once("(uid=")
        .and_then(|(_, u)| u.split(')').next())
        .and_then(|u| u.parse().ok());
    let by = match name(by) {
        // `by (uid=33)`: no login name, the uid says who.
        "" => by.trim(),
        n => n,
    };
    Some(Kind::Su { to, by, by_uid })
}

fn shadow(msg: &str) -> Option<Kind<'_>> {
    if let Some(rest) = msg.strip_prefix("new user: ") {
        return Some(Kind::UserAdded {
            name: field(rest, "name=")?,
            uid: field(rest, "UID=").and_then(|u| u.parse().ok()),
            shell: field(rest, "shell="),
        });
    }
    if let Some(rest) = msg.strip_prefix("new group: ") {
        return Some(Kind::GroupAdded {
            name: field(rest, "name=")?,
            gid: field(rest, "GID=").and_then(|u| u.parse().ok()),
        });
    }
    if let Some(rest) = msg.strip_prefix("add '") {
        // `add 'evil' to group 'sudo'` (the shadow-group twin line is skipped).
        let (user, rest) = rest.split_once("' to group '")?;
        return Some(Kind::GroupMember {
            user,
            group: rest.strip_suffix('\'')?,
        });
    }
    if let Some(rest) = msg.strip_prefix("change user '") {
        let (user, rest) = rest.split_once("' UID from '")?;
        let (_, to) = rest.split_once("' to '")?;
        return Some(Kind::UidChanged {
            user,
            uid: to.strip_suffix('\'')?.parse().ok()?,
        });
    }
    if let Some(rest) = msg.strip_prefix("user ") {
        // gpasswd: `user evil added by root to group sudo`.
        let (user, rest) = rest.split_once(" added by ")?;
        let (_, group) = rest.split_once(" to group ")?;
        return Some(Kind::GroupMember { user, group });
    }
    None
}

/// `k=v, k=v` fields of the shadow tools.
fn field<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    s.split(", ")
        .find_map(|f| f.trim().strip_prefix(key))
        .map(|v| v.trim_end_matches(','))
}

/// `pam_unix(passwd:chauthtok): password changed for root`.
fn password(msg: &str) -> Option<Kind<'_>> {
    let (_, user) = msg.split_once("password changed for ")?;
    Some(Kind::PasswordChanged { user: user.trim() })
}

/// `(www-data) REPLACE (www-data)`.
fn crontab(msg: &str) -> Option<Kind<'_>> {
    let rest = msg.strip_prefix('(')?;
    let (by, rest) = rest.split_once(") ")?;
    let (action, user) = rest.split_once(" (")?;
    let action = match action {
        "BEGIN EDIT" => CronAction::BeginEdit,
        "REPLACE" => CronAction::Replace,
        "DELETE" => CronAction::Delete,
        _ => return None,
    };
    Some(Kind::Crontab {
        by,
        user: user.strip_suffix(')')?,
        action,
    })
}

/// `Started nginx.service - A high performance web server.` (systemd 250 and later
/// name the unit; older ones only give its description).
fn systemd(msg: &str) -> Option<Kind<'_>> {
    let rest = msg.strip_prefix("Started ")?;
    let unit = match rest.split_once(" - ") {
        Some((u, _)) if u.contains('.') && !u.contains(' ') => u,
        _ => rest.trim_end_matches('.'),
    };
    Some(Kind::UnitStarted { unit })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sshd_messages() {
        assert_eq!(
            message(
                "sshd",
                None,
                "Failed password for invalid user admin from 203.0.113.9 port 51234 ssh2"
            ),
            Some(Kind::SshFailed {
                user: "admin",
                source: "203.0.113.9",
                invalid_user: true
            })
        );
        assert_eq!(
            message(
                "sshd",
                None,
                "Accepted publickey for root from 203.0.113.5 port 2 ssh2: ED25519 SHA256:abcDEF"
            ),
            Some(Kind::SshAccepted {
                user: "root",
                source: "203.0.113.5",
                method: "publickey",
                key: Some("SHA256:abcDEF")
            })
        );
        assert_eq!(
            message("sshd", None, "Invalid user  from 198.51.100.1 port 9"),
            Some(Kind::SshInvalidUser {
                user: "",
                source: "198.51.100.1"
            })
        );
    }

    #[test]
    fn privilege_messages() {
        assert_eq!(
            message(
                "sudo",
                None,
                "www-data : TTY=unknown ; PWD=/var/www ; USER=root ; COMMAND=/bin/bash -c id ; x"
            ),
            Some(Kind::Sudo {
                by: "www-data",
                runas: "root",
                command: "/bin/bash -c id ; x",
                refused: false
            })
        );
        assert_eq!(
            message(
                "su",
                None,
                "pam_unix(su:session): session opened for user root(uid=0) by admin(uid=1000)"
            ),
            Some(Kind::Su {
                to: "root",
                by: "admin",
                by_uid: Some(1000)
            })
        );
        assert_eq!(
            message(
                "useradd",
                None,
                "new user: name=sysd, UID=0, GID=0, home=/root, shell=/bin/bash, from=/dev/pts/1"
            ),
            Some(Kind::UserAdded {
                name: "sysd",
                uid: Some(0),
                shell: Some("/bin/bash")
            })
        );
        assert_eq!(
            message(
                "su",
                None,
                "pam_unix(su-l:session): session opened for user root(uid=0) by (uid=33)"
            ),
            Some(Kind::Su {
                to: "root",
                by: "(uid=33)",
                by_uid: Some(33)
            })
        );
        assert_eq!(
            message("usermod", None, "add 'sysd' to group 'sudo'"),
            Some(Kind::GroupMember {
                user: "sysd",
                group: "sudo"
            })
        );
        assert_eq!(
            message("crontab", None, "(www-data) REPLACE (www-data)"),
            Some(Kind::Crontab {
                by: "www-data",
                user: "www-data",
                action: CronAction::Replace
            })
        );
        assert_eq!(
            message(
                "systemd",
                Some(1),
                "Started dbus-helper.service - D-Bus helper."
            ),
            Some(Kind::UnitStarted {
                unit: "dbus-helper.service"
            })
        );
        assert_eq!(
            message("systemd", Some(900), "Started x.service - y."),
            None
        );
    }
}
