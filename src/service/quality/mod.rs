//! Closing the loop (seed 001): non-conformities, opened by Pacte from live data (`detect`) or
//! by a person, become quality action plans — causes by the 5M (7M) and a "5 why" chain,
//! containment and corrective actions with their pilot, actors and documents, dated progress,
//! and the efficacy check decided with the action. At the check date the figure is measured from
//! the counters (`figure`) and a person confirms C or NC: C closes, NC reopens with a new round
//! of actions, and a cause that comes back after a C reopens it too. Every change is kept
//! (`quality_event`) and posted as a `quality.*` event to the organisation's webhook.
//! Indicators and their reviews are `kpi`.

pub mod detect;
pub mod digest;
pub mod figure;
pub mod kpi;

use crate::domain::Invalid;
use crate::domain::quality::{
    self as rules, ActionKind, Cause, CauseFamily, CheckMethod, NcStatus, Origin, Proposal,
    Severity, Verdict,
};
use crate::service::{Actor, Checks, Error, Result, now_ms};
use crate::store::quality::{Action, Event, Evidence, Nc, Progress};
use crate::store::{self, Conn, Store};
use figure::{Months, Source};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub use store::quality::{Due, Settings};

/// Who may do what (seed 001: the quality manager owns the loop).
fn may_report(a: &Actor) -> Result<()> {
    a.require(a.role.can_report_quality())
}
fn may_pilot(a: &Actor) -> Result<()> {
    a.require(a.role.can_pilot_quality())
}
fn may_decide(a: &Actor) -> Result<()> {
    a.require(a.role.can_decide_quality())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NcInput {
    /// complaint, survey, internal_check, audit, mystery_visit or field_report.
    pub origin: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// minor, major (default) or critical.
    pub severity: Option<String>,
    /// A site's code.
    pub site: Option<String>,
    /// The complaint case it comes from.
    pub case_number: Option<i64>,
    pub owner_id: Option<i64>,
}

async fn check_user(c: &mut Conn, org_id: i64, field: &str, id: i64, k: &mut Checks) -> Result<()> {
    match store::org::user_in_org(c, org_id, id).await? {
        Some(u) if u.active != 0 => {}
        _ => k.refuse(
            field,
            "unknown_user",
            format!("no active user has the id {id}"),
        ),
    }
    Ok(())
}

/// Opens a non-conformity by hand (a complaint, an audit, a field report…).
pub async fn open(store: &Store, actor: &Actor, input: &NcInput) -> Result<Nc> {
    may_report(actor)?;
    let mut k = Checks::default();
    let origin = k.check("origin", Origin::parse(&input.origin));
    if origin.is_some_and(Origin::automatic) {
        k.refuse(
            "origin",
            "automatic_origin",
            "this origin is opened by Pacte from its data; choose complaint, survey, \
             internal_check, audit, mystery_visit or field_report",
        );
    }
    let title = k.check("title", rules::text(&input.title, 200));
    let description = if input.description.trim().is_empty() {
        Some(String::new())
    } else {
        k.check("description", rules::text(&input.description, 5_000))
    };
    let severity = k.check(
        "severity",
        Severity::parse(input.severity.as_deref().unwrap_or("major")),
    );
    let now = now_ms();
    let mut tx = store.begin().await?;
    let site_id = match crate::service::present(&input.site) {
        Some(code) => match store::org::site_by_code(&mut tx, actor.org_id, code).await? {
            Some(s) => Some(s.id),
            None => {
                k.refuse(
                    "site",
                    "unknown_site",
                    format!("no site has the code «{code}»"),
                );
                None
            }
        },
        None => None,
    };
    let case = match input.case_number {
        Some(n) => {
            let c = store::case::by_number(&mut tx, actor.org_id, n).await?;
            if c.is_none() {
                k.refuse(
                    "case_number",
                    "unknown_case",
                    format!("no case has the number {n}"),
                );
            }
            c
        }
        None => None,
    };
    if let Some(o) = input.owner_id {
        check_user(&mut tx, actor.org_id, "owner_id", o, &mut k).await?;
    }
    if let (Some(s), Some(c)) = (site_id, &case)
        && c.site_id.is_some_and(|cs| cs != s)
    {
        k.refuse("site", "site_mismatch", "the case belongs to another site");
    }
    k.finish()?;
    let (Some(origin), Some(title), Some(description), Some(severity)) =
        (origin, title, description, severity)
    else {
        return Err(Error::Internal("checked input".into()));
    };
    let id = store::quality::insert_nc(
        &mut tx,
        actor.org_id,
        &store::quality::NewNc {
            origin: origin.as_str(),
            source_key: None,
            title: &title,
            description: &description,
            severity: severity.as_str(),
            owner_id: input
                .owner_id
                .or(actor.role.can_pilot_quality().then_some(actor.user_id)),
            site_id: site_id.or(case.as_ref().and_then(|c| c.site_id)),
            commitment_id: None,
            kpi_id: None,
            case_id: case.as_ref().map(|c| c.id),
            theme: None,
            occurrences: 1,
            seen_at: now,
            created_by: Some(actor.user_id),
        },
        now,
    )
    .await?
    .ok_or_else(|| Error::Internal("a key-less record cannot conflict".into()))?;
    note(
        &mut tx,
        actor.org_id,
        id,
        Some(actor.user_id),
        "opened",
        origin.as_str(),
        now,
    )
    .await?;
    let nc = get_in(&mut tx, actor.org_id, id).await?;
    emit(&mut tx, actor.org_id, "quality.nc_opened", &nc, now).await?;
    tx.commit().await?;
    Ok(nc)
}

async fn get_in(c: &mut Conn, org_id: i64, id: i64) -> Result<Nc> {
    store::quality::nc(c, org_id, id)
        .await?
        .ok_or(Error::NotFound("non-conformity"))
}

/// Records a change in the non-conformity's history.
pub(crate) async fn note(
    c: &mut Conn,
    org_id: i64,
    nc_id: i64,
    user: Option<i64>,
    kind: &str,
    detail: &str,
    now: i64,
) -> Result<()> {
    store::quality::add_event(c, org_id, nc_id, user, kind, detail, now).await?;
    Ok(())
}

/// Posts a `quality.*` event to the organisation's webhook, if it set one (after commit, by
/// the alert outbox, retried until delivered).
pub(crate) async fn emit(c: &mut Conn, org_id: i64, event: &str, nc: &Nc, now: i64) -> Result<()> {
    let s = store::quality::settings(c, org_id).await?;
    if let Some(url) = s.webhook.as_deref().filter(|u| !u.is_empty()) {
        let payload = serde_json::json!({
            "event": event,
            "organization_id": org_id,
            "nonconformity": nc,
            "at": crate::service::iso(now),
        });
        store::charter::enqueue_alert(c, org_id, url, &payload.to_string(), now).await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A status, or "active" (default) for all that still ask for work, or "all".
    pub status: Option<String>,
    pub origin: Option<String>,
}

/// Managers and above see every non-conformity (their evidence holds charter and survey
/// figures); the rest of staff the ones they reported and those they act on.
pub async fn list(store: &Store, actor: &Actor, q: &ListQuery, limit: i64) -> Result<Vec<Nc>> {
    may_report(actor)?;
    let own = (!actor.role.can_pilot_quality()).then_some(actor.user_id);
    let status = match crate::service::present(&q.status) {
        None | Some("active") => Some("active"),
        Some("all") => None,
        Some(s) => Some(
            NcStatus::parse(s)
                .map_err(|e| Error::invalid("status", e))?
                .as_str(),
        ),
    };
    let origin = match crate::service::present(&q.origin) {
        Some(o) => Some(
            Origin::parse(o)
                .map_err(|e| Error::invalid("origin", e))?
                .as_str(),
        ),
        None => None,
    };
    let mut c = store.reader().await?;
    Ok(store::quality::ncs(
        &mut c,
        actor.org_id,
        status,
        origin,
        own,
        limit.clamp(1, 10_000),
    )
    .await?)
}

pub async fn counts(store: &Store, actor: &Actor) -> Result<Vec<(String, i64)>> {
    may_report(actor)?;
    let mut c = store.reader().await?;
    Ok(store::quality::nc_counts(&mut c, actor.org_id).await?)
}

/// A non-conformity with everything its plan holds.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Detail {
    pub nonconformity: Nc,
    pub evidence: Vec<Evidence>,
    pub actions: Vec<Action>,
    pub progress: Vec<Progress>,
    pub history: Vec<Event>,
    /// The families the fishbone shows (5M, or 7M when the organisation asked).
    pub families: Vec<CauseFamily>,
}

pub async fn detail(store: &Store, actor: &Actor, id: i64) -> Result<Detail> {
    may_report(actor)?;
    let mut c = store.reader().await?;
    let nc = get_in(&mut c, actor.org_id, id).await?;
    if !actor.role.can_pilot_quality()
        && nc.created_by != Some(actor.user_id)
        && !store::quality::open_actions(&mut c, actor.org_id, Some(actor.user_id), 200)
            .await?
            .iter()
            .any(|d| d.nc_id == id)
    {
        return Err(Error::Forbidden);
    }
    let s = store::quality::settings(&mut c, actor.org_id).await?;
    Ok(Detail {
        evidence: store::quality::evidence(&mut c, id, 200).await?,
        actions: store::quality::actions(&mut c, id).await?,
        progress: store::quality::progress_of(&mut c, id).await?,
        history: store::quality::events(&mut c, id).await?,
        families: if s.seven_m != 0 {
            CauseFamily::ALL.to_vec()
        } else {
            CauseFamily::FIVE_M.to_vec()
        },
        nonconformity: nc,
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AnalysisInput {
    #[serde(default)]
    pub causes: Vec<Cause>,
    /// The "5 why" chain, first why first.
    #[serde(default)]
    pub whys: Vec<String>,
    pub pilot_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub severity: Option<String>,
}

/// Writes the root-cause analysis (replacing the previous one; the history keeps each).
pub async fn analyse(store: &Store, actor: &Actor, id: i64, input: &AnalysisInput) -> Result<Nc> {
    may_pilot(actor)?;
    let mut k = Checks::default();
    if input.causes.len() > rules::MAX_CAUSES {
        k.refuse(
            "causes",
            "too_many",
            format!("at most {} causes", rules::MAX_CAUSES),
        );
    }
    if input.whys.len() > rules::MAX_WHYS {
        k.refuse(
            "whys",
            "too_many",
            format!("at most {} whys", rules::MAX_WHYS),
        );
    }
    let causes: Vec<Cause> = input
        .causes
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.text.trim().is_empty())
        .filter_map(|(i, c)| {
            k.check(
                &format!("causes[{i}].text"),
                rules::text(&c.text, rules::MAX_TEXT),
            )
            .map(|text| Cause {
                family: c.family,
                text,
            })
        })
        .collect();
    let whys: Vec<String> = input
        .whys
        .iter()
        .enumerate()
        .filter(|(_, w)| !w.trim().is_empty())
        .filter_map(|(i, w)| k.check(&format!("whys[{i}]"), rules::text(w, rules::MAX_TEXT)))
        .collect();
    let now = now_ms();
    let mut tx = store.begin().await?;
    let nc = get_in(&mut tx, actor.org_id, id).await?;
    if !NcStatus::parse(&nc.status).is_ok_and(NcStatus::is_active) {
        return Err(Error::Conflict {
            code: "not_active",
            message: format!("this non-conformity is {}", nc.status),
        });
    }
    let severity = match &input.severity {
        Some(s) => k
            .check("severity", Severity::parse(s))
            .map(Severity::as_str),
        None => Some(Severity::parse(&nc.severity).map_or("major", Severity::as_str)),
    };
    for (field, u) in [("pilot_id", input.pilot_id), ("owner_id", input.owner_id)] {
        if let Some(u) = u {
            check_user(&mut tx, actor.org_id, field, u, &mut k).await?;
        }
    }
    let s = store::quality::settings(&mut tx, actor.org_id).await?;
    if s.seven_m == 0
        && causes
            .iter()
            .any(|c| !CauseFamily::FIVE_M.contains(&c.family))
    {
        k.refuse(
            "causes",
            "seven_m_off",
            "Mesure and Management are families of the 7M, which this organisation does not use",
        );
    }
    k.finish()?;
    let causes_json = serde_json::to_string(&causes).map_err(|e| Error::Internal(e.to_string()))?;
    let whys_json = serde_json::to_string(&whys).map_err(|e| Error::Internal(e.to_string()))?;
    store::quality::set_analysis(
        &mut tx,
        id,
        &store::quality::Analysis {
            causes: &causes_json,
            whys: &whys_json,
            pilot_id: input.pilot_id.or(nc.pilot_id),
            owner_id: input.owner_id.or(nc.owner_id),
            severity: severity.unwrap_or("major"),
        },
        now,
    )
    .await?;
    let detail = format!("{} · {}", causes.len(), whys.len());
    note(
        &mut tx,
        actor.org_id,
        id,
        Some(actor.user_id),
        "analysed",
        &detail,
        now,
    )
    .await?;
    let nc = get_in(&mut tx, actor.org_id, id).await?;
    tx.commit().await?;
    Ok(nc)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Document {
    pub title: String,
    /// A link (http or https) or a path on the organisation's shared drive.
    pub url: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CheckInput {
    /// figure, audit, field_check or mystery_visit.
    pub method: String,
    /// For a figure: "commitment:ID", "nps:ID", "csat:ID", "ces:ID", "solved:ID",
    /// "response_rate:ID", "theme:NAME", "kpi:ID", "compensation" or "backlog".
    pub figure: Option<String>,
    /// A site's code, to measure on one site.
    pub site: Option<String>,
    /// The target, in the figure's unit (a percentage, NPS points, a count, euros).
    pub target: Option<f64>,
    /// Over how many complete months before the check date (default 1).
    pub months: Option<i64>,
    /// The check date (YYYY-MM-DD).
    pub on: String,
    /// How it is checked, in words (required for a check by people).
    #[serde(default)]
    pub how: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ActionInput {
    /// containment or corrective (default).
    pub kind: Option<String>,
    pub title: String,
    /// The planned date (YYYY-MM-DD).
    pub due_on: String,
    pub pilot_id: Option<i64>,
    #[serde(default)]
    pub actors: Vec<i64>,
    #[serde(default)]
    pub documents: Vec<Document>,
    /// Required for a corrective action: how and when its efficacy is verified.
    pub check: Option<CheckInput>,
}

fn date(field: &str, raw: &str, k: &mut Checks) -> Option<Date> {
    match raw.trim().parse::<Date>() {
        Ok(d) if (2000..=2100).contains(&d.year()) => Some(d),
        _ => {
            k.refuse(
                field,
                "invalid_date",
                format!("«{raw}» is not a date (YYYY-MM-DD)"),
            );
            None
        }
    }
}

/// Adds an action to the plan; a corrective action carries its efficacy check.
pub async fn add_action(
    store: &Store,
    actor: &Actor,
    nc_id: i64,
    input: &ActionInput,
) -> Result<Action> {
    may_pilot(actor)?;
    let mut k = Checks::default();
    let kind = k.check(
        "kind",
        ActionKind::parse(input.kind.as_deref().unwrap_or("corrective")),
    );
    let title = k.check("title", rules::text(&input.title, rules::MAX_TEXT));
    let due = date("due_on", &input.due_on, &mut k);
    if input.actors.len() > 50 {
        k.refuse("actors", "too_many", "at most 50 actors");
    }
    if input.documents.len() > 30 {
        k.refuse("documents", "too_many", "at most 30 documents");
    }
    for (i, d) in input.documents.iter().enumerate() {
        k.check(&format!("documents[{i}].title"), rules::text(&d.title, 200));
        k.check(&format!("documents[{i}].url"), rules::text(&d.url, 1_000));
        if d.url.trim().to_ascii_lowercase().starts_with("javascript:") {
            k.refuse(
                &format!("documents[{i}].url"),
                "invalid_url",
                "not a link to a document",
            );
        }
    }
    let now = now_ms();
    let mut tx = store.begin().await?;
    let nc = get_in(&mut tx, actor.org_id, nc_id).await?;
    let status = NcStatus::parse(&nc.status).unwrap_or(NcStatus::Open);
    if !status.is_active() {
        return Err(Error::Conflict {
            code: "not_active",
            message: format!("this non-conformity is {}", nc.status),
        });
    }
    if let Some(p) = input.pilot_id {
        check_user(&mut tx, actor.org_id, "pilot_id", p, &mut k).await?;
    }
    for (i, a) in input.actors.iter().enumerate() {
        check_user(&mut tx, actor.org_id, &format!("actors[{i}]"), *a, &mut k).await?;
    }
    let mut check = None;
    match (&input.check, kind) {
        (None, Some(ActionKind::Corrective)) => k.refuse(
            "check",
            "check_required",
            "a corrective action states how and when its efficacy is verified",
        ),
        (Some(ch), _) => check = checked(&mut tx, actor.org_id, ch, due, &mut k).await?,
        (None, _) => {}
    }
    k.finish()?;
    let (Some(kind), Some(title), Some(due)) = (kind, title, due) else {
        return Err(Error::Internal("checked input".into()));
    };
    let actors =
        serde_json::to_string(&input.actors).map_err(|e| Error::Internal(e.to_string()))?;
    let documents: Vec<Document> = input
        .documents
        .iter()
        .map(|d| Document {
            title: d.title.trim().into(),
            url: d.url.trim().into(),
        })
        .collect();
    let documents =
        serde_json::to_string(&documents).map_err(|e| Error::Internal(e.to_string()))?;
    let due_s = due.to_string();
    let check_on = check.as_ref().map(|c: &Checked| c.on.to_string());
    let id = store::quality::insert_action(
        &mut tx,
        actor.org_id,
        nc_id,
        &store::quality::NewAction {
            round: nc.reopened + 1,
            kind: kind.as_str(),
            title: &title,
            due_on: &due_s,
            pilot_id: input.pilot_id.or(nc.pilot_id).or(Some(actor.user_id)),
            actors: &actors,
            documents: &documents,
            check_method: check.as_ref().map(|c| c.method.as_str()),
            check_figure: check
                .as_ref()
                .and_then(|c| c.figure.as_ref().map(Source::key))
                .as_deref(),
            check_site_id: check.as_ref().and_then(|c| c.site_id),
            check_target: check.as_ref().and_then(|c| c.target),
            check_months: check.as_ref().and_then(|c| c.months),
            check_on: check_on.as_deref(),
            check_how: check.as_ref().map_or("", |c| c.how.as_str()),
            created_by: actor.user_id,
        },
        now,
    )
    .await?;
    if kind == ActionKind::Corrective && matches!(status, NcStatus::Open | NcStatus::Reopened) {
        store::quality::set_status(&mut tx, nc_id, NcStatus::Planned.as_str(), None, now).await?;
    }
    note(
        &mut tx,
        actor.org_id,
        nc_id,
        Some(actor.user_id),
        "action_added",
        &title,
        now,
    )
    .await?;
    let a = store::quality::action(&mut tx, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("action"))?;
    let nc = get_in(&mut tx, actor.org_id, nc_id).await?;
    emit(&mut tx, actor.org_id, "quality.action_added", &nc, now).await?;
    tx.commit().await?;
    Ok(a)
}

struct Checked {
    method: CheckMethod,
    figure: Option<Source>,
    site_id: Option<i64>,
    target: Option<f64>,
    months: Option<i64>,
    on: Date,
    how: String,
}

async fn checked(
    c: &mut Conn,
    org_id: i64,
    ch: &CheckInput,
    due: Option<Date>,
    k: &mut Checks,
) -> Result<Option<Checked>> {
    let method = k.check("check.method", CheckMethod::parse(&ch.method));
    let on = date("check.on", &ch.on, k);
    if let (Some(on), Some(due)) = (on, due)
        && on < due
    {
        k.refuse(
            "check.on",
            "before_action",
            "the check comes after the action is done",
        );
    }
    let how = ch.how.trim().to_string();
    if how.chars().count() > rules::MAX_TEXT {
        k.refuse(
            "check.how",
            "too_long",
            format!("at most {} characters", rules::MAX_TEXT),
        );
    }
    let mut figure = None;
    let mut site_id = None;
    match method {
        Some(CheckMethod::Figure) => {
            match crate::service::present(&ch.figure) {
                Some(f) => match Source::parse(f) {
                    Ok(s) => match figure::check(c, org_id, &s).await {
                        Ok(()) => figure = Some(s),
                        Err(Error::Invalid(fs)) => {
                            for f in fs {
                                k.refuse("check.figure", "unknown_figure", f.message);
                            }
                        }
                        Err(e) => return Err(e),
                    },
                    Err(e) => {
                        k.check::<()>("check.figure", Err(e));
                    }
                },
                None => k.refuse("check.figure", "required", "which figure is checked"),
            }
            let percent = figure.as_ref().is_some_and(|s| s.unit() == "percent");
            match ch.target {
                Some(t) if percent && !(0.0..=100.0).contains(&t) => {
                    k.refuse("check.target", "out_of_range", "a percentage from 0 to 100")
                }
                Some(t) if t.is_finite() && t.abs() <= 1e9 => {}
                Some(_) => k.refuse("check.target", "out_of_range", "a finite number"),
                None => k.refuse(
                    "check.target",
                    "required",
                    "the target the figure must reach",
                ),
            }
            if let Some(m) = ch.months
                && !(1..=12).contains(&m)
            {
                k.refuse("check.months", "out_of_range", "from 1 to 12 months");
            }
            if let Some(code) = crate::service::present(&ch.site) {
                match store::org::site_by_code(c, org_id, code).await? {
                    Some(s) => site_id = Some(s.id),
                    None => k.refuse(
                        "check.site",
                        "unknown_site",
                        format!("no site has the code «{code}»"),
                    ),
                }
            }
        }
        Some(_) if how.is_empty() => k.refuse(
            "check.how",
            "required",
            "say how the audit, field check or mystery visit is run",
        ),
        _ => {}
    }
    // The months measured come after the action: a check reading only the time before it
    // would judge the old way of working.
    if let (Some(CheckMethod::Figure), Some(on), Some(due)) = (method, on, due) {
        let window = Months::before(on, ch.months.unwrap_or(1).clamp(1, 12));
        if window.from < due.first_of_month() {
            k.refuse(
                "check.on",
                "window_before_action",
                format!(
                    "the months measured ({} to {}) start before the action is due: check later \
                     or over fewer months",
                    window.from_ym(),
                    window.to_ym()
                ),
            );
        }
    }
    Ok(match (method, on) {
        (Some(method), Some(on)) => Some(Checked {
            method,
            target: (method == CheckMethod::Figure)
                .then_some(ch.target)
                .flatten(),
            months: (method == CheckMethod::Figure).then(|| ch.months.unwrap_or(1)),
            figure,
            site_id,
            on,
            how,
        }),
        _ => None,
    })
}

/// Logs dated progress on an action (its pilot and actors may, as may those who pilot plans).
pub async fn log_progress(
    store: &Store,
    actor: &Actor,
    action_id: i64,
    pct: i64,
    note_text: &str,
) -> Result<Action> {
    may_report(actor)?;
    let mut k = Checks::default();
    let pct = k.check("pct", rules::progress(pct));
    let text = if note_text.trim().is_empty() {
        Some(String::new())
    } else {
        k.check("note", rules::text(note_text, rules::MAX_TEXT))
    };
    k.finish()?;
    let (Some(pct), Some(text)) = (pct, text) else {
        return Err(Error::Internal("checked input".into()));
    };
    let now = now_ms();
    let mut tx = store.begin().await?;
    let a = store::quality::action(&mut tx, actor.org_id, action_id)
        .await?
        .ok_or(Error::NotFound("action"))?;
    let actors: Vec<i64> = serde_json::from_str(&a.actors).unwrap_or_default();
    if !actor.role.can_pilot_quality()
        && a.pilot_id != Some(actor.user_id)
        && !actors.contains(&actor.user_id)
    {
        return Err(Error::Forbidden);
    }
    if a.verdict.is_some() {
        return Err(Error::Conflict {
            code: "already_checked",
            message: "this action's efficacy was already confirmed".into(),
        });
    }
    let nc = get_in(&mut tx, actor.org_id, a.nc_id).await?;
    if !NcStatus::parse(&nc.status).is_ok_and(NcStatus::is_active) {
        return Err(Error::Conflict {
            code: "not_active",
            message: format!("this non-conformity is {}", nc.status),
        });
    }
    store::quality::set_progress(&mut tx, action_id, pct).await?;
    store::quality::add_progress(&mut tx, action_id, pct, &text, actor.user_id, now).await?;
    note(
        &mut tx,
        actor.org_id,
        a.nc_id,
        Some(actor.user_id),
        "progress",
        &format!("{} — {pct}\u{202f}%", a.title),
        now,
    )
    .await?;
    let a = store::quality::action(&mut tx, actor.org_id, action_id)
        .await?
        .ok_or(Error::NotFound("action"))?;
    tx.commit().await?;
    Ok(a)
}

/// Measures an action's check now (its figure over the months before the check date), moves
/// the non-conformity to "checking" and proposes the verdict; a check by people only waits for
/// its result. `false` when it was measured already.
pub(crate) async fn measure_in(c: &mut Conn, org_id: i64, a: &Action, now: i64) -> Result<bool> {
    let Some(on) = a.check_on.as_deref().and_then(|d| d.parse::<Date>().ok()) else {
        return Ok(false);
    };
    let method = a
        .check_method
        .as_deref()
        .and_then(|m| CheckMethod::parse(m).ok());
    let (m, _) = match (method, a.check_figure.as_deref().map(Source::parse)) {
        (Some(CheckMethod::Figure), Some(Ok(src))) => {
            let months = Months::before(on, a.check_months.unwrap_or(1));
            let f = figure::compute(c, org_id, &src, a.check_site_id, months).await?;
            let target = a.check_target.unwrap_or(0.0);
            let p = rules::figure_verdict(f.value, f.interval(), target, f.higher_is_better);
            (
                store::quality::Measured {
                    value: f.value,
                    low: f.low,
                    high: f.high,
                    n: Some(f.n),
                    proposal: Some(p.as_str()),
                },
                Some(p),
            )
        }
        _ => (
            store::quality::Measured {
                value: None,
                low: None,
                high: None,
                n: None,
                proposal: None,
            },
            None,
        ),
    };
    if !store::quality::set_measured(c, a.id, &m, now).await? {
        return Ok(false);
    }
    let nc = get_in(c, org_id, a.nc_id).await?;
    if current(&nc, a).is_ok() {
        store::quality::set_status(c, nc.id, NcStatus::Checking.as_str(), None, now).await?;
    }
    // What was measured stays on the action; the history names it.
    let detail = a.title.clone();
    note(c, org_id, nc.id, None, "measured", &detail, now).await?;
    let nc = get_in(c, org_id, a.nc_id).await?;
    emit(c, org_id, "quality.check_due", &nc, now).await?;
    Ok(true)
}

/// Measures every check whose date has come (the detection job calls it).
pub async fn measure_due(store: &Store, only: Option<i64>) -> Result<usize> {
    let today = jiff::Zoned::now().date().to_string();
    let due = {
        let mut c = store.reader().await?;
        store::quality::checks_due(&mut c, &today, only, 200).await?
    };
    let mut n = 0;
    for (org_id, id) in due {
        let now = now_ms();
        let mut tx = store.begin().await?;
        if let Some(a) = store::quality::action(&mut tx, org_id, id).await?
            && measure_in(&mut tx, org_id, &a, now).await?
        {
            n += 1;
        }
        tx.commit().await?;
    }
    Ok(n)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct VerdictInput {
    /// c (conforming) or nc (non-conforming).
    pub verdict: String,
    #[serde(default)]
    pub note: String,
}

/// Confirms an action's efficacy, C or NC, once its check date has come. C closes the
/// non-conformity; NC reopens it for a new round of actions.
pub async fn confirm(
    store: &Store,
    actor: &Actor,
    action_id: i64,
    input: &VerdictInput,
) -> Result<Nc> {
    may_decide(actor)?;
    let mut k = Checks::default();
    let verdict = k.check("verdict", Verdict::parse(&input.verdict));
    let text = if input.note.trim().is_empty() {
        Some(String::new())
    } else {
        k.check("note", rules::text(&input.note, rules::MAX_TEXT))
    };
    k.finish()?;
    let (Some(verdict), Some(text)) = (verdict, text) else {
        return Err(Error::Internal("checked input".into()));
    };
    let now = now_ms();
    let mut tx = store.begin().await?;
    let a = store::quality::action(&mut tx, actor.org_id, action_id)
        .await?
        .ok_or(Error::NotFound("action"))?;
    let nc = get_in(&mut tx, actor.org_id, a.nc_id).await?;
    current(&nc, &a)?;
    let today = jiff::Zoned::now().date().to_string();
    match a.check_on.as_deref() {
        None => {
            return Err(Error::Conflict {
                code: "no_check",
                message: "this action has no efficacy check".into(),
            });
        }
        Some(on) if on > today.as_str() => {
            return Err(Error::Conflict {
                code: "check_not_due",
                message: format!("the check is due on {on}"),
            });
        }
        _ => {}
    }
    // Measured now if not yet, or again when the figure could not tell at first.
    if a.measured_at.is_some() && matches!(a.proposal.as_deref(), Some("too_early" | "no_data")) {
        store::quality::clear_measure(&mut tx, a.id).await?;
        measure_in(&mut tx, actor.org_id, &a, now).await?;
    } else if a.measured_at.is_none() {
        measure_in(&mut tx, actor.org_id, &a, now).await?;
    }
    // A person may overrule what the data proposes, but must say why.
    let a = store::quality::action(&mut tx, actor.org_id, action_id)
        .await?
        .ok_or(Error::NotFound("action"))?;
    let proposal = a.proposal.as_deref().and_then(|p| Proposal::parse(p).ok());
    let against = matches!(
        (proposal, verdict),
        (Some(Proposal::Conforming), Verdict::Nonconforming)
            | (Some(Proposal::Nonconforming), Verdict::Conforming)
    );
    if against && text.is_empty() {
        return Err(Error::invalid(
            "note",
            Invalid::new(
                "reason_required",
                "the verdict differs from what the figure shows: say why",
            ),
        ));
    }
    if !store::quality::set_verdict(
        &mut tx,
        action_id,
        verdict.as_str(),
        actor.user_id,
        &text,
        now,
    )
    .await?
    {
        return Err(Error::Conflict {
            code: "already_confirmed",
            message: "this check's verdict was already given".into(),
        });
    }
    let event = match verdict {
        // Closed once every corrective action of the round is checked conforming.
        Verdict::Conforming => {
            let pending = store::quality::actions(&mut tx, a.nc_id)
                .await?
                .into_iter()
                .any(|o| {
                    o.id != a.id
                        && o.round == a.round
                        && o.kind == ActionKind::Corrective.as_str()
                        && o.verdict.as_deref() != Some(Verdict::Conforming.as_str())
                });
            if pending {
                "quality.check_confirmed"
            } else {
                store::quality::set_status(
                    &mut tx,
                    a.nc_id,
                    NcStatus::Closed.as_str(),
                    Some(now),
                    now,
                )
                .await?;
                "quality.nc_closed"
            }
        }
        Verdict::Nonconforming => {
            store::quality::reopen(&mut tx, a.nc_id, now).await?;
            "quality.nc_reopened"
        }
    };
    note(
        &mut tx,
        actor.org_id,
        a.nc_id,
        Some(actor.user_id),
        &format!("verdict_{}", verdict.as_str()),
        &format!(
            "{}{}",
            a.title,
            if text.is_empty() {
                String::new()
            } else {
                format!(": {text}")
            }
        ),
        now,
    )
    .await?;
    let nc = get_in(&mut tx, actor.org_id, a.nc_id).await?;
    emit(&mut tx, actor.org_id, event, &nc, now).await?;
    tx.commit().await?;
    Ok(nc)
}

/// Refuses work on an action of a non-conformity that no longer asks for it, or of a round
/// already judged.
fn current(nc: &Nc, a: &Action) -> Result<()> {
    if !NcStatus::parse(&nc.status).is_ok_and(NcStatus::is_active) {
        return Err(Error::Conflict {
            code: "not_active",
            message: format!("this non-conformity is {}", nc.status),
        });
    }
    if a.round != nc.reopened + 1 {
        return Err(Error::Conflict {
            code: "past_round",
            message: format!(
                "this action belongs to round {}; the plan is at round {}",
                a.round,
                nc.reopened + 1
            ),
        });
    }
    Ok(())
}

/// Closes a non-conformity without action, with the reason (a false alarm, a known cause
/// outside the organisation's hands…).
pub async fn dismiss(store: &Store, actor: &Actor, id: i64, reason: &str) -> Result<Nc> {
    may_decide(actor)?;
    let reason = rules::text(reason, rules::MAX_TEXT).map_err(|e| Error::invalid("reason", e))?;
    let now = now_ms();
    let mut tx = store.begin().await?;
    let nc = get_in(&mut tx, actor.org_id, id).await?;
    if !NcStatus::parse(&nc.status).is_ok_and(NcStatus::is_active) {
        return Err(Error::Conflict {
            code: "not_active",
            message: format!("this non-conformity is {}", nc.status),
        });
    }
    store::quality::dismiss(&mut tx, id, &reason, now).await?;
    note(
        &mut tx,
        actor.org_id,
        id,
        Some(actor.user_id),
        "dismissed",
        &reason,
        now,
    )
    .await?;
    let nc = get_in(&mut tx, actor.org_id, id).await?;
    emit(&mut tx, actor.org_id, "quality.nc_dismissed", &nc, now).await?;
    tx.commit().await?;
    Ok(nc)
}

/// The plain-language message proposed to the customer whose complaint started a plan.
pub fn share_draft(nc: &Nc, actions: &[Action], lang: crate::i18n::Lang) -> String {
    let done: Vec<&str> = actions
        .iter()
        .filter(|a| a.kind == "corrective")
        .map(|a| a.title.as_str())
        .collect();
    let list = done
        .iter()
        .map(|t| format!("- {t}"))
        .collect::<Vec<_>>()
        .join("\n");
    lang.t("quality.share.draft")
        .replace("{title}", &nc.title)
        .replace("{actions}", &list)
}

/// Sends the plan's outcome to the customer of the complaint it started from, as a reply on
/// their case (so it goes out on the case's channel and stays in its history).
pub async fn share(store: &Store, actor: &Actor, id: i64, body: &str) -> Result<Nc> {
    may_pilot(actor)?;
    let nc = {
        let mut c = store.reader().await?;
        get_in(&mut c, actor.org_id, id).await?
    };
    let Some(case_id) = nc.case_id else {
        return Err(Error::Conflict {
            code: "no_complaint",
            message: "this non-conformity does not come from a customer's case".into(),
        });
    };
    if nc.status != NcStatus::Closed.as_str() {
        return Err(Error::Conflict {
            code: "not_closed",
            message: "the outcome is shared once the efficacy is confirmed (C)".into(),
        });
    }
    if nc.shared_at.is_some() {
        return Err(Error::Conflict {
            code: "already_shared",
            message: "the outcome was already sent to the customer".into(),
        });
    }
    crate::service::case::reply(
        store,
        actor,
        case_id,
        &crate::service::case::ReplyInput {
            body: body.to_string(),
            channel: None,
            note: false,
            status: None,
        },
    )
    .await?;
    let now = now_ms();
    let mut tx = store.begin().await?;
    store::quality::set_shared(&mut tx, id, now).await?;
    note(
        &mut tx,
        actor.org_id,
        id,
        Some(actor.user_id),
        "shared",
        "",
        now,
    )
    .await?;
    let nc = get_in(&mut tx, actor.org_id, id).await?;
    emit(&mut tx, actor.org_id, "quality.nc_shared", &nc, now).await?;
    tx.commit().await?;
    Ok(nc)
}

/// Actions still open: one person's (as pilot or actor), or all of the organisation's.
pub async fn open_actions(store: &Store, actor: &Actor, mine: bool) -> Result<Vec<Due>> {
    may_report(actor)?;
    let mut c = store.reader().await?;
    Ok(
        store::quality::open_actions(&mut c, actor.org_id, mine.then_some(actor.user_id), 200)
            .await?,
    )
}

pub async fn settings(store: &Store, actor: &Actor) -> Result<Settings> {
    may_pilot(actor)?;
    let mut c = store.reader().await?;
    let mut s = store::quality::settings(&mut c, actor.org_id).await?;
    // The address may carry a secret.
    if !actor.role.can_decide_quality() {
        s.webhook = None;
    }
    Ok(s)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct SettingsInput {
    pub seven_m: Option<bool>,
    pub irritant_growth_pct: Option<i64>,
    pub irritant_min: Option<i64>,
    pub review_max_stars: Option<i64>,
    /// Where `quality.*` events are posted; empty to stop.
    pub webhook: Option<String>,
}

pub async fn put_settings(store: &Store, actor: &Actor, input: &SettingsInput) -> Result<Settings> {
    may_decide(actor)?;
    let now = now_ms();
    let mut tx = store.begin().await?;
    let mut s = store::quality::settings(&mut tx, actor.org_id).await?;
    let mut k = Checks::default();
    if let Some(v) = input.seven_m {
        s.seven_m = i64::from(v);
    }
    if let Some(v) = input.irritant_growth_pct {
        if (0..=1_000).contains(&v) {
            s.irritant_growth_pct = v;
        } else {
            k.refuse("irritant_growth_pct", "out_of_range", "from 0 to 1,000 %");
        }
    }
    if let Some(v) = input.irritant_min {
        if (1..=100_000).contains(&v) {
            s.irritant_min = v;
        } else {
            k.refuse("irritant_min", "out_of_range", "from 1 to 100,000 mentions");
        }
    }
    if let Some(v) = input.review_max_stars {
        if (0..=4).contains(&v) {
            s.review_max_stars = v;
        } else {
            k.refuse(
                "review_max_stars",
                "out_of_range",
                "from 0 (none) to 4 stars",
            );
        }
    }
    if let Some(w) = &input.webhook {
        let w = w.trim();
        if w.is_empty() {
            s.webhook = None;
        } else if (w.starts_with("https://") || w.starts_with("http://"))
            && w.len() <= 2_000
            && !w.chars().any(char::is_control)
        {
            s.webhook = Some(w.to_string());
        } else {
            k.refuse("webhook", "invalid_url", "an http:// or https:// address");
        }
    }
    k.finish()?;
    store::quality::put_settings(&mut tx, actor.org_id, &s, now).await?;
    tx.commit().await?;
    Ok(s)
}

/// The PAQ as seed 001 lays it out, one row per action (a non-conformity without an action has
/// one row too), as CSV.
pub async fn paq_csv(store: &Store, actor: &Actor, lang: crate::i18n::Lang) -> Result<String> {
    may_pilot(actor)?;
    let figures = figure_options(store, actor, lang).await?;
    let mut c = store.reader().await?;
    let ncs = store::quality::ncs(&mut c, actor.org_id, None, None, None, 100_000).await?;
    // Semicolons and a byte-order mark: what a spreadsheet set in French opens as columns.
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer("\u{feff}".as_bytes().to_vec());
    let err = |e: csv::Error| Error::Internal(e.to_string());
    let head: Vec<String> = [
        "origin",
        "nc",
        "causes",
        "action",
        "documents",
        "pilot",
        "actors",
        "check",
        "progress",
        "efficacy",
    ]
    .iter()
    .map(|h| lang.t(&format!("quality.paq.{h}")).to_string())
    .collect();
    w.write_record(&head).map_err(err)?;
    let users = store::org::list_users(&mut c, actor.org_id).await?;
    let name = |id: i64| {
        users
            .iter()
            .find(|u| u.id == id)
            .map_or_else(|| id.to_string(), |u| u.name.clone())
    };
    for nc in ncs {
        let actions = store::quality::actions(&mut c, nc.id).await?;
        let causes: Vec<Cause> = serde_json::from_str(&nc.causes).unwrap_or_default();
        let whys: Vec<String> = serde_json::from_str(&nc.whys).unwrap_or_default();
        let mut analysis: Vec<String> = causes
            .iter()
            .map(|c| {
                format!(
                    "{}\u{a0}: {}",
                    lang.t(&format!("quality.family.{}", c.family)),
                    c.text
                )
            })
            .collect();
        if !whys.is_empty() {
            analysis.push(format!(
                "{}\u{a0}: {}",
                lang.t("quality.whys"),
                whys.join(" → ")
            ));
        }
        let origin = lang.t(&format!("quality.origin.{}", nc.origin)).to_string();
        let nc_text = format!(
            "NC-{} {} ({})",
            nc.id,
            nc.title,
            lang.t(&format!("quality.status.{}", nc.status))
        );
        let rows: Vec<Option<&Action>> = if actions.is_empty() {
            vec![None]
        } else {
            actions.iter().map(Some).collect()
        };
        for a in rows {
            let (action, docs, pilot, actors, check, progress, efficacy) = match a {
                None => Default::default(),
                Some(a) => {
                    let docs: Vec<Document> =
                        serde_json::from_str(&a.documents).unwrap_or_default();
                    let actors: Vec<i64> = serde_json::from_str(&a.actors).unwrap_or_default();
                    let check = match (&a.check_figure, &a.check_on) {
                        (Some(f), Some(on)) => format!(
                            "{} · {} {} · {} · {}",
                            figures
                                .iter()
                                .find(|(k, _)| k == f)
                                .map_or(f.as_str(), |(_, n)| n.as_str()),
                            lang.t("quality.target"),
                            a.check_target
                                .map(|t| lang.decimal(t, 1))
                                .unwrap_or_default(),
                            lang.plural("quality.months", a.check_months.unwrap_or(1)),
                            lang.day(on)
                        ),
                        (None, Some(on)) => format!(
                            "{} · {} · {}",
                            lang.t(&format!(
                                "quality.method.{}",
                                a.check_method.as_deref().unwrap_or("")
                            )),
                            a.check_how,
                            lang.day(on)
                        ),
                        _ => String::new(),
                    };
                    let efficacy = match (&a.verdict, a.verdict_at) {
                        (Some(v), Some(at)) => format!("{} · {}", lang.date(at), v.to_uppercase()),
                        _ => String::new(),
                    };
                    (
                        format!("{} · {}", a.title, lang.day(&a.due_on)),
                        docs.iter()
                            .map(|d| format!("{} <{}>", d.title, d.url))
                            .collect::<Vec<_>>()
                            .join("; "),
                        a.pilot_name.clone().unwrap_or_default(),
                        actors
                            .iter()
                            .map(|u| name(*u))
                            .collect::<Vec<_>>()
                            .join(", "),
                        check,
                        format!("{} %", a.progress),
                        efficacy,
                    )
                }
            };
            // A cell a spreadsheet would run as a formula is written as text.
            let cell = |v: &str| -> String {
                if v.starts_with(['=', '+', '-', '@']) {
                    format!("'{v}")
                } else {
                    v.to_string()
                }
            };
            w.write_record([
                cell(&origin),
                cell(&nc_text),
                cell(&analysis.join("\n")),
                cell(&action),
                cell(&docs),
                cell(&pilot),
                cell(&actors),
                cell(&check),
                progress,
                efficacy,
            ])
            .map_err(err)?;
        }
    }
    String::from_utf8(w.into_inner().map_err(|e| Error::Internal(e.to_string()))?)
        .map_err(|e| Error::Internal(e.to_string()))
}

/// The figures an efficacy check or an indicator may read here, with their names.
pub async fn figure_options(
    store: &Store,
    actor: &Actor,
    lang: crate::i18n::Lang,
) -> Result<Vec<(String, String)>> {
    may_report(actor)?;
    let mut c = store.reader().await?;
    let mut out = Vec::new();
    for (family, title, ..) in store::quality::families(&mut c, actor.org_id).await? {
        out.push((
            format!("commitment:{family}"),
            format!("{} — {title}", lang.t("quality.figure.commitment")),
        ));
    }
    for s in store::survey::surveys(&mut c, actor.org_id).await? {
        let kinds: &[&str] = match s.kind.as_str() {
            "nps" => &["nps", "solved", "response_rate"],
            "csat" => &["csat", "solved", "response_rate"],
            "ces" => &["ces", "solved", "response_rate"],
            _ => &["solved", "response_rate"],
        };
        for k in kinds {
            out.push((
                format!("{k}:{}", s.id),
                format!("{} — {}", lang.t(&format!("quality.figure.{k}")), s.name),
            ));
        }
    }
    for k in store::quality::kpis(&mut c, actor.org_id)
        .await?
        .into_iter()
        .filter(|k| k.figure.is_none())
    {
        let name = if lang == crate::i18n::Lang::En {
            k.name_en
        } else {
            k.name_fr
        };
        out.push((
            format!("kpi:{}", k.id),
            format!("{} — {name}", lang.t("quality.figure.kpi")),
        ));
    }
    out.push((
        "compensation".into(),
        lang.t("quality.figure.compensation").into(),
    ));
    out.push(("backlog".into(), lang.t("quality.figure.backlog").into()));
    Ok(out)
}
