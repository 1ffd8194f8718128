//! From written types (`ast::Type`) to checker types, expanding aliases.

use std::collections::HashMap;

use mix_diagnostics::Span;
use mix_syntax::ast::{self, TypeKind};

use super::Infer;
use crate::codes;
use crate::ty::*;

/// A named type as a module declares it (spans zeroed, so equal declarations compare equal).
#[derive(Clone, Debug, PartialEq)]
pub enum TypeDef {
    /// `type point = {x:number}`: structural, expanded where used.
    Alias { params: Vec<Name>, body: ast::Type },
    /// `type tree(T) = leaf | node`, `type t`, `type t = <opaque>`: a named type.
    Named { name: Name, params: Vec<Name> },
    /// A case name used as a type: the union of that one case.
    Case(Scheme),
}

/// Built-in types, the opaque ones of facts §4 included (`token`: an auth token, `url`,
/// `dom`).
const BASE: &[&str] = &[
    "number", "string", "bool", "null", "data", "any", "word", "ref", "binary", "appstate",
    "token", "url", "dom",
];
const BUILTIN_CONSTRUCTORS: &[(&str, usize)] = &[
    ("array", 1),
    ("map", 1),
    ("stream", 1),
    ("option", 1),
    ("result", 2),
];

/// The names of the built-in types, with and without arguments.
pub fn builtin_type_names() -> impl Iterator<Item = &'static str> {
    BASE.iter()
        .copied()
        .chain(BUILTIN_CONSTRUCTORS.iter().map(|(n, _)| *n))
}

/// Whether `name` is a built-in type (`number`, `array`, …), with or without arguments.
pub fn is_builtin_type(name: &str) -> bool {
    BASE.contains(&name) || BUILTIN_CONSTRUCTORS.iter().any(|(n, _)| *n == name)
}

/// Alias expansion deeper than this is a recursive alias (which must go through a case).
const MAX_ALIAS_DEPTH: u32 = 64;

