//! Outgoing mail: an advisor's reply or an acknowledgement becomes a complete RFC 5322 message
//! (own Message-ID, In-Reply-To/References so the customer's client threads it, plain text and
//! HTML, the case token in the subject), stored raw in the same transaction as the reply, then
//! sent by SMTP from the queue, retried with a growing delay. A failure shows on the case.

use super::secrets;
use crate::domain::email::{clean_header, reply_subject};
use crate::service::egress::Egress;
use crate::service::{Result, now_ms};
use crate::store::{self, Conn, Store};
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox as Address, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

/// Delays before the 2nd, 3rd… attempt; after the last, the message has failed.
const RETRY_DELAYS_S: [i64; 6] = [30, 120, 600, 1800, 7200, 21600];
/// How long a sender holds a message it is sending before another may try.
const LEASE_MS: i64 = 120_000;

/// RFC 3834: marks an acknowledgement as automatic so other robots do not answer it.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> std::result::Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-replied".into())
    }
}

/// What a message answers, for its threading headers.
pub struct Answering<'a> {
    pub message_id: &'a str,
    pub refs: &'a str,
}

/// A message ready to queue.
pub struct Draft<'a> {
    pub mailbox: &'a store::email::Mailbox,
    pub to: &'a str,
    pub subject: String,
    pub text: String,
    pub answering: Option<Answering<'a>>,
    pub automatic: bool,
    pub case_id: Option<i64>,
    /// Goes into the Message-ID (0 for mail about no case).
    pub case_number: i64,
    pub interaction_id: Option<i64>,
    pub kind: &'a str,
}

/// Builds the message and queues it, inside the caller's transaction. Returns its row id.
pub async fn queue_in(c: &mut Conn, org_id: i64, d: &Draft<'_>, now: i64) -> Result<i64> {
    let domain = d
        .mailbox
        .address
        .rsplit('@')
        .next()
        .unwrap_or("pacte.invalid");
    let message_id = format!(
        "{}.{}@{domain}",
        uuid::Uuid::now_v7().simple(),
        d.case_number
    );
    let (in_reply_to, refs) = match &d.answering {
        Some(a) => {
            let mut refs: Vec<&str> = a.refs.split_whitespace().collect();
            refs.push(a.message_id);
            // Long threads keep their first and latest references (RFC 5322 §3.6.4 advice).
            if refs.len() > 20 {
                refs.drain(1..refs.len() - 19);
            }
            (Some(a.message_id.to_string()), refs.join(" "))
        }
        None => (None, String::new()),
    };
    let raw = build(d, &message_id, in_reply_to.as_deref(), &refs).map_err(|e| {
        crate::service::Error::invalid("to", crate::domain::Invalid::new("invalid_address", e))
    })?;
    let hash = blake3::hash(&raw).to_hex().to_string();
    store::email::put_blob(c, &hash, &raw, now).await?;
    let id = store::email::insert_email(
        c,
        org_id,
        &store::email::NewEmail {
            mailbox_id: Some(d.mailbox.id),
            direction: "outbound",
            kind: d.kind,
            case_id: d.case_id,
            interaction_id: d.interaction_id,
            message_id: &message_id,
            in_reply_to: in_reply_to.as_deref(),
            refs: &refs,
            thread_root: None,
            from_address: &d.mailbox.address,
            from_key: "",
            reply_to: None,
            to_addresses: d.to,
            subject: &d.subject,
            html: None,
            warnings: "[]",
            raw_hash: &hash,
            status: "queued",
            next_attempt_at: Some(now),
        },
        now,
    )
    .await?;
    Ok(id)
}

