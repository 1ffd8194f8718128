//! The QCode virtual machine: one register file shared by all frames (a frame is a window of
//! it), a frame stack, a stack of `try` handlers, and the limits (fuel, deadline, memory) checked
//! every few thousand steps so the common path pays one decrement per call or backward jump.

mod ops;
mod program;
mod registers;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

pub use ops::{add_dyn, compare, position};
pub use program::{native_index, native_table, BindError, Program};

use crate::error::{RtError, RtResult, TraceFrame};
use crate::native::Host;
use crate::qcode::{Instr, KindTest, Reg};
use crate::stream::Stream;
use crate::value::{
    Case, Func, HostObject, Value, TAG_BOOL, TAG_FLOAT, TAG_INT, TAG_NULL, TAG_UNDEFINED,
};
use registers::RegisterFile;

/// Resource limits of one execution; `None` means unlimited.
#[derive(Clone, Copy, Debug, Default)]
pub struct Limits {
    /// Steps: calls, backward jumps and per-element work of natives.
    pub fuel: Option<u64>,
    pub time: Option<Duration>,
    /// Bytes allocated beyond what was live when the machine started (needs the counting
    /// allocator, `crate::alloc`).
    pub memory: Option<usize>,
}

/// How deep Mix calls may nest before a clean "stack overflow" error.
const MAX_FRAMES: usize = 1_000_000;
/// The register file's fixed capacity (128 MiB of address space, committed only as frames
/// touch it). It never moves, so the interpreter can keep a raw pointer into it.
const REGISTER_CAPACITY: usize = 1 << 23;
/// How deep natives may call back into Mix (each level uses the host's own stack).
const MAX_NATIVE_DEPTH: usize = 2_000;
/// Steps between checks of the deadline and the memory cap.
const CHECK_EVERY: u64 = 4096;

struct Frame {
    function: u32,
    /// The function's register count (where the next frame's window starts).
    registers: u32,
    /// The next instruction (saved while another frame runs or after an error).
    pc: u32,
    base: u32,
    /// The caller's register that receives the result.
    dst: Reg,
    closure: Option<Rc<Func>>,
}

struct TryHandler {
    /// Frame count when the `try` started: its frame is `frames[depth - 1]`.
    depth: usize,
    handler: u32,
    dst: Reg,
}

enum GlobalSlot {
    Unset,
    Running,
    Ready(Value),
}

pub struct Vm<'p> {
    program: &'p Program,
    regs: RegisterFile,
    frames: Vec<Frame>,
    tries: Vec<TryHandler>,
    globals: Vec<GlobalSlot>,
    function_values: Vec<Option<Value>>,
    regexes: Vec<Option<Value>>,
    scratch: Vec<Value>,
    native_depth: usize,
    /// Steps left before the next slow check.
    ticks: u64,
    /// Steps left in the budget (including `ticks`).
    fuel: u64,
    deadline: Option<Instant>,
    memory_cap: Option<usize>,
    random: u64,
    log_sink: Box<dyn FnMut(&str) + 'p>,
    /// Opened on first use (in memory) unless the host set one.
    database: Option<crate::db::Database>,
}

