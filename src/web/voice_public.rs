//! Pages customers reach without signing in: answering a survey from its signed link (showing
//! the page records nothing; the confirmed form does, once), opting out, writing or withdrawing
//! a review from an invitation, and the public reviews of an organisation or a site (HTML with
//! schema.org markup, and JSON).

use super::PageLang;
use super::WebPath;
use super::client::ClientAddr;
use super::error::OrPage;
use crate::app::AppState;
use crate::i18n::Lang;
use crate::service::review::{self, LinkState, PublicReviews, ReviewInput};
use crate::service::survey::answer::{self, AnswerInput, Closed, Open};
use crate::service::{self, FieldError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;

fn lang_of(l: Option<PageLang>) -> Lang {
    l.map_or(Lang::Fr, |PageLang(l)| l)
}

/// The refusal when `key` posted too often, else `None`.
fn limited(st: &AppState, key: &str, l: Lang) -> Option<Response> {
    st.public_posts.hit(key).err().map(|wait| {
        (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, wait.to_string())],
            ClosedPage {
                l,
                title: l.t("public.too_many"),
                text: format!("{} {wait} s.", l.t("public.retry_in")),
            },
        )
            .into_response()
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "public_closed.html")]
pub struct ClosedPage {
    l: Lang,
    title: &'static str,
    text: String,
}

fn closed(l: Lang, c: Closed) -> Response {
    let (status, key) = match c {
        Closed::Forged => (StatusCode::NOT_FOUND, "survey.closed.forged"),
        Closed::Expired => (StatusCode::GONE, "survey.closed.expired"),
        Closed::Answered => (StatusCode::CONFLICT, "survey.closed.answered"),
        Closed::NotSent => (StatusCode::NOT_FOUND, "survey.closed.forged"),
    };
    (
        status,
        ClosedPage {
            l,
            title: l.t(key),
            text: l.t(&format!("{key}.text")).to_string(),
        },
    )
        .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "survey.html")]
pub struct SurveyPage {
    l: Lang,
    o: Open,
    token: String,
    score: Option<i64>,
    solved: Option<bool>,
    comment: String,
    marks: HashMap<String, i64>,
    errors: Vec<FieldError>,
}

impl SurveyPage {
    fn question(&self) -> &str {
        if self.l == Lang::En {
            &self.o.survey.question_en
        } else {
            &self.o.survey.question_fr
        }
    }
    fn why(&self) -> &str {
        if self.l == Lang::En {
            &self.o.survey.comment_en
        } else {
            &self.o.survey.comment_fr
        }
    }
    fn scores(&self) -> Vec<i64> {
        self.o
            .range
            .map(|(a, b)| (a..=b).collect())
            .unwrap_or_default()
    }
    fn asks_solved(&self) -> bool {
        self.o.kind == crate::domain::survey::SurveyKind::Solved || self.o.survey.ask_solved == 1
    }
    fn label(&self, c: &crate::service::survey::Criterion) -> String {
        if self.l == Lang::En {
            c.en.clone()
        } else {
            c.fr.clone()
        }
    }
    fn mark(&self, key: &str) -> i64 {
        self.marks.get(key).copied().unwrap_or(0)
    }
    fn low_label(&self) -> String {
        self.l
            .t(&format!("survey.low.{}", self.o.kind.as_str()))
            .to_string()
    }
    fn high_label(&self) -> String {
        self.l
            .t(&format!("survey.high.{}", self.o.kind.as_str()))
            .to_string()
    }
}

#[derive(Deserialize)]
pub struct ScoreQuery {
    /// Read leniently: a mangled score in a link only leaves nothing pre-selected.
    score: Option<String>,
}

