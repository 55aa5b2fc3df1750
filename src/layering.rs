//! The layering check: every `crate::` (and crate-root `super::`) path in `src/` must point to a
//! lower layer than the module it is written in (see the table at the top of `lib.rs`), and the
//! top-level modules must not import each other in a cycle. A failure names the file and line.
//!
//! Written by hand over the source text rather than with `cargo modules`: that tool is not in the
//! lockfile and needs a nightly-style rust-analyzer build; a path scan is all this rule needs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Low → high. A module may import only modules of a strictly lower layer; modules in one layer
/// are peers and may not import each other.
const LAYERS: &[&[&str]] = &[
    &[
        "granularity",
        "fsutil",
        "refs",
        "logging",
        "text",
        "holidays",
    ],
    &["genesys"],
    &["history"],
    &["config", "sandbox"],
    &["forecast"],
    &["store", "export", "campaign"],
    &["service"],
    &["cli", "tui"],
    &["commands"],
];

/// Imports allowed to break the layering, each with the reason and who removes it. Empty: keep
/// it that way; the check fails on an entry that is no longer needed.
const KNOWN_EXCEPTIONS: &[(&str, &str, &str)] = &[];

/// One module path reference: which module it is in, where, and what it names.
#[derive(Debug, Clone)]
struct Edge {
    from: Vec<String>,
    to: Vec<String>,
    file: PathBuf,
    line: usize,
}

