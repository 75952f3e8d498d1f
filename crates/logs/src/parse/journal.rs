//! One record of `journalctl -o json`: the time, the program, its PID and the
//! message (which the journal may hold as an array of bytes when it is not UTF-8).

use breachkit_finding::escape_bytes;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Raw {
    #[serde(rename = "__REALTIME_TIMESTAMP")]
    realtime: Option<String>,
    #[serde(rename = "SYSLOG_IDENTIFIER")]
    identifier: Option<Value>,
    #[serde(rename = "_COMM")]
    comm: Option<Value>,
    #[serde(rename = "_PID")]
    pid: Option<Value>,
    #[serde(rename = "SYSLOG_PID")]
    syslog_pid: Option<Value>,
    #[serde(rename = "MESSAGE")]
    message: Option<Value>,
}

/// A journal record, its strings lossless-escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalRecord {
    pub time: Option<i64>,
    pub program: String,
    pub pid: Option<u32>,
    pub message: String,
}

impl JournalRecord {
    pub fn parse(line: &str) -> Option<JournalRecord> {
        let raw: Raw = serde_json::from_str(line).ok()?;
        let time = raw
            .realtime
            .and_then(|t| t.parse::<i64>().ok())
            .map(|us| us.div_euclid(1_000_000));
        let program = raw
            .identifier
            .as_ref()
            .or(raw.comm.as_ref())
            .map(text)
            .unwrap_or_default();
        let pid = raw
            .syslog_pid
            .as_ref()
            .or(raw.pid.as_ref())
            .and_then(|v| text(v).parse().ok());
        Some(JournalRecord {
            time,
            program,
            pid,
            message: raw.message.as_ref().map(text).unwrap_or_default(),
        })
    }

    /// The record as a syslog-like line (`prog[pid]: message`), for evidence.
    pub fn line(&self) -> String {
        match self.pid {
            Some(pid) => format!("{}[{pid}]: {}", self.program, self.message),
            None => format!("{}: {}", self.program, self.message),
        }
    }
}

/// A field's text: a string, or an array of bytes (escaped where not UTF-8).
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let bytes: Vec<u8> = items
                .iter()
                .filter_map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
                .collect();
            escape_bytes(&bytes)
        }
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_with_text_and_byte_messages() {
        let r = JournalRecord::parse(
            r#"{"__REALTIME_TIMESTAMP":"1714989600123456","SYSLOG_IDENTIFIER":"sshd","_PID":"812","MESSAGE":"Accepted password for root from 203.0.113.9 port 22 ssh2"}"#,
        )
        .unwrap();
        assert_eq!(
            (r.time, r.program.as_str(), r.pid),
            (Some(1_714_989_600), "sshd", Some(812))
        );
        let r = JournalRecord::parse(r#"{"_COMM":"x","MESSAGE":[104,105,255]}"#).unwrap();
        assert_eq!(r.message, "hi\\xff");
        assert_eq!(r.line(), "x: hi\\xff");
        assert!(JournalRecord::parse("not json").is_none());
    }
}
