//! Verified reviews (ISO 20488). An invitation follows a verified experience — a solved case, a
//! counter visit, or a purchase recorded through the API — and is valid 50 days. The review is
//! published at once, newest first, never edited; it may only be rejected for a stated legal
//! reason (kept on record, the author told why), withdrawn by its author, flagged by readers.
//! One or two stars alert the site at once; the site answers publicly.

use crate::domain::link::Purpose;
use crate::domain::review::{self as rules, Experience, Rating};
use crate::service::ingest::CustomerRef;
use crate::service::wake::Worker;
use crate::service::work::Work;
use crate::service::{Actor, Checks, Error, Result, now_ms, voice};
use crate::store::{self, Conn, Store};
use serde::{Deserialize, Serialize};

/// The review invitation of a case's experience (a counter visit for counter cases), created
/// on first call while the experience is under 50 days old.
pub async fn invite_for_case(
    c: &mut Conn,
    case: &store::case::Case,
    now: i64,
) -> Result<Option<store::review::Invitation>> {
    let org_id = case.org_id;
    let experience = if case.channel == "counter" {
        Experience::Counter
    } else {
        Experience::Case
    };
    let at = case.solved_at.unwrap_or(case.updated_at);
    let inv = store::review::Invitation {
        id: 0,
        org_id,
        site_id: case.site_id,
        customer_id: case.customer_id,
        experience: experience.as_str().into(),
        reference: case.id.to_string(),
        about: case.subject.clone(),
        lang: "fr".into(),
        experienced_at: at,
        expires_at: at + rules::INVITATION_MS,
        email_id: None,
        used_at: None,
    };
    invite_in(c, &inv, now).await
}

async fn invite_in(
    c: &mut Conn,
    inv: &store::review::Invitation,
    now: i64,
) -> Result<Option<store::review::Invitation>> {
    if inv.expires_at <= now {
        return Ok(None);
    }
    store::review::insert_invitation(c, inv, now).await?;
    Ok(store::review::invitation_for(c, inv.org_id, &inv.experience, &inv.reference).await?)
}

