//! A plan's attachments (issue 32, part 2): added by its applicants while it may be changed,
//! at most ten of at most 10 MB, recognised by their bytes (office files by their manifest),
//! read by whoever may see the plan, removed by whoever added them.

use std::io::Write;

use serde_json::json;

use crate::helpers::*;

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, data) in entries {
            z.start_file(*name, stored).unwrap();
            z.write_all(data).unwrap();
        }
        z.finish().unwrap();
    }
    out.into_inner()
}

fn upload(app: &TestApp, plan: &str, token: &str, name: &str, bytes: &[u8]) -> Resp {
    app.send(
        "POST",
        &format!("/plans/{plan}/attachments?name={name}"),
        Some(token),
        Some(("application/octet-stream", bytes)),
        &[],
    )
}

#[test]
fn applicants_add_files_of_the_accepted_kinds_and_those_who_see_the_plan_read_them() {
    let s = setup();
    let app = &s.app;
    let plan = s.draft(complete_plan(&s.org));
    let pdf = b"%PDF-1.7\nbegroting".to_vec();
    let r = upload(app, &plan, &s.resident, "begroting.pdf", &pdf).expect(201);
    assert_eq!(r.body["name"], "begroting.pdf");
    assert_eq!(r.body["size"], pdf.len());
    assert_eq!(r.body["content_type"], "application/pdf");
    let pdf_id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        r.header("location"),
        Some(format!("/api/v1/attachments/{pdf_id}").as_str())
    );
    // Office files by their manifest, whatever they are called or sent as.
    let docx = zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", b"<w:document/>"),
    ]);
    let r = upload(app, &plan, &s.resident, "steunbrief.docx", &docx).expect(201);
    assert_eq!(
        r.body["content_type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let ods = zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("META-INF/manifest.xml", b"<manifest/>"),
    ]);
    let r = upload(app, &plan, &s.resident, "kosten", &ods).expect(201);
    assert_eq!(
        r.body["content_type"],
        "application/vnd.oasis.opendocument.spreadsheet"
    );
    // Anything else is 415, a zip named .docx too; an empty file 400 naming it.
    for (name, bad) in [
        ("pagina.html", b"<html><script>alert(1)</script>".to_vec()),
        ("nep.docx", zip_of(&[("evil.exe", b"MZ")])),
    ] {
        let r = upload(app, &plan, &s.resident, name, &bad).expect(415);
        assert_eq!(
            r.body["type"],
            "urn:planloket:problem:unsupported-media-type"
        );
    }
    let r = upload(app, &plan, &s.resident, "leeg.pdf", b"").expect(400);
    assert_eq!(r.error_fields(), vec!["file"]);
    // Sent as a type that is no file at all: 415 before anything is read.
    app.send(
        "POST",
        &format!("/plans/{plan}/attachments?name=x"),
        Some(&s.resident),
        Some(("text/html", b"<p>")),
        &[],
    )
    .expect(415);

    let list = app
        .get(&format!("/plans/{plan}/attachments"), Some(&s.resident))
        .expect(200);
    let names: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["begroting.pdf", "steunbrief.docx", "kosten"]);
    let got = app
        .get(&format!("/attachments/{pdf_id}"), Some(&s.resident))
        .expect(200);
    assert_eq!(got.text.as_bytes(), pdf.as_slice());
    assert_eq!(got.header("content-type"), Some("application/pdf"));
    assert!(got
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment"));

    // A draft is its owner's: the team sees neither it nor its files.
    app.get(&format!("/plans/{plan}/attachments"), Some(&s.team))
        .expect(404);
    app.get(&format!("/attachments/{pdf_id}"), Some(&s.team))
        .expect(404);
    app.post(
        &format!("/plans/{plan}/submit"),
        Some(&s.resident),
        json!({}),
    )
    .expect(200);
    // Submitted: the team and the board read them; another applicant does not.
    let (_, board) = app.user_with(&["board_member"], None, None);
    for token in [&s.team, &board] {
        app.get(&format!("/plans/{plan}/attachments"), Some(token))
            .expect(200);
        app.get(&format!("/attachments/{pdf_id}"), Some(token))
            .expect(200);
    }
    let (_, other) = app.user_with(&["applicant"], Some("resident"), None);
    app.get(&format!("/plans/{plan}/attachments"), Some(&other))
        .expect(404);
    app.get(&format!("/attachments/{pdf_id}"), Some(&other))
        .expect(404);
    app.get(&format!("/attachments/{pdf_id}"), None).expect(401);
    // Once submitted, nothing is added or removed (until the team asks for more).
    let r = upload(app, &plan, &s.resident, "laat.pdf", &pdf).expect(409);
    assert_eq!(r.body["type"], "urn:planloket:problem:conflict");
    app.send(
        "DELETE",
        &format!("/attachments/{pdf_id}"),
        Some(&s.resident),
        None,
        &[],
    )
    .expect(409);
    // The team cannot add to an applicant's plan.
    upload(app, &plan, &s.team, "team.pdf", &pdf).expect(403);
}

