//! `breachkit quarantine …` (step 2): evidence backup and verify, the maintenance
//! page (web servers, or an AWS load balancer), host (nftables) and AWS isolation,
//! confirm, release, status. Commands that
//! change the host print their plan and stop; with `--yes` they apply it, every
//! change journalled in the case with its undo data first.

use crate::Exit;
use crate::config::{AwsTarget, Config, IsolateConfig, QuarantineConfig};
use crate::print::{self, quarantine::Outcome, quarantine::table};
use anyhow::Context as _;
use breachkit_case::Case;
use breachkit_finding::escape_path;
use breachkit_quarantine::{backup, firewall, maintenance, status, verify};
use serde_json::json;
use std::path::{Path, PathBuf};

pub fn run(config: &Config, q: &QuarantineConfig) -> anyhow::Result<Exit> {
    match q {
        QuarantineConfig::Backup { paths } => run_backup(config, paths),
        QuarantineConfig::Verify { archive } => run_verify(config, archive),
        QuarantineConfig::MaintenanceOn {
            allow,
            page,
            nginx_conf,
            apache_confdir,
            alb,
            yes,
        } => {
            let page = match page {
                Some(p) => Some(
                    std::fs::read(p)
                        .with_context(|| format!("cannot read the page {}", escape_path(p)))?,
                ),
                None => None,
            };
            if let Some(target) = alb {
                return maintenance_on_alb(config, target, allow, page, *yes);
            }
            let opts = maintenance::Options {
                allow: allow.clone(),
                page,
                nginx_conf: nginx_conf.clone(),
                apache_confdir: apache_confdir.clone(),
            };
            maintenance_on(config, &opts, *yes)
        }
        QuarantineConfig::MaintenanceOff { yes } => maintenance_off(config, *yes),
        QuarantineConfig::Isolate(i) => isolate(config, i),
        QuarantineConfig::Confirm => confirm(config),
        QuarantineConfig::Release { yes } => release(config, *yes),
        QuarantineConfig::Status => show_status(config),
        QuarantineConfig::Watchdog { token, deadline } => {
            firewall::watchdog(config.case.dir(), token, *deadline)?;
            Ok(Exit::Clean)
        }
    }
}

fn open_case(config: &Config) -> anyhow::Result<Case> {
    let dir = config.case.dir();
    Case::open(dir).with_context(|| {
        format!(
            "cannot open the case {}: nothing was changed (undo data must be recorded first)",
            escape_path(dir)
        )
    })
}

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}

fn run_backup(config: &Config, paths: &[PathBuf]) -> anyhow::Result<Exit> {
    let case = open_case(config)?;
    let host = breachkit_host::Host::live();
    let paths: Vec<PathBuf> = paths.iter().map(|p| absolute(p)).collect();
    let bar = print::progress(config, 0, "backing up");
    if !bar.is_hidden() {
        let skip = case
            .dir()
            .canonicalize()
            .unwrap_or_else(|_| case.dir().to_path_buf());
        bar.set_length(backup::measure(&host, &paths, &skip).0);
    }
    let summary = backup::backup(&host, &paths, case.dir(), &mut |p| {
        bar.set_position(p.entries);
        bar.set_message(format!("{} MiB", p.bytes >> 20));
    });
    bar.finish_and_clear();
    let summary = summary.context("backup failed; the partial archive was removed")?;
    let mut o = Outcome::new(
        format!(
            "backup written: {} files, {} bytes ({} compressed) — TAINTED: scan before restoring anything from it",
            summary.files, summary.bytes, summary.archive_bytes
        ),
        json!({ "backup": summary }),
    );
    o.row("archive", escape_path(&summary.archive));
    o.row("manifest", escape_path(&summary.manifest));
    o.row(
        "entries",
        format!(
            "{} files, {} directories, {} symlinks (stored as links), {} special files (recorded, not read)",
            summary.files, summary.dirs, summary.symlinks, summary.special
        ),
    );
    o.row(
        "check",
        format!(
            "breachkit quarantine verify {}",
            escape_path(&summary.archive)
        ),
    );
    o.warnings = summary.warnings.clone();
    print::quarantine::outcome(config, &o)?;
    Ok(Exit::Clean)
}

