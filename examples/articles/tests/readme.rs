//! The READMEs show code that compiles and runs elsewhere, and this test fails when
//! a README's copy differs from its source (GitHub and crates.io cannot include
//! files, so a README holds a copy).
//!
//! - The repository README's "Use folio in your API" shows this app's code. A code
//!   block following `<!-- include: examples/articles/src/lib.rs#row,endpoint -->`
//!   must equal the regions of that file between `// ANCHOR: <name>` and
//!   `// ANCHOR_END: <name>`, in the order named, separated by a blank line. The
//!   README must include the `endpoint` and `handler` regions, and say how many
//!   lines the handler is.
//! - A library crate's README opens with an example of its documentation: a code
//!   block following `<!-- include-doc: crates/folio-sqlx/src/lib.rs -->` must equal
//!   the first example of that file's crate documentation (`#Item` after the path:
//!   of the item's documentation), its hidden `# ` lines shown. The example runs as
//!   a doctest of its crate, so the README's copy runs as it reads.
//!
//! After changing the code, run this test with `FOLIO_BLESS_README=1` to rewrite the
//! copies (then read the diff).

use std::ops::Range;
use std::path::{Path, PathBuf};

/// The READMEs checked, from the repository's root.
const READMES: [&str; 4] = [
    "README.md",
    "crates/folio/README.md",
    "crates/folio-sqlx/README.md",
    "crates/folio-axum/README.md",
];

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> String {
    let full = root().join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The lines of `source` between `// ANCHOR: name` and `// ANCHOR_END: name`,
/// without their common indentation.
fn region(source: &str, file: &str, name: &str) -> String {
    let start = format!("// ANCHOR: {name}");
    let end = format!("// ANCHOR_END: {name}");
    let lines: Vec<&str> = source.lines().collect();
    let find = |marker: &str| {
        let found: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].trim() == marker)
            .collect();
        assert_eq!(found.len(), 1, "{file}: `{marker}` must appear once");
        found[0]
    };
    let (from, to) = (find(&start), find(&end));
    assert!(from < to, "{file}: `{end}` before `{start}`");
    let body = &lines[from + 1..to];
    let indent = body
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    body.iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text of a doc comment line (`//! text`, `/// text`), if `line` is one.
fn doc_text<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = line.trim_start().strip_prefix(prefix)?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

/// The documentation of `item` in `source` (its `///` lines), or the crate's (the
/// `//!` lines) when `item` is `None`.
fn documentation(source: &str, file: &str, item: Option<&str>) -> Vec<String> {
    let lines: Vec<&str> = source.lines().collect();
    let Some(item) = item else {
        return lines
            .iter()
            .map_while(|l| doc_text(l, "//!"))
            .map(str::to_owned)
            .collect();
    };
    let declares = |line: &str| {
        ["struct", "enum", "fn", "trait", "type"]
            .iter()
            .any(|kind| {
                line.trim_start()
                    .strip_prefix(&format!("pub {kind} {item}"))
                    .is_some_and(|rest| {
                        !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_')
                    })
            })
    };
    let at = lines
        .iter()
        .position(|l| declares(l))
        .unwrap_or_else(|| panic!("{file}: no `pub … {item}`"));
    let mut doc: Vec<String> = lines[..at]
        .iter()
        .rev()
        .take_while(|l| l.trim_start().starts_with("///") || l.trim_start().starts_with("#["))
        .filter_map(|l| doc_text(l, "///"))
        .map(str::to_owned)
        .collect();
    doc.reverse();
    doc
}

