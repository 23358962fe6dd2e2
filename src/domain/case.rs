//! Cases: the lifecycle of a customer's need, its clocks, and the once & done rule.

use super::channel::string_enum;
use super::fold::fold_key;
use super::{DAY_MS, Invalid};

string_enum!(
    /// What the customer came for.
    CaseKind { Request => "request", Complaint => "complaint", Incident => "incident" } "invalid_kind"
);

string_enum!(
    /// open → pending (waiting on the customer: clocks pause) → solved → closed; replies reopen.
    CaseStatus { Open => "open", Pending => "pending", Solved => "solved", Closed => "closed" }
    "invalid_status"
);

string_enum!(
    /// How urgent the case is.
    Priority { Low => "low", Normal => "normal", High => "high", Urgent => "urgent" } "invalid_priority"
);

/// A further contact on the same need within this window after solving breaks once & done.
pub const ONCE_AND_DONE_WINDOW_MS: i64 = 7 * DAY_MS;

/// The clocks a case keeps for commitments and once & done. Times are epoch milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseClock {
    pub status: Option<CaseStatus>,
    pub opened_at: i64,
    pub updated_at: i64,
    pub first_response_at: Option<i64>,
    pub last_inbound_at: Option<i64>,
    pub last_outbound_at: Option<i64>,
    pub inbound_count: i64,
    pub outbound_count: i64,
    pub pending_since: Option<i64>,
    pub pending_ms: i64,
    pub solved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub reopen_count: i64,
    pub repeat_contact_at: Option<i64>,
    /// When the case will cross the nearest bound of a commitment in force (kept by the service
    /// as the case changes, so queues sort on it without computing calendars).
    pub due_at: Option<i64>,
}

/// What a change did to the case, for its event log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Reopened,
    Resumed,
    Status(CaseStatus),
}

/// Whether a case was solved at first contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnceAndDone {
    /// Not solved yet.
    Undetermined,
    /// Solved with one inbound contact; the 7-day window is still running.
    Provisional,
    Yes,
    No,
}

impl CaseClock {
    /// A new case opened by its first interaction.
    pub fn opened(at: i64) -> Self {
        CaseClock {
            status: Some(CaseStatus::Open),
            opened_at: at,
            updated_at: at,
            ..Default::default()
        }
    }

    pub fn status(&self) -> CaseStatus {
        self.status.unwrap_or(CaseStatus::Open)
    }

    /// The customer wrote or called: counts, and wakes a pending or solved case.
    pub fn on_inbound(&mut self, at: i64) -> Option<Transition> {
        self.inbound_count += 1;
        self.last_inbound_at = Some(self.last_inbound_at.map_or(at, |t| t.max(at)));
        self.touch(at);
        match self.status() {
            CaseStatus::Pending => {
                self.resume(at);
                Some(Transition::Resumed)
            }
            CaseStatus::Solved | CaseStatus::Closed if at >= self.solved_at.unwrap_or(i64::MIN) => {
                self.reopen(at);
                Some(Transition::Reopened)
            }
            _ => None,
        }
    }

    /// The organisation answered (a note is internal and does not count as a response).
    pub fn on_outbound(&mut self, at: i64, is_note: bool) {
        self.touch(at);
        if is_note {
            return;
        }
        self.outbound_count += 1;
        if at >= self.opened_at && self.first_response_at.is_none_or(|t| at < t) {
            self.first_response_at = Some(at);
        }
        self.last_outbound_at = Some(self.last_outbound_at.map_or(at, |t| t.max(at)));
    }

    /// An advisor changes the status.
    pub fn set_status(&mut self, to: CaseStatus, at: i64) -> Option<Transition> {
        let from = self.status();
        if from == to {
            return None;
        }
        self.touch(at);
        if from == CaseStatus::Pending {
            self.resume(at);
        }
        match to {
            CaseStatus::Open if matches!(from, CaseStatus::Solved | CaseStatus::Closed) => {
                self.reopen(at);
                return Some(Transition::Reopened);
            }
            CaseStatus::Open => {}
            CaseStatus::Pending => self.pending_since = Some(at),
            CaseStatus::Solved => self.solved_at = Some(at),
            CaseStatus::Closed => {
                self.solved_at.get_or_insert(at);
                self.closed_at = Some(at);
            }
        }
        self.status = Some(to);
        Some(Transition::Status(to))
    }

    /// Once & done: solved with a single inbound contact, never reopened, and no further contact
    /// on the same need within 7 days, on any channel.
    pub fn once_and_done(&self, now: i64) -> OnceAndDone {
        let Some(solved_at) = self.solved_at else {
            return OnceAndDone::Undetermined;
        };
        if self.inbound_count > 1 || self.reopen_count > 0 || self.repeat_contact_at.is_some() {
            OnceAndDone::No
        } else if now < solved_at + ONCE_AND_DONE_WINDOW_MS {
            OnceAndDone::Provisional
        } else {
            OnceAndDone::Yes
        }
    }

    fn touch(&mut self, at: i64) {
        self.updated_at = self.updated_at.max(at);
    }

