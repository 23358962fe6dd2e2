//! Sites (agencies, counters, contact centres): time zone and weekly opening hours.

use super::Invalid;
use serde::{Deserialize, Serialize};

/// Validates an IANA time zone name such as "Europe/Paris".
pub fn parse_time_zone(name: &str) -> Result<String, Invalid> {
    let name = name.trim();
    jiff::tz::TimeZone::get(name)
        .map(|_| name.to_string())
        .map_err(|_| {
            Invalid::new(
                "invalid_time_zone",
                format!("«{name}» is not a known time zone"),
            )
        })
}

/// Opening hours: for each weekday (Monday first), periods as minutes since midnight [start, end).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OpeningHours(pub [Vec<(u16, u16)>; 7]);

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl OpeningHours {
    /// Parses "mon-fri 09:00-12:00,14:00-18:00; sat 09:00-12:00". Days not named are closed.
    pub fn parse(spec: &str) -> Result<Self, Invalid> {
        let bad = |why: String| Invalid::new("invalid_opening_hours", why);
        let mut days: [Vec<(u16, u16)>; 7] = Default::default();
        for part in spec.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (range, periods) = part
                .split_once(' ')
                .ok_or_else(|| bad(format!("«{part}»: expected «days hours»")))?;
            let (from, to) = range.split_once('-').unwrap_or((range, range));
            let day = |d: &str| {
                DAYS.iter()
                    .position(|x| *x == d.trim().to_lowercase())
                    .ok_or_else(|| bad(format!("«{d}» is not a day (mon … sun)")))
            };
            let (from, to) = (day(from)?, day(to)?);
            if from > to {
                return Err(bad(format!("«{range}»: days out of order")));
            }
            for p in periods.split(',').map(str::trim) {
                let (a, b) = p
                    .split_once('-')
                    .ok_or_else(|| bad(format!("«{p}»: expected HH:MM-HH:MM")))?;
                let (a, b) = (
                    minutes(a).ok_or_else(|| bad(format!("«{a}»")))?,
                    minutes(b).ok_or_else(|| bad(format!("«{b}»")))?,
                );
                if a >= b {
                    return Err(bad(format!("«{p}»: a period must end after it starts")));
                }
                for d in &mut days[from..=to] {
                    if d.iter().any(|&(s, e)| a < e && s < b) {
                        return Err(bad(format!("«{p}» overlaps another period")));
                    }
                    d.push((a, b));
                    d.sort();
                }
            }
        }
        Ok(OpeningHours(days))
    }

    /// The canonical text form, which `parse` reads back.
    pub fn to_spec(&self) -> String {
        let mut parts = Vec::new();
        for (i, periods) in self.0.iter().enumerate() {
            if periods.is_empty() {
                continue;
            }
            let hours: Vec<String> = periods
                .iter()
                .map(|&(a, b)| format!("{}-{}", hhmm(a), hhmm(b)))
                .collect();
            parts.push(format!("{} {}", DAYS[i], hours.join(",")));
        }
        parts.join("; ")
    }
}

fn minutes(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 1440).then_some(h * 60 + m)
}

fn hhmm(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_back() {
        let h = OpeningHours::parse("mon-fri 09:00-12:00,14:00-18:00; sat 09:00-12:00").unwrap();
        assert_eq!(h.0[0], vec![(540, 720), (840, 1080)]);
        assert_eq!(h.0[5], vec![(540, 720)]);
        assert!(h.0[6].is_empty());
        assert_eq!(OpeningHours::parse(&h.to_spec()).unwrap(), h);
    }

    #[test]
    fn refuses_nonsense() {
        assert!(OpeningHours::parse("mon 18:00-09:00").is_err());
        assert!(OpeningHours::parse("fun 09:00-10:00").is_err());
        assert!(OpeningHours::parse("mon 09:00-12:00,11:00-13:00").is_err());
        assert!(parse_time_zone("Europe/Paris").is_ok());
        assert!(parse_time_zone("Mars/Olympus").is_err());
    }
}
