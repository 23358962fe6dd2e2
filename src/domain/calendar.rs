//! Business time: a site's weekly opening hours in its time zone, French public holidays
//! (Easter-based ones included) and custom closures; delays counted in business time.

use super::site::OpeningHours;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// Easter Sunday of a year (Gregorian; anonymous algorithm, Meeus/Jones/Butcher).
pub fn easter(year: i16) -> Date {
    let y = i32::from(year);
    let (a, b, c) = (y % 19, y / 100, y % 100);
    let (d, e) = (b / 4, b % 4);
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(year, month as i8, day as i8).expect("Easter is a valid date")
}

/// The eleven public holidays of metropolitan France in a year.
pub fn french_holidays(year: i16) -> [Date; 11] {
    let d = |m: i8, day: i8| Date::new(year, m, day).expect("valid date");
    let e = easter(year);
    [
        d(1, 1),
        e.checked_add(1.day()).expect("in range"), // lundi de Pâques
        d(5, 1),
        d(5, 8),
        e.checked_add(39.days()).expect("in range"), // Ascension
        e.checked_add(50.days()).expect("in range"), // lundi de Pentecôte
        d(7, 14),
        d(8, 15),
        d(11, 1),
        d(11, 11),
        d(12, 25),
    ]
}

/// When a site is open.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub tz: TimeZone,
    pub hours: OpeningHours,
    /// Days closed beyond public holidays.
    pub closures: Vec<Date>,
    pub french_holidays: bool,
}

impl Calendar {
    pub fn is_closed_day(&self, date: Date) -> bool {
        (self.french_holidays && french_holidays(date.year()).contains(&date))
            || self.closures.contains(&date)
    }

    /// Open periods of one local day, as UTC epoch-ms intervals (correct across DST changes).
    fn periods(&self, date: Date) -> Vec<(i64, i64)> {
        if self.is_closed_day(date) {
            return Vec::new();
        }
        let idx = date.weekday().to_monday_zero_offset() as usize;
        self.hours.0[idx]
            .iter()
            .filter_map(|&(a, b)| {
                let at = |m: u16| {
                    let (h, mi) = ((m / 60) as i8, (m % 60) as i8);
                    let dt = if h == 24 {
                        date.tomorrow().ok()?.at(0, 0, 0, 0)
                    } else {
                        date.at(h, mi, 0, 0)
                    };
                    dt.to_zoned(self.tz.clone())
                        .ok()
                        .map(|z| z.timestamp().as_millisecond())
                };
                Some((at(a)?, at(b)?))
            })
            .collect()
    }

    /// Whether the site is open at an instant.
    pub fn is_open(&self, at: i64) -> bool {
        let Ok(t) = Timestamp::from_millisecond(at) else {
            return false;
        };
        self.periods(t.to_zoned(self.tz.clone()).date())
            .iter()
            .any(|&(a, b)| a <= at && at < b)
    }

    /// Open time between two instants, in milliseconds (0 when `end <= start`).
    pub fn business_ms(&self, start: i64, end: i64) -> i64 {
        if end <= start {
            return 0;
        }
        let (Ok(s), Ok(e)) = (
            Timestamp::from_millisecond(start),
            Timestamp::from_millisecond(end),
        ) else {
            return 0;
        };
        let (mut day, last) = (
            s.to_zoned(self.tz.clone()).date(),
            e.to_zoned(self.tz.clone()).date(),
        );
        let mut total = 0;
        while day <= last {
            for (a, b) in self.periods(day) {
                total += (b.min(end) - a.max(start)).max(0);
            }
            match day.tomorrow() {
                Ok(d) => day = d,
                Err(_) => break,
            }
        }
        total
    }

