//! Editing through `CheckDatabase::set_text` (which re-parses one item alone when it can) must
//! give exactly what checking the new text from scratch gives: the same diagnostics at the same
//! positions and the same types. Thousands of seeded random edits over the examples.

use std::path::Path;

use mix_check::{check_file, file_types, CheckDatabase, Update};

/// A deterministic generator (Knuth's MMIX linear congruence, high bits), so a failure names
/// a reproducible seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n.max(1) as u64) as usize
    }
}

const SNIPPETS: &[&str] = &[
    "1",
    "7",
    " + 1",
    " ",
    "\n",
    "\n\n",
    "// note\n",
    "x",
    "(",
    ")",
    "\"",
    "\"s\"",
    "def z = 2\n",
    " * 2",
    "[1, 2]",
    "/* c */",
    "{a: 1}",
    "type",
    "module",
    ";;",
    "r.",
    ".name",
    "_meta_ {}",
];

/// `text` with one random edit at a character boundary.
fn mutate(text: &str, rng: &mut Rng) -> String {
    let boundary = |mut at: usize| {
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let at = boundary(rng.below(text.len() + 1));
    let end = boundary((at + rng.below(6)).min(text.len()));
    let snippet = SNIPPETS[rng.below(SNIPPETS.len())];
    match rng.below(4) {
        0 => format!("{}{}", &text[..at], &text[end..]),
        1 => format!("{}{}{}", &text[..at], snippet, &text[at..]),
        2 => format!("{}{}{}", &text[..at], snippet, &text[end..]),
        // A digit changed: the edit a body most often sees.
        _ => match text[at..].find(|c: char| c.is_ascii_digit()) {
            Some(d) => {
                let d = at + d;
                format!("{}{}{}", &text[..d], rng.below(10), &text[d + 1..])
            }
            None => text.to_string(),
        },
    }
}

fn fresh(path: &str, text: &str) -> (Vec<mix_diagnostics::Diagnostic>, Vec<(String, String)>) {
    let mut db = CheckDatabase::default();
    let (workspace, files) = db.load(&[(path.to_string(), text.to_string())]);
    (
        check_file(&db, workspace, files[0]),
        file_types(&db, workspace, files[0]),
    )
}

#[test]
fn incremental_edits_check_exactly_like_a_fresh_database() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut paths: Vec<_> = std::fs::read_dir(&root)
        .expect("examples/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "mix"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 10, "the examples are there");
    let mut updates = [0usize; 4];
    for (n, path) in paths.iter().enumerate() {
        let original = std::fs::read_to_string(path).expect("example is readable");
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let mut db = CheckDatabase::default();
        let (workspace, files) = db.load(&[(name.clone(), original.clone())]);
        let file = files[0];
        let _ = check_file(&db, workspace, file);
        let seed = 0x9E37_79B9_7F4A_7C15 ^ n as u64;
        let mut rng = Rng(seed);
        let mut text = original.clone();
        for step in 0..60 {
            // Mostly small edits of a valid program; sometimes back to the original, so edits
            // keep starting from text without syntax errors.
            text = if rng.below(4) == 0 {
                original.clone()
            } else {
                mutate(&text, &mut rng)
            };
            let update = db.set_text(file, text.clone());
            updates[match update {
                Update::Unchanged => 0,
                Update::Trivia => 1,
                Update::Item => 2,
                Update::Whole => 3,
            }] += 1;
            let got = (
                check_file(&db, workspace, file),
                file_types(&db, workspace, file),
            );
            assert_eq!(
                got,
                fresh(&name, &text),
                "{name}, seed {seed:#x}, step {step} ({update:?}): incremental and fresh differ \
                 for this text:\n{text}"
            );
        }
    }
    // The fast paths were exercised, not just the whole-file parse.
    let [_, trivia, item, whole] = updates;
    assert!(item > 60, "item re-parses: {updates:?}");
    assert!(trivia > 40, "trivia-only edits: {updates:?}");
    assert!(whole > 100, "whole-file parses: {updates:?}");
}
