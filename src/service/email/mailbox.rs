//! Mailbox settings: the address customers write to, how Pacte reads it (IMAP, optional: mail
//! can also arrive by pipe or API) and how it sends from it (SMTP). Passwords are sealed.

use super::secrets;
use crate::domain::identity::Email;
use crate::service::{Actor, Checks, Error, Result, now_ms};
use crate::store::{self, Store};
use serde::{Deserialize, Serialize};

pub use store::email::Mailbox;

/// A mailbox as an administrator fills it in. An empty password keeps the stored one.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailboxInput {
    pub address: String,
    pub display_name: Option<String>,
    pub team_id: Option<i64>,
    pub imap_host: Option<String>,
    pub imap_port: Option<i64>,
    /// `tls` (implicit, port 993), `starttls` or `none` (loopback only).
    pub imap_security: Option<String>,
    pub imap_user: Option<String>,
    /// The password, or `env:NAME` to read it from the server's environment.
    pub imap_password: Option<String>,
    pub imap_folder: Option<String>,
    /// Move messages there once ingested; without it they are flagged \Seen.
    pub imap_done_folder: Option<String>,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<i64>,
    /// `tls` (implicit, port 465), `starttls` (port 587) or `none` (loopback only).
    pub smtp_security: Option<String>,
    pub smtp_user: Option<String>,
    pub smtp_password: Option<String>,
    pub active: Option<bool>,
}

const SECURITY: [&str; 3] = ["tls", "starttls", "none"];

