//! Hand-written SVG charts (no fonts or libraries needed to make them): lines on
//! a log scale against evenly spaced categories, and grouped horizontal bars.

// Chart geometry reads best as x, y, w, h.
#![allow(clippy::many_single_char_names)]

use std::fmt::Write as _;

const COLORS: &[&str] = &[
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The decades (powers of ten) spanning `lo..=hi`.
fn decades(lo: f64, hi: f64) -> (i32, i32) {
    let lo = lo.max(1e-3).log10().floor() as i32;
    let hi = hi.max(1e-3).log10().ceil() as i32;
    (lo, hi.max(lo + 1))
}

fn fmt_tick(v: f64) -> String {
    if v >= 1000.0 {
        format!("{}k", v / 1000.0)
    } else if v >= 1.0 {
        format!("{v}")
    } else {
        format!("{v:.3}").trim_end_matches('0').to_owned()
    }
}

/// A line chart: `series` are (name, y per category, `None` for a gap); y is
/// drawn on a log scale.
pub(crate) fn lines(
    title: &str,
    x_label: &str,
    y_label: &str,
    categories: &[String],
    series: &[(String, Vec<Option<f64>>)],
) -> String {
    let (w, h) = (760.0, 420.0);
    let (left, right, top, bottom) = (70.0, 230.0, 40.0, 60.0);
    let pw = w - left - right;
    let ph = h - top - bottom;
    let values: Vec<f64> = series
        .iter()
        .flat_map(|s| s.1.iter().flatten().copied())
        .filter(|v| *v > 0.0)
        .collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(0.0, f64::max);
    let (d0, d1) = if values.is_empty() {
        (-1, 1)
    } else {
        decades(lo, hi)
    };
    let y = |v: f64| top + ph - (v.max(1e-3).log10() - f64::from(d0)) / f64::from(d1 - d0) * ph;
    let n = categories.len().max(1);
    let x = |i: usize| {
        left + if n == 1 {
            pw / 2.0
        } else {
            i as f64 * pw / (n - 1) as f64
        }
    };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = write!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = write!(
        s,
        r#"<text x="{}" y="22" font-size="15" font-weight="bold">{}</text>"#,
        left,
        esc(title)
    );
    for d in d0..=d1 {
        let v = 10f64.powi(d);
        let yy = y(v);
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            left + pw,
            left - 6.0,
            yy + 4.0,
            fmt_tick(v)
        );
    }
    for (i, c) in categories.iter().enumerate() {
        let xx = x(i);
        let _ = write!(
            s,
            r##"<line x1="{xx:.1}" x2="{xx:.1}" y1="{top}" y2="{}" stroke="#eee"/><text x="{xx:.1}" y="{}" text-anchor="middle">{}</text>"##,
            top + ph,
            top + ph + 18.0,
            esc(c)
        );
    }
    let _ = write!(
        s,
        r##"<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#888"/><text x="{}" y="{}" text-anchor="middle">{}</text><text transform="translate(18,{}) rotate(-90)" text-anchor="middle">{}</text>"##,
        left + pw / 2.0,
        h - 18.0,
        esc(x_label),
        top + ph / 2.0,
        esc(y_label)
    );
    for (k, (name, ys)) in series.iter().enumerate() {
        let color = COLORS[k % COLORS.len()];
        let dash = if k >= COLORS.len() {
            r#" stroke-dasharray="5,3""#
        } else {
            ""
        };
        let mut d = String::new();
        let mut pen_up = true;
        for (i, v) in ys.iter().enumerate() {
            match v {
                Some(v) if *v > 0.0 => {
                    let _ = write!(
                        d,
                        "{}{:.1},{:.1} ",
                        if pen_up { "M" } else { "L" },
                        x(i),
                        y(*v)
                    );
                    pen_up = false;
                }
                _ => pen_up = true,
            }
        }
        let _ = write!(
            s,
            r#"<path d="{d}" fill="none" stroke="{color}" stroke-width="2"{dash}/>"#
        );
        for (i, v) in ys.iter().enumerate() {
            if let Some(v) = v.filter(|v| *v > 0.0) {
                let _ = write!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{color}"/>"#,
                    x(i),
                    y(v)
                );
            }
        }
        let ly = top + 10.0 + k as f64 * 18.0;
        let lx = left + pw + 14.0;
        let _ = write!(
            s,
            r#"<line x1="{lx}" x2="{}" y1="{ly}" y2="{ly}" stroke="{color}" stroke-width="2"{dash}/><text x="{}" y="{}">{}</text>"#,
            lx + 20.0,
            lx + 26.0,
            ly + 4.0,
            esc(name)
        );
    }
    s.push_str("</svg>\n");
    s
}

