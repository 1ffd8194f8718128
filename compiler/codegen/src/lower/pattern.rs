//! Patterns compile to a sequence of tests on the matched register, each jumping to the arm's
//! failure label, and bindings of the names they introduce. Sub-values are read into fresh
//! registers that stay live for the arm (the caller releases them with the arm's scope).

use mix_runtime::qcode::{CmpOp, Instr, KindTest, Reg, Shape};
use mix_syntax::ast::{Expr, Pattern, PatternKind, SpreadKind, Type, TypeKind};

use mix_check::infer::Narrowing;
use mix_check::{RuntimeType, SourceFile};

use super::{Binding, Lowerer, Res};
use crate::builder::Patch;

/// How many aliases a type test may expand in a row (see `declared_type_test`).
const MAX_ALIASES: usize = 64;

/// What `type(T)` checks at run time.
#[derive(Clone, Debug)]
pub(super) enum TypeTest {
    /// The value's kind.
    Kind(KindTest),
    /// The value is one of the cases of union `name` (`null` for a `null` member).
    Cases { name: String, cases: Vec<String> },
    /// The value has a structure all the way down: `array(number)`, `{name: string}`.
    Shape(Shape),
}

/// What a failed type test raises.
#[derive(Clone, Copy)]
enum Failure<'a> {
    /// This message (`type(T, e)`).
    Assertion(&'a str),
    /// "this `data` value is a string, not a number", naming what was expected.
    Narrowed(&'static str),
}

impl TypeTest {
    /// As an element of a larger shape (`None`: every value passes).
    fn into_shape(test: Option<TypeTest>) -> Shape {
        match test {
            None => Shape::Any,
            Some(TypeTest::Kind(kind)) => Shape::Kind(kind),
            Some(TypeTest::Cases { cases, .. }) => Shape::Cases(cases),
            Some(TypeTest::Shape(shape)) => shape,
        }
    }
}

impl Lowerer<'_, '_> {
    pub(super) fn pattern(&mut self, p: &Pattern, v: Reg, fails: &mut Vec<Patch>) -> Res<()> {
        match &p.kind {
            PatternKind::Wildcard => {}
            PatternKind::Bind(name) => self.bind(name, Binding::Reg(v)),
            PatternKind::Null => self.test_kind(v, KindTest::Null, fails),
            PatternKind::Undefined => {
                let t = self.b().reg();
                self.emit(Instr::IsUndefined { dst: t, src: v });
                self.fail_unless(t, fails);
            }
            PatternKind::Bool(b) => {
                let t = self.b().reg();
                self.emit(Instr::LoadBool { dst: t, value: *b });
                self.test_equal(v, t, fails);
            }
            PatternKind::Int(i) => {
                let t = self.b().reg();
                self.load_int(*i, t);
                self.test_equal(v, t, fails);
            }
            PatternKind::Float(f) => {
                let t = self.b().reg();
                let constant = self.prog.float(*f);
                self.emit(Instr::LoadConst { dst: t, constant });
                self.test_equal(v, t, fails);
            }
            PatternKind::Str(s) => {
                let t = self.b().reg();
                let constant = self.prog.string(s);
                self.emit(Instr::LoadConst { dst: t, constant });
                self.test_equal(v, t, fails);
            }
            PatternKind::Array(items) => self.array_pattern(items, v, fails)?,
            PatternKind::Record(fields) => {
                self.test_kind(v, KindTest::Object, fails);
                for field in fields {
                    let r = self.b().reg();
                    let key = self.prog.string(&field.key.name);
                    self.emit(Instr::GetField {
                        dst: r,
                        obj: v,
                        key,
                    });
                    if !field.optional {
                        let t = self.b().reg();
                        self.emit(Instr::IsDefined { dst: t, src: r });
                        self.fail_unless(t, fails);
                    }
                    match &field.pattern {
                        Some(sub) => self.pattern(sub, r, fails)?,
                        None => self.bind(&field.key.name, Binding::Reg(r)),
                    }
                }
            }
            PatternKind::Case { path, arg } => {
                let name = path.last().map_or("", |i| &*i.name);
                let t = self.b().reg();
                let constant = self.prog.string(name);
                self.emit(Instr::IsCase {
                    dst: t,
                    src: v,
                    name: constant,
                });
                self.fail_unless(t, fails);
                if let Some(sub) = arg {
                    let r = self.b().reg();
                    self.emit(Instr::CaseArg { dst: r, src: v });
                    self.pattern(sub, r, fails)?;
                }
            }
            PatternKind::TypeTest(ty) => {
                if let Some(test) = self.type_test(ty)? {
                    let t = self.run_type_test(v, &test);
                    self.fail_unless(t, fails);
                }
            }
            PatternKind::Capture(name, inner) => {
                self.bind(&name.name, Binding::Reg(v));
                self.pattern(inner, v, fails)?;
            }
            PatternKind::Compare(op, name, rhs) => {
                self.bind(&name.name, Binding::Reg(v));
                let Some(op) = super::branch::cmp_op(*op) else {
                    return Err(Box::new(
                        self.unsupported("this comparison pattern", p.span),
                    ));
                };
                let other = self.operand(rhs)?;
                self.fail_unless_cmp(op, v, other, fails);
            }
            PatternKind::And(a, b) => {
                self.pattern(a, v, fails)?;
                self.pattern(b, v, fails)?;
            }
            PatternKind::Typed(inner, _) | PatternKind::Paren(inner) => {
                self.pattern(inner, v, fails)?
            }
            PatternKind::Spread(..) => {
                return Err(Box::new(
                    self.unsupported("a spread outside an array pattern", p.span),
                ))
            }
            PatternKind::Error => {
                return Err(Box::new(self.unsupported("a pattern with errors", p.span)))
            }
        }
        Ok(())
    }

    /// `[p0, p1, ~multiple rest, q0, q1]` and `[p0, ~optional a, ~optional b]`: the elements
    /// before a `~multiple` are read from the front, the ones after it from the back; each
    /// `~optional` element may be missing (then it is undefined).
    fn array_pattern(&mut self, items: &[Pattern], v: Reg, fails: &mut Vec<Patch>) -> Res<()> {
        self.test_kind(v, KindTest::Array, fails);
        let is_spread =
            |i: &Pattern, k: SpreadKind| matches!(&i.kind, PatternKind::Spread(s, _) if *s == k);
        let fixed = items
            .iter()
            .filter(|i| !matches!(i.kind, PatternKind::Spread(..)))
            .count();
        let optional = items
            .iter()
            .filter(|i| is_spread(i, SpreadKind::Optional))
            .count();
        let multiple = items
            .iter()
            .position(|i| is_spread(i, SpreadKind::Multiple));
        if let Some(first_opt) = items
            .iter()
            .position(|i| is_spread(i, SpreadKind::Optional))
        {
            let trailing = items[first_opt..]
                .iter()
                .all(|i| is_spread(i, SpreadKind::Optional));
            if multiple.is_some() || !trailing {
                return Err(Box::new(self.unsupported(
                    "an `~optional` element that is not at the end of the array pattern",
                    items[first_opt].span,
                )));
            }
        }
        if let Some(m) = multiple {
            if let Some(extra) = items[m + 1..]
                .iter()
                .find(|i| matches!(i.kind, PatternKind::Spread(..)))
            {
                return Err(Box::new(
                    self.unsupported("a second spread in an array pattern", extra.span),
                ));
            }
        }
        let len = self.b().reg();
        self.emit(Instr::Length { dst: len, src: v });
        let op = if multiple.is_some() || optional > 0 {
            CmpOp::Ge
        } else {
            CmpOp::Eq
        };
        self.fail_unless_cmp_int(op, len, fixed as i64, fails);
        if optional > 0 {
            self.fail_unless_cmp_int(CmpOp::Le, len, (fixed + optional) as i64, fails);
        }
        // Elements after the `~multiple` are counted from the end.
        let after = multiple.map_or(0, |m| items.len() - m - 1);
        for (i, item) in items.iter().enumerate() {
            let r = self.b().reg();
            match &item.kind {
                PatternKind::Spread(SpreadKind::Multiple, name) => {
                    if after == 0 {
                        self.emit(Instr::ArrayRest {
                            dst: r,
                            src: v,
                            from: i as u16,
                        });
                    } else {
                        // skipn(i, firstn(len - after, v))
                        let (Some((firstn, _)), Some((skipn, _))) = (
                            self.prog.native("array.firstn"),
                            self.prog.native("array.skipn"),
                        ) else {
                            return Err(Box::new(self.unsupported(
                                "elements after `~multiple` (no array natives)",
                                item.span,
                            )));
                        };
                        let args = self.b().regs(2);
                        self.emit(Instr::AddInt {
                            dst: args,
                            a: len,
                            value: -(after as i32),
                        });
                        self.emit(Instr::Move {
                            dst: args + 1,
                            src: v,
                        });
                        self.emit(Instr::CallNative {
                            dst: args + 1,
                            native: firstn,
                            args,
                            argc: 2,
                        });
                        self.load_int(i as i64, args);
                        self.emit(Instr::CallNative {
                            dst: r,
                            native: skipn,
                            args,
                            argc: 2,
                        });
                    }
                    self.bind(&name.name, Binding::Reg(r));
                }
                PatternKind::Spread(SpreadKind::Optional, name) => {
                    let index = self.b().reg();
                    self.load_int(i as i64, index);
                    self.emit(Instr::GetIndexOrUndefined {
                        dst: r,
                        arr: v,
                        index,
                    });
                    self.bind(&name.name, Binding::Reg(r));
                }
                _ => {
                    let index = self.b().reg();
                    match multiple {
                        Some(m) if i > m => {
                            self.emit(Instr::AddInt {
                                dst: index,
                                a: len,
                                value: i as i32 - items.len() as i32,
                            });
                        }
                        _ => self.load_int(i as i64, index),
                    }
                    self.emit(Instr::GetIndexOrUndefined {
                        dst: r,
                        arr: v,
                        index,
                    });
                    self.pattern(item, r, fails)?;
                }
            }
        }
        Ok(())
    }

    /// The run-time test of a type written in this definition (`None`: every value passes, as
    /// for `any`).
    pub(super) fn type_test(&self, ty: &Type) -> Res<Option<TypeTest>> {
        let home = (self.resolver.file, self.resolver.module.clone());
        self.type_test_in(ty, &home, 0)
    }

    /// `type_test` with the names of `ty` resolved in module `home`; `aliases`: how many
    /// aliases were expanded to get here.
    fn type_test_in(
        &self,
        ty: &Type,
        home: &(SourceFile, String),
        aliases: usize,
    ) -> Res<Option<TypeTest>> {
        let kind = |k| Ok(Some(TypeTest::Kind(k)));
        // `array(T)` and `map(T)` test their elements when `T` tests anything.
        let container = |this: &Self, k, args: &[Type], shape: fn(Box<Shape>) -> Shape| match args {
            [elem] => match TypeTest::into_shape(this.type_test_in(elem, home, aliases)?) {
                Shape::Any => kind(k),
                each => Ok(Some(TypeTest::Shape(shape(Box::new(each))))),
            },
            _ => kind(k),
        };
        match &ty.kind {
            TypeKind::Null => kind(KindTest::Null),
            TypeKind::App(path, args) if matches!(&path[..], [p] if &*p.name == "array") => {
                container(self, KindTest::Array, args, Shape::Array)
            }
            TypeKind::App(path, args) if matches!(&path[..], [p] if &*p.name == "map") => {
                container(self, KindTest::Object, args, Shape::Map)
            }
            TypeKind::Tuple(items) => {
                let shapes = items
                    .iter()
                    .map(|item| {
                        Ok(TypeTest::into_shape(
                            self.type_test_in(&item.ty, home, aliases)?,
                        ))
                    })
                    .collect::<Res<Vec<Shape>>>()?;
                Ok(Some(TypeTest::Shape(Shape::Tuple(shapes))))
            }
            TypeKind::Record(fields) if !fields.is_empty() => {
                let mut shapes = std::collections::BTreeMap::new();
                for field in fields {
                    let shape = match &field.ty {
                        Some(t) => TypeTest::into_shape(self.type_test_in(t, home, aliases)?),
                        None => Shape::Kind(KindTest::Data),
                    };
                    shapes.insert(field.key.name.to_string(), shape);
                }
                Ok(Some(TypeTest::Shape(Shape::Record(
                    shapes.into_iter().collect(),
                ))))
            }
            TypeKind::Named(path) | TypeKind::App(path, _) => {
                let path: Vec<&str> = path.iter().map(|i| &*i.name).collect();
                match path.as_slice() {
                    ["bool"] => kind(KindTest::Bool),
                    ["number"] => kind(KindTest::Number),
                    ["string"] => kind(KindTest::String),
                    ["array"] => kind(KindTest::Array),
                    ["map"] => kind(KindTest::Object),
                    ["ref"] => kind(KindTest::Ref),
                    ["stream"] => kind(KindTest::Stream),
                    ["binary"] => kind(KindTest::Binary),
                    ["data"] => kind(KindTest::Data),
                    ["null"] => kind(KindTest::Null),
                    ["any"] => Ok(None),
                    _ => self.declared_type_test(ty, &path, home, aliases),
                }
            }
            TypeKind::Record(_) => kind(KindTest::Object),
            TypeKind::Fun(..) => kind(KindTest::Function),
            TypeKind::Stream(_) => kind(KindTest::Stream),
            TypeKind::Paren(inner) => self.type_test_in(inner, home, aliases),
            TypeKind::Wildcard => Ok(None),
            _ => Err(Box::new(
                self.unsupported("a run-time test of this type", ty.span),
            )),
        }
    }

    /// The test of a declared type: an alias's body, or membership in a union's cases.
    fn declared_type_test(
        &self,
        ty: &Type,
        path: &[&str],
        (file, module): &(SourceFile, String),
        aliases: usize,
    ) -> Res<Option<TypeTest>> {
        let resolved = mix_check::runtime_type(
            self.resolver.db,
            self.resolver.workspace,
            *file,
            module,
            path,
        );
        match resolved {
            // Aliases cannot be cyclic once checked; the bound only keeps this finite if one is.
            Some(RuntimeType::Alias { body, file, module }) if aliases < MAX_ALIASES => {
                self.type_test_in(&body, &(file, module), aliases + 1)
            }
            Some(RuntimeType::Cases(cases)) => Ok(Some(TypeTest::Cases {
                name: path.join("."),
                cases,
            })),
            _ => Err(Box::new(
                self.unsupported("a run-time test of this type", ty.span),
            )),
        }
    }

    /// Emits `test` of the value in `v`: the register returned holds whether it passed.
    fn run_type_test(&mut self, v: Reg, test: &TypeTest) -> Reg {
        let t = self.b().reg();
        match test {
            TypeTest::Kind(kind) => {
                self.emit(Instr::TestKind {
                    dst: t,
                    src: v,
                    kind: *kind,
                });
            }
            TypeTest::Shape(shape) => {
                let shape = self.prog.shape(shape);
                self.emit(Instr::TestShape {
                    dst: t,
                    src: v,
                    shape,
                });
            }
            TypeTest::Cases { cases, .. } => {
                // One test per case; the first that passes jumps past the rest with `t` true,
                // and the last one's result is the answer otherwise.
                let mut passed = Vec::new();
                for (i, case) in cases.iter().enumerate() {
                    if case == "null" {
                        self.emit(Instr::TestKind {
                            dst: t,
                            src: v,
                            kind: KindTest::Null,
                        });
                    } else {
                        let name = self.prog.string(case);
                        self.emit(Instr::IsCase {
                            dst: t,
                            src: v,
                            name,
                        });
                    }
                    if i + 1 < cases.len() {
                        passed.push(self.b().jump(Instr::JumpIfTrue { cond: t, target: 0 }));
                    }
                }
                for patch in passed {
                    self.b().land(patch);
                }
            }
        }
        t
    }

    /// `type(T, e)`: `e`'s value in `v` must pass `T`'s run-time test, else a run-time error.
    pub(super) fn assert_type(&mut self, ty: &Type, v: Reg) -> Res<()> {
        let Some(test) = self.type_test(ty)? else {
            return Ok(());
        };
        let what = match &test {
            TypeTest::Kind(kind) => format!("a {}", format!("{kind:?}").to_lowercase()),
            TypeTest::Cases { name, .. } => format!("a {name}"),
            TypeTest::Shape(shape) => format!("of type `{shape}`"),
        };
        let message = format!("type assertion failed: the value is not {what}");
        self.fail_unless_type(v, &test, Failure::Assertion(&message));
        Ok(())
    }

    /// The run-time test the checker asks for where a `data` value meets a narrower type
    /// (spec §4), at the value's own position.
    pub(super) fn assert_narrowed(&mut self, e: &Expr, v: Reg) {
        let Some(&narrowing) = self.narrowing.get(&(e.span.start, e.span.end)) else {
            return;
        };
        let kind = match narrowing {
            Narrowing::Bool => KindTest::Bool,
            Narrowing::Number => KindTest::Number,
            Narrowing::String => KindTest::String,
            Narrowing::Ref => KindTest::Ref,
            Narrowing::Binary => KindTest::Binary,
            Narrowing::Array => KindTest::Array,
            Narrowing::Map => KindTest::Object,
        };
        self.at(e.span);
        let failure = Failure::Narrowed(narrowing.described());
        self.fail_unless_type(v, &TypeTest::Kind(kind), failure);
    }

    /// Raises `failure` unless the value in `v` passes `test`. A narrowing's test also passes
    /// `undefined`, a value of every type (spec §5: it goes on bubbling), and `null`, the
    /// bottom of `data` (facts §4.3: `array.length` of a `data` null is 0, facts §5.10).
    fn fail_unless_type(&mut self, v: Reg, test: &TypeTest, failure: Failure<'_>) {
        let t = self.run_type_test(v, test);
        let mut passed = vec![self.b().jump(Instr::JumpIfTrue { cond: t, target: 0 })];
        let message = match failure {
            Failure::Assertion(message) => self.prog.string(message),
            Failure::Narrowed(expected) => {
                self.emit(Instr::TestKind {
                    dst: t,
                    src: v,
                    kind: KindTest::Null,
                });
                passed.push(self.b().jump(Instr::JumpIfTrue { cond: t, target: 0 }));
                self.emit(Instr::IsDefined { dst: t, src: v });
                passed.push(self.b().jump(Instr::JumpIfFalse { cond: t, target: 0 }));
                self.prog.string(expected)
            }
        };
        match failure {
            Failure::Assertion(_) => {
                self.emit(Instr::LoadConst {
                    dst: t,
                    constant: message,
                });
            }
            Failure::Narrowed(_) => {
                // "this `data` value is a string, not a number", built by a shared function
                // (the failing value's kind is known only at run time).
                let args = self.b().regs(2);
                self.emit(Instr::Move { dst: args, src: v });
                self.emit(Instr::LoadConst {
                    dst: crate::builder::nth(args, 1),
                    constant: message,
                });
                let function = self.narrowing_message();
                self.emit(Instr::CallDirect {
                    dst: t,
                    function,
                    args,
                    argc: 2,
                });
            }
        }
        self.emit(Instr::Fail { src: t });
        for patch in passed {
            self.b().land(patch);
        }
    }

    /// The function `(value, expected) -> "this `data` value is <kind of value>, not
    /// <expected>"`, one per module.
    fn narrowing_message(&mut self) -> u32 {
        let names = self.kind_constants(&[
            (KindTest::Bool, "a bool"),
            (KindTest::Number, "a number"),
            (KindTest::String, "a string"),
            (KindTest::Array, "an array"),
            (KindTest::Object, "a map or record"),
            (KindTest::Ref, "a ref"),
            (KindTest::Binary, "a binary"),
            (KindTest::Case, "a case"),
        ]);
        let otherwise = self.prog.string("another value");
        let prefix = self.prog.string("this `data` value is ");
        let middle = self.prog.string(", not ");
        self.prog
            .wrapper("data narrowing message".into(), 2, |b, dst| {
                let (value, expected) = (0, 1);
                let kind = b.reg();
                b.kind_name(value, kind, &names, Some(otherwise));
                let text = b.reg();
                b.emit(Instr::LoadConst {
                    dst,
                    constant: prefix,
                });
                b.emit(Instr::LoadConst {
                    dst: text,
                    constant: middle,
                });
                for part in [kind, text, expected] {
                    b.emit(Instr::Concat {
                        dst,
                        a: dst,
                        b: part,
                    });
                }
            })
    }

    /// `names` with each name as a string constant (for [`FnBuilder::kind_name`]).
    pub(super) fn kind_constants(&mut self, names: &[(KindTest, &str)]) -> Vec<(KindTest, u32)> {
        names
            .iter()
            .map(|&(kind, name)| (kind, self.prog.string(name)))
            .collect()
    }

    fn test_kind(&mut self, v: Reg, kind: KindTest, fails: &mut Vec<Patch>) {
        let t = self.run_type_test(v, &TypeTest::Kind(kind));
        self.fail_unless(t, fails);
    }

    fn test_equal(&mut self, v: Reg, constant: Reg, fails: &mut Vec<Patch>) {
        self.fail_unless_cmp(CmpOp::Eq, v, constant, fails);
    }

    /// Fails the arm unless `a op b` is exactly true: one compare-and-branch instruction.
    fn fail_unless_cmp(&mut self, op: CmpOp, a: Reg, b: Reg, fails: &mut Vec<Patch>) {
        fails.push(self.b().jump(Instr::BranchCmp {
            op,
            a,
            b,
            target: 0,
            when: false,
        }));
    }

    /// `fail_unless_cmp` against an integer constant.
    fn fail_unless_cmp_int(&mut self, op: CmpOp, a: Reg, value: i64, fails: &mut Vec<Patch>) {
        match i16::try_from(value) {
            Ok(value) => fails.push(self.b().jump(Instr::BranchCmpInt {
                op,
                a,
                value,
                target: 0,
                when: false,
            })),
            Err(_) => {
                let b = self.b().reg();
                self.load_int(value, b);
                self.fail_unless_cmp(op, a, b, fails);
            }
        }
    }

    fn fail_unless(&mut self, cond: Reg, fails: &mut Vec<Patch>) {
        fails.push(self.b().jump(Instr::JumpIfNotTrue { cond, target: 0 }));
    }
}
