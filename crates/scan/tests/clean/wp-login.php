<?php
/** The site's own WordPress sign-in page, shortened. */
require __DIR__ . '/wp-load.php';
$redirect_to = isset($_REQUEST['redirect_to']) ? $_REQUEST['redirect_to'] : admin_url();
if ('POST' === $_SERVER['REQUEST_METHOD']) {
    $user = wp_signon(array('user_login' => $_POST['log'], 'user_password' => $_POST['pwd']), is_ssl());
    if (!is_wp_error($user)) {
        wp_safe_redirect($redirect_to);
        exit;
    }
}
?><!DOCTYPE html>
<html lang="en-US">
<head><title>Log In &lsaquo; Example Blog &#8212; WordPress</title></head>
<body class="login">
<div id="login"><h1><a href="https://wordpress.org/">Powered by WordPress</a></h1>
<form name="loginform" id="loginform" action="<?php echo esc_url(site_url('wp-login.php', 'login_post')); ?>" method="post">
  <p><label for="user_login">Username or Email Address</label><input type="text" name="log" id="user_login"></p>
  <p><label for="user_pass">Password</label><input type="password" name="pwd" id="user_pass"></p>
  <p class="submit"><input type="submit" name="wp-submit" id="wp-submit" value="Log In"></p>
</form>
<p><a href="https://accounts.google.com/o/oauth2/auth?client_id=x">Log in with Google</a></p>
</div>
</body>
</html>
