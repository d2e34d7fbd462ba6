#[test]
fn links_go_to_other_plans_that_exist_once_each() {
    use super::{check_links, PlanLink, Relation};
    let existing: std::collections::HashSet<String> = ["p2".to_string(), "p3".to_string()].into();
    let link = |id: &str| PlanLink {
        plan_id: id.into(),
        relation: Relation::PartOf,
    };
    assert!(check_links(&[link("p2"), link("p3")], Some("p1"), &existing).is_empty());
    let e = check_links(
        &[link("p1"), link("nope"), link("p2"), link("p2")],
        Some("p1"),
        &existing,
    );
    let fields: Vec<_> = e.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        vec!["links[0].plan_id", "links[1].plan_id", "links[3].plan_id"]
    );
    assert_eq!(
        Relation::Continues.inverse_label_nl(),
        "wordt voortgezet in"
    );
}

#[test]
fn a_merge_takes_the_union_of_goals_and_parties() {
    let org = |id: &str| PartyRef::Registered {
        organisation_id: id.into(),
    };
    let target = super::PlanContent {
        goals: vec!["A".into(), "B".into()],
        lead_partner: Some(org("woej")),
        partners: vec![org("school")],
        requested_eur: Some(10_000),
        ..Default::default()
    };
    let merged = super::PlanContent {
        goals: vec!["B".into(), "J".into()],
        lead_partner: Some(org("sjd")),
        partners: vec![org("school"), org("bieb")],
        requested_eur: Some(5_000),
        ..Default::default()
    };
    let c = super::combine(&target, &merged, None);
    assert_eq!(c.goals, vec!["A", "B", "J"]);
    assert_eq!(c.co_leads, vec![org("sjd")]);
    assert_eq!(c.partners, vec![org("school"), org("bieb")]);
    assert_eq!(c.requested_eur, Some(10_000), "the amount stays unless set");
    assert_eq!(
        super::combine(&target, &merged, Some(14_000)).requested_eur,
        Some(14_000)
    );
    // The same lead is not named twice.
    let same = super::PlanContent {
        lead_partner: Some(org("woej")),
        ..Default::default()
    };
    assert!(super::combine(&target, &same, None).co_leads.is_empty());
}

#[test]
fn a_version_names_what_changed_since_the_one_before() {
    let at = chrono::Utc::now();
    let v = |version, snapshot| super::PlanVersion {
        version,
        submitted_at: at,
        snapshot,
        submitted_by: None,
    };
    let first = v(
        1,
        serde_json::json!({"title": "A", "requested_eur": 100, "goals": ["B"]}),
    );
    let second = v(
        2,
        serde_json::json!({"title": "A", "requested_eur": 90, "goals": ["B", "J"]}),
    );
    assert!(first.changed_since(None).is_empty());
    assert_eq!(
        second.changed_since(Some(&first)),
        vec!["goals".to_string(), "requested_eur".to_string()]
    );
    let third = v(3, serde_json::json!({"title": "A", "goals": ["B", "J"]}));
    assert_eq!(
        third.changed_since(Some(&second)),
        vec!["requested_eur".to_string()]
    );
}

use super::*;

fn plan(id: &str, round: &str, status: PlanStatus) -> Plan {
    let mut p = Plan::draft(
        id.into(),
        round.into(),
        "owner".into(),
        ApplicantKind::Partner,
        Utc::now(),
    );
    p.status = status;
    p
}

#[test]
fn a_plan_merges_into_another_open_plan_of_its_round() {
    let p = plan("a", "r1", PlanStatus::InReview);
    let ok = plan("b", "r1", PlanStatus::Submitted);
    assert!(check_merge_target(&p, "b", Some(&ok)).is_ok());
    let field = |e: DomainError| match e {
        DomainError::Invalid(f) => f[0].field.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        field(check_merge_target(&p, "a", Some(&p)).unwrap_err()),
        "target_id"
    );
    assert_eq!(
        field(check_merge_target(&p, "x", None).unwrap_err()),
        "target_id"
    );
    let elsewhere = plan("c", "r2", PlanStatus::Submitted);
    assert_eq!(
        field(check_merge_target(&p, "c", Some(&elsewhere)).unwrap_err()),
        "target_id"
    );
    let done = plan("d", "r1", PlanStatus::Withdrawn);
    assert!(matches!(
        check_merge_target(&p, "d", Some(&done)),
        Err(DomainError::Conflict(_))
    ));
}

#[test]
fn an_organisation_named_by_its_registered_name_is_that_organisation() {
    let c = PlanContent {
        lead_partner: Some(PartyRef::Named {
            name: "  bibliotheek   NOORD ".into(),
        }),
        partners: vec![
            PartyRef::Named {
                name: "Buurthuis".into(),
            },
            PartyRef::Registered {
                organisation_id: "org-2".into(),
            },
        ],
        ..Default::default()
    };
    assert_eq!(c.named_keys(), vec!["bibliotheek noord", "buurthuis"]);
    let ids = [("bibliotheek noord".to_string(), "org-1".to_string())]
        .into_iter()
        .collect();
    let r = c.with_registered_names(&ids);
    assert_eq!(
        r.lead_partner,
        Some(PartyRef::Registered {
            organisation_id: "org-1".into()
        })
    );
    assert_eq!(
        r.partners[0],
        PartyRef::Named {
            name: "Buurthuis".into()
        },
        "not registered: kept by name"
    );
}

#[test]
fn a_merge_patch_replaces_what_it_names_and_null_clears() {
    let c = PlanContent {
        title: "Huiswerkklas".into(),
        description: "Na school".into(),
        requested_eur: Some(500),
        ..Default::default()
    };
    let patch = serde_json::json!({"description": "Na schooltijd", "requested_eur": null});
    let serde_json::Value::Object(patch) = patch else {
        unreachable!()
    };
    let p = c.patched(patch).unwrap();
    assert_eq!(p.title, "Huiswerkklas");
    assert_eq!(p.description, "Na schooltijd");
    assert_eq!(p.requested_eur, None);
    let serde_json::Value::Object(bad) = serde_json::json!({"start_year": "volgend jaar"}) else {
        unreachable!()
    };
    match c.patched(bad) {
        Err(DomainError::Invalid(f)) => assert_eq!(f[0].field, "start_year"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_title_is_trimmed_and_the_budget_line_follows_the_goals() {
    let catalog = crate::domain::round::tests::programme().catalog;
    let mut p = plan("a", "r1", PlanStatus::Draft);
    p.set_content(
        PlanContent {
            title: "  Huiswerkklas ".into(),
            goals: vec!["R".into()],
            ..Default::default()
        },
        &catalog,
    );
    assert_eq!(p.content.title, "Huiswerkklas");
    assert_eq!(p.budget_line.as_deref(), Some("FVW"));
}
