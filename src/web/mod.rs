//! Server-rendered HTML interface: parse, call a service, render. Every form works without
//! JavaScript; French by default, English with the user's setting or `?lang=en`.

mod admin;
mod auth;
mod cases;
mod chart;
pub(crate) mod charter;
mod chat;
pub mod client;
mod counter;
mod customers;
mod email;
mod error;
mod kb;
mod live;
mod public;
mod quality;
mod search;
mod view;
mod voice;
mod voice_public;

use crate::app::AppState;
use crate::i18n::Lang;
use crate::service::{self, Actor};
use crate::store::Store;
use axum::Router;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
pub use error::WebError;

pub const SESSION_COOKIE: &str = "pacte_session";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/settings/lang", post(auth::set_lang))
        .route("/inbox", get(cases::inbox))
        .route("/cases.csv", get(cases::export))
        .route("/cases/{number}", get(cases::page))
        .route("/cases/{number}/reply", post(cases::reply))
        .route("/cases/{number}/compose", post(cases::compose))
        .route("/cases/{number}/typing", post(live::typing))
        .route("/events", get(live::events))
        .route("/cases/{number}/update", post(cases::update))
        .route("/search", get(search::page))
        .route("/customers", get(customers::search))
        .route("/customers/{id}", get(customers::page))
        .route("/customers/{id}/merge", post(customers::merge))
        .route("/customers/{id}/export.json", post(customers::export))
        .route("/customers/{id}/erase", post(customers::erase))
        .route("/customers/{id}/requests", post(customers::add_request))
        .route("/merges/{id}/undo", post(customers::unmerge))
        .route("/charter", get(charter::dashboard))
        .route("/charter/new", get(charter::new_page).post(charter::create))
        .route(
            "/charter/commitments/{id}",
            get(charter::show).post(charter::update),
        )
        .route(
            "/charter/commitments/{id}/backtest",
            post(charter::backtest),
        )
        .route("/charter/commitments/{id}/publish", post(charter::publish))
        .route("/charter/compensations", get(charter::ledger))
        .route("/charter/compensations.csv", get(charter::ledger_csv))
        .route("/charter/compensations/{id}", post(charter::decide))
        .route("/quality", get(quality::list))
        .route("/quality/new", get(quality::new_page).post(quality::create))
        .route("/quality/paq.csv", get(quality::paq_csv))
        .route("/quality/nc/{id}", get(quality::page))
        .route("/quality/nc/{id}/analysis", post(quality::analyse))
        .route("/quality/nc/{id}/actions", post(quality::add_action))
        .route("/quality/nc/{id}/dismiss", post(quality::dismiss))
        .route("/quality/nc/{id}/share", post(quality::share))
        .route("/quality/actions/{id}/progress", post(quality::progress))
        .route("/quality/actions/{id}/verdict", post(quality::verdict))
        .route(
            "/quality/indicators",
            get(quality::kpis).post(quality::put_kpi),
        )
        .route("/quality/indicators/starter", post(quality::starter))
        .route("/quality/indicators/{id}/target", post(quality::target))
        .route("/quality/indicators/{id}/value", post(quality::value))
        .route(
            "/quality/reviews",
            get(quality::reviews).post(quality::open_review),
        )
        .route("/quality/reviews/{id}", get(quality::review_page))
        .route("/quality/reviews/{id}/lines/{kpi}", post(quality::decide))
        .route("/quality/reviews/{id}/notes", post(quality::notes))
        .route("/quality/reviews/{id}/refresh", post(quality::refresh))
        .route("/quality/reviews/{id}/freeze", post(quality::freeze))
        .route(
            "/sites/{code}/kiosk",
            get(counter::kiosk).post(counter::issue),
        )
        .route("/sites/{code}/counter", get(counter::desk))
        .route("/sites/{code}/counter/call", post(counter::call))
        .route("/tickets/{id}/end", post(counter::end))
        .route("/o/{slug}/engagements", get(public::charter_page))
        .route("/o/{slug}/engagements.json", get(public::charter_json))
        .route("/o/{slug}/sites/{code}/display", get(public::display))
        .route("/o/{slug}/aide", get(public::help))
        .route("/chat", get(chat::console))
        .route("/chat/report", get(chat::report))
        .route("/chat/presence", post(chat::set_presence))
        .route("/chat/{id}", get(chat::conversation))
        .route("/chat/{id}/accept", post(chat::accept))
        .route("/chat/{id}/reply", post(chat::reply))
        .route("/chat/{id}/end", post(chat::end))
        .route("/chat/{id}/events", get(chat::events))
        .route("/chat/{id}/socket", get(chat::socket))
        .route("/kb", get(kb::page).post(kb::create))
        .route("/kb/new", get(kb::new_article))
        .route(
            "/kb/import",
            post(kb::import).layer(axum::extract::DefaultBodyLimit::max(
                crate::service::kb::IMPORT_MAX_BYTES,
            )),
        )
        .route("/kb/rules", get(kb::rules).post(kb::put_rules))
        .route("/kb/{id}", get(kb::article).post(kb::update))
        .route("/kb/{id}/delete", post(kb::delete))
        .route("/kb/{id}/variants", post(kb::add_variant))
        .route(
            "/kb/{id}/variants/{variant}/delete",
            post(kb::delete_variant),
        )
        .route("/voice", get(voice::dashboard))
        .route("/voice/mapping/{id}", get(voice::mapping))
        .route(
            "/voice/settings",
            get(voice::themes).post(voice::save_settings),
        )
        .route("/voice/rules", post(voice::put_rule))
        .route("/voice/rules/{id}/delete", post(voice::delete_rule))
        .route(
            "/voice/surveys/{id}",
            get(voice::survey_page).post(voice::save_survey),
        )
        .route("/voice/surveys/{id}/send", post(voice::send))
        .route("/tasks/{id}/done", post(voice::task_done))
        .route("/voice/alerts/{id}/seen", post(voice::alert_seen))
        .route("/reviews", get(voice::reviews))
        .route("/reviews/{id}/reply", post(voice::reply))
        .route("/reviews/{id}/reject", post(voice::reject))
        .route(
            "/s/{token}",
            get(voice_public::survey_page).post(voice_public::survey_submit),
        )
        .route(
            "/s/{token}/stop",
            get(voice_public::stop_page).post(voice_public::stop),
        )
        .route(
            "/r/{token}",
            get(voice_public::review_page).post(voice_public::review_submit),
        )
        .route("/r/{token}/withdraw", post(voice_public::review_withdraw))
        .route("/o/{slug}/avis", get(voice_public::reviews_page))
        .route("/o/{slug}/avis.json", get(voice_public::reviews_json))
        .route("/o/{slug}/avis/{id}/signaler", post(voice_public::flag))
        .route(
            "/o/{slug}/sites/{code}/avis",
            get(voice_public::site_reviews_page),
        )
        .route(
            "/o/{slug}/sites/{code}/avis.json",
            get(voice_public::site_reviews_json),
        )
        .route("/admin", get(admin::page))
        .route("/admin/email", get(email::admin))
        .route("/admin/mailboxes", post(email::create_mailbox))
        .route("/admin/mailboxes/new", get(email::new_mailbox))
        .route(
            "/admin/mailboxes/{id}",
            get(email::edit_mailbox).post(email::update_mailbox),
        )
        .route("/admin/mailboxes/{id}/test", post(email::test_mailbox))
        .route("/admin/email-templates/{lang}", post(email::save_template))
        .route("/admin/canned", post(email::add_canned))
        .route("/admin/canned/{id}/delete", post(email::delete_canned))
        .route("/attachments/{id}", get(email::attachment))
        .route("/emails/{id}/raw", get(email::raw))
        .route("/emails/{id}/html", get(email::html))
        .route("/admin/sites", post(admin::add_site))
        .route("/admin/teams", post(admin::add_team))
        .route("/admin/users", post(admin::add_user))
        .route("/admin/users/{id}", get(admin::user).post(admin::edit_user))
        .route(
            "/admin/retention",
            get(admin::retention).post(admin::set_retention),
        )
        .route("/admin/retention/run", post(admin::run_retention))
        .route("/admin/audit", get(admin::audit))
        .route("/admin/audit.csv", get(admin::audit_csv))
        .route("/admin/users/{id}/tokens", post(admin::make_token))
        .route(
            "/admin/users/{user}/tokens/{id}/revoke",
            post(admin::revoke_token),
        )
        .route(
            "/admin/users/{id}/password-link",
            post(admin::password_link),
        )
        .route(
            "/password/forgot",
            get(auth::forgot_page).post(auth::forgot),
        )
        .route(
            "/password/{secret}",
            get(auth::password_page).post(auth::set_password),
        )
        .route("/admin/counter-services", post(admin::add_service))
        .route("/admin/closures", post(admin::set_closures))
        .route("/admin/embedding", post(admin::set_embedding))
        .route(
            "/static/app.css",
            asset(
                "text/css; charset=utf-8",
                include_str!("../../static/app.css"),
            ),
        )
        .route(
            "/static/live.js",
            asset(
                "text/javascript; charset=utf-8",
                include_str!("../../static/live.js"),
            ),
        )
        .route(
            "/static/widget.js",
            asset(
                "text/javascript; charset=utf-8",
                include_str!("../../static/widget.js"),
            ),
        )
        .route(
            "/static/console.js",
            asset(
                "text/javascript; charset=utf-8",
                include_str!("../../static/console.js"),
            ),
        )
        .route(
            "/static/chat.js",
            asset(
                "text/javascript; charset=utf-8",
                include_str!("../../static/chat.js"),
            ),
        )
        .route("/healthz", get(|| async { "ok" }))
        .fallback(not_found)
}

