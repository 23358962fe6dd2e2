//! The dependency rule, checked on the sources: the domain does no I/O; API and web never call
//! the store; migrations pair up between backends.

use std::fs;
use std::path::Path;

fn sources(dir: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push((p.display().to_string(), fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out
}

#[test]
fn domain_imports_no_io_crate() {
    for (path, text) in sources("src/domain") {
        for banned in [
            "sqlx",
            "axum",
            "tokio",
            "askama",
            "crate::store",
            "crate::service",
            "std::fs",
            "std::net",
        ] {
            assert!(!text.contains(banned), "{path} uses {banned}");
        }
    }
}

#[test]
fn store_knows_nothing_above_it() {
    for (path, text) in sources("src/store") {
        for banned in [
            "crate::service",
            "crate::api",
            "crate::web",
            "axum",
            "askama",
        ] {
            assert!(!text.contains(banned), "{path} uses {banned}");
        }
    }
}

#[test]
fn api_and_web_never_call_the_store() {
    // Only record types may come from the store, by `use`; never a function call.
    let calls_store = |t: &str| {
        t.lines().filter(|l| l.contains("store::")).any(|l| {
            let l = l.trim();
            let Some(rest) = l.strip_prefix("use crate::store::") else {
                return true;
            };
            let items = rest
                .rsplit("::")
                .next()
                .unwrap_or("")
                .trim_matches(|c| c == '{' || c == '}' || c == ';');
            items
                .split(',')
                .map(str::trim)
                .any(|i| !i.chars().next().is_some_and(char::is_uppercase))
        })
    };
    for dir in ["src/api", "src/web"] {
        for (path, text) in sources(dir) {
            assert!(!text.contains("sqlx"), "{path} uses sqlx");
            assert!(!calls_store(&text), "{path} reaches into the store");
        }
    }
}

#[test]
fn migrations_pair_up() {
    let names = |d: &str| {
        let mut v: Vec<String> = fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(d))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    };
    let (s, p) = (names("migrations/sqlite"), names("migrations/postgres"));
    assert!(!s.is_empty());
    assert_eq!(s, p);
    // Same tables and indexes on both sides (triggers and functions are written per dialect).
    for f in &s {
        let tables = |d: &str| {
            let t =
                fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(d).join(f)).unwrap();
            t.lines()
                .filter(|l| l.starts_with("CREATE TABLE") || l.contains(" INDEX "))
                .map(|l| l.split('(').next().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            tables("migrations/sqlite"),
            tables("migrations/postgres"),
            "{f}"
        );
    }
}

#[test]
fn every_wording_used_exists_in_both_languages() {
    let mut texts = sources("src");
    for e in fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates")).unwrap() {
        let p = e.unwrap().path();
        texts.push((p.display().to_string(), fs::read_to_string(&p).unwrap()));
    }
    let mut missing = Vec::new();
    for (path, text) in texts {
        for part in text.split("t(\"").skip(1) {
            let Some(key) = part.split('"').next() else {
                continue;
            };
            let literal = key.contains('.')
                && key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_');
            if literal && pacte::i18n::Lang::Fr.t(key) == key {
                missing.push(format!("{path}: {key}"));
            }
        }
        // A plural names its forms' stem: `plural("x", n)` reads `x.one` and `x.other`.
        for part in text.split("plural(\"").skip(1) {
            let Some(key) = part.split('"').next() else {
                continue;
            };
            for form in ["one", "other"] {
                let key = format!("{key}.{form}");
                if pacte::i18n::Lang::Fr.t(&key) == key || pacte::i18n::Lang::En.t(&key) == key {
                    missing.push(format!("{path}: {key}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "wording missing: {missing:?}");
}

/// Which top-level service modules each one names (`super::x`, `crate::service::x`), by path:
/// `src/service/a.rs` and `src/service/a/**` are module `a`.
fn service_imports() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/service");
    let modules: std::collections::BTreeSet<String> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|m| m != "mod")
        .collect();
    let mut graph = std::collections::BTreeMap::new();
    for (path, text) in sources("src/service") {
        let rel = Path::new(&path).strip_prefix(&root).unwrap().to_path_buf();
        let parts: Vec<String> = rel
            .with_extension("")
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let Some(module) = parts.first().filter(|m| *m != "mod").cloned() else {
            continue;
        };
        // How many `super::` reach the service root from this file.
        let depth = parts.len() - usize::from(parts.last().is_some_and(|p| p == "mod"));
        let to_root = "super::".repeat(depth);
        let mut named = std::collections::BTreeSet::new();
        for prefix in ["crate::service::".to_string(), to_root] {
            for (i, _) in text.match_indices(&prefix) {
                let rest = &text[i + prefix.len()..];
                // `super::super::x` seen from a shallower prefix is not a sibling module.
                if rest.starts_with("super::") {
                    continue;
                }
                let items: Vec<&str> = match rest.strip_prefix('{') {
                    Some(group) => group.split('}').next().unwrap_or("").split(',').collect(),
                    None => vec![rest],
                };
                for item in items {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if name != module && modules.contains(&name) {
                        named.insert(name);
                    }
                }
            }
        }
        graph
            .entry(module)
            .or_insert_with(std::collections::BTreeSet::new)
            .extend(named);
    }
    graph
}

#[test]
fn service_modules_import_no_circle() {
    let graph = service_imports();
    // The unit of work runs every write's follow-ups, so it may not lean on the writers.
    assert!(graph.contains_key("work"), "{graph:?}");
    for writer in ["ingest", "case", "counter", "email", "review", "survey"] {
        assert!(!graph["work"].contains(writer), "work imports {writer}");
    }
    // Depth-first search for a cycle, reporting it whole.
    fn visit(
        g: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        n: &str,
        path: &mut Vec<String>,
        done: &mut std::collections::BTreeSet<String>,
    ) {
        if let Some(i) = path.iter().position(|p| p == n) {
            panic!(
                "service modules import each other: {}",
                path[i..].join(" → ") + " → " + n
            );
        }
        if done.contains(n) {
            return;
        }
        path.push(n.to_string());
        for next in g.get(n).into_iter().flatten() {
            visit(g, next, path, done);
        }
        path.pop();
        done.insert(n.to_string());
    }
    let mut done = std::collections::BTreeSet::new();
    for n in graph.keys() {
        visit(&graph, n, &mut Vec::new(), &mut done);
    }
}

/// What may sit at the repository's root (a stray file from a command gone wrong once landed
/// there); a new entry is added here on purpose.
#[test]
fn the_repository_root_holds_only_what_it_should() {
    let Ok(out) = std::process::Command::new("git")
        .args(["ls-files"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
    else {
        eprintln!("git not found: root check skipped");
        return;
    };
    let allowed = [
        ".ci",
        ".gitignore",
        "Cargo.lock",
        "Cargo.toml",
        "README.md",
        "bench",
        "docs",
        "fuzz",
        "migrations",
        "scripts",
        "src",
        "static",
        "templates",
        "tests",
    ];
    let listing = String::from_utf8(out.stdout).unwrap();
    let roots: std::collections::BTreeSet<&str> = listing
        .lines()
        .map(|l| l.split('/').next().unwrap_or(l))
        .collect();
    let stray: Vec<&&str> = roots.iter().filter(|r| !allowed.contains(r)).collect();
    assert!(
        stray.is_empty(),
        "unexpected entries at the root: {stray:?}"
    );
}
