//! Mail queue files for fake hosts, in the formats the MTAs write: Postfix queue
//! files (typed records as `rec_type.h` and `record.c` define them, laid out as
//! Postfix 3.7's cleanup writes them), Postfix `defer/` logs, and Exim `-H`/`-D`
//! spool files (the "Format of spool files" chapter of the Exim specification).

/// One record: type byte, length in 7-bit groups (low first, high bit = more), data.
pub fn postfix_record(kind: u8, data: &[u8]) -> Vec<u8> {
    let mut out = vec![kind];
    let mut len = data.len();
    loop {
        let mut b = (len & 0x7f) as u8;
        len >>= 7;
        if len != 0 {
            b |= 0x80;
        }
        out.push(b);
        if len == 0 {
            break;
        }
    }
    out.extend_from_slice(data);
    out
}

/// A message as queued by Postfix.
#[derive(Debug, Clone)]
pub struct PostfixMessage {
    /// Arrival time, seconds since the epoch.
    pub arrival: i64,
    pub sender: String,
    pub recipients: Vec<String>,
    /// Header lines (a folded header is one entry with `\n\t` inside).
    pub headers: Vec<String>,
    pub body: String,
    /// Submitted on this host (`rewrite_context=local`), as pickup passes it.
    pub local: bool,
}

/// A queue file as cleanup writes it: size record, arrival and create time,
/// attributes, sender, recipients (with their DSN original-recipient records),
/// message content, an empty extracted segment and the end marker.
pub fn postfix_queue_file(m: &PostfixMessage) -> Vec<u8> {
    let mut env = postfix_record(b'T', format!("{} 239550", m.arrival).as_bytes());
    env.extend(postfix_record(
        b'A',
        format!("create_time={}", m.arrival).as_bytes(),
    ));
    let context = if m.local { "local" } else { "remote" };
    env.extend(postfix_record(
        b'A',
        format!("rewrite_context={context}").as_bytes(),
    ));
    env.extend(postfix_record(b'S', m.sender.as_bytes()));
    for r in &m.recipients {
        env.extend(postfix_record(
            b'A',
            format!("dsn_orig_rcpt=rfc822;{r}").as_bytes(),
        ));
        env.extend(postfix_record(b'O', r.as_bytes()));
        env.extend(postfix_record(b'R', r.as_bytes()));
    }
    env.extend(postfix_record(b'M', b""));
    let mut content = Vec::new();
    let mut size = 0;
    let text = format!("{}\n\n{}", m.headers.join("\n"), m.body);
    for line in text.lines() {
        content.extend(postfix_record(b'N', line.as_bytes()));
        size += line.len() + 1;
    }
    // The size record has fixed-width fields so Postfix can update it in place.
    let size_record_len = 2 + 6 * 16 - 1;
    let fields = format!(
        "{:15} {:15} {:15} {:15} {:15} {:15}",
        content.len(),
        size_record_len + env.len(),
        m.recipients.len(),
        0,
        size,
        0
    );
    let mut f = postfix_record(b'C', fields.as_bytes());
    f.extend(env);
    f.extend(content);
    f.extend(postfix_record(b'X', b""));
    f.extend(postfix_record(b'E', b""));
    f
}

/// A `defer/` log as Postfix's bounce daemon writes it: one block per recipient.
pub fn postfix_defer_log(recipients: &[String], status: &str, reason: &str) -> Vec<u8> {
    let mut out = String::new();
    for r in recipients {
        out.push_str(&format!(
            "\n<{r}>: {reason}\nrecipient={r}\noffset=400\ndsn_orig_rcpt=rfc822;{r}\nstatus={status}\naction=delayed\nreason={reason}\n\n"
        ));
    }
    out.into_bytes()
}

/// A message as Exim spools it.
#[derive(Debug, Clone)]
pub struct EximMessage {
    pub id: String,
    pub login: String,
    pub uid: u32,
    pub sender: String,
    pub arrival: i64,
    /// `-option` lines without the dash (`received_protocol local`, `frozen 1790000000`).
    pub options: Vec<String>,
    pub recipients: Vec<String>,
    /// Header texts with their flag letter (`'P'` Received, `' '` others).
    pub headers: Vec<(char, String)>,
    pub body: String,
}

/// The `-H` file.
pub fn exim_header_file(m: &EximMessage) -> Vec<u8> {
    let mut f = format!(
        "{}-H\n{} {} {}\n<{}>\n{} 0\n",
        m.id, m.login, m.uid, m.uid, m.sender, m.arrival
    );
    for o in &m.options {
        f.push_str(&format!("-{o}\n"));
    }
    f.push_str(&format!("XX\n{}\n", m.recipients.len()));
    for r in &m.recipients {
        f.push_str(&format!("{r}\n"));
    }
    f.push('\n');
    for (flag, text) in &m.headers {
        let text = format!("{text}\n");
        f.push_str(&format!("{:03}{flag} {text}", text.len()));
    }
    f.into_bytes()
}

/// The `-D` file: its own name, then the body.
pub fn exim_data_file(m: &EximMessage) -> Vec<u8> {
    format!("{}-D\n{}", m.id, m.body).into_bytes()
}
