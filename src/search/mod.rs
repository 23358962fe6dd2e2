//! The full-text index (tantivy) of cases and customers: derived data in the data directory,
//! rebuilt from the database at will. French stemming for messages and subjects, accent and case
//! folding everywhere, one typo forgiven on words of five letters or more, identities and case
//! numbers matched whole. What to index and when is `service::search`; this module knows documents
//! and queries, not the database.

pub mod kb;

use std::ops::Bound;
use std::path::Path;
use std::sync::{Arc, RwLock};
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, RangeQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    StopWordFilter, TextAnalyzer, TokenStream,
};
use tantivy::{DocAddress, IndexReader, IndexWriter, ReloadPolicy, Score, TantivyDocument, Term};

/// A hit's place in the order: (score, id).
type Rank = (f32, u64);

/// Bumped when the schema or the analyzers change: an index of another version is rebuilt.
const VERSION: u32 = 1;
/// Text of a case's messages kept in its document (the first ones: subject and opening need).
const BODY_LIMIT: usize = 64 * 1024;
const WRITER_HEAP: usize = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Directory(String),
    #[error("another process holds the search index for writing")]
    Locked,
}

pub type Result<T> = std::result::Result<T, Error>;

#[derive(Clone, Copy)]
struct Fields {
    kind: Field,
    uid: Field,
    org: Field,
    id: Field,
    customer: Field,
    number: Field,
    status: Field,
    channel: Field,
    site: Field,
    updated: Field,
    title: Field,
    name: Field,
    ids: Field,
    body: Field,
    words: Field,
    exact: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |analyzer: &str, stored: bool| {
        let o = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        if stored { o.set_stored() } else { o }
    };
    let f = Fields {
        kind: b.add_text_field("kind", STRING),
        uid: b.add_text_field("uid", STRING),
        org: b.add_u64_field("org", INDEXED),
        id: b.add_u64_field("id", FAST | STORED),
        customer: b.add_u64_field("customer", STORED),
        number: b.add_u64_field("number", STORED),
        status: b.add_text_field("status", STRING | STORED),
        channel: b.add_text_field("channel", STRING | STORED),
        site: b.add_u64_field("site", INDEXED),
        updated: b.add_i64_field("updated", INDEXED | FAST | STORED),
        title: b.add_text_field("title", text("fr", true)),
        name: b.add_text_field("name", text("fold", true)),
        ids: b.add_text_field("ids", text("fold", true)),
        body: b.add_text_field("body", text("fr", true)),
        words: b.add_text_field("words", text("fold", false)),
        exact: b.add_text_field("exact", text("key", false)),
    };
    (b.build(), f)
}

/// Messages and subjects: French stop words and Snowball stems; accents folded last, since the
/// stop list and the stemmer need them.
fn french() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::new(Language::French).expect("French stop words"))
        .filter(CachedFrenchStemmer)
        .filter(AsciiFoldingFilter)
        .build()
}

/// tantivy's French Snowball stemmer (the same `frostem`), with each thread remembering the
/// stems it computed: words repeat (a message's vocabulary is small), and stemming was the
/// largest cost of indexing and of the snippets under load.
#[derive(Clone)]
struct CachedFrenchStemmer;

impl tantivy::tokenizer::TokenFilter for CachedFrenchStemmer {
    type Tokenizer<T: tantivy::tokenizer::Tokenizer> = CachedStems<T>;
    fn transform<T: tantivy::tokenizer::Tokenizer>(self, inner: T) -> CachedStems<T> {
        CachedStems(inner)
    }
}

#[derive(Clone)]
struct CachedStems<T>(T);

impl<T: tantivy::tokenizer::Tokenizer> tantivy::tokenizer::Tokenizer for CachedStems<T> {
    type TokenStream<'a> = CachedStemStream<T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemStream(self.0.token_stream(text))
    }
}

struct CachedStemStream<S>(S);

thread_local! {
    static STEMS: std::cell::RefCell<std::collections::HashMap<String, String>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
    static FRENCH: frostem::Stemmer = frostem::Stemmer::new(frostem::Algorithm::French);
}

/// Words a thread remembers before it starts again (a few MB).
const STEMS_KEPT: usize = 50_000;