/// A file of `static/`, compiled into the binary.
fn asset(content_type: &'static str, body: &'static str) -> axum::routing::MethodRouter<AppState> {
    get(move || async move {
        (
            [
                ("content-type", content_type),
                ("cache-control", "public, max-age=3600"),
            ],
            body,
        )
    })
}

/// A public page of an organisation (`/o/{slug}/…`, not its JSON feeds) may be framed by the
/// sites the organisation named; every other page by none.
/// What `embeddable` needs (cloned per request: the whole state would cost a dozen atomics).
#[derive(Clone)]
pub struct Embedding {
    pub store: Store,
    pub embeds: crate::service::embed::Embeds,
}

pub async fn embeddable(
    axum::extract::State(st): axum::extract::State<Embedding>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let slug = (req.method() == axum::http::Method::GET)
        .then(|| {
            let mut parts = req.uri().path().split('/');
            match (parts.next(), parts.next(), parts.next(), req.uri().path()) {
                (Some(""), Some("o"), Some(slug), path) if !path.ends_with(".json") => {
                    Some(slug.to_string())
                }
                _ => None,
            }
        })
        .flatten();
    let mut res = next.run(req).await;
    if let Some(slug) = slug
        && res.status().is_success()
        && let Some(origins) = st.embeds.ancestors(&st.store, &slug).await
        && let Ok(v) = axum::http::HeaderValue::from_str(&crate::app::framed_policy(&origins))
    {
        res.headers_mut()
            .insert(axum::http::header::CONTENT_SECURITY_POLICY, v);
    }
    res
}

