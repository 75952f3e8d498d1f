//! Finding the web roots: the usual places, and every `root` (nginx) and
//! `DocumentRoot` (apache) in the web servers' configuration.

use crate::Host;
use breachkit_finding::{Warning, escape_bytes};
use regex::Regex;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

const USUAL: &[&str] = &["/var/www", "/srv/www", "/srv/http", "/usr/share/nginx/html"];
const CONFIG_DIRS: &[&str] = &["/etc/nginx", "/etc/apache2", "/etc/httpd"];
const MAX_CONFIG_FILE: u64 = 4 << 20;

// A literal pattern, compiled by every test that reads a web server config: it cannot fail.
#[allow(clippy::expect_used)]
static ROOT_DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^\s*(?:root|DocumentRoot)\s+"?([^";\s]+)"?\s*;?"#).expect("static regex")
});

impl Host {
    /// Existing web roots as host paths, without duplicates or roots nested in others.
    pub fn web_roots(&self, warnings: &mut Vec<Warning>) -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = USUAL.iter().map(PathBuf::from).collect();
        for home in self.walk("/home", 1, warnings) {
            found.push(home.host.join("public_html"));
        }
        for dir in CONFIG_DIRS {
            for entry in self.walk(dir, 4, warnings) {
                if !entry.is_file() {
                    continue;
                }
                let content = match self.read_entry(&entry, MAX_CONFIG_FILE) {
                    Ok(c) => c,
                    Err(e) if e.is_not_found() => continue,
                    Err(e) => {
                        warnings.push(e.warning());
                        continue;
                    }
                };
                if content.truncated {
                    warnings.push(Warning::new(
                        entry.display(),
                        format!(
                            "file is {} bytes; only the first {MAX_CONFIG_FILE} were searched for web roots",
                            content.meta.len()
                        ),
                    ));
                }
                let text = escape_bytes(&content.bytes);
                let roots = ROOT_DIRECTIVE.captures_iter(&text).filter_map(|c| c.get(1));
                for root in roots.map(|m| m.as_str()) {
                    let p = Path::new(root);
                    if p.is_absolute() && !root.contains('$') {
                        found.push(p.to_path_buf());
                    }
                }
            }
        }
        found.retain(|p| self.resolve(p).is_dir());
        found.sort();
        found.dedup();
        let all = found.clone();
        found.retain(|p| !all.iter().any(|other| other != p && p.starts_with(other)));
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_come_from_configs_and_usual_places() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        for d in [
            "var/www/html",
            "srv/site",
            "home/bob/public_html",
            "etc/nginx/sites-enabled",
        ] {
            std::fs::create_dir_all(r.join(d)).unwrap();
        }
        std::fs::write(
            r.join("etc/nginx/sites-enabled/default"),
            "server {\n  root /srv/site;\n  root /var/www/html;\n root $doc;\n}\n",
        )
        .unwrap();
        let host = Host::image(r).unwrap();
        let mut w = Vec::new();
        let roots = host.web_roots(&mut w);
        assert_eq!(
            roots,
            [
                PathBuf::from("/home/bob/public_html"),
                PathBuf::from("/srv/site"),
                PathBuf::from("/var/www")
            ]
        );
    }

    #[test]
    fn a_config_cut_at_the_limit_is_a_warning_naming_it() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        std::fs::create_dir_all(r.join("etc/nginx")).unwrap();
        std::fs::create_dir_all(r.join("srv/late")).unwrap();
        let mut conf = "#".repeat(MAX_CONFIG_FILE as usize);
        conf.push_str("\nroot /srv/late;\n");
        std::fs::write(r.join("etc/nginx/huge.conf"), conf).unwrap();
        let host = Host::image(r).unwrap();
        let mut w = Vec::new();
        host.web_roots(&mut w);
        assert!(
            w.iter()
                .any(|w| w.path.as_deref() == Some("/etc/nginx/huge.conf")
                    && w.message.contains("only the first")),
            "{w:?}"
        );
    }
}
