//! The interface between the VM and native primitives. A native is a plain function over
//! values; it reaches the VM (to call a Mix closure, to charge its work against the limits, for
//! the random state or the clock) only through [`Host`], so natives can be tested without one.

use crate::error::RtResult;
use crate::value::Value;

/// What a native may ask of the machine running it.
pub trait Host {
    /// Calls a Mix function value (closure, native or partial application) with `args`.
    fn call(&mut self, function: &Value, args: &[Value]) -> RtResult<Value>;
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

/// One primitive: its qualified name (`array.map`), its arity (curried calls with fewer
/// arguments make a partial application first) and its code.
#[derive(Clone, Copy)]
pub struct NativeDef {
    pub name: &'static str,
    pub arity: u8,
    pub f: NativeFn,
}
