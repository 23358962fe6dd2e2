//! What every page shows around its content, and small view models of domain records.

use super::WebUser;
use crate::i18n::Lang;
use crate::store::case::Case;
use crate::store::org::User;

/// The frame of a signed-in page: language, user, navigation, the form token.
pub struct Shell {
    pub l: Lang,
    pub user: String,
    pub admin: bool,
    /// Managers, quality and admins see the charter.
    pub charter: bool,
    pub csrf: String,
    /// The language the switch offers.
    pub other_lang: &'static str,
    /// While the demo history is being recorded: how far it has got.
    pub loading: Option<String>,
    /// What the last action did, said once.
    pub flash: Option<String>,
}

impl Shell {
    pub fn of(u: &WebUser) -> Shell {
        Shell {
            l: u.lang,
            user: u.actor.name.clone(),
            admin: u.actor.role.can_administer(),
            charter: u.actor.role.can_read_charter(),
            csrf: u.csrf.clone(),
            other_lang: if u.lang == Lang::Fr { "en" } else { "fr" },
            loading: crate::demo::loading()
                .map(|pct| u.lang.t("demo.loading").replace("{pct}", &pct.to_string())),
            flash: u.done.as_deref().and_then(|code| {
                let key = format!("done.{code}");
                let text = u.lang.t(&key);
                (text != key).then(|| text.to_string())
            }),
        }
    }
}

/// A case as a line of the inbox or of the customer page.
pub struct CaseRow {
    pub number: i64,
    pub subject: String,
    pub status: String,
    pub status_label: String,
    pub kind_label: String,
    pub channel_label: String,
    pub updated: String,
    pub assignee: String,
    /// Time left before the case crosses a commitment's bound (inbox only).
    pub timer: String,
    pub overdue: bool,
}

impl CaseRow {
    pub fn of(c: &Case, l: Lang, users: &[User]) -> CaseRow {
        CaseRow {
            number: c.number,
            subject: c.subject.clone(),
            status: c.status.clone(),
            status_label: l.t(&format!("status.{}", c.status)).to_string(),
            kind_label: l.t(&format!("kind.{}", c.kind)).to_string(),
            channel_label: l.t(&format!("channel.{}", c.channel)).to_string(),
            updated: l.datetime(c.updated_at),
            assignee: user_name(users, c.assignee_id),
            timer: String::new(),
            overdue: false,
        }
    }
}

pub fn user_name(users: &[User], id: Option<i64>) -> String {
    id.and_then(|id| users.iter().find(|u| u.id == id))
        .map(|u| u.name.clone())
        .unwrap_or_default()
}

/// (value, label) pairs for a select, labels looked up as `prefix.value`.
pub fn options<T: std::fmt::Display>(l: Lang, prefix: &str, values: &[T]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|v| (v.to_string(), l.t(&format!("{prefix}.{v}")).to_string()))
        .collect()
}
