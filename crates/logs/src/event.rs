//! What a log line says, as a typed event with a normalised UTC time (Unix
//! seconds). Strings borrow from the line; the rules copy only what they keep.

/// One event read from a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event<'a> {
    /// Unix seconds (UTC), when the line has a time that could be read.
    pub time: Option<i64>,
    pub kind: Kind<'a>,
}

/// Crontab actions logged by `crontab` (cron and cronie alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CronAction {
    BeginEdit,
    Replace,
    Delete,
}

/// What became of one message handed to the mail server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailStatus {
    Sent,
    Deferred,
    Bounced,
}

/// One HTTP request of an access log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebRequest<'a> {
    pub vhost: Option<&'a str>,
    pub source: &'a str,
    pub method: &'a str,
    /// The request target as logged (`/x.php?a=b`), not decoded.
    pub target: &'a str,
    pub status: u16,
    /// The response's size in bytes as logged (the body, or with headers for
    /// apache's `%O`); `None` for `-` or a field that is not a number.
    pub size: Option<u64>,
    pub agent: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind<'a> {
    /// sshd: a failed authentication (`Failed password for …`).
    SshFailed {
        user: &'a str,
        source: &'a str,
        invalid_user: bool,
    },
    /// sshd: a connection for an account that does not exist (`Invalid user …`).
    SshInvalidUser {
        user: &'a str,
        source: &'a str,
    },
    /// sshd: a login (`Accepted publickey for …`); `key` is the key's fingerprint.
    SshAccepted {
        user: &'a str,
        source: &'a str,
        method: &'a str,
        key: Option<&'a str>,
    },
    UserAdded {
        name: &'a str,
        uid: Option<u32>,
        /// The login shell given (`/usr/sbin/nologin` for a package's account).
        shell: Option<&'a str>,
    },
    GroupAdded {
        name: &'a str,
        gid: Option<u32>,
    },
    /// useradd/usermod/gpasswd: an account put in a group.
    GroupMember {
        user: &'a str,
        group: &'a str,
    },
    /// usermod: an account's UID changed.
    UidChanged {
        user: &'a str,
        uid: u32,
    },
    PasswordChanged {
        user: &'a str,
    },
    /// sudo: `by` ran `command` as `runas` (or tried to).
    Sudo {
        by: &'a str,
        runas: &'a str,
        command: &'a str,
        refused: bool,
    },
    /// su: a session opened for `to` by `by` (a name, or `(uid=N)` when the
    /// account has no name, with `by_uid` then set).
    Su {
        to: &'a str,
        by: &'a str,
        by_uid: Option<u32>,
    },
    /// crontab: `by` acted on `user`'s crontab.
    Crontab {
        by: &'a str,
        user: &'a str,
        action: CronAction,
    },
    /// systemd (PID 1): a unit started.
    UnitStarted {
        unit: &'a str,
    },
    Web(WebRequest<'a>),
    /// A web server or PHP error line.
    WebError {
        client: Option<&'a str>,
        message: &'a str,
    },
    /// A message submitted locally (postfix pickup, exim `P=local`), by uid or name.
    MailSubmitted {
        uid: Option<u32>,
        user: Option<&'a str>,
    },
    /// A delivery attempt's outcome; `outbound` when it went to another server.
    MailOutcome {
        status: MailStatus,
        outbound: bool,
    },
    /// SMTP AUTH failed (postfix `SASL … authentication failed`, exim `authenticator failed`).
    SaslFailed {
        source: &'a str,
        user: Option<&'a str>,
    },
    /// SMTP AUTH succeeded.
    SaslLogin {
        source: &'a str,
        user: &'a str,
    },
    /// An antivirus detection (ClamAV `FOUND`, maldet `{hit}`).
    AvFound {
        file: &'a str,
        signature: &'a str,
    },
    /// An antivirus quarantine (maldet `{quar}`, clamscan `moved to`).
    AvQuarantined {
        file: &'a str,
        to: &'a str,
    },
    /// A line whose time was read but that says nothing the rules use.
    Other,
}
