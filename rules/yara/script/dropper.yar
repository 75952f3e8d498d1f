/*
 * breachkit: droppers in shell, Perl and Python — fetch a program or script from
 * the network, write it somewhere, make it executable and start it.
 * See php/webshell.yar for the meta fields and README.md for the scopes.
 */

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
