/*
 * breachkit: mass mailers in Perl and Python fed a recipient list from a file.
 * See php/webshell.yar for the meta fields and README.md for the scopes.
 */

rule perl_python_mailer
{
    meta:
        family = "mailer"
        score = 70
        description = "Perl or Python bulk mailer reading recipients from a list file"
    strings:
        $p1 = "Net::SMTP" nocase
        $p2 = "MIME::Lite" nocase
        $py1 = "smtplib.SMTP" nocase
        $sendmail = "/usr/sbin/sendmail -t" nocase
        $list1 = /open\s*\(\s*\w*\s*,?\s*["']?<?\s*["']?[^)]{0,40}(list|emails|mails|leads)\w*\.txt/ nocase
        $list2 = /open\s*\(\s*["'][^"']{0,40}(list|emails|mails|leads)\w*\.txt["']/ nocase
        $loop1 = /foreach\s+(my\s+)?\$\w+\s*\(\s*@\w+\s*\)/ nocase
        $loop2 = /for\s+\w+\s+in\s+\w+\s*:/ nocase
    condition:
        filesize < 1MB and any of ($p*, $sendmail) and any of ($list*) and any of ($loop*)
}
