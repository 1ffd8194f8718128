//! A type variable written in a definition's header (`def f(x: A, y: B): A`) stands for any
//! type a caller chooses, as in a declared signature: E0212 points at the variable the
//! definition breaks that promise for.

mod common;

/// The E0212s of `source`, each as (the text it points at, its note).
fn less_general(source: &str) -> Vec<(String, String)> {
    common::errors(source)
        .into_iter()
        .filter(|e| e.code == "E0212")
        .map(|e| {
            let at = source[e.span.start as usize..e.span.end as usize].to_string();
            (at, e.notes.join("\n"))
        })
        .collect()
}

#[test]
fn two_written_variables_made_one_are_reported_at_the_second() {
    let source = "def first(x: A, y: B): A = y\n";
    let found = less_general(source);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "B");
    assert_eq!(
        found[0].1,
        "`A` and `B` are written as two type variables, but the definition makes them the same type"
    );
}

#[test]
fn a_written_variable_pinned_to_a_type_names_that_type() {
    let found = less_general("def double(x: A): A = x * 2\n");
    assert_eq!(
        found,
        [(
            "A".to_string(),
            "`A` stands for any type, but the definition needs `number`".to_string()
        )]
    );
}

#[test]
fn general_headers_and_underscores_are_accepted() {
    for source in [
        "def pair(x: A, y: B): [A, B] = [x, y]\n",
        "def apply(x: A, f: A -> B): B = f(x)\n",
        "def same(x: T, y: T): T = y\n",
        "def double(x: _) = x * 2\n",
        "def label(n: A@word) = n + 1\n",
    ] {
        assert_eq!(common::errors(source), [], "{source}");
    }
}

#[test]
fn a_definition_with_a_type_error_is_not_also_called_less_general() {
    let errors = common::errors("def f(x: A): A = x * \"two\"\n");
    let codes: Vec<&str> = errors.iter().map(|e| e.code).collect();
    assert!(codes.contains(&"E0201"), "{codes:?}");
    assert!(!codes.contains(&"E0212"), "{codes:?}");
}
