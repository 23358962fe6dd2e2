//! Indicators (seed 001: QUALIOS's indicators "dont les objectifs sont redéfinis tous les ans",
//! reviewed every quarter): a catalogue with an owner, a process, a figure Pacte computes or a
//! value entered each month, a yearly target with quarterly milestones and a red threshold. The
//! quarterly review (or a monthly process committee) freezes each indicator's figure with its
//! target and trend and asks a decision for every missed target: an axis of progress (a
//! non-conformity, and so a plan) or a justified "no action".

use super::figure::{self, Figure, Months, Source};
use crate::domain::Invalid;
use crate::domain::quality::{self as rules, Rag, rag_of};
use crate::service::{Actor, Checks, Error, Result, now_ms};
use crate::store::quality::{Kpi, Line, Review, Target};
use crate::store::{self, Conn, Store};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

const PROCESSES: [&str; 3] = ["business", "support", "management"];
const UNITS: [&str; 6] = ["percent", "points", "count", "euros", "minutes", "score"];

/// An indicator with this year's target and its latest figures.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KpiView {
    pub kpi: Kpi,
    pub target: Option<Target>,
    /// Last complete month.
    pub month: String,
    pub last_month: Figure,
    pub last_month_rag: Rag,
    /// The quarter under way, to date (its complete months; the last month when none is).
    pub quarter: String,
    /// Its first month ("YYYY-MM").
    pub quarter_start: String,
    pub quarter_to_date: Figure,
    pub quarter_rag: Rag,
    /// The milestone of the quarter under way, or the yearly target.
    pub quarter_goal: Option<f64>,
}

fn milestone(t: &Target, quarter: i8) -> f64 {
    match quarter {
        1 => t.q1,
        2 => t.q2,
        3 => t.q3,
        _ => t.q4,
    }
    .unwrap_or(t.target)
}

fn quarter_of(d: Date) -> i8 {
    (d.month() - 1) / 3 + 1
}

pub async fn catalogue(store: &Store, actor: &Actor) -> Result<Vec<KpiView>> {
    actor.require(actor.role.can_pilot_quality())?;
    let mut c = store.reader().await?;
    let today = jiff::Zoned::now().date();
    let last = Months::before(today, 1);
    let q = quarter_of(last.from);
    let q_start = Date::new(last.from.year(), (q - 1) * 3 + 1, 1).unwrap_or(last.from);
    let qtd = Months {
        from: q_start,
        to: last.to,
    };
    let targets =
        store::quality::targets(&mut c, actor.org_id, i64::from(last.from.year())).await?;
    let mut out = Vec::new();
    for k in store::quality::kpis(&mut c, actor.org_id).await? {
        let t = targets.iter().find(|t| t.kpi_id == k.id).cloned();
        let src = Source::Kpi(k.id);
        let m = figure::compute(&mut c, actor.org_id, &src, None, last).await?;
        let qf = figure::compute(&mut c, actor.org_id, &src, None, qtd).await?;
        let higher = k.higher_is_better != 0;
        let goal = t.as_ref().map(|t| milestone(t, q));
        out.push(KpiView {
            last_month_rag: t.as_ref().map_or(Rag::NoData, |t| {
                rag_of(m.value, m.interval(), t.target, t.red_at, higher)
            }),
            quarter_rag: t.as_ref().map_or(Rag::NoData, |t| {
                rag_of(qf.value, qf.interval(), milestone(t, q), t.red_at, higher)
            }),
            month: last.from_ym(),
            quarter_start: qtd.from_ym(),
            quarter: format!("{}-T{q}", last.from.year()),
            last_month: m,
            quarter_to_date: qf,
            quarter_goal: goal,
            target: t,
            kpi: k,
        });
    }
    Ok(out)
}

