//! The shape of an interaction as integrators send it, and its validation: every refused field
//! named at once, and a `Valid` value that the rule can trust.

use crate::domain::Invalid;
use crate::domain::case::{CaseKind, CaseStatus};
use crate::domain::channel::{Channel, Direction};
use crate::domain::identity::{CustomerNumber, Email, Identity, PhoneE164, SocialHandle};
use crate::service::{Result, parse_time};
use serde::{Deserialize, Serialize};

pub const MAX_BODY_CHARS: usize = 100_000;

/// An interaction as integrators send it (API body, import line).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InteractionInput {
    pub channel: String,
    pub direction: String,
    /// RFC 3339; defaults to now.
    pub occurred_at: Option<String>,
    pub customer: CustomerRef,
    pub subject: Option<String>,
    pub body: String,
    /// Site code.
    pub site: Option<String>,
    pub case_id: Option<i64>,
    pub external_id: Option<String>,
    pub kind: Option<String>,
    pub category: Option<String>,
    pub queued_at: Option<String>,
    pub answered_at: Option<String>,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// Status of the case after this interaction (history imported from another system).
    pub status: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerRef {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub customer_number: Option<String>,
    pub social: Option<SocialRef>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SocialRef {
    pub network: String,
    pub handle: String,
}

/// Metadata of an attachment (the content itself arrives with the email channel).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    pub name: String,
    pub content_type: Option<String>,
    pub size: Option<i64>,
}

/// An interaction whose every field was checked.
#[derive(Debug, Clone)]
pub struct Valid {
    pub channel: Channel,
    pub direction: Direction,
    pub occurred_at: i64,
    pub identities: Vec<Identity>,
    pub name: Option<String>,
    pub subject: Option<String>,
    pub body: String,
    pub site: Option<String>,
    pub case_id: Option<i64>,
    pub external_id: Option<String>,
    pub kind: CaseKind,
    pub category: Option<String>,
    pub queued_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub attachments: String,
    pub author_user_id: Option<i64>,
    pub status: Option<CaseStatus>,
    /// Open a new case unless `case_id` names one (email: unrelated messages that share a
    /// subject are never merged; threading decides).
    pub fresh_case: bool,
}

