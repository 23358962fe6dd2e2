//! Several server processes on one PostgreSQL: two first contacts of the same new customer,
//! recorded at the same moment by different writers, make one customer.

use crate::support::{TestApp, backends, email_in};
use pacte::service::ingest::{self, InteractionInput};
use std::time::Duration;

#[tokio::test]
async fn simultaneous_first_contacts_make_one_customer() {
    // SQLite has one writer: the race only exists on PostgreSQL.
    let Some(db) = backends()
        .await
        .into_iter()
        .find(|d| d.backend == "postgres")
    else {
        return;
    };
    let app = TestApp::new(db).await;
    let now = pacte::service::now_ms();
    let input = |subject: &str| -> InteractionInput {
        serde_json::from_value(email_in(
            "nouvelle@exemple.fr",
            subject,
            "Bonjour",
            "2026-11-01T09:00:00Z",
        ))
        .unwrap()
    };
    let first_contact = input("Colis").validate(now).unwrap();
    let other_contact = input("Facture").validate(now).unwrap();
    // Writer A records the first contact and has not committed yet.
    let mut a = pacte::service::work::Work::begin(&app.store).await.unwrap();
    let first = ingest::record_in(&mut a, app.org_id, &first_contact)
        .await
        .unwrap();
    // Writer B (another process) records another contact of the same new customer meanwhile.
    let (store, org) = (app.store.clone(), app.org_id);
    let b = tokio::spawn(async move { ingest::record(&store, org, &other_contact, None).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    a.commit().await.unwrap();
    let second = b.await.unwrap().unwrap();
    assert_eq!(first.customer_id, second.customer_id);
    let found = app
        .get("/api/v1/customers?email=nouvelle@exemple.fr", &app.advisor)
        .await
        .json;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let v = app
        .get(
            &format!("/api/v1/customers/{}", first.customer_id),
            &app.advisor,
        )
        .await
        .json;
    assert_eq!(
        v["cases"].as_array().unwrap().len(),
        2,
        "both needs on the one customer"
    );
}
