//! Pages seen without signing in: the public charter (and its JSON feed) and the screen of
//! called tickets in an agency.

use super::PageLang;
use super::WebPath;
use super::error::OrPage;
use crate::app::AppState;
use crate::i18n::Lang;
use crate::service::charter::{self, PublicCharter};
use crate::service::{counter, org};
use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

#[derive(Template, WebTemplate)]
#[template(path = "public_charter.html")]
pub struct CharterPage {
    l: Lang,
    other_lang: &'static str,
    c: PublicCharter,
}

fn lang_of(l: Option<PageLang>) -> Lang {
    l.map_or(Lang::Fr, |PageLang(l)| l)
}

fn other(l: Lang) -> &'static str {
    if l == Lang::Fr { "en" } else { "fr" }
}

pub async fn charter_page(
    State(st): State<AppState>,
    WebPath(slug): WebPath<String>,
    l: Option<PageLang>,
) -> Result<impl IntoResponse, super::WebError> {
    let l = lang_of(l);
    let c = charter::public_charter(&st.store, &slug, l).await.web(l)?;
    Ok((
        [(header::CACHE_CONTROL, "public, max-age=60")],
        CharterPage {
            l,
            other_lang: other(l),
            c,
        },
    ))
}

pub async fn charter_json(
    State(st): State<AppState>,
    WebPath(slug): WebPath<String>,
    l: Option<PageLang>,
) -> Result<impl IntoResponse, crate::api::error::ApiError> {
    let c = charter::public_charter(&st.store, &slug, lang_of(l)).await?;
    Ok((
        [
            (header::CACHE_CONTROL, "public, max-age=60"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        Json(c),
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "display.html")]
pub struct DisplayPage {
    l: Lang,
    q: counter::Queue,
}

/// The agency's screen: tickets called, newest first; refreshes itself every 5 s.
pub async fn display(
    State(st): State<AppState>,
    WebPath((slug, code)): WebPath<(String, String)>,
    l: Option<PageLang>,
) -> Result<DisplayPage, super::WebError> {
    let l = lang_of(l);
    let o = org::org_by_slug(&st.store, &slug).await.web(l)?;
    let q = counter::queue(&st.store, o.id, &code).await.web(l)?;
    Ok(DisplayPage { l, q })
}

#[derive(Template, WebTemplate)]
#[template(path = "public_help.html")]
pub struct HelpPage {
    l: Lang,
    slug: String,
    name: String,
}

/// The organisation's help page, with the chat widget in its corner (as on any site that adds
/// the script).
pub async fn help(
    State(st): State<AppState>,
    WebPath(slug): WebPath<String>,
    l: Option<PageLang>,
) -> Result<HelpPage, super::WebError> {
    let l = lang_of(l);
    let o = org::org_by_slug(&st.store, &slug).await.web(l)?;
    Ok(HelpPage {
        l,
        slug: o.slug,
        name: o.name,
    })
}
