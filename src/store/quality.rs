//! The quality loop's records: non-conformities, their evidence and history, actions and
//! their progress, the organisation's settings, and the counters efficacy checks read.

use super::{Bind, Conn, Result, Sql};
use serde::Serialize;

const NC_COLUMNS: &str = "n.id, n.org_id, n.origin, n.source_key, n.title, n.description,
    n.severity, n.status, n.owner_id, o.name AS owner_name, n.site_id, s.code AS site_code,
    n.commitment_id, n.kpi_id, n.case_id, sc.number AS case_number, n.theme, n.occurrences,
    n.first_seen_at, n.last_seen_at, n.causes, n.whys, n.pilot_id, p.name AS pilot_name,
    n.reopened, n.dismissed_reason, n.shared_at, n.created_by, n.created_at, n.updated_at,
    n.closed_at";
const NC_FROM: &str = "FROM quality_nc n LEFT JOIN app_user o ON o.id = n.owner_id
    LEFT JOIN app_user p ON p.id = n.pilot_id LEFT JOIN site s ON s.id = n.site_id
    LEFT JOIN support_case sc ON sc.id = n.case_id";

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Nc {
    pub id: i64,
    #[serde(skip)]
    pub org_id: i64,
    pub origin: String,
    pub source_key: Option<String>,
    pub title: String,
    pub description: String,
    pub severity: String,
    pub status: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub site_id: Option<i64>,
    pub site_code: Option<String>,
    /// The commitment's family id (its first version).
    pub commitment_id: Option<i64>,
    pub kpi_id: Option<i64>,
    pub case_id: Option<i64>,
    pub case_number: Option<i64>,
    pub theme: Option<String>,
    pub occurrences: i64,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub first_seen_at: i64,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub last_seen_at: i64,
    /// The fishbone: [{family, text}].
    #[serde(serialize_with = "super::wire::json")]
    #[schema(value_type = Vec<Object>)]
    pub causes: String,
    /// The "5 why" chain.
    #[serde(serialize_with = "super::wire::json")]
    #[schema(value_type = Vec<String>)]
    pub whys: String,
    pub pilot_id: Option<i64>,
    pub pilot_name: Option<String>,
    /// How many times it was reopened (NC verdict or recurrence).
    pub reopened: i64,
    pub dismissed_reason: Option<String>,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub shared_at: Option<i64>,
    pub created_by: Option<i64>,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<i64>,
}

pub struct NewNc<'a> {
    pub origin: &'a str,
    pub source_key: Option<&'a str>,
    pub title: &'a str,
    pub description: &'a str,
    pub severity: &'a str,
    pub owner_id: Option<i64>,
    pub site_id: Option<i64>,
    pub commitment_id: Option<i64>,
    pub kpi_id: Option<i64>,
    pub case_id: Option<i64>,
    pub theme: Option<&'a str>,
    pub occurrences: i64,
    pub seen_at: i64,
    pub created_by: Option<i64>,
}

/// `None` when another writer opened the same key meanwhile.
pub async fn insert_nc(c: &mut Conn, org_id: i64, n: &NewNc<'_>, now: i64) -> Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO quality_nc (org_id, origin, source_key, title, description, severity, status,
            owner_id, site_id, commitment_id, kpi_id, case_id, theme, occurrences, first_seen_at,
            last_seen_at, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $10, $11, $12, $13, $14, $14, $15,
            $16, $16)
         ON CONFLICT (org_id, source_key) DO NOTHING RETURNING id",
    )
    .bind(org_id)
    .bind(n.origin)
    .bind(n.source_key)
    .bind(n.title)
    .bind(n.description)
    .bind(n.severity)
    .bind(n.owner_id)
    .bind(n.site_id)
    .bind(n.commitment_id)
    .bind(n.kpi_id)
    .bind(n.case_id)
    .bind(n.theme)
    .bind(n.occurrences)
    .bind(n.seen_at)
    .bind(n.created_by)
    .bind(now)
    .fetch_optional(c)
    .await?;
    Ok(row.map(|r| r.0))
}

pub async fn nc(c: &mut Conn, org_id: i64, id: i64) -> Result<Option<Nc>> {
    let q = format!("SELECT {NC_COLUMNS} {NC_FROM} WHERE n.org_id = $1 AND n.id = $2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(q))
        .bind(org_id)
        .bind(id)
        .fetch_optional(c)
        .await?)
}

pub async fn nc_by_key(c: &mut Conn, org_id: i64, key: &str) -> Result<Option<Nc>> {
    let q = format!("SELECT {NC_COLUMNS} {NC_FROM} WHERE n.org_id = $1 AND n.source_key = $2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(q))
        .bind(org_id)
        .bind(key)
        .fetch_optional(c)
        .await?)
}

