//! AWS isolation against a real moto_server (the EC2 API on loopback): an instance
//! with two network interfaces and three groups and two volumes is isolated and
//! released back to its exact original state; a failure injected mid-way (a group
//! squatting the quarantine group's name) rolls everything back; an instance
//! already isolated is refused.

use aws_sdk_ec2::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_ec2::types::{Filter, InstanceAttributeName, InstanceType};
use breachkit_case::Case;
use breachkit_cloud::{Aws, CloudError, Target};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

struct Moto {
    child: Child,
    url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto() -> Moto {
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

fn test_env() {
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
struct Ec2 {
    rt: tokio::runtime::Runtime,
    c: aws_sdk_ec2::Client,
}

impl Ec2 {
    fn new(url: &str) -> Ec2 {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let conf = rt.block_on(
            aws_config::defaults(BehaviorVersion::latest())
                .region(Region::new("us-east-1"))
                .endpoint_url(url)
                .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
                .load(),
        );
        Ec2 {
            rt,
            c: aws_sdk_ec2::Client::new(&conf),
        }
    }

    fn group(&self, vpc: &str, name: &str) -> String {
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
    fn instance(&self, tag: &str) -> (String, String, Vec<(String, Vec<String>)>) {
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
    fn enis(&self, inst: &str) -> Vec<(String, Vec<String>)> {
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

    fn tags(&self, inst: &str) -> Vec<String> {
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

    fn groups_named(&self, name: &str) -> Vec<aws_sdk_ec2::types::SecurityGroup> {
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

    fn attributes(&self, inst: &str) -> (bool, String) {
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

    fn snapshots(&self) -> usize {
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

fn target(url: &str, inst: &str) -> Target {
    Target {
        instance_id: Some(inst.to_string()),
        region: Some("us-east-1".into()),
        endpoint_url: Some(url.to_string()),
    }
}

#[test]
fn isolate_then_release_restores_the_original_state() {
    test_env();
    let m = moto();
    let ec2 = Ec2::new(&m.url);
    let (inst, _vpc, before) = ec2.instance("a");
    let attrs_before = ec2.attributes(&inst);
    let t = tempfile::tempdir().unwrap();
    let mut case = Case::open(t.path()).unwrap();
    let aws = Aws::connect(&target(&m.url, &inst)).unwrap();
    let plan = breachkit_cloud::plan(&aws, &["203.0.113.0/24".parse().unwrap()], "case-a").unwrap();
    assert_eq!(plan.enis.len(), 2);
    assert!(plan.volumes.len() >= 2, "{:?}", plan.volumes);
    assert_eq!(ec2.enis(&inst), before, "planning changes nothing");

    let applied = aws.apply(&mut case, &plan).unwrap();
    let q = applied.quarantine_group.clone();
    for (eni, groups) in ec2.enis(&inst) {
        assert_eq!(
            groups,
            std::slice::from_ref(&q),
            "{eni} carries only the quarantine group"
        );
    }
    let qg = &ec2.groups_named(&plan.quarantine_group)[0];
    assert!(
        qg.ip_permissions_egress().is_empty(),
        "no outbound: {:?}",
        qg.ip_permissions_egress()
    );
    let ranges: Vec<&str> = qg
        .ip_permissions()
        .iter()
        .flat_map(|p| p.ip_ranges())
        .filter_map(|r| r.cidr_ip())
        .collect();
    assert_eq!(ranges, ["203.0.113.0/24"]);
    assert_eq!(ec2.attributes(&inst), (true, "stop".to_string()));
    assert!(
        ec2.tags(&inst)
            .contains(&"breachkit-quarantine".to_string())
    );
    assert_eq!(applied.snapshots.len(), plan.volumes.len());
    assert_eq!(ec2.snapshots(), plan.volumes.len());

    // Already isolated: refused, nothing changed.
    let again = Aws::connect(&target(&m.url, &inst)).unwrap();
    let err = breachkit_cloud::plan(&again, &[], "case-b").unwrap_err();
    assert!(matches!(err, CloudError::Refused(_)), "{err}");
    assert!(err.to_string().contains("already isolated"));
    assert!(
        aws.apply(&mut case, &plan).is_err(),
        "the case refuses a second apply too"
    );

    let recorded = breachkit_cloud::target_in_case(&case).unwrap().unwrap();
    assert_eq!(recorded, target(&m.url, &inst));
    breachkit_cloud::release(&aws, &mut case).unwrap();
    assert_eq!(
        ec2.enis(&inst),
        before,
        "original groups back on every interface"
    );
    assert_eq!(ec2.attributes(&inst), attrs_before);
    assert!(!ec2.tags(&inst).iter().any(|k| k.starts_with("breachkit")));
    assert!(ec2.groups_named(&plan.quarantine_group).is_empty());
    assert!(ec2.groups_named(&plan.transition_group).is_empty());
    assert_eq!(
        ec2.snapshots(),
        plan.volumes.len(),
        "snapshots are evidence: kept"
    );
    assert!(
        case.actions_in_force(breachkit_cloud::BATCH)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_failure_mid_way_rolls_back_everything() {
    test_env();
    let m = moto();
    let ec2 = Ec2::new(&m.url);
    let (inst, vpc, before) = ec2.instance("b");
    let attrs_before = ec2.attributes(&inst);
    let t = tempfile::tempdir().unwrap();
    let mut case = Case::open(t.path()).unwrap();
    let aws = Aws::connect(&target(&m.url, &inst)).unwrap();
    let plan = breachkit_cloud::plan(&aws, &[], "case-b").unwrap();
    // Someone else's group squats the quarantine group's name: the step after the
    // transition swap fails.
    let squatter = ec2.group(&vpc, &plan.quarantine_group);
    let err = aws.apply(&mut case, &plan).unwrap_err().to_string();
    assert!(err.contains("already exists"), "{err}");
    assert!(err.contains("rolled back"), "{err}");
    assert_eq!(ec2.enis(&inst), before);
    assert_eq!(ec2.attributes(&inst), attrs_before);
    assert!(!ec2.tags(&inst).iter().any(|k| k.starts_with("breachkit")));
    assert!(
        ec2.groups_named(&plan.transition_group).is_empty(),
        "transition group removed"
    );
    let left = ec2.groups_named(&plan.quarantine_group);
    assert_eq!(left.len(), 1);
    assert_eq!(
        left[0].group_id(),
        Some(squatter.as_str()),
        "the squatter is not ours to delete"
    );
    assert!(
        case.actions_in_force(breachkit_cloud::BATCH)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn an_unknown_instance_is_a_clear_error() {
    test_env();
    let m = moto();
    let aws = Aws::connect(&target(&m.url, "i-0123456789abcdef0")).unwrap();
    let err = breachkit_cloud::plan(&aws, &[], "c")
        .unwrap_err()
        .to_string();
    assert!(err.contains("i-0123456789abcdef0"), "{err}");
}
