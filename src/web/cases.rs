//! The advisor inbox and the case page.

use super::WebPath;
use super::error::OrPage;
use super::view::{CaseRow, Shell, options, user_name};
use super::{WebError, WebQuery, WebUser};
use crate::app::AppState;
use crate::domain::case::{CaseKind, CaseStatus, Priority};
use crate::service::case::{self, CasePatch, ListQuery, ReplyInput};
use crate::service::{self, org};
use crate::store::org::{Site, Team, User};
use crate::store::survey::Task;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::response::Redirect;
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "inbox.html")]
pub struct Inbox {
    s: Shell,
    /// Where the live news stood when the page was made: the page asks for what follows.
    live_at: String,
    /// Filtered on the signed-in user's cases ("Mes dossiers").
    mine: bool,
    /// The filters in force, for the CSV export.
    export_query: String,
    /// Open call-backs asked by customers who said "not solved".
    callbacks: Vec<Task>,
    q: ListQuery,
    rows: Vec<CaseRow>,
    counts: Vec<(String, String, i64)>,
    total: i64,
    sites: Vec<Site>,
    teams: Vec<Team>,
    users: Vec<User>,
    statuses: Vec<(String, String)>,
    next_link: Option<String>,
    filtered_link: String,
}

fn query_string(q: &ListQuery, lang: &str) -> String {
    let mut parts = Vec::new();
    let mut add = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", super::url_encode(&v)));
        }
    };
    add("status", q.status.clone());
    add("site", q.site.clone());
    add("team", q.team.map(|t| t.to_string()));
    add("assignee", q.assignee.clone());
    add("lang", Some(lang.to_string()));
    parts.join("&")
}

pub async fn inbox(
    State(st): State<AppState>,
    u: WebUser,
    WebQuery(q): WebQuery<ListQuery>,
) -> Result<Inbox, WebError> {
    // Before reading: what changes after this is told to the page.
    let live_at = st.live.position();
    let page = case::list(&st.store, &u.actor, &q, true)
        .await
        .web(u.lang)?;
    let users = org::list_users(&st.store, &u.actor).await.web(u.lang)?;
    let l = u.lang;
    let counts: Vec<(String, String, i64)> = CaseStatus::ALL
        .iter()
        .map(|s| {
            let n = page
                .counts
                .iter()
                .find(|(k, _)| k == s.as_str())
                .map_or(0, |(_, n)| *n);
            (
                s.as_str().to_string(),
                l.t(&format!("status.{s}")).to_string(),
                n,
            )
        })
        .collect();
    let base = query_string(&q, l.code());
    let export_query = query_string(
        &ListQuery {
            cursor: None,
            ..q.clone()
        },
        l.code(),
    );
    let now = service::now_ms();
    let callbacks = crate::service::survey::open_tasks(&st.store, &u.actor)
        .await
        .web(l)?;
    Ok(Inbox {
        live_at,
        export_query,
        mine: q.assignee.as_deref() == Some("me"),
        callbacks,
        rows: page
            .cases
            .iter()
            .map(|c| {
                let mut row = CaseRow::of(c, l, &users);
                // The case keeps its nearest commitment deadline while open.
                if let (Some(d), "open" | "pending") = (c.due_at, c.status.as_str()) {
                    row.timer = super::charter::remaining(&l, &(d - now).div_euclid(60_000));
                    row.overdue = d < now;
                }
                row
            })
            .collect(),
        total: counts.iter().map(|c| c.2).sum(),
        counts,
        sites: org::list_sites(&st.store, &u.actor).await.web(l)?,
        teams: org::list_teams(&st.store, &u.actor).await.web(l)?,
        statuses: options(l, "status", CaseStatus::ALL),
        next_link: page
            .next_cursor
            .map(|c| format!("/inbox?{base}&cursor={}", super::url_encode(&c))),
        filtered_link: format!(
            "/inbox?{}",
            query_string(
                &ListQuery {
                    status: None,
                    ..q.clone()
                },
                l.code()
            )
        ),
        users,
        q,
        s: Shell::of(&u),
    })
}

pub struct Message {
    attachments: Vec<String>,
    inbound: bool,
    note: bool,
    channel_label: String,
    at: String,
    author: String,
    subject: String,
    body: String,
    wait: String,
    email: Option<EmailBits>,
    /// A reply meant for the customer that did not go out, with why ("" otherwise).
    unsent: String,
}