/// Non-conformities, latest change first: only the active ones, or all.
pub async fn ncs(
    c: &mut Conn,
    org_id: i64,
    status: Option<&str>,
    origin: Option<&str>,
    created_by: Option<i64>,
    limit: i64,
) -> Result<Vec<Nc>> {
    let mut q = Sql::on(
        c,
        format!("SELECT {NC_COLUMNS} {NC_FROM} WHERE n.org_id = "),
    );
    q.int(org_id);
    match status {
        Some("active") => {
            q.push(" AND n.status NOT IN ('closed', 'dismissed')");
        }
        Some(s) => {
            q.push(" AND n.status = ").text(s);
        }
        None => {}
    }
    if let Some(o) = origin {
        q.push(" AND n.origin = ").text(o);
    }
    if let Some(u) = created_by {
        // Theirs: reported by them, or with an action they pilot or act on.
        q.push(" AND (n.created_by = ").int(u);
        q.push(" OR n.id IN (SELECT nc_id FROM quality_action WHERE pilot_id = ")
            .int(u);
        q.push(" OR actors LIKE ").text(&format!("%[{u}]%"));
        q.push(" OR actors LIKE ").text(&format!("%[{u},%"));
        q.push(" OR actors LIKE ").text(&format!("%,{u},%"));
        q.push(" OR actors LIKE ").text(&format!("%,{u}]%"));
        q.push("))");
    }
    q.push(" ORDER BY n.updated_at DESC, n.id DESC LIMIT ")
        .int(limit);
    Ok(q.query_as().fetch_all(c).await?)
}

/// How many non-conformities are in each state.
pub async fn nc_counts(c: &mut Conn, org_id: i64) -> Result<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT status, CAST(COUNT(*) AS BIGINT) FROM quality_nc WHERE org_id = $1 GROUP BY status",
    )
    .bind(org_id)
    .fetch_all(c)
    .await?)
}

pub async fn set_status(
    c: &mut Conn,
    id: i64,
    status: &str,
    closed_at: Option<i64>,
    now: i64,
) -> Result<()> {
    sqlx::query("UPDATE quality_nc SET status = $2, closed_at = $3, updated_at = $4 WHERE id = $1")
        .bind(id)
        .bind(status)
        .bind(closed_at)
        .bind(now)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn reopen(c: &mut Conn, id: i64, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE quality_nc SET status = 'reopened', closed_at = NULL, reopened = reopened + 1,
            dismissed_reason = NULL, updated_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn dismiss(c: &mut Conn, id: i64, reason: &str, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE quality_nc SET status = 'dismissed', dismissed_reason = $2, closed_at = $3,
            updated_at = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(reason)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// More of the same found: counted, and the last time seen moved on.
pub async fn seen_again(c: &mut Conn, id: i64, more: i64, at: i64, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE quality_nc SET occurrences = occurrences + $2,
            last_seen_at = CASE WHEN last_seen_at < $3 THEN $3 ELSE last_seen_at END,
            updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(more)
    .bind(at)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

pub struct Analysis<'a> {
    pub causes: &'a str,
    pub whys: &'a str,
    pub pilot_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub severity: &'a str,
}

pub async fn set_analysis(c: &mut Conn, id: i64, a: &Analysis<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE quality_nc SET causes = $2, whys = $3, pilot_id = $4, owner_id = $5, severity = $6,
            updated_at = $7 WHERE id = $1",
    )
    .bind(id)
    .bind(a.causes)
    .bind(a.whys)
    .bind(a.pilot_id)
    .bind(a.owner_id)
    .bind(a.severity)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn set_shared(c: &mut Conn, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE quality_nc SET shared_at = $2, updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(c)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Evidence {
    pub kind: String,
    #[serde(rename = "reference")]
    pub r#ref: String,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: i64,
    #[serde(serialize_with = "super::wire::json")]
    #[schema(value_type = Object)]
    pub detail: String,
}

/// Adds a piece of evidence once; `false` when it was already there.
pub async fn add_evidence(
    c: &mut Conn,
    nc_id: i64,
    kind: &str,
    r#ref: &str,
    at: i64,
    detail: &str,
) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO quality_evidence (nc_id, kind, ref, occurred_at, detail)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (nc_id, kind, ref) DO NOTHING",
    )
    .bind(nc_id)
    .bind(kind)
    .bind(r#ref)
    .bind(at)
    .bind(detail)
    .execute(c)
    .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn evidence(c: &mut Conn, nc_id: i64, limit: i64) -> Result<Vec<Evidence>> {
    Ok(sqlx::query_as(
        "SELECT kind, ref, occurred_at, detail FROM quality_evidence WHERE nc_id = $1
         ORDER BY occurred_at DESC LIMIT $2",
    )
    .bind(nc_id)
    .bind(limit)
    .fetch_all(c)
    .await?)
}

pub async fn has_evidence(c: &mut Conn, org_id: i64, kind: &str, r#ref: &str) -> Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT e.nc_id FROM quality_evidence e JOIN quality_nc n ON n.id = e.nc_id
         WHERE n.org_id = $1 AND e.kind = $2 AND e.ref = $3 LIMIT 1",
    )
    .bind(org_id)
    .bind(kind)
    .bind(r#ref)
    .fetch_optional(c)
    .await?;
    Ok(row.is_some())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Event {
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub at: i64,
    pub user_id: Option<i64>,
    pub user_name: Option<String>,
    pub kind: String,
    pub detail: String,
}

pub async fn add_event(
    c: &mut Conn,
    org_id: i64,
    nc_id: i64,
    user_id: Option<i64>,
    kind: &str,
    detail: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO quality_event (org_id, nc_id, at, user_id, kind, detail)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(org_id)
    .bind(nc_id)
    .bind(now)
    .bind(user_id)
    .bind(kind)
    .bind(detail)
    .execute(c)
    .await?;
    Ok(())
}

/// The kind and time of the latest change.
pub async fn last_event(c: &mut Conn, nc_id: i64) -> Result<Option<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT kind, at FROM quality_event WHERE nc_id = $1 ORDER BY at DESC, id DESC LIMIT 1",
    )
    .bind(nc_id)
    .fetch_optional(c)
    .await?)
}

/// The latest 500 changes, in order.
pub async fn events(c: &mut Conn, nc_id: i64) -> Result<Vec<Event>> {
    Ok(sqlx::query_as(
        "SELECT at, user_id, user_name, kind, detail FROM (
            SELECT e.id, e.at, e.user_id, u.name AS user_name, e.kind, e.detail FROM quality_event e
            LEFT JOIN app_user u ON u.id = e.user_id WHERE e.nc_id = $1
            ORDER BY e.at DESC, e.id DESC LIMIT 500) x ORDER BY at, id",
    )
    .bind(nc_id)
    .fetch_all(c)
    .await?)
}

/// A crossing of an unacceptable bound not yet grouped into a non-conformity.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Crossing {
    pub id: i64,
    pub org_id: i64,
    pub family_id: i64,
    pub title: String,
    pub site_id: Option<i64>,
    pub case_id: Option<i64>,
    pub case_number: Option<i64>,
    pub value_ms: Option<i64>,
    pub occurred_at: i64,
}

