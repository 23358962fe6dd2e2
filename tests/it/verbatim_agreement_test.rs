//! Agreement of verbatim tagging with people: NHS Friends-and-Family-Test comments
//! (../shared/data/nhs-patient-feedback-fft-en), hand-labelled with themes and sentiment,
//! against keyword rules an organisation would write for those themes and the polarity
//! lexicon. Prints precision, recall and F1 per theme — with stems and, as the baseline
//! measured in the same run, with exact words — and sentiment agreement against the majority
//! class. `cargo test --test it verbatim_agreement -- --nocapture` shows the table.

use pacte::domain::verbatim::{self, Lang, Polarity, Rule};

/// (labelled theme, keywords) — written from the theme names, not fitted to the data.
const RULES: [(&str, &str); 9] = [
    (
        "Staff manner & personal attributes",
        "staff, friendly, kind, polite, rude, caring, lovely, nice, courteous, attitude, \
         compassionate, respectful, pleasant, manner, cheerful",
    ),
    (
        "Timeliness of care",
        "wait, late, delay, quick, prompt, on time, long time, hours, early, punctual, fast",
    ),
    (
        "Contacting services",
        "phone, call, answer the phone, get through, contact, ring, telephone, line",
    ),
    (
        "Transport to/ from services",
        "transport, ambulance, driver, journey, pick up, picked up, collected, drive, vehicle",
    ),
    (
        "Appointment arrangements",
        "appointment, booked, book, rearrange, reschedule, cancelled, cancel",
    ),
    (
        "Staff listening, understanding & involving patients",
        "listen, understand, involved, heard, took time, my views, concerns",
    ),
    (
        "Information provision & guidance",
        "information, explain, advice, informed, told, guidance, leaflet",
    ),
    (
        "Food & drink provision & facilities",
        "food, meal, drink, tea, coffee, breakfast, lunch, dinner",
    ),
    (
        "Cleanliness, tidiness & infection control",
        "clean, dirty, hygiene, tidy, mess",
    ),
];

struct Row {
    text: String,
    /// What the lexicon says of it.
    polarity: Polarity,
    themes: Vec<String>,
    sentiment: Option<u8>,
}

fn rows() -> Vec<Row> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/nhs-patient-feedback-fft-en/nhs_patient_feedback_v6framework_230831.csv");
    let bytes = std::fs::read(path).expect("test data in tests/data");
    let mut rd = csv::Reader::from_reader(bytes.as_slice());
    let headers = rd.headers().unwrap().clone();
    let answer = headers.iter().position(|h| h == "FFT answer").unwrap();
    let sentiment = headers
        .iter()
        .position(|h| h == "Comment sentiment")
        .unwrap();
    let first_theme = sentiment + 1;
    rd.records()
        .filter_map(|r| r.ok())
        .filter(|r| {
            // Comments people could label: not "Labelling not possible" nor "Not assigned".
            let t = r.get(answer).unwrap_or("").trim();
            t.len() > 3 && !t.eq_ignore_ascii_case("did not answer")
        })
        .map(|r| Row {
            text: r.get(answer).unwrap().to_string(),
            polarity: verbatim::polarity(r.get(answer).unwrap(), Lang::En),
            themes: (first_theme..headers.len())
                .filter(|i| r.get(*i).map(str::trim) == Some("1"))
                .map(|i| headers[i].to_string())
                .collect(),
            sentiment: r.get(sentiment).and_then(|s| s.trim().parse().ok()),
        })
        .collect()
}

/// Exact lower-cased words, no stems: the baseline.
fn exact_match(keywords: &str, text: &str) -> bool {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    keywords.split(',').any(|k| {
        let p: Vec<String> = k.split_whitespace().map(str::to_lowercase).collect();
        !p.is_empty() && words.windows(p.len()).any(|w| w == p.as_slice())
    })
}

