//! The email channel in the web interface: mailbox settings with a real "test connection",
//! the acknowledgement templates, canned replies; downloads of attachments and raw messages;
//! a message's HTML, sanitised and sandboxed.

use super::WebPath;
use super::error::OrPage;
use super::view::Shell;
use super::{WebError, WebUser};
use crate::app::AppState;
use crate::service::email::mailbox::{self, ConnectionTest, Mailbox, MailboxInput};
use crate::service::email::texts::{self, CannedInput, CannedReply, Template, TemplateInput};
use crate::service::{self, FieldError, org};
use crate::store::org::Team;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(askama::Template, WebTemplate)]
#[template(path = "email_admin.html")]
pub struct EmailAdmin {
    s: Shell,
    mailboxes: Vec<Mailbox>,
    templates: Vec<Template>,
    canned: Vec<CannedReply>,
    teams: Vec<Team>,
}

impl EmailAdmin {
    fn when(&self, at: &Option<i64>) -> String {
        at.map(|t| self.s.l.datetime(t))
            .unwrap_or_else(|| "—".into())
    }
    fn team_name(&self, id: &Option<i64>) -> String {
        id.and_then(|id| self.teams.iter().find(|t| t.id == id))
            .map(|t| t.name.clone())
            .unwrap_or_default()
    }
}

pub async fn admin(State(st): State<AppState>, u: WebUser) -> Result<EmailAdmin, WebError> {
    let l = u.lang;
    Ok(EmailAdmin {
        mailboxes: mailbox::list(&st.store, &u.actor).await.web(l)?,
        templates: texts::templates(&st.store, &u.actor).await.web(l)?,
        canned: texts::canned(&st.store, &u.actor).await.web(l)?,
        teams: org::list_teams(&st.store, &u.actor).await.web(l)?,
        s: Shell::of(&u),
    })
}

#[derive(askama::Template, WebTemplate)]
#[template(path = "mailbox.html")]
pub struct MailboxPage {
    s: Shell,
    id: Option<i64>,
    f: MailboxForm,
    errors: Vec<FieldError>,
    test: Option<ConnectionTest>,
    teams: Vec<Team>,
    has_imap_password: bool,
    has_smtp_password: bool,
    poll_error: String,
}

impl MailboxPage {
    fn error(&self, field: &str) -> String {
        self.errors
            .iter()
            .filter(|e| e.field == field)
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct MailboxForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    team_id: String,
    #[serde(default)]
    imap_host: String,
    #[serde(default)]
    imap_port: String,
    #[serde(default)]
    imap_security: String,
    #[serde(default)]
    imap_user: String,
    #[serde(default)]
    imap_password: String,
    #[serde(default)]
    imap_folder: String,
    #[serde(default)]
    imap_done_folder: String,
    #[serde(default)]
    smtp_host: String,
    #[serde(default)]
    smtp_port: String,
    #[serde(default)]
    smtp_security: String,
    #[serde(default)]
    smtp_user: String,
    #[serde(default)]
    smtp_password: String,
    active: Option<String>,
}

impl MailboxForm {
    fn of(m: &Mailbox) -> MailboxForm {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        let n = |v: Option<i64>| v.map(|p| p.to_string()).unwrap_or_default();
        MailboxForm {
            csrf: String::new(),
            address: m.address.clone(),
            display_name: m.display_name.clone(),
            team_id: n(m.team_id),
            imap_host: s(&m.imap_host),
            imap_port: n(m.imap_port),
            imap_security: m.imap_security.clone(),
            imap_user: s(&m.imap_user),
            imap_password: String::new(),
            imap_folder: m.imap_folder.clone(),
            imap_done_folder: s(&m.imap_done_folder),
            smtp_host: s(&m.smtp_host),
            smtp_port: n(m.smtp_port),
            smtp_security: m.smtp_security.clone(),
            smtp_user: s(&m.smtp_user),
            smtp_password: String::new(),
            active: (m.active != 0).then(|| "1".into()),
        }
    }