/// The survey page. A score in the link (one click in the mail) is only pre-selected: the
/// customer confirms it with the form, so a link scanner records nothing.
pub async fn survey_page(
    State(st): State<AppState>,
    WebPath(token): WebPath<String>,
    Query(q): Query<ScoreQuery>,
    l: Option<PageLang>,
) -> Result<Response, super::WebError> {
    let l = lang_of(l);
    Ok(match answer::page(&st.store, &token).await.web(l)? {
        Ok(o) => {
            let score = q
                .score
                .and_then(|s| s.trim().parse::<i64>().ok())
                .filter(|s| o.range.is_some_and(|(a, b)| (a..=b).contains(s)));
            (
                [
                    (header::CACHE_CONTROL, "no-store"),
                    (header::REFERRER_POLICY, "no-referrer"),
                ],
                SurveyPage {
                    l,
                    o,
                    token,
                    score,
                    solved: None,
                    comment: String::new(),
                    marks: HashMap::new(),
                    errors: vec![],
                },
            )
                .into_response()
        }
        Err(c) => closed(l, c),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "survey_thanks.html")]
pub struct ThanksPage {
    l: Lang,
    reopened: bool,
    review_link: Option<String>,
}

pub async fn survey_submit(
    State(st): State<AppState>,
    WebPath(token): WebPath<String>,
    ClientAddr(client): ClientAddr,
    l: Option<PageLang>,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Result<Response, super::WebError> {
    let l = lang_of(l);
    if let Some(r) = limited(&st, &client, l) {
        return Ok(r);
    }
    let num = |k: &str| f.get(k).and_then(|v| v.trim().parse::<i64>().ok());
    let marks: HashMap<String, i64> = f
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.trim().parse().ok()?)))
        .collect();
    // Criteria come as imp_KEY / sat_KEY pairs; the survey decides which it needs.
    let criteria = f
        .keys()
        .filter_map(|k| k.strip_prefix("imp_"))
        .filter_map(|key| {
            Some(crate::service::survey::record::CriterionAnswer {
                key: key.to_string(),
                importance: num(&format!("imp_{key}"))?,
                satisfaction: num(&format!("sat_{key}"))?,
            })
        })
        .collect();
    let input = AnswerInput {
        score: num("score"),
        solved: f.get("solved").and_then(|v| match v.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        }),
        comment: f.get("comment").cloned().unwrap_or_default(),
        criteria,
        lang: l.code().into(),
    };
    // A non-numeric score is refused as "required" below, never guessed.
    match answer::submit(&st.store, &token, &input, &st.config.public_base()).await {
        Ok(Ok(r)) => Ok(ThanksPage {
            l,
            reopened: r.reopened_case,
            review_link: r.review_link,
        }
        .into_response()),
        Ok(Err(c)) => Ok(closed(l, c)),
        Err(service::Error::Invalid(errors)) => {
            // Refused: the page again, as typed, with the reasons.
            let o = match answer::page(&st.store, &token).await.web(l)? {
                Ok(o) => o,
                Err(c) => return Ok(closed(l, c)),
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                SurveyPage {
                    l,
                    token,
                    score: input.score,
                    solved: input.solved,
                    comment: input.comment,
                    marks,
                    errors,
                    o,
                },
            )
                .into_response())
        }
        Err(e) => Err(super::WebError::from_service(e, l)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "survey_stop.html")]
pub struct StopPage {
    l: Lang,
    token: String,
    done: bool,
}

/// Opting out: the page asks, the button records (a prefetcher opens, never posts).
pub async fn stop_page(WebPath(token): WebPath<String>, l: Option<PageLang>) -> Response {
    let l = lang_of(l);
    if !answer::genuine(&token) {
        return closed(l, Closed::Forged);
    }
    StopPage {
        l,
        token,
        done: false,
    }
    .into_response()
}