/// What the timeline shows of a message that came or went by email.
pub struct EmailBits {
    id: i64,
    has_html: bool,
    /// "Envoyé", "En file (nouvel essai à …)", "Échec : …"; empty for received mail.
    status: String,
    failed: bool,
    automatic: String,
    signature: String,
    quoted: String,
    warnings: Vec<String>,
    files: Vec<(i64, String)>,
}

pub struct EventRow {
    at: String,
    label: String,
    detail: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "case.html")]
pub struct CasePage {
    s: Shell,
    c: CaseRow,
    customer_id: i64,
    customer_name: String,
    kind: String,
    priority: String,
    category: String,
    assignee_id: i64,
    team_id: i64,
    teams: Vec<Team>,
    opened: String,
    first_response: String,
    /// The nearest commitment deadline while open ("" when none runs), and whether it passed.
    due: String,
    overdue: bool,
    once_and_done: String,
    pending: String,
    messages: Vec<Message>,
    events: Vec<EventRow>,
    users: Vec<User>,
    statuses: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    priorities: Vec<(String, String)>,
    canned: Vec<crate::service::email::texts::CannedReply>,
    draft: String,
    /// Said above the reply box when a reply would not reach the customer ("" when it would).
    send_note: String,
    /// The signed-in user, for "assign to me".
    me: i64,
    /// Where the live news stood when the page was made.
    live_at: String,
    /// What the page shows of the case ("status updated_at assignee"): a live event that
    /// changes none of it does not reload the page.
    seen: String,
    /// Surveys, answers, call-back tasks and the review of this case.
    voice: crate::service::survey::CaseVoice,
}

/// "facture.pdf (120 Ko)" for each attachment recorded with a message.
fn attachment_names(json: &str) -> Vec<String> {
    let list: Vec<crate::service::ingest::Attachment> =
        serde_json::from_str(json).unwrap_or_default();
    list.into_iter()
        .map(|a| match a.size {
            Some(size) => format!("{} ({} Ko)", a.name, (size + 1023) / 1024),
            None => a.name,
        })
        .collect()
}

fn duration(ms: i64) -> String {
    let m = ms / 60_000;
    if m < 60 {
        format!("{m} min")
    } else if m < 48 * 60 {
        format!("{} h {:02}", m / 60, m % 60)
    } else {
        format!("{} j", m / 1440)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseQuery {
    /// A canned reply to start the reply with.
    #[serde(default, deserialize_with = "crate::service::blank_is_none")]
    canned: Option<i64>,
}

fn email_bits(l: crate::i18n::Lang, e: &crate::service::email::CaseEmail) -> EmailBits {
    let m = &e.email;
    let status = match m.status.as_str() {
        "sent" => format!(
            "{} {}",
            l.t("email.sent"),
            m.sent_at.map(|t| l.datetime(t)).unwrap_or_default()
        ),
        "queued" => match (&m.error, m.next_attempt_at) {
            (Some(err), Some(next)) => {
                format!("{} {} — {err}", l.t("email.retry_at"), l.datetime(next))
            }
            _ => l.t("email.queued").to_string(),
        },
        "failed" => format!(
            "{} {}",
            l.t("email.failed"),
            m.error.clone().unwrap_or_default()
        ),
        _ => String::new(),
    };
    EmailBits {
        id: m.id,
        has_html: m.html.is_some(),
        failed: m.status == "failed",
        status,
        automatic: match m.kind.as_str() {
            "human" | "reply" => String::new(),
            k => l.t(&format!("email.kind_{k}")).to_string(),
        },
        signature: e.folded.signature.clone().unwrap_or_default(),
        quoted: e.folded.quoted.clone().unwrap_or_default(),
        warnings: e
            .warnings
            .iter()
            .map(|w| {
                format!(
                    "{} — {}",
                    l.t(&format!("email.warning_{}", w.code)),
                    w.detail
                )
            })
            .collect(),
        files: e
            .attachments
            .iter()
            .filter(|a| a.inline == 0 || a.content_id.is_none())
            .map(|a| (a.id, format!("{} ({} Ko)", a.name, (a.size + 1023) / 1024)))
            .collect(),
    }
}

pub async fn page(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(number): WebPath<i64>,
    WebQuery(q): WebQuery<CaseQuery>,
) -> Result<CasePage, WebError> {
    render(&st, &u, number, "", q.canned).await
}

/// "Insert" a canned reply: the page again, the draft kept and the reply added after it
/// (nothing is written).
pub async fn compose(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(number): WebPath<i64>,
    Form(f): Form<ComposeForm>,
) -> Result<CasePage, WebError> {
    u.check_csrf(&f.csrf)?;
    render(&st, &u, number, &f.body, f.canned).await
}

#[derive(Deserialize)]
pub struct ComposeForm {
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default, deserialize_with = "crate::service::blank_is_none")]
    canned: Option<i64>,
}

