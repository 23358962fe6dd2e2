//! The knowledge base (articles and the other ways of asking them), its revision counter, and
//! the bot's handoff rules.

use super::{Conn, Result};
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Article {
    pub id: i64,
    /// Your id of the article (a re-import updates the article that has it).
    pub external_id: Option<String>,
    pub lang: String,
    pub title: String,
    /// What the bot shows: one or two sentences.
    pub short_answer: String,
    pub body: String,
    /// Words customers use for it, separated by commas.
    pub keywords: String,
    #[serde(serialize_with = "super::wire::flag")]
    #[schema(value_type = bool)]
    pub published: i64,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Variant {
    pub id: i64,
    pub article_id: i64,
    pub text: String,
    /// import | advisor
    pub source: String,
    pub created_by: Option<i64>,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

/// An article's fields as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArticleFields {
    pub external_id: Option<String>,
    pub lang: String,
    pub title: String,
    pub short_answer: String,
    pub body: String,
    pub keywords: String,
    pub published: bool,
}

const COLUMNS: &str = "id, external_id, lang, title, short_answer, body, keywords, published, \
    created_at, updated_at";

/// Articles, the latest changed first; `title_like` keeps those whose title holds the words
/// (accents and case folded).
pub async fn articles(
    c: &mut Conn,
    org_id: i64,
    published: Option<bool>,
    title_like: Option<&str>,
    limit: i64,
) -> Result<Vec<Article>> {
    let mut q = super::Sql::new(format!("SELECT {COLUMNS} FROM kb_article WHERE org_id = "));
    q.int(org_id);
    if let Some(p) = published {
        q.push(" AND published = ").int(i64::from(p));
    }
    if let Some(t) = title_like {
        let key = crate::domain::fold::fold_key(t)
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q.push(" AND title_key LIKE ")
            .text(&format!("%{key}%"))
            .push(" ESCAPE '\\'");
    }
    q.push(" ORDER BY updated_at DESC, id DESC LIMIT ")
        .int(limit);
    Ok(q.query_as().fetch_all(c).await?)
}

pub async fn count(c: &mut Conn, org_id: i64) -> Result<(i64, i64)> {
    let r = sqlx::query(
        "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(published), 0) AS BIGINT)
         FROM kb_article WHERE org_id = $1",
    )
    .bind(org_id)
    .fetch_one(c)
    .await?;
    Ok((r.try_get(0)?, r.try_get(1)?))
}

pub async fn article(c: &mut Conn, org_id: i64, id: i64) -> Result<Option<Article>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM kb_article WHERE org_id = $1 AND id = $2"
    )))
    .bind(org_id)
    .bind(id)
    .fetch_optional(c)
    .await?)
}

pub async fn by_external(c: &mut Conn, org_id: i64, external_id: &str) -> Result<Option<Article>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM kb_article WHERE org_id = $1 AND external_id = $2"
    )))
    .bind(org_id)
    .bind(external_id)
    .fetch_optional(c)
    .await?)
}

/// The article of that title in that language (an import line without external id).
pub async fn by_title(
    c: &mut Conn,
    org_id: i64,
    lang: &str,
    title: &str,
) -> Result<Option<Article>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM kb_article WHERE org_id = $1 AND lang = $2 AND title = $3
         AND external_id IS NULL ORDER BY id LIMIT 1"
    )))
    .bind(org_id)
    .bind(lang)
    .bind(title)
    .fetch_optional(c)
    .await?)
}

pub async fn insert(c: &mut Conn, org_id: i64, f: &ArticleFields, now: i64) -> Result<i64> {
    let r = sqlx::query(
        "INSERT INTO kb_article (org_id, external_id, lang, title, short_answer, body, keywords,
             published, created_at, updated_at, title_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) RETURNING id",
    )
    .bind(org_id)
    .bind(f.external_id.as_deref())
    .bind(&f.lang)
    .bind(&f.title)
    .bind(&f.short_answer)
    .bind(&f.body)
    .bind(&f.keywords)
    .bind(i64::from(f.published))
    .bind(now)
    .bind(crate::domain::fold::fold_key(&f.title))
    .fetch_one(c)
    .await?;
    Ok(r.try_get(0)?)
}

