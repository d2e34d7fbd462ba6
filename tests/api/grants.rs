//! After adoption: a grant's whole life over HTTP, on whichever database the run uses:
//! adoption → bank account → advance released, exported as pain.001.001.09 (validated against
//! the official schema) and paid → progress report → final report with an attachment →
//! final amount → claim; and the refusals and races on the way.

use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::adoptions::{adopt, decided, today};
use crate::assessment::{advice, board, plan_in, Board};
use crate::helpers::*;

pub const IBAN: &str = "NL02 ABNA 0123 4567 89";

/// A board with one plan of `amount` decided, adopted, and its grant as the team reads it.
pub fn granted(amount: i64) -> (Board, Value) {
    let b = board(2);
    decided(
        &b,
        plan_in("B", amount, &b.s.org),
        advice("positive", amount, [2, 2, 2, 2]),
    );
    adopt(
        &b,
        json!({"adopted_on": today(), "reference": "B&W 2025/200"}),
    )
    .expect(201);
    let list =
        b.s.app
            .get(&format!("/grants?round={}", b.s.round), Some(&b.s.team))
            .expect(200);
    let g = list.body["items"][0].clone();
    (b, g)
}

fn outbox_kinds(app: &TestApp) -> Vec<String> {
    app.get("/outbox", Some(&app.admin_token()))
        .expect(200)
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap().to_string())
        .collect()
}

