//! Query tests: every row of the facts' tables (§6.4–§6.5): the string form parses to the
//! AST (JSON form, as the facts write it), the AST prints back and reparses, and the AST runs
//! against a small store with the expected results — from the indexes where the row is
//! index-capable.

use mix_store::query::{
    self, parse_query, print_query, query_from_json, query_to_json, Plan, QueryOptions,
};
use mix_store::record;
use mix_store::value::{map_of, Value};
use mix_store::{Database, Options};
use serde_json::{json, Value as Json};

fn s(x: &str) -> Value {
    Value::String(x.into())
}
fn r(x: &str) -> Value {
    Value::Ref(x.into())
}
fn arr(v: Vec<Value>) -> Value {
    Value::Array(v)
}

fn fixture() -> Database {
    let db = Database::memory(Options::default()).unwrap();
    let recs = vec![
        map_of([
            (record::ID, r("p1")),
            ("entity", s("person")),
            ("name", s("ada")),
            ("first_name", s("Ada")),
            ("last_name", s("Lovelace")),
            ("age", Value::Int(36)),
            ("tags", arr(vec![s("math"), s("eng")])),
            ("address", map_of([("city", s("london")), ("zip", s("N1"))])),
            ("friend", r("p2")),
        ]),
        map_of([
            (record::ID, r("p2")),
            ("entity", s("person")),
            ("name", s("bob")),
            ("first_name", s("Bob")),
            ("age", Value::Int(25)),
            ("tags", arr(vec![s("eng")])),
            ("address", map_of([("city", s("paris"))])),
            ("friend", r("p1")),
        ]),
        map_of([
            (record::ID, r("p3")),
            ("entity", s("person")),
            ("name", s("carla")),
            ("age", Value::Float(41.5)),
            ("tags", arr(vec![])),
            ("nick", s("cc")),
        ]),
        map_of([
            (record::ID, r("c1")),
            ("entity", s("company")),
            ("name", s("acme corp")),
            ("employees", arr(vec![r("p1"), r("p2")])),
        ]),
    ];
    for rec in recs {
        db.save(rec).unwrap();
    }
    db
}

fn ids(rows: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = rows
        .iter()
        .map(|v| match v.as_map().and_then(|m| m.get(record::ID)) {
            Some(Value::Ref(id)) => id.clone(),
            other => panic!("row without id: {other:?}"),
        })
        .collect();
    out.sort();
    out
}

