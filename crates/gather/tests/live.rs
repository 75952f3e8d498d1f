//! The live-state collection, on this machine: a deleted program copied out of a
//! running process, sockets joined to this test's PID, the hidden-module check on a
//! fake tree and on the real one, a collection while processes come and go, and the
//! firewall programs found or recorded as absent.

use breachkit_gather::live::{self, FirewallOutcome, HIDDEN_MODULE};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::process::{Child, Command};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

fn sha256_file(path: &Path) -> std::io::Result<String> {
    Ok(hex::encode(Sha256::digest(std::fs::read(path)?)))
}

/// Kills the child when the test ends, however it ends.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_deleted_program_is_copied_and_marked_deleted() {
    let work = tempfile::tempdir().unwrap();
    let program = work.path().join("sleeper");
    std::fs::copy("/bin/sleep", &program).unwrap();
    let original = sha256_file(Path::new("/bin/sleep")).unwrap();
    let child = Reaped(Command::new(&program).arg("300").spawn().unwrap());
    let pid = child.0.id();
    std::fs::remove_file(&program).unwrap();

    let dest = work.path().join("evidence");
    std::fs::create_dir(&dest).unwrap();
    let copy = live::copy_suspect_exe(pid, &dest).unwrap().unwrap();
    assert_eq!(copy.pid, pid);
    assert_eq!(copy.sha256, original);
    assert!(copy.exe.ends_with("/sleeper (deleted)"), "{}", copy.exe);
    assert!(!copy.capped);
    let copied = Path::new(&copy.dest);
    assert!(copied.starts_with(&dest));
    assert_eq!(sha256_file(copied).unwrap(), original);
    assert_eq!(copy.size, std::fs::metadata(copied).unwrap().len());
    let mode = std::fs::metadata(copied).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o400, "the copy is never executable");
    // A second copy never overwrites the first.
    let again = live::copy_suspect_exe(pid, &dest).unwrap().unwrap();
    assert_eq!(again.dest, format!("{}.1", copy.dest));
    assert_eq!(again.sha256, original);
    // A program in place in /usr is not suspect.
    assert!(
        live::copy_suspect_exe(std::process::id(), &dest)
            .unwrap()
            .is_none()
    );

    let all = live::copy_suspect_exes(&work.path().join("all")).unwrap();
    let mine = all.copies.iter().find(|c| c.pid == pid).unwrap();
    assert_eq!(mine.sha256, original);

    let accounts = breachkit_host::Host::live();
    let table = live::process_table(accounts.accounts()).unwrap();
    let record = table.processes.iter().find(|p| p.pid == pid).unwrap();
    assert!(record.exe_deleted);
    assert!(record.exe_in_temp);
    assert!(!record.exe_fileless);
    assert_eq!(record.exe.as_deref(), Some(&*program.to_string_lossy()));
    assert_eq!(record.exe_hash.as_ref().unwrap().sha256, original);
    assert_eq!(
        record.cmdline,
        vec![program.to_string_lossy().to_string(), "300".to_string()]
    );
    assert_eq!(record.ppid, std::process::id());
    if record.uid == 0 {
        assert_eq!(record.user.as_deref(), Some("root"));
    }
    assert!(record.start_time.as_deref().unwrap().ends_with('Z'));
    let maps = record.maps.as_ref().unwrap();
    assert!(maps.mappings > 0 && maps.mapped_files > 0);
    assert!(
        maps.deleted_files.iter().any(|f| f.ends_with("/sleeper")),
        "{:?}",
        maps.deleted_files
    );
    let me = table
        .processes
        .iter()
        .find(|p| p.pid == std::process::id())
        .unwrap();
    assert!(!me.exe_deleted);
    assert!(!me.environ.is_empty());
    assert!(me.open_files.iter().any(|f| f.fd == 0));
    assert!(
        !table
            .processes
            .iter()
            .any(|p| p.kernel_thread && p.exe.is_some())
    );
}

#[test]
fn sockets_are_joined_to_this_process() {
    let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = tcp.local_addr().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("breachkit.sock");
    let _unix = UnixListener::bind(&path).unwrap();
    let me = std::process::id();

    let sockets = live::sockets().unwrap();
    let inet = sockets
        .inet
        .iter()
        .find(|s| s.local == addr && s.proto == "tcp")
        .unwrap_or_else(|| panic!("{addr} not in {:?}", sockets.inet));
    assert_eq!(inet.state, "LISTEN");
    assert!(inet.inode != 0);
    assert!(inet.owners.iter().any(|o| o.pid == me), "{:?}", inet.owners);
    let unix = sockets
        .unix
        .iter()
        .find(|s| s.path.as_deref() == Some(&*path.to_string_lossy()))
        .unwrap();
    assert_eq!(unix.state, "LISTEN");
    assert_eq!(unix.kind, "stream");
    assert!(unix.owners.iter().any(|o| o.pid == me), "{:?}", unix.owners);
}