/// Grouped horizontal bars on a log scale: for each group (a scenario), one bar per
/// series (a server); `None` draws no bar.
pub(crate) fn bars(
    title: &str,
    x_label: &str,
    groups: &[String],
    series: &[(String, Vec<Option<f64>>)],
) -> String {
    let bar_h = 14.0;
    let group_h = bar_h * series.len().max(1) as f64 + 12.0;
    let (left, right, top) = (190.0, 40.0, 60.0);
    let w = 820.0;
    let pw = w - left - right;
    let h = top + group_h * groups.len() as f64 + 50.0;
    let values: Vec<f64> = series
        .iter()
        .flat_map(|s| s.1.iter().flatten().copied())
        .filter(|v| *v > 0.0)
        .collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(0.0, f64::max);
    let (d0, d1) = if values.is_empty() {
        (0, 1)
    } else {
        decades(lo, hi)
    };
    let x = |v: f64| left + (v.max(1e-3).log10() - f64::from(d0)) / f64::from(d1 - d0) * pw;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = write!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = write!(
        s,
        r#"<text x="10" y="22" font-size="15" font-weight="bold">{}</text>"#,
        esc(title)
    );
    for (k, (name, _)) in series.iter().enumerate() {
        let lx = left + k as f64 * 150.0;
        let _ = write!(
            s,
            r#"<rect x="{lx}" y="34" width="12" height="12" fill="{}"/><text x="{}" y="45">{}</text>"#,
            COLORS[k % COLORS.len()],
            lx + 16.0,
            esc(name)
        );
    }
    let bottom = top + group_h * groups.len() as f64;
    for d in d0..=d1 {
        let v = 10f64.powi(d);
        let xx = x(v);
        let _ = write!(
            s,
            r##"<line x1="{xx:.1}" x2="{xx:.1}" y1="{top}" y2="{bottom}" stroke="#ddd"/><text x="{xx:.1}" y="{}" text-anchor="middle">{}</text>"##,
            bottom + 16.0,
            fmt_tick(v)
        );
    }
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
        left + pw / 2.0,
        bottom + 36.0,
        esc(x_label)
    );
    for (g, group) in groups.iter().enumerate() {
        let gy = top + g as f64 * group_h;
        let _ = write!(
            s,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 8.0,
            gy + group_h / 2.0,
            esc(group)
        );
        for (k, (_, vs)) in series.iter().enumerate() {
            if let Some(v) = vs.get(g).copied().flatten().filter(|v| *v > 0.0) {
                let by = gy + 6.0 + k as f64 * bar_h;
                let bw = (x(v) - left).max(1.0);
                let _ = write!(
                    s,
                    r#"<rect x="{left}" y="{by:.1}" width="{bw:.1}" height="{}" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="10">{}</text>"#,
                    bar_h - 2.0,
                    COLORS[k % COLORS.len()],
                    left + bw + 4.0,
                    by + bar_h - 4.0,
                    if v >= 100.0 {
                        format!("{v:.0}")
                    } else {
                        format!("{v:.2}")
                    }
                );
            }
        }
    }
    s.push_str("</svg>\n");
    s
}
