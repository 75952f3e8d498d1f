/*
 * breachkit: droppers — code that fetches a program or script from the network,
 * writes it somewhere, makes it executable and starts it.
 * See php_webshell.yar for the meta fields.
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

rule shell_download_exec
{
    meta:
        family = "dropper"
        score = 85
        description = "Shell commands that download a program into a temp folder, make it executable and run it"
    strings:
        $dl1 = /\b(wget|curl)\s[^\n;|]{0,200}(https?|ftp):\/\/[^\s'"]+/
        $dl2 = /\bcurl\s[^\n;]{0,120}-o\s*\S+/
        $dl3 = /\bwget\s[^\n;]{0,120}-O\s*\S+/
        $dl4 = /\b(tftp|lwp-download|fetch)\s+[^\n;]{0,80}(https?|ftp):\/\//
        $tmp = /\/(tmp|var\/tmp|dev\/shm)\/[.\w-]+/
        $chmod = /chmod\s+(\+x|[0-7]?7[0-7][0-7])\s/
        $run = /(\.\/[.\w-]+|\/(tmp|var\/tmp|dev\/shm)\/[.\w-]+)\s*(&|;|\n|$|>|\s-)/
    condition:
        filesize < 500KB and any of ($dl*) and $tmp and $chmod and $run
}

rule shell_pipe_to_shell
{
    meta:
        family = "dropper"
        score = 80
        description = "Downloads a script and pipes it straight into a shell"
    strings:
        $a = /\b(curl|wget)\s[^\n|;]{0,200}\|\s*(sudo\s+)?(ba|da|z)?sh\b/
        $b = /\b(bash|sh)\s+-c\s+["']?\$\((curl|wget)\s/
        $c = /\b(bash|sh)\s+<\s*\(\s*(curl|wget)\s/
    condition:
        filesize < 500KB and any of them
}

rule python_perl_dropper
{
    meta:
        family = "dropper"
        score = 75
        description = "Python or Perl one-liner that downloads and runs a payload"
    strings:
        $fetch_py = /urllib(2|\.request)?\.urlopen\s*\([^)]{1,200}\)\.read\(\)/
        $exec_py = /exec\s*\(\s*(urllib|requests|base64\.b64decode|zlib\.decompress)/
        $fetch_pl = /LWP::Simple[\s\S]{0,400}getstore\s*\(/
        $run1 = /os\.(system|popen)\s*\(\s*["'](chmod|\/tmp\/)/
        $run2 = /system\s*\(\s*["'](chmod \+x|\/tmp\/|perl \/tmp\/)/
    condition:
        filesize < 500KB and (any of ($fetch*) or $exec_py) and (any of ($run*) or $exec_py)
}