impl Infer<'_> {
    pub fn convert_type(&mut self, t: &ast::Type, vars: &mut HashMap<Box<str>, Ty>) -> Ty {
        self.convert_at(t, vars, 0, t.span)
    }

    /// `site` is the type the user wrote that led here: inside an alias's body (`depth > 0`)
    /// the nodes' spans belong to the alias's item, not to the one being checked.
    fn convert_at(
        &mut self,
        t: &ast::Type,
        vars: &mut HashMap<Box<str>, Ty>,
        depth: u32,
        site: Span,
    ) -> Ty {
        if depth > MAX_ALIAS_DEPTH {
            return self.error(
                codes::NON_PRODUCTIVE_TYPE,
                "this type alias refers to itself without going through a case",
                site,
            );
        }
        match &t.kind {
            TypeKind::Named(path) => self.named(path, Vec::new(), t, vars, depth, site),
            TypeKind::App(path, args) => {
                let args = args
                    .iter()
                    .map(|a| self.convert_at(a, vars, depth, site))
                    .collect();
                self.named(path, args, t, vars, depth, site)
            }
            TypeKind::Var(v, c) => {
                if let Some(existing) = vars.get(&v.name) {
                    return existing.clone();
                }
                let var = self.subst.fresh_var();
                match c.as_ref().map(|c| &*c.name) {
                    Some("data" | "datarange") => self.subst.constrain(var, Constraint::Data),
                    Some("word" | "wordrange") => self.subst.constrain(var, Constraint::Word),
                    Some(other) => {
                        self.error(
                            codes::UNKNOWN_TYPE,
                            format!("unknown constraint `@{other}`; use `@data` or `@word`"),
                            t.span,
                        );
                    }
                    None => self.warn_if_type_named(v),
                }
                vars.insert(v.name.clone(), Ty::Var(var));
                Ty::Var(var)
            }
            TypeKind::Wildcard => self.fresh(),
            TypeKind::Null => null(),
            TypeKind::Fun(a, b) => {
                let a = self.convert_at(a, vars, depth, site);
                fun(a, self.convert_at(b, vars, depth, site))
            }
            TypeKind::Tuple(elems) => Ty::Tuple(
                elems
                    .iter()
                    .map(|e| self.convert_at(&e.ty, vars, depth, site))
                    .collect(),
            ),
            TypeKind::Record(fields) => {
                let mut out: Vec<(Name, Ty)> = fields
                    .iter()
                    .map(|f| {
                        let ty = match &f.ty {
                            Some(t) => self.convert_at(t, vars, depth, site),
                            None => data(),
                        };
                        (Name::from(&*f.key.name), ty)
                    })
                    .collect();
                out.sort_by(|a, b| a.0.cmp(&b.0));
                Ty::Record(out, None)
            }
            TypeKind::Union(members) => {
                let mut cases: Vec<(Name, Option<Ty>)> = Vec::new();
                for member in members {
                    match self.convert_at(member, vars, depth, site) {
                        Ty::Cases(more, _) => cases.extend(more),
                        ty if ty.is_con("null") => cases.push(("null".into(), None)),
                        // A union of types rather than cases (`(t_withTime | t_time)`) has no
                        // representation without subtyping: it is checked as `data`.
                        _ => return data(),
                    }
                }
                cases.sort_by(|a, b| a.0.cmp(&b.0));
                cases.dedup_by(|a, b| a.0 == b.0);
                Ty::Cases(cases, None)
            }
            TypeKind::Stream(inner) => app("stream", self.convert_at(inner, vars, depth, site)),
            TypeKind::Opaque(name) => Ty::Con(format!("<{name}>").into(), Vec::new()),
            TypeKind::ModuleType(path) => {
                Ty::Con(format!("module {}", join(path)).into(), Vec::new())
            }
            TypeKind::Forall(_, inner) | TypeKind::VarMarked(inner) | TypeKind::Paren(inner) => {
                self.convert_at(inner, vars, depth, site)
            }
            TypeKind::Error => self.fresh(),
        }
    }

    fn named(
        &mut self,
        path: &[ast::Ident],
        mut args: Vec<Ty>,
        t: &ast::Type,
        vars: &mut HashMap<Box<str>, Ty>,
        depth: u32,
        site: Span,
    ) -> Ty {
        let names: Vec<&str> = path.iter().map(|i| &*i.name).collect();
        if let [name] = names.as_slice() {
            if BASE.contains(name) && args.is_empty() {
                return con(name);
            }
            if let Some((_, arity)) = BUILTIN_CONSTRUCTORS.iter().find(|(n, _)| n == name) {
                while args.len() < *arity {
                    args.push(self.fresh());
                }
                if args.len() > *arity {
                    return self.error(
                        codes::UNKNOWN_TYPE,
                        format!("`{name}` takes {arity} type argument(s)"),
                        t.span,
                    );
                }
                return Ty::Con((*name).into(), args);
            }
        }
        match self.globals.type_def(&names) {
            Some(TypeDef::Alias { params, body }) => {
                let mut inner: HashMap<Box<str>, Ty> = HashMap::new();
                for (i, p) in params.iter().enumerate() {
                    let arg = args.get(i).cloned().unwrap_or_else(|| self.fresh());
                    inner.insert((**p).into(), arg);
                }
                let _ = vars;
                let site = if depth == 0 { t.span } else { site };
                // What is wrong inside the body is reported at the declaration (see
                // `declarations`), not at every use.
                let reported = self.diagnostics.len();
                let ty = self.convert_at(&body, &mut inner, depth + 1, site);
                if depth == 0 {
                    self.diagnostics.truncate(reported);
                }
                ty
            }
            Some(TypeDef::Named { name, params }) => {
                while args.len() < params.len() {
                    args.push(self.fresh());
                }
                Ty::Con(name, args)
            }
            Some(TypeDef::Case(scheme)) => {
                let ty = self.subst.instantiate(&scheme);
                match ty {
                    Ty::Fun(_, result) => *result,
                    other => other,
                }
            }
            None => {
                let shown = join(path);
                let mut d = mix_diagnostics::Diagnostic::error(
                    codes::UNKNOWN_TYPE,
                    format!("unknown type `{shown}`"),
                    t.span,
                );
                if shown.starts_with(|c: char| c.is_ascii_uppercase()) {
                    d = d.with_help("type variables are single names like `T`");
                }
                self.diagnostics.push(d);
                self.fresh()
            }
        }
    }
}

impl Infer<'_> {
    /// W0209 for a type variable spelt like a built-in type (`String`, `Number`): a name with a
    /// capital is a variable, so `v: String` accepts any value at all, which is never what a
    /// TypeScript or Java habit meant.
    fn warn_if_type_named(&mut self, var: &ast::Ident) {
        let lower = var.name.to_lowercase();
        if let Some(meant) = builtin_type_names().find(|t| *t == lower) {
            let warning = mix_diagnostics::Diagnostic::warning(
                codes::NEAR_MISS_TYPE,
                format!(
                    "`{}` is a type variable (it starts with a capital), not the type `{meant}`",
                    var.name
                ),
                var.span,
            )
            .with_help(format!(
                "write `{meant}` for the type; to keep a type variable, give it another name"
            ));
            self.diagnostics.push(warning);
        }
    }
}

fn join(path: &[ast::Ident]) -> String {
    path.iter().map(|i| &*i.name).collect::<Vec<_>>().join(".")
}
