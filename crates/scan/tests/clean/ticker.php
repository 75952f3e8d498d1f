<?php
/**
 * Price ticker widget: shows the last trade of a few coins (XMR, BTC) from the
 * exchange's public API. Monero's pool statistics are linked, not fetched.
 */
function ticker_render(array $trades) {
    $out = '<ul class="ticker">';
    foreach ($trades as $t) {
        // The exchange's trade id is a 64-character hex hash.
        $out .= sprintf('<li>%s %s <small>%s</small></li>',
            esc_html($t['coin']), esc_html($t['price']), esc_html($t['id']));
    }
    return $out . '</ul>';
}
$sample = [
    ['coin' => 'XMR', 'price' => '162.40', 'id' => '4b2f0e9c7d8a1f3e5b6c4d2a9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f'],
    ['coin' => 'BTC', 'price' => '97120.00', 'id' => '41ad9e3c8b7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d'],
];
echo ticker_render($sample);
