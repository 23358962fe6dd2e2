//! Verbatims: what customers wrote in their own words, tagged with themes by the
//! organisation's keyword rules (matched on Snowball stems, so "attendu", "attente" and
//! "attendre" meet) and given a polarity from a lexicon with negation ("pas aimable",
//! "not helpful").

use super::fold::fold_key as fold;
use rust_stemmers::{Algorithm, Stemmer};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    pub fn from_code(code: &str) -> Lang {
        if code.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Fr
        }
    }
}

fn stemmer(lang: Lang) -> &'static Stemmer {
    static FR: OnceLock<Stemmer> = OnceLock::new();
    static EN: OnceLock<Stemmer> = OnceLock::new();
    match lang {
        Lang::Fr => FR.get_or_init(|| Stemmer::create(Algorithm::French)),
        Lang::En => EN.get_or_init(|| Stemmer::create(Algorithm::English)),
    }
}

/// The words of a text as stems, lower-cased and without accents ("L'accueil était
/// parfait" → ["l", "accueil", "et", "parf"]). Elisions split at the apostrophe.
pub fn stems(text: &str, lang: Lang) -> Vec<String> {
    let s = stemmer(lang);
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| fold(&s.stem(&w.to_lowercase())))
        .collect()
}

/// A theme and the phrases that signal it (one word or several in a row).
#[derive(Debug, Clone)]
pub struct Rule {
    pub theme: String,
    phrases: Vec<Vec<String>>,
}

impl Rule {
    /// `keywords` separated by commas or new lines: "attente, file d'attente, délai".
    pub fn new(theme: &str, keywords: &str, lang: Lang) -> Rule {
        let phrases = keywords
            .split([',', '\n', ';'])
            .map(|k| stems(k, lang))
            .filter(|p| !p.is_empty())
            .collect();
        Rule {
            theme: theme.trim().to_string(),
            phrases,
        }
    }

    pub fn matches(&self, words: &[String]) -> bool {
        self.phrases
            .iter()
            .any(|p| words.windows(p.len()).any(|w| w == p.as_slice()))
    }
}

/// Themes of a text under a set of rules, in the rules' order.
pub fn themes(rules: &[Rule], text: &str, lang: Lang) -> Vec<String> {
    let words = stems(text, lang);
    rules
        .iter()
        .filter(|r| r.matches(&words))
        .map(|r| r.theme.clone())
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    Positive,
    Neutral,
    Negative,
}

impl Polarity {
    pub fn as_i64(self) -> i64 {
        match self {
            Polarity::Positive => 1,
            Polarity::Neutral => 0,
            Polarity::Negative => -1,
        }
    }

    pub fn from_i64(v: i64) -> Polarity {
        match v.signum() {
            1 => Polarity::Positive,
            -1 => Polarity::Negative,
            _ => Polarity::Neutral,
        }
    }
}

// Lexicons: words customers use about service, written as they appear; stemmed once.
const POSITIVE_FR: &str = "bien bon bonne excellent excellente parfait parfaite parfaitement super génial \
    top rapide rapidement efficace efficacité aimable agréable sympathique souriant souriante accueillant \
    accueillante serviable courtois courtoise poli polie professionnel professionnelle compétent compétente \
    clair claire clairement simple facile facilement satisfait satisfaite satisfaction merci remercie ravi \
    ravie content contente réactif réactive réactivité écoute attentionné attentionnée chaleureux \
    chaleureuse qualité recommande recommander fiable ponctuel ponctuelle résolu réglé impeccable \
    bravo formidable excellence gentil gentille patient patiente disponible utile";
const NEGATIVE_FR: &str = "mauvais mauvaise nul nulle lent lente lenteur long longue attente attendre \
    attendu retard retardé injoignable impossible compliqué compliquée difficile difficilement \
    désagréable impoli impolie agressif agressive méprisant méprisante incompétent incompétente \
    inadmissible inacceptable scandaleux scandaleuse honteux honteuse déçu déçue déception décevant \
    décevante mécontent mécontente insatisfait insatisfaite problème problèmes erreur erreurs panne \
    perdu perdue perte oubli oublié oubliée ignoré ignorée plainte réclamation \
    incompréhensible confus confuse cher chère trop sale bruyant inutile catastrophe catastrophique \
    honte pire énervé énervant fatigant galère relancer relance bloqué bloquée annulé annulée \
    interminable";
