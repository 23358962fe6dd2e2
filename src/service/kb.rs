//! The knowledge base: articles written in the web UI or the API, or imported by the thousand
//! from JSONL or CSV (`pacte kb import`), and the other ways customers ask them. Every change
//! bumps the organisation's revision, so each process's bot rebuilds its index (`service::bot`).

use crate::domain::Invalid;
use crate::domain::fold::fold_key;
use crate::service::{Actor, Checks, Error, Result, now_ms};
use crate::store::kb::{Article, ArticleFields, Variant};
use crate::store::{self, Conn, Store};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

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

/// Checks an article's fields; every refused field is named.
fn check(i: &ArticleInput) -> Result<(ArticleFields, Vec<String>)> {
    let mut ch = Checks::default();
    // Optional fields may be empty; the title and a given external id may not.
    let mut text = |field: &str, v: &str, required: bool, max: usize| {
        if required || !v.trim().is_empty() {
            ch.check(field, crate::domain::text(v, max));
        }
    };
    text("title", &i.title, true, TITLE_MAX);
    text("short_answer", &i.short_answer, false, SHORT_MAX);
    text("body", &i.body, false, BODY_MAX);
    text("keywords", &i.keywords, false, KEYWORDS_MAX);
    if let Some(e) = &i.external_id {
        text("external_id", e, true, 200);
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
        if let Err(e) = crate::domain::text(v, VARIANT_MAX) {
            ch.check::<()>("variants", Err(e));
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
    let (mut fields, variants) = check(i)?;
    let now = now_ms();
    let mut tx = store.begin().await?;
    let before = store::kb::article(&mut tx, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("article"))?;
    keep_unsaid(&mut fields, i, &before);
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
    let t = crate::domain::text(text, VARIANT_MAX).map_err(|e| Error::invalid("text", e))?;
    let t = t.as_str();
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

/// Reads `FIELD=KEY` pairs: the file's own names for the fields (`title=question`).
pub fn parse_columns<'a>(
    pairs: impl IntoIterator<Item = &'a str>,
) -> Result<HashMap<String, String>> {
    let mut map = HashMap::new();
    for p in pairs.into_iter().map(str::trim).filter(|p| !p.is_empty()) {
        let (field, key) = p.split_once('=').ok_or_else(|| {
            Error::invalid(
                "columns",
                Invalid::new("invalid_columns", format!("«{p}»: expected FIELD=KEY")),
            )
        })?;
        let (field, key) = (field.trim(), key.trim());
        if !FIELDS.contains(&field) {
            return Err(Error::invalid(
                "columns",
                Invalid::new(
                    "unknown_field",
                    format!("«{field}» is not one of: {}", FIELDS.join(", ")),
                ),
            ));
        }
        map.insert(field.to_string(), key.to_string());
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

/// A list given as text (a CSV cell, a JSON string): items on their own lines or between `|`.
fn split_list(v: &str) -> Vec<String> {
    v.split(['\n', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// One line read into an article: `get` gives a field's text, `variants` the line's variants.
fn line_input(
    get: &dyn Fn(&str) -> Option<String>,
    variants: Vec<String>,
) -> std::result::Result<ArticleInput, String> {
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
        variants,
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

/// A line of a file: its number and the article it gives, or why not.
type Line = (usize, std::result::Result<ArticleInput, String>);
type Object = serde_json::Map<String, serde_json::Value>;

fn object_input(
    obj: &Object,
    key: &dyn Fn(&str) -> String,
) -> std::result::Result<ArticleInput, String> {
    // A JSON list of variants is taken item by item (an item may hold a `|`).
    let variants = match obj.get(&key("variants")) {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|x| field_text(x, " "))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect(),
        Some(v) => field_text(v, "\n")
            .map(|t| split_list(&t))
            .unwrap_or_default(),
        None => Vec::new(),
    };
    line_input(
        &|f: &str| {
            let sep = if f == "keywords" { ", " } else { "\n" };
            obj.get(&key(f)).and_then(|v| field_text(v, sep))
        },
        variants,
    )
}

/// The lines of a JSONL file, or the items of a JSON array (item N is line N).
fn json_lines(data: &[u8], key: &dyn Fn(&str) -> String) -> Result<Vec<Line>> {
    let text = std::str::from_utf8(data).map_err(|_| {
        Error::invalid(
            "file",
            Invalid::new("invalid_utf8", "the file is not UTF-8"),
        )
    })?;
    let text = text.trim_start_matches('\u{feff}');
    if text.trim_start().starts_with('[') {
        let items: Vec<serde_json::Value> = serde_json::from_str(text).map_err(|e| {
            Error::invalid(
                "file",
                Invalid::new("invalid_json", format!("not a JSON array: {e}")),
            )
        })?;
        return Ok(items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let r = match v {
                    serde_json::Value::Object(o) => object_input(o, key),
                    _ => Err("not a JSON object".to_string()),
                };
                (i + 1, r)
            })
            .collect());
    }
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, raw)| !raw.trim().is_empty())
        .map(|(i, raw)| {
            let r = serde_json::from_str::<Object>(raw)
                .map_err(|e| format!("not a JSON object: {e}"))
                .and_then(|o| object_input(&o, key));
            (i + 1, r)
        })
        .collect())
}

/// The records of a CSV file with a header line, numbered by the line they start on.
fn csv_lines(data: &[u8], key: &dyn Fn(&str) -> String) -> Result<Vec<Line>> {
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
    let line_of = |p: Option<&csv::Position>| p.map_or(0, |p| p.line() as usize);
    Ok(rd
        .records()
        .map(|rec| match rec {
            Ok(rec) => {
                let get = |f: &str| index.get(f).and_then(|i| rec.get(*i)).map(str::to_string);
                let variants = get("variants").map(|v| split_list(&v)).unwrap_or_default();
                (line_of(rec.position()), line_input(&get, variants))
            }
            Err(e) => (line_of(e.position()), Err(format!("unreadable: {e}"))),
        })
        .collect())
}

/// Imports a file's articles. Every line is checked first; of lines giving the same article
/// (its external id, else its title in its language) the first is kept. An article is found
/// again the same way, updated when it changed and left alone when not; what the file does not
/// say (published, language) keeps its value, and the variants the file gives replace those a
/// previous import gave (an advisor's stay). Lines are written 500 to a transaction: a database
/// failure midway leaves the batches before it written (a rerun finishes the job).
pub async fn import(
    store: &Store,
    org_id: i64,
    data: &[u8],
    format: Format,
    columns: &HashMap<String, String>,
) -> Result<ImportReport> {
    let key = |f: &str| columns.get(f).cloned().unwrap_or_else(|| f.to_string());
    let lines = match format {
        Format::Jsonl => json_lines(data, &key)?,
        Format::Csv => csv_lines(data, &key)?,
    };
    let mut report = ImportReport::default();
    let mut accepted = Vec::with_capacity(lines.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (line, parsed) in lines {
        let input = match parsed {
            Ok(i) => i,
            Err(why) => {
                report.refused.push((line, why));
                continue;
            }
        };
        let (fields, variants) = match check(&input) {
            Ok(x) => x,
            Err(e @ Error::Invalid(_)) => {
                report.refused.push((line, reason(&e)));
                continue;
            }
            Err(e) => return Err(e),
        };
        let (same_key, said) = match &fields.external_id {
            Some(e) => (format!("id {e}"), format!("external_id: «{e}»")),
            None => (
                format!("title {} {}", fields.lang, fields.title),
                "title: the same title".to_string(),
            ),
        };
        if let Some(first) = seen.get(&same_key) {
            report.refused.push((
                line,
                format!("{said} is already on line {first} of this file"),
            ));
            continue;
        }
        seen.insert(same_key, line);
        accepted.push((input, fields, variants));
    }
    let now = now_ms();
    for chunk in accepted.chunks(BATCH) {
        let mut tx = store.begin().await?;
        let mut changed = false;
        for (input, fields, variants) in chunk {
            let mut fields = fields.clone();
            let existing = match &fields.external_id {
                Some(e) => store::kb::by_external(&mut tx, org_id, e).await?,
                None => store::kb::by_title(&mut tx, org_id, &fields.lang, &fields.title).await?,
            };
            let id = match existing {
                Some(a) => {
                    keep_unsaid(&mut fields, input, &a);
                    let before = store::kb::variants(&mut tx, a.id).await?;
                    let advisors: HashSet<String> = before
                        .iter()
                        .filter(|v| v.source != "import")
                        .map(|v| fold_key(&v.text))
                        .collect();
                    let old: Vec<String> = before
                        .iter()
                        .filter(|v| v.source == "import")
                        .map(|v| fold_key(&v.text))
                        .collect();
                    let new: Vec<String> = variants
                        .iter()
                        .map(|v| fold_key(v))
                        .filter(|k| !advisors.contains(k))
                        .collect();
                    if same(&a, &fields) && old == new {
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
            for v in variants {
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

/// What an update does not say keeps the article's value: published or draft, the language.
fn keep_unsaid(fields: &mut ArticleFields, input: &ArticleInput, a: &Article) {
    if input.published.is_none() {
        fields.published = a.published != 0;
    }
    if input.lang.is_none() {
        fields.lang = a.lang.clone();
    }
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
    columns: &[String],
) -> anyhow::Result<ImportReport> {
    let p = path.display().to_string();
    let format = Format::of_path(&p)
        .ok_or_else(|| anyhow::anyhow!("{p}: expected a .jsonl or .csv file"))?;
    let columns = parse_columns(columns.iter().map(String::as_str))
        .map_err(|e| anyhow::anyhow!(reason(&e)))?;
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
        let i = object_input(&obj, &|f: &str| {
            map.get(f).copied().unwrap_or(f).to_string()
        })
        .unwrap();
        assert_eq!(i.external_id.as_deref(), Some("F1"));
        assert_eq!(i.variants, ["a", "b"]);
        assert_eq!(i.keywords, "x, y");
        assert_eq!(i.published, Some(false));
        assert!(
            line_input(
                &|f: &str| (f == "published").then(|| "peut-être".into()),
                vec![]
            )
            .is_err()
        );
        // A variant of a JSON list keeps its «|»; a CSV cell splits on it.
        let obj: Object = serde_json::from_str(r#"{"title": "T", "variants": ["a | b"]}"#).unwrap();
        assert_eq!(
            object_input(&obj, &|f: &str| f.to_string())
                .unwrap()
                .variants,
            ["a | b"]
        );
        assert_eq!(split_list("a | b\nc"), ["a", "b", "c"]);
    }
}
