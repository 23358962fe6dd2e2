//! Administration: sites, teams and users of the organisation.

use super::error::OrPage;
use super::view::{Shell, options};
use super::{WebError, WebPath, WebUser};
use crate::app::AppState;
use crate::domain::role::Role;
use crate::service::org::{self, SITE_KINDS, SiteInput, TeamInput, UserInput};
use crate::store::org::{Site, Team, User};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::response::Redirect;
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "admin.html")]
pub struct AdminPage {
    s: Shell,
    sites: Vec<Site>,
    teams: Vec<Team>,
    users: Vec<User>,
    site_kinds: Vec<(String, String)>,
    roles: Vec<(String, String)>,
    services: Vec<crate::service::counter::Service>,
    /// Sites allowed to frame the public pages, one per line.
    embed: String,
    slug: String,
    public_base: String,
}

impl AdminPage {
    fn site_name(&self, id: &Option<i64>) -> String {
        id.and_then(|id| self.sites.iter().find(|s| s.id == id))
            .map(|s| s.name.clone())
            .unwrap_or_default()
    }
    fn team_name(&self, id: &Option<i64>) -> String {
        id.and_then(|id| self.teams.iter().find(|t| t.id == id))
            .map(|t| t.name.clone())
            .unwrap_or_default()
    }
}

pub async fn page(State(st): State<AppState>, u: WebUser) -> Result<AdminPage, WebError> {
    let l = u.lang;
    u.actor.require(u.actor.role.can_administer()).web(l)?;
    Ok(AdminPage {
        sites: org::list_sites(&st.store, &u.actor).await.web(l)?,
        teams: org::list_teams(&st.store, &u.actor).await.web(l)?,
        users: org::list_users(&st.store, &u.actor).await.web(l)?,
        site_kinds: options(l, "sitekind", &SITE_KINDS),
        roles: options(l, "role", Role::ALL),
        services: crate::service::counter::services(&st.store, u.actor.org_id)
            .await
            .web(l)?,
        embed: crate::service::embed::get(&st.store, &u.actor)
            .await
            .web(l)?
            .origins
            .join("\n"),
        slug: org::own_org(&st.store, &u.actor).await.web(l)?.slug,
        public_base: st.config.public_base(),
        s: Shell::of(&u),
    })
}

#[derive(Deserialize)]
pub struct EmbedForm {
    csrf: String,
    #[serde(default)]
    origins: String,
}

pub async fn set_embedding(
    State(st): State<AppState>,
    u: WebUser,
    Form(f): Form<EmbedForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let e = crate::service::embed::Embedding {
        origins: f.origins.split_whitespace().map(String::from).collect(),
    };
    crate::service::embed::set(&st.store, &u.actor, &e, &st.embeds)
        .await
        .web(u.lang)?;
    Ok(Redirect::to("/admin?done=saved#embedding"))
}

#[derive(Deserialize)]
pub struct SiteForm {
    csrf: String,
    code: String,
    name: String,
    kind: String,
    time_zone: String,
    opening_hours: String,
}

pub async fn add_site(
    State(st): State<AppState>,
    u: WebUser,
    Form(f): Form<SiteForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let input = SiteInput {
        code: f.code,
        name: f.name,
        kind: f.kind,
        time_zone: f.time_zone,
        opening_hours: f.opening_hours,
    };
    org::add_site(&st.store, &u.actor, &input)
        .await
        .web(u.lang)?;
    Ok(Redirect::to("/admin?done=saved#sites"))
}

#[derive(Deserialize)]
pub struct TeamForm {
    csrf: String,
    name: String,
    site: Option<String>,
}

pub async fn add_team(
    State(st): State<AppState>,
    u: WebUser,
    Form(f): Form<TeamForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    org::add_team(
        &st.store,
        &u.actor,
        &TeamInput {
            name: f.name,
            site: f.site,
        },
    )
    .await
    .web(u.lang)?;
    Ok(Redirect::to("/admin?done=saved#teams"))
}

#[derive(Deserialize)]
pub struct UserForm {
    csrf: String,
    email: String,
    name: String,
    role: String,
    team_id: Option<String>,
    password: Option<String>,
}