impl Edge {
    fn at(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The module path of a source file: `src/a.rs` and `src/a/mod.rs` are `[a]`,
/// `src/a/b.rs` is `[a, b]`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("file under src");
    let mut parts: Vec<String> = rel
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The source with comments and string and char literals blanked (line breaks kept), so only
/// code is scanned and line numbers still match.
fn code_only(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, ch: char| out.push(if ch == '\n' { '\n' } else { ' ' });
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut i = 0;
    while i < c.len() {
        let prev_ident = i > 0 && ident(c[i - 1]);
        if c[i] == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
        } else if c[i] == 'r' && !prev_ident && matches!(c.get(i + 1), Some('"' | '#')) {
            let hashes = c[i + 1..].iter().take_while(|&&h| h == '#').count();
            if c.get(i + 1 + hashes) != Some(&'"') {
                out.push(c[i]);
                i += 1;
                continue;
            }
            i += 2 + hashes;
            out.push_str(&" ".repeat(2 + hashes));
            while i < c.len() {
                let closes = c[i] == '"' && c[i + 1..].iter().take(hashes).all(|&h| h == '#');
                if closes && c[i + 1..].len() >= hashes {
                    out.push_str(&" ".repeat(1 + hashes));
                    i += 1 + hashes;
                    break;
                }
                blank(&mut out, c[i]);
                i += 1;
            }
        } else if c[i] == '"' {
            out.push(' ');
            i += 1;
            while i < c.len() && c[i] != '"' {
                let skip = if c[i] == '\\' { 2 } else { 1 };
                for k in 0..skip {
                    if let Some(&ch) = c.get(i + k) {
                        blank(&mut out, ch);
                    }
                }
                i += skip;
            }
            out.push(' ');
            i += 1;
        } else if c[i] == '\'' && (c.get(i + 1) == Some(&'\\') || c.get(i + 2) == Some(&'\'')) {
            // A char literal (a lifetime has no closing quote two places on).
            let end = (i + 1..c.len())
                .find(|&k| c[k] == '\'' && (k > i + 2 || c[i + 1] != '\\'))
                .unwrap_or(c.len() - 1);
            for &ch in &c[i..=end] {
                blank(&mut out, ch);
            }
            i = end + 1;
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

const CRATE: [char; 7] = ['c', 'r', 'a', 't', 'e', ':', ':'];
const SUPER: [char; 7] = ['s', 'u', 'p', 'e', 'r', ':', ':'];

/// The first path segments after each `crate::` or crate-root `super::` in `code`, with their
/// lines; a `crate::{a, b::c}` group yields `a` and `b`. Two segments are kept (`tui::app`).
fn references(code: &str, file_module: &[String]) -> Vec<(usize, Vec<String>)> {
    let c: Vec<char> = code.chars().collect();
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut out = Vec::new();
    let mut line = 1;
    // Inline `mod name { … }` blocks: the module `super::` is relative to, and the brace
    // depth each was opened at.
    let mut module = file_module.to_vec();
    let mut inline: Vec<usize> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < c.len() {
        match c[i] {
            '\n' => line += 1,
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if inline.last() == Some(&depth) {
                    inline.pop();
                    module.pop();
                }
            }
            _ => {}
        }
        let boundary = i == 0 || !(ident(c[i - 1]) || c[i - 1] == '$');
        if boundary && c[i..].starts_with(&['m', 'o', 'd', ' ']) {
            let name: String = c[i + 4..].iter().take_while(|&&ch| ident(ch)).collect();
            let rest = i + 4 + name.chars().count();
            let open = (rest..c.len()).find(|&k| !c[k].is_whitespace());
            if !name.is_empty() && open.is_some_and(|k| c[k] == '{') {
                module.push(name);
                inline.push(depth);
            }
        }
        let (base, len): (Vec<String>, usize) = if boundary && c[i..].starts_with(&CRATE) {
            (Vec::new(), 7)
        } else if boundary && c[i..].starts_with(&SUPER) {
            let mut k = i;
            let mut up = 0;
            while c[k..].starts_with(&SUPER) {
                up += 1;
                k += 7;
            }
            if up > module.len() {
                i += k - i;
                continue;
            }
            (module[..module.len() - up].to_vec(), k - i)
        } else {
            i += 1;
            continue;
        };
        let mut k = i + len;
        for path in paths_at(&c, &mut k) {
            let mut full = base.clone();
            full.extend(path);
            full.truncate(2);
            if !full.is_empty() {
                out.push((line, full));
            }
        }
        i += len;
    }
    out
}

/// The paths starting at `c[*k]`: one `a::b`, or each entry of a `{a::b, c}` group (two
/// segments at most).
fn paths_at(c: &[char], k: &mut usize) -> Vec<Vec<String>> {
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let skip_ws = |k: &mut usize| {
        while *k < c.len() && c[*k].is_whitespace() {
            *k += 1;
        }
    };
    skip_ws(k);
    if c.get(*k) == Some(&'{') {
        *k += 1;
        let mut all = Vec::new();
        loop {
            skip_ws(k);
            match c.get(*k) {
                None => return all,
                Some('}') => return all,
                Some(',') => *k += 1,
                Some(_) => {
                    let before = *k;
                    all.extend(paths_at(c, k));
                    // Skip the rest of this entry (`as x`, `self`, nested groups).
                    let mut depth = 0;
                    while let Some(&ch) = c.get(*k) {
                        match ch {
                            '{' => depth += 1,
                            '}' if depth == 0 => break,
                            '}' => depth -= 1,
                            ',' if depth == 0 => break,
                            _ => {}
                        }
                        *k += 1;
                    }
                    if *k == before {
                        *k += 1;
                    }
                }
            }
        }
    }
    let mut path = Vec::new();
    while path.len() < 2 {
        let start = *k;
        while *k < c.len() && ident(c[*k]) {
            *k += 1;
        }
        if *k == start {
            break;
        }
        path.push(c[start..*k].iter().collect::<String>());
        if path.len() == 2 {
            break;
        }
        if c[*k..].starts_with(&[':', ':']) {
            *k += 2;
            if c.get(*k) == Some(&'{') {
                // `crate::a::{b, c}`: the group names the second segments.
                let mut groups = paths_at(c, k);
                for g in &mut groups {
                    g.insert(0, path[0].clone());
                }
                return groups;
            }
        } else {
            break;
        }
    }
    vec![path]
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every reference from one top-level module's file into another module of the crate.
fn edges(src: &Path) -> Vec<Edge> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let module = module_path(src, &file);
        // The crate roots declare the modules; this file quotes paths as data.
        if matches!(module.as_slice(), [m] if m == "lib" || m == "main" || m == "layering") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read source");
        for (line, to) in references(&code_only(&text), &module) {
            out.push(Edge {
                from: module.clone(),
                to,
                file: file.strip_prefix(src.parent().unwrap()).unwrap().into(),
                line,
            });
        }
    }
    out
}

fn excepted(from: &str, to: &str) -> bool {
    KNOWN_EXCEPTIONS
        .iter()
        .any(|(f, t, _)| *f == from && *t == to)
}

/// Violations of the layer order between top-level modules, and the exceptions in use.
fn layer_violations(edges: &[Edge], used: &mut BTreeSet<(String, String)>) -> Vec<String> {
    let mut problems = Vec::new();
    for e in edges {
        let (from, to) = (&e.from[0], &e.to[0]);
        if from == to || to == "self" || to == "super" {
            continue;
        }
        let (Some(lf), Some(lt)) = (layer_of(from), layer_of(to)) else {
            let unknown = if layer_of(from).is_none() { from } else { to };
            problems.push(format!(
                "{}: module `{unknown}` has no layer; add it to LAYERS in src/layering.rs and \
                 to the table in src/lib.rs",
                e.at()
            ));
            continue;
        };
        if lt < lf {
            continue;
        }
        if excepted(from, to) {
            used.insert((from.clone(), to.clone()));
            continue;
        }
        let how = if lt == lf {
            "a peer in its layer"
        } else {
            "a higher layer"
        };
        problems.push(format!("{}: `{from}` imports `{to}`, {how}", e.at()));
    }
    problems
}

/// Cycles in the graph `edges` induce between `key`s (strongly connected components of more
/// than one node), each with one reference per step of the cycle.
fn cycles(edges: &[(String, String, String)]) -> Vec<String> {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (from, to, _) in edges {
        graph.entry(from).or_default().insert(to);
        graph.entry(to).or_default();
    }
    let reaches = |a: &str, b: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![a];
        while let Some(n) = stack.pop() {
            for &m in &graph[n] {
                if m == b {
                    return true;
                }
                if seen.insert(m) {
                    stack.push(m);
                }
            }
        }
        false
    };
    let mut out = Vec::new();
    for (from, to, at) in edges {
        if reaches(to, from) {
            out.push(format!(
                "{at}: `{from}` -> `{to}` is part of an import cycle"
            ));
        }
    }
    out
}

fn check(src: &Path) -> Result<(), String> {
    let edges = edges(src);
    assert!(edges.len() > 50, "the scan found too few references");
    let mut used = BTreeSet::new();
    let mut problems = layer_violations(&edges, &mut used);
    let top: Vec<_> = edges
        .iter()
        .filter(|e| e.from[0] != e.to[0] && layer_of(&e.to[0]).is_some())
        .map(|e| (e.from[0].clone(), e.to[0].clone(), e.at()))
        .collect();
    problems.extend(cycles(&top));
    // Inside `tui`: the screens and the state must not import each other in a cycle.
    let tui: Vec<_> = edges
        .iter()
        .filter(|e| e.from[0] == "tui" && e.to[0] == "tui" && e.from.len() == 2)
        .filter(|e| e.to.len() == 2 && e.from[1] != e.to[1])
        .map(|e| (e.from.join("::"), e.to.join("::"), e.at()))
        .collect();
    for p in cycles(&tui) {
        let pair = KNOWN_EXCEPTIONS.iter().find(|(f, t, _)| {
            p.contains(&format!("`{f}` -> `{t}`")) || p.contains(&format!("`{t}` -> `{f}`"))
        });
        match pair {
            Some((f, t, _)) => {
                used.insert((f.to_string(), t.to_string()));
            }
            None => problems.push(p),
        }
    }
    for (f, t, why) in KNOWN_EXCEPTIONS {
        if !used.contains(&(f.to_string(), t.to_string())) {
            problems.push(format!(
                "known exception `{f}` -> `{t}` ({why}) is no longer needed: delete it from \
                 KNOWN_EXCEPTIONS in src/layering.rs"
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

#[cfg(test)]
mod size;

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(code: &str, module: &[&str]) -> Vec<(usize, String)> {
        let module: Vec<String> = module.iter().map(|m| m.to_string()).collect();
        references(&code_only(code), &module)
            .into_iter()
            .map(|(l, p)| (l, p.join("::")))
            .collect()
    }

    #[test]
    fn no_module_imports_a_higher_layer_or_a_peer_and_there_is_no_cycle() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        if let Err(problems) = check(&src) {
            panic!("layering broken (see the table in src/lib.rs):\n{problems}");
        }
    }

    fn copy_tree(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            let dest = to.join(path.file_name().unwrap());
            if path.is_dir() {
                copy_tree(&path, &dest);
            } else {
                std::fs::copy(&path, &dest).unwrap();
            }
        }
    }

    #[test]
    fn an_upward_import_added_to_the_real_tree_is_caught_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &src);
        let file = src.join("history/mod.rs");
        let mut text = std::fs::read_to_string(&file).unwrap();
        let line = text.lines().count() + 1;
        text.push_str("use crate::service::forecast::Summary;\n");
        std::fs::write(&file, text).unwrap();
        let problems = check(&src).unwrap_err();
        let at = format!("src/history/mod.rs:{line}");
        assert!(
            problems.contains(&format!(
                "{at}: `history` imports `service`, a higher layer"
            )),
            "{problems}"
        );
        assert!(
            problems.contains(&format!(
                "{at}: `history` -> `service` is part of an import cycle"
            )),
            "{problems}"
        );
    }

    #[test]
    fn every_top_level_module_has_a_layer() {
        let lib = include_str!("lib.rs");
        for line in lib.lines() {
            if let Some(m) = line.strip_prefix("pub mod ") {
                let m = m.trim_end_matches(';');
                assert!(layer_of(m).is_some(), "`{m}` is missing from LAYERS");
            }
        }
    }

    #[test]
    fn paths_are_found_in_uses_groups_and_expressions_but_not_in_comments_or_strings() {
        let code = r##"use crate::history::{Series, Point};
use crate::{config::Config, forecast::{self, pipeline}};
// use crate::tui::app;
/* crate::cli::Cli */ let s = "crate::sandbox"; let r = r#"crate::commands"#;
let c = '"'; let x = crate::store::Store::new(); fn f<'a>(x: &'a str) {}
macro_rules! m { () => { $crate::logging::init() } }
use super::super::export;
"##;
        assert_eq!(
            refs(code, &["tui", "update"]),
            vec![
                (1, "history::Series".into()),
                (1, "history::Point".into()),
                (2, "config::Config".into()),
                (2, "forecast::self".into()),
                (2, "forecast::pipeline".into()),
                (5, "store::Store".into()),
                (7, "export".into()),
            ]
        );
        // `super::` from a top-level module's file is the crate root; from a submodule, its parent.
        assert_eq!(
            refs("use super::genesys;", &["config"]),
            vec![(1, "genesys".into())]
        );
        assert_eq!(
            refs("use super::app::App;", &["tui", "ui"]),
            vec![(1, "tui::app".into())]
        );
        // Inside an inline module, `super::` is the file's own module.
        let inline = "mod tests {\n    use super::Series;\n}\nuse super::config;";
        assert_eq!(
            refs(inline, &["history"]),
            vec![(2, "history::Series".into()), (4, "config".into())]
        );
    }

