//! Calls. A call of a known definition with exactly its arity is a direct call (a tail call in
//! tail position); fewer arguments load the function and make a partial application; more call
//! with the arity and apply the result to the rest. Constructors, `c^(v)` and the prelude
//! compile to their own instructions.

use mix_diagnostics::Diagnostic;
use mix_runtime::qcode::{Instr, KindTest, Reg};
use mix_syntax::ast::{Expr, ExprKind};

use super::{codes, Lowerer, Res};
use crate::builder::{nth, FnBuilder};
use crate::program::Slot;
use crate::resolve::{Global, Prelude};

/// What is being called.
enum Callee {
    Slot(Slot),
    Case(String),
    Prelude(Prelude),
    Inverse(String),
    Value,
}

impl Lowerer<'_, '_> {
    /// Compiles `callee(args)` into `dst`, or as the function's result when `dst` is `None`.
    pub(super) fn call(
        &mut self,
        callee: &Expr,
        args: &[Expr],
        dst: Option<Reg>,
        e: &Expr,
    ) -> Res<()> {
        let target = self.callee(callee)?;
        // `db.filter` and `db.map` calls run in the query engine (lower/query.rs).
        if let (Callee::Slot(Slot::Native { index, .. }), [function, rest @ ..]) = (&target, args) {
            let native = self.prog.module.natives[*index as usize].as_str();
            let (filter, map) = (native == "db.filter", native == "db.map");
            if filter {
                return self.db_filter(function, rest, dst, e);
            }
            if map && self.db_map(function, rest, dst, e)? {
                return Ok(());
            }
        }
        let unit = Expr::new(ExprKind::Unit, e.span);
        let args: Vec<&Expr> = if args.is_empty() {
            vec![&unit]
        } else {
            args.iter().collect()
        };
        let mark = self.b().mark();
        let out = match dst {
            Some(d) => d,
            None => self.b().reg(),
        };
        let (arity, direct) = match &target {
            Callee::Slot(Slot::Function { arity, .. }) => (*arity as usize, true),
            Callee::Slot(Slot::Native { arity, .. }) if *arity > 0 => (*arity as usize, true),
            Callee::Case(_) | Callee::Inverse(_) => (1, true),
            Callee::Prelude(p) => (p.arity(), true),
            _ => (0, false),
        };
        if !direct || args.len() < arity {
            let f = self.b().reg();
            self.expr(callee, f)?;
            self.apply(f, &args, dst, out, e)?;
            self.b().release(mark);
            return Ok(());
        }
        let (now, later) = args.split_at(arity);
        let first = self.b().regs(arity);
        for (i, a) in now.iter().enumerate() {
            self.short_scope(a, nth(first, i))?;
        }
        self.at(e.span);
        let tail = dst.is_none() && later.is_empty();
        match target {
            Callee::Slot(Slot::Function { index, .. }) if tail => {
                self.emit(Instr::TailCallDirect {
                    function: index,
                    args: first,
                    argc: arity as u8,
                });
                self.b().release(mark);
                return Ok(());
            }
            Callee::Slot(Slot::Function { index, .. }) => {
                self.emit(Instr::CallDirect {
                    dst: out,
                    function: index,
                    args: first,
                    argc: arity as u8,
                });
            }
            Callee::Slot(Slot::Native { index, .. }) => {
                self.emit(Instr::CallNative {
                    dst: out,
                    native: index,
                    args: first,
                    argc: arity as u8,
                });
            }
            Callee::Case(name) => {
                let name = self.prog.string(&name);
                self.emit(Instr::NewCase {
                    dst: out,
                    name,
                    arg: Some(first),
                });
            }
            Callee::Inverse(name) => {
                let name = self.prog.string(&name);
                self.emit(Instr::CaseInverse {
                    dst: out,
                    src: first,
                    name,
                });
            }
            Callee::Prelude(p) => self.prelude(p, first, out),
            Callee::Slot(Slot::Global { .. }) | Callee::Value => {
                unreachable!("not a direct callee")
            }
        }
        if later.is_empty() {
            if dst.is_none() {
                self.emit(Instr::Return { src: out });
            }
        } else {
            self.apply(out, later, dst, out, e)?;
        }
        self.b().release(mark);
        Ok(())
    }

