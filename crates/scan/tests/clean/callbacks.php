<?php
// Output compression and input trimming through callbacks named in the code.
ob_start('ob_gzhandler');
$clean = array_map('trim', $_POST);
usort($rows, array($this, 'compare_rows'));
$hooks = array('init' => 'my_plugin_init');
call_user_func($hooks['init']);
echo htmlspecialchars($clean['name']);