/// Crossings not yet grouped, of one organisation or all.
pub async fn ungrouped_crossings(
    c: &mut Conn,
    org_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Crossing>> {
    let mut q = Sql::on(
        c,
        "SELECT x.id, x.org_id, m.family_id, m.title_fr AS title, x.site_id, x.case_id,
            sc.number AS case_number, x.value_ms, x.occurred_at
         FROM nonconformity x JOIN commitment m ON m.id = x.commitment_id
         LEFT JOIN support_case sc ON sc.id = x.case_id
         WHERE x.quality_nc_id IS NULL",
    );
    if let Some(o) = org_id {
        q.push(" AND x.org_id = ").int(o);
    }
    q.push(" ORDER BY x.org_id, x.id LIMIT ").int(limit);
    Ok(q.query_as().fetch_all(c).await?)
}

pub async fn group_crossings(c: &mut Conn, ids: &[i64], nc_id: i64) -> Result<()> {
    for chunk in ids.chunks(100) {
        let mut q = Sql::on(c, "UPDATE nonconformity SET quality_nc_id = ");
        q.int(nc_id).push(" WHERE id IN (").ints(chunk).push(")");
        q.query().execute(&mut *c).await?;
    }
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Action {
    pub id: i64,
    pub nc_id: i64,
    pub round: i64,
    pub kind: String,
    pub title: String,
    /// The planned date (YYYY-MM-DD).
    pub due_on: String,
    pub pilot_id: Option<i64>,
    pub pilot_name: Option<String>,
    /// User ids.
    #[serde(serialize_with = "super::wire::json")]
    #[schema(value_type = Vec<i64>)]
    pub actors: String,
    /// [{title, url}].
    #[serde(serialize_with = "super::wire::json")]
    #[schema(value_type = Vec<Object>)]
    pub documents: String,
    pub check_method: Option<String>,
    pub check_figure: Option<String>,
    pub check_site_id: Option<i64>,
    pub check_target: Option<f64>,
    pub check_months: Option<i64>,
    pub check_on: Option<String>,
    pub check_how: String,
    pub progress: i64,
    pub measured_value: Option<f64>,
    pub measured_low: Option<f64>,
    pub measured_high: Option<f64>,
    pub measured_n: Option<i64>,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub measured_at: Option<i64>,
    pub proposal: Option<String>,
    pub verdict: Option<String>,
    pub verdict_by: Option<i64>,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub verdict_at: Option<i64>,
    pub verdict_note: String,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

const ACTION_COLUMNS: &str = "a.id, a.nc_id, a.round, a.kind, a.title, a.due_on, a.pilot_id,
    u.name AS pilot_name, a.actors, a.documents, a.check_method, a.check_figure, a.check_site_id,
    a.check_target, a.check_months, a.check_on, a.check_how, a.progress, a.measured_value,
    a.measured_low, a.measured_high, a.measured_n, a.measured_at, a.proposal, a.verdict,
    a.verdict_by, a.verdict_at, a.verdict_note, a.created_at";

pub struct NewAction<'a> {
    pub round: i64,
    pub kind: &'a str,
    pub title: &'a str,
    pub due_on: &'a str,
    pub pilot_id: Option<i64>,
    pub actors: &'a str,
    pub documents: &'a str,
    pub check_method: Option<&'a str>,
    pub check_figure: Option<&'a str>,
    pub check_site_id: Option<i64>,
    pub check_target: Option<f64>,
    pub check_months: Option<i64>,
    pub check_on: Option<&'a str>,
    pub check_how: &'a str,
    pub created_by: i64,
}

pub async fn insert_action(
    c: &mut Conn,
    org_id: i64,
    nc_id: i64,
    a: &NewAction<'_>,
    now: i64,
) -> Result<i64> {
    let mut q = Sql::on(
        c,
        "INSERT INTO quality_action (org_id, nc_id, round, kind, title, due_on, pilot_id, actors,
            documents, check_method, check_figure, check_site_id, check_target, check_months,
            check_on, check_how, created_by, created_at) VALUES (",
    );
    q.int(org_id)
        .push(", ")
        .int(nc_id)
        .push(", ")
        .int(a.round)
        .push(", ");
    q.text(a.kind)
        .push(", ")
        .text(a.title)
        .push(", ")
        .text(a.due_on)
        .push(", ");
    q.bind(Bind::OptInt(a.pilot_id))
        .push(", ")
        .text(a.actors)
        .push(", ");
    q.text(a.documents).push(", ");
    q.bind(Bind::OptText(a.check_method.map(str::to_string)))
        .push(", ");
    q.bind(Bind::OptText(a.check_figure.map(str::to_string)))
        .push(", ");
    q.bind(Bind::OptInt(a.check_site_id))
        .push(", ")
        .float(a.check_target)
        .push(", ");
    q.bind(Bind::OptInt(a.check_months)).push(", ");
    q.bind(Bind::OptText(a.check_on.map(str::to_string)))
        .push(", ");
    q.text(a.check_how)
        .push(", ")
        .int(a.created_by)
        .push(", ")
        .int(now);
    q.push(") RETURNING id");
    let (id,): (i64,) = q.query_as().fetch_one(c).await?;
    Ok(id)
}

pub async fn actions(c: &mut Conn, nc_id: i64) -> Result<Vec<Action>> {
    let q = format!(
        "SELECT {ACTION_COLUMNS} FROM quality_action a LEFT JOIN app_user u ON u.id = a.pilot_id
         WHERE a.nc_id = $1 ORDER BY a.round, a.id"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(q))
        .bind(nc_id)
        .fetch_all(c)
        .await?)
}

pub async fn action(c: &mut Conn, org_id: i64, id: i64) -> Result<Option<Action>> {
    let q = format!(
        "SELECT {ACTION_COLUMNS} FROM quality_action a LEFT JOIN app_user u ON u.id = a.pilot_id
         WHERE a.org_id = $1 AND a.id = $2"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(q))
        .bind(org_id)
        .bind(id)
        .fetch_optional(c)
        .await?)
}

/// Checks whose date has come that nobody measured yet, on the current round of an active
/// non-conformity, of one organisation or all.
pub async fn checks_due(
    c: &mut Conn,
    today: &str,
    org_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, i64)>> {
    let mut q = Sql::on(
        c,
        "SELECT a.org_id, a.id FROM quality_action a JOIN quality_nc n ON n.id = a.nc_id
         WHERE a.verdict IS NULL AND a.measured_at IS NULL AND a.check_on IS NOT NULL
           AND n.status NOT IN ('closed', 'dismissed') AND a.round = n.reopened + 1
           AND a.check_on <= ",
    );
    q.text(today);
    if let Some(o) = org_id {
        q.push(" AND a.org_id = ").int(o);
    }
    q.push(" ORDER BY a.check_on, a.id LIMIT ").int(limit);
    Ok(q.query_as().fetch_all(c).await?)
}

/// Forgets a measure that could not tell, so the check is measured again.
pub async fn clear_measure(c: &mut Conn, id: i64) -> Result<()> {
    sqlx::query(
        "UPDATE quality_action SET measured_at = NULL, measured_value = NULL, measured_low = NULL,
            measured_high = NULL, measured_n = NULL, proposal = NULL
         WHERE id = $1 AND verdict IS NULL",
    )
    .bind(id)
    .execute(c)
    .await?;
    Ok(())
}

/// An action someone works on, with its non-conformity: the home page's "my actions".
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Due {
    pub action_id: i64,
    pub nc_id: i64,
    pub nc_title: String,
    pub title: String,
    pub due_on: String,
    pub check_on: Option<String>,
    pub progress: i64,
    pub pilot_name: Option<String>,
    /// The measure's proposal (c, nc, too_early, no_data) once measured, waiting for a verdict.
    pub proposal: Option<String>,
}

/// Open actions of the organisation (of one pilot or actor when `user` is given), soonest first.
pub async fn open_actions(
    c: &mut Conn,
    org_id: i64,
    user: Option<i64>,
    limit: i64,
) -> Result<Vec<Due>> {
    let mut q = Sql::on(
        c,
        "SELECT a.id AS action_id, a.nc_id, n.title AS nc_title, a.title, a.due_on, a.check_on,
            a.progress, u.name AS pilot_name, a.proposal
         FROM quality_action a JOIN quality_nc n ON n.id = a.nc_id
         LEFT JOIN app_user u ON u.id = a.pilot_id
         WHERE a.verdict IS NULL AND n.status NOT IN ('closed', 'dismissed') AND a.org_id = ",
    );
    q.int(org_id);
    if let Some(u) = user {
        // Actors are a JSON list of ids: "[3,12]"; matched as a whole number.
        q.push(" AND (a.pilot_id = ").int(u);
        q.push(" OR a.actors LIKE ").text(&format!("%[{u}]%"));
        q.push(" OR a.actors LIKE ").text(&format!("%[{u},%"));
        q.push(" OR a.actors LIKE ").text(&format!("%,{u},%"));
        q.push(" OR a.actors LIKE ").text(&format!("%,{u}]%"));
        q.push(")");
    }
    q.push(" ORDER BY a.due_on, a.id LIMIT ").int(limit);
    Ok(q.query_as().fetch_all(c).await?)
}

/// Actions past their date, unfinished, not yet reported late: (org, action, nc, title, due).
pub async fn newly_overdue(
    c: &mut Conn,
    today: &str,
    org_id: Option<i64>,
) -> Result<Vec<(i64, i64, i64, String, String)>> {
    let mut q = Sql::on(
        c,
        "SELECT a.org_id, a.id, a.nc_id, a.title, a.due_on FROM quality_action a
         JOIN quality_nc n ON n.id = a.nc_id
         WHERE a.overdue_at IS NULL AND a.verdict IS NULL AND a.progress < 100
           AND n.status NOT IN ('closed', 'dismissed') AND a.due_on < ",
    );
    q.text(today);
    if let Some(o) = org_id {
        q.push(" AND a.org_id = ").int(o);
    }
    q.push(" ORDER BY a.id LIMIT 500");
    Ok(q.query_as().fetch_all(c).await?)
}

pub async fn mark_overdue(c: &mut Conn, id: i64, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE quality_action SET overdue_at = $2 WHERE id = $1 AND overdue_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn set_progress(c: &mut Conn, id: i64, pct: i64) -> Result<()> {
    sqlx::query("UPDATE quality_action SET progress = $2 WHERE id = $1")
        .bind(id)
        .bind(pct)
        .execute(c)
        .await?;
    Ok(())
}

pub struct Measured<'a> {
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub n: Option<i64>,
    pub proposal: Option<&'a str>,
}

/// Records what the check measured; `false` if another worker did it first.
pub async fn set_measured(c: &mut Conn, id: i64, m: &Measured<'_>, now: i64) -> Result<bool> {
    let mut q = Sql::on(c, "UPDATE quality_action SET measured_value = ");
    q.float(m.value).push(", measured_low = ").float(m.low);
    q.push(", measured_high = ").float(m.high);
    q.push(", measured_n = ").bind(Bind::OptInt(m.n));
    q.push(", proposal = ")
        .bind(Bind::OptText(m.proposal.map(str::to_string)));
    q.push(", measured_at = ").int(now);
    q.push(" WHERE measured_at IS NULL AND verdict IS NULL AND id = ")
        .int(id);
    let r = q.query().execute(c).await?;
    Ok(r.rows_affected() > 0)
}

/// Confirms the verdict once; `false` when it was already given.
pub async fn set_verdict(
    c: &mut Conn,
    id: i64,
    verdict: &str,
    by: i64,
    note: &str,
    now: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE quality_action SET verdict = $2, verdict_by = $3, verdict_note = $4,
            verdict_at = $5 WHERE id = $1 AND verdict IS NULL",
    )
    .bind(id)
    .bind(verdict)
    .bind(by)
    .bind(note)
    .bind(now)
    .execute(c)
    .await?;
    Ok(r.rows_affected() > 0)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Progress {
    pub action_id: i64,
    pub pct: i64,
    pub note: String,
    pub by_name: Option<String>,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub at: i64,
}

pub async fn add_progress(
    c: &mut Conn,
    action_id: i64,
    pct: i64,
    note: &str,
    by: i64,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO quality_progress (action_id, pct, note, by_user, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(action_id)
    .bind(pct)
    .bind(note)
    .bind(by)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn progress_of(c: &mut Conn, nc_id: i64) -> Result<Vec<Progress>> {
    Ok(sqlx::query_as(
        "SELECT p.action_id, p.pct, p.note, u.name AS by_name, p.at FROM quality_progress p
         JOIN quality_action a ON a.id = p.action_id LEFT JOIN app_user u ON u.id = p.by_user
         WHERE a.nc_id = $1 ORDER BY p.at, p.id",
    )
    .bind(nc_id)
    .fetch_all(c)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Settings {
    #[serde(serialize_with = "super::wire::flag")]
    #[schema(value_type = bool)]
    pub seven_m: i64,
    pub irritant_growth_pct: i64,
    pub irritant_min: i64,
    pub review_max_stars: i64,
    pub webhook: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            seven_m: 0,
            irritant_growth_pct: 50,
            irritant_min: 10,
            review_max_stars: 2,
            webhook: None,
        }
    }
}

pub async fn settings(c: &mut Conn, org_id: i64) -> Result<Settings> {
    let row: Option<Settings> = sqlx::query_as(
        "SELECT seven_m, irritant_growth_pct, irritant_min, review_max_stars, webhook
         FROM quality_setting WHERE org_id = $1",
    )
    .bind(org_id)
    .fetch_optional(c)
    .await?;
    Ok(row.unwrap_or_default())
}

pub async fn put_settings(c: &mut Conn, org_id: i64, s: &Settings, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO quality_setting (org_id, seven_m, irritant_growth_pct, irritant_min,
            review_max_stars, webhook, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (org_id) DO UPDATE SET seven_m = $2, irritant_growth_pct = $3,
            irritant_min = $4, review_max_stars = $5, webhook = $6, updated_at = $7",
    )
    .bind(org_id)
    .bind(s.seven_m)
    .bind(s.irritant_growth_pct)
    .bind(s.irritant_min)
    .bind(s.review_max_stars)
    .bind(s.webhook.as_deref())
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// Organisations with anything the detection job may look at.
pub async fn org_ids(c: &mut Conn) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as("SELECT id FROM organization ORDER BY id")
        .fetch_all(c)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Commitment results of a family (all its versions) per site over periods `from..to` (first
/// days, `to` excluded): (site_id, period, total, met, unacceptable).
pub async fn family_results(
    c: &mut Conn,
    org_id: i64,
    family_id: i64,
    from: &str,
    to: &str,
) -> Result<Vec<(i64, String, i64, i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT r.site_id, r.period, CAST(SUM(r.total) AS BIGINT), CAST(SUM(r.met) AS BIGINT),
            CAST(SUM(r.unacceptable) AS BIGINT)
         FROM commitment_result r JOIN commitment m ON m.id = r.commitment_id
         WHERE m.org_id = $1 AND m.family_id = $2 AND r.period >= $3 AND r.period < $4
         GROUP BY r.site_id, r.period",
    )
    .bind(org_id)
    .bind(family_id)
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await?)
}

/// Published commitment families with their title, requirement and period kind.
pub async fn families(c: &mut Conn, org_id: i64) -> Result<Vec<(i64, String, i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT family_id, title_fr, requirement_bp, period FROM commitment
         WHERE org_id = $1 AND status = 'published' ORDER BY position, family_id",
    )
    .bind(org_id)
    .fetch_all(c)
    .await?)
}

/// Negative mentions per theme for months `from..=to` ("YYYY-MM").
pub async fn theme_negatives(
    c: &mut Conn,
    org_id: i64,
    from: &str,
    to: &str,
) -> Result<Vec<(String, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT month, theme, negative FROM theme_tally
         WHERE org_id = $1 AND month >= $2 AND month <= $3",
    )
    .bind(org_id)
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await?)
}

