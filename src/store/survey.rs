//! Surveys: definitions, invitations (their own job queue), answers, the tallies dashboards read,
//! verbatim theme rules, call-back tasks and alerts to site managers.

use super::{Conn, Result, Sql};
use crate::domain::survey::Tally;
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Survey {
    pub id: i64,
    pub org_id: i64,
    pub kind: String,
    pub name: String,
    pub question_fr: String,
    pub question_en: String,
    pub comment_fr: String,
    pub comment_en: String,
    #[serde(serialize_with = "super::wire::flag")]
    #[schema(value_type = bool)]
    pub ask_solved: i64,
    /// JSON: [{"key", "fr", "en"}].
    #[serde(serialize_with = "super::wire::json")]
    #[schema(value_type = Vec<Object>)]
    pub criteria: String,
    pub trigger: String,
    #[serde(serialize_with = "super::wire::list")]
    #[schema(value_type = Vec<String>)]
    pub channels: String,
    pub delay_minutes: i64,
    pub every_days: Option<i64>,
    pub sample_size: Option<i64>,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_run_at: Option<i64>,
    #[serde(serialize_with = "super::wire::flag")]
    #[schema(value_type = bool)]
    pub active: i64,
}

const SURVEY_COLS: &str = "id, org_id, kind, name, question_fr, question_en, comment_fr, comment_en,
    ask_solved, criteria, trigger, channels, delay_minutes, every_days, sample_size, last_run_at, active";

pub async fn insert_survey(c: &mut Conn, s: &Survey, now: i64) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO survey (org_id, kind, name, question_fr, question_en, comment_fr, comment_en,
            ask_solved, criteria, trigger, channels, delay_minutes, every_days, sample_size, active,
            created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id",
    )
    .bind(s.org_id)
    .bind(&s.kind)
    .bind(&s.name)
    .bind(&s.question_fr)
    .bind(&s.question_en)
    .bind(&s.comment_fr)
    .bind(&s.comment_en)
    .bind(s.ask_solved)
    .bind(&s.criteria)
    .bind(&s.trigger)
    .bind(&s.channels)
    .bind(s.delay_minutes)
    .bind(s.every_days)
    .bind(s.sample_size)
    .bind(s.active)
    .bind(now)
    .fetch_one(c)
    .await?;
    Ok(id)
}

pub async fn update_survey(c: &mut Conn, s: &Survey, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE survey SET name = $1, question_fr = $2, question_en = $3, comment_fr = $4,
            comment_en = $5, ask_solved = $6, criteria = $7, trigger = $8, channels = $9,
            delay_minutes = $10, every_days = $11, sample_size = $12, active = $13, updated_at = $14
         WHERE id = $15 AND org_id = $16",
    )
    .bind(&s.name)
    .bind(&s.question_fr)
    .bind(&s.question_en)
    .bind(&s.comment_fr)
    .bind(&s.comment_en)
    .bind(s.ask_solved)
    .bind(&s.criteria)
    .bind(&s.trigger)
    .bind(&s.channels)
    .bind(s.delay_minutes)
    .bind(s.every_days)
    .bind(s.sample_size)
    .bind(s.active)
    .bind(now)
    .bind(s.id)
    .bind(s.org_id)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn surveys(c: &mut Conn, org_id: i64) -> Result<Vec<Survey>> {
    let sql = format!("SELECT {SURVEY_COLS} FROM survey WHERE org_id = $1 ORDER BY id");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org_id)
        .fetch_all(c)
        .await?)
}

pub async fn survey(c: &mut Conn, org_id: i64, id: i64) -> Result<Option<Survey>> {
    let sql = format!("SELECT {SURVEY_COLS} FROM survey WHERE org_id = $1 AND id = $2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org_id)
        .bind(id)
        .fetch_optional(c)
        .await?)
}

pub async fn active_with_trigger(c: &mut Conn, org_id: i64, trigger: &str) -> Result<Vec<Survey>> {
    let sql = format!(
        "SELECT {SURVEY_COLS} FROM survey WHERE org_id = $1 AND active = 1 AND trigger = $2 ORDER BY id"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org_id)
        .bind(trigger)
        .fetch_all(c)
        .await?)
}