fn present(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

struct Checked {
    address: String,
    address_key: String,
    display_name: String,
    imap_host: Option<String>,
    imap_port: Option<i64>,
    imap_security: String,
    imap_user: Option<String>,
    imap_folder: String,
    imap_done_folder: Option<String>,
    smtp_host: Option<String>,
    smtp_port: Option<i64>,
    smtp_security: String,
    smtp_user: Option<String>,
}

fn check(input: &MailboxInput) -> Result<Checked> {
    let mut checks = Checks::default();
    let address = checks
        .check("address", Email::parse(&input.address))
        .map(|e| e.as_str().to_string());
    let security = |checks: &mut Checks, field: &str, v: &Option<String>, default: &str| {
        let s = present(v)
            .unwrap_or_else(|| default.to_string())
            .to_lowercase();
        if !SECURITY.contains(&s.as_str()) {
            checks.refuse(field, "invalid_security", "tls, starttls or none");
        }
        s
    };
    let imap_security = security(&mut checks, "imap_security", &input.imap_security, "tls");
    let smtp_security = security(
        &mut checks,
        "smtp_security",
        &input.smtp_security,
        "starttls",
    );
    for (field, port) in [
        ("imap_port", input.imap_port),
        ("smtp_port", input.smtp_port),
    ] {
        if port.is_some_and(|p| !(1..=65535).contains(&p)) {
            checks.refuse(field, "invalid_port", "a port between 1 and 65535");
        }
    }
    let imap_host = present(&input.imap_host);
    let imap_user = present(&input.imap_user);
    if imap_host.is_some() && imap_user.is_none() {
        checks.refuse(
            "imap_user",
            "required",
            "the IMAP account needs a user name",
        );
    }
    for (field, host) in [
        ("imap_host", &imap_host),
        ("smtp_host", &present(&input.smtp_host)),
    ] {
        if host
            .as_ref()
            .is_some_and(|h| h.len() > 253 || h.contains(|c: char| c.is_whitespace() || c == '/'))
        {
            checks.refuse(field, "invalid_host", "a host name or IP address");
        }
    }
    let display_name = present(&input.display_name).unwrap_or_default();
    if display_name.chars().count() > 100 {
        checks.refuse("display_name", "too_long", "at most 100 characters");
    }
    checks.finish()?;
    let default_port = |sec: &str, tls: i64, starttls: i64, none: i64| match sec {
        "tls" => tls,
        "starttls" => starttls,
        _ => none,
    };
    let address = address.expect("checked");
    Ok(Checked {
        address_key: address.to_lowercase(),
        address,
        display_name,
        imap_port: imap_host.as_ref().map(|_| {
            input
                .imap_port
                .unwrap_or(default_port(&imap_security, 993, 143, 143))
        }),
        imap_host,
        imap_security,
        imap_user,
        imap_folder: present(&input.imap_folder).unwrap_or_else(|| "INBOX".into()),
        imap_done_folder: present(&input.imap_done_folder),
        smtp_port: present(&input.smtp_host).map(|_| {
            input
                .smtp_port
                .unwrap_or(default_port(&smtp_security, 465, 587, 25))
        }),
        smtp_host: present(&input.smtp_host),
        smtp_security,
        smtp_user: present(&input.smtp_user),
    })
}

pub async fn list(store: &Store, actor: &Actor) -> Result<Vec<Mailbox>> {
    actor.require(actor.role.can_administer())?;
    let mut c = store.reader().await?;
    Ok(store::email::mailboxes(&mut c, actor.org_id).await?)
}

pub async fn get(store: &Store, actor: &Actor, id: i64) -> Result<Mailbox> {
    actor.require(actor.role.can_administer())?;
    let mut c = store.reader().await?;
    store::email::mailbox(&mut c, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("mailbox"))
}

pub async fn create(store: &Store, actor: &Actor, input: &MailboxInput) -> Result<Mailbox> {
    actor.require(actor.role.can_administer())?;
    create_unchecked(store, actor.org_id, input).await
}

/// Creates a mailbox without a permission check (setup, demo).
pub async fn create_unchecked(store: &Store, org_id: i64, input: &MailboxInput) -> Result<Mailbox> {
    let v = check(input)?;
    let imap_secret = present(&input.imap_password).map(|p| secrets::seal(&p));
    let smtp_secret = present(&input.smtp_password).map(|p| secrets::seal(&p));
    let now = now_ms();
    let mut tx = store.begin().await?;
    if let Some(team) = input.team_id {
        crate::service::check_team(&mut tx, org_id, team).await?;
    }
    let id = store::email::insert_mailbox(
        &mut tx,
        org_id,
        &settings(&v, input, imap_secret.as_deref(), smtp_secret.as_deref()),
        now,
    )
    .await
    .map_err(taken)?;
    let m = store::email::mailbox(&mut tx, org_id, id)
        .await?
        .ok_or(Error::NotFound("mailbox"))?;
    tx.commit().await?;
    super::imap::wake();
    Ok(m)
}

pub async fn update(
    store: &Store,
    actor: &Actor,
    id: i64,
    input: &MailboxInput,
) -> Result<Mailbox> {
    actor.require(actor.role.can_administer())?;
    let v = check(input)?;
    let now = now_ms();
    let mut tx = store.begin().await?;
    let old = store::email::mailbox(&mut tx, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("mailbox"))?;
    let imap_secret = present(&input.imap_password)
        .map(|p| secrets::seal(&p))
        .or(old.imap_secret.clone());
    let smtp_secret = present(&input.smtp_password)
        .map(|p| secrets::seal(&p))
        .or(old.smtp_secret.clone());
    // Another account or folder has its own UIDs: read it from the start (Message-IDs dedupe).
    let moved = old.imap_host != v.imap_host
        || old.imap_user != v.imap_user
        || old.imap_folder != v.imap_folder;
    store::email::update_mailbox(
        &mut tx,
        id,
        &settings(&v, input, imap_secret.as_deref(), smtp_secret.as_deref()),
        moved,
        now,
    )
    .await
    .map_err(taken)?;
    store::org::audit(
        &mut tx,
        actor.org_id,
        Some(actor.user_id),
        now,
        "mailbox.update",
        &v.address,
        "",
    )
    .await?;
    let m = store::email::mailbox(&mut tx, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("mailbox"))?;
    tx.commit().await?;
    super::imap::wake();
    Ok(m)
}

fn taken(e: store::Error) -> Error {
    match e {
        store::Error::Conflict(_) => Error::Conflict {
            code: "address_taken",
            message: "another mailbox already receives mail at this address".into(),
        },
        e => e.into(),
    }
}

fn settings<'a>(
    v: &'a Checked,
    input: &MailboxInput,
    imap_secret: Option<&'a str>,
    smtp_secret: Option<&'a str>,
) -> store::email::MailboxSettings<'a> {
    store::email::MailboxSettings {
        address: &v.address,
        address_key: &v.address_key,
        display_name: &v.display_name,
        team_id: input.team_id,
        imap_host: v.imap_host.as_deref(),
        imap_port: v.imap_port,
        imap_security: &v.imap_security,
        imap_user: v.imap_user.as_deref(),
        imap_secret,
        imap_folder: &v.imap_folder,
        imap_done_folder: v.imap_done_folder.as_deref(),
        smtp_host: v.smtp_host.as_deref(),
        smtp_port: v.smtp_port,
        smtp_security: &v.smtp_security,
        smtp_user: v.smtp_user.as_deref(),
        smtp_secret,
        active: input.active.unwrap_or(true),
    }
}

/// The outcome of "test connection": each side tried for real, with the server's own words.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConnectionTest {
    /// Absent when the mailbox has no IMAP account.
    pub imap: Option<Check>,
    pub smtp: Option<Check>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Check {
    pub ok: bool,
    pub message: String,
}

impl From<std::result::Result<String, String>> for Check {
    fn from(r: std::result::Result<String, String>) -> Check {
        match r {
            Ok(message) => Check { ok: true, message },
            Err(message) => Check { ok: false, message },
        }
    }
}

/// Connects to the mailbox's servers as configured, within the operator's rule for connections.
pub async fn test_connection(
    store: &Store,
    actor: &Actor,
    id: i64,
    egress: crate::service::egress::Egress,
) -> Result<ConnectionTest> {
    let m = get(store, actor, id).await?;
    let imap = match &m.imap_host {
        Some(_) => Some(
            super::imap::check(&m, egress)
                .await
                .map(|n| format!("{n} message(s) in {}", m.imap_folder))
                .into(),
        ),
        None => None,
    };
    let smtp = match &m.smtp_host {
        Some(_) => Some(
            super::outbound::check(&m, egress)
                .await
                .map(|()| "ready".to_string())
                .into(),
        ),
        None => None,
    };
    Ok(ConnectionTest { imap, smtp })
}
