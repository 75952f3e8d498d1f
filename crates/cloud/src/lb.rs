//! Taking the instance out of service before it is cut off (both optional): out of
//! every load-balancer target group it is registered in, and into Auto Scaling
//! standby, so the group neither routes traffic to it nor replaces it (terminating
//! the evidence) when its health checks start failing. Each is a journalled change
//! undone by registering it again / leaving standby.

use crate::{Aws, CloudError};
use aws_sdk_autoscaling::types::LifecycleState;
use aws_sdk_elasticloadbalancingv2::types::TargetDescription;
use breachkit_case::{Action, Change, ChangeError};
use serde::{Deserialize, Serialize};

pub(crate) const DEREGISTER_KIND: &str = "aws-target-group";
pub(crate) const STANDBY_KIND: &str = "aws-autoscaling-standby";

/// One registration of the instance in a target group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub target_group: String,
    pub port: Option<i32>,
    pub availability_zone: Option<String>,
}

/// Auto Scaling standby of the instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standby {
    pub group: String,
    /// Lower the desired capacity (no replacement from a possibly compromised
    /// image); not possible when the group is at its minimum size.
    pub decrement: bool,
}

/// The target groups (of any load balancer) the instance is registered in.
pub(crate) fn registrations(aws: &Aws) -> Result<Vec<Registration>, CloudError> {
    let mut out = Vec::new();
    let mut marker = None;
    loop {
        let page = aws
            .rt
            .block_on(
                aws.elb
                    .describe_target_groups()
                    .set_marker(marker.take())
                    .send(),
            )
            .map_err(CloudError::api("DescribeTargetGroups"))?;
        for tg in page.target_groups() {
            let Some(arn) = tg.target_group_arn() else {
                continue;
            };
            let health = aws
                .rt
                .block_on(
                    aws.elb
                        .describe_target_health()
                        .target_group_arn(arn)
                        .send(),
                )
                .map_err(CloudError::api("DescribeTargetHealth"))?;
            for t in health
                .target_health_descriptions()
                .iter()
                .filter_map(|d| d.target())
                .filter(|t| t.id() == Some(aws.instance_id.as_str()))
            {
                out.push(Registration {
                    target_group: arn.to_string(),
                    port: t.port(),
                    availability_zone: t.availability_zone().map(String::from),
                });
            }
        }
        match page.next_marker() {
            Some(m) if !m.is_empty() => marker = Some(m.to_string()),
            _ => break,
        }
    }
    Ok(out)
}

/// The Auto Scaling group the instance is in service in, if any.
pub(crate) fn standby(aws: &Aws) -> Result<Option<Standby>, CloudError> {
    let out = aws
        .rt
        .block_on(
            aws.asg
                .describe_auto_scaling_instances()
                .instance_ids(&aws.instance_id)
                .send(),
        )
        .map_err(CloudError::api("DescribeAutoScalingInstances"))?;
    let Some(inst) = out
        .auto_scaling_instances()
        .iter()
        .find(|i| i.instance_id() == Some(aws.instance_id.as_str()))
    else {
        return Ok(None);
    };
    if inst.lifecycle_state() != Some(LifecycleState::InService.as_str()) {
        return Ok(None);
    }
    let Some(group) = inst.auto_scaling_group_name() else {
        return Ok(None);
    };
    let groups = aws
        .rt
        .block_on(
            aws.asg
                .describe_auto_scaling_groups()
                .auto_scaling_group_names(group)
                .send(),
        )
        .map_err(CloudError::api("DescribeAutoScalingGroups"))?;
    let g = groups.auto_scaling_groups().first();
    let decrement = g.is_some_and(|g| g.desired_capacity() > g.min_size());
    Ok(Some(Standby {
        group: group.to_string(),
        decrement,
    }))
}

fn description(r: &Registration, instance: &str) -> TargetDescription {
    TargetDescription::builder()
        .id(instance)
        .set_port(r.port)
        .set_availability_zone(r.availability_zone.clone())
        .build()
}

#[derive(Serialize, Deserialize)]
struct RegistrationUndo {
    instance: String,
    registration: Registration,
}

/// Deregisters the instance from one target group.
pub(crate) struct Deregister<'a> {
    pub(crate) aws: &'a Aws,
    pub(crate) registration: Registration,
}

impl Change for Deregister<'_> {
    fn kind(&self) -> &str {
        DEREGISTER_KIND
    }
    fn target(&self) -> String {
        format!(
            "{} out of {}",
            self.aws.instance_id, self.registration.target_group
        )
    }
    fn undo_data(&self) -> Result<(String, Option<Vec<u8>>), ChangeError> {
        let undo = RegistrationUndo {
            instance: self.aws.instance_id.clone(),
            registration: self.registration.clone(),
        };
        Ok((serde_json::to_string(&undo)?, None))
    }
    fn apply(&mut self) -> Result<(), ChangeError> {
        let aws = self.aws;
        aws.rt
            .block_on(
                aws.elb
                    .deregister_targets()
                    .target_group_arn(&self.registration.target_group)
                    .targets(description(&self.registration, &aws.instance_id))
                    .send(),
            )
            .map_err(CloudError::api("DeregisterTargets"))?;
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
struct StandbyUndo {
    instance: String,
    standby: Standby,
}

/// Puts the instance on Auto Scaling standby.
pub(crate) struct EnterStandby<'a> {
    pub(crate) aws: &'a Aws,
    pub(crate) standby: Standby,
}

impl Change for EnterStandby<'_> {
    fn kind(&self) -> &str {
        STANDBY_KIND
    }
    fn target(&self) -> String {
        format!("{} standby in {}", self.aws.instance_id, self.standby.group)
    }
    fn undo_data(&self) -> Result<(String, Option<Vec<u8>>), ChangeError> {
        let undo = StandbyUndo {
            instance: self.aws.instance_id.clone(),
            standby: self.standby.clone(),
        };
        Ok((serde_json::to_string(&undo)?, None))
    }
    fn apply(&mut self) -> Result<(), ChangeError> {
        let aws = self.aws;
        aws.rt
            .block_on(
                aws.asg
                    .enter_standby()
                    .auto_scaling_group_name(&self.standby.group)
                    .instance_ids(&aws.instance_id)
                    .should_decrement_desired_capacity(self.standby.decrement)
                    .send(),
            )
            .map_err(CloudError::api("EnterStandby"))?;
        Ok(())
    }
}

/// Undoes a load-balancer or Auto Scaling action; `None` for other kinds.
pub(crate) fn undo(aws: &Aws, action: &Action) -> Option<Result<(), ChangeError>> {
    let result = match action.kind.as_str() {
        DEREGISTER_KIND => (|| {
            let u: RegistrationUndo = serde_json::from_str(&action.undo)?;
            aws.rt
                .block_on(
                    aws.elb
                        .register_targets()
                        .target_group_arn(&u.registration.target_group)
                        .targets(description(&u.registration, &u.instance))
                        .send(),
                )
                .map_err(CloudError::api("RegisterTargets"))?;
            Ok(())
        })(),
        STANDBY_KIND => (|| {
            let u: StandbyUndo = serde_json::from_str(&action.undo)?;
            aws.rt
                .block_on(
                    aws.asg
                        .exit_standby()
                        .auto_scaling_group_name(&u.standby.group)
                        .instance_ids(&u.instance)
                        .send(),
                )
                .map_err(CloudError::api("ExitStandby"))?;
            Ok(())
        })(),
        _ => return None,
    };
    Some(result)
}
