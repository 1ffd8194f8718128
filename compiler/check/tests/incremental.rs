//! Incrementality, observed through salsa's event log: editing one definition's body re-runs
//! inference for that definition's group only; changing a definition's type re-checks its
//! dependents too.

use std::sync::{Arc, Mutex};

use mix_check::db::{infer_group, GroupId};
use mix_check::{check_file, CheckDatabase, SourceFile, Update, Workspace};

const SOURCE: &str =
    "def base = 1\ndef user = base + 1\ndef other(x) = x * 2\ndef last = other(3)\n";

/// The names of the groups whose inference ran since the log was last cleared.
fn inferred(
    db: &CheckDatabase,
    log: &Arc<Mutex<Vec<String>>>,
    ids: &[(String, String)],
) -> Vec<String> {
    let events = log.lock().expect("log lock").clone();
    let _ = db;
    ids.iter()
        .filter(|(_, key)| {
            events
                .iter()
                .any(|e| e.starts_with("infer_group") && e.contains(key.as_str()))
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// Each group (module, first member) with the debug form of its id as it appears in the event
/// log, by member name.
fn group_keys(
    db: &CheckDatabase,
    workspace: Workspace,
    file: SourceFile,
    groups: &[(&str, &str)],
) -> Vec<(String, String)> {
    groups
        .iter()
        .map(|(module, name)| {
            let id = GroupId::new(db, workspace, file, module.to_string(), name.to_string());
            let _ = infer_group(db, id);
            let key = format!("{:?}", salsa::plumbing::AsId::as_id(&id));
            (name.to_string(), format!("({key})"))
        })
        .collect()
}

#[test]
fn editing_a_body_reinfers_only_its_group_and_type_changes_reach_dependents() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut db = CheckDatabase::with_event_log(log.clone());
    let (workspace, files) = db.load(&[("inc.mix".to_string(), SOURCE.to_string())]);
    let file = files[0];
    assert!(check_file(&db, workspace, file).is_empty());

    let ids = group_keys(
        &db,
        workspace,
        file,
        &[
            ("inc", "base"),
            ("inc", "user"),
            ("inc", "other"),
            ("inc", "last"),
        ],
    );

    // The first edit of a body lowers that item's durability (see `files.rs`): its group and,
    // this once, the groups that use it run again, because salsa cannot reuse a result whose
    // durability dropped. `base` and `user` are untouched.
    log.lock().expect("log lock").clear();
    let edited = SOURCE.replace("x * 2", "x * 3 + 1");
    assert_eq!(db.set_text(file, edited.clone()), Update::Item);
    assert!(check_file(&db, workspace, file).is_empty());
    assert_eq!(
        inferred(&db, &log, &ids),
        vec!["other".to_string(), "last".to_string()]
    );

    // From then on, a body edit that keeps the type infers that group only.
    log.lock().expect("log lock").clear();
    let edited = edited.replace("x * 3 + 1", "x * 4 + 1");
    assert_eq!(db.set_text(file, edited.clone()), Update::Item);
    assert!(check_file(&db, workspace, file).is_empty());
    assert_eq!(inferred(&db, &log, &ids), vec!["other".to_string()]);

    // A body edit that lengthens a definition shifts every later one: spans are relative to
    // each definition, so still only the edited group runs, not `last` after it.
    log.lock().expect("log lock").clear();
    let edited = edited.replace("x * 4 + 1", "x * 4 + 100000");
    assert_eq!(db.set_text(file, edited.clone()), Update::Item);
    assert!(check_file(&db, workspace, file).is_empty());
    assert_eq!(inferred(&db, &log, &ids), vec!["other".to_string()]);

    // An edit between definitions (a comment) moves positions and infers nothing.
    log.lock().expect("log lock").clear();
    let edited = edited.replace("def other", "// a note\ndef other");
    assert_eq!(db.set_text(file, edited.clone()), Update::Trivia);
    assert!(check_file(&db, workspace, file).is_empty());
    assert!(inferred(&db, &log, &ids).is_empty());

    // A type change: `base` becomes a string, so `user` (which uses it) is re-checked; the
    // unrelated definitions are not.
    log.lock().expect("log lock").clear();
    db.set_text(file, edited.replace("def base = 1", "def base = \"one\""));
    let _ = check_file(&db, workspace, file);
    let mut rerun = inferred(&db, &log, &ids);
    rerun.sort();
    assert_eq!(rerun, vec!["base".to_string(), "user".to_string()]);
}

/// An edit that makes a definition use another name changes its module's index (its
/// dependency names) but no other module's: only groups of that module run again.
#[test]
fn a_new_reference_reinfers_only_its_own_module() {
    const TWO: &str = "module one\n  def base = 1\n  def other(x) = x * 2\nmodule end\nmodule two\n  def a = 1\n  def b = a + 1\nmodule end\n";
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut db = CheckDatabase::with_event_log(log.clone());
    let (workspace, files) = db.load(&[("two.mix".to_string(), TWO.to_string())]);
    let file = files[0];
    assert!(check_file(&db, workspace, file).is_empty());
    let ids = group_keys(
        &db,
        workspace,
        file,
        &[
            ("one", "base"),
            ("one", "other"),
            ("two", "a"),
            ("two", "b"),
        ],
    );
    log.lock().expect("log lock").clear();
    let edited = TWO.replace("x * 2", "x * base");
    assert_eq!(db.set_text(file, edited), Update::Item);
    assert!(check_file(&db, workspace, file).is_empty());
    let rerun = inferred(&db, &log, &ids);
    assert!(rerun.contains(&"other".to_string()), "{rerun:?}");
    assert!(
        !rerun.contains(&"a".to_string()) && !rerun.contains(&"b".to_string()),
        "module two was inferred again: {rerun:?}"
    );
}
