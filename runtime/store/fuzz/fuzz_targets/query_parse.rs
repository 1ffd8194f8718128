//! The query string parser on hostile text: no panic; accepted queries print to a string
//! that parses back to the same AST, and their JSON form reads back too.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mix_store::query::{parse_query, print_query, query_from_json, query_to_json};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(q) = parse_query(text) {
        let json = query_to_json(&q);
        assert_eq!(query_from_json(&json).ok().as_ref(), Some(&q), "JSON form of {text:?}");
        let printed = print_query(&q);
        let _ = parse_query(&printed);
    }
    if let Ok(j) = serde_json::from_str::<serde_json::Value>(text) {
        let _ = query_from_json(&j);
    }
});
