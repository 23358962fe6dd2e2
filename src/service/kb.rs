//! The knowledge base: articles written in the web UI or the API, or imported by the thousand
//! from JSONL or CSV (`pacte kb import`), and the other ways customers ask them. Every change
//! bumps the organisation's revision, so each process's bot rebuilds its index (`service::bot`).

use crate::domain::Invalid;
use crate::domain::fold::fold_key;
use crate::service::{Actor, Checks, Error, Result, now_ms};
use crate::store::kb::{Article, ArticleFields, Variant};
use crate::store::{self, Conn, Store};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

const TITLE_MAX: usize = 300;
const SHORT_MAX: usize = 1_000;
const BODY_MAX: usize = 200_000;
const KEYWORDS_MAX: usize = 2_000;
const VARIANT_MAX: usize = 500;
const VARIANTS_MAX: usize = 200;
/// The largest file an import reads through the API or the web (the command line reads any).
pub const IMPORT_MAX_BYTES: usize = 64 << 20;
/// Lines an import writes per transaction.
const BATCH: usize = 500;

/// An article as given by the web form, the API or an import line.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    /// Your id of the article: an import with it updates instead of adding.
    pub external_id: Option<String>,
    /// fr (default) | en
    pub lang: Option<String>,
    pub title: String,
    /// What the bot shows (one or two sentences); the start of the body when absent.
    #[serde(default)]
    pub short_answer: String,
    #[serde(default)]
    pub body: String,
    /// Words customers use for it, separated by commas.
    #[serde(default)]
    pub keywords: String,
    /// Other ways of asking the question.
    #[serde(default)]
    pub variants: Vec<String>,
    /// Published (the bot answers with it) or a draft. Default: published.
    pub published: Option<bool>,
}

/// An article with the ways of asking it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ArticleView {
    #[serde(flatten)]
    pub article: Article,
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// (line, reason) of each refused line (CSV: line 1 is the header).
    pub refused: Vec<(usize, String)>,
}

/// The first sentences of a text, up to about 300 characters.
fn opening(body: &str) -> String {
    let para = body.trim().split("\n\n").next().unwrap_or("").trim();
    let mut out = String::new();
    for sentence in para.split_inclusive(['.', '!', '?']) {
        if !out.is_empty() && out.chars().count() + sentence.chars().count() > 300 {
            break;
        }
        out.push_str(sentence);
    }
    if out.chars().count() > SHORT_MAX {
        out = out.chars().take(297).collect::<String>() + "…";
    }
    out.trim().to_string()
}

fn has_control(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
}

