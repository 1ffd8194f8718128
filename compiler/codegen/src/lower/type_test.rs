//! Run-time type tests: `type(T, e)` assertions, `type(T)` pattern arms, and the tests the
//! checker asks for where a `data` value meets a narrower type. A written type becomes a kind
//! test, a case-membership test, or a shape walked by one `TestShape`.

use mix_runtime::qcode::{Instr, KindTest, Reg, Shape};
use mix_syntax::ast::{Expr, Type, TypeKind};

use mix_check::infer::Narrowing;
use mix_check::{RuntimeType, SourceFile};

use super::{Lowerer, Res};

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
            [elem] => match this.element_shape(elem, home, aliases) {
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
                    .map(|item| self.element_shape(&item.ty, home, aliases))
                    .collect();
                Ok(Some(TypeTest::Shape(Shape::Tuple(shapes))))
            }
            TypeKind::Record(fields) if !fields.is_empty() => {
                let mut shapes = std::collections::BTreeMap::new();
                for field in fields {
                    let shape = match &field.ty {
                        Some(t) => self.element_shape(t, home, aliases),
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

    /// The shape of a part of a structured type. A part with no run-time test of its own (a
    /// type parameter of an alias, `pair(A) = [A, A]`, or an opaque type) accepts anything,
    /// as the outer kind test always did.
    fn element_shape(&self, ty: &Type, home: &(SourceFile, String), aliases: usize) -> Shape {
        self.type_test_in(ty, home, aliases)
            .map_or(Shape::Any, TypeTest::into_shape)
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
    pub(super) fn run_type_test(&mut self, v: Reg, test: &TypeTest) -> Reg {
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
        let Some(narrowing) = self.narrowed(e) else {
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

    /// The test the checker asks for at `e`. Asked of every expression lowered, and most
    /// definitions have no narrowing: the empty table is not hashed into.
    pub(super) fn narrowed(&self, e: &Expr) -> Option<Narrowing> {
        if self.narrowing.is_empty() {
            return None;
        }
        self.narrowing.get(&(e.span.start, e.span.end)).copied()
    }

    /// Raises `failure` unless the value in `v` passes `test`. A narrowing's test also passes
    /// `undefined`, a value of every type (spec §5: it goes on bubbling), and `null`, the
    /// bottom of `data` (facts §4.3: `array.length` of a `data` null is 0, facts §5.10).
    fn fail_unless_type(&mut self, v: Reg, test: &TypeTest, failure: Failure<'_>) {
        let t = self.run_type_test(v, test);
        let mut passed = vec![self.b().jump(Instr::JumpIfTrue { cond: t, target: 0 })];
        match failure {
            Failure::Assertion(message) => {
                let constant = self.prog.string(message);
                self.emit(Instr::LoadConst { dst: t, constant });
            }
            Failure::Narrowed(expected) => {
                self.emit(Instr::TestKind {
                    dst: t,
                    src: v,
                    kind: KindTest::Null,
                });
                passed.push(self.b().jump(Instr::JumpIfTrue { cond: t, target: 0 }));
                self.emit(Instr::IsDefined { dst: t, src: v });
                passed.push(self.b().jump(Instr::JumpIfFalse { cond: t, target: 0 }));
                // "this `data` value is a string, not a number", built by a shared function
                // (the failing value's kind is known only at run time).
                let args = self.b().regs(2);
                self.emit(Instr::Move { dst: args, src: v });
                let constant = self.prog.string(expected);
                self.emit(Instr::LoadConst {
                    dst: crate::builder::nth(args, 1),
                    constant,
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
        const LABEL: &str = "data narrowing message";
        if let Some(index) = self.prog.wrapper_index(LABEL) {
            return index;
        }
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
        self.prog.wrapper(LABEL.into(), 2, |b, dst| {
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
}
