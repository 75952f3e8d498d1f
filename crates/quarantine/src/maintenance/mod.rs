//! The maintenance page: every nginx and apache2 site answers `503` with
//! `Retry-After` and a maintenance page, while the admin's addresses (`--allow`)
//! still reach the real site.
//!
//! The change is small and reversible: three new files beside the main config (the
//! page and two snippets) and one `include` line at the top of each `http`/`server`
//! block (nginx) or `<VirtualHost>` (apache). Before anything is touched the current
//! configuration must pass `nginx -t` / `apache2ctl configtest`; after the change it
//! must pass again or everything is put back; only then is the server reloaded.
//! `off` restores every file byte for byte from the case and reloads.

mod apache;
mod glob;
mod nginx;
pub mod page;

use crate::{Cidr, FileChange, QuarantineError, files, tools};
use breachkit_case::{Action, Case, Change, ChangeError, apply_changes, undo_batch};
use breachkit_finding::escape_path;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The case batch of the maintenance page.
pub const BATCH: &str = "maintenance";
/// The action kind that stands for a web server to re-check and reload after undo.
const SERVER_KIND: &str = "web-server";
pub const DEFAULT_NGINX_CONF: &str = "/etc/nginx/nginx.conf";
pub const DEFAULT_APACHE_CONFDIR: &str = "/etc/apache2";

/// What `maintenance on` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub allow: Vec<Cidr>,
    /// HTML of the page; the built-in one when `None`.
    pub page: Option<Vec<u8>>,
    /// Only this nginx (else the default one, when present).
    pub nginx_conf: Option<PathBuf>,
    /// Only this apache configuration directory (else the default one, when present).
    pub apache_confdir: Option<PathBuf>,
}

/// One web site (server block or virtual host) that will show the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Site {
    pub server: &'static str,
    /// The config file, escaped.
    pub file: String,
    pub line: usize,
    /// `server_name` / `ServerName` and aliases.
    pub names: Vec<String>,
}

/// A web server and the configuration tree in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "server", rename_all = "lowercase")]
pub enum Server {
    Nginx { conf: PathBuf },
    Apache2 { confdir: PathBuf },
}

impl Server {
    pub fn name(&self) -> &'static str {
        match self {
            Server::Nginx { .. } => "nginx",
            Server::Apache2 { .. } => "apache2",
        }
    }

    fn command(&self, args: &[&str]) -> Result<Command, QuarantineError> {
        Ok(match self {
            Server::Nginx { conf } => {
                let mut c =
                    Command::new(tools::require("nginx", "install nginx, or leave it out")?);
                c.args(args).arg("-c").arg(conf);
                c
            }
            Server::Apache2 { confdir } => {
                let mut c = Command::new(tools::require(
                    "apache2ctl",
                    "install apache2, or leave it out",
                )?);
                c.args(args).env("APACHE_CONFDIR", confdir);
                c
            }
        })
    }

    /// `nginx -t` / `apache2ctl configtest` on the tree in use.
    pub fn validate(&self) -> Result<(), QuarantineError> {
        let args: &[&str] = match self {
            Server::Nginx { .. } => &["-t", "-q"],
            Server::Apache2 { .. } => &["configtest"],
        };
        tools::run(&mut self.command(args)?).map(drop)
    }

    /// Reloads a running server; `Ok(false)` when it is not running (the new
    /// configuration takes effect when it starts).
    pub fn reload(&self) -> Result<bool, QuarantineError> {
        match self {
            Server::Nginx { .. } => match tools::run(&mut self.command(&["-s", "reload"])?) {
                Ok(_) => Ok(true),
                Err(QuarantineError::ToolFailed { output, .. })
                    if output.contains("pid") || output.contains("No such process") =>
                {
                    Ok(false)
                }
                Err(e) => Err(e),
            },
            Server::Apache2 { .. } => {
                // `graceful` would start a stopped apache: reload only a running one.
                if !self.apache_running()? {
                    return Ok(false);
                }
                tools::run(&mut self.command(&["graceful"])?).map(|_| true)
            }
        }
    }

    /// True when the pid file of this apache names a live process.
    fn apache_running(&self) -> Result<bool, QuarantineError> {
        let out = tools::run(&mut self.command(&["-t", "-D", "DUMP_RUN_CFG"])?)?;
        let pid_file = out
            .lines()
            .find_map(|l| l.trim().strip_prefix("PidFile:"))
            .map(|p| p.trim().trim_matches('"').to_string());
        Ok(pid_file
            .and_then(|f| crate::files::read_regular(Path::new(&f)).ok())
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|p| p.trim().parse::<u32>().ok())
            .is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists()))
    }
}

