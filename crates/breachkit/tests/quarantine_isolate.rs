//! Host isolation with real nftables inside private network namespaces: a server
//! namespace (the isolated host), an attacker and an admin on veth pairs. The
//! attacker's established connection dies, the admin's SSH-like session survives,
//! an unconfirmed isolation rolls itself back, `confirm` keeps it, `release`
//! removes exactly our table; DNS goes out only with --allow-dns; without nft, or
//! with the case on a full disk, nothing changes.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const PORT: u16 = 7022;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_breachkit")
}

fn need(program: &str) {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "{program} is not installed: scripts/test installs it"
    );
}

fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Three namespaces: `s` (the host), `a` (attacker, 10.Y.1.2), `m` (admin, 10.Y.2.2).
struct Lab {
    tag: String,
    subnet: u8,
}

impl Lab {
    fn new(tag: &str, subnet: u8) -> Lab {
        need("ip");
        need("nft");
        let tag = format!("bk{}{tag}", std::process::id() % 10000);
        let lab = Lab { tag, subnet };
        for ns in ["s", "a", "m"] {
            ip(&["netns", "add", &lab.ns(ns)]);
            ip(&["-n", &lab.ns(ns), "link", "set", "lo", "up"]);
        }
        for (peer, net) in [("a", 1), ("m", 2)] {
            let (host_if, peer_if) = (format!("{}s{peer}", lab.tag), format!("{}{peer}s", lab.tag));
            ip(&[
                "link", "add", &host_if, "type", "veth", "peer", "name", &peer_if,
            ]);
            ip(&["link", "set", &host_if, "netns", &lab.ns("s")]);
            ip(&["link", "set", &peer_if, "netns", &lab.ns(peer)]);
            ip(&[
                "-n",
                &lab.ns("s"),
                "addr",
                "add",
                &format!("{}/24", lab.addr(net, 1)),
                "dev",
                &host_if,
            ]);
            ip(&[
                "-n",
                &lab.ns(peer),
                "addr",
                "add",
                &format!("{}/24", lab.addr(net, 2)),
                "dev",
                &peer_if,
            ]);
            ip(&["-n", &lab.ns("s"), "link", "set", &host_if, "up"]);
            ip(&["-n", &lab.ns(peer), "link", "set", &peer_if, "up"]);
        }
        lab
    }

    fn ns(&self, which: &str) -> String {
        format!("{}{which}", self.tag)
    }

    fn addr(&self, net: u8, host: u8) -> String {
        format!("10.{}.{net}.{host}", self.subnet)
    }

    /// Runs `f` on a thread inside namespace `which`; sockets made there stay there.
    fn inside<T: Send + 'static>(&self, which: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
        let path = format!("/run/netns/{}", self.ns(which));
        std::thread::spawn(move || {
            let fd = std::fs::File::open(&path).unwrap();
            nix::sched::setns(fd.as_fd(), nix::sched::CloneFlags::CLONE_NEWNET).unwrap();
            f()
        })
        .join()
        .unwrap()
    }

    /// An echo server on the host namespace; runs until the test process ends.
    fn echo_server(&self) {
        let listener = self.inside("s", || TcpListener::bind(("0.0.0.0", PORT)).unwrap());
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    let mut w = conn.try_clone().unwrap();
                    for line in BufReader::new(conn).lines().map_while(Result::ok) {
                        if writeln!(w, "{line}").is_err() {
                            break;
                        }
                    }
                });
            }
        });
    }

    /// A connection from namespace `which` to the host.
    fn connect(&self, which: &str, net: u8) -> std::io::Result<TcpStream> {
        let to: SocketAddr = format!("{}:{PORT}", self.addr(net, 1)).parse().unwrap();
        self.inside(which, move || {
            TcpStream::connect_timeout(&to, Duration::from_secs(1))
        })
    }

    /// breachkit inside the host namespace.
    fn breachkit(&self, case: &std::path::Path, args: &[&str], ssh: Option<&str>) -> Output {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.ns("s"), bin(), "--case"])
            .arg(case)
            .args(args);
        cmd.env_remove("SSH_CONNECTION");
        if let Some(s) = ssh {
            cmd.env("SSH_CONNECTION", s);
        }
        cmd.output().unwrap()
    }

    fn tables(&self) -> String {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.ns("s"), "nft", "list", "tables"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for ns in ["s", "a", "m"] {
            let _ = Command::new("ip")
                .args(["netns", "del", &self.ns(ns)])
                .output();
        }
    }
}