const POSITIVE_EN: &str = "good great excellent perfect perfectly brilliant fantastic amazing wonderful \
    lovely nice kind friendly helpful polite courteous professional efficient quick quickly fast prompt \
    promptly easy easily simple clear clearly satisfied happy pleased thank thanks thankful grateful \
    caring care attentive reassuring reassured supportive patient understanding smooth reliable \
    recommend outstanding superb pleasant respectful informative knowledgeable competent best well \
    excellent fab fabulous marvellous exceptional compassionate calm comfortable safe fine ok okay \
    appreciate appreciated";
const NEGATIVE_EN: &str = "bad poor terrible awful horrible rude slow late delay delayed delays waiting \
    wait waited impossible difficult hard confusing confused unhelpful unprofessional useless \
    disappointed disappointing disappointment unhappy dissatisfied problem problems issue issues error \
    mistake mistakes lost ignored complaint complain complained worse worst expensive dirty noisy \
    frustrating frustrated annoyed annoying disgusting disgraceful shocking appalling incompetent \
    cancelled cancel unacceptable ridiculous pathetic upset angry wrong failed failure lack \
    lacking cold dismissive careless chaos stressful stressed painful";
// Words that turn the polarity of the next few words.
const NEGATIONS_FR: &str = "pas ne n jamais aucun aucune sans ni plus peu";
const NEGATIONS_EN: &str = "not no never t nobody none without nothing cannot";

struct Lexicon {
    positive: Vec<String>,
    negative: Vec<String>,
    negations: Vec<String>,
}

fn lexicon(lang: Lang) -> &'static Lexicon {
    static FR: OnceLock<Lexicon> = OnceLock::new();
    static EN: OnceLock<Lexicon> = OnceLock::new();
    let build = |pos: &str, neg: &str, nots: &str| {
        let words = |s: &str| {
            let mut v = stems(s, lang);
            v.sort();
            v.dedup();
            v
        };
        let mut negations: Vec<String> = nots.split_whitespace().map(str::to_string).collect();
        negations.sort();
        Lexicon {
            positive: words(pos),
            negative: words(neg),
            negations,
        }
    };
    match lang {
        Lang::Fr => FR.get_or_init(|| build(POSITIVE_FR, NEGATIVE_FR, NEGATIONS_FR)),
        Lang::En => EN.get_or_init(|| build(POSITIVE_EN, NEGATIVE_EN, NEGATIONS_EN)),
    }
}

// Whole answers that say "nothing to improve" ("Rien.", "RAS", "Nothing at all."): customers
// answering "what could we do better?" or "why?" with nothing to report are satisfied.
const NOTHING_FR: [&str; 9] = [
    "rien",
    "ras",
    "r a s",
    "rien du tout",
    "rien a signaler",
    "rien a redire",
    "rien a dire",
    "aucun",
    "aucune",
];
const NOTHING_EN: [&str; 10] = [
    "nothing",
    "none",
    "nothing at all",
    "not a thing",
    "nothing really",
    "nothing else",
    "no",
    "nil",
    "n a",
    "nothing to add",
];
// Set phrases whose words alone would mislead ("could not have done better").
const PHRASES_FR: [&str; 7] = [
    "rien a redire",
    "rien a signaler",
    "aucun reproche",
    "pas de reproche",
    "on ne peut mieux",
    "rien a ameliorer",
    "rien a dire",
];
const PHRASES_EN: [&str; 14] = [
    "could not have done better",
    "couldn t have done better",
    "could not be better",
    "couldn t be better",
    "could not have been better",
    "couldn t have been better",
    "can t fault",
    "cannot fault",
    "couldn t fault",
    "could not fault",
    "couldn t find fault",
    "first class",
    "can t think of anything",
    "nothing to improve",
];

/// The polarity of a text: set phrases, then the sum of its positive (+1) and negative (−1)
/// words, a word being turned by a negation among the three before it in its clause.
pub fn polarity(text: &str, lang: Lang) -> Polarity {
    let lex = lexicon(lang);
    let flat = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| fold(&w.to_lowercase()))
        .collect::<Vec<_>>()
        .join(" ");
    let (nothing, phrases): (&[&str], &[&str]) = match lang {
        Lang::Fr => (&NOTHING_FR, &PHRASES_FR),
        Lang::En => (&NOTHING_EN, &PHRASES_EN),
    };
    if nothing.contains(&flat.as_str()) {
        return Polarity::Positive;
    }
    let padded = format!(" {flat} ");
    let mut sum: i64 = phrases
        .iter()
        .filter(|p| padded.contains(&format!(" {p} ")))
        .count() as i64
        * 2;
    // A negation reaches no further than its clause: "pas remboursé, attente interminable".
    for clause in text.split(['.', ',', ';', ':', '!', '?', '\n']) {
        sum += clause_polarity(lex, clause, lang);
    }
    Polarity::from_i64(sum)
}