struct Score {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Score {
    fn p(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    fn r(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.p(), self.r());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

#[test]
fn verbatim_tagging_agrees_with_hand_labels() {
    let rows = rows();
    assert!(rows.len() > 5_000, "{} rows", rows.len());
    // Each comment's stems, once.
    let stems: Vec<Vec<String>> = rows
        .iter()
        .map(|r| verbatim::stems(&r.text, Lang::En))
        .collect();

    let rules: Vec<Rule> = RULES
        .iter()
        .map(|(t, k)| Rule::new(t, k, Lang::En))
        .collect();
    let mut stems_total = Score {
        tp: 0,
        fp: 0,
        fn_: 0,
    };
    let mut exact_total = Score {
        tp: 0,
        fp: 0,
        fn_: 0,
    };
    let mut macro_stems = 0.0;
    let mut macro_exact = 0.0;
    eprintln!(
        "{:<55} {:>7} {:>6} {:>6} {:>6} | {:>6}",
        "theme", "support", "P", "R", "F1", "F1 exact"
    );
    for (rule, (theme, keywords)) in rules.iter().zip(RULES) {
        let mut s = Score {
            tp: 0,
            fp: 0,
            fn_: 0,
        };
        let mut e = Score {
            tp: 0,
            fp: 0,
            fn_: 0,
        };
        let mut support = 0;
        for (r, words) in rows.iter().zip(&stems) {
            let truth = r.themes.iter().any(|t| t == theme);
            support += usize::from(truth);
            for (score, got) in [
                (&mut s, rule.matches(words)),
                (&mut e, exact_match(keywords, &r.text)),
            ] {
                match (got, truth) {
                    (true, true) => score.tp += 1,
                    (true, false) => score.fp += 1,
                    (false, true) => score.fn_ += 1,
                    _ => {}
                }
            }
        }
        eprintln!(
            "{theme:<55} {support:>7} {:>6.2} {:>6.2} {:>6.2} | {:>6.2}",
            s.p(),
            s.r(),
            s.f1(),
            e.f1()
        );
        macro_stems += s.f1();
        macro_exact += e.f1();
        for (t, x) in [(&mut stems_total, &s), (&mut exact_total, &e)] {
            t.tp += x.tp;
            t.fp += x.fp;
            t.fn_ += x.fn_;
        }
    }
    let n = RULES.len() as f64;
    eprintln!(
        "micro F1 {:.3} (exact words {:.3}, ratio {:.2}); macro F1 {:.3} (exact {:.3})",
        stems_total.f1(),
        exact_total.f1(),
        stems_total.f1() / exact_total.f1(),
        macro_stems / n,
        macro_exact / n
    );

    // Sentiment: 1–2 positive, 3 mixed, 4–5 negative (the file's scale).
    let labelled: Vec<(&Row, Polarity)> = rows
        .iter()
        .filter_map(|r| {
            let want = match r.sentiment? {
                1 | 2 => Polarity::Positive,
                3 => Polarity::Neutral,
                4 | 5 => Polarity::Negative,
                _ => return None,
            };
            Some((r, want))
        })
        .collect();
    let polar: Vec<_> = labelled
        .iter()
        .filter(|(_, w)| *w != Polarity::Neutral)
        .collect();
    let got = |r: &Row| r.polarity;
    let agree_polar = polar.iter().filter(|(r, w)| got(r) == *w).count();
    let decided = polar
        .iter()
        .filter(|(r, _)| got(r) != Polarity::Neutral)
        .count();
    let agree_decided = polar
        .iter()
        .filter(|(r, w)| got(r) != Polarity::Neutral && got(r) == *w)
        .count();
    let agree_all = labelled.iter().filter(|(r, w)| got(r) == *w).count();
    let positives = polar
        .iter()
        .filter(|(_, w)| *w == Polarity::Positive)
        .count();
    let majority = positives.max(polar.len() - positives) as f64 / polar.len() as f64;
    let acc_polar = agree_polar as f64 / polar.len() as f64;
    let precision_decided = agree_decided as f64 / decided.max(1) as f64;
    eprintln!(
        "sentiment on {} polar comments: {:.3} agree (majority class {:.3}); when the lexicon decides ({} comments, {:.0} %): {:.3}; 3 classes on {}: {:.3}",
        polar.len(),
        acc_polar,
        majority,
        decided,
        100.0 * decided as f64 / polar.len() as f64,
        precision_decided,
        labelled.len(),
        agree_all as f64 / labelled.len() as f64
    );

    // Negative verbatims drive the top irritants: how often a comment tagged negative was
    // labelled negative, and how many labelled negatives are found.
    let tagged_neg = labelled
        .iter()
        .filter(|(r, _)| got(r) == Polarity::Negative)
        .count();
    let true_neg = labelled
        .iter()
        .filter(|(r, w)| got(r) == Polarity::Negative && *w == Polarity::Negative)
        .count();
    let labelled_neg = labelled
        .iter()
        .filter(|(_, w)| *w == Polarity::Negative)
        .count();
    let neg_p = true_neg as f64 / tagged_neg.max(1) as f64;
    let neg_r = true_neg as f64 / labelled_neg.max(1) as f64;
    eprintln!(
        "negative: precision {neg_p:.3}, recall {neg_r:.3} ({labelled_neg} labelled negative)"
    );

    // What would break these: stemming (stems must beat exact words), the rules' matching, the
    // lexicon or its negation. Bounds sit a little under what this code measures.
    assert!(
        stems_total.f1() > exact_total.f1(),
        "stems must find more than exact words"
    );
    assert!(stems_total.f1() > 0.55, "micro F1 {}", stems_total.f1());
    assert!(
        precision_decided > 0.85,
        "sentiment when decided {precision_decided}"
    );
    assert!(
        decided as f64 / polar.len() as f64 > 0.7,
        "the lexicon decides too rarely"
    );
    assert!(neg_p > 0.6, "negative precision {neg_p}");
}
