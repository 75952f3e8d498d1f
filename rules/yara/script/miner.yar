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
        $o1 = /(-o|--url)[ =]+[\w.-]+:\d{3,5}/
        $o2 = /(-u|--user)[ =]+["']?[\w.]{20,}/
        $o3 = /(-p|--pass)[ =]+["']?[\w:.-]{1,40}/
        $o4 = "--donate-level" ascii
        $o5 = /(-t|--threads|--cpu-max-threads-hint)[ =]+\d/
        $o6 = "--background" ascii
        $o7 = /-a\s+(rx\/0|cn\/r|cryptonight|randomx)/ nocase
        $name = /\b(xmrig|xmr-stak|minerd|cpuminer|ccminer|nbminer|t-rex|kdevtmpfsi|kinsing)\b/ nocase
    condition:
        filesize < 1MB and ($name or $o4 or $o7) and 2 of ($o1, $o2, $o3, $o5, $o6)
}
