//! The AWS clients: region, endpoint and credentials resolved once, with a
//! single-threaded tokio runtime of their own (tokio is used nowhere else).

use crate::CloudError;
use aws_sdk_ec2::config::{BehaviorVersion, ProvideCredentials, Region};
use serde::{Deserialize, Serialize};

/// Which instance, where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// From IMDSv2 when not given.
    pub instance_id: Option<String>,
    /// From the environment, profile or IMDS when not given.
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

/// A runtime and a resolved SDK configuration whose credentials were checked.
pub(crate) struct Session {
    pub(crate) rt: tokio::runtime::Runtime,
    pub(crate) conf: aws_config::SdkConfig,
}

impl Session {
    /// Loads the configuration and checks that credentials and a region are there,
    /// before anything else: with none (or refused ones) nothing is planned nor changed.
    pub(crate) fn open(
        region: Option<&str>,
        endpoint_url: Option<&str>,
    ) -> Result<Session, CloudError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(CloudError::Runtime)?;
        let conf = rt.block_on(async {
            let mut loader = aws_config::defaults(BehaviorVersion::latest());
            if let Some(r) = region {
                loader = loader.region(Region::new(r.to_string()));
            }
            if let Some(url) = endpoint_url {
                loader = loader.endpoint_url(url);
            }
            let conf = loader.load().await;
            let provider = conf
                .credentials_provider()
                .ok_or_else(|| CloudError::Credentials("no credentials provider".into()))?;
            provider.provide_credentials().await.map_err(|e| {
                CloudError::Credentials(aws_sdk_ec2::error::DisplayErrorContext(&e).to_string())
            })?;
            if conf.region().is_none() {
                return Err(CloudError::NotFound(
                    "no AWS region: give --region (or AWS_REGION)".into(),
                ));
            }
            Ok::<_, CloudError>(conf)
        })?;
        Ok(Session { rt, conf })
    }

    pub(crate) fn region(&self) -> Option<String> {
        self.conf.region().map(|r| r.to_string())
    }
}

/// Connected clients for one instance: EC2, and the load balancer and Auto Scaling
/// APIs it may be behind.
pub struct Aws {
    pub(crate) rt: tokio::runtime::Runtime,
    pub(crate) ec2: aws_sdk_ec2::Client,
    pub(crate) elb: aws_sdk_elasticloadbalancingv2::Client,
    pub(crate) asg: aws_sdk_autoscaling::Client,
    /// The instance to isolate.
    pub instance_id: String,
    /// The target as resolved (recorded in the case for `release`).
    pub target: Target,
}

impl Aws {
    /// Resolves the target (IMDSv2 for the instance id when not given) and checks
    /// that credentials are there.
    pub fn connect(target: &Target) -> Result<Aws, CloudError> {
        let s = Session::open(target.region.as_deref(), target.endpoint_url.as_deref())?;
        let instance_id = match &target.instance_id {
            Some(id) => id.clone(),
            None => s.rt.block_on(imds_instance_id())?,
        };
        let resolved = Target {
            instance_id: Some(instance_id.clone()),
            region: s.region(),
            endpoint_url: target.endpoint_url.clone(),
        };
        Ok(Aws {
            ec2: aws_sdk_ec2::Client::new(&s.conf),
            elb: aws_sdk_elasticloadbalancingv2::Client::new(&s.conf),
            asg: aws_sdk_autoscaling::Client::new(&s.conf),
            rt: s.rt,
            instance_id,
            target: resolved,
        })
    }
}

/// This instance's id from the metadata service (IMDSv2: token first).
async fn imds_instance_id() -> Result<String, CloudError> {
    let imds = aws_config::imds::Client::builder().build();
    imds.get("/latest/meta-data/instance-id")
        .await
        .map(|s| s.as_ref().to_string())
        .map_err(|e| {
            CloudError::NotFound(format!(
                "not on EC2, or the metadata service does not answer ({}); give --instance-id and --region",
                aws_sdk_ec2::error::DisplayErrorContext(&e)
            ))
        })
}
