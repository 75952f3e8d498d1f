/*
 * breachkit: cryptominers anywhere — pool addresses, XMRig-style configurations (JSON
 * data files included) and miner programs (ELF).
 * See php/webshell.yar for the meta fields and README.md for the scopes.
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
