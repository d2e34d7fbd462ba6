//! The adoption use cases against a real database: who gets which letter, and what a
//! correction does to the letters waiting.

use super::*;
use crate::app::testing::TestApp;
use crate::domain::user::Account;
use crate::domain::user::Role;

/// An account claiming membership of `org`, confirmed or not, active or not.
fn member(t: &TestApp, org: &str, confirmed: bool, active: bool) -> Account {
    let mut a = t.account(&[Role::Applicant]);
    a.organisation_id = Some(org.to_string());
    a.organisation_confirmed = confirmed;
    a.active = active;
    t.app
        .write(|tx| Ok(db::users::update(tx, &a)?))
        .expect("a member");
    a
}

#[test]
fn a_grant_letter_goes_to_the_applicant_and_a_copy_to_each_confirmed_active_member() {
    let t = TestApp::new();
    let round = t.open_round();
    let team = t.account(&[Role::ProgrammeTeam]);
    let anna = t.resident();
    let plan = t.submitted(&anna, &round);
    let payee = plan.content.payee_id.clone().expect("a payee");
    let confirmed = member(&t, &payee, true, true);
    let pending = member(&t, &payee, false, true);
    let gone = member(&t, &payee, true, false);
    t.approved(&plan.id, &team);
    let before = t.outbox().len();
    let a = t.adopt(&team, &round, &[]);
    assert_eq!(a.adopted, vec![plan.id.clone()]);
    let letters: Vec<_> = t.outbox().into_iter().skip(before).collect();
    let to: Vec<&str> = letters.iter().map(|m| m.to.as_str()).collect();
    assert_eq!(to, vec![anna.email.as_str(), confirmed.email.as_str()]);
    assert!(!to.contains(&pending.email.as_str()) && !to.contains(&gone.email.as_str()));
    assert!(letters[1].subject.starts_with("Afschrift"));
    for l in &letters {
        assert_eq!(l.adoption_id.as_deref(), Some(a.view.adoption.id.as_str()));
        assert!(l.letter.is_some(), "what the letter says is kept");
    }
}

#[test]
fn a_correction_writes_the_waiting_letters_again_and_moves_the_round_s_date() {
    let t = TestApp::new();
    let round = t.open_round();
    let team = t.account(&[Role::ProgrammeTeam]);
    let anna = t.resident();
    let plan = t.submitted(&anna, &round);
    t.approved(&plan.id, &team);
    let a = t.adopt(&team, &round, &[]);
    let day = NaiveDate::from_ymd_opt(2025, 4, 8).unwrap();
    let v = t
        .app
        .write(|tx| {
            correct(
                tx,
                &team.actor(),
                &round.id,
                &a.view.adoption.id,
                Some(day),
                Some("B&W 2025/115"),
            )
        })
        .unwrap();
    assert_eq!(
        (
            v.adoption.adopted_on,
            v.adoption.reference.as_str(),
            v.adoption.version
        ),
        (day, "B&W 2025/115", 2)
    );
    let letter = t
        .outbox()
        .into_iter()
        .find(|m| m.adoption_id.is_some())
        .unwrap();
    assert!(letter.text.contains("8 april 2025") && letter.text.contains("B&W 2025/115"));
    let kept: DecisionLetter = serde_json::from_str(letter.letter.as_deref().unwrap()).unwrap();
    assert_eq!(kept.reference, "B&W 2025/115");
    let round = t
        .app
        .read(|c| crate::app::rounds::get(c, &round.id))
        .unwrap();
    assert_eq!(round.adopted_on, Some(day));
    // Another's adoption id, or an applicant: refused.
    assert!(matches!(
        t.app
            .write(|tx| correct(tx, &team.actor(), &round.id, "nope", None, None)),
        Err(Error::NotFound("adoption"))
    ));
    assert!(matches!(
        t.app.write(|tx| correct(
            tx,
            &anna.actor(),
            &round.id,
            &a.view.adoption.id,
            None,
            None
        )),
        Err(Error::Domain(crate::domain::DomainError::Forbidden(_)))
    ));
}