fn run_verify(config: &Config, archive: &Path) -> anyhow::Result<Exit> {
    let report = verify::verify(archive)
        .with_context(|| format!("cannot verify {}", escape_path(archive)))?;
    let ok = report.differences.is_empty();
    let headline = if ok {
        format!(
            "archive intact: {} entries match the manifest",
            report.checked
        )
    } else {
        format!(
            "archive DIFFERS from its manifest: {} difference(s) in {} entries",
            report.differences.len(),
            report.checked
        )
    };
    let mut o = Outcome::new(headline, json!({ "verify": report, "ok": ok }));
    o.row("archive", escape_path(&report.archive));
    o.row("manifest", escape_path(&report.manifest));
    o.warnings = report.warnings.clone();
    if report.tainted {
        o.row("tainted", "yes: taken from a compromised host");
    }
    o.lines = print::quarantine::differences(&report.differences, "(archive)");
    print::quarantine::outcome(config, &o)?;
    Ok(if ok { Exit::Clean } else { Exit::Findings })
}

/// The rows of a plan: each file written.
fn file_rows(files: impl Iterator<Item = (String, bool)>) -> Vec<String> {
    let rows: Vec<Vec<String>> = files
        .map(|(path, exists)| {
            vec![
                if exists {
                    "change".into()
                } else {
                    "create".into()
                },
                path,
            ]
        })
        .collect();
    table(&rows)
}

fn maintenance_on(config: &Config, opts: &maintenance::Options, yes: bool) -> anyhow::Result<Exit> {
    let mut case = open_case(config)?;
    if maintenance::is_on(&case)? {
        let o = Outcome::new(
            "the maintenance page is already on for this case; nothing to do (`maintenance off --yes` lifts it)",
            json!({ "maintenance": "on", "changed": false }),
        );
        print::quarantine::outcome(config, &o)?;
        return Ok(Exit::Clean);
    }
    let plan = maintenance::plan(opts).context("maintenance on")?;
    let allow: Vec<String> = plan.allow.iter().map(ToString::to_string).collect();
    let files: Vec<(String, bool)> = plan
        .files()
        .map(|f| (escape_path(&f.path), f.path.exists()))
        .collect();
    let site_rows: Vec<Vec<String>> = plan
        .sites
        .iter()
        .map(|s| {
            vec![
                s.server.to_string(),
                format!("{}:{}", s.file, s.line),
                if s.names.is_empty() {
                    "(no name)".into()
                } else {
                    s.names.join(" ")
                },
            ]
        })
        .collect();
    let servers: Vec<&str> = plan.servers.iter().map(|s| s.name()).collect();
    let json_plan = json!({
        "servers": servers,
        "sites": plan.sites,
        "files": files.iter().map(|(p, e)| json!({"path": p, "exists": e})).collect::<Vec<_>>(),
        "allow": allow,
        "retry_after": maintenance::page::RETRY_AFTER_SECS,
    });
    let mut lines = vec!["sites:".to_string()];
    lines.extend(table(&site_rows));
    lines.push("files:".into());
    lines.extend(file_rows(files.into_iter()));
    if !yes {
        let mut o = Outcome::new(
            format!(
                "PLAN (nothing changed): {} site(s) would answer 503 with Retry-After {}s; run again with --yes to apply",
                plan.sites.len(),
                maintenance::page::RETRY_AFTER_SECS
            ),
            json!({ "plan": json_plan, "applied": false }),
        );
        o.row("servers", servers.join(", "));
        o.row(
            "allowed",
            if allow.is_empty() {
                "nobody (everyone sees the page)".into()
            } else {
                allow.join(", ")
            },
        );
        o.lines = lines;
        print::quarantine::outcome(config, &o)?;
        return Ok(Exit::Clean);
    }
    let sites = plan.sites.len();
    let notes = maintenance::apply(&mut case, plan).context("maintenance on")?;
    let mut o = Outcome::new(
        format!(
            "maintenance page ON for {sites} site(s); `breachkit quarantine maintenance off --yes` restores the original files"
        ),
        json!({ "plan": json_plan, "applied": true, "notes": notes }),
    );
    o.row(
        "allowed",
        if allow.is_empty() {
            "nobody".into()
        } else {
            allow.join(", ")
        },
    );
    o.lines = lines;
    o.lines.extend(notes.iter().map(|n| format!("note: {n}")));
    print::quarantine::outcome(config, &o)?;
    Ok(Exit::Clean)
}

