//! The `files` check on the clean twin with a site's backup unpacked where an
//! admin unpacks it (`/tmp/restore-2024/`, `wp-content/uploads/backup/`): the
//! backup is judged on its content, so the host stays clean; a loose script in a
//! temp folder next to it is still reported.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_detect::{Selection, run};
use breachkit_finding::{Report, Severity};
use breachkit_host::Host;
use breachkit_testkit::FakeHost;

fn files_check(h: &FakeHost) -> Report {
    let host = Host::image(h.root()).expect("image");
    let checks = Selection {
        only: vec!["files".into()],
        skip: Vec::new(),
    }
    .resolve()
    .expect("the files check");
    let (report, failures) = run(&host, &checks, &|_| {});
    assert!(failures.is_empty(), "{failures:?}");
    report
}

/// A small WordPress-like site unpacked at `at`, with an archive's old mtimes.
fn unpack_site(h: &FakeHost, at: &str) {
    let mut files: Vec<(String, String)> = vec![
        (
            "index.php".into(),
            "<?php\ndefine( 'WP_USE_THEMES', true );\nrequire __DIR__ . '/wp-blog-header.php';\n"
                .into(),
        ),
        (
            "wp-config.php".into(),
            "<?php\ndefine( 'DB_NAME', 'wordpress' );\n$table_prefix = 'wp_';\nrequire_once ABSPATH . 'wp-settings.php';\n".into(),
        ),
        (
            "wp-settings.php".into(),
            "<?php\nrequire ABSPATH . WPINC . '/load.php';\nforeach ( wp_get_active_and_valid_plugins() as $plugin ) {\n\tinclude_once $plugin;\n}\n".into(),
        ),
        (
            "wp-content/plugins/hello.php".into(),
            "<?php\n/*\nPlugin Name: Hello Dolly\n*/\nadd_action( 'admin_notices', 'hello_dolly' );\n"
                .into(),
        ),
        (
            "wp-content/themes/plain/functions.php".into(),
            "<?php\nadd_action( 'after_setup_theme', function () {\n\tadd_theme_support( 'title-tag' );\n} );\n".into(),
        ),
    ];
    for name in [
        "load",
        "plugin",
        "functions",
        "query",
        "post",
        "user",
        "option",
        "cache",
    ] {
        files.push((
            format!("wp-includes/{name}.php"),
            format!(
                "<?php\nfunction wp_{name}_get( $key ) {{\n\tglobal $wp_{name};\n\treturn isset( $wp_{name}[ $key ] ) ? $wp_{name}[ $key ] : null;\n}}\n"
            ),
        ));
    }
    for name in ["index", "admin", "options", "users", "plugins"] {
        files.push((
            format!("wp-admin/{name}.php"),
            format!(
                "<?php\nrequire_once __DIR__ . '/admin.php';\n$paged = isset( $_GET['paged'] ) ? absint( $_GET['paged'] ) : 1;\necho esc_html( __( '{name}' ) );\n"
            ),
        ));
    }
    for (rel, text) in files {
        let p = format!("{at}/{rel}");
        h.write(&p, text);
        h.age(&p, 400);
    }
}

#[test]
fn an_unpacked_backup_keeps_the_host_clean() {
    let h = FakeHost::clean();
    unpack_site(&h, "/tmp/restore-2024");
    unpack_site(&h, "/var/www/html/wp-content/uploads/backup");
    let report = files_check(&h);
    let loud: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Medium)
        .map(|f| (f.path.clone(), f.rule.clone(), f.evidence.clone()))
        .collect();
    assert!(loud.is_empty(), "{loud:#?}");
    assert_eq!(report.verdict().kind, breachkit_finding::VerdictKind::Clean);
}

#[test]
fn a_loose_script_next_to_an_unpacked_backup_is_reported() {
    let h = FakeHost::clean();
    unpack_site(&h, "/tmp/restore-2024");
    h.write("/tmp/.x/sess.php", "<?php\necho php_uname();\n");
    let report = files_check(&h);
    let loud: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Medium)
        .collect();
    assert_eq!(loud.len(), 1, "{loud:#?}");
    assert_eq!(loud[0].path.as_deref(), Some("/tmp/.x/sess.php"));
    assert_eq!(loud[0].rule, "scan.misplaced");
    assert_eq!(loud[0].severity, Severity::High, "hidden folder in /tmp");
}