/// Periodic surveys whose next run is due, across organisations.
pub async fn periodic_due(c: &mut Conn, now: i64) -> Result<Vec<Survey>> {
    let sql = format!(
        "SELECT {SURVEY_COLS} FROM survey WHERE active = 1 AND trigger = 'periodic'
           AND every_days IS NOT NULL AND (last_run_at IS NULL OR last_run_at + every_days * 86400000 <= $1)"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(now)
        .fetch_all(c)
        .await?)
}

/// Marks a run; false when another node ran it first.
pub async fn claim_run(c: &mut Conn, id: i64, last: Option<i64>, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE survey SET last_run_at = $1 WHERE id = $2 AND COALESCE(last_run_at, -1) = $3",
    )
    .bind(now)
    .bind(id)
    .bind(last.unwrap_or(-1))
    .execute(c)
    .await?;
    Ok(r.rows_affected() == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Invitation {
    pub id: i64,
    pub org_id: i64,
    pub survey_id: i64,
    pub customer_id: i64,
    pub case_id: Option<i64>,
    pub site_id: Option<i64>,
    pub team_id: Option<i64>,
    pub channel: Option<String>,
    pub category: Option<String>,
    pub lang: String,
    pub status: String,
    pub skip_reason: Option<String>,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub due_at: i64,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub sent_at: Option<i64>,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<i64>,
    pub email_id: Option<i64>,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub answered_at: Option<i64>,
}

const INVITATION_COLS: &str = "id, org_id, survey_id, customer_id, case_id, site_id, team_id,
    channel, category, lang, status, skip_reason, due_at, sent_at, expires_at, email_id, answered_at";

pub async fn insert_invitation(c: &mut Conn, i: &Invitation, now: i64) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO survey_invitation (org_id, survey_id, customer_id, case_id, site_id, team_id,
            channel, category, lang, status, due_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(i.org_id)
    .bind(i.survey_id)
    .bind(i.customer_id)
    .bind(i.case_id)
    .bind(i.site_id)
    .bind(i.team_id)
    .bind(&i.channel)
    .bind(&i.category)
    .bind(&i.lang)
    .bind(&i.status)
    .bind(i.due_at)
    .bind(now)
    .fetch_one(c)
    .await?;
    Ok(id)
}

pub async fn invitation(c: &mut Conn, id: i64) -> Result<Option<Invitation>> {
    let sql = format!("SELECT {INVITATION_COLS} FROM survey_invitation WHERE id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(c)
        .await?)
}

pub async fn due_invitations(c: &mut Conn, now: i64, limit: i64) -> Result<Vec<Invitation>> {
    let sql = format!(
        "SELECT {INVITATION_COLS} FROM survey_invitation WHERE status = 'scheduled' AND due_at <= $1
         ORDER BY due_at LIMIT $2"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(now)
        .bind(limit)
        .fetch_all(c)
        .await?)
}

pub async fn case_invitations(c: &mut Conn, case_id: i64) -> Result<Vec<Invitation>> {
    let sql =
        format!("SELECT {INVITATION_COLS} FROM survey_invitation WHERE case_id = $1 ORDER BY id");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(case_id)
        .fetch_all(c)
        .await?)
}

/// A customer's latest invitations, newest first.
pub async fn customer_invitations(c: &mut Conn, customer_id: i64) -> Result<Vec<Invitation>> {
    let sql = format!(
        "SELECT {INVITATION_COLS} FROM survey_invitation WHERE customer_id = $1 ORDER BY id DESC LIMIT 50"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(customer_id)
        .fetch_all(c)
        .await?)
}

/// Moves a scheduled invitation on; false when another node already did.
pub async fn dispatch(
    c: &mut Conn,
    id: i64,
    status: &str,
    skip_reason: Option<&str>,
    sent_at: Option<i64>,
    expires_at: Option<i64>,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE survey_invitation SET status = $1, skip_reason = $2, sent_at = $3, expires_at = $4
         WHERE id = $5 AND status = 'scheduled'",
    )
    .bind(status)
    .bind(skip_reason)
    .bind(sent_at)
    .bind(expires_at)
    .bind(id)
    .execute(c)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_invitation_email(c: &mut Conn, id: i64, email_id: i64) -> Result<()> {
    sqlx::query("UPDATE survey_invitation SET email_id = $1 WHERE id = $2")
        .bind(email_id)
        .bind(id)
        .execute(c)
        .await?;
    Ok(())
}

