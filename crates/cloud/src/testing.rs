//! Test support (feature `testing`, for this crate's tests and the CLI's): a real
//! moto_server on a free loopback port, stopped on drop, and the tests' own view of
//! EC2, load balancing and Auto Scaling to set up and check what isolation and the
//! ALB page did. Panics on any failure: it is only ever used by tests.
// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::missing_panics_doc
)]

use crate::alb::AlbTarget;
use aws_sdk_ec2::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_ec2::types::{Filter, InstanceAttributeName, InstanceType};
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, FixedResponseActionConfig, HostHeaderConditionConfig,
    PathPatternConditionConfig, ProtocolEnum, Rule, RuleCondition,
};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    pub url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn moto() -> Moto {
    moto_with(&[])
}

/// moto_server with extra environment (`INITIAL_NO_AUTH_ACTION_COUNT`: IAM checks).
pub fn moto_with(env: &[(&str, &str)]) -> Moto {
    let bin = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/moto_server");
    assert!(
        bin.is_file(),
        "{} is missing: scripts/test installs moto[server] into .venv",
        bin.display()
    );
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let m = Moto {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "moto_server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    m
}

pub fn test_env() {
    // SAFETY: set once, before any thread of this test reads the environment.
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
        // Never reach for the real metadata service from a test.
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    });
}

/// The test's own view of EC2 (setup and checks), on its own runtime.
pub struct Ec2 {
    pub rt: tokio::runtime::Runtime,
    pub c: aws_sdk_ec2::Client,
    pub elb: aws_sdk_elasticloadbalancingv2::Client,
    pub asg: aws_sdk_autoscaling::Client,
}

/// An HTTP target group of instances on port 80; its ARN.
fn create_target_group(
    rt: &tokio::runtime::Runtime,
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    vpc: &str,
    name: &str,
) -> String {
    rt.block_on(
        elb.create_target_group()
            .name(name)
            .protocol(ProtocolEnum::Http)
            .port(80)
            .vpc_id(vpc)
            .target_type(aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum::Instance)
            .send(),
    )
    .unwrap()
    .target_groups()[0]
        .target_group_arn()
        .unwrap()
        .to_string()
}

/// A runtime for the test's own SDK calls and the SDK configuration for an
/// endpoint (moto) with these credentials.
fn sdk(url: &str, key: &str, secret: &str) -> (tokio::runtime::Runtime, aws_config::SdkConfig) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let conf = rt.block_on(
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(url)
            .credentials_provider(Credentials::new(key, secret, None, None, "test"))
            .load(),
    );
    (rt, conf)
}

impl Ec2 {
    pub fn new(url: &str) -> Ec2 {
        Ec2::with_key(url, "testing", "testing")
    }

    pub fn with_key(url: &str, key: &str, secret: &str) -> Ec2 {
        let (rt, conf) = sdk(url, key, secret);
        Ec2 {
            rt,
            c: aws_sdk_ec2::Client::new(&conf),
            elb: aws_sdk_elasticloadbalancingv2::Client::new(&conf),
            asg: aws_sdk_autoscaling::Client::new(&conf),
        }
    }

    pub fn group(&self, vpc: &str, name: &str) -> String {
        self.rt
            .block_on(
                self.c
                    .create_security_group()
                    .group_name(name)
                    .description("app")
                    .vpc_id(vpc)
                    .send(),
            )
            .unwrap()
            .group_id()
            .unwrap()
            .to_string()
    }