/// Files to create or change: new files whole, insertions at byte offsets.
#[derive(Debug, Default)]
pub(crate) struct Edits {
    files: BTreeMap<PathBuf, Vec<u8>>,
    inserts: BTreeMap<PathBuf, Vec<(usize, String)>>,
}

impl Edits {
    fn new_file(&mut self, path: PathBuf, content: Vec<u8>) {
        self.files.insert(path, content);
    }

    fn insert(&mut self, path: &Path, at: usize, text: String) {
        self.inserts
            .entry(path.to_path_buf())
            .or_default()
            .push((at, text));
    }

    fn into_changes(self) -> Result<Vec<FileChange>, QuarantineError> {
        let mut out: Vec<FileChange> = self
            .files
            .into_iter()
            .map(|(path, content)| FileChange { path, content })
            .collect();
        for (path, mut inserts) in self.inserts {
            let mut content = crate::files::read_regular(&path)?;
            inserts.sort_by_key(|i| std::cmp::Reverse(i.0));
            for (at, text) in inserts {
                let at = at.min(content.len());
                content.splice(at..at, text.into_bytes());
            }
            out.push(FileChange { path, content });
        }
        Ok(out)
    }
}

/// What `maintenance on` will do.
#[derive(Debug)]
pub struct Plan {
    pub servers: Vec<Server>,
    pub sites: Vec<Site>,
    pub changes: Vec<(Server, Vec<FileChange>)>,
    pub allow: Vec<Cidr>,
}

impl Plan {
    /// Every file the plan writes.
    pub fn files(&self) -> impl Iterator<Item = &FileChange> {
        self.changes.iter().flat_map(|(_, c)| c)
    }
}

/// The servers to handle: the ones named, else the default ones that exist.
fn servers(opts: &Options) -> Vec<Server> {
    if opts.nginx_conf.is_some() || opts.apache_confdir.is_some() {
        let mut out = Vec::new();
        if let Some(conf) = &opts.nginx_conf {
            out.push(Server::Nginx { conf: conf.clone() });
        }
        if let Some(confdir) = &opts.apache_confdir {
            out.push(Server::Apache2 {
                confdir: confdir.clone(),
            });
        }
        return out;
    }
    let mut out = Vec::new();
    if Path::new(DEFAULT_NGINX_CONF).is_file() {
        out.push(Server::Nginx {
            conf: DEFAULT_NGINX_CONF.into(),
        });
    }
    if Path::new(DEFAULT_APACHE_CONFDIR)
        .join("apache2.conf")
        .is_file()
    {
        out.push(Server::Apache2 {
            confdir: DEFAULT_APACHE_CONFDIR.into(),
        });
    }
    out
}

/// Plans `maintenance on`: finds the servers and their sites, checks that their
/// configuration is valid as it is (an invalid one is refused: nothing would be
/// safe to reload), and computes every file to write. Changes nothing.
pub fn plan(opts: &Options) -> Result<Plan, QuarantineError> {
    let servers = servers(opts);
    if servers.is_empty() {
        return Err(QuarantineError::Refused(format!(
            "no web server found: neither {DEFAULT_NGINX_CONF} nor {DEFAULT_APACHE_CONFDIR}/apache2.conf \
             exists; name the configuration with --nginx-conf FILE or --apache-confdir DIR"
        )));
    }
    let page = opts
        .page
        .clone()
        .unwrap_or_else(|| page::DEFAULT_PAGE.as_bytes().to_vec());
    let mut plan = Plan {
        servers: servers.clone(),
        sites: Vec::new(),
        changes: Vec::new(),
        allow: opts.allow.clone(),
    };
    for server in servers {
        if let Err(e) = server.validate() {
            return Err(QuarantineError::Refused(format!(
                "{}: the configuration is already invalid before any change, so nothing was \
                 changed; fix it first. {e}",
                server.name()
            )));
        }
        let mut edits = Edits::default();
        match &server {
            Server::Nginx { conf } => {
                let layout = nginx::read_layout(conf)?;
                nginx::edits(conf, &layout, &opts.allow, &page, &mut edits)?;
                plan.sites.extend(layout.sites);
            }
            Server::Apache2 { confdir } => {
                let layout = apache::read_layout(confdir)?;
                apache::edits(confdir, &layout, &opts.allow, &page, &mut edits)?;
                plan.sites.extend(layout.sites);
            }
        }
        plan.changes.push((server, edits.into_changes()?));
    }
    Ok(plan)
}

