//! The knowledge base's index: one per organisation and language, in memory (a base is
//! thousands of articles, not millions), built from the published articles. tantivy's BM25
//! over the question forms (title, variants, keywords) and the text gathers candidates with the
//! analyzers of search (French stems, accents folded; English stems for English articles);
//! each candidate then gets a confidence from 0 to 1: how much of the question's weight
//! (inverse document frequency) its closest question form and its text cover. A word the base
//! has never seen weighs as the rarest word, so a question about something else scores low —
//! that is what lets the bot know when to hand over.

use super::{Error, Result, french};
use std::collections::{HashMap, HashSet};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, TermQuery};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, TokenStream,
};
use tantivy::{IndexReader, TantivyDocument, Term};

/// An article as the index reads it.
#[derive(Debug, Clone, Default)]
pub struct ArticleDoc {
    pub id: i64,
    /// fr | en
    pub lang: String,
    pub title: String,
    pub short_answer: String,
    pub body: String,
    pub keywords: String,
    pub variants: Vec<String>,
}

/// An article weighed for a question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub article_id: i64,
    /// 0–1.
    pub confidence: f64,
}

/// Candidates BM25 gathers before they are ordered (confidence and BM25).
const GATHER: usize = 60;
/// The order: the closest question form, the whole article's cover of the question (the
/// rest) and BM25 relative to the best candidate's (tuned on held-out questions, bench/bot.sh).
const RANK_FORM: f64 = 0.3;
const BM25_WEIGHT: f64 = 0.5;
/// The confidence: the closest form, the cover by the forms and short answer, the rest by the
/// whole article (a long text holds many words: it says little about fit on its own).
const CONFIDENCE_FORM: f64 = 0.4;
const CONFIDENCE_NEAR: f64 = 0.4;

fn english() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::new(Language::English).expect("English stop words"))
        .filter(Stemmer::new(Language::English))
        .filter(AsciiFoldingFilter)
        .build()
}

fn analyzer(lang: &str) -> TextAnalyzer {
    if lang == "en" { english() } else { french() }
}

fn stems(a: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut s = a.token_stream(text);
    while s.advance() {
        out.push(s.token().text.clone());
    }
    out
}

/// An article's words as the confidence reads them.
struct Entry {
    id: i64,
    /// Each way of asking (title, variants, keywords), as sets of stems.
    forms: Vec<HashSet<String>>,
    /// The stems of the question forms and the short answer.
    near: HashSet<String>,
    /// Every stem of the article.
    all: HashSet<String>,
}

/// The index of one language's published articles.
struct Shelf {
    reader: IndexReader,
    head: Field,
    text: Field,
    id: Field,
    entries: HashMap<i64, Entry>,
    /// Inverse document frequency of each stem, over the articles.
    idf: HashMap<String, f64>,
    /// The weight of a word no article has.
    unseen: f64,
    /// Stems by length, for the one-typo look-up.
    vocabulary: HashMap<usize, Vec<String>>,
}

/// An organisation's base, ready to answer.
pub struct KbIndex {
    shelves: HashMap<String, Shelf>,
}

impl KbIndex {
    pub fn build(articles: &[ArticleDoc]) -> Result<KbIndex> {
        let mut by_lang: HashMap<&str, Vec<&ArticleDoc>> = HashMap::new();
        for a in articles {
            by_lang.entry(a.lang.as_str()).or_default().push(a);
        }
        let mut shelves = HashMap::new();
        for (lang, docs) in by_lang {
            shelves.insert(lang.to_string(), Shelf::build(lang, &docs)?);
        }
        Ok(KbIndex { shelves })
    }

    /// The articles of `lang` that fit the question best, most confident first (at most `n`).
    /// A language without articles answers from the others' base.
    pub fn ask(&self, question: &str, lang: &str, n: usize) -> Result<Vec<Candidate>> {
        let shelf = match self.shelves.get(lang) {
            Some(s) => s,
            None => match self.shelves.values().next() {
                Some(s) => s,
                None => return Ok(Vec::new()),
            },
        };
        shelf.ask(question, n)
    }
}