pub async fn add_user(
    State(st): State<AppState>,
    u: WebUser,
    Form(f): Form<UserForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let team_id = f
        .team_id
        .as_deref()
        .filter(|t| !t.is_empty())
        .and_then(|t| t.parse().ok());
    let input = UserInput {
        email: f.email,
        name: f.name,
        role: f.role,
        team_id,
        password: f.password,
    };
    org::add_user(&st.store, &u.actor, &input)
        .await
        .web(u.lang)?;
    Ok(Redirect::to("/admin?done=saved#users"))
}

#[derive(Deserialize)]
pub struct ServiceForm {
    csrf: String,
    code: String,
    name_fr: String,
    name_en: String,
}

pub async fn add_service(
    State(st): State<AppState>,
    u: WebUser,
    Form(f): Form<ServiceForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    crate::service::counter::add_service(&st.store, &u.actor, &f.code, &f.name_fr, &f.name_en)
        .await
        .web(u.lang)?;
    Ok(Redirect::to("/admin?done=saved#services"))
}

#[derive(Deserialize)]
pub struct ClosuresForm {
    csrf: String,
    site: String,
    closures: String,
}

pub async fn set_closures(
    State(st): State<AppState>,
    u: WebUser,
    Form(f): Form<ClosuresForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let dates: Vec<String> = f
        .closures
        .split([',', ' ', '\n'])
        .map(String::from)
        .collect();
    org::set_closures(&st.store, &u.actor, &f.site, &dates)
        .await
        .web(u.lang)?;
    Ok(Redirect::to("/admin?done=saved#sites"))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_user.html")]
pub struct UserPage {
    s: Shell,
    user: User,
    teams: Vec<Team>,
    roles: Vec<(String, String)>,
    /// What the last action did ("" when none).
    flash: String,
    /// A one-time link just made (shown once).
    link: Option<String>,
    tokens: Vec<TokenRow>,
    /// A token just made (shown once).
    secret: Option<String>,
    default_days: i64,
    max_days: i64,
}

/// A token as the page shows it.
pub struct TokenRow {
    id: i64,
    name: String,
    created: String,
    expires: String,
    last_used: String,
    /// "live", "revoked" or "expired".
    state: &'static str,
}

impl TokenRow {
    fn of(t: crate::service::auth::Token, l: crate::i18n::Lang) -> TokenRow {
        let now = crate::service::now_ms();
        TokenRow {
            id: t.id,
            state: if t.revoked_at.is_some() {
                "revoked"
            } else if t.expires_at.is_some_and(|e| e <= now) {
                "expired"
            } else {
                "live"
            },
            name: t.label,
            created: l.datetime(t.created_at),
            expires: t
                .expires_at
                .map_or_else(|| l.t("token.no_end").to_string(), |e| l.datetime(e)),
            last_used: t
                .last_used_at
                .map_or_else(|| l.t("token.never").to_string(), |e| l.datetime(e)),
        }
    }
}

async fn user_page(
    st: &AppState,
    u: &WebUser,
    id: i64,
    flash: String,
    link: Option<String>,
    secret: Option<String>,
) -> Result<UserPage, WebError> {
    let l = u.lang;
    u.actor.require(u.actor.role.can_administer()).web(l)?;
    let user = org::list_users(&st.store, &u.actor)
        .await
        .web(l)?
        .into_iter()
        .find(|x| x.id == id)
        .ok_or(crate::service::Error::NotFound("user"))
        .web(l)?;
    let tokens = crate::service::auth::tokens(&st.store, &u.actor, Some(user.id))
        .await
        .web(l)?
        .into_iter()
        .map(|t| TokenRow::of(t, l))
        .collect();
    let policy = st.config.token_policy();
    Ok(UserPage {
        user,
        teams: org::list_teams(&st.store, &u.actor).await.web(l)?,
        roles: options(l, "role", Role::ALL),
        flash,
        link,
        tokens,
        secret,
        default_days: policy.default_days,
        max_days: policy.max_days,
        s: Shell::of(u),
    })
}

pub async fn user(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
) -> Result<UserPage, WebError> {
    user_page(&st, &u, id, String::new(), None, None).await
}

#[derive(Deserialize)]
pub struct UserEditForm {
    csrf: String,
    name: String,
    role: String,
    #[serde(default, deserialize_with = "crate::service::blank_is_none")]
    team_id: Option<i64>,
    active: Option<String>,
}

pub async fn edit_user(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<UserEditForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let patch = org::UserPatch {
        name: Some(f.name),
        role: Some(f.role),
        team_id: Some(f.team_id.unwrap_or(0)),
        active: Some(f.active.is_some()),
    };
    org::update_user(&st.store, &u.actor, id, &patch)
        .await
        .web(u.lang)?;
    // A deactivated user's tokens stop here at once.
    st.tokens.forget();
    Ok(Redirect::to(&format!("/admin/users/{id}?done=saved")))
}

#[derive(Deserialize)]
pub struct TokenForm {
    csrf: String,
    name: String,
    #[serde(default, deserialize_with = "crate::service::blank_is_none")]
    days: Option<i64>,
}

pub async fn make_token(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<TokenForm>,
) -> Result<UserPage, WebError> {
    u.check_csrf(&f.csrf)?;
    let input = crate::service::auth::TokenInput {
        name: f.name,
        expires_in_days: f.days,
    };
    let t = crate::service::auth::create_token(
        &st.store,
        &u.actor,
        Some(id),
        &input,
        st.config.token_policy(),
    )
    .await
    .web(u.lang)?;
    st.tokens.forget();
    user_page(&st, &u, id, String::new(), None, Some(t.token)).await
}

pub async fn revoke_token(
    State(st): State<AppState>,
    u: WebUser,
    WebPath((user, id)): WebPath<(i64, i64)>,
    Form(f): Form<CsrfForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    crate::service::auth::revoke_token(&st.store, &u.actor, id)
        .await
        .web(u.lang)?;
    st.tokens.forget();
    Ok(Redirect::to(&format!(
        "/admin/users/{user}?done=token_revoked#tokens"
    )))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn password_link(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<UserPage, WebError> {
    u.check_csrf(&f.csrf)?;
    let (secret, expires) = crate::service::auth::reset_link(&st.store, &u.actor, id)
        .await
        .web(u.lang)?;
    let link = format!("{}/password/{secret}", st.config.public_base());
    let flash = u
        .lang
        .t("user.link_until")
        .replace("{until}", &u.lang.datetime(expires));
    user_page(&st, &u, id, flash, Some(link), None).await
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_audit.html")]
pub struct AuditPage {
    s: Shell,
    chain: String,
    intact: bool,
    users: Vec<(i64, String)>,
    user_id: Option<i64>,
    customer: String,
    from: String,
    to: String,
    /// The filters as a query string (for the CSV and the next page).
    query: String,
    rows: Vec<ReadRow>,
    older: Option<i64>,
}

impl AuditPage {
    fn selected(&self, id: &i64) -> bool {
        self.user_id == Some(*id)
    }
}

pub struct ReadRow {
    at: String,
    user: String,
    what: String,
    link: Option<String>,
    customer: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    #[serde(default, deserialize_with = "crate::service::blank_is_none")]
    user_id: Option<i64>,
    #[serde(default, deserialize_with = "crate::service::blank_is_none")]
    customer_id: Option<i64>,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default, deserialize_with = "crate::service::blank_is_none")]
    before: Option<i64>,
    /// Recompute the chain (it reads the whole log: on demand, not on every view).
    #[serde(default)]
    verify: String,
}

impl AuditQuery {
    fn filter(&self) -> crate::service::Result<crate::service::reads::Filter> {
        crate::service::reads::filter(
            self.user_id,
            self.customer_id,
            Some(&self.from),
            Some(&self.to),
            self.before,
        )
    }

    fn query(&self) -> String {
        let pairs = [
            (
                "user_id",
                self.user_id.map(|v| v.to_string()).unwrap_or_default(),
            ),
            (
                "customer_id",
                self.customer_id.map(|v| v.to_string()).unwrap_or_default(),
            ),
            ("from", self.from.clone()),
            ("to", self.to.clone()),
        ];
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs.iter().filter(|(_, v)| !v.is_empty()))
            .finish()
    }
}

const AUDIT_PAGE: i64 = 100;

pub async fn audit(
    State(st): State<AppState>,
    u: WebUser,
    super::WebQuery(q): super::WebQuery<AuditQuery>,
) -> Result<AuditPage, WebError> {
    use crate::service::reads;
    let l = u.lang;
    let f = q.filter().web(l)?;
    let list = reads::list(&st.store, &u.actor, &f, AUDIT_PAGE)
        .await
        .web(l)?;
    let (chain, intact) = if q.verify.is_empty() {
        (String::new(), true)
    } else {
        let v = reads::verify(&st.store, &u.actor).await.web(l)?;
        let text = if v.intact {
            l.plural("audit.intact", v.entries)
        } else {
            l.t("audit.broken")
                .replace("{id}", &v.broken_at.unwrap_or_default().to_string())
        };
        (text, v.intact)
    };
    let users = org::list_users(&st.store, &u.actor)
        .await
        .web(l)?
        .into_iter()
        .map(|x| (x.id, x.name))
        .collect();
    let older = (list.len() as i64 == AUDIT_PAGE)
        .then(|| list.last().map(|r| r.id))
        .flatten();
    let rows = list
        .into_iter()
        .map(|r| ReadRow {
            at: l.datetime(r.at),
            user: r.user_name,
            link: match r.what.as_str() {
                "customer" | "export" => Some(format!("/customers/{}", r.ref_id)),
                "attachment" => Some(format!("/attachments/{}", r.ref_id)),
                _ => None,
            },
            what: format!("{} n° {}", l.t(&format!("read.{}", r.what)), r.ref_id),
            customer: r.customer_id,
        })
        .collect();
    Ok(AuditPage {
        chain,
        intact,
        users,
        user_id: q.user_id,
        customer: q.customer_id.map(|c| c.to_string()).unwrap_or_default(),
        query: q.query(),
        from: q.from.clone(),
        to: q.to.clone(),
        rows,
        older,
        s: Shell::of(&u),
    })
}

pub async fn audit_csv(
    State(st): State<AppState>,
    u: WebUser,
    super::WebQuery(q): super::WebQuery<AuditQuery>,
) -> Result<axum::response::Response, WebError> {
    let f = q.filter().web(u.lang)?;
    let rows = crate::service::reads::export_csv(&st.store, &u.actor, f)
        .await
        .web(u.lang)?;
    Ok(crate::app::csv_download("consultations.csv", rows))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_retention.html")]
pub struct RetentionPage {
    s: Shell,
    rows: Vec<RetentionRow>,
    last_run: String,
}

pub struct RetentionRow {
    kind: String,
    label: String,
    months: String,
    would_go: String,
}

pub async fn retention(State(st): State<AppState>, u: WebUser) -> Result<RetentionPage, WebError> {
    let l = u.lang;
    let r = crate::service::retention::get(&st.store, &u.actor)
        .await
        .web(l)?;
    let last_run = match (&r.last_run_at, &r.last_run) {
        (Some(at), Some(report)) => {
            let at = at
                .parse::<jiff::Timestamp>()
                .map(|t| l.datetime(t.as_millisecond()))
                .unwrap_or_default();
            let parts: Vec<String> = report
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| {
                            format!(
                                "{} : {}",
                                l.t(&format!("retention.kind.{k}")),
                                l.int(v.as_i64().unwrap_or(0))
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            format!("{at} — {}", parts.join(" ; "))
        }
        _ => l.t("retention.never").to_string(),
    };
    Ok(RetentionPage {
        rows: r
            .rules
            .into_iter()
            .map(|x| RetentionRow {
                label: l.t(&format!("retention.kind.{}", x.kind)).to_string(),
                months: x.months.map(|m| m.to_string()).unwrap_or_default(),
                would_go: if x.months.is_some() {
                    l.int(x.would_go)
                } else {
                    "—".into()
                },
                kind: x.kind,
            })
            .collect(),
        last_run,
        s: Shell::of(&u),
    })
}

pub async fn set_retention(
    State(st): State<AppState>,
    u: WebUser,
    Form(f): Form<std::collections::HashMap<String, String>>,
) -> Result<Redirect, WebError> {
    u.check_csrf(f.get("csrf").map_or("", String::as_str))?;
    let mut rules = Vec::new();
    for kind in crate::service::retention::KINDS {
        let v = f.get(*kind).map_or("", |v| v.trim());
        let months = if v.is_empty() {
            None
        } else {
            // A value that is not a number is refused by the service's range check.
            Some(v.parse::<i64>().unwrap_or(-1))
        };
        rules.push(crate::service::retention::RuleInput {
            kind: kind.to_string(),
            months,
        });
    }
    crate::service::retention::put(&st.store, &u.actor, &rules)
        .await
        .web(u.lang)?;
    Ok(Redirect::to("/admin/retention?done=retention_saved"))
}

pub async fn run_retention(
    State(st): State<AppState>,
    u: WebUser,
    Form(f): Form<CsrfForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    crate::service::retention::run_now(&st.store, &u.actor)
        .await
        .web(u.lang)?;
    Ok(Redirect::to("/admin/retention?done=retention_run"))
}
