//! `_pragma_ { name: value, … }` (facts §3.10): settings that hold from the pragma to the end of
//! its module or the next pragma. Two change what the checker reports:
//!
//! - `warningFilter: "-deprecated,+typeAssertion"` turns warnings off (`-`) and back on (`+`),
//!   by name or by code (`-W0205`);
//! - `autoTypeAssertion: false` (implied by `strictTyping: true`) stops the checker from
//!   inserting run-time checks where a `data` value meets a narrower type: each such place
//!   becomes error E0216, to be written out with `type(T, e)` or `e : T`.
//!
//! The other pragmas of the facts are accepted and have no effect here, which W0206 says.

use std::collections::BTreeSet;

use mix_diagnostics::{Diagnostic, Span};
use mix_syntax::ast::{Expr, ExprKind, FieldKey, ItemKind};

use crate::db::Db;
use crate::files::ItemSource;

use crate::codes;

/// Warning names `warningFilter` knows, with their codes.
const WARNING_NAMES: [(&str, &str); 11] = [
    ("notChecked", codes::NOT_CHECKED_YET),
    ("interface", codes::INTERFACE_ONLY),
    ("deprecated", codes::DEPRECATED),
    ("nonExhaustive", codes::NON_EXHAUSTIVE),
    ("unreachable", codes::UNREACHABLE_ARM),
    ("typeAssertion", codes::DATA_NARROWED),
    ("neverPasses", codes::ASSERTION_NEVER_PASSES),
    ("caseNameBound", codes::CASE_NAME_BOUND),
    ("nearMissType", codes::NEAR_MISS_TYPE),
    ("discarded", codes::DISCARDED_VALUE),
    ("repeatedField", codes::REPEATED_FIELD),
];

/// Pragmas of the facts that this implementation accepts without acting on them.
const WITHOUT_EFFECT: [&str; 5] = [
    "autoMakeStream",
    "autoMakeLink",
    "strictContainerTyping",
    "withCells",
    "singleton",
];

/// The settings in force at an item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pragmas {
    silenced: BTreeSet<&'static str>,
    auto_type_assertion: bool,
}

impl Default for Pragmas {
    fn default() -> Self {
        Pragmas {
            silenced: BTreeSet::new(),
            auto_type_assertion: true,
        }
    }
}

impl Pragmas {
    /// `diagnostic` as these settings have it reported: `None` when filtered out.
    pub fn apply(&self, diagnostic: Diagnostic) -> Option<Diagnostic> {
        if diagnostic.code == codes::DATA_NARROWED && !self.auto_type_assertion {
            let mut error = Diagnostic::error(
                codes::NARROWING_NOT_WRITTEN,
                diagnostic.message.replace(
                    "it is checked at run time",
                    "this module asks for written checks (`autoTypeAssertion: false`)",
                ),
                diagnostic.span,
            );
            error.labels = diagnostic.labels;
            error.help = diagnostic.help;
            return Some(error);
        }
        if !diagnostic.is_error() && self.silenced.contains(diagnostic.code) {
            return None;
        }
        Some(diagnostic)
    }

    /// Takes in the pragma `expr` (a record of JSON values); returns what is wrong with it
    /// (spans relative to its item).
    pub fn update(&mut self, expr: &Expr) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let ExprKind::Record(fields) = &expr.kind else {
            problems.push(problem(
                "a pragma is a record: `_pragma_ { name: value }`",
                expr.span,
            ));
            return problems;
        };
        for field in fields {
            let FieldKey::Name(name) = &field.key else {
                problems.push(problem("a pragma's names are written out", field.span));
                continue;
            };
            let Some(value) = &field.value else {
                problems.push(problem(
                    &format!("pragma `{}` needs a value", name.name),
                    field.span,
                ));
                continue;
            };
            match (&*name.name, &value.kind) {
                ("warningFilter", ExprKind::Str(filter)) => {
                    self.filter_warnings(filter, value.span, &mut problems)
                }
                ("autoTypeAssertion", ExprKind::True | ExprKind::False) => {
                    self.auto_type_assertion = matches!(value.kind, ExprKind::True);
                }
                ("strictTyping", ExprKind::True) => self.auto_type_assertion = false,
                ("strictTyping", ExprKind::False) => {}
                ("warningFilter", _) => problems.push(problem(
                    "`warningFilter` takes a string such as \"-deprecated,+typeAssertion\"",
                    value.span,
                )),
                ("autoTypeAssertion" | "strictTyping", _) => problems.push(problem(
                    &format!("`{}` takes `true` or `false`", name.name),
                    value.span,
                )),
                (other, _) if WITHOUT_EFFECT.contains(&other) => problems.push(problem(
                    &format!("pragma `{other}` has no effect in this implementation"),
                    field.span,
                )),
                (other, _) => problems.push(
                    problem(&format!("unknown pragma `{other}`"), field.span).with_help(
                        "known pragmas: warningFilter, autoTypeAssertion, strictTyping, autoMakeStream, autoMakeLink, strictContainerTyping, withCells, singleton",
                    ),
                ),
            }
        }
        problems
    }

    fn filter_warnings(&mut self, filter: &str, span: Span, problems: &mut Vec<Diagnostic>) {
        for entry in filter.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (on, name) = match entry.strip_prefix('-') {
                Some(name) => (false, name),
                None => (true, entry.strip_prefix('+').unwrap_or(entry)),
            };
            let code = WARNING_NAMES
                .iter()
                .find(|(n, c)| *n == name || *c == name)
                .map(|(_, c)| *c);
            match code {
                Some(code) if on => {
                    self.silenced.remove(code);
                }
                Some(code) => {
                    self.silenced.insert(code);
                }
                None => {
                    let known: Vec<&str> = WARNING_NAMES.iter().map(|(n, _)| *n).collect();
                    problems.push(
                        problem(
                            &format!("unknown warning `{name}` in `warningFilter`"),
                            span,
                        )
                        .with_help(format!(
                            "known warnings: {} (or their codes, such as W0205)",
                            known.join(", ")
                        )),
                    );
                }
            }
        }
    }
}

