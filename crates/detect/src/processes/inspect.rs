//! The per-process rules: what one process read from `/proc` shows, as findings,
//! each with the evidence an admin needs to act on it (what was seen, the user, the
//! parent and the command line).

use super::cpu::{Clock, CpuUse};
use super::environ::{in_system_lib_dir, ld_preload, miner_entry, preloaded};
use super::hidden::{Probe, System};
use super::locations::{Exe, exe_state, exists_for, risky_place, without_deleted};
use super::proc_read::{self, ProcInfo, ReadError};
use super::programs::{Program, classify, is_php_mail_child, looks_like_kernel_thread};
use super::rules;
use super::sockets::SocketTables;
use super::unread::Unread;
use breachkit_finding::{Finding, Rule, Severity, escape_bytes};
use breachkit_host::Accounts;
use breachkit_scan::shellcmd::miner_word;

/// A finding for one process and what it is about, before the shared context
/// (user, parent, command line) is added to its evidence.
struct Sign {
    finding: Finding,
    what: String,
}

impl Sign {
    fn new(rule: &Rule, what: impl Into<String>) -> Sign {
        Sign {
            finding: rule.finding(),
            what: what.into(),
        }
    }
}

/// Applies the rules to processes, keeping what several processes share: the
/// accounts, the clock and the socket tables of each network namespace.
pub(super) struct Inspector<'h> {
    accounts: &'h Accounts,
    clock: Option<Clock>,
    sockets: SocketTables,
}

impl<'h> Inspector<'h> {
    pub fn new(accounts: &'h Accounts, clock: Option<Clock>) -> Self {
        Inspector {
            accounts,
            clock,
            sockets: SocketTables::default(),
        }
    }

    /// The findings about one listed process.
    pub fn inspect(&mut self, p: &ProcInfo, unread: &mut Unread) -> Vec<Finding> {
        let signs = self.signs(p, unread);
        self.finish(p, signs)
    }

    /// The findings about a PID hidden from the `/proc` listing: that it is hidden,
    /// and whatever else it shows when `/proc/PID` can still be read.
    pub fn inspect_hidden(&mut self, pid: u32, unread: &mut Unread) -> Vec<Finding> {
        let seen = "it answers kill(pid, 0) but is not in the /proc listing";
        match proc_read::read(pid) {
            Ok(Some(mut p)) => {
                unread.absorb(&mut p);
                let mut signs = vec![Sign::new(&rules::HIDDEN, seen)];
                signs.extend(self.signs(&p, unread));
                self.finish(&p, signs)
            }
            Ok(None) => vec![
                rules::HIDDEN
                    .finding()
                    .pid(pid)
                    .evidence(format!("{seen}; it is a kernel thread or a zombie")),
            ],
            // Gone from /proc/PID as well: exited since the probe, or hidden completely.
            Err(ReadError::Gone) if !System.answers(pid) => Vec::new(),
            Err(e) => vec![rules::HIDDEN.finding().pid(pid).evidence(format!(
                "{seen}; /proc/{pid} cannot be read either ({e}): hidden completely, or /proc \
                 is mounted with hidepid= and hides processes breachkit may not trace"
            ))],
        }
    }

    fn signs(&mut self, p: &ProcInfo, unread: &mut Unread) -> Vec<Sign> {
        let exe = p.exe.as_deref().map(exe_state);
        let program = classify(p.program_name());
        let mut signs = where_it_runs(p, exe);
        signs.extend(fake_kernel_thread(p));
        signs.extend(self.web_account(p, program));
        match self.reverse_shell(p, program) {
            Ok(sign) => signs.extend(sign),
            Err(e) => unread.record(p.pid, "net", e),
        }
        signs.extend(self.miner_and_cpu(p));
        signs.extend(preload(p));
        signs
    }

    /// Adds the context to each sign's evidence, and the program's path where the
    /// finding has no path of its own.
    fn finish(&self, p: &ProcInfo, signs: Vec<Sign>) -> Vec<Finding> {
        if signs.is_empty() {
            return Vec::new();
        }
        let context = self.context(p);
        let exe_path = p
            .exe
            .as_deref()
            .and_then(|link| exe_state(link).path())
            .map(escape_bytes);
        signs
            .into_iter()
            .map(|Sign { mut finding, what }| {
                if finding.path.is_none() {
                    finding.path.clone_from(&exe_path);
                }
                finding.pid(p.pid).evidence(format!("{what}; {context}"))
            })
            .collect()
    }

