//! Location is context, not verdict: an application tree unpacked in a temp or
//! upload folder (a backup extracted under `/tmp` to be scanned, a site copied into
//! `wp-content/uploads/backup/`) is judged on its content only, while a loose
//! script there (`/tmp/x.php`, `/dev/shm/.x/`, `uploads/2024/05/info.php`) and a
//! program in a temp folder weigh as they always did. Fake hosts scanned with
//! `scan_tree`, as `breachkit scan --root` and the `files` check do.

use breachkit_finding::{Finding, Severity};
use breachkit_host::Host;
use breachkit_scan::{Engine, Options, Progress, Tree, scan_tree};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

fn engine() -> Engine {
    Engine::new(Options::new(breachkit_detect::files::PLACES)).unwrap()
}

fn sample(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/samples")
            .join(rel),
    )
    .unwrap()
}

fn clean(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/clean")
            .join(rel),
    )
    .unwrap()
}

/// Writes `bytes` at host path `at` of the fake host `root`, with the old mtime a
/// file unpacked from an archive keeps (its ctime is now: `timestomp` hits too).
fn put(root: &Path, at: &str, bytes: &[u8]) {
    let p = root.join(at.trim_start_matches('/'));
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, bytes).unwrap();
    let old = SystemTime::now() - Duration::from_secs(400 * 86_400);
    std::fs::File::options()
        .write(true)
        .open(&p)
        .unwrap()
        .set_modified(old)
        .unwrap();
}

