//! The counter queue in the agency: the kiosk (a tablet signed in by the staff) issues tickets,
//! a desk calls and closes them.

use super::WebPath;
use super::error::OrPage;
use super::view::Shell;
use super::{WebError, WebUser};
use crate::app::AppState;
use crate::i18n::Lang;
use crate::service::counter::{self, Issued, Queue, Ticket};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Redirect;
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "kiosk.html")]
pub struct KioskPage {
    l: Lang,
    csrf: String,
    q: Queue,
    issued: Option<Issued>,
    error: Option<String>,
}

pub async fn kiosk(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(code): WebPath<String>,
) -> Result<KioskPage, WebError> {
    let q = counter::queue(&st.store, u.actor.org_id, &code)
        .await
        .web(u.lang)?;
    Ok(KioskPage {
        l: u.lang,
        csrf: u.csrf,
        q,
        issued: None,
        error: None,
    })
}

#[derive(Deserialize)]
pub struct TicketForm {
    csrf: String,
    service_id: i64,
    #[serde(default)]
    customer_number: String,
}

pub async fn issue(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(code): WebPath<String>,
    Form(f): Form<TicketForm>,
) -> Result<KioskPage, WebError> {
    u.check_csrf(&f.csrf)?;
    let number = Some(f.customer_number.as_str()).filter(|n| !n.trim().is_empty());
    let (issued, error) =
        match counter::issue(&st.store, u.actor.org_id, &code, f.service_id, number).await {
            Ok(i) => (Some(i), None),
            // An unknown number is said on the kiosk itself, where the customer stands.
            Err(crate::service::Error::Invalid(fields)) => {
                (None, fields.first().map(|f| f.code.clone()))
            }
            Err(e) => return Err(WebError::from_service(e, u.lang)),
        };
    let q = counter::queue(&st.store, u.actor.org_id, &code)
        .await
        .web(u.lang)?;
    let error = error.map(|code| u.lang.t(&format!("counter.error.{code}")).to_string());
    Ok(KioskPage {
        l: u.lang,
        csrf: u.csrf,
        q,
        issued,
        error,
    })
}

/// The customer typed at the kiosk: id, name, customer number.
type KioskCustomer = (i64, String, String);

#[derive(Template, WebTemplate)]
#[template(path = "counter.html")]
pub struct CounterPage {
    s: Shell,
    q: Queue,
    desk: String,
    /// The tickets this desk called, each with the customer typed at the kiosk (id, name,
    /// customer number).
    mine: Vec<(Ticket, Option<KioskCustomer>)>,
}

#[derive(Deserialize)]
pub struct DeskQuery {
    #[serde(default)]
    desk: String,
}

pub async fn desk(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(code): WebPath<String>,
    Query(d): Query<DeskQuery>,
) -> Result<CounterPage, WebError> {
    let q = counter::queue(&st.store, u.actor.org_id, &code)
        .await
        .web(u.lang)?;
    let desk = if d.desk.trim().is_empty() {
        u.lang.t("counter.default_desk").to_string()
    } else {
        d.desk.trim().to_string()
    };
    let mut mine = Vec::new();
    for t in q
        .called
        .iter()
        .filter(|t| t.status == "called" && t.desk.as_deref() == Some(desk.as_str()))
    {
        let who = counter::ticket_customer(&st.store, &u.actor, t)
            .await
            .web(u.lang)?
            .map(|(id, name, number)| {
                (
                    id,
                    name.unwrap_or_else(|| u.lang.t("customer.unnamed").to_string()),
                    number.unwrap_or_default(),
                )
            });
        mine.push((t.clone(), who));
    }
    Ok(CounterPage {
        s: Shell::of(&u),
        q,
        desk,
        mine,
    })
}

#[derive(Deserialize)]
pub struct CallForm {
    csrf: String,
    desk: String,
    #[serde(default)]
    service_id: Option<i64>,
}

fn back(code: &str, desk: &str, l: Lang, done: &str) -> Redirect {
    Redirect::to(&format!(
        "/sites/{}/counter?desk={}&lang={}{done}",
        super::url_encode(code),
        super::url_encode(desk),
        l.code()
    ))
}

pub async fn call(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(code): WebPath<String>,
    Form(f): Form<CallForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    counter::call_next(&st.store, &u.actor, &code, f.service_id, &f.desk)
        .await
        .web(u.lang)?;
    Ok(back(&code, &f.desk, u.lang, ""))
}

#[derive(Deserialize)]
pub struct EndForm {
    csrf: String,
    site: String,
    desk: String,
    outcome: String,
    #[serde(default)]
    customer_number: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    unsolved: Option<String>,
}

pub async fn end(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<EndForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let number = Some(f.customer_number.as_str()).filter(|n| !n.trim().is_empty());
    counter::end(
        &st.store,
        &u.actor,
        id,
        f.outcome == "served",
        number,
        &f.note,
        f.unsolved.is_none(),
    )
    .await
    .web(u.lang)?;
    Ok(back(&f.site, &f.desk, u.lang, "&done=ticket_ended"))
}
