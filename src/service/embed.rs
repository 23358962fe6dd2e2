//! The sites an organisation lets show its public pages (charter, reviews, waiting-room display)
//! in a frame. Every other page may not be framed at all.

use super::{Actor, Result, now_ms};
use crate::store::{self, Store};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Embedding {
    /// Origins such as `https://www.example.fr` (scheme, host, optional port; at most 10).
    pub origins: Vec<String>,
}

fn origin_ok(o: &str) -> Option<String> {
    let u = url::Url::parse(o).ok()?;
    let plain = matches!(u.scheme(), "https" | "http")
        && u.host_str().is_some()
        && u.username().is_empty()
        && u.password().is_none()
        && matches!(u.path(), "" | "/")
        && u.query().is_none()
        && u.fragment().is_none();
    plain.then(|| u.origin().ascii_serialization())
}

pub async fn get(store: &Store, actor: &Actor) -> Result<Embedding> {
    actor.require(actor.role.can_administer())?;
    let mut c = store.reader().await?;
    let text = store::org::embed_origins(&mut c, actor.org_id).await?;
    Ok(Embedding {
        origins: text.split_whitespace().map(String::from).collect(),
    })
}

pub async fn set(store: &Store, actor: &Actor, e: &Embedding, cache: &Embeds) -> Result<Embedding> {
    actor.require(actor.role.can_administer())?;
    let mut checks = super::Checks::default();
    let mut origins = Vec::new();
    if e.origins.len() > 10 {
        checks.refuse("origins", "too_long", "at most 10 origins");
    }
    for (i, o) in e.origins.iter().enumerate() {
        match origin_ok(o.trim()) {
            Some(o) if !origins.contains(&o) => origins.push(o),
            Some(_) => {}
            None => checks.refuse(
                &format!("origins[{i}]"),
                "invalid_origin",
                format!("«{o}» is not an origin such as https://www.example.fr"),
            ),
        }
    }
    checks.finish()?;
    let mut tx = store.begin().await?;
    store::org::set_embed_origins(&mut tx, actor.org_id, &origins.join(" ")).await?;
    store::org::audit(
        &mut tx,
        actor.org_id,
        Some(actor.user_id),
        now_ms(),
        "embed_origins",
        "",
        &origins.join(" "),
    )
    .await?;
    tx.commit().await?;
    cache.forget();
    Ok(Embedding { origins })
}

/// The origins per organisation slug, read at most every 30 s (public pages are many).
#[derive(Clone, Default)]
pub struct Embeds(Arc<Mutex<HashMap<String, (String, Instant)>>>);

const TTL: Duration = Duration::from_secs(30);

impl Embeds {
    /// The `frame-ancestors` sources for a public page of `slug`, if it may be framed.
    pub async fn ancestors(&self, store: &Store, slug: &str) -> Option<String> {
        let cached = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(slug)
            .filter(|(_, at)| at.elapsed() < TTL)
            .map(|(o, _)| o.clone());
        let origins = match cached {
            Some(o) => o,
            None => {
                let mut c = store.reader().await.ok()?;
                let o = store::org::embed_origins_of_slug(&mut c, slug)
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or_default();
                let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
                if map.len() > 10_000 {
                    map.clear();
                }
                map.insert(slug.to_string(), (o.clone(), Instant::now()));
                o
            }
        };
        (!origins.is_empty()).then_some(origins)
    }

    pub fn forget(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_plain_origins_are_accepted() {
        assert_eq!(
            super::origin_ok("https://www.example.fr/").as_deref(),
            Some("https://www.example.fr")
        );
        assert_eq!(
            super::origin_ok("http://intranet.example.fr:8443").as_deref(),
            Some("http://intranet.example.fr:8443")
        );
        for bad in [
            "www.example.fr",
            "https://www.example.fr/page",
            "javascript:alert(1)",
            "https://a@b.fr",
            "https://x.fr?q",
            "*",
            "'none'",
        ] {
            assert_eq!(super::origin_ok(bad), None, "{bad}");
        }
    }
}
