<?php
// Written for breachkit's tests: a mailer that sends each batch of the pasted list
// as one message with the recipients hidden in Bcc.
$list = array_filter(array_map('trim', preg_split('/[\s,;]+/', $_REQUEST['to'])));
foreach (array_chunk($list, 40) as $batch) {
    $h = "From: " . $_REQUEST['from'] . "\r\n";
    $h .= "Bcc: " . implode(', ', $batch) . "\r\n";
    $h .= "Content-Type: text/html\r\n";
    mail('undisclosed-recipients:;', $_REQUEST['subject'], $_REQUEST['body'], $h);
}
echo count($list) . " done";
