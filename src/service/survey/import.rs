//! Answers recorded without a link: one at a time through the API (an IVR, a tablet, another
//! survey tool) or by the thousand from a CSV export (`pacte survey import`). Lines are checked
//! whole and refused with their reason; `external_id` makes a rerun record nothing twice.

use super::record::{self, Deltas, Rules};
use crate::domain::Invalid;
use crate::domain::case::parse_category;
use crate::domain::channel::Channel;
use crate::domain::identity::{CustomerNumber, Email, Identity};
use crate::domain::survey::{self, SurveyKind};
use crate::service::{Actor, Checks, Error, Result, now_ms};
use crate::store::{self, Conn, Store};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One answer, as given by an integrator (every field optional but the score / solved answer
/// its survey needs).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRecord {
    /// Your id of this answer: a second call with it records nothing.
    pub external_id: Option<String>,
    /// RFC 3339, "YYYY-MM-DD HH:MM", "DD/MM/YYYY HH:MM" or a date (organisation's time zone).
    pub answered_at: Option<String>,
    pub score: Option<String>,
    /// yes / no (also oui / non, 1 / 0, true / false).
    pub solved: Option<String>,
    pub comment: Option<String>,
    pub lang: Option<String>,
    pub email: Option<String>,
    pub customer_number: Option<String>,
    pub site: Option<String>,
    pub channel: Option<String>,
    pub category: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub imported: usize,
    pub duplicates: usize,
    /// (line, reason) of each refused line; line 1 is the header.
    pub refused: Vec<(usize, String)>,
}

fn parse_when(raw: &str, tz: &str) -> std::result::Result<i64, Invalid> {
    let raw = raw.trim();
    if let Ok(t) = raw.parse::<jiff::Timestamp>() {
        return Ok(t.as_millisecond());
    }
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    for f in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
    ] {
        if let Ok(dt) = jiff::civil::DateTime::strptime(f, raw)
            && let Ok(z) = dt.to_zoned(zone.clone())
        {
            return Ok(z.timestamp().as_millisecond());
        }
    }
    for f in ["%Y-%m-%d", "%d/%m/%Y"] {
        if let Ok(d) = jiff::civil::Date::strptime(f, raw)
            && let Ok(z) = d.to_zoned(zone.clone())
        {
            return Ok(z.timestamp().as_millisecond());
        }
    }
    Err(Invalid::new(
        "invalid_time",
        format!("«{raw}» is not a date (RFC 3339, YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM)"),
    ))
}

fn parse_yes_no(raw: &str) -> std::result::Result<bool, Invalid> {
    match raw.trim().to_lowercase().as_str() {
        "yes" | "oui" | "1" | "true" | "y" | "o" => Ok(true),
        "no" | "non" | "0" | "false" | "n" => Ok(false),
        other => Err(Invalid::new(
            "invalid_answer",
            format!("«{other}» is not yes or no"),
        )),
    }
}

