//! Conditions compiled as branches: a comparison becomes one compare-and-branch instruction,
//! `&&`/`||` become chains of branches. A condition "holds" only when it is exactly `true`
//! (undefined and everything else do not), which is what makes the `&&`/`||` chains exact
//! under Kleene logic: `a && b` is true exactly when both are true, `a || b` when either is.

use mix_runtime::qcode::{CmpOp, Instr};
use mix_syntax::ast::{BinOp, Expr, ExprKind};

use super::{Lowerer, Res};
use crate::builder::Patch;

/// The run-time comparison of a comparison operator (`None` for the other operators).
pub(super) fn cmp_op(op: BinOp) -> Option<CmpOp> {
    Some(match op {
        BinOp::Eq => CmpOp::Eq,
        BinOp::Ne => CmpOp::Ne,
        BinOp::StrictEq => CmpOp::StrictEq,
        BinOp::StrictNe => CmpOp::StrictNe,
        BinOp::Lt => CmpOp::Lt,
        BinOp::Le => CmpOp::Le,
        BinOp::Gt => CmpOp::Gt,
        BinOp::Ge => CmpOp::Ge,
        BinOp::EqCi => CmpOp::EqCi,
        BinOp::NeCi => CmpOp::NeCi,
        BinOp::LtCi => CmpOp::LtCi,
        BinOp::LeCi => CmpOp::LeCi,
        BinOp::GtCi => CmpOp::GtCi,
        BinOp::GeCi => CmpOp::GeCi,
        _ => return None,
    })
}

impl Lowerer<'_, '_> {
    /// Jumps (to be landed by the caller) taken when `cond` holds (`when`) or does not hold
    /// (`!when`); falls through otherwise.
    pub(super) fn branch(&mut self, cond: &Expr, when: bool) -> Res<Vec<Patch>> {
        match &cond.kind {
            ExprKind::Paren(inner) if !mix_check::infer::has_short_projection(inner) => {
                self.branch(inner, when)
            }
            // Unless `a && b` holds: unless a holds, or unless b holds.
            ExprKind::Binary(BinOp::And, a, b) if !when => {
                let mut jumps = self.branch(a, false)?;
                jumps.extend(self.branch(b, false)?);
                Ok(jumps)
            }
            // If `a || b` holds: if a holds, or if b holds.
            ExprKind::Binary(BinOp::Or, a, b) if when => {
                let mut jumps = self.branch(a, true)?;
                jumps.extend(self.branch(b, true)?);
                Ok(jumps)
            }
            // If `a && b` holds: skip unless a holds, then branch if b holds.
            ExprKind::Binary(BinOp::And, a, b) => {
                let skip = self.branch(a, false)?;
                let jumps = self.branch(b, true)?;
                for s in skip {
                    self.b().land(s);
                }
                Ok(jumps)
            }
            // Unless `a || b` holds: past it if a holds, else unless b holds.
            ExprKind::Binary(BinOp::Or, a, b) => {
                let skip = self.branch(a, true)?;
                let jumps = self.branch(b, false)?;
                for s in skip {
                    self.b().land(s);
                }
                Ok(jumps)
            }
            ExprKind::Binary(op, a, b) if cmp_op(*op).is_some() => {
                let op = cmp_op(*op).expect("a comparison");
                let mark = self.b().mark();
                let x = self.operand(a)?;
                let small = match b.kind {
                    ExprKind::Int(i) => i16::try_from(i).ok(),
                    _ => None,
                };
                let jump = match small {
                    Some(value) => {
                        self.at(cond.span);
                        self.b().jump(Instr::BranchCmpInt {
                            op,
                            a: x,
                            value,
                            target: 0,
                            when,
                        })
                    }
                    None => {
                        let y = self.operand(b)?;
                        self.at(cond.span);
                        self.b().jump(Instr::BranchCmp {
                            op,
                            a: x,
                            b: y,
                            target: 0,
                            when,
                        })
                    }
                };
                self.b().release(mark);
                Ok(vec![jump])
            }
            _ => {
                let mark = self.b().mark();
                let c = self.operand(cond)?;
                self.b().release(mark);
                let jump = if when {
                    Instr::JumpIfTrue { cond: c, target: 0 }
                } else {
                    Instr::JumpIfNotTrue { cond: c, target: 0 }
                };
                Ok(vec![self.b().jump(jump)])
            }
        }
    }
}
