/*
 * breachkit: malicious shell scripts — reverse shells, persistence installers,
 * competitor killers, log and history wipers.
 * See php/webshell.yar for the meta fields and README.md for the scopes.
 */

rule shell_reverse_shell
{
    meta:
        family = "shell-script"
        score = 95
        description = "Reverse shell: an interactive shell wired to a TCP connection"
    strings:
        $a = /(ba)?sh\s+-i\s*[>&]+\s*\/dev\/(tcp|udp)\/[\w.-]+\/\d+/
        $b = /\bnc(at)?\s+(-[a-z]*\s+)*[\w.-]+\s+\d+\s+-e\s+\/bin\/(ba)?sh/
        $c = /\bnc(at)?\s+-e\s+\/bin\/(ba)?sh/
        $d = /mkfifo\s+\S+[^\n]{0,60}\|\s*(\/bin\/)?(ba)?sh\s+-i[^\n]{0,60}\|\s*nc\s/
        $e = /socket\.socket\s*\([\s\S]{0,300}(os\.dup2|subprocess\.call\s*\(\s*\[\s*["']\/bin\/(ba)?sh)/
        $f = /socat\s+[^\n]{0,40}exec:['"]?(\/bin\/)?(ba)?sh/ nocase
        $g = /exec\s+\d+<>\/dev\/tcp\//
    condition:
        filesize < 1MB and any of them
}

rule shell_kill_competitors
{
    meta:
        family = "shell-script"
        score = 85
        description = "Kills other miners and malware by name and frees the CPU for its own (miner installers do this)"
    strings:
        $k = /(pkill|killall|kill\s+-9|pgrep)[^\n]{0,40}\b(kdevtmpfsi|kinsing|xmrig|minerd|cpuminer|xmr-stak|sysupdate|networkservice|\.x11|watchbog|dbused)\b/
        $ps = /ps\s+(aux|-ef)[^\n]{0,60}grep[^\n]{0,80}(xmrig|minerd|kdevtmpfsi|kinsing|cryptonight|stratum)[^\n]{0,120}kill/ nocase
    condition:
        filesize < 1MB and (#k > 1 or $ps)
}

rule shell_persistence_installer
{
    meta:
        family = "shell-script"
        score = 85
        description = "Installs itself for good: crontab entries, SSH keys or immutable files, and hides its tracks"
    strings:
        $cron1 = /crontab\s+-l[^\n]{0,80}(echo|printf)[^\n]{0,200}\|\s*crontab\s+-/
        $cron2 = /(echo|printf)\s[^\n]{0,200}>>?\s*\/var\/spool\/cron/
        $cron3 = /(echo|printf)\s[^\n]{0,200}>>?\s*\/etc\/cron\.d\//
        $key = /(echo|printf)\s[^\n]{0,40}ssh-(rsa|ed25519)\s[^\n]{0,800}>>\s*[^\n]{0,40}authorized_keys/
        $imm = /chattr\s+[+-]i[a]?\s/
        $hist1 = "history -c" ascii
        $hist2 = "unset HISTFILE" ascii
        $hist3 = /HISTFILE=\/dev\/null/
        $log = /(rm\s+-rf?|>|cat\s+\/dev\/null\s*>)\s*\/var\/log\/(wtmp|btmp|lastlog|auth\.log|secure|syslog|messages)/
        $fw = /(iptables\s+-F|ufw\s+disable|setenforce\s+0|systemctl\s+(stop|disable)\s+(firewalld|apparmor|aliyun|cloudmonitor))/
        $fetch = /\b(curl|wget)\s/
    condition:
        filesize < 1MB and (any of ($cron*) or $key) and 2 of ($imm, $hist*, $log, $fw, $fetch)
}

rule shell_base64_exec
{
    meta:
        family = "shell-script"
        score = 80
        description = "Decodes a base64 blob and runs it in a shell or interpreter"
    strings:
        $a = /(echo|printf)\s+["']?[A-Za-z0-9+\/=]{40,}["']?\s*\|\s*base64\s+(-d|--decode)\s*\|\s*(ba|da)?sh\b/
        $b = /base64\s+(-d|--decode)\s*<<<\s*["']?[A-Za-z0-9+\/=]{40,}["']?\s*\|\s*(ba|da)?sh\b/
        $c = /\b(ba)?sh\s+-c\s+["']?\$\(\s*(echo|printf)\s+["']?[A-Za-z0-9+\/=]{40,}["']?\s*\|\s*base64\s+(-d|--decode)/
        $d = /(perl|python[23]?)\s+-e\s+["'][^\n]{0,60}(decode_base64|b64decode)\s*\(\s*["'][A-Za-z0-9+\/=]{60,}/
    condition:
        filesize < 5MB and any of them
}