/// Parse the string, compare with the AST, check the printer round trip, return the query.
fn parsed(src: &str, ast: Json) -> query::Query {
    let q = parse_query(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    assert_eq!(query_to_json(&q), ast, "AST of {src}");
    assert_eq!(
        query_from_json(&ast).unwrap(),
        q,
        "JSON form of {src} reads back"
    );
    let printed = print_query(&q);
    assert_eq!(
        parse_query(&printed).unwrap(),
        q,
        "{src} printed as {printed}"
    );
    q
}

fn check(db: &Database, src: &str, ast: Json, want: &[&str], indexed: bool) {
    let q = parsed(src, ast);
    let opts = QueryOptions::default();
    let got = ids(&query::run(db, &q, &opts).unwrap());
    assert_eq!(got, want, "results of {src}");
    let plan = query::plan(db, &q, &opts).unwrap();
    assert_eq!(
        matches!(plan, Plan::Index(_)),
        indexed,
        "plan of {src}: {plan:?}"
    );
}

#[test]
fn filter_rows() {
    let db = fixture();
    check(
        &db,
        r#"name == "ada""#,
        json!([["comparison", "==", ["token", "name"], "ada"]]),
        &["p1"],
        true,
    );
    check(
        &db,
        r#"entity != "person""#,
        json!([["comparison", "!=", ["token", "entity"], "person"]]),
        &["c1"],
        false,
    );
    check(
        &db,
        "age > 30",
        json!([["comparison", ">", ["token", "age"], 30]]),
        &["p1", "p3"],
        true,
    );
    check(
        &db,
        "age < 30",
        json!([["comparison", "<", ["token", "age"], 30]]),
        &["p2"],
        true,
    );
    check(
        &db,
        "age >= 36",
        json!([["comparison", ">=", ["token", "age"], 36]]),
        &["p1", "p3"],
        true,
    );
    check(
        &db,
        "age <= 36",
        json!([["comparison", "<=", ["token", "age"], 36]]),
        &["p1", "p2"],
        true,
    );
    check(
        &db,
        "age > 41.25",
        json!([["comparison", ">", ["token", "age"], 41.25]]),
        &["p3"],
        true,
    );
    check(
        &db,
        r#"name contains "o""#,
        json!([["comparison", "contains", ["token", "name"], "o"]]),
        &["c1", "p2"],
        true,
    );
    check(
        &db,
        r#"name like "ca""#,
        json!([["comparison", "like", ["token", "name"], "ca"]]),
        &["p3"],
        true,
    );
    check(
        &db,
        r#"name like "a%""#,
        json!([["comparison", "like", ["token", "name"], "a%"]]),
        &["c1", "p1"],
        true,
    );
    check(
        &db,
        "exists nick",
        json!([["exists", ["token", "nick"]]]),
        &["p3"],
        true,
    );
    check(
        &db,
        r#"tags in ["math", "x"]"#,
        json!([["comparison", "in", ["token", "tags"], ["list", "math", "x"]]]),
        &["p1"],
        true,
    );
    check(
        &db,
        r#"tags all in ["math", "eng"]"#,
        json!([[
            "comparison",
            "all_in",
            ["token", "tags"],
            ["list", "math", "eng"]
        ]]),
        &["p1"],
        true,
    );
    check(
        &db,
        r#"tags not in ["math"]"#,
        json!([["comparison", "not_in", ["token", "tags"], ["list", "math"]]]),
        &["c1", "p2", "p3"],
        false,
    );
    check(
        &db,
        r#"tags not all in ["math", "eng"]"#,
        json!([[
            "comparison",
            "not_all_in",
            ["token", "tags"],
            ["list", "math", "eng"]
        ]]),
        &["c1", "p2", "p3"],
        false,
    );
}

#[test]
fn boolean_rows_and_null_filter() {
    let db = fixture();
    check(
        &db,
        r#"entity == "person" and age > 30"#,
        json!([[
            "and",
            ["comparison", "==", ["token", "entity"], "person"],
            ["comparison", ">", ["token", "age"], 30]
        ]]),
        &["p1", "p3"],
        true,
    );
    check(
        &db,
        r#"name == "ada" && age > 30"#,
        json!([[
            "and",
            ["comparison", "==", ["token", "name"], "ada"],
            ["comparison", ">", ["token", "age"], 30]
        ]]),
        &["p1"],
        true,
    );
    check(
        &db,
        r#"name == "ada" or name == "bob""#,
        json!([[
            "or",
            ["comparison", "==", ["token", "name"], "ada"],
            ["comparison", "==", ["token", "name"], "bob"]
        ]]),
        &["p1", "p2"],
        true,
    );
    check(
        &db,
        r#"name == "ada" || exists nick"#,
        json!([[
            "or",
            ["comparison", "==", ["token", "name"], "ada"],
            ["exists", ["token", "nick"]]
        ]]),
        &["p1", "p3"],
        true,
    );
    check(
        &db,
        r#"not entity == "person""#,
        json!([["not", ["comparison", "==", ["token", "entity"], "person"]]]),
        &["c1"],
        false,
    );
    check(
        &db,
        "!exists nick",
        json!([["not", ["exists", ["token", "nick"]]]]),
        &["c1", "p1", "p2"],
        false,
    );
    check(
        &db,
        r#"(name == "ada" or name == "bob") and age < 30"#,
        json!([[
            "and",
            [
                "or",
                ["comparison", "==", ["token", "name"], "ada"],
                ["comparison", "==", ["token", "name"], "bob"]
            ],
            ["comparison", "<", ["token", "age"], 30]
        ]]),
        &["p2"],
        true,
    );
    // the no-op filter, as AST (it has no string spelling in the facts)
    let q = query_from_json(&json!([["nullFilter"]])).unwrap();
    assert_eq!(
        ids(&query::run(&db, &q, &QueryOptions::default()).unwrap()),
        ["c1", "p1", "p2", "p3"]
    );
    // a bare filter node is a one-stage query
    let q = query_from_json(&json!(["exists", "nick"])).unwrap();
    assert_eq!(
        ids(&query::run(&db, &q, &QueryOptions::default()).unwrap()),
        ["p3"]
    );
}

#[test]
fn key_rows() {
    let db = fixture();
    check(
        &db,
        r#""name" == "bob""#,
        json!([["comparison", "==", "name", "bob"]]),
        &["p2"],
        true,
    );
    check(
        &db,
        r#"name == "bob""#,
        json!([["comparison", "==", ["token", "name"], "bob"]]),
        &["p2"],
        true,
    );
    check(
        &db,
        r#".name == "bob""#,
        json!([[
            "comparison",
            "==",
            ["objectMember", null, ["token", "name"]],
            "bob"
        ]]),
        &["p2"],
        true,
    );
    check(
        &db,
        r#"address.city == "paris""#,
        json!([[
            "comparison",
            "==",
            [
                "objectMember",
                ["objectMember", null, "address"],
                ["token", "city"]
            ],
            "paris"
        ]]),
        &["p2"],
        true,
    );
    // parameter keys resolve from the bindings
    let q = parsed(
        r#"$field == "ada""#,
        json!([["comparison", "==", ["param", "field"], "ada"]]),
    );
    let mut opts = QueryOptions::default();
    assert!(
        query::run(&db, &q, &opts).is_err(),
        "unbound parameter is an error"
    );
    opts.params.insert("field".into(), s("name"));
    assert_eq!(ids(&query::run(&db, &q, &opts).unwrap()), ["p1"]);
    // a path crossing a ref: answered by scanning, following the ref
    check(
        &db,
        r#"friend.name == "bob""#,
        json!([[
            "comparison",
            "==",
            [
                "objectMember",
                ["objectMember", null, "friend"],
                ["token", "name"]
            ],
            "bob"
        ]]),
        &["p1"],
        false,
    );
    // refs as values (EscJSON literal) answered from the index
    check(
        &db,
        r#"employees == {"_rmx_type":"{tag}case:db.ref","_rmx_value":"p2"}"#,
        json!([["comparison", "==", ["token", "employees"], {"_rmx_type": "{tag}case:db.ref", "_rmx_value": "p2"}]]),
        &["c1"],
        true,
    );
}

#[test]
fn subquery_row() {
    let db = fixture();
    check(
        &db,
        r#"address.(city == "london" and zip == "N1")"#,
        json!([[
            "subquery",
            "address",
            [
                ["comparison", "==", ["token", "city"], "london"],
                ["comparison", "==", ["token", "zip"], "N1"]
            ]
        ]]),
        &["p1"],
        true,
    );
}

#[test]
fn after_row() {
    let db = fixture();
    let p2 = db.get("p2").unwrap().unwrap();
    let rev = p2.as_map().unwrap()[record::REV].clone();
    let Value::Ref(rev_id) = &rev else { panic!() };
    let src = format!(r#"after {{"_rmx_type":"{{tag}}case:db.ref","_rmx_value":"{rev_id}"}}"#);
    check(
        &db,
        &src,
        json!([["after", {"_rmx_type": "{tag}case:db.ref", "_rmx_value": rev_id}]]),
        &["c1", "p3"],
        true,
    );
    // touching p1 moves it after the watermark
    db.upsert(map_of([(record::ID, r("p1")), ("age", Value::Int(37))]))
        .unwrap();
    check(
        &db,
        &src,
        json!([["after", {"_rmx_type": "{tag}case:db.ref", "_rmx_value": rev_id}]]),
        &["c1", "p1", "p3"],
        true,
    );
}

fn project(db: &Database, src: &str, ast: Json) -> Vec<Value> {
    let q = parsed(src, ast);
    query::run(db, &q, &QueryOptions::default()).unwrap()
}

#[test]
fn projection_rows() {
    let db = fixture();
    let rows = project(
        &db,
        r#"name == "ada" | { first: first_name, full: first_name + " " + last_name }"#,
        json!([
            ["comparison", "==", ["token", "name"], "ada"],
            [
                "object",
                [
                    ["assignMember", "first", ["token", "first_name"]],
                    [
                        "assignMember",
                        "full",
                        [
                            "calculation",
                            [
                                "+",
                                ["calculation", ["+", ["token", "first_name"], " "]],
                                ["token", "last_name"]
                            ]
                        ]
                    ]
                ]
            ]
        ]),
    );
    assert_eq!(
        rows,
        vec![map_of([("first", s("Ada")), ("full", s("Ada Lovelace"))])]
    );

    let rows = project(
        &db,
        r#""entity" == "person" | { first_name, last_name }"#,
        json!([
            ["comparison", "==", "entity", "person"],
            [
                "object",
                [
                    ["assignMember", "first_name", "first_name"],
                    ["assignMember", "last_name", "last_name"]
                ]
            ]
        ]),
    );
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0],
        map_of([("first_name", s("Ada")), ("last_name", s("Lovelace"))])
    );
    assert_eq!(
        rows[2],
        Value::Map(Default::default()),
        "missing fields are omitted"
    );

    let rows = project(
        &db,
        r#"name == "bob" | { nick: nick ?? "none" }"#,
        json!([
            ["comparison", "==", ["token", "name"], "bob"],
            [
                "object",
                [["assignMember", "nick", ["token", "nick"], "none"]]
            ]
        ]),
    );
    assert_eq!(rows, vec![map_of([("nick", s("none"))])]);

    let rows = project(
        &db,
        r#"name == "bob" | { *, -tags, -address }"#,
        json!([
            ["comparison", "==", ["token", "name"], "bob"],
            [
                "object",
                [
                    ["cloneMembers"],
                    ["removeMember", "tags"],
                    ["removeMember", "address"]
                ]
            ]
        ]),
    );
    let m = rows[0].as_map().unwrap();
    assert!(
        m.contains_key("name")
            && m.contains_key(record::ID)
            && !m.contains_key("tags")
            && !m.contains_key("address")
    );

    let rows = project(
        &db,
        r#"name == "bob" | { address: { *, -city }, name }"#,
        json!([
            ["comparison", "==", ["token", "name"], "bob"],
            [
                "object",
                [
                    [
                        "assignMember",
                        "address",
                        ["object", [["cloneMembers"], ["removeMember", "city"]]]
                    ],
                    ["assignMember", "name", "name"]
                ]
            ]
        ]),
    );
    assert_eq!(
        rows,
        vec![map_of([
            ("address", map_of::<[(&str, Value); 0], &str>([])),
            ("name", s("bob"))
        ])]
    );

    let rows = project(
        &db,
        r#"name == "bob" | { name, +friend }"#,
        json!([
            ["comparison", "==", ["token", "name"], "bob"],
            [
                "object",
                [
                    ["assignMember", "name", "name"],
                    ["followRef", ["token", "friend"]]
                ]
            ]
        ]),
    );
    let friend = rows[0].as_map().unwrap()["friend"].clone();
    assert_eq!(friend.as_map().unwrap()["name"], s("ada"));

    let rows = project(
        &db,
        r#"entity == "company" | { ** }"#,
        json!([
            ["comparison", "==", ["token", "entity"], "company"],
            ["object", [["cloneMembersWithExpansion"]]]
        ]),
    );
    let Value::Array(emps) = &rows[0].as_map().unwrap()["employees"] else {
        panic!()
    };
    assert_eq!(emps[0].as_map().unwrap()["name"], s("ada"));
    assert!(
        matches!(emps[0].as_map().unwrap()["friend"], Value::Map(_)),
        "expansion is recursive"
    );

    let e = parse_query("{ ++friend }").unwrap_err();
    assert!(e.message.contains("not supported"), "{e}");
}

