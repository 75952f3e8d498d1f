<?php
// The admin composes an issue; it goes to the site's own subscribers, one mail each.
if (current_user_can('manage_options') && isset($_POST['issue'])) {
    check_admin_referer('send-issue');
    $subscribers = $wpdb->get_col("SELECT email FROM {$wpdb->prefix}subscribers WHERE active = 1");
    foreach ($subscribers as $email) {
        mail($email, wp_unslash($_POST['subject']), wp_unslash($_POST['issue']), "From: news@example.org");
    }
}
