//! `results.md` and the SVG charts, from [`Results`].

// Short names for the row being rendered (r: results, s: the output, b: backend, …).
#![allow(clippy::many_single_char_names)]

use std::fmt::Write as _;
use std::path::Path;

use crate::results::{DepthRow, Results, ThroughputRow};
use crate::svg;
use crate::BoxError;

/// The depth modes, in table and legend order.
const MODES: &[&str] = &[
    "http page",
    "http offset",
    "http cursor",
    "http cursor-walked",
    "sql page naive OFFSET",
    "sql page deferred join",
    "sql page bookmarks",
    "sql cursor",
];

/// The throughput scenarios, in table order, with their descriptions.
const SCENARIOS: &[(&str, &str)] = &[
    (
        "healthz",
        "`/healthz` (no database: the ceiling of HTTP server plus load generator)",
    ),
    ("page1", "page 1 (folio: default count `auto`)"),
    ("page1_exact", "page 1, folio `count=exact`"),
    ("page1_ordered", "page 1 (Flask with ORDER BY id)"),
    ("page50k", "page 50,000"),
    ("page50k_ordered", "page 50,000 (Flask with ORDER BY id)"),
    ("offset500k", "limit/offset at 500k"),
    ("cursor_first", "first cursor page"),
    ("cursor500k", "cursor page at depth 500k"),
    ("cursor500k_none", "cursor page at depth 500k, `count=none`"),
    ("user_orders", "a user's orders (1,000 users in turn)"),
    (
        "users_expand",
        "users with their first orders (`expand=orders`; peers: N+1)",
    ),
];

fn ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn depth_label(d: u64) -> String {
    if d >= 1000 && d % 1000 == 0 {
        format!("{}k", d / 1000)
    } else {
        d.to_string()
    }
}

fn find<'a>(
    rows: &'a [DepthRow],
    backend: &str,
    ordering: &str,
    mode: &str,
    depth: u64,
) -> Option<&'a DepthRow> {
    rows.iter().find(|r| {
        r.backend == backend && r.ordering == ordering && r.mode == mode && r.depth == depth
    })
}

fn tput<'a>(
    rows: &'a [ThroughputRow],
    backend: &str,
    server: &str,
    scenario: &str,
) -> Option<&'a ThroughputRow> {
    rows.iter()
        .find(|r| r.backend == backend && r.server == server && r.scenario == scenario)
}