/// One indicator's figure month by month, oldest first.
pub async fn history(
    store: &Store,
    actor: &Actor,
    id: i64,
    months: i64,
) -> Result<(Kpi, Vec<(String, Figure)>)> {
    actor.require(actor.role.can_pilot_quality())?;
    let mut c = store.reader().await?;
    let k = store::quality::kpi(&mut c, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("indicator"))?;
    let span = Months::before(jiff::Zoned::now().date(), months.clamp(1, 24));
    let mut out = Vec::new();
    let mut m = span.from;
    while m <= span.to {
        let f = figure::compute(
            &mut c,
            actor.org_id,
            &Source::Kpi(id),
            None,
            Months::month(m),
        )
        .await?;
        out.push((format!("{:04}-{:02}", m.year(), m.month()), f));
        m = m
            .checked_add(jiff::Span::new().months(1))
            .unwrap_or(span.to.tomorrow().unwrap_or(span.to));
    }
    Ok((k, out))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct KpiInput {
    /// Stable code within the organisation (letters, digits, "-", "_").
    pub code: String,
    pub name_fr: String,
    pub name_en: Option<String>,
    /// business, support or management.
    pub process: String,
    pub owner_user_id: Option<i64>,
    pub owner_team_id: Option<i64>,
    /// A built-in figure (see the efficacy checks), or none for a value entered each month.
    pub figure: Option<String>,
    pub site: Option<String>,
    /// percent, points, count, euros, minutes or score (default: the figure's).
    pub unit: Option<String>,
    pub higher_is_better: Option<bool>,
}

pub async fn put(store: &Store, actor: &Actor, input: &KpiInput) -> Result<Kpi> {
    actor.require(actor.role.can_decide_quality())?;
    let mut k = Checks::default();
    let code = input.code.trim();
    if code.is_empty()
        || code.len() > 40
        || !code
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
    {
        k.refuse("code", "invalid_code", "1–40 letters, digits, «-» or «_»");
    }
    let name_fr = k.check("name_fr", rules::text(&input.name_fr, 200));
    let name_en = match crate::service::present(&input.name_en) {
        Some(n) => k.check("name_en", rules::text(n, 200)),
        None => name_fr.clone(),
    };
    if !PROCESSES.contains(&input.process.trim()) {
        k.refuse(
            "process",
            "invalid_process",
            "business, support or management",
        );
    }
    let mut c = store.begin().await?;
    let src = match crate::service::present(&input.figure) {
        Some(f) => match Source::parse(f) {
            Ok(Source::Kpi(_)) => {
                k.refuse(
                    "figure",
                    "invalid_figure",
                    "an indicator reads a built-in figure, not another indicator",
                );
                None
            }
            Ok(s) => {
                if let Err(Error::Invalid(fs)) = figure::check(&mut c, actor.org_id, &s).await {
                    for f in fs {
                        k.refuse("figure", "unknown_figure", f.message);
                    }
                }
                Some(s)
            }
            Err(e) => {
                k.check::<()>("figure", Err(e));
                None
            }
        },
        None => None,
    };
    let unit = input
        .unit
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| src.as_ref().map_or("count", Source::unit));
    if !UNITS.contains(&unit) {
        k.refuse("unit", "invalid_unit", UNITS.join(", "));
    }
    let site_id = match crate::service::present(&input.site) {
        Some(code) => match store::org::site_by_code(&mut c, actor.org_id, code).await? {
            Some(s) => Some(s.id),
            None => {
                k.refuse(
                    "site",
                    "unknown_site",
                    format!("no site has the code «{code}»"),
                );
                None
            }
        },
        None => None,
    };
    if let Some(u) = input.owner_user_id
        && store::org::user_in_org(&mut c, actor.org_id, u)
            .await?
            .is_none()
    {
        k.refuse(
            "owner_user_id",
            "unknown_user",
            format!("no user has the id {u}"),
        );
    }
    if let Some(t) = input.owner_team_id
        && store::org::team_in_org(&mut c, actor.org_id, t)
            .await?
            .is_none()
    {
        k.refuse(
            "owner_team_id",
            "unknown_team",
            format!("no team has the id {t}"),
        );
    }
    k.finish()?;
    let (Some(name_fr), Some(name_en)) = (name_fr, name_en) else {
        return Err(Error::Internal("checked input".into()));
    };
    let key = src.as_ref().map(Source::key);
    let id = store::quality::put_kpi(
        &mut c,
        actor.org_id,
        &store::quality::NewKpi {
            code,
            name_fr: &name_fr,
            name_en: &name_en,
            process: input.process.trim(),
            owner_user_id: input.owner_user_id,
            owner_team_id: input.owner_team_id,
            figure: key.as_deref(),
            site_id,
            unit,
            higher_is_better: input
                .higher_is_better
                .unwrap_or_else(|| src.as_ref().is_none_or(Source::higher_is_better)),
        },
        now_ms(),
    )
    .await?;
    let kpi = store::quality::kpi(&mut c, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("indicator"))?;
    c.commit().await?;
    Ok(kpi)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TargetInput {
    pub year: i64,
    pub target: f64,
    /// Under it (over it when lower is better) the indicator is red; between the two, amber.
    pub red_at: Option<f64>,
    pub q1: Option<f64>,
    pub q2: Option<f64>,
    pub q3: Option<f64>,
    pub q4: Option<f64>,
}

fn finite(field: &str, v: Option<f64>, k: &mut Checks) {
    if v.is_some_and(|v| !v.is_finite() || v.abs() > 1e12) {
        k.refuse(field, "out_of_range", "a finite number");
    }
}

/// Sets (or redefines) an indicator's target for a year.
pub async fn set_target(store: &Store, actor: &Actor, id: i64, t: &TargetInput) -> Result<Target> {
    actor.require(actor.role.can_decide_quality())?;
    let mut k = Checks::default();
    if !(2000..=2100).contains(&t.year) {
        k.refuse("year", "out_of_range", "a year from 2000 to 2100");
    }
    for (f, v) in [
        ("target", Some(t.target)),
        ("red_at", t.red_at),
        ("q1", t.q1),
        ("q2", t.q2),
        ("q3", t.q3),
        ("q4", t.q4),
    ] {
        finite(f, v, &mut k);
    }
    let mut c = store.begin().await?;
    let kpi = store::quality::kpi(&mut c, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("indicator"))?;
    if let Some(r) = t.red_at {
        let wrong_side = if kpi.higher_is_better != 0 {
            r > t.target
        } else {
            r < t.target
        };
        if wrong_side {
            k.refuse(
                "red_at",
                "wrong_side",
                "the red threshold lies beyond the target, on the bad side",
            );
        }
    }
    k.finish()?;
    let row = Target {
        kpi_id: id,
        year: t.year,
        target: t.target,
        red_at: t.red_at,
        q1: t.q1,
        q2: t.q2,
        q3: t.q3,
        q4: t.q4,
    };
    store::quality::put_target(&mut c, &row).await?;
    c.commit().await?;
    Ok(row)
}

/// Enters a month's value of an indicator measured outside Pacte.
pub async fn enter_value(
    store: &Store,
    actor: &Actor,
    id: i64,
    month: &str,
    value: f64,
) -> Result<()> {
    actor.require(actor.role.can_pilot_quality())?;
    let mut k = Checks::default();
    let m = month.trim();
    if format!("{m}-01").parse::<Date>().is_err() || m.len() != 7 {
        k.refuse(
            "month",
            "invalid_month",
            format!("«{m}» is not a month (YYYY-MM)"),
        );
    }
    finite("value", Some(value), &mut k);
    let mut c = store.begin().await?;
    let kpi = store::quality::kpi(&mut c, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("indicator"))?;
    if kpi.figure.is_some() {
        k.refuse(
            "value",
            "computed",
            "this indicator is computed by Pacte from its data",
        );
    }
    if kpi.unit == "percent" && !(0.0..=100.0).contains(&value) {
        k.refuse("value", "out_of_range", "a percentage from 0 to 100");
    }
    k.finish()?;
    store::quality::put_value(&mut c, id, m, value, actor.user_id, now_ms()).await?;
    c.commit().await?;
    Ok(())
}

/// An indicator of the starter catalogue: code, French and English names, process, figure (none:
/// entered by hand), unit, higher is better, target, red threshold.
type StarterRow = (
    String,
    String,
    String,
    &'static str,
    Option<String>,
    &'static str,
    bool,
    f64,
    Option<f64>,
);
/// The same for the ones entered by hand, as written below.
type HandRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    f64,
    Option<f64>,
);

