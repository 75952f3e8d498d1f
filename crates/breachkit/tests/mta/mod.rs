//! Real Postfix and Exim for the mail tests. Each test builds an image (a temp dir
//! laid out like /) and runs the MTA *inside* it: a private mount namespace binds the
//! image's /var over /var (and its /etc/postfix over /etc/postfix), so the MTA, its
//! submission programs and PHP see the image as the host, with the host's own
//! accounts (www-data is uid 33). The queue, logs and scripts are then the image's
//! files, read with `breachkit mail --root IMAGE`, or live from inside the namespace.
//!
//! Mail goes to a relay on a loopback port: a closed one (no route out, mail stays
//! deferred) or [`RemoteMx`], a receiving server that refuses this host as
//! blacklisted. Instances are stopped on drop, also when an assert fails.
//!
//! scripts/test installs what is used: postfix ("No configuration": no system MTA
//! starts), php-cli, util-linux (unshare, setpriv), and Exim unpacked with dpkg -x
//! into target/mta/exim4 (it conflicts with postfix) plus its Debian-exim user.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub const WWW: u32 = 33;

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_breachkit")
}

/// Fails (never skips) when a component is missing.
pub fn require(path: &str, what: &str) {
    assert!(
        Path::new(path).exists(),
        "{what} is missing ({path}); scripts/test installs it (run scripts/test as root)"
    );
}

pub fn require_root() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "the mail tests start real MTAs in mount namespaces and must run as root (scripts/test)"
    );
}

/// Where scripts/test unpacked Exim.
pub fn exim_root() -> PathBuf {
    std::env::var_os("BREACHKIT_EXIM_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/mta/exim4"))
}

/// A temp dir laid out like /, readable by the MTA's users.
pub struct Image {
    dir: tempfile::TempDir,
}

impl Image {
    pub fn new() -> Image {
        let dir = tempfile::Builder::new()
            .prefix("breachkit-mta-")
            .tempdir()
            .expect("image dir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let img = Image { dir };
        for d in [
            "var/log",
            "var/lib",
            "var/mail",
            "var/www/html",
            "etc",
            "tmp",
        ] {
            img.mkdir(d);
        }
        std::fs::set_permissions(img.path("tmp"), std::fs::Permissions::from_mode(0o1777)).unwrap();
        // The mail spool as Debian sets it up: root:mail, group-writable, setgid.
        let mail = nix::unistd::Group::from_name("mail")
            .ok()
            .flatten()
            .map_or(8, |g| g.gid.as_raw());
        std::os::unix::fs::chown(img.path("var/mail"), Some(0), Some(mail)).unwrap();
        std::fs::set_permissions(
            img.path("var/mail"),
            std::fs::Permissions::from_mode(0o2775),
        )
        .unwrap();
        // The image's accounts are the ones the MTA ran with.
        for f in ["passwd", "group"] {
            std::fs::copy(Path::new("/etc").join(f), img.path(&format!("etc/{f}"))).unwrap();
        }
        img.write("etc/hostname", "web01\n");
        img.write("etc/mailname", "web01.example.com\n");
        img
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel.trim_start_matches('/'))
    }

    pub fn mkdir(&self, rel: &str) {
        std::fs::create_dir_all(self.path(rel)).unwrap();
        let mut p = self.path(rel);
        while p != self.root() {
            let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755));
            p.pop();
        }
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, content).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    }

    pub fn chown(&self, rel: &str, uid: u32) {
        std::os::unix::fs::chown(self.path(rel), Some(uid), Some(uid)).unwrap();
    }

    /// Runs a program in a mount namespace where the image's /var is /var and each
    /// `binds` entry (image path, host path) is bound, as `uid` (0 for root).
    pub fn run(
        &self,
        binds: &[(&str, &str)],
        uid: u32,
        program: &str,
        args: &[&str],
        stdin: &[u8],
    ) -> Output {
        let mut setup = format!("mount --bind '{}' /var", self.path("var").display());
        for (from, to) in binds {
            setup.push_str(&format!(
                " && mount --bind '{}' '{to}'",
                self.path(from).display()
            ));
        }
        let mut cmd = Command::new("unshare");
        cmd.args(["--mount", "--propagation", "private", "sh", "-c"]);
        if uid == 0 {
            cmd.arg(format!("{setup} && exec \"$0\" \"$@\""));
        } else {
            cmd.arg(format!(
                "{setup} && exec setpriv --reuid={uid} --regid={uid} --clear-groups \"$0\" \"$@\""
            ));
        }
        cmd.arg(program).args(args);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .expect("unshare (util-linux; scripts/test installs it)");
        let mut input = child.stdin.take().unwrap();
        let data = stdin.to_vec();
        let writer = std::thread::spawn(move || {
            let _ = input.write_all(&data);
        });
        let out = wait(child, Duration::from_secs(300), program);
        let _ = writer.join();
        out
    }
}

