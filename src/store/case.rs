//! Cases: rows, the lifecycle clock, filtered keyset listing, and the event log.

use super::{Bind, Conn, Result, Sql};
use crate::domain::case::{CaseClock, CaseState, CaseStatus};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Case {
    pub id: i64,
    pub org_id: i64,
    pub number: i64,
    pub customer_id: i64,
    pub kind: String,
    pub status: String,
    pub priority: String,
    pub category: Option<String>,
    pub subject: String,
    pub channel: String,
    pub site_id: Option<i64>,
    pub team_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub opened_at: i64,
    pub updated_at: i64,
    pub first_response_at: Option<i64>,
    pub last_inbound_at: Option<i64>,
    pub last_outbound_at: Option<i64>,
    pub inbound_count: i64,
    pub outbound_count: i64,
    pub pending_since: Option<i64>,
    pub pending_ms: i64,
    pub solved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub reopen_count: i64,
    pub repeat_contact_at: Option<i64>,
    pub due_at: Option<i64>,
}

const COLS: &str = "id, org_id, number, customer_id, kind, status, priority, category, subject, channel,
    site_id, team_id, assignee_id, opened_at, updated_at, first_response_at, last_inbound_at,
    last_outbound_at, inbound_count, outbound_count, pending_since, pending_ms, solved_at, closed_at,
    reopen_count, repeat_contact_at, due_at";

impl Case {
    /// The case as follow-ups of a write see it.
    pub fn state(&self) -> CaseState {
        CaseState {
            id: self.id,
            customer_id: self.customer_id,
            channel: self.channel.clone(),
            site_id: self.site_id,
            kind: self.kind.clone(),
            category: self.category.clone(),
            clock: self.clock(),
        }
    }

    /// Takes the clock a change left (status and every timestamp it keeps).
    pub fn set_clock(&mut self, k: &CaseClock) {
        self.status = k.status().as_str().to_string();
        self.opened_at = k.opened_at;
        self.updated_at = k.updated_at;
        self.first_response_at = k.first_response_at;
        self.last_inbound_at = k.last_inbound_at;
        self.last_outbound_at = k.last_outbound_at;
        self.inbound_count = k.inbound_count;
        self.outbound_count = k.outbound_count;
        self.pending_since = k.pending_since;
        self.pending_ms = k.pending_ms;
        self.solved_at = k.solved_at;
        self.closed_at = k.closed_at;
        self.reopen_count = k.reopen_count;
        self.repeat_contact_at = k.repeat_contact_at;
        self.due_at = k.due_at;
    }

    pub fn clock(&self) -> CaseClock {
        CaseClock {
            status: CaseStatus::parse(&self.status).ok(),
            opened_at: self.opened_at,
            updated_at: self.updated_at,
            first_response_at: self.first_response_at,
            last_inbound_at: self.last_inbound_at,
            last_outbound_at: self.last_outbound_at,
            inbound_count: self.inbound_count,
            outbound_count: self.outbound_count,
            pending_since: self.pending_since,
            pending_ms: self.pending_ms,
            solved_at: self.solved_at,
            closed_at: self.closed_at,
            reopen_count: self.reopen_count,
            repeat_contact_at: self.repeat_contact_at,
            due_at: self.due_at,
        }
    }
}

pub struct NewCase<'a> {
    pub number: i64,
    pub customer_id: i64,
    pub kind: &'a str,
    pub priority: &'a str,
    pub category: Option<&'a str>,
    pub subject: &'a str,
    pub subject_key: &'a str,
    pub channel: &'a str,
    pub site_id: Option<i64>,
    pub team_id: Option<i64>,
}

/// Inserts a new case with its clock as the first interaction left it.
pub async fn insert(c: &mut Conn, org_id: i64, n: &NewCase<'_>, k: &CaseClock) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO support_case (org_id, number, customer_id, kind, status, priority, category, subject,
            subject_key, channel, site_id, team_id, opened_at, updated_at, first_response_at, last_inbound_at,
            last_outbound_at, inbound_count, outbound_count, pending_since, pending_ms, solved_at, closed_at,
            reopen_count, due_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
            $22, $23, $24, $25) RETURNING id",
    )
    .bind(org_id)
    .bind(n.number)
    .bind(n.customer_id)
    .bind(n.kind)
    .bind(k.status().as_str())
    .bind(n.priority)
    .bind(n.category)
    .bind(n.subject)
    .bind(n.subject_key)
    .bind(n.channel)
    .bind(n.site_id)
    .bind(n.team_id)
    .bind(k.opened_at)
    .bind(k.updated_at)
    .bind(k.first_response_at)
    .bind(k.last_inbound_at)
    .bind(k.last_outbound_at)
    .bind(k.inbound_count)
    .bind(k.outbound_count)
    .bind(k.pending_since)
    .bind(k.pending_ms)
    .bind(k.solved_at)
    .bind(k.closed_at)
    .bind(k.reopen_count)
    .bind(k.due_at)
    .fetch_one(c)
    .await?;
    Ok(id)
}

