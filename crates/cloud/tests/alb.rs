//! The maintenance page on an Application Load Balancer, against a real moto_server:
//! a listener with a default action and two rules answers 503 with the page to
//! everyone but the admin ranges, who keep every route; `off` leaves the listener's
//! rules exactly as they were; a second `on`, a page too large for a fixed response
//! and a rule with no room to move are refused untouched; a rule vanishing mid-way
//! rolls back what was done.

use aws_sdk_elasticloadbalancingv2::types::{PathPatternConditionConfig, Rule, RuleCondition};
use breachkit_case::Case;
use breachkit_cloud::CloudError;
use breachkit_cloud::alb::{self, Alb};
use breachkit_cloud::testing::{Lb, forward, moto, test_env};

const PAGE: &str = "<h1>Back soon</h1>\n";

fn source_ips(r: &Rule) -> Vec<String> {
    r.conditions()
        .iter()
        .filter_map(|c| c.source_ip_config())
        .flat_map(|c| c.values().iter().cloned())
        .collect()
}

#[test]
fn alb_listener_answers_503_but_to_admins_and_off_restores_it() {
    test_env();
    let m = moto();
    let lb = Lb::new(&m.url);
    let before = lb.snapshot();
    let t = tempfile::tempdir().unwrap();
    let mut case = Case::open(&t.path().join("case-alb")).unwrap();
    let conn = Alb::connect(&lb.target(&m.url)).unwrap();
    let allow = ["203.0.113.0/24".parse().unwrap()];
    let plan = alb::plan(&conn, &allow, PAGE.as_bytes(), "case-alb").unwrap();
    assert_eq!(plan.added, 4, "two admin copies, admin default, the 503");
    let moves: Vec<(i32, i32)> = plan.moved.iter().map(|m| (m.priority, m.to)).collect();
    assert_eq!(moves, [(1, 5), (5, 9)]);
    assert_eq!(lb.snapshot(), before, "planning changes nothing");

    conn.apply(&mut case, &plan).unwrap();
    let rules = lb.rules();
    let prio: Vec<&str> = rules.iter().map(|r| r.priority().unwrap()).collect();
    assert_eq!(prio, ["1", "2", "3", "4", "5", "9", "default"]);
    // The admin keeps every route: each rule's copy, then the default.
    let admin = ["203.0.113.0/24".to_string()];
    assert_eq!(source_ips(&rules[0]), admin);
    assert!(
        rules[0]
            .conditions()
            .iter()
            .any(|c| c.field() == Some("host-header")),
        "{:?}",
        rules[0]
    );
    assert_eq!(
        rules[0].actions()[0].target_group_arn(),
        Some(lb.api.as_str())
    );
    assert_eq!(source_ips(&rules[1]), admin);
    assert_eq!(
        rules[1].actions()[0]
            .fixed_response_config()
            .and_then(|f| f.status_code()),
        Some("403")
    );
    assert_eq!(source_ips(&rules[2]), admin);
    assert_eq!(rules[2].conditions().len(), 1);
    assert_eq!(
        rules[2].actions()[0].target_group_arn(),
        Some(lb.web.as_str())
    );
    // Everyone else: 503 with the page.
    let fixed = rules[3].actions()[0].fixed_response_config().unwrap();
    assert_eq!(
        (
            fixed.status_code(),
            fixed.content_type(),
            fixed.message_body()
        ),
        (Some("503"), Some("text/html"), Some(PAGE))
    );
    assert!(source_ips(&rules[3]).is_empty());
    // The listener's own rules and default are untouched but for their priority.
    assert_eq!(
        rules[6].actions()[0].target_group_arn(),
        Some(lb.web.as_str())
    );
    assert_eq!(
        alb::target_in_case(&case).unwrap().unwrap().listener_arn,
        lb.listener
    );

    // On twice: refused, for this case and for another one.
    let during = lb.snapshot();
    assert!(conn.apply(&mut case, &plan).is_err());
    let err = alb::plan(&conn, &[], PAGE.as_bytes(), "other").unwrap_err();
    assert!(matches!(err, CloudError::Refused(_)), "{err}");
    assert!(err.to_string().contains("already shows"), "{err}");
    assert_eq!(lb.snapshot(), during);

    alb::off(&conn, &mut case).unwrap();
    assert_eq!(lb.snapshot(), before, "off puts the listener back exactly");
    assert!(case.actions_in_force(alb::BATCH).unwrap().is_empty());
    // Off twice is harmless.
    alb::off(&conn, &mut case).unwrap();
    assert_eq!(lb.snapshot(), before);

    // Nobody allowed: one rule, everyone gets the page.
    let plan = alb::plan(&conn, &[], PAGE.as_bytes(), "case-alb").unwrap();
    assert_eq!(plan.added, 1);
    conn.apply(&mut case, &plan).unwrap();
    let rules = lb.rules();
    assert_eq!(rules.len(), 4);
    assert_eq!(
        rules[0].actions()[0]
            .fixed_response_config()
            .and_then(|f| f.status_code()),
        Some("503")
    );
    alb::off(&conn, &mut case).unwrap();
    assert_eq!(lb.snapshot(), before);
}

#[test]
fn alb_refusals_change_nothing_and_a_failure_mid_way_rolls_back() {
    test_env();
    let m = moto();
    let lb = Lb::new(&m.url);
    let t = tempfile::tempdir().unwrap();
    let mut case = Case::open(t.path()).unwrap();
    let conn = Alb::connect(&lb.target(&m.url)).unwrap();
    let before = lb.snapshot();

    let big = vec![b'x'; alb::MAX_PAGE + 1];
    let err = alb::plan(&conn, &[], &big, "c").unwrap_err().to_string();
    assert!(err.contains("at most 1024"), "{err}");

    // No room to move a rule at the last priority down.
    let last = lb.rule(
        50_000,
        RuleCondition::builder()
            .field("path-pattern")
            .path_pattern_config(
                PathPatternConditionConfig::builder()
                    .values("/old/*")
                    .build(),
            )
            .build(),
        forward(&lb.web),
    );
    let err = alb::plan(&conn, &[], PAGE.as_bytes(), "c")
        .unwrap_err()
        .to_string();
    assert!(err.contains("no room"), "{err}");
    lb.rt
        .block_on(lb.elb.delete_rule().rule_arn(&last).send())
        .unwrap();
    assert_eq!(lb.snapshot(), before);

    // Another admin deletes the first rule between plan and apply: the second was
    // already moved when moving the first fails, and is moved back.
    let plan = alb::plan(&conn, &[], PAGE.as_bytes(), "c").unwrap();
    let first = lb.rules()[0].rule_arn().unwrap().to_string();
    lb.rt
        .block_on(lb.elb.delete_rule().rule_arn(&first).send())
        .unwrap();
    let after_delete = lb.snapshot();
    let err = conn.apply(&mut case, &plan).unwrap_err().to_string();
    assert!(err.contains("rolled back"), "{err}");
    assert_eq!(lb.snapshot(), after_delete);
    assert!(case.actions_in_force(alb::BATCH).unwrap().is_empty());
}