/// The starter catalogue: what the organisations of the seeds track — Pacte's own figures for
/// the commitments and surveys the organisation has, and the common ones entered by hand.
/// Adds only codes not yet there; returns how many it added.
pub async fn install_starter(store: &Store, actor: &Actor) -> Result<usize> {
    actor.require(actor.role.can_decide_quality())?;
    let mut c = store.begin().await?;
    let year = i64::from(jiff::Zoned::now().date().year());
    let have: Vec<String> = store::quality::kpis(&mut c, actor.org_id)
        .await?
        .into_iter()
        .map(|k| k.code)
        .collect();
    let mut rows: Vec<StarterRow> = Vec::new();
    for (family, title, req_bp, _) in store::quality::families(&mut c, actor.org_id).await? {
        let req = req_bp as f64 / 100.0;
        rows.push((
            format!("engagement-{family}"),
            format!("Engagement tenu\u{a0}: {title}"),
            format!("Commitment kept: {title}"),
            "business",
            Some(format!("commitment:{family}")),
            "percent",
            true,
            req,
            Some((req - 5.0).max(0.0)),
        ));
    }
    for s in store::survey::surveys(&mut c, actor.org_id).await? {
        let (code, fr, en, fig, target, red) = match s.kind.as_str() {
            "nps" => (
                "nps",
                "NPS",
                "NPS",
                format!("nps:{}", s.id),
                30.0,
                Some(0.0),
            ),
            "csat" => (
                "csat",
                "Clients satisfaits (CSAT)",
                "Satisfied customers (CSAT)",
                format!("csat:{}", s.id),
                85.0,
                Some(75.0),
            ),
            "ces" => (
                "ces",
                "Effort faible (CES)",
                "Low effort (CES)",
                format!("ces:{}", s.id),
                80.0,
                Some(65.0),
            ),
            _ => continue,
        };
        rows.push((
            format!("{code}-{}", s.id),
            format!("{fr} — {}", s.name),
            format!("{en} — {}", s.name),
            "business",
            Some(fig),
            if s.kind == "nps" { "points" } else { "percent" },
            true,
            target,
            red,
        ));
        if s.ask_solved != 0 {
            rows.push((
                format!("resolu-{}", s.id),
                format!("Résolu au premier contact — {}", s.name),
                format!("Solved at first contact — {}", s.name),
                "business",
                Some(format!("solved:{}", s.id)),
                "percent",
                true,
                60.0,
                Some(50.0),
            ));
        }
        rows.push((
            format!("reponse-{}", s.id),
            format!("Taux de réponse — {}", s.name),
            format!("Response rate — {}", s.name),
            "support",
            Some(format!("response_rate:{}", s.id)),
            "percent",
            true,
            25.0,
            Some(15.0),
        ));
    }
    let by_hand: [HandRow; 12] = [
        (
            "gestes",
            "Gestes commerciaux accordés",
            "Compensation granted",
            "management",
            "euros",
            false,
            500.0,
            Some(1_000.0),
        ),
        (
            "stock",
            "Dossiers en attente",
            "Cases waiting",
            "support",
            "count",
            false,
            200.0,
            Some(400.0),
        ),
        (
            "decroche",
            "Taux de décroché",
            "Calls answered",
            "business",
            "percent",
            true,
            90.0,
            Some(80.0),
        ),
        (
            "attrition",
            "Taux d'attrition (clients perdus)",
            "Attrition (customers lost)",
            "management",
            "percent",
            false,
            5.0,
            Some(8.0),
        ),
        (
            "rappels",
            "Appels répétés",
            "Repeat calls",
            "business",
            "percent",
            false,
            15.0,
            Some(25.0),
        ),
        (
            "dmt",
            "Durée moyenne de traitement",
            "Average handling time",
            "support",
            "minutes",
            false,
            6.0,
            Some(9.0),
        ),
        (
            "visite-mystere",
            "Note des visites mystères",
            "Mystery visit score",
            "business",
            "score",
            true,
            8.0,
            Some(7.0),
        ),
        (
            "non-reponse",
            "Taux de non-réponse",
            "Unanswered rate",
            "business",
            "percent",
            false,
            3.0,
            Some(6.0),
        ),
        (
            "ponctualite",
            "Ponctualité",
            "Punctuality",
            "business",
            "percent",
            true,
            95.0,
            Some(90.0),
        ),
        (
            "fiabilite",
            "Fiabilité de la préparation",
            "Order accuracy",
            "business",
            "percent",
            true,
            99.0,
            Some(97.0),
        ),
        (
            "reclamations",
            "Réclamations pour 1 000 clients",
            "Complaints per 1,000 customers",
            "management",
            "score",
            false,
            5.0,
            Some(10.0),
        ),
        (
            "formation",
            "Conseillers formés dans l'année",
            "Advisors trained this year",
            "management",
            "percent",
            true,
            90.0,
            Some(70.0),
        ),
    ];
    for (code, fr, en, process, unit, higher, target, red) in by_hand {
        let fig = match code {
            "gestes" => Some("compensation".to_string()),
            "stock" => Some("backlog".to_string()),
            _ => None,
        };
        rows.push((
            code.into(),
            fr.into(),
            en.into(),
            process,
            fig,
            unit,
            higher,
            target,
            red,
        ));
    }
    let now = now_ms();
    let mut added = 0;
    for (code, fr, en, process, fig, unit, higher, target, red) in rows {
        if have.contains(&code) {
            continue;
        }
        let id = store::quality::put_kpi(
            &mut c,
            actor.org_id,
            &store::quality::NewKpi {
                code: &code,
                name_fr: &fr,
                name_en: &en,
                process,
                owner_user_id: None,
                owner_team_id: None,
                figure: fig.as_deref(),
                site_id: None,
                unit,
                higher_is_better: higher,
            },
            now,
        )
        .await?;
        store::quality::put_target(
            &mut c,
            &Target {
                kpi_id: id,
                year,
                target,
                red_at: red,
                ..Target::default()
            },
        )
        .await?;
        added += 1;
    }
    c.commit().await?;
    Ok(added)
}