impl<'p> Vm<'p> {
    pub fn new(program: &'p Program, limits: Limits) -> Vm<'p> {
        let fuel = limits.fuel.unwrap_or(u64::MAX);
        Vm {
            program,
            regs: RegisterFile::with_capacity(REGISTER_CAPACITY),
            frames: Vec::with_capacity(64),
            tries: Vec::new(),
            globals: program
                .module
                .globals
                .iter()
                .map(|_| GlobalSlot::Unset)
                .collect(),
            function_values: vec![None; program.module.functions.len()],
            regexes: vec![None; program.module.constants.len()],
            scratch: Vec::new(),
            native_depth: 0,
            ticks: fuel.min(CHECK_EVERY),
            fuel,
            deadline: limits.time.map(|t| Instant::now() + t),
            memory_cap: limits
                .memory
                .map(|m| crate::alloc::live_bytes().saturating_add(m)),
            random: 0x9E37_79B9_7F4A_7C15,
            log_sink: Box::new(|line| eprintln!("{line}")),
            database: None,
        }
    }

    /// Where `logging` and `debug` output goes (stderr by default).
    pub fn set_log_sink(&mut self, sink: impl FnMut(&str) + 'p) {
        self.log_sink = Box::new(sink);
    }

    /// The database the program's `db` calls use (default: a fresh one in memory).
    pub fn set_database(&mut self, database: crate::db::Database) {
        self.database = Some(database);
    }

    /// Where `random`'s pseudo-random sequence starts (without a seed: a fixed one, the
    /// same every run).
    pub fn seed_random(&mut self, seed: u64) {
        self.random = seed;
    }

    /// The seed that continues this VM's pseudo-random sequence in another VM (a REPL runs
    /// each input in a VM of its own).
    pub fn random_continuation(&self) -> u64 {
        self.random
    }

    /// The value of an exported definition: a global's value, or a function value.
    pub fn export(&mut self, name: &str) -> RtResult<Value> {
        let export =
            self.program.module.export(name).ok_or_else(|| {
                RtError::runtime(format!("the module has no definition `{name}`"))
            })?;
        match export.kind {
            crate::qcode::ExportKind::Global => self.global(export.index),
            crate::qcode::ExportKind::Function => Ok(self.function_value(export.index)),
        }
    }

    /// The function index and closure of `function` when it is a closure taking exactly
    /// `count` arguments (the common case of a native calling back, which goes straight in).
    fn exact_closure(&self, function: &Value, count: usize) -> Option<(u32, Rc<Func>)> {
        let Value::Func(f) = function else {
            return None;
        };
        let Func::Closure {
            function: index, ..
        } = **f
        else {
            return None;
        };
        let arity = self.program.module.functions[index as usize].arity as usize;
        (arity == count).then(|| (index, f.clone()))
    }

    /// Calls a function value with arguments (curried: fewer make a partial, more apply the
    /// result to the rest).
    pub fn call_value(&mut self, callee: &Value, args: &[Value]) -> RtResult<Value> {
        let Value::Func(f) = callee else {
            return Err(RtError::runtime(format!(
                "cannot call {}: it is not a function",
                callee.kind()
            )));
        };
        match &**f {
            Func::Closure { function, .. }
                if self.program.module.functions[*function as usize].arity as usize
                    == args.len() =>
            {
                // The common case (a native calling back with exactly the arity) goes straight in.
                self.invoke(*function, Some(f.clone()), args)
            }
            Func::Closure { function, .. } => {
                let arity = self.program.module.functions[*function as usize].arity as usize;
                self.apply_arity(callee, arity, args, |vm, now| {
                    vm.invoke(*function, Some(f.clone()), now)
                })
            }
            Func::Native { native } => {
                let def = native_table()[*native as usize];
                self.apply_arity(callee, def.arity as usize, args, |vm, now| {
                    vm.in_native(|vm| def.call(vm, now))
                })
            }
            Func::Partial {
                callee: inner,
                args: first,
            } => {
                let mut all = Vec::with_capacity(first.len() + args.len());
                all.extend_from_slice(first);
                all.extend_from_slice(args);
                self.call_value(inner, &all)
            }
        }
    }

    /// Currying: exactly `arity` arguments run `saturated`; fewer make a partial application;
    /// more apply the result to the rest.
    fn apply_arity(
        &mut self,
        callee: &Value,
        arity: usize,
        args: &[Value],
        saturated: impl FnOnce(&mut Self, &[Value]) -> RtResult<Value>,
    ) -> RtResult<Value> {
        if args.len() < arity {
            return Ok(Value::Func(Rc::new(Func::Partial {
                callee: callee.clone(),
                args: args.into(),
            })));
        }
        let result = saturated(self, &args[..arity])?;
        if args.len() > arity {
            self.call_value(&result, &args[arity..])
        } else {
            Ok(result)
        }
    }

    /// Runs a native (`call`) one level deeper, within the nesting limit.
    fn in_native(&mut self, call: impl FnOnce(&mut Self) -> RtResult<Value>) -> RtResult<Value> {
        self.native_depth += 1;
        if self.native_depth > MAX_NATIVE_DEPTH {
            self.native_depth -= 1;
            return Err(natives_too_deep());
        }
        let result = call(self);
        self.native_depth -= 1;
        result
    }

    /// Runs compiled function `function` with exactly its arity of arguments to completion.
    /// This is how natives call back into Mix (`array.map`'s function, once per element), so
    /// the frame is pushed here directly: no call for the checks, the arguments copied like
    /// a call instruction's.
    #[inline(always)]
    fn invoke(
        &mut self,
        function: u32,
        closure: Option<Rc<Func>>,
        args: &[Value],
    ) -> RtResult<Value> {
        self.invoke_with(function, closure, args.len(), |regs| {
            for (slot, a) in regs.iter_mut().zip(args) {
                // SAFETY: both are initialised values: the frame's registers exist
                // (`enter_frame` made room for them) and `a` is a live argument.
                unsafe { copy_slot(slot, a) };
            }
        })
    }

    /// [`Self::invoke`] moving the arguments into the callee's registers, so that a value the
    /// caller no longer needs (a reduction's accumulator) is held there alone and can be
    /// updated in place. `args` are left null.
    fn invoke_moving(
        &mut self,
        function: u32,
        closure: Option<Rc<Func>>,
        args: &mut [Value],
    ) -> RtResult<Value> {
        self.invoke_with(function, closure, args.len(), |regs| {
            for (slot, a) in regs.iter_mut().zip(args.iter_mut()) {
                *slot = std::mem::take(a);
            }
        })
    }

    /// Runs `function` in a new frame on top of the current one, its first `count` registers
    /// (the parameters) filled by `place`.
    fn invoke_with(
        &mut self,
        function: u32,
        closure: Option<Rc<Func>>,
        count: usize,
        place: impl FnOnce(&mut [Value]),
    ) -> RtResult<Value> {
        if self.native_depth > MAX_NATIVE_DEPTH {
            return Err(natives_too_deep());
        }
        let base = self.top();
        let registers = self.enter_frame(function, base, 0, closure)?;
        debug_assert!(count <= registers);
        place(&mut self.regs[base..base + count]);
        let stop = self.frames.len() - 1;
        self.native_depth += 1;
        let result = self.run(stop);
        self.native_depth -= 1;
        result
    }

    fn top(&self) -> usize {
        match self.frames.last() {
            Some(f) => f.base as usize + f.registers as usize,
            None => 0,
        }
    }

    /// Out of line: inlined into the dispatch loop (its only caller, for `Call`) it costs the
    /// hot instructions a register (measured: one more instruction per dispatch).
    #[inline(never)]
    fn push_frame(
        &mut self,
        function: u32,
        base: usize,
        dst: Reg,
        closure: Option<Rc<Func>>,
    ) -> RtResult<()> {
        self.enter_frame(function, base, dst, closure).map(drop)
    }

    /// Checks the frame limit, makes room for `function`'s registers at `base` and pushes its
    /// frame; gives its register count.
    #[inline(always)]
    fn enter_frame(
        &mut self,
        function: u32,
        base: usize,
        dst: Reg,
        closure: Option<Rc<Func>>,
    ) -> RtResult<usize> {
        if self.frames.len() >= MAX_FRAMES {
            return Err(RtError::runtime(
                "stack overflow: too many nested calls (is a recursion missing its base case?)",
            ));
        }
        // SAFETY: the verifier checked every function index the VM can reach.
        let registers = unsafe {
            self.program
                .module
                .functions
                .get_unchecked(function as usize)
        }
        .registers as u32;
        self.ensure_registers(base + registers as usize)?;
        self.push_frame_in_place(function, registers, base as u32, dst, closure);
        Ok(registers as usize)
    }

    /// Pushes a frame by writing its fields straight into the frame stack's spare slot. A
    /// `push(Frame { .. })` builds the frame on the machine stack with narrow stores and copies
    /// it with wide loads, which stalls store forwarding on every call.
    #[inline(always)]
    fn push_frame_in_place(
        &mut self,
        function: u32,
        registers: u32,
        base: u32,
        dst: Reg,
        closure: Option<Rc<Func>>,
    ) {
        if self.frames.len() == self.frames.capacity() {
            self.frames.reserve(1);
        }
        let len = self.frames.len();
        // SAFETY: `len < capacity` (reserved above), so slot `len` is allocated and holds no
        // live frame; every field is written before `set_len` makes the slot part of the vector.
        unsafe {
            let slot = self.frames.as_mut_ptr().add(len);
            std::ptr::addr_of_mut!((*slot).function).write(function);
            std::ptr::addr_of_mut!((*slot).registers).write(registers);
            std::ptr::addr_of_mut!((*slot).pc).write(0);
            std::ptr::addr_of_mut!((*slot).base).write(base);
            std::ptr::addr_of_mut!((*slot).dst).write(dst);
            std::ptr::addr_of_mut!((*slot).closure).write(closure);
            self.frames.set_len(len + 1);
        }
    }

    /// Makes registers `..need` exist, within the fixed capacity (beyond it: stack overflow).
    #[inline]
    fn ensure_registers(&mut self, need: usize) -> RtResult<()> {
        if need > self.regs.len() {
            if need > REGISTER_CAPACITY {
                return Err(RtError::runtime(
                    "stack overflow: the calls in progress need more registers than the machine has",
                ));
            }
            let grown = need.max(self.regs.len() * 2).min(REGISTER_CAPACITY);
            self.regs.grow_to(grown);
        }
        Ok(())
    }

    fn function_value(&mut self, function: u32) -> Value {
        if let Some(v) = &self.function_values[function as usize] {
            return v.clone();
        }
        let v = Value::Func(Rc::new(Func::Closure {
            function,
            captures: Box::new([]),
        }));
        self.function_values[function as usize] = Some(v.clone());
        v
    }

    fn global(&mut self, index: u32) -> RtResult<Value> {
        match &self.globals[index as usize] {
            GlobalSlot::Ready(v) => return Ok(v.clone()),
            GlobalSlot::Running => {
                return Err(RtError::runtime(format!(
                    "`{}` needs its own value to compute it",
                    self.program.module.globals[index as usize].name
                )))
            }
            GlobalSlot::Unset => {}
        }
        self.globals[index as usize] = GlobalSlot::Running;
        let init = self.program.module.globals[index as usize].init;
        match self.invoke(init, None, &[]) {
            Ok(v) => {
                self.globals[index as usize] = GlobalSlot::Ready(v.clone());
                Ok(v)
            }
            Err(e) => {
                self.globals[index as usize] = GlobalSlot::Unset;
                Err(e)
            }
        }
    }

    fn regex_constant(&mut self, constant: u32) -> RtResult<Value> {
        if let Some(v) = &self.regexes[constant as usize] {
            return Ok(v.clone());
        }
        let source = self.program.values[constant as usize].clone();
        let compile = native_index("regex.mustCompile")
            .map(|i| native_table()[i])
            .ok_or_else(|| RtError::runtime("this runtime has no regex support"))?;
        let v = compile.call(self, &[source])?;
        self.regexes[constant as usize] = Some(v.clone());
        Ok(v)
    }

    /// The slow path of the step counter: the budget, the deadline and the memory cap.
    #[cold]
    fn check_limits(&mut self, spent: u64) -> RtResult<()> {
        self.fuel = self.fuel.saturating_sub(spent);
        if self.fuel == 0 {
            return Err(RtError::limit("step budget exhausted"));
        }
        if let Some(deadline) = self.deadline {
            if Instant::now() >= deadline {
                return Err(RtError::limit("time limit exceeded"));
            }
        }
        self.check_memory()?;
        self.ticks = self.fuel.min(CHECK_EVERY);
        Ok(())
    }

    /// Charges one step; every call and backward jump does.
    #[inline(always)]
    fn tick(&mut self) -> RtResult<()> {
        self.ticks -= 1;
        if self.ticks == 0 {
            let spent = self.fuel.min(CHECK_EVERY);
            return self.check_limits(spent);
        }
        Ok(())
    }

    /// A stack trace of the current frames, innermost first. A runaway recursion has a million
    /// frames: a run of calls from one place is shown once with a count, and of the runs the
    /// innermost and outermost are kept.
    fn trace(&self) -> Vec<TraceFrame> {
        const INNER: usize = 24;
        const OUTER: usize = 8;
        let frames = &self.frames;
        // (index of the run's innermost frame, frames in the run), innermost run first
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for (i, frame) in frames.iter().enumerate().rev() {
            match runs.last_mut() {
                Some((j, n))
                    if frames[*j].function == frame.function && frames[*j].pc == frame.pc =>
                {
                    *n += 1
                }
                _ => runs.push((i, 1)),
            }
        }
        let note = |text: String| TraceFrame {
            function: text,
            file: String::new(),
            line: 0,
            column: 0,
        };
        let mut out = Vec::new();
        let show = |out: &mut Vec<TraceFrame>, &(i, n): &(usize, usize)| {
            out.push(self.frame_position(&frames[i]));
            if n > 1 {
                out.push(note(format!("… the frame above {} more times …", n - 1)));
            }
        };
        if runs.len() <= INNER + OUTER {
            runs.iter().for_each(|run| show(&mut out, run));
            return out;
        }
        runs[..INNER].iter().for_each(|run| show(&mut out, run));
        let hidden = &runs[INNER..runs.len() - OUTER];
        let hidden_frames: usize = hidden.iter().map(|(_, n)| n).sum();
        out.push(note(format!("… {hidden_frames} more frames …")));
        runs[runs.len() - OUTER..]
            .iter()
            .for_each(|run| show(&mut out, run));
        out
    }

    fn frame_position(&self, frame: &Frame) -> TraceFrame {
        let module = &self.program.module;
        let function = &module.functions[frame.function as usize];
        let pc = frame.pc.saturating_sub(1);
        let entry = function
            .lines
            .iter()
            .take_while(|l| l.pc <= pc)
            .last()
            .or(function.lines.first());
        let (file, line, column) = match entry {
            Some(l) => (
                module
                    .files
                    .get(l.file as usize)
                    .cloned()
                    .unwrap_or_default(),
                l.line,
                l.column,
            ),
            None => (String::new(), 0, 0),
        };
        TraceFrame {
            function: function.name.clone(),
            file,
            line,
            column,
        }
    }

    /// Runs until the frame at index `stop` returns. Errors unwind to the innermost `try` of
    /// this run, or leave it with a stack trace.
    #[inline(always)]
    fn run(&mut self, stop: usize) -> RtResult<Value> {
        match self.execute(stop) {
            Ok(v) => Ok(v),
            Err(error) => self.recover(stop, error),
        }
    }

    /// The error path of [`run`](Self::run): unwinds to a `try` of this run and goes on from
    /// its handler, until the run ends or an error leaves it.
    #[cold]
    #[inline(never)]
    fn recover(&mut self, stop: usize, mut error: RtError) -> RtResult<Value> {
        loop {
            if error.trace.is_empty() {
                let trace = self.trace();
                error.trace = trace;
            }
            let handler = self
                .tries
                .last()
                .filter(|t| t.depth > stop && error.catchable());
            match handler {
                Some(h) => {
                    let (depth, handler, dst) = (h.depth, h.handler, h.dst);
                    self.tries.pop();
                    self.frames.truncate(depth);
                    let frame = self.frames.last_mut().expect("try frame");
                    frame.pc = handler;
                    let base = frame.base as usize;
                    self.regs[base + dst as usize] =
                        Value::case("error", Some(Value::str(error.message.clone())));
                }
                None => {
                    self.tries.retain(|t| t.depth <= stop);
                    self.frames.truncate(stop);
                    return Err(error);
                }
            }
            match self.execute(stop) {
                Ok(v) => return Ok(v),
                Err(e) => error = e,
            }
        }
    }

    fn execute(&mut self, stop: usize) -> RtResult<Value> {
        let program = self.program;
        let functions = &program.module.functions;
        let frame = self.frames.last().expect("a frame to run");
        let mut code: &[Instr] = &functions[frame.function as usize].code;
        // The instruction pointer; `pc!()` is its index in `code`.
        let mut ip: *const Instr = unsafe { code.as_ptr().add(frame.pc as usize) };
        macro_rules! pc {
            () => {
                unsafe { ip.offset_from(code.as_ptr()) as usize }
            };
        }
        macro_rules! goto {
            ($target:expr) => {
                ip = unsafe { code.as_ptr().add($target as usize) }
            };
        }

        // `fp` points at the current frame's first register. The register file never
        // reallocates (fixed capacity), so it stays valid until `base` changes (`rebase!`).
        let registers: *mut Value = self.regs.as_mut_ptr();
        let mut fp: *mut Value = unsafe { registers.add(frame.base as usize) };
        // The frame's first register as an index (calls and the out-of-line paths need it; the
        // hot paths use `fp` alone, which keeps one less value live in the loop).
        macro_rules! base {
            () => {
                unsafe { fp.offset_from(registers) as usize }
            };
        }
        macro_rules! rebase {
            ($base:expr) => {
                fp = unsafe { registers.add($base) }
            };
        }
        macro_rules! reg {
            ($r:expr) => {
                *{
                    debug_assert!(base!() + ($r as usize) < self.regs.len());
                    unsafe { &*fp.add($r as usize) }
                }
            };
        }
        macro_rules! set {
            ($r:expr, $v:expr) => {{
                let value = $v;
                store(&mut regm!($r), value)
            }};
        }
        macro_rules! regm {
            ($r:expr) => {
                *{
                    debug_assert!(base!() + ($r as usize) < self.regs.len());
                    unsafe { &mut *fp.add($r as usize) }
                }
            };
        }
        // Saves the position before an error leaves, for the stack trace and `try`.
        macro_rules! check {
            ($e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(e) => {
                        self.frames.last_mut().expect("frame").pc = pc!() as u32;
                        return Err(e);
                    }
                }
            };
        }
        // Numbers in registers: integers and floats inline, everything else (mixed kinds,
        // overflow, undefined, errors) through the general operation.
        macro_rules! arith {
            ($dst:expr, $a:expr, $b:expr, $int:expr, $float:expr, $general:path) => {{
                // Each fast arm writes its own result: no joined `Value` temporary. (A macro,
                // not a closure: a closure would capture `fp` by reference and pin it in memory.)
                macro_rules! float {
                    ($r:expr) => {{
                        let r: f64 = $r;
                        store_word(&mut regm!($dst), TAG_FLOAT, r.to_bits())
                    }};
                }
                match (&reg!($a), &reg!($b)) {
                    // `$int` gives the result, or `General` for the general path (overflow,
                    // division by zero).
                    (Value::Int(x), Value::Int(y)) => match $int(*x, *y) {
                        IntOp::Int(r) => store_word(&mut regm!($dst), TAG_INT, r as u64),
                        IntOp::Float(r) => float!(r),
                        IntOp::General => set!($dst, check!($general(&reg!($a), &reg!($b)))),
                    },
                    (Value::Float(x), Value::Float(y)) => float!($float(*x, *y)),
                    (Value::Float(x), Value::Int(y)) => float!($float(*x, *y as f64)),
                    (Value::Int(x), Value::Float(y)) => float!($float(*x as f64, *y)),
                    (x, y) => set!($dst, check!($general(x, y))),
                }
            }};
        }
        // `dst = a + value` for a small constant: integers inline (overflow gives a float),
        // anything else through the general `+` of numbers.
        // Number `+`: `AddNum`, and `AddDyn` when both operands turn out to be numbers.
        macro_rules! add_num {
            ($dst:expr, $a:expr, $b:expr) => {
                arith!(
                    $dst,
                    $a,
                    $b,
                    |x: i64, y: i64| IntOp::int(x.checked_add(y)),
                    |x: f64, y: f64| x + y,
                    ops::add_num
                )
            };
        }
        macro_rules! add_int {
            ($dst:expr, $a:expr, $value:expr) => {
                match reg!($a) {
                    Value::Int(x) => match x.checked_add($value as i64) {
                        Some(r) => store_word(&mut regm!($dst), TAG_INT, r as u64),
                        None => set!($dst, Value::Float(x as f64 + $value as f64)),
                    },
                    ref other => {
                        set!(
                            $dst,
                            check!(ops::add_num(other, &Value::Int($value as i64)))
                        )
                    }
                }
            };
        }
        // A tail call: the arguments move to the bottom of this frame, which becomes the
        // callee's; the caller's result register stays the destination.
        macro_rules! replace_frame {
            ($function:expr, $args:expr, $argc:expr, $closure:expr) => {{
                check!(self.tick());
                for i in 0..$argc as usize {
                    let v = std::mem::take(&mut regm!($args as usize + i));
                    set!(i, v);
                }
                let callee = &functions[$function as usize];
                check!(self.ensure_registers(base!() + callee.registers as usize));
                let frame = self.frames.last_mut().expect("frame");
                frame.function = $function;
                frame.registers = callee.registers as u32;
                frame.closure = $closure;
                code = &callee.code;
                ip = code.as_ptr();
            }};
        }
        // Jumps when `$taken`; a backward jump pays a step (every loop goes through one).
        macro_rules! jump_if {
            ($taken:expr, $target:expr) => {{
                if $taken {
                    let dest = unsafe { code.as_ptr().add($target as usize) };
                    // `ip` is already past this instruction: a target at or before it is a
                    // backward jump (compared as pointers: no division by the instruction size).
                    if dest < ip {
                        check!(self.tick());
                    }
                    ip = dest;
                }
            }};
        }
        macro_rules! enter {
            ($function:expr, $new_base:expr, $dst:expr, $closure:expr) => {{
                self.frames.last_mut().expect("frame").pc = pc!() as u32;
                check!(self.tick());
                check!(self.push_frame($function, $new_base, $dst, $closure));
                code = &functions[$function as usize].code;
                ip = code.as_ptr();
                rebase!($new_base);
            }};
        }

        loop {
            // Verified code ends every function with a jump, return or raise, and every target
            // is inside the function, so `pc` stays in bounds.
            let instr = unsafe { &*ip };
            ip = unsafe { ip.add(1) };
            match *instr {
                Instr::LoadNull { dst } => set!(dst, Value::Null),
                Instr::LoadUndefined { dst } => set!(dst, Value::Undefined),
                Instr::LoadBool { dst, value } => set!(dst, Value::Bool(value)),
                Instr::LoadInt { dst, value } => set!(dst, Value::Int(value as i64)),
                Instr::LoadConst { dst, constant } => {
                    set!(
                        dst,
                        match &program.module.constants[constant as usize] {
                            crate::qcode::Constant::Regex(_) =>
                                check!(self.regex_constant(constant)),
                            _ => program.values[constant as usize].clone(),
                        }
                    )
                }
                Instr::Move { dst, src } => {
                    // SAFETY: both operands are in this frame's verified window.
                    unsafe { copy_slot(fp.add(dst as usize), fp.add(src as usize)) }
                }
                Instr::LoadFunction { dst, function } => set!(dst, self.function_value(function)),
                Instr::LoadCapture { dst, index } => {
                    let v = match self.frames.last().and_then(|f| f.closure.as_deref()) {
                        Some(Func::Closure { captures, .. }) => captures[index as usize].clone(),
                        _ => Value::Undefined,
                    };
                    set!(dst, v);
                }
                Instr::LoadSelf { dst } => {
                    let frame = self.frames.last().expect("frame");
                    set!(
                        dst,
                        match &frame.closure {
                            Some(f) => Value::Func(f.clone()),
                            None => {
                                let function = frame.function;
                                self.function_value(function)
                            }
                        }
                    );
                }
                Instr::AddNum { dst, a, b } => add_num!(dst, a, b),
                Instr::Sub { dst, a, b } => arith!(
                    dst,
                    a,
                    b,
                    |x: i64, y: i64| IntOp::int(x.checked_sub(y)),
                    |x: f64, y: f64| x - y,
                    ops::sub
                ),
                Instr::Mul { dst, a, b } => arith!(
                    dst,
                    a,
                    b,
                    |x: i64, y: i64| IntOp::int(x.checked_mul(y)),
                    |x: f64, y: f64| x * y,
                    ops::mul
                ),
                Instr::Div { dst, a, b } => arith!(
                    dst,
                    a,
                    b,
                    |x: i64, y: i64| IntOp::Float(x as f64 / y as f64),
                    |x: f64, y: f64| x / y,
                    ops::div
                ),
                Instr::Rem { dst, a, b } => arith!(
                    dst,
                    a,
                    b,
                    |x: i64, y: i64| match y {
                        0 => IntOp::General,
                        y => IntOp::Float(x.wrapping_rem(y) as f64),
                    },
                    |x: f64, y: f64| x % y,
                    ops::rem
                ),
                Instr::AddInt { dst, a, value } => add_int!(dst, a, value),
                // A `+` the checker left polymorphic (`def incr(n) = n + 1`): two numbers take
                // `AddNum`'s inline path, anything else the table (`ops::add_dyn`).
                Instr::AddDyn { dst, a, b } => match (&reg!(a), &reg!(b)) {
                    (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
                        add_num!(dst, a, b)
                    }
                    _ => {
                        self.frames.last_mut().expect("frame").pc = pc!() as u32;
                        check!(self.slow_op(instr, base!()));
                    }
                },
                Instr::RemInt { dst, a, value } => match reg!(a) {
                    // `value` is never zero (the verifier checks), so no division fault;
                    // `wrapping_rem` covers `i64::MIN % -1`.
                    Value::Int(x) => store_word(
                        &mut regm!(dst),
                        TAG_FLOAT,
                        (x.wrapping_rem(value as i64) as f64).to_bits(),
                    ),
                    Value::Float(x) => {
                        store_word(&mut regm!(dst), TAG_FLOAT, (x % value as f64).to_bits())
                    }
                    ref other => set!(dst, check!(ops::rem(other, &Value::Int(value as i64)))),
                },
                Instr::AddIntBranchCmp {
                    op,
                    a,
                    value,
                    b,
                    target,
                } => {
                    // A counted loop's integer counter and bound: the sum goes straight into
                    // the payload (the register already holds an integer) and is compared
                    // without reading it back.
                    if let (&Value::Int(x), &Value::Int(y)) = (&reg!(a), &reg!(b)) {
                        if let Some(r) = x.checked_add(value as i64) {
                            set_int_payload(&mut regm!(a), r);
                            jump_if!(ops::ordered(op, r, y), target);
                            continue;
                        }
                    }
                    add_int!(a, a, value);
                    jump_if!(holds(op, &reg!(a), &reg!(b)), target)
                }
                Instr::AddIntBranchCmpInt {
                    op,
                    a,
                    value,
                    limit,
                    target,
                } => {
                    if let Value::Int(x) = reg!(a) {
                        if let Some(r) = x.checked_add(value as i64) {
                            set_int_payload(&mut regm!(a), r);
                            jump_if!(ops::ordered(op, r, limit as i64), target);
                            continue;
                        }
                    }
                    add_int!(a, a, value);
                    jump_if!(holds(op, &reg!(a), &Value::Int(limit as i64)), target)
                }
                Instr::Compare { op, dst, a, b } => match (&reg!(a), &reg!(b)) {
                    (Value::Int(x), Value::Int(y)) => {
                        let r = ops::ordered(op, *x, *y);
                        store_bool(&mut regm!(dst), r)
                    }
                    (Value::Float(x), Value::Int(y)) => {
                        let r = ops::ordered(op, *x, *y as f64);
                        store_bool(&mut regm!(dst), r)
                    }
                    (Value::Float(x), Value::Float(y)) => {
                        let r = ops::ordered(op, *x, *y);
                        store_bool(&mut regm!(dst), r)
                    }
                    (x, y) => {
                        let v = ops::compare(op, x, y);
                        set!(dst, v)
                    }
                },
                Instr::IsDefined { dst, src } => set!(dst, Value::Bool(!reg!(src).is_undefined())),
                Instr::Jump { target } => jump_if!(true, target),
                Instr::JumpIfNotTrue { cond, target } => {
                    jump_if!(!matches!(reg!(cond), Value::Bool(true)), target)
                }
                // A rotated `while (c)` loops back through here.
                Instr::JumpIfTrue { cond, target } => {
                    jump_if!(matches!(reg!(cond), Value::Bool(true)), target)
                }
                Instr::JumpIfFalse { cond, target } => {
                    jump_if!(matches!(reg!(cond), Value::Bool(false)), target)
                }
                Instr::BranchCmp {
                    op,
                    a,
                    b,
                    target,
                    when,
                } => jump_if!(holds(op, &reg!(a), &reg!(b)) == when, target),
                Instr::BranchCmpInt {
                    op,
                    a,
                    value,
                    target,
                    when,
                } => jump_if!(
                    holds(op, &reg!(a), &Value::Int(value as i64)) == when,
                    target
                ),
                Instr::CallDirect {
                    dst,
                    function,
                    args,
                    argc,
                } => {
                    // The hot path of recursion, written out: no closure, arity known.
                    let callee = unsafe { functions.get_unchecked(function as usize) };
                    let caller = unsafe { self.frames.last_mut().unwrap_unchecked() };
                    caller.pc = pc!() as u32;
                    let new_base = base!() + caller.registers as usize;
                    let need = new_base + callee.registers as usize;
                    check!(self.ensure_registers(need));
                    if self.frames.len() >= MAX_FRAMES {
                        check!(Err(RtError::runtime(
                            "stack overflow: too many nested calls (is a recursion missing its base case?)",
                        )))
                    }
                    check!(self.tick());
                    self.push_frame_in_place(
                        function,
                        callee.registers as u32,
                        new_base as u32,
                        dst,
                        None,
                    );
                    for i in 0..argc as usize {
                        // SAFETY: the argument run is in this frame's verified window and the
                        // callee's window was ensured above.
                        unsafe {
                            copy_slot(registers.add(new_base + i), fp.add(args as usize + i))
                        };
                    }
                    code = &callee.code;
                    ip = code.as_ptr();
                    rebase!(new_base);
                }
                Instr::TailCallDirect {
                    function,
                    args,
                    argc,
                } => replace_frame!(function, args, argc, None),
                Instr::TailCall { callee, args, argc } => {
                    let f = reg!(callee).clone();
                    if let Value::Func(func) = &f {
                        if let Func::Closure { function, .. } = &**func {
                            let function = *function;
                            if functions[function as usize].arity == argc {
                                replace_frame!(function, args, argc, Some(func.clone()));
                                continue;
                            }
                        }
                    }
                    self.frames.last_mut().expect("frame").pc = pc!() as u32;
                    let start = base!() + args as usize;
                    let call_args: Vec<Value> = self.regs[start..start + argc as usize].to_vec();
                    let result = check!(self.call_value(&f, &call_args));
                    let (mut resume, mut new_base) = (0, 0);
                    if let Some(v) =
                        self.return_value(result, stop, &mut code, &mut resume, &mut new_base)
                    {
                        return Ok(v);
                    }
                    ip = unsafe { code.as_ptr().add(resume) };
                    rebase!(new_base);
                }
                Instr::Call {
                    dst,
                    callee,
                    args,
                    argc,
                } => {
                    let f = reg!(callee).clone();
                    // A closure called with exactly its arity runs in this loop; everything
                    // else (natives, partials, over- and under-application) goes through
                    // call_value.
                    if let Value::Func(func) = &f {
                        if let Func::Closure { function, .. } = &**func {
                            let function = *function;
                            if functions[function as usize].arity == argc {
                                let old_base = base!();
                                let new_base = self.top();
                                enter!(function, new_base, dst, Some(func.clone()));
                                for i in 0..argc as usize {
                                    let v = copy(&self.regs[old_base + args as usize + i]);
                                    store(&mut self.regs[new_base + i], v);
                                }
                                continue;
                            }
                        }
                    }
                    self.frames.last_mut().expect("frame").pc = pc!() as u32;
                    let start = base!() + args as usize;
                    let call_args: Vec<Value> = self.regs[start..start + argc as usize].to_vec();
                    set!(dst, check!(self.call_value(&f, &call_args)));
                }
                Instr::Return { src } => {
                    let from: *mut Value = &mut regm!(src);
                    let (mut resume, mut new_base) = (0, 0);
                    match self.leave_frame(stop, &mut code, &mut resume, &mut new_base) {
                        None => return Ok(unsafe { take_slot(from) }),
                        // SAFETY: both registers are inside the register file (the result's in
                        // the caller's verified window, `from` in the finished frame's).
                        Some(to) => unsafe { move_slot(registers.add(to), from) },
                    }
                    ip = unsafe { code.as_ptr().add(resume) };
                    rebase!(new_base);
                }
                Instr::TryStart { dst, handler } => self.tries.push(TryHandler {
                    depth: self.frames.len(),
                    handler,
                    dst,
                }),
                Instr::TryEnd => {
                    self.tries.pop();
                }
                Instr::GetField { dst, obj, key } => {
                    set!(
                        dst,
                        check!(ops::get_field(&reg!(obj), &program.keys[key as usize]))
                    )
                }
                Instr::NewCase { dst, name, arg } => {
                    let arg = arg.map(|a| reg!(a).clone());
                    set!(
                        dst,
                        Value::Case(Rc::new(Case {
                            name: program.keys[name as usize].clone(),
                            arg,
                        }))
                    );
                }
                Instr::IsCase { dst, src, name } => {
                    let wanted = &program.keys[name as usize];
                    set!(
                        dst,
                        Value::Bool(match &reg!(src) {
                            Value::Case(c) => c.name == *wanted,
                            Value::Null => &**wanted == "null",
                            _ => false,
                        })
                    )
                }
                Instr::CaseArg { dst, src } => {
                    set!(
                        dst,
                        match &reg!(src) {
                            Value::Case(c) => c.arg.clone().unwrap_or(Value::Undefined),
                            _ => Value::Undefined,
                        }
                    )
                }
                Instr::IterNext { dst, iter, done } => {
                    check!(self.tick());
                    self.frames.last_mut().expect("frame").pc = pc!() as u32;
                    let cursor = reg!(iter).clone();
                    let next = match &cursor {
                        Value::Host(h) => match &**h {
                            HostObject::Cursor(c) => c.borrow_mut().next(self),
                            _ => Ok(None),
                        },
                        _ => Ok(None),
                    };
                    match check!(next) {
                        Some(v) => set!(dst, v),
                        None => goto!(done),
                    }
                }
                // Everything else reads and writes registers only: out of line, so the hot
                // loop above keeps its state in machine registers.
                // Listed rather than `_`: an exhaustive match needs no range check on dispatch.
                Instr::NewArray { .. }
                | Instr::NewRecord { .. }
                | Instr::GetDyn { .. }
                | Instr::GetIndex { .. }
                | Instr::GetIndexOrUndefined { .. }
                | Instr::HasIndex { .. }
                | Instr::Length { .. }
                | Instr::ArrayRest { .. }
                | Instr::SetField { .. }
                | Instr::SetDyn { .. }
                | Instr::SetIndex { .. }
                | Instr::CaseInverse { .. }
                | Instr::ToStream { .. }
                | Instr::Slice { .. }
                | Instr::StreamAppend { .. }
                | Instr::IterStart { .. }
                | Instr::MakeClosure { .. }
                | Instr::Concat { .. }
                | Instr::ArrayConcat { .. }
                | Instr::ArrayPrepend { .. }
                | Instr::MapMerge { .. }
                | Instr::LoadNative { .. }
                | Instr::Not { .. }
                | Instr::KleeneAnd { .. }
                | Instr::KleeneOr { .. }
                | Instr::IsUndefined { .. }
                | Instr::TestKind { .. }
                | Instr::TestShape { .. }
                | Instr::CheckStorable { .. }
                | Instr::CallNative { .. }
                | Instr::LoadGlobal { .. }
                | Instr::Fail { .. }
                | Instr::MatchFail { .. }
                | Instr::Take { .. }
                | Instr::Neg { .. } => {
                    self.frames.last_mut().expect("frame").pc = pc!() as u32;
                    check!(self.slow_op(instr, base!()));
                }
            }
        }
    }