/// An honest WordPress-like tree: a few dozen PHP files of ordinary code (hooks,
/// classes, requires, sanitized request data), wp-includes, wp-admin,
/// wp-content/plugins and themes, and the scanner's clean look-alikes among them.
fn wordpress() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut add = |p: &str, b: Vec<u8>| files.push((p.to_string(), b));
    add(
        "index.php",
        b"<?php\n/**\n * Front to the WordPress application.\n */\ndefine( 'WP_USE_THEMES', true );\nrequire __DIR__ . '/wp-blog-header.php';\n".to_vec(),
    );
    add(
        "wp-blog-header.php",
        b"<?php\nif ( ! isset( $wp_did_header ) ) {\n\t$wp_did_header = true;\n\trequire_once __DIR__ . '/wp-load.php';\n\twp();\n\trequire_once ABSPATH . WPINC . '/template-loader.php';\n}\n".to_vec(),
    );
    add(
        "wp-load.php",
        b"<?php\nif ( ! defined( 'ABSPATH' ) ) {\n\tdefine( 'ABSPATH', __DIR__ . '/' );\n}\nif ( file_exists( ABSPATH . 'wp-config.php' ) ) {\n\trequire_once ABSPATH . 'wp-config.php';\n}\n".to_vec(),
    );
    add(
        "wp-config.php",
        b"<?php\ndefine( 'DB_NAME', 'wordpress' );\ndefine( 'DB_USER', 'wp' );\ndefine( 'DB_PASSWORD', 'correct horse' );\ndefine( 'DB_HOST', 'localhost' );\n$table_prefix = 'wp_';\ndefine( 'WP_DEBUG', false );\nif ( ! defined( 'ABSPATH' ) ) {\n\tdefine( 'ABSPATH', __DIR__ . '/' );\n}\nrequire_once ABSPATH . 'wp-settings.php';\n".to_vec(),
    );
    add(
        "wp-settings.php",
        b"<?php\ndefine( 'WPINC', 'wp-includes' );\nrequire ABSPATH . WPINC . '/load.php';\nrequire ABSPATH . WPINC . '/plugin.php';\nrequire ABSPATH . WPINC . '/functions.php';\nrequire ABSPATH . WPINC . '/formatting.php';\nforeach ( wp_get_active_and_valid_plugins() as $plugin ) {\n\tinclude_once $plugin;\n}\nunset( $plugin );\ndo_action( 'plugins_loaded' );\n".to_vec(),
    );
    add(
        "wp-login.php",
        b"<?php\nrequire __DIR__ . '/wp-load.php';\n$action = isset( $_REQUEST['action'] ) ? sanitize_key( $_REQUEST['action'] ) : 'login';\nif ( 'logout' === $action ) {\n\tcheck_admin_referer( 'log-out' );\n\twp_logout();\n\twp_safe_redirect( 'wp-login.php?loggedout=true' );\n\texit;\n}\n$user = wp_signon( array(), is_ssl() );\n".to_vec(),
    );
    add(
        "wp-cron.php",
        b"<?php\nignore_user_abort( true );\nif ( ! defined( 'ABSPATH' ) ) {\n\trequire_once __DIR__ . '/wp-load.php';\n}\n$crons = wp_get_ready_cron_jobs();\nforeach ( $crons as $timestamp => $cronhooks ) {\n\tforeach ( $cronhooks as $hook => $keys ) {\n\t\tdo_action_ref_array( $hook, array() );\n\t}\n}\n".to_vec(),
    );
    let includes = [
        "load",
        "plugin",
        "functions",
        "formatting",
        "query",
        "post",
        "user",
        "option",
        "cache",
        "kses",
        "template-loader",
        "general-template",
        "link-template",
        "shortcodes",
    ];
    for (i, name) in includes.iter().enumerate() {
        let body = format!(
            "<?php\n/**\n * WordPress {name} API.\n *\n * @package WordPress\n */\n\n\
             function wp_{f}_get( $key, $default = null ) {{\n\
             \tglobal $wp_{f}_store;\n\
             \tif ( ! isset( $wp_{f}_store[ $key ] ) ) {{\n\
             \t\treturn apply_filters( '{f}_default', $default, $key );\n\
             \t}}\n\
             \treturn $wp_{f}_store[ $key ];\n\
             }}\n\n\
             function wp_{f}_set( $key, $value ) {{\n\
             \tglobal $wp_{f}_store;\n\
             \t$wp_{f}_store[ $key ] = $value;\n\
             \tdo_action( 'set_{f}', $key, $value, {i} );\n\
             \treturn true;\n\
             }}\n",
            f = name.replace('-', "_"),
        );
        add(&format!("wp-includes/{name}.php"), body.into_bytes());
    }
    for name in [
        "class-wp-query",
        "class-wp-user",
        "class-wp-post",
        "class-wp-hook",
    ] {
        let class = name
            .trim_start_matches("class-")
            .replace('-', "_")
            .to_uppercase();
        let body = format!(
            "<?php\nfinal class {class} {{\n\tpublic $ID = 0;\n\tprivate $data = array();\n\n\
             \tpublic function __construct( $data = array() ) {{\n\t\tforeach ( (array) $data as $k => $v ) {{\n\t\t\t$this->data[ $k ] = $v;\n\t\t}}\n\t}}\n\n\
             \tpublic function get( $key ) {{\n\t\treturn isset( $this->data[ $key ] ) ? $this->data[ $key ] : null;\n\t}}\n}}\n"
        );
        add(&format!("wp-includes/{name}.php"), body.into_bytes());
    }
    add("wp-includes/js/minilib.min.js", clean("minilib.min.js"));
    for name in [
        "index",
        "admin",
        "admin-ajax",
        "options-general",
        "plugins",
        "users",
        "edit",
    ] {
        let body = format!(
            "<?php\nrequire_once __DIR__ . '/admin.php';\nif ( ! current_user_can( 'manage_options' ) ) {{\n\twp_die( __( 'Sorry, you are not allowed to manage options.' ) );\n}}\n$title = __( '{name}' );\n$paged = isset( $_GET['paged'] ) ? absint( $_GET['paged'] ) : 1;\nrequire_once ABSPATH . 'wp-admin/admin-header.php';\necho '<h1>' . esc_html( $title ) . '</h1>';\n"
        );
        add(&format!("wp-admin/{name}.php"), body.into_bytes());
    }
    add(
        "wp-admin/includes/file.php",
        b"<?php\nfunction wp_tempnam( $filename = '', $dir = '' ) {\n\tif ( empty( $dir ) ) {\n\t\t$dir = get_temp_dir();\n\t}\n\treturn $dir . wp_unique_filename( $dir, basename( $filename ) . '.tmp' );\n}\n".to_vec(),
    );
    add(
        "wp-content/index.php",
        b"<?php\n// Silence is golden.\n".to_vec(),
    );
    add(
        "wp-content/plugins/index.php",
        b"<?php\n// Silence is golden.\n".to_vec(),
    );
    add(
        "wp-content/plugins/hello.php",
        b"<?php\n/*\nPlugin Name: Hello Dolly\n*/\nfunction hello_dolly_get_lyric() {\n\t$lyrics = \"Hello, Dolly\\nWell, hello, Dolly\";\n\t$lyrics = explode( \"\\n\", $lyrics );\n\treturn wptexturize( $lyrics[ mt_rand( 0, count( $lyrics ) - 1 ) ] );\n}\nadd_action( 'admin_notices', 'hello_dolly' );\n".to_vec(),
    );
    add(
        "wp-content/plugins/honest-cache/honest-cache.php",
        clean("plugin.php"),
    );
    add(
        "wp-content/plugins/views/src/View.php",
        clean("template-cache.php"),
    );
    add(
        "wp-content/plugins/newsletter/Newsletter.php",
        clean("mailer-class.php"),
    );
    add(
        "wp-content/plugins/newsletter/send.php",
        clean("newsletter-send.php"),
    );
    add(
        "wp-content/plugins/coin-ticker/ticker.php",
        clean("ticker.php"),
    );
    add("wp-content/plugins/tidy/tidy.php", clean("callbacks.php"));
    add("wp-content/plugins/profile/upload.php", clean("upload.php"));
    add("wp-content/plugins/forms/contact.php", clean("contact.php"));
    add(
        "wp-content/plugins/router/FrontController.php",
        clean("router.php"),
    );
    add("wp-content/plugins/router/Guid.php", clean("docblocks.php"));
    add("wp-content/plugins/router/lang.php", clean("lang.php"));
    add(
        "wp-content/themes/twentytwenty/style.css",
        b"/*\nTheme Name: Twenty Twenty\n*/\nbody { color: #000; }\n".to_vec(),
    );
    add(
        "wp-content/themes/twentytwenty/functions.php",
        b"<?php\nfunction twentytwenty_theme_support() {\n\tadd_theme_support( 'automatic-feed-links' );\n\tadd_theme_support( 'post-thumbnails' );\n}\nadd_action( 'after_setup_theme', 'twentytwenty_theme_support' );\n".to_vec(),
    );
    add(
        "wp-content/themes/twentytwenty/index.php",
        b"<?php\nget_header();\nif ( have_posts() ) {\n\twhile ( have_posts() ) {\n\t\tthe_post();\n\t\tget_template_part( 'template-parts/content', get_post_type() );\n\t}\n}\nget_footer();\n".to_vec(),
    );
    add(
        "wp-content/themes/twentytwenty/inc/StyleUtils.php",
        clean("paths.php"),
    );
    add(
        "wp-content/uploads/index.php",
        b"<?php\n// Silence is golden.\n".to_vec(),
    );
    add("wp-content/uploads/2024/05/photo.jpg", clean("photo.jpg"));
    files
}

