//! Commitments of the charter: what is promised (a metric, a scope, a nominal bound, the share of
//! customers that must get it, a bound nobody may cross, a period), how one contact is measured
//! against it, and how a period's tally reads.

use super::Invalid;
use super::calendar::Calendar;
use super::case::{CaseClock, CaseKind, CaseStatus, OnceAndDone};
use super::channel::{Channel, string_enum};
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;

string_enum!(
    /// What is measured. A new metric is one variant here plus its arm in `Commitment::observe`.
    Metric {
        FirstResponse => "first_response",
        Resolution => "resolution",
        CounterWait => "counter_wait",
        PhoneAnswer => "phone_answer",
        ChatAnswer => "chat_answer",
        OnceAndDone => "once_and_done",
    } "unknown_metric"
);

impl Metric {
    /// A delay has a nominal bound in time; a share (once & done) has only a requirement.
    pub fn is_delay(self) -> bool {
        self != Metric::OnceAndDone
    }

    /// Measured on cases (their clock) rather than on single waits (queue → answer).
    pub fn on_cases(self) -> bool {
        !matches!(
            self,
            Metric::CounterWait | Metric::PhoneAnswer | Metric::ChatAnswer
        )
    }

    /// The one channel a wait metric is about.
    pub fn own_channel(self) -> Option<Channel> {
        match self {
            Metric::CounterWait => Some(Channel::Counter),
            Metric::PhoneAnswer => Some(Channel::Phone),
            Metric::ChatAnswer => Some(Channel::Chat),
            _ => None,
        }
    }
}

string_enum!(
    /// The period a result is computed over.
    Period { Week => "week", Month => "month", Quarter => "quarter" } "invalid_period"
);

impl Period {
    /// First day of the period that contains `date`.
    pub fn start_of(self, date: Date) -> Date {
        match self {
            Period::Week => date
                .checked_sub(i64::from(date.weekday().to_monday_zero_offset()).days())
                .unwrap_or(date),
            Period::Month => date.first_of_month(),
            Period::Quarter => {
                Date::new(date.year(), (date.month() - 1) / 3 * 3 + 1, 1).unwrap_or(date)
            }
        }
    }

    /// First day of the period after the one starting at `start`.
    pub fn next(self, start: Date) -> Date {
        let span = match self {
            Period::Week => 1.week(),
            Period::Month => 1.month(),
            Period::Quarter => 3.months(),
        };
        start.checked_add(span).unwrap_or(start)
    }

    /// The period (its first day) an instant falls in, in the organisation's time zone.
    pub fn of_instant(self, at_ms: i64, tz: &TimeZone) -> Date {
        let date = jiff::Timestamp::from_millisecond(at_ms)
            .map(|t| t.to_zoned(tz.clone()).date())
            .unwrap_or(Date::constant(1970, 1, 1));
        self.start_of(date)
    }
}

/// Who and what a commitment covers. Empty sites, kinds or categories mean all of them;
/// channels must be named.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scope {
    pub channels: Vec<Channel>,
    pub site_ids: Vec<i64>,
    pub kinds: Vec<CaseKind>,
    pub categories: Vec<String>,
}

impl Scope {
    fn covers(
        &self,
        channel: Channel,
        site: Option<i64>,
        kind: Option<CaseKind>,
        category: Option<&str>,
    ) -> bool {
        self.channels.contains(&channel)
            && (self.site_ids.is_empty() || site.is_some_and(|s| self.site_ids.contains(&s)))
            && (self.kinds.is_empty() || kind.is_some_and(|k| self.kinds.contains(&k)))
            && (self.categories.is_empty()
                || category.is_some_and(|c| self.categories.iter().any(|x| x == c)))
    }

    /// Whether some contact could fall under both scopes.
    pub fn overlaps(&self, other: &Scope) -> bool {
        let meet =
            |a: &[i64], b: &[i64]| a.is_empty() || b.is_empty() || a.iter().any(|x| b.contains(x));
        self.channels.iter().any(|c| other.channels.contains(c))
            && meet(&self.site_ids, &other.site_ids)
            && (self.kinds.is_empty()
                || other.kinds.is_empty()
                || self.kinds.iter().any(|k| other.kinds.contains(k)))
            && (self.categories.is_empty()
                || other.categories.is_empty()
                || self.categories.iter().any(|c| other.categories.contains(c)))
    }
}