pub async fn update(
    c: &mut Conn,
    org_id: i64,
    id: i64,
    f: &ArticleFields,
    now: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE kb_article SET external_id = $3, lang = $4, title = $5, short_answer = $6,
             body = $7, keywords = $8, published = $9, updated_at = $10, title_key = $11
         WHERE org_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(id)
    .bind(f.external_id.as_deref())
    .bind(&f.lang)
    .bind(&f.title)
    .bind(&f.short_answer)
    .bind(&f.body)
    .bind(&f.keywords)
    .bind(i64::from(f.published))
    .bind(now)
    .bind(crate::domain::fold::fold_key(&f.title))
    .execute(c)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn delete(c: &mut Conn, org_id: i64, id: i64) -> Result<bool> {
    sqlx::query(
        "DELETE FROM kb_variant WHERE article_id IN
             (SELECT id FROM kb_article WHERE org_id = $1 AND id = $2)",
    )
    .bind(org_id)
    .bind(id)
    .execute(&mut *c)
    .await?;
    let r = sqlx::query("DELETE FROM kb_article WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(id)
        .execute(c)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn variants(c: &mut Conn, article_id: i64) -> Result<Vec<Variant>> {
    Ok(sqlx::query_as(
        "SELECT id, article_id, text, source, created_by, created_at FROM kb_variant
         WHERE article_id = $1 ORDER BY id",
    )
    .bind(article_id)
    .fetch_all(c)
    .await?)
}

/// Adds a way of asking; None when the article already has it (same folded text).
pub async fn add_variant(
    c: &mut Conn,
    article_id: i64,
    text: &str,
    key: &str,
    source: &str,
    user_id: Option<i64>,
    now: i64,
) -> Result<Option<i64>> {
    let r = sqlx::query(
        "INSERT INTO kb_variant (article_id, text, key, source, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (article_id, key) DO NOTHING RETURNING id",
    )
    .bind(article_id)
    .bind(text)
    .bind(key)
    .bind(source)
    .bind(user_id)
    .bind(now)
    .fetch_optional(c)
    .await?;
    Ok(match r {
        Some(r) => Some(r.try_get(0)?),
        None => None,
    })
}

/// Removes the variants an import gave (an advisor's stay), before the import gives its own.
pub async fn clear_imported_variants(c: &mut Conn, article_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM kb_variant WHERE article_id = $1 AND source = 'import'")
        .bind(article_id)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn delete_variant(c: &mut Conn, org_id: i64, article_id: i64, id: i64) -> Result<bool> {
    let r = sqlx::query(
        "DELETE FROM kb_variant WHERE id = $1 AND article_id = $2
             AND article_id IN (SELECT id FROM kb_article WHERE org_id = $3)",
    )
    .bind(id)
    .bind(article_id)
    .bind(org_id)
    .execute(c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Marks the base changed (in the transaction that changes it).
pub async fn bump(c: &mut Conn, org_id: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO kb_revision (org_id, rev) VALUES ($1, 1)
         ON CONFLICT (org_id) DO UPDATE SET rev = kb_revision.rev + 1",
    )
    .bind(org_id)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn revision(c: &mut Conn, org_id: i64) -> Result<i64> {
    let r = sqlx::query("SELECT rev FROM kb_revision WHERE org_id = $1")
        .bind(org_id)
        .fetch_optional(c)
        .await?;
    Ok(match r {
        Some(r) => r.try_get(0)?,
        None => 0,
    })
}

/// The published articles and their variants, for the index.
pub async fn published(c: &mut Conn, org_id: i64) -> Result<(Vec<Article>, Vec<(i64, String)>)> {
    let articles: Vec<Article> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM kb_article WHERE org_id = $1 AND published = 1 ORDER BY id"
    )))
    .bind(org_id)
    .fetch_all(&mut *c)
    .await?;
    let rows = sqlx::query(
        "SELECT v.article_id, v.text FROM kb_variant v JOIN kb_article a ON a.id = v.article_id
         WHERE a.org_id = $1 AND a.published = 1 ORDER BY v.id",
    )
    .bind(org_id)
    .fetch_all(c)
    .await?;
    let variants = rows
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<std::result::Result<Vec<_>, sqlx::Error>>()?;
    Ok((articles, variants))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RuleRow {
    pub code: String,
    pub kind: String,
    pub words: String,
    pub value: f64,
    pub enabled: i64,
}

/// The organisation's handoff rules in order; empty when it kept the starter ones.
pub async fn rules(c: &mut Conn, org_id: i64) -> Result<Vec<RuleRow>> {
    Ok(sqlx::query_as(
        "SELECT code, kind, words, value, enabled FROM bot_rule WHERE org_id = $1 ORDER BY position",
    )
    .bind(org_id)
    .fetch_all(c)
    .await?)
}

pub async fn replace_rules(c: &mut Conn, org_id: i64, rules: &[RuleRow], now: i64) -> Result<()> {
    sqlx::query("DELETE FROM bot_rule WHERE org_id = $1")
        .bind(org_id)
        .execute(&mut *c)
        .await?;
    for (i, r) in rules.iter().enumerate() {
        sqlx::query(
            "INSERT INTO bot_rule (org_id, position, code, kind, words, value, enabled, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(org_id)
        .bind(i as i64)
        .bind(&r.code)
        .bind(&r.kind)
        .bind(&r.words)
        .bind(r.value)
        .bind(r.enabled)
        .bind(now)
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// Whether the customer has a complaint not yet solved.
pub async fn open_complaint(c: &mut Conn, org_id: i64, customer_id: i64) -> Result<bool> {
    let r = sqlx::query(
        "SELECT 1 FROM support_case WHERE org_id = $1 AND customer_id = $2 AND kind = 'complaint'
             AND status IN ('open', 'pending') LIMIT 1",
    )
    .bind(org_id)
    .bind(customer_id)
    .fetch_optional(c)
    .await?;
    Ok(r.is_some())
}
