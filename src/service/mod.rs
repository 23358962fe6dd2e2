//! Use cases: one function per thing a user does. The one place for permission checks;
//! API and web call these and never the store.

pub mod account;
pub mod auth;
pub mod bot;
pub mod case;
pub mod charter;
pub mod chat;
pub mod counter;
pub mod customer;
pub mod egress;
pub mod email;
pub mod embed;
pub mod group_commit;
pub mod ingest;
pub mod jobs;
pub mod kb;
pub mod live;
pub mod org;
pub mod privacy;
pub mod quality;
pub mod ratelimit;
pub mod reads;
pub mod retention;
pub mod review;
pub mod search;
pub mod survey;
pub mod transfer;
pub mod verbatim;
pub mod voice;
pub mod wake;
pub mod work;

use crate::domain::Invalid;
use crate::domain::role::Role;
use crate::store;
use serde::Serialize;

/// A field refused, with a stable code and a message.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, invalid: Invalid) -> Self {
        FieldError {
            field: field.to_string(),
            code: invalid.code.to_string(),
            message: invalid.message,
        }
    }
}

/// Collects every refused field of an input, so one answer names them all.
#[derive(Debug, Default)]
pub struct Checks(pub Vec<FieldError>);

impl Checks {
    pub fn check<T>(&mut self, field: &str, r: std::result::Result<T, Invalid>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(FieldError::new(field, e));
                None
            }
        }
    }

    pub fn refuse(&mut self, field: &str, code: &'static str, message: impl Into<String>) {
        self.0
            .push(FieldError::new(field, Invalid::new(code, message)));
    }

    /// `Err(Invalid)` if anything was refused.
    pub fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.0))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("authentication required")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("conflict: {message}")]
    Conflict { code: &'static str, message: String },
    #[error("too many attempts; retry in {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn invalid(field: &str, invalid: Invalid) -> Self {
        Error::Invalid(vec![FieldError::new(field, invalid)])
    }
}

impl From<store::Error> for Error {
    fn from(e: store::Error) -> Self {
        match e {
            store::Error::NotFound => Error::NotFound("resource"),
            store::Error::Conflict(c) => Error::Conflict {
                code: "conflict",
                message: format!("already exists ({c})"),
            },
            other => Error::Internal(other.to_string()),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// Who is acting: a signed-in user of one organisation.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i64,
    pub org_id: i64,
    pub role: Role,
    pub lang: String,
    pub name: String,
}

impl Actor {
    pub fn require(&self, allowed: bool) -> Result<()> {
        if allowed {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }
}

/// A query-string number where an empty value (a form's "any" option) means none.
pub(crate) fn blank_is_none<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let raw: Option<String> = serde::Deserialize::deserialize(d)?;
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// Now, in epoch milliseconds.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// The id of a site given by its code; an unknown code is a refused field.
pub(crate) async fn site_id(c: &mut store::Conn, org_id: i64, code: &str) -> Result<i64> {
    store::org::site_by_code(c, org_id, code)
        .await?
        .map(|s| s.id)
        .ok_or_else(|| {
            Error::invalid(
                "site",
                Invalid::new("unknown_site", format!("no site has the code «{code}»")),
            )
        })
}

/// A team of the organisation given by its id; an unknown one is a refused `team_id`.
pub(crate) async fn check_team(c: &mut store::Conn, org_id: i64, id: i64) -> Result<()> {
    store::org::team_in_org(c, org_id, id)
        .await?
        .map(|_| ())
        .ok_or_else(|| {
            Error::invalid(
                "team_id",
                Invalid::new("unknown_team", format!("no team has the id {id}")),
            )
        })
}

/// A query-string value, trimmed; None when absent or empty.
pub(crate) fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// RFC 3339 (UTC) form of an epoch-ms time.
pub fn iso(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// Parses an RFC 3339 timestamp ("2026-11-22T10:00:00Z" or with an offset) to epoch ms.
pub fn parse_time(field: &str, raw: &str) -> Result<i64> {
    raw.trim()
        .parse::<jiff::Timestamp>()
        .map(|t| t.as_millisecond())
        .map_err(|_| {
            Error::invalid(
                field,
                Invalid::new(
                    "invalid_time",
                    format!("«{raw}» is not an RFC 3339 date-time"),
                ),
            )
        })
}
