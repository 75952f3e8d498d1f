//! The plan of AWS isolation and its steps, each a journalled [`Change`] whose undo
//! data (original groups, previous attribute values, tag values, the names of the
//! groups it creates) is in the case before the API call is made.

use crate::lb::{self, Registration, Standby};
use crate::{Aws, CloudError, Target};
use aws_sdk_ec2::types::{
    AttributeBooleanValue, AttributeValue, Filter, InstanceAttributeName, IpPermission, IpRange,
    Ipv6Range, ResourceType, Tag, TagSpecification,
};
use breachkit_case::{Action, Case, Change, ChangeError};
use breachkit_quarantine::Cidr;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// The case batch of AWS isolation.
pub const BATCH: &str = "isolate-aws";
const TARGET_KIND: &str = "aws-target";
const GROUP_KIND: &str = "aws-security-group";
const ENI_KIND: &str = "aws-eni-groups";
const ATTR_KIND: &str = "aws-instance-attribute";
const TAGS_KIND: &str = "aws-tags";
const SNAPSHOT_KIND: &str = "aws-snapshot";
/// The tag that marks an isolated instance (its value: the case).
pub const TAG_CASE: &str = "breachkit-quarantine";
const TAG_AT: &str = "breachkit-quarantined-at";

/// A network interface and the groups it has now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eni {
    pub id: String,
    pub groups: Vec<String>,
}

/// What AWS isolation will do to one instance.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub target: Target,
    pub instance_id: String,
    pub vpc_id: String,
    pub enis: Vec<Eni>,
    pub volumes: Vec<String>,
    pub termination_protection: bool,
    pub shutdown_behavior: String,
    pub transition_group: String,
    pub quarantine_group: String,
    pub allow: Vec<String>,
    pub case: String,
    /// Target groups to take the instance out of (`--deregister`).
    pub target_groups: Vec<Registration>,
    /// Auto Scaling standby (`--standby`), when the instance is in service in a group.
    pub standby: Option<Standby>,
}

/// The optional steps of isolation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras {
    /// Deregister the instance from every load-balancer target group it is in.
    pub deregister: bool,
    /// Put it on Auto Scaling standby.
    pub standby: bool,
}

fn ec2_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Reads the instance and plans its isolation. Changes nothing; refuses an instance
/// that already carries the quarantine tag.
pub fn plan(aws: &Aws, allow: &[Cidr], case: &str, extras: Extras) -> Result<Plan, CloudError> {
    let id = aws.instance_id.clone();
    let out = aws
        .rt
        .block_on(aws.ec2.describe_instances().instance_ids(&id).send())
        .map_err(CloudError::api("DescribeInstances"))?;
    let inst = out
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .find(|i| i.instance_id() == Some(id.as_str()))
        .ok_or_else(|| CloudError::NotFound(format!("instance {id} not found")))?;
    if let Some(t) = inst.tags().iter().find(|t| t.key() == Some(TAG_CASE)) {
        return Err(CloudError::Refused(format!(
            "instance {id} is already isolated (tag {TAG_CASE}={}); nothing changed. Release it \
             from that case first",
            t.value().unwrap_or("")
        )));
    }
    let vpc_id = inst
        .vpc_id()
        .ok_or_else(|| CloudError::NotFound(format!("instance {id} is not in a VPC")))?
        .to_string();
    let enis: Vec<Eni> = inst
        .network_interfaces()
        .iter()
        .filter_map(|n| {
            Some(Eni {
                id: n.network_interface_id()?.to_string(),
                groups: n
                    .groups()
                    .iter()
                    .filter_map(|g| g.group_id().map(String::from))
                    .collect(),
            })
        })
        .collect();
    if enis.is_empty() {
        return Err(CloudError::NotFound(format!(
            "instance {id} has no network interface"
        )));
    }
    let volumes = inst
        .block_device_mappings()
        .iter()
        .filter_map(|m| m.ebs()?.volume_id().map(String::from))
        .collect();
    let attr = |name| {
        aws.rt
            .block_on(
                aws.ec2
                    .describe_instance_attribute()
                    .instance_id(&id)
                    .attribute(name)
                    .send(),
            )
            .map_err(CloudError::api("DescribeInstanceAttribute"))
    };
    let termination_protection = attr(InstanceAttributeName::DisableApiTermination)?
        .disable_api_termination()
        .and_then(|v| v.value())
        .unwrap_or(false);
    let shutdown_behavior = attr(InstanceAttributeName::InstanceInitiatedShutdownBehavior)?
        .instance_initiated_shutdown_behavior()
        .and_then(|v| v.value())
        .unwrap_or("stop")
        .to_string();
    let target_groups = if extras.deregister {
        lb::registrations(aws)?
    } else {
        Vec::new()
    };
    let standby = if extras.standby {
        lb::standby(aws)?
    } else {
        None
    };
    let tag = ec2_name(case);
    Ok(Plan {
        target: aws.target.clone(),
        transition_group: format!("breachkit-transition-{tag}-{id}"),
        quarantine_group: format!("breachkit-quarantine-{tag}-{id}"),
        instance_id: id,
        vpc_id,
        enis,
        volumes,
        termination_protection,
        shutdown_behavior,
        allow: allow.iter().map(ToString::to_string).collect(),
        case: case.to_string(),
        target_groups,
        standby,
    })
}

