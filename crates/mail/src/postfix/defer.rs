//! Postfix's per-message delivery logs (`defer/`, `bounce/`): for each recipient a
//! block of `name=value` lines (`recipient=`, `status=`, `reason=`) ended by a blank
//! line, as the bounce daemon writes them. The reasons are what the receiving
//! servers said: "blocked using zen.spamhaus.org" is how a blacklisted host learns it.

use breachkit_finding::escape_bytes;

/// The distinct delay reasons in a log, each with its enhanced status code. A storm's
/// logs repeat one reason for every recipient: duplicates are dropped before escaping.
pub(crate) fn reasons(log: &[u8]) -> Vec<String> {
    let mut seen: Vec<(&[u8], &[u8])> = Vec::new();
    let mut status: &[u8] = b"";
    for line in log.split(|b| *b == b'\n') {
        if let Some(s) = line.strip_prefix(b"status=") {
            status = s;
        } else if let Some(r) = line.strip_prefix(b"reason=") {
            if !seen.contains(&(status, r)) {
                seen.push((status, r));
            }
        } else if line.is_empty() {
            status = b"";
        }
    }
    let mut out: Vec<String> = Vec::new();
    for (status, reason) in seen {
        let text = if status.is_empty() || memchr::memmem::find(reason, status).is_some() {
            escape_bytes(reason)
        } else {
            format!("{} {}", escape_bytes(status), escape_bytes(reason))
        };
        if !out.contains(&text) {
            out.push(text);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_distinct_with_status() {
        let log = b"\n<a@x.example>: connect to 127.0.0.1[127.0.0.1]:1: Connection refused\nrecipient=a@x.example\noffset=409\n\
status=4.4.1\naction=delayed\nreason=connect to 127.0.0.1[127.0.0.1]:1: Connection refused\n\n\nrecipient=b@x.example\n\
status=4.4.1\nreason=connect to 127.0.0.1[127.0.0.1]:1: Connection refused\n\nrecipient=c@y.example\nstatus=4.7.1\n\
reason=host mx[1.2.3.4] said: 450 4.7.1 Client host blocked using zen.spamhaus.org (in reply to RCPT TO command)\n\n";
        let r = reasons(log);
        assert_eq!(r.len(), 2);
        assert_eq!(
            r[0],
            "4.4.1 connect to 127.0.0.1[127.0.0.1]:1: Connection refused"
        );
        assert!(r[1].contains("spamhaus") && !r[1].starts_with("4.7.1 host"));
    }
}
