<?php
// Written for breachkit's tests: a mass mailer on PHPMailer, recipients pasted into
// the form, the sender chosen by whoever posts.
require __DIR__ . '/PHPMailer/PHPMailerAutoload.php';
if (isset($_POST['action']) && $_POST['action'] === 'send') {
    $emails = explode("\n", str_replace("\r", "", trim($_POST['emailList'])));
    $i = 0;
    foreach ($emails as $email) {
        $mail = new PHPMailer();
        $mail->CharSet = 'UTF-8';
        $mail->setFrom($_POST['senderEmail'], $_POST['senderName']);
        $mail->addAddress(trim($email));
        $mail->Subject = $_POST['subject'];
        $mail->msgHTML($_POST['messageLetter']);
        $i++;
        echo $mail->send() ? "[$i] <font color=green>OK</font> $email<br>" : "[$i] <font color=red>FAIL</font> $email<br>";
        flush();
    }
}
