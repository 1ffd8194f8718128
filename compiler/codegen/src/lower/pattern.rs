//! Patterns compile to a sequence of tests on the matched register, each jumping to the arm's
//! failure label, and bindings of the names they introduce. Sub-values are read into fresh
//! registers that stay live for the arm (the caller releases them with the arm's scope).

use mix_runtime::qcode::{CmpOp, Instr, KindTest, Reg};
use mix_syntax::ast::{Pattern, PatternKind, SpreadKind};

use super::type_test::TypeTest;
use super::{Binding, Lowerer, Res};
use crate::builder::Patch;

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