/// Single use: true for the one request that records the answer.
pub async fn mark_answered(c: &mut Conn, id: i64, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE survey_invitation SET status = 'answered', answered_at = $1
         WHERE id = $2 AND answered_at IS NULL AND status IN ('sent', 'shown')",
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Whether the customer was sent (or shown) a survey since `since` — the fatigue rule.
pub async fn surveyed_since(c: &mut Conn, customer_id: i64, since: i64) -> Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM survey_invitation WHERE customer_id = $1 AND sent_at >= $2 LIMIT 1",
    )
    .bind(customer_id)
    .bind(since)
    .fetch_optional(c)
    .await?;
    Ok(row.is_some())
}

/// A random sample of reachable customers for a relationship survey: an email address, not
/// opted out, not surveyed since `since`; each with the site of their latest case (their agency).
pub async fn sample_customers(
    c: &mut Conn,
    org_id: i64,
    since: i64,
    n: i64,
) -> Result<Vec<(i64, Option<i64>)>> {
    Ok(sqlx::query_as(
        "SELECT c.id, (SELECT k.site_id FROM support_case k WHERE k.customer_id = c.id
                         AND k.site_id IS NOT NULL ORDER BY k.updated_at DESC LIMIT 1)
         FROM customer c
         WHERE c.org_id = $1 AND c.merged_into IS NULL AND c.survey_opt_out_at IS NULL
           AND EXISTS (SELECT 1 FROM customer_identity i WHERE i.customer_id = c.id AND i.kind = 'email')
           AND NOT EXISTS (SELECT 1 FROM survey_invitation s WHERE s.customer_id = c.id AND s.sent_at >= $2)
         ORDER BY random() LIMIT $3",
    )
    .bind(org_id)
    .bind(since)
    .bind(n)
    .fetch_all(c)
    .await?)
}

pub async fn voice_settings(c: &mut Conn, org_id: i64) -> Result<(i64, Option<String>)> {
    Ok(
        sqlx::query_as("SELECT survey_fatigue_days, voice_webhook FROM organization WHERE id = $1")
            .bind(org_id)
            .fetch_one(c)
            .await?,
    )
}

pub async fn set_voice_settings(
    c: &mut Conn,
    org_id: i64,
    fatigue_days: i64,
    webhook: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "UPDATE organization SET survey_fatigue_days = $1, voice_webhook = $2 WHERE id = $3",
    )
    .bind(fatigue_days)
    .bind(webhook)
    .bind(org_id)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn opted_out(c: &mut Conn, customer_id: i64) -> Result<bool> {
    let (at,): (Option<i64>,) =
        sqlx::query_as("SELECT survey_opt_out_at FROM customer WHERE id = $1")
            .bind(customer_id)
            .fetch_one(c)
            .await?;
    Ok(at.is_some())
}

pub async fn set_opt_out(c: &mut Conn, customer_id: i64, at: Option<i64>) -> Result<()> {
    sqlx::query("UPDATE customer SET survey_opt_out_at = $1 WHERE id = $2")
        .bind(at)
        .bind(customer_id)
        .execute(c)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Response {
    pub id: i64,
    pub org_id: i64,
    pub survey_id: i64,
    pub invitation_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub case_id: Option<i64>,
    pub site_id: Option<i64>,
    pub team_id: Option<i64>,
    pub channel: Option<String>,
    pub category: Option<String>,
    pub month: String,
    pub score: Option<i64>,
    pub solved: Option<i64>,
    pub comment: String,
    pub lang: String,
    /// JSON: [{"key", "importance", "satisfaction"}].
    pub criteria: String,
    pub themes: String,
    pub polarity: i64,
    pub external_id: Option<String>,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub answered_at: i64,
}

const RESPONSE_COLS: &str = "id, org_id, survey_id, invitation_id, customer_id, case_id, site_id,
    team_id, channel, category, month, score, solved, comment, lang, criteria, themes, polarity,
    external_id, answered_at";

/// Whether the case was answered about (any survey) since then.
pub async fn case_answered_since(c: &mut Conn, case_id: i64, since: i64) -> Result<bool> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM survey_response WHERE case_id = $1 AND answered_at >= $2 LIMIT 1",
    )
    .bind(case_id)
    .bind(since)
    .fetch_optional(c)
    .await?;
    Ok(found.is_some())
}

