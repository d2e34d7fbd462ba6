//! The programme team files plans itself (PRODUCT.md → Amendments → "Actions the programme
//! funds otherwise"): an organisation's own action, and a plan for a person at the desk.

use serde_json::json;

use crate::helpers::*;
use crate::helpers::{complete_plan, setup};

fn outbox_subjects_to(app: &TestApp, to: &str) -> Vec<String> {
    let all = app.get("/outbox", Some(&app.admin_token())).expect(200);
    all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["to"] == to)
        .map(|m| m["subject"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_team_files_the_municipalitys_own_action_and_nobody_is_written_to() {
    let s = setup();
    let municipality = s.app.organisation("Gemeente Leidschendam-Voorburg");
    let mut plan = complete_plan(&municipality);
    plan["title"] = json!("Regie op taalaanbod");
    plan["funding"] = json!("base_funding");
    plan.as_object_mut().unwrap().remove("requested_eur");
    plan["filed_for"] = json!({"organisation_id": municipality});
    let path = format!("/rounds/{}/plans", s.round);
    // Only the programme team files for someone else.
    s.app
        .post(&path, Some(&s.resident), plan.clone())
        .expect(403);
    let r = s.app.post(&path, Some(&s.team), plan).expect(201);
    let id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(r.body["own_action_of"], municipality.as_str());
    s.app
        .post(&format!("/plans/{id}/submit"), Some(&s.team), json!({}))
        .expect(200);
    let me = s.app.get("/me", Some(&s.team)).expect(200);
    let team_address = me.body["email"].as_str().unwrap();
    assert!(
        outbox_subjects_to(&s.app, team_address).is_empty(),
        "no receipt for an organisation's own action"
    );
    // An unknown organisation is named.
    let mut bad = complete_plan(&municipality);
    bad["filed_for"] = json!({"organisation_id": "nope"});
    let r = s.app.post(&path, Some(&s.team), bad).expect(400);
    assert_eq!(r.error_fields(), vec!["filed_for.organisation_id"]);
}

#[test]
fn the_team_files_for_a_resident_at_the_desk_who_owns_and_submits_it() {
    let s = setup();
    let path = format!("/rounds/{}/plans", s.round);
    let mut plan = complete_plan(&s.org);
    plan["title"] = json!("Buurtbarbecue");
    plan["filed_for"] = json!({"email": "", "name": "", "kind": "buurman"});
    let r = s.app.post(&path, Some(&s.team), plan.clone()).expect(400);
    let fields = r.error_fields();
    for f in ["filed_for.email", "filed_for.name", "filed_for.kind"] {
        assert!(fields.contains(&f.to_string()), "{fields:?}");
    }
    plan["filed_for"] =
        json!({"email": "mevrouw.yilmaz@example.nl", "name": "Ayse Yilmaz", "kind": "resident"});
    let r = s.app.post(&path, Some(&s.team), plan).expect(201);
    let id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(r.body["own_action_of"], serde_json::Value::Null);
    assert_eq!(r.body["applicant_kind"], "resident");
    // She was told by mail; she owns the plan (the team reads it as staff).
    let subjects = outbox_subjects_to(&s.app, "mevrouw.yilmaz@example.nl");
    assert!(
        subjects
            .iter()
            .any(|s| s.starts_with("Er staat een projectplan voor u klaar")),
        "{subjects:?}"
    );
    let users = s.app.get("/users", Some(&s.app.admin_token())).expect(200);
    let ayse = users.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "mevrouw.yilmaz@example.nl")
        .expect("an account was made")
        .clone();
    assert_eq!(ayse["roles"], json!(["applicant"]));
    assert_eq!(r.body["owner_id"], ayse["id"]);
    // Applying is her act: the team cannot submit it for her; until she does it is her
    // draft, which staff do not see (as any draft).
    s.app
        .post(&format!("/plans/{id}/submit"), Some(&s.team), json!({}))
        .expect(404);
}

#[test]
fn a_new_account_holder_signs_in_from_the_invitation_once() {
    let sink = crate::smtp::SmtpSink::start();
    let app = spawn_app_with_smtp(&sink.url());
    let team = app.team_token();
    let round = app.open_round(&team);
    let org = app.organisation("Woej");
    let mut plan = complete_plan(&org);
    plan["filed_for"] =
        json!({"email": "meneer.bakker@example.nl", "name": "Henk Bakker", "kind": "resident"});
    let id = app
        .post(&format!("/rounds/{round}/plans"), Some(&team), plan)
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mail = sink.wait_for(1, 10).remove(0).decoded();
    assert!(
        mail.contains("Er staat een projectplan voor u klaar"),
        "{mail}"
    );
    assert!(mail.contains("7 dagen"), "{mail}");
    let token = mail
        .split("/aanmelden?token=")
        .nth(1)
        .expect("a sign-in link in the invitation")
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect::<String>();
    let signed_in = app
        .post("/auth/magic-link/redeem", None, json!({"token": token}))
        .expect(200);
    let henk = signed_in.body["access_token"].as_str().unwrap();
    // Signed in as the new account holder: the plan is his draft, his to submit.
    let mine = app.get(&format!("/plans/{id}"), Some(henk)).expect(200);
    assert_eq!(mine.body["status"], "draft");
    app.post(&format!("/plans/{id}/submit"), Some(henk), json!({}))
        .expect(200);
    // The link is spent.
    app.post("/auth/magic-link/redeem", None, json!({"token": token}))
        .expect(401);
}

#[test]
fn what_the_desk_types_is_checked_even_for_an_address_with_an_account() {
    let s = setup();
    let email = s.app.get("/me", Some(&s.resident)).expect(200).body["email"]
        .as_str()
        .unwrap()
        .to_string();
    let mut plan = complete_plan(&s.org);
    plan["filed_for"] = json!({"email": email, "name": "", "kind": "AAA"});
    let r = s
        .app
        .post(&format!("/rounds/{}/plans", s.round), Some(&s.team), plan)
        .expect(400);
    let fields = r.error_fields();
    assert!(fields.contains(&"filed_for.kind".to_string()), "{fields:?}");
    assert!(fields.contains(&"filed_for.name".to_string()), "{fields:?}");
}
