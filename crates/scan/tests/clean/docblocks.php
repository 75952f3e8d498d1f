<?php
/**
 * Request data named in comments and format strings, not in code: the generator
 * below documents its defaults with `$_SERVER['SERVER_NAME'] (or 'localhost')`,
 * translations carry `%1$s (%2$s)` placeholders, and a cron lock note says the
 * key "must match $doing_cron (the key)". None of it is a call.
 */
class Guid
{
    /**
     * @param array $opts  Options:
     *   - server: (string) The server name.
     *             DEFAULT: $_SERVER['SERVER_NAME'] (or 'localhost')
     */
    public function __construct(array $opts = [])
    {
        $s = $_GET['s'] ?? '';
        $server = $opts['server'] ?? ($_SERVER['SERVER_NAME'] ?? 'localhost');
        $this->guid = date('YmdHis') . '.' . md5($server . $s);
        // $_GET['debug'] (if set) only changes what is logged.
        # $doing_cron (the "key") must match the transient.
        echo sprintf('%1$s by %2$s (will also delete its data)', esc_html($s), 'admin');
        printf('Add to menu: %1$s (%2$s)', '{{ data.title }}', '{{ data.type_label }}');
        $label = "Total: $s (items)";
        $tpl = <<<'TXT'
        Reload with $_GET['page'] ($page) to see more.
        TXT;
    }
}