fn names(rows: &[Value]) -> Vec<Value> {
    rows.iter()
        .map(|r| r.as_map().unwrap()["name"].clone())
        .collect()
}

#[test]
fn aggregation_rows() {
    let db = fixture();
    let rows = project(
        &db,
        r#"entity == "person" | count()"#,
        json!([
            ["comparison", "==", ["token", "entity"], "person"],
            ["invoke", "count", []]
        ]),
    );
    assert_eq!(rows, vec![Value::Int(3)]);
    let rows = project(
        &db,
        "exists age | orderAsc(age)",
        json!([
            ["exists", ["token", "age"]],
            ["invoke", "orderAsc", [["token", "age"]]]
        ]),
    );
    assert_eq!(names(&rows), vec![s("bob"), s("ada"), s("carla")]);
    let rows = project(
        &db,
        "exists age | orderDesc(age)",
        json!([
            ["exists", ["token", "age"]],
            ["invoke", "orderDesc", [["token", "age"]]]
        ]),
    );
    assert_eq!(names(&rows), vec![s("carla"), s("ada"), s("bob")]);
    let rows = project(
        &db,
        "exists age | order(name, false)",
        json!([
            ["exists", ["token", "age"]],
            ["invoke", "order", [["token", "name"], false]]
        ]),
    );
    assert_eq!(names(&rows), vec![s("carla"), s("bob"), s("ada")]);
    let rows = project(
        &db,
        "exists age | order(name, true) | reverse()",
        json!([
            ["exists", ["token", "age"]],
            ["invoke", "order", [["token", "name"], true]],
            ["invoke", "reverse", []]
        ]),
    );
    assert_eq!(names(&rows), vec![s("carla"), s("bob"), s("ada")]);
    let rows = project(
        &db,
        "group(entity)",
        json!([["invoke", "group", [["token", "entity"]]]]),
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].as_map().unwrap()["key"], s("company"));
    assert_eq!(rows[1].as_map().unwrap()["count"], Value::Int(3));
    let rows = project(
        &db,
        "{ name } | count()",
        json!([
            ["object", [["assignMember", "name", "name"]]],
            ["invoke", "count", []]
        ]),
    );
    assert_eq!(rows, vec![Value::Int(4)]);
}

