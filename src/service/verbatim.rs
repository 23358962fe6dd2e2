//! Verbatims: the organisation's theme rules (keywords matched on stems, per language), tags
//! recomputed when rules change, and the top irritants of a period with example quotes.

use crate::service::survey::record::{Rules, month_of};
use crate::service::{Actor, Checks, Error, Result, now_ms};
use crate::store::{self, Store};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    pub theme: String,
    /// Words or phrases, separated by commas: "attente, file d'attente, délai".
    pub keywords: String,
    /// fr | en: the language of the answers the rule reads.
    #[serde(default = "fr")]
    pub lang: String,
}

fn fr() -> String {
    "fr".into()
}

pub async fn rules(store: &Store, actor: &Actor) -> Result<Vec<store::survey::RuleRow>> {
    actor.require(actor.role.can_read_voice())?;
    let mut c = store.reader().await?;
    Ok(store::survey::rules(&mut c, actor.org_id).await?)
}

/// Adds or replaces a rule, then re-tags every answer.
pub async fn put_rule(store: &Store, actor: &Actor, r: &RuleInput) -> Result<usize> {
    actor.require(actor.role.can_define_surveys())?;
    let mut ch = Checks::default();
    let theme = r.theme.trim();
    if theme.is_empty() || theme.chars().count() > 60 || theme.contains(',') {
        ch.refuse(
            "theme",
            "invalid_theme",
            "a name of 1 to 60 characters, without commas",
        );
    }
    if r.keywords.trim().is_empty() || r.keywords.chars().count() > 2_000 {
        ch.refuse("keywords", "required", "1 to 2,000 characters of keywords");
    }
    if r.lang != "fr" && r.lang != "en" {
        ch.refuse("lang", "invalid_lang", "fr or en");
    }
    ch.finish()?;
    let mut tx = store.begin().await?;
    store::survey::put_rule(
        &mut tx,
        actor.org_id,
        theme,
        r.keywords.trim(),
        &r.lang,
        now_ms(),
    )
    .await?;
    tx.commit().await?;
    retag(store, actor.org_id).await
}

pub async fn delete_rule(store: &Store, actor: &Actor, id: i64) -> Result<usize> {
    actor.require(actor.role.can_define_surveys())?;
    let mut tx = store.begin().await?;
    if !store::survey::delete_rule(&mut tx, actor.org_id, id).await? {
        return Err(Error::NotFound("rule"));
    }
    tx.commit().await?;
    retag(store, actor.org_id).await
}

/// Re-tags every answer with a comment under the current rules and rebuilds the theme counts,
/// in one transaction (readers see the old tags or the new ones, never a mix). Returns how
/// many answers were read.
pub async fn retag(store: &Store, org_id: i64) -> Result<usize> {
    let mut tx = store.begin().await?;
    let rules = Rules::load(&mut tx, org_id).await?;
    let (tz, _) = store::org::org_calendar(&mut tx, org_id).await?;
    store::survey::clear_themes(&mut tx, org_id).await?;
    let mut counts = crate::service::survey::record::Deltas::default();
    let mut after = 0;
    let mut n = 0;
    loop {
        let batch = store::survey::comments_after(&mut tx, org_id, after, 1_000).await?;
        if batch.is_empty() {
            break;
        }
        for r in &batch {
            let (themes, polarity) = rules.tag(&r.comment, &r.lang);
            if themes != r.themes || polarity != r.polarity {
                store::survey::set_tags(&mut tx, r.id, &themes, polarity).await?;
            }
            let month = month_of(r.answered_at, &tz);
            for t in themes.split(',').filter(|t| !t.is_empty()) {
                counts.theme(org_id, &month, t, polarity);
            }
            after = r.id;
            n += 1;
        }
    }
    counts.flush(&mut tx).await?;
    tx.commit().await?;
    Ok(n)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Irritant {
    pub theme: String,
    pub mentions: i64,
    pub negative: i64,
    pub positive: i64,
    /// The latest negative comments on the theme.
    pub quotes: Vec<String>,
}

/// Themes of a period (default: the last 12 months), the most negative first, with quotes.
pub async fn irritants(
    store: &Store,
    actor: &Actor,
    q: &crate::service::survey::figures::Query,
    top: usize,
) -> Result<Vec<Irritant>> {
    actor.require(actor.role.can_read_voice())?;
    let mut c = store.reader().await?;
    let (tz, _) = store::org::org_calendar(&mut c, actor.org_id).await?;
    let (from, to) = crate::service::survey::figures::period(q, &tz)?;
    let (from, to) = (from.as_str(), to.as_str());
    let (start, end) = crate::service::survey::figures::month_bounds(from, to, &tz)?;
    let rows = store::survey::theme_tallies(&mut c, actor.org_id, from, to).await?;
    // One read of the latest negative comments quotes most themes; a theme absent from them
    // gets its own (rarer) look-up.
    let latest = store::survey::latest_negative(&mut c, actor.org_id, start, end, 100).await?;
    let mut out = Vec::new();
    for (theme, mentions, negative, positive) in rows.into_iter().filter(|r| r.2 > 0).take(top) {
        let tag = format!(",{theme},");
        let mut quotes: Vec<String> = Vec::new();
        // Distinct quotes: the same words twice tell nothing more.
        for (_, comment) in latest.iter().filter(|(themes, _)| themes.contains(&tag)) {
            if quotes.len() < 3 && !quotes.contains(comment) {
                quotes.push(comment.clone());
            }
        }
        if quotes.is_empty() {
            quotes = store::survey::negative_quotes(&mut c, actor.org_id, start, end, &theme, 3)
                .await?
                .into_iter()
                .map(|r| r.comment)
                .collect();
        }
        out.push(Irritant {
            theme,
            mentions,
            negative,
            positive,
            quotes,
        });
    }
    Ok(out)
}