impl Shelf {
    fn build(lang: &str, docs: &[&ArticleDoc]) -> Result<Shelf> {
        let mut b = Schema::builder();
        let text_options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("kb")
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let head = b.add_text_field("head", text_options.clone());
        let text = b.add_text_field("text", text_options);
        let id = b.add_i64_field("id", FAST | STORED);
        let index = tantivy::Index::create_in_ram(b.build());
        index.tokenizers().register("kb", analyzer(lang));
        let mut w: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
        let mut a = analyzer(lang);
        let mut entries = HashMap::with_capacity(docs.len());
        let mut df: HashMap<String, u32> = HashMap::new();
        for d in docs {
            let mut doc = TantivyDocument::default();
            doc.add_i64(id, d.id);
            doc.add_text(head, &d.title);
            doc.add_text(head, &d.keywords);
            for v in &d.variants {
                doc.add_text(head, v);
            }
            doc.add_text(text, &d.short_answer);
            doc.add_text(text, &d.body);
            w.add_document(doc)?;
            let mut forms: Vec<HashSet<String>> = std::iter::once(&d.title)
                .chain(&d.variants)
                .chain(std::iter::once(&d.keywords))
                .map(|t| stems(&mut a, t).into_iter().collect::<HashSet<_>>())
                .filter(|f| !f.is_empty())
                .collect();
            forms.dedup();
            let mut near: HashSet<String> = forms.iter().flatten().cloned().collect();
            near.extend(stems(&mut a, &d.short_answer));
            let mut all = near.clone();
            all.extend(stems(&mut a, &d.body));
            for s in &all {
                *df.entry(s.clone()).or_default() += 1;
            }
            entries.insert(
                d.id,
                Entry {
                    id: d.id,
                    forms,
                    near,
                    all,
                },
            );
        }
        w.commit()?;
        let reader = index.reader()?;
        let n = docs.len() as f64;
        let weight = |df: f64| (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        let mut vocabulary: HashMap<usize, Vec<String>> = HashMap::new();
        for s in df.keys() {
            vocabulary
                .entry(s.chars().count())
                .or_default()
                .push(s.clone());
        }
        Ok(Shelf {
            reader,
            head,
            text,
            id,
            idf: df
                .into_iter()
                .map(|(s, d)| (s, weight(f64::from(d))))
                .collect(),
            unseen: weight(0.0),
            vocabulary,
            entries,
        })
    }

    /// A stem the base does not know, read as the known stem one edit away that most articles
    /// share (a typo: "pasport" → "passport"); words under five letters are taken as written.
    fn known(&self, stem: &str) -> Option<String> {
        if self.idf.contains_key(stem) {
            return Some(stem.to_string());
        }
        let len = stem.chars().count();
        if len < 5 {
            return None;
        }
        (len - 1..=len + 1)
            .filter_map(|l| self.vocabulary.get(&l))
            .flatten()
            .filter(|v| one_edit(stem, v))
            .min_by(|a, b| self.idf[*a].total_cmp(&self.idf[*b]).then(a.cmp(b)))
            .cloned()
    }

    fn ask(&self, question: &str, n: usize) -> Result<Vec<Candidate>> {
        let mut a = self.analyzer();
        let mut terms: Vec<(String, f64)> = Vec::new();
        for s in stems(&mut a, question) {
            let (s, w) = match self.known(&s) {
                Some(k) => {
                    let w = self.idf[&k];
                    (k, w)
                }
                None => (s, self.unseen),
            };
            if !terms.iter().any(|(t, _)| *t == s) {
                terms.push((s, w));
            }
        }
        let total: f64 = terms.iter().map(|(_, w)| w).sum();
        if total == 0.0 {
            return Ok(Vec::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn tantivy::query::Query>)> = Vec::new();
        for (t, _) in terms.iter().filter(|(t, _)| self.idf.contains_key(t)) {
            for (field, boost) in [(self.head, 2.0), (self.text, 1.0)] {
                let q = TermQuery::new(
                    Term::from_field_text(field, t),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost))));
            }
        }
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let hits = searcher.search(
            &BooleanQuery::new(clauses),
            &TopDocs::with_limit(GATHER).order_by_score(),
        )?;
        let best = hits
            .first()
            .map_or(1.0, |h| f64::from(h.0).max(f64::MIN_POSITIVE));
        let mut out = Vec::with_capacity(hits.len());
        for (bm25, addr) in hits {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let id = doc
                .get_first(self.id)
                .and_then(|v| v.as_i64())
                .ok_or_else(|| Error::Directory("an article without id".into()))?;
            if let Some(e) = self.entries.get(&id) {
                let s = signals(&terms, total, e, &self.idf);
                let rank = RANK_FORM * s.form
                    + (1.0 - RANK_FORM) * s.all
                    + BM25_WEIGHT * f64::from(bm25) / best;
                let confidence = (CONFIDENCE_FORM * s.form
                    + CONFIDENCE_NEAR * s.near
                    + (1.0 - CONFIDENCE_FORM - CONFIDENCE_NEAR) * s.all)
                    .clamp(0.0, 1.0);
                out.push((
                    rank,
                    Candidate {
                        article_id: e.id,
                        confidence,
                    },
                ));
            }
        }
        // Ranked on both (BM25 weighs the text where the question forms say little); the
        // confidence alone is what the handoff rules read.
        out.sort_by(|x, y| y.0.total_cmp(&x.0));
        Ok(out.into_iter().take(n).map(|(_, c)| c).collect())
    }

    fn analyzer(&self) -> TextAnalyzer {
        self.reader
            .searcher()
            .index()
            .tokenizers()
            .get("kb")
            .expect("the kb analyzer is registered")
    }
}

