//! apache2: reads the configuration tree in use (`APACHE_CONFDIR/apache2.conf` and
//! everything it includes, in order) to find every `<VirtualHost>`, so the
//! maintenance include goes in as the first line of each. The modules it needs
//! (rewrite, headers, alias) are loaded just before the first virtual host when the
//! configuration does not load them already.

use super::{Edits, Site};
use crate::{Cidr, QuarantineError};
use breachkit_finding::escape_path;
use std::path::{Path, PathBuf};

const MAX_INCLUDE_DEPTH: usize = 16;
/// Where Debian keeps the modules, when no `LoadModule` line says otherwise.
const DEFAULT_MODULES: &str = "/usr/lib/apache2/modules";

#[derive(Debug, Default)]
pub(crate) struct Layout {
    pub main: PathBuf,
    pub sites: Vec<Site>,
    /// File, offset of the `<VirtualHost` line's start, offset after that line.
    pub vhosts: Vec<(PathBuf, usize, usize)>,
    pub modules_dir: Option<PathBuf>,
}

fn bad(path: &Path, message: impl Into<String>) -> QuarantineError {
    QuarantineError::BadFile {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Reads the tree of the configuration directory `confdir`.
pub(crate) fn read_layout(confdir: &Path) -> Result<Layout, QuarantineError> {
    let main = ["apache2.conf", "httpd.conf"]
        .iter()
        .map(|n| confdir.join(n))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            bad(
                confdir,
                "unknown apache layout: no apache2.conf or httpd.conf here",
            )
        })?;
    let mut layout = Layout {
        main: main.clone(),
        ..Layout::default()
    };
    let mut root = confdir.to_path_buf();
    let mut in_vhost = false;
    parse_file(&main, &mut root, &mut in_vhost, &mut layout, 0)?;
    if layout.vhosts.is_empty() {
        // The main server alone would keep serving the site without the page.
        return Err(bad(
            &main,
            "unknown apache layout: no <VirtualHost> in it or in the files it includes",
        ));
    }
    Ok(layout)
}

fn unquote(s: &str) -> &str {
    s.trim_matches(|c| c == '"' || c == '\'')
}

