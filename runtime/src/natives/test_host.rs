//! A `Host` for unit tests of natives: it can call natives and partial applications of them
//! (enough for `array.map(number.abs)`-style tests) but no compiled Mix code. The `option`
//! functions are written in Mix, so the few that tests pass as arguments are stood in for here
//! by test-only natives (`option.exists`, …) with the same behaviour.

use crate::error::{RtError, RtResult};
use crate::native::{Host, NativeDef};
use crate::value::{Func, Value};

/// The runtime's natives, then the test-only stand-ins for Mix-written functions.
fn table() -> Vec<NativeDef> {
    let mut all = super::table();
    all.extend(stand_ins());
    all
}

/// `option.create`, `exists`, `safeGet` and `get` as natives, for tests of higher-order natives
/// (the real ones are in `stdlib/option.mix`).
fn stand_ins() -> Vec<NativeDef> {
    fn view(v: &Value) -> RtResult<Option<Option<Value>>> {
        match v {
            Value::Undefined => Ok(None),
            Value::Null => Ok(Some(None)),
            Value::Case(c) if &*c.name == "some" && c.arg.is_some() => Ok(Some(c.arg.clone())),
            other => Err(RtError::runtime(format!(
                "expected an option, got {}",
                other.kind()
            ))),
        }
    }
    fn create(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
        Ok(match &args[0] {
            Value::Undefined => Value::Null,
            v => Value::case("some", Some(v.clone())),
        })
    }
    fn exists(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
        Ok(view(&args[0])?.map_or(Value::Undefined, |o| Value::Bool(o.is_some())))
    }
    fn safe_get(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
        Ok(view(&args[0])?.flatten().unwrap_or(Value::Undefined))
    }
    fn get(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
        match view(&args[0])? {
            None => Ok(Value::Undefined),
            Some(Some(x)) => Ok(x),
            Some(None) => Err(RtError::fail("option.get: the option is null")),
        }
    }
    vec![
        super::common::def("option.create", 1, create),
        super::common::def("option.exists", 1, exists),
        super::common::def("option.safeGet", 1, safe_get),
        super::common::def("option.get", 1, get),
    ]
}

pub struct TestHost {
    pub random: u64,
    pub now: i64,
    pub logged: Vec<String>,
    pub steps: u64,
    pub database: Option<crate::db::Database>,
}

impl Default for TestHost {
    fn default() -> Self {
        TestHost {
            random: 42,
            now: 1_700_000_000_000,
            logged: Vec::new(),
            steps: 0,
            database: None,
        }
    }
}

/// A function value for a native by qualified name.
pub fn native(name: &str) -> Value {
    let index = table()
        .iter()
        .position(|d| d.name == name)
        .unwrap_or_else(|| panic!("no native {name}"));
    Value::Func(std::rc::Rc::new(Func::Native {
        native: index as u32,
    }))
}

/// Calls a native by qualified name with all its arguments.
pub fn call(name: &str, args: &[Value]) -> RtResult<Value> {
    TestHost::default().call(&native(name), args)
}

/// Calls a native or a partial application of one, as the VM would (curried: fewer arguments
/// make a partial, more apply the result to the rest). Test hosts share it; compiled closures
/// need the VM.
pub(crate) fn call_native_value(
    host: &mut dyn Host,
    function: &Value,
    args: &[Value],
) -> RtResult<Value> {
    let Value::Func(f) = function else {
        return Err(RtError::runtime("not a function"));
    };
    match &**f {
        Func::Native { native } => {
            let def = table()[*native as usize];
            let arity = def.arity as usize;
            if args.len() < arity {
                return Ok(Value::Func(std::rc::Rc::new(Func::Partial {
                    callee: function.clone(),
                    args: args.into(),
                })));
            }
            let result = def.call(host, &args[..arity])?;
            if args.len() > arity {
                host.call(&result, &args[arity..])
            } else {
                Ok(result)
            }
        }
        Func::Partial {
            callee,
            args: first,
        } => {
            let mut all = first.to_vec();
            all.extend_from_slice(args);
            host.call(callee, &all)
        }
        Func::Closure { .. } => Err(RtError::runtime("a test host cannot run compiled code")),
    }
}

impl Host for TestHost {
    fn call(&mut self, function: &Value, args: &[Value]) -> RtResult<Value> {
        call_native_value(self, function, args)
    }

    fn charge(&mut self, steps: u64) -> RtResult<()> {
        self.steps += steps;
        Ok(())
    }

    fn check_memory(&mut self) -> RtResult<()> {
        Ok(())
    }

    fn random_state(&mut self) -> &mut u64 {
        &mut self.random
    }

    fn now_millis(&mut self) -> i64 {
        self.now
    }

    fn log(&mut self, line: &str) {
        self.logged.push(line.to_string());
    }

    fn database(&mut self) -> &mut crate::db::Database {
        self.database
            .get_or_insert_with(crate::db::Database::in_memory)
    }
}
