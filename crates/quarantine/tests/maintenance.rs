//! The maintenance page on real nginx and apache2, each with its own configuration
//! tree on free loopback ports: visitors (127.0.0.1) get 503 + Retry-After + the
//! page, the admin (127.0.0.2, --allow) gets the real site; `off` leaves every
//! config file byte-identical; an already-invalid config is refused untouched, and
//! a change the server refuses is put back before any reload.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use breachkit_case::Case;
use breachkit_quarantine::maintenance::{self, Options};
use common::{eventually, get, need, snapshot};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

const PAGE: &str = "<h1>Back soon (custom page)</h1>\n";

/// A world-readable temp dir (nginx and apache workers drop root).
fn readable_tempdir() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    t
}

struct Nginx {
    conf: PathBuf,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("nginx")
            .arg("-c")
            .arg(&self.conf)
            .args(["-s", "stop"])
            .output();
    }
}

fn nginx_tree(dir: &Path, port: u16, port2: u16) -> PathBuf {
    std::fs::create_dir_all(dir.join("sites")).unwrap();
    std::fs::create_dir_all(dir.join("www")).unwrap();
    std::fs::write(dir.join("www/index.html"), "REAL SITE\n").unwrap();
    let d = dir.display();
    let conf = dir.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{ worker_connections 64; }}\n\
             http {{\n    access_log off;\n    include sites/*.conf;\n}}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("sites/a.conf"),
        format!(
            "server {{\n    listen 127.0.0.1:{port};\n    server_name a.example;\n    root {d}/www;\n\
             location / {{ index index.html; }}\n}}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("sites/b.conf"),
        format!(
            "# second site, with its own error page\nserver {{\n    listen 127.0.0.1:{port2};\n\
             server_name b.example;\n    root {d}/www;\n    error_page 503 /50x.html;\n}}\n"
        ),
    )
    .unwrap();
    conf
}

fn start_nginx(conf: &Path) -> Nginx {
    need("nginx");
    let out = Command::new("nginx").arg("-c").arg(conf).output().unwrap();
    assert!(
        out.status.success(),
        "nginx: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Nginx {
        conf: conf.to_path_buf(),
    }
}

fn options_nginx(conf: &Path) -> Options {
    Options {
        allow: vec!["127.0.0.2/32".parse().unwrap()],
        page: Some(PAGE.as_bytes().to_vec()),
        nginx_conf: Some(conf.to_path_buf()),
        apache_confdir: None,
    }
}

fn assert_maintenance(port: u16) {
    // A reload is graceful: old workers may answer a little longer.
    eventually("visitors get 503", || {
        (0..5).all(|_| get("127.0.0.1", port, "a.example", "/").is_ok_and(|r| r.status == 503))
    });
    let r = get("127.0.0.1", port, "a.example", "/index.html").unwrap();
    assert_eq!(r.status, 503, "{r:?}");
    assert_eq!(r.header("Retry-After").as_deref(), Some("3600"), "{r:?}");
    assert_eq!(r.body, PAGE);
    let admin = get("127.0.0.2", port, "a.example", "/").unwrap();
    assert_eq!(
        (admin.status, admin.body.as_str()),
        (200, "REAL SITE\n"),
        "{admin:?}"
    );
}

#[test]
fn nginx_maintenance_on_and_off() {
    let t = readable_tempdir();
    let (port, port2) = (common::free_port(), common::free_port());
    let tree = t.path().join("nginx");
    let conf = nginx_tree(&tree, port, port2);
    let _nginx = start_nginx(&conf);
    eventually("nginx serves", || {
        get("127.0.0.1", port, "a.example", "/").is_ok_and(|r| r.status == 200)
    });
    let before = snapshot(&tree, &[".pid", ".log"]);
    let mut case = Case::open(&t.path().join("case")).unwrap();

    let plan = maintenance::plan(&options_nginx(&conf)).unwrap();
    assert_eq!(plan.sites.len(), 2);
    assert_eq!(plan.sites[0].names, ["a.example"]);
    assert_eq!(
        snapshot(&tree, &[".pid", ".log"]),
        before,
        "planning changes nothing"
    );
    maintenance::apply(&mut case, plan).unwrap();
    assert_maintenance(port);
    assert_maintenance(port2);

    // Applying twice is harmless: refused, nothing changed.
    let during = snapshot(&tree, &[".pid", ".log"]);
    let again =
        maintenance::plan(&options_nginx(&conf)).and_then(|p| maintenance::apply(&mut case, p));
    assert!(again.is_err());
    assert_eq!(snapshot(&tree, &[".pid", ".log"]), during);

    maintenance::off(&mut case).unwrap();
    assert_eq!(
        snapshot(&tree, &[".pid", ".log"]),
        before,
        "off restores every file byte for byte"
    );
    eventually("visitors get the site again", || {
        (0..5).all(|_| get("127.0.0.1", port, "a.example", "/").is_ok_and(|r| r.status == 200))
    });
    assert!(!maintenance::is_on(&case).unwrap());
}

#[test]
fn nginx_invalid_config_is_refused_untouched() {
    need("nginx");
    let t = readable_tempdir();
    let tree = t.path().join("nginx");
    let conf = nginx_tree(&tree, common::free_port(), common::free_port());
    std::fs::write(
        tree.join("sites/c.conf"),
        "server { listen 127.0.0.1:1; no_such_directive on; }\n",
    )
    .unwrap();
    let before = snapshot(&tree, &[]);
    let err = maintenance::plan(&options_nginx(&conf))
        .unwrap_err()
        .to_string();
    assert!(err.contains("already invalid"), "{err}");
    assert!(
        err.contains("no_such_directive"),
        "says what nginx said: {err}"
    );
    assert_eq!(snapshot(&tree, &[]), before);
}

#[test]
fn unknown_layouts_are_refused() {
    need("nginx");
    let t = readable_tempdir();
    let conf = t.path().join("nginx.conf");
    let d = t.path().display();
    std::fs::write(
        &conf,
        format!("pid {d}/x.pid;\nerror_log {d}/e.log;\nevents {{}}\n"),
    )
    .unwrap();
    let err = maintenance::plan(&options_nginx(&conf))
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown nginx layout: no http block"), "{err}");
    let opts = Options {
        apache_confdir: Some(t.path().join("nope")),
        ..Options::default()
    };
    assert!(maintenance::plan(&opts).is_err());

    // A valid apache configuration with no virtual host: refused, untouched.
    need("apache2ctl");
    let tree = t.path().join("apache");
    apache_tree(&tree, common::free_port());
    std::fs::remove_file(tree.join("sites/site.conf")).unwrap();
    let before = snapshot(&tree, &[]);
    let opts = Options {
        apache_confdir: Some(tree.clone()),
        ..Options::default()
    };
    let err = maintenance::plan(&opts).unwrap_err().to_string();
    assert!(
        err.contains("unknown apache layout: no <VirtualHost>"),
        "{err}"
    );
    assert_eq!(snapshot(&tree, &[]), before);
}

struct Apache {
    confdir: PathBuf,
}

impl Drop for Apache {
    fn drop(&mut self) {
        // By pid: `apache2ctl stop` parses the config first and fails on a broken one.
        let pid = std::fs::read_to_string(self.confdir.join("run/apache2.pid")).unwrap_or_default();
        match pid.trim().parse::<i32>() {
            Ok(pid) => {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pid),
                    nix::sys::signal::Signal::SIGTERM,
                );
            }
            Err(_) => {
                let _ = Command::new("apache2ctl")
                    .arg("stop")
                    .env("APACHE_CONFDIR", &self.confdir)
                    .output();
            }
        }
    }
}

fn apache_tree(dir: &Path, port: u16) {
    for sub in ["sites", "www", "run", "logs"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    std::fs::write(dir.join("www/index.html"), "REAL SITE\n").unwrap();
    let d = dir.display();
    std::fs::write(
        dir.join("envvars"),
        format!(
            "export APACHE_RUN_USER=www-data\nexport APACHE_RUN_GROUP=www-data\n\
             export APACHE_PID_FILE={d}/run/apache2.pid\nexport APACHE_RUN_DIR={d}/run\n\
             export APACHE_LOCK_DIR={d}/run\nexport APACHE_LOG_DIR={d}/logs\nexport LANG=C\n"
        ),
    )
    .unwrap();
    let m = "/usr/lib/apache2/modules";
    std::fs::write(
        dir.join("apache2.conf"),
        format!(
            "ServerRoot {d}\nPidFile ${{APACHE_PID_FILE}}\nMutex file:{d}/run default\nErrorLog {d}/logs/error.log\n\
             LoadModule mpm_event_module {m}/mod_mpm_event.so\nLoadModule authz_core_module {m}/mod_authz_core.so\n\
             LoadModule mime_module {m}/mod_mime.so\nLoadModule dir_module {m}/mod_dir.so\n\
             TypesConfig /etc/mime.types\nServerName localhost\nListen 127.0.0.1:{port}\n\
             IncludeOptional sites/*.conf\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("sites/site.conf"),
        format!(
            "<VirtualHost 127.0.0.1:{port}>\n    ServerName a.example\n    DocumentRoot {d}/www\n\
             <Directory {d}/www>\n        Require all granted\n    </Directory>\n</VirtualHost>\n"
        ),
    )
    .unwrap();
}

#[test]
fn apache_maintenance_on_and_off() {
    need("apache2ctl");
    let t = readable_tempdir();
    let port = common::free_port();
    let tree = t.path().join("apache");
    apache_tree(&tree, port);
    let out = Command::new("apache2ctl")
        .arg("start")
        .env("APACHE_CONFDIR", &tree)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "apache: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _apache = Apache {
        confdir: tree.clone(),
    };
    eventually("apache serves", || {
        get("127.0.0.1", port, "a.example", "/").is_ok_and(|r| r.status == 200)
    });
    let skip = ["/run/", "/logs/"];
    let before = snapshot(&tree, &skip);
    let mut case = Case::open(&t.path().join("case")).unwrap();
    let opts = Options {
        allow: vec!["127.0.0.2".parse().unwrap()],
        page: Some(PAGE.as_bytes().to_vec()),
        nginx_conf: None,
        apache_confdir: Some(tree.clone()),
    };
    let plan = maintenance::plan(&opts).unwrap();
    assert_eq!(plan.sites.len(), 1);
    maintenance::apply(&mut case, plan).unwrap();
    assert_maintenance(port);
    maintenance::off(&mut case).unwrap();
    assert_eq!(
        snapshot(&tree, &skip),
        before,
        "off restores every file byte for byte"
    );
    eventually("visitors get the site again", || {
        (0..5).all(|_| get("127.0.0.1", port, "a.example", "/").is_ok_and(|r| r.status == 200))
    });

    // Broken before we touch it: refused, nothing changed.
    std::fs::write(tree.join("sites/broken.conf"), "NoSuchDirective on\n").unwrap();
    let before = snapshot(&tree, &skip);
    let err = maintenance::plan(&opts).unwrap_err().to_string();
    assert!(err.contains("already invalid"), "{err}");
    assert_eq!(snapshot(&tree, &skip), before);
}

#[test]
fn a_full_case_disk_changes_nothing() {
    need("nginx");
    let t = readable_tempdir();
    let tree = t.path().join("nginx");
    let conf = nginx_tree(&tree, common::free_port(), common::free_port());
    let before = snapshot(&tree, &[]);
    let full = common::FullDisk::new();
    let result = Case::open(&full.dir.path().join("case"))
        .map_err(|e| e.to_string())
        .and_then(|mut case| {
            let plan = maintenance::plan(&options_nginx(&conf)).map_err(|e| e.to_string())?;
            maintenance::apply(&mut case, plan).map_err(|e| e.to_string())
        });
    let err = result.unwrap_err();
    assert!(err.contains("full") || err.contains("space"), "{err}");
    assert_eq!(snapshot(&tree, &[]), before);
}

#[test]
fn a_change_the_server_refuses_is_put_back_and_not_reloaded() {
    need("apache2ctl");
    let t = readable_tempdir();
    let tree = t.path().join("apache");
    apache_tree(&tree, common::free_port());
    // Modules from a directory without mod_rewrite: the page's configuration, which
    // loads it from there, fails `apache2ctl configtest`.
    let mods = t.path().join("mods");
    std::fs::create_dir(&mods).unwrap();
    for m in ["mpm_event", "authz_core", "mime", "dir"] {
        let f = format!("mod_{m}.so");
        std::fs::copy(
            Path::new("/usr/lib/apache2/modules").join(&f),
            mods.join(&f),
        )
        .unwrap();
    }
    let conf = tree.join("apache2.conf");
    let text = std::fs::read_to_string(&conf)
        .unwrap()
        .replace("/usr/lib/apache2/modules", mods.to_str().unwrap());
    std::fs::write(&conf, text).unwrap();
    let skip = ["/run/", "/logs/"];
    let before = snapshot(&tree, &skip);
    let mut case = Case::open(&t.path().join("case")).unwrap();
    let opts = Options {
        apache_confdir: Some(tree.clone()),
        ..Options::default()
    };
    let plan = maintenance::plan(&opts).unwrap();
    let err = maintenance::apply(&mut case, plan).unwrap_err().to_string();
    assert!(err.contains("changed configuration was refused"), "{err}");
    assert!(err.contains("mod_rewrite"), "says what apache said: {err}");
    assert_eq!(snapshot(&tree, &skip), before, "every file put back");
    assert!(!maintenance::is_on(&case).unwrap());
}