/// quarterly or monthly, and the period: "2026-T3" / "2026-Q3" or "2026-10".
fn period_of(kind: &str, period: &str) -> std::result::Result<(Months, String), Invalid> {
    let p = period.trim();
    match kind {
        "quarterly" => {
            let (y, q) = p
                .split_once(['T', 'Q', 't', 'q'])
                .map(|(y, q)| (y.trim_end_matches('-'), q))
                .ok_or_else(|| {
                    Invalid::new(
                        "invalid_period",
                        format!("«{p}» is not a quarter (2026-T3)"),
                    )
                })?;
            let (Ok(y), Ok(q)) = (y.parse::<i16>(), q.parse::<i8>()) else {
                return Err(Invalid::new(
                    "invalid_period",
                    format!("«{p}» is not a quarter (2026-T3)"),
                ));
            };
            let m = (1..=4)
                .contains(&q)
                .then(|| Months::quarter(y, q))
                .flatten()
                .ok_or_else(|| {
                    Invalid::new(
                        "invalid_period",
                        format!("«{p}» is not a quarter (2026-T3)"),
                    )
                })?;
            Ok((m, m.from_ym()))
        }
        "monthly" => {
            let d = format!("{p}-01").parse::<Date>().map_err(|_| {
                Invalid::new("invalid_period", format!("«{p}» is not a month (2026-10)"))
            })?;
            let m = Months::month(d);
            Ok((m, m.from_ym()))
        }
        _ => Err(Invalid::new("invalid_kind", "quarterly or monthly")),
    }
}

