//! `testing` (facts §5.56 and this project's assertions, spec §6). The assertions fail with
//! `RtError::fail` (catchable by `try`, reported by `mixc test` at the call's position) and a
//! message naming the assertion and showing the values as Mix literals:
//! `assertEqual: expected 3, got 4`. Equality is the language's deep `==` (`1 == 1.0`).
//!
//! The recording and replay functions of the facts need the app host (appstate, a database of
//! recorded tests, the view layer); this runtime has none, so they exist (modules that mention
//! them load) and raise a run-time error saying so. `emptyConfigChecks` and `emptyOverrides`
//! are plain records.

use super::common::{def, new_obj};
use crate::error::{RtError, RtResult};
use crate::native::{Host, NativeDef};
use crate::print::literal;
use crate::value::{Obj, Value};

pub fn natives() -> Vec<NativeDef> {
    vec![
        def("testing.assertTrue", 1, assert_true),
        def("testing.assertFalse", 1, assert_false),
        def("testing.assertEqual", 2, assert_equal),
        def("testing.assertNotEqual", 2, assert_not_equal),
        def("testing.assertFails", 1, assert_fails),
        def("testing.emptyConfigChecks", 0, empty_config_checks),
        def("testing.emptyOverrides", 0, empty_overrides),
        def("testing.startRecording", 2, unavailable::<0>),
        def("testing.stopRecording", 1, unavailable::<1>),
        def("testing.createTestSequence", 6, unavailable::<2>),
        def("testing.listAll", 1, unavailable::<3>),
        def("testing.listForScreen", 2, unavailable::<4>),
        def("testing.delete", 3, unavailable::<5>),
        def("testing.snapshotCreate", 3, unavailable::<6>),
        def("testing.snapshotRestore", 3, unavailable::<7>),
        def("testing.snapshotDelete", 3, unavailable::<8>),
        def("testing.snapshotList", 1, unavailable::<9>),
        def("testing.snapshotTimestamp", 2, unavailable::<10>),
        def("testing.replayTest", 4, unavailable::<11>),
        def("testing.replayTestInSession", 4, unavailable::<12>),
        def("testing.replayAllTests", 2, unavailable::<13>),
        def("testing.brpPull", 1, unavailable::<14>),
        def("testing.brpInstruct", 2, unavailable::<15>),
    ]
}

const HOST_ONLY: [&str; 16] = [
    "startRecording",
    "stopRecording",
    "createTestSequence",
    "listAll",
    "listForScreen",
    "delete",
    "snapshotCreate",
    "snapshotRestore",
    "snapshotDelete",
    "snapshotList",
    "snapshotTimestamp",
    "replayTest",
    "replayTestInSession",
    "replayAllTests",
    "brpPull",
    "brpInstruct",
];

fn unavailable<const N: usize>(_: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    Err(RtError::runtime(format!(
        "testing.{} needs the app host (recorded UI tests), which this runtime does not provide",
        HOST_ONLY[N]
    )))
}

fn assert_true(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    match &args[0] {
        Value::Bool(true) => Ok(Value::Null),
        other => Err(RtError::fail(format!("assertTrue: got {}", literal(other)))),
    }
}

fn assert_false(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    match &args[0] {
        Value::Bool(false) => Ok(Value::Null),
        other => Err(RtError::fail(format!(
            "assertFalse: got {}",
            literal(other)
        ))),
    }
}

fn assert_equal(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let (expected, actual) = (&args[0], &args[1]);
    if expected == actual {
        return Ok(Value::Null);
    }
    let mut message = format!(
        "assertEqual: expected {}, got {}",
        literal(expected),
        literal(actual)
    );
    // Inside arrays, records and cases, where they part: in a large value the two literals
    // alone leave the reader to find it.
    let mut path = String::new();
    let how = match first_difference(expected, actual, &mut path) {
        // the two values themselves are the difference: nothing to add
        Some(Difference::Values(..)) if path.is_empty() => None,
        Some(Difference::Values(x, y)) => {
            Some(format!("expected {}, got {}", literal(x), literal(y)))
        }
        Some(Difference::Shape(how)) => Some(how),
        None => None,
    };
    if let Some(how) = how {
        let at = if path.is_empty() {
            String::new()
        } else {
            format!(" at {path}")
        };
        message.push_str(&format!("\n  they differ{at}: {how}"));
    }
    Err(RtError::fail(message))
}

/// How two values differ where they first do.
enum Difference<'v> {
    /// These two values (scalars, or values of different kinds or cases).
    Values(&'v Value, &'v Value),
    /// A length or the keys: `expected a length of 2, got 3`, `` `b` is missing ``.
    Shape(String),
}

