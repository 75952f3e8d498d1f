<?php
// The language file chosen by the visitor, inside the application's own folder.
$lang = isset($_GET['lang']) ? $_GET['lang'] : 'en';
$lang = preg_replace('/[^a-z_]/', '', $lang);
include __DIR__ . '/lang/' . $lang . '.php';
require_once(__DIR__ . '/lang/' . $_COOKIE['lang'] . '/strings.php');
