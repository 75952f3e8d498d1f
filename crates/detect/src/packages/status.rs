//! dpkg's status file (`/var/lib/dpkg/status`): stanzas of `Field: value` lines
//! separated by blank lines. Read here: which packages are installed (`Status`),
//! their `Architecture` (it names their info files) and their `Conffiles` with the
//! md5 dpkg recorded. A malformed line or stanza is a warning naming the line; the
//! rest is read. Package and architecture names are checked against dpkg's syntax
//! before they name a file: `Package: ../../etc/shadow` names nothing.

use super::complaints::Complaints;
use super::info::parse_md5;
use breachkit_host::lines;

/// An installed package.
#[derive(Debug)]
pub(super) struct Package {
    pub name: String,
    pub arch: Option<String>,
    pub conffiles: Vec<Conffile>,
}

/// A conffile of an installed package.
#[derive(Debug)]
pub(super) struct Conffile {
    /// The host path, as listed (`/etc/ssh/sshd_config`).
    pub path: Vec<u8>,
    /// The md5 of the package's version; `None` for `newconffile` (not installed yet).
    pub md5: Option<[u8; 16]>,
    /// Marked `obsolete` or `remove-on-upgrade`: no longer the package's to check.
    pub retired: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Conffiles,
    /// A field whose continuation lines do not matter (`Description`).
    Other,
}

/// One stanza as it is read.
#[derive(Default)]
struct Stanza {
    /// The number of its first line (0 before it has one).
    first_line: u64,
    package: Option<(String, u64)>,
    status: Option<(String, u64)>,
    arch: Option<(String, u64)>,
    conffiles: Vec<Conffile>,
    any_field: bool,
}

/// The installed packages of a status file.
pub(super) fn parse(bytes: &[u8], complaints: &mut Complaints) -> Vec<Package> {
    let mut packages = Vec::new();
    let mut stanza = Stanza::default();
    let mut field: Option<Field> = None;
    for line in lines(bytes, usize::MAX) {
        let text = line.bytes;
        if text.iter().all(u8::is_ascii_whitespace) {
            finish(std::mem::take(&mut stanza), complaints, &mut packages);
            field = None;
            continue;
        }
        if stanza.first_line == 0 {
            stanza.first_line = line.number;
        }
        if text.starts_with(b" ") || text.starts_with(b"\t") {
            match field {
                Some(Field::Conffiles) => conffile(text, line.number, &mut stanza, complaints),
                Some(Field::Other) => {}
                None => complaints.line(line.number, "a continuation line outside any field"),
            }
            continue;
        }
        let Some((name, value)) = memchr::memchr(b':', text).and_then(|i| text.split_at_checked(i))
        else {
            complaints.line(line.number, "not a `Field: value` line; skipped");
            // Its continuation lines are skipped with it.
            field = Some(Field::Other);
            continue;
        };
        let value = String::from_utf8_lossy(value.get(1..).unwrap_or_default())
            .trim()
            .to_string();
        stanza.any_field = true;
        field = Some(Field::Other);
        let at = Some((value, line.number));
        match name.to_ascii_lowercase().as_slice() {
            b"package" => stanza.package = at,
            b"status" => stanza.status = at,
            b"architecture" => stanza.arch = at,
            b"conffiles" => field = Some(Field::Conffiles),
            _ => {}
        }
    }
    finish(stanza, complaints, &mut packages);
    packages
}

/// Keeps the stanza's package when it is installed and well formed.
fn finish(stanza: Stanza, complaints: &mut Complaints, packages: &mut Vec<Package>) {
    if !stanza.any_field {
        return;
    }
    let Some((name, name_line)) = stanza.package else {
        complaints.line(
            stanza.first_line,
            "a stanza without a Package field; skipped",
        );
        return;
    };
    if !valid_name(&name) {
        complaints.line(name_line, "not a valid package name; skipped");
        return;
    }
    let Some((status, status_line)) = stanza.status else {
        complaints.line(
            stanza.first_line,
            format!("package {name} has no Status field; skipped"),
        );
        return;
    };
    let words: Vec<&str> = status.split_ascii_whitespace().collect();
    let [want, flag, state] = words.as_slice() else {
        complaints.line(
            status_line,
            format!("package {name}: Status is not `want flag state`; skipped"),
        );
        return;
    };
    let known_want = ["install", "hold", "deinstall", "purge", "unknown"].contains(want);
    if !known_want {
        complaints.line(
            status_line,
            format!("package {name}: unknown Status; skipped"),
        );
        return;
    }
    let installed = ["installed", "triggers-pending", "triggers-awaited"].contains(state);
    if *flag != "ok" || !installed {
        return;
    }
    let arch = match stanza.arch {
        Some((arch, _)) if valid_arch(&arch) => Some(arch),
        Some((_, line)) => {
            complaints.line(
                line,
                format!("package {name}: not a valid architecture; ignored"),
            );
            None
        }
        None => None,
    };
    packages.push(Package {
        name,
        arch,
        conffiles: stanza.conffiles,
    });
}

