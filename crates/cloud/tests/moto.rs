//! AWS isolation against a real moto_server (the EC2 API on loopback): an instance
//! with two network interfaces and three groups and two volumes is isolated and
//! released back to its exact original state; a failure injected mid-way (a group
//! squatting the quarantine group's name) rolls everything back; an instance
//! already isolated is refused; Auto Scaling standby and target-group
//! deregistration are undone on release; a case on a full disk changes nothing.

use breachkit_case::Case;
use breachkit_cloud::{Aws, CloudError, Extras, Target};

use breachkit_cloud::testing::{Ec2, moto, test_env};

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
    let plan = breachkit_cloud::plan(
        &aws,
        &["203.0.113.0/24".parse().unwrap()],
        "case-a",
        Extras::default(),
    )
    .unwrap();
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
    let err = breachkit_cloud::plan(&again, &[], "case-b", Extras::default()).unwrap_err();
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
    let plan = breachkit_cloud::plan(&aws, &[], "case-b", Extras::default()).unwrap();
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
    let err = breachkit_cloud::plan(&aws, &[], "c", Extras::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("i-0123456789abcdef0"), "{err}");
}

#[test]
fn standby_and_deregistration_are_undone_on_release() {
    test_env();
    let m = moto();
    let ec2 = Ec2::new(&m.url);
    let (vpc, subnet) = ec2.default_vpc_subnet();
    let (group, inst) = ec2.auto_scaling_group(&subnet);
    let (tg_web, tg_api) = (ec2.target_group(&vpc, "web"), ec2.target_group(&vpc, "api"));
    let other = ec2.asg_state().0[1].0.clone();
    ec2.register(&tg_web, &inst, 80);
    ec2.register(&tg_web, &other, 80);
    ec2.register(&tg_api, &inst, 8080);
    let (asg_before, tg_web_before, tg_api_before) =
        (ec2.asg_state(), ec2.targets(&tg_web), ec2.targets(&tg_api));
    assert_eq!(asg_before.1, 2);

    let t = tempfile::tempdir().unwrap();
    let mut case = Case::open(t.path()).unwrap();
    let aws = Aws::connect(&target(&m.url, &inst)).unwrap();
    let extras = Extras {
        deregister: true,
        standby: true,
    };
    let plan = breachkit_cloud::plan(&aws, &[], "case-s", extras).unwrap();
    let standby = plan.standby.clone().unwrap();
    assert_eq!(standby.group, group);
    assert!(standby.decrement, "desired 2 > min 1: no replacement");
    let mut tgs: Vec<(&str, Option<i32>)> = plan
        .target_groups
        .iter()
        .map(|r| (r.target_group.as_str(), r.port))
        .collect();
    tgs.sort();
    let mut want = vec![(tg_web.as_str(), Some(80)), (tg_api.as_str(), Some(8080))];
    want.sort();
    assert_eq!(tgs, want);

    aws.apply(&mut case, &plan).unwrap();
    let (states, desired) = ec2.asg_state();
    assert!(
        states.contains(&(inst.clone(), "Standby".into())),
        "{states:?}"
    );
    assert_eq!(desired, 1, "desired capacity lowered");
    assert_eq!(ec2.targets(&tg_web), [(other.clone(), 80)]);
    assert!(ec2.targets(&tg_api).is_empty());

    breachkit_cloud::release(&aws, &mut case).unwrap();
    assert_eq!(
        ec2.asg_state(),
        asg_before,
        "back in service, same capacity"
    );
    assert_eq!(ec2.targets(&tg_web), tg_web_before, "registered again");
    assert_eq!(ec2.targets(&tg_api), tg_api_before, "on its own port");

    // Without the options, nothing of this is planned.
    let plan = breachkit_cloud::plan(&aws, &[], "case-s", Extras::default()).unwrap();
    assert!(plan.standby.is_none() && plan.target_groups.is_empty());
}

#[test]
fn a_full_case_disk_changes_nothing() {
    test_env();
    let m = moto();
    let ec2 = Ec2::new(&m.url);
    let (inst, _vpc, before) = ec2.instance("f");
    let attrs_before = ec2.attributes(&inst);
    let disk = breachkit_testkit::full_disk::FullDisk::mount();
    let mut case = Case::open(&disk.path().join("case")).unwrap();
    disk.fill();
    let aws = Aws::connect(&target(&m.url, &inst)).unwrap();
    let plan = breachkit_cloud::plan(&aws, &[], "case-f", Extras::default()).unwrap();
    let err = aws.apply(&mut case, &plan).unwrap_err().to_string();
    assert!(err.contains("full") || err.contains("space"), "{err}");
    assert_eq!(ec2.enis(&inst), before);
    assert_eq!(ec2.attributes(&inst), attrs_before);
    assert!(!ec2.tags(&inst).iter().any(|k| k.starts_with("breachkit")));
    assert!(ec2.groups_named(&plan.transition_group).is_empty());
    assert!(ec2.groups_named(&plan.quarantine_group).is_empty());
    assert_eq!(ec2.snapshots(), 0);
}