/// Writes the clock back (status and every timestamp it keeps).
pub async fn save_clock(c: &mut Conn, id: i64, k: &CaseClock) -> Result<()> {
    sqlx::query(
        "UPDATE support_case SET status = $2, updated_at = $3, first_response_at = $4, last_inbound_at = $5,
            last_outbound_at = $6, inbound_count = $7, outbound_count = $8, pending_since = $9, pending_ms = $10,
            solved_at = $11, closed_at = $12, reopen_count = $13, repeat_contact_at = $14, due_at = $15
         WHERE id = $1",
    )
    .bind(id)
    .bind(k.status().as_str())
    .bind(k.updated_at)
    .bind(k.first_response_at)
    .bind(k.last_inbound_at)
    .bind(k.last_outbound_at)
    .bind(k.inbound_count)
    .bind(k.outbound_count)
    .bind(k.pending_since)
    .bind(k.pending_ms)
    .bind(k.solved_at)
    .bind(k.closed_at)
    .bind(k.reopen_count)
    .bind(k.repeat_contact_at)
    .bind(k.due_at)
    .execute(c)
    .await?;
    Ok(())
}

/// The first advisor to answer takes the case (and the case joins their team).
pub async fn assign_if_unassigned(c: &mut Conn, id: i64, user_id: i64) -> Result<()> {
    sqlx::query(
        "UPDATE support_case SET assignee_id = $2,
            team_id = COALESCE(team_id, (SELECT team_id FROM app_user WHERE id = $2))
         WHERE id = $1 AND assignee_id IS NULL",
    )
    .bind(id)
    .bind(user_id)
    .execute(c)
    .await?;
    Ok(())
}

/// Routes a new case to the team of the mailbox it came to, unless it already has one.
pub async fn set_team_if_none(c: &mut Conn, id: i64, team_id: i64) -> Result<()> {
    sqlx::query("UPDATE support_case SET team_id = $2 WHERE id = $1 AND team_id IS NULL")
        .bind(id)
        .bind(team_id)
        .execute(c)
        .await?;
    Ok(())
}

/// The fields an advisor sets by hand.
pub async fn save_fields(c: &mut Conn, case: &Case) -> Result<()> {
    sqlx::query(
        "UPDATE support_case SET kind = $2, priority = $3, category = $4, assignee_id = $5, team_id = $6,
            site_id = $7 WHERE id = $1",
    )
    .bind(case.id)
    .bind(&case.kind)
    .bind(&case.priority)
    .bind(&case.category)
    .bind(case.assignee_id)
    .bind(case.team_id)
    .bind(case.site_id)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn by_id(c: &mut Conn, org_id: i64, id: i64) -> Result<Option<Case>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM support_case WHERE org_id = $1 AND id = $2"
    )))
    .bind(org_id)
    .bind(id)
    .fetch_optional(c)
    .await?)
}

pub async fn by_number(c: &mut Conn, org_id: i64, number: i64) -> Result<Option<Case>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM support_case WHERE org_id = $1 AND number = $2"
    )))
    .bind(org_id)
    .bind(number)
    .fetch_optional(c)
    .await?)
}

/// The customer's most recent case on the same need that is not closed: same subject key, or,
/// for a contact without subject, any case still open or pending.
pub async fn attachable(
    c: &mut Conn,
    customer_id: i64,
    subject_key: Option<&str>,
) -> Result<Option<Case>> {
    let q = match subject_key {
        Some(_) => format!(
            "SELECT {COLS} FROM support_case WHERE customer_id = $1 AND status <> 'closed' AND subject_key = $2
             ORDER BY updated_at DESC, id DESC LIMIT 1"
        ),
        None => format!(
            "SELECT {COLS} FROM support_case WHERE customer_id = $1 AND status IN ('open', 'pending') AND $2 IS NULL
             ORDER BY updated_at DESC, id DESC LIMIT 1"
        ),
    };
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(q))
        .bind(customer_id)
        .bind(subject_key)
        .fetch_optional(c)
        .await?)
}

