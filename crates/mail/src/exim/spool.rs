//! Exim's `-H` spool file, as the Exim specification ("Format of spool files")
//! describes it: the file's own name; the login, uid and gid of the submitter; the
//! envelope sender in `<>`; the arrival time and warning count; `-option` lines; the
//! tree of addresses already delivered (`XX` when empty); the recipient count and one
//! recipient a line (trailing DSN / errors-to data after a `#flags` marker); a blank
//! line; then each header preceded by its length and a flag letter (`*` marks a
//! header removed from the message).

/// What a `-H` file holds.
#[derive(Debug, Default)]
pub(crate) struct HeaderFile {
    pub login: String,
    pub uid: Option<u32>,
    pub sender: String,
    pub arrival: Option<i64>,
    pub received_protocol: String,
    pub host_address: Option<String>,
    pub auth_id: Option<String>,
    pub frozen: bool,
    /// `-deliver_firsttime`: no delivery has been tried yet.
    pub first_time: bool,
    /// Recipients not yet delivered.
    pub recipients: Vec<String>,
    /// The live headers, as the message carries them.
    pub header_block: Vec<u8>,
    /// Bytes of live headers (part of the message size).
    pub header_bytes: u64,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpoolError {
    #[error("line {0}: {1}")]
    Format(usize, &'static str),
    #[error("cut short: {0}")]
    Truncated(&'static str),
}

/// Exim's own sanity limit on the recipient count of one message.
const MAX_RECIPIENTS: usize = 1 << 20;

pub(crate) fn parse(bytes: &[u8]) -> Result<HeaderFile, SpoolError> {
    let mut p = Lines {
        bytes,
        pos: 0,
        line: 0,
    };
    let mut h = HeaderFile::default();
    let name = p.next().ok_or(SpoolError::Truncated("no first line"))?;
    if !name.ends_with(b"-H") {
        return Err(SpoolError::Format(
            1,
            "the first line is not the file's own name",
        ));
    }
    let who = text(p.next().ok_or(SpoolError::Truncated("no submitter line"))?);
    let mut fields = who.split_whitespace();
    h.login = fields.next().unwrap_or("").to_string();
    h.uid = fields.next().and_then(|u| u.parse().ok());
    if h.uid.is_none() {
        return Err(SpoolError::Format(2, "not \"login uid gid\""));
    }
    let sender = p.next().ok_or(SpoolError::Truncated("no sender line"))?;
    let sender = sender
        .strip_prefix(b"<")
        .and_then(|s| s.strip_suffix(b">"))
        .ok_or(SpoolError::Format(3, "the sender is not in <>"))?;
    h.sender = text(sender);
    let time = text(p.next().ok_or(SpoolError::Truncated("no time line"))?);
    h.arrival = time.split_whitespace().next().and_then(|t| t.parse().ok());
    if h.arrival.is_none() {
        return Err(SpoolError::Format(4, "not \"time warnings\""));
    }
    // Options, then the first line of the delivered-addresses tree.
    let mut line = loop {
        let l = p.next().ok_or(SpoolError::Truncated("in the options"))?;
        match l.strip_prefix(b"-") {
            Some(opt) => option(&text(opt), &mut h, &mut p)?,
            None => break l,
        }
    };
    let mut delivered: Vec<String> = Vec::new();
    if line != b"XX" {
        while let Some(address) = tree_node(line) {
            delivered.push(text(address));
            line = p
                .next()
                .ok_or(SpoolError::Truncated("in the delivered tree"))?;
        }
    } else {
        line = p
            .next()
            .ok_or(SpoolError::Truncated("no recipient count"))?;
    }
    let count: usize = text(line)
        .trim()
        .parse()
        .map_err(|_| SpoolError::Format(p.line, "no recipient count"))?;
    if count > MAX_RECIPIENTS {
        return Err(SpoolError::Format(p.line, "implausible recipient count"));
    }
    for _ in 0..count {
        let l = p.next().ok_or(SpoolError::Truncated("in the recipients"))?;
        let address = recipient(l);
        if !delivered.contains(&address) {
            h.recipients.push(address);
        }
    }
    if p.next()
        .ok_or(SpoolError::Truncated("no blank line before the headers"))?
        != b""
    {
        return Err(SpoolError::Format(
            p.line,
            "no blank line before the headers",
        ));
    }
    // Headers: NNNf text, where text is NNN bytes (folded lines included).
    while let Some(rest) = bytes.get(p.pos..).filter(|r| !r.is_empty()) {
        let header = header(rest, p.line + 1)?;
        if header.flag != b'*' {
            h.header_block.extend_from_slice(header.body);
            h.header_bytes += header.body.len() as u64;
        }
        p.line += header.body.iter().filter(|b| **b == b'\n').count();
        p.pos += header.size;
    }
    Ok(h)
}

/// The address of a line of the delivered-addresses tree (`YN address`), `None` for
/// any other line.
fn tree_node(line: &[u8]) -> Option<&[u8]> {
    match line {
        [b'Y' | b'N', b'Y' | b'N', b' ', address @ ..] if !address.is_empty() => Some(address),
        _ => None,
    }
}

/// One header of the spool file: `NNNf body`, where the body is NNN bytes.
struct Header<'a> {
    flag: u8,
    body: &'a [u8],
    /// Bytes taken in the file (length, flag, space and body).
    size: usize,
}

/// The header at the start of `rest` (on line `line` of the file).
fn header(rest: &[u8], line: usize) -> Result<Header<'_>, SpoolError> {
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let (length, flag, after) = match rest.split_at_checked(digits) {
        Some((length, [flag, _, after @ ..])) if !length.is_empty() => (length, *flag, after),
        _ => return Err(SpoolError::Format(line, "a header without its length")),
    };
    let len: usize = text(length)
        .parse()
        .map_err(|_| SpoolError::Format(line, "a header length out of range"))?;
    // `get(..len)`, never `start + len`: the length is the file's word, up to `usize::MAX`.
    let body = after
        .get(..len)
        .ok_or(SpoolError::Truncated("inside a header"))?;
    Ok(Header {
        flag,
        body,
        size: digits + 2 + len,
    })
}

fn option(opt: &str, h: &mut HeaderFile, p: &mut Lines) -> Result<(), SpoolError> {
    let (name, value) = opt.split_once(' ').unwrap_or((opt, ""));
    match name {
        "frozen" => h.frozen = true,
        "deliver_firsttime" => h.first_time = true,
        "received_protocol" => h.received_protocol = value.to_string(),
        "host_address" => h.host_address = Some(value.to_string()),
        "auth_id" => h.auth_id = Some(value.to_string()),
        // ACL variables: `-aclc NAME LEN` or `-acl N LEN`, the value on the lines after.
        n if n.starts_with("acl") => {
            let len: usize = value
                .rsplit(' ')
                .next()
                .and_then(|l| l.parse().ok())
                .ok_or(SpoolError::Format(
                    p.line,
                    "an ACL variable without its length",
                ))?;
            // The value and its newline; the length is the file's word (no `len + 1`).
            len.checked_add(1)
                .and_then(|n| p.skip(n))
                .ok_or(SpoolError::Truncated("inside an ACL variable"))?;
        }
        _ => {}
    }
    Ok(())
}

/// The address of a recipient line, trailing data removed (Exim 3 `addr n,n,n`, early
/// Exim 4 `addr n`, and Exim 4 `addr data #flags`).
fn recipient(line: &[u8]) -> String {
    let address = line.get(..trailer_start(line)).unwrap_or(line);
    text(address.trim_ascii_end())
}

/// Where the data Exim appends to a recipient address starts (the line's length when
/// there is none).
fn trailer_start(line: &[u8]) -> usize {
    let digits = line.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    let Some((head, number)) = line.split_at_checked(line.len() - digits) else {
        return line.len();
    };
    let Some((&marker, before)) = head.split_last().filter(|_| !number.is_empty()) else {
        return line.len();
    };
    match marker {
        b'#' => {
            let flags: u32 = text(number).parse().unwrap_or(0);
            let mut end = before.len();
            for bit in [1u32, 2] {
                if flags & bit != 0 {
                    end = end.saturating_sub(field_size(line.get(..end).unwrap_or_default()));
                }
            }
            end
        }
        b' ' | b',' => {
            let numbers = head
                .iter()
                .rev()
                .take_while(|b| b.is_ascii_digit() || **b == b',')
                .count();
            match (head.len() - numbers).checked_sub(1) {
                Some(space) if line.get(space) == Some(&b' ') => space,
                _ if marker == b' ' => before.len(),
                _ => line.len(),
            }
        }
        _ => line.len(),
    }
}

/// The bytes one `<data><space><len>,<n>` field takes at the end of `s` (read
/// backwards), the space before it included. The length is the file's word: the sum
/// saturates rather than overflows.
fn field_size(s: &[u8]) -> usize {
    let nums = s
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit() || **b == b',' || **b == b'-')
        .count();
    let field = text(s.get(s.len() - nums..).unwrap_or_default());
    let len: usize = field
        .split(',')
        .next()
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    // The numbers, the space before them, the data, the space before it.
    nums.saturating_add(len).saturating_add(2)
}

