//! Round trips of arbitrary values through EscJSON and MessagePack, and the query printer.

use mix_store::escjson::{self, DecodeOptions};
use mix_store::msgpack;
use mix_store::query::{parse_query, print_query, query_from_json, query_to_json};
use mix_store::value::Value;
use proptest::prelude::*;

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        any::<f64>().prop_map(Value::Float),
        ".{0,12}".prop_map(Value::String),
        "[a-z0-9{}]{1,8}".prop_map(Value::Ref),
        prop::collection::vec(any::<u8>(), 0..8).prop_map(Value::Binary),
        "[a-z.]{1,6}".prop_map(|n| Value::Case(n, None)),
        prop_oneof![
            Just("{tag}x".to_string()),
            Just("{str}y".to_string()),
            ".{0,4}".prop_map(|s| s)
        ]
        .prop_map(|s| Value::Map([("_rmx_type".to_string(), Value::String(s))].into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{0,6}", inner.clone(), 0..5).prop_map(Value::Map),
            ("[a-z]{1,5}", inner).prop_map(|(n, v)| Value::Case(n, Some(Box::new(v)))),
        ]
    })
}

proptest! {
    #[test]
    fn escjson_round_trips_exactly(v in value()) {
        let s = escjson::to_string(&v);
        prop_assert_eq!(escjson::from_str(&s, DecodeOptions::default()).unwrap(), v);
    }

    #[test]
    fn msgpack_round_trips_exactly(v in value()) {
        prop_assert_eq!(msgpack::decode(&msgpack::encode(&v)).unwrap(), v);
    }

    #[test]
    fn decoders_never_panic(s in ".{0,64}", b in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = escjson::from_str(&s, DecodeOptions { legacy_refs: true });
        let _ = msgpack::decode(&b);
        let _ = parse_query(&s);
    }

    #[test]
    fn parsed_queries_print_and_reparse(
        field in "[a-z][a-z0-9_]{0,5}",
        n in -1000i64..1000,
        f in -1.0e6f64..1.0e6,
        word in "[a-zA-Z ]{0,6}",
        op in 0usize..6,
    ) {
        let ops = ["==", "!=", "<", ">=", "contains", "like"];
        let kw = ["and", "or", "not", "in", "all", "like", "contains", "exists", "after", "true", "false", "null"];
        prop_assume!(!kw.contains(&field.as_str()));
        let src = format!(
            "{field} {} {n} and (x.{field} == {f:?} or not \"{word}\" == \"{word}\") | {{ {field}, y: {field} * 2 ?? 0, *, -z }} | orderDesc({field}) | count()",
            ops[op]
        );
        let q = parse_query(&src).unwrap();
        let printed = print_query(&q);
        prop_assert_eq!(parse_query(&printed).unwrap(), q.clone());
        prop_assert_eq!(query_from_json(&query_to_json(&q)).unwrap(), q);
    }
}