/// Shared by the steps of one apply: the ids of groups created, snapshots taken.
pub(crate) struct Ctx<'a> {
    aws: &'a Aws,
    plan: &'a Plan,
    groups: RefCell<BTreeMap<String, String>>,
    snapshots: RefCell<Vec<String>>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(aws: &'a Aws, plan: &'a Plan) -> Ctx<'a> {
        Ctx {
            aws,
            plan,
            groups: RefCell::new(BTreeMap::new()),
            snapshots: RefCell::new(Vec::new()),
        }
    }

    pub(crate) fn group_id(&self, name: &str) -> Option<String> {
        self.groups.borrow().get(name).cloned()
    }

    pub(crate) fn snapshots(&self) -> Vec<String> {
        self.snapshots.borrow().clone()
    }
}

/// The steps, in order; undone in reverse.
pub(crate) fn changes<'a>(ctx: &'a Ctx<'a>) -> Vec<Box<dyn Change + 'a>> {
    let p = ctx.plan;
    let mut out: Vec<Box<dyn Change + 'a>> = vec![Box::new(TargetMark(p.target.clone()))];
    // Out of service first: once cut off, failing health checks would make Auto
    // Scaling replace (terminate) the instance.
    if let Some(standby) = &p.standby {
        out.push(Box::new(lb::EnterStandby {
            aws: ctx.aws,
            standby: standby.clone(),
        }));
    }
    for r in &p.target_groups {
        out.push(Box::new(lb::Deregister {
            aws: ctx.aws,
            registration: r.clone(),
        }));
    }
    out.push(Box::new(CreateGroup {
        ctx,
        name: p.transition_group.clone(),
        quarantine: false,
    }));
    for eni in &p.enis {
        out.push(Box::new(SwapGroups {
            ctx,
            eni: eni.clone(),
            to: p.transition_group.clone(),
        }));
    }
    out.push(Box::new(CreateGroup {
        ctx,
        name: p.quarantine_group.clone(),
        quarantine: true,
    }));
    for eni in &p.enis {
        out.push(Box::new(SwapGroups {
            ctx,
            eni: eni.clone(),
            to: p.quarantine_group.clone(),
        }));
    }
    out.push(Box::new(SetAttr {
        ctx,
        attribute: Attribute::DisableApiTermination,
        value: "true".into(),
        previous: p.termination_protection.to_string(),
    }));
    out.push(Box::new(SetAttr {
        ctx,
        attribute: Attribute::ShutdownBehavior,
        value: "stop".into(),
        previous: p.shutdown_behavior.clone(),
    }));
    out.push(Box::new(TagInstance { ctx }));
    for v in &p.volumes {
        out.push(Box::new(Snapshot {
            ctx,
            volume: v.clone(),
        }));
    }
    out
}

/// Records where the instance is, so `release` needs no flags.
struct TargetMark(Target);