/// The measurable part of a commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub metric: Metric,
    pub scope: Scope,
    /// The nominal service: a delay (delay metrics only).
    pub nominal_ms: Option<i64>,
    /// Share of contacts that must meet the nominal, in basis points (8500 = 85 %).
    pub requirement_bp: i64,
    /// A delay no contact may exceed; crossing it has consequences.
    pub unacceptable_ms: Option<i64>,
    /// Count delays in the site's opening hours rather than in calendar time.
    pub business_time: bool,
    /// Leave out the time a case waited on the customer.
    pub exclude_pending: bool,
    pub period: Period,
}

impl Rule {
    /// Every incoherence, named by field (SMART: measurable, bounded, periodic).
    pub fn problems(&self) -> Vec<(&'static str, Invalid)> {
        let mut out = Vec::new();
        if self.scope.channels.is_empty() {
            out.push((
                "channels",
                Invalid::new(
                    "empty_scope",
                    "name at least one channel the commitment covers",
                ),
            ));
        }
        if let Some(own) = self.metric.own_channel()
            && self.scope.channels != [own]
        {
            out.push((
                "channels",
                Invalid::new(
                    "scope_mismatch",
                    format!("{} is measured on the {own} channel only", self.metric),
                ),
            ));
        }
        if !(1..=10_000).contains(&self.requirement_bp) {
            out.push((
                "requirement_pct",
                Invalid::new(
                    "out_of_range",
                    "the requirement is a share between 0 and 100 %",
                ),
            ));
        }
        if self.metric.is_delay() {
            match self.nominal_ms {
                None => out.push((
                    "nominal_minutes",
                    Invalid::new(
                        "missing_nominal",
                        "a delay commitment needs its nominal bound",
                    ),
                )),
                Some(n) if n <= 0 => out.push((
                    "nominal_minutes",
                    Invalid::new("out_of_range", "the nominal bound must be positive"),
                )),
                Some(n) => {
                    if self.unacceptable_ms.is_some_and(|u| u < n) {
                        out.push((
                            "unacceptable_minutes",
                            Invalid::new(
                                "below_nominal",
                                "the unacceptable bound cannot be below the nominal one",
                            ),
                        ));
                    }
                }
            }
        } else {
            for (field, set) in [
                ("nominal_minutes", self.nominal_ms.is_some()),
                ("unacceptable_minutes", self.unacceptable_ms.is_some()),
            ] {
                if set {
                    out.push((
                        field,
                        Invalid::new("not_applicable", "a share has no delay bound"),
                    ));
                }
            }
            if self.business_time {
                out.push((
                    "business_time",
                    Invalid::new("not_applicable", "a share is not counted in time"),
                ));
            }
        }
        out
    }
}

/// A case as the charter sees it.
#[derive(Debug, Clone)]
pub struct CaseFacts<'a> {
    pub id: i64,
    pub channel: Channel,
    pub site_id: Option<i64>,
    pub kind: CaseKind,
    pub category: Option<&'a str>,
    pub clock: &'a CaseClock,
}

/// One wait in a queue: a call until answered, a counter ticket until called.
#[derive(Debug, Clone)]
pub struct WaitFacts<'a> {
    /// Stable identity of what waited ("t:12" for a ticket, "i:34" for an interaction), so the
    /// same wait recorded twice is measured once.
    pub subject: &'a str,
    pub channel: Channel,
    pub site_id: Option<i64>,
    pub queued_at: i64,
    /// `None`: abandoned (never answered) — it does not meet the nominal.
    pub answered_at: Option<i64>,
}

/// One contact measured against one commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub subject: String,
    pub site_id: Option<i64>,
    /// When the contact started; it decides the period.
    pub anchor_at: i64,
    pub value_ms: Option<i64>,
    pub met: bool,
    pub unacceptable: bool,
}

