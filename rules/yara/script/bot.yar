/*
 * breachkit: IRC and Perl bots — a script that joins an IRC channel and takes
 * orders (run commands, flood, scan) from whoever talks to it.
 * See php/webshell.yar for the meta fields and README.md for the scopes.
 */

rule irc_bot_commands
{
    // PHP bots only: Perl and Python scripts are judged by where their socket data
    // goes (crates/scan/src/heuristics/script/code.rs), which tells a bot that runs
    // what the channel says from a notifier that only posts to it.
    meta:
        family = "bot"
        score = 90
        description = "PHP IRC bot: connects to IRC, joins a channel and runs commands sent as messages"
    strings:
        $php = "<?"
        $nick = /["']NICK\s/
        $user = /["']USER\s/
        $join = /["']JOIN\s/
        $priv = "PRIVMSG" fullword
        $ping = "PONG" fullword
        $run1 = /\b(system|exec|shell_exec|passthru|popen)\s*\(/
        $run2 = "`$" ascii
        $net1 = "fsockopen(" nocase
        $net2 = "socket_create(" nocase
        $net3 = "stream_socket_client(" nocase
    condition:
        filesize < 1MB and $php and $nick and $user and $join and $priv and $ping and any of ($run*) and any of ($net*)
}

rule perl_bot_flood
{
    meta:
        family = "bot"
        score = 80
        description = "Perl bot with flood and scan commands (udpflood, tcpflood, portscan)"
    strings:
        $perl = "#!/usr/bin/perl" ascii
        $perl2 = "use Socket" ascii
        $f1 = "udpflood" nocase
        $f2 = "tcpflood" nocase
        $f3 = "httpflood" nocase
        $f4 = "portscan" nocase
        $f5 = "sendraw" nocase
        $f6 = "back connect" nocase
    condition:
        filesize < 1MB and any of ($perl*) and 3 of ($f*)
}

rule perl_process_masquerade
{
    meta:
        family = "bot"
        score = 70
        description = "Perl script that renames itself to look like a system daemon (sets $0 to /usr/sbin/httpd or a kernel thread name)"
    strings:
        // `$0 = "/usr/sbin/httpd"` or `$0 = "[kworker/0:1]"`: a fake process name.
        $a = /\$0\s{0,4}=\s{0,4}["'](\/usr\/sbin\/|\/usr\/bin\/|\/sbin\/)?(httpd|apache|sshd|cron|init|kworker|\[[a-z])/
        $fork = /\bfork\b/
        $sock = /IO::Socket|use Socket/
    condition:
        filesize < 1MB and $a and $fork and $sock
}