    /// The instant when `duration_ms` of open time will have passed after `start`; `None` if the
    /// calendar has no opening within ten years.
    pub fn add_business(&self, start: i64, duration_ms: i64) -> Option<i64> {
        let mut left = duration_ms.max(0);
        let mut day = Timestamp::from_millisecond(start)
            .ok()?
            .to_zoned(self.tz.clone())
            .date();
        for _ in 0..3660 {
            for (a, b) in self.periods(day) {
                let from = a.max(start);
                if from >= b {
                    continue;
                }
                if b - from >= left {
                    return Some(from + left);
                }
                left -= b - from;
            }
            day = day.tomorrow().ok()?;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn paris(spec: &str) -> Calendar {
        Calendar {
            tz: TimeZone::get("Europe/Paris").unwrap(),
            hours: OpeningHours::parse(spec).unwrap(),
            closures: Vec::new(),
            french_holidays: true,
        }
    }

    fn ms(s: &str) -> i64 {
        s.parse::<Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn easter_dates_are_right() {
        assert_eq!(easter(2024), Date::constant(2024, 3, 31));
        assert_eq!(easter(2025), Date::constant(2025, 4, 20));
        assert_eq!(easter(2026), Date::constant(2026, 4, 5));
        assert_eq!(easter(2038), Date::constant(2038, 4, 25));
        let h = french_holidays(2026);
        assert!(h.contains(&Date::constant(2026, 4, 6)), "lundi de Pâques");
        assert!(h.contains(&Date::constant(2026, 5, 14)), "Ascension");
        assert!(
            h.contains(&Date::constant(2026, 5, 25)),
            "lundi de Pentecôte"
        );
    }

    #[test]
    fn counts_only_open_hours() {
        let c = paris("mon-fri 09:00-12:00,14:00-18:00");
        // Friday 17:00 → Monday 10:00 Paris time (UTC+1 in November): 1 h + 1 h.
        assert_eq!(
            c.business_ms(ms("2026-11-20T16:00:00Z"), ms("2026-11-23T09:00:00Z")),
            2 * 3_600_000
        );
        // 48 business hours later, exactly 48 business hours have passed (7 open hours a day).
        let due = c
            .add_business(ms("2026-11-20T16:00:00Z"), 48 * 3_600_000)
            .unwrap();
        assert_eq!(
            c.business_ms(ms("2026-11-20T16:00:00Z"), due),
            48 * 3_600_000
        );
        // 11 November (Wednesday) is a holiday: no time counts.
        assert_eq!(
            c.business_ms(ms("2026-11-11T07:00:00Z"), ms("2026-11-11T19:00:00Z")),
            0
        );
    }

    #[test]
    fn open_at_an_instant_is_read_in_the_site_s_time_zone() {
        let c = paris("mon-fri 09:00-12:00,14:00-18:00");
        // Friday 20 November 2026, Paris is UTC+1.
        assert!(c.is_open(ms("2026-11-20T08:00:00Z")), "09:00 opens");
        assert!(!c.is_open(ms("2026-11-20T11:30:00Z")), "12:30: lunch");
        assert!(!c.is_open(ms("2026-11-20T17:00:00Z")), "18:00 closes");
        assert!(!c.is_open(ms("2026-11-21T10:00:00Z")), "Saturday");
        assert!(!c.is_open(ms("2026-11-11T10:00:00Z")), "11 November");
    }

    #[test]
    fn daylight_saving_days_count_their_real_hours() {
        let c = paris("mon-sun 00:00-24:00");
        // 29 March 2026: clocks go forward, the day lasts 23 hours.
        assert_eq!(
            c.business_ms(ms("2026-03-28T23:00:00Z"), ms("2026-03-29T22:00:00Z")),
            23 * 3_600_000
        );
    }

    proptest! {
        #[test]
        fn add_then_measure_gives_back_the_duration(start in 1_735_689_600_000i64..1_798_761_600_000, mins in 0i64..20_000) {
            let c = paris("mon-fri 09:00-12:30,13:30-18:00; sat 09:00-12:00");
            let due = c.add_business(start, mins * 60_000).unwrap();
            prop_assert!(due >= start);
            prop_assert_eq!(c.business_ms(start, due), mins * 60_000);
        }

        #[test]
        fn business_time_is_additive(a in 1_735_689_600_000i64..1_798_761_600_000, d1 in 0i64..900_000_000, d2 in 0i64..900_000_000) {
            let c = paris("mon-fri 08:00-20:00");
            prop_assert_eq!(c.business_ms(a, a + d1) + c.business_ms(a + d1, a + d1 + d2), c.business_ms(a, a + d1 + d2));
            prop_assert!(c.business_ms(a, a + d1) <= d1);
        }
    }
}
