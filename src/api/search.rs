//! Search across the organisation's cases and customers.

use super::error::{ApiError, Envelope};
use super::extract::{ApiActor, ApiQuery};
use crate::app::AppState;
use crate::service::search::{self, SearchQuery};
use axum::Json;
use axum::extract::State;
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    /// `case` or `customer`.
    pub kind: &'static str,
    /// The case's or the customer's id.
    pub id: i64,
    /// The case number (cases).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<i64>,
    /// The case's subject, or the customer's name.
    pub title: String,
    pub customer_id: i64,
    pub customer_name: String,
    /// The customer's identities (email, phone, customer number), as shown.
    pub identities: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Last activity (RFC 3339).
    pub updated_at: String,
    /// The best passage of the messages, the matched words between `<mark>` and `</mark>`
    /// (the rest HTML-escaped).
    pub snippet: String,
    pub score: f32,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SearchPage {
    /// Results matching in all (every page).
    pub total: usize,
    pub items: Vec<SearchHit>,
    pub next_cursor: Option<String>,
    /// Changes written but not yet searchable (0 when the index is current).
    pub pending: i64,
}

#[utoipa::path(get, path = "/api/v1/search", params(SearchQuery),
    responses((status = 200, body = SearchPage), (status = 400, body = Envelope), (status = 422, body = Envelope)),
    security(("bearer" = [])))]
pub async fn search(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Json<SearchPage>, ApiError> {
    let found = search::query(&s.store, &s.search, &actor, &q).await?;
    Ok(Json(SearchPage {
        total: found.total,
        items: found
            .hits
            .into_iter()
            .map(|h| {
                let case = h.kind == crate::search::Kind::Case;
                SearchHit {
                    kind: h.kind.as_str(),
                    id: h.id,
                    number: case.then_some(h.number),
                    customer_id: if case { h.customer_id } else { h.id },
                    customer_name: h.name.clone(),
                    title: if case { h.title } else { h.name },
                    identities: h.identities,
                    status: case.then_some(h.status),
                    channel: case.then_some(h.channel),
                    updated_at: crate::service::iso(h.updated_at),
                    snippet: h
                        .snippet
                        .iter()
                        .map(|(t, hit)| {
                            let t = escape(t);
                            if *hit { format!("<mark>{t}</mark>") } else { t }
                        })
                        .collect(),
                    score: h.score,
                }
            })
            .collect(),
        next_cursor: found.next_cursor,
        pending: found.pending,
    }))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
