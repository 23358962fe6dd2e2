//! Search: keeping the index current from the change log, rebuilding it, and answering staff
//! queries. Every process with a data directory keeps its own index and follows the log from
//! its own position (kept in the index's commits), so servers sharing a PostgreSQL database
//! each answer from their own copy; the log is pruned below the slowest index seen this week.

use super::{Actor, Error, Result, present};
use crate::domain::Invalid;
use crate::domain::case::CaseStatus;
use crate::domain::channel::Channel;
use crate::domain::identity::{CustomerNumber, Email, Identity, PhoneE164};
use crate::search::{self, CaseDoc, CustomerDoc, Index, Kind, Mark, Writer};
use crate::store::{self, Store};
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Changes read from the log at a time.
const CHUNK: i64 = 5_000;
/// How long live changes gather before the index commits them.
const GATHER: Duration = Duration::from_millis(1000);
/// Cases (with their messages) read from the database at a time.
const DOCS: usize = 500;
/// An index silent longer than this is forgotten and the log pruned past it; it rebuilds.
const KEEP_LOG_MS: i64 = 7 * 24 * 3_600_000;

impl From<search::Error> for Error {
    fn from(e: search::Error) -> Self {
        Error::Internal(e.to_string())
    }
}

/// Opens the data directory's index (`DATA_DIR/search`).
pub fn open(data_dir: &std::path::Path) -> Result<Index> {
    Ok(Index::open(&data_dir.join("search"))?)
}

/// The index taken for writing; its calls run on the blocking pool (commits fsync).
#[derive(Clone)]
struct Shared(Arc<Mutex<Writer>>);

impl Shared {
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Writer) -> std::result::Result<T, search::Error> + Send + 'static,
    ) -> Result<T> {
        let w = self.0.clone();
        let r = tokio::task::spawn_blocking(move || {
            let mut w = w.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut w)
        })
        .await
        .map_err(|e| Error::Internal(format!("search writer: {e}")))?;
        Ok(r?)
    }
}