    /// Calls the function value in `f` with `args` (a tail call when `dst` is `None`).
    fn apply(&mut self, f: Reg, args: &[&Expr], dst: Option<Reg>, out: Reg, e: &Expr) -> Res<()> {
        let first = self.b().regs(args.len());
        for (i, a) in args.iter().enumerate() {
            self.short_scope(a, nth(first, i))?;
        }
        if args.len() > 255 {
            return Err(Box::new(
                self.unsupported("a call with more than 255 arguments", e.span),
            ));
        }
        self.at(e.span);
        match dst {
            None if self.f().tries == 0 && self.f().exits.is_empty() => {
                self.emit(Instr::TailCall {
                    callee: f,
                    args: first,
                    argc: args.len() as u8,
                });
            }
            _ => {
                self.emit(Instr::Call {
                    dst: out,
                    callee: f,
                    args: first,
                    argc: args.len() as u8,
                });
                if dst.is_none() {
                    self.emit(Instr::Return { src: out });
                }
            }
        }
        Ok(())
    }

    fn callee(&mut self, callee: &Expr) -> Res<Callee> {
        let path: Vec<Box<str>> = match &callee.kind {
            ExprKind::Name(n) => {
                if self.lookup(n).is_some() {
                    return Ok(Callee::Value);
                }
                vec![n.clone()]
            }
            ExprKind::Field(base, field) => match self.qualified_path(base) {
                Some(mut p) => {
                    p.push(field.name.clone());
                    p
                }
                None => return Ok(Callee::Value),
            },
            ExprKind::Inverse(inner) => {
                let name = match &inner.kind {
                    ExprKind::Name(n) => n.to_string(),
                    ExprKind::Field(_, f) => f.name.to_string(),
                    _ => return Err(Box::new(self.unsupported("this case inverse", callee.span))),
                };
                return Ok(Callee::Inverse(name));
            }
            _ => return Ok(Callee::Value),
        };
        let path: Vec<&str> = path.iter().map(|s| &**s).collect();
        let path: Vec<&str> = match path.as_slice() {
            ["self" | "global", rest @ ..] if !rest.is_empty() => rest.to_vec(),
            _ => path,
        };
        Ok(match self.resolver.value(&path) {
            Some(Global::Def(key)) => Callee::Slot(self.slot(&key, callee)?),
            Some(Global::Case(name)) if self.resolver.case_has_arg(&name) => Callee::Case(name),
            Some(Global::Prelude(p)) => Callee::Prelude(p),
            Some(Global::Case(_)) | None => Callee::Value,
        })
    }

