//! Bulk import (JSONL or CSV of interactions) and JSONL export, through the same rules as the API.

use super::ingest::{self, CustomerRef, InteractionInput, SocialRef, Valid};
use super::{Error, Result, now_ms};
use crate::store::{self, Store};
use std::collections::HashMap;
use std::io::{BufRead, Write};

/// How many interactions go in one transaction.
/// (8,000 was measured: 7,850 lines/s instead of 6,300 at 1 M interactions, but 12,300 instead
/// of 14,300 at 100 k, and a rerun twice as slow.)
pub const BATCH: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
}

impl Format {
    pub fn of_path(path: &str) -> Format {
        if path.to_lowercase().ends_with(".csv") {
            Format::Csv
        } else {
            Format::Jsonl
        }
    }
}

/// A refused line: its number (1-based, header included for CSV) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: u64,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Report {
    pub read: u64,
    pub accepted: u64,
    pub errors: Vec<LineError>,
}

fn describe(e: &Error) -> String {
    match e {
        Error::Invalid(fields) => fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// Lines without an external id get one derived from their content, so a rerun finds them.
fn content_id(raw: &str) -> String {
    format!("import:{}", &super::auth::hash_secret(raw)[..32])
}

const CSV_COLUMNS: [&str; 17] = [
    "channel",
    "direction",
    "occurred_at",
    "email",
    "phone",
    "customer_number",
    "social_network",
    "social_handle",
    "name",
    "subject",
    "body",
    "site",
    "external_id",
    "kind",
    "category",
    "queued_at",
    "answered_at",
];

fn from_csv(
    headers: &csv::StringRecord,
    rec: &csv::StringRecord,
) -> std::result::Result<InteractionInput, String> {
    let get = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .and_then(|i| rec.get(i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let social = match (get("social_network"), get("social_handle")) {
        (Some(network), Some(handle)) => Some(SocialRef { network, handle }),
        (None, None) => None,
        _ => return Err("social_network and social_handle go together".into()),
    };
    Ok(InteractionInput {
        channel: get("channel").unwrap_or_default(),
        direction: get("direction").unwrap_or_default(),
        occurred_at: get("occurred_at"),
        customer: CustomerRef {
            email: get("email"),
            phone: get("phone"),
            customer_number: get("customer_number"),
            social,
            name: get("name"),
        },
        subject: get("subject"),
        body: get("body").unwrap_or_default(),
        site: get("site"),
        external_id: get("external_id"),
        kind: get("kind"),
        category: get("category"),
        queued_at: get("queued_at"),
        answered_at: get("answered_at"),
        ..Default::default()
    })
}

/// Reads interactions, records the valid ones in batches, and reports each refused line.
/// Rerunning the same file records nothing twice.
pub async fn import(
    store: &Store,
    org_id: i64,
    input: impl BufRead,
    format: Format,
    mut progress: impl FnMut(u64),
) -> Result<Report> {
    let now = now_ms();
    let mut report = Report::default();
    let mut batch: Vec<(u64, Valid)> = Vec::with_capacity(BATCH);
    let accept = |line: u64,
                  raw: &str,
                  parsed: std::result::Result<InteractionInput, String>,
                  report: &mut Report,
                  batch: &mut Vec<(u64, Valid)>| {
        report.read += 1;
        let mut input = match parsed {
            Ok(i) => i,
            Err(message) => return report.errors.push(LineError { line, message }),
        };
        if input
            .external_id
            .as_deref()
            .is_none_or(|e| e.trim().is_empty())
        {
            input.external_id = Some(content_id(raw));
        }
        match input.validate(now) {
            Ok(v) => batch.push((line, v)),
            Err(e) => report.errors.push(LineError {
                line,
                message: describe(&e),
            }),
        }
    };
    match format {
        Format::Jsonl => {
            // Lines as bytes: one line that is not UTF-8 is refused on its own, the rest go on.
            for (i, bytes) in input.split(b'\n').enumerate() {
                let n = i as u64 + 1;
                let bytes = bytes.map_err(|e| Error::Internal(format!("line {n}: {e}")))?;
                let (line, parsed) = match String::from_utf8(bytes) {
                    Ok(line) if line.trim().is_empty() => continue,
                    Ok(line) => {
                        let parsed = serde_json::from_str::<InteractionInput>(&line)
                            .map_err(|e| format!("invalid JSON: {e}"));
                        (line, parsed)
                    }
                    Err(e) => (
                        String::new(),
                        Err(format!("not UTF-8 text ({})", e.utf8_error())),
                    ),
                };
                accept(n, &line, parsed, &mut report, &mut batch);
                if batch.len() >= BATCH {
                    flush(store, org_id, &mut batch, &mut report).await?;
                    progress(report.read);
                }
            }
        }
        Format::Csv => {
            let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
            let headers = reader
                .headers()
                .map_err(|e| Error::Internal(format!("line 1: {e}")))?
                .clone();
            if let Some(h) = headers.iter().find(|h| !CSV_COLUMNS.contains(&h.trim())) {
                return Err(Error::invalid(
                    "header",
                    crate::domain::Invalid::new(
                        "unknown_column",
                        format!(
                            "line 1: unknown column «{h}»; known: {}",
                            CSV_COLUMNS.join(", ")
                        ),
                    ),
                ));
            }
            for rec in reader.records() {
                let (n, parsed, raw) = match rec {
                    Ok(r) => {
                        let n = r.position().map_or(0, |p| p.line());
                        let raw = r.iter().collect::<Vec<_>>().join("\u{1f}");
                        (n, from_csv(&headers, &r), raw)
                    }
                    Err(e) => {
                        let n = e.position().map_or(0, |p| p.line());
                        (n, Err(format!("unreadable CSV: {e}")), String::new())
                    }
                };
                accept(n, &raw, parsed, &mut report, &mut batch);
                if batch.len() >= BATCH {
                    flush(store, org_id, &mut batch, &mut report).await?;
                    progress(report.read);
                }
            }
        }
    }
    flush(store, org_id, &mut batch, &mut report).await?;
    progress(report.read);
    report.errors.sort_by_key(|e| e.line);
    Ok(report)
}

/// Records a batch in one transaction; if a line breaks it (an unknown site, say), records the
/// lines one by one so the others still land and the bad one is named.
async fn flush(
    store: &Store,
    org_id: i64,
    batch: &mut Vec<(u64, Valid)>,
    report: &mut Report,
) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    // History is replayed in time order so cases open, reopen and solve as they did.
    batch.sort_by_key(|(line, v)| (v.occurred_at, *line));
    let items: Vec<Valid> = batch.iter().map(|(_, v)| v.clone()).collect();
    match ingest::record_batch(store, org_id, &items).await {
        Ok(done) => report.accepted += done.len() as u64,
        Err(Error::Internal(e)) => return Err(Error::Internal(e)),
        Err(_) => {
            for (line, v) in batch.iter() {
                match ingest::record(store, org_id, v, None).await {
                    Ok(_) => report.accepted += 1,
                    Err(Error::Internal(e)) => return Err(Error::Internal(e)),
                    Err(e) => report.errors.push(LineError {
                        line: *line,
                        message: describe(&e),
                    }),
                }
            }
        }
    }
    batch.clear();
    Ok(())
}

/// Writes every interaction of the organisation as JSONL, in the import format.
pub async fn export(store: &Store, org_id: i64, mut out: impl Write) -> Result<u64> {
    let mut c = store.reader().await?;
    let sites: HashMap<i64, String> = store::org::list_sites(&mut c, org_id)
        .await?
        .into_iter()
        .map(|s| (s.id, s.code))
        .collect();
    let mut customers: HashMap<i64, CustomerRef> = HashMap::new();
    let (mut after, mut written) = (0, 0u64);
    loop {
        let page = store::interaction::page_for_export(&mut c, org_id, after, 5_000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for i in page {
            if let std::collections::hash_map::Entry::Vacant(e) = customers.entry(i.customer_id) {
                let r = customer_ref(&mut c, org_id, i.customer_id).await?;
                e.insert(r);
            }
            let line = InteractionInput {
                channel: i.channel,
                direction: i.direction,
                occurred_at: Some(super::iso(i.occurred_at)),
                customer: customers[&i.customer_id].clone(),
                subject: i.subject,
                body: i.body,
                site: i.site_id.and_then(|s| sites.get(&s).cloned()),
                external_id: Some(i.external_id.unwrap_or_else(|| format!("pacte:{}", i.id))),
                queued_at: i.queued_at.map(super::iso),
                answered_at: i.answered_at.map(super::iso),
                attachments: serde_json::from_str(&i.attachments).unwrap_or_default(),
                ..Default::default()
            };
            serde_json::to_writer(&mut out, &line).map_err(|e| Error::Internal(e.to_string()))?;
            out.write_all(b"\n")
                .map_err(|e| Error::Internal(e.to_string()))?;
            written += 1;
        }
    }
    out.flush().map_err(|e| Error::Internal(e.to_string()))?;
    Ok(written)
}

async fn customer_ref(c: &mut store::Conn, org_id: i64, id: i64) -> Result<CustomerRef> {
    let customer = store::customer::get(c, org_id, id)
        .await?
        .ok_or(Error::NotFound("customer"))?;
    let mut r = CustomerRef {
        name: customer.display_name,
        ..Default::default()
    };
    for ident in store::customer::identities(c, id).await? {
        match ident.kind.as_str() {
            "email" if r.email.is_none() => r.email = Some(ident.value),
            "phone" if r.phone.is_none() => r.phone = Some(ident.value),
            "customer_number" if r.customer_number.is_none() => {
                r.customer_number = Some(ident.value)
            }
            "social" if r.social.is_none() => {
                if let Some((network, handle)) = ident.value.split_once(" @") {
                    r.social = Some(SocialRef {
                        network: network.into(),
                        handle: handle.into(),
                    });
                }
            }
            _ => {}
        }
    }
    Ok(r)
}
