//! AWS isolation of an EC2 instance with the official AWS SDK for Rust, every
//! change journalled in the case with its undo data first (batch `isolate-aws`):
//!
//! 1. find the instance (`--instance-id`/`--region`, else IMDSv2 on the instance);
//! 2. record each network interface's security groups;
//! 3. create an allow-all "transition" group and swap it onto every interface, so
//!    connections the security groups were tracking become untracked;
//! 4. create the quarantine group (inbound only from the admin ranges, no outbound)
//!    and swap it in: untracked flows are now cut (with tracked flows AWS would keep
//!    established connections alive);
//! 5. termination protection on, shutdown behaviour `stop`, a tag with the case;
//! 6. a snapshot of every attached EBS volume (evidence: kept on release).
//!
//! Optionally, before step 3, the instance is put on Auto Scaling standby and
//! deregistered from its load-balancer target groups ([`lb`]).
//!
//! A failure part-way undoes what was done, from the case. `release` puts back the
//! original groups and attributes, registrations and service state, and removes the
//! groups and tags it added. Credentials are checked before anything is planned, so
//! missing or refused credentials change nothing.
//!
//! [`alb`] is the maintenance page on an Application Load Balancer listener.

pub mod alb;
mod client;
mod error;
pub mod lb;
mod steps;
#[cfg(feature = "testing")]
pub mod testing;

pub use client::{Aws, Target};
pub use error::CloudError;
pub use steps::{BATCH, Eni, Extras, Plan, plan};

use breachkit_case::{Case, apply_changes, undo_batch};

/// What isolation did: the snapshots taken (evidence, kept).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Applied {
    pub instance_id: String,
    pub quarantine_group: String,
    pub snapshots: Vec<String>,
}

impl Aws {
    /// Applies a plan; refused when the case already holds AWS isolation in force.
    pub fn apply(&self, case: &mut Case, plan: &Plan) -> Result<Applied, CloudError> {
        if !case.actions_in_force(BATCH)?.is_empty() {
            return Err(CloudError::Refused(
                "the instance is already isolated for this case; nothing changed".into(),
            ));
        }
        let ctx = steps::Ctx::new(self, plan);
        let mut changes = steps::changes(&ctx);
        apply_changes(case, BATCH, &mut changes, |a| steps::undo(self, a))?;
        Ok(Applied {
            instance_id: plan.instance_id.clone(),
            quarantine_group: ctx.group_id(&plan.quarantine_group).unwrap_or_default(),
            snapshots: ctx.snapshots(),
        })
    }
}

/// Where the isolation in force for this case was made (to `release` it there).
pub fn target_in_case(case: &Case) -> Result<Option<Target>, CloudError> {
    steps::target_in_case(case)
}

/// `release`: restores the original groups and attributes, removes what was added.
pub fn release(aws: &Aws, case: &mut Case) -> Result<(), CloudError> {
    let left = undo_batch(case, BATCH, |a| steps::undo(aws, a))?;
    if left.is_empty() {
        Ok(())
    } else {
        Err(CloudError::Undo(left))
    }
}