    fn edge(from: &str, to: &str, line: usize) -> Edge {
        let split = |s: &str| s.split("::").map(str::to_string).collect();
        Edge {
            from: split(from),
            to: split(to),
            file: PathBuf::from(format!("src/{}.rs", from.replace("::", "/"))),
            line,
        }
    }

    #[test]
    fn upward_and_peer_imports_and_cycles_are_reported_with_file_and_line() {
        let mut used = BTreeSet::new();
        let edges = [
            edge("forecast::select", "history::Series", 3),
            edge("history", "forecast::select", 9),
            edge("store", "export", 4),
            edge("forecast", "nowhere", 2),
        ];
        let problems = layer_violations(&edges, &mut used);
        assert_eq!(
            problems,
            vec![
                "src/history.rs:9: `history` imports `forecast`, a higher layer",
                "src/store.rs:4: `store` imports `export`, a peer in its layer",
                "src/forecast.rs:2: module `nowhere` has no layer; add it to LAYERS in \
                 src/layering.rs and to the table in src/lib.rs",
            ]
        );
        let cyc = cycles(&[
            ("a".into(), "b".into(), "src/a.rs:1".into()),
            ("b".into(), "c".into(), "src/b.rs:2".into()),
            ("c".into(), "a".into(), "src/c.rs:3".into()),
            ("c".into(), "d".into(), "src/c.rs:4".into()),
        ]);
        assert_eq!(
            cyc,
            vec![
                "src/a.rs:1: `a` -> `b` is part of an import cycle",
                "src/b.rs:2: `b` -> `c` is part of an import cycle",
                "src/c.rs:3: `c` -> `a` is part of an import cycle",
            ]
        );
    }
}