/// A further inbound contact from the customer breaks once & done of their cases solved in the
/// last 7 days on the same category (or any, when the case has no category).
pub async fn mark_repeat_contact(
    c: &mut Conn,
    customer_id: i64,
    except_case: i64,
    category: Option<&str>,
    since: i64,
    at: i64,
) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "UPDATE support_case SET repeat_contact_at = $4
         WHERE customer_id = $1 AND id <> $2 AND solved_at IS NOT NULL AND solved_at >= $3 AND solved_at <= $4
           AND repeat_contact_at IS NULL AND (category IS NULL OR $5 IS NULL OR category = $5)
         RETURNING id",
    )
    .bind(customer_id)
    .bind(except_case)
    .bind(since)
    .bind(at)
    .bind(category)
    .fetch_all(c)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Filters of the case list; `None` means any.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub status: Option<String>,
    pub kind: Option<String>,
    pub site_id: Option<i64>,
    pub team_id: Option<i64>,
    /// `Some(None)` = unassigned.
    pub assignee_id: Option<Option<i64>>,
    pub customer_id: Option<i64>,
    pub updated_since: Option<i64>,
}

/// Keyset page of cases, most recently updated first; `after` is the (updated_at, id) of the
/// last case of the previous page.
pub async fn list(
    c: &mut Conn,
    org_id: i64,
    f: &Filter,
    after: Option<(i64, i64)>,
    limit: i64,
) -> Result<Vec<Case>> {
    let mut q = Sql::new(format!("SELECT {COLS} FROM support_case WHERE org_id = "));
    q.int(org_id);
    push_filter(&mut q, f);
    if let Some((t, id)) = after {
        // A row-value comparison is one index range on both backends (an OR is not, on SQLite).
        q.push(" AND (updated_at, id) < (")
            .int(t)
            .push(", ")
            .int(id)
            .push(")");
    }
    q.push(" ORDER BY updated_at DESC, id DESC LIMIT ")
        .int(limit);
    Ok(q.query_as().fetch_all(c).await?)
}

/// Number of cases per status under the same filter (status itself ignored).
pub async fn count_by_status(c: &mut Conn, org_id: i64, f: &Filter) -> Result<Vec<(String, i64)>> {
    if f.customer_id.is_some() || f.updated_since.is_some() {
        // Narrow filters: counting the matching cases is cheap through their indexes.
        let f = Filter {
            status: None,
            ..f.clone()
        };
        let mut q =
            Sql::new("SELECT status, CAST(COUNT(*) AS BIGINT) FROM support_case WHERE org_id = ");
        q.int(org_id);
        push_filter(&mut q, &f);
        q.push(" GROUP BY status");
        return Ok(q.query_as().fetch_all(c).await?);
    }
    // Everything else reads the counters the triggers keep (migration 0002): no scan of history.
    let mut q = Sql::new("SELECT status, CAST(SUM(n) AS BIGINT) FROM case_counter WHERE org_id = ");
    q.int(org_id);
    if let Some(k) = &f.kind {
        q.push(" AND kind = ").text(k);
    }
    if let Some(s) = f.site_id {
        q.push(" AND site_id = ").int(s);
    }
    if let Some(t) = f.team_id {
        q.push(" AND team_id = ").int(t);
    }
    if let Some(a) = f.assignee_id {
        q.push(" AND assignee_id = ").int(a.unwrap_or(0));
    }
    q.push(" GROUP BY status");
    Ok(q.query_as().fetch_all(c).await?)
}

fn push_filter(q: &mut Sql, f: &Filter) {
    if let Some(s) = &f.status {
        q.push(" AND status = ").text(s);
    }
    if let Some(k) = &f.kind {
        q.push(" AND kind = ").text(k);
    }
    if let Some(s) = f.site_id {
        q.push(" AND site_id = ").int(s);
    }
    if let Some(t) = f.team_id {
        q.push(" AND team_id = ").int(t);
    }
    match f.assignee_id {
        Some(Some(a)) => {
            q.push(" AND assignee_id = ").int(a);
        }
        Some(None) => {
            q.push(" AND assignee_id IS NULL");
        }
        None => {}
    }
    if let Some(cu) = f.customer_id {
        q.push(" AND customer_id = ").int(cu);
    }
    if let Some(t) = f.updated_since {
        q.push(" AND updated_at >= ").int(t);
    }
}

pub async fn of_customer(c: &mut Conn, customer_id: i64, limit: i64) -> Result<Vec<Case>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM support_case WHERE customer_id = $1 ORDER BY updated_at DESC, id DESC LIMIT $2"
    )))
    .bind(customer_id)
    .bind(limit)
    .fetch_all(c)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Event {
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub at: i64,
    pub kind: String,
    pub actor_user_id: Option<i64>,
    pub detail: String,
}

