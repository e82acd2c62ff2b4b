//! The docs name tests (`file::function`, `module::tests::function`, `tests/file.rs`) as the
//! proof of a rule; a renamed or deleted test must fail here, not leave a dangling name.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file below `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The texts that name tests: the Markdown docs and every `src` file (its doc comments).
fn documents() -> Vec<(PathBuf, String)> {
    let mut paths: Vec<PathBuf> = ["ARCHITECTURE.md", "README.md", "benches/README.md"]
        .iter()
        .map(|p| root().join(p))
        .collect();
    rust_files(&root().join("src"), &mut paths);
    paths
        .into_iter()
        .map(|p| {
            let text = fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

/// The contents of each backtick span in `text`.
fn code_spans(text: &str) -> impl Iterator<Item = &str> {
    text.split('`').skip(1).step_by(2)
}

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn defines_fn(file: &Path, name: &str) -> bool {
    let text = fs::read_to_string(file).unwrap_or_default();
    text.contains(&format!("fn {name}("))
        || text.contains(&format!("fn {name}<"))
        // Tests made by a macro: `fn $name` with the name passed in.
        || text.contains(&format!("{name},"))
        || text.contains(&format!("{name} =>"))
}

/// `tests/<file>.rs`, or `tests/<area>/<file>.rs` for a file grouped into an area's binary.
fn test_file(tests_dir: &Path, file: &str) -> Option<PathBuf> {
    let direct = tests_dir.join(format!("{file}.rs"));
    if direct.exists() {
        return Some(direct);
    }
    fs::read_dir(tests_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|dir| !dir.ends_with("support"))
        .map(|dir| dir.join(format!("{file}.rs")))
        .find(|p| p.exists())
}

#[test]
fn every_test_the_docs_name_exists() {
    let tests_dir = root().join("tests");
    let mut src_files = Vec::new();
    rust_files(&root().join("src"), &mut src_files);
    let mut checked = 0;
    let mut missing = Vec::new();
    for (doc, text) in documents() {
        for span in code_spans(&text) {
            let file_name = span
                .strip_prefix("tests/")
                .filter(|f| f.ends_with(".rs") && !f.contains(['*', '<']));
            if let Some(file) = file_name {
                checked += 1;
                let stem = file.trim_end_matches(".rs");
                if !tests_dir.join(file).exists() && test_file(&tests_dir, stem).is_none() {
                    missing.push(format!("{}: {span}", doc.display()));
                }
                continue;
            }
            let parts: Vec<&str> = span.split("::").collect();
            match parts[..] {
                [file, name] if is_ident(file) && is_ident(name) => {
                    if let Some(path) = test_file(&tests_dir, file) {
                        checked += 1;
                        if !defines_fn(&path, name) {
                            missing.push(format!("{}: {span}", doc.display()));
                        }
                    }
                }
                [module, "tests", name] if is_ident(module) && is_ident(name) => {
                    checked += 1;
                    let found = src_files
                        .iter()
                        .any(|f| f.file_stem().is_some_and(|s| s == module) && defines_fn(f, name));
                    if !found {
                        missing.push(format!("{}: {span}", doc.display()));
                    }
                }
                _ => {}
            }
        }
    }
    assert!(
        checked >= 30,
        "only {checked} test names found: is the scan broken?"
    );
    assert!(
        missing.is_empty(),
        "the docs name tests that do not exist:\n{}",
        missing.join("\n")
    );
}