    /// `user www-data (uid 33); parent 812 (apache2); cmd: sh -c …`
    fn context(&self, p: &ProcInfo) -> String {
        let mut text = format!("user {}", self.user(p.ids.ruid));
        if p.ids.euid != p.ids.ruid {
            text.push_str(&format!(", effective user {}", self.user(p.ids.euid)));
        }
        text.push_str(&format!("; parent {}", parent(p.stat.ppid)));
        match p.command_line() {
            cmd if cmd.is_empty() => text.push_str("; cmd: (empty)"),
            cmd => text.push_str(&format!("; cmd: {cmd}")),
        }
        text
    }

    fn user(&self, uid: u32) -> String {
        match self.accounts.by_uid(uid) {
            Some(user) => format!("{} (uid {uid})", user.name),
            None => format!("uid {uid}"),
        }
    }

    /// A web or database account running a shell, interpreter or network tool.
    fn web_account(&self, p: &ProcInfo, program: Option<Program>) -> Option<Sign> {
        let program = program?;
        let account = [p.ids.ruid, p.ids.euid]
            .into_iter()
            .find_map(|uid| self.accounts.by_uid(uid).filter(|u| u.is_web_account()))?;
        if program == Program::Shell && is_php_mail_child(&p.argv) {
            return None;
        }
        Some(Sign::new(
            &rules::WEB_USER_SHELL,
            format!(
                "{} runs {} ({})",
                account.name,
                program.describe(),
                escape_bytes(p.program_name())
            ),
        ))
    }

    /// A shell or interpreter whose standard input or output is an INET socket.
    fn reverse_shell(
        &mut self,
        p: &ProcInfo,
        program: Option<Program>,
    ) -> Result<Option<Sign>, ReadError> {
        if !matches!(program, Some(Program::Shell | Program::Interpreter)) {
            return Ok(None);
        }
        for &(fd, inode) in &p.std_sockets {
            if let Some(socket) = self.sockets.find(p.pid, p.netns, inode)? {
                let name = if fd == 0 { "stdin" } else { "stdout" };
                return Ok(Some(Sign::new(
                    &rules::REVERSE_SHELL,
                    format!("{name} (fd {fd}) is the network connection {socket}"),
                )));
            }
        }
        Ok(None)
    }

    /// A miner named on the command line or in the environment (critical when the
    /// process also keeps a CPU busy), and sustained CPU use on its own.
    fn miner_and_cpu(&self, p: &ProcInfo) -> Vec<Sign> {
        let busy = self
            .clock
            .and_then(|clock| clock.lifetime_use(p.stat.cpu_ticks, p.stat.start_ticks))
            .filter(CpuUse::sustained);
        let miner = match miner_word(&p.command_line()) {
            Some(word) => Some(format!("{word:?} on the command line")),
            None => miner_entry(&p.environ)
                .map(|(word, entry)| format!("{word:?} in the environment: {entry}")),
        };
        let mut signs = Vec::new();
        if let Some(what) = miner {
            let mut sign = Sign::new(&rules::MINER, what);
            if let Some(busy) = busy {
                sign.finding = sign.finding.severity(Severity::Critical);
                sign.what.push_str(&format!("; {}", busy.describe()));
            }
            signs.push(sign);
        }
        if let Some(busy) = busy {
            signs.push(Sign::new(&rules::SUSTAINED_CPU, busy.describe()));
        }
        signs
    }
}