/// Published reviews of at most `stars` since `since`: (id, site_id, stars, created_at).
pub async fn low_reviews(
    c: &mut Conn,
    org_id: i64,
    stars: i64,
    since: i64,
) -> Result<Vec<(i64, Option<i64>, i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.site_id, r.stars, r.created_at FROM review r
         WHERE r.org_id = $1 AND r.status = 'published' AND r.stars <= $2 AND r.created_at >= $3
           AND NOT EXISTS (SELECT 1 FROM quality_evidence e JOIN quality_nc n ON n.id = e.nc_id
               WHERE n.org_id = r.org_id AND e.kind = 'review' AND e.ref = CAST(r.id AS TEXT))
         ORDER BY r.created_at",
    )
    .bind(org_id)
    .bind(stars)
    .bind(since)
    .fetch_all(c)
    .await?)
}

/// Sum of compensations granted between two times, in cents, and how many.
pub async fn compensations_between(
    c: &mut Conn,
    org_id: i64,
    from: i64,
    to: i64,
    site_id: Option<i64>,
) -> Result<(i64, i64)> {
    let mut q = Sql::on(
        c,
        "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT), CAST(COUNT(*) AS BIGINT)
         FROM compensation WHERE status = 'granted' AND org_id = ",
    );
    q.int(org_id);
    q.push(" AND created_at >= ").int(from);
    q.push(" AND created_at < ").int(to);
    if let Some(s) = site_id {
        q.push(" AND site_id = ").int(s);
    }
    Ok(q.query_as().fetch_one(c).await?)
}

