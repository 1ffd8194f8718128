//! A `Host` for unit tests of natives: it can call natives and partial applications of them
//! (enough for `array.map(number.abs)`-style tests) but no compiled Mix code.

use crate::error::{RtError, RtResult};
use crate::native::Host;
use crate::value::{Func, Value};

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
    let index = super::table()
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

impl Host for TestHost {
    fn call(&mut self, function: &Value, args: &[Value]) -> RtResult<Value> {
        let Value::Func(f) = function else {
            return Err(RtError::runtime("not a function"));
        };
        match &**f {
            Func::Native { native } => {
                let table = super::table();
                let def = table[*native as usize];
                let arity = def.arity as usize;
                if args.len() < arity {
                    return Ok(Value::Func(std::rc::Rc::new(Func::Partial {
                        callee: function.clone(),
                        args: args.into(),
                    })));
                }
                let result = (def.f)(self, &args[..arity])?;
                if args.len() > arity {
                    self.call(&result, &args[arity..])
                } else {
                    Ok(result)
                }
            }
            Func::Partial { callee, args: first } => {
                let mut all = first.to_vec();
                all.extend_from_slice(args);
                self.call(callee, &all)
            }
            Func::Closure { .. } => Err(RtError::runtime("TestHost cannot run compiled code")),
        }
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
