use super::*;

fn plan_row() -> PlanRow {
    let now = stored(chrono::Utc::now());
    PlanRow {
        id: "p1".into(),
        round_id: "r1".into(),
        owner_id: "u1".into(),
        applicant_kind: "resident".into(),
        status: "submitted".into(),
        version: 2,
        title: "Huiswerkklas".into(),
        budget_line: Some("JJO".into()),
        goals_index: ",B,".into(),
        search_text: "huiswerkklas".into(),
        requested_eur: Some(12_500),
        content: r#"{"title":"Huiswerkklas","goals":["B"],"requested_eur":12500}"#.into(),
        created_at: now,
        updated_at: now,
        submitted_at: Some(now),
        pre_advice: None,
        proposed_eur: None,
        total_score: None,
        granted_eur: None,
        decision: None,
        merged_into: None,
        info_request: None,
        shown_version: 2,
        shown_updated_at: now,
        adoption_id: None,
        own_action_of: None,
        reference: None,
    }
}

#[test]
fn a_stored_plan_parses_and_writes_back_the_same_row() {
    let plan = plan_row().parse().unwrap();
    assert_eq!(plan.status, PlanStatus::Submitted);
    assert_eq!(plan.content.goals, vec!["B"]);
    let again = PlanRow::of(&plan).unwrap().parse().unwrap();
    assert_eq!(again, plan);
}

#[test]
fn a_stored_value_that_does_not_parse_is_an_error_naming_row_and_column() {
    for (column, row) in [
        (
            "status",
            PlanRow {
                status: "approvedd".into(),
                ..plan_row()
            },
        ),
        (
            "content",
            PlanRow {
                content: "{".into(),
                ..plan_row()
            },
        ),
        (
            "decision",
            PlanRow {
                decision: Some(r#"{"outcome":"approved"}"#.into()),
                ..plan_row()
            },
        ),
        (
            "pre_advice",
            PlanRow {
                pre_advice: Some("[]".into()),
                ..plan_row()
            },
        ),
        (
            "granted_eur",
            PlanRow {
                granted_eur: Some(-4),
                ..plan_row()
            },
        ),
        (
            "info_request",
            PlanRow {
                info_request: Some("{}".into()),
                ..plan_row()
            },
        ),
    ] {
        match row.parse() {
            Err(DbError::Corrupt {
                table,
                id,
                column: c,
                ..
            }) => {
                assert_eq!((table, id.as_str(), c), ("plans", "p1", column));
            }
            other => panic!("{column}: {other:?}"),
        }
    }
}

#[test]
fn roles_are_stored_sorted_and_read_strictly() {
    assert_eq!(
        roles_column(&[Role::Admin, Role::Applicant, Role::Admin]),
        "applicant,admin"
    );
    let now = chrono::Utc::now().naive_utc();
    let row = UserRow {
        id: "u1".into(),
        email: "a@b.nl".into(),
        name: "A".into(),
        password_hash: None,
        roles: "applicant,root".into(),
        kind: Some("resident".into()),
        organisation_id: None,
        active: true,
        created_at: now,
        updated_at: now,
        session_epoch: 1,
        organisation_confirmed: true,
    };
    assert!(matches!(
        row.clone().parse(),
        Err(DbError::Corrupt {
            column: "roles",
            ..
        })
    ));
    let row = UserRow {
        roles: "applicant".into(),
        kind: Some("alien".into()),
        ..row
    };
    assert!(matches!(
        row.parse(),
        Err(DbError::Corrupt { column: "kind", .. })
    ));
}