/// Cases not yet solved, from the counters.
pub async fn backlog(c: &mut Conn, org_id: i64, site_id: Option<i64>) -> Result<i64> {
    let mut q = Sql::on(
        c,
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM case_counter
         WHERE status IN ('open', 'pending') AND org_id = ",
    );
    q.int(org_id);
    if let Some(s) = site_id {
        q.push(" AND site_id = ").int(s);
    }
    let (n,): (i64,) = q.query_as().fetch_one(c).await?;
    Ok(n)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Kpi {
    pub id: i64,
    pub code: String,
    pub name_fr: String,
    pub name_en: String,
    pub process: String,
    pub owner_user_id: Option<i64>,
    pub owner_name: Option<String>,
    pub owner_team_id: Option<i64>,
    pub owner_team: Option<String>,
    /// The built-in figure it reads ("commitment:3", "nps:2"…); none when entered by hand.
    pub figure: Option<String>,
    pub site_id: Option<i64>,
    pub unit: String,
    #[serde(serialize_with = "super::wire::flag")]
    #[schema(value_type = bool)]
    pub higher_is_better: i64,
    #[serde(serialize_with = "super::wire::flag")]
    #[schema(value_type = bool)]
    pub active: i64,
}

const KPI_COLUMNS: &str = "k.id, k.code, k.name_fr, k.name_en, k.process, k.owner_user_id,
    u.name AS owner_name, k.owner_team_id, t.name AS owner_team, k.figure, k.site_id, k.unit,
    k.higher_is_better, k.active
    FROM kpi k LEFT JOIN app_user u ON u.id = k.owner_user_id LEFT JOIN team t ON t.id = k.owner_team_id";

pub struct NewKpi<'a> {
    pub code: &'a str,
    pub name_fr: &'a str,
    pub name_en: &'a str,
    pub process: &'a str,
    pub owner_user_id: Option<i64>,
    pub owner_team_id: Option<i64>,
    pub figure: Option<&'a str>,
    pub site_id: Option<i64>,
    pub unit: &'a str,
    pub higher_is_better: bool,
}