fn build(
    d: &Draft<'_>,
    message_id: &str,
    in_reply_to: Option<&str>,
    refs: &str,
) -> std::result::Result<Vec<u8>, String> {
    let from = Address::new(
        Some(d.mailbox.display_name.clone()).filter(|n| !n.is_empty()),
        d.mailbox.address.parse().map_err(|e| format!("{e}"))?,
    );
    let to: Address = d.to.parse().map_err(|e| format!("«{}»: {e}", d.to))?;
    let angle = |ids: &str| {
        ids.split_whitespace()
            .map(|i| format!("<{i}>"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut b = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(clean_header(&d.subject, 300))
        .message_id(Some(format!("<{message_id}>")))
        .date_now();
    if let Some(irt) = in_reply_to {
        b = b.in_reply_to(format!("<{irt}>")).references(angle(refs));
    }
    if d.automatic {
        b = b.header(AutoSubmitted);
    }
    let html = format!(
        "<!doctype html><html><body><div style=\"font-family:sans-serif;white-space:pre-wrap\">{}</div></body></html>",
        escape(&d.text)
    );
    let body = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(d.text.clone()),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(html),
        );
    let m = b.multipart(body).map_err(|e| e.to_string())?;
    Ok(m.formatted())
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The SMTP transport of a mailbox, connected to an address of its server checked against the
/// operator's rule (`Egress`), and verifying TLS against the server's name.
async fn transport(
    m: &store::email::Mailbox,
    egress: Egress,
) -> std::result::Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let host = m
        .smtp_host
        .as_deref()
        .ok_or("no SMTP server is configured")?;
    let port = m.smtp_port.unwrap_or(587) as u16;
    // Connecting to the checked address, not the name again: DNS could answer differently.
    let addr = egress.resolve(host, port).await?[0].ip().to_string();
    let params = if addr
        .parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
    {
        // A relay on this machine often has no certificate for "localhost"; still encrypt.
        TlsParameters::builder(host.to_string())
            .dangerous_accept_invalid_certs(true)
            .dangerous_accept_invalid_hostnames(true)
            .build()
    } else {
        TlsParameters::new(host.to_string())
    }
    .map_err(|e| e.to_string())?;
    let tls = match m.smtp_security.as_str() {
        "tls" => Tls::Wrapper(params),
        "starttls" => Tls::Required(params),
        _ => Tls::None,
    };
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(addr)
        .tls(tls)
        .port(port)
        .timeout(Some(Duration::from_secs(30)));
    if let Some(user) = &m.smtp_user {
        let password = match &m.smtp_secret {
            Some(s) => secrets::open(s)?,
            None => String::new(),
        };
        b = b.credentials(Credentials::new(user.clone(), password));
    }
    Ok(b.build())
}

/// "Test connection": greets the server, negotiates TLS and authenticates.
pub async fn check(m: &store::email::Mailbox, egress: Egress) -> std::result::Result<(), String> {
    let t = transport(m, egress).await?;
    match t.test_connection().await {
        Ok(true) => Ok(()),
        Ok(false) => Err("the server did not answer as an SMTP server".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// Sends every due message once; returns how many were sent.
pub async fn send_due(store: &Store, egress: Egress) -> Result<usize> {
    let now = now_ms();
    let due = {
        let mut tx = store.begin().await?;
        let due = store::email::claim_outgoing(&mut tx, now, now + LEASE_MS, 50).await?;
        tx.commit().await?;
        due
    };
    let mut sent = 0;
    let mut transports = Transports::new();
    for e in due {
        let outcome = send_one(store, &e, &mut transports, egress).await;
        let mut tx = store.begin().await?;
        match outcome {
            Ok(()) => {
                tracing::info!(email = e.id, kind = %e.kind, "mail sent");
                store::email::mark_sent(&mut tx, e.id, now_ms()).await?;
                sent += 1;
            }
            Err((error, permanent)) => {
                let next = (!permanent)
                    .then(|| RETRY_DELAYS_S.get(e.attempts as usize))
                    .flatten()
                    .map(|s| now_ms() + s * 1000);
                tracing::warn!(email = e.id, "sending failed: {error}");
                store::email::mark_attempt_failed(&mut tx, e.id, next, &error).await?;
                if next.is_none()
                    && let Some(case_id) = e.case_id
                {
                    store::case::add_event(
                        &mut tx,
                        e.org_id,
                        case_id,
                        now_ms(),
                        "email_failed",
                        None,
                        &error,
                    )
                    .await?;
                }
            }
        }
        tx.commit().await?;
    }
    Ok(sent)
}

type Transports = std::collections::HashMap<i64, (i64, AsyncSmtpTransport<Tokio1Executor>)>;

/// Sends one message; an error says whether retrying could help.
async fn send_one(
    store: &Store,
    e: &store::email::Email,
    transports: &mut Transports,
    egress: Egress,
) -> std::result::Result<(), (String, bool)> {
    let (mailbox, raw) = {
        let mut c = store.reader().await.map_err(|x| (x.to_string(), false))?;
        let m = match e.mailbox_id {
            Some(id) => store::email::mailbox(&mut c, e.org_id, id)
                .await
                .map_err(|x| (x.to_string(), false))?,
            None => None,
        };
        let raw = store::email::blob(&mut c, &e.raw_hash)
            .await
            .map_err(|x| (x.to_string(), false))?;
        (m, raw)
    };
    let mailbox = mailbox.ok_or(("the mailbox it was sent from was deleted".to_string(), true))?;
    let raw = raw.ok_or(("the message body is missing".to_string(), true))?;
    let fresh = !matches!(transports.get(&mailbox.id), Some((at, _)) if *at == mailbox.updated_at);
    if fresh {
        // Not permanent: a name may resolve elsewhere later, a server come back.
        let t = transport(&mailbox, egress).await.map_err(|x| (x, false))?;
        transports.insert(mailbox.id, (mailbox.updated_at, t));
    }
    let t = &transports[&mailbox.id].1;
    let envelope = lettre::address::Envelope::new(
        Some(
            mailbox
                .address
                .parse()
                .map_err(|x| (format!("{x}"), true))?,
        ),
        vec![
            e.to_addresses
                .parse()
                .map_err(|x| (format!("«{}»: {x}", e.to_addresses), true))?,
        ],
    )
    .map_err(|x| (x.to_string(), true))?;
    match t.send_raw(&envelope, &raw).await {
        Ok(_) => Ok(()),
        Err(x) => Err((x.to_string(), x.is_permanent())),
    }
}

/// Where a reply on a case goes by email: the mailbox (the one the customer's last message came
/// to, else any that sends) and the address (that message's Reply-To, else its sender; a case from
/// another channel: the customer's email). `Err` says why it cannot go.
struct Route {
    mailbox: store::email::Mailbox,
    to: String,
    last: Option<store::email::Email>,
}

async fn route(
    c: &mut Conn,
    case: &store::case::Case,
) -> Result<std::result::Result<Route, &'static str>> {
    let last = store::email::last_inbound_of_case(c, case.id).await?;
    let mailboxes = store::email::mailboxes(c, case.org_id).await?;
    let sendable = |m: &&store::email::Mailbox| m.smtp_host.is_some() && m.active != 0;
    let mailbox = last
        .as_ref()
        .and_then(|e| e.mailbox_id)
        .and_then(|id| mailboxes.iter().filter(sendable).find(|m| m.id == id))
        .or_else(|| mailboxes.iter().find(sendable));
    let Some(mailbox) = mailbox.cloned() else {
        return Ok(Err("no_outgoing_mailbox"));
    };
    let valid = |a: &str| crate::domain::identity::Email::parse(a).is_ok();
    let to = match &last {
        Some(e) => e
            .reply_to
            .clone()
            .filter(|r| valid(r))
            .or_else(|| Some(e.from_address.clone()).filter(|a| valid(a))),
        None => store::customer::email_of(c, case.customer_id).await?,
    };
    let Some(to) = to else {
        return Ok(Err("no_customer_address"));
    };
    Ok(Ok(Route { mailbox, to, last }))
}

/// Why a reply on this case would not go out by email, if it would not (said before sending).
pub async fn reply_blocked(
    store: &crate::store::Store,
    case: &store::case::Case,
) -> crate::service::Result<Option<&'static str>> {
    let mut c = store.reader().await?;
    Ok(route(&mut c, case).await?.err())
}

/// Queues an advisor's reply on a case by email, inside the reply's transaction (see `route`).
/// `Err` says why the reply cannot go by email.
pub async fn queue_reply_in(
    c: &mut Conn,
    case: &store::case::Case,
    interaction_id: i64,
    author_name: &str,
    body: &str,
    now: i64,
) -> Result<std::result::Result<i64, &'static str>> {
    let org_id = case.org_id;
    let Route { mailbox, to, last } = match route(c, case).await? {
        Ok(r) => r,
        Err(reason) => return Ok(Err(reason)),
    };
    let mailbox = &mailbox;
    let org = store::org::org_by_id(c, org_id)
        .await?
        .ok_or(crate::service::Error::NotFound("organisation"))?;
    let token = crate::domain::email::token_for(&org.slug, case.number);
    let original = last
        .as_ref()
        .map_or(case.subject.as_str(), |e| e.subject.as_str());
    let signature = if mailbox.display_name.is_empty() {
        &org.name
    } else {
        &mailbox.display_name
    };
    let text = format!("{}\n\n-- \n{author_name}\n{signature}", body.trim_end());
    let id = queue_in(
        c,
        org_id,
        &Draft {
            mailbox,
            to: &to,
            subject: reply_subject(original, &token),
            text,
            answering: last.as_ref().map(|e| Answering {
                message_id: &e.message_id,
                refs: &e.refs,
            }),
            automatic: false,
            case_id: Some(case.id),
            case_number: case.number,
            interaction_id: Some(interaction_id),
            kind: "reply",
        },
        now,
    )
    .await?;
    Ok(Ok(id))
}
