/*
 * breachkit: cryptominers — miner binaries and their configurations and launchers.
 * See php_webshell.yar for the meta fields.
 */

rule miner_stratum_url
{
    meta:
        family = "miner"
        score = 75
        description = "Mining pool address (stratum protocol)"
    strings:
        $a = /stratum\d?\+(tcp|ssl|tls):\/\/[\w.-]{3,}(:\d{2,5})?/ nocase
    condition:
        $a
}

rule miner_config
{
    meta:
        family = "miner"
        score = 85
        description = "Miner configuration (XMRig-style JSON: pools, wallet user, donate level, RandomX)"
    strings:
        $k1 = "\"donate-level\"" nocase
        $k2 = "\"pools\"" nocase
        $k3 = "\"randomx\"" nocase
        $k4 = "\"cpu\"" nocase
        $k5 = "\"nicehash\"" nocase
        $k6 = "\"rig-id\"" nocase
        $k7 = "\"coin\"" nocase
        $k8 = "\"keepalive\"" nocase
    condition:
        filesize < 1MB and $k2 and 3 of ($k1, $k3, $k4, $k5, $k6, $k7, $k8)
}

rule miner_binary_strings
{
    meta:
        family = "miner"
        score = 90
        description = "Miner program: mining algorithm and pool protocol strings in an executable"
    strings:
        $a1 = "randomx" nocase
        $a2 = "cryptonight" nocase
        $a3 = "argon2" nocase
        $a4 = "kawpow" nocase
        $p1 = "mining.subscribe" ascii
        $p2 = "mining.submit" ascii
        $p3 = "\"method\":\"login\"" ascii
        $p4 = "\"method\":\"submit\"" ascii
        $p5 = "\"job_id\"" ascii
        $h1 = "--donate-level" ascii
        $h2 = "hashrate" nocase
        $h3 = "stratum+" ascii
    condition:
        uint32(0) == 0x464c457f and any of ($a*) and 2 of ($p*) and any of ($h*)
}

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