/// Whether an answer with this external id was recorded for the survey.
pub async fn answered(c: &mut Conn, survey_id: i64, external_id: &str) -> Result<bool> {
    let found: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM survey_response WHERE survey_id = $1 AND external_id = $2")
            .bind(survey_id)
            .bind(external_id)
            .fetch_optional(c)
            .await?;
    Ok(found.is_some())
}

/// Records an answer; `None` when its `external_id` was already recorded for the survey.
pub async fn insert_response(c: &mut Conn, r: &Response, now: i64) -> Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO survey_response (org_id, survey_id, invitation_id, customer_id, case_id,
            site_id, team_id, channel, category, month, score, solved, comment, lang, criteria,
            themes, polarity, external_id, answered_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
         ON CONFLICT (survey_id, external_id) DO NOTHING RETURNING id",
    )
    .bind(r.org_id)
    .bind(r.survey_id)
    .bind(r.invitation_id)
    .bind(r.customer_id)
    .bind(r.case_id)
    .bind(r.site_id)
    .bind(r.team_id)
    .bind(&r.channel)
    .bind(&r.category)
    .bind(&r.month)
    .bind(r.score)
    .bind(r.solved)
    .bind(&r.comment)
    .bind(&r.lang)
    .bind(&r.criteria)
    .bind(&r.themes)
    .bind(r.polarity)
    .bind(&r.external_id)
    .bind(r.answered_at)
    .bind(now)
    .fetch_optional(c)
    .await?;
    Ok(row.map(|r| r.0))
}

/// Records answers in one statement; for each, whether it was new (false: its external id
/// was recorded before, or earlier in the same list).
pub async fn insert_responses(c: &mut Conn, rows: &[Response], now: i64) -> Result<Vec<bool>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(
        "INSERT INTO survey_response (org_id, survey_id, invitation_id, customer_id, case_id,
            site_id, team_id, channel, category, month, score, solved, comment, lang, criteria,
            themes, polarity, external_id, answered_at, created_at) VALUES ",
    );
    let opt_text = |v: &Option<String>| match v {
        Some(t) => super::Bind::Text(t.clone()),
        None => super::Bind::OptText(None),
    };
    for (i, r) in rows.iter().enumerate() {
        q.push(if i == 0 { "(" } else { ", (" });
        q.int(r.org_id).push(", ").int(r.survey_id).push(", ");
        q.bind(super::Bind::OptInt(r.invitation_id)).push(", ");
        q.bind(super::Bind::OptInt(r.customer_id)).push(", ");
        q.bind(super::Bind::OptInt(r.case_id)).push(", ");
        q.bind(super::Bind::OptInt(r.site_id)).push(", ");
        q.bind(super::Bind::OptInt(r.team_id)).push(", ");
        q.bind(opt_text(&r.channel)).push(", ");
        q.bind(opt_text(&r.category)).push(", ");
        q.text(&r.month).push(", ");
        q.bind(super::Bind::OptInt(r.score)).push(", ");
        q.bind(super::Bind::OptInt(r.solved)).push(", ");
        q.text(&r.comment).push(", ").text(&r.lang).push(", ");
        q.text(&r.criteria).push(", ").text(&r.themes).push(", ");
        q.int(r.polarity).push(", ");
        q.bind(opt_text(&r.external_id)).push(", ");
        q.int(r.answered_at).push(", ").int(now).push(")");
    }
    q.push(" ON CONFLICT (survey_id, external_id) DO NOTHING RETURNING external_id");
    let back: Vec<(Option<String>,)> = q.query_as().fetch_all(c).await?;
    let mut new_ids: std::collections::HashSet<String> =
        back.iter().filter_map(|(e,)| e.clone()).collect();
    Ok(rows
        .iter()
        .map(|r| match &r.external_id {
            // Rows without an external id never conflict.
            None => true,
            Some(e) => new_ids.remove(e),
        })
        .collect())
}