    /// The instructions the dispatch loop hands off (see `execute`): data construction and
    /// update, streams, closures, natives, globals, errors. Registers by safe indexing.
    #[inline(never)]
    fn slow_op(&mut self, instr: &Instr, base: usize) -> RtResult<()> {
        let program = self.program;
        macro_rules! reg {
            ($r:expr) => {
                self.regs[base + $r as usize]
            };
        }
        macro_rules! set {
            ($r:expr, $v:expr) => {{
                let value = $v;
                self.regs[base + $r as usize] = value;
            }};
        }
        macro_rules! check {
            ($e:expr) => {
                $e?
            };
        }
        // `dst = a ⊕ b` for the operations that build a new value from `a` (string, array and
        // map joins, the dynamic `+`): a result that alone would break the memory cap is
        // refused first, and `a` is moved out of its register when `dst` overwrites it anyway,
        // so a value held only there is extended in place.
        macro_rules! joined {
            ($dst:expr, $a:expr, $b:expr, $op:path) => {{
                // Read the right side first: it may be the register `take_operand` empties.
                let right = reg!($b).clone();
                check!(self.reserve(&reg!($a), &right));
                let left = self.take_operand(base, $dst, $a);
                check!(Host::charge(self, join_cost(&left, &right)));
                set!($dst, check!($op(left, &right)));
            }};
        }
        match *instr {
            Instr::LoadGlobal { dst, global } => {
                set!(dst, check!(self.global(global)));
            }
            Instr::LoadNative { dst, native } => {
                set!(
                    dst,
                    Value::Func(Rc::new(Func::Native {
                        native: program.natives[native as usize],
                    }))
                )
            }
            Instr::MakeClosure {
                dst,
                function,
                captures,
                count,
            } => {
                let start = base + captures as usize;
                let values: Box<[Value]> = self.regs[start..start + count as usize].into();
                set!(
                    dst,
                    Value::Func(Rc::new(Func::Closure {
                        function,
                        captures: values,
                    }))
                );
            }
            Instr::Neg { dst, src } => set!(dst, check!(ops::neg(&reg!(src)))),
            Instr::Concat { dst, a, b } => joined!(dst, a, b, ops::concat),
            Instr::ArrayConcat { dst, a, b } => joined!(dst, a, b, ops::array_concat),
            Instr::MapMerge { dst, a, b } => joined!(dst, a, b, ops::map_merge),
            Instr::ArrayPrepend { dst, a, b } => {
                let right = std::mem::take(&mut reg!(b));
                check!(self.reserve(&reg!(a), &right));
                check!(Host::charge(self, prepend_cost(&reg!(a), &right)));
                set!(dst, check!(ops::prepend_join(&reg!(a), right)))
            }
            Instr::AddDyn { dst, a, b } => joined!(dst, a, b, ops::add_dyn),
            Instr::Not { dst, src } => set!(dst, check!(ops::not(&reg!(src)))),
            Instr::KleeneAnd { dst, a, b } => set!(dst, ops::kleene_and(&reg!(a), &reg!(b))),
            Instr::KleeneOr { dst, a, b } => set!(dst, ops::kleene_or(&reg!(a), &reg!(b))),
            Instr::IsUndefined { dst, src } => {
                set!(dst, Value::Bool(reg!(src).is_undefined()))
            }
            Instr::TestKind { dst, src, kind } => {
                set!(dst, Value::Bool(kind_matches(&reg!(src), kind)))
            }
            Instr::Take { dst, src } => {
                let taken = std::mem::replace(&mut reg!(src), Value::Null);
                set!(dst, taken)
            }
            Instr::TestShape { dst, src, shape } => {
                let matched = match &program.module.constants[shape as usize] {
                    crate::qcode::Constant::Shape(shape) => shape_matches(&reg!(src), shape),
                    _ => false,
                };
                set!(dst, Value::Bool(matched))
            }
            Instr::CallNative {
                dst,
                native,
                args,
                argc,
            } => {
                // The arguments move out of their registers (temporaries the code never reads
                // again; ABI 2): an array held nowhere else reaches the native with one
                // reference, so a taking native can reuse it in place.
                let def = program.native_def(native);
                let mut buffer = std::mem::take(&mut self.scratch);
                buffer.clear();
                let start = base + args as usize;
                buffer.extend(
                    self.regs[start..start + argc as usize]
                        .iter_mut()
                        // SAFETY: each is an initialised register of this frame.
                        .map(|r| unsafe { take_slot(r) }),
                );
                let result = self.in_native(|vm| def.call_taking(vm, &mut buffer));
                buffer.clear();
                self.scratch = buffer;
                set!(dst, check!(result));
            }
            Instr::Fail { src } => {
                let message = match &reg!(src) {
                    Value::Str(s) => s.to_string(),
                    other => crate::print::literal(other),
                };
                check!(Err(RtError::fail(message)))
            }
            Instr::MatchFail { src } => {
                let shown = crate::print::literal(&reg!(src));
                check!(Err(RtError::runtime(format!(
                    "no pattern matches the value {}",
                    clip(&shown)
                ))))
            }
            Instr::CheckStorable { src } => {
                check!(ops::storable(&reg!(src), "a variable"))
            }
            Instr::NewArray { dst, items, count } => {
                let start = base + items as usize;
                let values = &self.regs[start..start + count as usize];
                if let Some(at) = values.iter().position(Value::is_undefined) {
                    check!(Err(RtError::runtime(format!(
                        "cannot store undefined in an array: the element at index {at} is undefined"
                    ))))
                }
                set!(dst, Value::array(values.to_vec()));
            }
            Instr::NewRecord { dst, keys, values } => {
                let names = &program.key_lists[keys as usize];
                let start = base + values as usize;
                let mut fields = Vec::with_capacity(names.len());
                for (i, k) in names.iter().enumerate() {
                    let v = self.regs[start + i].clone();
                    if v.is_undefined() {
                        check!(Err(RtError::runtime(format!(
                            "cannot store undefined in field `{k}` of a record"
                        ))))
                    }
                    fields.push((k.clone(), v));
                }
                // Verified: the key list is sorted without duplicates.
                set!(
                    dst,
                    Value::Obj(Rc::new(crate::value::Obj::from_sorted(fields)))
                );
            }
            Instr::GetDyn { dst, obj, key } => {
                set!(dst, check!(ops::get_dyn(&reg!(obj), &reg!(key))))
            }
            Instr::GetIndex { dst, arr, index } => {
                set!(dst, check!(ops::get_index(&reg!(arr), &reg!(index))))
            }
            Instr::GetIndexOrUndefined { dst, arr, index } => {
                set!(
                    dst,
                    match &reg!(arr) {
                        Value::Array(items) => ops::position(&reg!(index), items.len())
                            .map(|i| items[i].clone())
                            .unwrap_or(Value::Undefined),
                        _ => Value::Undefined,
                    }
                )
            }
            Instr::HasIndex { dst, arr, index } => {
                set!(
                    dst,
                    Value::Bool(match &reg!(arr) {
                        Value::Array(items) => ops::position(&reg!(index), items.len()).is_some(),
                        _ => false,
                    })
                )
            }
            Instr::Length { dst, src } => {
                set!(
                    dst,
                    match &reg!(src) {
                        Value::Array(items) => Value::Int(items.len() as i64),
                        _ => Value::Undefined,
                    }
                )
            }
            Instr::ArrayRest { dst, src, from } => {
                set!(
                    dst,
                    match &reg!(src) {
                        Value::Array(items) => Value::Array(items.view(from as usize, usize::MAX)),
                        _ => Value::Undefined,
                    }
                )
            }
            Instr::SetField {
                dst,
                obj,
                key,
                value,
            } => {
                let v = reg!(value).clone();
                let target = self.take_operand(base, dst, obj);
                set!(
                    dst,
                    check!(ops::set_field(
                        target,
                        program.keys[key as usize].clone(),
                        v
                    ))
                );
            }
            Instr::SetDyn {
                dst,
                obj,
                key,
                value,
            } => {
                let k = match &reg!(key) {
                    Value::Str(s) => crate::value::Key::from(s.as_str()),
                    other => check!(Err(RtError::runtime(format!(
                        "map keys are strings, got {}",
                        other.kind()
                    )))),
                };
                let v = reg!(value).clone();
                let target = self.take_operand(base, dst, obj);
                set!(dst, check!(ops::set_field(target, k, v)));
            }
            Instr::SetIndex {
                dst,
                arr,
                index,
                value,
            } => {
                let v = reg!(value).clone();
                let i = reg!(index).clone();
                let target = self.take_operand(base, dst, arr);
                set!(dst, check!(ops::set_index(target, &i, v)));
            }
            Instr::CaseInverse { dst, src, name } => {
                let wanted = &program.keys[name as usize];
                set!(
                    dst,
                    match &reg!(src) {
                        Value::Case(c) if c.name == *wanted => {
                            c.arg.clone().unwrap_or(Value::Null)
                        }
                        _ => Value::Undefined,
                    }
                )
            }
            Instr::ToStream { dst, src } => {
                set!(
                    dst,
                    match &reg!(src) {
                        Value::Array(items) => {
                            Value::Stream(Rc::new(Stream::of_array(items.clone())))
                        }
                        Value::Stream(s) => Value::Stream(s.clone()),
                        Value::Undefined => Value::Undefined,
                        other => check!(Err(RtError::runtime(format!(
                            "`[]` needs an array, got {}",
                            other.kind()
                        )))),
                    }
                )
            }
            Instr::Slice { dst, src, from, to } => {
                let v = check!(slice(&reg!(src), &reg!(from), &reg!(to)));
                set!(dst, v);
            }
            Instr::StreamAppend { dst, a, b } => {
                let left = Stream::wrap(reg!(a).clone());
                let right = Stream::wrap(reg!(b).clone());
                set!(dst, Value::Stream(Rc::new(Stream::Append(left, right))));
            }
            Instr::IterStart { dst, src } => {
                let stream = match &reg!(src) {
                    Value::Array(items) => Rc::new(Stream::of_array(items.clone())),
                    Value::Stream(s) => s.clone(),
                    other => check!(Err(RtError::runtime(format!(
                        "`for … in` needs a stream or an array, got {}",
                        other.kind()
                    )))),
                };
                set!(
                    dst,
                    Value::Host(Rc::new(HostObject::Cursor(RefCell::new(stream.cursor(),))))
                );
            }
            _ => unreachable!("handled by the dispatch loop"),
        }
        Ok(())
    }