/// `?lang=en` or `?lang=fr` in the query string, if any.
fn lang_in_query(parts: &Parts) -> Option<Lang> {
    parts
        .uri
        .query()?
        .split('&')
        .find_map(|kv| kv.strip_prefix("lang="))
        .map(Lang::from_code)
}

/// The signed-in user of the web interface, with the language to speak and the form token.
pub struct WebUser {
    pub actor: Actor,
    pub lang: Lang,
    pub csrf: String,
    /// `?done=CODE` after an action: the page confirms it (`done.CODE` wording).
    pub done: Option<String>,
}

impl WebUser {
    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), WebError> {
        if service::auth::same_secret(token, &self.csrf) {
            Ok(())
        } else {
            Err(WebError::csrf(self.lang))
        }
    }
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let jar = CookieJar::from_headers(&parts.headers);
        let to_login = || {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let next: String = url_encode(next);
            Redirect::to(&format!("/login?next={next}")).into_response()
        };
        let Some(secret) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) else {
            return Err(to_login());
        };
        match service::auth::session(&state.store, &secret).await {
            Ok((actor, csrf)) => {
                let lang = lang_in_query(parts).unwrap_or(Lang::from_code(&actor.lang));
                if !actor
                    .role
                    .kiosk_may(parts.method.as_str(), parts.uri.path())
                {
                    return Err(
                        WebError::from_service(service::Error::Forbidden, lang).into_response()
                    );
                }
                let done = parts.uri.query().and_then(|q| {
                    q.split('&')
                        .find_map(|kv| kv.strip_prefix("done="))
                        .map(str::to_string)
                });
                Ok(WebUser {
                    actor,
                    lang,
                    csrf,
                    done,
                })
            }
            Err(service::Error::Unauthenticated) => Err(to_login()),
            Err(e) => Err(
                WebError::from_service(e, lang_in_query(parts).unwrap_or(Lang::Fr)).into_response(),
            ),
        }
    }
}

