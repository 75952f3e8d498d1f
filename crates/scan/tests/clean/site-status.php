<?php
/**
 * Site status: asks the public blocklists whether this site is listed and shows
 * the answers on the dashboard.
 */
if (!defined('ABSPATH')) {
    exit;
}

function site_status_lists()
{
    return array(
        'phishtank'    => 'https://checkurl.phishtank.com/checkurl/',
        'safebrowsing' => 'https://safebrowsing.googleapis.com/v4/threatMatches:find',
        'norton'       => 'https://safeweb.norton.com/report/show?url=',
        'mcafee'       => 'https://www.siteadvisor.com/sitereport.html?url=',
        'sophos'       => 'https://www.sophos.com/en-us/threat-center/threat-analyses/',
    );
}

function site_status_check()
{
    $results = array();
    foreach (site_status_lists() as $name => $url) {
        $response = wp_remote_get($url . rawurlencode(home_url()), array('timeout' => 10));
        $results[$name] = is_wp_error($response) ? 'unknown' : wp_remote_retrieve_response_code($response);
    }
    update_option('site_status_results', $results);
    return $results;
}