impl Change for TargetMark {
    fn kind(&self) -> &str {
        TARGET_KIND
    }
    fn target(&self) -> String {
        self.0.instance_id.clone().unwrap_or_default()
    }
    fn undo_data(&self) -> Result<(String, Option<Vec<u8>>), ChangeError> {
        Ok((serde_json::to_string(&self.0)?, None))
    }
    fn apply(&mut self) -> Result<(), ChangeError> {
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
struct GroupUndo {
    name: String,
    vpc_id: String,
}

struct CreateGroup<'a> {
    ctx: &'a Ctx<'a>,
    name: String,
    quarantine: bool,
}

async fn find_group(aws: &Aws, name: &str, vpc: &str) -> Result<Vec<String>, CloudError> {
    let out = aws
        .ec2
        .describe_security_groups()
        .filters(Filter::builder().name("group-name").values(name).build())
        .filters(Filter::builder().name("vpc-id").values(vpc).build())
        .send()
        .await
        .map_err(CloudError::api("DescribeSecurityGroups"))?;
    Ok(out
        .security_groups()
        .iter()
        .filter(|g| g.group_name() == Some(name))
        .filter_map(|g| g.group_id().map(String::from))
        .collect())
}

fn all_traffic() -> aws_sdk_ec2::types::builders::IpPermissionBuilder {
    IpPermission::builder().ip_protocol("-1")
}

// The descriptions below hold no spaces: AWS-compatible endpoints that re-encode
// form bodies before checking signatures (moto) refuse a `%20`.
impl CreateGroup<'_> {
    async fn create(&self) -> Result<String, CloudError> {
        let aws = self.ctx.aws;
        let p = self.ctx.plan;
        let what = if self.quarantine {
            format!(
                "breachkit-quarantine;instance={};case={};in=admin-ranges;out=none",
                p.instance_id, p.case
            )
        } else {
            format!(
                "breachkit-transition;instance={};case={};allow-all-to-untrack-connections",
                p.instance_id, p.case
            )
        };
        let id = aws
            .ec2
            .create_security_group()
            .group_name(&self.name)
            .description(what)
            .vpc_id(&p.vpc_id)
            .send()
            .await
            .map_err(CloudError::api("CreateSecurityGroup"))?
            .group_id()
            .ok_or_else(|| CloudError::NotFound("CreateSecurityGroup returned no group id".into()))?
            .to_string();
        self.ctx
            .groups
            .borrow_mut()
            .insert(self.name.clone(), id.clone());
        let ingress = if self.quarantine {
            let mut perm = all_traffic();
            let mut any = false;
            for c in &p.allow {
                any = true;
                perm = if c.contains(':') {
                    perm.ipv6_ranges(
                        Ipv6Range::builder()
                            .cidr_ipv6(c)
                            .description("breachkit-admin")
                            .build(),
                    )
                } else {
                    perm.ip_ranges(
                        IpRange::builder()
                            .cidr_ip(c)
                            .description("breachkit-admin")
                            .build(),
                    )
                };
            }
            any.then(|| perm.build())
        } else {
            Some(
                all_traffic()
                    .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                    .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("::/0").build())
                    .build(),
            )
        };
        if let Some(perm) = ingress {
            aws.ec2
                .authorize_security_group_ingress()
                .group_id(&id)
                .ip_permissions(perm)
                .send()
                .await
                .map_err(CloudError::api("AuthorizeSecurityGroupIngress"))?;
        }
        if self.quarantine {
            // A new group lets everything out: take that rule away.
            aws.ec2
                .revoke_security_group_egress()
                .group_id(&id)
                .ip_permissions(
                    all_traffic()
                        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                        .build(),
                )
                .send()
                .await
                .map_err(CloudError::api("RevokeSecurityGroupEgress"))?;
        }
        Ok(id)
    }
}

impl Change for CreateGroup<'_> {
    fn kind(&self) -> &str {
        GROUP_KIND
    }
    fn target(&self) -> String {
        self.name.clone()
    }
    fn undo_data(&self) -> Result<(String, Option<Vec<u8>>), ChangeError> {
        let aws = self.ctx.aws;
        let vpc = &self.ctx.plan.vpc_id;
        // Undo deletes the group by name: it must be ours, so it must not exist yet.
        if !aws
            .rt
            .block_on(find_group(aws, &self.name, vpc))?
            .is_empty()
        {
            return Err(format!(
                "a security group named {} already exists in {vpc}; it is not breachkit's to replace",
                self.name
            )
            .into());
        }
        let undo = GroupUndo {
            name: self.name.clone(),
            vpc_id: vpc.clone(),
        };
        Ok((serde_json::to_string(&undo)?, None))
    }
    fn apply(&mut self) -> Result<(), ChangeError> {
        self.ctx.aws.rt.block_on(self.create())?;
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
struct EniUndo {
    eni: String,
    groups: Vec<String>,
}

struct SwapGroups<'a> {
    ctx: &'a Ctx<'a>,
    eni: Eni,
    /// Name of the group to put on.
    to: String,
}

