//! The counter queue (seed 003's own example): a kiosk issues a numbered ticket per service,
//! a desk calls the next one and closes it, a screen shows who is called. The wait is measured
//! against the charter when the ticket is called; a visit tied to a customer is recorded as a
//! counter interaction on their record.

use super::charter::evaluate;
use super::ingest::{CustomerRef, InteractionInput};
use super::work::Work;
use super::{Actor, Error, Result, now_ms};
use crate::domain::Invalid;
use crate::domain::channel::Channel;
use crate::domain::identity::CustomerNumber;
use crate::store::{self, Store};
use serde::Serialize;

pub use store::counter::{Service, Ticket};

/// What a kiosk, a desk or a screen shows of a site's queue today.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Queue {
    pub site_code: String,
    pub site_name: String,
    pub services: Vec<ServiceQueue>,
    /// Called tickets, most recent first.
    pub called: Vec<Ticket>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ServiceQueue {
    pub service: Service,
    pub waiting: Vec<Ticket>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Issued {
    pub ticket: Ticket,
    pub service: Service,
    /// People before this ticket in the same service.
    pub ahead: i64,
}

async fn site(c: &mut store::Conn, org_id: i64, code: &str) -> Result<store::org::Site> {
    store::org::site_by_code(c, org_id, code)
        .await?
        .ok_or(Error::NotFound("site"))
}

fn today(site: &store::org::Site, now: i64) -> String {
    let tz = jiff::tz::TimeZone::get(&site.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_millisecond(now)
        .map(|t| t.to_zoned(tz).date().to_string())
        .unwrap_or_default()
}

pub async fn services(store: &Store, org_id: i64) -> Result<Vec<Service>> {
    let mut c = store.reader().await?;
    Ok(store::counter::services(&mut c, org_id).await?)
}

/// Adds a service offered at the counters; its code prefixes ticket numbers ("C" → C001).
pub async fn add_service_unchecked(
    store: &Store,
    org_id: i64,
    code: &str,
    name_fr: &str,
    name_en: &str,
    position: i64,
) -> Result<Service> {
    let code = code.trim().to_uppercase();
    if code.is_empty() || code.len() > 3 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(Error::invalid(
            "code",
            Invalid::new(
                "invalid_code",
                "one to three letters, printed before the number",
            ),
        ));
    }
    if name_fr.trim().is_empty() || name_en.trim().is_empty() {
        return Err(Error::invalid(
            if name_fr.trim().is_empty() {
                "name_fr"
            } else {
                "name_en"
            },
            Invalid::new(
                "required",
                "the service needs its name in French and in English",
            ),
        ));
    }
    let mut tx = store.begin().await?;
    let id = store::counter::insert_service(
        &mut tx,
        org_id,
        &code,
        name_fr.trim(),
        name_en.trim(),
        position,
    )
    .await?;
    tx.commit().await?;
    Ok(Service {
        id,
        code,
        name_fr: name_fr.trim().into(),
        name_en: name_en.trim().into(),
    })
}

pub async fn add_service(
    store: &Store,
    actor: &Actor,
    code: &str,
    name_fr: &str,
    name_en: &str,
) -> Result<Service> {
    actor.require(actor.role.can_administer())?;
    add_service_unchecked(store, actor.org_id, code, name_fr, name_en, now_ms() / 1000).await
}

/// Issues a ticket at a site's kiosk (no login: the kiosk stands in the agency). A customer
/// number, when given, must be known: the visit then lands on their record.
pub async fn issue(
    store: &Store,
    org_id: i64,
    site_code: &str,
    service_id: i64,
    customer_number: Option<&str>,
) -> Result<Issued> {
    let now = now_ms();
    let number = match customer_number.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => {
            Some(CustomerNumber::parse(n).map_err(|e| Error::invalid("customer_number", e))?)
        }
        None => None,
    };
    for _ in 0..3 {
        let mut tx = store.begin().await?;
        let site = site(&mut tx, org_id, site_code).await?;
        let services = store::counter::services(&mut tx, org_id).await?;
        let service = services
            .into_iter()
            .find(|s| s.id == service_id)
            .ok_or_else(|| {
                Error::invalid(
                    "service",
                    Invalid::new("unknown_service", "no such service"),
                )
            })?;
        let customer_id = match &number {
            Some(n) => {
                let key = crate::domain::identity::Identity::Number(n.clone()).key();
                let owners =
                    store::customer::owners_of(&mut tx, org_id, std::slice::from_ref(&key)).await?;
                Some(owners.first().map(|(_, id)| *id).ok_or_else(|| {
                    Error::invalid(
                        "customer_number",
                        Invalid::new(
                            "unknown_customer",
                            "this customer number is not known; take a ticket without it",
                        ),
                    )
                })?)
            }
            None => None,
        };
        let day = today(&site, now);
        let new = store::counter::NewTicket {
            site_id: site.id,
            service_id: service.id,
            service_code: &service.code,
            day: &day,
            customer_id,
        };
        match store::counter::issue(&mut tx, org_id, &new, now).await {
            Ok(ticket) => {
                let ahead = store::counter::of_day(&mut tx, site.id, &day, "waiting", false, 10_000)
                    .await?
                    .iter()
                    .filter(|t| t.service_id == service.id && t.id != ticket.id)
                    .count() as i64;
                tx.commit().await?;
                return Ok(Issued {
                    ticket,
                    service,
                    ahead,
                });
            }
            // Another kiosk took this number at the same instant: take the next.
            Err(store::Error::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error::Conflict {
        code: "busy",
        message: "the kiosk is busy; try again".into(),
    })
}

pub async fn queue(store: &Store, org_id: i64, site_code: &str) -> Result<Queue> {
    let mut c = store.reader().await?;
    let site = site(&mut c, org_id, site_code).await?;
    let day = today(&site, now_ms());
    let services = store::counter::services(&mut c, org_id).await?;
    let waiting = store::counter::of_day(&mut c, site.id, &day, "waiting", false, 500).await?;
    let called = store::counter::of_day(&mut c, site.id, &day, "called", true, 8).await?;
    let mut done = store::counter::of_day(&mut c, site.id, &day, "done", true, 8).await?;
    let mut shown = called;
    shown.append(&mut done);
    shown.sort_by_key(|t| std::cmp::Reverse(t.called_at));
    shown.truncate(8);
    Ok(Queue {
        site_code: site.code,
        site_name: site.name,
        services: services
            .into_iter()
            .map(|s| ServiceQueue {
                waiting: waiting
                    .iter()
                    .filter(|t| t.service_id == s.id)
                    .cloned()
                    .collect(),
                service: s,
            })
            .collect(),
        called: shown,
    })
}

/// A desk calls the oldest waiting ticket (of one service, or any). The wait is measured now.
pub async fn call_next(
    store: &Store,
    actor: &Actor,
    site_code: &str,
    service_id: Option<i64>,
    desk: &str,
) -> Result<Option<Ticket>> {
    let desk = desk.trim();
    if desk.is_empty() || desk.chars().count() > 20 {
        return Err(Error::invalid(
            "desk",
            Invalid::new("required", "name the desk (e.g. «Guichet 2»)"),
        ));
    }
    let mut tx = Work::begin(store).await?;
    let now = tx.now;
    let site = site(&mut tx, actor.org_id, site_code).await?;
    let Some(ticket) =
        store::counter::call_next(&mut tx, site.id, service_id, desk, actor.user_id, now).await?
    else {
        return Ok(None);
    };
    let wait = evaluate::Wait {
        subject: format!("t:{}", ticket.id),
        channel: Channel::Counter,
        site_id: Some(site.id),
        queued_at: ticket.issued_at,
        answered_at: ticket.called_at,
        case_id: None,
        customer_id: ticket.customer_id,
    };
    tx.wait_recorded(actor.org_id, &wait).await?;
    tx.commit().await?;
    Ok(Some(ticket))
}

/// Closes a called ticket, keeping the desk's note on it. Served with a known customer (from
/// the kiosk or given now), the visit is recorded on their record as a counter interaction,
/// solved at the counter unless `solved` is false.
pub async fn end(
    store: &Store,
    actor: &Actor,
    ticket_id: i64,
    served: bool,
    customer_number: Option<&str>,
    note: &str,
    solved: bool,
) -> Result<Ticket> {
    if note.chars().count() > 2_000 {
        return Err(Error::invalid(
            "note",
            Invalid::new("too_long", "at most 2,000 characters"),
        ));
    }
    let mut tx = Work::begin(store).await?;
    let now = tx.now;
    let ticket = store::counter::by_id(&mut tx, actor.org_id, ticket_id)
        .await?
        .ok_or(Error::NotFound("ticket"))?;
    if ticket.status != "called" {
        return Err(Error::Conflict {
            code: "not_called",
            message: format!("ticket {} is {}", ticket.label, ticket.status),
        });
    }
    let mut customer = CustomerRef::default();
    let mut known = ticket.customer_id.is_some();
    if let Some(n) = customer_number.map(str::trim).filter(|n| !n.is_empty()) {
        customer.customer_number = Some(n.to_string());
        known = true;
    }
    let mut interaction = None;
    if served && known {
        if customer.customer_number.is_none()
            && let Some(id) = ticket.customer_id
        {
            customer.customer_number = store::customer::number_of(&mut tx, id).await?;
        }
        let services = store::counter::services(&mut tx, actor.org_id).await?;
        let service = services.iter().find(|s| s.id == ticket.service_id);
        let sites = store::org::list_sites(&mut tx, actor.org_id).await?;
        let site = sites.iter().find(|s| s.id == ticket.site_id);
        let iso = super::iso;
        let body = format!(
            "{} — {} ({}){}{}",
            ticket.label,
            service.map_or("", |s| s.name_fr.as_str()),
            ticket.desk.as_deref().unwrap_or(""),
            if note.trim().is_empty() { "" } else { "\n\n" },
            note.trim()
        );
        let input = InteractionInput {
            channel: "counter".into(),
            direction: "inbound".into(),
            occurred_at: Some(iso(ticket.issued_at)),
            customer,
            subject: service.map(|s| s.name_fr.clone()),
            body,
            site: site.map(|s| s.code.clone()),
            external_id: Some(format!("ticket:{}", ticket.id)),
            queued_at: Some(iso(ticket.issued_at)),
            answered_at: ticket.called_at.map(iso),
            status: solved.then(|| "solved".to_string()),
            ..InteractionInput::default()
        };
        let mut v = input.validate(now)?;
        v.author_user_id = Some(actor.user_id);
        let done = super::ingest::record_in(&mut tx, actor.org_id, &v).await?;
        tx.visit_served(actor.org_id, done.case_id, now).await?;
        interaction = Some((done.interaction_id, done.customer_id));
    }
    let status = if served { "done" } else { "no_show" };
    store::counter::end(
        &mut tx,
        ticket.id,
        status,
        interaction.map(|(_, c)| c),
        interaction.map(|(i, _)| i),
        note.trim(),
        now,
    )
    .await?;
    let ticket = store::counter::by_id(&mut tx, actor.org_id, ticket_id)
        .await?
        .ok_or(Error::NotFound("ticket"))?;
    tx.commit().await?;
    Ok(ticket)
}

/// The customer a called ticket was taken for (the number typed at the kiosk), for the desk:
/// (id, name, customer number).
pub async fn ticket_customer(
    store: &Store,
    actor: &Actor,
    ticket: &store::counter::Ticket,
) -> Result<Option<(i64, Option<String>, Option<String>)>> {
    let Some(id) = ticket.customer_id else {
        return Ok(None);
    };
    let mut c = store.reader().await?;
    let Some(customer) = store::customer::get(&mut c, actor.org_id, id).await? else {
        return Ok(None);
    };
    let number = store::customer::number_of(&mut c, id).await?;
    Ok(Some((customer.id, customer.display_name, number)))
}