    /// The input, or the fields whose numbers do not read.
    fn input(&self) -> Result<MailboxInput, Vec<FieldError>> {
        let mut checks = service::Checks::default();
        let mut number = |field: &str, v: &str| -> Option<i64> {
            let v = v.trim();
            if v.is_empty() {
                return None;
            }
            match v.parse() {
                Ok(n) => Some(n),
                Err(_) => {
                    checks.refuse(field, "invalid_number", "a whole number");
                    None
                }
            }
        };
        let imap_port = number("imap_port", &self.imap_port);
        let smtp_port = number("smtp_port", &self.smtp_port);
        let team_id = number("team_id", &self.team_id).filter(|t| *t > 0);
        if !checks.0.is_empty() {
            return Err(checks.0);
        }
        let o = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(MailboxInput {
            address: self.address.clone(),
            display_name: o(&self.display_name),
            team_id,
            imap_host: o(&self.imap_host),
            imap_port,
            imap_security: o(&self.imap_security),
            imap_user: o(&self.imap_user),
            imap_password: o(&self.imap_password),
            imap_folder: o(&self.imap_folder),
            imap_done_folder: o(&self.imap_done_folder),
            smtp_host: o(&self.smtp_host),
            smtp_port,
            smtp_security: o(&self.smtp_security),
            smtp_user: o(&self.smtp_user),
            smtp_password: o(&self.smtp_password),
            active: Some(self.active.is_some()),
        })
    }
}

async fn page_for(
    st: &AppState,
    u: &WebUser,
    id: Option<i64>,
    f: MailboxForm,
    errors: Vec<FieldError>,
    test: Option<ConnectionTest>,
) -> Result<MailboxPage, WebError> {
    let l = u.lang;
    let stored = match id {
        Some(id) => Some(mailbox::get(&st.store, &u.actor, id).await.web(l)?),
        None => None,
    };
    Ok(MailboxPage {
        id,
        f,
        errors,
        test,
        teams: org::list_teams(&st.store, &u.actor).await.web(l)?,
        has_imap_password: stored.as_ref().is_some_and(|m| m.imap_secret.is_some()),
        has_smtp_password: stored.as_ref().is_some_and(|m| m.smtp_secret.is_some()),
        poll_error: stored.and_then(|m| m.poll_error).unwrap_or_default(),
        s: Shell::of(u),
    })
}

pub async fn new_mailbox(State(st): State<AppState>, u: WebUser) -> Result<MailboxPage, WebError> {
    u.actor.require(u.actor.role.can_administer()).web(u.lang)?;
    let f = MailboxForm {
        imap_security: "tls".into(),
        smtp_security: "starttls".into(),
        imap_folder: "INBOX".into(),
        active: Some("1".into()),
        ..Default::default()
    };
    page_for(&st, &u, None, f, Vec::new(), None).await
}

pub async fn edit_mailbox(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
) -> Result<MailboxPage, WebError> {
    let m = mailbox::get(&st.store, &u.actor, id).await.web(u.lang)?;
    page_for(&st, &u, Some(id), MailboxForm::of(&m), Vec::new(), None).await
}

/// Saves (creates when `id` is absent); a refusal shows the form again, filled in, field by field.
async fn save(
    st: &AppState,
    u: &WebUser,
    id: Option<i64>,
    f: MailboxForm,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    let input = match f.input() {
        Ok(i) => i,
        Err(errors) => return Ok(page_for(st, u, id, f, errors, None).await?.into_response()),
    };
    let saved = match id {
        Some(id) => mailbox::update(&st.store, &u.actor, id, &input).await,
        None => mailbox::create(&st.store, &u.actor, &input).await,
    };
    match saved {
        Ok(m) => Ok(Redirect::to(&format!("/admin/mailboxes/{}", m.id)).into_response()),
        Err(service::Error::Invalid(errors)) => {
            Ok(page_for(st, u, id, f, errors, None).await?.into_response())
        }
        Err(service::Error::Conflict { code, message }) => {
            let errors = vec![FieldError {
                field: "address".into(),
                code: code.into(),
                message,
            }];
            Ok(page_for(st, u, id, f, errors, None).await?.into_response())
        }
        Err(e) => Err(e).web(u.lang),
    }
}

pub async fn create_mailbox(
    State(st): State<AppState>,
    u: WebUser,
    Form(f): Form<MailboxForm>,
) -> Result<Response, WebError> {
    save(&st, &u, None, f).await
}

pub async fn update_mailbox(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<MailboxForm>,
) -> Result<Response, WebError> {
    save(&st, &u, Some(id), f).await
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn test_mailbox(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<MailboxPage, WebError> {
    u.check_csrf(&f.csrf)?;
    let test = mailbox::test_connection(&st.store, &u.actor, id, st.config.egress())
        .await
        .web(u.lang)?;
    let m = mailbox::get(&st.store, &u.actor, id).await.web(u.lang)?;
    page_for(
        &st,
        &u,
        Some(id),
        MailboxForm::of(&m),
        Vec::new(),
        Some(test),
    )
    .await
}

#[derive(Deserialize)]
pub struct TemplateForm {
    csrf: String,
    subject: String,
    body: String,
}

pub async fn save_template(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(lang): WebPath<String>,
    Form(f): Form<TemplateForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let input = TemplateInput {
        subject: f.subject,
        body: f.body.replace("\r\n", "\n"),
    };
    texts::put_template(&st.store, &u.actor, texts::ACK, &lang, &input)
        .await
        .web(u.lang)?;
    Ok(Redirect::to("/admin/email?done=saved#templates"))
}

#[derive(Deserialize)]
pub struct CannedForm {
    csrf: String,
    title: String,
    body: String,
    #[serde(default)]
    team_id: String,
}

pub async fn add_canned(
    State(st): State<AppState>,
    u: WebUser,
    Form(f): Form<CannedForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let input = CannedInput {
        title: f.title,
        body: f.body.replace("\r\n", "\n"),
        team_id: f.team_id.parse().ok().filter(|t: &i64| *t > 0),
    };
    texts::add_canned(&st.store, &u.actor, &input)
        .await
        .web(u.lang)?;
    Ok(Redirect::to("/admin/email?done=saved#canned"))
}

pub async fn delete_canned(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    texts::delete_canned(&st.store, &u.actor, id)
        .await
        .web(u.lang)?;
    Ok(Redirect::to("/admin/email?done=saved#canned"))
}

pub async fn attachment(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
) -> Result<Response, WebError> {
    let (meta, data) = service::email::attachment(&st.store, &u.actor, id)
        .await
        .web(u.lang)?;
    let customer = service::email::customer_of_email(&st.store, &u.actor, meta.email_id)
        .await
        .web(u.lang)?;
    st.reads.note(&u.actor, "attachment", id, customer).await;
    Ok(crate::api::email::download(&meta.content_type, &meta.name, data).into_response())
}

pub async fn raw(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
) -> Result<Response, WebError> {
    let (_, raw) = service::email::raw_message(&st.store, &u.actor, id)
        .await
        .web(u.lang)?;
    let customer = service::email::customer_of_email(&st.store, &u.actor, id)
        .await
        .web(u.lang)?;
    st.reads.note(&u.actor, "raw_email", id, customer).await;
    Ok(
        crate::api::email::download("message/rfc822", &format!("message-{id}.eml"), raw)
            .into_response(),
    )
}

/// The HTML as the sender wrote it, sanitised, in a sandbox: no script runs, no remote content
/// loads (a tracking pixel would tell the sender when an advisor read it).
pub async fn html(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
) -> Result<Response, WebError> {
    let body = service::email::email_html(&st.store, &u.actor, id, "/attachments/")
        .await
        .web(u.lang)?;
    let customer = service::email::customer_of_email(&st.store, &u.actor, id)
        .await
        .web(u.lang)?;
    st.reads.note(&u.actor, "email", id, customer).await;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'",
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        format!("<!doctype html><meta charset=\"utf-8\">{body}"),
    )
        .into_response())
}