impl Rule {
    fn judge(
        &self,
        subject: String,
        site_id: Option<i64>,
        anchor_at: i64,
        value_ms: Option<i64>,
    ) -> Observation {
        let met = match (value_ms, self.nominal_ms) {
            (Some(v), Some(n)) => v <= n,
            _ => false,
        };
        let unacceptable = matches!((value_ms, self.unacceptable_ms), (Some(v), Some(u)) if v > u);
        Observation {
            subject,
            site_id,
            anchor_at,
            value_ms,
            met,
            unacceptable,
        }
    }

    fn delay(&self, cal: &Calendar, from: i64, to: i64, pending_ms: i64) -> i64 {
        let raw = if self.business_time {
            cal.business_ms(from, to)
        } else {
            (to - from).max(0)
        };
        if self.exclude_pending {
            (raw - pending_ms).max(0)
        } else {
            raw
        }
    }

    /// The measure of a case, once there is one (`None` while it cannot be known yet or when
    /// the case is out of scope).
    pub fn observe_case(&self, f: &CaseFacts<'_>, cal: &Calendar, now: i64) -> Option<Observation> {
        if !self.metric.on_cases()
            || !self
                .scope
                .covers(f.channel, f.site_id, Some(f.kind), f.category)
        {
            return None;
        }
        let k = f.clock;
        let subject = format!("c:{}", f.id);
        match self.metric {
            Metric::FirstResponse => {
                let at = k.first_response_at?;
                let v = self.delay(cal, k.opened_at, at, k.pending_ms);
                Some(self.judge(subject, f.site_id, k.opened_at, Some(v)))
            }
            Metric::Resolution => {
                let at = k.solved_at?;
                let v = self.delay(cal, k.opened_at, at, k.pending_ms);
                Some(self.judge(subject, f.site_id, k.opened_at, Some(v)))
            }
            Metric::OnceAndDone => {
                // Counted when solved, as solved at first contact until something says otherwise
                // (a reopening or another contact within the window turns it to "no").
                // A reopened case stays counted, as a "no", while it is worked on again.
                let od = k.once_and_done(now);
                let counted = od != OnceAndDone::Undetermined || k.reopen_count > 0;
                counted.then_some(Observation {
                    subject,
                    site_id: f.site_id,
                    anchor_at: k.opened_at,
                    value_ms: None,
                    met: matches!(od, OnceAndDone::Yes | OnceAndDone::Provisional),
                    unacceptable: false,
                })
            }
            Metric::CounterWait | Metric::PhoneAnswer | Metric::ChatAnswer => None,
        }
    }

    /// Whether two states of a case must measure the same (so the measure need not be
    /// computed twice): same scope fields and the same clock readings this metric uses.
    pub fn same_measure(&self, a: &CaseFacts<'_>, b: &CaseFacts<'_>) -> bool {
        let (x, y) = (a.clock, b.clock);
        let pending = |k: &CaseClock| {
            if self.exclude_pending {
                k.pending_ms
            } else {
                0
            }
        };
        (a.channel, a.site_id, a.kind) == (b.channel, b.site_id, b.kind)
            && a.category == b.category
            && x.opened_at == y.opened_at
            && match self.metric {
                Metric::FirstResponse => {
                    x.first_response_at == y.first_response_at && pending(x) == pending(y)
                }
                Metric::Resolution => x.solved_at == y.solved_at && pending(x) == pending(y),
                Metric::OnceAndDone => {
                    (
                        x.solved_at.is_some(),
                        x.inbound_count > 1,
                        x.reopen_count,
                        x.repeat_contact_at.is_some(),
                    ) == (
                        y.solved_at.is_some(),
                        y.inbound_count > 1,
                        y.reopen_count,
                        y.repeat_contact_at.is_some(),
                    )
                    // Past the window, "provisional" becomes "yes": both are met, no change.
                }
                Metric::CounterWait | Metric::PhoneAnswer | Metric::ChatAnswer => true,
            }
    }

