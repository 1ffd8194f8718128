//! `result` (facts §5.6) is written in Mix (`stdlib/result.mix`). Its one primitive is
//! `failWith`, which `result.get` uses to fail with an error value of any type: what `fail` does
//! at run time (a string error as it is, any other value printed as a Mix literal), which Mix
//! cannot say because `fail` is typed `string -> A`.

use super::common::{def, error_message};
use crate::error::{RtError, RtResult};
use crate::native::{Host, NativeDef};
use crate::value::Value;

pub fn natives() -> Vec<NativeDef> {
    vec![def("result.failWith", 1, fail_with)]
}

fn fail_with(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Err(RtError::fail(error_message(&args[0])))
}

#[cfg(test)]
mod tests {
    use crate::error::ErrorKind;
    use crate::natives::test_host::call;
    use crate::value::Value;

    #[test]
    fn fail_with_prints_the_error() {
        let e = call("result.failWith", &[Value::str("boom")]).unwrap_err();
        assert_eq!((e.kind, e.message.as_str()), (ErrorKind::Fail, "boom"));
        let e = call("result.failWith", &[Value::Int(4)]).unwrap_err();
        assert_eq!(e.message, "4");
        let e = call("result.failWith", &[Value::array(vec![Value::str("x")])]).unwrap_err();
        assert_eq!(e.message, "[\"x\"]");
    }
}