async fn set_groups(aws: &Aws, eni: &str, groups: Vec<String>) -> Result<(), CloudError> {
    aws.ec2
        .modify_network_interface_attribute()
        .network_interface_id(eni)
        .set_groups(Some(groups))
        .send()
        .await
        .map_err(CloudError::api("ModifyNetworkInterfaceAttribute"))
        .map(drop)
}

impl Change for SwapGroups<'_> {
    fn kind(&self) -> &str {
        ENI_KIND
    }
    fn target(&self) -> String {
        format!("{} → {}", self.eni.id, self.to)
    }
    fn undo_data(&self) -> Result<(String, Option<Vec<u8>>), ChangeError> {
        let undo = EniUndo {
            eni: self.eni.id.clone(),
            groups: self.eni.groups.clone(),
        };
        Ok((serde_json::to_string(&undo)?, None))
    }
    fn apply(&mut self) -> Result<(), ChangeError> {
        let id = self
            .ctx
            .group_id(&self.to)
            .ok_or_else(|| format!("security group {} was not created", self.to))?;
        self.ctx
            .aws
            .rt
            .block_on(set_groups(self.ctx.aws, &self.eni.id, vec![id]))?;
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
enum Attribute {
    DisableApiTermination,
    ShutdownBehavior,
}

#[derive(Serialize, Deserialize)]
struct AttrUndo {
    instance: String,
    attribute: Attribute,
    previous: String,
}

struct SetAttr<'a> {
    ctx: &'a Ctx<'a>,
    attribute: Attribute,
    value: String,
    previous: String,
}

async fn set_attr(
    aws: &Aws,
    instance: &str,
    attribute: Attribute,
    value: &str,
) -> Result<(), CloudError> {
    let req = aws.ec2.modify_instance_attribute().instance_id(instance);
    let req = match attribute {
        Attribute::DisableApiTermination => req.disable_api_termination(
            AttributeBooleanValue::builder()
                .value(value == "true")
                .build(),
        ),
        Attribute::ShutdownBehavior => {
            req.instance_initiated_shutdown_behavior(AttributeValue::builder().value(value).build())
        }
    };
    req.send()
        .await
        .map_err(CloudError::api("ModifyInstanceAttribute"))
        .map(drop)
}

impl Change for SetAttr<'_> {
    fn kind(&self) -> &str {
        ATTR_KIND
    }
    fn target(&self) -> String {
        format!(
            "{} {:?} = {}",
            self.ctx.plan.instance_id, self.attribute, self.value
        )
    }
    fn undo_data(&self) -> Result<(String, Option<Vec<u8>>), ChangeError> {
        let undo = AttrUndo {
            instance: self.ctx.plan.instance_id.clone(),
            attribute: self.attribute,
            previous: self.previous.clone(),
        };
        Ok((serde_json::to_string(&undo)?, None))
    }
    fn apply(&mut self) -> Result<(), ChangeError> {
        let aws = self.ctx.aws;
        aws.rt.block_on(set_attr(
            aws,
            &self.ctx.plan.instance_id,
            self.attribute,
            &self.value,
        ))?;
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
struct TagsUndo {
    instance: String,
    /// The keys set; none had a value before (plan() refuses an instance with ours).
    keys: Vec<String>,
}

struct TagInstance<'a> {
    ctx: &'a Ctx<'a>,
}

