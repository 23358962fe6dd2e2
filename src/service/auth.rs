//! Signing in: Argon2id passwords, hashed API tokens, web sessions with their CSRF token.

use super::{Actor, Error, Result, now_ms};
use crate::domain::fold::fold_key;
use crate::domain::role::Role;
use crate::store::{self, Store};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
pub use store::auth::Token;

/// How long a web session lasts without signing in again.
pub const SESSION_MS: i64 = 12 * 3_600_000;

/// A random secret (256 bits), hex-encoded.
pub fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    format!("{prefix}{}", hex::encode(bytes))
}

/// Secrets are stored only as their SHA-256 (they are random, so no salt is needed).
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < 8 {
        return Err(Error::invalid(
            "password",
            crate::domain::Invalid::new("too_short", "the password needs at least 8 characters"),
        ));
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("argon2: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    argon2::password_hash::phc::PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A user acting for themself (the CLI, run by the operator on their behalf).
pub fn actor_of_user(u: &store::org::User) -> Actor {
    Actor {
        user_id: u.id,
        org_id: u.org_id,
        role: Role::parse(&u.role).unwrap_or(Role::Advisor),
        lang: u.lang.clone(),
        name: u.name.clone(),
    }
}

fn actor_of(p: store::auth::Principal) -> Actor {
    Actor {
        user_id: p.user_id,
        org_id: p.org_id,
        role: Role::parse(&p.role).unwrap_or(Role::Advisor),
        lang: p.lang,
        name: p.name,
    }
}

/// Recently checked tokens, so a busy integration does not read the database on every request.
/// An entry lives `TOKEN_CACHE_TTL` and never past its token's end; a token revoked or a user
/// deactivated by another process stops working within it.
#[derive(Clone, Default)]
pub struct TokenCache(std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, Cached>>>);

/// A checked token: who, when it was checked, when it ends.
type Cached = (Actor, std::time::Instant, Option<i64>);

pub const TOKEN_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(30);
const TOKEN_CACHE_MAX: usize = 10_000;

impl TokenCache {
    pub async fn authenticate(&self, store: &Store, token: &str) -> Result<Actor> {
        let key = hash_secret(token.trim());
        if let Some((actor, at, ends)) = self.0.lock().expect("token cache lock").get(&key)
            && at.elapsed() < TOKEN_CACHE_TTL
            && ends.is_none_or(|e| e > now_ms())
        {
            return Ok(actor.clone());
        }
        let (actor, ends) = check_token(store, token).await?;
        let mut map = self.0.lock().expect("token cache lock");
        if map.len() >= TOKEN_CACHE_MAX {
            map.clear();
        }
        map.insert(key, (actor.clone(), std::time::Instant::now(), ends));
        Ok(actor)
    }

    /// Forgets every checked token: after a revocation or a deactivation, this process checks
    /// again at once (others within `TOKEN_CACHE_TTL`).
    pub fn forget(&self) {
        self.0.lock().expect("token cache lock").clear();
    }
}

/// The user behind a bearer token that is live (not revoked, not expired, user active); its
/// use is noted without delaying the request.
pub async fn authenticate_token(store: &Store, token: &str) -> Result<Actor> {
    Ok(check_token(store, token).await?.0)
}

/// The token's user and when the token ends.
async fn check_token(store: &Store, token: &str) -> Result<(Actor, Option<i64>)> {
    let hash = hash_secret(token.trim());
    let now = now_ms();
    let (actor, ends) = {
        let mut c = store.reader().await?;
        let p = store::auth::principal_by_token(&mut c, &hash, now)
            .await?
            .ok_or(Error::Unauthenticated)?;
        let ends = p.expires_at;
        (actor_of(p), ends)
    };
    let store = store.clone();
    tokio::spawn(async move {
        let touched = async {
            let mut tx = store.begin().await?;
            store::auth::touch_token(&mut tx, &hash, now).await?;
            tx.commit().await?;
            Ok::<_, Error>(())
        };
        if let Err(e) = touched.await {
            tracing::warn!("token use not noted: {e}");
        }
    });
    Ok((actor, ends))
}

/// How long tokens live: the default when none is asked, and the longest allowed (operator's
/// settings `--token-days`, `--token-max-days`).
#[derive(Debug, Clone, Copy)]
pub struct TokenPolicy {
    pub default_days: i64,
    pub max_days: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    /// What the token is for ("crm-sync"); a new token of a name replaces the live one.
    pub name: String,
    /// Days it lives (default and maximum set by the operator).
    pub expires_in_days: Option<i64>,
}

/// A token just made: the secret is shown this once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NewToken {
    pub id: i64,
    pub name: String,
    pub token: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// Makes a token for the actor (or, for an administrator, `for_user` of the organisation).
pub async fn create_token(
    store: &Store,
    actor: &Actor,
    for_user: Option<i64>,
    input: &TokenInput,
    policy: TokenPolicy,
) -> Result<NewToken> {
    let user_id = match for_user {
        Some(u) if u != actor.user_id => {
            actor.require(actor.role.can_administer())?;
            let mut c = store.reader().await?;
            store::org::user_in_org(&mut c, actor.org_id, u)
                .await?
                .ok_or(Error::NotFound("user"))?
                .id
        }
        _ => actor.user_id,
    };
    let mut checks = crate::service::Checks::default();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        checks.refuse("name", "invalid_name", "a name of 1 to 100 characters");
    }
    let days = input.expires_in_days.unwrap_or(policy.default_days);
    if !(1..=policy.max_days).contains(&days) {
        checks.refuse(
            "expires_in_days",
            "out_of_range",
            format!("from 1 to {} days", policy.max_days),
        );
    }
    checks.finish()?;
    let now = now_ms();
    let expires_at = now + days * 86_400_000;
    let (id, token) = issue_token(store, user_id, name, Some(expires_at)).await?;
    // Who made a token, and for whom: reads made with it are logged as its user.
    let mut tx = store.begin().await?;
    store::org::audit(
        &mut tx,
        actor.org_id,
        Some(actor.user_id),
        now,
        "token_created",
        &format!("token:{id}"),
        &format!("user:{user_id} name:{name} days:{days}"),
    )
    .await?;
    tx.commit().await?;
    Ok(NewToken {
        id,
        name: name.into(),
        token,
        expires_at: super::iso(expires_at),
    })
}

/// Issues a token without checks (CLI, setup), replacing the user's live token of that name;
/// the secret is shown once and only its hash is kept.
pub async fn issue_token(
    store: &Store,
    user_id: i64,
    name: &str,
    expires_at: Option<i64>,
) -> Result<(i64, String)> {
    let token = random_token("pct_");
    let now = now_ms();
    let mut tx = store.begin().await?;
    store::auth::revoke_named(&mut tx, user_id, name, now).await?;
    let id = store::auth::insert_token(
        &mut tx,
        user_id,
        &hash_secret(&token),
        name,
        expires_at,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok((id, token))
}

/// The actor's own tokens; an administrator's view covers the organisation (or one user).
pub async fn tokens(store: &Store, actor: &Actor, user_id: Option<i64>) -> Result<Vec<Token>> {
    let of = if actor.role.can_administer() {
        user_id
    } else {
        if user_id.is_some_and(|u| u != actor.user_id) {
            return Err(Error::Forbidden);
        }
        Some(actor.user_id)
    };
    let mut c = store.reader().await?;
    Ok(store::auth::tokens(&mut c, actor.org_id, of).await?)
}

/// Revokes a token: one's own, or any of the organisation for an administrator. The caller
/// clears its `TokenCache`.
pub async fn revoke_token(store: &Store, actor: &Actor, id: i64) -> Result<()> {
    let only = (!actor.role.can_administer()).then_some(actor.user_id);
    let now = now_ms();
    let mut tx = store.begin().await?;
    if !store::auth::revoke(&mut tx, actor.org_id, id, only, now).await? {
        return Err(Error::NotFound("token"));
    }
    store::org::audit(
        &mut tx,
        actor.org_id,
        Some(actor.user_id),
        now,
        "token_revoked",
        &format!("token:{id}"),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A started web session: the cookie secret, and the CSRF token its forms carry.
pub struct Session {
    pub secret: String,
    pub csrf: String,
}

/// Sign-in throttling, in memory (per server process), over `LOGIN_WINDOW`:
/// - one account from one client: `LOGIN_FAILURES` failures, then that pair waits — someone
///   guessing elsewhere does not lock the owner out;
/// - one client across accounts: `CLIENT_FAILURES` (spraying many addresses);
/// - one account from every client: `ACCOUNT_FAILURES` (guessing from many addresses);
///
/// the last two spare the clients an account signed in from lately (8 kept per account).
pub const LOGIN_FAILURES: u32 = 10;
pub const CLIENT_FAILURES: u32 = 30;
pub const ACCOUNT_FAILURES: u32 = 100;
pub const LOGIN_WINDOW: std::time::Duration = std::time::Duration::from_secs(15 * 60);
/// Clients remembered per account as usual.
const KNOWN_CLIENTS: usize = 8;

#[derive(Clone, Default)]
pub struct LoginThrottle(std::sync::Arc<std::sync::Mutex<Throttle>>);

#[derive(Default)]
struct Throttle {
    pairs: Failures<(String, String)>,
    clients: Failures<String>,
    accounts: Failures<String>,
    known: std::collections::HashMap<String, std::collections::VecDeque<String>>,
}

/// Failures per key, each count with the start of its window.
struct Failures<K>(std::collections::HashMap<K, (u32, std::time::Instant)>);

impl<K> Default for Failures<K> {
    fn default() -> Self {
        Failures(std::collections::HashMap::new())
    }
}

impl<K: std::hash::Hash + Eq + Clone> Failures<K> {
    /// Seconds to wait when `key` reached `max` in the current window.
    fn wait(&self, key: &K, max: u32) -> Option<u64> {
        match self.0.get(key) {
            Some((n, since)) if *n >= max && since.elapsed() < LOGIN_WINDOW => {
                Some((LOGIN_WINDOW - since.elapsed()).as_secs() + 1)
            }
            _ => None,
        }
    }

    fn sub(&mut self, key: &K) {
        if let Some(e) = self.0.get_mut(key) {
            e.0 = e.0.saturating_sub(1);
        }
    }

    fn add(&mut self, key: &K) {
        if self.0.len() > 100_000 {
            self.0
                .retain(|_, (_, since)| since.elapsed() < LOGIN_WINDOW);
        }
        let e = self
            .0
            .entry(key.clone())
            .or_insert((0, std::time::Instant::now()));
        if e.1.elapsed() >= LOGIN_WINDOW {
            *e = (0, std::time::Instant::now());
        }
        e.0 += 1;
    }
}

impl LoginThrottle {
    /// Counts a sign-in attempt before the password is checked (so parallel guesses cannot all
    /// slip in while Argon2 runs), or refuses it. A client this account signed in from lately
    /// is held to the per-pair limit only: a guesser sharing its address (an office behind one
    /// NAT, every client behind an untrusted proxy) does not lock the account's owner out.
    fn attempt(&self, account: &str, client: &str) -> Result<()> {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let pair = (account.to_string(), client.to_string());
        let usual = t
            .known
            .get(account)
            .is_some_and(|k| k.iter().any(|c| c == client));
        let wait = t.pairs.wait(&pair, LOGIN_FAILURES).or_else(|| {
            (!usual)
                .then(|| {
                    t.clients
                        .wait(&client.to_string(), CLIENT_FAILURES)
                        .or_else(|| t.accounts.wait(&account.to_string(), ACCOUNT_FAILURES))
                })
                .flatten()
        });
        if let Some(retry_after_secs) = wait {
            return Err(Error::TooManyAttempts { retry_after_secs });
        }
        t.pairs.add(&pair);
        t.clients.add(&client.to_string());
        t.accounts.add(&account.to_string());
        Ok(())
    }

    /// The attempt was right: it no longer counts, and the client is one of the account's.
    fn succeeded(&self, account: &str, client: &str) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        t.pairs.0.remove(&(account.to_string(), client.to_string()));
        t.clients.sub(&client.to_string());
        t.accounts.sub(&account.to_string());
        if t.known.len() > 100_000 {
            t.known.clear();
        }
        let known = t.known.entry(account.to_string()).or_default();
        known.retain(|c| c != client);
        known.push_front(client.to_string());
        known.truncate(KNOWN_CLIENTS);
    }
}

/// Checks email and password; on success opens a session. Wrong email and wrong password
/// answer the same, and take the same time.
pub async fn login(
    store: &Store,
    throttle: &LoginThrottle,
    client: &str,
    email: &str,
    password: &str,
) -> Result<Session> {
    let key = fold_key(email);
    throttle.attempt(&key, client)?;
    let user = {
        let mut c = store.reader().await?;
        store::org::user_by_email_key(&mut c, &fold_key(email)).await?
    };
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let password = password.to_string();
    let ok = tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_password(&password, &h),
        None => {
            // Spend the same time so response times do not reveal which emails exist.
            let _ = Argon2::default().hash_password(password.as_bytes());
            false
        }
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?;
    let user = match (ok, user) {
        (true, Some(u)) => u,
        _ => return Err(Error::Unauthenticated),
    };
    throttle.succeeded(&key, client);
    let session = Session {
        secret: random_token(""),
        csrf: random_token(""),
    };
    let now = now_ms();
    let mut tx = store.begin().await?;
    store::auth::insert_session(
        &mut tx,
        &user,
        &hash_secret(&session.secret),
        &session.csrf,
        now + SESSION_MS,
        now,
    )
    .await?;
    store::org::audit(
        &mut tx,
        user.org_id,
        Some(user.id),
        now,
        "login",
        &format!("user:{}", user.id),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(session)
}

/// The user and CSRF token of a live session.
pub async fn session(store: &Store, secret: &str) -> Result<(Actor, String)> {
    let mut c = store.reader().await?;
    let p = store::auth::principal_by_session(&mut c, &hash_secret(secret), now_ms())
        .await?
        .ok_or(Error::Unauthenticated)?;
    let csrf = p.csrf_token.clone();
    Ok((actor_of(p), csrf))
}

/// Ends a session (and sweeps expired ones).
pub async fn logout(store: &Store, secret: &str) -> Result<()> {
    let mut tx = store.begin().await?;
    store::auth::delete_session(&mut tx, &hash_secret(secret), now_ms()).await?;
    tx.commit().await?;
    Ok(())
}

/// Constant-time comparison for CSRF tokens.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// How long a one-time password link works.
pub const RESET_MS: i64 = 24 * 3_600_000;

/// An administrator makes a one-time link for a user of the organisation to set their password
/// (a new colleague, a forgotten password). Returns the secret of the link (shown once).
pub async fn reset_link(store: &Store, actor: &Actor, user_id: i64) -> Result<(String, i64)> {
    actor.require(actor.role.can_administer())?;
    let mut tx = store.begin().await?;
    let user = store::org::user_in_org(&mut tx, actor.org_id, user_id)
        .await?
        .ok_or(Error::NotFound("user"))?;
    if user.active == 0 {
        return Err(Error::Conflict {
            code: "user_inactive",
            message: "reactivate the user before giving them a link".into(),
        });
    }
    let secret = random_token("pwr_");
    let now = now_ms();
    store::auth::insert_reset(
        &mut tx,
        user.id,
        &hash_secret(&secret),
        actor.user_id,
        now + RESET_MS,
        now,
    )
    .await?;
    store::org::audit(
        &mut tx,
        actor.org_id,
        Some(actor.user_id),
        now,
        "password_link",
        &format!("user:{}", user.id),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok((secret, now + RESET_MS))
}

/// Whose password a link sets, while it works.
pub async fn reset_for(store: &Store, secret: &str) -> Result<store::org::User> {
    let mut c = store.reader().await?;
    let (_, user_id) = store::auth::reset_user(&mut c, &hash_secret(secret), now_ms())
        .await?
        .ok_or(Error::NotFound("link"))?;
    store::org::user_by_id(&mut c, user_id)
        .await?
        .ok_or(Error::NotFound("link"))
}

/// Sets the password through a one-time link: the link is spent, the user's sessions end.
pub async fn reset_password(store: &Store, secret: &str, password: &str) -> Result<()> {
    let hash = {
        let p = password.to_string();
        tokio::task::spawn_blocking(move || hash_password(&p))
            .await
            .map_err(|e| Error::Internal(e.to_string()))??
    };
    let now = now_ms();
    let mut tx = store.begin().await?;
    let (id, user_id) = store::auth::reset_user(&mut tx, &hash_secret(secret), now)
        .await?
        .ok_or(Error::NotFound("link"))?;
    if !store::auth::spend_reset(&mut tx, id, now).await? {
        return Err(Error::NotFound("link"));
    }
    store::org::set_user_password(&mut tx, user_id, &hash).await?;
    store::auth::end_sessions_of(&mut tx, user_id).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod throttle_tests {
    use super::*;

    fn refused(t: &LoginThrottle, account: &str, client: &str) -> bool {
        t.attempt(account, client).is_err()
    }

    /// A wrong password: an attempt that does not succeed.
    fn fail(t: &LoginThrottle, account: &str, client: &str) {
        let _ = t.attempt(account, client);
    }

    fn sign_in(t: &LoginThrottle, account: &str, client: &str) -> bool {
        let ok = t.attempt(account, client).is_ok();
        if ok {
            t.succeeded(account, client);
        }
        ok
    }

    #[test]
    fn guessing_locks_the_guesser_not_the_owner() {
        let t = LoginThrottle::default();
        assert!(sign_in(&t, "owner", "home"));
        for _ in 0..LOGIN_FAILURES {
            fail(&t, "owner", "attacker");
        }
        assert!(refused(&t, "owner", "attacker"));
        assert!(sign_in(&t, "owner", "home"), "the owner's own client");
        assert!(
            sign_in(&t, "owner", "elsewhere"),
            "a new client, below the account's bound"
        );
        match t.attempt("owner", "attacker") {
            Err(Error::TooManyAttempts { retry_after_secs }) => {
                assert!((1..=LOGIN_WINDOW.as_secs() + 1).contains(&retry_after_secs))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn spraying_many_accounts_from_one_client_is_stopped_but_not_its_usual_users() {
        let t = LoginThrottle::default();
        assert!(sign_in(&t, "colleague", "office"));
        for i in 0..CLIENT_FAILURES {
            fail(&t, &format!("user{i}"), "office");
        }
        assert!(refused(&t, "someone-else", "office"));
        assert!(!refused(&t, "someone-else", "other"));
        assert!(
            sign_in(&t, "colleague", "office"),
            "who signs in from there lately still can"
        );
    }

    #[test]
    fn guessing_one_account_from_many_clients_leaves_only_usual_clients() {
        let t = LoginThrottle::default();
        assert!(sign_in(&t, "owner", "home"));
        for i in 0..ACCOUNT_FAILURES {
            fail(&t, "owner", &format!("bot{i}"));
        }
        assert!(refused(&t, "owner", "bot-new"));
        assert!(sign_in(&t, "owner", "home"));
        assert!(!refused(&t, "another", "bot-new"));
    }

    #[test]
    fn right_passwords_do_not_use_up_the_allowance() {
        let t = LoginThrottle::default();
        for _ in 0..3 * CLIENT_FAILURES {
            assert!(sign_in(&t, "busy", "kiosk"));
        }
    }
}
