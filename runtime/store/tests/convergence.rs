//! Property tests of the CRDT: 2–5 replicas make random edits, changes are delivered with
//! duplicates, reordering and drops, then anti-entropy runs; every replica must end with the
//! same state and the same query results. Plus the merge laws on record states and version
//! vectors.

use mix_store::crdt::{Change, OpId, RecordState, ReplicaId, VersionVector};
use mix_store::query::{self, parse_query, QueryOptions};
use mix_store::record;
use mix_store::sync::sync_in_process;
use mix_store::value::{map_of, Value};
use mix_store::{Database, Options};
use proptest::prelude::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
enum Action {
    Save {
        replica: usize,
        rec: usize,
        fields: Vec<(usize, i64)>,
    },
    Upsert {
        replica: usize,
        rec: usize,
        field: usize,
        nested: bool,
        value: i64,
    },
    Delete {
        replica: usize,
        rec: usize,
    },
    /// Deliver some of `from`'s changes to `to`: picks by index (with repeats), in that order.
    Deliver {
        from: usize,
        to: usize,
        picks: Vec<usize>,
    },
}

const FIELDS: [&str; 4] = ["a", "b", "c", "tags"];

fn action(n: usize) -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => (0..n, 0..3usize, prop::collection::vec((0..4usize, -3i64..3), 0..4))
            .prop_map(|(replica, rec, fields)| Action::Save { replica, rec, fields }),
        4 => (0..n, 0..3usize, 0..4usize, any::<bool>(), -3i64..3)
            .prop_map(|(replica, rec, field, nested, value)| Action::Upsert { replica, rec, field, nested, value }),
        1 => (0..n, 0..3usize).prop_map(|(replica, rec)| Action::Delete { replica, rec }),
        4 => (0..n, 0..n, prop::collection::vec(0..64usize, 0..8))
            .prop_map(|(from, to, picks)| Action::Deliver { from, to, picks }),
    ]
}

fn scenario() -> impl Strategy<Value = (usize, Vec<Action>)> {
    (2..=5usize).prop_flat_map(|n| (Just(n), prop::collection::vec(action(n), 1..40)))
}

fn rid(rec: usize) -> Value {
    Value::Ref(format!("rec{rec}"))
}

fn field_value(field: usize, v: i64) -> Value {
    if FIELDS[field] == "tags" {
        Value::Array(
            (0..v.rem_euclid(3))
                .map(|i| Value::String(format!("t{i}")))
                .collect(),
        )
    } else {
        Value::Int(v)
    }
}

fn run(db: &Database, a: &Action) {
    match a {
        Action::Save { rec, fields, .. } => {
            let mut m = BTreeMap::new();
            m.insert(record::ID.to_string(), rid(*rec));
            for (f, v) in fields {
                m.insert(FIELDS[*f].to_string(), field_value(*f, *v));
            }
            db.save(Value::Map(m)).unwrap();
        }
        Action::Upsert {
            rec,
            field,
            nested,
            value,
            ..
        } => {
            let v = field_value(*field, *value);
            let v = if *nested { map_of([("inner", v)]) } else { v };
            db.upsert(map_of([(record::ID, rid(*rec)), (FIELDS[*field], v)]))
                .unwrap();
        }
        Action::Delete { rec, .. } => {
            db.delete(&format!("rec{rec}")).unwrap();
        }
        Action::Deliver { .. } => {}
    }
}

/// What readers of a replica see: heads, conflicts per record, query results.
type Snapshot = (
    Vec<Value>,
    Vec<BTreeMap<String, Vec<Value>>>,
    Vec<Vec<Value>>,
);

fn snapshot(db: &Database) -> Snapshot {
    let heads: Vec<Value> = db.heads().map(|h| h.unwrap().0).collect();
    let conflicts = (0..3)
        .map(|r| db.conflicts(&format!("rec{r}")).unwrap())
        .collect();
    let queries = [
        "a > 0",
        "exists b",
        "tags == \"t1\" or c.inner < 0",
        "a == 1 | { a, b } | count()",
        "exists a | orderDesc(a)",
    ];
    let results = queries
        .iter()
        .map(|q| query::run(db, &parse_query(q).unwrap(), &QueryOptions::default()).unwrap())
        .collect();
    (heads, conflicts, results)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn replicas_converge((n, actions) in scenario()) {
        let dbs: Vec<Database> =
            (0..n).map(|i| Database::memory_with_replica(Options::default(), ReplicaId(i as u64 + 1)).unwrap()).collect();
        for a in &actions {
            match a {
                Action::Save { replica, .. } | Action::Upsert { replica, .. } | Action::Delete { replica, .. } => {
                    run(&dbs[*replica], a)
                }
                Action::Deliver { from, to, picks } => {
                    if from == to {
                        continue;
                    }
                    let all: Vec<Change> = dbs[*from].all_changes().map(|c| c.unwrap()).collect();
                    if all.is_empty() {
                        continue;
                    }
                    let batch: Vec<Change> = picks.iter().map(|p| all[p % all.len()].clone()).collect();
                    dbs[*to].apply_remote(batch).unwrap();
                }
            }
        }
        // anti-entropy: every pair, twice around
        for _ in 0..2 {
            for i in 0..n {
                for j in 0..n {
                    if i != j {
                        sync_in_process(&dbs[i], &dbs[j]).unwrap();
                    }
                }
            }
        }
        let first = snapshot(&dbs[0]);
        for db in &dbs[1..] {
            prop_assert_eq!(db.version_vector(), dbs[0].version_vector());
            prop_assert_eq!(&snapshot(db), &first);
        }
    }
}