#[test]
fn calculation_rules() {
    let db = fixture();
    let rows = project(
        &db,
        r#"name == "ada" | { a: age * 2 + 1, b: nick + 1, c: tags + ["x"] }"#,
        json!([
            ["comparison", "==", ["token", "name"], "ada"],
            [
                "object",
                [
                    [
                        "assignMember",
                        "a",
                        [
                            "calculation",
                            ["+", ["calculation", ["*", ["token", "age"], 2]], 1]
                        ]
                    ],
                    [
                        "assignMember",
                        "b",
                        ["calculation", ["+", ["token", "nick"], 1]]
                    ],
                    [
                        "assignMember",
                        "c",
                        ["calculation", ["+", ["token", "tags"], ["list", "x"]]]
                    ]
                ]
            ]
        ]),
    );
    let m = rows[0].as_map().unwrap();
    assert_eq!(m["a"], Value::Int(73));
    assert_eq!(m["b"], Value::Null, "null (missing) operand gives null");
    assert_eq!(m["c"], arr(vec![s("math"), s("eng"), s("x")]));
    check(
        &db,
        "age == 30 + 6",
        json!([[
            "comparison",
            "==",
            ["token", "age"],
            ["calculation", ["+", 30, 6]]
        ]]),
        &["p1"],
        false,
    );
}

