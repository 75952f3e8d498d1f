//! The rules of the `processes` check: the fixed text of each kind of finding.

use breachkit_finding::{Rule, Severity, Step};

pub(super) const DELETED_EXE: Rule = Rule {
    id: "proc.deleted-exe",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "Process runs from a deleted program file",
    explanation: "The program this process was started from has been deleted, and nothing is \
        at its path any more. Malware deletes itself after starting so that no file is left to \
        find or scan while it keeps running from memory. (A program replaced by a package \
        upgrade still has a file at its path and is not reported.)",
    mitre: Some("T1070.004"),
    next_step: "Save the program before you stop it: `cp /proc/PID/exe /root/evidence/PID.exe` \
        still works while it runs. Note its connections (`ls -l /proc/PID/fd`, `ss -tpn`) and \
        parent, then kill it and find what started it (cron, systemd, a web request).",
};

pub(super) const MEMFD_EXE: Rule = Rule {
    id: "proc.memfd-exe",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "Process runs a program that exists only in memory",
    explanation: "This process was started from an anonymous memory file (memfd), so its \
        program was never on disk: fileless malware loads itself this way to stay out of reach \
        of file scanners. Container runtimes (runc) do it briefly while a container starts; a \
        process that stays like this is rare.",
    mitre: Some("T1620"),
    next_step: "Copy the program out of memory (`cp /proc/PID/exe /root/evidence/PID.memfd`), \
        record its command line, parent and connections, then stop it and trace what launched it.",
};

pub(super) const TEMP_EXE: Rule = Rule {
    id: "proc.temp-exe",
    step: Step::Aware,
    severity: Severity::High,
    title: "Process runs a program from a temp or hidden directory",
    explanation: "Installed programs live in /usr, /bin, /sbin or /opt. Temp directories \
        (/tmp, /var/tmp, /dev/shm) are writable by every account, the web server's too, and \
        hidden directories (names starting with a dot) are where attackers stash droppers, \
        miners and backdoors. Per-user toolchains in a person's home (~/.cargo, ~/.rustup, \
        ~/.local/bin, ~/.nvm, ~/.pyenv, ~/.vscode-server) are not reported.",
    mitre: Some("T1564.001"),
    next_step: "Copy the program (`cp /proc/PID/exe /root/evidence/`), see who owns it and \
        when it appeared (`stat`), check the parent and how it was started, then stop the \
        process and remove the file once it is saved.",
};

pub(super) const TEMP_CWD: Rule = Rule {
    id: "proc.temp-cwd",
    step: Step::Aware,
    severity: Severity::Low,
    title: "Process works in a temp or hidden directory",
    explanation: "The current directory of this process is a temp directory or a hidden one. \
        Plenty of honest scripts do this, so on its own it is a weak sign; next to other \
        findings for the same process or its parent it shows where an attacker works.",
    mitre: None,
    next_step: "List the directory (`ls -la /proc/PID/cwd/`) for dropped tools and check the \
        process's command line and parent.",
};

pub(super) const FAKE_KTHREAD: Rule = Rule {
    id: "proc.fake-kthread",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "Process disguised as a kernel thread",
    explanation: "`ps` shows this process in square brackets like a kernel thread \
        ([kworker/0:1], [kthreadd]), but it runs a program file: real kernel threads have no \
        program and the kernel marks them as kernel threads. Miners and backdoors rename \
        themselves this way to hide in the long list of kernel threads.",
    mitre: Some("T1036.004"),
    next_step: "Copy the real program (`cp /proc/PID/exe /root/evidence/`), note its parent \
        and connections, then kill it and find what starts it again.",
};

