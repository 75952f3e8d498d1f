//! PHP backdoors that live in configuration rather than in a script:
//! `auto_prepend_file` / `auto_append_file` set in php.ini and its conf.d, PHP-FPM
//! pools, Apache configs, `.user.ini` and `.htaccess` (so every page runs the
//! attacker's file first), and WordPress must-use plugins (loaded on every request,
//! not listed among ordinary plugins) that decode and eval.

use crate::Context;
use crate::paths::{in_hidden_dir, in_uploads, is_temp};
use breachkit_finding::{Rule, Severity, Step, escape_bytes};
use breachkit_host::{Entry, lines};
use regex::Regex;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

pub struct Php;

impl crate::Check for Php {
    fn name(&self) -> &'static str {
        "php"
    }

    fn about(&self) -> &'static str {
        "auto_prepend_file/auto_append_file in php.ini, FPM pools, .user.ini and .htaccess; WordPress mu-plugins that decode and eval"
    }

    fn run(&self, ctx: &mut Context) {
        for (dir, depth) in CONFIG_DIRS {
            for entry in ctx.walk(dir, *depth) {
                let name = entry.file_name();
                if entry.is_file()
                    && (name.ends_with(".ini")
                        || name.ends_with(".conf")
                        || name.ends_with(".htaccess"))
                {
                    check_config(ctx, &entry);
                }
            }
        }
        for single in [
            "/etc/php.ini",
            "/usr/local/lib/php.ini",
            "/etc/php-fpm.conf",
        ] {
            if let Some(entry) = ctx.host.entry(single).ok().filter(Entry::is_file) {
                check_config(ctx, &entry);
            }
        }
        for root in ctx.web_roots() {
            for entry in ctx.walk(&root, MAX_WEB_DEPTH) {
                if !entry.is_file() {
                    continue;
                }
                let name = entry.file_name();
                if matches!(name.as_str(), ".user.ini" | ".htaccess" | "php.ini") {
                    check_config(ctx, &entry);
                } else if name.ends_with(".php")
                    && entry
                        .host
                        .to_string_lossy()
                        .contains("/wp-content/mu-plugins/")
                {
                    check_mu_plugin(ctx, &entry);
                }
            }
        }
    }
}

/// Directories of PHP and web server configuration, with how deep to look.
const CONFIG_DIRS: &[(&str, usize)] = &[
    ("/etc/php", 5),
    ("/etc/php.d", 1),
    ("/etc/php-fpm.d", 1),
    ("/etc/apache2", 4),
    ("/etc/httpd", 4),
    ("/usr/local/etc/php", 3),
    ("/opt/cpanel", 6),
    ("/opt/alt", 5),
];

const MAX_WEB_DEPTH: usize = 40;
const MAX_CONFIG: u64 = 4 << 20;
const MAX_PLUGIN: u64 = 8 << 20;
const MAX_LINE: usize = 64 << 10;

const PREPEND: Rule = Rule {
    id: "php.auto-prepend",
    step: Step::Aware,
    severity: Severity::High,
    title: "PHP runs a file before or after every page (auto_prepend_file / auto_append_file)",
    explanation: "Every PHP page on the site runs this file first (or last). Backdoors and SEO-spam injectors hide here because the site's own files stay clean. Some security plugins (Wordfence's WAF) use it too.",
    mitre: Some("T1505.003"),
    next_step: "Read the named file. If it is not your WAF, keep a copy for evidence and remove the directive.",
};

const MU_LOADER: Rule = Rule {
    id: "wp.mu-plugin-loader",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "WordPress must-use plugin decodes and runs code",
    explanation: "Must-use plugins load on every request and do not appear in the normal plugin list. This one decodes a hidden payload and evaluates it, or evaluates request data: a backdoor.",
    mitre: Some("T1505.003"),
    next_step: "Keep a copy for evidence, delete it, and look for how it got there (web logs for POSTs, other changed files).",
};

// A literal pattern, compiled by this module's tests: it cannot fail.
#[allow(clippy::expect_used)]
static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)^\s*(?:php_(?:admin_)?(?:value|flag)\s*\[?\s*|php_(?:admin_)?value\s+)?auto_(prepend|append)_file\s*\]?\s*=?\s*(.*)$"#)
        .expect("static regex")
});

// A literal pattern, compiled by this module's tests: it cannot fail.
#[allow(clippy::expect_used)]
static DECODER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|hex2bin|convert_uudecode|urldecode)\s*\(").expect("static regex")
});

