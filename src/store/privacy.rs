//! Where a customer's personal data lives: one map of every table, which drives both the export
//! of a customer's data and its erasure. A table that holds no customer data is listed in
//! [`NOT_PERSONAL`] with the reason; a test fails when a table is in neither list, so a new
//! table cannot hold customer data unseen.
//!
//! The statements are built from this module's constants and from literals Pacte writes (a
//! time, a hash), never from input: hence `AssertSqlSafe`.

use super::{Conn, Result};
use sqlx::{Column, Row, TypeInfo};

/// The customer and the records merged into it: `$1` organisation, `$2` customer.
/// (A record merged into one that was merged in turn is found too.)
const CUSTOMERS: &str = "WITH RECURSIVE m(id) AS (SELECT id FROM customer WHERE org_id = $1 AND id = $2 \
     UNION SELECT c.id FROM customer c JOIN m ON c.merged_into = m.id WHERE c.org_id = $1) \
     SELECT id FROM m";

/// The customer's mail: about their cases, and the survey and review invitations sent to them.
const EMAILS: &str = "case_id IN (SELECT id FROM support_case WHERE customer_id IN ({C})) \
     OR id IN (SELECT email_id FROM survey_invitation WHERE customer_id IN ({C})) \
     OR id IN (SELECT email_id FROM review_invitation WHERE customer_id IN ({C}))";