fn text(b: &[u8]) -> String {
    breachkit_finding::escape_bytes(b)
}

/// Lines of the file, without their `\n`.
struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.bytes.get(self.pos..)?;
        let i = memchr::memchr(b'\n', rest)?;
        let (line, _) = rest.split_at_checked(i)?;
        self.pos += i + 1;
        self.line += 1;
        Some(line)
    }

    fn skip(&mut self, n: usize) -> Option<()> {
        let end = self.pos.checked_add(n)?;
        let skipped = self.bytes.get(self.pos..end)?;
        self.line += skipped.iter().filter(|b| **b == b'\n').count();
        self.pos = end;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(flag: char, text: &str) -> String {
        format!("{:03}{flag} {text}", text.len())
    }

    /// A `-H` file laid out as Exim 4.96 writes one for a local submission.
    fn h_file() -> Vec<u8> {
        let mut f = String::from(
            "1xVvaV-0002GH-0N-H\nwww-data 33 33\n<www-data@web01.example.com>\n1795546195 0\n\
-received_time_usec .115283\n-ident www-data\n-received_protocol local\n-aclc _x 5\nab\ncd\n-body_linecount 1\n\
-deliver_firsttime\n-local\nNY done@example.org\nNN other@example.org\n3\ndone@example.org\n\
victim@example.net  0,-1#1\nv2@example.com rfc822;v2@example.com 21,0  0,-1#3\n\n",
        );
        f.push_str(&header('P', "Received: from www-data by web01.example.com with local (Exim 4.96)\n\t(envelope-from <www-data@web01.example.com>)\n\tid 1xVvaV-0002GH-0N;\n\tTue, 24 Nov 2026 18:49:55 +0000\n"));
        f.push_str(&header('*', "Bcc: hidden@example.org\n"));
        f.push_str(&header(' ', "Subject: test one\n"));
        f.into_bytes()
    }

    #[test]
    fn a_real_layout_parses() {
        let file = h_file();
        let h = parse(&file).unwrap();
        assert_eq!(h.login, "www-data");
        assert_eq!(h.uid, Some(33));
        assert_eq!(h.sender, "www-data@web01.example.com");
        assert_eq!(h.arrival, Some(1795546195));
        assert_eq!(h.received_protocol, "local");
        assert!(h.first_time && !h.frozen);
        assert_eq!(h.recipients, ["victim@example.net", "v2@example.com"]);
        assert!(h.header_block.starts_with(b"Received: from www-data"));
        assert!(h.header_block.ends_with(b"Subject: test one\n"));
        assert!(!h.header_block.windows(3).any(|w| w == b"Bcc"));
        assert_eq!(h.header_bytes as usize, h.header_block.len());
    }

    #[test]
    fn recipient_trailers() {
        assert_eq!(recipient(b"a@b.example"), "a@b.example");
        assert_eq!(recipient(b"a@b.example 3"), "a@b.example");
        assert_eq!(recipient(b"a@b.example 0,3,0"), "a@b.example");
        assert_eq!(recipient(b"a@b.example  0,-1#1"), "a@b.example");
        assert_eq!(
            recipient(b"a@b.example err@c.example 13,0#1"),
            "a@b.example"
        );
        assert_eq!(
            recipient(b"v2@example.com rfc822;v2@example.com 21,0  0,-1#3"),
            "v2@example.com"
        );
    }

    #[test]
    fn broken_files_say_where() {
        let file = h_file();
        for cut in [0, 5, 30, 60, 200, file.len() - 3] {
            assert!(parse(&file[..cut]).is_err(), "cut at {cut}");
        }
        assert!(matches!(parse(b"junk\n"), Err(SpoolError::Format(1, _))));
        let mut bad = file.clone();
        bad.extend_from_slice(b"abc");
        assert!(parse(&bad).is_err());
    }

    /// The start of a `-H` file up to (not including) the recipient count.
    const PREAMBLE: &str = "1xVvaV-0002GH-0N-H\nwww-data 33 33\n<a@b.example>\n1795546195 0\n";

    /// Issue 18: lengths are the file's word; `start + len` and `len + 1` overflowed
    /// (a panic in debug builds) on a length near `usize::MAX`.
    #[test]
    fn huge_lengths_are_errors_not_overflows() {
        let max = usize::MAX;
        let header = format!("{PREAMBLE}XX\n1\nr@c.example\n\n{max}  Subject: x\n");
        assert!(matches!(
            parse(header.as_bytes()),
            Err(SpoolError::Truncated("inside a header"))
        ));
        let acl = format!("{PREAMBLE}-aclc _x {max}\nab\nXX\n0\n\n");
        assert!(matches!(
            parse(acl.as_bytes()),
            Err(SpoolError::Truncated("inside an ACL variable"))
        ));
        assert_eq!(recipient(format!("a@b.example x {max},0#1").as_bytes()), "");
        assert_eq!(recipient(format!("a@b.example x {max},0#3").as_bytes()), "");
    }

    #[test]
    fn degenerate_lines_do_not_panic() {
        for line in [
            "", "#", "#1", "#3", " #1", "1", " 1", ",1", "a ,1", "YN", "a #",
        ] {
            let _ = recipient(line.as_bytes());
        }
        assert_eq!(recipient(b" 0,-1#1"), "");
        assert_eq!(tree_node(b"YN "), None);
        assert_eq!(tree_node(b"YN a"), Some(&b"a"[..]));
        assert_eq!(tree_node(b"YX a"), None);
        // A header line cut after its length or its flag.
        for tail in ["1", "1P", "P x", "001"] {
            let file = format!("{PREAMBLE}XX\n0\n\n{tail}");
            assert!(parse(file.as_bytes()).is_err(), "{tail}");
        }
        let empty = format!("{PREAMBLE}XX\n0\n\n000  ");
        assert_eq!(parse(empty.as_bytes()).unwrap().header_bytes, 0);
    }
}
