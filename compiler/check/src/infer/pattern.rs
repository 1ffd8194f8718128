//! Patterns: each gives the type it matches and binds its names in the current scope.

use mix_syntax::ast::*;

use super::Infer;
use crate::codes;
use crate::ty::{app, boolean, null, number, string, Name, Scheme, Ty};

impl Infer<'_> {
    /// The type `p` matches; its names are bound (monomorphically) in the current scope.
    pub fn pattern(&mut self, p: &Pattern) -> Ty {
        match &p.kind {
            PatternKind::Wildcard | PatternKind::Error | PatternKind::Undefined => self.fresh(),
            PatternKind::Bind(name) => {
                let t = self.fresh();
                self.bind_local(name, Scheme::mono(t.clone()), false);
                t
            }
            PatternKind::Null => null(),
            PatternKind::Bool(_) => boolean(),
            PatternKind::Int(_) | PatternKind::Float(_) => number(),
            PatternKind::Str(_) => string(),
            // Without `~multiple`/`~optional` a bracket pattern matches a tuple or an array, as
            // the scrutinee decides (the unifier accepts a tuple where an array is expected).
            PatternKind::Array(items)
                if !items
                    .iter()
                    .any(|i| matches!(i.kind, PatternKind::Spread(..))) =>
            {
                Ty::Tuple(items.iter().map(|i| self.pattern(i)).collect())
            }
            PatternKind::Array(items) => {
                let elem = self.fresh();
                for item in items {
                    match &item.kind {
                        PatternKind::Spread(SpreadKind::Multiple, name) => {
                            self.bind_local(
                                &name.name,
                                Scheme::mono(app("array", elem.clone())),
                                false,
                            );
                        }
                        PatternKind::Spread(SpreadKind::Optional, name) => {
                            self.bind_local(&name.name, Scheme::mono(elem.clone()), false);
                        }
                        _ => {
                            let t = self.pattern(item);
                            self.expect(&elem, &t, item.span);
                        }
                    }
                }
                app("array", elem)
            }
            PatternKind::Spread(_, name) => {
                let t = self.fresh();
                self.bind_local(&name.name, Scheme::mono(t.clone()), false);
                t
            }
            PatternKind::Record(fields) => {
                let mut out: Vec<(Name, Ty)> = Vec::new();
                for field in fields {
                    let t = match &field.pattern {
                        Some(inner) => self.pattern(inner),
                        None => {
                            let t = self.fresh();
                            self.bind_local(&field.key.name, Scheme::mono(t.clone()), false);
                            t
                        }
                    };
                    out.push((Name::from(&*field.key.name), t));
                }
                out.sort_by(|a, b| a.0.cmp(&b.0));
                let rest = self.subst.fresh_var();
                Ty::Record(out, Some(rest))
            }
            PatternKind::Case { path, arg } => {
                let names: Vec<&str> = path
                    .iter()
                    .map(|i| &*i.name)
                    .filter(|n| !matches!(*n, "self" | "global"))
                    .collect();
                if names.is_empty() {
                    // `let global = …`: the word was meant as a variable
                    let word = path.last().map_or("global", |i| &*i.name);
                    return self.error(
                        codes::UNKNOWN_CASE,
                        format!(
                            "`{word}` is a reserved word that qualifies a case \
                             (`{word}.name`), not a variable name: choose another name"
                        ),
                        p.span,
                    );
                }
                let Some(scheme) = self.globals.constructor(&names).map(|c| c.scheme) else {
                    return self.error(
                        codes::UNKNOWN_CASE,
                        format!("unknown case `{}`", names.join(".")),
                        p.span,
                    );
                };
                let constructor = self.subst.instantiate(&scheme);
                match (constructor, arg) {
                    (Ty::Fun(param, result), Some(arg)) => {
                        let a = self.pattern(arg);
                        self.expect(&param, &a, arg.span);
                        *result
                    }
                    (Ty::Fun(_, result), None) => {
                        self.diagnostics.push(mix_diagnostics::Diagnostic::error(
                            codes::TYPE_MISMATCH,
                            format!(
                                "case `{}` takes an argument: match it as `{}(…)`",
                                names.join("."),
                                names.join(".")
                            ),
                            p.span,
                        ));
                        *result
                    }
                    (result, None) => result,
                    (result, Some(arg)) => {
                        self.pattern(arg);
                        self.error(
                            codes::TYPE_MISMATCH,
                            format!("case `{}` takes no argument", names.join(".")),
                            arg.span,
                        );
                        result
                    }
                }
            }
            // A run-time type test: the scrutinee may be any data.
            PatternKind::TypeTest(_) => self.fresh(),
            // `n @ type(number)`: the name has the tested type; the scrutinee may be any data.
            PatternKind::Capture(name, inner) if matches!(inner.kind, PatternKind::TypeTest(_)) => {
                let PatternKind::TypeTest(written) = &inner.kind else {
                    return self.fresh();
                };
                let tested = self.convert_type(written, &mut Default::default());
                self.bind_local(&name.name, Scheme::mono(tested), false);
                self.fresh()
            }
            PatternKind::Capture(name, inner) => {
                let t = self.pattern(inner);
                self.bind_local(&name.name, Scheme::mono(t.clone()), false);
                t
            }
            PatternKind::Compare(_, name, rhs) => {
                let r = self.expr(rhs);
                self.bind_local(&name.name, Scheme::mono(r.clone()), false);
                r
            }
            PatternKind::And(a, b) => {
                let x = self.pattern(a);
                let y = self.pattern(b);
                self.expect(&x, &y, b.span);
                x
            }
            PatternKind::Typed(inner, written) => {
                let t = self.pattern(inner);
                let hinted = self.convert_type(written, &mut Default::default());
                self.expect(&hinted, &t, inner.span);
                hinted
            }
            PatternKind::Paren(inner) => self.pattern(inner),
        }
    }
}

/// What a pattern tests at run time, for deciding whether arms match values of one type.
fn kind_of(p: &Pattern) -> Option<&'static str> {
    match &p.kind {
        // `null` is a member of `option` and of unions declaring it: it decides nothing.
        PatternKind::Null => None,
        PatternKind::Bool(_) => Some("bool"),
        PatternKind::Int(_) | PatternKind::Float(_) | PatternKind::Compare(..) => Some("number"),
        PatternKind::Str(_) => Some("string"),
        PatternKind::Array(_) => Some("array"),
        PatternKind::Record(_) => Some("record"),
        PatternKind::Case { .. } => Some("case"),
        PatternKind::TypeTest(_) => Some("type test"),
        PatternKind::Capture(_, inner) | PatternKind::Paren(inner) | PatternKind::And(inner, _) => {
            kind_of(inner)
        }
        _ => None,
    }
}

/// Arms that test different kinds of value (`null -> … | true -> … | type(string) -> …`)
/// match over `data`, checked at run time, rather than over one static type.
pub fn heterogeneous<'a>(patterns: impl Iterator<Item = &'a Pattern>) -> bool {
    let mut kinds: Vec<&str> = patterns.filter_map(kind_of).collect();
    if kinds.contains(&"type test") {
        return true;
    }
    kinds.sort_unstable();
    kinds.dedup();
    kinds.len() > 1
}