    /// An instance with eni0 = [g1, g2], eni1 = [g3], and two volumes.
    pub fn instance(&self, tag: &str) -> (String, String, Vec<(String, Vec<String>)>) {
        let c = &self.c;
        let vpc = self
            .rt
            .block_on(
                c.describe_vpcs()
                    .filters(Filter::builder().name("isDefault").values("true").build())
                    .send(),
            )
            .unwrap()
            .vpcs()[0]
            .vpc_id()
            .unwrap()
            .to_string();
        let subnet = self
            .rt
            .block_on(
                c.describe_subnets()
                    .filters(Filter::builder().name("vpc-id").values(&vpc).build())
                    .send(),
            )
            .unwrap()
            .subnets()[0]
            .clone();
        let (g1, g2, g3) = (
            self.group(&vpc, &format!("{tag}-web")),
            self.group(&vpc, &format!("{tag}-ssh")),
            self.group(&vpc, &format!("{tag}-db")),
        );
        let image = self
            .rt
            .block_on(c.describe_images().send())
            .unwrap()
            .images()[0]
            .image_id()
            .unwrap()
            .to_string();
        let inst = self
            .rt
            .block_on(
                c.run_instances()
                    .image_id(image)
                    .instance_type(InstanceType::T2Micro)
                    .min_count(1)
                    .max_count(1)
                    .subnet_id(subnet.subnet_id().unwrap())
                    .security_group_ids(&g1)
                    .security_group_ids(&g2)
                    .send(),
            )
            .unwrap()
            .instances()[0]
            .instance_id()
            .unwrap()
            .to_string();
        let eni = self
            .rt
            .block_on(
                c.create_network_interface()
                    .subnet_id(subnet.subnet_id().unwrap())
                    .groups(&g3)
                    .send(),
            )
            .unwrap()
            .network_interface()
            .unwrap()
            .network_interface_id()
            .unwrap()
            .to_string();
        self.rt
            .block_on(
                c.attach_network_interface()
                    .instance_id(&inst)
                    .network_interface_id(&eni)
                    .device_index(1)
                    .send(),
            )
            .unwrap();
        let vol = self
            .rt
            .block_on(
                c.create_volume()
                    .availability_zone(subnet.availability_zone().unwrap())
                    .size(1)
                    .send(),
            )
            .unwrap()
            .volume_id()
            .unwrap()
            .to_string();
        self.rt
            .block_on(
                c.attach_volume()
                    .volume_id(&vol)
                    .instance_id(&inst)
                    .device("/dev/sdf")
                    .send(),
            )
            .unwrap();
        let state = self.enis(&inst);
        assert_eq!(state.len(), 2, "{state:?}");
        (inst, vpc, state)
    }

    /// Each ENI of the instance with its groups (sorted).
    pub fn enis(&self, inst: &str) -> Vec<(String, Vec<String>)> {
        let out = self
            .rt
            .block_on(self.c.describe_instances().instance_ids(inst).send())
            .unwrap();
        let i = &out.reservations()[0].instances()[0];
        let mut v: Vec<(String, Vec<String>)> = i
            .network_interfaces()
            .iter()
            .map(|n| {
                let mut g: Vec<String> = n
                    .groups()
                    .iter()
                    .map(|g| g.group_id().unwrap().to_string())
                    .collect();
                g.sort();
                (n.network_interface_id().unwrap().to_string(), g)
            })
            .collect();
        v.sort();
        v
    }

    pub fn tags(&self, inst: &str) -> Vec<String> {
        let out = self
            .rt
            .block_on(self.c.describe_instances().instance_ids(inst).send())
            .unwrap();
        out.reservations()[0].instances()[0]
            .tags()
            .iter()
            .map(|t| t.key().unwrap().to_string())
            .collect()
    }

    pub fn groups_named(&self, name: &str) -> Vec<aws_sdk_ec2::types::SecurityGroup> {
        self.rt
            .block_on(
                self.c
                    .describe_security_groups()
                    .filters(Filter::builder().name("group-name").values(name).build())
                    .send(),
            )
            .unwrap()
            .security_groups()
            .to_vec()
    }

    pub fn attributes(&self, inst: &str) -> (bool, String) {
        let a = |n| {
            self.rt
                .block_on(
                    self.c
                        .describe_instance_attribute()
                        .instance_id(inst)
                        .attribute(n)
                        .send(),
                )
                .unwrap()
        };
        (
            a(InstanceAttributeName::DisableApiTermination)
                .disable_api_termination()
                .and_then(|v| v.value())
                .unwrap_or(false),
            a(InstanceAttributeName::InstanceInitiatedShutdownBehavior)
                .instance_initiated_shutdown_behavior()
                .and_then(|v| v.value())
                .unwrap_or("")
                .to_string(),
        )
    }