impl Change for TagInstance<'_> {
    fn kind(&self) -> &str {
        TAGS_KIND
    }
    fn target(&self) -> String {
        format!(
            "{} {TAG_CASE}={}",
            self.ctx.plan.instance_id, self.ctx.plan.case
        )
    }
    fn undo_data(&self) -> Result<(String, Option<Vec<u8>>), ChangeError> {
        let undo = TagsUndo {
            instance: self.ctx.plan.instance_id.clone(),
            keys: vec![TAG_CASE.to_string(), TAG_AT.to_string()],
        };
        Ok((serde_json::to_string(&undo)?, None))
    }
    fn apply(&mut self) -> Result<(), ChangeError> {
        let aws = self.ctx.aws;
        let p = self.ctx.plan;
        aws.rt
            .block_on(
                aws.ec2
                    .create_tags()
                    .resources(&p.instance_id)
                    .tags(Tag::builder().key(TAG_CASE).value(&p.case).build())
                    .tags(
                        Tag::builder()
                            .key(TAG_AT)
                            .value(breachkit_case::now_rfc3339())
                            .build(),
                    )
                    .send(),
            )
            .map_err(CloudError::api("CreateTags"))?;
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
struct SnapshotUndo {
    volume: String,
    note: String,
}

struct Snapshot<'a> {
    ctx: &'a Ctx<'a>,
    volume: String,
}

impl Change for Snapshot<'_> {
    fn kind(&self) -> &str {
        SNAPSHOT_KIND
    }
    fn target(&self) -> String {
        self.volume.clone()
    }
    fn undo_data(&self) -> Result<(String, Option<Vec<u8>>), ChangeError> {
        let undo = SnapshotUndo {
            volume: self.volume.clone(),
            note: "evidence: kept on release".into(),
        };
        Ok((serde_json::to_string(&undo)?, None))
    }
    fn apply(&mut self) -> Result<(), ChangeError> {
        let aws = self.ctx.aws;
        let p = self.ctx.plan;
        let tags = TagSpecification::builder()
            .resource_type(ResourceType::Snapshot)
            .tags(Tag::builder().key(TAG_CASE).value(&p.case).build())
            .build();
        let out = aws
            .rt
            .block_on(
                aws.ec2
                    .create_snapshot()
                    .volume_id(&self.volume)
                    .description(format!(
                        "breachkit-evidence;case={};instance={};volume={}",
                        p.case, p.instance_id, self.volume
                    ))
                    .tag_specifications(tags)
                    .send(),
            )
            .map_err(CloudError::api("CreateSnapshot"))?;
        if let Some(id) = out.snapshot_id() {
            self.ctx.snapshots.borrow_mut().push(id.to_string());
        }
        Ok(())
    }
}

/// Undoes one action of the batch from the case.
pub(crate) fn undo(aws: &Aws, action: &Action) -> Result<(), ChangeError> {
    if let Some(result) = lb::undo(aws, action) {
        return result;
    }
    match action.kind.as_str() {
        TARGET_KIND | SNAPSHOT_KIND => Ok(()),
        GROUP_KIND => {
            let u: GroupUndo = serde_json::from_str(&action.undo)?;
            for id in aws.rt.block_on(find_group(aws, &u.name, &u.vpc_id))? {
                aws.rt
                    .block_on(aws.ec2.delete_security_group().group_id(&id).send())
                    .map_err(CloudError::api("DeleteSecurityGroup"))?;
            }
            Ok(())
        }
        ENI_KIND => {
            let u: EniUndo = serde_json::from_str(&action.undo)?;
            aws.rt.block_on(set_groups(aws, &u.eni, u.groups))?;
            Ok(())
        }
        ATTR_KIND => {
            let u: AttrUndo = serde_json::from_str(&action.undo)?;
            aws.rt
                .block_on(set_attr(aws, &u.instance, u.attribute, &u.previous))?;
            Ok(())
        }
        TAGS_KIND => {
            let u: TagsUndo = serde_json::from_str(&action.undo)?;
            let mut delete = aws.ec2.delete_tags().resources(&u.instance);
            for key in &u.keys {
                delete = delete.tags(Tag::builder().key(key).build());
            }
            aws.rt
                .block_on(delete.send())
                .map_err(CloudError::api("DeleteTags"))?;
            Ok(())
        }
        other => Err(format!("unknown AWS action {other:?}").into()),
    }
}

/// The target recorded by the isolation in force, if any.
pub(crate) fn target_in_case(case: &Case) -> Result<Option<Target>, CloudError> {
    Ok(case
        .actions_in_force(BATCH)?
        .into_iter()
        .find(|a| a.kind == TARGET_KIND)
        .and_then(|a| serde_json::from_str(&a.undo).ok()))
}