/// What erasure does to a table's rows of the customer (`{now}` is the time of the erasure,
/// `{empty}` the empty blob's hash: literals Pacte writes, never input).
#[derive(Debug, Clone, Copy)]
pub enum Erase {
    /// Free text and identifiers replaced (a `SET` clause).
    Update(&'static str),
    Delete,
    /// Kept as they are, and why (no personal data once the rest is gone, or a record the law
    /// requires).
    Keep(&'static str),
}

/// One table's rows of a customer.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    pub table: &'static str,
    /// The rows: a condition where `{C}` stands for the customer's ids.
    pub rows: &'static str,
    pub erase: Erase,
}

/// Every table holding data of or about a customer, in the order erasure runs: what is found
/// through the customer's cases and identities first, the customer last.
pub const PLACES: &[Place] = &[
    Place {
        table: "interaction",
        rows: "customer_id IN ({C})",
        erase: Erase::Update("subject = NULL, body = '', attachments = '[]'"),
    },
    Place {
        table: "case_event",
        rows: "case_id IN (SELECT id FROM support_case WHERE customer_id IN ({C}))",
        erase: Erase::Update("detail = ''"),
    },
    Place {
        table: "email_attachment",
        rows: "email_id IN (SELECT id FROM email_message WHERE {EMAILS})",
        erase: Erase::Delete,
    },
    Place {
        table: "email_message",
        rows: EMAILS,
        erase: Erase::Update(
            "from_address = '', from_key = '', reply_to = NULL, to_addresses = '', \
             subject = '', html = NULL, refs = '', in_reply_to = NULL, warnings = '[]', \
             raw_hash = '{empty}'",
        ),
    },
    Place {
        table: "chat_event",
        rows: "conversation_id IN (SELECT id FROM chat_conversation WHERE customer_id IN ({C}))",
        erase: Erase::Update("body = ''"),
    },
    Place {
        table: "chat_conversation",
        rows: "customer_id IN ({C})",
        erase: Erase::Update("identity = NULL, name = NULL"),
    },
    Place {
        table: "counter_ticket",
        rows: "customer_id IN ({C})",
        erase: Erase::Update("note = ''"),
    },
    Place {
        table: "task",
        rows: "case_id IN (SELECT id FROM support_case WHERE customer_id IN ({C}))",
        erase: Erase::Update("note = ''"),
    },
    Place {
        table: "survey_invitation",
        rows: "customer_id IN ({C})",
        erase: Erase::Keep("when and how a survey was sent; no text of the customer"),
    },
    Place {
        table: "survey_response",
        rows: "customer_id IN ({C})",
        erase: Erase::Update("comment = '', external_id = NULL"),
    },
    Place {
        table: "voice_alert",
        rows: "response_id IN (SELECT id FROM survey_response WHERE customer_id IN ({C})) \
               OR review_id IN (SELECT id FROM review WHERE customer_id IN ({C}))",
        erase: Erase::Update("summary = ''"),
    },
    Place {
        table: "review_invitation",
        rows: "customer_id IN ({C})",
        erase: Erase::Update("reference = 'erased-' || CAST(id AS TEXT), about = ''"),
    },
    Place {
        table: "review",
        rows: "customer_id IN ({C})",
        // Withdrawn, as its author may do (ISO 20488): off the public page and the rating.
        erase: Erase::Update(
            "author = '', comment = '', reply = NULL, \
             withdrawn_at = COALESCE(withdrawn_at, {now}), \
             status = CASE WHEN status = 'published' THEN 'withdrawn' ELSE status END",
        ),
    },
    Place {
        table: "nonconformity",
        rows: "customer_id IN ({C})",
        erase: Erase::Keep("a breach of a commitment: the quality record; no text of the customer"),
    },
    Place {
        table: "quality_nc",
        rows: "case_id IN (SELECT id FROM support_case WHERE customer_id IN ({C}))",
        // The dysfunction stays on record (its title, analysis and plan are staff's words about
        // the organisation); what was written about the complaint itself goes.
        erase: Erase::Update("description = ''"),
    },
    Place {
        table: "compensation",
        rows: "customer_id IN ({C})",
        erase: Erase::Keep("a gesture granted or paid: an accounting record the law requires"),
    },
    Place {
        table: "read_log",
        rows: "customer_id IN ({C})",
        erase: Erase::Keep("who read the customer's data and when: the record of access, by ids"),
    },
    Place {
        table: "privacy_request",
        rows: "customer_id IN ({C})",
        erase: Erase::Keep("the proof the request was answered, and when"),
    },
    Place {
        table: "customer_merge",
        rows: "kept_id IN ({C}) OR merged_id IN ({C})",
        // The identities a merge moved are listed in it; an erased merge cannot be undone.
        erase: Erase::Update("moved = '[]', undone_at = COALESCE(undone_at, {now})"),
    },
    Place {
        table: "support_case",
        rows: "customer_id IN ({C})",
        erase: Erase::Update("subject = '', subject_key = ''"),
    },
    Place {
        table: "customer_identity",
        rows: "customer_id IN ({C})",
        erase: Erase::Delete,
    },
    Place {
        table: "customer",
        rows: "id IN ({C})",
        erase: Erase::Update(
            "display_name = NULL, name_key = '', erased_at = {now}, \
             survey_opt_out_at = COALESCE(survey_opt_out_at, {now})",
        ),
    },
];

/// Tables without data of a customer, each with the reason.
pub const NOT_PERSONAL: &[(&str, &str)] = &[
    ("organization", "the organisation"),
    ("site", "the organisation's places"),
    ("team", "staff teams"),
    ("app_user", "staff, not customers"),
    ("api_token", "staff credentials"),
    ("web_session", "staff sessions"),
    ("password_reset", "staff password links"),
    (
        "idempotency_key",
        "request fingerprints and ids, no content",
    ),
    ("audit_log", "what staff did, by id"),
    ("quality_setting", "rules"),
    (
        "quality_evidence",
        "references (ids, periods) and figures, never customer text",
    ),
    ("quality_action", "the organisation's actions and checks"),
    ("quality_progress", "staff notes on their actions"),
    ("quality_event", "the history of a quality record, by staff"),
    (
        "quality_digest",
        "which staff member got a reminder which day",
    ),
    ("kpi", "indicators"),
    ("kb_article", "the organisation's knowledge base"),
    (
        "kb_variant",
        "ways of asking an article's question, written by staff (the form asks for no personal data); no link to a customer, so erasure cannot find them",
    ),
    ("kb_revision", "a counter"),
    ("bot_rule", "rules"),
    ("kpi_target", "targets"),
    ("kpi_value", "figures"),
    ("kpi_review", "reviews"),
    ("kpi_review_line", "frozen figures and decisions"),
    ("case_counter", "counts"),
    ("commitment", "the charter"),
    ("commitment_measure", "measures by case id, no content"),
    ("commitment_result", "aggregates"),
    ("compensation_limit", "rules"),
    (
        "outbox",
        "alert deliveries, emptied of customer text by erasure (see erase)",
    ),
    ("counter_service", "the counter's services"),
    ("mailbox", "the organisation's addresses"),
    (
        "blob",
        "raw messages and files: reached through email_message and email_attachment",
    ),
    ("canned_reply", "staff texts"),
    ("email_template", "staff texts"),
    ("survey", "questionnaires"),
    ("survey_tally", "aggregates"),
    ("criterion_tally", "aggregates"),
    ("theme_tally", "aggregates"),
    ("verbatim_rule", "rules"),
    ("review_flag", "reports on a review, by a hashed client key"),
    ("review_tally", "aggregates"),
    ("job", "the job queue"),
    ("change_log", "ids of changed records"),
    ("search_node", "index positions"),
    ("read_chain", "the audit chain's head"),
    ("retention_rule", "rules"),
    ("retention_run", "counts of what retention removed"),
    ("_sqlx_migrations", "schema history"),
];

fn sql_of(rows: &str) -> String {
    rows.replace("{EMAILS}", EMAILS).replace("{C}", CUSTOMERS)
}

/// A place's rows of the customer, as JSON objects (column → value).
pub async fn rows(
    c: &mut Conn,
    p: &Place,
    org_id: i64,
    customer_id: i64,
) -> Result<Vec<serde_json::Map<String, serde_json::Value>>> {
    let sql = format!(
        "SELECT * FROM {} WHERE {} ORDER BY id",
        p.table,
        sql_of(p.rows)
    );
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org_id)
        .bind(customer_id)
        .fetch_all(c)
        .await?;
    Ok(found.iter().map(json_of).collect())
}