/// A program that is fileless, deleted, or in a temp or hidden directory; else a
/// working directory in such a place.
fn where_it_runs(p: &ProcInfo, exe: Option<Exe<'_>>) -> Vec<Sign> {
    let link = || escape_bytes(p.exe.as_deref().unwrap_or_default());
    let mut signs = Vec::new();
    match exe {
        Some(Exe::Memfd(_)) => signs.push(Sign::new(&rules::MEMFD_EXE, format!("exe {}", link()))),
        Some(Exe::Deleted(path)) if exists_for(p.pid, path) == Some(false) => {
            signs.push(Sign::new(
                &rules::DELETED_EXE,
                format!("exe {}; nothing is at that path now", link()),
            ))
        }
        _ => {}
    }
    let cwd = p.cwd.as_deref().map(without_deleted);
    if let Some(place) = exe.and_then(Exe::path).and_then(risky_place) {
        let what = format!("exe {} is in {}", link(), place.describe());
        signs.push(Sign::new(&rules::TEMP_EXE, what));
    } else if let Some((cwd, place)) = cwd.and_then(|c| Some((c, risky_place(c)?))) {
        let what = format!(
            "working directory {} is in {}",
            escape_bytes(cwd),
            place.describe()
        );
        let mut sign = Sign::new(&rules::TEMP_CWD, what);
        sign.finding = sign.finding.path(escape_bytes(cwd));
        signs.push(sign);
    }
    signs
}

/// A process with a program file that `ps` shows like a kernel thread: a bracketed
/// `argv[0]`, or an empty command line (then `ps` shows `[comm]`). Kernel threads
/// themselves never get here.
fn fake_kernel_thread(p: &ProcInfo) -> Option<Sign> {
    let link = escape_bytes(p.exe.as_deref()?);
    let shown = if p.argv.is_empty() {
        format!(
            "its command line is empty, so ps shows it as [{}]",
            escape_bytes(&p.stat.comm)
        )
    } else if let Some(arg0) = p.argv.first().filter(|_| looks_like_kernel_thread(&p.argv)) {
        format!("it calls itself {}", escape_bytes(arg0))
    } else {
        return None;
    };
    Some(Sign::new(
        &rules::FAKE_KTHREAD,
        format!("{shown} but runs {link}"),
    ))
}

/// `LD_PRELOAD` in the environment; medium when every library is a plain path in a
/// system library directory and exists.
fn preload(p: &ProcInfo) -> Option<Sign> {
    let values = ld_preload(&p.environ);
    if values.is_empty() {
        return None;
    }
    let suspect: Vec<String> = values
        .iter()
        .flat_map(|value| preloaded(value))
        .filter(|lib| !in_system_lib_dir(lib) || exists_for(p.pid, lib) != Some(true))
        .map(escape_bytes)
        .collect();
    let mut what = values
        .iter()
        .map(|value| format!("LD_PRELOAD={}", escape_bytes(value)))
        .collect::<Vec<_>>()
        .join("; ");
    let severity = if suspect.is_empty() {
        Severity::Medium
    } else {
        what.push_str(&format!(
            " (missing or outside the system library directories: {})",
            suspect.join(", ")
        ));
        rules::LD_PRELOAD.severity
    };
    let mut sign = Sign::new(&rules::LD_PRELOAD, what);
    sign.finding = sign.finding.severity(severity);
    Some(sign)
}

