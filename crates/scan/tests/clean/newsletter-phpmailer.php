<?php
// The admin writes an issue; it goes to the confirmed subscribers, one message each,
// from the site's own address through PHPMailer.
require __DIR__ . '/vendor/autoload.php';
if (current_user_can('manage_options') && check_admin_referer('letters-send')) {
    $subscribers = $wpdb->get_col("SELECT email FROM {$wpdb->prefix}letters WHERE confirmed = 1");
    $tags = explode(',', sanitize_text_field($_POST['tags']));
    foreach ($subscribers as $email) {
        $mail = new PHPMailer\PHPMailer\PHPMailer();
        $mail->setFrom(get_option('admin_email'), get_bloginfo('name'));
        $mail->addAddress($email);
        $mail->Subject = sanitize_text_field($_POST['subject']);
        $mail->msgHTML(wp_kses_post($_POST['issue']));
        $mail->send();
    }
}
