<?php
/** Contact form handler: one message to the site owner. */
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    $name = strip_tags(trim($_POST['name'] ?? ''));
    $email = filter_var($_POST['email'] ?? '', FILTER_VALIDATE_EMAIL);
    $subject = 'Contact form: ' . substr(strip_tags($_POST['subject'] ?? ''), 0, 100);
    $body = strip_tags($_POST['message'] ?? '');
    if ($email && $body !== '') {
        $headers = "From: website@example.com\r\nReply-To: " . $email . "\r\nX-Priority: 3\r\n";
        mail('owner@example.com', $subject, "From $name <$email>\n\n$body", $headers);
        header('Location: /thanks.html');
        exit;
    }
}
