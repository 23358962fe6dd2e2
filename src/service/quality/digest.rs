//! The morning reminder ("vos actions qualité"): once a day, each person with quality actions
//! due within a week or late gets one message listing them; quality managers also get every
//! late action of the organisation (the escalation; administrators get it where there is no
//! quality manager) and the measured checks waiting for their
//! verdict. Nothing is sent to someone with nothing to do. The day's row in `quality_digest`
//! makes a second worker, or a second run, send nothing more.

use crate::domain::role::Role;
use crate::i18n::Lang;
use crate::service::work::Work;
use crate::service::{Result, now_ms, voice, wake::Worker};
use crate::store::quality::Due;
use crate::store::{self, Store};

/// Digests go out from this hour on (the server's local time), so they arrive for the day.
const FROM_HOUR: i8 = 7;
/// "Due soon": within this many days.
const SOON_DAYS: i64 = 7;

/// Sends the day's digests not yet sent; returns how many were mailed.
pub async fn send_due(store: &Store, base: &str) -> Result<usize> {
    send_at(store, base, &jiff::Zoned::now()).await
}

/// Same, as if it were `at` (tests choose the hour).
pub async fn send_at(store: &Store, base: &str, at: &jiff::Zoned) -> Result<usize> {
    if at.hour() < FROM_HOUR {
        return Ok(0);
    }
    let today = at.date();
    let soon = today
        .checked_add(jiff::Span::new().days(SOON_DAYS))
        .unwrap_or(today)
        .to_string();
    let today = today.to_string();
    let orgs = {
        let mut c = store.reader().await?;
        store::quality::org_ids(&mut c).await?
    };
    let mut sent = 0;
    for org_id in orgs {
        let (open, people, done) = {
            let mut c = store.reader().await?;
            let open = store::quality::open_actions(&mut c, org_id, None, 500).await?;
            if open.is_empty() {
                continue;
            }
            let people = store::quality::digest_recipients(&mut c, org_id).await?;
            // The job runs every minute: who had today's digest is not read again.
            let done = store::quality::digested(&mut c, org_id, &today).await?;
            (open, people, done)
        };
        // The escalation goes to the quality managers; to the administrators where there is none.
        let has_quality = people.iter().any(|p| p.role == Role::Quality.as_str());
        for p in people.into_iter().filter(|p| !done.contains(&p.id)) {
            let escalate = p.role == Role::Quality.as_str()
                || (!has_quality && p.role == Role::Admin.as_str());
            let mine = {
                let mut c = store.reader().await?;
                store::quality::open_actions(&mut c, org_id, Some(p.id), 200).await?
            };
            let lists = Lists::of(mine, escalate, &open, &today, &soon);
            if lists.is_empty() {
                continue;
            }
            let lang = Lang::from_code(&p.lang);
            let (subject, text) = compose(lang, &p.name, &today, &lists, base);
            let now = now_ms();
            let mut work = Work::begin(store).await?;
            if !store::quality::claim_digest(&mut work, org_id, p.id, &today, lists.len(), now)
                .await?
            {
                continue;
            }
            if let Some(id) = voice::mail(
                &mut work,
                org_id,
                &p.email,
                subject,
                text,
                "quality_digest",
                now,
            )
            .await?
            {
                store::quality::digest_mailed(&mut work, p.id, &today, id).await?;
                work.wake(Worker::Mail);
                sent += 1;
            }
            work.commit().await?;
        }
    }
    Ok(sent)
}

/// What one person's digest lists.
#[derive(Debug, Default)]
pub struct Lists {
    /// Their own actions (pilot or actor), late or due within the week.
    pub mine: Vec<Due>,
    /// Quality managers: the organisation's other late actions.
    pub late: Vec<Due>,
    /// Quality managers: measured checks waiting for a verdict.
    pub verdicts: Vec<Due>,
}

