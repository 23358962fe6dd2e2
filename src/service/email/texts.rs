//! The words Pacte sends: acknowledgement templates (editable, French and English) and canned
//! replies (per organisation or team). Both are minijinja templates over the same few values.

use crate::i18n::Lang;
use crate::service::{Actor, Error, Result, now_ms};
use crate::store::{self, Store};
use serde::{Deserialize, Serialize};

pub use store::email::{CannedReply, Template};

/// The values a template may use.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Values {
    pub customer_name: String,
    pub case_token: String,
    pub case_number: i64,
    pub subject: String,
    pub promise: String,
    pub organisation: String,
    pub advisor_name: String,
}

impl Values {
    /// Placeholder values to check that a template renders before saving it.
    fn sample() -> Values {
        Values {
            customer_name: "Renée Lefèvre".into(),
            case_token: "[#ACME-42]".into(),
            case_number: 42,
            subject: "Ma facture".into(),
            promise: "Nous répondons sous 48 heures ouvrées.".into(),
            organisation: "Acme".into(),
            advisor_name: "Camille".into(),
        }
    }
}

pub const ACK: &str = "ack";

fn default_ack(lang: Lang) -> Template {
    let (subject, body) = match lang {
        Lang::Fr => (
            "Nous avons bien reçu votre message {{ case_token }}",
            "Bonjour{% if customer_name %} {{ customer_name }}{% endif %},\n\n\
Nous avons bien reçu votre message « {{ subject }} », enregistré sous la référence {{ case_token }}.\n\
{% if promise %}{{ promise }}\n{% endif %}\n\
Pour compléter votre demande, répondez simplement à ce message : tout sera joint à votre dossier.\n\n\
{{ organisation }}",
        ),
        Lang::En => (
            "We have received your message {{ case_token }}",
            "Hello{% if customer_name %} {{ customer_name }}{% endif %},\n\n\
We have received your message \"{{ subject }}\", recorded under the reference {{ case_token }}.\n\
{% if promise %}{{ promise }}\n{% endif %}\n\
To add anything, simply reply to this message: it will join your file.\n\n\
{{ organisation }}",
        ),
    };
    Template {
        kind: ACK.into(),
        lang: lang_code(lang).into(),
        subject: subject.into(),
        body: body.into(),
    }
}

fn lang_code(l: Lang) -> &'static str {
    match l {
        Lang::Fr => "fr",
        Lang::En => "en",
    }
}

/// The names a template may use (the fields of [`Values`]).
const NAMES: &[&str] = &[
    "customer_name",
    "case_token",
    "case_number",
    "subject",
    "promise",
    "organisation",
    "advisor_name",
];

/// Renders one template text in Pacte's bounded template language; an error names the problem
/// (for the editor).
pub fn render(text: &str, v: &Values) -> std::result::Result<String, String> {
    crate::domain::template::render(text, NAMES, v).map_err(|e| e.0)
}

/// The organisation's acknowledgement in a language (its own, else the default).
pub async fn ack_template(c: &mut store::Conn, org_id: i64, lang: Lang) -> Result<Template> {
    Ok(store::email::template(c, org_id, ACK, lang_code(lang))
        .await?
        .unwrap_or_else(|| default_ack(lang)))
}

pub async fn templates(store: &Store, actor: &Actor) -> Result<Vec<Template>> {
    actor.require(actor.role.can_administer())?;
    let mut c = store.reader().await?;
    let mut out = Vec::new();
    for l in [Lang::Fr, Lang::En] {
        out.push(ack_template(&mut c, actor.org_id, l).await?);
    }
    Ok(out)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub subject: String,
    pub body: String,
}

/// Saves a template after checking it renders (a broken one would silence acknowledgements).
pub async fn put_template(
    store: &Store,
    actor: &Actor,
    kind: &str,
    lang: &str,
    t: &TemplateInput,
) -> Result<Template> {
    actor.require(actor.role.can_administer())?;
    if kind != ACK {
        return Err(Error::NotFound("template"));
    }
    if !matches!(lang, "fr" | "en") {
        return Err(Error::NotFound("language"));
    }
    let mut checks = crate::service::Checks::default();
    for (field, text, max) in [("subject", &t.subject, 300), ("body", &t.body, 10_000)] {
        if text.trim().is_empty() {
            checks.refuse(field, "required", "it cannot be empty");
        } else if text.chars().count() > max {
            checks.refuse(field, "too_long", format!("at most {max} characters"));
        } else if let Err(e) = render(text, &Values::sample()) {
            checks.refuse(field, "invalid_template", e);
        }
    }
    checks.finish()?;
    let tpl = Template {
        kind: kind.into(),
        lang: lang.into(),
        subject: t.subject.trim().into(),
        body: t.body.clone(),
    };
    let mut tx = store.begin().await?;
    store::email::put_template(&mut tx, actor.org_id, &tpl, now_ms()).await?;
    tx.commit().await?;
    Ok(tpl)
}