#[test]
fn sockets_of_another_network_namespace_are_read_through_its_process() {
    // A listener in a fresh network namespace, as in a container (`unshare` execs
    // perl in place, so the child's PID is perl's).
    let mut child = Command::new("unshare")
        .args([
            "--net",
            "perl",
            "-e",
            "use IO::Socket::INET; my $s = IO::Socket::INET->new(LocalAddr => '0.0.0.0', \
             LocalPort => 0, Listen => 1) or die $!; print $s->sockport, qq(\\n); \
             STDOUT->flush; sleep 300",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("unshare and perl are needed by this test: apt-get install -y util-linux perl");
    let stdout = child.stdout.take().unwrap();
    let child = Reaped(child);
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).unwrap();
    let port: u16 = line.trim().parse().unwrap();
    let pid = child.0.id();
    let theirs = std::fs::metadata(format!("/proc/{pid}/ns/net"))
        .unwrap()
        .ino();

    let sockets = live::sockets().unwrap();
    assert_ne!(sockets.netns, Some(theirs));
    let found = sockets
        .inet
        .iter()
        .find(|s| s.netns == Some(theirs) && s.local.port() == port)
        .unwrap_or_else(|| {
            panic!(
                "port {port} of namespace {theirs} not found: {:?}",
                sockets.notes
            )
        });
    assert_eq!(found.state, "LISTEN");
    assert!(
        found
            .owners
            .iter()
            .any(|o| o.pid == pid && o.name == "perl"),
        "{:?}",
        found.owners
    );
}

#[test]
fn hidden_modules_are_found_on_a_fake_tree_and_not_on_this_host() {
    let t = tempfile::tempdir().unwrap();
    let list = t.path().join("modules");
    std::fs::write(
        &list,
        "listed 16384 0 - Live 0x0000000000000000\nother 8192 1 listed, Live 0x0000000000000000\n",
    )
    .unwrap();
    let sys = t.path().join("sys/module");
    for (name, initstate) in [("listed", true), ("hidden_rk", true), ("builtin", false)] {
        let dir = sys.join(name);
        std::fs::create_dir_all(dir.join("parameters")).unwrap();
        if initstate {
            std::fs::write(dir.join("initstate"), "live\n").unwrap();
        }
    }
    let found = live::hidden_modules(&list, &sys).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    let f = &found[0];
    assert_eq!(f.rule, "gather.hidden-module");
    assert_eq!(f.rule, HIDDEN_MODULE.id);
    assert_eq!(f.severity, breachkit_finding::Severity::High);
    assert_eq!(f.mitre.as_deref(), Some("T1014"));
    assert!(
        f.path
            .as_deref()
            .unwrap()
            .ends_with("/sys/module/hidden_rk")
    );
    assert!(f.evidence.as_deref().unwrap().contains("live"));

    // Listed and built-in only: silent.
    std::fs::remove_dir_all(sys.join("hidden_rk")).unwrap();
    assert!(live::hidden_modules(&list, &sys).unwrap().is_empty());
    let modules = live::modules_at(&list, &sys).unwrap();
    assert!(modules.supported);
    assert_eq!(modules.modules.len(), 2);
    assert_eq!(modules.modules[1].used_by, vec!["listed"]);

    // No module list at all (a kernel without module support) and a loadable module
    // in sysfs: the module is hidden.
    std::fs::create_dir_all(sys.join("hidden_rk")).unwrap();
    std::fs::write(sys.join("hidden_rk/initstate"), "live\n").unwrap();
    let none = t.path().join("absent");
    assert_eq!(live::hidden_modules(&none, &sys).unwrap().len(), 2);
    assert!(!live::modules_at(&none, &sys).unwrap().supported);

    let real = live::hidden_modules(Path::new("/proc/modules"), Path::new("/sys/module")).unwrap();
    assert!(real.is_empty(), "{real:?}");
    assert!(live::modules().unwrap().hidden.is_empty());
}

/// Stops the process churn when the test ends, however it ends.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

#[test]
fn processes_exiting_during_the_collection_never_fail_it() {
    let stop = Arc::new(AtomicBool::new(false));
    let _stop_churn = StopOnDrop(stop.clone());
    let spawned = Arc::new(AtomicU64::new(0));
    let churn = {
        let (stop, spawned) = (stop.clone(), spawned.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let children: Vec<Child> = (0..20)
                    .filter_map(|_| Command::new("true").spawn().ok())
                    .collect();
                spawned.fetch_add(children.len() as u64, Ordering::Relaxed);
                for mut c in children {
                    let _ = c.wait();
                }
            }
        })
    };
    while spawned.load(Ordering::Relaxed) < 20 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = tempfile::tempdir().unwrap();
    let mut seen_exits = 0;
    for _ in 0..2 {
        let state = live::collect(&live::Options {
            exe_copies: Some(out.path().join("exe")),
            firewall_timeout: Duration::from_secs(30),
        });
        let table = state
            .processes
            .read()
            .unwrap_or_else(|| panic!("process table failed: {:?}", state.processes.error()));
        assert!(table.processes.iter().any(|p| p.pid == std::process::id()));
        assert!(table.unreadable.is_empty(), "{:?}", table.unreadable);
        seen_exits += table.exited_while_read;
        let sockets = state
            .sockets
            .read()
            .unwrap_or_else(|| panic!("sockets failed: {:?}", state.sockets.error()));
        seen_exits += sockets.exited_while_read;
        let copies = state.exe_copies.as_ref().unwrap();
        let copies = copies
            .read()
            .unwrap_or_else(|| panic!("{:?}", copies.error()));
        // Only refusals (this sandbox's PID 1 refuses even root), never exits.
        assert!(
            copies
                .failed
                .iter()
                .all(|f| f.error.ends_with("permission denied")),
            "{:?}",
            copies.failed
        );
        for section in [
            state.neighbours.error(),
            state.routes.error(),
            state.mounts.error(),
            state.modules.error(),
        ] {
            assert_eq!(section, None);
        }
        assert!(state.findings().is_empty());
        let json = serde_json::to_value(&state).unwrap();
        for key in [
            "sockets",
            "neighbours",
            "routes",
            "processes",
            "exe_copies",
            "mounts",
            "modules",
            "firewall",
        ] {
            assert!(json.get(key).is_some(), "{key} missing from the JSON");
        }
        assert!(json["processes"]["read"]["processes"].is_array());
        let back: live::LiveState = serde_json::from_value(json).unwrap();
        assert_eq!(back.started, state.started);
    }
    stop.store(true, Ordering::Relaxed);
    churn.join().unwrap();
    eprintln!(
        "{} short-lived processes ran; {seen_exits} exited while read",
        spawned.load(Ordering::Relaxed)
    );
}

