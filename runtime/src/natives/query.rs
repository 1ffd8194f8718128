//! `query` (facts §5.19, §6.5): builders of query-AST nodes, the JSON form of spec §7, as Mix
//! data (arrays whose first element names the node). `db.process`, `db.processPipeline` and
//! `db.eval` hand them to the store's query engine.
//!
//! Values in comparisons: scalars, maps, refs and cases stand for themselves; an array is a
//! list (`["list", …]`) unless it already is a value node (`["list", …]`, `["literal", v]`,
//! `["calculation", …]` or a key node), which is kept as it is. A field name is a bare key
//! (`"a.b"` names a nested field). An `undefined` argument makes the node `undefined`.

use std::rc::Rc;

use super::common::{def, expected};
use crate::error::RtResult;
use crate::native::{Host, NativeDef};
use crate::value::{Obj, Value};

pub fn natives() -> Vec<NativeDef> {
    vec![
        def("query.cmp", 3, cmp),
        def("query.cmpExpr", 3, cmp_expr),
        def("query.eq", 2, eq),
        def("query.neq", 2, neq),
        def("query.lt", 2, lt),
        def("query.gt", 2, gt),
        def("query.le", 2, le),
        def("query.ge", 2, ge),
        def("query.contains", 2, contains),
        def("query.like", 2, like),
        def("query.featuresOne", 2, features_one),
        def("query.featuresAll", 2, features_all),
        def("query.nullFilter", 0, null_filter),
        def("query.token", 1, token),
        def("query.exists", 1, exists),
        def("query.afterWatermark", 1, after_watermark),
        def("query.afterRow", 1, after_row),
        def("query.not_", 1, not),
        def("query.and", 1, and),
        def("query.or", 1, or),
        def("query.invoke", 2, invoke),
        def("query.object", 1, object),
        def("query.cloneMembers", 0, clone_members),
        def(
            "query.cloneMembersWithExpansion",
            0,
            clone_members_with_expansion,
        ),
        def("query.assignMember", 2, assign_member),
        def("query.removeMember", 1, remove_member),
        def("query.objectMember", 2, object_member),
        def("query.followRef", 1, follow_ref),
        def("query.scalarFallback", 1, scalar),
        def("query.scalarIndexed", 1, scalar),
        def("query.listFallback", 1, list),
        def("query.listIndexed", 1, list),
        def("query.count", 0, count),
        def("query.group", 1, group),
        def("query.filterOfMap", 1, filter_of_map),
        def("query.filterOfMapFallback", 1, filter_of_map),
        def("query.projectionOfMap", 1, projection_of_map),
    ]
}

/// A node `[name, parts…]`.
pub(crate) fn node(name: &str, parts: Vec<Value>) -> Value {
    let mut items = Vec::with_capacity(parts.len() + 1);
    items.push(Value::str(name));
    items.extend(parts);
    Value::array(items)
}

/// `undefined` arguments bubble out of the builder.
macro_rules! defined {
    ($($v:expr),+) => {
        $(if $v.is_undefined() {
            return Ok(Value::Undefined);
        })+
    };
}

/// Node names that already make an array a value or key node.
const VALUE_NODES: [&str; 7] = [
    "list",
    "literal",
    "calculation",
    "token",
    "objectMember",
    "param",
    "object",
];

/// A comparison's right-hand side: arrays become lists (unless already a value node).
fn value_node(v: &Value) -> Value {
    match v {
        Value::Array(items) => {
            if let Some(Value::Str(s)) = items.first() {
                if VALUE_NODES.contains(&s.as_str()) {
                    return v.clone();
                }
            }
            node("list", items.iter().map(value_node).collect())
        }
        other => other.clone(),
    }
}

fn field<'a>(name: &str, v: &'a Value) -> RtResult<&'a Value> {
    match v {
        Value::Str(_) => Ok(v),
        other => Err(expected(name, "a field name (a string)", other)),
    }
}

fn comparison(name: &str, op: &str, key: &Value, value: &Value) -> RtResult<Value> {
    defined!(key, value);
    Ok(node(
        "comparison",
        vec![Value::str(op), field(name, key)?.clone(), value_node(value)],
    ))
}

fn cmp(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    defined!(args[0]);
    let Value::Str(op) = &args[0] else {
        return Err(expected("query.cmp", "an operator (a string)", &args[0]));
    };
    comparison("query.cmp", op, &args[1], &args[2])
}

fn cmp_expr(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    defined!(args[0], args[1], args[2]);
    let Value::Str(_) = &args[0] else {
        return Err(expected(
            "query.cmpExpr",
            "an operator (a string)",
            &args[0],
        ));
    };
    Ok(node(
        "comparison",
        vec![args[0].clone(), args[1].clone(), value_node(&args[2])],
    ))
}

macro_rules! comparisons {
    ($($f:ident => $name:literal, $op:literal;)*) => {
        $(fn $f(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
            comparison($name, $op, &args[0], &args[1])
        })*
    };
}