/// Follows the log into the index until `stopped`, if this process can take the index for
/// writing (another process on the same data directory may hold it: then this one only reads).
pub fn start_indexer(
    store: Store,
    index: Index,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> Option<tokio::task::JoinHandle<()>> {
    let writer = match index.writer() {
        Ok(w) => Shared(Arc::new(Mutex::new(w))),
        Err(search::Error::Locked) => {
            tracing::info!("another process keeps the search index; this one reads it");
            return None;
        }
        Err(e) => {
            tracing::error!("search index not writable: {e}");
            return None;
        }
    };
    Some(tokio::spawn(async move {
        let mut writes = super::wake::writes();
        let mut last_prune = 0;
        loop {
            match step(&store, &index, &writer).await {
                Ok(0) => {}
                // A backlog: straight on.
                Ok(n) if n as i64 >= CHUNK => continue,
                // Live writes: gather them a moment, so a busy server commits the index a few
                // times a second rather than after every write (each commit is a new segment
                // to write, sync and merge: committing at every write cost a quarter of the
                // API's throughput on two cores).
                Ok(_) => {
                    tokio::select! {
                        _ = tokio::time::sleep(GATHER) => continue,
                        _ = stopped.changed() => return,
                    }
                }
                Err(e) => tracing::error!("search indexing: {e}"),
            }
            let now = super::now_ms();
            if now - last_prune > 60_000 {
                last_prune = now;
                if let Err(e) = prune(&store, now).await {
                    tracing::warn!("search log pruning: {e}");
                }
            }
            tokio::select! {
                _ = super::wake::next_write(&mut writes, Duration::from_secs(1)) => {}
                _ = stopped.changed() => return,
            }
        }
    }))
}

async fn prune(store: &Store, now: i64) -> Result<()> {
    let mut tx = store.begin().await?;
    store::search::prune(&mut tx, now - KEEP_LOG_MS).await?;
    tx.commit().await?;
    Ok(())
}

/// One step: rebuilds the index if it has no usable position, else applies the next changes of
/// the log. Returns how many changes it applied (0: nothing waited).
async fn step(store: &Store, index: &Index, w: &Shared) -> Result<usize> {
    let mark = index.mark();
    let followed = match &mark {
        Some(m) => store::search::still_followed(&mut *store.reader().await?, &m.node).await?,
        None => false,
    };
    match mark {
        Some(mark) if followed => catch_up(store, w, mark).await,
        mark => {
            tracing::info!("building the search index");
            let node = mark.map(|m| m.node).unwrap_or_else(new_node);
            Ok(rebuild(store, w, node, |_, _| {}).await?.max(1))
        }
    }
}

fn new_node() -> String {
    uuid::Uuid::new_v4().to_string()
}

async fn catch_up(store: &Store, w: &Shared, mark: Mark) -> Result<usize> {
    let changes =
        store::change::changes_after(&mut *store.reader().await?, mark.position, CHUNK).await?;
    let Some(last) = changes.last() else {
        return Ok(0);
    };
    let mut cases = BTreeSet::new();
    let mut customers = BTreeSet::new();
    for ch in &changes {
        if ch.kind == "case" {
            cases.insert(ch.ref_id);
        } else {
            customers.insert(ch.ref_id);
        }
    }
    let mark = Mark {
        position: (last.xid, last.id),
        at: super::now_ms(),
        ..mark
    };
    let mut c = store.reader().await?;
    let customers: Vec<i64> = customers.into_iter().collect();
    let mut docs = Docs::default();
    for chunk in customers.chunks(DOCS) {
        cases.extend(store::search::cases_of(&mut c, chunk).await?);
        docs.read_customers(&mut c, chunk).await?;
    }
    let cases: Vec<i64> = cases.into_iter().collect();
    for chunk in cases.chunks(DOCS) {
        docs.read_cases(&mut c, chunk).await?;
    }
    drop(c);
    commit(store, w, docs, mark).await?;
    Ok(changes.len())
}

/// Writes the documents, commits at `mark` and says so in `search_node`.
async fn commit(store: &Store, w: &Shared, docs: Docs, mark: Mark) -> Result<()> {
    let at = mark.clone();
    w.with(move |w| {
        docs.put(w)?;
        w.commit(&at)
    })
    .await?;
    let mut tx = store.begin().await?;
    store::search::report(&mut tx, &mark.node, mark.position, mark.at).await?;
    tx.commit().await?;
    Ok(())
}

/// Empties the index and writes every customer and case again, then follows the log from where
/// the rebuild started. `progress(done, total)` is told as documents are written.
async fn rebuild(
    store: &Store,
    w: &Shared,
    node: String,
    progress: impl Fn(u64, u64),
) -> Result<usize> {
    let mut c = store.reader().await?;
    let position = store::change::position_now(&mut c).await?;
    let (cases, customers) = store::search::totals(&mut c).await?;
    let total = (cases + customers) as u64;
    w.with(|w| w.delete_all()).await?;
    let mut done = 0u64;
    for kind in ["customer", "case"] {
        let mut after = 0;
        loop {
            let ids = store::search::ids_after(&mut c, kind, after, DOCS as i64).await?;
            let Some(last) = ids.last() else { break };
            after = *last;
            let mut docs = Docs::default();
            if kind == "case" {
                docs.read_cases(&mut c, &ids).await?;
            } else {
                docs.read_customers(&mut c, &ids).await?;
            }
            w.with(move |w| docs.put(w)).await?;
            done += ids.len() as u64;
            progress(done, total);
        }
    }
    drop(c);
    let mark = Mark {
        version: Writer::version(),
        node,
        position,
        at: super::now_ms(),
    };
    commit(store, w, Docs::default(), mark).await?;
    Ok(done as usize)
}

/// `pacte search reindex`: rebuilds this data directory's index from the database; refused while
/// another process (a running server) holds it.
pub async fn reindex(store: &Store, index: &Index, progress: impl Fn(u64, u64)) -> Result<u64> {
    let w = match index.writer() {
        Ok(w) => Shared(Arc::new(Mutex::new(w))),
        Err(search::Error::Locked) => {
            return Err(Error::Conflict {
                code: "index_busy",
                message: "a running Pacte process keeps this search index; stop it, or let it \
                          catch up by itself"
                    .into(),
            });
        }
        Err(e) => return Err(e.into()),
    };
    let node = index.mark().map(|m| m.node).unwrap_or_else(new_node);
    Ok(rebuild(store, &w, node, progress).await? as u64)
}

/// Documents read from the database, ready to write.
#[derive(Default)]
struct Docs {
    cases: Vec<store::search::CaseRow>,
    messages: HashMap<i64, Vec<String>>,
    gone_cases: Vec<i64>,
    customers: Vec<store::search::CustomerRow>,
    gone_customers: Vec<i64>,
    /// Per customer: (values shown, keys matched whole).
    identities: HashMap<i64, (Vec<String>, Vec<String>)>,
}

impl Docs {
    async fn read_identities(&mut self, c: &mut store::Conn, ids: &[i64]) -> Result<()> {
        let missing: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|i| !self.identities.contains_key(i))
            .collect();
        for id in &missing {
            self.identities.insert(*id, Default::default());
        }
        for (customer, key, value) in store::search::identities(c, &missing).await? {
            let e = self.identities.entry(customer).or_default();
            e.0.push(value);
            e.1.push(key);
        }
        Ok(())
    }

    async fn read_customers(&mut self, c: &mut store::Conn, ids: &[i64]) -> Result<()> {
        let rows = store::search::customers(c, ids).await?;
        let live: Vec<i64> = rows
            .iter()
            .filter(|r| r.merged_into.is_none())
            .map(|r| r.id)
            .collect();
        self.gone_customers
            .extend(ids.iter().filter(|i| !live.contains(i)));
        self.read_identities(c, &live).await?;
        self.customers
            .extend(rows.into_iter().filter(|r| r.merged_into.is_none()));
        Ok(())
    }

    async fn read_cases(&mut self, c: &mut store::Conn, ids: &[i64]) -> Result<()> {
        let rows = store::search::cases(c, ids).await?;
        self.gone_cases
            .extend(ids.iter().filter(|i| !rows.iter().any(|r| r.id == **i)));
        let owners: Vec<i64> = rows.iter().map(|r| r.customer_id).collect();
        self.read_identities(c, &owners).await?;
        for (case, subject, body) in store::search::messages(c, ids).await? {
            let m = self.messages.entry(case).or_default();
            match subject {
                // A message's own subject, when it differs from the case's, is searchable too.
                Some(s) if !s.is_empty() => m.push(format!("{s}\n{body}")),
                _ => m.push(body),
            }
        }
        self.cases.extend(rows);
        Ok(())
    }

    fn put(&self, w: &mut Writer) -> std::result::Result<(), search::Error> {
        let none = (Vec::new(), Vec::new());
        for id in &self.gone_cases {
            w.delete(Kind::Case, *id);
        }
        for id in &self.gone_customers {
            w.delete(Kind::Customer, *id);
        }
        for r in &self.cases {
            let (shown, keys) = self.identities.get(&r.customer_id).unwrap_or(&none);
            let mut keys = keys.clone();
            keys.push(format!("case:{}", r.number));
            let messages: Vec<&str> = self
                .messages
                .get(&r.id)
                .map(|m| m.iter().map(String::as_str).collect())
                .unwrap_or_default();
            w.put_case(&CaseDoc {
                id: r.id,
                org_id: r.org_id,
                customer_id: r.customer_id,
                number: r.number,
                status: &r.status,
                channel: &r.channel,
                site_id: r.site_id,
                updated_at: r.updated_at,
                subject: &r.subject,
                customer_name: r.customer_name.as_deref().unwrap_or_default(),
                identities: shown,
                keys: &keys,
                messages: &messages,
            })?;
        }
        for r in &self.customers {
            let (shown, keys) = self.identities.get(&r.id).unwrap_or(&none);
            w.put_customer(&CustomerDoc {
                id: r.id,
                org_id: r.org_id,
                name: r.display_name.as_deref().unwrap_or_default(),
                identities: shown,
                keys,
                last_contact_at: r.last_contact_at,
            })?;
        }
        Ok(())
    }
}