/// Lines listing the actions of a batch in force (what an undo would put back).
fn in_force_rows(case: &Case, batch: &str) -> anyhow::Result<Vec<Vec<String>>> {
    Ok(case
        .actions_in_force(batch)?
        .iter()
        .rev()
        .map(|a| {
            vec![
                a.kind.clone(),
                a.target.clone(),
                a.state.as_str().to_string(),
            ]
        })
        .collect())
}

fn case_name(case: &Case) -> String {
    case.dir()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "case".into())
}

/// `maintenance on --alb-listener`: the page as the listener's fixed 503 response.
fn maintenance_on_alb(
    config: &Config,
    target: &breachkit_cloud::alb::AlbTarget,
    allow: &[breachkit_quarantine::Cidr],
    page: Option<Vec<u8>>,
    yes: bool,
) -> anyhow::Result<Exit> {
    use breachkit_cloud::alb;
    let mut case = open_case(config)?;
    if !case.actions_in_force(alb::BATCH)?.is_empty() {
        let o = Outcome::new(
            "the ALB maintenance page is already on for this case; nothing to do (`maintenance off --yes` lifts it)",
            json!({ "maintenance": "on", "changed": false }),
        );
        print::quarantine::outcome(config, &o)?;
        return Ok(Exit::Clean);
    }
    let conn = alb::Alb::connect(target).context("maintenance on --alb-listener")?;
    let page = page.unwrap_or_else(|| maintenance::page::DEFAULT_PAGE.as_bytes().to_vec());
    let plan = alb::plan(&conn, allow, &page, &case_name(&case))
        .context("maintenance on --alb-listener: nothing was changed")?;
    let rows: Vec<Vec<String>> = plan
        .moved
        .iter()
        .map(|m| {
            vec![
                m.rule.clone(),
                format!("priority {} → {}", m.priority, m.to),
            ]
        })
        .collect();
    let mut o = Outcome::new(String::new(), json!({}));
    o.row("listener", plan.target.listener_arn.clone());
    o.row(
        "allowed",
        if plan.allow.is_empty() {
            "nobody (everyone sees the page)".into()
        } else {
            plan.allow.join(", ")
        },
    );
    o.row(
        "added",
        format!(
            "{} rule(s) at the top, tagged {}={}: admin copies of each rule, admin default, 503 ({} bytes of page, no Retry-After: a fixed response has no headers)",
            plan.added,
            alb::TAG,
            plan.case,
            plan.page_bytes
        ),
    );
    if !rows.is_empty() {
        o.lines
            .push("listener rules moved down (conditions and actions untouched):".into());
        o.lines.extend(table(&rows));
    }
    if !yes {
        o.headline = "PLAN (nothing changed): the listener answers 503 with the page; run again with --yes to apply".into();
        o.json = json!({ "plan": plan, "applied": false });
        print::quarantine::outcome(config, &o)?;
        return Ok(Exit::Clean);
    }
    conn.apply(&mut case, &plan)
        .context("maintenance on --alb-listener")?;
    o.headline = "maintenance page ON at the load balancer; `breachkit quarantine maintenance off --yes` puts the listener back".into();
    o.json = json!({ "plan": plan, "applied": true });
    print::quarantine::outcome(config, &o)?;
    Ok(Exit::Clean)
}

