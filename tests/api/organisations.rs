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
