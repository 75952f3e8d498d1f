//! Credentials AWS refuses, against a real moto_server that checks IAM: unknown keys
//! are a clear "refused" before anything is planned; a responder whose policy denies
//! `ec2:CreateSnapshot` (the last step) gets everything done before it rolled back,
//! so nothing is left half-done. Its own test binary: it sets the process's AWS
//! environment, which the SDK reads.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_case::Case;
use breachkit_cloud::testing::{Ec2, moto_with};
use breachkit_cloud::{Aws, CloudError, Extras, Target};
use std::io::{Read, Write};

/// An IAM Query API call, unsigned: moto lets the first requests through unchecked.
fn iam(url: &str, params: &[(&str, &str)]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    let body: Vec<String> = params
        .iter()
        .chain(&[("Version", "2010-05-08")])
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect();
    let body = body.join("&");
    let host = url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/iam/aws4_request, \
         SignedHeaders=host, Signature=0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    out
}

fn xml_value(xml: &str, tag: &str) -> String {
    let start = xml.find(&format!("<{tag}>")).unwrap() + tag.len() + 2;
    let end = xml[start..].find('<').unwrap() + start;
    xml[start..end].to_string()
}

fn use_key(key: &str, secret: &str) {
    // SAFETY: this test binary has one test; no other thread reads the environment.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", key);
        std::env::set_var("AWS_SECRET_ACCESS_KEY", secret);
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    }
}

#[test]
fn refused_credentials_change_nothing() {
    // Three unchecked requests: the responder, its policy, its key.
    let m = moto_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", "3")]);
    iam(
        &m.url,
        &[("Action", "CreateUser"), ("UserName", "responder")],
    );
    let policy = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":["ec2:*","elasticloadbalancing:*","autoscaling:*"],"Resource":"*"},
        {"Effect":"Deny","Action":"ec2:CreateSnapshot","Resource":"*"}]}"#;
    iam(
        &m.url,
        &[
            ("Action", "PutUserPolicy"),
            ("UserName", "responder"),
            ("PolicyName", "no-snapshots"),
            ("PolicyDocument", policy),
        ],
    );
    let key = iam(
        &m.url,
        &[("Action", "CreateAccessKey"), ("UserName", "responder")],
    );
    let (id, secret) = (
        xml_value(&key, "AccessKeyId"),
        xml_value(&key, "SecretAccessKey"),
    );
    let ec2 = Ec2::with_key(&m.url, &id, &secret);
    let (inst, _vpc, before) = ec2.instance("d");
    let attrs_before = ec2.attributes(&inst);
    let target = Target {
        instance_id: Some(inst.clone()),
        region: Some("us-east-1".into()),
        endpoint_url: Some(m.url.clone()),
    };

    // Keys AWS does not know: refused on the first (read-only) call.
    use_key("AKIAUNKNOWNUNKNOWN00", "not-a-secret");
    let aws = Aws::connect(&target).unwrap();
    let err = breachkit_cloud::plan(&aws, &[], "case-d", Extras::default()).unwrap_err();
    assert!(matches!(err, CloudError::Denied { .. }), "{err}");
    assert!(
        err.to_string().contains("AWS refused DescribeInstances"),
        "{err}"
    );

    // The responder may do all but snapshots: the last step fails, all is undone.
    use_key(&id, &secret);
    let aws = Aws::connect(&target).unwrap();
    let plan = breachkit_cloud::plan(&aws, &[], "case-d", Extras::default()).unwrap();
    let t = tempfile::tempdir().unwrap();
    let mut case = Case::open(t.path()).unwrap();
    let err = aws.apply(&mut case, &plan).unwrap_err().to_string();
    assert!(err.contains("AWS refused CreateSnapshot"), "{err}");
    assert!(!err.contains("AuthFailure"), "denied by the policy: {err}");
    assert!(err.contains("rolled back"), "{err}");
    assert_eq!(ec2.enis(&inst), before, "original groups back");
    assert_eq!(ec2.attributes(&inst), attrs_before);
    assert!(!ec2.tags(&inst).iter().any(|k| k.starts_with("breachkit")));
    assert!(ec2.groups_named(&plan.quarantine_group).is_empty());
    assert!(ec2.groups_named(&plan.transition_group).is_empty());
    assert!(
        case.actions_in_force(breachkit_cloud::BATCH)
            .unwrap()
            .is_empty()
    );
}
