/*
 * breachkit: PHP webshells and backdoors.
 *
 * Written for breachkit. Every rule carries:
 *   family  – webshell | loader | mailer | bot | miner | dropper | shell-script
 *   score   – how much the rule adds to a file's score (see rules/scan/weights.txt:
 *             medium from 40, high from 60, critical from 90)
 *   description – one line the admin reads in the finding.
 * The rules compile in yara-x (embedded in breachkit) and in libyara 4.x
 * (`yara -r`), no modules needed. Which files a rule file's rules run on is
 * decided by its directory (README.md).
 */

rule php_request_to_exec
{
    meta:
        family = "webshell"
        score = 90
        description = "Request data (GET/POST/COOKIE/REQUEST) passed straight to a command or code runner"
    strings:
        $run = /\b(system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec|eval|assert|create_function)\s*\(\s*@?\s*((stripslashes|base64_decode|trim|urldecode|rawurldecode|str_rot13|gzinflate|hex2bin)\s*\(\s*)*\$_(GET|POST|REQUEST|COOKIE)\b/i
    condition:
        $run
}

rule php_request_backticks
{
    meta:
        family = "webshell"
        score = 90
        description = "Request data run in backticks (the shell)"
    strings:
        $tick = /(=|\(|echo|print|return|@)\s*`[^`\n]{0,40}\$_(GET|POST|REQUEST|COOKIE)\s*\[[^`\n]{0,60}`\s*(;|\)|\.)/
    condition:
        $tick
}

rule php_request_as_function
{
    meta:
        family = "webshell"
        score = 90
        description = "A request parameter is called as a function: the attacker names what runs"
    strings:
        $call = /\$_(GET|POST|REQUEST|COOKIE)\s*\[\s*['"]?[\w-]{0,30}['"]?\s*\]\s*\(\s*\$_(GET|POST|REQUEST|COOKIE)/
        $callback = /\b(call_user_func|call_user_func_array|array_map|register_shutdown_function|register_tick_function)\s*\(\s*\$_(GET|POST|REQUEST|COOKIE)\b/i
        $callback2 = /\b(array_filter|array_walk|usort|uasort|uksort)\s*\([^,;]{1,80},\s*\$_(GET|POST|REQUEST|COOKIE)\b/i
    condition:
        any of them
}

rule php_preg_replace_eval
{
    meta:
        family = "webshell"
        score = 90
        description = "preg_replace with the /e modifier (evaluates the replacement as PHP) on request data"
    strings:
        $pre = /preg_replace\s*\(\s*['"]([\/#~|!@%]).{0,40}[\/#~|!@%][imsxuADSUX]*e[imsxuADSUX]*['"]\s*,\s*[^,]{0,80}\$_(GET|POST|REQUEST|COOKIE)/is
    condition:
        $pre
}

rule php_reverse_shell
{
    meta:
        family = "webshell"
        score = 95
        description = "PHP reverse shell: a socket to the attacker wired to /bin/sh"
    strings:
        $sock1 = "fsockopen(" nocase
        $sock2 = "socket_create(" nocase
        $sock3 = "stream_socket_client(" nocase
        $sh1 = "/bin/sh -i" nocase
        $sh2 = "/bin/bash -i" nocase
        $sh3 = "\"sh -i\"" nocase
        $sh4 = "'sh -i'" nocase
        $pipe1 = /proc_open\s*\(\s*['"](\/bin\/)?(ba)?sh/ nocase
        $pipe2 = /array\s*\(\s*0\s*=>\s*\$sock/ nocase
    condition:
        filesize < 200KB and any of ($sock*) and (any of ($sh*) or any of ($pipe*))
}

rule php_webshell_console
{
    meta:
        family = "webshell"
        score = 70
        description = "Web console: a form that runs what is typed into it and prints the output"
    strings:
        $form1 = /<input[^>]{0,80}name\s*=\s*['"]?(cmd|command|c|exec|execute|shell|run)['"]?/ nocase
        $form2 = /<textarea[^>]{0,80}name\s*=\s*['"]?(cmd|command|code|eval|php)['"]?/ nocase
        $run = /\b(system|passthru|shell_exec|popen|proc_open|eval|assert)\s*\(\s*\$/ nocase
        $out = "<pre>" nocase
        $who1 = "uname -a" nocase
        $who2 = "php_uname(" nocase
        $who3 = "posix_getpwuid(" nocase
        $who4 = "getcwd()" nocase
    condition:
        filesize < 500KB and any of ($form*) and $run and ($out or 2 of ($who*))
}

rule php_file_manager_shell
{
    meta:
        family = "webshell"
        score = 80
        description = "Webshell file manager: browses the disk, uploads, edits, chmods and runs commands"
    strings:
        $up = "move_uploaded_file(" nocase
        $ls = /\b(scandir|opendir|glob)\s*\(/ nocase
        $chmod = /\bchmod\s*\(\s*\$/ nocase
        $write = /\b(file_put_contents|fwrite)\s*\(/ nocase
        $run = /\b(system|passthru|shell_exec|popen|proc_open)\s*\(\s*\$/ nocase
        $ui1 = "safe_mode" nocase
        $ui2 = "disable_functions" nocase
        $ui3 = "php_uname(" nocase
        $ui4 = "getmyuid(" nocase
        $ui5 = "disk_free_space(" nocase
        $ui6 = "posix_getgrgid(" nocase
    condition:
        filesize < 1MB and $up and $ls and $chmod and $write and $run and 3 of ($ui*)
}

rule php_tiny_uploader
{
    meta:
        family = "webshell"
        score = 70
        description = "Bare uploader: saves any uploaded file under the name the uploader chose"
    strings:
        $mv = /move_uploaded_file\s*\(\s*\$_FILES\s*\[[^\]]{1,30}\]\s*\[\s*['"]tmp_name['"]\s*\]\s*,\s*[^;]{0,60}\$_FILES\s*\[[^\]]{1,30}\]\s*\[\s*['"]name['"]\s*\]/ nocase
        $copy = /\bcopy\s*\(\s*\$_FILES\s*\[[^\]]{1,30}\]\s*\[\s*['"]tmp_name['"]\s*\]/ nocase
    condition:
        filesize < 4KB and any of them
}

rule php_webshell_markers
{
    meta:
        family = "webshell"
        score = 60
        description = "Phrases webshell panels print (server info, bypass and back-connect menus)"
    strings:
        $m1 = "Back Connect" nocase
        $m2 = "Bind Port" nocase
        $m3 = "safe_mode bypass" nocase
        $m4 = "Symlink Bypass" nocase
        $m5 = "Mass Deface" nocase
        $m6 = "Server IP :" nocase
        $m7 = "Config Grabber" nocase
        $m8 = "cPanel Cracker" nocase
        $m9 = "Self Remove" nocase
        $m10 = "disable_functions:" nocase
    condition:
        filesize < 2MB and 3 of them
}

rule php_remote_code_include
{
    meta:
        family = "webshell"
        score = 80
        description = "Includes a file named by the request, or runs PHP fetched from a URL"
    strings:
        $inc = /\b(include|include_once|require|require_once)\s*\(?\s*\$_(GET|POST|REQUEST|COOKIE)\s*\[/ nocase
        $fetch = /\b(eval|assert)\s*\(\s*(['"]\?>['"]\s*\.\s*)?(file_get_contents\s*\(\s*['"](https?|ftp):\/\/|curl_exec\s*\()/ nocase
    condition:
        any of them
}

rule php_uploaded_file_run
{
    meta:
        family = "webshell"
        score = 70
        description = "Runs an uploaded file as PHP"
    strings:
        $a = /\b(include|include_once|require|require_once|eval)\s*\(?\s*(file_get_contents\s*\(\s*)?\$_FILES\s*\[[^\]]{1,30}\]\s*\[\s*['"]tmp_name['"]/ nocase
    condition:
        $a
}