/// True when a line sent on `s` comes back within a second.
fn echoes(s: &TcpStream) -> bool {
    let mut w = s.try_clone().unwrap();
    s.set_read_timeout(Some(Duration::from_millis(1500)))
        .unwrap();
    if writeln!(w, "ping").is_err() {
        return false;
    }
    let mut line = String::new();
    BufReader::new(s.try_clone().unwrap())
        .read_line(&mut line)
        .is_ok()
        && line == "ping\n"
}

fn ok(out: &Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    text
}

fn wait_for(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("timed out waiting for: {what}");
}

#[test]
fn isolation_cuts_the_attacker_keeps_the_admin_and_release_removes_only_our_table() {
    let lab = Lab::new("i", 231);
    lab.echo_server();
    let case = tempfile::tempdir().unwrap();
    let out = Command::new("ip")
        .args([
            "netns",
            "exec",
            &lab.ns("s"),
            "nft",
            "add",
            "table",
            "inet",
            "keepme",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let attacker = lab.connect("a", 1).unwrap();
    let admin = lab.connect("m", 2).unwrap();
    assert!(echoes(&attacker) && echoes(&admin));
    let admin_port = admin.local_addr().unwrap().port();
    let ssh = format!("{} {admin_port} {} {PORT}", lab.addr(2, 2), lab.addr(2, 1));

    // The plan changes nothing.
    let plan = ok(&lab.breachkit(
        case.path(),
        &["quarantine", "isolate", "--host", "--allow", "192.0.2.0/24"],
        Some(&ssh),
    ));
    assert!(plan.contains("PLAN"), "{plan}");
    assert!(
        plan.contains(&format!("{} port {admin_port}", lab.addr(2, 2))),
        "{plan}"
    );
    assert!(!lab.tables().contains("breachkit"));

    ok(&lab.breachkit(
        case.path(),
        &[
            "quarantine",
            "isolate",
            "--host",
            "--yes",
            "--allow",
            "192.0.2.0/24",
            "--confirm-within",
            "60s",
        ],
        Some(&ssh),
    ));
    assert!(lab.tables().contains("table inet breachkit_quarantine"));
    assert!(echoes(&admin), "the admin's session survives");
    assert!(
        !echoes(&attacker),
        "the attacker's established connection is cut"
    );
    assert!(
        lab.connect("a", 1).is_err(),
        "no new connection from the attacker"
    );
    assert!(
        lab.connect("m", 2).is_err(),
        "only the admin's session, not any connection from there"
    );

    // Twice is harmless.
    let again = ok(&lab.breachkit(
        case.path(),
        &["quarantine", "isolate", "--host", "--yes"],
        Some(&ssh),
    ));
    assert!(again.contains("already isolated"), "{again}");
    let status = ok(&lab.breachkit(case.path(), &["quarantine", "status"], None));
    assert!(
        status.contains("isolate-host") && status.contains("roll-back"),
        "{status}"
    );

    ok(&lab.breachkit(case.path(), &["quarantine", "release", "--yes"], None));
    let tables = lab.tables();
    assert!(!tables.contains("breachkit"), "{tables}");
    assert!(
        tables.contains("table inet keepme"),
        "other tables stay: {tables}"
    );
    assert!(lab.connect("a", 1).is_ok(), "traffic flows again");
    assert!(echoes(&admin));
}

#[test]
fn unconfirmed_isolation_rolls_back_and_confirmed_stays() {
    let lab = Lab::new("w", 232);
    lab.echo_server();
    let case = tempfile::tempdir().unwrap();
    let ssh = format!("{} 1 {} 22", lab.addr(2, 2), lab.addr(2, 1));
    ok(&lab.breachkit(
        case.path(),
        &["quarantine", "isolate", "--yes", "--confirm-within", "2s"],
        Some(&ssh),
    ));
    assert!(lab.tables().contains("breachkit_quarantine"));
    assert!(lab.connect("a", 1).is_err());
    wait_for("the watchdog rolls back", 15, || {
        !lab.tables().contains("breachkit_quarantine")
    });
    assert!(lab.connect("a", 1).is_ok());
    let status = ok(&lab.breachkit(case.path(), &["quarantine", "status"], None));
    assert!(status.contains("nothing is in force"), "{status}");

    ok(&lab.breachkit(
        case.path(),
        &["quarantine", "isolate", "--yes", "--confirm-within", "2s"],
        Some(&ssh),
    ));
    let confirmed = ok(&lab.breachkit(case.path(), &["quarantine", "confirm"], None));
    assert!(confirmed.contains("CONFIRMED"), "{confirmed}");
    std::thread::sleep(Duration::from_secs(4));
    assert!(
        lab.tables().contains("breachkit_quarantine"),
        "confirmed isolation stays"
    );
    ok(&lab.breachkit(case.path(), &["quarantine", "release", "--yes"], None));
    assert!(!lab.tables().contains("breachkit_quarantine"));
}

#[test]
fn without_nft_nothing_is_changed() {
    let case = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(bin())
        .args(["--case"])
        .arg(case.path())
        .args(["quarantine", "isolate", "--host", "--yes"])
        .env("PATH", empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nft not found"), "{err}");
    let status = Command::new(bin())
        .arg("--case")
        .arg(case.path())
        .args(["quarantine", "status"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&status.stdout).contains("nothing is in force"));
}

#[test]
fn a_full_case_disk_changes_nothing() {
    let lab = Lab::new("f", 233);
    let disk = breachkit_testkit::full_disk::FullDisk::mount();
    let case = disk.path().join("case");
    // The case exists (opened once), then its disk fills up.
    ok(&lab.breachkit(&case, &["quarantine", "maintenance", "off"], None));
    disk.fill();
    let out = lab.breachkit(&case, &["quarantine", "isolate", "--yes"], None);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("full") || text.contains("space"), "{text}");
    assert!(!lab.tables().contains("breachkit"), "{text}");
}

impl Lab {
    /// A UDP echo server on `port` in namespace `which`; runs until the test ends.
    fn udp_echo(&self, which: &str, port: u16) {
        let sock = self.inside(which, move || {
            std::net::UdpSocket::bind(("0.0.0.0", port)).unwrap()
        });
        std::thread::spawn(move || {
            let mut buf = [0u8; 512];
            while let Ok((n, from)) = sock.recv_from(&mut buf) {
                let _ = sock.send_to(&buf[..n], from);
            }
        });
    }

    /// True when a datagram from the host namespace to `to:port` is answered.
    fn udp_answered(&self, to: String, port: u16) -> bool {
        self.inside("s", move || {
            let s = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
            s.set_read_timeout(Some(Duration::from_millis(800)))
                .unwrap();
            let mut buf = [0u8; 16];
            s.send_to(b"q", (to.as_str(), port)).is_ok() && s.recv_from(&mut buf).is_ok()
        })
    }
}

#[test]
fn dns_goes_out_only_when_asked() {
    let lab = Lab::new("d", 234);
    lab.udp_echo("a", 53);
    lab.udp_echo("a", 5353);
    let case = tempfile::tempdir().unwrap();
    let peer = lab.addr(1, 2);
    assert!(lab.udp_answered(peer.clone(), 53));
    let isolate = ["quarantine", "isolate", "--yes", "--confirm-within", "60s"];

    ok(&lab.breachkit(case.path(), &isolate, None));
    assert!(
        !lab.udp_answered(peer.clone(), 53),
        "DNS blocked by default"
    );
    ok(&lab.breachkit(case.path(), &["quarantine", "release", "--yes"], None));

    let mut with_dns = isolate.to_vec();
    with_dns.push("--allow-dns");
    ok(&lab.breachkit(case.path(), &with_dns, None));
    assert!(lab.udp_answered(peer.clone(), 53), "DNS allowed when asked");
    assert!(!lab.udp_answered(peer.clone(), 5353), "only DNS");
    ok(&lab.breachkit(case.path(), &["quarantine", "release", "--yes"], None));
}
