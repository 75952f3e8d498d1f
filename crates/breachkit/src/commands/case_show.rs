//! `breachkit case show`: print the last run recorded in the case.

use crate::Exit;
use crate::config::Config;
use crate::print;
use anyhow::Context as _;
use breachkit_case::Case;
use breachkit_finding::{Severity, escape_path};

pub fn run(config: &Config) -> anyhow::Result<Exit> {
    let dir = config.case.dir();
    let case = Case::open_existing(dir)
        .with_context(|| format!("cannot show case {}", escape_path(dir)))?;
    let Some(run) = case.last_run()? else {
        anyhow::bail!(
            "case {} has no runs yet; run `breachkit check --case {}` first",
            escape_path(dir),
            escape_path(dir)
        );
    };
    let header = print::Header {
        title: format!(
            "case run {}: `breachkit {}` on {} ({}), {} → {}",
            run.id,
            run.info.command,
            run.info.hostname,
            run.info.root,
            run.info.started_at,
            run.info.finished_at
        ),
        root: run.info.root.clone(),
        live: run.info.root == "/",
        case: Some((escape_path(case.db_path()), run.id)),
        incomplete: Vec::new(),
    };
    print::report(config, &header, &run.report, Severity::Info)?;
    Ok(Exit::Clean)
}