// A literal pattern, compiled by this module's tests: it cannot fail.
#[allow(clippy::expect_used)]
static SINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:eval|assert|create_function)\s*\(|preg_replace\s*\(\s*['"][/#~|!@%][^'"]*[/#~|!@%][a-zA-Z]*e[a-zA-Z]*['"]"#).expect("static regex")
});

// A literal pattern, compiled by this module's tests: it cannot fail.
#[allow(clippy::expect_used)]
static REQUEST_TO_SINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:eval|assert|system|exec|passthru|shell_exec|popen|proc_open)\s*\(\s*(?:stripslashes\s*\(\s*)?\$_(?:GET|POST|REQUEST|COOKIE|SERVER|FILES)").expect("static regex")
});

fn check_config(ctx: &mut Context, entry: &Entry) {
    let Some(content) = ctx.read_entry(entry, MAX_CONFIG) else {
        return;
    };
    for line in lines(&content.bytes, MAX_LINE) {
        let text = escape_bytes(line.bytes);
        let Some(cap) = DIRECTIVE.captures(&text) else {
            continue;
        };
        let value = cap[2]
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches(['"', '\''])
            .trim();
        if value.is_empty() || value.eq_ignore_ascii_case("none") {
            continue;
        }
        let target = match Path::new(value) {
            p if p.is_absolute() => p.to_path_buf(),
            p => entry
                .host
                .parent()
                .map_or_else(|| PathBuf::from("/"), Path::to_path_buf)
                .join(p),
        };
        let shown = target.to_string_lossy().into_owned();
        let mut f = PREPEND
            .finding()
            .path(entry.display())
            .line(line.number)
            .evidence(text.trim());
        if is_temp(&shown) || in_hidden_dir(&shown) || in_uploads(&shown) {
            f = f
                .severity(Severity::Critical)
                .note("The file is in a temp, hidden or upload directory, where no legitimate prepend file lives.");
        } else if loads_payload(ctx, &target) {
            f = f
                .severity(Severity::Critical)
                .note("The file it names decodes and evaluates code.");
        }
        ctx.report(f);
    }
}

/// True when a PHP file decodes and evaluates, or evaluates request data.
fn loads_payload(ctx: &mut Context, host_path: &Path) -> bool {
    ctx.read(host_path, MAX_PLUGIN).is_some_and(|c| {
        let text = String::from_utf8_lossy(&c.bytes);
        (DECODER.is_match(&text) && SINK.is_match(&text)) || REQUEST_TO_SINK.is_match(&text)
    })
}

fn check_mu_plugin(ctx: &mut Context, entry: &Entry) {
    let Some(content) = ctx.read_entry(entry, MAX_PLUGIN) else {
        return;
    };
    let text = String::from_utf8_lossy(&content.bytes);
    let hit = REQUEST_TO_SINK
        .find(&text)
        .or_else(|| DECODER.find(&text).and(SINK.find(&text)));
    if let Some(m) = hit {
        let before = text.get(..m.start()).unwrap_or_default();
        let line = before.matches('\n').count() as u64 + 1;
        let excerpt = lines(&content.bytes, 200)
            .find(|l| l.number == line)
            .map(|l| escape_bytes(l.bytes))
            .unwrap_or_default();
        ctx.report(
            MU_LOADER
                .finding()
                .path(entry.display())
                .line(line)
                .evidence(excerpt.trim()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_in_every_syntax() {
        for line in [
            "auto_prepend_file = /tmp/x.php",
            "php_value auto_prepend_file /var/www/x.php",
            "php_admin_value[auto_append_file] = /x.php",
            "  AUTO_PREPEND_FILE=\"/x.php\" ; comment",
        ] {
            assert!(DIRECTIVE.is_match(line), "{line}");
        }
        assert!(!DIRECTIVE.is_match("; auto_prepend_file = /x.php"));
    }

    #[test]
    fn loaders_are_told_from_plain_decoding() {
        let loader = "<?php eval(base64_decode('ZWNobyAxOw=='));";
        assert!(DECODER.is_match(loader) && SINK.is_match(loader));
        let honest = "<?php return json_decode(base64_decode($raw), true);";
        assert!(!SINK.is_match(honest));
        assert!(REQUEST_TO_SINK.is_match("<?php @eval($_POST['x']);"));
        assert!(SINK.is_match("preg_replace('/.*/e', $_GET['c'], '');"));
    }
}
