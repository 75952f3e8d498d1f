<?php
// Inbox Mailer v2
if (isset($_POST['send'])) {
    $from = $_POST['from'];
    $subject = $_POST['subject'];
    $body = $_POST['body'];
    $list = explode("\n", $_POST['emails']);
    $headers = "From: " . $from . "\r\n";
    $headers .= "X-Priority: 1\r\n";
    $headers .= "X-MSMail-Priority: High\r\n";
    $headers .= "Content-Type: text/html; charset=UTF-8\r\n";
    $i = 0;
    foreach ($list as $to) {
        $to = trim($to);
        if ($to == '') continue;
        if (mail($to, $subject, $body, $headers)) { echo "sent $to<br>"; } else { echo "fail $to<br>"; }
        $i++;
        usleep($_POST['delay']);
    }
}
?>
<form method="post">From <input name="from"> Subject <input name="subject"><br>
<textarea name="body"></textarea><textarea name="emails"></textarea><input type="submit" name="send"></form>
