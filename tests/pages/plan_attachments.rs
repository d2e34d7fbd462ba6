//! A plan's attachments on its pages (issue 32): listed and added on the plan page and the
//! plan form, read by download, removed by whoever added them; the team reads them.

use serde_json::json;

use crate::helpers::*;

#[test]
fn the_applicant_adds_reads_and_removes_files_from_the_plan_page_and_the_form() {
    let s = setup();
    let app = &s.app;
    let (mut applicant, token) = crate::signed_in(app, &["applicant"], Some("resident"));
    let id = app
        .post(
            &format!("/rounds/{}/plans", s.round),
            Some(&token),
            complete_plan(&s.org),
        )
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let page = format!("/plannen/{id}");
    let to = format!("/plannen/{id}/bijlagen");
    applicant
        .get(&page)
        .expect(200)
        .shows("Er zijn geen bijlagen.")
        .shows("Bijlage toevoegen");
    let pdf = b"%PDF-1.7 begroting".to_vec();
    let added = applicant
        .submit_file(&page, &to, &[], ("bestand", "begroting.pdf", &pdf))
        .expect(303);
    assert_eq!(
        added.location.as_deref(),
        Some(format!("/plannen/{id}?bericht=bijlage-toegevoegd#bijlagen").as_str())
    );
    let shown = applicant.get(&format!("/plannen/{id}?bericht=bijlage-toegevoegd"));
    shown
        .expect(200)
        .shows("De bijlage is toegevoegd.")
        .shows("begroting.pdf");
    let listed = app
        .get(&format!("/plans/{id}/attachments"), Some(&token))
        .expect(200);
    let aid = listed.body["items"][0]["id"].as_str().unwrap().to_string();
    let file = applicant.get(&format!("/bijlagen/{aid}"));
    assert_eq!(file.status, 200);
    assert_eq!(file.html.as_bytes(), pdf.as_slice());
    assert_eq!(file.content_type, "application/pdf");
    // A web page is no attachment: said in Dutch, nothing stored.
    applicant
        .submit_file(
            &page,
            &to,
            &[],
            ("bestand", "pagina.html", b"<html><script>x</script>"),
        )
        .shows("Dit soort bestand kan niet");
    // From the form: back to the form, which lists it too.
    let form = format!("/plannen/{id}/bewerken");
    applicant
        .get(&form)
        .expect(200)
        .shows("begroting.pdf")
        .shows("Sla eerst uw wijzigingen in het formulier hierboven op");
    let back = applicant
        .submit_file(
            &form,
            &to,
            &[("terug", "formulier")],
            ("bestand", "foto.png", b"\x89PNG\r\n\x1a\nfoto"),
        )
        .expect(303);
    assert_eq!(
        back.location.as_deref(),
        Some(format!("/plannen/{id}/bewerken?bericht=bijlage-toegevoegd#bijlagen").as_str())
    );
    let removed = applicant
        .submit(
            &page,
            &format!("/bijlagen/{aid}/verwijderen"),
            &[("plan", &id)],
        )
        .expect(303);
    assert_eq!(
        removed.location.as_deref(),
        Some(format!("/plannen/{id}?bericht=bijlage-verwijderd#bijlagen").as_str())
    );
    applicant.get(&format!("/bijlagen/{aid}")).expect(404);
    let left = app
        .get(&format!("/plans/{id}/attachments"), Some(&token))
        .expect(200);
    assert_eq!(left.body["items"].as_array().unwrap().len(), 1);

    // The team reads the files of a submitted plan, and adds or removes none.
    app.post(&format!("/plans/{id}/submit"), Some(&token), json!({}))
        .expect(200);
    let (mut team, _) = crate::signed_in(app, &["programme_team"], None);
    let seen = team.get(&page).expect(200);
    seen.shows("foto.png");
    assert!(!seen.html.contains("Bijlage toevoegen"));
    assert!(!seen.html.contains("/verwijderen\""));
    let photo = left.body["items"][0]["id"].as_str().unwrap();
    assert_eq!(team.get(&format!("/bijlagen/{photo}")).status, 200);
    // Submitted: the applicant's page no longer offers to add.
    assert!(!applicant
        .get(&page)
        .expect(200)
        .html
        .contains("Bijlage toevoegen"));
}
