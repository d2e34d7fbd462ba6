//! The published contract and the served routes agree.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::helpers::*;

fn spec() -> Value {
    serde_yaml_ng::from_str(planloket::http::OPENAPI_YAML).expect("api-spec/openapi.yaml parses")
}

fn spec_routes(spec: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            if ["get", "post", "patch", "put", "delete"].contains(&method.as_str()) {
                out.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

#[test]
fn every_served_route_is_in_the_spec_and_every_spec_route_is_served() {
    let served: BTreeSet<(String, String)> = planloket::http::route_table().into_iter().collect();
    let documented = spec_routes(&spec());
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty(),
        "served but not in api-spec/openapi.yaml: {undocumented:?}"
    );
    assert!(
        unserved.is_empty(),
        "in api-spec/openapi.yaml but not served: {unserved:?}"
    );
}

#[test]
fn every_documented_operation_is_reachable_over_http() {
    let app = spawn_app();
    for (method, path) in spec_routes(&spec()) {
        let path = path.replace("{id}", "00000000-0000-7000-8000-000000000000");
        let body = if method == "GET" || method == "DELETE" {
            None
        } else {
            Some(("application/json", &b"{}"[..]))
        };
        let r = app.send(&method, &path, None, body, &[]);
        // Anything but "no such route" and "no such method" shows the route is there.
        let missing =
            r.status == 405 || (r.status == 404 && r.body["detail"] == "no such resource");
        assert!(
            !missing,
            "{method} {path} is documented but answers {}: {}",
            r.status, r.text
        );
    }
}

#[test]
fn the_spec_version_is_the_served_api_version() {
    assert_eq!(spec()["info"]["version"], planloket::http::API_VERSION);
}

#[test]
fn every_operation_documents_its_error_answers() {
    let spec = spec();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if method == "parameters" {
                continue;
            }
            let responses = op["responses"].as_object().unwrap();
            // Secured unless anonymous access is allowed (`security: []` or an empty entry).
            let secured = op
                .get("security")
                .map(|s| {
                    let list = s.as_array().unwrap();
                    !list.is_empty()
                        && !list
                            .iter()
                            .any(|e| e.as_object().is_some_and(|o| o.is_empty()))
                })
                .unwrap_or(true);
            if secured {
                assert!(responses.contains_key("401"), "{method} {path} lacks 401");
            }
            if method != "get" || path.contains('{') {
                assert!(responses.contains_key("400"), "{method} {path} lacks 400");
            }
            if ["post", "patch", "put"].contains(&method.as_str())
                && op.get("requestBody").is_some()
            {
                assert!(
                    responses.contains_key("415") && responses.contains_key("413"),
                    "{method} {path} lacks 413/415"
                );
            }
            if path != "/openapi.json" {
                assert!(responses.contains_key("503"), "{method} {path} lacks 503");
            }
        }
    }
}

#[test]
fn every_kind_of_mail_is_in_the_outbox_schema() {
    let spec = spec();
    let kinds: BTreeSet<String> = spec["components"]["schemas"]["Mail"]["properties"]["kind"]
        ["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    let source = concat!(
        include_str!("../../src/mail/letters.rs"),
        include_str!("../../src/mail/letters/accounts.rs"),
        include_str!("../../src/mail/letters/grants.rs"),
        include_str!("../../src/mail/letters/together.rs")
    );
    // Each letter names its kind as `letter("kind"`; a decision is "granted" or "rejected".
    let mut written: BTreeSet<String> = source
        .split("letter(\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect();
    written.extend(["granted".to_string(), "rejected".to_string()]);
    let missing: Vec<_> = written.difference(&kinds).collect();
    assert!(
        missing.is_empty(),
        "mail kinds not in the spec: {missing:?}"
    );
}