pub async fn response(c: &mut Conn, org_id: i64, id: i64) -> Result<Option<Response>> {
    let sql = format!("SELECT {RESPONSE_COLS} FROM survey_response WHERE org_id = $1 AND id = $2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org_id)
        .bind(id)
        .fetch_optional(c)
        .await?)
}

/// Answers by customer, by case, or the latest of a survey (newest first).
pub async fn responses(
    c: &mut Conn,
    org_id: i64,
    customer_id: Option<i64>,
    case_id: Option<i64>,
    survey_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Response>> {
    let mut q = Sql::new(format!(
        "SELECT {RESPONSE_COLS} FROM survey_response WHERE org_id = "
    ));
    q.int(org_id);
    if let Some(id) = customer_id {
        q.push(" AND customer_id = ").int(id);
    }
    if let Some(id) = case_id {
        q.push(" AND case_id = ").int(id);
    }
    if let Some(id) = survey_id {
        q.push(" AND survey_id = ").int(id);
    }
    q.push(" ORDER BY answered_at DESC, id DESC LIMIT ")
        .int(limit);
    Ok(q.query_as().fetch_all(c).await?)
}

/// Negative comments on a theme between two instants, newest first: the example quotes.
pub async fn negative_quotes(
    c: &mut Conn,
    org_id: i64,
    from: i64,
    to: i64,
    theme: &str,
    limit: i64,
) -> Result<Vec<Response>> {
    let sql = format!(
        "SELECT {RESPONSE_COLS} FROM survey_response WHERE org_id = $1 AND answered_at >= $2
           AND answered_at < $3 AND polarity < 0 AND themes LIKE $4
         ORDER BY answered_at DESC LIMIT $5"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org_id)
        .bind(from)
        .bind(to)
        .bind(format!("%,{theme},%"))
        .bind(limit)
        .fetch_all(c)
        .await?)
}

/// The latest negative comments between two instants (newest first), to quote under themes.
pub async fn latest_negative(
    c: &mut Conn,
    org_id: i64,
    from: i64,
    to: i64,
    limit: i64,
) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT themes, comment FROM survey_response WHERE org_id = $1 AND polarity = -1
           AND answered_at >= $2 AND answered_at < $3 ORDER BY answered_at DESC LIMIT $4",
    )
    .bind(org_id)
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(c)
    .await?)
}

/// Answers with a comment after `after_id`, for re-tagging when rules change.
pub async fn comments_after(
    c: &mut Conn,
    org_id: i64,
    after_id: i64,
    limit: i64,
) -> Result<Vec<Response>> {
    let sql = format!(
        "SELECT {RESPONSE_COLS} FROM survey_response WHERE org_id = $1 AND id > $2 AND comment <> ''
         ORDER BY id LIMIT $3"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org_id)
        .bind(after_id)
        .bind(limit)
        .fetch_all(c)
        .await?)
}

pub async fn set_tags(c: &mut Conn, id: i64, themes: &str, polarity: i64) -> Result<()> {
    sqlx::query("UPDATE survey_response SET themes = $1, polarity = $2 WHERE id = $3")
        .bind(themes)
        .bind(polarity)
        .bind(id)
        .execute(c)
        .await?;
    Ok(())
}

/// A slice of a survey's tally for one month.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TallyRow {
    pub month: String,
    pub dim: String,
    pub value: String,
    pub invited: i64,
    pub answered: i64,
    pub solved_yes: i64,
    pub solved_no: i64,
    pub s0: i64,
    pub s1: i64,
    pub s2: i64,
    pub s3: i64,
    pub s4: i64,
    pub s5: i64,
    pub s6: i64,
    pub s7: i64,
    pub s8: i64,
    pub s9: i64,
    pub s10: i64,
}

