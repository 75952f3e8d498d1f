//! The maintenance page on an Application Load Balancer instead of the web servers:
//! one listener answers `503` with the page as a fixed response, while the admin's
//! addresses still reach the real site through the rules they reached it by.
//!
//! ALB rules have no "continue" and no negated conditions, so the change is made of
//! rules placed before the listener's own ones (journalled, batch `maintenance-alb`):
//!
//! 1. the listener's rules are moved down by the number of rules added (their
//!    priorities recorded first);
//! 2. rules tagged with the case are added at the top: for each listener rule a copy
//!    that also requires an admin source address, then one sending admin addresses
//!    to the listener's default actions, then one answering everything else `503`.
//!
//! The listener itself, its rules' conditions and actions and its default actions are
//! never modified, so `off` (delete the tagged rules, put the priorities back) leaves
//! the listener as it was. A fixed response cannot carry headers: no `Retry-After`.
//! A rule AWS will not copy (an `authenticate-oidc` action, whose client secret
//! DescribeRules does not return; a rule already at the condition limit) fails the
//! apply, which is then rolled back.

use crate::CloudError;
use crate::client::Session;
use aws_sdk_elasticloadbalancingv2::types::{
    Action as LbAction, ActionTypeEnum, FixedResponseActionConfig, PathPatternConditionConfig,
    Rule, RuleCondition, RulePriorityPair, SourceIpConditionConfig, Tag,
};
use breachkit_case::{Action, Case, Change, ChangeError, apply_changes, undo_batch};
use breachkit_quarantine::Cidr;
use serde::{Deserialize, Serialize};

/// The case batch of the ALB maintenance page.
pub const BATCH: &str = "maintenance-alb";
const TARGET_KIND: &str = "aws-alb-listener";
const PRIORITIES_KIND: &str = "aws-alb-priorities";
const RULES_KIND: &str = "aws-alb-rules";
/// The tag on the rules added (its value: the case).
pub const TAG: &str = "breachkit-maintenance";
/// What a fixed response can hold.
pub const MAX_PAGE: usize = 1024;
const MAX_PRIORITY: i32 = 50_000;

/// Which listener, where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlbTarget {
    pub listener_arn: String,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

/// A connected load-balancer client for one listener.
pub struct Alb {
    rt: tokio::runtime::Runtime,
    elb: aws_sdk_elasticloadbalancingv2::Client,
    /// As resolved (recorded in the case for `off`).
    pub target: AlbTarget,
}

impl Alb {
    /// Checks credentials and the region first: without them nothing is planned.
    pub fn connect(target: &AlbTarget) -> Result<Alb, CloudError> {
        let s = Session::open(target.region.as_deref(), target.endpoint_url.as_deref())?;
        Ok(Alb {
            elb: aws_sdk_elasticloadbalancingv2::Client::new(&s.conf),
            target: AlbTarget {
                region: s.region(),
                ..target.clone()
            },
            rt: s.rt,
        })
    }

    fn rules(&self) -> Result<Vec<Rule>, CloudError> {
        let mut out = Vec::new();
        let mut marker = None;
        loop {
            let page = self
                .rt
                .block_on(
                    self.elb
                        .describe_rules()
                        .listener_arn(&self.target.listener_arn)
                        .set_marker(marker.take())
                        .send(),
                )
                .map_err(CloudError::api("DescribeRules"))?;
            out.extend(page.rules().iter().cloned());
            match page.next_marker() {
                Some(m) if !m.is_empty() => marker = Some(m.to_string()),
                _ => break,
            }
        }
        Ok(out)
    }

    /// The rules of the listener carrying our tag, with its value.
    fn tagged(&self, rules: &[Rule]) -> Result<Vec<(String, String)>, CloudError> {
        let arns: Vec<String> = rules
            .iter()
            .filter_map(|r| r.rule_arn().map(String::from))
            .collect();
        let mut out = Vec::new();
        for chunk in arns.chunks(20) {
            let tags = self
                .rt
                .block_on(
                    self.elb
                        .describe_tags()
                        .set_resource_arns(Some(chunk.to_vec()))
                        .send(),
                )
                .map_err(CloudError::api("DescribeTags"))?;
            for d in tags.tag_descriptions() {
                if let (Some(arn), Some(t)) = (
                    d.resource_arn(),
                    d.tags().iter().find(|t| t.key() == Some(TAG)),
                ) {
                    out.push((arn.to_string(), t.value().unwrap_or("").to_string()));
                }
            }
        }
        Ok(out)
    }