/// The canned replies an advisor may use: the organisation's and their team's.
pub async fn canned(store: &Store, actor: &Actor) -> Result<Vec<CannedReply>> {
    let mut c = store.reader().await?;
    let team = if actor.role.can_administer() {
        None
    } else {
        store::org::user_in_org(&mut c, actor.org_id, actor.user_id)
            .await?
            .and_then(|u| u.team_id)
            .or(Some(-1))
    };
    Ok(store::email::canned(&mut c, actor.org_id, team).await?)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CannedInput {
    pub title: String,
    pub body: String,
    pub team_id: Option<i64>,
}

pub async fn add_canned(store: &Store, actor: &Actor, input: &CannedInput) -> Result<CannedReply> {
    actor.require(actor.role.can_administer() || actor.role.can_read_charter())?;
    let mut checks = crate::service::Checks::default();
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        checks.refuse("title", "invalid_title", "a title of 1 to 100 characters");
    }
    if input.body.trim().is_empty() || input.body.chars().count() > 10_000 {
        checks.refuse("body", "invalid_body", "a text of 1 to 10,000 characters");
    } else if let Err(e) = render(&input.body, &Values::sample()) {
        checks.refuse("body", "invalid_template", e);
    }
    checks.finish()?;
    add_canned_unchecked(store, actor.org_id, input.team_id, title, &input.body).await
}

/// Adds a canned reply without permission or template checks (demo, setup).
pub async fn add_canned_unchecked(
    store: &Store,
    org_id: i64,
    team_id: Option<i64>,
    title: &str,
    body: &str,
) -> Result<CannedReply> {
    let mut tx = store.begin().await?;
    if let Some(team) = team_id {
        crate::service::check_team(&mut tx, org_id, team).await?;
    }
    let id = store::email::insert_canned(&mut tx, org_id, team_id, title, body, now_ms())
        .await
        .map_err(|e| match e {
            store::Error::Conflict(_) => Error::Conflict {
                code: "title_taken",
                message: "a canned reply already has this title".into(),
            },
            e => e.into(),
        })?;
    tx.commit().await?;
    Ok(CannedReply {
        id,
        team_id,
        title: title.into(),
        body: body.into(),
    })
}

pub async fn delete_canned(store: &Store, actor: &Actor, id: i64) -> Result<()> {
    actor.require(actor.role.can_administer() || actor.role.can_read_charter())?;
    let mut tx = store.begin().await?;
    if !store::email::delete_canned(&mut tx, actor.org_id, id).await? {
        return Err(Error::NotFound("canned reply"));
    }
    tx.commit().await?;
    Ok(())
}

/// A canned reply filled in for a case: the customer's name, the case token, the advisor's name.
/// A template that no longer renders is offered as written.
pub async fn fill(
    store: &Store,
    actor: &Actor,
    case: &store::case::Case,
    body: &str,
) -> Result<String> {
    let mut c = store.reader().await?;
    let org = store::org::org_by_id(&mut c, actor.org_id)
        .await?
        .ok_or(Error::NotFound("organisation"))?;
    let customer = store::customer::get(&mut c, actor.org_id, case.customer_id)
        .await?
        .ok_or(Error::NotFound("customer"))?;
    let values = Values {
        customer_name: customer.display_name.unwrap_or_default(),
        case_token: crate::domain::email::token_for(&org.slug, case.number),
        case_number: case.number,
        subject: case.subject.clone(),
        promise: String::new(),
        organisation: org.name,
        advisor_name: actor.name.clone(),
    };
    Ok(render(body, &values).unwrap_or_else(|_| body.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_acknowledgements_render_with_and_without_a_promise() {
        let mut v = Values::sample();
        let fr = default_ack(Lang::Fr);
        let body = render(&fr.body, &v).unwrap();
        assert!(body.contains("Bonjour Renée Lefèvre,") && body.contains("48 heures ouvrées"));
        v.promise.clear();
        v.customer_name.clear();
        let body = render(&default_ack(Lang::En).body, &v).unwrap();
        assert!(body.starts_with("Hello,") && !body.contains("48"));
        assert!(render("{{ nope }}", &v).is_err());
        assert!(render("{% if %}", &v).is_err());
    }
}