async fn render(
    st: &AppState,
    u: &WebUser,
    number: i64,
    draft: &str,
    canned_id: Option<i64>,
) -> Result<CasePage, WebError> {
    // Before reading: what changes after this is told to the page.
    let live_at = st.live.position();
    let l = u.lang;
    let d = case::get_by_number(&st.store, &u.actor, number)
        .await
        .web(l)?;
    st.reads
        .note(&u.actor, "case", d.case.id, Some(d.case.customer_id))
        .await;
    let emails = crate::service::email::case_emails(&st.store, &u.actor, d.case.id)
        .await
        .web(l)?;
    let canned = crate::service::email::texts::canned(&st.store, &u.actor)
        .await
        .web(l)?;
    let mut draft = draft.trim_end().to_string();
    if let Some(c) = canned_id.and_then(|id| canned.iter().find(|c| c.id == id)) {
        let text = crate::service::email::texts::fill(&st.store, &u.actor, &d.case, &c.body)
            .await
            .web(l)?;
        if !draft.is_empty() {
            draft.push_str("\n\n");
        }
        draft.push_str(&text);
    }
    let send_note = if d.case.channel == "email" {
        match crate::service::email::outbound::reply_blocked(&st.store, &d.case)
            .await
            .web(l)?
        {
            Some(reason) => format!(
                "{} {}",
                l.t("case.will_not_send"),
                l.t(&format!("email.reason_{reason}"))
            ),
            None => String::new(),
        }
    } else {
        l.t("case.recorded_only")
            .replace("{channel}", l.t(&format!("channel.{}", d.case.channel)))
    };
    let users = org::list_users(&st.store, &u.actor).await.web(l)?;
    let now = service::now_ms();
    let messages = d
        .interactions
        .iter()
        .map(|i| {
            let email = emails.iter().find(|e| e.email.interaction_id == Some(i.id));
            Message {
                email: email.map(|e| email_bits(l, e)),
                attachments: if email.is_some() {
                    Vec::new()
                } else {
                    attachment_names(&i.attachments)
                },
                inbound: i.direction == "inbound",
                note: i.is_note != 0,
                channel_label: l.t(&format!("channel.{}", i.channel)).to_string(),
                at: l.datetime(i.occurred_at),
                author: if i.direction == "inbound" {
                    d.customer
                        .display_name
                        .clone()
                        .unwrap_or_else(|| l.t("case.inbound").to_string())
                } else {
                    Some(user_name(&users, i.author_user_id))
                        .filter(|n| !n.is_empty())
                        .unwrap_or_else(|| l.t("case.outbound").to_string())
                },
                subject: i.subject.clone().unwrap_or_default(),
                body: match email {
                    Some(e) => e.folded.body.clone(),
                    None => i.body.clone(),
                },
                wait: match (i.queued_at, i.answered_at) {
                    (Some(q), Some(a)) => duration(a - q),
                    _ => String::new(),
                },
                unsent: match d.events.iter().find(|e| {
                    e.kind == "email_not_sent" && e.at == i.occurred_at && email.is_none()
                }) {
                    Some(e) => format!(
                        "{} — {}",
                        l.t("email.not_sent"),
                        l.t(&format!("email.reason_{}", e.detail))
                    ),
                    None => String::new(),
                },
            }
        })
        .collect();
    let events = d
        .events
        .iter()
        .map(|e| EventRow {
            at: l.datetime(e.at),
            label: l.t(&format!("event.{}", e.kind)).to_string(),
            detail: match e.kind.as_str() {
                "status" => l.t(&format!("status.{}", e.detail)).to_string(),
                "opened" | "reopened" => l.t(&format!("channel.{}", e.detail)).to_string(),
                "email_not_sent" => l.t(&format!("email.reason_{}", e.detail)).to_string(),
                "assigned" => e
                    .detail
                    .parse()
                    .ok()
                    .map(|id| user_name(&users, Some(id)))
                    .unwrap_or_default(),
                _ => e.detail.clone(),
            },
        })
        .collect();
    let c = &d.case;
    let ood = format!(
        "ood.{}",
        serde_json::to_value(c.clock().once_and_done(now))
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default()
    );
    Ok(CasePage {
        c: CaseRow::of(c, l, &users),
        customer_id: c.customer_id,
        customer_name: d
            .customer
            .display_name
            .clone()
            .unwrap_or_else(|| l.t("customer.unnamed").to_string()),
        kind: c.kind.clone(),
        priority: c.priority.clone(),
        category: c.category.clone().unwrap_or_default(),
        assignee_id: c.assignee_id.unwrap_or(0),
        team_id: c.team_id.unwrap_or(0),
        teams: org::list_teams(&st.store, &u.actor).await.web(l)?,
        opened: l.datetime(c.opened_at),
        first_response: c
            .first_response_at
            .map(|t| format!("{} ({})", l.datetime(t), duration(t - c.opened_at)))
            .unwrap_or_else(|| "—".into()),
        due: match (c.due_at, c.status.as_str()) {
            (Some(d), "open" | "pending") => format!(
                "{} ({})",
                l.datetime(d),
                super::charter::remaining(&l, &(d - now).div_euclid(60_000))
            ),
            _ => String::new(),
        },
        overdue: c.due_at.is_some_and(|d| d < now)
            && matches!(c.status.as_str(), "open" | "pending"),
        once_and_done: l.t(&ood).to_string(),
        pending: duration(c.pending_ms),
        messages,
        events,
        statuses: options(l, "status", CaseStatus::ALL),
        kinds: options(l, "kind", CaseKind::ALL),
        priorities: options(l, "priority", Priority::ALL),
        users,
        canned,
        draft,
        send_note,
        me: u.actor.user_id,
        live_at,
        seen: format!(
            "{} {} {}",
            d.case.status,
            d.case.updated_at,
            d.case.assignee_id.unwrap_or(0)
        ),
        voice: crate::service::survey::of_case(&st.store, &u.actor, c.id, &st.config.public_base())
            .await
            .web(l)?,
        s: Shell::of(u),
    })
}

