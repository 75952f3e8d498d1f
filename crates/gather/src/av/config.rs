//! Finding the ClamAV daemon when the caller names none: the settings of its
//! configuration file (`LocalSocket`, `TCPSocket`/`TCPAddr`, `StreamMaxLength`,
//! `MaxFileSize`). The daemon runs on the machine breachkit runs on, so its
//! configuration is this machine's (`/etc/clamav/clamd.conf`, Red Hat's
//! `/etc/clamd.d/scan.conf`), whatever host is investigated.

use super::clamd::ClamdAddr;
use breachkit_finding::escape_path;
use std::io::Read;
use std::path::PathBuf;

/// Where clamd's configuration is looked for, in order.
pub const CLAMD_CONFIGS: &[&str] = &[
    "/etc/clamav/clamd.conf",
    "/etc/clamd.d/scan.conf",
    "/etc/clamd.conf",
];

/// clamd's default `StreamMaxLength` and `MaxFileSize` when its file says nothing
/// (the smaller of the values releases have used: a larger file is marked cut).
pub const DEFAULT_LIMIT: u64 = 25 << 20;

/// The most of a configuration file read.
const MAX_CONFIG: u64 = 1 << 20;

/// What breachkit needs of a clamd configuration file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClamdConfig {
    pub local_socket: Option<PathBuf>,
    pub tcp_socket: Option<u16>,
    pub tcp_addr: Option<String>,
    pub stream_max: Option<u64>,
    pub max_file_size: Option<u64>,
}

impl ClamdConfig {
    /// Parses `Key value` lines; `#` starts a comment.
    pub fn parse(text: &str) -> ClamdConfig {
        let mut c = ClamdConfig::default();
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once(char::is_whitespace) else {
                continue;
            };
            let value = value.trim();
            match key {
                "LocalSocket" => c.local_socket = Some(PathBuf::from(value)),
                "TCPSocket" => c.tcp_socket = value.parse().ok(),
                // The first address clamd listens on is enough to reach it.
                "TCPAddr" if c.tcp_addr.is_none() => c.tcp_addr = Some(value.to_string()),
                "StreamMaxLength" => c.stream_max = parse_size(value),
                "MaxFileSize" => c.max_file_size = parse_size(value),
                _ => {}
            }
        }
        c
    }

    /// Reads the first of `paths` that exists; `Ok(None)` when none does.
    pub fn find(paths: &[PathBuf]) -> Result<Option<(PathBuf, ClamdConfig)>, String> {
        for path in paths {
            if !path.exists() {
                continue;
            }
            let mut text = String::new();
            breachkit_host::open_regular_following(path)
                .map_err(|e| e.to_string())?
                .take(MAX_CONFIG)
                .read_to_string(&mut text)
                .map_err(|e| format!("cannot read {}: {e}", escape_path(path)))?;
            return Ok(Some((path.clone(), ClamdConfig::parse(&text))));
        }
        Ok(None)
    }

    /// The Unix socket if there is one (FILDES), else the TCP port on the address
    /// clamd listens on (loopback when it listens everywhere).
    pub fn address(&self) -> Option<ClamdAddr> {
        if let Some(p) = &self.local_socket {
            return Some(ClamdAddr::Unix(p.clone()));
        }
        let port = self.tcp_socket?;
        let host = match self.tcp_addr.as_deref() {
            None | Some("0.0.0.0" | "any") => "127.0.0.1".to_string(),
            Some("::") => "[::1]".to_string(),
            Some(h) if h.contains(':') && !h.starts_with('[') => format!("[{h}]"),
            Some(h) => h.to_string(),
        };
        Some(ClamdAddr::Tcp(format!("{host}:{port}")))
    }
}

/// `25M`, `1024K`, `1G` or plain bytes; `0` means "no limit" to clamd.
fn parse_size(value: &str) -> Option<u64> {
    let (num, unit) = match value.char_indices().last() {
        Some((at, c)) if c.is_ascii_alphabetic() => (value.get(..at)?, c.to_ascii_uppercase()),
        _ => (value, 'B'),
    };
    let n: u64 = num.trim().parse().ok()?;
    let shift = match unit {
        'B' => 0,
        'K' => 10,
        'M' => 20,
        'G' => 30,
        _ => return None,
    };
    let bytes = n.checked_shl(shift)?;
    Some(if bytes == 0 { u64::MAX } else { bytes })
}

/// The default list of configuration files as paths.
pub fn default_configs() -> Vec<PathBuf> {
    CLAMD_CONFIGS.iter().map(PathBuf::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sockets_and_limits() {
        let c = ClamdConfig::parse(
            "# LocalSocket /nope\nLocalSocket /run/clamav/clamd.ctl\nTCPSocket 3310\n\
             TCPAddr 0.0.0.0\nStreamMaxLength 25M\nMaxFileSize 0\n",
        );
        assert_eq!(
            c.address(),
            Some(ClamdAddr::Unix("/run/clamav/clamd.ctl".into()))
        );
        assert_eq!(c.stream_max, Some(25 << 20));
        assert_eq!(c.max_file_size, Some(u64::MAX));
        let tcp = ClamdConfig::parse("TCPSocket 3311\nTCPAddr ::1\n");
        assert_eq!(tcp.address(), Some(ClamdAddr::Tcp("[::1]:3311".into())));
        assert_eq!(ClamdConfig::parse("Foreground yes\n").address(), None);
        assert_eq!(parse_size("1024k"), Some(1 << 20));
        assert_eq!(parse_size("12X"), None);
    }
}
