/*
 * breachkit: JavaScript injected into pages and scripts to load more from elsewhere.
 * See php/webshell.yar for the meta fields and README.md for the scopes.
 */

rule js_injected_loader
{
    meta:
        family = "loader"
        score = 70
        description = "Injected JavaScript that writes a hidden script tag or redirect (String.fromCharCode / unescape / atob)"
    strings:
        $a = /document\.write\s*\(\s*(unescape\s*\(\s*['"]%3c%73%63%72%69%70%74|atob\s*\(\s*['"]PHNjcmlwd)/ nocase
        $b = /eval\s*\(\s*String\.fromCharCode\s*\(\s*\d{2,3}\s*,\s*\d{2,3}\s*,/
        $c = /\bvar\s+_0x[0-9a-f]{4,6}\s*=\s*\[\s*['"]\\x[0-9a-f]{2}/ nocase
        $d = /createElement\s*\(\s*String\.fromCharCode\s*\(\s*115\s*,\s*99\s*,\s*114/
    condition:
        any of them
}