fn some(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Checks a record into an answer row (customer and site resolved), or the refusals.
async fn check(
    c: &mut Conn,
    s: &store::survey::Survey,
    kind: SurveyKind,
    tz: &str,
    sites: &HashMap<String, i64>,
    r: &AnswerRecord,
    now: i64,
) -> Result<store::survey::Response> {
    let mut ch = Checks::default();
    let score = match some(&r.score) {
        Some(v) => match v.parse::<i64>() {
            Ok(n) => ch.check("score", kind.check_score(Some(n))).flatten(),
            Err(_) => {
                ch.refuse(
                    "score",
                    "not_a_number",
                    format!("«{v}» is not a whole number"),
                );
                None
            }
        },
        None => ch.check("score", kind.check_score(None)).flatten(),
    };
    let solved = some(&r.solved).and_then(|v| ch.check("solved", parse_yes_no(v)));
    if kind == SurveyKind::Solved && solved.is_none() && some(&r.solved).is_none() {
        ch.refuse("solved", "required", "yes or no");
    }
    if kind == SurveyKind::Custom {
        ch.refuse(
            "survey",
            "not_importable",
            "questionnaire criteria are answered on their page",
        );
    }
    let comment = ch
        .check(
            "comment",
            survey::check_comment(r.comment.as_deref().unwrap_or("")),
        )
        .unwrap_or_default();
    let answered_at = match some(&r.answered_at) {
        Some(v) => ch.check("answered_at", parse_when(v, tz)),
        None => Some(now),
    };
    if answered_at.is_some_and(|t| t > now + 60_000) {
        ch.refuse(
            "answered_at",
            "in_future",
            "an answer cannot be in the future",
        );
    }
    let site_id = match some(&r.site) {
        Some(code) => match sites.get(code) {
            Some(id) => Some(*id),
            None => {
                ch.refuse(
                    "site",
                    "unknown_site",
                    format!("no site has the code «{code}»"),
                );
                None
            }
        },
        None => None,
    };
    let channel = some(&r.channel)
        .and_then(|v| ch.check("channel", Channel::parse(v)))
        .map(|c| c.as_str().to_string());
    let category = some(&r.category)
        .and_then(|v| ch.check("category", parse_category(v)))
        .flatten();
    let mut identities = Vec::new();
    if let Some(n) = some(&r.customer_number) {
        identities.extend(ch.check(
            "customer_number",
            CustomerNumber::parse(n).map(Identity::Number),
        ));
    }
    if let Some(e) = some(&r.email) {
        identities.extend(ch.check("email", Email::parse(e).map(Identity::Email)));
    }
    let external_id = some(&r.external_id).map(str::to_string);
    if external_id.as_ref().is_some_and(|e| e.len() > 200) {
        ch.refuse("external_id", "too_long", "at most 200 characters");
    }
    ch.finish()?;
    let keys: Vec<String> = identities.iter().map(Identity::key).collect();
    let customer_id = if keys.is_empty() {
        None
    } else {
        let owners = store::customer::owners_of(c, s.org_id, &keys).await?;
        keys.iter()
            .find_map(|k| owners.iter().find(|(o, _)| o == k).map(|(_, id)| *id))
    };
    Ok(store::survey::Response {
        id: 0,
        org_id: s.org_id,
        survey_id: s.id,
        invitation_id: None,
        customer_id,
        case_id: None,
        site_id,
        team_id: None,
        channel,
        category,
        month: String::new(),
        score,
        solved: solved.map(i64::from),
        comment,
        lang: if some(&r.lang) == Some("en") {
            "en".into()
        } else {
            "fr".into()
        },
        criteria: String::new(),
        themes: String::new(),
        polarity: 0,
        external_id,
        answered_at: answered_at.expect("checked"),
    })
}

async fn context(
    c: &mut Conn,
    org_id: i64,
    survey_id: i64,
) -> Result<(
    store::survey::Survey,
    SurveyKind,
    String,
    HashMap<String, i64>,
)> {
    let s = store::survey::survey(c, org_id, survey_id)
        .await?
        .ok_or(Error::NotFound("survey"))?;
    let kind = SurveyKind::parse(&s.kind).map_err(|e| Error::Internal(e.message))?;
    let (tz, _) = store::org::org_calendar(c, org_id).await?;
    let sites = store::org::list_sites(c, org_id)
        .await?
        .into_iter()
        .map(|s| (s.code, s.id))
        .collect();
    Ok((s, kind, tz, sites))
}

/// Records one answer from the API. `Ok(None)`: its external id was already recorded.
pub async fn record_one(
    store: &Store,
    actor: &Actor,
    survey_id: i64,
    r: &AnswerRecord,
) -> Result<Option<i64>> {
    actor.require(actor.role.can_read_voice())?;
    let now = now_ms();
    let mut tx = store.begin().await?;
    let (s, kind, tz, sites) = context(&mut tx, actor.org_id, survey_id).await?;
    let row = check(&mut tx, &s, kind, &tz, &sites, r, now).await?;
    let rules = Rules::load(&mut tx, actor.org_id).await?;
    let mut deltas = Deltas::default();
    let id = record::record_in(&mut tx, &mut deltas, &rules, &tz, row, &[], now).await?;
    deltas.flush(&mut tx).await?;
    tx.commit().await?;
    Ok(id)
}

/// Lines per transaction.
const BATCH: usize = 2_000;

/// Imports a CSV export. `columns` maps a field of `AnswerRecord` to the file's header when
/// they differ (e.g. score → nps_score); headers named like the fields need no mapping.
pub async fn import_csv(
    store: &Store,
    org_id: i64,
    survey_id: i64,
    data: &[u8],
    columns: &[(String, String)],
    default_lang: &str,
) -> Result<Report> {
    const FIELDS: [&str; 11] = [
        "external_id",
        "answered_at",
        "score",
        "solved",
        "comment",
        "lang",
        "email",
        "customer_number",
        "site",
        "channel",
        "category",
    ];
    for (field, _) in columns {
        if !FIELDS.contains(&field.as_str()) {
            return Err(Error::invalid(
                "columns",
                Invalid::new(
                    "unknown_field",
                    format!("«{field}» is not one of: {}", FIELDS.join(", ")),
                ),
            ));
        }
    }
    let mut rd = csv::ReaderBuilder::new().flexible(true).from_reader(data);
    let headers = rd
        .headers()
        .map_err(|e| Error::invalid("file", Invalid::new("invalid_csv", e.to_string())))?
        .clone();
    let index: HashMap<&str, usize> = FIELDS
        .iter()
        .filter_map(|f| {
            let h = columns
                .iter()
                .find(|(k, _)| k == f)
                .map_or(*f, |(_, h)| h.as_str());
            headers.iter().position(|x| x.trim() == h).map(|i| (*f, i))
        })
        .collect();
    if !index.contains_key("score") && !index.contains_key("solved") {
        return Err(Error::invalid(
            "columns",
            Invalid::new(
                "missing_column",
                "the file needs a score or a solved column (map it with score=HEADER)",
            ),
        ));
    }
    let now = now_ms();
    let mut report = Report::default();
    let mut records = rd.records().enumerate().peekable();
    while records.peek().is_some() {
        let mut tx = store.begin().await?;
        let (s, kind, tz, sites) = context(&mut tx, org_id, survey_id).await?;
        let rules = Rules::load(&mut tx, org_id).await?;
        let mut deltas = Deltas::default();
        let mut checked = Vec::with_capacity(BATCH);
        for (i, rec) in records.by_ref().take(BATCH) {
            let line = i + 2;
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    report.refused.push((line, format!("unreadable: {e}")));
                    continue;
                }
            };
            let get = |f: &str| index.get(f).and_then(|i| rec.get(*i)).map(str::to_string);
            let r = AnswerRecord {
                external_id: get("external_id"),
                answered_at: get("answered_at"),
                score: get("score"),
                solved: get("solved"),
                comment: get("comment"),
                lang: get("lang")
                    .filter(|l| !l.trim().is_empty())
                    .or_else(|| Some(default_lang.to_string())),
                email: get("email"),
                customer_number: get("customer_number"),
                site: get("site"),
                channel: get("channel"),
                category: get("category"),
            };
            match check(&mut tx, &s, kind, &tz, &sites, &r, now).await {
                Ok(row) => checked.push(row),
                Err(Error::Invalid(fields)) => report.refused.push((
                    line,
                    fields
                        .iter()
                        .map(|f| format!("{}: {}", f.field, f.message))
                        .collect::<Vec<_>>()
                        .join("; "),
                )),
                Err(e) => return Err(e),
            }
        }
        let (recorded, duplicates) =
            record::record_many(&mut tx, &mut deltas, &rules, &tz, checked, now).await?;
        report.imported += recorded;
        report.duplicates += duplicates;
        deltas.flush(&mut tx).await?;
        tx.commit().await?;
    }
    Ok(report)
}