/// Checks an article's fields; every refused field is named.
fn check(i: &ArticleInput) -> Result<(ArticleFields, Vec<String>)> {
    let mut ch = Checks::default();
    let mut text = |field: &str, v: &str, min: usize, max: usize| {
        let n = v.trim().chars().count();
        if n < min || n > max {
            ch.refuse(
                field,
                if n < min { "required" } else { "too_long" },
                format!("{min} to {max} characters"),
            );
        } else if has_control(v) {
            ch.refuse(field, "invalid_text", "control characters are not text");
        }
    };
    text("title", &i.title, 1, TITLE_MAX);
    text("short_answer", &i.short_answer, 0, SHORT_MAX);
    text("body", &i.body, 0, BODY_MAX);
    text("keywords", &i.keywords, 0, KEYWORDS_MAX);
    if let Some(e) = &i.external_id {
        text("external_id", e, 1, 200);
    }
    if i.short_answer.trim().is_empty() && i.body.trim().is_empty() {
        ch.refuse(
            "body",
            "required",
            "an article needs a short answer or a body",
        );
    }
    let lang = i.lang.as_deref().map(str::trim).unwrap_or("fr");
    if lang != "fr" && lang != "en" {
        ch.refuse("lang", "invalid_lang", "fr or en");
    }
    let mut variants: Vec<String> = Vec::new();
    if i.variants.len() > VARIANTS_MAX {
        ch.refuse(
            "variants",
            "too_many",
            format!("at most {VARIANTS_MAX} variants"),
        );
    }
    for v in &i.variants {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        if v.chars().count() > VARIANT_MAX || has_control(v) {
            ch.refuse(
                "variants",
                "invalid_variant",
                format!("a variant is 1 to {VARIANT_MAX} characters of text"),
            );
            break;
        }
        if !variants.iter().any(|x| fold_key(x) == fold_key(v)) {
            variants.push(v.to_string());
        }
    }
    ch.finish()?;
    let short = i.short_answer.trim();
    Ok((
        ArticleFields {
            external_id: i.external_id.as_deref().map(str::trim).map(str::to_string),
            lang: lang.to_string(),
            title: i.title.trim().to_string(),
            short_answer: if short.is_empty() {
                opening(&i.body)
            } else {
                short.to_string()
            },
            body: i.body.trim().to_string(),
            keywords: i.keywords.trim().to_string(),
            published: i.published.unwrap_or(true),
        },
        variants,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only published (true) or drafts (false).
    pub published: Option<bool>,
    /// Words of the title.
    pub q: Option<String>,
}

pub async fn list(store: &Store, actor: &Actor, q: &ListQuery, limit: i64) -> Result<Vec<Article>> {
    actor.require(actor.role.can_use_knowledge())?;
    let mut c = store.reader().await?;
    let like = crate::service::present(&q.q);
    Ok(store::kb::articles(&mut c, actor.org_id, q.published, like, limit).await?)
}

/// (articles, published ones).
pub async fn counts(store: &Store, actor: &Actor) -> Result<(i64, i64)> {
    actor.require(actor.role.can_use_knowledge())?;
    let mut c = store.reader().await?;
    Ok(store::kb::count(&mut c, actor.org_id).await?)
}

pub async fn get(store: &Store, actor: &Actor, id: i64) -> Result<ArticleView> {
    actor.require(actor.role.can_use_knowledge())?;
    let mut c = store.reader().await?;
    view(&mut c, actor.org_id, id).await
}

async fn view(c: &mut Conn, org_id: i64, id: i64) -> Result<ArticleView> {
    let article = store::kb::article(c, org_id, id)
        .await?
        .ok_or(Error::NotFound("article"))?;
    let variants = store::kb::variants(c, id).await?;
    Ok(ArticleView { article, variants })
}

fn taken(external_id: &str) -> Error {
    Error::Conflict {
        code: "external_id_taken",
        message: format!("another article has the external id «{external_id}»"),
    }
}

pub async fn create(store: &Store, actor: &Actor, i: &ArticleInput) -> Result<ArticleView> {
    actor.require(actor.role.can_edit_knowledge())?;
    let (fields, variants) = check(i)?;
    let now = now_ms();
    let mut tx = store.begin().await?;
    if let Some(e) = &fields.external_id
        && store::kb::by_external(&mut tx, actor.org_id, e)
            .await?
            .is_some()
    {
        return Err(taken(e));
    }
    let id = store::kb::insert(&mut tx, actor.org_id, &fields, now).await?;
    for v in &variants {
        store::kb::add_variant(
            &mut tx,
            id,
            v,
            &fold_key(v),
            "advisor",
            Some(actor.user_id),
            now,
        )
        .await?;
    }
    store::kb::bump(&mut tx, actor.org_id).await?;
    let v = view(&mut tx, actor.org_id, id).await?;
    tx.commit().await?;
    Ok(v)
}

/// Replaces an article's fields; `variants`, when given, are added (the existing stay).
pub async fn update(
    store: &Store,
    actor: &Actor,
    id: i64,
    i: &ArticleInput,
) -> Result<ArticleView> {
    actor.require(actor.role.can_edit_knowledge())?;
    let (fields, variants) = check(i)?;
    let now = now_ms();
    let mut tx = store.begin().await?;
    if let Some(e) = &fields.external_id
        && store::kb::by_external(&mut tx, actor.org_id, e)
            .await?
            .is_some_and(|a| a.id != id)
    {
        return Err(taken(e));
    }
    if !store::kb::update(&mut tx, actor.org_id, id, &fields, now).await? {
        return Err(Error::NotFound("article"));
    }
    for v in &variants {
        store::kb::add_variant(
            &mut tx,
            id,
            v,
            &fold_key(v),
            "advisor",
            Some(actor.user_id),
            now,
        )
        .await?;
    }
    store::kb::bump(&mut tx, actor.org_id).await?;
    let v = view(&mut tx, actor.org_id, id).await?;
    tx.commit().await?;
    Ok(v)
}

pub async fn delete(store: &Store, actor: &Actor, id: i64) -> Result<()> {
    actor.require(actor.role.can_edit_knowledge())?;
    let mut tx = store.begin().await?;
    if !store::kb::delete(&mut tx, actor.org_id, id).await? {
        return Err(Error::NotFound("article"));
    }
    store::kb::bump(&mut tx, actor.org_id).await?;
    tx.commit().await?;
    Ok(())
}

/// "A customer asked it this way": any advisor adds the phrasing to the article.
pub async fn add_variant(store: &Store, actor: &Actor, id: i64, text: &str) -> Result<ArticleView> {
    actor.require(actor.role.can_use_knowledge())?;
    let t = text.trim();
    if t.is_empty() || t.chars().count() > VARIANT_MAX || has_control(t) {
        return Err(Error::invalid(
            "text",
            Invalid::new(
                "invalid_variant",
                format!("1 to {VARIANT_MAX} characters of text"),
            ),
        ));
    }
    let mut tx = store.begin().await?;
    if store::kb::article(&mut tx, actor.org_id, id)
        .await?
        .is_none()
    {
        return Err(Error::NotFound("article"));
    }
    let added = store::kb::add_variant(
        &mut tx,
        id,
        t,
        &fold_key(t),
        "advisor",
        Some(actor.user_id),
        now_ms(),
    )
    .await?;
    if added.is_some() {
        store::kb::bump(&mut tx, actor.org_id).await?;
    }
    let v = view(&mut tx, actor.org_id, id).await?;
    tx.commit().await?;
    Ok(v)
}

pub async fn delete_variant(
    store: &Store,
    actor: &Actor,
    article_id: i64,
    variant_id: i64,
) -> Result<ArticleView> {
    actor.require(actor.role.can_edit_knowledge())?;
    let mut tx = store.begin().await?;
    if !store::kb::delete_variant(&mut tx, actor.org_id, article_id, variant_id).await? {
        return Err(Error::NotFound("variant"));
    }
    store::kb::bump(&mut tx, actor.org_id).await?;
    let v = view(&mut tx, actor.org_id, article_id).await?;
    tx.commit().await?;
    Ok(v)
}

/// The fields an import reads, and the key each has in the file unless mapped.
pub const FIELDS: [&str; 8] = [
    "external_id",
    "title",
    "short_answer",
    "body",
    "keywords",
    "variants",
    "lang",
    "published",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
}

impl Format {
    /// By the file's extension (.jsonl, .json, .ndjson or .csv).
    pub fn of_path(path: &str) -> Option<Format> {
        let p = path.to_ascii_lowercase();
        if p.ends_with(".csv") {
            Some(Format::Csv)
        } else if p.ends_with(".jsonl") || p.ends_with(".ndjson") || p.ends_with(".json") {
            Some(Format::Jsonl)
        } else {
            None
        }
    }
}

/// Checks a `--column FIELD=KEY` mapping.
pub fn columns(pairs: &[(String, String)]) -> Result<HashMap<String, String>> {
    let mut map = HashMap::new();
    for (field, key) in pairs {
        if !FIELDS.contains(&field.as_str()) {
            return Err(Error::invalid(
                "columns",
                Invalid::new(
                    "unknown_field",
                    format!("«{field}» is not one of: {}", FIELDS.join(", ")),
                ),
            ));
        }
        map.insert(field.clone(), key.clone());
    }
    Ok(map)
}

/// A line's value for a field: a string, a number, a boolean, or a list (variants, keywords).
fn field_text(v: &serde_json::Value, list_sep: &str) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(a) => Some(
            a.iter()
                .filter_map(|x| field_text(x, list_sep))
                .collect::<Vec<_>>()
                .join(list_sep),
        ),
        other => Some(other.to_string()),
    }
}