fn maintenance_off(config: &Config, yes: bool) -> anyhow::Result<Exit> {
    let mut case = open_case(config)?;
    let alb_rows = in_force_rows(&case, breachkit_cloud::alb::BATCH)?;
    let mut rows = in_force_rows(&case, maintenance::BATCH)?;
    rows.extend(alb_rows.iter().cloned());
    if rows.is_empty() {
        let o = Outcome::new(
            "the maintenance page is not on for this case; nothing to do",
            json!({ "maintenance": "off", "changed": false }),
        );
        print::quarantine::outcome(config, &o)?;
        return Ok(Exit::Clean);
    }
    if !yes {
        let mut o = Outcome::new(
            "PLAN (nothing changed): undo these changes from the case (files byte for byte and servers reloaded, ALB rules removed and priorities back); run again with --yes",
            json!({ "plan": rows, "applied": false }),
        );
        o.lines = table(&rows);
        print::quarantine::outcome(config, &o)?;
        return Ok(Exit::Clean);
    }
    if !alb_rows.is_empty() {
        let target = breachkit_cloud::alb::target_in_case(&case)?
            .context("the case holds an ALB maintenance page but not its listener")?;
        let conn = breachkit_cloud::alb::Alb::connect(&target).context("maintenance off (ALB)")?;
        breachkit_cloud::alb::off(&conn, &mut case).context("maintenance off (ALB)")?;
    }
    let notes = if maintenance::is_on(&case)? {
        maintenance::off(&mut case).context("maintenance off")?
    } else {
        Vec::new()
    };
    let mut o = Outcome::new(
        "maintenance page OFF: everything is back as it was",
        json!({ "applied": true, "restored": rows, "notes": notes }),
    );
    o.lines = table(&rows);
    o.lines.extend(notes.iter().map(|n| format!("note: {n}")));
    print::quarantine::outcome(config, &o)?;
    Ok(Exit::Clean)
}

fn isolate(config: &Config, i: &IsolateConfig) -> anyhow::Result<Exit> {
    let mut case = open_case(config)?;
    let mut o = Outcome::new(String::new(), json!({}));
    let mut json_parts = serde_json::Map::new();
    let mut headlines = Vec::new();
    // AWS first: host isolation would cut this host off the AWS API.
    if let Some(target) = &i.aws {
        let (headline, part) = isolate_aws(&mut case, target, i, &mut o)?;
        headlines.push(headline);
        json_parts.insert("aws".into(), part);
    }
    if i.host {
        let (headline, part) = isolate_host(config, &mut case, i, &mut o)?;
        headlines.push(headline);
        json_parts.insert("host".into(), part);
    }
    o.headline = headlines.join("; ");
    o.json = serde_json::Value::Object(json_parts);
    print::quarantine::outcome(config, &o)?;
    Ok(Exit::Clean)
}

fn isolate_host(
    config: &Config,
    case: &mut Case,
    i: &IsolateConfig,
    o: &mut Outcome,
) -> anyhow::Result<(String, serde_json::Value)> {
    if let Some(deadline) = firewall::state(case)? {
        let what = match deadline {
            Some(_) => "awaiting `quarantine confirm`",
            None => "confirmed",
        };
        return Ok((
            format!("the host is already isolated for this case ({what}); nothing changed"),
            json!({ "isolated": true, "changed": false }),
        ));
    }
    let allowed = firewall::Allowed {
        ssh: firewall::ssh::current(),
        cidrs: i.allow.clone(),
        dns: i.dns,
        ntp: i.ntp,
    };
    let plan = firewall::plan(allowed, i.confirm_within).context("isolate --host")?;
    let ssh = plan.allowed.ssh.map(|s| s.to_string());
    o.row(
        "your SSH session",
        ssh.clone().unwrap_or_else(|| {
            "none found (not over SSH, or SSH_CONNECTION unset): only --allow keeps access".into()
        }),
    );
    o.row(
        "allowed",
        if i.allow.is_empty() {
            "nothing else".into()
        } else {
            i.allow
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        },
    );
    o.row(
        "DNS / NTP",
        format!(
            "{} / {}",
            if i.dns { "allowed" } else { "blocked" },
            if i.ntp { "allowed" } else { "blocked" }
        ),
    );
    o.row(
        "roll-back",
        format!(
            "in {}s unless `breachkit quarantine confirm`",
            i.confirm_within.as_secs()
        ),
    );
    o.lines
        .push(format!("nftables table inet {}:", firewall::TABLE));
    o.lines
        .extend(plan.ruleset.lines().map(|l| format!("  {l}")));
    let part = json!({
        "table": format!("inet {}", firewall::TABLE),
        "ruleset": plan.ruleset,
        "ssh_session": ssh,
        "confirm_within_secs": i.confirm_within.as_secs(),
    });
    if !i.yes {
        return Ok((
            "PLAN (nothing changed): drop all traffic in and out except what is listed; run again with --yes".into(),
            json!({ "plan": part, "applied": false }),
        ));
    }
    let exe =
        std::env::current_exe().context("cannot find breachkit's own binary for the watchdog")?;
    let spawn = firewall::Watchdog {
        program: exe,
        args: vec![
            "--case".into(),
            absolute(config.case.dir()).into_os_string(),
            "quarantine".into(),
            "watchdog".into(),
        ],
    };
    let deadline = firewall::apply(case, &plan, &spawn).context("isolate --host")?;
    let at = jiff_time(deadline);
    Ok((
        format!(
            "host ISOLATED; it rolls back at {at} unless you run `breachkit quarantine confirm`"
        ),
        json!({ "plan": part, "applied": true, "rollback_at": at }),
    ))
}

