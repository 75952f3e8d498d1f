/*
 * breachkit: PHP droppers — fetch a program or script from the network, write it
 * somewhere, make it executable and start it; or write what the request sends.
 * See php/webshell.yar for the meta fields and README.md for the scopes.
 */

rule php_download_exec
{
    meta:
        family = "dropper"
        score = 85
        description = "PHP that downloads a file, makes it executable and runs it"
    strings:
        $get1 = /file_get_contents\s*\(\s*['"]https?:\/\// nocase
        $get2 = "curl_exec(" nocase
        $get3 = /\bcopy\s*\(\s*['"]https?:\/\// nocase
        $get4 = /fopen\s*\(\s*['"]https?:\/\// nocase
        $put1 = "file_put_contents(" nocase
        $put2 = "fwrite(" nocase
        $put3 = /\bcopy\s*\(/ nocase
        $x = /chmod\s*\([^,]{1,80},\s*0?(755|777|775|700|0x1ed|493|511)\s*\)/ nocase
        $run = /\b(system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec)\s*\(/ nocase
    condition:
        filesize < 500KB and any of ($get*) and any of ($put*) and $x and $run
}

rule php_write_request_to_file
{
    meta:
        family = "dropper"
        score = 80
        description = "Writes request data into a file on the server (how webshells plant more files)"
    strings:
        $a = /\b(file_put_contents|fwrite|fputs)\s*\(\s*[^,]{1,80},\s*(base64_decode\s*\(\s*|stripslashes\s*\(\s*|urldecode\s*\(\s*|gzinflate\s*\(\s*)*\$_(GET|POST|REQUEST|COOKIE)\s*\[/ nocase
        $b = /\b(file_put_contents|fopen)\s*\(\s*\$_(GET|POST|REQUEST|COOKIE)\s*\[[^\]]{1,30}\]\s*,\s*(base64_decode\s*\(\s*)?\$_(GET|POST|REQUEST|COOKIE)/ nocase
    condition:
        any of them
}
