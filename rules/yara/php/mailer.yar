/*
 * breachkit: PHP mass mailers — scripts that send spam or phishing through the web
 * server's mail() or SMTP, fed a recipient list from the request or a file.
 * See php/webshell.yar for the meta fields and README.md for the scopes.
 */

rule php_mailer_request_list
{
    meta:
        family = "mailer"
        score = 85
        description = "Mass mailer: splits a recipient list from the request and sends to each"
    strings:
        $list = /explode\s*\(\s*["'](\\r\\n|\\n|,|;|\\r)["']\s*,\s*(trim\s*\(\s*)?\$_(POST|REQUEST|GET)\s*\[/ nocase
        $list2 = /preg_split\s*\([^,]{1,30},\s*(trim\s*\(\s*)?\$_(POST|REQUEST|GET)\s*\[\s*['"](emails?|list|mails?|to|recipients?|maillist|emaillist)['"]/ nocase
        // A request field named for addresses or a list, split however it is
        // cleaned first (str_replace, trim, stripslashes…) on the same line.
        $list3 = /(explode|preg_split)\s*\(.{0,80}\$_(POST|REQUEST|GET)\s*\[\s*['"](to|\w{0,12}(mail|list|rcpt|recipient|lead|target|address|bcc)\w{0,12})['"]/ nocase
        $mail1 = /\bmail\s*\(\s*\$/ nocase
        $mail2 = "->Send()" nocase
        $mail3 = "smtp_mail(" nocase
        $from = /\$_(POST|REQUEST|GET)\s*\[\s*['"](from|sender|frommail|senderemail|realname|sender_name)['"]/ nocase
        $subj = /\$_(POST|REQUEST|GET)\s*\[\s*['"](subject|subj|title)['"]/ nocase
    condition:
        filesize < 2MB and any of ($list*) and any of ($mail*) and ($from or $subj)
}

rule php_mailer_spam_headers
{
    meta:
        family = "mailer"
        score = 60
        description = "Mailer that forges priority and mailer headers and sends in a loop"
    strings:
        $h1 = "X-Priority: 1" nocase
        $h2 = /X-Mailer:\s*["']?\s*\.\s*\$/ nocase
        $h3 = "Content-Transfer-Encoding: base64" nocase
        $loop = /(foreach|for|while)\s*\([^)]{0,80}\)\s*\{?[^}]{0,300}\bmail\s*\(/ nocase
        $sleep = /\b(u?sleep)\s*\(\s*\$/ nocase
        $spam1 = "emaillist" nocase
        $spam2 = "Mass Mail" nocase
        $spam3 = "mailist" nocase
        $spam4 = "leaf" nocase
    condition:
        filesize < 2MB and $loop and (2 of ($h*)) and ($sleep or any of ($spam*))
}

rule php_mailer_smtp_relay
{
    meta:
        family = "mailer"
        score = 85
        description = "Relay script: opens an SMTP session to a host, user and password taken from the request"
    strings:
        $sock = /fsockopen\s*\(\s*\$_(POST|REQUEST|GET)\s*\[/ nocase
        $ehlo = "EHLO" nocase
        $auth = "AUTH LOGIN" nocase
        $rcpt = "RCPT TO" nocase
        $data = "DATA\\r\\n" nocase
    condition:
        filesize < 1MB and $sock and $ehlo and $rcpt and ($auth or $data)
}

rule php_mailer_request_bcc
{
    meta:
        family = "mailer"
        score = 70
        description = "Mass mailer: puts a recipient list from the request into the Bcc header of each message"
    strings:
        $list = /(explode|preg_split)\s*\(.{0,80}\$_(POST|REQUEST|GET)\s*\[\s*['"](to|\w{0,12}(mail|list|rcpt|recipient|lead|target|address|bcc)\w{0,12})['"]/ nocase
        $bcc = /Bcc:\s*["']\s*\./ nocase
        $mail = /\bmail\s*\(/ nocase
    condition:
        filesize < 2MB and all of them
}

rule php_mailer_list_file
{
    meta:
        family = "mailer"
        score = 50
        description = "Bulk mailer: reads recipients from a list file, one per line, and sends to each in a loop"
    strings:
        // The lines of a text or CSV file, or its text split into entries.
        $lines = /\bfile\s*\([^;]{0,100}\.(txt|csv)["']/ nocase
        $text = /file_get_contents\s*\([^;]{0,100}\.(txt|csv)["']/ nocase
        $split = /(explode|preg_split)\s*\(/ nocase
        $loop = /(foreach|for|while)\s*\([^)]{0,80}\)\s*\{?[^}]{0,300}(\bmail\s*\(|->send\s*\()/ nocase
    condition:
        filesize < 2MB and ($lines or ($text and $split)) and $loop
}
