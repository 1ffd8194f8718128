//! `logging` (facts §5.34): one line to the host's log (stderr under `mixc run`), prefixed with
//! the level: `info: …`, `warning: …`, `error: …`. A non-string message is printed as a Mix
//! literal (so `undefined` logs `undefined` rather than vanishing).

use super::common::def;
use crate::error::RtResult;
use crate::native::{Host, NativeDef};
use crate::value::Value;

pub fn natives() -> Vec<NativeDef> {
    vec![
        def("logging.info", 1, info),
        def("logging.warning", 1, warning),
        def("logging.error", 1, error),
        def("logging.debugValue", 1, debug_value),
    ]
}

fn log(host: &mut dyn Host, level: &str, v: &Value) -> RtResult<Value> {
    let line = match v {
        Value::Str(s) => format!("{level}: {s}"),
        other => format!("{level}: {}", crate::print::literal(other)),
    };
    host.log(&line);
    Ok(Value::Null)
}

fn info(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    log(host, "info", &args[0])
}

fn warning(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    log(host, "warning", &args[0])
}

fn error(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    log(host, "error", &args[0])
}

/// Always the literal form, strings quoted: `debug("x")` shows that it is a string.
fn debug_value(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    host.log(&format!("debug: {}", crate::print::literal(&args[0])));
    Ok(Value::Null)
}

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)]
mod tests {
    use crate::native::Host;
    use crate::natives::test_host::{native, TestHost};
    use crate::value::Value;

    #[test]
    fn levels_and_values() {
        let mut host = TestHost::default();
        for (name, v) in [
            ("logging.info", Value::str("héllo\nworld")),
            ("logging.warning", Value::Int(3)),
            ("logging.error", Value::Undefined),
            ("logging.info", Value::str("")),
        ] {
            assert_eq!(host.call(&native(name), &[v]), Ok(Value::Null));
        }
        assert_eq!(
            host.logged,
            vec![
                "info: héllo\nworld",
                "warning: 3",
                "error: undefined",
                "info: "
            ]
        );
    }

    #[test]
    fn debug_value_shows_literals() {
        let mut host = TestHost::default();
        let v = Value::array(vec![Value::str("a"), Value::Float(2.5)]);
        assert_eq!(
            host.call(&native("logging.debugValue"), &[v]),
            Ok(Value::Null)
        );
        assert_eq!(host.logged, vec!["debug: [\"a\", 2.5]"]);
    }
}
