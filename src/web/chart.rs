//! Small SVG charts drawn on the server (no script): compliance over periods, one line per
//! site and a bold one for all, against the requirement.

use std::fmt::Write;

const W: f64 = 560.0;
const H: f64 = 180.0;
const PAD_L: f64 = 36.0;
const PAD_B: f64 = 22.0;
const COLORS: [&str; 6] = [
    "#0f766e", "#b45309", "#7c3aed", "#be123c", "#0369a1", "#4d7c0f",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The colour of the `k`-th series (bold series are drawn in ink).
pub fn color(k: usize, bold: bool) -> &'static str {
    if bold {
        "#1c2430"
    } else {
        COLORS[k % COLORS.len()]
    }
}

/// `periods`: x labels; `series`: (name, value per period in %, bold).
pub fn compliance(
    title: &str,
    periods: &[String],
    series: &[(String, Vec<Option<f64>>, bool)],
    requirement: f64,
) -> String {
    let n = periods.len().max(1);
    let x = |i: usize| {
        PAD_L
            + (W - PAD_L - 10.0)
                * if n == 1 {
                    0.5
                } else {
                    i as f64 / (n - 1) as f64
                }
    };
    let y = |v: f64| 8.0 + (H - PAD_B - 8.0) * (1.0 - v / 100.0);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{}"><title>{}</title>"#,
        esc(title),
        esc(title)
    );
    for v in [0.0, 50.0, 100.0] {
        let _ = write!(
            s,
            r##"<line x1="{PAD_L}" x2="{}" y1="{y}" y2="{y}" stroke="#e2e8f0"/><text x="{}" y="{}" font-size="10" text-anchor="end" fill="#5b6573">{v}%</text>"##,
            W - 10.0,
            PAD_L - 4.0,
            y(v) + 3.0,
            y = y(v)
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{PAD_L}" x2="{}" y1="{ry}" y2="{ry}" stroke="#a61b1b" stroke-dasharray="4 3"/>"##,
        W - 10.0,
        ry = y(requirement)
    );
    let step = n.div_ceil(6).max(1);
    for (i, p) in periods
        .iter()
        .enumerate()
        .filter(|(i, _)| i % step == 0 || *i == n - 1)
    {
        let _ = write!(
            s,
            r##"<text x="{}" y="{}" font-size="10" text-anchor="middle" fill="#5b6573">{}</text>"##,
            x(i),
            H - 6.0,
            esc(p.get(..7).unwrap_or(p))
        );
    }
    for (k, (name, values, bold)) in series.iter().enumerate() {
        let color = if *bold {
            "#1c2430"
        } else {
            COLORS[k % COLORS.len()]
        };
        let points: Vec<String> = values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| format!("{:.1},{:.1}", x(i), y(v))))
            .collect();
        let _ = write!(
            s,
            r#"<polyline fill="none" stroke="{color}" stroke-width="{}" points="{}"><title>{}</title></polyline>"#,
            if *bold { 2.5 } else { 1.2 },
            points.join(" "),
            esc(name)
        );
        for (i, v) in values.iter().enumerate() {
            if let (Some(v), true) = (v, *bold) {
                let _ = write!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{color}"><title>{} {}: {:.1} %</title></circle>"#,
                    x(i),
                    y(*v),
                    esc(name),
                    esc(&periods[i]),
                    v
                );
            }
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_escaped_and_points_drawn() {
        let svg = super::compliance(
            "<b>",
            &["2026-09-01".into(), "2026-10-01".into()],
            &[("Tous & co".into(), vec![Some(50.0), Some(100.0)], true)],
            85.0,
        );
        assert!(svg.contains("&lt;b&gt;") && svg.contains("Tous &amp; co"));
        assert_eq!(svg.matches("<circle").count(), 2);
    }
}
