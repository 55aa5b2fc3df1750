//! Size limits that keep files and functions readable (issue 11): no file in `src/` over
//! [`MAX_FILE_LINES`] lines and no function over [`MAX_FN_LINES`], except the optimizer's numeric
//! kernels, which read best as one piece beside the paper they follow.

use std::path::{Path, PathBuf};

use super::{code_only, rust_files};

const MAX_FILE_LINES: usize = 800;
const MAX_FN_LINES: usize = 100;
/// Files allowed over either limit: the optimizer and its kernels.
const EXEMPT: &[&str] = &["forecast/optimizer.rs", "forecast/optimizer/"];

fn exempt(rel: &str) -> bool {
    EXEMPT.iter().any(|e| rel.starts_with(e))
}

/// `(name, first line, lines)` of every `fn` with a body in `code` (comments and literals
/// already blanked, so braces balance).
fn functions(code: &str) -> Vec<(String, usize, usize)> {
    let c: Vec<char> = code.chars().collect();
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let line_at = |i: usize| c[..i].iter().filter(|&&ch| ch == '\n').count() + 1;
    let mut out = Vec::new();
    for i in 0..c.len().saturating_sub(3) {
        let word = c[i..i + 2] == ['f', 'n'] && c[i + 2].is_whitespace();
        if !word || (i > 0 && ident(c[i - 1])) {
            continue;
        }
        let name: String = c[i + 2..]
            .iter()
            .skip_while(|ch| ch.is_whitespace())
            .take_while(|&&ch| ident(ch))
            .collect();
        let Some(open) = (i..c.len()).find(|&k| c[k] == '{' || c[k] == ';') else {
            continue;
        };
        if c[open] == ';' {
            continue;
        }
        let mut depth = 0usize;
        for (k, &ch) in c.iter().enumerate().skip(open) {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                let first = line_at(i);
                out.push((name, first, line_at(k) - first + 1));
                break;
            }
        }
    }
    out
}

fn problems(src: &Path) -> Vec<String> {
    let mut files: Vec<PathBuf> = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if exempt(&rel) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let lines = text.lines().count();
        if lines > MAX_FILE_LINES {
            out.push(format!("src/{rel}: {lines} lines (limit {MAX_FILE_LINES})"));
        }
        for (name, line, n) in functions(&code_only(&text)) {
            if n > MAX_FN_LINES {
                out.push(format!(
                    "src/{rel}:{line}: fn {name} is {n} lines (limit {MAX_FN_LINES})"
                ));
            }
        }
    }
    out
}

#[test]
fn no_file_or_function_in_src_is_over_its_limit() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = problems(&src);
    assert!(
        found.is_empty(),
        "split these (a module's unit tests can go in a sibling tests.rs):\n{}",
        found.join("\n")
    );
}

#[test]
fn functions_are_measured_from_fn_to_the_closing_brace() {
    let code = "fn a() {\n    let x = { 1 };\n}\ntrait T { fn b(&self); }\nfn c() {}\n";
    let found = functions(&code_only(code));
    assert_eq!(
        found,
        vec![("a".into(), 1, 3), ("c".into(), 5, 1)],
        "a body counts its own braces; a declaration without a body is not a function"
    );
    let long = format!(
        "fn big() {{\n{}}}\n",
        "    let _ = 1;\n".repeat(MAX_FN_LINES)
    );
    assert_eq!(functions(&long)[0].2, MAX_FN_LINES + 2);
}