impl TallyRow {
    pub fn tally(&self) -> Tally {
        Tally {
            hist: [
                self.s0, self.s1, self.s2, self.s3, self.s4, self.s5, self.s6, self.s7, self.s8,
                self.s9, self.s10,
            ],
            solved_yes: self.solved_yes,
            solved_no: self.solved_no,
            invited: self.invited,
            answered: self.answered,
        }
    }
}

/// Adds `d` to one slice (created at zero when new).
pub async fn add_tally(
    c: &mut Conn,
    org_id: i64,
    survey_id: i64,
    month: &str,
    dim: &str,
    value: &str,
    d: &Tally,
) -> Result<()> {
    let mut q = sqlx::query(
        "INSERT INTO survey_tally (org_id, survey_id, month, dim, value, invited, answered,
            solved_yes, solved_no, s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
         ON CONFLICT (survey_id, month, dim, value) DO UPDATE SET
            invited = survey_tally.invited + excluded.invited,
            answered = survey_tally.answered + excluded.answered,
            solved_yes = survey_tally.solved_yes + excluded.solved_yes,
            solved_no = survey_tally.solved_no + excluded.solved_no,
            s0 = survey_tally.s0 + excluded.s0, s1 = survey_tally.s1 + excluded.s1,
            s2 = survey_tally.s2 + excluded.s2, s3 = survey_tally.s3 + excluded.s3,
            s4 = survey_tally.s4 + excluded.s4, s5 = survey_tally.s5 + excluded.s5,
            s6 = survey_tally.s6 + excluded.s6, s7 = survey_tally.s7 + excluded.s7,
            s8 = survey_tally.s8 + excluded.s8, s9 = survey_tally.s9 + excluded.s9,
            s10 = survey_tally.s10 + excluded.s10",
    )
    .bind(org_id)
    .bind(survey_id)
    .bind(month)
    .bind(dim)
    .bind(value)
    .bind(d.invited)
    .bind(d.answered)
    .bind(d.solved_yes)
    .bind(d.solved_no);
    for s in d.hist {
        q = q.bind(s);
    }
    q.execute(c).await?;
    Ok(())
}

/// Slices of a survey for months `from..=to` ("YYYY-MM"), for the dimensions asked.
pub async fn tallies(
    c: &mut Conn,
    survey_id: i64,
    from: &str,
    to: &str,
    dims: &[&str],
) -> Result<Vec<TallyRow>> {
    let mut q = Sql::new(
        "SELECT month, dim, value, invited, answered, solved_yes, solved_no, s0, s1, s2, s3, s4,
            s5, s6, s7, s8, s9, s10 FROM survey_tally WHERE survey_id = ",
    );
    q.int(survey_id);
    q.push(" AND month >= ").text(from);
    q.push(" AND month <= ").text(to);
    q.push(" AND dim IN (");
    for (i, d) in dims.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.text(d);
    }
    q.push(") ORDER BY month");
    Ok(q.query_as().fetch_all(c).await?)
}

/// Adds `answers` answers with these sums to a criterion's month.
pub async fn add_criterion(
    c: &mut Conn,
    survey_id: i64,
    month: &str,
    criterion: &str,
    answers: i64,
    importance: i64,
    satisfaction: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO criterion_tally (survey_id, month, criterion, answers, importance_sum, satisfaction_sum)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (survey_id, month, criterion) DO UPDATE SET
            answers = criterion_tally.answers + excluded.answers,
            importance_sum = criterion_tally.importance_sum + excluded.importance_sum,
            satisfaction_sum = criterion_tally.satisfaction_sum + excluded.satisfaction_sum",
    )
    .bind(survey_id)
    .bind(month)
    .bind(criterion)
    .bind(answers)
    .bind(importance)
    .bind(satisfaction)
    .execute(c)
    .await?;
    Ok(())
}

/// (criterion, answers, importance sum, satisfaction sum) over months `from..=to`.
pub async fn criteria_tallies(
    c: &mut Conn,
    survey_id: i64,
    from: &str,
    to: &str,
) -> Result<Vec<(String, i64, i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT criterion, CAST(SUM(answers) AS BIGINT), CAST(SUM(importance_sum) AS BIGINT),
            CAST(SUM(satisfaction_sum) AS BIGINT)
         FROM criterion_tally WHERE survey_id = $1 AND month >= $2 AND month <= $3
         GROUP BY criterion ORDER BY criterion",
    )
    .bind(survey_id)
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await?)
}