/// Validates a pain.001.001.09 document against the schema the `sepaxml` package ships, with
/// lxml. Skipped without them, unless `PLANLOKET_REQUIRE_BROWSER` is set (CI installs them).
pub fn validate_pain001(xml: &str) {
    let python = std::env::var("PLANLOKET_PYTHON").unwrap_or_else(|_| "python3".into());
    let has = Command::new(&python)
        .args(["-c", "import lxml, sepaxml"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has {
        assert!(
            std::env::var_os("PLANLOKET_REQUIRE_BROWSER").is_none(),
            "{python} lacks lxml and sepaxml"
        );
        eprintln!("skipped: {python} lacks lxml and sepaxml to validate pain.001");
        return;
    }
    let path = std::env::temp_dir().join(format!("pain001-{}.xml", uuid::Uuid::now_v7()));
    std::fs::write(&path, xml).unwrap();
    let script = r#"
import os, sys, sepaxml
from lxml import etree
xsd = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", "pain.001.001.09.xsd")
schema = etree.XMLSchema(etree.parse(xsd))
doc = etree.parse(sys.argv[1])
if not schema.validate(doc):
    print(schema.error_log, file=sys.stderr)
    sys.exit(1)
"#;
    let out = Command::new(&python)
        .args(["-c", script])
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "pain.001 does not validate: {}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_grant_runs_from_adoption_to_the_final_amount_and_a_claim() {
    let (b, g) = granted(9000);
    let app = &b.s.app;
    let id = g["id"].as_str().unwrap().to_string();
    assert_eq!(g["amount_eur"], 9000);
    assert_eq!(g["status"], "running");
    assert_eq!(g["payee_id"], b.s.org.as_str());
    assert_eq!(g["paid_eur"], 0);
    // The advance: 80 % of the grant, due now; the plan runs 2025-2026, adopted today, so a
    // final report 13 weeks after 2026 (or after today, when later).
    assert_eq!(g["payments"].as_array().unwrap().len(), 1);
    assert_eq!(g["payments"][0]["kind"], "advance");
    assert_eq!(g["payments"][0]["amount_eur"], 7200);
    assert_eq!(g["payments"][0]["status"], "due");
    let kinds: Vec<&str> = g["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.last(), Some(&"final"));
    assert!(
        g["reports"][0].get("id").is_none(),
        "an unfiled report has no id yet"
    );
    let payment = g["payments"][0]["id"].as_str().unwrap().to_string();

    // Who reads it: the owner and the board yes, another applicant not even its existence.
    app.get(&format!("/grants/{id}"), Some(&b.s.resident))
        .expect(200);
    app.get(&format!("/grants/{id}"), Some(&b.chair))
        .expect(200);
    let (_, stranger) = app.user_with(&["applicant"], Some("resident"), None);
    app.get(&format!("/grants/{id}"), Some(&stranger))
        .expect(404);
    let theirs = app.get("/grants", Some(&stranger)).expect(200);
    assert_eq!(theirs.body["items"], json!([]));
    let mine = app.get("/grants", Some(&b.s.resident)).expect(200);
    assert_eq!(mine.body["items"][0]["id"], id.as_str());

    // A confirmed member of the payee: told of its bank account, and reads the grant.
    let (_, member) = app.user_with(&["applicant"], Some("partner"), Some(&b.s.org));
    app.get(&format!("/grants/{id}"), Some(&member)).expect(200);
    // No bank account yet: the payment waits.
    let r = app
        .post(
            &format!("/payments/{payment}/release"),
            Some(&b.s.team),
            json!({}),
        )
        .expect(409);
    assert!(r.body["detail_nl"].as_str().unwrap().contains("IBAN"));
    let account = format!("/organisations/{}/bank-account", b.s.org);
    let none = app.get(&account, Some(&b.s.team)).expect(200);
    assert_eq!(none.body["iban"], Value::Null);
    let r = app
        .send(
            "PUT",
            &account,
            Some(&b.s.team),
            Some((
                "application/json",
                br#"{"iban": "NL02 ABNA 0123 4567 88", "holder": ""}"#,
            )),
            &[],
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["iban", "holder"]);
    let body = json!({"iban": IBAN, "holder": "Welzijn Leidschendam-Noord"}).to_string();
    // Only the programme team records it: not the applicant, not an admin.
    for token in [&b.s.resident, &app.admin_token()] {
        app.send(
            "PUT",
            &account,
            Some(token),
            Some(("application/json", body.as_bytes())),
            &[],
        )
        .expect(403);
    }
    let r = app
        .send(
            "PUT",
            &account,
            Some(&b.s.team),
            Some(("application/json", body.as_bytes())),
            &[],
        )
        .expect(200);
    assert_eq!(r.body["iban"], "NL02ABNA0123456789");
    assert_eq!(
        app.get(&account, Some(&b.s.team)).expect(200).body["holder"],
        "Welzijn Leidschendam-Noord"
    );

    // Released once; exported in one batch; a second batch finds nothing.
    let due = app.get("/payments?status=due", Some(&b.s.team)).expect(200);
    assert_eq!(due.body["items"][0]["has_bank_account"], true);
    app.get("/payments?status=owed", Some(&b.s.team))
        .expect(400);
    app.get("/payments", Some(&b.s.resident)).expect(403);
    let r = app
        .post(
            &format!("/payments/{payment}/release"),
            Some(&b.s.team),
            json!({}),
        )
        .expect(200);
    assert_eq!(r.body["status"], "released");
    app.post(
        &format!("/payments/{payment}/release"),
        Some(&b.s.team),
        json!({}),
    )
    .expect(409);
    // Four eyes: the team that released it makes no batch; finance does, and only into an
    // account a second person confirmed.
    for token in [&b.s.resident, &b.s.team] {
        app.post("/payment-batches", Some(token), json!({}))
            .expect(403);
    }
    let fin = app.finance_token();
    let waiting = app.get("/payments?status=released", Some(&fin)).expect(200);
    assert_eq!(waiting.body["items"][0]["bank_account_confirmed"], false);
    let r = app
        .post("/payment-batches", Some(&fin), json!({}))
        .expect(409);
    assert!(
        r.body["detail_nl"]
            .as_str()
            .unwrap()
            .contains("bevestigde bankrekening"),
        "{}",
        r.text
    );
    app.post(&format!("{account}/confirm"), Some(&b.s.team), json!({}))
        .expect(403);
    let confirmed = app
        .post(&format!("{account}/confirm"), Some(&fin), json!({}))
        .expect(200);
    assert_eq!(confirmed.body["confirmed"], true);
    assert_eq!(
        app.get(&account, Some(&b.s.team)).expect(200).body["confirmed"],
        true
    );
    let batch = app
        .post("/payment-batches", Some(&fin), json!({}))
        .expect(201);
    assert_eq!(batch.body["left_out"], json!([]));
    assert_eq!(batch.body["total_eur"], 7200);
    assert_eq!(batch.body["count"], 1);
    assert_eq!(batch.body["payments"][0]["status"], "exported");
    let first = batch.body["id"].as_str().unwrap().to_string();
    app.post("/payment-batches", Some(&fin), json!({}))
        .expect(409);

    // The file for the bank, valid against the official schema.
    let xml = app.send(
        "GET",
        &format!("/payment-batches/{first}"),
        Some(&fin),
        None,
        &[("Accept", "application/xml")],
    );
    assert_eq!(xml.status, 200, "{}", xml.text);
    assert!(xml
        .header("content-type")
        .unwrap()
        .starts_with("application/xml"));
    assert!(xml.text.contains("<IBAN>NL02ABNA0123456789</IBAN>"));
    assert!(xml
        .text
        .contains("<InstdAmt Ccy=\"EUR\">7200.00</InstdAmt>"));
    validate_pain001(&xml.text);
    app.send(
        "GET",
        &format!("/payment-batches/{first}"),
        Some(&fin),
        None,
        &[("Accept", "text/csv")],
    )
    .expect(406);

    // Cancelled before it is paid: the payment is released again and goes into a new batch;
    // the cancelled file is no longer served.
    let r = app
        .post(
            &format!("/payment-batches/{first}/cancel"),
            Some(&fin),
            json!({}),
        )
        .expect(200);
    assert_eq!(r.body["status"], "cancelled");
    app.send(
        "GET",
        &format!("/payment-batches/{first}"),
        Some(&fin),
        None,
        &[("Accept", "application/xml")],
    )
    .expect(409);
    app.post(
        &format!("/payment-batches/{first}/paid"),
        Some(&fin),
        json!({}),
    )
    .expect(409);
    let second = app
        .post("/payment-batches", Some(&fin), json!({}))
        .expect(201);
    let second = second.body["id"].as_str().unwrap().to_string();
    let r = app
        .post(
            &format!("/payment-batches/{second}/paid"),
            Some(&fin),
            json!({}),
        )
        .expect(200);
    assert_eq!(r.body["payments"][0]["status"], "paid");
    app.post(
        &format!("/payment-batches/{second}/cancel"),
        Some(&fin),
        json!({}),
    )
    .expect(409);
    let list = app.get("/payment-batches", Some(&b.s.team)).expect(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
    let g = app
        .get(&format!("/grants/{id}"), Some(&b.s.resident))
        .expect(200);
    assert_eq!(g.body["paid_eur"], 7200);
    let kinds = outbox_kinds(app);
    assert!(kinds.contains(&"payment".to_string()), "{kinds:?}");

    // Reports: bad fields named; only the applicant files; once each.
    let reports = format!("/grants/{id}/reports");
    let r = app
        .post(
            &reports,
            Some(&b.s.resident),
            json!({"kind": "final", "done": "", "reach": -3, "spent": [{"source": "programme", "amount_eur": -1}]}),
        )
        .expect(400);
    assert_eq!(
        r.error_fields(),
        vec!["done", "reach", "spent[0].amount_eur"]
    );
    // Spending from the programme is at most the grant; another source within reason.
    let r = app
        .post(
            &reports,
            Some(&b.s.resident),
            json!({"kind": "final", "done": "Klaar", "reach": 3, "spent": [
                {"source": "programme", "amount_eur": 1_000_000_000_000_i64},
                {"source": "Fonds 1818", "amount_eur": 50_000_000}]}),
        )
        .expect(400);
    assert_eq!(
        r.error_fields(),
        vec!["spent[0].amount_eur", "spent[1].amount_eur"]
    );
    let progress = json!({"kind": "progress", "done": "Tien middagen huiswerkklas", "reach": 25,
        "spent": [{"source": "programme", "amount_eur": 3000}]});
    let has_progress = g.body["reports"].as_array().unwrap().len() == 2;
    if has_progress {
        app.post(&reports, Some(&b.s.team), progress.clone())
            .expect(403);
        let r = app
            .post(&reports, Some(&b.s.resident), progress.clone())
            .expect(201);
        assert_eq!(r.body["reports"][0]["status"], "filed");
        assert_eq!(r.body["spent_eur"], 3000);
        app.post(&reports, Some(&b.s.resident), progress)
            .expect(409);
    }
    // No final amount before the final report.
    let final_amount = format!("/grants/{id}/final-amount");
    app.post(
        &final_amount,
        Some(&b.s.team),
        json!({"amount_eur": 6000, "motivation": "Minder besteed"}),
    )
    .expect(409);
    let r = app
        .post(
            &reports,
            Some(&b.s.resident),
            json!({"kind": "final", "done": "Veertig kinderen, het hele schooljaar", "reach": 40,
                "spent": [{"source": "programme", "amount_eur": 6000}, {"source": "Fonds 1818", "amount_eur": 2500}]}),
        )
        .expect(201);
    let final_report = r.body["reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "final")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // An attachment: a PDF by its bytes; a web page is refused; too big is refused.
    let attach = format!("/reports/{final_report}/attachment?name=verslag.pdf");
    let pdf = b"%PDF-1.4\n% eindverslag huiswerkklas\n";
    let r = app
        .send(
            "PUT",
            &attach,
            Some(&b.s.resident),
            Some(("application/pdf", pdf)),
            &[],
        )
        .expect(200);
    let a = &r.body["reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "final")
        .unwrap()["attachment"];
    assert_eq!(a["name"], "verslag.pdf");
    assert_eq!(a["media_type"], "application/pdf");
    let r = app
        .send(
            "PUT",
            &attach,
            Some(&b.s.resident),
            Some((
                "application/octet-stream",
                b"<html><script>x</script></html>",
            )),
            &[],
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["attachment"]);
    app.send(
        "PUT",
        &attach,
        Some(&b.s.resident),
        Some(("text/html", pdf)),
        &[],
    )
    .expect(415);
    app.send(
        "PUT",
        &attach,
        Some(&stranger),
        Some(("application/pdf", pdf)),
        &[],
    )
    .expect(404);
    let got = app.send(
        "GET",
        &format!("/reports/{final_report}/attachment"),
        Some(&b.chair),
        None,
        &[],
    );
    assert_eq!(got.status, 200);
    assert_eq!(got.text.as_bytes(), pdf);
    assert!(got
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment"));
    // A download is named by what its bytes are, with the UTF-8 name beside an ASCII one.
    app.send(
        "PUT",
        &format!("/reports/{final_report}/attachment?name=Eindverslag%20%C3%9Ctrecht.html"),
        Some(&b.s.resident),
        Some(("application/pdf", pdf)),
        &[],
    )
    .expect(200);
    let got = app.send(
        "GET",
        &format!("/reports/{final_report}/attachment"),
        Some(&b.chair),
        None,
        &[],
    );
    let disposition = got.header("content-disposition").unwrap();
    assert!(
        disposition.contains("filename=\"Eindverslag _trecht.pdf\"")
            && disposition.contains("filename*=UTF-8''Eindverslag%20%C3%9Ctrecht.pdf"),
        "{disposition}"
    );

    // Several attachments: each added after the others (the PUT one stays first), listed,
    // read one by one, removed by the applicant; at most ten.
    let many = format!("/reports/{final_report}/attachments");
    let png = b"\x89PNG\r\n\x1a\n foto van de klas";
    let r = app
        .send(
            "POST",
            &format!("{many}?name=klas.png"),
            Some(&b.s.resident),
            Some(("image/png", png)),
            &[],
        )
        .expect(201);
    assert_eq!(r.body["name"], "klas.png");
    assert_eq!(r.body["media_type"], "image/png");
    let photo = r.body["id"].as_str().unwrap().to_string();
    let listed = app.get(&many, Some(&b.chair)).expect(200);
    let names: Vec<&str> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Eindverslag Ütrecht.html", "klas.png"]);
    let got = app.send(
        "GET",
        &format!("{many}/{photo}"),
        Some(&b.s.team),
        None,
        &[],
    );
    assert_eq!(got.status, 200);
    assert_eq!(got.header("content-type").unwrap(), "image/png");
    // PUT still puts over the first only.
    app.send(
        "PUT",
        &attach,
        Some(&b.s.resident),
        Some(("application/pdf", pdf)),
        &[],
    )
    .expect(200);
    assert_eq!(
        app.get(&many, Some(&b.s.resident)).expect(200).body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    app.send(
        "POST",
        &many,
        Some(&stranger),
        Some(("image/png", png)),
        &[],
    )
    .expect(404);
    app.send(
        "DELETE",
        &format!("{many}/{photo}"),
        Some(&b.s.team),
        None,
        &[],
    )
    .expect(403);
    app.send(
        "DELETE",
        &format!("{many}/{photo}"),
        Some(&b.s.resident),
        None,
        &[],
    )
    .expect(204);
    app.send(
        "GET",
        &format!("{many}/{photo}"),
        Some(&b.s.resident),
        None,
        &[],
    )
    .expect(404);
    for i in 1..10 {
        app.send(
            "POST",
            &format!("{many}?name=foto-{i}.png"),
            Some(&b.s.resident),
            Some(("image/png", png)),
            &[],
        )
        .expect(201);
    }
    let r = app
        .send(
            "POST",
            &many,
            Some(&b.s.resident),
            Some(("image/png", png)),
            &[],
        )
        .expect(409);
    assert!(
        r.text.contains("hoogstens 10") || r.text.contains("at most 10"),
        "{}",
        r.text
    );
    let r = app
        .get(&format!("/grants/{id}"), Some(&b.s.resident))
        .expect(200);
    let fin = r.body["reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "final")
        .unwrap();
    assert_eq!(fin["attachments"].as_array().unwrap().len(), 10);
    assert_eq!(fin["attachment"]["name"], "verslag.pdf");

    // The final amount: at most the grant, with a motivation; less than paid is a claim.
    let r = app
        .post(&final_amount, Some(&b.s.team), json!({"amount_eur": 9001}))
        .expect(400);
    assert_eq!(r.error_fields(), vec!["amount_eur", "motivation"]);
    app.post(
        &final_amount,
        Some(&b.s.resident),
        json!({"amount_eur": 6000, "motivation": "x"}),
    )
    .expect(403);
    let r = app
        .post(
            &final_amount,
            Some(&b.s.team),
            json!({"amount_eur": 6000, "motivation": "Er is € 6.000 besteed volgens het eindverslag."}),
        )
        .expect(200);
    assert_eq!(r.body["final_eur"], 6000);
    assert_eq!(r.body["claim_eur"], 1200);
    assert_eq!(r.body["status"], "finished");
    assert!(r.body["reports"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == "accepted"));
    assert_eq!(
        r.body["payments"].as_array().unwrap().len(),
        1,
        "no final payment"
    );
    app.post(
        &final_amount,
        Some(&b.s.team),
        json!({"amount_eur": 6000, "motivation": "nog eens"}),
    )
    .expect(409);
    let kinds = outbox_kinds(app);
    assert!(kinds.contains(&"final_amount".to_string()), "{kinds:?}");
    assert!(kinds.contains(&"bank_account".to_string()), "{kinds:?}");

    // The results: per theme granted, paid, spent and reach, as JSON and as a Dutch page.
    let res = app
        .get(&format!("/rounds/{}/results", b.s.round), None)
        .expect(200);
    let theme = res.body["themes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["granted_eur"] != 0)
        .unwrap()
        .clone();
    assert_eq!(theme["granted_eur"], 9000);
    assert_eq!(theme["paid_eur"], 7200);
    assert_eq!(theme["spent_eur"], 6000);
    assert_eq!(theme["reach"], 40);
    // The public results carry only what the public page shows: nothing of the money's way,
    // the final amount's motivation, a claim or attachments.
    let action = &theme["actions"][0];
    assert_eq!(action["amount_eur"], 9000);
    assert_eq!(
        action["reports"][0]["done"],
        "Veertig kinderen, het hele schooljaar"
    );
    for private in [
        "id",
        "payee_id",
        "payments",
        "final_motivation",
        "claim_eur",
        "version",
    ] {
        assert!(action.get(private).is_none(), "{private} in {action}");
    }
    assert!(
        !res.text.contains("attachment") && !res.text.contains("batch"),
        "{}",
        res.text
    );
    let page = app.send(
        "GET",
        &format!("/rounds/{}/results", b.s.round),
        None,
        None,
        &[("Accept", "text/html")],
    );
    assert_eq!(page.status, 200);
    assert!(page.text.contains("<html lang=\"nl\">"));
    assert!(page.text.contains("Veertig kinderen"));
    assert!(page.text.contains("Fonds 1818"));
}

#[test]
fn more_spent_than_the_advance_is_a_final_payment_and_stopping_early_stops_the_grant() {
    let (b, g) = granted(10_000);
    let app = &b.s.app;
    let id = g["id"].as_str().unwrap();
    // Final report stopping early: the grant stops; a stop goes with the final report only.
    let reports = format!("/grants/{id}/reports");
    let r = app
        .post(
            &reports,
            Some(&b.s.resident),
            json!({"kind": "progress", "done": "x", "reach": 1, "stopped_reason": "Geen vrijwilligers"}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["stopped_reason"]);
    let r = app
        .post(
            &reports,
            Some(&b.s.resident),
            json!({"kind": "final", "done": "Half jaar gedraaid", "reach": 12,
                "spent": [{"source": "programme", "amount_eur": 9000}],
                "stopped_reason": "De vrijwilligers zijn gestopt"}),
        )
        .expect(201);
    assert_eq!(r.body["status"], "stopped");
    assert_eq!(r.body["stopped_reason"], "De vrijwilligers zijn gestopt");
    // The advance was never paid: the final amount replaces it with one final payment.
    let r = app
        .post(
            &format!("/grants/{id}/final-amount"),
            Some(&b.s.team),
            json!({"amount_eur": 9000, "motivation": "Besteed tot de stop"}),
        )
        .expect(200);
    assert_eq!(r.body["status"], "stopped");
    let payments = r.body["payments"].as_array().unwrap();
    assert_eq!(payments.len(), 1);
    assert_eq!(payments[0]["kind"], "final");
    assert_eq!(payments[0]["amount_eur"], 9000);
    assert_eq!(payments[0]["status"], "due");
    assert!(r.body.get("claim_eur").is_none());
    // The overview shows the action's progress.
    let o = app
        .get(&format!("/rounds/{}/overview", b.s.round), None)
        .expect(200);
    let action = o.body["themes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["plans"].as_array().unwrap().iter())
        .find(|a| a["plan_id"] == g["plan_id"])
        .unwrap()
        .clone();
    assert_eq!(action["progress"], "stopped");
}

#[test]
fn a_final_report_before_the_projects_last_year_is_the_report_of_one_that_stops_early() {
    use chrono::Datelike;
    let b = board(2);
    // The action runs until next year (the round's period stretched to it).
    let next = chrono::Utc::now().year() + 1;
    b.s.app
        .patch(
            &format!("/rounds/{}", b.s.round),
            Some(&b.s.team),
            json!({"end_year": next}),
        )
        .expect(200);
    let mut plan = plan_in("B", 5000, &b.s.org);
    plan["end_year"] = json!(next);
    decided(&b, plan, advice("positive", 5000, [2, 2, 2, 2]));
    adopt(
        &b,
        json!({"adopted_on": today(), "reference": "B&W 2025/201"}),
    )
    .expect(201);
    let g =
        b.s.app
            .get(&format!("/grants?round={}", b.s.round), Some(&b.s.team))
            .expect(200)
            .body["items"][0]
            .clone();
    let reports = format!("/grants/{}/reports", g["id"].as_str().unwrap());
    let mut report = json!({"kind": "final", "done": "Klaar", "reach": 10,
        "spent": [{"source": "programme", "amount_eur": 2000}]});
    let r =
        b.s.app
            .post(&reports, Some(&b.s.resident), report.clone())
            .expect(400);
    assert_eq!(r.error_fields(), vec!["stopped_reason"]);
    assert!(
        r.text.contains(&format!("loopt tot en met {next}")),
        "{}",
        r.text
    );
    report["stopped_reason"] = json!("De vrijwilligers zijn gestopt.");
    b.s.app
        .post(&reports, Some(&b.s.resident), report)
        .expect(201);
    let g =
        b.s.app
            .get(
                &format!("/grants/{}", g["id"].as_str().unwrap()),
                Some(&b.s.team),
            )
            .expect(200);
    assert_eq!(g.body["status"], "stopped");
}
