/*
 * breachkit: what makes a PHP file worth the second stage (the PHP analysis,
 * crates/php) although it names no request variable and no code runner: the
 * shapes obfuscators hide names with. The rules are private: they add nothing to
 * a file's score; the scanner reads their names (`look_…`).
 */

private rule look_short_pieces
{
    strings:
        // Names cut into short literals and joined again: 'ev'.'al', "_P"."OS"."T".
        $single = /'[\w$]{1,4}'\.'[\w$]{1,4}'\.'/
        $double = /"[\w$]{1,4}"\."[\w$]{1,4}"\."/
    condition:
        any of them
}

private rule look_character_picks
{
    strings:
        // Names picked one character at a time from a string: $s[4].$s[9].$s[3].
        $tight = /\$\w{1,30}[\[{]\d{1,3}[\]}]\.\$\w{1,30}[\[{]\d{1,3}[\]}]\.\$/
        $spaced = /\$\w{1,30}[\[{]\d{1,3}[\]}] \. \$\w{1,30}[\[{]\d{1,3}[\]}] \. \$/
    condition:
        any of them
}

private rule look_globals_calls
{
    strings:
        // Functions called through $GLOBALS entries, as obfuscators emit.
        $globals = /\$GLOBALS\[[^\]]{1,40}\]\(/
    condition:
        $globals
}

private rule look_e_modifier
{
    strings:
        $a = /preg_replace\s*\(\s*['"][^'"\n]{0,40}\/[imsxuADSUX]*e[imsxuADSUX]*['"]/ nocase
    condition:
        $a
}

private rule look_download
{
    strings:
        $a = /(copy|file_get_contents|fopen|file)\s*\(\s*['"](https?|ftp):\/\// nocase
    condition:
        $a
}

private rule look_character_codes
{
    strings:
        // Names spelled in character codes: chr(101).chr(118)…, or through a
        // variable holding "chr": $c(101).$c(118).
        $chr = /chr\s*\(\s*\d{1,3}\s*\)\s*\.\s*chr\s*\(\s*\d{1,3}\s*\)\s*\./ nocase
        $var = /\$\w{1,30}\(\d{1,3}\)\.\$\w{1,30}\(\d{1,3}\)\.\$\w{1,30}\(\d{1,3}\)/
    condition:
        any of them
}

private rule look_junk_removed
{
    strings:
        // A name with junk letters in it, removed before use:
        // str_replace('D', '', 'DcreaDteD_fDunDctDion').
        $a = /str_replace\s*\(\s*['"][^'"\n]{1,8}['"]\s*,\s*['"]['"]\s*,\s*['"]\w{6,}/ nocase
    condition:
        $a
}

private rule look_commented_pieces
{
    strings:
        // Short pieces joined across comments: "s"./*-*/"s"./*-*/"e".
        $a = /['"][\w$]{1,4}['"]\s*\.\s*\/\*[^\n]{0,40}\*\/\s*['"]/
    condition:
        $a
}

private rule look_escaped_names
{
    strings:
        // Names written as escapes of letters: "\x48\124\x54\120" (HTTP), "\145\166".
        $a = /(\\x[4-7][0-9a-fA-F]|\\1[0-7][0-7]){4}/
    condition:
        $a
}

private rule look_encoded_code
{
    strings:
        // PHP or its request and runner names in base64: a loader's payload.
        $php = "<?php" base64
        $eval = "eval(" base64
        $post = "$_POST" base64
        $get = "$_GET" base64
        $request = "$_REQUEST" base64
    condition:
        any of them
}
