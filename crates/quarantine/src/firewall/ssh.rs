//! The admin's own SSH session, which isolation must keep: `SSH_CONNECTION`
//! (`client port server port`) of this process or, when `sudo` dropped it, of the
//! nearest ancestor that has it.

use std::net::IpAddr;

/// One SSH connection, as sshd saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SshSession {
    pub client: IpAddr,
    pub client_port: u16,
    pub server: IpAddr,
    pub server_port: u16,
}

impl std::fmt::Display for SshSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} port {} → {} port {}",
            self.client, self.client_port, self.server, self.server_port
        )
    }
}

/// Parses `SSH_CONNECTION`.
pub fn parse(value: &str) -> Option<SshSession> {
    let mut f = value.split_whitespace();
    let s = SshSession {
        client: f.next()?.parse().ok()?,
        client_port: f.next()?.parse().ok()?,
        server: f.next()?.parse().ok()?,
        server_port: f.next()?.parse().ok()?,
    };
    f.next().is_none().then_some(s)
}

/// The session this process runs in, if any.
pub fn current() -> Option<SshSession> {
    if let Some(v) = std::env::var_os("SSH_CONNECTION") {
        return parse(&v.to_string_lossy());
    }
    let mut pid = std::os::unix::process::parent_id();
    for _ in 0..64 {
        if pid <= 1 {
            return None;
        }
        let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        let found = environ
            .split(|&b| b == 0)
            .find_map(|kv| kv.strip_prefix(b"SSH_CONNECTION="));
        if let Some(v) = found {
            return parse(&String::from_utf8_lossy(v));
        }
        pid = parent_of(pid)?;
    }
    None
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields follow the last ')'.
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_ssh_connection() {
        let s = super::parse("203.0.113.9 50122 10.0.0.5 22").unwrap();
        assert_eq!(s.client_port, 50122);
        assert_eq!(s.server_port, 22);
        assert!(super::parse("::1 1 ::1 22").is_some());
        assert!(super::parse("1.2.3.4 x 5.6.7.8 22").is_none());
        assert!(super::parse("1.2.3.4 1 5.6.7.8").is_none());
        assert!(super::parse("1.2.3.4 1 5.6.7.8 22 9").is_none());
    }
}
