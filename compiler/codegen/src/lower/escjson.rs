//! `_escJSON_ {…}` (facts §2): a compile-time constant written in EscJSON (facts §7.5), the same
//! value as the one its escape tags stand for (`{_rmx_type: "{tag}case:ok", _rmx_value: "a"}` is
//! `ok("a")`). The constant is written out as JSON text (`mix_syntax::json`) and decoded by the
//! run time's EscJSON reader (`string.parseEscJSON`), so the compiler and `parseEscJSON` cannot
//! disagree about a form.

use mix_diagnostics::Span;
use mix_runtime::qcode::Reg;
use mix_syntax::ast::{Expr, ExprKind, FieldName};

use super::{Lowerer, Res};

impl Lowerer<'_, '_> {
    /// Lowers `_escJSON_ constant` into `dst`.
    pub(super) fn esc_json(&mut self, constant: &Expr, dst: Reg, span: Span) -> Res<()> {
        // The checker has reported anything that is not a constant (E0214).
        let text = mix_syntax::json::constant_json(constant).map_err(|at| {
            Box::new(self.unsupported("a `_escJSON_` value that is not a constant", at))
        })?;
        // `global.string.parseEscJSON`: past any local binding named `string`.
        let field = |base: Expr, name: &str| {
            let name = FieldName {
                name: name.into(),
                quoted: false,
            };
            Expr::new(ExprKind::Field(Box::new(base), name), span)
        };
        let global = Expr::new(ExprKind::GlobalRef, span);
        let parse = field(field(global, "string"), "parseEscJSON");
        let text = Expr::new(ExprKind::Str(text.into()), span);
        let call = Expr::new(ExprKind::Call(Box::new(parse), vec![text]), span);
        self.expr(&call, dst)
    }
}