/// The tree unpacked at host folder `at` of the fake host `root`.
fn unpack(root: &Path, at: &str, tree: &[(String, Vec<u8>)]) {
    for (rel, bytes) in tree {
        put(root, &format!("{at}/{rel}"), bytes);
    }
}

fn scan(root: &Path, roots: &[&str]) -> Vec<Finding> {
    let host = Host::image(root).unwrap();
    let tree = Tree {
        host: &host,
        roots: roots.iter().map(PathBuf::from).collect(),
        threads: 2,
    };
    let (findings, _, _) = scan_tree(&engine(), &tree, &Progress::default());
    findings
}

fn loud(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.severity >= Severity::Medium)
        .map(|f| {
            format!(
                "{} {} {} {:?}",
                f.path.as_deref().unwrap_or(""),
                f.severity,
                f.rule,
                f.evidence
            )
        })
        .collect()
}

fn at<'a>(findings: &'a [Finding], path: &str) -> Option<&'a Finding> {
    findings.iter().find(|f| f.path.as_deref() == Some(path))
}

fn hits(f: &Finding, heuristic: &str) -> bool {
    f.evidence
        .as_deref()
        .is_some_and(|e| e.contains(&format!("{heuristic} +")))
}

const TEMP_TREE: &str = "/tmp/restore-2024";
const UPLOADS_TREE: &str = "/var/www/html/wp-content/uploads/backup";