#[derive(Deserialize)]
pub struct ReplyForm {
    csrf: String,
    body: String,
    note: Option<String>,
    status: Option<String>,
}

pub async fn reply(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(number): WebPath<i64>,
    Form(f): Form<ReplyForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let d = case::get_by_number(&st.store, &u.actor, number)
        .await
        .web(u.lang)?;
    let input = ReplyInput {
        body: f.body,
        channel: None,
        note: f.note.is_some(),
        status: f.status,
    };
    case::reply(&st.store, &u.actor, d.case.id, &input)
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&format!("/cases/{number}?done=reply")))
}

#[derive(Deserialize)]
pub struct UpdateForm {
    csrf: String,
    status: Option<String>,
    assignee_id: Option<i64>,
    team_id: Option<i64>,
    kind: Option<String>,
    priority: Option<String>,
    category: Option<String>,
}

pub async fn update(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(number): WebPath<i64>,
    Form(f): Form<UpdateForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let d = case::get_by_number(&st.store, &u.actor, number)
        .await
        .web(u.lang)?;
    let patch = CasePatch {
        status: f.status,
        assignee_id: f.assignee_id,
        team_id: f.team_id,
        kind: f.kind,
        category: f.category,
        priority: f.priority,
    };
    case::update(&st.store, &u.actor, d.case.id, &patch)
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&format!("/cases/{number}?done=case_updated")))
}

/// `GET /cases.csv?…`: the inbox's filters, every matching case as CSV, streamed.
pub async fn export(
    State(st): State<AppState>,
    u: WebUser,
    WebQuery(q): WebQuery<ListQuery>,
) -> Result<axum::response::Response, WebError> {
    let rows = case::export_csv(&st.store, &u.actor, &q)
        .await
        .web(u.lang)?;
    Ok(crate::app::csv_download("cases.csv", rows))
}