    /// The measure of a wait in a queue.
    pub fn observe_wait(&self, w: &WaitFacts<'_>, cal: &Calendar) -> Option<Observation> {
        if self.metric.own_channel() != Some(w.channel)
            || !self.scope.covers(w.channel, w.site_id, None, None)
        {
            return None;
        }
        let v = w.answered_at.map(|a| self.delay(cal, w.queued_at, a, 0));
        Some(self.judge(w.subject.to_string(), w.site_id, w.queued_at, v))
    }

    /// When an open case will cross the nominal bound (for timers), if this commitment is
    /// still running on it.
    pub fn deadline(&self, f: &CaseFacts<'_>, cal: &Calendar) -> Option<i64> {
        if !self
            .scope
            .covers(f.channel, f.site_id, Some(f.kind), f.category)
        {
            return None;
        }
        let k = f.clock;
        let running = match self.metric {
            Metric::FirstResponse => k.first_response_at.is_none(),
            Metric::Resolution => k.solved_at.is_none(),
            _ => false,
        } && matches!(k.status(), CaseStatus::Open | CaseStatus::Pending);
        if !running {
            return None;
        }
        let nominal = self.nominal_ms?;
        let extra = if self.exclude_pending {
            k.pending_ms
        } else {
            0
        };
        if self.business_time {
            cal.add_business(k.opened_at, nominal).map(|d| d + extra)
        } else {
            Some(k.opened_at + nominal + extra)
        }
    }
}

/// Counts of one commitment over one period (and one site, or all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, utoipa::ToSchema)]
pub struct Tally {
    pub total: i64,
    pub met: i64,
    pub unacceptable: i64,
}

impl Tally {
    pub fn add(&mut self, o: &Tally) {
        self.total += o.total;
        self.met += o.met;
        self.unacceptable += o.unacceptable;
    }

    /// Share that met the nominal, in percent (`None` without data).
    pub fn compliance_pct(&self) -> Option<f64> {
        (self.total > 0).then(|| 100.0 * self.met as f64 / self.total as f64)
    }

    /// A verdict only where the data supports it: a period still running is "in progress"; a
    /// complete one is missed when someone was beyond the unacceptable bound, else met or missed
    /// when the 95 % interval of the share is wholly on one side of the requirement, and "too
    /// early to conclude" when it straddles it (16 contacts at 94 % do not show 85 % is kept).
    pub fn status(&self, requirement_bp: i64, period_over: bool) -> Status {
        if self.total == 0 {
            return Status::NoData;
        }
        if !period_over {
            return Status::InProgress;
        }
        if self.unacceptable > 0 {
            return Status::Missed;
        }
        match super::quality::share_verdict(
            self.met,
            self.total,
            requirement_bp as f64 / 10_000.0,
            true,
        ) {
            super::quality::Proposal::Conforming => Status::Met,
            super::quality::Proposal::Nonconforming => Status::Missed,
            _ => Status::TooEarly,
        }
    }

    /// The 95 % interval of the share met, in percent.
    pub fn interval_pct(&self) -> Option<(f64, f64)> {
        super::quality::wilson(self.met, self.total).map(|(lo, hi)| (100.0 * lo, 100.0 * hi))
    }
}