/// Where two unequal values first differ, as a path from the root (`[1].name`, a case's
/// argument as `.some(…)`) written into `path`, and how. `None` when they are equal.
fn first_difference<'v>(
    expected: &'v Value,
    actual: &'v Value,
    path: &mut String,
) -> Option<Difference<'v>> {
    if expected == actual {
        return None;
    }
    match (expected, actual) {
        (Value::Array(a), Value::Array(b)) => {
            if let Some(i) = (0..a.len().min(b.len())).find(|&i| a[i] != b[i]) {
                path.push_str(&format!("[{i}]"));
                return first_difference(&a[i], &b[i], path);
            }
            Some(Difference::Shape(format!(
                "expected a length of {}, got {}",
                a.len(),
                b.len()
            )))
        }
        (Value::Obj(a), Value::Obj(b)) => {
            if let Some(key) = a.keys().find(|k| !b.contains_key(&***k)) {
                return Some(Difference::Shape(format!("`{key}` is missing")));
            }
            if let Some(key) = b.keys().find(|k| !a.contains_key(&***k)) {
                return Some(Difference::Shape(format!("`{key}` was not expected")));
            }
            let (key, x) = a.iter().find(|(k, v)| b.get(&***k) != Some(*v))?;
            path.push_str(&format!(".{key}"));
            first_difference(x, b.get(&**key)?, path)
        }
        (Value::Case(a), Value::Case(b)) if a.name == b.name => {
            let (x, y) = (a.arg.as_ref()?, b.arg.as_ref()?);
            path.push_str(&format!(".{}(…)", a.name));
            first_difference(x, y, path)
        }
        _ => Some(Difference::Values(expected, actual)),
    }
}

fn assert_not_equal(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if args[0] != args[1] {
        Ok(Value::Null)
    } else {
        Err(RtError::fail(format!(
            "assertNotEqual: both are {}",
            literal(&args[1])
        )))
    }
}

fn assert_fails(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    match host.call(&args[0], &[Value::Null]) {
        Ok(v) => Err(RtError::fail(format!(
            "assertFails: the function returned {} instead of failing",
            literal(&v)
        ))),
        Err(e) if e.catchable() => Ok(Value::Null),
        Err(e) => Err(e),
    }
}

fn empty_config_checks(_: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    let mut m = Obj::new();
    for k in [
        "enableColor",
        "enableIcon",
        "enableImage",
        "enableInput",
        "enableStyle",
        "enableText",
    ] {
        m.insert(k.into(), Value::Bool(false));
    }
    Ok(new_obj(m))
}

fn empty_overrides(_: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    let mut m = Obj::new();
    m.insert("snapshot".into(), Value::Null);
    m.insert("delay".into(), Value::Int(0));
    m.insert("breakAndResume".into(), Value::Null);
    m.insert("breakBeforeInvoke".into(), Value::Bool(false));
    Ok(new_obj(m))
}

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)]
mod tests {
    use crate::error::ErrorKind;
    use crate::natives::test_host::{call, native};
    use crate::value::Value;

    fn msg(name: &str, args: &[Value]) -> String {
        let e = call(name, args).expect_err("should fail");
        assert_eq!(e.kind, ErrorKind::Fail);
        e.message.clone()
    }

    #[test]
    fn assertions() {
        assert_eq!(
            call("testing.assertTrue", &[Value::Bool(true)]),
            Ok(Value::Null)
        );
        assert_eq!(
            msg("testing.assertTrue", &[Value::Bool(false)]),
            "assertTrue: got false"
        );
        assert_eq!(
            msg("testing.assertTrue", &[Value::Undefined]),
            "assertTrue: got undefined"
        );
        assert_eq!(
            call("testing.assertFalse", &[Value::Bool(false)]),
            Ok(Value::Null)
        );
        assert_eq!(
            msg("testing.assertFalse", &[Value::Null]),
            "assertFalse: got null"
        );
        assert_eq!(
            call("testing.assertEqual", &[Value::Int(3), Value::Float(3.0)]),
            Ok(Value::Null)
        );
        assert_eq!(
            msg("testing.assertEqual", &[Value::Int(3), Value::Int(4)]),
            "assertEqual: expected 3, got 4"
        );
        assert_eq!(
            msg(
                "testing.assertEqual",
                &[Value::str("é"), Value::array(vec![Value::Null])]
            ),
            "assertEqual: expected \"é\", got [null]"
        );
        assert_eq!(
            call("testing.assertEqual", &[Value::Undefined, Value::Undefined]),
            Ok(Value::Null)
        );
        assert_eq!(
            call("testing.assertNotEqual", &[Value::Int(3), Value::Int(4)]),
            Ok(Value::Null)
        );
        assert_eq!(
            msg("testing.assertNotEqual", &[Value::Int(3), Value::Int(3)]),
            "assertNotEqual: both are 3"
        );
    }

    #[test]
    fn assert_fails_catches_errors_only() {
        // option.get(null) fails: assertFails passes
        assert_eq!(
            call("testing.assertFails", &[native("option.get")]),
            Ok(Value::Null)
        );
        // array.length(null) is 0: assertFails fails
        assert_eq!(
            msg("testing.assertFails", &[native("array.length")]),
            "assertFails: the function returned 0 instead of failing"
        );
    }

    #[test]
    fn records_and_host_only_functions() {
        let c = call("testing.emptyConfigChecks", &[]).unwrap();
        assert_eq!(
            c.to_string(),
            "{enableColor: false, enableIcon: false, enableImage: false, enableInput: false, enableStyle: false, enableText: false}"
        );
        let o = call("testing.emptyOverrides", &[]).unwrap();
        assert_eq!(
            o.to_string(),
            "{breakAndResume: null, breakBeforeInvoke: false, delay: 0, snapshot: null}"
        );
        let e = call("testing.listAll", &[Value::Null]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Runtime);
        assert!(e.message.starts_with("testing.listAll needs the app host"));
        let e = call("testing.brpInstruct", &[Value::Null, Value::Null]).unwrap_err();
        assert!(e.message.starts_with("testing.brpInstruct"));
    }
}