impl<S: TokenStream> TokenStream for CachedStemStream<S> {
    fn advance(&mut self) -> bool {
        if !self.0.advance() {
            return false;
        }
        let token = self.0.token_mut();
        STEMS.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some(stem) = cache.get(&token.text) {
                token.text.clear();
                token.text.push_str(stem);
                return;
            }
            let stem = FRENCH.with(|f| f.stem(&token.text).into_owned());
            if cache.len() >= STEMS_KEPT {
                cache.clear();
            }
            cache.insert(std::mem::replace(&mut token.text, stem.clone()), stem);
        });
        true
    }
    fn token(&self) -> &tantivy::tokenizer::Token {
        self.0.token()
    }
    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        self.0.token_mut()
    }
}

/// Names, identities and the words typos are forgiven on: whole words, folded.
fn fold() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Identity keys and case numbers, matched whole.
fn key() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .build()
}

fn tokens(mut a: TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut s = a.token_stream(text);
    while s.advance() {
        out.push(s.token().text.clone());
    }
    out
}

/// Where an index stands, kept in its commits.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mark {
    pub version: u32,
    /// This index's name in `search_node`.
    pub node: String,
    /// The last change of the log applied (transaction id, id).
    pub position: (i64, i64),
    /// When it was committed (epoch ms).
    pub at: i64,
}

/// A case as indexed: its subject and messages, its customer's name and identities.
pub struct CaseDoc<'a> {
    pub id: i64,
    pub org_id: i64,
    pub customer_id: i64,
    pub number: i64,
    pub status: &'a str,
    pub channel: &'a str,
    pub site_id: Option<i64>,
    pub updated_at: i64,
    pub subject: &'a str,
    pub customer_name: &'a str,
    /// Identity values as shown (email, phone, customer number, handle).
    pub identities: &'a [String],
    /// Identity keys and `case:N` (matched whole).
    pub keys: &'a [String],
    pub messages: &'a [&'a str],
}

pub struct CustomerDoc<'a> {
    pub id: i64,
    pub org_id: i64,
    pub name: &'a str,
    pub identities: &'a [String],
    pub keys: &'a [String],
    pub last_contact_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Case,
    Customer,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Case => "case",
            Kind::Customer => "customer",
        }
    }
}

/// A search within one organisation.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub org_id: i64,
    pub text: String,
    /// Identity keys or `case:N` the text may be, matched whole (found by the caller).
    pub keys: Vec<String>,
    pub kind: Option<Kind>,
    pub status: Option<String>,
    pub channel: Option<String>,
    pub site_id: Option<i64>,
    /// Last activity in [from, to) (epoch ms).
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Results after this one (score, id): keyset pages.
    pub after: Option<(f32, u64)>,
    pub limit: usize,
    /// Also forgive one typo on words of five letters or more, and take the last word as the
    /// start of an identity (costlier: the caller asks when the strict search finds nothing).
    pub loose: bool,
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub kind: Kind,
    pub id: i64,
    pub score: f32,
    pub title: String,
    pub name: String,
    pub identities: String,
    pub status: String,
    pub channel: String,
    pub number: i64,
    pub customer_id: i64,
    pub updated_at: i64,
    /// The best passage of the messages: (text, highlighted) pieces.
    pub snippet: Vec<(String, bool)>,
}

#[derive(Debug, Clone)]
pub struct Hits {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// The last hit's (score, id) when more follow.
    pub next: Option<(f32, u64)>,
}

/// The index of one data directory. Any number of processes may read it; one writes.
#[derive(Clone)]
pub struct Index {
    index: tantivy::Index,
    reader: IndexReader,
    f: Fields,
    /// The mark of what this process's searchers see, once it wrote: set after the reader
    /// reloads, so "nothing pending" never comes before the results it promises.
    seen: Arc<RwLock<Option<Mark>>>,
}