#[test]
fn ten_at_most_removed_by_their_uploader_and_more_after_a_question() {
    let s = setup();
    let app = &s.app;
    let plan = s.draft(complete_plan(&s.org));
    let png = b"\x89PNG\r\n\x1a\nfoto".to_vec();
    let mut ids = Vec::new();
    for i in 0..10 {
        let r = upload(app, &plan, &s.resident, &format!("foto{i}.png"), &png).expect(201);
        ids.push(r.body["id"].as_str().unwrap().to_string());
    }
    let r = upload(app, &plan, &s.resident, "elf.png", &png).expect(409);
    assert!(r.text.contains("10"), "{}", r.text);
    // Only its uploader removes one; then there is room again.
    let (_, other) = app.user_with(&["applicant"], Some("resident"), None);
    app.send(
        "DELETE",
        &format!("/attachments/{}", ids[3]),
        Some(&other),
        None,
        &[],
    )
    .expect(404);
    app.send(
        "DELETE",
        &format!("/attachments/{}", ids[3]),
        Some(&s.resident),
        None,
        &[],
    )
    .expect(204);
    app.get(&format!("/attachments/{}", ids[3]), Some(&s.resident))
        .expect(404);
    upload(app, &plan, &s.resident, "elf.png", &png).expect(201);
    let list = app
        .get(&format!("/plans/{plan}/attachments"), Some(&s.resident))
        .expect(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 10);
    // Over 10 MB: refused, naming the file.
    let big = {
        let mut b = b"%PDF-".to_vec();
        b.resize(10 * 1024 * 1024 + 1, b' ');
        b
    };
    app.send(
        "DELETE",
        &format!("/attachments/{}", ids[0]),
        Some(&s.resident),
        None,
        &[],
    )
    .expect(204);
    let r = upload(app, &plan, &s.resident, "groot.pdf", &big).expect(400);
    assert_eq!(r.error_fields(), vec!["file"]);
    // After submission and the team's question, the applicant may add again.
    app.post(
        &format!("/plans/{plan}/submit"),
        Some(&s.resident),
        json!({}),
    )
    .expect(200);
    app.post(
        &format!("/plans/{plan}/start-review"),
        Some(&s.team),
        json!({}),
    )
    .expect(200);
    app.post(
        &format!("/plans/{plan}/request-info"),
        Some(&s.team),
        json!({"message": "Stuur de begroting mee."}),
    )
    .expect(200);
    upload(app, &plan, &s.resident, "begroting.pdf", b"%PDF-1.4 x").expect(201);
}

#[test]
fn a_draft_with_attachments_is_deleted_with_its_files() {
    let s = setup();
    let app = &s.app;
    let plan = s.draft(complete_plan(&s.org));
    let id = upload(app, &plan, &s.resident, "begroting.pdf", b"%PDF-1.4 x")
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let file = app.db.data_dir().join("attachments").join(&id);
    assert!(file.exists(), "{}", file.display());
    app.send(
        "DELETE",
        &format!("/plans/{plan}"),
        Some(&s.resident),
        None,
        &[],
    )
    .expect(204);
    app.get(&format!("/plans/{plan}"), Some(&s.resident))
        .expect(404);
    app.get(&format!("/attachments/{id}"), Some(&s.resident))
        .expect(404);
    assert!(!file.exists(), "the file goes with the draft");
}