fn uniq<T: PartialEq + Clone>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// Ratios a reader looks for first: depth flatness, peers, counts, memory.
pub(crate) fn headline(r: &Results) -> String {
    let mut s = String::new();
    let backends = uniq(r.depth.iter().map(|d| d.backend.clone()));
    let depths = uniq(r.depth.iter().map(|d| d.depth));
    let (Some(&first), Some(&last)) = (depths.first(), depths.last()) else {
        return s;
    };
    let _ = writeln!(
        s,
        "Depth (ordering `id`, p50 at depth {} over the first page; `count=none`):\n",
        depth_label(last)
    );
    let _ = writeln!(
        s,
        "| backend | mode | first page (ms) | deepest (ms) | factor |"
    );
    let _ = writeln!(s, "| --- | --- | ---: | ---: | ---: |");
    for b in &backends {
        for mode in MODES {
            if let (Some(a), Some(z)) = (
                find(&r.depth, b, "id", mode, first),
                find(&r.depth, b, "id", mode, last),
            ) {
                let _ = writeln!(
                    s,
                    "| {b} | {mode} | {} | {} | {:.2}x |",
                    ms(a.latency.p50),
                    ms(z.latency.p50),
                    z.latency.p50 / a.latency.p50
                );
            }
        }
    }
    let second = depths.get(1).copied().unwrap_or(first);
    let _ = writeln!(
        s,
        "\nFlatness over every ordering: p50 at depth {} divided by p50 of the first page (goal for cursors ≤ 1.3x); \
         for cursors also divided by p50 at depth {} (the first page has no keyset predicate, a deeper page does):\n",
        depth_label(last),
        depth_label(second)
    );
    let _ = writeln!(s, "| backend | ordering | http cursor | http cursor vs {0} | sql cursor | sql cursor vs {0} | sql naive OFFSET | sql deferred join | sql bookmarks | http page |", depth_label(second));
    let _ = writeln!(
        s,
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for b in &backends {
        for o in uniq(
            r.depth
                .iter()
                .filter(|d| &d.backend == b)
                .map(|d| d.ordering.clone()),
        ) {
            let ratio = |mode: &str, from: u64| match (
                find(&r.depth, b, &o, mode, from),
                find(&r.depth, b, &o, mode, last),
            ) {
                (Some(a), Some(z)) => format!("{:.2}x", z.latency.p50 / a.latency.p50),
                _ => "–".to_owned(),
            };
            let _ = writeln!(
                s,
                "| {b} | `{o}` | {} | {} | {} | {} | {} | {} | {} | {} |",
                ratio("http cursor", first),
                ratio("http cursor", second),
                ratio("sql cursor", first),
                ratio("sql cursor", second),
                ratio("sql page naive OFFSET", first),
                ratio("sql page deferred join", first),
                ratio("sql page bookmarks", first),
                ratio("http page", first)
            );
        }
    }
    let tb = uniq(r.throughput.iter().map(|t| t.backend.clone()));
    if r.throughput.iter().any(|t| t.server != "folio") {
        let _ = writeln!(s, "\nfolio-shop against the peers (requests per second at concurrency {}; ratio = folio / peer):\n", r.meta.concurrency);
        let _ = writeln!(
            s,
            "| backend | scenario | folio rps | DRF rps | folio/DRF | Flask rps | folio/Flask |"
        );
        let _ = writeln!(s, "| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        for b in &tb {
            for (key, label) in SCENARIOS {
                let folio_key = match *key {
                    "page1_ordered" => "page1",
                    "page50k_ordered" => "page50k",
                    k => k,
                };
                let f = tput(&r.throughput, b, "folio", folio_key);
                let d = tput(&r.throughput, b, "drf", key);
                // folio's count=exact page 1 is compared with DRF's page 1 (DRF always counts)
                let d = d.or_else(|| {
                    (*key == "page1_exact")
                        .then(|| tput(&r.throughput, b, "drf", "page1"))
                        .flatten()
                });
                let fl = tput(&r.throughput, b, "flask", key);
                if d.is_none() && fl.is_none() {
                    continue;
                }
                let Some(f) = f else { continue };
                let cell = |p: Option<&ThroughputRow>| match p {
                    Some(p) if p.rps > 0.0 => {
                        (format!("{:.0}", p.rps), format!("{:.1}x", f.rps / p.rps))
                    }
                    Some(_) => ("0".to_owned(), "–".to_owned()),
                    None => ("–".to_owned(), "–".to_owned()),
                };
                let (dr, dx) = cell(d);
                let (fr, fx) = cell(fl);
                let _ = writeln!(
                    s,
                    "| {b} | {label} | {:.0} | {dr} | {dx} | {fr} | {fx} |",
                    f.rps
                );
            }
        }
    }
    if !r.counts.is_empty() {
        let _ = writeln!(
            s,
            "\nCount strategies (what the count adds to page 1, p50 ms; `none` is the baseline):\n"
        );
        let strategies = uniq(r.counts.iter().map(|c| c.strategy.clone()));
        let cols = uniq(
            r.counts
                .iter()
                .map(|c| (c.backend.clone(), c.filter.clone())),
        );
        let _ = write!(s, "| strategy |");
        for (b, f) in &cols {
            let _ = write!(s, " {b}, {f} |");
        }
        let _ = write!(s, "\n| --- |");
        for _ in &cols {
            let _ = write!(s, " ---: |");
        }
        let _ = writeln!(s);
        for st in &strategies {
            let _ = write!(s, "| {st} |");
            for (b, f) in &cols {
                let c = r
                    .counts
                    .iter()
                    .find(|c| &c.backend == b && &c.filter == f && &c.strategy == st);
                let _ = write!(s, " {} |", c.map_or("–".to_owned(), |c| ms(c.count_p50_ms)));
            }
            let _ = writeln!(s);
        }
    }
    if !r.memory.is_empty() {
        let _ = writeln!(s, "\nPeak RSS (MiB):\n");
        let _ = writeln!(s, "| backend | server | during | peak RSS |");
        let _ = writeln!(s, "| --- | --- | --- | ---: |");
        for m in &r.memory {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {:.1} |",
                m.backend,
                m.server,
                m.during,
                m.peak_kib as f64 / 1024.0
            );
        }
    }
    s
}