/// Adds an indicator, or updates the one with the same code.
pub async fn put_kpi(c: &mut Conn, org_id: i64, k: &NewKpi<'_>, now: i64) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO kpi (org_id, code, name_fr, name_en, process, owner_user_id, owner_team_id,
            figure, site_id, unit, higher_is_better, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (org_id, code) DO UPDATE SET name_fr = $3, name_en = $4, process = $5,
            owner_user_id = COALESCE($6, kpi.owner_user_id),
            owner_team_id = COALESCE($7, kpi.owner_team_id), figure = $8,
            site_id = COALESCE($9, kpi.site_id), unit = $10, higher_is_better = $11, active = 1
         RETURNING id",
    )
    .bind(org_id)
    .bind(k.code)
    .bind(k.name_fr)
    .bind(k.name_en)
    .bind(k.process)
    .bind(k.owner_user_id)
    .bind(k.owner_team_id)
    .bind(k.figure)
    .bind(k.site_id)
    .bind(k.unit)
    .bind(i64::from(k.higher_is_better))
    .bind(now)
    .fetch_one(c)
    .await?;
    Ok(id)
}

pub async fn kpis(c: &mut Conn, org_id: i64) -> Result<Vec<Kpi>> {
    let q = format!(
        "SELECT {KPI_COLUMNS} WHERE k.org_id = $1 AND k.active = 1 ORDER BY k.process, k.code"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(q))
        .bind(org_id)
        .fetch_all(c)
        .await?)
}