pub async fn add_event(
    c: &mut Conn,
    org_id: i64,
    case_id: i64,
    at: i64,
    kind: &str,
    actor: Option<i64>,
    detail: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_event (org_id, case_id, at, kind, actor_user_id, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(org_id)
    .bind(case_id)
    .bind(at)
    .bind(kind)
    .bind(actor)
    .bind(detail)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn events(c: &mut Conn, case_id: i64) -> Result<Vec<Event>> {
    Ok(sqlx::query_as(
        "SELECT at, kind, actor_user_id, detail FROM case_event WHERE case_id = $1 ORDER BY at, id",
    )
    .bind(case_id)
    .fetch_all(c)
    .await?)
}

/// Open cases by how soon they cross a commitment's bound (overdue first).
pub async fn due_soonest(c: &mut Conn, org_id: i64, limit: i64) -> Result<Vec<Case>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM support_case WHERE org_id = $1 AND due_at IS NOT NULL
           AND status IN ('open', 'pending') ORDER BY due_at, id LIMIT $2"
    )))
    .bind(org_id)
    .bind(limit)
    .fetch_all(c)
    .await?)
}

/// Open cases of an organisation (to set their deadlines when the charter changes).
pub async fn open_of_org(c: &mut Conn, org_id: i64) -> Result<Vec<Case>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM support_case WHERE org_id = $1 AND status IN ('open', 'pending')"
    )))
    .bind(org_id)
    .fetch_all(c)
    .await?)
}

pub async fn set_due(c: &mut Conn, id: i64, due_at: Option<i64>) -> Result<()> {
    sqlx::query("UPDATE support_case SET due_at = $2 WHERE id = $1")
        .bind(id)
        .bind(due_at)
        .execute(c)
        .await?;
    Ok(())
}

/// A case as a batch of contacts works on it: the stored case and its subject key.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Held {
    #[sqlx(flatten)]
    pub case: Case,
    pub subject_key: String,
}

/// The cases a batch's contacts of these customers may touch: those not closed (a contact may
/// continue them) and those solved since `solved_since` (a contact breaks their once & done).
pub async fn held_by_customers(
    c: &mut Conn,
    customer_ids: &[i64],
    solved_since: i64,
) -> Result<Vec<Held>> {
    let mut out = Vec::new();
    for chunk in customer_ids.chunks(super::rows_per_statement(1)) {
        let mut q = Sql::on(
            c,
            format!("SELECT {COLS}, subject_key FROM support_case WHERE customer_id IN ("),
        );
        q.ints(chunk);
        q.push(") AND (status <> 'closed' OR solved_at >= ")
            .int(solved_since)
            .push(")");
        out.extend(q.query_as::<Held>().fetch_all(&mut *c).await?);
    }
    Ok(out)
}

/// Cases named by id in a batch (an explicit `case_id`), within the organisation.
pub async fn held_by_ids(c: &mut Conn, org_id: i64, ids: &[i64]) -> Result<Vec<Held>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(super::rows_per_statement(1)) {
        let mut q = Sql::on(
            c,
            format!("SELECT {COLS}, subject_key FROM support_case WHERE org_id = "),
        );
        q.int(org_id).push(" AND id IN (");
        q.ints(chunk);
        q.push(")");
        out.extend(q.query_as::<Held>().fetch_all(&mut *c).await?);
    }
    Ok(out)
}

/// The team of each of these users (a case an advisor takes joins their team).
pub async fn teams_of_users(c: &mut Conn, ids: &[i64]) -> Result<Vec<(i64, Option<i64>)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(super::rows_per_statement(1)) {
        let mut q = Sql::on(c, "SELECT id, team_id FROM app_user WHERE id IN (");
        q.ints(chunk);
        q.push(")");
        out.extend(
            q.query_as::<(i64, Option<i64>)>()
                .fetch_all(&mut *c)
                .await?,
        );
    }
    Ok(out)
}

fn push_clock(q: &mut Sql, k: &CaseClock) {
    q.text(k.status().as_str())
        .push(", ")
        .int(k.updated_at)
        .push(", ");
    q.bind(Bind::OptInt(k.first_response_at)).push(", ");
    q.bind(Bind::OptInt(k.last_inbound_at)).push(", ");
    q.bind(Bind::OptInt(k.last_outbound_at)).push(", ");
    q.int(k.inbound_count)
        .push(", ")
        .int(k.outbound_count)
        .push(", ");
    q.bind(Bind::OptInt(k.pending_since))
        .push(", ")
        .int(k.pending_ms)
        .push(", ");
    q.bind(Bind::OptInt(k.solved_at)).push(", ");
    q.bind(Bind::OptInt(k.closed_at))
        .push(", ")
        .int(k.reopen_count)
        .push(", ");
    q.bind(Bind::OptInt(k.repeat_contact_at)).push(", ");
    q.bind(Bind::OptInt(k.due_at));
}

