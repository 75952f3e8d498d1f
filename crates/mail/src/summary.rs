//! The queue summed up the way an admin asks about it: how much is queued where, and
//! who is sending it: by envelope sender, by submitting uid, by PHP script, by
//! subject, by recipient domain. Rows are sorted by message count, largest first.

use crate::model::{Message, Mta, Queue};
use serde::Serialize;
use std::collections::HashMap;

/// One queue of one MTA.
#[derive(Debug, Clone, Serialize)]
pub struct QueueRow {
    pub mta: Mta,
    pub queue: Queue,
    pub messages: usize,
    pub recipients: usize,
    pub bytes: u64,
    pub oldest: Option<i64>,
    pub newest: Option<i64>,
}

/// One row of a "by …" table.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub key: String,
    pub messages: usize,
    pub recipients: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub messages: usize,
    pub recipients: usize,
    pub bytes: u64,
    pub queues: Vec<QueueRow>,
    pub by_sender: Vec<Row>,
    pub by_uid: Vec<Row>,
    pub by_script: Vec<Row>,
    pub by_subject: Vec<Row>,
    pub by_recipient_domain: Vec<Row>,
}

/// Rows kept per table (the rest are summed up in a last row).
pub const MAX_ROWS: usize = 50;

impl Summary {
    pub fn of(messages: &[Message]) -> Summary {
        let mut s = Summary {
            messages: messages.len(),
            ..Summary::default()
        };
        let mut queues: HashMap<(Mta, Queue), QueueRow> = HashMap::new();
        let mut sender = Tally::default();
        let mut uid = Tally::default();
        let mut script = Tally::default();
        let mut subject = Tally::default();
        let mut domain = Tally::default();
        for m in messages {
            s.recipients += m.recipient_count;
            // Sizes are the queue files' word (a Postfix size record may say `u64::MAX`).
            s.bytes = s.bytes.saturating_add(m.size);
            let q = queues.entry((m.mta, m.queue)).or_insert(QueueRow {
                mta: m.mta,
                queue: m.queue,
                messages: 0,
                recipients: 0,
                bytes: 0,
                oldest: None,
                newest: None,
            });
            q.messages += 1;
            q.recipients += m.recipient_count;
            q.bytes = q.bytes.saturating_add(m.size);
            if let Some(t) = m.arrival {
                q.oldest = Some(q.oldest.map_or(t, |o| o.min(t)));
                q.newest = Some(q.newest.map_or(t, |n| n.max(t)));
            }
            let n = m.recipient_count;
            sender.add(sender_label(&m.sender), n);
            uid.add(uid_label(m), n);
            if let Some(p) = &m.headers.php_script {
                script.add(p.name.clone(), n);
            }
            subject.add(
                m.headers
                    .subject
                    .clone()
                    .unwrap_or_else(|| "(no subject)".into()),
                n,
            );
            let mut per_domain: HashMap<String, usize> = HashMap::new();
            for r in &m.recipients {
                *per_domain.entry(crate::model::domain_of(r)).or_default() += 1;
            }
            for (d, count) in per_domain {
                domain.add(if d.is_empty() { "(local)".into() } else { d }, count);
            }
        }
        let mut queues: Vec<QueueRow> = queues.into_values().collect();
        queues.sort_by_key(|q| (q.mta, q.queue));
        s.queues = queues;
        s.by_sender = sender.rows();
        s.by_uid = uid.rows();
        s.by_script = script.rows();
        s.by_subject = subject.rows();
        s.by_recipient_domain = domain.rows();
        s
    }
}

/// The envelope sender as a table shows it (`<>` for bounces).
pub fn sender_label(sender: &str) -> String {
    if sender.is_empty() {
        "<> (bounce)".to_string()
    } else {
        sender.to_string()
    }
}

/// `33 (www-data)`, or how the message came in when no uid was recorded.
pub fn uid_label(m: &Message) -> String {
    match (m.uid, &m.user) {
        (Some(u), Some(name)) => format!("{u} ({name})"),
        (Some(u), None) => u.to_string(),
        (None, Some(name)) => format!("- ({name})"),
        (None, None) => format!("- ({})", origin_word(m)),
    }
}

fn origin_word(m: &Message) -> &'static str {
    match m.origin {
        crate::model::Origin::Local => "local",
        crate::model::Origin::Loopback => "smtp from this host",
        crate::model::Origin::Remote => "smtp from the network",
        crate::model::Origin::Unknown => "unknown",
    }
}

#[derive(Default)]
struct Tally(HashMap<String, (usize, usize)>);

impl Tally {
    fn add(&mut self, key: String, recipients: usize) {
        let e = self.0.entry(key).or_default();
        e.0 += 1;
        e.1 += recipients;
    }

    fn rows(self) -> Vec<Row> {
        let mut rows: Vec<Row> = self
            .0
            .into_iter()
            .map(|(key, (messages, recipients))| Row {
                key,
                messages,
                recipients,
            })
            .collect();
        rows.sort_by(|a, b| {
            b.messages
                .cmp(&a.messages)
                .then(b.recipients.cmp(&a.recipients))
                .then_with(|| a.key.cmp(&b.key))
        });
        if rows.len() > MAX_ROWS {
            let rest = rows.split_off(MAX_ROWS - 1);
            rows.push(Row {
                key: format!("({} more)", rest.len()),
                messages: rest.iter().map(|r| r.messages).sum(),
                recipients: rest.iter().map(|r| r.recipients).sum(),
            });
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::example_message;

    /// Issue 18: sizes are the queue files' word (a Postfix size record may say
    /// `u64::MAX`); their sum overflowed (a panic in debug builds).
    #[test]
    fn huge_sizes_saturate() {
        let mut m = example_message();
        m.size = u64::MAX;
        let s = Summary::of(&[m.clone(), m]);
        assert_eq!(s.bytes, u64::MAX);
        assert_eq!(s.queues.first().map(|q| q.bytes), Some(u64::MAX));
    }
}
