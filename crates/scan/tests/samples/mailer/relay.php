<?php
$s = fsockopen($_POST['host'], (int) $_POST['port'], $errno, $errstr, 10);
$say = function ($line) use ($s) { fwrite($s, $line . "\r\n"); return fgets($s, 512); };
fgets($s, 512);
$say("EHLO mail.example");
$say("AUTH LOGIN");
$say(base64_encode($_POST['user']));
$say(base64_encode($_POST['pass']));
$say("MAIL FROM:<" . $_POST['from'] . ">");
foreach (explode(",", $_POST['to']) as $rcpt) { $say("RCPT TO:<" . trim($rcpt) . ">"); }
fwrite($s, "DATA\r\n");
fwrite($s, $_POST['message'] . "\r\n.\r\n");
$say("QUIT");