fn clause_polarity(lex: &Lexicon, text: &str, lang: Lang) -> i64 {
    let raw: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| fold(&w.to_lowercase()))
        .collect();
    let words = stems(text, lang);
    let mut sum = 0i64;
    for (i, w) in words.iter().enumerate() {
        let value = if lex.positive.binary_search(w).is_ok() {
            1
        } else if lex.negative.binary_search(w).is_ok() {
            -1
        } else {
            continue;
        };
        let negated = raw[i.saturating_sub(3)..i]
            .iter()
            .any(|p| lex.negations.binary_search(p).is_ok());
        // "Rien à redire", "never a problem": a negated negative word is mildly positive.
        sum += if negated { -value } else { value };
    }
    sum
}

/// Starter rules a new organisation gets (editable): the usual themes of service feedback.
pub const STARTER_RULES_FR: &[(&str, &str)] = &[
    (
        "Accueil",
        "accueil, aimable, souriant, poli, courtois, amabilité, désagréable, impoli",
    ),
    (
        "Attente",
        "attente, attendre, file, délai, long, lent, rapide, retard",
    ),
    (
        "Joignabilité",
        "joindre, injoignable, téléphone, appel, répondeur, standard, rappeler",
    ),
    (
        "Information",
        "information, expliquer, explication, clair, compréhensible, informé",
    ),
    (
        "Compétence",
        "compétent, incompétent, solution, résoudre, résolu, erreur, connaître",
    ),
    (
        "Suivi",
        "suivi, relance, relancer, nouvelles, dossier, oublié",
    ),
    (
        "Prix",
        "prix, tarif, cher, facture, facturation, frais, remboursement",
    ),
    (
        "Locaux",
        "agence, locaux, propre, sale, bruit, place, parking, accessible",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_meet_across_forms() {
        let rules = [Rule::new("Attente", "attente, file d'attente", Lang::Fr)];
        assert_eq!(
            themes(&rules, "Trop d'ATTENTES au guichet", Lang::Fr),
            vec!["Attente"]
        );
        assert_eq!(
            themes(&rules, "La file d'attente", Lang::Fr),
            vec!["Attente"]
        );
        assert!(themes(&rules, "Accueil parfait", Lang::Fr).is_empty());
        let en = [Rule::new("Staff", "staff, friendly", Lang::En)];
        assert_eq!(
            themes(&en, "The staffs were so friendly", Lang::En),
            vec!["Staff"]
        );
        let phrase = [Rule::new("Phone", "phone line", Lang::En)];
        assert!(themes(&phrase, "the line for the phone", Lang::En).is_empty());
        assert_eq!(themes(&phrase, "phone lines busy", Lang::En), vec!["Phone"]);
    }

    #[test]
    fn polarity_with_negation() {
        assert_eq!(
            polarity("Conseiller très aimable et efficace", Lang::Fr),
            Polarity::Positive
        );
        assert_eq!(
            polarity("Personne n'était aimable", Lang::Fr),
            Polarity::Negative
        );
        assert_eq!(
            polarity("Attente beaucoup trop longue", Lang::Fr),
            Polarity::Negative
        );
        assert_eq!(
            polarity("Je suis venu pour un colis", Lang::Fr),
            Polarity::Neutral
        );
        // "Nothing to report" answers and set phrases.
        assert_eq!(polarity("Rien à signaler.", Lang::Fr), Polarity::Positive);
        assert_eq!(polarity("RAS", Lang::Fr), Polarity::Positive);
        assert_eq!(polarity("Nothing at all.", Lang::En), Polarity::Positive);
        assert_eq!(
            polarity("They could not have done better", Lang::En),
            Polarity::Positive
        );
        assert_eq!(
            polarity("Toujours pas remboursé, attente interminable", Lang::Fr),
            Polarity::Negative
        );
        assert_eq!(
            polarity("Staff were lovely and helpful", Lang::En),
            Polarity::Positive
        );
        assert_eq!(
            polarity("The driver was not helpful", Lang::En),
            Polarity::Negative
        );
        assert_eq!(
            polarity("Waited three hours, rude receptionist", Lang::En),
            Polarity::Negative
        );
        assert_eq!(polarity("", Lang::En), Polarity::Neutral);
    }
}
