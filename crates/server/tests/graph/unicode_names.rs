//! Look-alike user names (T02, T33): fifty concurrent creates of one user name in case
//! variants and Unicode look-alikes leave exactly one user. Case variants collide with a
//! Graph `ObjectConflict`; look-alikes (fullwidth, Cyrillic, dotless ı, Kelvin sign,
//! decomposed accents, zero-width joiners, right-to-left marks) are refused as invalid,
//! so no second account can pass for the first. The same table as e-mail addresses
//! (`mail`, which reserves an SMTP proxy address) on create and on `PATCH`: variants of a
//! held address collide, look-alikes are refused, and nothing changes.

use crate::support::{TestApp, new_user};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Case variants of `kate.adele@contoso.com`, which must collide.
fn case_variants() -> Vec<String> {
    let base = "kate.adele";
    let mut variants: Vec<String> = (0..30u32)
        .map(|mask| {
            let local: String = base
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if mask >> (i % 10) & 1 == 1 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect();
            format!("{local}@contoso.com")
        })
        .collect();
    variants.push("KATE.ADELE@CONTOSO.COM".into());
    variants.push("kate.adele@Contoso.Com".into());
    variants.push("kate.adele@contoso.com.".into());
    variants
}

/// Look-alikes of the same name, which must be refused.
fn look_alikes() -> Vec<String> {
    [
        "ｋate.adele@contoso.com",        // fullwidth k
        "kаte.adele@contoso.com",         // Cyrillic а
        "\u{212A}ate.adele@contoso.com",  // Kelvin sign
        "kate.adele@contoso.com\u{200D}", // zero-width joiner
        "kate.ad\u{0435}le@contoso.com",  // Cyrillic е
        "kate.adéle@contoso.com",         // precomposed é
        "kate.ade\u{0301}le@contoso.com", // e + combining acute
        "kate\u{200B}.adele@contoso.com", // zero-width space
        "\u{202E}kate.adele@contoso.com", // right-to-left override
        "kate.adele@contoso\u{3002}com",  // ideographic full stop
        "kate.adele@сontoso.com",         // Cyrillic с in the domain
        "kate.adele@xn--contoso.com",     // a punycode-looking domain
        "KATE.ADELE@CONTOSO.COM\u{0000}", // NUL
        "kate.adele\u{00A0}@contoso.com", // no-break space
        "katе.adele@contoso.com",         // Cyrillic е again, in another place
        "ka\u{0131}te@contoso.com",       // dotless ı
        "kate.adele@contoso.com ",        // trailing space
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

#[tokio::test]
async fn fifty_concurrent_creates_of_one_name_in_variants_leave_exactly_one_user() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let variants: Vec<(bool, String)> = case_variants()
        .into_iter()
        .map(|v| (true, v))
        .chain(look_alikes().into_iter().map(|v| (false, v)))
        .collect();
    assert_eq!(variants.len(), 50);
    let mut tasks = Vec::new();
    for (collides, upn) in variants {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let reply = app.post("/users", new_user(&upn)).await;
            (collides, upn, reply.status, reply.text)
        }));
    }
    let mut created = Vec::new();
    for task in tasks {
        let (collides, upn, status, text) = task.await.unwrap();
        if status == StatusCode::CREATED {
            assert!(collides, "a look-alike was created: {upn:?}");
            created.push(upn);
            continue;
        }
        assert_eq!(status, StatusCode::BAD_REQUEST, "{upn:?}: {text}");
        let body: Value = serde_json::from_str(&text).unwrap();
        let conflict = body["error"]["details"][0]["code"] == "ObjectConflict";
        assert_eq!(conflict, collides, "{upn:?} got {body}");
    }
    assert_eq!(created.len(), 1, "created: {created:?}");
    let reply = app
        .get_eventual("/users?$filter=startsWith(userPrincipalName,'kate')&$count=true")
        .await;
    assert_eq!(reply.json()["@odata.count"], 1, "{}", reply.text);
}

/// Each variant of Kate's address, paired with whether it must collide (a case variant)
/// rather than be refused (a look-alike).
fn address_variants() -> Vec<(bool, String)> {
    let cases = case_variants().into_iter().map(|v| (true, v));
    cases.chain(look_alikes().into_iter().map(|v| (false, v))).collect()
}

/// Fails unless `reply` is Graph's 400 and, exactly when `collides`, an `ObjectConflict`
/// on the proxy addresses.
fn assert_refused(collides: bool, address: &str, status: StatusCode, text: &str) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{address:?}: {text}");
    let body: Value = serde_json::from_str(text).unwrap();
    let conflict = body["error"]["details"][0]["code"] == "ObjectConflict";
    assert_eq!(conflict, collides, "{address:?} got {body}");
    if collides {
        assert_eq!(body["error"]["details"][0]["target"], "proxyAddresses", "{body}");
    }
}

#[tokio::test]
async fn fifty_concurrent_creates_with_variants_of_a_held_address_create_no_one() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let mut kate = new_user("kate@contoso.com");
    kate["mail"] = json!("kate.adele@contoso.com");
    assert_eq!(app.post("/users", kate).await.status, StatusCode::CREATED);
    let variants = address_variants();
    assert_eq!(variants.len(), 50);
    let mut tasks = Vec::new();
    for (n, (collides, address)) in variants.into_iter().enumerate() {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let mut body = new_user(&format!("other{n}@contoso.com"));
            body["mail"] = json!(address);
            let reply = app.post("/users", body).await;
            (collides, address, reply.status, reply.text)
        }));
    }
    for task in tasks {
        let (collides, address, status, text) = task.await.unwrap();
        assert_refused(collides, &address, status, &text);
    }
    let reply = app
        .get_eventual("/users?$filter=startsWith(userPrincipalName,'other')&$count=true")
        .await;
    assert_eq!(reply.json()["@odata.count"], 0, "{}", reply.text);
}

#[tokio::test]
async fn patching_a_variant_of_a_held_address_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let mut kate = new_user("kate@contoso.com");
    kate["mail"] = json!("kate.adele@contoso.com");
    assert_eq!(app.post("/users", kate).await.status, StatusCode::CREATED);
    let mut lee = new_user("lee@contoso.com");
    lee["mail"] = json!("lee@contoso.com");
    assert_eq!(app.post("/users", lee).await.status, StatusCode::CREATED);
    let before = app
        .get("/users/lee@contoso.com?$select=mail,proxyAddresses")
        .await
        .json();
    for (collides, address) in address_variants() {
        let reply = app.patch("/users/lee@contoso.com", json!({ "mail": address })).await;
        assert_refused(collides, &address, reply.status, &reply.text);
    }
    let after = app
        .get("/users/lee@contoso.com?$select=mail,proxyAddresses")
        .await
        .json();
    assert_eq!(after, before);
    assert_eq!(after["mail"], "lee@contoso.com");
}
