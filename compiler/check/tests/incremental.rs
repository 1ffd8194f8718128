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

type Log = Arc<Mutex<Vec<String>>>;

/// Clears the log, gives `file` the text `edited` and re-checks it: how the text was applied
/// and the diagnostics.
fn recheck(
    db: &mut CheckDatabase,
    log: &Log,
    workspace: Workspace,
    file: SourceFile,
    edited: &str,
) -> (Update, Vec<mix_diagnostics::Diagnostic>) {
    log.lock().expect("log lock").clear();
    let update = db.set_text(file, edited.to_string());
    (update, check_file(db, workspace, file))
}

/// A database holding `source` with its event log, checked once (cleanly), and each of
/// `groups` (module, first member) with the debug form of its id as it appears in the log.
fn watched(
    path: &str,
    source: &str,
    groups: &[(&str, &str)],
) -> (
    CheckDatabase,
    Log,
    Workspace,
    SourceFile,
    Vec<(String, String)>,
) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut db = CheckDatabase::with_event_log(log.clone());
    let (workspace, files) = db.load(&[(path.to_string(), source.to_string())]);
    let file = files[0];
    assert!(check_file(&db, workspace, file).is_empty());
    let ids = groups
        .iter()
        .map(|(module, name)| {
            let id = GroupId::new(&db, workspace, file, module.to_string(), name.to_string());
            let _ = infer_group(&db, id);
            let key = format!("{:?}", salsa::plumbing::AsId::as_id(&id));
            (name.to_string(), format!("({key})"))
        })
        .collect();
    (db, log, workspace, file, ids)
}

#[test]
fn editing_a_body_reinfers_only_its_group_and_type_changes_reach_dependents() {
    let (mut db, log, workspace, file, ids) = watched(
        "inc.mix",
        SOURCE,
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
    let edited = SOURCE.replace("x * 2", "x * 3 + 1");
    assert_eq!(
        recheck(&mut db, &log, workspace, file, &edited),
        (Update::Item, Vec::new())
    );
    assert_eq!(
        inferred(&db, &log, &ids),
        vec!["other".to_string(), "last".to_string()]
    );

    // From then on, a body edit that keeps the type infers that group only.
    let edited = edited.replace("x * 3 + 1", "x * 4 + 1");
    assert_eq!(
        recheck(&mut db, &log, workspace, file, &edited),
        (Update::Item, Vec::new())
    );
    assert_eq!(inferred(&db, &log, &ids), vec!["other".to_string()]);

    // A body edit that lengthens a definition shifts every later one: spans are relative to
    // each definition, so still only the edited group runs, not `last` after it.
    let edited = edited.replace("x * 4 + 1", "x * 4 + 100000");
    assert_eq!(
        recheck(&mut db, &log, workspace, file, &edited),
        (Update::Item, Vec::new())
    );
    assert_eq!(inferred(&db, &log, &ids), vec!["other".to_string()]);

    // An edit between definitions (a comment) moves positions and infers nothing.
    let edited = edited.replace("def other", "// a note\ndef other");
    assert_eq!(
        recheck(&mut db, &log, workspace, file, &edited),
        (Update::Trivia, Vec::new())
    );
    assert!(inferred(&db, &log, &ids).is_empty());

    // A type change: `base` becomes a string, so `user` (which uses it) is re-checked; the
    // unrelated definitions are not.
    let _ = recheck(
        &mut db,
        &log,
        workspace,
        file,
        &edited.replace("def base = 1", "def base = \"one\""),
    );
    let mut rerun = inferred(&db, &log, &ids);
    rerun.sort();
    assert_eq!(rerun, vec!["base".to_string(), "user".to_string()]);
}

/// An edit that makes a definition use another name changes its module's index (its
/// dependency names) but no other module's: only groups of that module run again.
#[test]
fn a_new_reference_reinfers_only_its_own_module() {
    const TWO: &str = "module one\n  def base = 1\n  def other(x) = x * 2\nmodule end\nmodule two\n  def a = 1\n  def b = a + 1\nmodule end\n";
    let (mut db, log, workspace, file, ids) = watched(
        "two.mix",
        TWO,
        &[
            ("one", "base"),
            ("one", "other"),
            ("two", "a"),
            ("two", "b"),
        ],
    );
    let edited = TWO.replace("x * 2", "x * base");
    assert_eq!(
        recheck(&mut db, &log, workspace, file, &edited),
        (Update::Item, Vec::new())
    );
    let rerun = inferred(&db, &log, &ids);
    assert!(rerun.contains(&"other".to_string()), "{rerun:?}");
    assert!(
        !rerun.contains(&"a".to_string()) && !rerun.contains(&"b".to_string()),
        "module two was inferred again: {rerun:?}"
    );
}

/// Salsa inputs cannot be deleted: items that a whole re-parse no longer finds hand their
/// inputs to new items, so renaming definitions again and again reuses the same inputs.
#[test]
fn items_that_disappear_hand_their_inputs_to_new_items() {
    let mut db = CheckDatabase::default();
    let (workspace, files) = db.load(&[(
        "names.mix".to_string(),
        "def a = 1\ndef b = \"x\"\n".to_string(),
    )]);
    let file = files[0];
    let inputs = |db: &CheckDatabase| {
        let mut sources: Vec<_> = file
            .outline(db)
            .modules
            .iter()
            .flat_map(|m| m.items.clone())
            .collect();
        sources.sort_by_key(|s| format!("{s:?}"));
        sources
    };
    let before = inputs(&db);
    for round in 0..20 {
        // Both definitions change name at once: the whole text is parsed again.
        let text = format!("def a{round} = 1\ndef b{round} = \"x\"\n");
        assert_eq!(db.set_text(file, text), Update::Whole);
        assert_eq!(inputs(&db), before, "round {round}");
        assert!(check_file(&db, workspace, file).is_empty());
        let types = mix_check::file_types(&db, workspace, file);
        assert_eq!(
            types,
            vec![
                (format!("names.a{round}"), "number".to_string()),
                (format!("names.b{round}"), "string".to_string()),
            ]
        );
    }
}

/// Two modules of one name (an error, common while typing) gave their items equal identities,
/// so a whole re-parse handed both items one input and the first module checked the second's
/// definition (found by the `recheck` fuzz target).
#[test]
fn two_modules_of_one_name_keep_their_own_items() {
    let old = "module r\n  def t = \"text\"\nmodule end\n";
    let new = "module r\n  def t = \"text\"\nmodule end\nmodule r\n  def t = 1\nmodule end\n";
    let mut db = CheckDatabase::default();
    let (workspace, files) = db.load(&[("dup.mix".to_string(), old.to_string())]);
    let _ = check_file(&db, workspace, files[0]);
    assert_eq!(db.set_text(files[0], new.to_string()), Update::Whole);
    let mut fresh = CheckDatabase::default();
    let (fresh_workspace, fresh_files) = fresh.load(&[("dup.mix".to_string(), new.to_string())]);
    let types = mix_check::file_types(&db, workspace, files[0]);
    assert_eq!(
        types,
        mix_check::file_types(&fresh, fresh_workspace, fresh_files[0])
    );
    assert_eq!(types[0], ("r.t".to_string(), "string".to_string()));
    assert_eq!(
        check_file(&db, workspace, files[0]),
        check_file(&fresh, fresh_workspace, fresh_files[0])
    );
}