    /// A prelude function applied to arguments in `args ..`.
    fn prelude(&mut self, p: Prelude, args: Reg, dst: Reg) {
        match p {
            Prelude::Fail => {
                self.emit(Instr::Fail { src: args });
            }
            Prelude::Debug => {
                if let Some((native, _)) = self.prog.native("logging.debugValue") {
                    self.emit(Instr::CallNative {
                        dst,
                        native,
                        args,
                        argc: 1,
                    });
                }
                self.emit(Instr::LoadNull { dst });
            }
            Prelude::WithDefault => {
                // withDefault(default, x): x when defined.
                let x = args + 1;
                let defined = self.b().reg();
                self.emit(Instr::IsDefined {
                    dst: defined,
                    src: x,
                });
                let missing = self.b().jump(Instr::JumpIfNotTrue {
                    cond: defined,
                    target: 0,
                });
                self.emit(Instr::Move { dst, src: x });
                let end = self.b().jump(Instr::Jump { target: 0 });
                self.b().land(missing);
                self.emit(Instr::Move { dst, src: args });
                self.b().land(end);
            }
            Prelude::NoDefault => {
                let defined = self.b().reg();
                self.emit(Instr::IsDefined {
                    dst: defined,
                    src: args,
                });
                let ok = self.b().jump(Instr::JumpIfTrue {
                    cond: defined,
                    target: 0,
                });
                let message = self.prog.string("noDefault: the value is undefined");
                self.emit(Instr::LoadConst {
                    dst: defined,
                    constant: message,
                });
                self.emit(Instr::Fail { src: defined });
                self.b().land(ok);
                self.emit(Instr::Move { dst, src: args });
            }
            Prelude::Floor | Prelude::Ceil | Prelude::Datacase => {
                let name = match p {
                    Prelude::Floor => "number.floor",
                    Prelude::Ceil => "number.ceil",
                    _ => "json.datacase",
                };
                match self.prog.native(name) {
                    Some((native, _)) => {
                        self.emit(Instr::CallNative {
                            dst,
                            native,
                            args,
                            argc: 1,
                        });
                    }
                    None if p == Prelude::Datacase => self.datacase(args, dst),
                    None => {
                        let is_number = self.b().reg();
                        self.emit(Instr::TestKind {
                            dst: is_number,
                            src: args,
                            kind: KindTest::Number,
                        });
                        let message = self.prog.string(&format!("{name} is not available"));
                        self.emit(Instr::LoadConst {
                            dst: is_number,
                            constant: message,
                        });
                        self.emit(Instr::Fail { src: is_number });
                    }
                }
            }
        }
    }

    /// `datacase(x)` without a native: the kind of a data value (`"null"`, `"bool"`,
    /// `"number"`, `"string"`, `"array"`, `"ref"`, `"object"`; a case is an object, as in
    /// EscJSON); undefined for undefined and for values that are not data.
    fn datacase(&mut self, src: Reg, dst: Reg) {
        let names = self.kind_constants(&[
            (KindTest::Null, "null"),
            (KindTest::Bool, "bool"),
            (KindTest::Number, "number"),
            (KindTest::String, "string"),
            (KindTest::Array, "array"),
            (KindTest::Ref, "ref"),
            (KindTest::Object, "object"),
            (KindTest::Case, "object"),
        ]);
        self.b().kind_name(src, dst, &names, None);
    }

    /// A function wrapping a case constructor, for `array.map(some)` (one per case).
    pub(super) fn constructor_function(&mut self, name: &str) -> u32 {
        let constant = self.prog.string(name);
        self.prog.wrapper(format!("case {name}"), 1, |b, dst| {
            b.emit(Instr::NewCase {
                dst,
                name: constant,
                arg: Some(0),
            });
        })
    }

    /// A function wrapping a case inverse, for `array.map(meters^)` (one per case).
    pub(super) fn inverse_function(&mut self, name: &str) -> u32 {
        let constant = self.prog.string(name);
        self.prog.wrapper(format!("case {name}^"), 1, |b, dst| {
            b.emit(Instr::CaseInverse {
                dst,
                src: 0,
                name: constant,
            });
        })
    }

    /// A function wrapping a prelude function used as a value.
    pub(super) fn prelude_function(&mut self, p: Prelude, e: &Expr) -> Res<u32> {
        let label = format!("prelude {p:?}");
        if let Some(index) = self.prog.wrapper_index(&label) {
            return Ok(index);
        }
        let arity = p.arity() as u8;
        let index = self.prog.new_wrapper(label, arity);
        self.fns.push(super::FnCtx::new(
            FnBuilder::new(format!("prelude {p:?}"), arity),
            None,
        ));
        let dst = self.b().reg();
        self.prelude(p, 0, dst);
        self.emit(Instr::Return { src: dst });
        let ctx = self.fns.pop().ok_or_else(|| {
            Diagnostic::error(codes::UNSUPPORTED, "internal: no function", e.span)
        })?;
        self.prog.set_function(index, ctx.b.finish(0));
        Ok(index)
    }
}