fn json_of(row: &sqlx::any::AnyRow) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::Value;
    let mut out = serde_json::Map::new();
    for (i, col) in row.columns().iter().enumerate() {
        let v = if col.type_info().is_null() {
            // SQLite types a NULL cell as null: try the kinds a column may hold.
            row.try_get::<Option<i64>, _>(i)
                .map(|v| v.map_or(Value::Null, Value::from))
                .or_else(|_| {
                    row.try_get::<Option<String>, _>(i)
                        .map(|v| v.map_or(Value::Null, Value::from))
                })
                .unwrap_or(Value::Null)
        } else if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
            v.map_or(Value::Null, Value::from)
        } else if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
            v.map_or(Value::Null, Value::from)
        } else if let Ok(v) = row.try_get::<Option<String>, _>(i) {
            v.map_or(Value::Null, Value::from)
        } else {
            // Binary content is exported apart (files), not inline.
            Value::Null
        };
        out.insert(col.name().to_string(), v);
    }
    out
}

/// A file of the customer's: a raw message or an attachment.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct File {
    pub kind: String,
    pub name: String,
    pub content_type: String,
    pub hash: String,
    pub content: Vec<u8>,
}

/// The raw messages and attachments of the customer's cases.
pub async fn files(c: &mut Conn, org_id: i64, customer_id: i64) -> Result<Vec<File>> {
    let mail = sql_of("SELECT id FROM email_message WHERE {EMAILS}");
    let sql = format!(
        "SELECT 'raw_email' AS kind, 'message-' || CAST(m.id AS TEXT) || '.eml' AS name,
                'message/rfc822' AS content_type, b.hash, b.content
         FROM email_message m JOIN blob b ON b.hash = m.raw_hash
         WHERE m.id IN ({mail}) AND b.size > 0
         UNION ALL
         SELECT 'attachment', a.name, a.content_type, b.hash, b.content
         FROM email_attachment a JOIN email_message m ON m.id = a.email_id
         JOIN blob b ON b.hash = a.blob_hash
         WHERE m.id IN ({mail})"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org_id)
        .bind(customer_id)
        .fetch_all(c)
        .await?)
}

