//! The knowledge base for staff: the articles (search, write, publish, import a file), the ways
//! customers ask them, the bot tried out on a question, and its handoff rules.

use super::error::OrPage;
use super::view::Shell;
use super::{WebError, WebPath, WebUser};
use crate::app::AppState;
use crate::domain::Invalid;
use crate::i18n::Lang;
use crate::service::Error;
use crate::service::bot::{Answer, Question, RuleView};
use crate::service::kb::{self, ArticleInput, ArticleView, Format, ImportReport, ListQuery};
use crate::store::kb::Article;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Multipart, Query, State};
use axum::response::Redirect;
use serde::Deserialize;

/// A reason code in words: the starter rules' codes are worded, an organisation's own codes
/// are its own words.
pub fn reason_label(l: Lang, code: &str) -> String {
    let key = format!("bot.reason.{code}");
    let text = l.t(&key);
    if text == key {
        code.replace('_', " ")
    } else {
        text.to_string()
    }
}

#[derive(Deserialize, Default)]
pub struct KbQuery {
    q: Option<String>,
    published: Option<String>,
    /// A question to try the bot on.
    ask: Option<String>,
    ask_lang: Option<String>,
}

pub struct Tried {
    question: String,
    answer: Answer,
    reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "kb.html")]
pub struct KbPage {
    s: Shell,
    articles: Vec<Article>,
    total: i64,
    published: i64,
    q: String,
    filter: String,
    tried: Option<Tried>,
    editor: bool,
    report: Option<ImportReport>,
}

pub async fn page(
    State(st): State<AppState>,
    u: WebUser,
    Query(q): Query<KbQuery>,
) -> Result<KbPage, WebError> {
    kb_page(&st, &u, q, None).await
}

async fn kb_page(
    st: &AppState,
    u: &WebUser,
    q: KbQuery,
    report: Option<ImportReport>,
) -> Result<KbPage, WebError> {
    let l = u.lang;
    let filter = q.published.clone().unwrap_or_default();
    let list = ListQuery {
        published: match filter.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        },
        q: q.q.clone(),
    };
    let articles = kb::list(&st.store, &u.actor, &list, 500).await.web(l)?;
    let (total, published) = kb::counts(&st.store, &u.actor).await.web(l)?;
    let tried = match crate::service::present(&q.ask) {
        Some(question) => {
            let answer = st
                .bot
                .answer(
                    &st.store,
                    &u.actor,
                    &Question {
                        question: question.to_string(),
                        lang: Some(q.ask_lang.clone().unwrap_or_else(|| l.code().to_string())),
                        customer_id: None,
                        unhelpful: None,
                        minutes: None,
                    },
                )
                .await
                .web(l)?;
            Some(Tried {
                question: question.to_string(),
                reason: answer
                    .reason
                    .as_deref()
                    .map(|r| reason_label(l, r))
                    .unwrap_or_default(),
                answer,
            })
        }
        None => None,
    };
    Ok(KbPage {
        s: Shell::of(u),
        articles,
        total,
        published,
        q: q.q.unwrap_or_default(),
        filter,
        tried,
        editor: u.actor.role.can_edit_knowledge(),
        report,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "kb_article.html")]
pub struct ArticlePage {
    s: Shell,
    /// None: a new article.
    a: Option<ArticleView>,
    editor: bool,
}

pub async fn article(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
) -> Result<ArticlePage, WebError> {
    let a = kb::get(&st.store, &u.actor, id).await.web(u.lang)?;
    Ok(ArticlePage {
        s: Shell::of(&u),
        a: Some(a),
        editor: u.actor.role.can_edit_knowledge(),
    })
}

pub async fn new_article(u: WebUser) -> Result<ArticlePage, WebError> {
    u.actor
        .require(u.actor.role.can_edit_knowledge())
        .web(u.lang)?;
    Ok(ArticlePage {
        s: Shell::of(&u),
        a: None,
        editor: true,
    })
}

#[derive(Deserialize)]
pub struct ArticleForm {
    csrf: String,
    title: String,
    short_answer: String,
    body: String,
    keywords: String,
    lang: String,
    external_id: String,
    published: Option<String>,
}

impl ArticleForm {
    fn input(self) -> ArticleInput {
        ArticleInput {
            external_id: Some(self.external_id).filter(|e| !e.trim().is_empty()),
            lang: Some(self.lang),
            title: self.title,
            short_answer: self.short_answer,
            body: self.body,
            keywords: self.keywords,
            variants: Vec::new(),
            published: Some(self.published.is_some()),
        }
    }
}

pub async fn create(
    State(st): State<AppState>,
    u: WebUser,
    Form(f): Form<ArticleForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let a = kb::create(&st.store, &u.actor, &f.input())
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&format!("/kb/{}?done=saved", a.article.id)))
}

pub async fn update(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<ArticleForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    kb::update(&st.store, &u.actor, id, &f.input())
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&format!("/kb/{id}?done=saved")))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn delete(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    kb::delete(&st.store, &u.actor, id).await.web(u.lang)?;
    Ok(Redirect::to("/kb?done=kb_deleted"))
}