    /// Refuses a concatenation whose result alone would break the memory cap (growth by
    /// doubling outruns the periodic check).
    fn reserve(&self, a: &Value, b: &Value) -> RtResult<()> {
        let Some(cap) = self.memory_cap else {
            return Ok(());
        };
        let size = |v: &Value| match v {
            Value::Str(s) => s.len(),
            Value::Array(items) => items.len() * std::mem::size_of::<Value>(),
            Value::Obj(o) => o.len() * 2 * std::mem::size_of::<Value>(),
            _ => 0,
        };
        let wanted = size(a).saturating_add(size(b));
        if wanted > 1 << 16 && crate::alloc::live_bytes().saturating_add(wanted) > cap {
            return Err(RtError::limit("memory limit exceeded"));
        }
        Ok(())
    }

    /// Moves operand `a` out of its register when the instruction overwrites that register
    /// anyway, so a value held only there can be updated in place.
    #[inline]
    fn take_operand(&mut self, base: usize, dst: Reg, a: Reg) -> Value {
        if dst == a {
            std::mem::take(&mut self.regs[base + a as usize])
        } else {
            self.regs[base + a as usize].clone()
        }
    }

    /// Pops the current frame with `value`; `Some` when that ends this run.
    #[inline(always)]
    fn return_value(
        &mut self,
        value: Value,
        stop: usize,
        code: &mut &'p [Instr],
        pc: &mut usize,
        base: &mut usize,
    ) -> Option<Value> {
        match self.leave_frame(stop, code, pc, base) {
            None => Some(value),
            Some(to) => {
                store(unsafe { self.regs.get_unchecked_mut(to) }, value);
                None
            }
        }
    }

