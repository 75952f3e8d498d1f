<?php
// A help page that shows example code, stored in base64 so the editor keeps it intact.
$examples = [
    'hello' => 'PD9waHAgZWNobyAnSGVsbG8sIHdvcmxkISc7ID8+',
    'date'  => 'PD9waHAgZWNobyBkYXRlKCdZLW0tZCcpOyA/Pg==',
];
$which = isset($examples[$_GET['example'] ?? '']) ? $_GET['example'] : 'hello';
echo '<h1>Example: ', htmlspecialchars($which), '</h1>';
highlight_string(base64_decode($examples[$which]));
