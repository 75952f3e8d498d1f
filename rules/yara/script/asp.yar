/*
 * breachkit: ASP and JSP webshells. A Linux web server does not run them, but
 * they come in the same kits and archives as PHP webshells, and finding one says
 * what the attacker brought. Their strings are chosen rare (the objects that run
 * programs and open files), so the rules cost little on the PHP and JavaScript
 * that fill a web root. See php/webshell.yar for the meta fields.
 */

rule asp_request_to_shell
{
    meta:
        family = "webshell"
        score = 90
        description = "ASP page that drives WScript.Shell, Shell.Application or the file system from the request"
    strings:
        $shell = "WScript.Shell" nocase
        $app = "Shell.Application" nocase
        $fso = "Scripting.FileSystemObject" nocase
        $request = "Request"
    condition:
        filesize < 2MB and ($shell or $app or $fso) and $request
}

rule jsp_request_to_shell
{
    meta:
        family = "webshell"
        score = 90
        description = "JSP page that runs a command taken from the request"
    strings:
        $exec = "getRuntime().exec("
        $pb = "new ProcessBuilder("
        $request = "getParameter("
    condition:
        filesize < 2MB and ($exec or $pb) and $request
}