/// The whole report.
pub(crate) fn markdown(r: &Results) -> String {
    let m = &r.meta;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# folio benchmark results{}\n",
        if m.quick {
            " (--quick: small data set, NOT the reference figures)"
        } else {
            ""
        }
    );
    let _ = writeln!(
        s,
        "Generated by folio-bench; do not edit (see docs/benchmarks.md for the discussion).\n"
    );
    let _ = writeln!(s, "- command: `{}`", m.command);
    let _ = writeln!(
        s,
        "- data: {} products, {} users, {} orders (scale {})",
        m.rows[0], m.rows[1], m.rows[2], m.scale
    );
    let _ = writeln!(
        s,
        "- machine: {} ({} logical cores), {} MiB memory, Linux {}",
        m.cpu, m.cores, m.memory_mib, m.kernel
    );
    let _ = writeln!(
        s,
        "- load average at start: {}; at end: {}",
        m.loadavg_start, m.loadavg_end
    );
    let _ = writeln!(s, "- run: {} → {}", m.started, m.finished);
    let _ = writeln!(
        s,
        "- throughput: {} connections, {} s per scenario after a warm-up; peers under gunicorn with {} sync workers",
        m.concurrency, m.duration_secs, m.peer_workers
    );
    let versions: Vec<String> = m.versions.iter().map(|(n, v)| format!("{n} {v}")).collect();
    let _ = writeln!(s, "- versions: {}", versions.join("; "));
    let seeds: Vec<String> = m
        .seed_secs
        .iter()
        .map(|(b, t)| format!("{b} {t:.0} s"))
        .collect();
    let _ = writeln!(s, "- seeding: {}", seeds.join(", "));
    for n in &r.notes {
        let _ = writeln!(s, "- **note:** {n}");
    }
    let _ = writeln!(s, "\n## Headline\n\n{}", headline(r));

    let _ = writeln!(s, "\n## Latency by depth (p50 / p99 ms of sequential requests, 10 rows a page, `count=none`)\n");
    let _ = writeln!(
        s,
        "`http …`: through folio-shop on its defaults (page number and limit/offset seek from the server's bookmarks \
         past offset 1,000, measured once the server holds them); \
         `http cursor`: a cursor encoded for the boundary row; `http cursor-walked`: the cursor reached by walking \
         from the first page. `sql …`: the same statements run in process through folio-sqlx (no HTTP): naive \
         OFFSET, the deferred join from offset 0, bookmarks every 1,000 rows (taken before), and the cursor. Up to {} samples a cell (at least 5; a cell stops after {} s): p99 of fewer than 100 samples is their maximum.\n",
        if m.quick { 30 } else { 200 },
        if m.quick { 0.3 } else { 3.0 }
    );
    let backends = uniq(r.depth.iter().map(|d| d.backend.clone()));
    let depths = uniq(r.depth.iter().map(|d| d.depth));
    for b in &backends {
        for o in uniq(
            r.depth
                .iter()
                .filter(|d| &d.backend == b)
                .map(|d| d.ordering.clone()),
        ) {
            let _ = writeln!(s, "### {b}, `ordering={o}`\n");
            let _ = writeln!(
                s,
                "![latency by depth, {b}, {o}](depth-{b}-{}.svg)\n",
                slug(&o)
            );
            let _ = write!(s, "| mode |");
            for d in &depths {
                let _ = write!(s, " {} |", depth_label(*d));
            }
            let _ = write!(s, "\n| --- |");
            for _ in &depths {
                let _ = write!(s, " ---: |");
            }
            let _ = writeln!(s);
            for mode in MODES {
                let _ = write!(s, "| {mode} |");
                for d in &depths {
                    let cell = find(&r.depth, b, &o, mode, *d).map_or("–".to_owned(), |c| {
                        format!("{} / {}", ms(c.latency.p50), ms(c.latency.p99))
                    });
                    let _ = write!(s, " {cell} |");
                }
                let _ = writeln!(s);
            }
            // consistency: every mode found the same first row at each depth
            let mut bad = Vec::new();
            for d in &depths {
                let ids = uniq(
                    r.depth
                        .iter()
                        .filter(|x| &x.backend == b && x.ordering == o && x.depth == *d)
                        .filter_map(|x| x.first_id),
                );
                if ids.len() > 1 {
                    bad.push(format!("depth {d}: first ids {ids:?}"));
                }
            }
            if bad.is_empty() {
                let _ = writeln!(
                    s,
                    "\nEvery mode returned the same first row at each depth.\n"
                );
            } else {
                let _ = writeln!(
                    s,
                    "\n**The modes disagree on the first row:** {}\n",
                    bad.join("; ")
                );
            }
        }
    }

    let _ = writeln!(
        s,
        "## Count strategies (page 1 with each strategy, in process)\n"
    );
    let _ = writeln!(s, "`count` = what the count adds: the page call's time with the strategy minus that of the same page with no count (p50 / p99 ms; on PostgreSQL the page and the count run concurrently); `page` = the whole page call (10 rows), in process through folio-sqlx.\n");
    let _ = writeln!(s, "| backend | filter | strategy | count p50 / p99 | page p50 / p99 | total | relation | statements |");
    let _ = writeln!(s, "| --- | --- | --- | ---: | ---: | ---: | --- | ---: |");
    for c in &r.counts {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} / {} | {} / {} | {} | {} | {} |",
            c.backend,
            c.filter,
            c.strategy,
            ms(c.count_p50_ms),
            ms(c.count_p99_ms),
            ms(c.page.p50),
            ms(c.page.p99),
            c.total.map_or("–".to_owned(), |t| t.to_string()),
            c.relation.clone().unwrap_or_else(|| "–".to_owned()),
            c.statements
        );
    }
    for b in uniq(r.counts.iter().map(|c| c.backend.clone())) {
        let _ = writeln!(s, "\n![count strategies, {b}](counts-{b}.svg)");
    }

    let _ = writeln!(s, "\n## Throughput (concurrency {})\n", m.concurrency);
    let _ = writeln!(s, "| backend | server | scenario | rps | p50 ms | p99 ms | statements/request | errors | path |");
    let _ = writeln!(
        s,
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"
    );
    for t in &r.throughput {
        let path: String = t.path.chars().take(70).collect();
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.0} | {} | {} | {} | {} | `{}` |",
            t.backend,
            t.server,
            t.scenario,
            t.rps,
            ms(t.latency.p50),
            ms(t.latency.p99),
            t.statements.map_or("–".to_owned(), |v| format!("{v:.2}")),
            t.errors,
            path
        );
    }
    for t in r.throughput.iter().filter(|t| t.first_error.is_some()) {
        let _ = writeln!(
            s,
            "\n- first error of {} {} {}: {}",
            t.backend,
            t.server,
            t.scenario,
            t.first_error.as_deref().unwrap_or("")
        );
    }
    for b in uniq(r.throughput.iter().map(|t| t.backend.clone())) {
        let _ = writeln!(s, "\n![throughput, {b}](throughput-{b}.svg)");
    }

    let _ = writeln!(s, "\n## Memory (peak RSS)\n");
    let _ = writeln!(
        s,
        "| backend | server | during | peak RSS MiB | RSS before MiB | detail |"
    );
    let _ = writeln!(s, "| --- | --- | --- | ---: | ---: | --- |");
    for mm in &r.memory {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.1} | {} | {} |",
            mm.backend,
            mm.server,
            mm.during,
            mm.peak_kib as f64 / 1024.0,
            mm.before_kib
                .map_or("–".to_owned(), |k| format!("{:.1}", k as f64 / 1024.0)),
            mm.detail
        );
    }

    if !r.driver.is_empty() {
        let _ = writeln!(
            s,
            "\n## sqlx's SQLite driver against rusqlite (same file, same statements)\n"
        );
        let _ = writeln!(
            s,
            "| statement | driver | how | p50 µs | p99 µs | queries/s |"
        );
        let _ = writeln!(s, "| --- | --- | --- | ---: | ---: | ---: |");
        for d in &r.driver {
            let lat = |v: f64| {
                if d.latency_us.n == 0 {
                    "–".to_owned()
                } else {
                    format!("{v:.1}")
                }
            };
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {:.0} |",
                d.statement,
                d.driver,
                d.how,
                lat(d.latency_us.p50),
                lat(d.latency_us.p99),
                d.qps
            );
        }
    }
    if !r.stability.is_empty() {
        let _ = writeln!(
            s,
            "\n## The same page, requested again (Flask as written: no ORDER BY)\n"
        );
        let _ = writeln!(s, "| backend | what | requests | distinct results |");
        let _ = writeln!(s, "| --- | --- | ---: | ---: |");
        for st in &r.stability {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                st.backend, st.what, st.requests, st.distinct
            );
        }
    }
    s.push_str(&crate::soak::markdown(&r.soak, &r.count_storm));
    s
}