/// `812 (apache2)`, the parent's name read now.
fn parent(ppid: u32) -> String {
    if ppid == 0 {
        return "0 (the kernel)".to_string();
    }
    match std::fs::read(format!("/proc/{ppid}/comm")) {
        Ok(comm) => format!("{ppid} ({})", escape_bytes(comm.trim_ascii_end())),
        Err(_) => format!("{ppid} (exited)"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::proc_read::{Ids, Stat};
    use super::*;

    fn process(argv: &[&str], exe: Option<&str>, ruid: u32) -> ProcInfo {
        ProcInfo {
            pid: std::process::id(),
            stat: Stat {
                comm: b"x".to_vec(),
                state: b'S',
                ppid: 1,
                flags: 0,
                cpu_ticks: 0,
                start_ticks: 0,
            },
            ids: Ids {
                tgid: std::process::id(),
                ruid,
                euid: ruid,
            },
            argv: argv.iter().map(|a| a.as_bytes().to_vec()).collect(),
            argv_capped: false,
            exe: exe.map(|e| e.as_bytes().to_vec()),
            cwd: Some(b"/".to_vec()),
            environ: Vec::new(),
            environ_capped: false,
            std_sockets: Vec::new(),
            netns: None,
            unread: Vec::new(),
        }
    }

    fn accounts() -> Accounts {
        Accounts {
            users: ["root:0", "www-data:33", "alice:1000"]
                .iter()
                .map(|spec| {
                    let (name, uid) = spec.split_once(':').unwrap();
                    breachkit_host::User {
                        name: name.to_string(),
                        uid: uid.parse().unwrap(),
                        gid: 0,
                        home: "/".into(),
                        shell: "/bin/sh".into(),
                        line: 1,
                    }
                })
                .collect(),
            ..Accounts::default()
        }
    }

    fn rules_of(p: &ProcInfo) -> Vec<String> {
        let acc = accounts();
        let mut inspector = Inspector::new(&acc, None);
        let mut unread = Unread::default();
        inspector
            .inspect(p, &mut unread)
            .into_iter()
            .map(|f| f.rule)
            .collect()
    }

    #[test]
    fn web_account_shells_but_not_php_mail() {
        let shell = process(&["sh", "-c", "id; uname -a"], Some("/usr/bin/dash"), 33);
        assert_eq!(rules_of(&shell), vec!["proc.web-user-shell"]);
        let mail = process(
            &["sh", "-c", "/usr/sbin/sendmail -t -i"],
            Some("/usr/bin/dash"),
            33,
        );
        assert!(rules_of(&mail).is_empty());
        let fpm = process(&["php-fpm: pool www"], Some("/usr/sbin/php-fpm8.2"), 33);
        assert!(rules_of(&fpm).is_empty());
        let curl = process(&["curl", "-O", "http://x/y"], Some("/usr/bin/curl"), 33);
        assert_eq!(rules_of(&curl), vec!["proc.web-user-shell"]);
        let person = process(&["bash"], Some("/usr/bin/bash"), 1000);
        assert!(rules_of(&person).is_empty());
    }

    #[test]
    fn kernel_thread_impostors_need_a_program() {
        let fake = process(&["[kworker/0:1]"], Some("/usr/bin/sleep"), 0);
        assert_eq!(rules_of(&fake), vec!["proc.fake-kthread"]);
        let empty = process(&[], Some("/usr/bin/sleep"), 0);
        assert_eq!(rules_of(&empty), vec!["proc.fake-kthread"]);
        let no_exe = process(&[], None, 0);
        assert!(rules_of(&no_exe).is_empty());
    }

    #[test]
    fn evidence_carries_context_and_path() {
        let mut p = process(
            &["xmrig", "-o", "stratum+tcp://pool.example.org:3333"],
            Some("/usr/bin/sleep"),
            33,
        );
        p.environ = vec![b"LD_PRELOAD=/tmp/x.so".to_vec()];
        let acc = accounts();
        let mut inspector = Inspector::new(&acc, None);
        let findings = inspector.inspect(&p, &mut Unread::default());
        let miner = findings.iter().find(|f| f.rule == "proc.miner").unwrap();
        assert_eq!(miner.pid, Some(std::process::id()));
        assert_eq!(miner.path.as_deref(), Some("/usr/bin/sleep"));
        let ev = miner.evidence.as_deref().unwrap();
        assert!(
            ev.starts_with(
                "\"stratum+tcp://\" on the command line; user www-data (uid 33); parent 1 ("
            ),
            "{ev}"
        );
        assert!(
            ev.ends_with("; cmd: xmrig -o stratum+tcp://pool.example.org:3333"),
            "{ev}"
        );
        let preload = findings
            .iter()
            .find(|f| f.rule == "proc.ld-preload")
            .unwrap();
        assert_eq!(preload.severity, Severity::High);
        assert!(
            preload
                .evidence
                .as_deref()
                .unwrap()
                .contains("outside the system library directories: /tmp/x.so")
        );
    }

    #[test]
    fn system_preloads_are_medium() {
        let mut p = process(&["sleep", "1"], Some("/usr/bin/sleep"), 0);
        let libc = [
            "/usr/lib/x86_64-linux-gnu/libc.so.6",
            "/lib/x86_64-linux-gnu/libc.so.6",
            "/usr/lib64/libc.so.6",
            "/lib64/libc.so.6",
        ]
        .into_iter()
        .find(|l| std::path::Path::new(l).exists())
        .expect("a libc in a system library directory");
        p.environ = vec![format!("LD_PRELOAD={libc}").into_bytes()];
        let acc = accounts();
        let findings = Inspector::new(&acc, None).inspect(&p, &mut Unread::default());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Medium);
    }
}
