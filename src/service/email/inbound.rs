//! Receiving a message, whichever way it came (IMAP, MTA pipe, HTTP relay): keep the raw message,
//! read it, find its organisation, its customer and its conversation, record it on the case,
//! acknowledge a new request with the promise, all in one transaction. Automatic mail is kept
//! but never reopens a case nor gets an answer; a sender writing too often is slowed to silence.

use super::outbound::{self, Answering, Draft};
use super::texts::{self, Values};
use crate::domain::Invalid;
use crate::domain::case::CaseKind;
use crate::domain::channel::{Channel, Direction};
use crate::domain::email::{self, Kind, MAX_MESSAGE_BYTES, Parsed, case_token as token_of};
use crate::domain::identity::{Email, Identity};
use crate::i18n::Lang;
use crate::service::ingest::{self, MAX_BODY_CHARS, Valid};
use crate::service::wake::Worker;
use crate::service::work::Work;
use crate::service::{Error, Result};
use crate::store::{self, Conn, Store};
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

/// Messages from one sender in an hour beyond which nothing is opened nor answered (loops).
pub const SENDER_LIMIT_PER_HOUR: i64 = 30;
const HOUR_MS: i64 = 3_600_000;

/// How the message reached Pacte, which tells its organisation.
pub enum Route<'a> {
    /// Read from this mailbox (IMAP).
    Mailbox(&'a store::email::Mailbox),
    /// For this organisation (`--org`, an API token).
    Org(i64),
    /// Find the organisation from the recipients.
    Recipient,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Received {
    pub email_id: i64,
    /// Already received before (same Message-ID): nothing was recorded again.
    pub duplicate: bool,
    /// human, auto_reply, bulk or bounce.
    pub kind: String,
    pub case_id: Option<i64>,
    pub case_number: Option<i64>,
    pub interaction_id: Option<i64>,
    pub acknowledged: bool,
    pub warnings: Vec<WarningView>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct WarningView {
    pub code: String,
    pub detail: String,
}

/// Receives one raw message in its own transaction. A refusal (`Error::Invalid`, `NotFound`) is
/// permanent; any other error is temporary and the sender should retry.
pub async fn receive(store: &Store, route: Route<'_>, raw: &[u8]) -> Result<Received> {
    let (mailbox, parsed) = prepare(store, route, raw).await?;
    let mut w = Work::begin(store).await?;
    let r = receive_in(&mut w, &mailbox, raw, &parsed).await?;
    w.commit().await?;
    Ok(r)
}

/// What can be decided before writing: the message is acceptable, read, and has a mailbox.
async fn prepare(
    store: &Store,
    route: Route<'_>,
    raw: &[u8],
) -> Result<(store::email::Mailbox, Parsed)> {
    if raw.len() > MAX_MESSAGE_BYTES {
        return Err(Error::invalid(
            "message",
            Invalid::new(
                "too_large",
                format!("the message is over {} MB", MAX_MESSAGE_BYTES >> 20),
            ),
        ));
    }
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::invalid(
            "message",
            Invalid::new("empty", "the message is empty"),
        ));
    }
    let parsed = email::parse(raw);
    let mut c = store.reader().await?;
    let mailbox = resolve(&mut c, route, &parsed).await?;
    Ok((mailbox, parsed))
}

/// Most messages, and most bytes, folded into one transaction.
const MAX_BATCH: usize = 64;
const MAX_BATCH_BYTES: usize = 32 << 20;

struct Job {
    mailbox: store::email::Mailbox,
    raw: Vec<u8>,
    parsed: Parsed,
    reply: oneshot::Sender<Result<Received>>,
}

/// Group commit for messages arriving concurrently (HTTP relay, the local socket of
/// `pacte mail ingest`): one transaction, one disk sync, per batch; each sender is answered
/// once its message is committed.
#[derive(Clone)]
pub struct Receiver {
    queue: mpsc::Sender<Job>,
}