/// Adds mentions of a theme (and how many were negative, positive) to a month.
pub async fn add_theme(
    c: &mut Conn,
    org_id: i64,
    month: &str,
    theme: &str,
    mentions: i64,
    negative: i64,
    positive: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO theme_tally (org_id, month, theme, mentions, negative, positive)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (org_id, month, theme) DO UPDATE SET
            mentions = theme_tally.mentions + excluded.mentions,
            negative = theme_tally.negative + excluded.negative,
            positive = theme_tally.positive + excluded.positive",
    )
    .bind(org_id)
    .bind(month)
    .bind(theme)
    .bind(mentions)
    .bind(negative)
    .bind(positive)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn clear_themes(c: &mut Conn, org_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM theme_tally WHERE org_id = $1")
        .bind(org_id)
        .execute(c)
        .await?;
    Ok(())
}

/// (theme, mentions, negative, positive) over months `from..=to`, most negative first.
pub async fn theme_tallies(
    c: &mut Conn,
    org_id: i64,
    from: &str,
    to: &str,
) -> Result<Vec<(String, i64, i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT theme, CAST(SUM(mentions) AS BIGINT), CAST(SUM(negative) AS BIGINT),
            CAST(SUM(positive) AS BIGINT)
         FROM theme_tally WHERE org_id = $1 AND month >= $2 AND month <= $3
         GROUP BY theme ORDER BY 3 DESC, 2 DESC, theme",
    )
    .bind(org_id)
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct RuleRow {
    pub id: i64,
    pub theme: String,
    pub keywords: String,
    pub lang: String,
}

pub async fn rules(c: &mut Conn, org_id: i64) -> Result<Vec<RuleRow>> {
    Ok(sqlx::query_as(
        "SELECT id, theme, keywords, lang FROM verbatim_rule WHERE org_id = $1 ORDER BY id",
    )
    .bind(org_id)
    .fetch_all(c)
    .await?)
}