    pub fn snapshots(&self) -> usize {
        self.rt
            .block_on(
                self.c
                    .describe_snapshots()
                    .filters(
                        Filter::builder()
                            .name("tag-key")
                            .values("breachkit-quarantine")
                            .build(),
                    )
                    .send(),
            )
            .unwrap()
            .snapshots()
            .len()
    }
}

impl Ec2 {
    pub fn default_vpc_subnet(&self) -> (String, String) {
        let subnet = self
            .rt
            .block_on(
                self.c
                    .describe_subnets()
                    .filters(
                        Filter::builder()
                            .name("default-for-az")
                            .values("true")
                            .build(),
                    )
                    .send(),
            )
            .unwrap()
            .subnets()[0]
            .clone();
        (
            subnet.vpc_id().unwrap().to_string(),
            subnet.subnet_id().unwrap().to_string(),
        )
    }

    /// An Auto Scaling group of two instances (min 1); returns the group and one instance.
    pub fn auto_scaling_group(&self, subnet: &str) -> (String, String) {
        let image = self
            .rt
            .block_on(self.c.describe_images().send())
            .unwrap()
            .images()[0]
            .image_id()
            .unwrap()
            .to_string();
        self.rt
            .block_on(
                self.c
                    .create_launch_template()
                    .launch_template_name("web")
                    .launch_template_data(
                        aws_sdk_ec2::types::RequestLaunchTemplateData::builder()
                            .image_id(image)
                            .instance_type(InstanceType::T2Micro)
                            .build(),
                    )
                    .send(),
            )
            .unwrap();
        self.rt
            .block_on(
                self.asg
                    .create_auto_scaling_group()
                    .auto_scaling_group_name("web-asg")
                    .launch_template(
                        aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder()
                            .launch_template_name("web")
                            .build(),
                    )
                    .min_size(1)
                    .max_size(3)
                    .desired_capacity(2)
                    .vpc_zone_identifier(subnet)
                    .send(),
            )
            .unwrap();
        let inst = self.asg_state().0[0].0.clone();
        ("web-asg".into(), inst)
    }

    /// The group's instances with their lifecycle state, and its desired capacity.
    pub fn asg_state(&self) -> (Vec<(String, String)>, i32) {
        let out = self
            .rt
            .block_on(
                self.asg
                    .describe_auto_scaling_groups()
                    .auto_scaling_group_names("web-asg")
                    .send(),
            )
            .unwrap();
        let g = &out.auto_scaling_groups()[0];
        let mut v: Vec<(String, String)> = g
            .instances()
            .iter()
            .map(|i| {
                (
                    i.instance_id().unwrap().to_string(),
                    i.lifecycle_state().unwrap().as_str().to_string(),
                )
            })
            .collect();
        v.sort();
        (v, g.desired_capacity().unwrap())
    }

    pub fn target_group(&self, vpc: &str, name: &str) -> String {
        create_target_group(&self.rt, &self.elb, vpc, name)
    }

    pub fn register(&self, tg: &str, inst: &str, port: i32) {
        self.rt
            .block_on(
                self.elb
                    .register_targets()
                    .target_group_arn(tg)
                    .targets(
                        aws_sdk_elasticloadbalancingv2::types::TargetDescription::builder()
                            .id(inst)
                            .port(port)
                            .build(),
                    )
                    .send(),
            )
            .unwrap();
    }

    /// (instance, port) registered in a target group, sorted.
    pub fn targets(&self, tg: &str) -> Vec<(String, i32)> {
        let out = self
            .rt
            .block_on(
                self.elb
                    .describe_target_health()
                    .target_group_arn(tg)
                    .send(),
            )
            .unwrap();
        let mut v: Vec<(String, i32)> = out
            .target_health_descriptions()
            .iter()
            .filter_map(|d| d.target())
            .map(|t| (t.id().unwrap().to_string(), t.port().unwrap_or(0)))
            .collect();
        v.sort();
        v
    }
}