/// The first Rust example of `doc`, its hidden lines (`# …`) shown.
fn first_example(doc: &[String], what: &str) -> String {
    let open = doc
        .iter()
        .position(|l| l.trim_start().starts_with("```"))
        .unwrap_or_else(|| panic!("{what}: no example"));
    let fence = doc[open].trim().trim_start_matches('`');
    assert!(
        fence.is_empty() || fence == "rust" || fence == "no_run",
        "{what}: the first example is ```{fence}, not code that runs"
    );
    let close = (open + 1..doc.len())
        .find(|&i| doc[i].trim() == "```")
        .unwrap_or_else(|| panic!("{what}: unclosed example"));
    doc[open + 1..close]
        .iter()
        .map(|line| {
            let code = line.trim_start();
            let indent = &line[..line.len() - code.len()];
            if code == "#" {
                String::new()
            } else if let Some(shown) = code.strip_prefix("# ") {
                format!("{indent}{shown}")
            } else if let Some(escaped) = code.strip_prefix("##") {
                format!("{indent}#{escaped}")
            } else {
                line.clone()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One included block of a README: where its code is, what it must be.
struct Include {
    /// The lines of the code block (between the fences), in the README.
    lines: Range<usize>,
    /// The code the marker names, from the source.
    expected: String,
    /// The marker, for messages.
    marker: String,
    /// The file the marker names, from the repository's root.
    file: String,
    /// The anchors (or the item) it names.
    names: Vec<String>,
}

/// The included blocks of the README at `path`.
fn includes(path: &str, readme: &[&str]) -> Vec<Include> {
    let mut found = Vec::new();
    for (i, line) in readme.iter().enumerate() {
        let line = line.trim();
        let (spec, doc) = if let Some(spec) = line.strip_prefix("<!-- include: ") {
            (spec, false)
        } else if let Some(spec) = line.strip_prefix("<!-- include-doc: ") {
            (spec, true)
        } else {
            continue;
        };
        let at = format!("{path}:{}", i + 1);
        let spec = spec
            .strip_suffix("-->")
            .unwrap_or_else(|| panic!("{at}: unclosed marker"))
            .trim();
        let (file, names) = spec.split_once('#').unwrap_or((spec, ""));
        let names: Vec<String> = names
            .split(',')
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .collect();
        let source = read(file);
        let expected = if doc {
            assert!(names.len() <= 1, "{at}: one item at most");
            let item = names.first().map(String::as_str);
            let what = format!("{file}#{}", item.unwrap_or(""));
            first_example(&documentation(&source, file, item), &what)
        } else {
            assert!(!names.is_empty(), "{at}: `path#anchor,…` expected");
            names
                .iter()
                .map(|name| region(&source, file, name))
                .collect::<Vec<_>>()
                .join("\n\n")
        };
        assert_eq!(
            readme.get(i + 1).map(|l| l.trim()),
            Some("```rust"),
            "{at}: a ```rust block must follow the marker"
        );
        let close = (i + 2..readme.len())
            .find(|&j| readme[j].trim() == "```")
            .unwrap_or_else(|| panic!("{at}: unclosed code block"));
        found.push(Include {
            lines: i + 2..close,
            expected,
            marker: line.to_owned(),
            file: file.to_owned(),
            names,
        });
    }
    found
}

/// Checks (or, with `FOLIO_BLESS_README`, rewrites) the README at `path`; returns
/// its included blocks.
fn check(path: &str) -> Vec<Include> {
    let text = read(path);
    let readme: Vec<&str> = text.lines().collect();
    let includes = includes(path, &readme);
    let stale: Vec<&Include> = includes
        .iter()
        .filter(|inc| readme[inc.lines.clone()].join("\n") != inc.expected)
        .collect();
    if stale.is_empty() {
        return includes;
    }
    if std::env::var_os("FOLIO_BLESS_README").is_some() {
        let mut out: Vec<String> = Vec::new();
        let mut at = 0;
        for inc in &includes {
            out.extend(readme[at..inc.lines.start].iter().map(|l| (*l).to_owned()));
            out.push(inc.expected.clone());
            at = inc.lines.end;
        }
        out.extend(readme[at..].iter().map(|l| (*l).to_owned()));
        std::fs::write(root().join(path), out.join("\n") + "\n").unwrap();
        eprintln!("{path}: {} block(s) rewritten", stale.len());
        return includes;
    }
    let report: Vec<String> = stale
        .iter()
        .map(|inc| {
            format!(
                "{} ({path} lines {}..{}) should read:\n{}\n",
                inc.marker,
                inc.lines.start + 1,
                inc.lines.end,
                inc.expected
            )
        })
        .collect();
    panic!(
        "{path}: a copy of the code is stale (rerun with FOLIO_BLESS_README=1 to rewrite \
         it):\n\n{}",
        report.join("\n")
    );
}

#[test]
fn the_readme_shows_the_apps_code_as_it_is() {
    let includes = check("README.md");
    for anchor in ["endpoint", "handler"] {
        assert!(
            includes
                .iter()
                .any(|i| i.file == "examples/articles/src/lib.rs"
                    && i.names.iter().any(|n| n == anchor)),
            "README.md must include the app's `{anchor}` region"
        );
    }
}

#[test]
fn each_library_readme_opens_with_an_example_of_its_docs() {
    for path in &READMES[1..] {
        let includes = check(path);
        let text = read(path);
        let first_code = text
            .lines()
            .position(|l| l.trim_start().starts_with("```"))
            .unwrap_or_else(|| panic!("{path}: no code"));
        assert!(
            includes
                .first()
                .is_some_and(|i| i.marker.starts_with("<!-- include-doc: ")
                    && i.lines.start == first_code + 1),
            "{path}: its first code block must be an example of its docs"
        );
    }
}

/// The handler's lines, from its signature to its closing brace.
fn handler_lines() -> usize {
    let file = "examples/articles/src/lib.rs";
    let handler = region(&read(file), file, "handler");
    let lines: Vec<&str> = handler.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains("async fn "))
        .expect("the handler region holds an `async fn`");
    let end = lines
        .iter()
        .rposition(|l| *l == "}")
        .expect("the handler ends with `}`");
    end - start + 1
}

#[test]
fn the_handler_is_at_most_five_lines_and_the_readme_says_how_many() {
    let n = handler_lines();
    assert!(n <= 5, "the handler is {n} lines: at most 5");
    let readme = read("README.md");
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("Use folio in your API"))
        .expect("README.md has a section `## Use folio in your API`");
    assert!(
        section.contains(&format!("handler is {n} lines")),
        "the README's section must say \"handler is {n} lines\""
    );
    assert!(
        section.contains("ListRequest::fetch"),
        "the README's section names the call the handler makes"
    );
}