/// A page's query string: `lang` is the page's language, `done` what the last action did; the
/// rest must be parameters the page reads (an unknown one or a value of the wrong form is a 400 page that names it).
pub struct WebQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for WebQuery<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, WebError> {
        let lang = lang_in_query(parts).unwrap_or(Lang::Fr);
        crate::app::parse_query(parts.uri.query(), &["lang", "done"])
            .map(WebQuery)
            .map_err(|e| WebError::bad_query(lang, e))
    }
}

/// A path's parameters; one of the wrong form (`/cases/abc`) is the page "not found", in the
/// interface's language, not a bare text error.
pub struct WebPath<T>(pub T);

impl<T, S> FromRequestParts<S> for WebPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        let lang = lang_in_query(parts).unwrap_or(Lang::Fr);
        <axum::extract::Path<T> as FromRequestParts<S>>::from_request_parts(parts, state)
            .await
            .map(|p| WebPath(p.0))
            .map_err(|_| WebError::from_service(service::Error::NotFound("page"), lang))
    }
}

/// Where each role starts: an advisor on their own open cases, the others on the whole inbox.
async fn home(u: WebUser) -> Redirect {
    let lang = u.lang.code();
    if u.actor.role == crate::domain::role::Role::Advisor {
        Redirect::to(&format!("/inbox?assignee=me&status=open&lang={lang}"))
    } else {
        Redirect::to(&format!("/inbox?lang={lang}"))
    }
}

/// Any address no page answers: "not found" in the interface's language, with a way back.
async fn not_found(PageLang(l): PageLang) -> WebError {
    WebError::from_service(service::Error::NotFound("page"), l)
}

/// The language of a page seen without signing in.
pub struct PageLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PageLang(lang_in_query(parts).unwrap_or(Lang::Fr)))
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for PageLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(lang_in_query(parts).map(PageLang))
    }
}

/// A redirect target taken from a request (`next`, `back`): a path on this site, else `None`.
/// A browser drops tabs and newlines and reads `\\` as `/` before it resolves a location, so
/// `/\t/evil.example` (sent as `next=/%09/evil.example`) would take the user to another site;
/// control characters could not be carried by a header at all.
pub fn local_target(s: &str) -> Option<String> {
    let mut chars = s.chars();
    let rooted = chars.next() == Some('/') && !matches!(chars.next(), Some('/' | '\\'));
    (rooted && !s.chars().any(|c| c.is_control() || c == '\\')).then(|| s.to_string())
}

/// Percent-encoding for a value in a query string.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::local_target;
    use proptest::prelude::*;

    #[test]
    fn only_paths_of_this_site_are_followed() {
        for ok in ["/", "/inbox", "/cases/12?done=reply#x", "/search?q=élodie"] {
            assert_eq!(local_target(ok).as_deref(), Some(ok));
        }
        for bad in [
            "",
            "inbox",
            "//evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/x\r\nSet-Cookie: a=b",
            "https://evil.example/",
            " /inbox",
            "/\u{85}x",
        ] {
            assert_eq!(local_target(bad), None, "{bad:?}");
        }
    }

    proptest! {
        /// Whatever is accepted stays on this site under the WHATWG URL rules browsers follow.
        #[test]
        fn accepted_targets_resolve_to_this_site(s in "[/\\\\\t\n\r .:@%a-z0-9?#]{0,12}") {
            let base = url::Url::parse("https://pacte.example/login").unwrap();
            if let Some(t) = local_target(&s) {
                let to = base.join(&t).unwrap();
                prop_assert_eq!(to.host_str(), Some("pacte.example"));
                prop_assert_eq!(to.scheme(), "https");
            }
        }
    }
}