    fn resume(&mut self, at: i64) {
        if let Some(since) = self.pending_since.take() {
            self.pending_ms += (at - since).max(0);
        }
        self.status = Some(CaseStatus::Open);
    }

    fn reopen(&mut self, _at: i64) {
        self.status = Some(CaseStatus::Open);
        self.reopen_count += 1;
        self.solved_at = None;
        self.closed_at = None;
    }
}

/// A case as follow-ups of a write see it (the charter measures it, surveys follow its solving):
/// a projection of the stored case, compared before and after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseState {
    pub id: i64,
    pub customer_id: i64,
    pub channel: String,
    pub site_id: Option<i64>,
    pub kind: String,
    pub category: Option<String>,
    pub clock: CaseClock,
}

/// The key that recognises the same need across messages: subject without reply/forward prefixes
/// or case tokens, folded.
pub fn subject_key(subject: &str) -> String {
    let mut s = subject.trim();
    loop {
        let lower = s.to_lowercase();
        let prefix = [
            "re:", "re :", "tr:", "tr :", "fw:", "fwd:", "aw:", "réf:", "ref:",
        ]
        .iter()
        .find(|p| lower.starts_with(*p));
        match prefix {
            Some(p) => s = s[p.len()..].trim_start(),
            None => break,
        }
    }
    let mut out = fold_key(s);
    while let Some(start) = out.find("[#") {
        match out[start..].find(']') {
            Some(end) => out.replace_range(start..start + end + 1, ""),
            None => break,
        }
    }
    fold_key(&out)
}

/// Validates free-text case fields shared by API and UI.
pub fn parse_category(raw: &str) -> Result<Option<String>, Invalid> {
    let s = raw.trim();
    if s.len() > 100 {
        return Err(Invalid::new(
            "invalid_category",
            "the category is longer than 100 characters",
        ));
    }
    Ok((!s.is_empty()).then(|| s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const H: i64 = 3_600_000;

    #[test]
    fn subject_keys_ignore_prefixes_and_tokens() {
        assert_eq!(
            subject_key("RE: TR: Colis non reçu [#DEMO-12]"),
            "colis non recu"
        );
        assert_eq!(
            subject_key("Colis non reçu"),
            subject_key("re : colis NON reçu")
        );
        assert_ne!(
            subject_key("Colis non reçu"),
            subject_key("Facture erronée")
        );
    }

    #[test]
    fn pending_time_pauses_the_clock() {
        let mut c = CaseClock::opened(0);
        c.on_inbound(0);
        c.on_outbound(H, false);
        c.set_status(CaseStatus::Pending, 2 * H);
        assert_eq!(c.on_inbound(5 * H), Some(Transition::Resumed));
        assert_eq!(c.pending_ms, 3 * H);
        assert_eq!(c.first_response_at, Some(H));
        assert_eq!(c.status(), CaseStatus::Open);
    }

    #[test]
    fn once_and_done_needs_one_contact_and_a_quiet_week() {
        let mut c = CaseClock::opened(0);
        c.on_inbound(0);
        c.on_outbound(H, false);
        c.set_status(CaseStatus::Solved, H);
        assert_eq!(c.once_and_done(2 * H), OnceAndDone::Provisional);
        assert_eq!(
            c.once_and_done(H + ONCE_AND_DONE_WINDOW_MS),
            OnceAndDone::Yes
        );

        let mut reopened = c.clone();
        assert_eq!(reopened.on_inbound(3 * H), Some(Transition::Reopened));
        assert_eq!(
            reopened.once_and_done(100 * DAY_MS),
            OnceAndDone::Undetermined
        );
        reopened.set_status(CaseStatus::Solved, 4 * H);
        assert_eq!(reopened.once_and_done(100 * DAY_MS), OnceAndDone::No);

        let mut repeat = c.clone();
        repeat.repeat_contact_at = Some(2 * H);
        assert_eq!(repeat.once_and_done(100 * DAY_MS), OnceAndDone::No);
    }

    #[test]
    fn notes_are_not_responses() {
        let mut c = CaseClock::opened(0);
        c.on_outbound(H, true);
        assert_eq!(c.first_response_at, None);
        assert_eq!(c.outbound_count, 0);
    }

    proptest! {
        #[test]
        fn pending_time_never_negative_nor_longer_than_life(steps in proptest::collection::vec((0u8..5, 0i64..10_000), 1..40)) {
            let mut c = CaseClock::opened(0);
            let mut t = 0;
            for (op, dt) in steps {
                t += dt;
                match op {
                    0 => { c.on_inbound(t); }
                    1 => c.on_outbound(t, false),
                    2 => { c.set_status(CaseStatus::Pending, t); }
                    3 => { c.set_status(CaseStatus::Solved, t); }
                    _ => { c.set_status(CaseStatus::Open, t); }
                }
                prop_assert!(c.pending_ms >= 0 && c.pending_ms <= t);
                prop_assert!(c.status() != CaseStatus::Solved || c.solved_at.is_some());
            }
        }
    }
}