    /// Pops the current frame. `None` when that ends this run; otherwise the caller's code,
    /// resume point and base are loaded and the result's register (an index into the register
    /// file) is returned.
    #[inline(always)]
    fn leave_frame(
        &mut self,
        stop: usize,
        code: &mut &'p [Instr],
        pc: &mut usize,
        base: &mut usize,
    ) -> Option<usize> {
        // Only the two fields needed are read: moving the whole frame out (`pop`) copies it
        // with wide loads right after the call wrote it field by field, which stalls.
        let len = self.frames.len();
        // SAFETY: the running frame exists (`len >= 1`); its closure is moved out before
        // `set_len` forgets the slot, and the other fields are `Copy`.
        let (dst, closure) = unsafe {
            let top = self.frames.as_mut_ptr().add(len - 1);
            let dst = (*top).dst;
            let closure = std::ptr::read(std::ptr::addr_of!((*top).closure));
            self.frames.set_len(len - 1);
            (dst, closure)
        };
        drop(closure);
        if len - 1 == stop {
            return None;
        }
        let caller = unsafe { self.frames.last().unwrap_unchecked() };
        let function = unsafe {
            self.program
                .module
                .functions
                .get_unchecked(caller.function as usize)
        };
        *code = &function.code;
        *pc = caller.pc as usize;
        *base = caller.base as usize;
        Some(*base + dst as usize)
    }
}