/// How well an article covers a question, each from 0 to 1.
struct Signals {
    /// The closest question form: a cosine of the two sets of stems weighted by rarity.
    form: f64,
    /// The share of the question's weight the question forms and the short answer hold.
    near: f64,
    /// The share of the question's weight the whole article holds.
    all: f64,
}

fn signals(terms: &[(String, f64)], total: f64, e: &Entry, idf: &HashMap<String, f64>) -> Signals {
    let form = e
        .forms
        .iter()
        .map(|f| {
            let shared: f64 = terms
                .iter()
                .filter(|(t, _)| f.contains(t))
                .map(|(_, w)| w)
                .sum();
            let own: f64 = f.iter().map(|t| idf.get(t).copied().unwrap_or(0.0)).sum();
            if own == 0.0 {
                0.0
            } else {
                shared / (total * own).sqrt()
            }
        })
        .fold(0.0, f64::max);
    let share = |set: &HashSet<String>| {
        terms
            .iter()
            .filter(|(t, _)| set.contains(t))
            .map(|(_, w)| w)
            .sum::<f64>()
            / total
    };
    Signals {
        form,
        near: share(&e.near),
        all: share(&e.all),
    }
}

/// Whether two words are one insertion, deletion or substitution apart.
fn one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short
        .iter()
        .zip(long.iter())
        .take_while(|(x, y)| x == y)
        .count();
    if short.len() == long.len() {
        short[prefix + 1..] == long[prefix + 1..]
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: i64, title: &str, body: &str) -> ArticleDoc {
        ArticleDoc {
            id,
            lang: "fr".into(),
            title: title.into(),
            short_answer: String::new(),
            body: body.into(),
            keywords: String::new(),
            variants: Vec::new(),
        }
    }

    fn base() -> KbIndex {
        let mut a = vec![
            article(
                1,
                "Comment renouveler son passeport ?",
                "La demande de passeport se fait en mairie, sur rendez-vous, avec une photo.",
            ),
            article(
                2,
                "Que faire en cas de perte de la carte grise ?",
                "Déclarez la perte du certificat d'immatriculation en ligne.",
            ),
            article(
                3,
                "Quels sont les délais de préavis pour quitter un logement loué ?",
                "Le locataire donne congé au propriétaire : trois mois, un mois en zone tendue.",
            ),
        ];
        a[2].variants = vec!["mon proprio me demande combien de temps avant de partir".into()];
        KbIndex::build(&a).unwrap()
    }

    #[test]
    fn the_closest_article_comes_first_and_is_confident() {
        let kb = base();
        let c = kb.ask("j'ai perdu ma carte grise", "fr", 3).unwrap();
        assert_eq!(c[0].article_id, 2);
        assert!(c[0].confidence > 0.4, "{c:?}");
        // A variant an advisor added carries the question asked its own way.
        let c = kb
            .ask("combien de temps avant de partir ?", "fr", 3)
            .unwrap();
        assert_eq!(c[0].article_id, 3);
        // Accents, case and a typo.
        let c = kb.ask("RENOUVELER PASEPORT", "fr", 3).unwrap();
        assert_eq!(c[0].article_id, 1, "{c:?}");
    }

    #[test]
    fn a_question_about_something_else_is_not_confident() {
        let kb = base();
        let c = kb.ask("quelle météo demain à Lyon", "fr", 3).unwrap();
        assert!(c.iter().all(|c| c.confidence < 0.3), "{c:?}");
        assert!(kb.ask("", "fr", 3).unwrap().is_empty());
        assert!(kb.ask("le la les", "fr", 3).unwrap().is_empty());
        assert!(
            KbIndex::build(&[])
                .unwrap()
                .ask("passeport", "fr", 3)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn english_articles_are_read_in_english() {
        let mut a = article(
            7,
            "How do I reset my PIN?",
            "Go to settings, then security.",
        );
        a.lang = "en".into();
        let kb = KbIndex::build(&[a]).unwrap();
        let c = kb.ask("resetting pins", "en", 3).unwrap();
        assert_eq!(c[0].article_id, 7);
    }

    #[test]
    fn one_edit_apart() {
        assert!(one_edit("passeport", "paseport"));
        assert!(one_edit("passeport", "passeporr"));
        assert!(one_edit("passeport", "passepor"));
        assert!(!one_edit("passeport", "pasepor"));
        assert!(!one_edit("abc", "abcde"));
    }
}
