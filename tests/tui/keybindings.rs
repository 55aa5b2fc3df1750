//! Every file in tests/keybindings/ is broken in one way and must fail with file, line and why.

use std::path::Path;

use queuecast::tui::keymap::Keymap;

fn err(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/keybindings")
        .join(name);
    match Keymap::load(&path) {
        Ok(_) => panic!("{name} was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn each_bad_file_names_file_line_and_problem() {
    let cases = [
        ("unknown_action.toml", 3, "unknown action \"frobnicate\""),
        ("bad_key.toml", 2, "unknown key \"ctrl-\""),
        ("conflict.toml", 2, "bound twice"),
        ("conflict_with_global.toml", 3, "bound twice"),
        ("unknown_section.toml", 1, "unknown section [dashbord]"),
        ("not_a_key.toml", 2, "expected a key or a list of keys"),
        ("syntax.toml", 1, ""),
    ];
    for (file, line, what) in cases {
        let e = err(file);
        assert!(e.contains(&format!("{file}:{line}:")), "{file}: {e}");
        assert!(e.contains(what), "{file}: {e}");
    }
    // Every file in the folder is covered above.
    let n = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keybindings"))
        .unwrap()
        .count();
    assert_eq!(n, cases.len());
}

#[test]
fn a_missing_user_file_means_defaults() {
    let k = Keymap::load(Path::new("/nonexistent/keybindings.toml")).unwrap();
    assert!(
        !k.entries(queuecast::tui::keymap::Context::Dashboard)
            .is_empty()
    );
}