/// `diagnostics` of one module's items as the pragmas before each item have them reported,
/// with what is wrong with the pragmas themselves. `items`: the module's items in order.
pub fn apply_in_module(
    db: &dyn Db,
    items: &[ItemSource],
    diagnostics: Vec<(ItemSource, Diagnostic)>,
) -> Vec<(ItemSource, Diagnostic)> {
    if !items
        .iter()
        .any(|item| matches!(item.header(db).item.kind, ItemKind::Pragma(_)))
    {
        return diagnostics;
    }
    // One settings value per pragma, and each item's index into them.
    let mut settings = vec![Pragmas::default()];
    let mut in_force = std::collections::HashMap::new();
    let mut out = Vec::new();
    for &item in items {
        if let ItemKind::Pragma(expr) = &item.header(db).item.kind {
            let mut next = settings[settings.len() - 1].clone();
            out.extend(next.update(expr).into_iter().map(|d| (item, d)));
            settings.push(next);
        }
        in_force.insert(item, settings.len() - 1);
    }
    out.extend(diagnostics.into_iter().filter_map(|(item, d)| {
        match in_force.get(&item) {
            Some(&at) => settings[at].apply(d),
            None => Some(d),
        }
        .map(|d| (item, d))
    }));
    out
}

fn problem(message: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(codes::PRAGMA, message, span)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pragma(source: &str) -> Expr {
        let parsed = mix_syntax::parse(&format!("_pragma_ {source}"));
        match &parsed.file.items[0].kind {
            mix_syntax::ast::ItemKind::Pragma(e) => (**e).clone(),
            other => panic!("not a pragma: {other:?}"),
        }
    }

    fn narrowed() -> Diagnostic {
        Diagnostic::warning(
            codes::DATA_NARROWED,
            "a `data` value is used as `number`: it is checked at run time",
            Span::new(4, 9),
        )
    }

    #[test]
    fn a_filter_silences_warnings_by_name_or_code_and_turns_them_back_on() {
        let mut p = Pragmas::default();
        assert!(p
            .update(&pragma(r#"{warningFilter: "-deprecated, -W0205"}"#))
            .is_empty());
        let deprecated = Diagnostic::warning(codes::DEPRECATED, "old", Span::new(0, 1));
        assert_eq!(p.apply(deprecated.clone()), None);
        assert_eq!(p.apply(narrowed()), None);
        let error = Diagnostic::error(codes::TYPE_MISMATCH, "no", Span::new(0, 1));
        assert_eq!(p.apply(error.clone()), Some(error));
        assert!(p
            .update(&pragma(r#"{warningFilter: "+deprecated"}"#))
            .is_empty());
        assert_eq!(p.apply(deprecated.clone()), Some(deprecated));
        assert_eq!(p.apply(narrowed()), None);
    }

    #[test]
    fn without_automatic_assertions_a_narrowing_is_an_error() {
        for source in ["{autoTypeAssertion: false}", "{strictTyping: true}"] {
            let mut p = Pragmas::default();
            assert!(p.update(&pragma(source)).is_empty());
            let d = p.apply(narrowed()).expect("reported");
            assert!(d.is_error(), "{source}");
            assert_eq!(d.code, codes::NARROWING_NOT_WRITTEN);
            assert_eq!(d.span, Span::new(4, 9));
            assert!(
                d.message.contains("autoTypeAssertion: false"),
                "{}",
                d.message
            );
        }
        let mut p = Pragmas::default();
        p.update(&pragma("{autoTypeAssertion: false}"));
        p.update(&pragma("{autoTypeAssertion: true}"));
        assert!(!p.apply(narrowed()).expect("reported").is_error());
    }

    #[test]
    fn unknown_names_and_values_are_reported_not_ignored() {
        let mut p = Pragmas::default();
        let problems = p.update(&pragma(
            r#"{warningFilter: "-nosuch", colour: 1, strictTyping: "yes", withCells: false}"#,
        ));
        let messages: Vec<&str> = problems.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "unknown warning `nosuch` in `warningFilter`",
                "unknown pragma `colour`",
                "`strictTyping` takes `true` or `false`",
                "pragma `withCells` has no effect in this implementation",
            ]
        );
        assert!(problems
            .iter()
            .all(|d| d.code == codes::PRAGMA && !d.is_error()));
        assert_eq!(p, Pragmas::default());
    }
}
