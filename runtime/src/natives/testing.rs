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
    if args[0] == args[1] {
        Ok(Value::Null)
    } else {
        Err(RtError::fail(format!(
            "assertEqual: expected {}, got {}",
            literal(&args[0]),
            literal(&args[1])
        )))
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