impl Receiver {
    pub fn start(store: Store) -> Receiver {
        let (queue, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(write_loop(store, rx));
        Receiver { queue }
    }

    /// Receives a message; resolves once it is committed (or refused).
    pub async fn submit(&self, store: &Store, route: Route<'_>, raw: Vec<u8>) -> Result<Received> {
        let (mailbox, parsed) = prepare(store, route, &raw).await?;
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job {
                mailbox,
                raw,
                parsed,
                reply,
            })
            .await
            .map_err(|_| Error::Internal("the mail writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| Error::Internal("the mail writer dropped a message".into()))?
    }
}

async fn write_loop(store: Store, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut bytes = first.raw.len();
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH && bytes < MAX_BATCH_BYTES {
            match rx.try_recv() {
                Ok(j) => {
                    bytes += j.raw.len();
                    jobs.push(j);
                }
                Err(_) => break,
            }
        }
        let results = match commit_batch(&store, &jobs).await {
            Ok(done) => done.into_iter().map(Ok).collect(),
            // One bad message must not sink the others: each is replayed alone.
            Err(_) => {
                let mut out = Vec::with_capacity(jobs.len());
                for j in &jobs {
                    out.push(commit_one(&store, j).await);
                }
                out
            }
        };
        for (job, result) in jobs.into_iter().zip(results) {
            let _ = job.reply.send(result);
        }
    }
}

async fn commit_batch(store: &Store, jobs: &[Job]) -> Result<Vec<Received>> {
    let mut w = Work::begin(store).await?;
    let mut out = Vec::with_capacity(jobs.len());
    for j in jobs {
        out.push(receive_in(&mut w, &j.mailbox, &j.raw, &j.parsed).await?);
    }
    w.commit().await?;
    Ok(out)
}

async fn commit_one(store: &Store, j: &Job) -> Result<Received> {
    let mut w = Work::begin(store).await?;
    let r = receive_in(&mut w, &j.mailbox, &j.raw, &j.parsed).await?;
    w.commit().await?;
    Ok(r)
}

async fn resolve(c: &mut Conn, route: Route<'_>, p: &Parsed) -> Result<store::email::Mailbox> {
    let keys: Vec<String> = p.recipients.iter().map(|r| r.to_lowercase()).collect();
    match route {
        Route::Mailbox(m) => Ok(m.clone()),
        Route::Org(org_id) => {
            let all = store::email::mailboxes(c, org_id).await?;
            let addressed = all
                .iter()
                .find(|m| keys.contains(&m.address.to_lowercase()));
            addressed.or(all.first()).cloned().ok_or_else(|| {
                Error::invalid(
                    "organisation",
                    Invalid::new(
                        "no_mailbox",
                        "the organisation has no mailbox: add one in the administration first",
                    ),
                )
            })
        }
        Route::Recipient => store::email::mailboxes_by_addresses(c, &keys)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| {
                Error::invalid(
                    "recipient",
                    Invalid::new(
                        "unknown_recipient",
                        format!(
                            "no organisation receives mail at {}",
                            if keys.is_empty() {
                                "(no recipient)".into()
                            } else {
                                keys.join(", ")
                            }
                        ),
                    ),
                )
            }),
    }
}

