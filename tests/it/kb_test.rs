//! The knowledge base and its bot through the real interfaces, on every backend: an import
//! with refused lines named and a rerun that duplicates nothing, the bot's answer and each
//! handoff reason, variants and drafts, the rules as data, roles and tenants; the command
//! line's import; the web pages (try the bot, write, add a variant, import a file, the rules).

use crate::support::process::{ok, pacte};
use crate::support::{TestApp, backends, csrf_of, form, html, page};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

/// A small base in the shape of service-public.fr's fiches (keys mapped on import).
const FICHES: &str = r#"{"id": "F1", "question": "Comment refaire son passeport perdu ?", "short": "Déclarez la perte puis prenez rendez-vous en mairie.", "answer": "La demande se fait en mairie sur rendez-vous, avec une photo d'identité et un timbre fiscal."}
{"id": "F2", "question": "Que faire en cas de vol de la carte grise ?", "short": "Déclarez le vol au commissariat, puis demandez un duplicata en ligne.", "answer": "Le récépissé de déclaration de vol permet de circuler un mois."}
not json at all
{"id": "F3", "question": "", "answer": "Sans titre."}
{"id": "F1", "question": "Doublon", "answer": "Même identifiant."}
{"id": "F4", "question": "Quel délai de préavis pour quitter un logement loué ?", "short": "Trois mois, un mois en zone tendue.", "answer": "Le locataire donne congé par lettre recommandée.", "lang": "de"}
{"id": "F5", "question": "Quel délai de préavis pour quitter un logement loué ?", "short": "Trois mois, un mois en zone tendue.", "answer": "Le locataire donne congé au propriétaire par lettre recommandée.", "variants": ["mon proprio veut savoir quand je pars"]}
"#;

const MAP: &str = "external_id=id,title=question,short_answer=short,body=answer";

async fn import(app: &TestApp, token: &str, body: &str, query: &str) -> (StatusCode, Value) {
    let req = Request::builder()
        .method("POST")
        .uri(format!("/api/v1/kb/import?{query}"))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "text/plain")
        .body(Body::from(body.to_string()))
        .unwrap();
    let r = app.send(req).await;
    (r.status, r.json)
}