const INSERT_HEAD: &str =
    "INSERT INTO support_case (id, org_id, number, customer_id, kind, priority,
    category, subject, subject_key, channel, site_id, team_id, assignee_id, opened_at, status,
    updated_at, first_response_at, last_inbound_at, last_outbound_at, inbound_count,
    outbound_count, pending_since, pending_ms, solved_at, closed_at, reopen_count,
    repeat_contact_at, due_at)";

fn push_row(q: &mut Sql, org_id: i64, h: &Held) {
    let k = &h.case;
    q.int(k.id)
        .push(", ")
        .int(org_id)
        .push(", ")
        .int(k.number)
        .push(", ");
    q.int(k.customer_id)
        .push(", ")
        .text(&k.kind)
        .push(", ")
        .text(&k.priority);
    q.push(", ")
        .bind(Bind::OptText(k.category.clone()))
        .push(", ");
    q.text(&k.subject)
        .push(", ")
        .text(&h.subject_key)
        .push(", ")
        .text(&k.channel);
    q.push(", ").bind(Bind::OptInt(k.site_id)).push(", ");
    q.bind(Bind::OptInt(k.team_id)).push(", ");
    q.bind(Bind::OptInt(k.assignee_id))
        .push(", ")
        .int(k.opened_at)
        .push(", ");
    push_clock(q, &k.clock());
}

/// Inserts new cases with ids reserved by `reserve_ids`, each with its clock as the batch left it.
pub async fn insert_many(c: &mut Conn, org_id: i64, rows: &[Held]) -> Result<()> {
    for chunk in rows.chunks(super::rows_per_statement(28)) {
        let mut q = Sql::on(c, format!("{INSERT_HEAD} VALUES "));
        for (i, h) in chunk.iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" });
            push_row(&mut q, org_id, h);
            q.push(")");
        }
        q.query().execute(&mut *c).await?;
    }
    Ok(())
}

/// Writes back the clock, assignee and team of cases a batch changed. An upsert on the primary
/// key rather than `UPDATE … FROM (VALUES …)`: once SQLite has statistics, it planned the latter
/// as a scan of every case per statement (a demo took 33 s instead of 10).
pub async fn update_many(c: &mut Conn, org_id: i64, rows: &[&Held]) -> Result<()> {
    for chunk in rows.chunks(super::rows_per_statement(28)) {
        let mut q = Sql::on(c, format!("{INSERT_HEAD} VALUES "));
        for (i, h) in chunk.iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" });
            push_row(&mut q, org_id, h);
            q.push(")");
        }
        q.push(
            " ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at,
                first_response_at = excluded.first_response_at, last_inbound_at = excluded.last_inbound_at,
                last_outbound_at = excluded.last_outbound_at, inbound_count = excluded.inbound_count,
                outbound_count = excluded.outbound_count, pending_since = excluded.pending_since,
                pending_ms = excluded.pending_ms, solved_at = excluded.solved_at,
                closed_at = excluded.closed_at, reopen_count = excluded.reopen_count,
                repeat_contact_at = excluded.repeat_contact_at, due_at = excluded.due_at,
                assignee_id = excluded.assignee_id, team_id = excluded.team_id",
        );
        q.query().execute(&mut *c).await?;
    }
    Ok(())
}

/// An entry of a case's history written by a batch: (case, at, kind, actor, detail).
pub type NewEvent<'a> = (i64, i64, &'a str, Option<i64>, &'a str);

pub async fn add_events(c: &mut Conn, org_id: i64, rows: &[NewEvent<'_>]) -> Result<()> {
    for chunk in rows.chunks(super::rows_per_statement(6)) {
        let mut q = Sql::on(
            c,
            "INSERT INTO case_event (org_id, case_id, at, kind, actor_user_id, detail) VALUES ",
        );
        for (i, (case_id, at, kind, actor, detail)) in chunk.iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" });
            q.int(org_id)
                .push(", ")
                .int(*case_id)
                .push(", ")
                .int(*at)
                .push(", ");
            q.text(kind)
                .push(", ")
                .bind(Bind::OptInt(*actor))
                .push(", ");
            q.text(detail).push(")");
        }
        q.query().execute(&mut *c).await?;
    }
    Ok(())
}
