//! Antivirus logs: ClamAV (clamd's log file `Mon May  6 10:00:00 2024 -> /x: Sig FOUND`,
//! clamscan's `/x: Sig FOUND` and `/x: moved to '/q/x'`, clamd through syslog) and
//! Linux Malware Detect's event log (`maldet(1): {hit} malware hit SIG found for /x`,
//! `{quar} malware quarantined /x => /q/x`).

use crate::event::Kind;

/// The event of a ClamAV message (the part after the time or the syslog tag).
pub fn clamav(msg: &str) -> Option<Kind<'_>> {
    let msg = msg.trim_end();
    if let Some(rest) = msg.strip_suffix(" FOUND") {
        let (file, signature) = rest.rsplit_once(": ")?;
        return Some(Kind::AvFound { file, signature });
    }
    let (file, to) = msg.split_once(": moved to '")?;
    Some(Kind::AvQuarantined {
        file,
        to: to.strip_suffix('\'').unwrap_or(to),
    })
}

/// The event of a maldet message.
pub fn maldet(msg: &str) -> Option<Kind<'_>> {
    if let Some(rest) = msg.strip_prefix("{hit} malware hit ") {
        let (signature, file) = rest.split_once(" found for ")?;
        return Some(Kind::AvFound { file, signature });
    }
    let rest = msg.strip_prefix("{quar} malware quarantined ")?;
    let (file, to) = rest.split_once(" => ")?;
    Some(Kind::AvQuarantined { file, to })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detections() {
        assert_eq!(
            clamav("/var/www/html/x.php: Php.Webshell.Generic-1 FOUND"),
            Some(Kind::AvFound {
                file: "/var/www/html/x.php",
                signature: "Php.Webshell.Generic-1"
            })
        );
        assert_eq!(clamav("/var/www/html/index.php: OK"), None);
        assert_eq!(
            maldet(
                "{hit} malware hit {HEX}php.cmdshell.unclassed.365 found for /home/a/public_html/x.php"
            ),
            Some(Kind::AvFound {
                file: "/home/a/public_html/x.php",
                signature: "{HEX}php.cmdshell.unclassed.365"
            })
        );
        assert_eq!(
            maldet(
                "{quar} malware quarantined /tmp/x.php => /usr/local/maldetect/quarantine/x.php.1"
            ),
            Some(Kind::AvQuarantined {
                file: "/tmp/x.php",
                to: "/usr/local/maldetect/quarantine/x.php.1"
            })
        );
    }
}