#[test]
fn history_and_deleted() {
    let db = fixture();
    db.upsert(map_of([(record::ID, r("p2")), ("age", Value::Int(26))]))
        .unwrap();
    db.delete("p3").unwrap();
    let q = parse_query(r#"entity == "person""#).unwrap();
    let heads = query::run(&db, &q, &QueryOptions::default()).unwrap();
    assert_eq!(ids(&heads), ["p1", "p2"]);
    let with_deleted = query::run(
        &db,
        &q,
        &QueryOptions {
            include_deleted: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        ids(&with_deleted),
        ["p1", "p2"],
        "tombstones have no content, so no entity"
    );
    let tomb = parse_query("_rmx_deleted == true").unwrap();
    assert_eq!(
        ids(&query::run(
            &db,
            &tomb,
            &QueryOptions {
                include_deleted: true,
                ..Default::default()
            }
        )
        .unwrap()),
        ["p3"]
    );
    let all = query::run(
        &db,
        &q,
        &QueryOptions {
            history: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        ids(&all),
        ["p1", "p2", "p2", "p3"],
        "p2 has two revisions; p3's live revision is history"
    );
}

#[test]
fn parse_errors_have_positions() {
    for (src, line, col, msg) in [
        ("name ==", 1, 8, "expected a value"),
        ("name = 3", 1, 6, "unexpected character"),
        ("age > 3 |\n  { a: }", 2, 8, "expected a value"),
        ("count() | name == 1", 1, 11, "filters must come before"),
        (r#"name == "x"#, 1, 9, "unterminated string"),
        ("order(name, up)", 1, 13, "direction"),
        ("a b", 1, 3, "expected a comparison"),
        ("age > 20 | count", 1, 12, "write `count()`"),
        ("orderAsc | count()", 1, 1, "write `orderAsc(key)`"),
        // a field named like an aggregation is still a field
        ("count b", 1, 7, "expected a comparison"),
    ] {
        let e = parse_query(src).unwrap_err();
        assert_eq!((e.line, e.column), (line, col), "{src}: {e}");
        assert!(e.message.contains(msg), "{src}: {e}");
    }
}

#[test]
fn json_form_errors() {
    for bad in [
        json!({"x": 1}),
        json!([["comparison", "~", "a", 1]]),
        json!([["object", []], ["exists", "a"]]),
        json!([["invoke", "order", ["a"]]]),
        json!([["frobnicate"]]),
    ] {
        assert!(query_from_json(&bad).is_err(), "{bad}");
    }
}

/// Range filters answered from the index return exactly what a scan returns, at every kind of
/// bound (strict and not, ints and floats, ints beyond 2^53 that share an index key, combined
/// with point lookups); strict number bounds leave the bound's own value out of the candidates.
#[test]
fn index_ranges_agree_with_a_scan() {
    let db = Database::memory(Options::default()).unwrap();
    let big = 1i64 << 53;
    let xs = [
        Value::Int(-3),
        Value::Int(0),
        Value::Float(-0.0),
        Value::Float(0.5),
        Value::Int(1),
        Value::Float(1.0),
        Value::Int(2),
        Value::Float(2.5),
        Value::Int(5),
        Value::Int(5),
        Value::Float(5.0),
        Value::Int(7),
        Value::Int(big),
        Value::Int(big + 1),
        Value::Int(big + 2),
        Value::Float(f64::INFINITY),
        s("5"),
    ];
    for (i, x) in xs.iter().enumerate() {
        db.save(map_of([
            (record::ID, r(&format!("x{i:02}"))),
            ("x", x.clone()),
            ("tag", s(if i % 2 == 0 { "a" } else { "b" })),
        ]))
        .unwrap();
    }
    let bounds = [
        "-3",
        "0",
        "0.0",
        "-0.0",
        "1",
        "1.0",
        "2.5",
        "5",
        "5.0",
        "6",
        "9007199254740992",
        "9007199254740993",
        "9007199254740994",
    ];
    let opts = QueryOptions::default();
    for b in bounds {
        for c in bounds {
            for q in [
                format!("x == {b}"),
                format!("x < {b}"),
                format!("x <= {b}"),
                format!("x > {b}"),
                format!("x >= {b}"),
                format!("x > {b} and x < {c}"),
                format!("x >= {b} and x <= {c}"),
                format!("x > {b} and x <= {c} and tag == \"a\""),
                format!("tag == \"b\" and x >= {b} and x < {c} and x < {b}"),
            ] {
                let indexed = parse_query(&q).unwrap();
                assert!(matches!(
                    query::plan(&db, &indexed, &opts).unwrap(),
                    Plan::Index(_)
                ));
                // `not not` is not answered from the indexes: every record is checked
                let scanned = parse_query(&format!("not (not ({q}))")).unwrap();
                assert_eq!(query::plan(&db, &scanned, &opts).unwrap(), Plan::Scan);
                assert_eq!(
                    ids(&query::run(&db, &indexed, &opts).unwrap()),
                    ids(&query::run(&db, &scanned, &opts).unwrap()),
                    "{q}"
                );
            }
        }
    }
    // the candidates of a strict bound leave out the bound's value (three records hold 5)
    let plan = |q: &str| query::plan(&db, &parse_query(q).unwrap(), &opts).unwrap();
    assert_eq!(plan("x < 5"), Plan::Index(8));
    assert_eq!(plan("x <= 5"), Plan::Index(11));
    assert_eq!(plan("x > 5"), Plan::Index(5));
    assert_eq!(plan("x > 2 and x < 7"), Plan::Index(4));
}

/// A range restricted to the candidates of a point lookup (more than the executor's
/// small-set cut-off) scans as many keys as there are candidates, then answers the value it
/// stopped in by point lookups of the candidates' exact keys, skips past it, does so for a
/// second value and scans the rest: candidates and rows are the same as a scan's, for number
/// and string ranges (strings holding NUL, whose keys are escaped, included).
#[test]
fn restricted_ranges_probe_exact_keys() {
    let db = Database::memory(Options::default()).unwrap();
    let strs = ["p", "p\0q", "pq", "p\0", "q", "o"];
    let n = 3000;
    let mut batch = Vec::new();
    for i in 0..n {
        let mut fields = vec![
            (record::ID, r(&format!("r{i:04}"))),
            (
                "g",
                s(if i % 151 == 0 {
                    "c"
                } else if i % 7 == 0 {
                    "a"
                } else {
                    "b"
                }),
            ),
            ("s", s(strs[i % strs.len()])),
        ];
        // a few floats between the ints, some records without n
        if i % 13 != 0 {
            let v = if i % 11 == 0 {
                Value::Float((i % 5) as f64 + 0.5)
            } else {
                Value::Int((i % 5) as i64)
            };
            fields.push(("n", v));
        }
        batch.push(map_of(fields));
    }
    db.save_batch(batch).unwrap();
    let opts = QueryOptions::default();
    for q in [
        "g == \"a\" and n >= 0 and n <= 4",
        "g == \"a\" and n >= 1 and n < 3",
        "g == \"a\" and n > 0 and n < 4.5",
        "g == \"a\" and n >= 2.5",
        "g == \"a\" and n < 1",
        "g == \"a\" and s >= \"p\" and s < \"q\"",
        "g == \"a\" and s > \"o\"",
        "g == \"b\" and n >= 1 and n <= 2",
        // few candidates: one value is probed exactly; a range of more values than are probed
        // is left to the re-check
        "g == \"c\" and n >= 1 and n <= 1",
        "g == \"c\" and n >= 0 and n <= 4",
        "g == \"c\" and s >= \"p\"",
    ] {
        let indexed = parse_query(q).unwrap();
        let Plan::Index(count) = query::plan(&db, &indexed, &opts).unwrap() else {
            panic!("{q} is not answered from the indexes");
        };
        let scanned = parse_query(&format!("not (not ({q}))")).unwrap();
        let want = ids(&query::run(&db, &scanned, &opts).unwrap());
        assert!(want.len() > 2, "{q} selects too little to test anything");
        assert_eq!(ids(&query::run(&db, &indexed, &opts).unwrap()), want, "{q}");
        // number bounds are exact: the candidates are the rows, unless the range was left to
        // the re-check (then they are every record with g == "c")
        let g_c = (0..n).filter(|i| i % 151 == 0).count();
        if q == "g == \"c\" and n >= 0 and n <= 4" {
            assert_eq!(count, g_c, "{q}");
        } else if q.contains(" n ") {
            assert_eq!(count, want.len(), "{q}");
        }
    }
}

/// `in`/`all_in` against a literal list value (what a rewritten `db.filter` sends for a list
/// held in a variable) are answered from the index like a written list, with the same rows;
/// `all in` of no values holds for every record (the evaluator's answer), so the index does
/// not narrow it to nothing.
#[test]
fn in_with_a_literal_list_value_uses_the_index() {
    let db = fixture();
    let opts = QueryOptions::default();
    let rows = |j: Json| ids(&query::run(&db, &query_from_json(&j).unwrap(), &opts).unwrap());
    let plan = |j: Json| query::plan(&db, &query_from_json(&j).unwrap(), &opts).unwrap();
    for op in ["in", "all_in"] {
        let literal = json!([[
            "comparison",
            op,
            ["token", "tags"],
            ["literal", ["math", "eng"]]
        ]]);
        let written = json!([["comparison", op, ["token", "tags"], ["list", "math", "eng"]]]);
        assert_eq!(rows(literal.clone()), rows(written), "{op}");
        assert!(matches!(plan(literal), Plan::Index(_)), "{op}");
    }
    let all_of_none = json!([["comparison", "all_in", ["token", "tags"], ["list"]]]);
    assert_eq!(rows(all_of_none.clone()), ["c1", "p1", "p2", "p3"]);
    assert_eq!(plan(all_of_none), Plan::Scan);
    let any_of_none = json!([["comparison", "in", ["token", "tags"], ["literal", []]]]);
    assert!(rows(any_of_none).is_empty());
}

/// The JSON form of a query AST is held to a nesting limit too (an AST built by a program
/// is not parsed from text): the deepest one accepted converts and runs on a default thread
/// stack, a deeper one is refused.
#[test]
fn deeply_nested_json_asts_are_refused() {
    let not_chain = |n: usize| {
        let mut j = json!(["comparison", "==", ["token", "a"], 1]);
        for _ in 0..n {
            j = json!(["not", j]);
        }
        json!([j])
    };
    // the stage list, the comparison, its key and the key's name take four of the levels
    let deepest = query::json::MAX_JSON_DEPTH - 4;
    let at_limit = not_chain(deepest);
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let q = query_from_json(&at_limit).unwrap();
            let db = Database::memory(Options::default()).unwrap();
            db.save(map_of([("a", Value::Int(1))])).unwrap();
            query::run(&db, &q, &QueryOptions::default()).unwrap();
            assert_eq!(query_from_json(&query_to_json(&q)).unwrap(), q);
        })
        .expect("spawn")
        .join()
        .expect("the deepest accepted AST runs within a 2 MiB stack");
    let e = query_from_json(&not_chain(deepest + 1)).unwrap_err();
    assert!(e.to_string().contains("nested more than"), "{e}");
}

/// A query string nested `n` levels deep.
type Nested = fn(usize) -> String;

/// Nesting deeper than `MAX_NESTING` (`not`s, parentheses, lists, projections, subqueries) is a
/// parse error with a position, not a stack overflow, on a default-sized thread stack: a query
/// string may come from the network.
#[test]
fn deeply_nested_queries_are_refused_with_a_position() {
    let max = query::MAX_NESTING;
    let shapes: [(&str, Nested); 6] = [
        ("not", |n| format!("{}a == 1", "not ".repeat(n))),
        // a flat chain nests the tree too, one level per operator
        ("arithmetic", |n| format!("a == 1{}", " + 1".repeat(n))),
        ("parentheses", |n| {
            format!("{}a == 1{}", "(".repeat(n), ")".repeat(n))
        }),
        ("lists", |n| {
            format!("a in {}1{}", "[".repeat(n), "]".repeat(n))
        }),
        ("projection", |n| {
            format!("a == 1 | {}1{}", "{ b: ".repeat(n), " }".repeat(n))
        }),
        ("subquery", |n| {
            format!("{}a == 1{}", "x.(".repeat(n), ")".repeat(n))
        }),
    ];
    for (what, make) in shapes {
        // At the limit it parses, prints, goes through JSON and runs, on a default thread
        // stack (a projection's outermost braces are the stage itself).
        let limit = if what == "projection" { max + 1 } else { max };
        let at_limit = make(limit);
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let q = parse_query(&at_limit).unwrap_or_else(|e| panic!("{what}: {e}"));
                assert_eq!(parse_query(&print_query(&q)).unwrap(), q, "{what}");
                assert_eq!(query_from_json(&query_to_json(&q)).unwrap(), q, "{what}");
                let db = Database::memory(Options::default()).unwrap();
                db.save(map_of([("a", Value::Int(1))])).unwrap();
                query::run(&db, &q, &QueryOptions::default())
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
            })
            .expect("spawn")
            .join()
            .unwrap_or_else(|_| panic!("{what} at the limit"));
        let deep = make(100_000);
        let result = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || parse_query(&deep).map(drop))
            .expect("spawn")
            .join()
            .expect("parsing stayed within a 2 MiB stack (a thread's default)");
        let e = result.expect_err(what);
        assert!(
            e.message
                .contains(&format!("nested more than {max} levels")),
            "{what}: {e}"
        );
        assert!(e.offset > 0, "{what}: the error has a position: {e}");
    }
}