impl Index {
    /// Opens the index in `dir`, creating it if missing or rebuilding it empty if it was made by
    /// another version (it is derived data).
    pub fn open(dir: &Path) -> Result<Index> {
        std::fs::create_dir_all(dir).map_err(|e| Error::Directory(e.to_string()))?;
        let (schema, f) = schema();
        let open = || -> Result<tantivy::Index> {
            let d = MmapDirectory::open(dir).map_err(|e| Error::Directory(e.to_string()))?;
            Ok(tantivy::Index::open_or_create(d, schema.clone())?)
        };
        let index = match open() {
            Ok(i) if mark_of(&i).is_none_or(|m| m.version == VERSION) => i,
            _ => {
                // Another schema or version: start again (the caller reindexes from the log).
                tracing::warn!(dir = %dir.display(), "search index of another version: rebuilt");
                for e in std::fs::read_dir(dir).map_err(|e| Error::Directory(e.to_string()))? {
                    let p = e.map_err(|e| Error::Directory(e.to_string()))?.path();
                    if p.is_file() {
                        std::fs::remove_file(&p).map_err(|e| Error::Directory(e.to_string()))?;
                    }
                }
                open()?
            }
        };
        index.tokenizers().register("fr", french());
        index.tokenizers().register("fold", fold());
        index.tokenizers().register("key", key());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(Index {
            index,
            reader,
            f,
            seen: Arc::default(),
        })
    }

    /// Takes the index for writing; `Locked` if another process has it.
    pub fn writer(&self) -> Result<Writer> {
        match self.index.writer_with_num_threads(1, WRITER_HEAP) {
            Ok(w) => Ok(Writer {
                w,
                f: self.f,
                reader: self.reader.clone(),
                seen: self.seen.clone(),
            }),
            Err(tantivy::TantivyError::LockFailure(..)) => Err(Error::Locked),
            Err(e) => Err(e.into()),
        }
    }

    /// Where the last commit left the index (None: never written).
    pub fn mark(&self) -> Option<Mark> {
        let seen = self.seen.read().unwrap_or_else(|p| p.into_inner()).clone();
        seen.or_else(|| mark_of(&self.index))
    }