#[test]
fn honest_trees_unpacked_in_temp_and_uploads_are_silent() {
    let t = tempfile::tempdir().unwrap();
    let tree = wordpress();
    assert!(tree.len() >= 40, "a few dozen files: {}", tree.len());
    unpack(t.path(), TEMP_TREE, &tree);
    unpack(t.path(), UPLOADS_TREE, &tree);
    // A whole system's backup unpacked in /var/tmp, the site deep inside it.
    unpack(t.path(), "/var/tmp/host-backup/var/www/html", &tree);
    put(t.path(), "/var/tmp/host-backup/etc/hostname", b"web01\n");
    put(
        t.path(),
        "/var/tmp/host-backup/usr/bin/true",
        &sample("place/run"),
    );
    let findings = scan(t.path(), &["/tmp", "/var/tmp", "/var/www"]);
    let loud = loud(&findings);
    assert!(loud.is_empty(), "\n{}", loud.join("\n"));
    // Nothing at all for where the trees lie.
    for f in &findings {
        for h in [
            "php-in-temp",
            "php-in-uploads",
            "elf-in-temp",
            "hidden-folder",
        ] {
            assert!(!hits(f, h), "{:?} {:?}", f.path, f.evidence);
        }
    }
}

#[test]
fn a_webshell_inside_an_unpacked_tree_is_found_by_its_content() {
    let t = tempfile::tempdir().unwrap();
    let mut tree = wordpress();
    tree.push((
        "wp-content/plugins/akismet/class.akismet-cli.php".into(),
        sample("webshell/cmd.php"),
    ));
    tree.push((
        "wp-includes/version-check.php".into(),
        sample("loader/strrev.php"),
    ));
    unpack(t.path(), TEMP_TREE, &tree);
    unpack(t.path(), UPLOADS_TREE, &tree);
    let findings = scan(t.path(), &["/tmp", "/var/www"]);
    let mut loud: Vec<(String, String)> = findings
        .iter()
        .filter(|f| f.severity >= Severity::Medium)
        .map(|f| (f.path.clone().unwrap_or_default(), f.rule.clone()))
        .collect();
    loud.sort();
    let mut want = Vec::new();
    for base in [TEMP_TREE, UPLOADS_TREE] {
        want.push((
            format!("{base}/wp-content/plugins/akismet/class.akismet-cli.php"),
            "scan.webshell".to_string(),
        ));
        want.push((
            format!("{base}/wp-includes/version-check.php"),
            "scan.loader".to_string(),
        ));
    }
    want.sort();
    assert_eq!(loud, want);
    for f in &findings {
        assert!(!hits(f, "php-in-temp") && !hits(f, "php-in-uploads"));
    }
}

/// PHP in the uploads folder of an unpacked tree is misplaced there, as it would
/// be on the live site the backup came from.
#[test]
fn php_in_the_uploads_of_an_unpacked_tree_is_still_misplaced() {
    let t = tempfile::tempdir().unwrap();
    unpack(t.path(), TEMP_TREE, &wordpress());
    let info = format!("{TEMP_TREE}/wp-content/uploads/2024/05/info.php");
    put(t.path(), &info, &sample("place/info.php"));
    let findings = scan(t.path(), &["/tmp"]);
    let f = at(&findings, &info).expect("found");
    assert_eq!(f.rule, "scan.misplaced");
    assert!(f.severity >= Severity::Medium);
    assert!(hits(f, "php-in-uploads") && !hits(f, "php-in-temp"));
    assert_eq!(loud(&findings).len(), 1, "{:?}", loud(&findings));
}