#[derive(Deserialize)]
pub struct VariantForm {
    csrf: String,
    text: String,
}

pub async fn add_variant(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<VariantForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    kb::add_variant(&st.store, &u.actor, id, &f.text)
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&format!("/kb/{id}?done=kb_variant")))
}

pub async fn delete_variant(
    State(st): State<AppState>,
    u: WebUser,
    WebPath((id, variant)): WebPath<(i64, i64)>,
    Form(f): Form<CsrfForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    kb::delete_variant(&st.store, &u.actor, id, variant)
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&format!("/kb/{id}?done=saved")))
}

/// A file sent from the page (multipart: the CSRF token, the file, the column mapping).
pub async fn import(
    State(st): State<AppState>,
    u: WebUser,
    mut form: Multipart,
) -> Result<KbPage, WebError> {
    let l = u.lang;
    let bad = |field: &str, code: &'static str, why: String| {
        WebError::from_service(Error::invalid(field, Invalid::new(code, why)), l)
    };
    let unreadable =
        |e: axum::extract::multipart::MultipartError| bad("file", "unreadable_body", e.body_text());
    let (mut csrf, mut data, mut name, mut columns) =
        (String::new(), Vec::new(), String::new(), String::new());
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.map_err(unreadable)?,
            "columns" => columns = field.text().await.map_err(unreadable)?,
            "file" => {
                name = field.file_name().unwrap_or("").to_string();
                data = field.bytes().await.map_err(unreadable)?.to_vec();
            }
            _ => {}
        }
    }
    u.check_csrf(&csrf)?;
    let format = Format::of_path(&name).ok_or_else(|| {
        bad(
            "file",
            "invalid_format",
            format!("«{name}» is not a .jsonl or .csv file"),
        )
    })?;
    let columns = kb::parse_columns(columns.split([',', '\n'])).web(l)?;
    let report = kb::import_as(&st.store, &u.actor, &data, format, &columns)
        .await
        .web(l)?;
    kb_page(&st, &u, KbQuery::default(), Some(report)).await
}

#[derive(Template, WebTemplate)]
#[template(path = "kb_rules.html")]
pub struct RulesPage {
    s: Shell,
    /// Each rule with its threshold as the reader writes numbers.
    rules: Vec<(RuleView, String)>,
    kinds: Vec<&'static str>,
    editor: bool,
}

pub async fn rules(State(st): State<AppState>, u: WebUser) -> Result<RulesPage, WebError> {
    let rules = crate::service::bot::rules(&st.store, &u.actor)
        .await
        .web(u.lang)?;
    Ok(RulesPage {
        s: Shell::of(&u),
        rules: rules
            .into_iter()
            .map(|r| {
                // As saved (shortest form), with the reader's decimal mark.
                let v = match u.lang {
                    Lang::Fr => r.value.to_string().replace('.', ","),
                    Lang::En => r.value.to_string(),
                };
                (r, v)
            })
            .collect(),
        kinds: crate::domain::bot::Kind::ALL
            .iter()
            .map(|k| k.as_str())
            .collect(),
        editor: u.actor.role.can_edit_knowledge(),
    })
}

/// The rules table as posted: `code`, `kind`, `words`, `value`, `enabled` repeated per row, in
/// order (a row with an empty code is dropped: the blank row for adding one, or a row cleared).
pub async fn put_rules(
    State(st): State<AppState>,
    u: WebUser,
    axum_extra::extract::Form(f): axum_extra::extract::Form<RulesForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let l = u.lang;
    let mut rules = Vec::new();
    for (i, code) in f.code.iter().enumerate() {
        if code.trim().is_empty() {
            continue;
        }
        let value = f
            .value
            .get(i)
            .map(|v| v.trim().replace(',', "."))
            .unwrap_or_default();
        rules.push(RuleView {
            code: code.clone(),
            kind: f.kind.get(i).cloned().unwrap_or_default(),
            words: f.words.get(i).cloned().unwrap_or_default(),
            value: if value.is_empty() {
                0.0
            } else {
                value.parse().map_err(|_| {
                    WebError::from_service(
                        Error::invalid(
                            &format!("rules[{i}].value"),
                            Invalid::new("invalid_number", format!("«{value}» is not a number")),
                        ),
                        l,
                    )
                })?
            },
            enabled: f.enabled.contains(&i.to_string()),
        });
    }
    crate::service::bot::put_rules(&st.store, &u.actor, &rules)
        .await
        .web(l)?;
    Ok(Redirect::to("/kb/rules?done=saved"))
}

#[derive(Deserialize)]
pub struct RulesForm {
    csrf: String,
    #[serde(default)]
    code: Vec<String>,
    #[serde(default)]
    kind: Vec<String>,
    #[serde(default)]
    words: Vec<String>,
    #[serde(default)]
    value: Vec<String>,
    /// The row numbers whose box is ticked.
    #[serde(default)]
    enabled: Vec<String>,
}
