//! Organisations, sites, teams and users. Functions taking an `Actor` check the role; the
//! others are for the operator's CLI, which acts on the whole installation.

use super::{Actor, Error, FieldError, Result, now_ms};
use crate::domain::Invalid;
use crate::domain::fold::fold_key;
use crate::domain::identity::Email;
use crate::domain::role::Role;
use crate::domain::site::{OpeningHours, parse_time_zone};
use crate::store::org::{Organization, Site, Team, User};
use crate::store::{self, Store};
use serde::Deserialize;

fn slug_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

pub async fn create_org(store: &Store, slug: &str, name: &str) -> Result<Organization> {
    if !slug_ok(slug) {
        return Err(Error::invalid(
            "slug",
            Invalid::new(
                "invalid_slug",
                "a slug is 1–40 characters among a–z, 0–9 and -",
            ),
        ));
    }
    if name.trim().is_empty() {
        return Err(Error::invalid(
            "name",
            Invalid::new("required", "the name is empty"),
        ));
    }
    let mut tx = store.begin().await?;
    let now = now_ms();
    let org = store::org::insert_org(&mut tx, slug, name.trim(), now).await?;
    super::survey::ensure_defaults(&mut tx, org.id, now).await?;
    tx.commit().await?;
    Ok(org)
}

pub async fn org_by_slug(store: &Store, slug: &str) -> Result<Organization> {
    let mut c = store.reader().await?;
    store::org::org_by_slug(&mut c, slug)
        .await?
        .ok_or(Error::NotFound("organisation"))
}

/// The actor's own organisation.
pub async fn own_org(store: &Store, actor: &Actor) -> Result<Organization> {
    let mut c = store.reader().await?;
    store::org::org_by_id(&mut c, actor.org_id)
        .await?
        .ok_or(Error::NotFound("organisation"))
}

