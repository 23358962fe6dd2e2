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

/// One series over months, on a scale from `lo` to `hi` (NPS: −100..100; shares: 0..100).
pub fn trend(title: &str, months: &[String], values: &[Option<f64>], lo: f64, hi: f64) -> String {
    let n = months.len().max(1);
    let x = |i: usize| {
        PAD_L
            + (W - PAD_L - 10.0)
                * if n == 1 {
                    0.5
                } else {
                    i as f64 / (n - 1) as f64
                }
    };
    let y = |v: f64| 8.0 + (H - PAD_B - 8.0) * (1.0 - (v - lo) / (hi - lo));
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = esc(title)
    );
    for v in [lo, (lo + hi) / 2.0, hi] {
        let _ = write!(
            s,
            r##"<line x1="{PAD_L}" x2="{}" y1="{y}" y2="{y}" stroke="#e2e8f0"/><text x="{}" y="{}" font-size="10" text-anchor="end" fill="#5b6573">{v}</text>"##,
            W - 10.0,
            PAD_L - 4.0,
            y(v) + 3.0,
            y = y(v)
        );
    }
    let step = n.div_ceil(6).max(1);
    for (i, m) in months
        .iter()
        .enumerate()
        .filter(|(i, _)| i % step == 0 || *i == n - 1)
    {
        let _ = write!(
            s,
            r##"<text x="{}" y="{}" font-size="10" text-anchor="middle" fill="#5b6573">{}</text>"##,
            x(i),
            H - 6.0,
            esc(m)
        );
    }
    let mut path = String::new();
    for (i, v) in values.iter().enumerate() {
        if let Some(v) = v {
            let _ = write!(
                path,
                "{}{:.1},{:.1} ",
                if path.is_empty() { "M" } else { "L" },
                x(i),
                y(*v)
            );
            let _ = write!(
                s,
                r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="#0f766e"><title>{}: {v:.1}</title></circle>"##,
                x(i),
                y(*v),
                esc(&months[i])
            );
        }
    }
    let _ = write!(
        s,
        r##"<path d="{path}" fill="none" stroke="#0f766e" stroke-width="2"/></svg>"##
    );
    s
}

/// The satisfaction mapping: criteria placed by importance (y) and satisfaction (x), on 1–5
/// scales zoomed to the answers (they cluster), the axes crossing at (`sat_axis`, `imp_axis`),
/// the four zones named. `axes`: the (satisfaction, importance) axis labels.
pub fn mapping(
    title: &str,
    points: &[(String, f64, f64)],
    imp_axis: f64,
    sat_axis: f64,
    zones: [&str; 4],
    axes: (&str, &str),
) -> String {
    const S: f64 = 520.0;
    const P: f64 = 44.0;
    let range = |vals: &mut dyn Iterator<Item = f64>, axis: f64| {
        let (lo, hi) = vals.fold((axis, axis), |(lo, hi), v| (lo.min(v), hi.max(v)));
        ((lo - 0.3).max(1.0), (hi + 0.3).min(5.0))
    };
    let (slo, shi) = range(&mut points.iter().map(|p| p.2), sat_axis);
    let (ilo, ihi) = range(&mut points.iter().map(|p| p.1), imp_axis);
    let x = |sat: f64| P + (S - 2.0 * P) * (sat - slo) / (shi - slo).max(0.1);
    let y = |imp: f64| P + (S - 2.0 * P) * (1.0 - (imp - ilo) / (ihi - ilo).max(0.1));
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart mapping" viewBox="0 0 {S} {S}" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = esc(title)
    );
    let (ax, ay) = (x(sat_axis), y(imp_axis));
    // Zones: 1 strengths (top right), 2 urgent (top left), 3 watch (bottom right), 4 medium term.
    let fills = ["#dcfce7", "#fee2e2", "#e0f2fe", "#fef3c7"];
    let rects = [
        (ax, P, S - P - ax, ay - P),
        (P, P, ax - P, ay - P),
        (ax, ay, S - P - ax, S - P - ay),
        (P, ay, ax - P, S - P - ay),
    ];
    for (k, (rx, ry, rw, rh)) in rects.iter().enumerate() {
        let _ = write!(
            s,
            r##"<rect x="{rx:.1}" y="{ry:.1}" width="{:.1}" height="{:.1}" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="12" font-weight="600" fill="#334155">{}</text>"##,
            rw.max(0.0),
            rh.max(0.0),
            fills[k],
            rx + 5.0,
            ry + 15.0,
            esc(zones[k])
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{ax:.1}" x2="{ax:.1}" y1="{P}" y2="{}" stroke="#64748b"/><line x1="{P}" x2="{}" y1="{ay:.1}" y2="{ay:.1}" stroke="#64748b"/>"##,
        S - P,
        S - P
    );
    for (v, at) in [(slo, P), (shi, S - P)] {
        let _ = write!(
            s,
            r##"<text x="{at:.1}" y="{}" font-size="10" text-anchor="middle" fill="#5b6573">{v:.1}</text>"##,
            S - P + 14.0
        );
    }
    for (v, at) in [(ihi, P), (ilo, S - P)] {
        let _ = write!(
            s,
            r##"<text x="{}" y="{:.1}" font-size="10" text-anchor="end" fill="#5b6573">{v:.1}</text>"##,
            P - 4.0,
            at + 3.0
        );
    }
    for (label, imp, sat) in points {
        let _ = write!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="5" fill="#1c2430"><title>{}</title></circle><text x="{:.1}" y="{:.1}" font-size="11" fill="#1c2430">{}</text>"##,
            x(*sat),
            y(*imp),
            esc(&format!("{label}: {imp:.1} / {sat:.1}")),
            x(*sat) + 7.0,
            y(*imp) + 4.0,
            esc(label)
        );
    }
    let _ = write!(
        s,
        r##"<text x="{}" y="{}" font-size="12" text-anchor="middle" fill="#5b6573">{} →</text><text x="14" y="{}" font-size="12" text-anchor="middle" fill="#5b6573" transform="rotate(-90 14 {})">{} →</text></svg>"##,
        S / 2.0,
        S - 6.0,
        esc(axes.0),
        S / 2.0,
        S / 2.0,
        esc(axes.1)
    );
    s
}