fn yes_no(raw: &str) -> std::result::Result<bool, String> {
    match raw.trim().to_lowercase().as_str() {
        "" | "1" | "true" | "yes" | "oui" | "published" | "publié" => Ok(true),
        "0" | "false" | "no" | "non" | "draft" | "brouillon" => Ok(false),
        other => Err(format!("published: «{other}» is not yes or no")),
    }
}

/// One line read into an article, by field name.
fn line_input(get: &dyn Fn(&str) -> Option<String>) -> std::result::Result<ArticleInput, String> {
    let published = match get("published") {
        Some(p) => Some(yes_no(&p)?),
        None => None,
    };
    Ok(ArticleInput {
        external_id: get("external_id").filter(|e| !e.trim().is_empty()),
        lang: get("lang").filter(|l| !l.trim().is_empty()),
        title: get("title").unwrap_or_default(),
        short_answer: get("short_answer").unwrap_or_default(),
        body: get("body").unwrap_or_default(),
        keywords: get("keywords").unwrap_or_default(),
        variants: get("variants")
            .map(|v| {
                v.split(['\n', '|'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        published,
    })
}

fn reason(e: &Error) -> String {
    match e {
        Error::Invalid(fields) => fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// Imports a file's articles. An article is found again by its external id (else by its title
/// in its language), updated when it changed, left alone when not; the variants the file gives
/// replace those a previous import gave (an advisor's stay).
pub async fn import(
    store: &Store,
    org_id: i64,
    data: &[u8],
    format: Format,
    columns: &HashMap<String, String>,
) -> Result<ImportReport> {
    let key = |f: &str| columns.get(f).cloned().unwrap_or_else(|| f.to_string());
    let mut lines: Vec<(usize, std::result::Result<ArticleInput, String>)> = Vec::new();
    match format {
        Format::Jsonl => {
            let text = std::str::from_utf8(data).map_err(|_| {
                Error::invalid(
                    "file",
                    Invalid::new("invalid_utf8", "the file is not UTF-8"),
                )
            })?;
            for (i, raw) in text.lines().enumerate() {
                if raw.trim().is_empty() {
                    continue;
                }
                let line = i + 1;
                let parsed =
                    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(raw)
                        .map_err(|e| format!("not a JSON object: {e}"))
                        .and_then(|obj| {
                            line_input(&|f: &str| {
                                let sep = if f == "keywords" { ", " } else { "\n" };
                                obj.get(&key(f)).and_then(|v| field_text(v, sep))
                            })
                        });
                lines.push((line, parsed));
            }
        }
        Format::Csv => {
            let mut rd = csv::ReaderBuilder::new().flexible(true).from_reader(data);
            let headers = rd
                .headers()
                .map_err(|e| Error::invalid("file", Invalid::new("invalid_csv", e.to_string())))?
                .clone();
            let index: HashMap<&str, usize> = FIELDS
                .iter()
                .filter_map(|f| {
                    let h = key(f);
                    headers.iter().position(|x| x.trim() == h).map(|i| (*f, i))
                })
                .collect();
            if !index.contains_key("title") {
                return Err(Error::invalid(
                    "columns",
                    Invalid::new(
                        "missing_column",
                        "the file needs a title column (map it with title=HEADER)",
                    ),
                ));
            }
            for (i, rec) in rd.records().enumerate() {
                let line = i + 2;
                let parsed = rec.map_err(|e| format!("unreadable: {e}")).and_then(|rec| {
                    line_input(&|f: &str| {
                        index.get(f).and_then(|i| rec.get(*i)).map(str::to_string)
                    })
                });
                lines.push((line, parsed));
            }
        }
    }
    let mut report = ImportReport::default();
    // The same external id twice in one file: the first line is the article, the others are
    // refused (else a rerun would flip between them).
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (line, parsed) in &mut lines {
        if let Ok(ArticleInput {
            external_id: Some(e),
            ..
        }) = parsed
        {
            let e = e.trim().to_string();
            if let Some(first) = seen.get(&e) {
                *parsed = Err(format!(
                    "external_id: «{e}» is already on line {first} of this file"
                ));
            } else {
                seen.insert(e, *line);
            }
        }
    }
    let now = now_ms();
    for chunk in lines.chunks(BATCH) {
        let mut tx = store.begin().await?;
        let mut changed = false;
        for (line, parsed) in chunk {
            let input = match parsed {
                Ok(i) => i,
                Err(why) => {
                    report.refused.push((*line, why.clone()));
                    continue;
                }
            };
            let (fields, variants) = match check(input) {
                Ok(x) => x,
                Err(e @ Error::Invalid(_)) => {
                    report.refused.push((*line, reason(&e)));
                    continue;
                }
                Err(e) => return Err(e),
            };
            let existing = match &fields.external_id {
                Some(e) => store::kb::by_external(&mut tx, org_id, e).await?,
                None => store::kb::by_title(&mut tx, org_id, &fields.lang, &fields.title).await?,
            };
            let id = match existing {
                Some(a) => {
                    let before = store::kb::variants(&mut tx, a.id).await?;
                    let same_variants = {
                        let old: Vec<&str> = before
                            .iter()
                            .filter(|v| v.source == "import")
                            .map(|v| v.text.as_str())
                            .collect();
                        old == variants.iter().map(String::as_str).collect::<Vec<_>>()
                    };
                    if same(&a, &fields) && same_variants {
                        report.unchanged += 1;
                        continue;
                    }
                    store::kb::update(&mut tx, org_id, a.id, &fields, now).await?;
                    report.updated += 1;
                    a.id
                }
                None => {
                    report.created += 1;
                    store::kb::insert(&mut tx, org_id, &fields, now).await?
                }
            };
            store::kb::clear_imported_variants(&mut tx, id).await?;
            for v in &variants {
                store::kb::add_variant(&mut tx, id, v, &fold_key(v), "import", None, now).await?;
            }
            changed = true;
        }
        if changed {
            store::kb::bump(&mut tx, org_id).await?;
        }
        tx.commit().await?;
    }
    Ok(report)
}

fn same(a: &Article, f: &ArticleFields) -> bool {
    a.external_id == f.external_id
        && a.lang == f.lang
        && a.title == f.title
        && a.short_answer == f.short_answer
        && a.body == f.body
        && a.keywords == f.keywords
        && (a.published != 0) == f.published
}

/// The import for a signed-in user (web page, API).
pub async fn import_as(
    store: &Store,
    actor: &Actor,
    data: &[u8],
    format: Format,
    columns: &HashMap<String, String>,
) -> Result<ImportReport> {
    actor.require(actor.role.can_edit_knowledge())?;
    import(store, actor.org_id, data, format, columns).await
}

/// The import for the command line (no signed-in user: the operator runs it on the server).
pub async fn import_file(
    store: &Store,
    org_slug: &str,
    path: &std::path::Path,
    columns: &[(String, String)],
) -> anyhow::Result<ImportReport> {
    let p = path.display().to_string();
    let format = Format::of_path(&p)
        .ok_or_else(|| anyhow::anyhow!("{p}: expected a .jsonl or .csv file"))?;
    let columns = self::columns(columns).map_err(|e| anyhow::anyhow!(reason(&e)))?;
    let mut c = store.reader().await?;
    let org = store::org::org_by_slug(&mut c, org_slug)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no organisation has the slug «{org_slug}»"))?;
    drop(c);
    let data = std::fs::read(path).map_err(|e| anyhow::anyhow!("{p}: {e}"))?;
    import(store, org.id, &data, format, &columns)
        .await
        .map_err(|e| anyhow::anyhow!(reason(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_short_answer_defaults_to_the_opening_sentences() {
        assert_eq!(
            opening("Oui. Les bénévoles peuvent le faire.\n\nConditions à remplir"),
            "Oui. Les bénévoles peuvent le faire."
        );
        let long = "Une phrase assez longue pour compter. ".repeat(20);
        assert!(opening(&long).chars().count() <= 300);
    }

    #[test]
    fn fields_are_checked_together() {
        let Err(Error::Invalid(f)) = check(&ArticleInput {
            title: " ".into(),
            lang: Some("de".into()),
            variants: vec!["x".repeat(600)],
            ..Default::default()
        }) else {
            panic!("refused")
        };
        let names: Vec<&str> = f.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["title", "body", "lang", "variants"]);
        let (a, v) = check(&ArticleInput {
            title: " Où est mon colis ? ".into(),
            body: "Suivez-le en ligne.".into(),
            variants: vec!["colis perdu".into(), "Colis PERDU".into(), " ".into()],
            ..Default::default()
        })
        .unwrap();
        assert_eq!(a.title, "Où est mon colis ?");
        assert_eq!(a.short_answer, "Suivez-le en ligne.");
        assert!(a.published);
        assert_eq!(v, ["colis perdu"]);
    }

    #[test]
    fn import_lines_read_lists_and_flags() {
        let obj: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
            r#"{"id": "F1", "q": "Titre", "variants": ["a", "b"], "keywords": ["x", "y"], "published": "non"}"#,
        )
        .unwrap();
        let map: HashMap<&str, &str> = [("external_id", "id"), ("title", "q")].into();
        let i = line_input(&|f: &str| {
            let k = map.get(f).copied().unwrap_or(f);
            obj.get(k)
                .and_then(|v| field_text(v, if f == "keywords" { ", " } else { "\n" }))
        })
        .unwrap();
        assert_eq!(i.external_id.as_deref(), Some("F1"));
        assert_eq!(i.variants, ["a", "b"]);
        assert_eq!(i.keywords, "x, y");
        assert_eq!(i.published, Some(false));
        assert!(line_input(&|f: &str| (f == "published").then(|| "peut-être".into())).is_err());
    }
}
