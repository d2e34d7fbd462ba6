//! Organisations.

use serde_json::json;

use crate::helpers::*;

#[test]
fn the_team_and_admins_register_organisations_that_anyone_can_list() {
    let app = spawn_app();
    let team = app.team_token();
    let r = app
        .post(
            "/organisations",
            Some(&team),
            json!({"name": "Basisschool De Heuvel", "kind": "school"}),
        )
        .expect(201);
    assert_eq!(r.body["kind"], "school");
    app.post(
        "/organisations",
        Some(&app.admin_token()),
        json!({"name": "Bibliotheek", "kind": "partner"}),
    )
    .expect(201);
    let list = app.get("/organisations", None).expect(200);
    let names: Vec<_> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Basisschool De Heuvel", "Bibliotheek"]);
}

#[test]
fn names_are_unique_regardless_of_case() {
    let app = spawn_app();
    let team = app.team_token();
    app.post(
        "/organisations",
        Some(&team),
        json!({"name": "Bibliotheek Noord", "kind": "partner"}),
    )
    .expect(201);
    app.post(
        "/organisations",
        Some(&team),
        json!({"name": "bibliotheek  noord", "kind": "partner"}),
    )
    .expect(409);
}

#[test]
fn bad_organisations_are_refused_naming_each_field() {
    let app = spawn_app();
    let r = app
        .post(
            "/organisations",
            Some(&app.team_token()),
            json!({"name": "", "kind": "bank"}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["name", "kind"]);
}

#[test]
fn applicants_and_the_board_cannot_register_organisations() {
    let app = spawn_app();
    let (_, applicant) = app.user_with(&["applicant"], Some("partner"), None);
    let (_, member) = app.user_with(&["board_member"], None, None);
    for t in [applicant, member] {
        app.post(
            "/organisations",
            Some(&t),
            json!({"name": "X", "kind": "other"}),
        )
        .expect(403);
    }
    app.post(
        "/organisations",
        None,
        json!({"name": "X", "kind": "other"}),
    )
    .expect(401);
}

#[test]
fn an_organisation_has_a_contact_address_the_team_keeps_and_the_public_list_leaves_out() {
    let app = spawn_app();
    let team = app.team_token();
    let r = app
        .post(
            "/organisations",
            Some(&team),
            json!({"name": "Woej", "kind": "welfare", "contact_email": "geen adres"}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["contact_email"]);
    let r = app
        .post(
            "/organisations",
            Some(&team),
            json!({"name": "Woej", "kind": "welfare", "contact_email": " Info@Woej.NL "}),
        )
        .expect(201);
    assert_eq!(r.body["contact_email"], "info@woej.nl");
    let id = r.body["id"].as_str().unwrap().to_string();
    // The public list names organisations, not their addresses.
    let list = app.get("/organisations", None).expect(200);
    let woej = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == id.as_str())
        .unwrap()
        .clone();
    assert!(woej.get("contact_email").is_none(), "{woej}");
    let path = format!("/organisations/{id}");
    assert_eq!(
        app.get(&path, Some(&team)).expect(200).body["contact_email"],
        "info@woej.nl"
    );
    app.get(&path, None).expect(401);
    let (_, resident) = app.user_with(&["applicant"], Some("resident"), None);
    app.get(&path, Some(&resident)).expect(403);
    app.patch(&path, Some(&resident), json!({"contact_email": null}))
        .expect(403);
    app.patch(
        "/organisations/no-such",
        Some(&team),
        json!({"kind": "school"}),
    )
    .expect(404);
    // Every bad field at once; nothing changes.
    let r = app
        .patch(
            &path,
            Some(&team),
            json!({"name": " ", "kind": "bank", "contact_email": "x@"}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["name", "kind", "contact_email"]);
    app.patch(&path, Some(&team), json!({"name": null}))
        .expect(400);
    let other = app.organisation("Bibliotheek Noord");
    assert!(!other.is_empty());
    app.patch(&path, Some(&team), json!({"name": "bibliotheek  noord"}))
        .expect(409);
    let r = app
        .patch(&path, Some(&team), json!({"contact_email": "post@woej.nl"}))
        .expect(200);
    assert_eq!(r.body["contact_email"], "post@woej.nl");
    assert_eq!(r.body["name"], "Woej");
    let r = app
        .patch(&path, Some(&team), json!({"contact_email": null}))
        .expect(200);
    assert_eq!(r.body["contact_email"], serde_json::Value::Null);
}