/// The import for the command line (no signed-in user: the operator runs it on the server).
pub async fn import_file(
    store: &Store,
    org_slug: &str,
    survey_id: i64,
    path: &std::path::Path,
    columns: &[(String, String)],
    default_lang: &str,
) -> anyhow::Result<Report> {
    let mut c = store.reader().await?;
    let org = store::org::org_by_slug(&mut c, org_slug)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no organisation has the slug «{org_slug}»"))?;
    drop(c);
    let data = std::fs::read(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(import_csv(store, org.id, survey_id, &data, columns, default_lang).await?)
}

/// An answer from the past (the demo's year), given with the invitation it answered.
pub struct HistoricAnswer {
    pub survey_id: i64,
    pub case: Option<store::survey::SolvedCase>,
    /// The site counted when there is no case (a relationship survey: the customer's agency).
    pub site_id: Option<i64>,
    pub customer_id: i64,
    pub sent_at: i64,
    /// `None`: invited, never answered.
    pub answered_at: Option<i64>,
    pub score: Option<i64>,
    pub solved: Option<bool>,
    pub comment: String,
    pub criteria: Vec<super::record::CriterionAnswer>,
}

/// Records past invitations and their answers, in batches, with their tallies (for the demo
/// and for migrations from another tool).
pub async fn record_history(store: &Store, org_id: i64, items: &[HistoricAnswer]) -> Result<usize> {
    let kinds: HashMap<i64, String> = {
        let mut c = store.reader().await?;
        store::survey::surveys(&mut c, org_id)
            .await?
            .into_iter()
            .map(|s| (s.id, s.kind))
            .collect()
    };
    let mut n = 0;
    for chunk in items.chunks(BATCH) {
        let mut tx = store.begin().await?;
        let (tz, _) = store::org::org_calendar(&mut tx, org_id).await?;
        let rules = Rules::load(&mut tx, org_id).await?;
        let mut deltas = Deltas::default();
        for h in chunk {
            let k = h.case.as_ref();
            let inv = store::survey::Invitation {
                id: 0,
                org_id,
                survey_id: h.survey_id,
                customer_id: h.customer_id,
                case_id: k.map(|k| k.id),
                site_id: k.and_then(|k| k.site_id).or(h.site_id),
                team_id: k.and_then(|k| k.team_id),
                channel: k.map(|k| k.channel.clone()),
                category: k.and_then(|k| k.category.clone()),
                lang: "fr".into(),
                status: "scheduled".into(),
                skip_reason: None,
                due_at: h.sent_at,
                sent_at: None,
                expires_at: None,
                email_id: None,
                answered_at: None,
            };
            let id = store::survey::insert_invitation(&mut tx, &inv, h.sent_at).await?;
            let expires = h.sent_at + survey::LINK_DAYS * crate::domain::DAY_MS;
            store::survey::dispatch(&mut tx, id, "sent", None, Some(h.sent_at), Some(expires))
                .await?;
            record::add_invited(&mut deltas, &inv, &record::month_of(h.sent_at, &tz));
            let Some(at) = h.answered_at else { continue };
            store::survey::mark_answered(&mut tx, id, at).await?;
            let r = store::survey::Response {
                id: 0,
                org_id,
                survey_id: h.survey_id,
                invitation_id: Some(id),
                customer_id: Some(h.customer_id),
                case_id: inv.case_id,
                site_id: inv.site_id,
                team_id: inv.team_id,
                channel: inv.channel.clone(),
                category: inv.category.clone(),
                month: String::new(),
                score: h.score,
                solved: h.solved.map(i64::from),
                comment: h.comment.clone(),
                lang: "fr".into(),
                criteria: String::new(),
                themes: String::new(),
                polarity: 0,
                external_id: None,
                answered_at: at,
            };
            let rid =
                record::record_in(&mut tx, &mut deltas, &rules, &tz, r, &h.criteria, at).await?;
            // The last two weeks' alerts are still for someone to look at.
            if let (Some(kind), Some(rid), true) = (
                survey::SurveyKind::parse(&kinds[&h.survey_id])
                    .ok()
                    .and_then(|k| record::alert_kind(k, h.score)),
                rid,
                crate::service::now_ms() - at < 14 * crate::domain::DAY_MS,
            ) {
                let summary = format!(
                    "{} {} — {}",
                    kinds[&h.survey_id].to_uppercase(),
                    h.score.unwrap_or_default(),
                    if h.comment.is_empty() {
                        "—"
                    } else {
                        &h.comment
                    }
                );
                store::survey::insert_alert(
                    &mut tx,
                    org_id,
                    inv.site_id,
                    kind,
                    Some(rid),
                    None,
                    &summary,
                    at,
                )
                .await?;
            }
            n += 1;
        }
        deltas.flush(&mut tx).await?;
        tx.commit().await?;
    }
    Ok(n)
}

/// Solved cases of an organisation (oldest first), for generating history.
pub async fn solved_cases(
    store: &Store,
    org_id: i64,
    limit: i64,
) -> Result<Vec<store::survey::SolvedCase>> {
    let mut c = store.reader().await?;
    Ok(store::survey::solved_cases(&mut c, org_id, limit).await?)
}
