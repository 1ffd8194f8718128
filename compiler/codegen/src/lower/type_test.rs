//! Run-time type tests: `type(T, e)` assertions, `type(T)` pattern arms, and the tests the
//! checker asks for where a `data` value meets a narrower type. A written type becomes a kind
//! test, a case-membership test, or a shape walked by one `TestShape`.

use std::collections::HashMap;

use mix_runtime::qcode::{CaseShape, Instr, KindTest, Reg, Shape, MAX_SHAPE_DEPTH};
use mix_syntax::ast::{Expr, Type, TypeKind};

use mix_check::infer::{NarrowedKind, Narrowing};
use mix_check::ty::Ty;
use mix_check::{RuntimeType, SourceFile};

use super::{Lowerer, Res};

/// How many aliases and unions a type test may expand in a row (see `declared_type_test`).
const MAX_EXPANSIONS: usize = 64;

/// What `type(T)` checks at run time.
#[derive(Clone, Debug)]
pub(super) enum TypeTest {
    /// The value's kind.
    Kind(KindTest),
    /// The value is one of the cases of union `name` (`null` for a `null` member), its
    /// argument of the case's shape.
    Cases { name: String, cases: Vec<CaseShape> },
    /// The value has a structure all the way down: `array(number)`, `{name: string}`,
    /// `option(number)`.
    Shape(Shape),
}

