//! The only place that turns errors into HTML pages.

use crate::i18n::Lang;
use crate::service::{Error, FieldError};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    l: Lang,
    title: &'a str,
    message: &'a str,
    fields: Vec<Shown>,
}

/// A refused field as the page says it: its label and why, in the reader's language (the
/// service's wording is English; a refusal code with French words of its own is said in French).
struct Shown {
    label: String,
    text: String,
}

impl Shown {
    fn of(f: &FieldError, l: Lang) -> Shown {
        let own = |key: String| {
            let t = l.t(&key);
            (t != key).then(|| t.to_string())
        };
        let label = if f.field.is_empty() {
            String::new()
        } else {
            // "lines[12].decision" reads as "lines.decision": the index is in the message.
            let general: String = {
                let mut out = String::new();
                let mut depth = 0;
                for ch in f.field.chars() {
                    match ch {
                        '[' => depth += 1,
                        ']' => depth -= 1,
                        _ if depth == 0 => out.push(ch),
                        _ => {}
                    }
                }
                out
            };
            own(format!("field.{}", f.field))
                .or_else(|| own(format!("field.{general}")))
                .unwrap_or_else(|| f.field.clone())
        };
        let text = match l {
            Lang::En => f.message.clone(),
            Lang::Fr => own(format!("refusal.{}", f.code)).unwrap_or_else(|| f.message.clone()),
        };
        Shown { label, text }
    }
}

#[derive(Debug)]
pub struct WebError {
    status: StatusCode,
    lang: Lang,
    key: &'static str,
    fields: Vec<FieldError>,
    /// Seconds to wait, sent as `Retry-After` (too many attempts).
    retry_after: Option<u64>,
}

impl WebError {
    pub fn from_service(e: Error, lang: Lang) -> Self {
        let retry_after = match e {
            Error::TooManyAttempts { retry_after_secs } => Some(retry_after_secs),
            _ => None,
        };
        let (status, key, fields) = match e {
            Error::Unauthenticated => (StatusCode::UNAUTHORIZED, "login.failed", vec![]),
            Error::Forbidden => (StatusCode::FORBIDDEN, "error.forbidden", vec![]),
            Error::NotFound(_) => (StatusCode::NOT_FOUND, "error.not_found", vec![]),
            Error::Invalid(f) => (StatusCode::UNPROCESSABLE_ENTITY, "error.invalid", f),
            Error::Conflict { code, message } => (
                StatusCode::CONFLICT,
                "error.invalid",
                vec![FieldError {
                    field: String::new(),
                    code: code.into(),
                    message,
                }],
            ),
            Error::TooManyAttempts { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "error.too_many", vec![])
            }
            Error::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "error.internal", vec![])
            }
        };
        WebError {
            status,
            lang,
            key,
            fields,
            retry_after,
        }
    }

    /// A query string the page cannot read (400), naming the parameter.
    pub fn bad_query(lang: Lang, e: crate::app::QueryError) -> Self {
        WebError {
            status: StatusCode::BAD_REQUEST,
            lang,
            key: "error.bad_request",
            fields: vec![FieldError {
                field: e.field,
                code: if e.unknown {
                    "unknown"
                } else {
                    "invalid_value"
                }
                .into(),
                message: e.message,
            }],
            retry_after: None,
        }
    }

    /// A one-time link that no longer works (spent, expired, unknown).
    pub fn link_spent(lang: Lang) -> Self {
        WebError {
            status: StatusCode::NOT_FOUND,
            lang,
            key: "password.link_spent",
            fields: vec![],
            retry_after: None,
        }
    }

    pub fn csrf(lang: Lang) -> Self {
        WebError {
            status: StatusCode::FORBIDDEN,
            lang,
            key: "error.csrf",
            fields: vec![],
            retry_after: None,
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            l: self.lang,
            title: self.lang.t("error.title"),
            message: self.lang.t(self.key),
            fields: self
                .fields
                .iter()
                .map(|f| Shown::of(f, self.lang))
                .collect(),
        };
        let mut res = match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(_) => self.status.into_response(),
        };
        if let Some(secs) = self.retry_after {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        res
    }
}

/// `result.web(lang)?` in handlers.
pub trait OrPage<T> {
    fn web(self, lang: Lang) -> Result<T, WebError>;
}

impl<T> OrPage<T> for Result<T, Error> {
    fn web(self, lang: Lang) -> Result<T, WebError> {
        self.map_err(|e| WebError::from_service(e, lang))
    }
}