    /// Documents in the index (cases and customers).
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn search(&self, q: &Query) -> Result<Hits> {
        let f = self.f;
        let Some(matching) = self.matching(q) else {
            return Ok(Hits {
                total: 0,
                hits: Vec::new(),
                next: None,
            });
        };
        let mut all: Vec<(Occur, Box<dyn tantivy::query::Query>)> = vec![(Occur::Must, matching)];
        let filter = |t: Box<dyn tantivy::query::Query>| {
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(t, 0.0)) as Box<dyn tantivy::query::Query>,
            )
        };
        let term = |t: Term| -> Box<dyn tantivy::query::Query> {
            Box::new(TermQuery::new(t, IndexRecordOption::Basic))
        };
        all.push(filter(term(Term::from_field_u64(f.org, q.org_id as u64))));
        if let Some(k) = q.kind {
            all.push(filter(term(Term::from_field_text(f.kind, k.as_str()))));
        }
        if let Some(s) = &q.status {
            all.push(filter(term(Term::from_field_text(f.status, s))));
        }
        if let Some(c) = &q.channel {
            all.push(filter(term(Term::from_field_text(f.channel, c))));
        }
        if let Some(s) = q.site_id {
            all.push(filter(term(Term::from_field_u64(f.site, s as u64))));
        }
        if q.from.is_some() || q.to.is_some() {
            let lo = q.from.map_or(Bound::Unbounded, |t| {
                Bound::Included(Term::from_field_i64(f.updated, t))
            });
            let hi = q.to.map_or(Bound::Unbounded, |t| {
                Bound::Excluded(Term::from_field_i64(f.updated, t))
            });
            all.push(filter(Box::new(RangeQuery::new(lo, hi))));
        }
        let query = BooleanQuery::new(all);
        let searcher = self.reader.searcher();
        let (total, mut found) = self.page(&searcher, &query, q.after, q.limit + 1)?;
        let next = if found.len() > q.limit {
            found.truncate(q.limit);
            found.last().map(|(k, _)| *k)
        } else {
            None
        };
        let mut snippets = tantivy::snippet::SnippetGenerator::create(&searcher, &query, f.body)?;
        snippets.set_max_num_chars(180);
        let mut hits = Vec::with_capacity(found.len());
        for ((score, id), addr) in found {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let text = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let int = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_u64().or_else(|| v.as_i64().map(|i| i as u64)))
                    .unwrap_or_default() as i64
            };
            let kind = if doc.get_first(f.number).is_some() {
                Kind::Case
            } else {
                Kind::Customer
            };
            let snippet = if kind == Kind::Case {
                pieces(&snippets.snippet_from_doc(&doc))
            } else {
                Vec::new()
            };
            hits.push(Hit {
                kind,
                id: id as i64,
                score,
                title: text(f.title),
                name: text(f.name),
                identities: text(f.ids),
                status: text(f.status),
                channel: text(f.channel),
                number: int(f.number),
                customer_id: int(f.customer),
                updated_at: int(f.updated),
                snippet,
            });
        }
        Ok(Hits { total, hits, next })
    }

    /// How many match, and the best `n` after the cursor by (score, id), in one pass over the
    /// matches: what is not after the cursor sorts last. (Measured against tantivy's pruning
    /// top-k for the first page plus a separate count: two passes were slower at 1 M messages,
    /// 583 against 723 searches/s under load.)
    fn page(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn tantivy::query::Query,
        after: Option<(f32, u64)>,
        n: usize,
    ) -> Result<(usize, Vec<(Rank, DocAddress)>)> {
        let top = TopDocs::with_limit(n).tweak_score(move |seg: &tantivy::SegmentReader| {
            let ids = seg
                .fast_fields()
                .u64("id")
                .expect("id is a fast field")
                .first_or_default_col(0);
            move |doc: tantivy::DocId, score: Score| {
                let key = (score, ids.get_val(doc));
                match after {
                    Some(a) if key >= a => (f32::NEG_INFINITY, 0),
                    _ => key,
                }
            }
        });
        let (total, found) = searcher.search(query, &(Count, top))?;
        Ok((
            total,
            found
                .into_iter()
                .filter(|((s, _), _)| s.is_finite())
                .collect(),
        ))
    }

    /// What the text asks for: every word somewhere (stemmed in messages and subjects, whole in
    /// names and identities, the last word as a name's start; when loose, one typo forgiven on
    /// long words and the last word as an identity's start), or one of the keys whole. None when
    /// it asks for nothing.
    fn matching(&self, q: &Query) -> Option<Box<dyn tantivy::query::Query>> {
        let f = self.f;
        let mut words: Vec<(Occur, Box<dyn tantivy::query::Query>)> = Vec::new();
        let raw = tokens(fold(), &q.text);
        let meaningful = raw
            .iter()
            .filter(|w| !tokens(french(), w).is_empty())
            .count();
        let n = raw.len();
        for (i, w) in raw.iter().enumerate() {
            let stems = tokens(french(), w);
            // A stop word constrains nothing, unless the text is only stop words.
            if stems.is_empty() && meaningful > 0 {
                continue;
            }
            let mut any: Vec<(Occur, Box<dyn tantivy::query::Query>)> = Vec::new();
            let mut should = |q: Box<dyn tantivy::query::Query>| any.push((Occur::Should, q));
            let exact = |field: Field, t: &str| -> Box<dyn tantivy::query::Query> {
                Box::new(TermQuery::new(
                    Term::from_field_text(field, t),
                    IndexRecordOption::WithFreqs,
                ))
            };
            for s in &stems {
                should(exact(f.title, s));
                should(exact(f.body, s));
            }
            should(Box::new(BoostQuery::new(exact(f.name, w), 2.0)));
            should(exact(f.ids, w));
            // The word whole, where its stem would not match (measured: without it, 8 of 220
            // queries found fewer cases than SQLite's unstemmed FTS5).
            should(exact(f.words, w));
            if q.loose && w.chars().count() >= 5 {
                for field in [f.words, f.name] {
                    should(Box::new(BoostQuery::new(
                        Box::new(FuzzyTermQuery::new(
                            Term::from_field_text(field, w),
                            1,
                            true,
                        )),
                        0.5,
                    )));
                }
            }
            if i + 1 == n && w.chars().count() >= 2 {
                // Typing a name: its start is enough (an identity's, when loose).
                let fields: &[Field] = if q.loose { &[f.name, f.ids] } else { &[f.name] };
                for &field in fields {
                    should(Box::new(BoostQuery::new(
                        Box::new(FuzzyTermQuery::new_prefix(
                            Term::from_field_text(field, w),
                            0,
                            false,
                        )),
                        0.5,
                    )));
                }
            }
            words.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        let mut either: Vec<(Occur, Box<dyn tantivy::query::Query>)> = Vec::new();
        if !words.is_empty() {
            either.push((Occur::Should, Box::new(BooleanQuery::new(words))));
        }
        for k in &q.keys {
            either.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.exact, &k.to_lowercase()),
                        IndexRecordOption::Basic,
                    )),
                    10.0,
                )),
            ));
        }
        if either.is_empty() {
            None
        } else {
            Some(Box::new(BooleanQuery::new(either)))
        }
    }
}

