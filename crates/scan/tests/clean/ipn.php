<?php
// The shop's PayPal IPN listener: checks the notification with PayPal, then tells
// the shop owner. It lives in the shop's own `paypal/` folder.
$raw = file_get_contents('php://input');
$ch = curl_init('https://ipnpb.paypal.com/cgi-bin/webscr');
curl_setopt_array($ch, array(CURLOPT_POST => 1, CURLOPT_RETURNTRANSFER => 1,
    CURLOPT_POSTFIELDS => 'cmd=_notify-validate&' . $raw));
$verdict = curl_exec($ch);
curl_close($ch);
if ($verdict === 'VERIFIED' && $_POST['payment_status'] === 'Completed') {
    $body = "Order " . (int) $_POST['invoice'] . " paid: " . $_POST['mc_gross'] . " " . $_POST['mc_currency'];
    $headers = "From: PayPal notifications <shop@example.com>\r\nReply-To: orders@example.com\r\n";
    mail('owner@example.com', 'PayPal payment received', $body, $headers);
}
