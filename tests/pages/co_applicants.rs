//! Co-applicants on the plan page (issue 32): the owner invites from "Indieners", the
//! co-applicant finds the plan among their plans, edits it in the plan form and cannot submit
//! it, and steps out again.

use serde_json::json;

use crate::helpers::*;

#[test]
fn the_owner_invites_the_co_applicant_edits_and_steps_out() {
    let s = setup();
    let app = &s.app;
    let (mut owner, token) = crate::signed_in(app, &["applicant"], Some("resident"));
    let id = app
        .post(
            &format!("/rounds/{}/plans", s.round),
            Some(&token),
            json!({"title": "Moestuin aan de Heuvel"}),
        )
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let page = format!("/plannen/{id}");
    let (bob_id, bob_email, _) = crate::account(app, &["applicant"], Some("resident"), None);
    owner
        .get(&page)
        .expect(200)
        .shows("id=\"indieners\"")
        .shows("Uitnodigen");
    // A bad address is named, in Dutch.
    owner
        .submit(
            &page,
            &format!("{page}/mede-indieners"),
            &[("email", "geen-adres"), ("naam", "")],
        )
        .expect(409)
        .shows("E-mailadres:");
    let sent = owner
        .submit(
            &page,
            &format!("{page}/mede-indieners"),
            &[("email", &bob_email), ("naam", "")],
        )
        .expect(303);
    assert_eq!(
        sent.location.as_deref(),
        Some(format!("{page}?bericht=uitgenodigd#indieners").as_str())
    );
    owner
        .get(&format!("{page}?bericht=uitgenodigd"))
        .expect(200)
        .shows("De uitnodiging is verstuurd.")
        .shows(&bob_email)
        .shows(&format!("{page}/mede-indieners/{bob_id}/verwijderen"));

    // Bob: the plan is among his plans; he edits it, and may not submit it.
    let mut bob = crate::browser::Browser::new(app);
    bob.sign_in(&bob_email, PASSWORD);
    bob.get("/mijn-plannen")
        .expect(200)
        .shows("Moestuin aan de Heuvel");
    let seen = bob.get(&page).expect(200);
    seen.shows("Bewerken").shows("Uit dit plan stappen");
    assert!(
        !seen.html.contains("Plan indienen"),
        "only the owner submits"
    );
    assert!(!seen.html.contains("Uitnodigen"), "only the owner invites");
    let form = format!("{page}/bewerken");
    let html = bob.get(&form).expect(200).html;
    let version = html
        .split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the form carries the plan's version")
        .to_string();
    bob.submit(
        &form,
        &form,
        &[
            ("action", "opslaan"),
            ("version", &version),
            ("title", "Moestuin aan de Heuvel, met Bob"),
        ],
    )
    .expect(303);
    owner
        .get(&page)
        .expect(200)
        .shows("Moestuin aan de Heuvel, met Bob");
    bob.get(&format!("{page}/indienen")).expect(403);

    // Bob steps out: back to his plans, the plan gone from them.
    let out = bob
        .submit(
            &page,
            &format!("{page}/mede-indieners/{bob_id}/verwijderen"),
            &[],
        )
        .expect(303);
    assert_eq!(
        out.location.as_deref(),
        Some("/mijn-plannen?bericht=uitgestapt")
    );
    bob.get(&page).expect(404);
}
