//! The only place with SQL. One `Store` over SQLite or PostgreSQL through sqlx's `AnyPool`,
//! with a portable schema (epoch-ms BIGINT times, integer ids and flags, TEXT JSON);
//! see docs/ARCHITECTURE.md for the rules that keep one query text valid on both.

pub mod auth;
pub mod case;
/// How record fields read in JSON: times in RFC 3339, flags as booleans, lists as arrays (the
/// database keeps milliseconds, 0/1 and comma-separated text).
pub mod wire {
    use serde::Serializer;

    fn iso(ms: i64) -> String {
        jiff::Timestamp::from_millisecond(ms).map_or_else(|_| ms.to_string(), |t| t.to_string())
    }

    pub fn time<S: Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&iso(*ms))
    }

    pub fn time_opt<S: Serializer>(ms: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match ms {
            Some(ms) => s.serialize_str(&iso(*ms)),
            None => s.serialize_none(),
        }
    }

    pub fn flag<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(*v != 0)
    }

    /// A column holding JSON, as JSON (not as a string of it).
    pub fn json<S: Serializer>(v: &str, s: S) -> Result<S::Ok, S::Error> {
        use serde::Serialize;
        serde_json::from_str::<serde_json::Value>(v)
            .unwrap_or(serde_json::Value::Null)
            .serialize(s)
    }

    pub fn list<S: Serializer>(v: &str, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.split(',').map(str::trim).filter(|x| !x.is_empty()))
    }
}
pub mod change;
pub mod charter;
pub mod chat;
pub mod counter;
pub mod customer;
pub mod email;
pub mod interaction;
pub mod job;
pub mod kb;
pub mod org;
pub mod privacy;
pub mod quality;
pub mod reads;
pub mod retention;
pub mod review;
pub mod search;
pub mod survey;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions};
use std::str::FromStr;
use std::time::Duration;

/// A connection (pooled or inside a transaction) that store functions run on.
pub type Conn = AnyConnection;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("conflict on {0}")]
    Conflict(String),
    #[error("database: {0}")]
    Other(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Turns unique-constraint violations into `Conflict`, the rest stays a database error.
pub(crate) fn conflict(e: sqlx::Error) -> Error {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            Error::Conflict(db.constraint().unwrap_or("unique").to_string())
        }
        _ => Error::Other(e),
    }
}

/// A value bound to a dynamic statement.
pub(crate) enum Bind {
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    OptText(Option<String>),
    Float(f64),
}

/// A statement assembled at run time with `$N` placeholders, which both PostgreSQL and
/// SQLite read (sqlx's QueryBuilder emits `?` through the Any driver, which PostgreSQL refuses).
const ANONYMOUS_PLACEHOLDERS: bool = true;

pub(crate) struct Sql {
    text: String,
    binds: Vec<Bind>,
    /// Anonymous `?` placeholders (SQLite): SQLite finds a `$N` by walking the statement's list
    /// of names, which made large multi-row statements quadratic in their parameters (24 % of
    /// an import went to `sqlite3_bind_parameter_name` at 500 parameters a statement).
    anonymous: bool,
}

impl Sql {
    pub fn new(text: impl Into<String>) -> Sql {
        Sql {
            text: text.into(),
            binds: Vec::new(),
            anonymous: false,
        }
    }

    /// A statement for this connection's database, with the placeholders it reads fastest.
    pub fn on(c: &Conn, text: impl Into<String>) -> Sql {
        Sql {
            // Off: with `?` on SQLite the browser mail test lost its reply under load (cause not
            // found yet); the import was 14,500 lines/s with it, ~9,800 without.
            anonymous: c.backend_name() == "SQLite" && ANONYMOUS_PLACEHOLDERS,
            ..Sql::new(text)
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    pub fn bind(&mut self, value: Bind) -> &mut Sql {
        self.binds.push(value);
        if self.anonymous {
            self.text.push('?');
        } else {
            self.text.push_str(&format!("${}", self.binds.len()));
        }
        self
    }

    pub fn int(&mut self, v: i64) -> &mut Sql {
        self.bind(Bind::Int(v))
    }

    /// Binds each id, separated by commas (the inside of an `IN (…)`).
    pub fn ints(&mut self, ids: &[i64]) -> &mut Sql {
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.int(*id);
        }
        self
    }

    /// A number that may be missing: a missing one is written `NULL` in the text, because
    /// sqlx 0.9's Any driver binds a NULL double as a `real` (float4), and PostgreSQL then
    /// refuses the 8-byte doubles bound to the same prepared statement.
    pub fn float(&mut self, v: Option<f64>) -> &mut Sql {
        match v {
            Some(v) => self.bind(Bind::Float(v)),
            None => self.push("NULL"),
        }
    }

    pub fn text(&mut self, v: &str) -> &mut Sql {
        self.bind(Bind::Text(v.to_string()))
    }

    pub fn query_as<T>(&self) -> sqlx::query::QueryAs<'_, sqlx::Any, T, sqlx::any::AnyArguments>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(self.text.clone()));
        for b in &self.binds {
            q = match b {
                Bind::Int(i) => q.bind(*i),
                Bind::OptInt(i) => q.bind(*i),
                Bind::Text(s) => q.bind(s.clone()),
                Bind::OptText(s) => q.bind(s.clone()),
                Bind::Float(v) => q.bind(*v),
            };
        }
        q
    }

