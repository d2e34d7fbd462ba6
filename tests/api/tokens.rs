//! Tokens: HS256 with iss, aud, exp and sub required; anything else is 401.

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::helpers::*;

fn sign(claims: Value, key: &[u8]) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(key),
    )
    .unwrap()
}

fn claims(sub: &str) -> Value {
    let now = chrono::Utc::now().timestamp();
    // `ep`: the account's session epoch (1 for an account whose credentials never changed).
    json!({"sub": sub, "ep": 1, "iat": now, "exp": now + 600, "iss": "planloket", "aud": "planloket"})
}

fn b64(v: &Value) -> String {
    // Unpadded base64url, as JWTs use.
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = serde_json::to_vec(v).unwrap();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[test]
fn a_token_signed_with_the_secret_for_a_real_user_is_accepted() {
    let app = spawn_app();
    let me = app.get("/me", Some(&app.admin_token())).expect(200);
    let id = me.body["id"].as_str().unwrap();
    app.get("/me", Some(&sign(claims(id), JWT_SECRET)))
        .expect(200);
}

#[test]
fn forged_expired_and_foreign_tokens_are_refused() {
    let app = spawn_app();
    let me = app.get("/me", Some(&app.admin_token())).expect(200);
    let id = me.body["id"].as_str().unwrap();
    let now = chrono::Utc::now().timestamp();

    let mut bad = vec![(
        "another key",
        sign(claims(id), b"another-secret-another-secret-another"),
    )];
    let mut c = claims(id);
    c["exp"] = json!(now - 120);
    bad.push(("expired", sign(c, JWT_SECRET)));
    let mut c = claims(id);
    c["iss"] = json!("someone-else");
    bad.push(("wrong issuer", sign(c, JWT_SECRET)));
    let mut c = claims(id);
    c["aud"] = json!("someone-else");
    bad.push(("wrong audience", sign(c, JWT_SECRET)));
    let mut c = claims(id);
    c.as_object_mut().unwrap().remove("sub");
    bad.push(("no sub", sign(c, JWT_SECRET)));
    let mut c = claims(id);
    c.as_object_mut().unwrap().remove("exp");
    bad.push(("no exp", sign(c, JWT_SECRET)));
    bad.push((
        "alg none",
        format!(
            "{}.{}.",
            b64(&json!({"alg": "none", "typ": "JWT"})),
            b64(&claims(id))
        ),
    ));
    bad.push((
        "unknown user",
        sign(claims("00000000-0000-7000-8000-000000000000"), JWT_SECRET),
    ));
    bad.push(("garbage", "not.a.token".to_string()));
    let hs512 = encode(
        &Header::new(Algorithm::HS512),
        &claims(id),
        &EncodingKey::from_secret(JWT_SECRET),
    )
    .unwrap();
    bad.push(("another algorithm", hs512));

    for (what, token) in bad {
        let r = app.get("/me", Some(&token));
        assert_eq!(r.status, 401, "{what}: {}", r.text);
        r.expect(401);
    }
    let r = app.send(
        "GET",
        "/me",
        None,
        None,
        &[("Authorization", "Basic YWRtaW46YWRtaW4=")],
    );
    assert_eq!(r.status, 401);
}