#[test]
fn loose_files_weigh_as_before_and_more_when_hidden() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    // Next to honest trees, so the trees' marks cannot leak to loose files.
    unpack(r, TEMP_TREE, &wordpress());
    unpack(r, UPLOADS_TREE, &wordpress());
    put(r, "/tmp/sess.php", &sample("place/tmp.php"));
    put(r, "/tmp/x/sess.php", &sample("place/tmp.php"));
    put(r, "/dev/shm/.x/sess.php", &sample("place/tmp.php"));
    put(
        r,
        "/var/lib/php/sessions/sess_9f.php",
        &sample("place/tmp.php"),
    );
    put(r, "/var/lib/php/sessions/sess_a1", b"cart|a:0:{}");
    let uploads = "/var/www/html/wp-content/uploads/2024/05";
    put(r, &format!("{uploads}/info.php"), &sample("place/info.php"));
    put(r, &format!("{uploads}/photo.jpg"), &clean("photo.jpg"));
    put(
        r,
        "/var/www/html/wp-content/uploads/.cache/i.php",
        &sample("place/info.php"),
    );
    put(r, "/tmp/x/run", &sample("place/run"));
    put(r, "/dev/shm/.x/run", &sample("place/run"));
    // A tree unpacked in a hidden folder is no application: hidden is a mark of
    // tools kept out of sight.
    put(r, "/tmp/.k/wp-includes/a.php", &sample("place/tmp.php"));
    put(r, "/tmp/.k/wp-admin/b.php", b"<?php\necho 1;\n");
    let findings = scan(
        r,
        &["/tmp", "/dev/shm", "/var/lib/php/sessions", "/var/www"],
    );
    let want = [
        ("/tmp/sess.php", "php-in-temp", false),
        ("/tmp/x/sess.php", "php-in-temp", false),
        ("/dev/shm/.x/sess.php", "php-in-temp", true),
        ("/var/lib/php/sessions/sess_9f.php", "php-in-temp", false),
        (
            "/var/www/html/wp-content/uploads/2024/05/info.php",
            "php-in-uploads",
            false,
        ),
        (
            "/var/www/html/wp-content/uploads/.cache/i.php",
            "php-in-uploads",
            true,
        ),
        ("/tmp/x/run", "elf-in-temp", false),
        ("/dev/shm/.x/run", "elf-in-temp", true),
        ("/tmp/.k/wp-includes/a.php", "php-in-temp", true),
    ];
    for (path, heuristic, hidden) in want {
        let f = at(&findings, path).unwrap_or_else(|| panic!("{path} not found"));
        assert_eq!(f.rule, "scan.misplaced", "{path}");
        assert!(hits(f, heuristic), "{path}: {:?}", f.evidence);
        assert_eq!(hits(f, "hidden-folder"), hidden, "{path}: {:?}", f.evidence);
        let severity = if hidden {
            Severity::High
        } else {
            Severity::Medium
        };
        assert!(f.severity >= severity, "{path}: {}", f.severity);
    }
    assert_eq!(
        loud(&findings).len(),
        want.len() + 1,
        "the loose files and the second file of the hidden tree, nothing else: {:#?}",
        loud(&findings)
    );
}

/// `breachkit scan FILE` on one file of an unpacked tree: the folders around it are
/// looked at all the same. Bytes scanned alone (no host to look at) are judged
/// loose, the cautious default.
#[test]
fn single_files() {
    let t = tempfile::tempdir().unwrap();
    unpack(t.path(), TEMP_TREE, &wordpress());
    let one = format!("{TEMP_TREE}/wp-includes/load.php");
    let findings = scan(t.path(), &[&one]);
    assert!(loud(&findings).is_empty(), "{:?}", loud(&findings));

    let engine = engine();
    let mut scanner = engine.scanner();
    let bytes = std::fs::read(t.path().join(one.trim_start_matches('/'))).unwrap();
    let got = scanner.scan_bytes(&one, &bytes, 0, 0);
    let f = got.finding.expect("judged loose");
    assert_eq!(f.rule, "scan.misplaced");
    assert!(hits(&f, "php-in-temp"));
}
