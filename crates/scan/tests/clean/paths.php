<?php
/**
 * Splits a file name into base name and extension from the right, as DokuWiki's
 * style helpers do: strrev is a string tool here, and array_map only applies it.
 */
function split_extension(string $file): array
{
    list($extension, $basename) = array_map('strrev', explode('.', strrev($file), 2));
    $reverse = 'strrev';
    $upper = array_map($reverse, [$extension, $basename]);
    $decode = 'base64_decode';
    $bytes = $decode('aGVsbG8=');
    return [$basename, $extension, $upper, $bytes];
}