fn parse_file(
    path: &Path,
    root: &mut PathBuf,
    in_vhost: &mut bool,
    layout: &mut Layout,
    depth: usize,
) -> Result<(), QuarantineError> {
    if depth > MAX_INCLUDE_DEPTH {
        return Err(bad(path, "includes nested too deep (an include loop?)"));
    }
    let bytes = crate::files::read_regular(path)?;
    let text = String::from_utf8_lossy(&bytes);
    let mut offset = 0;
    let mut logical = String::new();
    let mut start = 0;
    let mut line_no = 0;
    let mut first_line = 0;
    for raw in text.split_inclusive('\n') {
        line_no += 1;
        if logical.is_empty() {
            start = offset;
            first_line = line_no;
        }
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if let Some(cont) = line.strip_suffix('\\') {
            logical.push_str(cont);
            continue;
        }
        logical.push_str(line);
        let directive = std::mem::take(&mut logical);
        let d = directive.trim();
        if d.is_empty() || d.starts_with('#') {
            continue;
        }
        let mut parts = d.split_whitespace();
        let name = parts.next().unwrap_or("").to_ascii_lowercase();
        let arg = parts.next().map(unquote);
        match (name.as_str(), arg) {
            ("serverroot", Some(r)) => *root = PathBuf::from(r),
            ("include" | "includeoptional", Some(pattern)) => {
                for file in super::glob::expand(root, pattern) {
                    parse_file(&file, root, in_vhost, layout, depth + 1)?;
                }
            }
            ("loadmodule", Some(_)) => {
                if let Some(p) = d.split_whitespace().nth(2).map(unquote) {
                    let full = if Path::new(p).is_absolute() {
                        PathBuf::from(p)
                    } else {
                        root.join(p)
                    };
                    layout.modules_dir = full.parent().map(Path::to_path_buf);
                }
            }
            ("<virtualhost", _) => {
                *in_vhost = true;
                layout.sites.push(Site {
                    server: "apache2",
                    file: escape_path(path),
                    line: first_line,
                    names: Vec::new(),
                });
                layout.vhosts.push((path.to_path_buf(), start, offset));
            }
            ("</virtualhost>", _) => *in_vhost = false,
            ("servername" | "serveralias", Some(_)) if *in_vhost => {
                if let Some(site) = layout.sites.last_mut() {
                    site.names
                        .extend(d.split_whitespace().skip(1).map(String::from));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The files to write and the includes to insert for apache.
pub(crate) fn edits(
    confdir: &Path,
    layout: &Layout,
    allow: &[Cidr],
    page: &[u8],
    edits: &mut Edits,
) -> Result<(), QuarantineError> {
    let server_inc = confdir.join("breachkit-maintenance-server.inc");
    let vhost_inc = confdir.join("breachkit-maintenance-vhost.inc");
    let page_file = confdir.join("breachkit-maintenance.html");
    let modules = layout
        .modules_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_MODULES));
    let mut server =
        String::from("# breachkit maintenance: the modules the maintenance page needs.\n");
    for (module, file) in [
        ("rewrite_module", "mod_rewrite.so"),
        ("headers_module", "mod_headers.so"),
        ("alias_module", "mod_alias.so"),
    ] {
        server.push_str(&format!(
            "<IfModule !{module}>\n    LoadModule {module} \"{}\"\n</IfModule>\n",
            modules.join(file).display()
        ));
    }
    let allowed = allow
        .iter()
        .map(|c| format!("-R '{c}'"))
        .collect::<Vec<_>>()
        .join(" || ");
    let mut vhost = String::from(
        "# breachkit maintenance: every request of a visitor answers 503 with the page.\n\
         RewriteEngine On\n",
    );
    if !allowed.is_empty() {
        vhost.push_str(&format!("RewriteCond expr \"! ({allowed})\"\n"));
    }
    vhost.push_str(&format!(
        "RewriteCond %{{REQUEST_URI}} !=/breachkit-maintenance.html\n\
         RewriteRule ^ - [R=503,L]\n\
         ErrorDocument 503 /breachkit-maintenance.html\n\
         Alias /breachkit-maintenance.html \"{page}\"\n\
         <Location /breachkit-maintenance.html>\n    Require all granted\n</Location>\n\
         Header always set Retry-After \"{retry}\" \"expr=%{{REQUEST_STATUS}} == 503\"\n\
         Header always set Cache-Control \"no-store\" \"expr=%{{REQUEST_STATUS}} == 503\"\n",
        page = page_file.display(),
        retry = super::page::RETRY_AFTER_SECS,
    ));
    edits.new_file(server_inc.clone(), server.into_bytes());
    edits.new_file(vhost_inc.clone(), vhost.into_bytes());
    edits.new_file(page_file, page.to_vec());
    let server_line = format!("Include \"{}\"\n", server_inc.display());
    let vhost_line = format!("Include \"{}\"\n", vhost_inc.display());
    match layout.vhosts.first() {
        Some((file, start, _)) => {
            edits.insert(file, *start, server_line);
            for (file, _, after) in &layout.vhosts {
                edits.insert(file, *after, vhost_line.clone());
            }
        }
        None => {
            // No virtual hosts: the main server serves every request.
            let end = std::fs::metadata(&layout.main)
                .map(|m| m.len() as usize)
                .map_err(QuarantineError::io(&layout.main))?;
            edits.insert(&layout.main, end, format!("\n{server_line}{vhost_line}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_virtual_hosts_through_includes() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir(t.path().join("sites-enabled")).unwrap();
        std::fs::write(
            t.path().join("apache2.conf"),
            "LoadModule x_module /opt/mods/mod_x.so\n# <VirtualHost *:1>\nIncludeOptional sites-enabled/*.conf\n",
        )
        .unwrap();
        std::fs::write(
            t.path().join("sites-enabled/a.conf"),
            "<VirtualHost *:80>\n  ServerName a.example\n  ServerAlias \\\n b.example\n</VirtualHost>\n",
        )
        .unwrap();
        let l = read_layout(t.path()).unwrap();
        assert_eq!(l.sites.len(), 1);
        assert_eq!(l.sites[0].names, ["a.example", "b.example"]);
        assert_eq!(l.vhosts[0].1, 0);
        assert_eq!(l.vhosts[0].2, "<VirtualHost *:80>\n".len());
        assert_eq!(l.modules_dir.as_deref(), Some(Path::new("/opt/mods")));
        assert!(read_layout(&t.path().join("sites-enabled")).is_err());
    }
}
