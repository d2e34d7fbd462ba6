#[test]
fn every_role_has_a_dutch_name_of_its_own() {
    let mut names: Vec<_> = Role::ALL.iter().map(|r| r.label_nl()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), Role::ALL.len());
}

use super::*;

#[test]
fn emails_are_trimmed_and_lower_cased() {
    assert_eq!(
        Email::parse("  Anna@Example.NL ").unwrap().as_str(),
        "anna@example.nl"
    );
}

#[test]
fn malformed_emails_are_refused() {
    for bad in [
        "",
        "anna",
        "anna@",
        "@example.nl",
        "anna@example",
        "a b@example.nl",
        "a@b@c.nl",
        "a@.nl",
        "a@example..nl",
    ] {
        assert!(Email::parse(bad).is_err(), "{bad} should be refused");
    }
}

#[test]
fn passwords_need_ten_characters_and_must_not_be_common() {
    assert!(check_password("123456789").is_err());
    assert!(check_password("een-lang-wachtwoord").is_ok());
    assert!(check_password("ëëëëëëëëëa").is_ok());
    assert!(check_password(&"x".repeat(PASSWORD_MAX + 1)).is_err());
    for common in [
        "1234567890",
        "password12",
        "          ",
        "PASSWORD12",
        "wachtwoord",
        "Wachtwoord1",
        "welkom2024!",
        "qwertyuiop",
        "aaaaaaaaaaaa",
        "ëëëëëëëëëë",
    ] {
        assert!(check_password(common).is_err(), "{common:?} is refused");
    }
    assert!(common_passwords().len() > 40_000);
}

#[test]
fn the_chair_has_board_member_rights_but_not_the_reverse() {
    let chair = Actor {
        user_id: "c".into(),
        roles: vec![Role::BoardChair],
        organisation_id: None,
    };
    assert!(chair.has(Role::BoardMember));
    let member = Actor {
        user_id: "m".into(),
        roles: vec![Role::BoardMember],
        organisation_id: None,
    };
    assert!(!member.has(Role::BoardChair));
    assert!(member.is_staff());
}

#[test]
fn roles_parse_known_names_once() {
    assert_eq!(
        parse_roles(&["admin".into(), "applicant".into()]).unwrap(),
        vec![Role::Applicant, Role::Admin]
    );
    assert!(parse_roles(&[]).is_err());
    assert!(parse_roles(&["root".into()])
        .unwrap_err()
        .en
        .contains("programme_team"));
    assert!(parse_roles(&["admin".into(), "admin".into()]).is_err());
    assert_eq!(
        parse_roles(&["finance".into(), "admin".into()]).unwrap(),
        vec![Role::Admin, Role::Finance]
    );
}

#[test]
fn one_account_is_not_both_pairs_of_eyes_on_money() {
    let refused = parse_roles(&["finance".into(), "programme_team".into()]).unwrap_err();
    assert!(refused.en.contains("four eyes"), "{}", refused.en);
    assert!(refused.nl.contains("vier ogen"));
}

#[test]
fn the_board_is_everyone_holding_a_board_role_whatever_else_they_hold() {
    let sets = Role::board_sets();
    assert_eq!(sets.len(), 96, "2^7 role sets, 32 without a board role");
    assert!(sets.contains(&vec![Role::BoardMember]));
    assert!(sets.contains(&vec![Role::BoardChair]));
    assert!(sets.contains(&vec![Role::ProgrammeTeam, Role::BoardChair, Role::Admin]));
    assert!(!sets.contains(&vec![Role::ProgrammeTeam, Role::Admin]));
    assert!(
        sets.iter().all(|s| s.windows(2).all(|w| w[0] < w[1])),
        "sorted"
    );
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

#[test]
fn a_new_account_needs_an_address_a_name_roles_and_for_an_applicant_a_kind() {
    let mut a = Account::empty("u1".into(), now());
    let err = apply_change(&mut a, &AccountChange::default(), true).unwrap_err();
    match err {
        DomainError::Invalid(f) => {
            let fields: Vec<_> = f.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, vec!["email", "name", "roles"]);
        }
        other => panic!("{other:?}"),
    }
    let change = AccountChange {
        email: Some("Anna@Example.nl".into()),
        name: Some(" Anna ".into()),
        roles: Some(vec!["applicant".into()]),
        password: Some("een-lang-wachtwoord".into()),
        ..Default::default()
    };
    let err = apply_change(&mut a, &change, true).unwrap_err();
    assert!(matches!(err, DomainError::Invalid(ref f) if f[0].field == "kind"));
    let change = AccountChange {
        kind: Some(Some("resident".into())),
        ..change
    };
    let mut a = Account::empty("u1".into(), now());
    assert_eq!(
        apply_change(&mut a, &change, true).unwrap().as_deref(),
        Some("een-lang-wachtwoord")
    );
    assert_eq!(
        (a.email.as_str(), a.name.as_str()),
        ("anna@example.nl", "Anna")
    );
    assert_eq!(a.kind, Some(ApplicantKind::Resident));
}

#[test]
fn a_pending_organisation_grants_nothing_and_credential_changes_end_sessions() {
    let mut a = Account::empty("u1".into(), now());
    a.organisation_id = Some("org-1".into());
    a.organisation_confirmed = false;
    assert_eq!(a.actor().organisation_id, None);
    a.organisation_confirmed = true;
    assert_eq!(a.actor().organisation_id.as_deref(), Some("org-1"));
    let before = a.clone();
    let mut renamed = a.clone();
    renamed.name = "Anders".into();
    assert!(!renamed.ends_sessions_from(&before));
    for change in [
        |a: &mut Account| a.password_hash = Some("new".into()),
        |a: &mut Account| a.email = "nieuw@example.nl".into(),
        |a: &mut Account| a.roles = vec![Role::Admin],
        |a: &mut Account| a.active = false,
    ] {
        let mut after = before.clone();
        change(&mut after);
        assert!(after.ends_sessions_from(&before));
    }
}

#[test]
fn an_admin_keeps_their_own_admin_role_and_account() {
    let mut me = Account::empty("admin-1".into(), now());
    me.roles = vec![Role::Admin];
    let actor = me.actor();
    assert!(check_own_change(&actor, &me).is_ok());
    me.roles = vec![Role::ProgrammeTeam];
    assert!(check_own_change(&actor, &me).is_err());
    me.roles = vec![Role::Admin];
    me.active = false;
    assert!(check_own_change(&actor, &me).is_err());
    let other = Account::empty("u2".into(), now());
    assert!(check_own_change(&actor, &other).is_ok());
}

#[test]
fn a_registration_names_every_bad_field() {
    let err = parse_registration(Some("x"), Some("kort"), None, Some("alien"), None).unwrap_err();
    match err {
        DomainError::Invalid(f) => {
            let fields: Vec<_> = f.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, vec!["email", "password", "name", "kind"]);
        }
        other => panic!("{other:?}"),
    }
    let r = parse_registration(
        Some("anna@example.nl"),
        Some("een-lang-wachtwoord"),
        Some("Anna"),
        Some("partner"),
        None,
    )
    .unwrap();
    assert_eq!(r.kind, ApplicantKind::Partner);
}