string_enum!(
    /// How a commitment stands over a period.
    Status {
        Met => "met", Missed => "missed", TooEarly => "too_early", InProgress => "in_progress",
        NoData => "no_data",
    }
    "invalid_status"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::site::OpeningHours;

    fn cal() -> Calendar {
        Calendar {
            tz: TimeZone::get("Europe/Paris").unwrap(),
            hours: OpeningHours::parse("mon-fri 09:00-12:00,14:00-18:00").unwrap(),
            closures: Vec::new(),
            french_holidays: true,
        }
    }

    fn ms(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>().unwrap().as_millisecond()
    }

    const MIN: i64 = 60_000;

    /// Seed 003's example: taken care of in under 5 minutes, 85 % of customers, nobody over 15.
    fn counter() -> Rule {
        Rule {
            metric: Metric::CounterWait,
            scope: Scope {
                channels: vec![Channel::Counter],
                ..Scope::default()
            },
            nominal_ms: Some(5 * MIN),
            requirement_bp: 8500,
            unacceptable_ms: Some(15 * MIN),
            business_time: false,
            exclude_pending: false,
            period: Period::Month,
        }
    }

    #[test]
    fn the_counter_example_of_the_seeds() {
        let r = counter();
        assert!(r.problems().is_empty());
        let wait = |mins: Option<i64>| {
            r.observe_wait(
                &WaitFacts {
                    subject: "t:1",
                    channel: Channel::Counter,
                    site_id: Some(1),
                    queued_at: 0,
                    answered_at: mins.map(|m| m * MIN),
                },
                &cal(),
            )
            .unwrap()
        };
        assert!(wait(Some(5)).met && !wait(Some(5)).unacceptable);
        assert!(!wait(Some(6)).met && !wait(Some(15)).unacceptable);
        assert!(wait(Some(16)).unacceptable);
        assert!(
            !wait(None).met,
            "an abandoned wait does not meet the nominal"
        );
        let mut t = Tally::default();
        for _ in 0..85 {
            t.add(&Tally {
                total: 1,
                met: 1,
                unacceptable: 0,
            });
        }
        for _ in 0..15 {
            t.add(&Tally {
                total: 1,
                met: 0,
                unacceptable: 0,
            });
        }
        // 85 of 100 against 85 %: the interval (77–91 %) straddles the requirement.
        assert_eq!(t.status(8500, true), Status::TooEarly);
        assert_eq!(t.status(7000, true), Status::Met);
        assert_eq!(t.status(9500, true), Status::Missed);
        assert_eq!(t.status(8500, false), Status::InProgress);
        t.add(&Tally {
            total: 1,
            met: 0,
            unacceptable: 1,
        });
        assert_eq!(t.status(7000, false), Status::InProgress);
        assert_eq!(t.status(7000, true), Status::Missed);
        assert_eq!(Tally::default().status(8500, true), Status::NoData);
    }

    #[test]
    fn impossible_definitions_name_their_field() {
        let mut r = counter();
        r.unacceptable_ms = Some(MIN);
        r.requirement_bp = 12_000;
        r.scope.channels.clear();
        let fields: Vec<&str> = r.problems().iter().map(|(f, _)| *f).collect();
        assert!(fields.contains(&"unacceptable_minutes"));
        assert!(fields.contains(&"requirement_pct"));
        assert!(fields.contains(&"channels"));
        let mut share = counter();
        share.metric = Metric::OnceAndDone;
        share.scope.channels = vec![Channel::Email];
        let fields: Vec<&str> = share.problems().iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["nominal_minutes", "unacceptable_minutes"]);
    }

    #[test]
    fn first_response_in_business_hours_and_out_of_scope() {
        let r = Rule {
            metric: Metric::FirstResponse,
            scope: Scope {
                channels: vec![Channel::Email],
                ..Scope::default()
            },
            nominal_ms: Some(48 * 60 * MIN),
            requirement_bp: 9000,
            unacceptable_ms: None,
            business_time: true,
            exclude_pending: false,
            period: Period::Month,
        };
        // Friday 17:00 Paris → Monday 10:00: two business hours.
        let mut clock = CaseClock::opened(ms("2026-11-20T16:00:00Z"));
        let facts = |clock: &CaseClock| {
            r.observe_case(
                &CaseFacts {
                    id: 7,
                    channel: Channel::Email,
                    site_id: None,
                    kind: CaseKind::Request,
                    category: None,
                    clock,
                },
                &cal(),
                0,
            )
        };
        assert_eq!(facts(&clock), None, "no response yet, nothing to measure");
        clock.on_outbound(ms("2026-11-23T09:00:00Z"), false);
        let o = facts(&clock).unwrap();
        assert_eq!(o.value_ms, Some(120 * MIN));
        assert!(o.met);
        assert_eq!(o.subject, "c:7");
        let phone = CaseFacts {
            id: 8,
            channel: Channel::Phone,
            site_id: None,
            kind: CaseKind::Request,
            category: None,
            clock: &clock,
        };
        assert_eq!(r.observe_case(&phone, &cal(), 0), None);
    }

    #[test]
    fn a_contact_that_moves_nothing_measured_is_recognised() {
        let r = counter_rule_on(Metric::FirstResponse);
        let mut before = CaseClock::opened(0);
        before.on_inbound(0);
        let mut after = before.clone();
        after.on_inbound(10);
        fn f(k: &CaseClock) -> CaseFacts<'_> {
            CaseFacts {
                id: 1,
                channel: Channel::Email,
                site_id: None,
                kind: CaseKind::Request,
                category: None,
                clock: k,
            }
        }
        assert!(
            r.same_measure(&f(&before), &f(&after)),
            "another inbound, no response yet"
        );
        after.on_outbound(20, false);
        assert!(
            !r.same_measure(&f(&before), &f(&after)),
            "the first response changes it"
        );
        let once = counter_rule_on(Metric::OnceAndDone);
        let mut reopened = after.clone();
        reopened.set_status(CaseStatus::Solved, 30);
        assert!(
            !once.same_measure(&f(&after), &f(&reopened)),
            "solving counts for once & done"
        );
    }

    fn counter_rule_on(metric: Metric) -> Rule {
        Rule {
            metric,
            scope: Scope {
                channels: vec![Channel::Email],
                ..Scope::default()
            },
            nominal_ms: Some(60 * MIN),
            requirement_bp: 9000,
            unacceptable_ms: None,
            business_time: true,
            exclude_pending: false,
            period: Period::Month,
        }
    }

    #[test]
    fn once_and_done_turns_to_no_on_reopening() {
        let r = Rule {
            metric: Metric::OnceAndDone,
            scope: Scope {
                channels: vec![Channel::Email],
                ..Scope::default()
            },
            nominal_ms: None,
            requirement_bp: 6000,
            unacceptable_ms: None,
            business_time: false,
            exclude_pending: false,
            period: Period::Quarter,
        };
        let mut clock = CaseClock::opened(0);
        clock.on_inbound(0);
        clock.set_status(CaseStatus::Solved, 10);
        fn f(clock: &CaseClock) -> CaseFacts<'_> {
            CaseFacts {
                id: 1,
                channel: Channel::Email,
                site_id: None,
                kind: CaseKind::Request,
                category: None,
                clock,
            }
        }
        assert!(r.observe_case(&f(&clock), &cal(), 20).unwrap().met);
        clock.on_inbound(30);
        assert!(!r.observe_case(&f(&clock), &cal(), 40).unwrap().met);
    }

    #[test]
    fn periods_start_where_they_should() {
        let d = Date::constant(2026, 11, 22); // a Sunday
        assert_eq!(Period::Week.start_of(d), Date::constant(2026, 11, 16));
        assert_eq!(Period::Month.start_of(d), Date::constant(2026, 11, 1));
        assert_eq!(Period::Quarter.start_of(d), Date::constant(2026, 10, 1));
        assert_eq!(
            Period::Quarter.next(Date::constant(2026, 10, 1)),
            Date::constant(2027, 1, 1)
        );
        // 31 October 23:30 UTC is already November in Paris.
        let tz = TimeZone::get("Europe/Paris").unwrap();
        assert_eq!(
            Period::Month.of_instant(ms("2026-10-31T23:30:00Z"), &tz),
            Date::constant(2026, 11, 1)
        );
    }

    #[test]
    fn deadlines_follow_opening_hours() {
        let r = Rule {
            metric: Metric::FirstResponse,
            scope: Scope {
                channels: vec![Channel::Email],
                ..Scope::default()
            },
            nominal_ms: Some(2 * 60 * MIN),
            requirement_bp: 9000,
            unacceptable_ms: None,
            business_time: true,
            exclude_pending: false,
            period: Period::Month,
        };
        let clock = CaseClock::opened(ms("2026-11-20T16:00:00Z"));
        let f = CaseFacts {
            id: 1,
            channel: Channel::Email,
            site_id: None,
            kind: CaseKind::Request,
            category: None,
            clock: &clock,
        };
        assert_eq!(r.deadline(&f, &cal()), Some(ms("2026-11-23T09:00:00Z")));
    }
}