fn months_of(r: &Review) -> Months {
    let from = format!("{}-01", r.period)
        .parse::<Date>()
        .unwrap_or_default();
    if r.kind == "quarterly" {
        Months::quarter(from.year(), quarter_of(from)).unwrap_or(Months::month(from))
    } else {
        Months::month(from)
    }
}

/// A review with its lines and the indicators they are about.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewView {
    pub review: Review,
    pub from: String,
    pub to: String,
    pub lines: Vec<ReviewLine>,
    /// Indicators that missed their goal and have no decision yet (the review cannot freeze).
    pub undecided: Vec<i64>,
}

/// An indicator and its line in a review.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewLine {
    pub kpi: Kpi,
    pub line: Line,
}

/// Lines need a decision when the goal was missed (amber or red).
fn needs_decision(l: &Line) -> bool {
    matches!(l.rag.as_str(), "amber" | "red") && l.decision.is_none()
}

async fn compute_lines(c: &mut Conn, org_id: i64, r: &Review) -> Result<()> {
    let months = months_of(r);
    let targets = store::quality::targets(c, org_id, i64::from(months.from.year())).await?;
    for k in store::quality::kpis(c, org_id).await? {
        let src = Source::Kpi(k.id);
        let f = figure::compute(c, org_id, &src, None, months).await?;
        let prev = figure::compute(c, org_id, &src, None, months.previous()).await?;
        let t = targets.iter().find(|t| t.kpi_id == k.id);
        let goal = t.map(|t| {
            if r.kind == "quarterly" {
                milestone(t, quarter_of(months.from))
            } else {
                t.target
            }
        });
        let status = match (t, goal) {
            (Some(t), Some(g)) => {
                rag_of(f.value, f.interval(), g, t.red_at, k.higher_is_better != 0)
            }
            _ => Rag::NoData,
        };
        store::quality::put_line(
            c,
            r.id,
            &Line {
                kpi_id: k.id,
                value: f.value,
                n: Some(f.n),
                target: t.map(|t| t.target),
                milestone: goal,
                previous: prev.value,
                rag: status.as_str().into(),
                decision: None,
                justification: String::new(),
                nc_id: None,
            },
        )
        .await?;
    }
    Ok(())
}