/// What a failed type test raises.
#[derive(Clone, Copy)]
enum Failure<'a> {
    /// This message (`type(T, e)`).
    Assertion(&'a str),
    /// "this `data` value is a string, not a number", naming what was expected.
    Narrowed(&'static str),
    /// This message, for a narrowed value of the right kind with something else inside.
    NarrowedInside(&'a str),
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

    /// The test a shape stands for: a kind alone stays a `TestKind`.
    fn of_shape(shape: Shape) -> Option<TypeTest> {
        match shape {
            Shape::Any => None,
            Shape::Kind(kind) => Some(TypeTest::Kind(kind)),
            shape => Some(TypeTest::Shape(shape)),
        }
    }
}

/// Where a type under test is read.
#[derive(Clone)]
struct Scope {
    /// The file and module its names resolve in.
    home: (SourceFile, String),
    /// What its type parameters stand for: the shapes of the arguments written where the
    /// alias or union declaring them is used (`pair(number)` binds `A` to `number`).
    params: HashMap<String, Shape>,
    /// Aliases and unions expanded to get here.
    expanded: usize,
    /// The unions being expanded, outermost first: one met again inside its own cases (a
    /// recursive union such as a list's tail) is `Shape::Again`, not unfolded forever.
    unions: Vec<String>,
}

impl Lowerer<'_, '_> {
    /// The run-time test of a type written in this definition (`None`: every value passes, as
    /// for `any`).
    pub(super) fn type_test(&self, ty: &Type) -> Res<Option<TypeTest>> {
        let scope = Scope {
            home: (self.resolver.file, self.resolver.module.clone()),
            params: HashMap::new(),
            expanded: 0,
            unions: Vec::new(),
        };
        // deeper than the loader takes: the innermost parts pass whatever they hold
        Ok(match self.type_test_in(ty, &scope)? {
            Some(TypeTest::Shape(shape)) => TypeTest::of_shape(shape.limited(MAX_SHAPE_DEPTH)),
            Some(TypeTest::Cases { name, cases }) => {
                match Shape::Cases(cases).limited(MAX_SHAPE_DEPTH) {
                    Shape::Cases(cases) => Some(TypeTest::Cases { name, cases }),
                    other => TypeTest::of_shape(other),
                }
            }
            test => test,
        })
    }

    /// `type_test` of `ty` read in `scope`.
    fn type_test_in(&self, ty: &Type, scope: &Scope) -> Res<Option<TypeTest>> {
        let kind = |k| Ok(Some(TypeTest::Kind(k)));
        // `array(T)` and `map(T)` test their elements when `T` tests anything.
        let container = |this: &Self, k, args: &[Type], shape: fn(Box<Shape>) -> Shape| match args {
            [elem] => match this.element_shape(elem, scope) {
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
                    .map(|item| self.element_shape(&item.ty, scope))
                    .collect();
                Ok(Some(TypeTest::Shape(Shape::Tuple(shapes))))
            }
            TypeKind::Record(fields) if !fields.is_empty() => {
                let mut shapes = std::collections::BTreeMap::new();
                for field in fields {
                    let shape = match &field.ty {
                        Some(t) => self.element_shape(t, scope),
                        None => Shape::Kind(KindTest::Data),
                    };
                    shapes.insert(field.key.name.to_string(), shape);
                }
                Ok(Some(TypeTest::Shape(Shape::Record(
                    shapes.into_iter().collect(),
                ))))
            }
            // A parameter of the alias or union being expanded: the shape of its argument.
            TypeKind::Var(param, _) if scope.params.contains_key(&*param.name) => {
                Ok(TypeTest::of_shape(scope.params[&*param.name].clone()))
            }
            TypeKind::Named(path) | TypeKind::App(path, _) => {
                let args = match &ty.kind {
                    TypeKind::App(_, args) => &args[..],
                    _ => &[],
                };
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
                    _ => self.declared_type_test(ty, &path, args, scope),
                }
            }
            TypeKind::Record(_) => kind(KindTest::Object),
            TypeKind::Fun(..) => kind(KindTest::Function),
            TypeKind::Stream(_) => kind(KindTest::Stream),
            TypeKind::Paren(inner) => self.type_test_in(inner, scope),
            TypeKind::Wildcard => Ok(None),
            _ => Err(Box::new(
                self.unsupported("a run-time test of this type", ty.span),
            )),
        }
    }

    /// The shape of a part of a structured type. A part with no run-time test of its own (an
    /// unbound type parameter, an opaque type) accepts anything, as the outer kind test always
    /// did.
    fn element_shape(&self, ty: &Type, scope: &Scope) -> Shape {
        self.type_test_in(ty, scope)
            .map_or(Shape::Any, TypeTest::into_shape)
    }

    /// The test of a declared type used with `args`: an alias's body, or membership in a
    /// union's cases with each case's argument tested, their parameters bound to the
    /// arguments' shapes.
    fn declared_type_test(
        &self,
        ty: &Type,
        path: &[&str],
        args: &[Type],
        scope: &Scope,
    ) -> Res<Option<TypeTest>> {
        let resolved = mix_check::runtime_type(
            self.resolver.db,
            self.resolver.workspace,
            scope.home.0,
            &scope.home.1,
            path,
        );
        let bind = |params: &[String]| -> HashMap<String, Shape> {
            let mut shapes = args.iter().map(|a| self.element_shape(a, scope));
            params
                .iter()
                .map(|p| (p.clone(), shapes.next().unwrap_or(Shape::Any)))
                .collect()
        };
        // Aliases cannot be cyclic once checked, and a union stops at itself; the bound only
        // keeps this finite if that ever fails.
        let within = scope.expanded < MAX_EXPANSIONS;
        match resolved {
            Some(RuntimeType::Alias {
                params,
                body,
                file,
                module,
            }) if within => {
                let inner = Scope {
                    home: (file, module),
                    params: bind(&params),
                    expanded: scope.expanded + 1,
                    unions: scope.unions.clone(),
                };
                self.type_test_in(&body, &inner)
            }
            Some(RuntimeType::Cases {
                name,
                params,
                cases,
            }) => {
                let membership = || {
                    Ok(Some(TypeTest::Cases {
                        name: path.join("."),
                        cases: cases.iter().map(|c| CaseShape::named(&c.name)).collect(),
                    }))
                };
                if let Some(at) = scope.unions.iter().rposition(|u| *u == name) {
                    // Each union expanded on the way here is one `Cases` shape whose case
                    // argument this is part of, innermost last.
                    let up = scope.unions.len() - 1 - at;
                    return Ok(match u8::try_from(up) {
                        Ok(up) => Some(TypeTest::Shape(Shape::Again(up))),
                        Err(_) => None,
                    });
                }
                if !within {
                    return membership();
                }
                let bound = bind(&params);
                let mut unions = scope.unions.clone();
                unions.push(name);
                let shapes: Vec<CaseShape> = cases
                    .iter()
                    .map(|case| CaseShape {
                        name: case.name.clone(),
                        arg: match &case.arg {
                            Some((arg, file, module)) => {
                                let inner = Scope {
                                    home: (*file, module.clone()),
                                    params: bound.clone(),
                                    expanded: scope.expanded + 1,
                                    unions: unions.clone(),
                                };
                                self.element_shape(arg, &inner)
                            }
                            None => Shape::Any,
                        },
                    })
                    .collect();
                Ok(Some(TypeTest::Cases {
                    name: path.join("."),
                    cases: shapes,
                }))
            }
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
            TypeTest::Cases { cases, .. } if cases.iter().any(|c| c.arg != Shape::Any) => {
                let shape = self.prog.shape(&Shape::Cases(cases.clone()));
                self.emit(Instr::TestShape {
                    dst: t,
                    src: v,
                    shape,
                });
            }
            TypeTest::Cases { cases, .. } => {
                // Membership only: one test per case; the first that passes jumps past the
                // rest with `t` true, and the last one's result is the answer otherwise.
                let mut passed = Vec::new();
                for (i, case) in cases.iter().enumerate() {
                    let case = &case.name;
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
        let kind = narrowing.kind;
        let shape = narrowed_shape(&narrowing.expected).limited(MAX_SHAPE_DEPTH);
        // The kind first, for the message naming the kind the value has; then the structure,
        // for one naming the type it lacks.
        let structure = match &shape {
            Shape::Any | Shape::Kind(_) => None,
            _ => Some(format!(
                "this `data` value is not `{}`: a part of it is missing or of another type",
                mix_check::ty::Printer::default().print(&narrowing.expected)
            )),
        };
        self.at(e.span);
        let kind_test = TypeTest::Kind(kind_test_of(kind));
        self.fail_unless_type(v, &kind_test, Failure::Narrowed(kind.described()));
        if let Some(message) = structure {
            let test = TypeTest::Shape(shape);
            self.fail_unless_type(v, &test, Failure::NarrowedInside(&message));
        }
    }

    /// The test the checker asks for at `e`. Asked of every expression lowered, and most
    /// definitions have no narrowing: the empty table is not hashed into.
    pub(super) fn narrowed(&self, e: &Expr) -> Option<&Narrowing> {
        if self.narrowing.is_empty() {
            return None;
        }
        self.narrowing.get(&(e.span.start, e.span.end))
    }

    /// Raises `failure` unless the value in `v` passes `test`. A narrowing's test also passes
    /// `undefined`, a value of every type (spec §5: it goes on bubbling), and `null`, the
    /// bottom of `data` (facts §4.3: `array.length` of a `data` null is 0, facts §5.10).
    fn fail_unless_type(&mut self, v: Reg, test: &TypeTest, failure: Failure<'_>) {
        let t = self.run_type_test(v, test);
        let mut passed = vec![self.b().jump(Instr::JumpIfTrue { cond: t, target: 0 })];
        // A narrowed value may be `null` or `undefined`; an asserted one may not.
        if !matches!(failure, Failure::Assertion(_)) {
            self.emit(Instr::TestKind {
                dst: t,
                src: v,
                kind: KindTest::Null,
            });
            passed.push(self.b().jump(Instr::JumpIfTrue { cond: t, target: 0 }));
            self.emit(Instr::IsDefined { dst: t, src: v });
            passed.push(self.b().jump(Instr::JumpIfFalse { cond: t, target: 0 }));
        }
        match failure {
            Failure::Assertion(message) | Failure::NarrowedInside(message) => {
                let constant = self.prog.string(message);
                self.emit(Instr::LoadConst { dst: t, constant });
            }
            Failure::Narrowed(expected) => {
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

/// What a narrowed `data` value of the checker's type `ty` is tested for: its kind, and the
/// items of a tuple and the fields of a record, all the way down; never the elements of an
/// array or the values of a map. So the test costs at most the size of the type, never the
/// size of the value: a program passing a parsed array of a million numbers to a function
/// taking `array(number)` in a loop does not walk it each time. A declared union, a case set,
/// `data` and what is not data (functions, streams, type variables) pass whatever they hold.
fn narrowed_shape(ty: &Ty) -> Shape {
    let kind = |k| Shape::Kind(k);
    match ty {
        Ty::Con(name, args) => match (&**name, args.as_slice()) {
            ("bool", []) => kind(KindTest::Bool),
            ("number", []) => kind(KindTest::Number),
            ("string", []) => kind(KindTest::String),
            ("ref", []) => kind(KindTest::Ref),
            ("binary", []) => kind(KindTest::Binary),
            ("array", [_]) => kind(KindTest::Array),
            ("map", [_]) => kind(KindTest::Object),
            _ => Shape::Any,
        },
        Ty::Tuple(items) => Shape::Tuple(items.iter().map(narrowed_shape).collect()),
        // A record type's fields are sorted by name already, as a record shape's must be.
        Ty::Record(fields, _) => Shape::Record(
            fields
                .iter()
                .map(|(name, t)| (name.to_string(), narrowed_shape(t)))
                .collect(),
        ),
        Ty::Var(_) | Ty::Fun(..) | Ty::Cases(..) | Ty::Plus(..) => Shape::Any,
    }
}

/// The kind test of a narrowing's kind.
fn kind_test_of(kind: NarrowedKind) -> KindTest {
    match kind {
        NarrowedKind::Bool => KindTest::Bool,
        NarrowedKind::Number => KindTest::Number,
        NarrowedKind::String => KindTest::String,
        NarrowedKind::Ref => KindTest::Ref,
        NarrowedKind::Binary => KindTest::Binary,
        NarrowedKind::Array => KindTest::Array,
        NarrowedKind::Map => KindTest::Object,
    }
}
