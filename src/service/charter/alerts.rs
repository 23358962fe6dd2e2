//! Delivery of alerts (webhooks) from the outbox: written in the transaction that raised them,
//! posted afterwards by whichever server leases it first, retried with a growing delay until
//! delivered.

use crate::service::{Result, now_ms};
use crate::store::{self, Store};

/// After this many failures an alert stops being retried (it stays in the outbox with its error).
const MAX_ATTEMPTS: i64 = 12;

/// How long a server holds an alert it is posting before another may try (twice the HTTP
/// timeout: a server that dies mid-post delays the alert that long).
const LEASE_MS: i64 = 20_000;

/// Posts every due alert once; returns how many were delivered.
/// `client` should come from `egress` (`Egress::http_client`), which checks the names it resolves;
/// literal addresses are checked here.
pub async fn deliver_due(
    store: &Store,
    client: &reqwest::Client,
    egress: crate::service::egress::Egress,
) -> Result<usize> {
    let now = now_ms();
    let due = {
        let mut c = store.reader().await?;
        store::charter::due_alerts(&mut c, now, 50).await?
    };
    let mut delivered = 0;
    for a in due {
        // Several servers may share the outbox (PostgreSQL): the one that takes the lease posts.
        let claimed = {
            let mut tx = store.begin().await?;
            let ok = store::charter::claim_alert(&mut tx, a.id, now, now + LEASE_MS).await?;
            tx.commit().await?;
            ok
        };
        if !claimed {
            continue;
        }
        let refused = egress.check_url(&a.target);
        let sent = match refused {
            Err(why) => Err(why),
            Ok(()) => client
                .post(&a.target)
                .header("content-type", "application/json")
                .header("user-agent", "Pacte")
                .body(a.payload.clone())
                .send()
                .await
                .and_then(|r| r.error_for_status())
                .map_err(|e| error_chain(&e)),
        };
        let mut tx = store.begin().await?;
        match sent {
            Ok(_) => {
                store::charter::alert_delivered(&mut tx, a.id, now_ms()).await?;
                delivered += 1;
            }
            Err(e) => {
                let next = if a.attempts + 1 >= MAX_ATTEMPTS {
                    i64::MAX
                } else {
                    now_ms() + 1000 * (1i64 << (a.attempts + 1).min(16))
                };
                tracing::warn!(alert = a.id, target = %a.target, "alert delivery failed: {e}");
                store::charter::alert_failed(&mut tx, a.id, next, &e).await?;
            }
        }
        tx.commit().await?;
    }
    Ok(delivered)
}

/// An HTTP error with its causes (reqwest's own message hides why a connection was refused).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text = format!("{text}: {c}");
        cause = c.source();
    }
    text
}