    fn set_priority(&self, arn: &str, priority: i32) -> Result<(), CloudError> {
        self.rt
            .block_on(
                self.elb
                    .set_rule_priorities()
                    .rule_priorities(
                        RulePriorityPair::builder()
                            .rule_arn(arn)
                            .priority(priority)
                            .build(),
                    )
                    .send(),
            )
            .map_err(CloudError::api("SetRulePriorities"))
            .map(drop)
    }
}

/// A listener rule and where it moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    pub rule: String,
    pub priority: i32,
    pub to: i32,
}

/// What `maintenance on --alb-listener` will do.
#[derive(Debug, Clone, Serialize)]
pub struct AlbPlan {
    pub target: AlbTarget,
    /// The listener's rules, moved down to make room.
    pub moved: Vec<Moved>,
    /// Rules added at the top (admin copies, admin default, the 503 for everyone).
    pub added: usize,
    pub allow: Vec<String>,
    pub page_bytes: usize,
    pub case: String,
    #[serde(skip)]
    rules: Vec<Rule>,
    #[serde(skip)]
    default_actions: Vec<LbAction>,
    #[serde(skip)]
    page: String,
}

fn priority(r: &Rule) -> Option<i32> {
    r.priority()?.parse().ok()
}

/// Reads the listener and plans the page. Changes nothing; refuses a listener that
/// already carries a maintenance rule and a page a fixed response cannot hold.
pub fn plan(alb: &Alb, allow: &[Cidr], page: &[u8], case: &str) -> Result<AlbPlan, CloudError> {
    let page = std::str::from_utf8(page)
        .map_err(|_| CloudError::Refused("the page is not UTF-8 text".into()))?;
    if page.len() > MAX_PAGE {
        return Err(CloudError::Refused(format!(
            "the page is {} bytes; an ALB fixed response holds at most {MAX_PAGE}: give a shorter --page",
            page.len()
        )));
    }
    let all = alb.rules()?;
    if let Some((_, value)) = alb.tagged(&all)?.first() {
        return Err(CloudError::Refused(format!(
            "listener {} already shows a maintenance page (rule tagged {TAG}={value}); nothing changed",
            alb.target.listener_arn
        )));
    }
    let default_actions = all
        .iter()
        .find(|r| r.is_default() == Some(true))
        .map(|r| r.actions().to_vec())
        .ok_or_else(|| {
            CloudError::NotFound(format!(
                "listener {} has no default rule",
                alb.target.listener_arn
            ))
        })?;
    let mut rules: Vec<Rule> = all
        .into_iter()
        .filter(|r| r.is_default() != Some(true))
        .collect();
    rules.sort_by_key(priority);
    let added = if allow.is_empty() { 1 } else { rules.len() + 2 } as i32;
    let mut moved = Vec::new();
    for r in &rules {
        let (Some(arn), Some(p)) = (r.rule_arn(), priority(r)) else {
            return Err(CloudError::NotFound(format!(
                "a rule of listener {} has no ARN or priority",
                alb.target.listener_arn
            )));
        };
        if p + added > MAX_PRIORITY {
            return Err(CloudError::Refused(format!(
                "rule {arn} has priority {p}: no room above {MAX_PRIORITY} to move it down; nothing changed"
            )));
        }
        moved.push(Moved {
            rule: arn.to_string(),
            priority: p,
            to: p + added,
        });
    }
    Ok(AlbPlan {
        target: alb.target.clone(),
        moved,
        added: added as usize,
        allow: allow.iter().map(ToString::to_string).collect(),
        page_bytes: page.len(),
        case: case.to_string(),
        rules,
        default_actions,
        page: page.to_string(),
    })
}