/// The whole rule, inside a caller's unit of work.
pub async fn receive_in(
    c: &mut Work,
    mailbox: &store::email::Mailbox,
    raw: &[u8],
    p: &Parsed,
) -> Result<Received> {
    let now = c.now;
    let org_id = mailbox.org_id;
    let hash = blake3::hash(raw).to_hex().to_string();
    let message_id = p
        .message_id
        .clone()
        .unwrap_or_else(|| format!("blake3.{hash}@pacte.invalid"));
    if let Some(prev) = store::email::by_message_id(c, org_id, &message_id).await? {
        return Ok(Received {
            email_id: prev.id,
            duplicate: true,
            kind: prev.kind.clone(),
            case_id: prev.case_id,
            case_number: None,
            interaction_id: prev.interaction_id,
            acknowledged: false,
            warnings: serde_json::from_str(&prev.warnings).unwrap_or_default(),
        });
    }
    store::email::put_blob(c, &hash, raw, now).await?;
    let mut warnings: Vec<WarningView> = p
        .warnings
        .iter()
        .map(|w| WarningView {
            code: w.code.into(),
            detail: w.detail.clone(),
        })
        .collect();
    let mut warn = |code: &str, detail: String| {
        warnings.push(WarningView {
            code: code.into(),
            detail,
        })
    };
    let sender = p.from.as_ref().and_then(|(a, _)| Email::parse(a).ok());
    if p.from.is_some() && sender.is_none() {
        warn(
            "invalid_sender",
            "the sender's address is not valid; no customer was recognised".into(),
        );
    }
    let from_key = sender
        .as_ref()
        .map(|e| e.as_str().to_lowercase())
        .unwrap_or_default();
    let looped = !from_key.is_empty()
        && store::email::mailboxes_by_addresses(c, std::slice::from_ref(&from_key))
            .await?
            .iter()
            .any(|m| m.org_id == org_id);
    if looped {
        warn(
            "own_address",
            "sent from one of the organisation's own mailboxes".into(),
        );
    }
    let limited = !from_key.is_empty()
        && store::email::received_from_since(c, org_id, &from_key, now - HOUR_MS).await?
            >= SENDER_LIMIT_PER_HOUR;
    if limited {
        warn(
            "rate_limited",
            format!(
                "more than {SENDER_LIMIT_PER_HOUR} messages from this sender in an hour: recorded, not answered"
            ),
        );
    }
    let org = store::org::org_by_id(c, org_id)
        .await?
        .ok_or(Error::NotFound("organisation"))?;
    let mut case_id = thread(c, org_id, &org.slug, p, &from_key).await?;
    if let Kind::Bounce { original: Some(id) } = &p.kind
        && let Some(out) = store::email::by_message_id(c, org_id, id).await?
        && out.direction == "outbound"
    {
        let reason = email::clean_header(&p.text, 300);
        store::email::mark_bounced(c, out.id, &reason).await?;
        if let Some(case) = out.case_id {
            store::case::add_event(c, org_id, case, now, "email_failed", None, &reason).await?;
            case_id = case_id.or(Some(case));
        }
    }
    let human = p.kind.is_human() && !limited && !looped && sender.is_some();
    let mut body = p.text.trim().to_string();
    if body.chars().count() > MAX_BODY_CHARS {
        body = body.chars().take(MAX_BODY_CHARS).collect();
        warn(
            "body_truncated",
            format!(
                "the text was cut at {MAX_BODY_CHARS} characters; the whole message is in the raw copy"
            ),
        );
    }
    if body.is_empty() {
        body = if p.parts.is_empty() {
            "(message sans texte)"
        } else {
            "(pièces jointes)"
        }
        .into();
    }
    let attachments = serde_json::to_string(
        &p.parts
            .iter()
            .filter(|a| !a.inline)
            .map(|a| ingest::Attachment {
                name: a.name.clone(),
                content_type: Some(a.content_type.clone()),
                size: Some(a.size as i64),
            })
            .collect::<Vec<_>>(),
    )
    .expect("attachments serialise");
    let v = Valid {
        channel: Channel::Email,
        direction: Direction::Inbound,
        occurred_at: now,
        identities: sender.clone().map(Identity::Email).into_iter().collect(),
        name: p.from.as_ref().and_then(|(_, n)| n.clone()),
        subject: Some(p.subject.clone()).filter(|s| !s.is_empty()),
        body,
        site: None,
        case_id,
        external_id: Some(format!("email:{message_id}")),
        kind: CaseKind::Request,
        category: None,
        queued_at: None,
        answered_at: None,
        attachments,
        author_user_id: None,
        status: None,
        fresh_case: true,
    };
    let opened = human && case_id.is_none();
    let (interaction_id, case_id) = if human {
        let done = ingest::record_in(c, org_id, &v).await?;
        if opened && let Some(team) = mailbox.team_id {
            store::case::set_team_if_none(c, done.case_id, team).await?;
        }
        (Some(done.interaction_id), Some(done.case_id))
    } else if let Some(case) = case_id {
        let id = ingest::record_passive_in(c, org_id, case, &v, now).await?;
        (Some(id), Some(case))
    } else {
        (None, None)
    };
    let warnings_json = serde_json::to_string(&warnings).expect("warnings serialise");
    let recipients = p.recipients.join(", ");
    let email_id = store::email::insert_email(
        c,
        org_id,
        &store::email::NewEmail {
            mailbox_id: Some(mailbox.id),
            direction: "inbound",
            kind: p.kind.as_str(),
            case_id,
            interaction_id,
            message_id: &message_id,
            in_reply_to: p.in_reply_to.first().map(String::as_str),
            refs: &p.references.join(" "),
            thread_root: p.thread_root.as_deref(),
            from_address: p.from.as_ref().map(|(a, _)| a.as_str()).unwrap_or(""),
            from_key: &from_key,
            reply_to: p.reply_to.as_deref(),
            to_addresses: &email::clean_header(&recipients, 2000),
            subject: &p.subject,
            html: p.html.as_deref(),
            warnings: &warnings_json,
            raw_hash: &hash,
            status: "received",
            next_attempt_at: None,
        },
        now,
    )
    .await?;
    for part in &p.parts {
        let blob = if part.data.is_empty() && part.size > 0 {
            None
        } else {
            let h = blake3::hash(&part.data).to_hex().to_string();
            store::email::put_blob(c, &h, &part.data, now).await?;
            Some(h)
        };
        store::email::insert_attachment(
            c,
            email_id,
            &store::email::NewAttachment {
                blob_hash: blob.as_deref(),
                name: &part.name,
                content_type: &part.content_type,
                content_id: part.content_id.as_deref(),
                inline: part.inline,
                size: part.size as i64,
            },
        )
        .await?;
    }
    let mut acknowledged = false;
    let case = match case_id {
        Some(id) => store::case::by_id(c, org_id, id).await?,
        None => None,
    };
    if opened
        && mailbox.smtp_host.is_some()
        && let (Some(case), Some(sender)) = (&case, &sender)
    {
        let lang = if p.language.as_deref().is_some_and(|l| l.starts_with("en")) {
            Lang::En
        } else {
            Lang::Fr
        };
        let promise =
            crate::service::charter::response_promise(c, org_id, Channel::Email, lang, now).await?;
        let tpl = texts::ack_template(c, org_id, lang).await?;
        let token = email::token_for(&org.slug, case.number);
        let values = Values {
            customer_name: v.name.clone().unwrap_or_default(),
            case_token: token.clone(),
            case_number: case.number,
            subject: p.subject.clone(),
            promise: promise.unwrap_or_default(),
            organisation: org.name.clone(),
            advisor_name: String::new(),
        };
        match (
            texts::render(&tpl.subject, &values),
            texts::render(&tpl.body, &values),
        ) {
            (Ok(subject), Ok(text)) => {
                let to = p
                    .reply_to
                    .clone()
                    .and_then(|r| Email::parse(&r).ok())
                    .unwrap_or(sender.clone());
                let interaction = ingest::record_passive_in(
                    c,
                    org_id,
                    case.id,
                    &Valid {
                        direction: Direction::Outbound,
                        identities: Vec::new(),
                        subject: Some(subject.clone()),
                        body: text.clone(),
                        external_id: None,
                        attachments: "[]".into(),
                        ..v.clone()
                    },
                    now,
                )
                .await?;
                outbound::queue_in(
                    c,
                    org_id,
                    &Draft {
                        mailbox,
                        to: to.as_str(),
                        subject: email::clean_header(&subject, 300),
                        text,
                        answering: Some(Answering {
                            message_id: &message_id,
                            refs: &p.references.join(" "),
                        }),
                        automatic: true,
                        case_id: Some(case.id),
                        case_number: case.number,
                        interaction_id: Some(interaction),
                        kind: "ack",
                    },
                    now,
                )
                .await?;
                acknowledged = true;
                c.wake(Worker::Mail);
            }
            (Err(e), _) | (_, Err(e)) => {
                tracing::warn!(
                    org = org_id,
                    "acknowledgement template does not render: {e}"
                );
            }
        }
    }
    Ok(Received {
        email_id,
        duplicate: false,
        kind: p.kind.as_str().into(),
        case_id,
        case_number: case.map(|c| c.number),
        interaction_id,
        acknowledged,
        warnings,
    })
}

