//! `db.filter` predicates and projection-only `db.map` functions are rewritten into query AST
//! for the engine: the compiled module calls `db.process` (with the AST built from the
//! function) instead of the Mix-evaluating natives; `db.filterWithFallback` and computing
//! `db.map` functions keep the Mix path; predicates outside the engine's forms are E0304.

use mix_check::CheckDatabase;
use mix_codegen::{compile, Roots};
use mix_runtime::qcode::{Constant, Instr};

/// The natives the compiled program calls (`CallNative` instructions), or the compile error
/// codes.
fn natives(source: &str) -> Result<Vec<String>, Vec<String>> {
    let mut db = CheckDatabase::default();
    let (workspace, files) = db.load(&[("t.mix".to_string(), source.to_string())]);
    match compile(&db, workspace, Roots::Files(&files)) {
        Ok(module) => Ok(module
            .functions
            .iter()
            .flat_map(|f| f.code.iter())
            .filter_map(|i| match i {
                Instr::CallNative { native, .. } => Some(module.natives[*native as usize].clone()),
                _ => None,
            })
            .collect()),
        Err(errors) => Err(errors
            .iter()
            .map(|e| e.diagnostic.code.to_string())
            .collect()),
    }
}

/// The natives `source` calls; it must compile.
fn compiled_natives(source: &str) -> Vec<String> {
    natives(source).unwrap_or_else(|e| panic!("{source}: {e:?}"))
}

/// `source` runs its stage in the engine (`db.process`) and never calls `mix_native`.
fn assert_runs_in_engine(source: &str, mix_native: &str) {
    let natives = compiled_natives(source);
    assert!(
        natives.iter().any(|n| n == "db.process"),
        "{source}: {natives:?}"
    );
    assert!(
        !natives.iter().any(|n| n == mix_native),
        "{source}: {natives:?}"
    );
}

/// `source` keeps the Mix-evaluating `native`.
fn assert_stays_in_mix(source: &str, native: &str) {
    let natives = compiled_natives(source);
    assert!(natives.iter().any(|n| n == native), "{source}: {natives:?}");
}

#[test]
fn filter_compiles_to_a_query_ast_stage() {
    for predicate in [
        "r -> r.age > 30",
        ".age > 30 && .city == \"Paris\"",
        "r -> not(r.gone?) || string.hasPrefix(\"P\", r.city)",
        "r -> r.home.zip == \"75001\"",
        "(r: record) -> r.age < 3",
        "_ -> db.eval(query.eq(\"name\", \"x\"))",
    ] {
        let source = format!("def main() = db.head() |> db.filter({predicate}) |> db.length\n");
        assert_runs_in_engine(&source, "db.filter");
    }
}

#[test]
fn filter_with_fallback_keeps_the_mix_path() {
    let source = "def main() = db.head() |> db.filterWithFallback(r -> r.a + 1 > 2) |> db.length\n";
    assert_stays_in_mix(source, "db.filterWithFallback");
}

#[test]
fn predicates_outside_the_engine_are_e0304() {
    for predicate in [
        "isBig",
        "r -> r.a + 1 > 2",
        "r -> r.min < r.max",
        "r -> string.length(r.name) > 2",
        "r -> string.like(r.name, \"%x\")",
        "(r -> true | _ -> false)",
    ] {
        let source = format!(
            "def isBig(r) = r.a > 2\ndef main() = db.head() |> db.filter({predicate}) |> db.length\n"
        );
        assert_eq!(
            natives(&source),
            Err(vec!["E0304".to_string()]),
            "{predicate}"
        );
    }
}

#[test]
fn a_string_test_with_its_arguments_swapped_says_so() {
    let source =
        "def main() = db.head() |> db.filter(r -> string.startsWith(\"A\", r.name)) |> db.length\n";
    let mut db = CheckDatabase::default();
    let (workspace, files) = db.load(&[("t.mix".to_string(), source.to_string())]);
    let errors = compile(&db, workspace, Roots::Files(&files)).expect_err("E0304");
    let d = &errors[0].diagnostic;
    assert_eq!(d.code, "E0304");
    assert_eq!(
        d.labels[0].message,
        "`string.startsWith` takes the record's field as its first argument; here it is the second"
    );
    assert!(
        d.help
            .as_deref()
            .is_some_and(|h| h.starts_with("swap the two arguments")),
        "{d:?}"
    );
    // the right way round runs in the engine
    assert_runs_in_engine(
        "def main() = db.head() |> db.filter(r -> string.startsWith(r.name, \"A\")) |> db.length\n",
        "db.filter",
    );
}

/// The strings of the compiled program's constant pool.
fn strings(source: &str) -> Vec<String> {
    let mut db = CheckDatabase::default();
    let (workspace, files) = db.load(&[("t.mix".to_string(), source.to_string())]);
    let module = compile(&db, workspace, Roots::Files(&files)).expect("compiles");
    module
        .constants
        .into_iter()
        .filter_map(|c| match c {
            Constant::Str(s) => Some(s),
            _ => None,
        })
        .collect()
}

#[test]
fn a_list_written_in_place_becomes_a_list_node_for_the_indexes() {
    let in_place = "def main() = db.head() |> db.filter(r -> array.contains(r.city, [\"Nice\", \"Lyon\"])) |> db.length\n";
    let strings_in_place = strings(in_place);
    assert!(
        strings_in_place.iter().any(|s| s == "list"),
        "{strings_in_place:?}"
    );
    assert!(
        strings_in_place.iter().any(|s| s == "in"),
        "{strings_in_place:?}"
    );
    // a list held in a variable is one literal value, evaluated on each record
    let captured = "def cities = [\"Nice\", \"Lyon\"]\ndef main() = db.head() |> db.filter(r -> array.contains(r.city, cities)) |> db.length\n";
    let strings_captured = strings(captured);
    assert!(
        !strings_captured.iter().any(|s| s == "list"),
        "{strings_captured:?}"
    );
    assert!(
        strings_captured.iter().any(|s| s == "literal"),
        "{strings_captured:?}"
    );
}

#[test]
fn map_projections_run_in_the_engine_and_computations_in_mix() {
    for function in [
        "r -> {n: r.name, zip: r.home.zip, k: 1}",
        "{name: .name, who: {a: .age}}",
        "{.name, .age}",
    ] {
        let source = format!("def main() = db.head() |> db.map({function}) |> db.toArray\n");
        assert_runs_in_engine(&source, "db.map");
    }
    for function in [
        "r -> {older: r.age + 1}",
        "r -> r.name",
        "x -> {n: string.length(x.name)}",
    ] {
        let source = format!("def main() = db.head() |> db.map({function}) |> db.toArray\n");
        assert_stays_in_mix(&source, "db.map");
    }
}