/// The error when natives and the Mix functions they call nest past [`MAX_NATIVE_DEPTH`].
#[cold]
fn natives_too_deep() -> RtError {
    RtError::runtime("stack overflow: natives and Mix functions call each other too deeply")
}

/// The result of an arithmetic instruction's integer fast path.
enum IntOp {
    Int(i64),
    Float(f64),
    /// Not handled inline (overflow, division by zero): the general operation decides.
    General,
}

impl IntOp {
    #[inline(always)]
    fn int(r: Option<i64>) -> IntOp {
        r.map_or(IntOp::General, IntOp::Int)
    }
}

/// Whether a comparison is exactly `true` (what a branch tests).
#[inline(always)]
fn holds(op: crate::qcode::CmpOp, x: &Value, y: &Value) -> bool {
    match (x, y) {
        (Value::Int(x), Value::Int(y)) => ops::ordered(op, *x, *y),
        (x, y) => matches!(ops::compare(op, x, y), Value::Bool(true)),
    }
}

/// Copies a value: scalars bit for bit (the derived `clone` is an out-of-line call), the rest by
/// reference-count bump.
#[inline(always)]
fn copy(value: &Value) -> Value {
    if value.is_scalar() {
        // SAFETY: scalar variants own no heap data and have no destructor, so a bitwise copy is
        // exactly what `clone` makes.
        unsafe { std::ptr::read(value) }
    } else {
        value.clone()
    }
}

