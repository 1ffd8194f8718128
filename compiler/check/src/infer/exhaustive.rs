//! Exhaustiveness and reachability of arms (spec §3.5): warnings, listing the missing cases.

use mix_diagnostics::{Diagnostic, Span};
use mix_syntax::ast::{Pattern, PatternKind};

use super::Infer;
use crate::codes;
use crate::ty::Ty;

/// One arm as far as coverage is concerned.
pub struct ArmShape<'a> {
    pub pattern: &'a Pattern,
    pub guarded: bool,
    pub span: Span,
}

/// A pattern that matches every value (a name, `_`, or a capture of one).
fn catches_all(p: &Pattern) -> bool {
    match &p.kind {
        PatternKind::Wildcard | PatternKind::Bind(_) => true,
        PatternKind::Capture(_, inner)
        | PatternKind::Paren(inner)
        | PatternKind::Typed(inner, _) => catches_all(inner),
        _ => false,
    }
}

/// Whether a case's argument pattern matches every argument (so the case is covered).
fn irrefutable(p: &Pattern) -> bool {
    match &p.kind {
        PatternKind::Array(items) => items.iter().all(irrefutable),
        PatternKind::Record(fields) => fields
            .iter()
            .all(|f| f.pattern.as_ref().is_none_or(irrefutable)),
        PatternKind::Spread(..) => true,
        _ => catches_all(p),
    }
}

/// The value a pattern fully covers: a case name, `true`/`false`, `null`.
fn covers(p: &Pattern) -> Option<String> {
    match &p.kind {
        PatternKind::Case { path, arg } if arg.as_deref().is_none_or(irrefutable) => {
            path.last().map(|i| i.name.to_string())
        }
        PatternKind::Bool(b) => Some(b.to_string()),
        PatternKind::Null => Some("null".into()),
        PatternKind::Capture(_, inner) | PatternKind::Paren(inner) => covers(inner),
        _ => None,
    }
}

impl Infer<'_> {
    /// Warns about arms after a catch-all, and about cases of a union or `bool` no arm covers.
    /// `catch_all` is how the construct writes an arm for the rest (a lambda's `_ -> …`, a
    /// switch's `case _: …`), for the help.
    pub fn check_arms(
        &mut self,
        scrutinee: &Ty,
        arms: &[ArmShape<'_>],
        whole: Span,
        catch_all: &str,
    ) {
        for arm in arms {
            self.warn_case_names_bound(arm.pattern);
        }
        let mut caught = false;
        for arm in arms {
            if caught {
                self.diagnostics.push(
                    Diagnostic::warning(
                        codes::UNREACHABLE_ARM,
                        "this arm is never reached",
                        arm.span,
                    )
                    .with_help("an earlier arm matches every value"),
                );
            }
            caught |= catches_all(arm.pattern) && !arm.guarded;
        }
        if caught {
            return;
        }
        let members: Vec<String> = match self.subst.resolve(scrutinee) {
            Ty::Con(n, args) if &*n == "bool" && args.is_empty() => {
                vec!["true".into(), "false".into()]
            }
            Ty::Con(n, _) => match self.globals.union_members(&n) {
                Some(members) => members,
                None => return,
            },
            Ty::Cases(cases, None) => cases.iter().map(|(n, _)| n.to_string()).collect(),
            _ => return,
        };
        let covered: Vec<String> = arms
            .iter()
            .filter(|a| !a.guarded)
            .filter_map(|a| covers(a.pattern))
            .collect();
        let missing: Vec<String> = members
            .into_iter()
            .filter(|m| !covered.contains(m))
            .collect();
        if !missing.is_empty() {
            let list: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
            self.diagnostics.push(
                Diagnostic::warning(codes::NON_EXHAUSTIVE, format!("non-exhaustive match: {} not covered", list.join(", ")), whole)
                    .with_help(format!("add the missing arms, or `{catch_all}` for the rest; an unmatched value is a run-time error")),
            );
        }
    }

    /// W0208 for each plain name in an arm's pattern that is also a case in scope: `case nil:`
    /// binds `nil` to any value (and catches everything after it); the case is `self.nil`.
    fn warn_case_names_bound(&mut self, p: &Pattern) {
        match &p.kind {
            PatternKind::Bind(name) if self.globals.constructor(&[&**name]).is_some() => {
                self.diagnostics.push(
                    Diagnostic::warning(
                        codes::CASE_NAME_BOUND,
                        format!("`{name}` here binds a new name to any value; it does not match the case `{name}`"),
                        p.span,
                    )
                    .with_help(format!(
                        "qualify the case to match it: `self.{name}` (or `M.{name}` for a case of module `M`); \
                         rename the binding if a new name is meant"
                    )),
                );
            }
            PatternKind::Array(items) => {
                for item in items {
                    self.warn_case_names_bound(item);
                }
            }
            PatternKind::Record(fields) => {
                for field in fields {
                    if let Some(p) = &field.pattern {
                        self.warn_case_names_bound(p);
                    }
                }
            }
            PatternKind::Case { arg: Some(arg), .. } => self.warn_case_names_bound(arg),
            PatternKind::Capture(_, inner)
            | PatternKind::Paren(inner)
            | PatternKind::Typed(inner, _) => self.warn_case_names_bound(inner),
            PatternKind::And(a, b) => {
                self.warn_case_names_bound(a);
                self.warn_case_names_bound(b);
            }
            _ => {}
        }
    }
}