pub async fn put_rule(
    c: &mut Conn,
    org_id: i64,
    theme: &str,
    keywords: &str,
    lang: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO verbatim_rule (org_id, theme, keywords, lang, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (org_id, theme, lang) DO UPDATE SET keywords = excluded.keywords",
    )
    .bind(org_id)
    .bind(theme)
    .bind(keywords)
    .bind(lang)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn delete_rule(c: &mut Conn, org_id: i64, id: i64) -> Result<bool> {
    let r = sqlx::query("DELETE FROM verbatim_rule WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(id)
        .execute(c)
        .await?;
    Ok(r.rows_affected() == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Task {
    pub id: i64,
    pub case_id: i64,
    pub team_id: Option<i64>,
    pub kind: String,
    pub note: String,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub due_at: i64,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub done_at: Option<i64>,
    pub done_by: Option<i64>,
    pub case_number: i64,
}

const TASK_COLS: &str = "t.id, t.case_id, t.team_id, t.kind, t.note, t.due_at, t.created_at,
    t.done_at, t.done_by, c.number AS case_number";

#[allow(clippy::too_many_arguments)]
pub async fn insert_task(
    c: &mut Conn,
    org_id: i64,
    case_id: i64,
    team_id: Option<i64>,
    kind: &str,
    note: &str,
    due_at: i64,
    now: i64,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO task (org_id, case_id, team_id, kind, note, due_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(org_id)
    .bind(case_id)
    .bind(team_id)
    .bind(kind)
    .bind(note)
    .bind(due_at)
    .bind(now)
    .fetch_one(c)
    .await?;
    Ok(id)
}

/// Open tasks of an organisation (or one case's, open or done), soonest due first.
pub async fn tasks(c: &mut Conn, org_id: i64, case_id: Option<i64>) -> Result<Vec<Task>> {
    let mut q = Sql::new(format!(
        "SELECT {TASK_COLS} FROM task t JOIN support_case c ON c.id = t.case_id WHERE t.org_id = "
    ));
    q.int(org_id);
    match case_id {
        Some(id) => q.push(" AND t.case_id = ").int(id),
        None => q.push(" AND t.done_at IS NULL"),
    };
    q.push(" ORDER BY t.due_at, t.id LIMIT 500");
    Ok(q.query_as().fetch_all(c).await?)
}

pub async fn complete_task(c: &mut Conn, org_id: i64, id: i64, by: i64, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE task SET done_at = $1, done_by = $2 WHERE id = $3 AND org_id = $4 AND done_at IS NULL",
    )
    .bind(now)
    .bind(by)
    .bind(id)
    .bind(org_id)
    .execute(c)
    .await?;
    Ok(r.rows_affected() == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Alert {
    pub id: i64,
    pub site_id: Option<i64>,
    pub kind: String,
    pub response_id: Option<i64>,
    pub review_id: Option<i64>,
    pub summary: String,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub seen_at: Option<i64>,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_alert(
    c: &mut Conn,
    org_id: i64,
    site_id: Option<i64>,
    kind: &str,
    response_id: Option<i64>,
    review_id: Option<i64>,
    summary: &str,
    now: i64,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO voice_alert (org_id, site_id, kind, response_id, review_id, summary, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(org_id)
    .bind(site_id)
    .bind(kind)
    .bind(response_id)
    .bind(review_id)
    .bind(summary)
    .bind(now)
    .fetch_one(c)
    .await?;
    Ok(id)
}

pub async fn alerts(c: &mut Conn, org_id: i64, limit: i64) -> Result<Vec<Alert>> {
    Ok(sqlx::query_as(
        "SELECT id, site_id, kind, response_id, review_id, summary, created_at, seen_at
         FROM voice_alert WHERE org_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(org_id)
    .bind(limit)
    .fetch_all(c)
    .await?)
}

/// Marks an alert seen (by whom, when); false when it was already or is not this organisation's.
pub async fn mark_alert_seen(
    c: &mut Conn,
    org_id: i64,
    id: i64,
    by: i64,
    now: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE voice_alert SET seen_at = $1, seen_by = $2 WHERE id = $3 AND org_id = $4 AND seen_at IS NULL",
    )
    .bind(now)
    .bind(by)
    .bind(id)
    .bind(org_id)
    .execute(c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Addresses of the managers of a site (their team is based there), else of every manager of
/// the organisation, so an alert always reaches someone.
pub async fn site_manager_emails(
    c: &mut Conn,
    org_id: i64,
    site_id: Option<i64>,
) -> Result<Vec<String>> {
    let at_site: Vec<(String,)> = sqlx::query_as(
        "SELECT u.email FROM app_user u JOIN team t ON t.id = u.team_id
         WHERE u.org_id = $1 AND u.role = 'manager' AND u.active = 1 AND t.site_id = $2 ORDER BY u.id",
    )
    .bind(org_id)
    .bind(site_id.unwrap_or(-1))
    .fetch_all(&mut *c)
    .await?;
    if !at_site.is_empty() {
        return Ok(at_site.into_iter().map(|r| r.0).collect());
    }
    let all: Vec<(String,)> = sqlx::query_as(
        "SELECT email FROM app_user WHERE org_id = $1 AND role = 'manager' AND active = 1 ORDER BY id",
    )
    .bind(org_id)
    .fetch_all(c)
    .await?;
    Ok(all.into_iter().map(|r| r.0).collect())
}

/// A solved case as the demo's answers and reviews need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SolvedCase {
    pub id: i64,
    pub customer_id: i64,
    pub site_id: Option<i64>,
    pub team_id: Option<i64>,
    pub channel: String,
    pub category: Option<String>,
    pub subject: String,
    pub solved_at: i64,
}

pub async fn solved_cases(c: &mut Conn, org_id: i64, limit: i64) -> Result<Vec<SolvedCase>> {
    Ok(sqlx::query_as(
        "SELECT id, customer_id, site_id, team_id, channel, category, subject, solved_at FROM support_case
         WHERE org_id = $1 AND solved_at IS NOT NULL ORDER BY id LIMIT $2",
    )
    .bind(org_id)
    .bind(limit)
    .fetch_all(c)
    .await?)
}
