<?php
/**
 * Plugin Name: Honest Cache
 * Description: Caches rendered fragments. Stores them base64-encoded in options.
 */
if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

function hc_get( $key ) {
	$raw = get_option( 'hc_' . md5( $key ) );
	if ( ! $raw ) {
		return null;
	}
	$data = base64_decode( $raw, true );
	return false === $data ? null : json_decode( gzuncompress( $data ), true );
}

function hc_set( $key, $value ) {
	update_option( 'hc_' . md5( $key ), base64_encode( gzcompress( wp_json_encode( $value ) ) ), false );
}

function hc_admin_save() {
	if ( ! current_user_can( 'manage_options' ) || ! isset( $_POST['hc_nonce'] ) ) {
		return;
	}
	check_admin_referer( 'hc_save', 'hc_nonce' );
	$ttl = isset( $_POST['ttl'] ) ? absint( $_POST['ttl'] ) : 300;
	$mode = sanitize_key( $_POST['mode'] ?? 'fragment' );
	$callbacks = array( 'fragment' => 'hc_flush_fragments', 'all' => 'hc_flush_all' );
	if ( isset( $callbacks[ $mode ] ) ) {
		call_user_func( $callbacks[ $mode ], $ttl );
	}
	$token = sanitize_text_field( wp_unslash( $_GET['token'] ?? '' ) );
	if ( md5( $token ) === get_option( 'hc_token_hash' ) ) {
		hc_flush_all( 0 );
	}
	$ids = array_map( 'intval', (array) ( $_POST['ids'] ?? array() ) );
	$icon = base64_decode( 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=' );
	file_put_contents( WP_CONTENT_DIR . '/cache/hc-icon.png', $icon );
	$label = strrev( 'ehcac' );
	echo esc_html( $label . ' ' . count( $ids ) );
}
add_action( 'admin_post_hc_save', 'hc_admin_save' );

function hc_flush_fragments( $ttl ) {
	global $wpdb;
	$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s", 'hc_%' ) );
}

function hc_flush_all( $ttl ) {
	wp_cache_flush();
}
