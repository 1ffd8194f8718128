//! What is wrong inside a type alias's body is reported once, at the declaration, and not
//! again at each use of the alias (whose own positions are elsewhere).

use mix_check::{check_file, CheckDatabase};

/// The code, the start offset and the source text of each error.
fn errors_at(source: &str) -> Vec<(&'static str, usize, String)> {
    let mut db = CheckDatabase::default();
    let (workspace, files) = db.load(&[("alias.mix".to_string(), source.to_string())]);
    check_file(&db, workspace, files[0])
        .into_iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let (start, end) = (d.span.start as usize, d.span.end as usize);
            (d.code, start, source[start..end].to_string())
        })
        .collect()
}

#[test]
fn a_non_productive_alias_is_reported_once_at_its_declaration() {
    let source = "type loop = {next: loop}\n\ndef follow(x: loop) = x.next\n\ndef g(y: loop) = y\n";
    // the `loop` inside the alias's own body, not the uses in `x: loop` and `y: loop`
    let at = source.find("next: loop").unwrap() + 6;
    assert_eq!(errors_at(source), [("E0206", at, "loop".to_string())]);
}

#[test]
fn mutually_recursive_aliases_are_each_reported_at_their_reference() {
    let source = "type a = {x: b}\ntype b = [a]\n\ndef f(v: a) = v\n";
    let in_a = source.find("x: b").unwrap() + 3;
    let in_b = source.find("[a]").unwrap() + 1;
    assert_eq!(
        errors_at(source),
        [
            ("E0206", in_a, "b".to_string()),
            ("E0206", in_b, "a".to_string())
        ]
    );
}

/// Asserts that the only error of `source` is E0204 at the first `name` in it.
fn unknown_type_reported_at(source: &str, name: &str) {
    let at = source.find(name).unwrap();
    assert_eq!(errors_at(source), [("E0204", at, name.to_string())]);
}

#[test]
fn an_unknown_type_in_an_alias_is_reported_at_the_declaration_even_unused() {
    unknown_type_reported_at("type t = { a: strng }\n\ndef main() = 1\n", "strng");
}

#[test]
fn an_unknown_type_in_a_case_argument_is_reported_at_the_declaration() {
    unknown_type_reported_at("case box(nubmer)\n\ndef main() = box(1)\n", "nubmer");
}

#[test]
fn a_signature_error_points_into_the_signature() {
    unknown_type_reported_at("def x: strng = \"a\"\n", "strng");
}

#[test]
fn a_union_member_with_several_arguments_is_e0218() {
    let source = "type shape = dot | rect(number, number)\n\ndef main() = dot\n";
    let at = source.find("rect(").unwrap();
    assert_eq!(
        errors_at(source),
        [("E0218", at, "rect(number, number)".to_string())]
    );
}

#[test]
fn an_alias_through_a_case_is_productive() {
    let source = "case link {next: chain}\ncase stop\ntype chain = link | stop\n\n\
                  def follow(x: chain) = x\n";
    assert_eq!(errors_at(source), []);
}

#[test]
fn a_type_of_several_parameters_in_a_union_is_no_case() {
    let source =
        "type pair(A, B) = [A, B]\ntype t = pair(number, string) | null\n\ndef main() = 1\n";
    assert_eq!(errors_at(source), []);
}