pub async fn kpi(c: &mut Conn, org_id: i64, id: i64) -> Result<Option<Kpi>> {
    let q = format!("SELECT {KPI_COLUMNS} WHERE k.org_id = $1 AND k.id = $2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(q))
        .bind(org_id)
        .bind(id)
        .fetch_optional(c)
        .await?)
}

#[derive(Debug, Clone, Default, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Target {
    pub kpi_id: i64,
    pub year: i64,
    pub target: f64,
    pub red_at: Option<f64>,
    pub q1: Option<f64>,
    pub q2: Option<f64>,
    pub q3: Option<f64>,
    pub q4: Option<f64>,
}

pub async fn put_target(c: &mut Conn, t: &Target) -> Result<()> {
    let mut q = Sql::on(
        c,
        "INSERT INTO kpi_target (kpi_id, year, target, red_at, q1, q2, q3, q4) VALUES (",
    );
    q.int(t.kpi_id)
        .push(", ")
        .int(t.year)
        .push(", ")
        .float(Some(t.target));
    for v in [t.red_at, t.q1, t.q2, t.q3, t.q4] {
        q.push(", ").float(v);
    }
    q.push(
        ") ON CONFLICT (kpi_id, year) DO UPDATE SET target = excluded.target,
            red_at = excluded.red_at, q1 = excluded.q1, q2 = excluded.q2, q3 = excluded.q3,
            q4 = excluded.q4",
    );
    q.query().execute(c).await?;
    Ok(())
}

pub async fn targets(c: &mut Conn, org_id: i64, year: i64) -> Result<Vec<Target>> {
    Ok(sqlx::query_as(
        "SELECT t.kpi_id, t.year, t.target, t.red_at, t.q1, t.q2, t.q3, t.q4 FROM kpi_target t
         JOIN kpi k ON k.id = t.kpi_id WHERE k.org_id = $1 AND t.year = $2",
    )
    .bind(org_id)
    .bind(year)
    .fetch_all(c)
    .await?)
}

pub async fn put_value(
    c: &mut Conn,
    kpi_id: i64,
    month: &str,
    value: f64,
    by: i64,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO kpi_value (kpi_id, month, value, entered_by, entered_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (kpi_id, month) DO UPDATE SET value = $3, entered_by = $4, entered_at = $5",
    )
    .bind(kpi_id)
    .bind(month)
    .bind(value)
    .bind(by)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// Values entered by hand for months `from..=to`: (month, value).
pub async fn values(c: &mut Conn, kpi_id: i64, from: &str, to: &str) -> Result<Vec<(String, f64)>> {
    Ok(sqlx::query_as(
        "SELECT month, value FROM kpi_value WHERE kpi_id = $1 AND month >= $2 AND month <= $3
         ORDER BY month",
    )
    .bind(kpi_id)
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Review {
    pub id: i64,
    /// quarterly | monthly
    pub kind: String,
    /// Its first month ("YYYY-MM").
    pub period: String,
    /// draft | frozen
    pub status: String,
    pub attendees: String,
    pub minutes: String,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub frozen_at: Option<i64>,
    pub frozen_by: Option<i64>,
    pub frozen_by_name: Option<String>,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

const REVIEW_COLUMNS: &str = "r.id, r.kind, r.period, r.status, r.attendees, r.minutes,
    r.frozen_at, r.frozen_by, u.name AS frozen_by_name, r.created_at
    FROM kpi_review r LEFT JOIN app_user u ON u.id = r.frozen_by";

pub async fn insert_review(
    c: &mut Conn,
    org_id: i64,
    kind: &str,
    period: &str,
    by: i64,
    now: i64,
) -> Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO kpi_review (org_id, kind, period, status, created_by, created_at)
         VALUES ($1, $2, $3, 'draft', $4, $5) ON CONFLICT (org_id, kind, period) DO NOTHING
         RETURNING id",
    )
    .bind(org_id)
    .bind(kind)
    .bind(period)
    .bind(by)
    .bind(now)
    .fetch_optional(c)
    .await?;
    Ok(row.map(|r| r.0))
}

pub async fn review(c: &mut Conn, org_id: i64, id: i64) -> Result<Option<Review>> {
    let q = format!("SELECT {REVIEW_COLUMNS} WHERE r.org_id = $1 AND r.id = $2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(q))
        .bind(org_id)
        .bind(id)
        .fetch_optional(c)
        .await?)
}

pub async fn reviews(c: &mut Conn, org_id: i64) -> Result<Vec<Review>> {
    let q = format!("SELECT {REVIEW_COLUMNS} WHERE r.org_id = $1 ORDER BY r.period DESC, r.kind");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(q))
        .bind(org_id)
        .fetch_all(c)
        .await?)
}