    pub fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.text.clone()));
        for b in &self.binds {
            q = match b {
                Bind::Int(i) => q.bind(*i),
                Bind::OptInt(i) => q.bind(*i),
                Bind::Text(s) => q.bind(s.clone()),
                Bind::OptText(s) => q.bind(s.clone()),
                Bind::Float(v) => q.bind(*v),
            };
        }
        q
    }
}

/// The SQLite writer's page cache (KiB).
const WRITER_CACHE_KIB: i64 = 65_536;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database: a reader pool and a writer pool. On SQLite the writer is one connection, so
/// write transactions queue in-process instead of failing with SQLITE_BUSY; on PostgreSQL both
/// are the same pool.
#[derive(Clone, Debug)]
pub struct Store {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
}

/// A write transaction. Store functions take `&mut Conn`; `&mut tx` derefs to it.
pub struct Tx(sqlx::Transaction<'static, sqlx::Any>);

impl Tx {
    pub async fn commit(self) -> Result<()> {
        Ok(self.0.commit().await?)
    }
}

impl std::ops::Deref for Tx {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.0
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.0
    }
}

impl Store {
    /// Connects to `sqlite://path?mode=rwc` or `postgres://…` and runs pending migrations.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        // Statements are not logged, except those slower than a second (a plan gone wrong).
        let opts = AnyConnectOptions::from_str(url)?
            .disable_statement_logging()
            .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_secs(1));
        // The writer gets a larger page cache: a batch that outgrows the cache spills pages to the
        // WAL mid-transaction (measured: demo generation 56 s with the 2 MB default).
        let pool = |max: u32, cache_kib: i64| {
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(Duration::from_secs(30))
                .after_connect(move |conn, _| {
                    Box::pin(async move {
                        if backend == Backend::Postgres {
                            // Generic plans prepared while a table is still small keep choosing
                            // sequential scans as it grows (measured: 3 ms per lookup during an
                            // import); custom plans follow the table's real size.
                            sqlx::raw_sql("SET plan_cache_mode = force_custom_plan")
                                .execute(&mut *conn)
                                .await?;
                        }
                        if backend == Backend::Sqlite {
                            // WAL lets readers run beside the writer; synchronous=FULL makes every
                            // commit durable before we answer (group commit keeps it affordable).
                            // The writer (opened once) refreshes the planner's statistics; a reader
                            // doing it as the pool grows made a request wait 1.2–1.6 s at 1 M
                            // interactions.
                            let optimize = if cache_kib == WRITER_CACHE_KIB {
                                "PRAGMA analysis_limit=1000; PRAGMA optimize=0x10002"
                            } else {
                                ""
                            };
                            let pragmas = format!(
                                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; \
                                 PRAGMA foreign_keys=ON; PRAGMA cache_size=-{cache_kib}; {optimize}"
                            );
                            sqlx::raw_sql(sqlx::AssertSqlSafe(pragmas)).execute(&mut *conn).await?;
                        }
                        Ok(())
                    })
                })
                .connect_with(opts.clone())
        };
        let (read, write) = match backend {
            Backend::Sqlite => {
                let write = pool(1, WRITER_CACHE_KIB).await?;
                (pool(8, 8_192).await?, write)
            }
            Backend::Postgres => {
                let p = pool(16, 0).await?;
                (p.clone(), p)
            }
        };
        let store = Store {
            read,
            write,
            backend,
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Postgres => {
                sqlx::migrate!("migrations/postgres")
                    .run(&self.write)
                    .await?
            }
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.write).await?,
        }
        Ok(())
    }

    /// A pooled connection for reads.
    pub async fn reader(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.read.acquire().await?)
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE` on SQLite, so it never fails to upgrade).
    pub async fn begin(&self) -> Result<Tx> {
        let tx = match self.backend {
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.write.begin().await?,
        };
        Ok(Tx(tx))
    }

    /// A consistent copy of a SQLite database into `path` while it is in use.
    pub async fn backup_to(&self, path: &str) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(Error::Conflict(
                "backup of PostgreSQL is done with pg_dump".into(),
            ));
        }
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

/// Rows per multi-row statement for rows of `params` values (statements built with `Sql::on`).
pub(crate) fn rows_per_statement(params: usize) -> usize {
    (SQLITE_MAX_PARAMS / params.max(1)).max(1)
}

/// Parameters per multi-row statement (SQLite allows 32,766; beyond a thousand, bigger
/// statements saved nothing measurable).
const SQLITE_MAX_PARAMS: usize = 1_000;

/// Reserves `n` new ids of `table` for rows the caller inserts with explicit ids in this
/// transaction. SQLite: the write transaction holds the database's only write lock, so the ids
/// after the largest are free; PostgreSQL: drawn from the identity's sequence.
pub(crate) async fn reserve_ids(c: &mut Conn, table: &'static str, n: usize) -> Result<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    if c.backend_name() == "PostgreSQL" {
        let rows: Vec<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, $1)"
        )))
        .bind(n as i64)
        .fetch_all(c)
        .await?;
        return Ok(rows.into_iter().map(|r| r.0).collect());
    }
    let (max,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM {table}"
    )))
    .fetch_one(c)
    .await?;
    Ok((1..=n as i64).map(|i| max + i).collect())
}