/// Copies register `src` into register `dst`. A scalar goes field by field, with the widths
/// the instruction that wrote it used (tag byte, then the bool byte or the 8-byte payload at offset 8):
/// copying it as one 16-byte block right after it was written (an argument computed just
/// before a call) misses store-to-load forwarding and stalls for a dozen cycles.
///
/// # Safety
/// `dst` and `src` point at initialised values of the register file (the verifier keeps every
/// operand inside its frame's window, and the file never reallocates).
#[inline(always)]
unsafe fn copy_slot(dst: *mut Value, src: *const Value) {
    let tag = (*src).tag();
    if tag > TAG_FLOAT {
        let v = (*src).clone();
        store(&mut *dst, v);
        return;
    }
    // `src` is a scalar, so a `dst` that owns something is another register.
    if !(*dst).is_scalar() {
        std::ptr::drop_in_place(dst);
    }
    // `Value` is `repr(C, u8)`: tag at 0, payloads at 8 (checked by a test in value.rs).
    let (d, s) = (dst as *mut u8, src as *const u8);
    match tag {
        TAG_INT | TAG_FLOAT => (d.add(8) as *mut u64).write((s.add(8) as *const u64).read()),
        TAG_BOOL => d.add(8).write(s.add(8).read()),
        _ => {}
    }
    d.write(tag);
}

/// Moves a value out of register `src` (leaving `undefined` behind when it owned something),
/// scalars field by field as in [`copy_slot`].
///
/// # Safety
/// As for [`copy_slot`].
#[inline(always)]
unsafe fn take_slot(src: *mut Value) -> Value {
    let s = src as *const u8;
    match (*src).tag() {
        TAG_INT => Value::Int((s.add(8) as *const i64).read()),
        TAG_FLOAT => Value::Float(f64::from_bits((s.add(8) as *const u64).read())),
        TAG_BOOL => Value::Bool(s.add(8).read() != 0),
        TAG_NULL => Value::Null,
        TAG_UNDEFINED => Value::Undefined,
        _ => std::mem::take(&mut *src),
    }
}

/// Moves register `src` into register `dst`, leaving `undefined` behind when it owned
/// something (so the callee's dead register does not keep it alive).
///
/// # Safety
/// As for [`copy_slot`].
#[inline(always)]
unsafe fn move_slot(dst: *mut Value, src: *mut Value) {
    if (*src).is_scalar() {
        copy_slot(dst, src)
    } else {
        let v = std::ptr::read(src);
        // The bits left in `src` now belong to `v`; a lone tag byte makes `src` a valid
        // `undefined` again (no payload).
        (src as *mut u8).write(TAG_UNDEFINED);
        store(&mut *dst, v);
    }
}

/// Steps a join (`ArrayConcat`, `MapMerge`, `AddDyn`) is charged: the entries it copies. A left
/// operand held only here is extended in place, so only the right one's entries are copied.
fn join_cost(left: &Value, right: &Value) -> u64 {
    let copied = match left {
        Value::Array(items) if items.is_shared() => items.len() as u64,
        Value::Obj(entries) if Rc::strong_count(entries) > 1 => entries.copy_cost(),
        _ => 0,
    };
    let added = match right {
        Value::Array(items) => items.len() as u64,
        Value::Obj(entries) => entries.len() as u64,
        _ => 0,
    };
    copied + added
}

/// Steps `ArrayPrepend` is charged: the entries it copies. In place (see
/// [`ops::prepends_in_place`]) only the left operand's; otherwise a join's, the left one
/// being copied (its register still holds it).
fn prepend_cost(left: &Value, right: &Value) -> u64 {
    match (left, right) {
        (Value::Array(a), Value::Array(b)) if ops::prepends_in_place(a, b) => a.len() as u64,
        _ => join_cost(left, right),
    }
}

/// Writes a register, dropping the old value only when it holds a reference (the compiler
/// otherwise calls the out-of-line `Value` destructor on every write). A scalar is written
/// field by field (see [`copy_slot`]) and never through a temporary in memory: a result built
/// with narrow stores and then copied as one 16-byte block stalls store forwarding.
#[inline(always)]
fn store(slot: &mut Value, value: Value) {
    match value {
        Value::Int(x) => store_word(slot, TAG_INT, x as u64),
        Value::Float(x) => store_word(slot, TAG_FLOAT, x.to_bits()),
        Value::Bool(b) => store_bool(slot, b),
        Value::Null => store_tag(slot, TAG_NULL),
        Value::Undefined => store_tag(slot, TAG_UNDEFINED),
        other => {
            release(slot);
            // SAFETY: the slot's old value is gone (released above or a scalar).
            unsafe { std::ptr::write(slot, other) }
        }
    }
}

/// Drops a register's value when it owns something, leaving the slot's bytes to be
/// overwritten (every caller writes a complete value right after).
#[inline(always)]
fn release(slot: &mut Value) {
    if !slot.is_scalar() {
        // SAFETY: dropped once; the caller overwrites the slot before anyone reads it.
        unsafe { std::ptr::drop_in_place(slot) }
    }
}

/// Writes an integer or a float (`tag`) with its 8-byte payload. Releasing an old reference
/// is a call out of line that also does the write, so no result stays live across a call (it
/// would be spilled on every path).
#[inline(always)]
fn store_word(slot: &mut Value, tag: u8, payload: u64) {
    if slot.is_scalar() {
        write_word(slot, tag, payload)
    } else {
        store_word_releasing(slot, tag, payload)
    }
}

#[cold]
#[inline(never)]
fn store_word_releasing(slot: &mut Value, tag: u8, payload: u64) {
    release(slot);
    write_word(slot, tag, payload)
}

/// Writes a scalar over a slot whose old value owns nothing.
#[inline(always)]
fn write_word(slot: &mut Value, tag: u8, payload: u64) {
    // SAFETY: `Value` is `repr(C, u8)`: tag at 0, payload at 8. `tag` is `TAG_INT` or
    // `TAG_FLOAT` (any 8-byte payload) or `TAG_BOOL` (payload 0 or 1, read as its low byte).
    unsafe {
        let d = slot as *mut Value as *mut u8;
        if tag == TAG_BOOL {
            d.add(8).write(payload as u8);
        } else {
            (d.add(8) as *mut u64).write(payload);
        }
        d.write(tag);
    }
}

/// Replaces the integer in a register that holds an integer (its tag stays).
#[inline(always)]
fn set_int_payload(slot: &mut Value, x: i64) {
    debug_assert!(matches!(slot, Value::Int(_)));
    // SAFETY: `Value` is `repr(C, u8)` with the payload at offset 8; the slot is an `Int`.
    unsafe { ((slot as *mut Value as *mut u8).add(8) as *mut i64).write(x) }
}

