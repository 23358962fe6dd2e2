//! The search page: customers and cases matching a text, from the box on every staff page.

use super::error::OrPage;
use super::view::Shell;
use super::{WebError, WebQuery, WebUser};
use crate::app::AppState;
use crate::domain::case::CaseStatus;
use crate::domain::channel::Channel;
use crate::search::Hit;
use crate::service::org;
use crate::service::search::{self, SearchQuery};
use crate::store::org::Site;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

pub struct Row {
    pub hit: Hit,
    pub status_label: String,
    pub channel_label: String,
    pub updated: String,
}

pub struct Group {
    pub total: String,
    pub rows: Vec<Row>,
}

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
pub struct SearchPage {
    s: Shell,
    q: SearchQuery,
    searched: bool,
    summary: String,
    pending: String,
    customers: Option<Group>,
    cases: Option<Group>,
    /// "See every customer found" when only the first ones are shown.
    more_customers: Option<String>,
    next_link: Option<String>,
    statuses: Vec<(String, String)>,
    channels: Vec<(String, String)>,
    sites: Vec<Site>,
}

fn link(q: &SearchQuery, lang: &str) -> String {
    let mut parts = vec![format!("lang={lang}")];
    for (k, v) in [
        ("q", &q.q),
        ("kind", &q.kind),
        ("status", &q.status),
        ("channel", &q.channel),
        ("site", &q.site),
        ("from", &q.from),
        ("to", &q.to),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
            parts.push(format!("{k}={}", super::url_encode(v)));
        }
    }
    format!("/search?{}", parts.join("&"))
}

pub async fn page(
    State(st): State<AppState>,
    u: WebUser,
    WebQuery(q): WebQuery<SearchQuery>,
) -> Result<SearchPage, WebError> {
    let l = u.lang;
    let searched = q.q.as_deref().is_some_and(|t| !t.trim().is_empty());
    let rows = |hits: Vec<Hit>| {
        hits.into_iter()
            .map(|hit| Row {
                status_label: l.t(&format!("status.{}", hit.status)).to_string(),
                channel_label: l.t(&format!("channel.{}", hit.channel)).to_string(),
                updated: l.datetime(hit.updated_at),
                hit,
            })
            .collect::<Vec<_>>()
    };
    let (mut customers, mut cases, mut next_link, mut more_customers) = (None, None, None, None);
    let (mut total, mut pending) = (0usize, 0i64);
    if searched {
        let kind = q.kind.as_deref().unwrap_or("");
        if kind != "case" {
            // Beside cases, the first few customers; on their own, pages of them.
            let alone = kind == "customer";
            let found = search::query(
                &st.store,
                &st.search,
                &u.actor,
                &SearchQuery {
                    kind: Some("customer".into()),
                    limit: Some(if alone { 20 } else { 5 }),
                    cursor: if alone { q.cursor.clone() } else { None },
                    ..q.clone()
                },
            )
            .await
            .web(l)?;
            total += found.total;
            pending = found.pending;
            if alone {
                next_link = found
                    .next_cursor
                    .map(|c| format!("{}&cursor={}", link(&q, l.code()), super::url_encode(&c)));
            } else if found.total > found.hits.len() {
                more_customers = Some(link(
                    &SearchQuery {
                        kind: Some("customer".into()),
                        ..q.clone()
                    },
                    l.code(),
                ));
            }
            customers = Some(Group {
                total: l.int(found.total as i64),
                rows: rows(found.hits),
            });
        }
        if kind != "customer" {
            let found = search::query(
                &st.store,
                &st.search,
                &u.actor,
                &SearchQuery {
                    kind: Some("case".into()),
                    ..q.clone()
                },
            )
            .await
            .web(l)?;
            total += found.total;
            pending = found.pending;
            next_link = found
                .next_cursor
                .map(|c| format!("{}&cursor={}", link(&q, l.code()), super::url_encode(&c)));
            cases = Some(Group {
                total: l.int(found.total as i64),
                rows: rows(found.hits),
            });
        }
    }
    let options = |prefix: &str, codes: Vec<&'static str>| {
        codes
            .into_iter()
            .map(|c| (c.to_string(), l.t(&format!("{prefix}.{c}")).to_string()))
            .collect()
    };
    Ok(SearchPage {
        summary: l.plural("search.results", total as i64),
        pending: if pending > 0 {
            l.plural("search.pending", pending)
        } else {
            String::new()
        },
        customers: customers.filter(|g| !g.rows.is_empty()),
        cases: cases.filter(|g| !g.rows.is_empty()),
        more_customers,
        next_link,
        searched,
        statuses: options(
            "status",
            CaseStatus::ALL.iter().map(|s| s.as_str()).collect(),
        ),
        channels: options("channel", Channel::ALL.iter().map(|c| c.as_str()).collect()),
        sites: org::list_sites(&st.store, &u.actor).await.web(l)?,
        q,
        s: Shell::of(&u),
    })
}