fn mark_of(index: &tantivy::Index) -> Option<Mark> {
    let payload = index.load_metas().ok()?.payload?;
    serde_json::from_str(&payload).ok()
}

/// A snippet as pieces of text, the matched ones flagged (the page escapes and marks them).
fn pieces(s: &tantivy::snippet::Snippet) -> Vec<(String, bool)> {
    let text = s.fragment();
    let mut out = Vec::new();
    let mut at = 0;
    for r in s.highlighted() {
        if r.start > at {
            out.push((text[at..r.start].to_string(), false));
        }
        out.push((text[r.start..r.end].to_string(), true));
        at = r.end;
    }
    if at < text.len() {
        out.push((text[at..].to_string(), false));
    }
    out
}

/// The index open for writing (one per data directory).
pub struct Writer {
    w: IndexWriter,
    f: Fields,
    reader: IndexReader,
    seen: Arc<RwLock<Option<Mark>>>,
}

impl Writer {
    pub fn put_case(&mut self, d: &CaseDoc) -> Result<()> {
        let f = self.f;
        let uid = format!("case:{}", d.id);
        self.w.delete_term(Term::from_field_text(f.uid, &uid));
        let mut body = String::new();
        for m in d.messages {
            if body.len() + m.len() > BODY_LIMIT {
                let room = BODY_LIMIT.saturating_sub(body.len());
                let cut = (0..=room.min(m.len()))
                    .rev()
                    .find(|i| m.is_char_boundary(*i))
                    .unwrap_or(0);
                body.push_str(&m[..cut]);
                break;
            }
            if !body.is_empty() {
                body.push_str("\n\n");
            }
            body.push_str(m);
        }
        let mut doc = TantivyDocument::default();
        doc.add_text(f.kind, "case");
        doc.add_text(f.uid, &uid);
        doc.add_u64(f.org, d.org_id as u64);
        doc.add_u64(f.id, d.id as u64);
        doc.add_u64(f.customer, d.customer_id as u64);
        doc.add_u64(f.number, d.number as u64);
        doc.add_text(f.status, d.status);
        doc.add_text(f.channel, d.channel);
        if let Some(s) = d.site_id {
            doc.add_u64(f.site, s as u64);
        }
        doc.add_i64(f.updated, d.updated_at);
        doc.add_text(f.title, d.subject);
        doc.add_text(f.name, d.customer_name);
        doc.add_text(f.ids, d.identities.join(" · "));
        doc.add_text(f.words, d.subject);
        doc.add_text(f.words, &body);
        doc.add_text(f.body, body);
        for k in d.keys {
            doc.add_text(f.exact, k);
        }
        self.w.add_document(doc)?;
        Ok(())
    }

    pub fn put_customer(&mut self, d: &CustomerDoc) -> Result<()> {
        let f = self.f;
        let uid = format!("customer:{}", d.id);
        self.w.delete_term(Term::from_field_text(f.uid, &uid));
        let mut doc = TantivyDocument::default();
        doc.add_text(f.kind, "customer");
        doc.add_text(f.uid, &uid);
        doc.add_u64(f.org, d.org_id as u64);
        doc.add_u64(f.id, d.id as u64);
        doc.add_i64(f.updated, d.last_contact_at);
        doc.add_text(f.name, d.name);
        doc.add_text(f.ids, d.identities.join(" · "));
        for k in d.keys {
            doc.add_text(f.exact, k);
        }
        self.w.add_document(doc)?;
        Ok(())
    }

