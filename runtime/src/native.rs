//! The interface between the VM and native primitives. A native is a plain function over
//! values; it reaches the VM (to call a Mix closure, to charge its work against the limits, for
//! the random state or the clock) only through [`Host`], so natives can be tested without one.

use crate::error::RtResult;
use crate::value::Value;

/// What a native may ask of the machine running it.
pub trait Host {
    /// Calls a Mix function value (closure, native or partial application) with `args`.
    fn call(&mut self, function: &Value, args: &[Value]) -> RtResult<Value>;
    /// [`Host::call`] that may move `args` into the function (leaving them null), for
    /// arguments the caller does not need again: a reduction passes its accumulator this
    /// way, so the function holds it alone and can update it in place.
    fn call_moving(&mut self, function: &Value, args: &mut [Value]) -> RtResult<Value> {
        self.call(function, args)
    }
    /// Charges `steps` units of work against the step budget (natives that loop over large
    /// inputs charge per element, so a budget also bounds them) and checks the deadline.
    fn charge(&mut self, steps: u64) -> RtResult<()>;
    /// Checks the memory cap; natives that build large values call it after doing so.
    fn check_memory(&mut self) -> RtResult<()>;
    /// The state of the `random` module's generator (seedable).
    fn random_state(&mut self) -> &mut u64;
    /// Milliseconds since the Unix epoch (calendar.now and friends).
    fn now_millis(&mut self) -> i64;
    /// A line of program output from `logging`/`debug` (goes to stderr in `mixc run`).
    fn log(&mut self, line: &str);
    /// The program's database (the `db` module's natives work on it).
    fn database(&mut self) -> &mut crate::db::Database;
}

pub type NativeFn = fn(&mut dyn Host, &[Value]) -> RtResult<Value>;

/// A native that may take its arguments out of the slice (`std::mem::take`). The VM hands a
/// `CallNative` its argument registers (temporaries the code never reads again), so an array
/// the program holds nowhere else arrives with one reference and can be reused in place
/// (`array.map` writes its results over the elements, `array.filter` compacts them).
pub type TakingFn = fn(&mut dyn Host, &mut [Value]) -> RtResult<Value>;

/// A native's code: most borrow their arguments, a few take them.
#[derive(Clone, Copy)]
pub enum NativeCode {
    Borrows(NativeFn),
    Takes(TakingFn),
}

/// One primitive: its qualified name (`array.map`), its arity (curried calls with fewer
/// arguments make a partial application first) and its code.
#[derive(Clone, Copy)]
pub struct NativeDef {
    pub name: &'static str,
    pub arity: u8,
    pub f: NativeCode,
}

impl NativeDef {
    /// Calls the native with arguments the caller keeps (a taking native gets copies: every
    /// array then has another reference, so it is copied rather than reused).
    pub fn call(&self, host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
        match self.f {
            NativeCode::Borrows(f) => f(host, args),
            NativeCode::Takes(f) => f(host, &mut args.to_vec()),
        }
    }

    /// Calls the native with arguments it may take (what is left in `args` is the caller's
    /// to drop).
    pub fn call_taking(&self, host: &mut dyn Host, args: &mut [Value]) -> RtResult<Value> {
        match self.f {
            NativeCode::Borrows(f) => f(host, args),
            NativeCode::Takes(f) => f(host, args),
        }
    }
}