comparisons! {
    eq => "query.eq", "==";
    neq => "query.neq", "!=";
    lt => "query.lt", "<";
    gt => "query.gt", ">";
    le => "query.le", "<=";
    ge => "query.ge", ">=";
    contains => "query.contains", "contains";
    like => "query.like", "like";
    features_one => "query.featuresOne", "in";
    features_all => "query.featuresAll", "all_in";
}

fn null_filter(_: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    Ok(node("nullFilter", vec![]))
}

fn token(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    defined!(args[0]);
    Ok(node("token", vec![field("query.token", &args[0])?.clone()]))
}

fn exists(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    defined!(args[0]);
    Ok(node(
        "exists",
        vec![field("query.exists", &args[0])?.clone()],
    ))
}

/// Records after a revision (an `_rmx_rev` id, as a string or a ref).
fn after_watermark(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    defined!(args[0]);
    match &args[0] {
        Value::Str(_) | Value::Ref(_) => Ok(node("after", vec![args[0].clone()])),
        other => Err(expected("query.afterWatermark", "a revision id", other)),
    }
}

/// Records written after a local row (sequence) number.
fn after_row(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    defined!(args[0]);
    let n = super::common::int("query.afterRow", &args[0])?;
    Ok(node("after", vec![Value::Int(n)]))
}

fn not(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    defined!(args[0]);
    Ok(node("not", vec![args[0].clone()]))
}

fn nodes(name: &str, v: &Value) -> RtResult<Vec<Value>> {
    match v {
        Value::Array(items) => Ok(items.to_vec()),
        other => Err(expected(name, "an array of query-AST nodes", other)),
    }
}

fn and(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    defined!(args[0]);
    Ok(node("and", nodes("query.and", &args[0])?))
}

fn or(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    defined!(args[0]);
    Ok(node("or", nodes("query.or", &args[0])?))
}

fn invoke(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    defined!(args[0], args[1]);
    let Value::Str(_) = &args[0] else {
        return Err(expected(
            "query.invoke",
            "a function name (a string)",
            &args[0],
        ));
    };
    let params = nodes("query.invoke", &args[1])?;
    Ok(node("invoke", vec![args[0].clone(), Value::array(params)]))
}

fn object(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    defined!(args[0]);
    let members = nodes("query.object", &args[0])?;
    Ok(node("object", vec![Value::array(members)]))
}

fn clone_members(_: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    Ok(node("cloneMembers", vec![]))
}

fn clone_members_with_expansion(_: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    Ok(node("cloneMembersWithExpansion", vec![]))
}

/// `assignMember(key, value)`: in a projection a string names a field (`["literal", s]` is a
/// string constant, see `scalarFallback`).
fn assign_member(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    defined!(args[0], args[1]);
    let key = field("query.assignMember", &args[0])?.clone();
    Ok(node("assignMember", vec![key, args[1].clone()]))
}

fn remove_member(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    defined!(args[0]);
    Ok(node(
        "removeMember",
        vec![field("query.removeMember", &args[0])?.clone()],
    ))
}

/// `objectMember(expr, key)`: `["objectMember", expr, ["token", key]]` (`null` for the root).
fn object_member(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    defined!(args[0], args[1]);
    let key = field("query.objectMember", &args[1])?.clone();
    Ok(node(
        "objectMember",
        vec![args[0].clone(), node("token", vec![key])],
    ))
}

fn follow_ref(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    defined!(args[0]);
    Ok(node("followRef", vec![args[0].clone()]))
}

/// A scalar constant: `["literal", v]` (a string constant even inside a projection). The
/// engine indexes every indexable value, so the indexed and fallback forms are the same node.
fn scalar(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    defined!(args[0]);
    Ok(node("literal", vec![args[0].clone()]))
}

/// A list constant `["list", v…]` from an array.
fn list(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    defined!(args[0]);
    let items = match &args[0] {
        Value::Array(items) => items.iter().map(value_node).collect(),
        other => return Err(expected("query.listIndexed", "an array", other)),
    };
    Ok(node("list", items))
}

fn count(_: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    Ok(node(
        "invoke",
        vec![Value::str("count"), Value::array(vec![])],
    ))
}

fn group(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    defined!(args[0]);
    let key = field("query.group", &args[0])?.clone();
    Ok(node(
        "invoke",
        vec![Value::str("group"), Value::array(vec![key])],
    ))
}