impl Lists {
    /// `escalate`: this person also gets the organisation's late actions and awaited verdicts.
    pub fn of(mine: Vec<Due>, escalate: bool, open: &[Due], today: &str, soon: &str) -> Lists {
        let unfinished = |d: &Due| d.progress < 100 && d.proposal.is_none();
        let mine: Vec<Due> = mine
            .into_iter()
            .filter(|d| unfinished(d) && d.due_on.as_str() <= soon)
            .collect();
        if !escalate {
            return Lists {
                mine,
                ..Lists::default()
            };
        }
        let late = open
            .iter()
            .filter(|d| unfinished(d) && d.due_on.as_str() < today)
            .filter(|d| !mine.iter().any(|m| m.action_id == d.action_id))
            .cloned()
            .collect();
        let verdicts = open
            .iter()
            .filter(|d| d.proposal.is_some())
            .cloned()
            .collect();
        Lists {
            mine,
            late,
            verdicts,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.mine.is_empty() && self.late.is_empty() && self.verdicts.is_empty()
    }

    pub fn len(&self) -> i64 {
        (self.mine.len() + self.late.len() + self.verdicts.len()) as i64
    }
}

/// The message: subject and plain text, in the reader's language.
pub fn compose(lang: Lang, name: &str, today: &str, l: &Lists, base: &str) -> (String, String) {
    let fr = lang == Lang::Fr;
    // French puts a non-breaking space before a colon and a percent sign.
    let colon = if fr { "\u{a0}:" } else { ":" };
    let mut text = if fr {
        format!("Bonjour {name},\n\n")
    } else {
        format!("Hello {name},\n\n")
    };
    let section = |title: &str, rows: &[Due], text: &mut String| {
        if rows.is_empty() {
            return;
        }
        text.push_str(&format!("{title}{colon}\n\n"));
        for d in rows {
            text.push_str(&format!(
                "- {} — {}\n  {}\n",
                d.title,
                d.nc_title,
                line(lang, d, today)
            ));
            text.push_str(&format!("  {base}/quality/nc/{}\n", d.nc_id));
        }
        text.push('\n');
    };
    let (mine, late, verdicts) = if fr {
        (
            "Vos actions en retard ou à échéance dans la semaine",
            "Actions en retard dans l’organisation",
            "Vérifications d’efficacité mesurées, en attente de votre verdict",
        )
    } else {
        (
            "Your actions late or due within the week",
            "Late actions across the organisation",
            "Efficacy checks measured, waiting for your verdict",
        )
    };
    section(mine, &l.mine, &mut text);
    section(late, &l.late, &mut text);
    section(verdicts, &l.verdicts, &mut text);
    text.push_str(if fr {
        "Ce rappel part chaque matin où vous avez une action qualité en cours ; rien n’est envoyé \
         les autres jours.\n"
    } else {
        "This reminder is sent each morning you have a quality action under way; nothing is sent \
         on other days.\n"
    });
    let n = l.len();
    let subject = if fr {
        format!(
            "Pacte{colon} {} — {}",
            lang.plural("quality.digest.items", n),
            lang.day(today)
        )
    } else {
        format!(
            "Pacte: {} — {}",
            lang.plural("quality.digest.items", n),
            today
        )
    };
    (subject, text)
}

/// "échéance le 15/12/2026 (en retard de 3 jours) · avancement 40 %".
fn line(lang: Lang, d: &Due, today: &str) -> String {
    let fr = lang == Lang::Fr;
    if let Some(p) = &d.proposal {
        let reading = match (p.as_str(), fr) {
            ("c", true) => "conforme",
            ("nc", true) => "non conforme",
            ("too_early", true) => "trop tôt pour conclure",
            (_, true) => "pas de donnée",
            ("c", false) => "conforming",
            ("nc", false) => "not conforming",
            ("too_early", false) => "too early to tell",
            (_, false) => "no data",
        };
        return if fr {
            format!("mesure proposée{}: {reading}", '\u{a0}')
        } else {
            format!("measure proposes: {reading}")
        };
    }
    let late = match (
        d.due_on.parse::<jiff::civil::Date>(),
        today.parse::<jiff::civil::Date>(),
    ) {
        (Ok(due), Ok(t)) if due < t => (t - due).get_days() as i64,
        _ => 0,
    };
    let due = lang.day(&d.due_on);
    let pct = if fr {
        format!("{}\u{a0}%", d.progress)
    } else {
        format!("{}%", d.progress)
    };
    match (fr, late) {
        (true, 0) => format!("échéance le {due} · avancement {pct}"),
        (true, n) => format!(
            "échéance le {due} ({}) · avancement {pct}",
            lang.plural("quality.digest.late", n)
        ),
        (false, 0) => format!("due {due} · progress {pct}"),
        (false, n) => format!(
            "due {due} ({}) · progress {pct}",
            lang.plural("quality.digest.late", n)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(id: i64, on: &str, progress: i64, proposal: Option<&str>) -> Due {
        Due {
            action_id: id,
            nc_id: 10 + id,
            nc_title: format!("NC {id}"),
            title: format!("Action {id}"),
            due_on: on.into(),
            check_on: None,
            progress,
            pilot_name: None,
            proposal: proposal.map(String::from),
        }
    }

    #[test]
    fn lists_keep_what_is_due_and_escalate_to_deciders() {
        let open = vec![
            due(1, "2026-11-20", 40, None),
            due(2, "2026-12-05", 0, None),
            due(3, "2026-12-30", 0, None),
            due(4, "2026-11-01", 100, None),
            due(5, "2026-10-01", 100, Some("c")),
            due(6, "2026-11-02", 10, None),
        ];
        let mine = vec![
            open[0].clone(),
            open[1].clone(),
            open[2].clone(),
            open[3].clone(),
        ];
        let a = Lists::of(mine.clone(), false, &open, "2026-12-02", "2026-12-09");
        let ids = |v: &[Due]| v.iter().map(|d| d.action_id).collect::<Vec<_>>();
        // Late, due this week; not next month's, not a finished one.
        assert_eq!(ids(&a.mine), [1, 2]);
        assert!(a.late.is_empty() && a.verdicts.is_empty());
        let q = Lists::of(mine, true, &open, "2026-12-02", "2026-12-09");
        assert_eq!(ids(&q.mine), [1, 2]);
        // Someone else's late action; not one already in their own list.
        assert_eq!(ids(&q.late), [6]);
        assert_eq!(ids(&q.verdicts), [5]);
        assert_eq!(q.len(), 4);
        let none = Lists::of(Vec::new(), false, &open, "2026-12-02", "2026-12-09");
        assert!(
            none.is_empty(),
            "a manager with no action of theirs gets nothing"
        );
    }

    #[test]
    fn the_message_reads_as_french() {
        let l = Lists {
            mine: vec![due(1, "2026-11-29", 40, None)],
            late: Vec::new(),
            verdicts: vec![due(2, "2026-11-01", 100, Some("nc"))],
        };
        let (subject, text) = compose(Lang::Fr, "Zoé", "2026-12-02", &l, "https://pacte.test");
        assert_eq!(subject, "Pacte\u{a0}: 2 actions qualité — 02/12/2026");
        assert!(text.starts_with("Bonjour Zoé,"), "{text}");
        assert!(
            text.contains("échéance le 29/11/2026 (en retard de 3 jours) · avancement 40\u{a0}%"),
            "{text}"
        );
        assert!(
            text.contains("mesure proposée\u{a0}: non conforme"),
            "{text}"
        );
        assert!(text.contains("https://pacte.test/quality/nc/11"), "{text}");
        let (subject, text) = compose(Lang::En, "Zoé", "2026-12-02", &l, "https://pacte.test");
        assert_eq!(subject, "Pacte: 2 quality actions — 2026-12-02");
        assert!(
            text.contains("due 2026-11-29 (3 days late) · progress 40%"),
            "{text}"
        );
    }
}