pub(super) const WEB_USER_SHELL: Rule = Rule {
    id: "proc.web-user-shell",
    step: Step::Aware,
    severity: Severity::High,
    title: "Web or database account runs a shell, interpreter or network tool",
    explanation: "A process of a web server or database account (www-data, apache, nginx, \
        mysql…) is running a shell, a script interpreter (perl, python, ruby, node) or a \
        download or network tool (curl, wget, nc, socat). These services answer requests with \
        PHP or SQL; a shell or a downloader under their account is how a web shell or an \
        injection payload shows. (PHP's mail() child `sh -c /usr/sbin/sendmail …` is not \
        reported.)",
    mitre: Some("T1505.003"),
    next_step: "Follow the parent chain up to the web server, find the request that started \
        it in the access log around the process start time, save its command line and \
        environment, then kill it.",
};

pub(super) const REVERSE_SHELL: Rule = Rule {
    id: "proc.reverse-shell",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "Shell connected to the network (reverse shell)",
    explanation: "A shell or script interpreter reads its input or writes its output through \
        a network connection. That is what a reverse or bind shell is: someone at the other \
        end types commands and this server runs them. Normal shells talk to a terminal, a \
        pipe or a file.",
    mitre: Some("T1059.004"),
    next_step: "Block the remote address shown in the evidence, save /proc/PID (cmdline, \
        environ, `cp /proc/PID/exe`), then kill the shell and the process that spawned it.",
};

pub(super) const MINER: Rule = Rule {
    id: "proc.miner",
    step: Step::Aware,
    severity: Severity::High,
    title: "Cryptocurrency miner",
    explanation: "The command line or environment of this process names a mining pool, the \
        stratum mining protocol or a miner program. Miners are the most common payload on \
        hacked web servers: they burn the CPU for someone else and usually come with a \
        backdoor that installed them.",
    mitre: Some("T1496"),
    next_step: "Copy the program (`cp /proc/PID/exe /root/evidence/`), note the pool address, \
        kill the process and look for what restarts it (cron, systemd, shell profiles, \
        /etc/ld.so.preload); block the pool at the firewall.",
};

pub(super) const SUSTAINED_CPU: Rule = Rule {
    id: "proc.sustained-cpu",
    step: Step::Aware,
    severity: Severity::Low,
    title: "Process has kept a CPU busy for a long time",
    explanation: "Over its whole life, ten minutes or more, this process has kept a CPU core \
        at least 80% busy. Builds, backups and databases do this honestly; a miner does it all \
        the time. On its own it is a hint, not proof.",
    mitre: Some("T1496"),
    next_step: "Check what the program is (`ls -l /proc/PID/exe`, its command line) and \
        whether that load is expected on this server.",
};

pub(super) const LD_PRELOAD: Rule = Rule {
    id: "proc.ld-preload",
    step: Step::Aware,
    severity: Severity::High,
    title: "Process runs with LD_PRELOAD",
    explanation: "LD_PRELOAD makes the dynamic linker load extra libraries into a program; \
        userland rootkits use it to hide files, processes and connections or to steal \
        passwords. Some tools set it honestly (jemalloc, libeatmydata), so libraries that \
        exist in the system library directories are reported at medium severity only.",
    mitre: Some("T1574.006"),
    next_step: "Find where it is set (the parent's environment, a systemd unit's \
        Environment=, /etc/environment, a shell profile), check each library (`dpkg -S`, \
        owner, hash) and remove the setting if nobody can explain it.",
};

pub(super) const HIDDEN: Rule = Rule {
    id: "proc.hidden",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "Process hidden from /proc",
    explanation: "The kernel says this process exists (it answers kill(pid, 0)), but it is \
        missing from the /proc listing that ps and top read. Only a rootkit hides processes \
        like this: a library in /etc/ld.so.preload that filters directory listings, or a \
        kernel module.",
    mitre: Some("T1014"),
    next_step: "Trust no tool on this host (ps, ls and netstat can all lie). Save what \
        /proc/PID still shows (cmdline, exe, maps), check /etc/ld.so.preload and /proc/modules, \
        and plan to rebuild the server from a clean image.",
};