/// `filterOfMap({a: "A", b: {c: true}})` = `and([eq("a", "A"), eq("b.c", true)])`.
fn filter_of_map(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    defined!(args[0]);
    let Value::Obj(m) = &args[0] else {
        return Err(expected("query.filterOfMap", "a map", &args[0]));
    };
    fn walk(prefix: &str, m: &Obj, out: &mut Vec<Value>) {
        for (k, v) in m.iter() {
            let key = if prefix.is_empty() {
                k.to_string()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                Value::Obj(inner) if !inner.is_empty() => walk(&key, inner, out),
                _ => out.push(node(
                    "comparison",
                    vec![Value::str("=="), Value::str(key), value_node(v)],
                )),
            }
        }
    }
    let mut parts = Vec::new();
    walk("", m, &mut parts);
    Ok(node("and", parts))
}

/// `projectionOfMap({a: 1, b: 1})` = `object([assignMember("a", "a"), assignMember("b", "b")])`:
/// only the keys matter.
fn projection_of_map(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    defined!(args[0]);
    let Value::Obj(m) = &args[0] else {
        return Err(expected("query.projectionOfMap", "a map", &args[0]));
    };
    let members = m
        .keys()
        .map(|k| {
            let k = Value::Str(Rc::new(k.to_string()));
            node("assignMember", vec![k.clone(), k])
        })
        .collect();
    Ok(node("object", vec![Value::array(members)]))
}

#[cfg(test)]
mod tests {
    use super::super::common::testkit::{ok, strs};
    use crate::value::Value;

    fn json(v: &Value) -> String {
        crate::db::to_json(v, "a test").unwrap().to_string()
    }

    #[test]
    fn builders_make_the_json_nodes_of_the_facts() {
        let eq = ok("query.eq", &[Value::str("status"), Value::str("open")]);
        assert_eq!(json(&eq), r#"["comparison","==","status","open"]"#);
        let gt = ok("query.gt", &[Value::str("p"), Value::Int(2)]);
        let and = ok("query.and", &[Value::array(vec![eq.clone(), gt])]);
        assert_eq!(
            json(&and),
            r#"["and",["comparison","==","status","open"],["comparison",">","p",2]]"#
        );
        let one = ok(
            "query.featuresOne",
            &[Value::str("tags"), strs(&["a", "b"])],
        );
        assert_eq!(json(&one), r#"["comparison","in","tags",["list","a","b"]]"#);
        let listed = ok("query.listIndexed", &[strs(&["a"])]);
        let all = ok("query.featuresAll", &[Value::str("tags"), listed]);
        assert_eq!(json(&all), r#"["comparison","all_in","tags",["list","a"]]"#);
        assert_eq!(json(&ok("query.nullFilter", &[])), r#"["nullFilter"]"#);
        assert_eq!(json(&ok("query.count", &[])), r#"["invoke","count",[]]"#);
        assert_eq!(
            json(&ok("query.group", &[Value::str("k")])),
            r#"["invoke","group",["k"]]"#
        );
        assert_eq!(
            json(&ok("query.objectMember", &[Value::Null, Value::str("f")])),
            r#"["objectMember",null,["token","f"]]"#
        );
        assert_eq!(
            json(&ok("query.not_", &[eq])),
            r#"["not",["comparison","==","status","open"]]"#
        );
        assert!(ok("query.eq", &[Value::str("a"), Value::Undefined]).is_undefined());
    }

    #[test]
    fn map_constructors_flatten_and_keep_keys() {
        let mut inner = crate::value::Obj::new();
        inner.insert("c".into(), Value::Bool(true));
        let mut m = crate::value::Obj::new();
        m.insert("a".into(), Value::str("A"));
        m.insert("b".into(), Value::obj(inner));
        let m = Value::obj(m);
        assert_eq!(
            json(&ok("query.filterOfMap", std::slice::from_ref(&m))),
            r#"["and",["comparison","==","a","A"],["comparison","==","b.c",true]]"#
        );
        assert_eq!(
            json(&ok("query.projectionOfMap", &[m])),
            r#"["object",[["assignMember","a","a"],["assignMember","b","b"]]]"#
        );
    }

    #[test]
    fn every_node_parses_as_engine_ast() {
        let eq = ok("query.eq", &[Value::str("a"), Value::Int(1)]);
        let nodes = [
            eq.clone(),
            ok("query.exists", &[Value::str("a")]),
            ok("query.afterRow", &[Value::Int(3)]),
            ok("query.or", &[Value::array(vec![eq.clone(), eq.clone()])]),
            ok("query.like", &[Value::str("a"), Value::str("x%")]),
            ok(
                "query.object",
                &[Value::array(vec![
                    ok("query.cloneMembers", &[]),
                    ok("query.removeMember", &[Value::str("b")]),
                    ok(
                        "query.assignMember",
                        &[
                            Value::str("c"),
                            ok("query.scalarFallback", &[Value::str("lit")]),
                        ],
                    ),
                ])],
            ),
            ok("query.invoke", &[Value::str("orderAsc"), strs(&["a"])]),
        ];
        for n in nodes {
            let j = crate::db::to_json(&n, "a test").unwrap();
            mix_store::query::query_from_json(&j).unwrap_or_else(|e| panic!("{j}: {e}"));
        }
    }
}