async fn view_in(c: &mut Conn, org_id: i64, id: i64) -> Result<ReviewView> {
    let review = store::quality::review(c, org_id, id)
        .await?
        .ok_or(Error::NotFound("review"))?;
    let kpis = store::quality::kpis(c, org_id).await?;
    let lines: Vec<ReviewLine> = store::quality::lines(c, id)
        .await?
        .into_iter()
        .filter_map(|line| {
            kpis.iter()
                .find(|k| k.id == line.kpi_id)
                .cloned()
                .map(|kpi| ReviewLine { kpi, line })
        })
        .collect();
    let m = months_of(&review);
    Ok(ReviewView {
        undecided: lines
            .iter()
            .filter(|x| needs_decision(&x.line))
            .map(|x| x.kpi.id)
            .collect(),
        from: m.from_ym(),
        to: m.to_ym(),
        review,
        lines,
    })
}

/// Opens a review (a draft computed from live figures), or returns the one already open.
pub async fn open_review(
    store: &Store,
    actor: &Actor,
    kind: &str,
    period: &str,
) -> Result<ReviewView> {
    actor.require(actor.role.can_pilot_quality())?;
    let (_, start) = period_of(kind, period).map_err(|e| Error::invalid("period", e))?;
    let mut tx = store.begin().await?;
    let id = match store::quality::insert_review(
        &mut tx,
        actor.org_id,
        kind,
        &start,
        actor.user_id,
        now_ms(),
    )
    .await?
    {
        Some(id) => {
            let r = store::quality::review(&mut tx, actor.org_id, id)
                .await?
                .ok_or(Error::NotFound("review"))?;
            compute_lines(&mut tx, actor.org_id, &r).await?;
            id
        }
        None => store::quality::reviews(&mut tx, actor.org_id)
            .await?
            .into_iter()
            .find(|r| r.kind == kind && r.period == start)
            .map(|r| r.id)
            .ok_or(Error::NotFound("review"))?,
    };
    let v = view_in(&mut tx, actor.org_id, id).await?;
    tx.commit().await?;
    Ok(v)
}

