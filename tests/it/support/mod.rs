//! Test support: a fresh database per test on each backend, the real router in-process,
//! helpers per endpoint.

pub mod process;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use pacte::app::{AppState, router};
use pacte::config::Config;
use pacte::service::{auth, org};
use pacte::store::Store;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};
use tower::ServiceExt;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh, empty database; the SQLite file lives as long as this value.
pub struct TestDb {
    pub url: String,
    pub backend: &'static str,
    _dir: Option<tempfile::TempDir>,
}

/// Every backend to test on: SQLite always, PostgreSQL when PACTE_TEST_POSTGRES_URL is set.
pub async fn backends() -> Vec<TestDb> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().expect("temp dir");
    out.push(TestDb {
        url: format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display()),
        backend: "sqlite",
        _dir: Some(dir),
    });
    if let Ok(admin) = std::env::var("PACTE_TEST_POSTGRES_URL") {
        out.push(fresh_postgres(&admin).await);
    }
    out
}

async fn fresh_postgres(admin: &str) -> TestDb {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let name = format!(
        "pacte_t_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        pacte::service::now_ms() % 1_000_000
    );
    let mut c = sqlx::AnyConnection::connect(admin)
        .await
        .expect("PostgreSQL reachable");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut c)
        .await
        .expect("create database");
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
    TestDb {
        url: format!("{base}/{name}"),
        backend: "postgres",
        _dir: None,
    }
}

/// The application on a fresh database, with one organisation and users of each role.
pub struct TestApp {
    pub db: TestDb,
    pub store: Store,
    pub state: AppState,
    pub org_id: i64,
    pub admin: String,
    pub advisor: String,
    pub advisor_id: i64,
    /// The data directory (search index); the indexer runs while this lives.
    pub _data: tempfile::TempDir,
    _indexing: tokio::sync::watch::Sender<bool>,
}

pub struct Response {
    pub status: StatusCode,
    pub json: Value,
    pub headers: axum::http::HeaderMap,
}

impl TestApp {
    pub async fn new(db: TestDb) -> TestApp {
        Self::with_limit(db, 1 << 20).await
    }

    pub async fn with_limit(db: TestDb, body_limit: usize) -> TestApp {
        let store = Store::open(&db.url).await.expect("open store");
        let mut config = Config::for_database(&db.url);
        config.body_limit = body_limit;
        // The suite's mail servers and webhook receivers are on this machine.
        config.allow_private_networks = true;
        let data = tempfile::tempdir().expect("data dir");
        config.data_dir = data.path().to_path_buf();
        let state = AppState::new(store.clone(), config).expect("state");
        let (indexing, stopped) = tokio::sync::watch::channel(false);
        pacte::service::search::start_indexer(store.clone(), state.search.clone(), stopped);
        let o = org::create_org(&store, "acme", "Acme Services")
            .await
            .expect("org");
        let (admin, _) = user(&store, o.id, "admin@acme.fr", "admin").await;
        let (advisor, advisor_id) = user(&store, o.id, "conseil@acme.fr", "advisor").await;
        TestApp {
            db,
            store,
            state,
            org_id: o.id,
            admin,
            advisor,
            advisor_id,
            _data: data,
            _indexing: indexing,
        }
    }

    /// A second organisation with its own advisor token, for isolation tests.
    pub async fn other_org(&self) -> String {
        let o = org::create_org(&self.store, "autre", "Autre")
            .await
            .expect("org");
        user(&self.store, o.id, "x@autre.fr", "admin").await.0
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let body = match body {
            Some(b) => {
                req = req.header("content-type", "application/json");
                Body::from(b.to_string())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).expect("request")).await
    }

    pub async fn send(&self, req: Request<Body>) -> Response {
        let res = router(self.state.clone())
            .oneshot(req)
            .await
            .expect("response");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let json = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Response {
            status,
            json,
            headers,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.call("GET", path, Some(token), None, &[]).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Response {
        self.call("POST", path, Some(token), Some(body), &[]).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Response {
        self.call("PATCH", path, Some(token), Some(body), &[]).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Response {
        self.call("PUT", path, Some(token), Some(body), &[]).await
    }

    /// Records an interaction through the API and returns its answer.
    pub async fn interaction(&self, body: Value) -> Value {
        let r = self.post("/api/v1/interactions", &self.advisor, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        r.json
    }
}

/// A form posted to the web interface, with the session cookie if any.
pub fn form(path: &str, cookie: Option<&str>, body: &str) -> Request<Body> {
    let mut r = Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        r = r.header("cookie", c);
    }
    r.body(Body::from(body.to_string())).unwrap()
}

/// A page of the web interface, signed in.
pub fn page(path: &str, cookie: &str) -> Request<Body> {
    Request::builder()
        .uri(path)
        .header("cookie", cookie)
        .body(Body::empty())
        .unwrap()
}

/// The first form token of a page.
pub fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    html[at..at + 64].to_string()
}

/// A page's HTML.
pub fn html(r: &Response) -> String {
    r.json.as_str().unwrap_or_default().to_string()
}

impl TestApp {
    /// Signs in through the login form; the session cookie, or None when refused.
    pub async fn sign_in(&self, email: &str, password: &str) -> Option<String> {
        let body = format!(
            "email={}&password={}",
            email.replace('@', "%40"),
            password.replace(' ', "+")
        );
        let r = self.send(form("/login", None, &body)).await;
        (r.status == StatusCode::SEE_OTHER).then(|| {
            let set = r.headers["set-cookie"].to_str().unwrap();
            set.split(';').next().unwrap().to_string()
        })
    }
}

pub async fn user(store: &Store, org_id: i64, email: &str, role: &str) -> (String, i64) {
    let input = org::UserInput {
        email: email.into(),
        name: format!("{role} user"),
        role: role.into(),
        team_id: None,
        password: Some("correct horse".into()),
    };
    let u = org::add_user_unchecked(store, org_id, &input)
        .await
        .expect("user");
    (
        auth::issue_token(store, u.id, "test", None)
            .await
            .expect("token")
            .1,
        u.id,
    )
}

/// An inbound email from a customer.
pub fn email_in(from: &str, subject: &str, body: &str, at: &str) -> Value {
    json!({"channel": "email", "direction": "inbound", "occurred_at": at,
           "customer": {"email": from, "name": "Marie Dupont"}, "subject": subject, "body": body})
}