/// Changes made on replicas that see each other's writes only sometimes.
fn random_changes(seed: &[(u8, u8, i8)]) -> Vec<Change> {
    let dbs: Vec<Database> = (0..3)
        .map(|i| Database::memory_with_replica(Options::default(), ReplicaId(i + 1)).unwrap())
        .collect();
    for (k, (who, what, v)) in seed.iter().enumerate() {
        let db = &dbs[*who as usize % 3];
        let f = ["x", "y", "z"][*what as usize % 3];
        if *v == 0 {
            db.delete("r").unwrap();
        } else {
            db.upsert(map_of([
                (record::ID, Value::Ref("r".into())),
                (f, Value::Int(*v as i64)),
            ]))
            .unwrap();
        }
        if k % 3 == 2 {
            let to = (*who as usize + 1) % 3;
            let cs: Vec<Change> = db.all_changes().map(|c| c.unwrap()).collect();
            dbs[to].apply_remote(cs).unwrap();
        }
    }
    dbs.iter()
        .flat_map(|d| d.all_changes().map(|c| c.unwrap()).collect::<Vec<_>>())
        .collect()
}

fn apply_all(cs: &[Change]) -> RecordState {
    let mut st = RecordState::new("r");
    for c in cs {
        st.apply(c);
    }
    st
}

/// State equality ignoring the order entries were added in (compare what readers see and
/// the full register contents).
fn same(a: &RecordState, b: &RecordState) -> bool {
    a.materialise() == b.materialise()
        && a.conflicts() == b.conflicts()
        && a.registers == b.registers
        && a.superseded == b.superseded
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn merge_is_commutative_associative_idempotent(
        seed in prop::collection::vec((any::<u8>(), any::<u8>(), -2i8..3), 1..20),
        perm in prop::collection::vec(any::<prop::sample::Index>(), 0..40),
    ) {
        let cs = random_changes(&seed);
        // (a history of only deletes of a missing record makes no change)
        prop_assume!(!cs.is_empty());
        let base = apply_all(&cs);
        // any order (a permutation driven by `perm`), with duplicates
        let mut shuffled = cs.clone();
        for (i, ix) in perm.iter().enumerate() {
            let j = ix.index(shuffled.len());
            let len = shuffled.len();
            shuffled.swap(i % len, j);
        }
        let mut with_dups = shuffled.clone();
        with_dups.extend(shuffled.iter().take(perm.len() % (cs.len() + 1)).cloned());
        prop_assert!(same(&apply_all(&with_dups), &base));
        // a merge moves its changes into the state: the same state, duplicates included,
        // and re-applying a borrowed copy afterwards changes nothing
        let mut owned = RecordState::new("r");
        for c in with_dups.iter().cloned() {
            owned.apply_owned(c);
        }
        prop_assert!(same(&owned, &base));
        for c in &shuffled {
            owned.apply(c);
        }
        prop_assert!(same(&owned, &base));
        // associativity: (A ∪ B) ∪ C == A ∪ (B ∪ C), as split points of the op sets
        let third = cs.len() / 3;
        let (a, rest) = cs.split_at(third);
        let (b, c) = rest.split_at(rest.len() / 2);
        let left: Vec<Change> = [a, b].concat().into_iter().chain(c.iter().cloned()).collect();
        let right: Vec<Change> = a.iter().cloned().chain([b, c].concat()).rev().collect();
        prop_assert!(same(&apply_all(&left), &apply_all(&right)));
    }

    #[test]
    fn version_vector_merge_laws(
        xs in prop::collection::vec((1u64..4, 1u64..12), 0..20),
        ys in prop::collection::vec((1u64..4, 1u64..12), 0..20),
        zs in prop::collection::vec((1u64..4, 1u64..12), 0..20),
    ) {
        let mk = |v: &[(u64, u64)]| {
            let mut vv = VersionVector::new();
            for (r, c) in v {
                vv.add(OpId { replica: ReplicaId(*r), counter: *c });
            }
            vv
        };
        let (x, y, z) = (mk(&xs), mk(&ys), mk(&zs));
        let join = |a: &VersionVector, b: &VersionVector| {
            let mut m = a.clone();
            m.merge(b);
            m
        };
        prop_assert_eq!(join(&x, &y), join(&y, &x));
        prop_assert_eq!(join(&join(&x, &y), &z), join(&x, &join(&y, &z)));
        prop_assert_eq!(join(&x, &x), x.clone());
        prop_assert!(join(&x, &y).dominates(&x));
        // the join holds exactly the union
        let u = join(&x, &y);
        for (r, c) in xs.iter().chain(&ys) {
            let id = OpId { replica: ReplicaId(*r), counter: *c };
            prop_assert!(u.contains(id), "join lacks {:?}", id);
        }
    }
}