pub async fn reviews(store: &Store, actor: &Actor) -> Result<Vec<Review>> {
    actor.require(actor.role.can_pilot_quality())?;
    let mut c = store.reader().await?;
    Ok(store::quality::reviews(&mut c, actor.org_id).await?)
}

pub async fn review(store: &Store, actor: &Actor, id: i64) -> Result<ReviewView> {
    actor.require(actor.role.can_pilot_quality())?;
    let mut c = store.reader().await?;
    view_in(&mut c, actor.org_id, id).await
}

fn draft(r: &Review) -> Result<()> {
    if r.status == "frozen" {
        return Err(Error::Conflict {
            code: "frozen",
            message: "this review is frozen: its figures and decisions stay as they were".into(),
        });
    }
    Ok(())
}

/// Recomputes a draft's figures (decisions taken stay).
pub async fn refresh(store: &Store, actor: &Actor, id: i64) -> Result<ReviewView> {
    actor.require(actor.role.can_pilot_quality())?;
    let mut tx = store.begin().await?;
    let r = store::quality::review(&mut tx, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("review"))?;
    draft(&r)?;
    compute_lines(&mut tx, actor.org_id, &r).await?;
    let v = view_in(&mut tx, actor.org_id, id).await?;
    tx.commit().await?;
    Ok(v)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DecisionInput {
    /// plan (an axis of progress: opens a non-conformity, and so a plan) or no_action.
    pub decision: String,
    /// Required for no_action; for a plan, what the axis of progress is.
    #[serde(default)]
    pub justification: String,
}

/// Decides what follows a missed target.
pub async fn decide(
    store: &Store,
    actor: &Actor,
    id: i64,
    kpi_id: i64,
    input: &DecisionInput,
) -> Result<ReviewView> {
    actor.require(actor.role.can_pilot_quality())?;
    let mut k = Checks::default();
    let decision = input.decision.trim();
    if !["plan", "no_action"].contains(&decision) {
        k.refuse("decision", "invalid_decision", "plan or no_action");
    }
    let just = input.justification.trim();
    if decision == "no_action" && just.is_empty() {
        k.refuse(
            "justification",
            "required",
            "say why no action follows a missed target",
        );
    }
    if just.chars().count() > rules::MAX_TEXT {
        k.refuse(
            "justification",
            "too_long",
            format!("at most {} characters", rules::MAX_TEXT),
        );
    }
    k.finish()?;
    let now = now_ms();
    let mut tx = store.begin().await?;
    let r = store::quality::review(&mut tx, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("review"))?;
    draft(&r)?;
    let kpi = store::quality::kpi(&mut tx, actor.org_id, kpi_id)
        .await?
        .ok_or(Error::NotFound("indicator"))?;
    let line = store::quality::lines(&mut tx, id)
        .await?
        .into_iter()
        .find(|l| l.kpi_id == kpi_id)
        .ok_or(Error::NotFound("line"))?;
    let nc_id = match (decision, line.nc_id) {
        ("plan", Some(existing)) => Some(existing),
        ("plan", None) => {
            let fr = crate::i18n::Lang::Fr;
            let label = if r.kind == "quarterly" {
                format!("Revue du {}", fr.quarter(&r.period))
            } else {
                format!("Comité de {}", fr.month(&r.period))
            };
            let title = format!("{label}\u{a0}: {} sous son objectif", kpi.name_fr);
            let nc = store::quality::insert_nc(
                &mut tx,
                actor.org_id,
                &store::quality::NewNc {
                    origin: "kpi",
                    source_key: None,
                    title: &title,
                    description: just,
                    severity: if line.rag == "red" { "major" } else { "minor" },
                    owner_id: kpi.owner_user_id.or(Some(actor.user_id)),
                    site_id: kpi.site_id,
                    commitment_id: None,
                    kpi_id: Some(kpi_id),
                    case_id: None,
                    theme: None,
                    occurrences: 1,
                    seen_at: now,
                    created_by: Some(actor.user_id),
                },
                now,
            )
            .await?
            .ok_or_else(|| Error::Internal("a key-less record cannot conflict".into()))?;
            super::note(
                &mut tx,
                actor.org_id,
                nc,
                Some(actor.user_id),
                "opened",
                "kpi_review",
                now,
            )
            .await?;
            let n = super::get_in(&mut tx, actor.org_id, nc).await?;
            super::emit(&mut tx, actor.org_id, "quality.nc_opened", &n, now).await?;
            Some(nc)
        }
        _ => None,
    };
    store::quality::decide_line(&mut tx, id, kpi_id, decision, just, nc_id).await?;
    let v = view_in(&mut tx, actor.org_id, id).await?;
    tx.commit().await?;
    Ok(v)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NotesInput {
    #[serde(default)]
    pub attendees: String,
    #[serde(default)]
    pub minutes: String,
}

pub async fn set_notes(
    store: &Store,
    actor: &Actor,
    id: i64,
    n: &NotesInput,
) -> Result<ReviewView> {
    actor.require(actor.role.can_pilot_quality())?;
    let mut k = Checks::default();
    if n.attendees.chars().count() > 2_000 {
        k.refuse("attendees", "too_long", "at most 2,000 characters");
    }
    if n.minutes.chars().count() > 50_000 {
        k.refuse("minutes", "too_long", "at most 50,000 characters");
    }
    k.finish()?;
    let mut tx = store.begin().await?;
    let r = store::quality::review(&mut tx, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("review"))?;
    draft(&r)?;
    store::quality::set_review_notes(&mut tx, id, n.attendees.trim(), n.minutes.trim()).await?;
    let v = view_in(&mut tx, actor.org_id, id).await?;
    tx.commit().await?;
    Ok(v)
}

/// Freezes a review: every missed target must have its decision, and attendees be named.
/// Afterwards its figures and decisions never change.
pub async fn freeze(store: &Store, actor: &Actor, id: i64) -> Result<ReviewView> {
    actor.require(actor.role.can_decide_quality())?;
    let now = now_ms();
    let mut tx = store.begin().await?;
    let v = view_in(&mut tx, actor.org_id, id).await?;
    draft(&v.review)?;
    let mut k = Checks::default();
    for kpi in &v.undecided {
        k.refuse(
            &format!("lines[{kpi}].decision"),
            "decision_required",
            "a missed target needs a decision: a plan or a justified no action",
        );
    }
    if v.review.attendees.trim().is_empty() {
        k.refuse("attendees", "required", "who attended the review");
    }
    k.finish()?;
    if !store::quality::freeze_review(&mut tx, id, actor.user_id, now).await? {
        return Err(Error::Conflict {
            code: "frozen",
            message: "this review is already frozen".into(),
        });
    }
    let v = view_in(&mut tx, actor.org_id, id).await?;
    tx.commit().await?;
    Ok(v)
}
