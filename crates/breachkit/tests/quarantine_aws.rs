//! `breachkit quarantine` against AWS through the command line, on a real
//! moto_server: the ALB maintenance page (plan changes nothing, on, on again is
//! harmless, off puts the listener back exactly) and instance isolation with
//! Auto Scaling standby and target-group deregistration, released to the state
//! before; the instance found through the metadata service (IMDSv2).

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_cloud::testing::{Ec2, Lb, moto};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn breachkit(case: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_breachkit"))
        .arg("--case")
        .arg(case)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
    text
}

#[test]
fn alb_maintenance_on_and_off_from_the_command_line() {
    let m = moto();
    let lb = Lb::new(&m.url);
    let before = lb.snapshot();
    let t = tempfile::tempdir().unwrap();
    let case = t.path().join("case");
    let on = [
        "quarantine",
        "maintenance",
        "on",
        "--alb-listener",
        &lb.listener,
        "--region",
        "us-east-1",
        "--endpoint-url",
        &m.url,
        "--allow",
        "203.0.113.0/24",
    ];
    let plan = ok(&breachkit(&case, &on));
    assert!(plan.starts_with("PLAN (nothing changed)"), "{plan}");
    assert!(plan.contains("priority 1 → 5"), "{plan}");
    assert_eq!(lb.snapshot(), before, "the plan changes nothing");

    let mut apply = on.to_vec();
    apply.push("--yes");
    let done = ok(&breachkit(&case, &apply));
    assert!(done.contains("maintenance page ON"), "{done}");
    let rules = lb.rules();
    assert_eq!(rules.len(), 7, "{rules:?}");
    let page = rules[3].actions()[0].fixed_response_config().unwrap();
    assert_eq!(page.status_code(), Some("503"));
    assert!(page.message_body().unwrap().contains("maintenance"));
    let status = ok(&breachkit(&case, &["quarantine", "status"]));
    assert!(status.contains("maintenance-alb"), "{status}");

    let during = lb.snapshot();
    let again = ok(&breachkit(&case, &apply));
    assert!(again.contains("already on"), "{again}");
    assert_eq!(lb.snapshot(), during);

    let plan_off = ok(&breachkit(&case, &["quarantine", "maintenance", "off"]));
    assert!(plan_off.starts_with("PLAN"), "{plan_off}");
    assert_eq!(lb.snapshot(), during);
    ok(&breachkit(
        &case,
        &["quarantine", "maintenance", "off", "--yes"],
    ));
    assert_eq!(lb.snapshot(), before, "the listener is back exactly");
}

#[test]
fn isolation_with_standby_and_deregistration_from_the_command_line() {
    let m = moto();
    let ec2 = Ec2::new(&m.url);
    let (vpc, subnet) = ec2.default_vpc_subnet();
    let (_group, inst) = ec2.auto_scaling_group(&subnet);
    let tg = ec2.target_group(&vpc, "web");
    ec2.register(&tg, &inst, 80);
    let (asg_before, tg_before) = (ec2.asg_state(), ec2.targets(&tg));
    let t = tempfile::tempdir().unwrap();
    let case = t.path().join("case");
    let args = [
        "quarantine",
        "isolate",
        "--aws",
        "--instance-id",
        &inst,
        "--region",
        "us-east-1",
        "--endpoint-url",
        &m.url,
        "--deregister",
        "--standby",
    ];
    let plan = ok(&breachkit(&case, &args));
    assert!(plan.contains("standby in web-asg"), "{plan}");
    assert!(plan.contains(&tg), "{plan}");
    assert_eq!(ec2.asg_state(), asg_before, "the plan changes nothing");

    let mut apply = vec!["--format", "json"];
    apply.extend(args);
    apply.push("--yes");
    let doc: Value = serde_json::from_str(&ok(&breachkit(&case, &apply))).unwrap();
    assert_eq!(doc["aws"]["applied"], true, "{doc}");
    assert!(
        ec2.asg_state()
            .0
            .contains(&(inst.clone(), "Standby".to_string()))
    );
    assert!(ec2.targets(&tg).is_empty());
    let during = (ec2.asg_state(), ec2.enis(&inst));
    let again = ok(&breachkit(&case, &apply[2..]));
    assert!(again.contains("already isolated"), "{again}");
    assert_eq!(
        (ec2.asg_state(), ec2.enis(&inst)),
        during,
        "twice is harmless"
    );

    ok(&breachkit(&case, &["quarantine", "release", "--yes"]));
    assert_eq!(ec2.asg_state(), asg_before);
    assert_eq!(ec2.targets(&tg), tg_before);
    let status = ok(&breachkit(&case, &["quarantine", "status"]));
    assert!(status.contains("nothing is in force"), "{status}");
}

/// A stand-in for the EC2 metadata service on loopback (the real one exists only on
/// EC2), strict about IMDSv2: the instance id only with a session token from
/// `PUT /latest/api/token`. Serves until the test process ends.
fn imds(instance: &str) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let instance = instance.to_string();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let instance = instance.clone();
            std::thread::spawn(move || {
                let mut w = conn.try_clone().unwrap();
                let mut r = BufReader::new(conn);
                loop {
                    let mut head = Vec::new();
                    loop {
                        let mut line = String::new();
                        if r.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if line == "\r\n" {
                            break;
                        }
                        head.push(line.to_ascii_lowercase());
                    }
                    let has = |h: &str| head.iter().any(|l| l.starts_with(h));
                    let (status, body) = match head.first().map(String::as_str) {
                        Some(l)
                            if l.starts_with("put /latest/api/token ")
                                && has("x-aws-ec2-metadata-token-ttl-seconds:") =>
                        {
                            ("200 OK", "TOKEN".to_string())
                        }
                        Some(l)
                            if l.starts_with("get /latest/meta-data/instance-id ")
                                && has("x-aws-ec2-metadata-token: token") =>
                        {
                            ("200 OK", instance.clone())
                        }
                        _ => ("401 Unauthorized", String::new()),
                    };
                    let reply = format!(
                        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nx-aws-ec2-metadata-token-ttl-seconds: 21600\r\n\r\n{body}",
                        body.len()
                    );
                    if w.write_all(reply.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

#[test]
fn the_instance_comes_from_the_metadata_service_with_imdsv2() {
    let m = moto();
    let ec2 = Ec2::new(&m.url);
    let (inst, _vpc, _enis) = ec2.instance("m");
    let t = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_breachkit"))
        .arg("--case")
        .arg(t.path().join("case"))
        .args([
            "quarantine",
            "isolate",
            "--aws",
            "--region",
            "us-east-1",
            "--endpoint-url",
            &m.url,
        ])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds(&inst))
        .output()
        .unwrap();
    let text = ok(&out);
    assert!(text.starts_with("PLAN"), "{text}");
    assert!(text.contains(&format!("{inst} in vpc-")), "{text}");
}