/// Stands for a web server in the journal: nothing to apply; its undo (which runs
/// after the server's files are restored) re-checks and reloads the server.
struct ServerMark(Server);

impl Change for ServerMark {
    fn kind(&self) -> &str {
        SERVER_KIND
    }
    fn target(&self) -> String {
        match &self.0 {
            Server::Nginx { conf } => format!("nginx {}", escape_path(conf)),
            Server::Apache2 { confdir } => format!("apache2 {}", escape_path(confdir)),
        }
    }
    fn undo_data(&self) -> Result<(String, Option<Vec<u8>>), ChangeError> {
        Ok((serde_json::to_string(&self.0)?, None))
    }
    fn apply(&mut self) -> Result<(), ChangeError> {
        Ok(())
    }
}

/// Undoes one action of the batch; reload notes go to `notes`.
fn undo_action(action: &Action, notes: &mut Vec<String>) -> Result<(), ChangeError> {
    match action.kind.as_str() {
        files::KIND => files::undo(action),
        SERVER_KIND => {
            let server: Server = serde_json::from_str(&action.undo)?;
            server.validate()?;
            if !server.reload()? {
                notes.push(format!(
                    "{} is not running; nothing reloaded",
                    server.name()
                ));
            }
            Ok(())
        }
        other => Err(format!("unknown maintenance action {other:?}").into()),
    }
}

/// True when the maintenance page is in force for this case.
pub fn is_on(case: &Case) -> Result<bool, QuarantineError> {
    Ok(!case.actions_in_force(BATCH)?.is_empty())
}

/// Applies a plan: writes the files (each journalled first), validates the new
/// configuration (invalid: everything put back), reloads. Returns notes for the
/// admin (a server that is not running).
pub fn apply(case: &mut Case, plan: Plan) -> Result<Vec<String>, QuarantineError> {
    if is_on(case)? {
        return Err(QuarantineError::Refused(
            "the maintenance page is already on for this case; nothing changed".into(),
        ));
    }
    let mut notes = Vec::new();
    let mut steps: Vec<Box<dyn Change>> = Vec::new();
    for (server, changes) in &plan.changes {
        steps.push(Box::new(ServerMark(server.clone())));
        for c in changes {
            steps.push(Box::new(c.clone()));
        }
    }
    apply_changes(case, BATCH, &mut steps, |a| undo_action(a, &mut notes))?;
    for server in &plan.servers {
        let checked = server.validate().and_then(|()| server.reload());
        match checked {
            Ok(true) => {}
            Ok(false) => notes.push(format!(
                "{} is not running; the page shows when it starts",
                server.name()
            )),
            Err(e) => {
                let left = undo_batch(case, BATCH, |a| undo_action(a, &mut notes))?;
                let mut msg = format!(
                    "{}: the changed configuration was refused, so every file was put back: {e}",
                    server.name()
                );
                if !left.is_empty() {
                    msg.push_str(&format!("; NOT put back: {}", left.join("; ")));
                }
                return Err(QuarantineError::Refused(msg));
            }
        }
    }
    Ok(notes)
}

/// `maintenance off`: puts every file back from the case and reloads.
pub fn off(case: &mut Case) -> Result<Vec<String>, QuarantineError> {
    let mut notes = Vec::new();
    let left = undo_batch(case, BATCH, |a| undo_action(a, &mut notes))?;
    if !left.is_empty() {
        return Err(QuarantineError::Undo(left));
    }
    Ok(notes)
}
