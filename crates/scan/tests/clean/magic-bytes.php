<?php
// Tells an image's type from its first bytes, written as escapes (as image libraries do).
function image_kind(string $path): string
{
    $head = (string) file_get_contents($path, false, null, 0, 8);
    if (strncmp($head, "\x47\x49\x46\x38", 4) === 0) {
        return 'gif';
    }
    if (strncmp($head, "\x89\x50\x4e\x47", 4) === 0) {
        return 'png';
    }
    if (strncmp($head, "\x52\x49\x46\x46", 4) === 0) {
        return 'webp';
    }
    return 'unknown';
}
echo image_kind(__DIR__ . '/uploads/' . basename($_GET['file'] ?? 'logo.png'));