/// The Ishikawa diagram of an analysis: the spine to the effect on the right, one bone per
/// family (above and below, alternately), each cause written along its bone.
pub fn fishbone(effect: &str, families: &[(String, Vec<String>)]) -> String {
    let per_side = families.len().div_ceil(2).max(1);
    let bone_w = 190.0;
    let w = 60.0 + per_side as f64 * bone_w + 170.0;
    let max_causes = families
        .iter()
        .map(|(_, c)| c.len())
        .max()
        .unwrap_or(0)
        .max(2);
    let half = 40.0 + max_causes as f64 * 16.0;
    let h = 2.0 * half + 20.0;
    let spine = half + 10.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="fishbone" viewBox="0 0 {w:.0} {h:.0}" role="img" aria-label="{}"><title>{}</title>"#,
        esc(effect),
        esc(effect)
    );
    let head_x = w - 170.0;
    // The effect in the head, on up to four lines of about 24 characters.
    let mut lines: Vec<String> = Vec::new();
    for word in effect.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= 24 => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    if lines.len() > 4 {
        lines.truncate(4);
        lines[3].push('…');
    }
    let box_h = 14.0 * lines.len().max(1) as f64 + 16.0;
    let _ = write!(
        s,
        r##"<line x1="20" y1="{spine:.0}" x2="{head_x:.0}" y2="{spine:.0}" stroke="#1c2430" stroke-width="3"/><rect x="{head_x:.0}" y="{:.0}" width="160" height="{box_h:.0}" rx="6" fill="#fde2e1" stroke="#be123c"/>"##,
        spine - box_h / 2.0,
    );
    for (i, line) in lines.iter().enumerate() {
        let _ = write!(
            s,
            r#"<text x="{:.0}" y="{:.0}" font-size="12" text-anchor="middle">{}</text>"#,
            head_x + 80.0,
            spine - box_h / 2.0 + 20.0 + 14.0 * i as f64,
            esc(line)
        );
    }
    for (i, (name, causes)) in families.iter().enumerate() {
        let up = i % 2 == 0;
        let x = 60.0 + (i / 2) as f64 * bone_w + bone_w - 20.0;
        let end_y = if up { 14.0 } else { h - 14.0 };
        let top_x = x - 60.0;
        let _ = write!(
            s,
            r##"<line x1="{top_x:.0}" y1="{end_y:.0}" x2="{x:.0}" y2="{spine:.0}" stroke="#0f766e" stroke-width="2"/><text x="{:.0}" y="{:.0}" font-size="12" font-weight="bold" text-anchor="middle">{}</text>"##,
            top_x,
            if up { end_y - 2.0 } else { end_y + 10.0 },
            esc(name)
        );
        for (k, c) in causes.iter().enumerate() {
            let t = (k as f64 + 1.0) / (causes.len() as f64 + 1.0);
            let cy = end_y + (spine - end_y) * t;
            let cx = top_x + (x - top_x) * t;
            let mut label: String = c.chars().take(30).collect();
            if c.chars().count() > 30 {
                label.push('…');
            }
            let _ = write!(
                s,
                r##"<line x1="{:.0}" y1="{cy:.0}" x2="{cx:.0}" y2="{cy:.0}" stroke="#94a3b8"/><text x="{:.0}" y="{:.0}" font-size="10" text-anchor="end"><title>{}</title>{}</text>"##,
                cx - 10.0,
                cx - 12.0,
                cy - 2.0,
                esc(c),
                esc(&label)
            );
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
