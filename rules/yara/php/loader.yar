/*
 * breachkit: injected loaders — a line or a file that decodes a hidden payload and
 * runs it, put at the top of wp-config.php, a theme's functions.php or index.php, or
 * dropped as a lone file.
 * See php/webshell.yar for the meta fields and README.md for the scopes.
 */

rule php_eval_decoded
{
    meta:
        family = "loader"
        score = 90
        description = "eval/assert of a decoded string: the code that runs is hidden in the file"
    strings:
        $a = /\b(eval|assert)\s*\(\s*@?\s*(\/\*[^*]{0,20}\*\/\s*)?(base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|hex2bin|convert_uudecode|rawurldecode|urldecode|pack)\s*\(/i
    condition:
        $a
}

rule php_create_function_decoded
{
    meta:
        family = "loader"
        score = 85
        description = "create_function built from a decoded string"
    strings:
        $a = /\bcreate_function\s*\(\s*['"]{2}\s*,\s*@?(base64_decode|gzinflate|gzuncompress|str_rot13|strrev|hex2bin)\s*\(/i
    condition:
        $a
}

rule php_preg_replace_e_decoded
{
    meta:
        family = "loader"
        score = 90
        description = "preg_replace /e whose replacement is decoded code"
    strings:
        $a = /preg_replace\s*\(\s*['"]([\/#~|!@%]).{0,40}[\/#~|!@%][imsxuADSUX]*e[imsxuADSUX]*['"]\s*,\s*['"]?\s*(eval|assert)?\s*\(?\s*(base64_decode|gzinflate|gzuncompress|str_rot13|strrev|hex2bin)/is
    condition:
        $a
}

rule php_escaped_include
{
    meta:
        family = "loader"
        score = 80
        description = "include of a path written in octal or hex escapes, so no one reads where it leads"
    strings:
        $a = /@?\b(include|include_once|require|require_once)\s*\(?\s*["'](\\[0-7]{3}|\\x[0-9a-fA-F]{2}|[\w\/\.-]){0,12}(\\[0-7]{3}|\\x[0-9a-fA-F]{2})(\\[0-7]{3}|\\x[0-9a-fA-F]{2}|[\w\/\.-]){0,60}(\\[0-7]{3}|\\x[0-9a-fA-F]{2})/
    condition:
        $a
}

rule php_gif_header_code
{
    meta:
        family = "loader"
        score = 85
        description = "PHP code behind a GIF/PNG/JPEG header: made to pass an upload check as an image"
    strings:
        $php = /<\?(php|=)[\s\S]{0,400}(eval|assert|system|passthru|shell_exec|base64_decode|\$_(GET|POST|REQUEST|COOKIE|FILES))/ nocase
    condition:
        (uint32(0) == 0x38464947 or uint32(0) == 0x474e5089 or uint16(0) == 0xd8ff) and $php in (0..4096)
}

rule php_chr_built_eval
{
    meta:
        family = "loader"
        score = 80
        description = "Function names assembled from chr() calls or string pieces ('ba'.'se64_de'.'code')"
    strings:
        $chr_eval = /chr\s*\(\s*(101|0x65)\s*\)\s*\.\s*chr\s*\(\s*(118|0x76)\s*\)\s*\.\s*chr\s*\(\s*(97|0x61)\s*\)\s*\.\s*chr\s*\(\s*(108|0x6c)\s*\)/ nocase
        $chr_b64 = /chr\s*\(\s*(98|0x62)\s*\)\s*\.\s*chr\s*\(\s*(97|0x61)\s*\)\s*\.\s*chr\s*\(\s*(115|0x73)\s*\)\s*\.\s*chr\s*\(\s*(101|0x65)\s*\)/ nocase
        $split_b64 = /["']ba["']\s*\.\s*["']se["']\s*\.\s*["']64|["']base["']\s*\.\s*["']64_|["']bas["']\s*\.\s*["']e64|["']base6["']\s*\.\s*["']4_|["']base64_["']\s*\.\s*["']de/ nocase
        $split_eval = /["']ev["']\s*\.\s*["']al["']|["']e["']\s*\.\s*["']val["']|["']as["']\s*\.\s*["']sert["']|["']ass["']\s*\.\s*["']ert["']/ nocase
        $split_gz = /["']gz["']\s*\.\s*["']inf|["']gzin["']\s*\.\s*["']fla|["']str_["']\s*\.\s*["']rot13/ nocase
    condition:
        any of them
}

rule php_hex_escaped_function
{
    meta:
        family = "loader"
        score = 75
        description = "Dangerous function names written as hex or octal escapes (so a search for eval finds nothing)"
    strings:
        $eval = "\\x65\\x76\\x61\\x6c" nocase
        $b64 = "\\x62\\x61\\x73\\x65\\x36\\x34" nocase
        $gz = "\\x67\\x7a\\x69\\x6e\\x66\\x6c" nocase
        $sys = "\\x73\\x79\\x73\\x74\\x65\\x6d" nocase
        $assert = "\\x61\\x73\\x73\\x65\\x72\\x74" nocase
        $oct_eval = "\\145\\166\\141\\154"
        $oct_b64 = "\\142\\141\\163\\145\\66\\64"
    condition:
        any of them
}

rule php_globals_obfuscation
{
    meta:
        family = "loader"
        score = 60
        description = "Code that calls functions through $GLOBALS entries with unreadable names, as obfuscators emit"
    strings:
        $g = /\$GLOBALS\s*\[\s*['"][\w\\x]{1,12}['"]\s*\]\s*\[\s*\d+\s*\]\s*\(/
        $g2 = /\$GLOBALS\s*\[\s*['"]_{1,3}[0-9a-zA-Z_]{0,3}\d{2,}['"]\s*\]\s*\(/
    condition:
        #g > 3 or #g2 > 3
}