/// The invitation of a case's experience, if one was made.
pub async fn invitation_of_case(
    c: &mut Conn,
    org_id: i64,
    case_id: i64,
) -> Result<Option<store::review::Invitation>> {
    for e in ["case", "counter"] {
        if let Some(i) = store::review::invitation_for(c, org_id, e, &case_id.to_string()).await? {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// A purchase recorded by an integrator, to invite its customer to review it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurchaseInput {
    pub customer: CustomerRef,
    /// The order's reference in the integrator's system (one invitation per reference).
    pub reference: String,
    /// What was bought, shown to the customer ("Abonnement Liberté 12 mois").
    pub about: String,
    /// RFC 3339; the invitation is valid 50 days after it.
    pub purchased_at: String,
    /// The site's code, if the purchase was made at one.
    pub site: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Invited {
    pub invitation: store::review::Invitation,
    /// The link to give the customer (also mailed when they have an address and the
    /// organisation a mailbox).
    pub link: String,
    pub mailed: bool,
    /// False when this reference was already invited (nothing was recorded twice).
    pub created: bool,
}

pub async fn invite_purchase(
    store: &Store,
    actor: &Actor,
    p: &PurchaseInput,
    base: &str,
) -> Result<Invited> {
    actor.require(actor.role != crate::domain::role::Role::Kiosk)?;
    let now = now_ms();
    let mut ch = Checks::default();
    let identities = p.customer.identities(&mut ch);
    let reference = p.reference.trim();
    if reference.is_empty() || reference.chars().count() > 200 {
        ch.refuse(
            "reference",
            "required",
            "the order's reference, at most 200 characters",
        );
    }
    let about = p.about.trim();
    if about.is_empty() || about.chars().count() > 200 {
        ch.refuse(
            "about",
            "required",
            "what was bought, at most 200 characters",
        );
    }
    let at = ch.check(
        "purchased_at",
        crate::service::parse_time("purchased_at", &p.purchased_at).map_err(|e| match e {
            Error::Invalid(f) => crate::domain::Invalid::new("invalid_time", f[0].message.clone()),
            other => crate::domain::Invalid::new("invalid_time", other.to_string()),
        }),
    );
    if let Some(at) = at {
        if at > now + 60_000 {
            ch.refuse(
                "purchased_at",
                "in_future",
                "a purchase cannot be in the future",
            );
        } else if at + rules::INVITATION_MS <= now {
            ch.refuse(
                "purchased_at",
                "too_old",
                "invitations are valid 50 days after the purchase",
            );
        }
    }
    ch.finish()?;
    let at = at.expect("checked");
    let mut tx = Work::begin(store).await?;
    let site_id = match p.site.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => Some(
            store::org::site_by_code(&mut tx, actor.org_id, code)
                .await?
                .ok_or_else(|| {
                    Error::invalid(
                        "site",
                        crate::domain::Invalid::new(
                            "unknown_site",
                            format!("no site has the code «{code}»"),
                        ),
                    )
                })?
                .id,
        ),
        None => None,
    };
    let name = p
        .customer
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let (customer_id, _) =
        crate::service::ingest::recognise(&mut tx, actor.org_id, &identities, name, at).await?;
    let inv = store::review::Invitation {
        id: 0,
        org_id: actor.org_id,
        site_id,
        customer_id,
        experience: "purchase".into(),
        reference: reference.into(),
        about: about.into(),
        lang: "fr".into(),
        experienced_at: at,
        expires_at: at + rules::INVITATION_MS,
        email_id: None,
        used_at: None,
    };
    let created = store::review::insert_invitation(&mut tx, &inv, now)
        .await?
        .is_some();
    let inv = store::review::invitation_for(&mut tx, actor.org_id, "purchase", reference)
        .await?
        .ok_or(Error::NotFound("invitation"))?;
    let link = voice::link(base, Purpose::Review, inv.id);
    let mut mailed = inv.email_id.is_some();
    if created && let Some(to) = store::customer::email_of(&mut tx, customer_id).await? {
        let org = store::org::org_by_id(&mut tx, actor.org_id)
            .await?
            .ok_or(Error::NotFound("organisation"))?;
        let text = format!(
            "Bonjour,\n\n{} vous invite à donner votre avis sur votre achat « {} » du {}.\n\n\
             Écrire mon avis : {link}\n\nVotre avis (1 à 5 étoiles et quelques mots) sera publié tel quel, \
             sans filtre, avec votre prénom, l'initiale de votre nom et la date de votre achat, sur \
             {base}/o/{}/avis ; {} pourra y répondre publiquement. Vous pourrez le retirer à tout moment \
             avec ce même lien. Lien valable jusqu'au {}, pour un seul avis.\n\nEnglish: {link}?lang=en\n",
            org.name,
            inv.about,
            crate::i18n::Lang::Fr.date(inv.experienced_at),
            org.slug,
            org.name,
            crate::i18n::Lang::Fr.date(inv.expires_at),
        );
        let subject = format!("Votre avis sur votre achat chez {}", org.name);
        if let Some(id) = voice::mail(
            &mut tx,
            actor.org_id,
            &to,
            subject,
            text,
            "review_invitation",
            now,
        )
        .await?
        {
            store::review::set_invitation_email(&mut tx, inv.id, id).await?;
            mailed = true;
        }
    }
    tx.wake(Worker::Mail);
    tx.commit().await?;
    Ok(Invited {
        invitation: inv,
        link,
        mailed,
        created,
    })
}

/// What the review page shows for a link.
#[derive(Debug, Clone, Serialize)]
pub enum LinkState {
    Forged,
    Expired,
    /// The invitation, to write the review.
    Open(Box<OpenInvitation>),
    /// Already used: the review written with it, for its author to follow (or withdraw).
    Written(Box<store::review::Review>),
}

#[derive(Debug, Clone, Serialize)]
pub struct OpenInvitation {
    pub invitation: store::review::Invitation,
    pub org_name: String,
    pub org_slug: String,
    pub site_name: Option<String>,
}

pub async fn link_state(store: &Store, token: &str) -> Result<LinkState> {
    let Some(id) = voice::verify(Purpose::Review, token) else {
        return Ok(LinkState::Forged);
    };
    let mut c = store.reader().await?;
    let Some(inv) = store::review::invitation(&mut c, id).await? else {
        return Ok(LinkState::Forged);
    };
    if inv.used_at.is_some()
        && let Some(r) = store::review::review_of_invitation(&mut c, inv.id).await?
    {
        return Ok(LinkState::Written(Box::new(r)));
    }
    if inv.expires_at <= now_ms() {
        return Ok(LinkState::Expired);
    }
    let org = store::org::org_by_id(&mut c, inv.org_id)
        .await?
        .ok_or(Error::NotFound("organisation"))?;
    let site_name = match inv.site_id {
        Some(s) => store::org::list_sites(&mut c, inv.org_id)
            .await?
            .into_iter()
            .find(|x| x.id == s)
            .map(|x| x.name),
        None => None,
    };
    Ok(LinkState::Open(Box::new(OpenInvitation {
        invitation: inv,
        org_name: org.name,
        org_slug: org.slug,
        site_name,
    })))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReviewInput {
    pub stars: Option<i64>,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub lang: String,
}

/// Writes the review of an invitation, once; alerts the site on one or two stars.
pub async fn submit(
    store: &Store,
    token: &str,
    input: &ReviewInput,
    base: &str,
) -> Result<LinkState> {
    let now = now_ms();
    let open = match link_state(store, token).await? {
        LinkState::Open(o) => o,
        other => return Ok(other),
    };
    let mut ch = Checks::default();
    let stars = ch.check("stars", rules::check_stars(input.stars));
    let comment = ch.check("comment", rules::check_comment(&input.comment));
    ch.finish()?;
    let (stars, comment) = (stars.expect("checked"), comment.expect("checked"));
    let inv = &open.invitation;
    let mut tx = Work::begin(store).await?;
    if !store::review::use_invitation(&mut tx, inv.id, now).await? {
        drop(tx);
        return link_state(store, token).await;
    }
    let name = store::customer::get(&mut tx, inv.org_id, inv.customer_id)
        .await?
        .and_then(|c| c.display_name);
    let review = store::review::Review {
        id: 0,
        org_id: inv.org_id,
        site_id: inv.site_id,
        invitation_id: inv.id,
        customer_id: inv.customer_id,
        author: rules::public_author(name.as_deref()),
        stars,
        comment,
        lang: if input.lang == "en" {
            "en".into()
        } else {
            "fr".into()
        },
        experienced_at: inv.experienced_at,
        created_at: now,
        status: "published".into(),
        reason: None,
        decided_at: None,
        withdrawn_at: None,
        reply: None,
        replied_at: None,
        flags: 0,
    };
    let id = store::review::insert_review(&mut tx, &review).await?;
    store::review::add_tally(&mut tx, inv.org_id, inv.site_id, stars, 1).await?;
    if rules::is_negative(stars) {
        let summary = format!(
            "Avis {stars}★ — {} : « {} »",
            if review.author.is_empty() {
                "client"
            } else {
                &review.author
            },
            review.comment.chars().take(300).collect::<String>()
        );
        voice::raise(
            &mut tx,
            &voice::Alert {
                org_id: inv.org_id,
                site_id: inv.site_id,
                kind: "negative_review",
                response_id: None,
                review_id: Some(id),
                summary,
                path: format!("/reviews#review-{id}"),
            },
            base,
            now,
        )
        .await?;
        tx.wake(Worker::Alerts);
    }
    tx.wake(Worker::Mail);
    tx.commit().await?;
    let mut c = store.reader().await?;
    Ok(LinkState::Written(Box::new(
        store::review::review(&mut c, inv.org_id, id)
            .await?
            .ok_or(Error::NotFound("review"))?,
    )))
}

/// The author withdraws their review (with its link). True when it was published.
pub async fn withdraw(store: &Store, token: &str) -> Result<bool> {
    let Some(id) = voice::verify(Purpose::Review, token) else {
        return Err(Error::NotFound("review"));
    };
    let now = now_ms();
    let mut tx = store.begin().await?;
    let r = store::review::review_of_invitation(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("review"))?;
    let done =
        store::review::set_status(&mut tx, r.id, "published", "withdrawn", None, None, now).await?;
    if done {
        store::review::add_tally(&mut tx, r.org_id, r.site_id, r.stars, -1).await?;
    }
    tx.commit().await?;
    Ok(done)
}

/// Moderation (quality, admin): rejects a published review for one of the legal reasons. The
/// review stays on record; its author is told why (by mail, and on their link's page).
pub async fn reject(
    store: &Store,
    actor: &Actor,
    id: i64,
    reason: &str,
) -> Result<store::review::Review> {
    actor.require(actor.role.can_define_surveys())?;
    let reason = rules::check_rejection(reason).map_err(|e| Error::invalid("reason", e))?;
    let now = now_ms();
    let mut tx = Work::begin(store).await?;
    let r = store::review::review(&mut tx, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("review"))?;
    if !store::review::set_status(
        &mut tx,
        id,
        "published",
        "rejected",
        Some(reason),
        Some(actor.user_id),
        now,
    )
    .await?
    {
        return Err(Error::Conflict {
            code: "not_published",
            message: format!("the review is {}", r.status),
        });
    }
    store::review::add_tally(&mut tx, r.org_id, r.site_id, r.stars, -1).await?;
    store::org::audit(
        &mut tx,
        actor.org_id,
        Some(actor.user_id),
        now,
        "review.reject",
        &format!("review:{id}"),
        reason,
    )
    .await?;
    if let Some(to) = store::customer::email_of(&mut tx, r.customer_id).await? {
        let text = format!(
            "Bonjour,\n\nVotre avis du {} n'a pas été publié, pour la raison suivante : {}.\n\n\
             Il reste conservé avec cette décision. Vous pouvez en écrire un autre lors d'une prochaine expérience.\n",
            crate::i18n::Lang::Fr.date(r.created_at),
            crate::i18n::Lang::Fr.t(&format!("review.reason.{reason}")),
        );
        voice::mail(
            &mut tx,
            actor.org_id,
            &to,
            "Votre avis n'a pas été publié".into(),
            text,
            "review_decision",
            now,
        )
        .await?;
    }
    let r = store::review::review(&mut tx, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("review"))?;
    tx.wake(Worker::Mail);
    tx.commit().await?;
    Ok(r)
}

/// The site's public reply (managers and above); replaces an earlier reply.
pub async fn reply(
    store: &Store,
    actor: &Actor,
    id: i64,
    text: &str,
) -> Result<store::review::Review> {
    actor.require(actor.role.can_read_voice())?;
    let text = rules::check_reply(text).map_err(|e| Error::invalid("reply", e))?;
    let now = now_ms();
    let mut tx = store.begin().await?;
    store::review::review(&mut tx, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("review"))?;
    store::review::set_reply(&mut tx, id, &text, actor.user_id, now).await?;
    store::org::audit(
        &mut tx,
        actor.org_id,
        Some(actor.user_id),
        now,
        "review.reply",
        &format!("review:{id}"),
        "",
    )
    .await?;
    let r = store::review::review(&mut tx, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("review"))?;
    tx.commit().await?;
    Ok(r)
}

/// A reader flags a published review; one flag per reader (`source_key`, e.g. their address).
pub async fn flag(
    store: &Store,
    slug: &str,
    id: i64,
    reason: &str,
    source_key: &str,
) -> Result<bool> {
    if !rules::FLAG_REASONS.contains(&reason) {
        return Err(Error::invalid(
            "reason",
            crate::domain::Invalid::new(
                "unknown_reason",
                format!("expected one of: {}", rules::FLAG_REASONS.join(", ")),
            ),
        ));
    }
    let mut tx = store.begin().await?;
    let org = store::org::org_by_slug(&mut tx, slug)
        .await?
        .ok_or(Error::NotFound("organisation"))?;
    let r = store::review::review(&mut tx, org.id, id)
        .await?
        .filter(|r| r.status == "published")
        .ok_or(Error::NotFound("review"))?;
    let key = blake3::hash(source_key.as_bytes()).to_hex().to_string();
    let new = store::review::flag(&mut tx, r.id, reason, &key, now_ms()).await?;
    tx.commit().await?;
    Ok(new)
}

/// Reviews for staff (every status), newest first.
pub async fn list(
    store: &Store,
    actor: &Actor,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<store::review::Review>> {
    actor.require(actor.role.can_read_voice())?;
    let mut c = store.reader().await?;
    Ok(store::review::reviews(
        &mut c,
        actor.org_id,
        None,
        status,
        None,
        None,
        limit.clamp(1, 500),
    )
    .await?)
}

/// A customer's reviews, for their record.
pub async fn of_customer(
    c: &mut Conn,
    org_id: i64,
    customer_id: i64,
) -> Result<Vec<store::review::Review>> {
    Ok(store::review::reviews(c, org_id, None, None, Some(customer_id), None, 50).await?)
}

/// The public page of an organisation or one of its sites.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicReviews {
    pub org_name: String,
    pub org_slug: String,
    pub site_code: Option<String>,
    pub site_name: Option<String>,
    pub count: i64,
    pub average: Option<f64>,
    /// Published reviews per star, index 0 = one star.
    pub distribution: [i64; 5],
    pub reviews: Vec<PublicReview>,
    /// Keyset cursor of the next page.
    pub next: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicReview {
    pub id: i64,
    pub author: String,
    pub stars: i64,
    pub comment: String,
    pub experienced_at: String,
    pub published_at: String,
    pub reply: Option<String>,
    pub replied_at: Option<String>,
}

pub const PUBLIC_PAGE: i64 = 20;

pub async fn public(
    store: &Store,
    slug: &str,
    site_code: Option<&str>,
    cursor: Option<&str>,
) -> Result<PublicReviews> {
    let mut c = store.reader().await?;
    let org = store::org::org_by_slug(&mut c, slug)
        .await?
        .ok_or(Error::NotFound("organisation"))?;
    let site = match site_code {
        Some(code) => Some(
            store::org::site_by_code(&mut c, org.id, code)
                .await?
                .ok_or(Error::NotFound("site"))?,
        ),
        None => None,
    };
    let before = cursor.and_then(|k| {
        let (a, b) = k.split_once('.')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    });
    let rating: Rating = store::review::rating(&mut c, org.id, site.as_ref().map(|s| s.id)).await?;
    let rows = store::review::reviews(
        &mut c,
        org.id,
        site.as_ref().map(|s| s.id),
        Some("published"),
        None,
        before,
        PUBLIC_PAGE + 1,
    )
    .await?;
    let next = (rows.len() as i64 > PUBLIC_PAGE)
        .then(|| {
            rows.get(PUBLIC_PAGE as usize - 1)
                .map(|r| format!("{}.{}", r.created_at, r.id))
        })
        .flatten();
    let iso = crate::service::iso;
    Ok(PublicReviews {
        org_name: org.name,
        org_slug: org.slug,
        site_code: site.as_ref().map(|s| s.code.clone()),
        site_name: site.map(|s| s.name),
        count: rating.count(),
        average: rating.average(),
        distribution: rating.stars,
        reviews: rows
            .into_iter()
            .take(PUBLIC_PAGE as usize)
            .map(|r| PublicReview {
                id: r.id,
                author: r.author,
                stars: r.stars,
                comment: r.comment,
                experienced_at: iso(r.experienced_at),
                published_at: iso(r.created_at),
                reply: r.reply,
                replied_at: r.replied_at.map(iso),
            })
            .collect(),
        next,
    })
}

/// A review from the past (the demo's year).
pub struct HistoricReview {
    pub case_id: i64,
    pub stars: i64,
    pub comment: String,
    pub written_at: i64,
    pub reply: Option<(String, i64)>,
    /// published | rejected (with a reason) | withdrawn
    pub status: &'static str,
    pub reason: Option<&'static str>,
}

/// Records past reviews with their invitations, replies and tally, as if written then.
pub async fn record_history(
    store: &Store,
    org_id: i64,
    replier: i64,
    items: &[HistoricReview],
) -> Result<usize> {
    let mut tx = store.begin().await?;
    let mut n = 0;
    for h in items {
        let Some(case) = store::case::by_id(&mut tx, org_id, h.case_id).await? else {
            continue;
        };
        let at = case.solved_at.unwrap_or(case.updated_at);
        let inv = store::review::Invitation {
            id: 0,
            org_id,
            site_id: case.site_id,
            customer_id: case.customer_id,
            experience: if case.channel == "counter" {
                "counter".into()
            } else {
                "case".into()
            },
            reference: case.id.to_string(),
            about: case.subject.clone(),
            lang: "fr".into(),
            experienced_at: at,
            expires_at: at + rules::INVITATION_MS,
            email_id: None,
            used_at: None,
        };
        let Some(inv_id) = store::review::insert_invitation(&mut tx, &inv, at).await? else {
            continue;
        };
        store::review::use_invitation(&mut tx, inv_id, h.written_at).await?;
        let name = store::customer::get(&mut tx, org_id, case.customer_id)
            .await?
            .and_then(|c| c.display_name);
        let id = store::review::insert_review(
            &mut tx,
            &store::review::Review {
                id: 0,
                org_id,
                site_id: case.site_id,
                invitation_id: inv_id,
                customer_id: case.customer_id,
                author: rules::public_author(name.as_deref()),
                stars: h.stars,
                comment: h.comment.clone(),
                lang: "fr".into(),
                experienced_at: at,
                created_at: h.written_at,
                status: "published".into(),
                reason: None,
                decided_at: None,
                withdrawn_at: None,
                reply: None,
                replied_at: None,
                flags: 0,
            },
        )
        .await?;
        if let Some((text, when)) = &h.reply {
            store::review::set_reply(&mut tx, id, text, replier, *when).await?;
        }
        // The last two weeks' negative reviews are still for someone to look at.
        if rules::is_negative(h.stars) && now_ms() - h.written_at < 14 * crate::domain::DAY_MS {
            let summary = format!("Avis {}★ : « {} »", h.stars, h.comment);
            store::survey::insert_alert(
                &mut tx,
                org_id,
                case.site_id,
                "negative_review",
                None,
                Some(id),
                &summary,
                h.written_at,
            )
            .await?;
        }
        match h.status {
            "published" => {
                store::review::add_tally(&mut tx, org_id, case.site_id, h.stars, 1).await?
            }
            to => {
                let by = (to == "rejected").then_some(replier);
                store::review::set_status(
                    &mut tx,
                    id,
                    "published",
                    to,
                    h.reason,
                    by,
                    h.written_at + 86_400_000,
                )
                .await?;
            }
        }
        n += 1;
    }
    tx.commit().await?;
    Ok(n)
}