/// Erases the customer's data as the map says, in the caller's transaction; rows touched per
/// table. `empty_blob` is the hash of the empty content, put in place of raw messages.
pub async fn erase(
    c: &mut Conn,
    org_id: i64,
    customer_id: i64,
    empty_blob: &str,
    now: i64,
) -> Result<Vec<(&'static str, u64)>> {
    let hashes = files(c, org_id, customer_id)
        .await?
        .into_iter()
        .map(|f| f.hash)
        .collect::<Vec<_>>();
    // Deliveries of alerts about the customer's answers and reviews quote them.
    for (table, key) in [("survey_response", "response_id"), ("review", "review_id")] {
        let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM {table} WHERE {}",
            sql_of("customer_id IN ({C})")
        )))
        .bind(org_id)
        .bind(customer_id)
        .fetch_all(&mut *c)
        .await?;
        for id in ids {
            sqlx::query(
                "UPDATE outbox SET payload = '{\"erased\":true}'
                 WHERE org_id = $1 AND (payload LIKE $2 OR payload LIKE $3)",
            )
            .bind(org_id)
            .bind(format!("%\"{key}\":{id},%"))
            .bind(format!("%\"{key}\":{id}}}%"))
            .execute(&mut *c)
            .await?;
        }
    }
    // The search index rebuilds what it shows of these cases and records.
    for (kind, sql) in [
        (
            "case",
            "SELECT id FROM support_case WHERE customer_id IN ({C})",
        ),
        ("customer", "{C}"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO change_log (kind, ref_id) SELECT '{kind}', id FROM ({}) AS t",
            sql_of(sql)
        )))
        .bind(org_id)
        .bind(customer_id)
        .execute(&mut *c)
        .await?;
    }
    // A published review leaves the public rating, as when its author withdraws it.
    let published: Vec<(i64, Option<i64>, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT org_id, site_id, stars FROM review WHERE status = 'published' AND {}",
        sql_of("customer_id IN ({C})")
    )))
    .bind(org_id)
    .bind(customer_id)
    .fetch_all(&mut *c)
    .await?;
    for (org, site, stars) in published {
        super::review::add_tally(c, org, site, stars, -1).await?;
    }
    let mut done = Vec::new();
    for p in PLACES {
        let sql = match p.erase {
            Erase::Update(set) => format!("UPDATE {} SET {set} WHERE {}", p.table, sql_of(p.rows)),
            Erase::Delete => format!("DELETE FROM {} WHERE {}", p.table, sql_of(p.rows)),
            Erase::Keep(_) => continue,
        };
        let sql = sql
            .replace("{now}", &now.to_string())
            .replace("{empty}", empty_blob);
        let n = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .bind(customer_id)
            .execute(&mut *c)
            .await?
            .rows_affected();
        done.push((p.table, n));
    }
    // Raw messages and files nothing else refers to any more.
    let mut deleted = 0;
    for h in hashes {
        deleted += sqlx::query(
            "DELETE FROM blob WHERE hash = $1
               AND NOT EXISTS (SELECT 1 FROM email_message WHERE raw_hash = $1)
               AND NOT EXISTS (SELECT 1 FROM email_attachment WHERE blob_hash = $1)",
        )
        .bind(&h)
        .execute(&mut *c)
        .await?
        .rows_affected();
    }
    done.push(("blob", deleted));
    Ok(done)
}

/// The tables of the schema (to check the map covers them all).
pub async fn tables(c: &mut Conn, postgres: bool) -> Result<Vec<String>> {
    let sql = if postgres {
        "SELECT CAST(tablename AS TEXT) FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
    };
    Ok(sqlx::query_scalar(sql).fetch_all(c).await?)
}

/// A request about personal data (access, erasure), with its legal deadline.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Request {
    pub id: i64,
    pub customer_id: i64,
    pub kind: String,
    pub received_at: i64,
    pub due_at: i64,
    pub done_at: Option<i64>,
}

pub async fn add_request(
    c: &mut Conn,
    org_id: i64,
    customer_id: i64,
    kind: &str,
    received_at: i64,
    due_at: i64,
    now: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO privacy_request (org_id, customer_id, kind, received_at, due_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(org_id)
    .bind(customer_id)
    .bind(kind)
    .bind(received_at)
    .bind(due_at)
    .bind(now)
    .fetch_one(c)
    .await?)
}

/// Marks the customer's open requests of a kind answered.
pub async fn answer_requests(
    c: &mut Conn,
    org_id: i64,
    customer_id: i64,
    kind: &str,
    by: i64,
    now: i64,
) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE privacy_request SET done_at = $4, done_by = $5
         WHERE org_id = $1 AND customer_id = $2 AND kind = $3 AND done_at IS NULL",
    )
    .bind(org_id)
    .bind(customer_id)
    .bind(kind)
    .bind(now)
    .bind(by)
    .execute(c)
    .await?
    .rows_affected())
}

/// The organisation's requests (one customer's, when given), open ones first by deadline.
pub async fn requests(c: &mut Conn, org_id: i64, customer_id: Option<i64>) -> Result<Vec<Request>> {
    Ok(sqlx::query_as(
        "SELECT id, customer_id, kind, received_at, due_at, done_at FROM privacy_request
         WHERE org_id = $1 AND ($2 IS NULL OR customer_id = $2)
         ORDER BY CASE WHEN done_at IS NULL THEN 0 ELSE 1 END, due_at, id",
    )
    .bind(org_id)
    .bind(customer_id)
    .fetch_all(c)
    .await?)
}
