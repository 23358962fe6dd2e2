//! Sign in, sign out, language setting.

use super::client::ClientAddr;
use super::error::OrPage;
use super::{PageLang, SESSION_COOKIE, WebError, WebPath, WebUser};
use crate::app::AppState;
use crate::i18n::Lang;
use crate::service;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    l: Lang,
    next: String,
    failed: bool,
    email: String,
    /// A password was just set through a one-time link.
    reset: bool,
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
    reset: Option<String>,
}

/// Only local paths are followed after signing in (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    next.and_then(super::local_target)
        .unwrap_or_else(|| "/inbox".into())
}

pub async fn login_page(lang: Option<PageLang>, Query(q): Query<Next>) -> impl IntoResponse {
    LoginPage {
        l: lang.map_or(Lang::Fr, |p| p.0),
        next: safe_next(q.next.as_deref()),
        failed: false,
        email: String::new(),
        reset: q.reset.is_some(),
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
    lang: Option<String>,
}

pub async fn login(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    jar: CookieJar,
    Form(f): Form<LoginForm>,
) -> Response {
    let l = Lang::from_code(f.lang.as_deref().unwrap_or("fr"));
    match service::auth::login(&s.store, &s.logins, &client, &f.email, &f.password).await {
        Ok(session) => {
            let cookie = Cookie::build((SESSION_COOKIE, session.secret))
                .path("/")
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(s.config.secure_cookies)
                .build();
            (jar.add(cookie), Redirect::to(&safe_next(f.next.as_deref()))).into_response()
        }
        Err(service::Error::Unauthenticated) => {
            let page = LoginPage {
                l,
                next: safe_next(f.next.as_deref()),
                failed: true,
                email: f.email,
                reset: false,
            };
            (StatusCode::UNAUTHORIZED, page).into_response()
        }
        Err(e) => super::WebError::from_service(e, l).into_response(),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout(
    State(s): State<AppState>,
    u: WebUser,
    jar: CookieJar,
    Form(f): Form<CsrfForm>,
) -> Result<Response, super::WebError> {
    u.check_csrf(&f.csrf)?;
    if let Some(c) = jar.get(SESSION_COOKIE) {
        service::auth::logout(&s.store, c.value())
            .await
            .web(u.lang)?;
    }
    Ok((
        jar.remove(Cookie::build(SESSION_COOKIE).path("/")),
        Redirect::to("/login"),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct LangForm {
    csrf: String,
    lang: String,
    back: Option<String>,
}

pub async fn set_lang(
    State(s): State<AppState>,
    u: WebUser,
    Form(f): Form<LangForm>,
) -> Result<Redirect, super::WebError> {
    u.check_csrf(&f.csrf)?;
    service::org::set_lang(&s.store, &u.actor, &f.lang)
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&safe_next(f.back.as_deref())))
}

#[derive(Template, WebTemplate)]
#[template(path = "password.html")]
pub struct PasswordPage {
    l: Lang,
    name: String,
    error: String,
}

/// `GET /password/{secret}`: the form of a one-time link, while it works.
pub async fn password_page(
    State(st): State<AppState>,
    PageLang(l): PageLang,
    WebPath(secret): WebPath<String>,
) -> Result<PasswordPage, WebError> {
    let user = crate::service::auth::reset_for(&st.store, &secret)
        .await
        .map_err(|_| WebError::link_spent(l))?;
    Ok(PasswordPage {
        l,
        name: user.name,
        error: String::new(),
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    password: String,
    again: String,
}

pub async fn set_password(
    State(st): State<AppState>,
    PageLang(l): PageLang,
    WebPath(secret): WebPath<String>,
    Form(f): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let user = crate::service::auth::reset_for(&st.store, &secret)
        .await
        .map_err(|_| WebError::link_spent(l))?;
    let again = |error: &str| {
        PasswordPage {
            l,
            name: user.name.clone(),
            error: error.to_string(),
        }
        .into_response()
    };
    if f.password != f.again {
        return Ok(again(l.t("password.mismatch")));
    }
    match crate::service::auth::reset_password(&st.store, &secret, &f.password).await {
        Ok(()) => Ok(Redirect::to(&format!("/login?lang={}&reset=1", l.code())).into_response()),
        Err(crate::service::Error::Invalid(_)) => Ok(again(l.t("password.too_short"))),
        Err(_) => Err(WebError::link_spent(l)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "forgot.html")]
pub struct ForgotPage {
    l: Lang,
    sent: bool,
}

pub async fn forgot_page(lang: Option<PageLang>) -> ForgotPage {
    ForgotPage {
        l: lang.map_or(Lang::Fr, |p| p.0),
        sent: false,
    }
}

#[derive(Deserialize)]
pub struct ForgotForm {
    email: String,
    lang: Option<String>,
}

/// Always the same answer, whether the address has an account or not; limited per client like
/// the public forms.
pub async fn forgot(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    Form(f): Form<ForgotForm>,
) -> Response {
    let l = Lang::from_code(f.lang.as_deref().unwrap_or("fr"));
    if let Err(wait) = s.public_posts.hit(&format!("forgot:{client}")) {
        return super::WebError::from_service(
            service::Error::TooManyAttempts {
                retry_after_secs: wait,
            },
            l,
        )
        .into_response();
    }
    if let Err(e) =
        service::account::forgot_password(&s.store, &f.email, &s.config.public_base(), l).await
    {
        tracing::error!("password link not sent: {e}");
    }
    ForgotPage { l, sent: true }.into_response()
}