#[inline(always)]
fn store_bool(slot: &mut Value, b: bool) {
    store_word(slot, TAG_BOOL, b as u64)
}

/// Writes `null` or `undefined` (no payload).
#[inline(always)]
fn store_tag(slot: &mut Value, tag: u8) {
    release(slot);
    // SAFETY: `tag` is `TAG_NULL` or `TAG_UNDEFINED`, complete values on their own.
    unsafe { (slot as *mut Value as *mut u8).write(tag) }
}

fn clip(s: &str) -> String {
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s.to_string()
    }
}

fn kind_matches(v: &Value, kind: KindTest) -> bool {
    match kind {
        KindTest::Null => matches!(v, Value::Null),
        KindTest::Bool => matches!(v, Value::Bool(_)),
        KindTest::Number => matches!(v, Value::Int(_) | Value::Float(_)),
        KindTest::String => matches!(v, Value::Str(_)),
        KindTest::Array => matches!(v, Value::Array(_)),
        KindTest::Object => matches!(v, Value::Obj(_)),
        KindTest::Ref => matches!(v, Value::Ref(_)),
        KindTest::Case => matches!(v, Value::Case(_)),
        KindTest::Function => matches!(v, Value::Func(_)),
        KindTest::Stream => matches!(v, Value::Stream(_)),
        KindTest::Binary => matches!(v, Value::Binary(_)),
        KindTest::Data => v.is_data(),
    }
}

/// Whether `v` has `shape` all the way down (a recursive union's `Again` as often as the value
/// goes on). Most shapes have no `Again` and are walked recursively, as deep as the shape
/// (the loader bounds it) and with no allocation; meeting an `Again` starts over with
/// [`shape_walk`], whose depth is the value's.
fn shape_matches(v: &Value, shape: &crate::qcode::Shape) -> bool {
    shape_matches_without_again(v, shape).unwrap_or_else(|| shape_walk(v, shape))
}

/// [`shape_matches`] for a shape without `Again`: `None` when the walk meets one.
fn shape_matches_without_again(v: &Value, shape: &crate::qcode::Shape) -> Option<bool> {
    use crate::qcode::Shape;
    fn all<'a>(parts: impl Iterator<Item = (&'a Value, &'a Shape)>) -> Option<bool> {
        for (x, s) in parts {
            if !shape_matches_without_again(x, s)? {
                return Some(false);
            }
        }
        Some(true)
    }
    Some(match (shape, v) {
        (Shape::Again(_), _) => return None,
        (Shape::Any, _) => true,
        (Shape::Kind(kind), v) => kind_matches(v, *kind),
        (Shape::Array(each), Value::Array(items)) => {
            return all(items.iter().map(|x| (x, &**each)))
        }
        (Shape::Map(each), Value::Obj(fields)) => {
            return all(fields.values().map(|x| (x, &**each)))
        }
        (Shape::Tuple(shapes), Value::Array(items)) if items.len() == shapes.len() => {
            return all(items.iter().zip(shapes.iter()))
        }
        (Shape::Record(wanted), Value::Obj(fields)) => {
            for (name, s) in wanted {
                match fields.get(name.as_str()) {
                    Some(x) if shape_matches_without_again(x, s)? => {}
                    _ => return Some(false),
                }
            }
            true
        }
        (Shape::Cases(members), Value::Case(c)) => {
            match members.iter().find(|m| *m.name == *c.name) {
                None => false,
                Some(m) => match (&m.arg, &c.arg) {
                    (Shape::Any, _) => true,
                    (arg, Some(x)) => return shape_matches_without_again(x, arg),
                    (_, None) => false,
                },
            }
        }
        (Shape::Cases(members), Value::Null) => members.iter().any(|m| m.name == "null"),
        _ => false,
    })
}

/// [`shape_matches`] for a shape with `Again`: the value is walked with a stack of its own.
fn shape_walk(v: &Value, shape: &crate::qcode::Shape) -> bool {
    use crate::qcode::Shape;
    // A walk of the value with a stack of its own, not the native one: a recursive union's
    // value (a list of a million `cons`) is as deep as it is long. `cases` holds each `Cases`
    // shape whose case argument the walk went into, with the entry enclosing it, so that
    // `Again(n)` finds the shape `n` levels out on its own path.
    let mut cases: Vec<(&Shape, Option<usize>)> = Vec::new();
    let mut todo: Vec<(&Value, &Shape, Option<usize>)> = vec![(v, shape, None)];
    while let Some((v, shape, inside)) = todo.pop() {
        let pass = match (shape, v) {
            (Shape::Any, _) => true,
            (Shape::Kind(kind), v) => kind_matches(v, *kind),
            (Shape::Array(each), Value::Array(items)) => {
                todo.extend(items.iter().map(|x| (x, &**each, inside)));
                true
            }
            (Shape::Map(each), Value::Obj(fields)) => {
                todo.extend(fields.values().map(|x| (x, &**each, inside)));
                true
            }
            (Shape::Tuple(shapes), Value::Array(items)) => {
                todo.extend(items.iter().zip(shapes).map(|(x, s)| (x, s, inside)));
                items.len() == shapes.len()
            }
            (Shape::Record(wanted), Value::Obj(fields)) => {
                wanted
                    .iter()
                    .all(|(name, s)| match fields.get(name.as_str()) {
                        Some(x) => {
                            todo.push((x, s, inside));
                            true
                        }
                        None => false,
                    })
            }
            (Shape::Cases(members), Value::Case(c)) => {
                match members.iter().find(|m| *m.name == *c.name) {
                    None => false,
                    Some(m) => match (&m.arg, &c.arg) {
                        (Shape::Any, _) => true,
                        (arg, Some(x)) => {
                            cases.push((shape, inside));
                            todo.push((x, arg, Some(cases.len() - 1)));
                            true
                        }
                        (_, None) => false,
                    },
                }
            }
            (Shape::Cases(members), Value::Null) => members.iter().any(|m| m.name == "null"),
            (Shape::Again(up), v) => {
                // The loader checked that `up` names a `Cases` shape this one is inside.
                let mut at = inside;
                for _ in 0..*up {
                    at = at.and_then(|i| cases[i].1);
                }
                match at {
                    Some(i) => {
                        let (again, outer) = cases[i];
                        todo.push((v, again, outer));
                        true
                    }
                    None => false,
                }
            }
            _ => false,
        };
        if !pass {
            return false;
        }
    }
    true
}

/// `a[p..q]` (inclusive) as a stream; an open end is `null`.
fn slice(src: &Value, from: &Value, to: &Value) -> RtResult<Value> {
    let items = match src {
        Value::Array(items) => items.clone(),
        Value::Undefined => return Ok(Value::Undefined),
        other => {
            return Err(RtError::runtime(format!(
                "slices need an array, got {}",
                other.kind()
            )))
        }
    };
    let bound = |v: &Value, default: i64| -> RtResult<i64> {
        match v {
            Value::Null => Ok(default),
            other => other
                .as_i64()
                .ok_or_else(|| RtError::runtime(format!("slice bounds are integers, got {other}"))),
        }
    };
    let len = items.len() as i64;
    let start = bound(from, 0)?.clamp(0, len) as usize;
    let end = (bound(to, len - 1)?.saturating_add(1)).clamp(0, len) as usize;
    Ok(Value::Stream(Rc::new(Stream::Slice {
        items,
        start,
        end: end.max(start),
    })))
}

impl Host for Vm<'_> {
    /// The natives' way back into Mix, once per element for `array.map` and its kin: a closure
    /// called with exactly its arity is run right here, everything else goes through
    /// [`Vm::call_value`].
    fn call(&mut self, function: &Value, args: &[Value]) -> RtResult<Value> {
        match self.exact_closure(function, args.len()) {
            Some((index, f)) => self.invoke(index, Some(f), args),
            None => self.call_value(function, args),
        }
    }

    fn call_moving(&mut self, function: &Value, args: &mut [Value]) -> RtResult<Value> {
        match self.exact_closure(function, args.len()) {
            Some((index, f)) => self.invoke_moving(index, Some(f), args),
            None => self.call_value(function, args),
        }
    }

    fn charge(&mut self, steps: u64) -> RtResult<()> {
        if steps >= self.ticks {
            let spent = steps.min(self.fuel);
            return self.check_limits(spent.max(1));
        }
        self.ticks -= steps;
        Ok(())
    }

    fn check_memory(&mut self) -> RtResult<()> {
        if let Some(cap) = self.memory_cap {
            if crate::alloc::live_bytes() > cap {
                return Err(RtError::limit("memory limit exceeded"));
            }
        }
        Ok(())
    }

    fn random_state(&mut self) -> &mut u64 {
        &mut self.random
    }

    fn now_millis(&mut self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }

    fn log(&mut self, line: &str) {
        (self.log_sink)(line)
    }

    fn database(&mut self) -> &mut crate::db::Database {
        self.database
            .get_or_insert_with(crate::db::Database::in_memory)
    }
}