impl Alb {
    /// Applies a plan; refused when the case already holds an ALB page in force.
    pub fn apply(&self, case: &mut Case, plan: &AlbPlan) -> Result<(), CloudError> {
        if !case.actions_in_force(BATCH)?.is_empty() {
            return Err(CloudError::Refused(
                "the ALB maintenance page is already on for this case; nothing changed".into(),
            ));
        }
        let mut steps: Vec<Box<dyn Change + '_>> = vec![Box::new(Mark(plan.target.clone()))];
        if !plan.moved.is_empty() {
            steps.push(Box::new(MoveDown { alb: self, plan }));
        }
        steps.push(Box::new(AddRules { alb: self, plan }));
        apply_changes(case, BATCH, &mut steps, |a| undo(self, a))?;
        Ok(())
    }
}

/// Where the ALB page in force for this case was made (to lift it there).
pub fn target_in_case(case: &Case) -> Result<Option<AlbTarget>, CloudError> {
    Ok(case
        .actions_in_force(BATCH)?
        .into_iter()
        .find(|a| a.kind == TARGET_KIND)
        .and_then(|a| serde_json::from_str(&a.undo).ok()))
}

/// `maintenance off`: removes the rules added and puts the priorities back.
pub fn off(alb: &Alb, case: &mut Case) -> Result<(), CloudError> {
    let left = undo_batch(case, BATCH, |a| undo(alb, a))?;
    if left.is_empty() {
        Ok(())
    } else {
        Err(CloudError::Undo(left))
    }
}

struct Mark(AlbTarget);

impl Change for Mark {
    fn kind(&self) -> &str {
        TARGET_KIND
    }
    fn target(&self) -> String {
        self.0.listener_arn.clone()
    }
    fn undo_data(&self) -> Result<(String, Option<Vec<u8>>), ChangeError> {
        Ok((serde_json::to_string(&self.0)?, None))
    }
    fn apply(&mut self) -> Result<(), ChangeError> {
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
struct PrioritiesUndo {
    listener: String,
    moved: Vec<Moved>,
}

struct MoveDown<'a> {
    alb: &'a Alb,
    plan: &'a AlbPlan,
}

impl Change for MoveDown<'_> {
    fn kind(&self) -> &str {
        PRIORITIES_KIND
    }
    fn target(&self) -> String {
        format!(
            "{} rule(s) of {} down by {}",
            self.plan.moved.len(),
            self.plan.target.listener_arn,
            self.plan.added
        )
    }
    fn undo_data(&self) -> Result<(String, Option<Vec<u8>>), ChangeError> {
        let undo = PrioritiesUndo {
            listener: self.plan.target.listener_arn.clone(),
            moved: self.plan.moved.clone(),
        };
        Ok((serde_json::to_string(&undo)?, None))
    }
    fn apply(&mut self) -> Result<(), ChangeError> {
        // Lowest first (highest priority number first): each lands on a free number.
        for m in self.plan.moved.iter().rev() {
            self.alb.set_priority(&m.rule, m.to)?;
        }
        Ok(())
    }
}

fn undo_priorities(alb: &Alb, u: &PrioritiesUndo) -> Result<(), ChangeError> {
    let now: Vec<(String, Option<i32>)> = alb
        .rules()?
        .iter()
        .filter_map(|r| Some((r.rule_arn()?.to_string(), priority(r))))
        .collect();
    // Back in ascending order, each onto a number the others have left; rules that
    // never moved (a failure part-way) and rules someone deleted meanwhile (nothing
    // to put back) are left alone.
    for m in &u.moved {
        let current = now.iter().find(|(arn, _)| *arn == m.rule).map(|(_, p)| *p);
        match current {
            Some(Some(p)) if p == m.priority => {}
            Some(_) => alb.set_priority(&m.rule, m.priority)?,
            None => {}
        }
    }
    Ok(())
}

#[derive(Serialize, Deserialize)]
struct RulesUndo {
    listener: String,
    /// The value of our tag on the rules added.
    tag: String,
}

struct AddRules<'a> {
    alb: &'a Alb,
    plan: &'a AlbPlan,
}

fn source_ip(allow: &[String]) -> RuleCondition {
    RuleCondition::builder()
        .field("source-ip")
        .source_ip_config(
            SourceIpConditionConfig::builder()
                .set_values(Some(allow.to_vec()))
                .build(),
        )
        .build()
}