async fn ask(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app.post("/api/v1/bot/answer", token, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    r.json
}

#[tokio::test]
async fn the_bot_answers_from_an_imported_base_and_says_why_it_hands_over() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let backend = app.db.backend;
        let (status, report) = import(&app, &app.admin, FICHES, &format!("columns={MAP}")).await;
        assert_eq!(status, StatusCode::OK, "{backend}: {report}");
        assert_eq!(report["created"], 3, "{backend}: {report}");
        let refused: Vec<(i64, String)> = report["refused"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r[0].as_i64().unwrap(), r[1].as_str().unwrap().to_string()))
            .collect();
        let lines: Vec<i64> = refused.iter().map(|r| r.0).collect();
        assert_eq!(lines, [3, 4, 5, 6], "{backend}: {refused:?}");
        assert!(refused[0].1.contains("not a JSON object"), "{refused:?}");
        assert!(refused[1].1.starts_with("title:"), "{refused:?}");
        assert!(refused[2].1.contains("already on line 1"), "{refused:?}");
        assert!(refused[3].1.starts_with("lang:"), "{refused:?}");

        // A rerun changes nothing; a changed line updates its article, not a new one.
        let (_, again) = import(&app, &app.admin, FICHES, &format!("columns={MAP}")).await;
        assert_eq!(
            (
                again["created"].as_i64(),
                again["updated"].as_i64(),
                again["unchanged"].as_i64()
            ),
            (Some(0), Some(0), Some(3)),
            "{backend}: {again}"
        );
        let changed = FICHES.replace("un timbre fiscal", "un timbre fiscal de 86 €");
        let (_, upd) = import(&app, &app.admin, &changed, &format!("columns={MAP}")).await;
        assert_eq!(upd["updated"], 1, "{backend}: {upd}");
        let list = app.get("/api/v1/kb/articles", &app.advisor).await.json;
        assert_eq!(list.as_array().unwrap().len(), 3, "{backend}: {list}");

        // The right article, in the customer's words, with a short answer.
        let a = ask(
            &app,
            &app.advisor,
            json!({"question": "j'ai perdu mon passeport, je fais comment ?"}),
        )
        .await;
        assert_eq!(a["external_id"], "F1", "{backend}: {a}");
        assert_eq!(a["handoff"], false, "{a}");
        assert!(
            a["short_answer"].as_str().unwrap().contains("mairie"),
            "{a}"
        );
        assert!(a["candidates"].as_array().unwrap().len() <= 3);
        // A variant from the import carries the question asked its own way.
        let a = ask(
            &app,
            &app.advisor,
            json!({"question": "mon proprio veut savoir quand je pars"}),
        )
        .await;
        assert_eq!(a["external_id"], "F5", "{backend}: {a}");

        // Each handoff says why, and still lists what it weighed.
        let a = ask(
            &app,
            &app.advisor,
            json!({"question": "Je veux parler à un conseiller pour mon passeport"}),
        )
        .await;
        assert_eq!(
            (a["handoff"].clone(), a["reason"].clone()),
            (json!(true), json!("request")),
            "{a}"
        );
        assert!(a["article_id"].is_null());
        assert_eq!(a["candidates"][0]["external_id"], "F1", "{a}");
        let a = ask(
            &app,
            &app.advisor,
            json!({"question": "quel temps fera-t-il demain à Brest ?"}),
        )
        .await;
        assert_eq!(a["reason"], "low_confidence", "{backend}: {a}");
        let a = ask(
            &app,
            &app.advisor,
            json!({"question": "c'est scandaleux, toujours pas de passeport"}),
        )
        .await;
        assert_eq!(a["reason"], "anger", "{a}");
        let a = ask(
            &app,
            &app.advisor,
            json!({"question": "passeport perdu", "unhelpful": 2}),
        )
        .await;
        assert_eq!(a["reason"], "unhelpful", "{a}");
        let a = ask(
            &app,
            &app.advisor,
            json!({"question": "passeport perdu", "minutes": 15.0}),
        )
        .await;
        assert_eq!(a["reason"], "too_long", "{a}");
        // An open complaint on the customer's record hands over at once.
        let i = app
            .interaction(json!({"channel": "email", "direction": "inbound", "kind": "complaint",
                "customer": {"email": "lea@example.fr"}, "subject": "Réclamation", "body": "Toujours rien."}))
            .await;
        let customer = i["customer_id"].as_i64().unwrap();
        let a = ask(
            &app,
            &app.advisor,
            json!({"question": "passeport perdu", "customer_id": customer}),
        )
        .await;
        assert_eq!(a["reason"], "open_complaint", "{backend}: {a}");

        // Bad questions are refused with the field named.
        for (bad, field) in [
            (json!({"question": "  "}), "question"),
            (json!({"question": "a\u{1}b"}), "question"),
            (json!({"question": "x".repeat(2_001)}), "question"),
            (json!({"question": "ok", "lang": "de"}), "lang"),
            (json!({"question": "ok", "minutes": -1.0}), "minutes"),
        ] {
            let r = app
                .post("/api/v1/bot/answer", &app.advisor, bad.clone())
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{bad}: {}",
                r.json
            );
            assert_eq!(
                r.json["error"]["fields"][0]["field"], field,
                "{bad}: {}",
                r.json
            );
        }
        // A kiosk sees none of it.
        let (kiosk, _) =
            crate::support::user(&app.store, app.org_id, "borne@acme.fr", "kiosk").await;
        let r = app
            .post(
                "/api/v1/bot/answer",
                &kiosk,
                json!({"question": "passeport"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(
            app.get("/api/v1/kb/articles", &kiosk).await.status,
            StatusCode::FORBIDDEN
        );

        // An advisor adds the way a customer asked; the bot knows it at once.
        let f2 = list
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["external_id"] == "F2")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let q = json!({"question": "on m'a piqué les papiers de la bagnole"});
        assert_ne!(
            ask(&app, &app.advisor, q.clone()).await["external_id"],
            "F2"
        );
        let r = app
            .post(
                &format!("/api/v1/kb/articles/{f2}/variants"),
                &app.advisor,
                json!({"text": "on m'a piqué les papiers de la bagnole"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        assert_eq!(r.json["variants"][0]["source"], "advisor");
        let a = ask(&app, &app.advisor, q).await;
        assert_eq!(
            (a["external_id"].clone(), a["handoff"].clone()),
            (json!("F2"), json!(false)),
            "{backend}: {a}"
        );

        // Writing is for managers and above; a draft is not answered with.
        let draft = json!({"title": "Comment adopter un chaton au refuge ?", "body": "Prenez rendez-vous au refuge.", "published": false});
        let r = app
            .post("/api/v1/kb/articles", &app.advisor, draft.clone())
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app.post("/api/v1/kb/articles", &app.admin, draft).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        let kitten = r.json["id"].as_i64().unwrap();
        let a = ask(
            &app,
            &app.advisor,
            json!({"question": "adopter un chaton au refuge"}),
        )
        .await;
        assert_ne!(a["article_id"], kitten, "{a}");
        let mut publish = r.json.clone();
        for k in ["id", "variants", "created_at", "updated_at"] {
            publish.as_object_mut().unwrap().remove(k);
        }
        publish["published"] = json!(true);
        let r = app
            .put(
                &format!("/api/v1/kb/articles/{kitten}"),
                &app.admin,
                publish,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let a = ask(
            &app,
            &app.advisor,
            json!({"question": "adopter un chaton au refuge"}),
        )
        .await;
        assert_eq!(a["article_id"], kitten, "{backend}: {a}");
        let r = app
            .post(
                "/api/v1/kb/articles",
                &app.admin,
                json!({"external_id": "F1", "title": "Autre", "body": "x"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.json);

        // The rules are the organisation's: a topic of its own, a rule turned off.
        let mut rules = app.get("/api/v1/bot/rules", &app.advisor).await.json;
        assert_eq!(rules[0]["code"], "request");
        rules[0]["enabled"] = json!(false);
        rules.as_array_mut().unwrap().insert(
            0,
            json!({"code": "demenagement", "kind": "topic", "words": "déménager, déménagement"}),
        );
        let r = app
            .put("/api/v1/bot/rules", &app.admin, rules.clone())
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let a = ask(
            &app,
            &app.advisor,
            json!({"question": "je vais déménager, quel préavis ?"}),
        )
        .await;
        assert_eq!(a["reason"], "demenagement", "{a}");
        let a = ask(
            &app,
            &app.advisor,
            json!({"question": "un conseiller pour mon passeport perdu"}),
        )
        .await;
        assert_ne!(a["reason"], "request", "{a}");
        let r = app.put("/api/v1/bot/rules", &app.advisor, rules).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app.put("/api/v1/bot/rules", &app.admin,
            json!([{"code": "x", "kind": "nope"}, {"code": "Bad Code", "kind": "topic", "words": "a"},
                   {"code": "y", "kind": "low_confidence", "value": 3.0}])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = r.json["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            ["rules[0].kind", "rules[1].code", "rules[2].value"],
            "{}",
            r.json
        );

        // A rerun of the file keeps the advisor's variant, and a draft stays a draft.
        let r = app
            .post(
                &format!("/api/v1/kb/articles/{f2}/variants"),
                &app.advisor,
                json!({"text": "Que faire en cas de VOL de la carte grise"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let mut f1 = app
            .get(
                &format!("/api/v1/kb/articles/{}", list[0]["id"]),
                &app.admin,
            )
            .await
            .json;
        let f1_id = f1["id"].as_i64().unwrap();
        for k in ["id", "variants", "created_at", "updated_at"] {
            f1.as_object_mut().unwrap().remove(k);
        }
        f1["published"] = json!(false);
        assert_eq!(
            app.put(&format!("/api/v1/kb/articles/{f1_id}"), &app.admin, f1)
                .await
                .status,
            StatusCode::OK
        );
        let (_, again) = import(&app, &app.admin, &changed, &format!("columns={MAP}")).await;
        assert_eq!(
            (again["created"].as_i64(), again["updated"].as_i64()),
            (Some(0), Some(0)),
            "{backend}: {again}"
        );
        let v = app
            .get(&format!("/api/v1/kb/articles/{f2}"), &app.admin)
            .await
            .json;
        let sources: Vec<&str> = v["variants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["source"].as_str().unwrap())
            .collect();
        assert_eq!(sources, ["advisor", "advisor"], "{v}");
        assert_eq!(
            app.get(&format!("/api/v1/kb/articles/{f1_id}"), &app.admin)
                .await
                .json["published"],
            false
        );
        // Titles are found by their words, accents and case aside.
        let found = app
            .get("/api/v1/kb/articles?q=CARTE%20GRISE", &app.advisor)
            .await
            .json;
        assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
        let found = app
            .get("/api/v1/kb/articles?q=pr%C3%89avis", &app.advisor)
            .await
            .json;
        assert_eq!(found[0]["external_id"], "F5", "{found}");
        assert_eq!(
            app.get("/api/v1/kb/articles?q=%25", &app.advisor)
                .await
                .json
                .as_array()
                .unwrap()
                .len(),
            0
        );

        // Another organisation sees none of it, and changes none of it.
        let other = app.other_org().await;
        let r = app.get(&format!("/api/v1/kb/articles/{f2}"), &other).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let put = json!({"title": "Pris", "body": "x"});
        assert_eq!(
            app.put(&format!("/api/v1/kb/articles/{f2}"), &other, put)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.post(
                &format!("/api/v1/kb/articles/{f2}/variants"),
                &other,
                json!({"text": "x"})
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        let variant = v["variants"][0]["id"].as_i64().unwrap();
        assert_eq!(
            app.call(
                "DELETE",
                &format!("/api/v1/kb/articles/{f2}/variants/{variant}"),
                Some(&other),
                None,
                &[]
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.call(
                "DELETE",
                &format!("/api/v1/kb/articles/{f1_id}/variants/{variant}"),
                Some(&app.admin),
                None,
                &[]
            )
            .await
            .status,
            StatusCode::NOT_FOUND,
            "a variant of another article"
        );
        assert_eq!(
            app.call(
                "DELETE",
                &format!("/api/v1/kb/articles/{f2}"),
                Some(&other),
                None,
                &[]
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        let a = ask(&app, &other, json!({"question": "passeport perdu"})).await;
        assert_eq!(
            (
                a["handoff"].clone(),
                a["candidates"].as_array().unwrap().len()
            ),
            (json!(true), 0),
            "{a}"
        );

        // CSV with a header of its own; a refused record is named by the line it starts on,
        // after a body over several lines.
        let csv = "ref,question,reponse\nC1,Comment payer la cantine ?,\"En ligne\nou au guichet.\"\nC2,,vide\n";
        let (status, r) = import(
            &app,
            &app.admin,
            csv,
            "format=csv&columns=external_id=ref,title=question,body=reponse",
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(r["created"], 1, "{r}");
        assert_eq!(r["refused"][0][0], 4, "{r}");
        // A JSON array is read item by item.
        let (status, r) = import(
            &app,
            &app.admin,
            r#"[{"title": "Où trouver un formulaire ?", "body": "En ligne."}, 3]"#,
            "",
        )
        .await;
        assert_eq!(
            (status, r["created"].as_i64(), r["refused"][0][0].as_i64()),
            (StatusCode::OK, Some(1), Some(2)),
            "{r}"
        );
        let (status, r) = import(&app, &app.admin, csv, "format=csv&columns=nope=ref").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
        // No rules at all would silently bring the starter set back: refused.
        let r = app.put("/api/v1/bot/rules", &app.admin, json!([])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    }
}

#[test]
fn pacte_kb_import_from_the_command_line_reruns_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    ok(&pacte(
        dir.path(),
        &["org", "add", "--slug", "faq", "--name", "FAQ"],
        None,
        &[],
    ));
    let file = dir.path().join("fiches.jsonl");
    std::fs::write(&file, FICHES).unwrap();
    let path = file.to_str().unwrap();
    let args = [
        "kb",
        "import",
        path,
        "--org",
        "faq",
        "--column",
        "external_id=id",
        "--column",
        "title=question",
        "--column",
        "short_answer=short",
        "--column",
        "body=answer",
    ];
    let first = pacte(dir.path(), &args, None, &[]);
    assert!(first.status.success());
    let err = String::from_utf8_lossy(&first.stderr);
    assert!(
        err.contains("3 created, 0 updated, 0 unchanged, 4 refused"),
        "{err}"
    );
    assert!(err.contains(":3: not a JSON object"), "{err}");
    let second = pacte(dir.path(), &args, None, &[]);
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("0 created, 0 updated, 3 unchanged"), "{err}");
    let bad = pacte(
        dir.path(),
        &["kb", "import", path, "--org", "faq", "--column", "nope=id"],
        None,
        &[],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("«nope» is not one of"));
}

fn multipart(csrf: &str, file_name: &str, content: &str, columns: &str) -> (String, String) {
    let b = "XkbBoundary42";
    let body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"columns\"\r\n\r\n{columns}\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n{content}\r\n--{b}--\r\n"
    );
    (format!("multipart/form-data; boundary={b}"), body)
}

#[tokio::test]
async fn the_knowledge_pages_write_try_and_import_in_french() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let cookie = app.sign_in("admin@acme.fr", "correct horse").await.unwrap();
        let r = app.send(page("/kb", &cookie)).await;
        assert_eq!(r.status, StatusCode::OK);
        let body = html(&r);
        assert!(
            body.contains("Base de connaissances") && body.contains("0 article,"),
            "{body}"
        );
        let csrf = csrf_of(&body);

        // A file from the page, with a refused line listed.
        let (ct, upload) = multipart(&csrf, "fiches.jsonl", FICHES, MAP);
        let req = Request::builder()
            .method("POST")
            .uri("/kb/import")
            .header("cookie", &cookie)
            .header("content-type", ct)
            .body(Body::from(upload))
            .unwrap();
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let body = html(&r);
        assert!(
            body.contains("créés\u{a0}: 3") && body.contains("refusés\u{a0}: 4"),
            "{body}"
        );
        assert!(body.contains("not a JSON object"), "{body}");
        let (ct, upload) = multipart(&csrf, "fiches.txt", FICHES, "");
        let req = Request::builder()
            .method("POST")
            .uri("/kb/import")
            .header("cookie", &cookie)
            .header("content-type", ct)
            .body(Body::from(upload))
            .unwrap();
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html(&r).contains("un fichier .jsonl ou .csv"),
            "{}",
            html(&r)
        );

        // Try the bot: the answer, then a handoff said in words.
        let r = app
            .send(page("/kb?ask=j%27ai+perdu+mon+passeport", &cookie))
            .await;
        let body = html(&r);
        assert!(
            body.contains("Comment refaire son passeport perdu ?")
                && body.contains("rendez-vous en mairie"),
            "{body}"
        );
        let pct = body.find("&nbsp;%").expect("a confidence in per cent");
        let digits: String = body[..pct]
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect();
        assert!(
            !digits.is_empty(),
            "a number before the per cent sign: {body}"
        );
        let r = app
            .send(page("/kb?ask=je+veux+un+vrai+conseiller", &cookie))
            .await;
        let body = html(&r);
        assert!(body.contains("le client demande un conseiller"), "{body}");

        // Write an article (markup is text), then add a variant from its page.
        let r = app.send(form("/kb", Some(&cookie), &format!(
            "csrf={csrf}&title=%3Cscript%3Ealert(1)%3C%2Fscript%3E+Horaires+de+la+mairie&short_answer=&body=Du+lundi+au+vendredi.&keywords=horaires&lang=fr&external_id=&published=1"))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.json);
        let at = r.headers["location"].to_str().unwrap().to_string();
        let id: i64 = at
            .trim_start_matches("/kb/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let body = html(&app.send(page(&at, &cookie)).await);
        assert!(
            body.contains("&#60;script&#62;alert(1)&#60;/script&#62; Horaires")
                && !body.contains("<script>alert"),
            "{body}"
        );
        assert!(body.contains("Modifications enregistrées."), "{body}");
        let r = app
            .send(form(
                &format!("/kb/{id}/variants"),
                Some(&cookie),
                &format!("csrf={csrf}&text=c%27est+ouvert+quand+la+mairie"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let body = html(&app.send(page(&format!("/kb/{id}"), &cookie)).await);
        assert!(
            body.contains("c&#39;est ouvert quand la mairie")
                || body.contains("c&#x27;est ouvert quand la mairie"),
            "{body}"
        );
        let r = app
            .send(form(
                &format!("/kb/{id}"),
                Some(&cookie),
                "csrf=nope&title=x&short_answer=&body=y&keywords=&lang=fr&external_id=",
            ))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // The rules page, in French, saved as a table.
        let body = html(&app.send(page("/kb/rules", &cookie)).await);
        assert!(
            body.contains("Demande explicite d&#39;un conseiller")
                || body.contains("Demande explicite d&#x27;un conseiller"),
            "{body}"
        );
        assert!(body.contains("value=\"0,3\""), "{body}");
        let r = app.send(form("/kb/rules", Some(&cookie), &format!(
            "csrf={csrf}&enabled=0&code=request&kind=request&words=conseiller&value=&code=low_confidence&kind=low_confidence&words=&value=0%2C287&code=&kind=topic&words=&value="))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.json);
        let rules = app.get("/api/v1/bot/rules", &app.admin).await.json;
        assert_eq!(rules.as_array().unwrap().len(), 2, "{rules}");
        assert_eq!(
            (rules[1]["value"].as_f64(), rules[1]["enabled"].as_bool()),
            (Some(0.287), Some(false)),
            "{rules}"
        );
        let body = html(&app.send(page("/kb/rules", &cookie)).await);
        assert!(
            body.contains("value=\"0,287\""),
            "a threshold comes back as saved: {body}"
        );

        // Deleting needs the box ticked (the browser refuses without); done, the list says so.
        let r = app
            .send(form(
                &format!("/kb/{id}/delete"),
                Some(&cookie),
                &format!("csrf={csrf}&sure=1"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = app.send(page(&format!("/kb/{id}"), &cookie)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
}