    pub fn delete(&mut self, kind: Kind, id: i64) {
        let uid = format!("{}:{id}", kind.as_str());
        self.w.delete_term(Term::from_field_text(self.f.uid, &uid));
    }

    pub fn delete_all(&mut self) -> Result<()> {
        self.w.delete_all_documents()?;
        Ok(())
    }

    /// Makes everything written durable and visible, with where the index now stands.
    pub fn commit(&mut self, mark: &Mark) -> Result<()> {
        let mut p = self.w.prepare_commit()?;
        p.set_payload(&serde_json::to_string(mark).expect("a mark serialises"));
        p.commit()?;
        self.reader.reload()?;
        *self.seen.write().unwrap_or_else(|p| p.into_inner()) = Some(mark.clone());
        Ok(())
    }

    /// The version documents are written in.
    pub fn version() -> u32 {
        VERSION
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(w: &mut Writer, id: i64, body: &str) {
        w.put_case(&CaseDoc {
            id,
            org_id: 1,
            customer_id: id,
            number: id,
            status: "open",
            channel: "email",
            site_id: None,
            updated_at: 0,
            subject: "Demande",
            customer_name: "",
            identities: &[],
            keys: &[],
            messages: &[body],
        })
        .unwrap();
    }

    fn pages(index: &Index, text: &str, limit: usize) -> (usize, Vec<i64>) {
        let mut q = Query {
            org_id: 1,
            text: text.into(),
            limit,
            ..Query::default()
        };
        let mut seen = Vec::new();
        loop {
            let h = index.search(&q).unwrap();
            seen.extend(h.hits.iter().map(|h| h.id));
            match h.next {
                Some(n) => q.after = Some(n),
                None => return (h.total, seen),
            }
        }
    }

    #[test]
    fn the_cached_stemmer_stems_as_tantivy_does() {
        let text = "Les clientes étaient très mécontentes de la livraison du colis ; \
                    l'accueil d'un client qu'on a rappelé aujourd'hui. Remboursements, rembourser, \
                    remboursement ; réclamations RÉCLAMATION.";
        let plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .filter(StopWordFilter::new(Language::French).unwrap())
            .filter(tantivy::tokenizer::Stemmer::new(Language::French))
            .filter(AsciiFoldingFilter)
            .build();
        // Twice: the second time from the cache.
        for _ in 0..2 {
            assert_eq!(tokens(french(), text), tokens(plain.clone(), text));
        }
        assert!(tokens(french(), "rembourser").contains(&"rembours".to_string()));
    }

    #[test]
    fn pages_are_exact_through_ties_and_mixed_scores() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(dir.path()).unwrap();
        let mut w = index.writer().unwrap();
        // 60 documents scoring the same, 40 that score higher or lower.
        for id in 1..=60 {
            case(&mut w, id, "remboursement demandé");
        }
        for id in 61..=100 {
            let body = "remboursement ".repeat((id % 5 + 1) as usize) + "et autre chose encore";
            case(&mut w, id, &body);
        }
        w.commit(&Mark {
            version: VERSION,
            node: "t".into(),
            position: (0, 1),
            at: 0,
        })
        .unwrap();
        for limit in [1, 7, 10, 33] {
            let (total, seen) = pages(&index, "rembourser", limit);
            assert_eq!(total, 100);
            let mut unique = seen.clone();
            unique.sort();
            unique.dedup();
            assert_eq!((seen.len(), unique.len()), (100, 100), "limit {limit}");
        }
        // The first page is the best by (score, id) whichever way it was found.
        let first = index
            .search(&Query {
                org_id: 1,
                text: "rembourser".into(),
                limit: 5,
                ..Query::default()
            })
            .unwrap();
        let all = index
            .search(&Query {
                org_id: 1,
                text: "rembourser".into(),
                limit: 100,
                ..Query::default()
            })
            .unwrap();
        let ids = |h: &Hits| h.hits.iter().map(|x| x.id).collect::<Vec<_>>();
        assert_eq!(ids(&first), ids(&all)[..5].to_vec());
    }
}
