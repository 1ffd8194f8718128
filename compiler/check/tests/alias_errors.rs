//! An error found while expanding a type alias is reported where the user wrote the type: the
//! alias body's own positions belong to another item.

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
fn a_non_productive_alias_is_reported_at_its_use() {
    let source = "type loop = {next: loop}\n\ndef follow(x: loop) = x.next\n";
    // the `loop` in `x: loop`, not a position inside the alias's own line
    let at = source.find("x: loop").unwrap() + 3;
    assert_eq!(errors_at(source), [("E0206", at, "loop".to_string())]);
}

#[test]
fn an_alias_through_a_case_is_productive() {
    let source = "case link {next: chain}\ncase stop\ntype chain = link | stop\n\n\
                  def follow(x: chain) = x\n";
    assert_eq!(errors_at(source), []);
}