fn slug(ordering: &str) -> String {
    ordering.replace('-', "desc-")
}

/// Writes `results.md` and the charts into `out`.
pub(crate) fn write(out: &Path, r: &Results) -> Result<(), BoxError> {
    std::fs::write(out.join("results.md"), markdown(r))?;
    let backends = uniq(r.depth.iter().map(|d| d.backend.clone()));
    let depths = uniq(r.depth.iter().map(|d| d.depth));
    let categories: Vec<String> = depths.iter().map(|d| depth_label(*d)).collect();
    for b in &backends {
        for o in uniq(
            r.depth
                .iter()
                .filter(|d| &d.backend == b)
                .map(|d| d.ordering.clone()),
        ) {
            let series: Vec<(String, Vec<Option<f64>>)> = MODES
                .iter()
                .map(|mode| {
                    let ys = depths
                        .iter()
                        .map(|d| find(&r.depth, b, &o, mode, *d).map(|c| c.latency.p50))
                        .collect();
                    ((*mode).to_owned(), ys)
                })
                .collect();
            let chart = svg::lines(
                &format!("{b}: p50 latency by depth, ordering={o}"),
                "rows before the page (depth)",
                "ms (log scale)",
                &categories,
                &series,
            );
            std::fs::write(out.join(format!("depth-{b}-{}.svg", slug(&o))), chart)?;
        }
    }
    for b in uniq(r.throughput.iter().map(|t| t.backend.clone())) {
        let groups: Vec<&(&str, &str)> = SCENARIOS
            .iter()
            .filter(|(k, _)| {
                r.throughput
                    .iter()
                    .any(|t| t.backend == b && t.scenario == *k)
            })
            .collect();
        let series: Vec<(String, Vec<Option<f64>>)> = ["folio", "drf", "flask"]
            .iter()
            .filter(|srv| {
                r.throughput
                    .iter()
                    .any(|t| t.backend == b && t.server == **srv)
            })
            .map(|srv| {
                let ys = groups
                    .iter()
                    .map(|(k, _)| tput(&r.throughput, &b, srv, k).map(|t| t.rps))
                    .collect();
                (
                    match *srv {
                        "folio" => "folio-shop".to_owned(),
                        "drf" => "DRF (gunicorn)".to_owned(),
                        _ => "Flask-SQLAlchemy (gunicorn)".to_owned(),
                    },
                    ys,
                )
            })
            .collect();
        let labels: Vec<String> = groups.iter().map(|(k, _)| (*k).to_owned()).collect();
        let chart = svg::bars(
            &format!(
                "{b}: requests per second at concurrency {}",
                r.meta.concurrency
            ),
            "requests per second (log scale)",
            &labels,
            &series,
        );
        std::fs::write(out.join(format!("throughput-{b}.svg")), chart)?;
    }
    for b in uniq(r.counts.iter().map(|c| c.backend.clone())) {
        let strategies = uniq(
            r.counts
                .iter()
                .filter(|c| c.backend == b)
                .map(|c| c.strategy.clone()),
        );
        let filters = uniq(
            r.counts
                .iter()
                .filter(|c| c.backend == b)
                .map(|c| c.filter.clone()),
        );
        let series: Vec<(String, Vec<Option<f64>>)> = filters
            .iter()
            .map(|f| {
                let ys = strategies
                    .iter()
                    .map(|st| {
                        r.counts
                            .iter()
                            .find(|c| c.backend == b && &c.filter == f && &c.strategy == st)
                            .map(|c| c.count_p50_ms.max(0.001))
                    })
                    .collect();
                (f.clone(), ys)
            })
            .collect();
        let chart = svg::bars(
            &format!("{b}: what each count strategy adds to page 1 (p50)"),
            "milliseconds (log scale; 0.001 = nothing measurable)",
            &strategies,
            &series,
        );
        std::fs::write(out.join(format!("counts-{b}.svg")), chart)?;
    }
    Ok(())
}