pub async fn set_review_notes(c: &mut Conn, id: i64, attendees: &str, minutes: &str) -> Result<()> {
    sqlx::query(
        "UPDATE kpi_review SET attendees = $2, minutes = $3 WHERE id = $1 AND status = 'draft'",
    )
    .bind(id)
    .bind(attendees)
    .bind(minutes)
    .execute(c)
    .await?;
    Ok(())
}

/// Freezes a draft once; `false` when it was frozen already.
pub async fn freeze_review(c: &mut Conn, id: i64, by: i64, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE kpi_review SET status = 'frozen', frozen_at = $2, frozen_by = $3
         WHERE id = $1 AND status = 'draft'",
    )
    .bind(id)
    .bind(now)
    .bind(by)
    .execute(c)
    .await?;
    Ok(r.rows_affected() > 0)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Line {
    pub kpi_id: i64,
    pub value: Option<f64>,
    pub n: Option<i64>,
    pub target: Option<f64>,
    pub milestone: Option<f64>,
    pub previous: Option<f64>,
    pub rag: String,
    pub decision: Option<String>,
    pub justification: String,
    pub nc_id: Option<i64>,
}

/// Writes a line's figures, keeping the decision already taken on it.
pub async fn put_line(c: &mut Conn, review_id: i64, l: &Line) -> Result<()> {
    let mut q = Sql::on(
        c,
        "INSERT INTO kpi_review_line (review_id, kpi_id, value, n, target, milestone, previous,
            rag) VALUES (",
    );
    q.int(review_id)
        .push(", ")
        .int(l.kpi_id)
        .push(", ")
        .float(l.value);
    q.push(", ")
        .bind(Bind::OptInt(l.n))
        .push(", ")
        .float(l.target);
    q.push(", ").float(l.milestone).push(", ").float(l.previous);
    q.push(", ").text(&l.rag);
    q.push(
        ") ON CONFLICT (review_id, kpi_id) DO UPDATE SET value = excluded.value, n = excluded.n,
            target = excluded.target, milestone = excluded.milestone,
            previous = excluded.previous, rag = excluded.rag",
    );
    q.query().execute(c).await?;
    Ok(())
}

pub async fn lines(c: &mut Conn, review_id: i64) -> Result<Vec<Line>> {
    Ok(sqlx::query_as(
        "SELECT kpi_id, value, n, target, milestone, previous, rag, decision, justification, nc_id
         FROM kpi_review_line WHERE review_id = $1 ORDER BY kpi_id",
    )
    .bind(review_id)
    .fetch_all(c)
    .await?)
}

pub async fn decide_line(
    c: &mut Conn,
    review_id: i64,
    kpi_id: i64,
    decision: &str,
    justification: &str,
    nc_id: Option<i64>,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE kpi_review_line SET decision = $3, justification = $4, nc_id = $5
         WHERE review_id = $1 AND kpi_id = $2",
    )
    .bind(review_id)
    .bind(kpi_id)
    .bind(decision)
    .bind(justification)
    .bind(nc_id)
    .execute(c)
    .await?;
    Ok(r.rows_affected() > 0)
}

/// Who may get the reminder digest: active staff of the organisation (not the kiosk), with the
/// address and language they chose.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Recipient {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub lang: String,
}

pub async fn digest_recipients(c: &mut Conn, org_id: i64) -> Result<Vec<Recipient>> {
    Ok(sqlx::query_as(
        "SELECT id, name, email, role, lang FROM app_user
         WHERE org_id = $1 AND active = 1 AND role <> 'kiosk' ORDER BY id",
    )
    .bind(org_id)
    .fetch_all(c)
    .await?)
}

/// Takes the day's digest for a person: `false` when it was already taken (another worker, an
/// earlier run).
pub async fn claim_digest(
    c: &mut Conn,
    org_id: i64,
    user_id: i64,
    day: &str,
    items: i64,
    now: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO quality_digest (user_id, day, org_id, items, sent_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, day) DO NOTHING",
    )
    .bind(user_id)
    .bind(day)
    .bind(org_id)
    .bind(items)
    .bind(now)
    .execute(c)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn digest_mailed(c: &mut Conn, user_id: i64, day: &str, email_id: i64) -> Result<()> {
    sqlx::query("UPDATE quality_digest SET email_id = $3 WHERE user_id = $1 AND day = $2")
        .bind(user_id)
        .bind(day)
        .bind(email_id)
        .execute(c)
        .await?;
    Ok(())
}

/// The digests sent, newest first (for the quality page and tests): (user, day, items, mailed).
pub async fn digests(
    c: &mut Conn,
    org_id: i64,
    limit: i64,
) -> Result<Vec<(i64, String, i64, bool)>> {
    let rows: Vec<(i64, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT user_id, day, items, email_id FROM quality_digest WHERE org_id = $1
         ORDER BY day DESC, user_id LIMIT $2",
    )
    .bind(org_id)
    .bind(limit)
    .fetch_all(c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(u, d, n, e)| (u, d, n, e.is_some()))
        .collect())
}

/// Who already had the day's digest.
pub async fn digested(c: &mut Conn, org_id: i64, day: &str) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT user_id FROM quality_digest WHERE org_id = $1 AND day = $2")
            .bind(org_id)
            .bind(day)
            .fetch_all(c)
            .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