pub async fn stop(
    State(st): State<AppState>,
    WebPath(token): WebPath<String>,
    l: Option<PageLang>,
) -> Result<Response, super::WebError> {
    let l = lang_of(l);
    if !answer::opt_out(&st.store, &token).await.web(l)? {
        return Ok(closed(l, Closed::Forged));
    }
    Ok(StopPage {
        l,
        token,
        done: true,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "review_write.html")]
pub struct ReviewPage {
    l: Lang,
    token: String,
    state: LinkState,
    stars: i64,
    comment: String,
    errors: Vec<FieldError>,
    just_written: bool,
}

impl ReviewPage {
    fn reason(&self, r: &Option<String>) -> String {
        r.as_deref()
            .map(|r| self.l.t(&format!("review.reason.{r}")).to_string())
            .unwrap_or_default()
    }
}

pub async fn review_page(
    State(st): State<AppState>,
    WebPath(token): WebPath<String>,
    l: Option<PageLang>,
) -> Result<Response, super::WebError> {
    let l = lang_of(l);
    let state = review::link_state(&st.store, &token).await.web(l)?;
    Ok(review_response(
        l,
        token,
        state,
        0,
        String::new(),
        vec![],
        false,
    ))
}

fn review_response(
    l: Lang,
    token: String,
    state: LinkState,
    stars: i64,
    comment: String,
    errors: Vec<FieldError>,
    just_written: bool,
) -> Response {
    let status = match (&state, errors.is_empty()) {
        (_, false) => StatusCode::UNPROCESSABLE_ENTITY,
        (LinkState::Forged, _) => StatusCode::NOT_FOUND,
        (LinkState::Expired, _) => StatusCode::GONE,
        _ => StatusCode::OK,
    };
    (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        ReviewPage {
            l,
            token,
            state,
            stars,
            comment,
            errors,
            just_written,
        },
    )
        .into_response()
}

pub async fn review_submit(
    State(st): State<AppState>,
    WebPath(token): WebPath<String>,
    ClientAddr(client): ClientAddr,
    l: Option<PageLang>,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Result<Response, super::WebError> {
    let l = lang_of(l);
    if let Some(r) = limited(&st, &client, l) {
        return Ok(r);
    }
    let input = ReviewInput {
        stars: f.get("stars").and_then(|v| v.trim().parse().ok()),
        comment: f.get("comment").cloned().unwrap_or_default(),
        lang: l.code().into(),
    };
    match review::submit(&st.store, &token, &input, &st.config.public_base()).await {
        Ok(state) => Ok(review_response(
            l,
            token,
            state,
            0,
            String::new(),
            vec![],
            true,
        )),
        Err(service::Error::Invalid(errors)) => {
            let state = review::link_state(&st.store, &token).await.web(l)?;
            Ok(review_response(
                l,
                token,
                state,
                input.stars.unwrap_or(0),
                input.comment,
                errors,
                false,
            ))
        }
        Err(e) => Err(super::WebError::from_service(e, l)),
    }
}

pub async fn review_withdraw(
    State(st): State<AppState>,
    WebPath(token): WebPath<String>,
    l: Option<PageLang>,
) -> Result<Response, super::WebError> {
    let l = lang_of(l);
    review::withdraw(&st.store, &token).await.web(l)?;
    let state = review::link_state(&st.store, &token).await.web(l)?;
    Ok(review_response(
        l,
        token,
        state,
        0,
        String::new(),
        vec![],
        false,
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews_public.html")]
pub struct PublicPage {
    l: Lang,
    other_lang: &'static str,
    r: PublicReviews,
    base_path: String,
    flagged: bool,
}

impl PublicPage {
    /// The name as a JSON string for the ld+json block, which must never close its script.
    fn name_json(&self) -> String {
        serde_json::to_string(&self.r.org_name)
            .unwrap_or_default()
            .replace('<', "\\u003c")
    }
    fn average(&self) -> String {
        self.r
            .average
            .map(|a| format!("{a:.1}"))
            .unwrap_or_default()
    }
    /// The average as readers write it ("4,2" in French).
    fn average_shown(&self) -> String {
        let a = self.average();
        if self.l == Lang::Fr {
            a.replace('.', ",")
        } else {
            a
        }
    }
    fn share(&self, i: &usize) -> i64 {
        let n = self.r.count.max(1);
        self.r.distribution[*i] * 100 / n
    }
    fn date(&self, iso: &str) -> String {
        iso.parse::<jiff::Timestamp>()
            .map(|t| self.l.date(t.as_millisecond()))
            .unwrap_or_default()
    }
    fn stars(&self, n: &i64) -> String {
        "★".repeat(*n as usize) + &"☆".repeat(5 - *n as usize)
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    after: Option<String>,
    flagged: Option<String>,
}

async fn public_reviews(
    st: &AppState,
    slug: &str,
    site: Option<&str>,
    q: &PageQuery,
    l: Lang,
) -> Result<PublicReviews, super::WebError> {
    review::public(&st.store, slug, site, q.after.as_deref())
        .await
        .web(l)
}

pub async fn reviews_page(
    State(st): State<AppState>,
    WebPath(slug): WebPath<String>,
    Query(q): Query<PageQuery>,
    l: Option<PageLang>,
) -> Result<Response, super::WebError> {
    let l = lang_of(l);
    let r = public_reviews(&st, &slug, None, &q, l).await?;
    Ok(public_page(
        l,
        r,
        format!("/o/{slug}/avis"),
        q.flagged.is_some(),
    ))
}

pub async fn site_reviews_page(
    State(st): State<AppState>,
    WebPath((slug, code)): WebPath<(String, String)>,
    Query(q): Query<PageQuery>,
    l: Option<PageLang>,
) -> Result<Response, super::WebError> {
    let l = lang_of(l);
    let r = public_reviews(&st, &slug, Some(&code), &q, l).await?;
    Ok(public_page(
        l,
        r,
        format!("/o/{slug}/sites/{code}/avis"),
        q.flagged.is_some(),
    ))
}

fn public_page(l: Lang, r: PublicReviews, base_path: String, flagged: bool) -> Response {
    (
        [(header::CACHE_CONTROL, "public, max-age=30")],
        PublicPage {
            l,
            other_lang: if l == Lang::Fr { "en" } else { "fr" },
            r,
            base_path,
            flagged,
        },
    )
        .into_response()
}

pub async fn reviews_json(
    State(st): State<AppState>,
    WebPath(slug): WebPath<String>,
    Query(q): Query<PageQuery>,
) -> Result<impl IntoResponse, crate::api::error::ApiError> {
    let r = review::public(&st.store, &slug, None, q.after.as_deref()).await?;
    Ok(json(r))
}

pub async fn site_reviews_json(
    State(st): State<AppState>,
    WebPath((slug, code)): WebPath<(String, String)>,
    Query(q): Query<PageQuery>,
) -> Result<impl IntoResponse, crate::api::error::ApiError> {
    let r = review::public(&st.store, &slug, Some(&code), q.after.as_deref()).await?;
    Ok(json(r))
}

fn json(r: PublicReviews) -> impl IntoResponse {
    (
        [
            (header::CACHE_CONTROL, "public, max-age=30"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        Json(r),
    )
}

#[derive(Deserialize)]
pub struct FlagForm {
    reason: String,
    back: Option<String>,
}

/// A reader flags a review (once per address); the moderators see the count.
pub async fn flag(
    State(st): State<AppState>,
    WebPath((slug, id)): WebPath<(String, i64)>,
    ClientAddr(client): ClientAddr,
    l: Option<PageLang>,
    axum::Form(f): axum::Form<FlagForm>,
) -> Result<Response, super::WebError> {
    let l = lang_of(l);
    let key = client;
    if let Some(r) = limited(&st, &key, l) {
        return Ok(r);
    }
    review::flag(&st.store, &slug, id, &f.reason, &key)
        .await
        .web(l)?;
    let back = f
        .back
        .as_deref()
        .and_then(super::local_target)
        .filter(|b| b.starts_with(&format!("/o/{slug}/")) && !b.contains(['?', '#']))
        .unwrap_or(format!("/o/{}/avis", super::url_encode(&slug)));
    Ok(
        axum::response::Redirect::to(&format!("{back}?flagged=1&lang={}#review-{id}", l.code()))
            .into_response(),
    )
}