/// Waits for a child with a time limit, draining its output meanwhile (a full pipe
/// would block it); a hang fails the test.
fn wait(mut child: std::process::Child, limit: Duration, what: &str) -> Output {
    use std::io::Read;
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("{what} did not finish in {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}

/// A receiving server on loopback that refuses every recipient because the sending
/// host is blacklisted: a 4xx (the mail stays deferred), and for recipients at
/// [`REJECTING_DOMAIN`] a 5xx (the MTA bounces them to the sender: backscatter).
pub struct RemoteMx {
    pub port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

pub const BLACKLIST_REPLY: &str = "450 4.7.1 Client host [127.0.0.1] blocked using zen.spamhaus.org; see https://www.spamhaus.org/query/ip/127.0.0.1";
pub const REJECTING_DOMAIN: &str = "mail.ru";
pub const REJECT_REPLY: &str =
    "550 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using bl.spamcop.net";

impl RemoteMx {
    pub fn start() -> RemoteMx {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((s, _)) => {
                        std::thread::spawn(move || smtp_session(s));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        RemoteMx {
            port,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for RemoteMx {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn smtp_session(stream: TcpStream) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut out = match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    let _ = out.write_all(b"220 mx.victims.example ESMTP\r\n");
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let reply = match verb.as_str() {
            "EHLO" | "HELO" => "250 mx.victims.example".to_string(),
            "MAIL" => "250 2.1.0 Ok".to_string(),
            "RCPT"
                if line
                    .to_ascii_lowercase()
                    .contains(&format!("@{REJECTING_DOMAIN}>")) =>
            {
                REJECT_REPLY.to_string()
            }
            "RCPT" => BLACKLIST_REPLY.to_string(),
            "DATA" => "554 5.5.1 Error: no valid recipients".to_string(),
            "RSET" | "NOOP" => "250 2.0.0 Ok".to_string(),
            "QUIT" => {
                let _ = out.write_all(b"221 2.0.0 Bye\r\n");
                return;
            }
            _ => "502 5.5.2 Error: command not recognized".to_string(),
        };
        if out.write_all(format!("{reply}\r\n").as_bytes()).is_err() {
            return;
        }
    }
}

/// A loopback port nothing listens on: mail to it is deferred (connection refused).
pub fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A Postfix instance running inside an image.
pub struct Postfix {
    pub img: Image,
}

pub const POSTFIX_BINDS: &[(&str, &str)] = &[("etc/postfix", "/etc/postfix")];

impl Postfix {
    /// Configures and starts Postfix in a new image, relaying everything to
    /// 127.0.0.1:`relay_port`.
    pub fn start(relay_port: u16) -> Postfix {
        require_root();
        require("/usr/sbin/postfix", "Postfix");
        require("/usr/bin/php", "PHP (php-cli)");
        let img = Image::new();
        img.mkdir("etc/postfix");
        for f in ["postfix-files", "dynamicmaps.cf"] {
            std::fs::copy(
                Path::new("/etc/postfix").join(f),
                img.path(&format!("etc/postfix/{f}")),
            )
            .unwrap();
        }
        for d in ["postfix-files.d", "dynamicmaps.cf.d"] {
            img.mkdir(&format!("etc/postfix/{d}"));
        }
        img.write(
            "etc/postfix/main.cf",
            format!(
                "compatibility_level = 3.6\nmyhostname = web01.example.com\nmydomain = example.com\n\
                 myorigin = $myhostname\nmydestination = $myhostname, localhost\ninet_interfaces = loopback-only\n\
                 inet_protocols = ipv4\nrelayhost = [127.0.0.1]:{relay_port}\nsmtp_connect_timeout = 2s\n\
                 disable_dns_lookups = yes\nalias_maps =\nalias_database =\nmaillog_file = /var/log/mail.log\n\
                 master_service_disable = inet\nmessage_size_limit = 0\nmailbox_size_limit = 0\n\
                 minimal_backoff_time = 3600s\nmaximal_backoff_time = 7200s\nqueue_run_delay = 3600s\n"
            ),
        );
        img.write("etc/postfix/master.cf", MASTER_CF);
        img.mkdir("var/spool/postfix");
        img.mkdir("var/lib/postfix");
        let postfix = nix::unistd::User::from_name("postfix")
            .ok()
            .flatten()
            .expect("the postfix user is missing; scripts/test installs postfix");
        std::os::unix::fs::chown(
            img.path("var/lib/postfix"),
            Some(postfix.uid.as_raw()),
            Some(postfix.gid.as_raw()),
        )
        .unwrap();
        let pf = Postfix { img };
        let out = pf.img.run(POSTFIX_BINDS, 0, "postfix", &["start"], b"");
        assert!(
            out.status.success(),
            "postfix start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        pf
    }

    /// `sendmail ARGS < message` as `uid`, as a site's code calls it.
    pub fn sendmail(&self, uid: u32, args: &[&str], message: &[u8]) {
        let out = self
            .img
            .run(POSTFIX_BINDS, uid, "/usr/sbin/sendmail", args, message);
        assert!(
            out.status.success(),
            "sendmail: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs a PHP script (an image path) as www-data, with `mail.add_x_header` on
    /// and PHP's mail log at /var/log/php/mail.log, as a hacked site would.
    pub fn php(&self, script: &str) {
        php_as_www(&self.img, POSTFIX_BINDS, script, None);
    }

    /// Waits until nothing is waiting for pickup or delivery and `deferred` holds
    /// `expected` messages.
    pub fn settle(&self, expected: usize) {
        let q = self.img.path("var/spool/postfix");
        let started = Instant::now();
        loop {
            let pending: usize = ["maildrop", "incoming", "active"]
                .iter()
                .map(|d| count_files(&q.join(d)))
                .sum();
            let deferred = count_files(&q.join("deferred"));
            if pending == 0 && deferred >= expected {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "Postfix did not settle: {pending} pending, {deferred} of {expected} deferred\n{}",
                std::fs::read_to_string(self.img.path("var/log/mail.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub fn stop(&self) {
        let _ = self.img.run(POSTFIX_BINDS, 0, "postfix", &["stop"], b"");
        // The master's pid, should stop have failed (and only while it is Postfix's master).
        if let Ok(pid) = std::fs::read_to_string(self.img.path("var/spool/postfix/pid/master.pid"))
            && let Ok(pid) = pid.trim().parse::<i32>()
        {
            let is_master = || {
                std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .is_ok_and(|c| c.trim() == "master")
            };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline && is_master() {
                std::thread::sleep(Duration::from_millis(100));
            }
            if is_master() {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pid),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
        }
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        self.stop();
    }
}

const MASTER_CF: &str = "pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
";

/// An Exim instance configured inside an image (Debian's generated-config path), its
/// binary copied in with its setuid bit; deliveries are run by hand (`-qff`).
pub struct Exim {
    pub img: Image,
    pub exim: String,
}

impl Exim {
    pub fn new(relay_port: u16) -> Exim {
        require_root();
        let unpacked = exim_root().join("usr/sbin/exim4");
        require(
            unpacked.to_str().unwrap(),
            "Exim (unpacked from exim4-daemon-light)",
        );
        require("/usr/bin/php", "PHP (php-cli)");
        let uid = nix::unistd::User::from_name("Debian-exim")
            .ok()
            .flatten()
            .expect("the Debian-exim user is missing; scripts/test creates it");
        let img = Image::new();
        img.mkdir("usr/sbin");
        let exim = img.path("usr/sbin/exim4");
        std::fs::copy(&unpacked, &exim).unwrap();
        std::os::unix::fs::chown(&exim, Some(0), Some(0)).unwrap();
        std::fs::set_permissions(&exim, std::fs::Permissions::from_mode(0o4755)).unwrap();
        for d in ["var/spool/exim4", "var/log/exim4"] {
            img.mkdir(d);
            std::os::unix::fs::chown(img.path(d), Some(uid.uid.as_raw()), Some(uid.gid.as_raw()))
                .unwrap();
        }
        std::fs::set_permissions(
            img.path("var/spool/exim4"),
            std::fs::Permissions::from_mode(0o750),
        )
        .unwrap();
        img.write(
            "var/lib/exim4/config.autogenerated",
            format!(
                "primary_hostname = web01.example.com\nqualify_domain = example.com\nspool_directory = /var/spool/exim4\n\
                 exim_path = {}\nlog_file_path = /var/log/exim4/%slog\ndomainlist local_domains = web01.example.com : example.com : localhost\n\
                 keep_environment =\nmessage_size_limit = 0\nrecipients_max = 0\n\n\
                 begin routers\nlocal_user:\n  driver = accept\n  domains = +local_domains\n  check_local_user\n\
                 \x20 transport = mail_spool\n\n\
                 remote:\n  driver = manualroute\n  transport = remote_smtp\n\
                 \x20 route_list = * 127.0.0.1\n  self = send\n  no_more\n\n\
                 begin transports\nmail_spool:\n  driver = appendfile\n  file = /var/mail/$local_part_data\n\
                 \x20 delivery_date_add\n  envelope_to_add\n  return_path_add\n  group = mail\n  mode = 0660\n\n\
                 remote_smtp:\n  driver = smtp\n  port = {relay_port}\n  allow_localhost\n\
                 \x20 connect_timeout = 2s\n\nbegin retry\n*   *   F,2h,15m; F,4d,1h\n",
                exim.display()
            ),
        );
        Exim {
            exim: exim.to_string_lossy().into_owned(),
            img,
        }
    }

    /// `exim -odq ARGS < message` as `uid` (queued, delivered by [`Exim::deliver`]).
    pub fn sendmail(&self, uid: u32, args: &[&str], message: &[u8]) {
        let mut all = vec!["-odq"];
        all.extend_from_slice(args);
        let out = self.img.run(&[], uid, &self.exim, &all, message);
        assert!(
            out.status.success(),
            "exim: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn php(&self, script: &str) {
        php_as_www(
            &self.img,
            &[],
            script,
            Some(&format!("{} -odq -t -i", self.exim)),
        );
    }

    /// One delivery attempt of everything queued (`exim -qff`).
    pub fn deliver(&self) {
        let out = self.img.run(&[], 0, &self.exim, &["-qff"], b"");
        assert!(
            out.status.success(),
            "exim -qff: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn php_as_www(img: &Image, binds: &[(&str, &str)], script: &str, sendmail_path: Option<&str>) {
    img.mkdir("var/log/php");
    let log = "var/log/php/mail.log";
    if !img.path(log).exists() {
        img.write(log, "");
    }
    img.chown(log, WWW);
    let mut args = vec![
        "-n".to_string(),
        "-d".to_string(),
        "mail.add_x_header=1".to_string(),
        "-d".to_string(),
        "mail.log=/var/log/php/mail.log".to_string(),
    ];
    if let Some(p) = sendmail_path {
        args.push("-d".to_string());
        args.push(format!("sendmail_path={p}"));
    }
    args.push(script.to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = img.run(binds, WWW, "/usr/bin/php", &args, b"");
    assert!(
        out.status.success(),
        "php {script}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// PHP configuration in the image naming the mail log, as an admin sets it.
pub fn configure_php_mail_log(img: &Image) {
    img.write(
        "etc/php/8.2/cli/conf.d/20-mail.ini",
        "mail.add_x_header = On\nmail.log = /var/log/php/mail.log\n",
    );
}

/// A spam mailer as dropped into a WordPress upload directory: `count` messages of
/// `per` recipients posing as PayPal, with a fake relay header, an old Date and a
/// made-up Message-ID; and one abused contact form (a Subject with a folded Bcc).
/// The Bcc list is folded one address a line, as mailers do: Exim fails any message
/// with a line over 998 bytes instead of sending it.
pub fn plant_mailer(img: &Image, path: &str, count: usize, per: usize) {
    let php = format!(
        r#"<?php
$domains = ['yahoo.com', 'hotmail.com', 'aol.com', 'gmx.de', 'mail.ru'];
$old = date('r', time() - 5 * 86400);
for ($i = 0; $i < {count}; $i++) {{
    $to = [];
    for ($r = 0; $r < {per}; $r++) {{ $to[] = 'user' . ($i * {per} + $r) . '@' . $domains[$r % 5]; }}
    $h = "From: \"PayPal Service\" <service@paypal.com>\r\n"
       . "Reply-To: secure-center@paypal-resolution.example\r\n"
       . "Received: from mail.paypal.com (mail.paypal.com [66.211.168.1])\r\n\tby mx1.paypal.com with ESMTP id $i; $old\r\n"
       . "Return-Path: <bounces@paypal-resolution.example>\r\n"
       . "Message-ID: <" . md5((string)$i) . "@paypal.com>\r\n"
       . "Date: $old\r\n"
       . "X-Mailer: Leaf PHPMailer 2.8 (leafmailer.pw)\r\n"
       . "MIME-Version: 1.0\r\nContent-Type: text/html; charset=UTF-8\r\n"
       . "Bcc: " . implode(",\r\n\t", array_slice($to, 1));
    mail($to[0], '=?UTF-8?B?' . base64_encode('Your account has been limited ⚠') . '?=',
         "<p>Confirm your account: <a href=\"http://paypal-resolution.example/\">here</a></p>", $h);
}}
mail('info@example.com', "Contact form message\r\n bcc: target1@example.net, target2@example.net",
     "hello", "From: visitor@example.com");
"#
    );
    img.write(path, php);
    img.chown(path, WWW);
}

/// An honest site's mail: a WordPress password reset and a shop order (non-ASCII,
/// encoded-word Subject) sent by PHP, each to one customer.
pub fn plant_honest_site(img: &Image, path: &str) {
    img.write(
        path,
        r#"<?php
mail('alice@example.org', '[Example Shop] Password Reset',
     "Someone asked to reset the password of your account.",
     "From: WordPress <wordpress@example.com>\r\nMessage-ID: <" . md5('a') . "@example.com>\r\nX-Mailer: PHPMailer 6.9.1 (https://github.com/PHPMailer/PHPMailer)");
mail('bob@example.net', '=?UTF-8?Q?Your_order_=E2=84=96_1042_is_complete?=',
     "Thank you for your order.",
     "From: Example Shop <shop@example.com>\r\nReply-To: orders@example.com\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8");
"#,
    );
    img.chown(path, WWW);
}

/// Waits until `/var/mail/USER` in the image holds `n` bounces (the MTA's own
/// delivery failure reports), and returns how many it holds.
pub fn wait_for_bounces(img: &Image, user: &str, n: usize) -> usize {
    let path = img.path(&format!("var/mail/{user}"));
    let started = Instant::now();
    loop {
        let text = std::fs::read(&path).unwrap_or_default();
        let text = String::from_utf8_lossy(&text);
        let got = text
            .lines()
            .filter(|l| {
                l.starts_with("Subject: Undelivered Mail Returned to Sender")
                    || l.starts_with("Subject: Mail delivery failed")
            })
            .count();
        if got >= n {
            return got;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{got} of {n} bounces in /var/mail/{user}\n{}\n{}\n{}",
            std::fs::read_to_string(img.path("var/log/mail.log")).unwrap_or_default(),
            std::fs::read_to_string(img.path("var/log/exim4/mainlog")).unwrap_or_default(),
            std::fs::read_to_string(img.path("var/log/exim4/paniclog")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A cron report from root, as cron mails it.
pub const CRON_MAIL: &[u8] = b"From: root@web01.example.com (Cron Daemon)\nTo: admin@example.org\n\
Subject: Cron <root@web01> /usr/local/bin/db-backup.sh\n\nbackup done\n";

pub fn count_files(dir: &Path) -> usize {
    walkdir(dir).len()
}

/// Every regular file below `dir`.
pub fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => out.extend(walkdir(&p)),
            Ok(t) if t.is_file() => out.push(p),
            _ => {}
        }
    }
    out
}

/// Every queue file with its size and modification time: to show nothing changed.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    let mut v: Vec<_> = walkdir(dir)
        .into_iter()
        .filter_map(|p| {
            let m = std::fs::metadata(&p).ok()?;
            Some((p, m.len(), m.modified().ok()?))
        })
        .collect();
    v.sort();
    v
}

/// `breachkit mail --root IMAGE --format json`.
pub fn mail_json(img: &Image) -> (Value, Output) {
    // A case of its own: runs are recorded, never in the machine's default case.
    let case = tempfile::tempdir().expect("case dir");
    let out = Command::new(bin())
        .args(["mail", "--root"])
        .arg(img.root())
        .arg("--case")
        .arg(case.path())
        .args(["--format", "json"])
        .stdin(Stdio::null())
        .output()
        .expect("run breachkit");
    (parse(&out), out)
}

/// Deletes `files` one by one, `pause` apart, as delivery does, while `breachkit
/// mail` reads the queue again and again: every run must end normally, count each
/// of the `messages` as read or vanished at most once and find nothing unreadable;
/// `each` checks more of every run. At the end the queue is empty.
pub fn read_while_delivered(
    img: &Image,
    files: Vec<PathBuf>,
    pause: Duration,
    messages: u64,
    each: impl Fn(&Value),
) {
    let remover = std::thread::spawn(move || {
        for f in files {
            std::thread::sleep(pause);
            let _ = std::fs::remove_file(f);
        }
    });
    let mut runs = 0;
    while !remover.is_finished() || runs == 0 {
        let (doc, out) = mail_json(img);
        assert!(out.status.code() == Some(0) || out.status.code() == Some(1));
        let read = doc["queues"]["messages"].as_array().unwrap().len() as u64;
        let vanished = doc["queues"]["vanished"].as_u64().unwrap();
        assert!(read + vanished <= messages);
        assert_eq!(doc["queues"]["unreadable"], 0, "{}", doc["warnings"]);
        each(&doc);
        runs += 1;
    }
    remover.join().unwrap();
    let (doc, _) = mail_json(img);
    assert_eq!(doc["summary"]["messages"], 0);
}

/// `breachkit mail --format json` on the live system, as seen from inside the image's
/// namespace (the MTA running there is the live one).
pub fn mail_json_live(img: &Image, binds: &[(&str, &str)]) -> (Value, Output) {
    let out = img.run(binds, 0, bin(), &["mail", "--format", "json"], b"");
    (parse(&out), out)
}

fn parse(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The findings of a report: (rule, severity, path, evidence).
pub fn findings(doc: &Value) -> Vec<(String, String, String, String)> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
            (s("rule"), s("severity"), s("path"), s("evidence"))
        })
        .collect()
}

/// Severity order for comparisons.
pub fn rank(sev: &str) -> u8 {
    match sev {
        "info" => 0,
        "low" => 1,
        "medium" => 2,
        "high" => 3,
        "critical" => 4,
        _ => 0,
    }
}

/// The rules a PHP mailer's storm must raise on either MTA, with their least severity.
pub fn expect_storm_rules(doc: &Value) {
    for rule in [
        "mail.queue-size",
        "mail.queue-growth",
        "mail.deferred-share",
        "mail.many-recipients",
        "mail.dominant-sender",
        "mail.same-subject",
        "mail.forged-from",
        "mail.message-id-domain",
        "mail.forged-received",
        "mail.date-skew",
    ] {
        expect(doc, rule, "medium");
    }
    for rule in [
        "mail.dominant-uid",
        "mail.web-uid",
        "mail.blacklisted",
        "mail.bulk-mailer",
        "mail.header-injection",
    ] {
        expect(doc, rule, "high");
    }
}

/// Asserts a rule was reported at `min` or above, and returns its evidence.
pub fn expect(doc: &Value, rule: &str, min: &str) -> String {
    let all = findings(doc);
    let hit = all
        .iter()
        .filter(|f| f.0 == rule)
        .max_by_key(|f| rank(&f.1));
    match hit {
        Some(f) if rank(&f.1) >= rank(min) => f.3.clone(),
        _ => panic!("{rule} not reported at {min} or above; findings:\n{all:#?}"),
    }
}

/// Asserts nothing is at medium or above.
pub fn assert_quiet(doc: &Value) {
    let loud: Vec<_> = findings(doc)
        .into_iter()
        .filter(|f| rank(&f.1) >= 2)
        .collect();
    assert!(loud.is_empty(), "false alarms on honest mail:\n{loud:#?}");
}
