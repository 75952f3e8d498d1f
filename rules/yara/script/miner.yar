/*
 * breachkit: scripts that start a miner: pool, wallet and thread options on a
 * command line.
 * See php/webshell.yar for the meta fields and README.md for the scopes.
 */

rule miner_launcher
{
    meta:
        family = "miner"
        score = 85
        description = "Script that starts a miner: pool, wallet and thread options on a command line"
    strings:
        // Options of XMRig and its forks; each after a space, as on a command line.
        $o1 = /\s(-o|--url)[ =]\s*[\w.-]{3,}:\d{2,5}\b/
        $o2 = /\s(-u|--user)[ =]\s*["']?[\w.]{20,}/
        $o3 = /\s(-p|--pass)[ =]\s*["']?[\w:.-]{1,40}/
        $o4 = "--donate-level" ascii
        $o5 = /\s(-t|--threads|--cpu-max-threads-hint)[ =]\s*\d/
        $o6 = "--background" ascii
        $o7 = /-a\s+(rx\/0|cn\/r|cryptonight|randomx)/
        $name = /\b(xmrig|XMRig|xmr-stak|minerd|cpuminer|ccminer|nbminer|t-rex|kdevtmpfsi|kinsing)\b/
    condition:
        filesize < 1MB and ($name or $o4 or $o7) and 2 of ($o1, $o2, $o3, $o5, $o6)
}