/// A search as it comes from a query string.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Words of a message or subject, a name, an email, a phone, a customer number, a case
    /// number or token.
    pub q: Option<String>,
    /// `case` or `customer` (default: both).
    pub kind: Option<String>,
    /// Cases in this status.
    pub status: Option<String>,
    /// Cases opened on this channel.
    pub channel: Option<String>,
    /// Site code.
    pub site: Option<String>,
    /// Last activity on or after this day (YYYY-MM-DD, the organisation's time) or time (RFC 3339).
    pub from: Option<String>,
    /// Last activity on or before this day, or before this time.
    pub to: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1–100, default 20.
    #[serde(default, deserialize_with = "super::blank_is_none")]
    pub limit: Option<i64>,
}

/// One page of results, with how many match in all and how far the index trails the database.
pub struct Found {
    pub total: usize,
    pub hits: Vec<search::Hit>,
    pub next_cursor: Option<String>,
    /// Changes written but not yet in the index (0 when it is current).
    pub pending: i64,
}

/// The organisation's cases and customers matching the text, best first.
pub async fn query(store: &Store, index: &Index, actor: &Actor, q: &SearchQuery) -> Result<Found> {
    let mut checks = super::Checks::default();
    let text = present(&q.q).unwrap_or_default().to_string();
    if text.is_empty() {
        checks.refuse(
            "q",
            "required",
            "give words, a name or a number to search for",
        );
    } else if text.chars().count() > 200 {
        checks.refuse("q", "too_long", "a search is at most 200 characters");
    }
    let kind = match present(&q.kind) {
        None => None,
        Some("case") => Some(Kind::Case),
        Some("customer") => Some(Kind::Customer),
        Some(other) => {
            checks.refuse(
                "kind",
                "invalid_kind",
                format!("«{other}» is not one of: case, customer"),
            );
            None
        }
    };
    let status = present(&q.status)
        .and_then(|s| checks.check("status", CaseStatus::parse(s)))
        .map(|s| s.as_str().to_string());
    let channel = present(&q.channel)
        .and_then(|s| checks.check("channel", Channel::parse(s)))
        .map(|c| c.as_str().to_string());
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        checks.refuse("limit", "invalid_limit", "limit is between 1 and 100");
    }
    let after = present(&q.cursor).and_then(|c| checks.check("cursor", parse_cursor(c)));
    let mut c = store.reader().await?;
    let (tz, _) = store::org::org_calendar(&mut c, actor.org_id).await?;
    let from = present(&q.from).and_then(|t| checks.check("from", bound(t, &tz, false)));
    let to = present(&q.to).and_then(|t| checks.check("to", bound(t, &tz, true)));
    let site_id = match present(&q.site) {
        Some(code) => match super::site_id(&mut c, actor.org_id, code).await {
            Ok(id) => Some(id),
            Err(Error::Invalid(f)) => {
                checks.0.extend(f);
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    checks.finish()?;
    let position = index.mark().map(|m| m.position).unwrap_or((0, 0));
    let pending = store::change::backlog(&mut c, position).await?;
    drop(c);
    let query = search::Query {
        org_id: actor.org_id,
        keys: keys_in(&text),
        text,
        kind,
        status,
        channel,
        site_id,
        from,
        to,
        after: after.map(|(s, id, _)| (s, id)),
        limit: limit as usize,
        loose: after.is_some_and(|(_, _, loose)| loose),
    };
    let index = index.clone();
    let hits = tokio::task::spawn_blocking(move || {
        // Strict first; typos and identity starts only when that finds nothing (a fuzzy word
        // expands to every term one edit away: the cost of a query several times over).
        // A cursor says which of the two its pages come from.
        let strict = index.search(&query)?;
        if strict.total > 0 || query.loose {
            return Ok::<_, search::Error>((strict, query.loose));
        }
        let loose = search::Query {
            loose: true,
            ..query
        };
        Ok::<_, search::Error>((index.search(&loose)?, true))
    })
    .await
    .map_err(|e| Error::Internal(format!("search: {e}")))?
    .map_err(Error::from)?;
    let (hits, loose) = hits;
    Ok(Found {
        total: hits.total,
        next_cursor: hits
            .next
            .map(|(s, id)| format!("{}.{id}{}", s.to_bits(), if loose { ".loose" } else { "" })),
        hits: hits.hits,
        pending,
    })
}

/// What the text may be whole: an identity (its stored key) or a case number / token.
fn keys_in(text: &str) -> Vec<String> {
    let t = text.trim();
    let mut keys = Vec::new();
    keys.extend(Email::parse(t).ok().map(|e| Identity::Email(e).key()));
    keys.extend(PhoneE164::parse(t).ok().map(|p| Identity::Phone(p).key()));
    keys.extend(
        CustomerNumber::parse(t)
            .ok()
            .map(|n| Identity::Number(n).key()),
    );
    let number = t
        .trim_start_matches("[#")
        .trim_end_matches(']')
        .trim_start_matches('#');
    let number = number.rsplit_once('-').map_or(number, |(_, n)| n);
    if let Ok(n) = number.parse::<u64>() {
        keys.push(format!("case:{n}"));
    }
    keys
}

/// `SCORE_BITS.ID`, and `.loose` when the pages come from the loose search.
fn parse_cursor(s: &str) -> std::result::Result<(f32, u64, bool), Invalid> {
    let bad = || Invalid::new("invalid_cursor", "the cursor is not one this API gave");
    let (s, loose) = match s.strip_suffix(".loose") {
        Some(rest) => (rest, true),
        None => (s, false),
    };
    let (score, id) = s.split_once('.').ok_or_else(bad)?;
    Ok((
        f32::from_bits(score.parse().map_err(|_| bad())?),
        id.parse().map_err(|_| bad())?,
        loose,
    ))
}

/// A day (the organisation's time: its start, or the next day's start for an upper bound) or an
/// RFC 3339 time, as epoch ms.
fn bound(raw: &str, tz: &str, upper: bool) -> std::result::Result<i64, Invalid> {
    if let Ok(t) = raw.parse::<jiff::Timestamp>() {
        return Ok(t.as_millisecond());
    }
    let day: jiff::civil::Date = raw.parse().map_err(|_| {
        Invalid::new(
            "invalid_date",
            format!("«{raw}» is neither a day (YYYY-MM-DD) nor an RFC 3339 time"),
        )
    })?;
    let day = if upper {
        day.tomorrow()
            .map_err(|_| Invalid::new("invalid_date", "date out of range"))?
    } else {
        day
    };
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    day.to_zoned(zone)
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|_| Invalid::new("invalid_date", "date out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_whole_keys_in_the_text() {
        assert!(keys_in("DEMO-1234").contains(&"case:1234".to_string()));
        assert!(keys_in("[#DEMO-12]").contains(&"case:12".to_string()));
        assert!(
            keys_in("jean.roux@exemple.fr")
                .iter()
                .any(|k| k.contains("jean.roux@exemple.fr"))
        );
        assert!(
            keys_in("06 12 34 56 78")
                .iter()
                .any(|k| k.contains("+33612345678"))
        );
        // A word may be a customer number, never a case number or an email.
        assert!(
            keys_in("remboursement")
                .iter()
                .all(|k| !k.starts_with("case:") && !k.contains('@'))
        );
    }

    #[test]
    fn cursors_come_back_as_given() {
        let c = format!("{}.{}", 1.25f32.to_bits(), 42);
        assert_eq!(parse_cursor(&c).unwrap(), (1.25, 42, false));
        assert_eq!(
            parse_cursor(&format!("{c}.loose")).unwrap(),
            (1.25, 42, true)
        );
        assert!(parse_cursor("x.1").is_err());
    }

    #[test]
    fn days_are_bounds_in_the_organisation_time() {
        let from = bound("2026-12-01", "Europe/Paris", false).unwrap();
        let to = bound("2026-12-01", "Europe/Paris", true).unwrap();
        assert_eq!(to - from, 24 * 3_600_000);
        assert_eq!(super::super::iso(from), "2026-11-30T23:00:00Z");
    }
}