/// One ` /etc/path md5 [obsolete] [remove-on-upgrade]` line of `Conffiles`.
fn conffile(text: &[u8], number: u64, stanza: &mut Stanza, complaints: &mut Complaints) {
    let mut rest = text.trim_ascii();
    let mut retired = false;
    while let Some((head, b"obsolete" | b"remove-on-upgrade")) = last_word(rest) {
        retired = true;
        rest = head;
    }
    let parsed = last_word(rest).and_then(|(path, hash)| {
        let md5 = match hash {
            b"newconffile" => None,
            _ => Some(parse_md5(hash)?),
        };
        path.starts_with(b"/").then(|| (path.to_vec(), md5))
    });
    match parsed {
        Some((path, md5)) => stanza.conffiles.push(Conffile { path, md5, retired }),
        None => complaints.line(number, "not a `/path md5` conffile line; skipped"),
    }
}

/// `text` without its last whitespace-separated word, and the word.
fn last_word(text: &[u8]) -> Option<(&[u8], &[u8])> {
    let text = text.trim_ascii_end();
    let at = text.iter().rposition(u8::is_ascii_whitespace)?;
    let (head, word) = text.split_at_checked(at)?;
    Some((head.trim_ascii_end(), word.get(1..)?))
}

/// dpkg's package name syntax: lower-case letters, digits, `+`, `-`, `.`, starting
/// with a letter or digit.
fn valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c))
}

/// An architecture name (`amd64`, `all`, `musl-linux-arm64`).
fn valid_arch(arch: &str) -> bool {
    !arch.is_empty()
        && arch
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use breachkit_finding::Warning;

    fn parsed(text: &str) -> (Vec<Package>, Vec<Warning>) {
        let mut warnings = Vec::new();
        let packages = parse(
            text.as_bytes(),
            &mut Complaints::new("/var/lib/dpkg/status", &mut warnings),
        );
        (packages, warnings)
    }

    const MD5: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn installed_packages_and_their_conffiles() {
        let text = format!(
            "Package: openssh-server\nStatus: install ok installed\nArchitecture: amd64\n\
             Conffiles:\n /etc/ssh/moduli {MD5}\n /etc/old conf {MD5} obsolete\n /etc/new newconffile\n\
             Description: x\n more\n\n\
             Package: gone\nStatus: deinstall ok config-files\n\n\
             Package: held\nStatus: hold ok installed\n"
        );
        let (packages, warnings) = parsed(&text);
        assert!(warnings.is_empty(), "{warnings:?}");
        let names: Vec<_> = packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["openssh-server", "held"]);
        let c = &packages[0].conffiles;
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].path, b"/etc/ssh/moduli");
        assert!(c[0].md5.is_some() && !c[0].retired);
        assert_eq!(c[1].path, b"/etc/old conf");
        assert!(c[1].retired);
        assert!(c[2].md5.is_none());
        assert_eq!(packages[0].arch.as_deref(), Some("amd64"));
    }

    #[test]
    fn malformed_lines_are_named_and_the_rest_is_read() {
        let text = "Package: a\nStatus: install ok installed\ngarbage line\n\n\
                    Package: ../../etc\nStatus: install ok installed\n\n\
                    Status: install ok installed\n\n\
                    Package: b\nStatus: installed\n\n\
                    Package: c\nStatus: install ok installed\nConffiles:\n nonsense\n";
        let (packages, warnings) = parsed(text);
        let names: Vec<_> = packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["a", "c"]);
        let lines: Vec<_> = warnings
            .iter()
            .map(|w| w.message.split(':').next().unwrap_or_default().to_string())
            .collect();
        assert_eq!(lines, ["line 3", "line 5", "line 8", "line 11", "line 16"]);
    }
}