/// A condition as given back by DescribeRules, fit to create a rule with: the
/// legacy `Values` dropped where the field's own configuration holds them.
fn reusable(c: &RuleCondition) -> RuleCondition {
    let has_config = c.host_header_config().is_some()
        || c.path_pattern_config().is_some()
        || c.http_header_config().is_some()
        || c.query_string_config().is_some()
        || c.http_request_method_config().is_some()
        || c.source_ip_config().is_some();
    let mut c = c.clone();
    if has_config {
        c.values = None;
    }
    c
}

impl AddRules<'_> {
    fn rules(&self) -> Vec<(Vec<RuleCondition>, Vec<LbAction>)> {
        let p = self.plan;
        let mut out = Vec::new();
        if !p.allow.is_empty() {
            for r in &p.rules {
                let mut conditions: Vec<RuleCondition> =
                    r.conditions().iter().map(reusable).collect();
                conditions.push(source_ip(&p.allow));
                out.push((conditions, r.actions().to_vec()));
            }
            out.push((vec![source_ip(&p.allow)], p.default_actions.clone()));
        }
        let page = LbAction::builder()
            .r#type(ActionTypeEnum::FixedResponse)
            .fixed_response_config(
                FixedResponseActionConfig::builder()
                    .status_code("503")
                    .content_type("text/html")
                    .message_body(&p.page)
                    .build(),
            )
            .build();
        let everything = RuleCondition::builder()
            .field("path-pattern")
            .path_pattern_config(PathPatternConditionConfig::builder().values("*").build())
            .build();
        out.push((vec![everything], vec![page]));
        out
    }
}

impl Change for AddRules<'_> {
    fn kind(&self) -> &str {
        RULES_KIND
    }
    fn target(&self) -> String {
        format!(
            "{} rule(s) tagged {TAG}={} on {}",
            self.plan.added, self.plan.case, self.plan.target.listener_arn
        )
    }
    fn undo_data(&self) -> Result<(String, Option<Vec<u8>>), ChangeError> {
        let undo = RulesUndo {
            listener: self.plan.target.listener_arn.clone(),
            tag: self.plan.case.clone(),
        };
        Ok((serde_json::to_string(&undo)?, None))
    }
    fn apply(&mut self) -> Result<(), ChangeError> {
        let alb = self.alb;
        for (i, (conditions, actions)) in self.rules().into_iter().enumerate() {
            alb.rt
                .block_on(
                    alb.elb
                        .create_rule()
                        .listener_arn(&self.plan.target.listener_arn)
                        .priority(i as i32 + 1)
                        .set_conditions(Some(conditions))
                        .set_actions(Some(actions))
                        .tags(Tag::builder().key(TAG).value(&self.plan.case).build())
                        .send(),
                )
                .map_err(CloudError::api("CreateRule"))?;
        }
        Ok(())
    }
}

fn undo_rules(alb: &Alb, u: &RulesUndo) -> Result<(), ChangeError> {
    let rules = alb.rules()?;
    for (arn, value) in alb.tagged(&rules)? {
        if value == u.tag {
            alb.rt
                .block_on(alb.elb.delete_rule().rule_arn(&arn).send())
                .map_err(CloudError::api("DeleteRule"))?;
        }
    }
    Ok(())
}

fn undo(alb: &Alb, action: &Action) -> Result<(), ChangeError> {
    match action.kind.as_str() {
        TARGET_KIND => Ok(()),
        PRIORITIES_KIND => {
            let u: PrioritiesUndo = serde_json::from_str(&action.undo)?;
            check_listener(alb, &u.listener)?;
            undo_priorities(alb, &u)
        }
        RULES_KIND => {
            let u: RulesUndo = serde_json::from_str(&action.undo)?;
            check_listener(alb, &u.listener)?;
            undo_rules(alb, &u)
        }
        other => Err(format!("unknown ALB action {other:?}").into()),
    }
}

fn check_listener(alb: &Alb, listener: &str) -> Result<(), ChangeError> {
    if listener != alb.target.listener_arn {
        return Err(format!(
            "the case holds listener {listener}, not {}",
            alb.target.listener_arn
        )
        .into());
    }
    Ok(())
}