fn present(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl CustomerRef {
    /// The identities given, each checked (refusals go to `checks`); at least one is required.
    pub fn identities(&self, checks: &mut crate::service::Checks) -> Vec<Identity> {
        let c = self;
        let mut identities = Vec::new();
        if let Some(n) = present(&c.customer_number) {
            identities.extend(checks.check(
                "customer.customer_number",
                CustomerNumber::parse(&n).map(Identity::Number),
            ));
        }
        if let Some(e) = present(&c.email) {
            identities
                .extend(checks.check("customer.email", Email::parse(&e).map(Identity::Email)));
        }
        if let Some(p) = present(&c.phone) {
            identities
                .extend(checks.check("customer.phone", PhoneE164::parse(&p).map(Identity::Phone)));
        }
        if let Some(s) = &c.social {
            identities.extend(checks.check(
                "customer.social",
                SocialHandle::parse(&s.network, &s.handle).map(Identity::Social),
            ));
        }
        let no_identity = c.customer_number.is_none()
            && present(&c.email).is_none()
            && present(&c.phone).is_none()
            && c.social.is_none();
        if no_identity {
            checks.check::<()>(
                "customer",
                Err(Invalid::new(
                    "missing_identity",
                    "give at least one of email, phone, customer_number or social",
                )),
            );
        }
        identities
    }
}

impl InteractionInput {
    /// Checks every field, reporting all problems at once.
    pub fn validate(&self, now: i64) -> Result<Valid> {
        const MAX_AHEAD_MS: i64 = 24 * 3_600_000;
        let mut checks = crate::service::Checks::default();
        let channel = checks.check("channel", Channel::parse(&self.channel));
        let direction = checks.check("direction", Direction::parse(&self.direction));
        let time =
            |raw: &Option<String>, field: &str| -> std::result::Result<Option<i64>, Invalid> {
                match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    None => Ok(None),
                    Some(s) => match parse_time(field, s) {
                        Err(_) => Err(Invalid::new(
                            "invalid_time",
                            format!("«{s}» is not an RFC 3339 date-time"),
                        )),
                        // A contact is not from before 1970 nor from tomorrow: a clock or a
                        // field mix-up, which would land in a period nobody looks at.
                        Ok(t) if !(0..=now + MAX_AHEAD_MS).contains(&t) => Err(Invalid::new(
                            "out_of_range",
                            format!("«{s}» is before 1970 or more than a day ahead"),
                        )),
                        Ok(t) => Ok(Some(t)),
                    },
                }
            };
        let occurred_at = checks.check("occurred_at", time(&self.occurred_at, "occurred_at"));
        let queued_at = checks
            .check("queued_at", time(&self.queued_at, "queued_at"))
            .flatten();
        let answered_at = checks
            .check("answered_at", time(&self.answered_at, "answered_at"))
            .flatten();
        if let (Some(q), Some(a)) = (queued_at, answered_at)
            && a < q
        {
            checks.check::<()>(
                "answered_at",
                Err(Invalid::new(
                    "invalid_time",
                    "answered_at is before queued_at",
                )),
            );
        }
        let identities = self.customer.identities(&mut checks);
        let name = present(&self.customer.name);
        if name.as_ref().is_some_and(|n| n.chars().count() > 200) {
            checks.check::<()>(
                "customer.name",
                Err(Invalid::new(
                    "too_long",
                    "the name is longer than 200 characters",
                )),
            );
        }
        let subject = present(&self.subject);
        if subject.as_ref().is_some_and(|s| s.chars().count() > 500) {
            checks.check::<()>(
                "subject",
                Err(Invalid::new(
                    "too_long",
                    "the subject is longer than 500 characters",
                )),
            );
        }
        if self.body.chars().count() > MAX_BODY_CHARS {
            checks.check::<()>(
                "body",
                Err(Invalid::new(
                    "too_long",
                    format!("the body is longer than {MAX_BODY_CHARS} characters"),
                )),
            );
        }
        if self.body.trim().is_empty() && self.attachments.is_empty() {
            checks.check::<()>("body", Err(Invalid::new("required", "the body is empty")));
        }
        let external_id = present(&self.external_id);
        if external_id.as_ref().is_some_and(|e| e.len() > 200) {
            checks.check::<()>(
                "external_id",
                Err(Invalid::new(
                    "too_long",
                    "external_id is longer than 200 characters",
                )),
            );
        }
        let kind = match present(&self.kind) {
            Some(k) => checks.check("kind", CaseKind::parse(&k)),
            None => Some(CaseKind::Request),
        };
        let status = match present(&self.status) {
            Some(s) => checks.check("status", CaseStatus::parse(&s)).map(Some),
            None => Some(None),
        };
        let category = checks.check(
            "category",
            crate::domain::case::parse_category(self.category.as_deref().unwrap_or("")),
        );
        for (i, a) in self.attachments.iter().enumerate() {
            if a.name.trim().is_empty() || a.name.len() > 255 || a.size.is_some_and(|s| s < 0) {
                checks.check::<()>(
                    &format!("attachments[{i}]"),
                    Err(Invalid::new(
                        "invalid_attachment",
                        "an attachment needs a name (≤ 255 bytes) and a non-negative size",
                    )),
                );
            }
        }
        checks.finish()?;
        let attachments = serde_json::to_string(&self.attachments).expect("attachments serialise");
        Ok(Valid {
            channel: channel.expect("checked"),
            direction: direction.expect("checked"),
            occurred_at: occurred_at.flatten().unwrap_or(now),
            identities,
            name,
            subject,
            body: self.body.clone(),
            site: present(&self.site),
            case_id: self.case_id,
            external_id,
            kind: kind.expect("checked"),
            category: category.flatten(),
            queued_at,
            answered_at,
            attachments,
            author_user_id: None,
            status: status.expect("checked"),
            fresh_case: false,
        })
    }
}