pub struct Lb {
    pub rt: tokio::runtime::Runtime,
    pub elb: aws_sdk_elasticloadbalancingv2::Client,
    pub listener: String,
    pub web: String,
    pub api: String,
}

pub fn forward(tg: &str) -> Action {
    Action::builder()
        .r#type(ActionTypeEnum::Forward)
        .target_group_arn(tg)
        .build()
}

impl Lb {
    /// An ALB whose listener forwards to `web` by default, `shop.example` to `api`
    /// (priority 1) and answers `/admin/*` with a 403 (priority 5).
    pub fn new(url: &str) -> Lb {
        let (rt, conf) = sdk(url, "testing", "testing");
        let ec2 = aws_sdk_ec2::Client::new(&conf);
        let elb = aws_sdk_elasticloadbalancingv2::Client::new(&conf);
        let subnets = rt
            .block_on(
                ec2.describe_subnets()
                    .filters(
                        aws_sdk_ec2::types::Filter::builder()
                            .name("default-for-az")
                            .values("true")
                            .build(),
                    )
                    .send(),
            )
            .unwrap()
            .subnets()
            .to_vec();
        let vpc = subnets[0].vpc_id().unwrap().to_string();
        let lb = rt
            .block_on(
                elb.create_load_balancer()
                    .name("shop")
                    .subnets(subnets[0].subnet_id().unwrap())
                    .subnets(subnets[1].subnet_id().unwrap())
                    .send(),
            )
            .unwrap()
            .load_balancers()[0]
            .load_balancer_arn()
            .unwrap()
            .to_string();
        let tg = |name: &str| create_target_group(&rt, &elb, &vpc, name);
        let (web, api) = (tg("web"), tg("api"));
        let listener = rt
            .block_on(
                elb.create_listener()
                    .load_balancer_arn(&lb)
                    .protocol(ProtocolEnum::Http)
                    .port(80)
                    .default_actions(forward(&web))
                    .send(),
            )
            .unwrap()
            .listeners()[0]
            .listener_arn()
            .unwrap()
            .to_string();
        let l = Lb {
            rt,
            elb,
            listener,
            web,
            api,
        };
        l.rule(
            1,
            RuleCondition::builder()
                .field("host-header")
                .host_header_config(
                    HostHeaderConditionConfig::builder()
                        .values("shop.example")
                        .build(),
                )
                .build(),
            forward(&l.api),
        );
        l.rule(
            5,
            RuleCondition::builder()
                .field("path-pattern")
                .path_pattern_config(
                    PathPatternConditionConfig::builder()
                        .values("/admin/*")
                        .build(),
                )
                .build(),
            Action::builder()
                .r#type(ActionTypeEnum::FixedResponse)
                .fixed_response_config(
                    FixedResponseActionConfig::builder()
                        .status_code("403")
                        .content_type("text/plain")
                        .message_body("no")
                        .build(),
                )
                .build(),
        );
        l
    }

    pub fn rule(&self, priority: i32, condition: RuleCondition, action: Action) -> String {
        self.rt
            .block_on(
                self.elb
                    .create_rule()
                    .listener_arn(&self.listener)
                    .priority(priority)
                    .conditions(condition)
                    .actions(action)
                    .send(),
            )
            .unwrap()
            .rules()[0]
            .rule_arn()
            .unwrap()
            .to_string()
    }

    /// The listener's rules, by priority (the default last).
    pub fn rules(&self) -> Vec<Rule> {
        let mut v = self
            .rt
            .block_on(
                self.elb
                    .describe_rules()
                    .listener_arn(&self.listener)
                    .send(),
            )
            .unwrap()
            .rules()
            .to_vec();
        v.sort_by_key(|r| r.priority().unwrap().parse::<i32>().unwrap_or(i32::MAX));
        v
    }

    pub fn snapshot(&self) -> String {
        format!("{:#?}", self.rules())
    }

    pub fn target(&self, url: &str) -> AlbTarget {
        AlbTarget {
            listener_arn: self.listener.clone(),
            region: Some("us-east-1".into()),
            endpoint_url: Some(url.into()),
        }
    }
}