fn isolate_aws(
    case: &mut Case,
    target: &AwsTarget,
    i: &IsolateConfig,
    o: &mut Outcome,
) -> anyhow::Result<(String, serde_json::Value)> {
    if !case.actions_in_force(breachkit_cloud::BATCH)?.is_empty() {
        return Ok((
            "the AWS instance is already isolated for this case; nothing changed".into(),
            json!({ "isolated": true, "changed": false }),
        ));
    }
    let aws = breachkit_cloud::Aws::connect(&breachkit_cloud::Target {
        instance_id: target.instance_id.clone(),
        region: target.region.clone(),
        endpoint_url: target.endpoint_url.clone(),
    })
    .context("isolate --aws")?;
    let case_name = case_name(case);
    let plan = breachkit_cloud::plan(&aws, &i.allow, &case_name, i.extras)
        .context("isolate --aws: nothing was changed")?;
    o.row(
        "instance",
        format!("{} in {}", plan.instance_id, plan.vpc_id),
    );
    o.row(
        "quarantine group",
        format!(
            "{} (in: {}; out: nothing)",
            plan.quarantine_group,
            if plan.allow.is_empty() {
                "nothing".to_string()
            } else {
                plan.allow.join(", ")
            }
        ),
    );
    o.row(
        "transition group",
        format!(
            "{} (allow all, first, so tracked connections are cut)",
            plan.transition_group
        ),
    );
    o.row("instance settings", format!(
        "termination protection {} → on, shutdown behaviour {} → stop, tag breachkit-quarantine={case_name}",
        if plan.termination_protection { "on" } else { "off" },
        plan.shutdown_behavior
    ));
    o.row(
        "snapshots",
        if plan.volumes.is_empty() {
            "no EBS volume".to_string()
        } else {
            plan.volumes.join(", ")
        },
    );
    if i.extras.standby {
        o.row(
            "Auto Scaling",
            match &plan.standby {
                Some(s) => format!(
                    "standby in {} ({})",
                    s.group,
                    if s.decrement {
                        "desired capacity lowered: no replacement"
                    } else {
                        "at its minimum size: Auto Scaling launches a replacement"
                    }
                ),
                None => "not in service in an Auto Scaling group: nothing to do".into(),
            },
        );
    }
    if i.extras.deregister {
        o.row(
            "target groups",
            if plan.target_groups.is_empty() {
                "registered in none".to_string()
            } else {
                plan.target_groups
                    .iter()
                    .map(|r| r.target_group.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        );
    }
    let rows: Vec<Vec<String>> = plan
        .enis
        .iter()
        .map(|e| {
            vec![
                e.id.clone(),
                format!("{} → quarantine group", e.groups.join(",")),
            ]
        })
        .collect();
    o.lines.push("network interfaces:".into());
    o.lines.extend(table(&rows));
    if !i.yes {
        return Ok((
            "PLAN (nothing changed): swap every network interface to a quarantine security group; run again with --yes".into(),
            json!({ "plan": plan, "applied": false }),
        ));
    }
    let applied = aws.apply(case, &plan).context("isolate --aws")?;
    Ok((
        format!(
            "AWS instance {} ISOLATED ({} snapshot(s) taken); `quarantine release --yes` restores its groups",
            applied.instance_id,
            applied.snapshots.len()
        ),
        json!({ "plan": plan, "applied": true, "result": applied }),
    ))
}

fn jiff_time(secs: i64) -> String {
    breachkit_case::timestamp_rfc3339(secs)
}

fn confirm(config: &Config) -> anyhow::Result<Exit> {
    let mut case = open_case(config)?;
    let confirmed = firewall::confirm(&mut case)?;
    let headline = if confirmed {
        "isolation CONFIRMED: the roll-back timer is stopped; `quarantine release --yes` lifts it"
    } else {
        "nothing awaits confirmation for this case"
    };
    print::quarantine::outcome(
        config,
        &Outcome::new(headline, json!({ "confirmed": confirmed })),
    )?;
    Ok(Exit::Clean)
}

fn release(config: &Config, yes: bool) -> anyhow::Result<Exit> {
    let mut case = open_case(config)?;
    let host_rows = in_force_rows(&case, firewall::BATCH)?;
    let aws_rows = in_force_rows(&case, breachkit_cloud::BATCH)?;
    let rows: Vec<Vec<String>> = host_rows.iter().chain(&aws_rows).cloned().collect();
    if rows.is_empty() {
        let o = Outcome::new(
            "nothing is isolated for this case; nothing to do",
            json!({ "changed": false }),
        );
        print::quarantine::outcome(config, &o)?;
        return Ok(Exit::Clean);
    }
    if !yes {
        let mut o = Outcome::new(
            "PLAN (nothing changed): undo these changes from the case; run again with --yes",
            json!({ "plan": rows, "applied": false }),
        );
        o.lines = table(&rows);
        print::quarantine::outcome(config, &o)?;
        return Ok(Exit::Clean);
    }
    // The host first: the AWS API is only reachable once the host firewall is gone.
    if !host_rows.is_empty() {
        firewall::release(&mut case).context("release (host firewall)")?;
    }
    if !aws_rows.is_empty() {
        let target = breachkit_cloud::target_in_case(&case)?
            .context("the case holds AWS isolation but not where it was made")?;
        let aws = breachkit_cloud::Aws::connect(&target).context("release (AWS)")?;
        breachkit_cloud::release(&aws, &mut case).context("release (AWS)")?;
    }
    let mut o = Outcome::new(
        "isolation RELEASED: traffic flows again",
        json!({ "applied": true, "undone": rows }),
    );
    o.lines = table(&rows);
    print::quarantine::outcome(config, &o)?;
    Ok(Exit::Clean)
}

fn show_status(config: &Config) -> anyhow::Result<Exit> {
    let dir = config.case.dir();
    let case = Case::open_existing(dir)
        .with_context(|| format!("cannot show the status of case {}", escape_path(dir)))?;
    let s = status::status(&case)?;
    let headline = if s.in_force.is_empty() {
        "nothing is in force for this case".to_string()
    } else {
        let batches: std::collections::BTreeSet<&str> =
            s.in_force.iter().map(|a| a.batch.as_str()).collect();
        format!(
            "in force: {}",
            batches.into_iter().collect::<Vec<_>>().join(", ")
        )
    };
    let mut o = Outcome::new(headline, json!({ "status": s }));
    o.row("case", s.case.clone());
    if let Some(at) = &s.rollback_at {
        o.row(
            "roll-back",
            format!("{at} unless `breachkit quarantine confirm`"),
        );
    }
    o.row(
        "undone",
        format!("{} change(s) made and put back", s.undone),
    );
    let rows: Vec<Vec<String>> = s
        .in_force
        .iter()
        .map(|a| {
            vec![
                a.batch.clone(),
                a.kind.clone(),
                a.target.clone(),
                a.state.to_string(),
                a.since.clone(),
            ]
        })
        .collect();
    o.lines = table(&rows);
    if !s.backups.is_empty() {
        o.lines.push("backups (tainted):".into());
        o.lines.extend(s.backups.iter().map(|b| format!("  {b}")));
    }
    print::quarantine::outcome(config, &o)?;
    Ok(Exit::Clean)
}