pub async fn list_orgs(store: &Store) -> Result<Vec<Organization>> {
    let mut c = store.reader().await?;
    Ok(store::org::list_orgs(&mut c).await?)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteInput {
    pub code: String,
    pub name: String,
    /// agency, counter, contact_centre, online
    pub kind: String,
    #[serde(default = "paris")]
    pub time_zone: String,
    /// e.g. "mon-fri 09:00-12:00,14:00-18:00; sat 09:00-12:00"
    #[serde(default)]
    pub opening_hours: String,
}

fn paris() -> String {
    "Europe/Paris".into()
}

pub const SITE_KINDS: [&str; 4] = ["agency", "counter", "contact_centre", "online"];

pub async fn add_site(store: &Store, actor: &Actor, input: &SiteInput) -> Result<Site> {
    actor.require(actor.role.can_administer())?;
    add_site_unchecked(store, actor.org_id, input).await
}

pub async fn add_site_unchecked(store: &Store, org_id: i64, input: &SiteInput) -> Result<Site> {
    let mut errors = Vec::new();
    let code = input.code.trim();
    if !slug_ok(code) {
        errors.push(FieldError::new(
            "code",
            Invalid::new(
                "invalid_code",
                "a code is 1–40 characters among a–z, 0–9 and -",
            ),
        ));
    }
    if input.name.trim().is_empty() {
        errors.push(FieldError::new(
            "name",
            Invalid::new("required", "the name is empty"),
        ));
    } else if input.name.trim().chars().count() > 200 {
        errors.push(FieldError::new(
            "name",
            Invalid::new("too_long", "a site name is at most 200 characters"),
        ));
    }
    if !SITE_KINDS.contains(&input.kind.as_str()) {
        errors.push(FieldError::new(
            "kind",
            Invalid::new(
                "invalid_kind",
                format!("a site kind is one of {}", SITE_KINDS.join(", ")),
            ),
        ));
    }
    let tz = parse_time_zone(&input.time_zone)
        .map_err(|e| errors.push(FieldError::new("time_zone", e)))
        .ok();
    let hours = OpeningHours::parse(&input.opening_hours)
        .map_err(|e| errors.push(FieldError::new("opening_hours", e)))
        .ok();
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let (tz, hours) = (tz.expect("checked"), hours.expect("checked").to_spec());
    let mut tx = store.begin().await?;
    let new = store::org::NewSite {
        code,
        name: input.name.trim(),
        kind: &input.kind,
        time_zone: &tz,
        opening_hours: &hours,
    };
    let site = store::org::insert_site(&mut tx, org_id, &new, now_ms())
        .await
        .map_err(|e| match e {
            store::Error::Conflict(_) => Error::Conflict {
                code: "site_exists",
                message: format!("a site already has the code «{code}»"),
            },
            e => e.into(),
        })?;
    tx.commit().await?;
    Ok(site)
}

/// Sets the days a site is closed beyond public holidays ("2026-12-24, 2026-12-31"); business
/// delays skip them. Dates are checked and kept sorted, without duplicates.
pub async fn set_closures(
    store: &Store,
    actor: &Actor,
    code: &str,
    dates: &[String],
) -> Result<Site> {
    actor.require(actor.role.can_administer())?;
    let mut days = Vec::new();
    for d in dates.iter().map(|d| d.trim()).filter(|d| !d.is_empty()) {
        match d.parse::<jiff::civil::Date>() {
            Ok(day) => days.push(day),
            Err(_) => {
                return Err(Error::invalid(
                    "closures",
                    Invalid::new("invalid_date", format!("«{d}» is not a date (YYYY-MM-DD)")),
                ));
            }
        }
    }
    days.sort();
    days.dedup();
    let text = days
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let mut tx = store.begin().await?;
    let site = store::org::site_by_code(&mut tx, actor.org_id, code.trim())
        .await?
        .ok_or(Error::NotFound("site"))?;
    store::org::set_site_closures(&mut tx, actor.org_id, site.id, &text).await?;
    store::org::audit(
        &mut tx,
        actor.org_id,
        Some(actor.user_id),
        now_ms(),
        "site.closures",
        &format!("site:{}", site.id),
        &text,
    )
    .await?;
    tx.commit().await?;
    Ok(Site {
        closures: text,
        ..site
    })
}

/// The id of the organisation's site with this code; an unknown code is a refused `site` field.
/// In the order a reader expects (accents and case do not send a name to the end).
pub async fn list_sites(store: &Store, actor: &Actor) -> Result<Vec<Site>> {
    let mut c = store.reader().await?;
    let mut all = store::org::list_sites(&mut c, actor.org_id).await?;
    crate::domain::collate::sort_by_name(&mut all, |x| &x.name);
    Ok(all)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamInput {
    pub name: String,
    pub site: Option<String>,
}

pub async fn add_team(store: &Store, actor: &Actor, input: &TeamInput) -> Result<Team> {
    actor.require(actor.role.can_administer())?;
    add_team_unchecked(store, actor.org_id, input).await
}

pub async fn add_team_unchecked(store: &Store, org_id: i64, input: &TeamInput) -> Result<Team> {
    let name = input.name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(Error::invalid(
            "name",
            Invalid::new("required", "a team name is 1–100 characters"),
        ));
    }
    let mut tx = store.begin().await?;
    let site_id = match input.site.as_deref().filter(|s| !s.is_empty()) {
        Some(code) => Some(super::site_id(&mut tx, org_id, code).await?),
        None => None,
    };
    let team = store::org::insert_team(&mut tx, org_id, name, site_id, now_ms())
        .await
        .map_err(|e| match e {
            store::Error::Conflict(_) => Error::Conflict {
                code: "team_exists",
                message: format!("a team is already named «{name}»"),
            },
            e => e.into(),
        })?;
    tx.commit().await?;
    Ok(team)
}

/// In the order a reader expects (accents and case do not send a name to the end).
pub async fn list_teams(store: &Store, actor: &Actor) -> Result<Vec<Team>> {
    let mut c = store.reader().await?;
    let mut all = store::org::list_teams(&mut c, actor.org_id).await?;
    crate::domain::collate::sort_by_name(&mut all, |x| &x.name);
    Ok(all)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    pub email: String,
    pub name: String,
    pub role: String,
    pub team_id: Option<i64>,
    pub password: Option<String>,
}

pub async fn add_user(store: &Store, actor: &Actor, input: &UserInput) -> Result<User> {
    actor.require(actor.role.can_administer())?;
    add_user_unchecked(store, actor.org_id, input).await
}

pub async fn add_user_unchecked(store: &Store, org_id: i64, input: &UserInput) -> Result<User> {
    let mut errors = Vec::new();
    let email = Email::parse(&input.email)
        .map_err(|e| errors.push(FieldError::new("email", e)))
        .ok();
    let role = Role::parse(&input.role)
        .map_err(|e| errors.push(FieldError::new("role", e)))
        .ok();
    let name = input.name.trim();
    if name.is_empty() || name.len() > 200 {
        errors.push(FieldError::new(
            "name",
            Invalid::new("required", "a name is 1–200 characters"),
        ));
    }
    let hash = match input.password.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => match hash_in_background(p.to_string()).await {
            Ok(h) => Some(h),
            Err(Error::Invalid(mut f)) => {
                errors.append(&mut f);
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let email = email.expect("checked");
    let mut tx = store.begin().await?;
    if let Some(team) = input.team_id {
        super::check_team(&mut tx, org_id, team).await?;
    }
    let new = store::org::NewUser {
        email: email.as_str(),
        email_key: &fold_key(email.as_str()),
        name,
        role: role.expect("checked").as_str(),
        team_id: input.team_id,
        password_hash: hash.as_deref(),
    };
    let user = store::org::insert_user(&mut tx, org_id, &new, now_ms())
        .await
        .map_err(|e| match e {
            store::Error::Conflict(_) => Error::Conflict {
                code: "user_exists",
                message: format!("a user already has the email {}", email.as_str()),
            },
            e => e.into(),
        })?;
    tx.commit().await?;
    Ok(user)
}

/// What an administrator changes of a user; absent fields stay.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub name: Option<String>,
    pub role: Option<String>,
    /// 0 for no team.
    pub team_id: Option<i64>,
    /// false deactivates: no more sign-in, sessions end, tokens stop working (within 30 s).
    pub active: Option<bool>,
}

/// Edits a user of the organisation (administrators). Nobody deactivates themselves or takes
/// away their own administration, and the organisation keeps an active administrator.
pub async fn update_user(store: &Store, actor: &Actor, id: i64, p: &UserPatch) -> Result<User> {
    actor.require(actor.role.can_administer())?;
    let mut checks = super::Checks::default();
    let role = p
        .role
        .as_deref()
        .and_then(|r| checks.check("role", Role::parse(r)));
    let name = p.name.as_deref().map(str::trim);
    if name.is_some_and(|n| n.is_empty() || n.chars().count() > 200) {
        checks.refuse("name", "required", "a name is 1–200 characters");
    }
    checks.finish()?;
    let mut tx = store.begin().await?;
    let mut user = store::org::user_in_org(&mut tx, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("user"))?;
    let was_admin = user.role == "admin" && user.active == 1;
    if let Some(n) = name {
        user.name = n.to_string();
    }
    if let Some(r) = role {
        user.role = r.as_str().to_string();
    }
    match p.team_id {
        Some(0) => user.team_id = None,
        Some(t) => {
            super::check_team(&mut tx, actor.org_id, t).await?;
            user.team_id = Some(t);
        }
        None => {}
    }
    if let Some(a) = p.active {
        user.active = i64::from(a);
    }
    let still_admin = user.role == "admin" && user.active == 1;
    if user.id == actor.user_id && !still_admin {
        return Err(Error::Conflict {
            code: "own_account",
            message: "you cannot deactivate yourself or give up your own administration".into(),
        });
    }
    if was_admin && !still_admin && store::org::active_admins(&mut tx, actor.org_id).await? <= 1 {
        return Err(Error::Conflict {
            code: "last_admin",
            message: "the organisation needs an active administrator".into(),
        });
    }
    store::org::update_user(&mut tx, actor.org_id, &user).await?;
    if user.active == 0 {
        store::auth::end_sessions_of(&mut tx, user.id).await?;
    }
    let now = now_ms();
    store::org::audit(
        &mut tx,
        actor.org_id,
        Some(actor.user_id),
        now,
        "user_updated",
        &format!("user:{}", user.id),
        &format!(
            "role={} active={} team={:?}",
            user.role, user.active, user.team_id
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

async fn hash_in_background(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || super::auth::hash_password(&password))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
}

/// Sets a user's password (CLI `user passwd`, first demo start).
pub async fn set_password(store: &Store, user_id: i64, password: &str) -> Result<()> {
    let hash = hash_in_background(password.to_string()).await?;
    let mut tx = store.begin().await?;
    store::org::set_user_password(&mut tx, user_id, &hash).await?;
    tx.commit().await?;
    Ok(())
}

/// In the order a reader expects (accents and case do not send a name to the end).
pub async fn list_users(store: &Store, actor: &Actor) -> Result<Vec<User>> {
    let mut c = store.reader().await?;
    let mut all = store::org::list_users(&mut c, actor.org_id).await?;
    crate::domain::collate::sort_by_name(&mut all, |x| &x.name);
    Ok(all)
}

/// The user's interface language: "fr" or "en".
pub async fn set_lang(store: &Store, actor: &Actor, lang: &str) -> Result<()> {
    if lang != "fr" && lang != "en" {
        return Err(Error::invalid(
            "lang",
            Invalid::new("invalid_lang", "the language is fr or en"),
        ));
    }
    let mut tx = store.begin().await?;
    store::org::set_user_lang(&mut tx, actor.user_id, lang).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn user_by_email(store: &Store, email: &str) -> Result<User> {
    let mut c = store.reader().await?;
    store::org::user_by_email_key(&mut c, &fold_key(email))
        .await?
        .ok_or(Error::NotFound("user"))
}
