<?php
// The site's own login: the password is checked against the stored hash, never sent anywhere.
session_start();
$user = $db->find_user($_POST['email']);
if ($user && password_verify($_POST['password'], $user['hash'])) {
    $_SESSION['uid'] = $user['id'];
    header('Location: /account/');
    exit;
}
$error = 'Wrong email or password.';
include __DIR__ . '/templates/login.php';