/// The case a message continues: by the Message-IDs it answers, then Outlook's conversation,
/// then the case token in its subject (only for the case's own customer). Never by subject alone.
async fn thread(
    c: &mut Conn,
    org_id: i64,
    slug: &str,
    p: &Parsed,
    from_key: &str,
) -> Result<Option<i64>> {
    let mut ids = p.in_reply_to.clone();
    ids.extend(p.references.iter().rev().cloned());
    if let Some(case) = store::email::case_of_message_ids(c, org_id, &ids).await? {
        return Ok(Some(case));
    }
    if let Some(root) = &p.thread_root
        && let Some(case) = store::email::case_of_thread_root(c, org_id, root).await?
    {
        return Ok(Some(case));
    }
    if let Some((prefix, number)) = token_of(&p.subject)
        && prefix == slug.to_uppercase()
        && !from_key.is_empty()
        && let Some(case) = store::case::by_number(c, org_id, number).await?
    {
        let key =
            Identity::Email(Email::parse(from_key).map_err(|e| Error::invalid("from", e))?).key();
        let owners = store::customer::owners_of(c, org_id, &[key]).await?;
        if owners.iter().any(|(_, id)| *id == case.customer_id) {
            return Ok(Some(case.id));
        }
    }
    Ok(None)
}
