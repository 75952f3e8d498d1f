//! Parsing one line of an `authorized_keys` file, as sshd does (`sshd(8)`,
//! AUTHORIZED_KEYS FILE FORMAT): optional comma-separated options, some with quoted
//! values, then the key type, the base64 key and a comment.

/// An option as `(name, value)`: `no-pty` has no value, `command="…"` has one.
pub type KeyOption = (String, Option<String>);

/// One parsed key line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLine {
    /// `(name, value)` in the order written; names lower-cased, values unquoted.
    pub options: Vec<KeyOption>,
    pub key_type: String,
    pub blob: String,
    pub comment: String,
}

/// Key types sshd accepts (certificate types map onto these).
const KEY_TYPES: &[&str] = &[
    "ssh-rsa",
    "ssh-dss",
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519",
    "sk-ecdsa-sha2-nistp256",
];

fn is_key_type(word: &str) -> bool {
    let base = word
        .strip_suffix("-cert-v01@openssh.com")
        .or_else(|| word.strip_suffix("@openssh.com"))
        .unwrap_or(word);
    KEY_TYPES.contains(&base)
}

fn is_base64(word: &str) -> bool {
    !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

impl KeyLine {
    /// The values of every option called `name` (lower case).
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.options
            .iter()
            .filter(move |(n, _)| n == name)
            .filter_map(|(_, v)| v.as_deref())
    }

    /// The base64 key cut to a recognisable start, for evidence lines.
    pub fn short_blob(&self) -> String {
        match self.blob.get(..16) {
            Some(start) if self.blob.len() > 24 => format!("{start}…"),
            _ => self.blob.clone(),
        }
    }
}

/// Parses a key line (already trimmed, not a comment). The error says why it is not one.
pub fn parse(line: &str) -> Result<KeyLine, &'static str> {
    let first = line.split_ascii_whitespace().next().unwrap_or("");
    let (options, rest) = if is_key_type(first) {
        (Vec::new(), line)
    } else {
        split_options(line)?
    };
    let mut words = rest.trim_start().splitn(3, [' ', '\t']);
    let key_type = words.next().unwrap_or("");
    if !is_key_type(key_type) {
        return Err("no known key type (ssh-ed25519, ssh-rsa, ecdsa-sha2-…)");
    }
    let blob = words.next().unwrap_or("");
    if !is_base64(blob) {
        return Err("the key after the key type is missing or not base64");
    }
    Ok(KeyLine {
        options,
        key_type: key_type.to_string(),
        blob: blob.to_string(),
        comment: words.next().unwrap_or("").trim().to_string(),
    })
}

/// Splits the leading options off: they end at the first blank outside quotes. Inside
/// quotes `\"` stands for a quote, as sshd reads it.
fn split_options(line: &str) -> Result<(Vec<KeyOption>, &str), &'static str> {
    let mut options = Vec::new();
    let mut name = String::new();
    let mut value: Option<String> = None;
    let mut quoted = false;
    let mut chars = line.char_indices().peekable();
    let mut end = line.len();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' if value.is_some() => quoted = !quoted,
            '\\' if quoted && chars.peek().is_some_and(|&(_, n)| n == '"') => {
                chars.next();
                push(&mut name, &mut value, '"');
            }
            '=' if !quoted && value.is_none() => value = Some(String::new()),
            ',' | ' ' | '\t' if !quoted => {
                options.push((name.to_ascii_lowercase(), value.take()));
                name.clear();
                if c != ',' {
                    end = i;
                    break;
                }
            }
            c => push(&mut name, &mut value, c),
        }
    }
    if quoted {
        return Err("an option's quoted value is not closed");
    }
    if end == line.len() {
        return Err("options but no key");
    }
    // `end` is where a blank or a comma was found: a char boundary.
    Ok((options, line.get(end..).unwrap_or_default()))
}

/// Adds a character to the option value if one was started, else to its name.
fn push(name: &mut String, value: &mut Option<String>, c: char) {
    match value {
        Some(v) => v.push(c),
        None => name.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHkKxLq0yFjRC4G2Qd2m4oYyq8v7ZP5dWq1pG3o3rT9a";

    #[test]
    fn plain_key_and_comment() {
        let k = parse(&format!("{ED} ops@laptop two words")).unwrap();
        assert!(k.options.is_empty());
        assert_eq!(k.key_type, "ssh-ed25519");
        assert_eq!(k.comment, "ops@laptop two words");
        assert_eq!(k.short_blob(), "AAAAC3NzaC1lZDI1…");
    }

    #[test]
    fn options_with_quotes_commas_and_escaped_quotes() {
        let line = format!(
            r#"no-pty,Command="echo \"hi, there\"; exec $SHELL",environment="A=b c" {ED} x"#
        );
        let k = parse(&line).unwrap();
        assert_eq!(k.options.len(), 3);
        assert_eq!(
            k.values("command").collect::<Vec<_>>(),
            [r#"echo "hi, there"; exec $SHELL"#]
        );
        assert_eq!(k.values("environment").collect::<Vec<_>>(), ["A=b c"]);
        assert_eq!(k.options[0], ("no-pty".to_string(), None));
    }

    #[test]
    fn certificates_and_security_keys_are_keys() {
        assert!(parse("sk-ssh-ed25519@openssh.com AAAAGnNr x").is_ok());
        assert!(parse("ssh-ed25519-cert-v01@openssh.com AAAAIHNz x").is_ok());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bad in [
            "hello world",
            "command=\"unterminated ssh-ed25519 AAAA",
            "no-pty",
            "ssh-ed25519",
            "ssh-ed25519 !!!notbase64",
            "from=\"1.2.3.4\" ssh-foo AAAA",
            "é,\"=\\",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