fn is_on_system(name: &str) -> bool {
    live::TOOL_DIRS
        .iter()
        .any(|d| Path::new(d).join(name).is_file())
}

#[test]
fn firewall_programs_are_run_or_recorded_absent() {
    let dumps = live::firewall(Duration::from_secs(30));
    assert_eq!(dumps.len(), live::FIREWALL_COMMANDS.len());
    for dump in &dumps {
        let present = is_on_system(&dump.program);
        match &dump.outcome {
            FirewallOutcome::NotPresent { searched } => {
                assert!(!present, "{} is there but recorded absent", dump.program);
                assert_eq!(searched.len(), live::TOOL_DIRS.len());
            }
            FirewallOutcome::Ran { path, .. } => {
                assert!(present);
                assert!(path.ends_with(&dump.program));
            }
            FirewallOutcome::Failed { path, error } => {
                assert!(present);
                assert!(!error.is_empty(), "{path}");
            }
        }
    }
    let nft = &dumps[0];
    assert_eq!(nft.program, "nft");
    if is_on_system("nft") {
        // As root nft lists the rule set (possibly empty), and the JSON says it ran.
        assert!(
            matches!(nft.outcome, FirewallOutcome::Ran { .. }),
            "{:?}",
            nft.outcome
        );
        let json = serde_json::to_value(nft).unwrap();
        assert_eq!(json["status"], "ran");
    } else {
        let json = serde_json::to_value(nft).unwrap();
        assert_eq!(json["status"], "not_present");
    }

    // Nothing in an empty directory: every program is absent, none silently empty.
    let empty = tempfile::tempdir().unwrap();
    for dump in live::firewall_in(&[empty.path()], Duration::from_secs(5)) {
        assert!(
            matches!(dump.outcome, FirewallOutcome::NotPresent { .. }),
            "{dump:?}"
        );
    }

    // A program that hangs is killed at the timeout; one that fails is an error.
    let fake = tempfile::tempdir().unwrap();
    let script = |name: &str, body: &str| {
        let path = fake.path().join(name);
        let mut f = std::fs::File::create(&path).unwrap();
        writeln!(f, "#!/bin/sh\n{body}").unwrap();
        drop(f);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    script("nft", "sleep 30");
    script(
        "iptables-save",
        "echo 'iptables: permission denied' >&2; exit 3",
    );
    script("ip6tables-save", "echo '*filter'; echo COMMIT");
    let started = std::time::Instant::now();
    let dumps = live::firewall_in(&[fake.path()], Duration::from_millis(500));
    assert!(started.elapsed() < Duration::from_secs(10));
    match &dumps[0].outcome {
        FirewallOutcome::Failed { error, .. } => assert!(error.contains("killed"), "{error}"),
        other => panic!("{other:?}"),
    }
    match &dumps[1].outcome {
        FirewallOutcome::Failed { error, .. } => {
            assert!(
                error.contains("3") && error.contains("permission denied"),
                "{error}"
            );
        }
        other => panic!("{other:?}"),
    }
    match &dumps[2].outcome {
        FirewallOutcome::Ran { output, .. } => assert_eq!(output, "*filter\nCOMMIT\n"),
        other => panic!("{other:?}"),
    }
}
