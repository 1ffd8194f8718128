//! Inference of one group of mutually recursive definitions, as the queries
//! [`crate::db::infer_group`] (generic) and [`crate::db::infer_instance`] (one member's type
//! fixed) run it: the members' bodies, then what the settled substitution decides at the
//! sites inference collected (`+` operations, `data` narrowings, instances used).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use mix_diagnostics::{Diagnostic, Span};
use mix_syntax::ast::{self, Body};

use crate::codes;
use crate::db::{module_named, Db, DefBody, GroupId};
use crate::globals::ModuleGlobals;
use crate::infer::{has_short_projection, Infer};
use crate::ty::{fun, null, Constraint, Scheme, TVar, Ty};

/// What inferring a group's members collected, each site with its member.
pub(crate) struct Found {
    pub(crate) members: Vec<String>,
    pub(crate) own: BTreeMap<String, Ty>,
    pub(crate) diagnostics: Vec<(String, Diagnostic)>,
    pub(crate) declared: Vec<(String, Vec<SignatureVar>)>,
    pub(crate) plus_sites: Vec<(String, Span, Ty, Ty)>,
    pub(crate) value_sites: Vec<(String, crate::infer::ValueSite)>,
    pub(crate) instance_sites: Vec<(String, crate::infer::InstanceSite)>,
}

/// The `+` operations and the instances used, decided once a group is settled.
pub(crate) struct Decided {
    pub(crate) plus: Vec<(String, Span, crate::infer::PlusKind)>,
    pub(crate) instances: Vec<(String, Span, Ty)>,
}

impl Found {
    /// `generic`: whether a member of the group has a deferred `+` in its generic type (a
    /// use of it at a known type is worth compiling for that type).
    pub(crate) fn sites(&self, infer: &Infer<'_>, generic: &dyn Fn(&str) -> bool) -> Decided {
        let plus = self
            .plus_sites
            .iter()
            .map(|(name, span, x, y)| {
                (
                    name.clone(),
                    *span,
                    crate::infer::PlusKind::of(&infer.subst, x, y),
                )
            })
            .collect();
        let instances = self
            .instance_sites
            .iter()
            .filter(|(_, site)| site.member.as_deref().is_none_or(generic))
            .filter_map(|(name, site)| {
                let ty = infer.subst.resolve(&site.ty);
                let mut free = BTreeSet::new();
                infer.subst.free_vars(&ty, &mut free);
                (free.is_empty() && !crate::infer::has_plus(&ty))
                    .then(|| (name.clone(), site.span, ty))
            })
            .collect();
        Decided { plus, instances }
    }
}

/// Infers the members of `group`, `fixed` giving one of them a known type (an instance),
/// and hands the settled inference and what it collected to `finish`.
pub(crate) fn infer_members<R>(
    db: &dyn Db,
    group: GroupId<'_>,
    fixed: Option<(&str, &Ty)>,
    finish: impl FnOnce(&mut Infer<'_>, Found) -> R,
) -> R {
    let (file, module) = (group.file(db), group.module(db).clone());
    let own_index = module_named(db, file, &module);
    let members: Vec<String> = own_index
        .and_then(|m| m.group_of(group.first(db)).map(|g| m.names(g)))
        .unwrap_or_default();
    let globals = ModuleGlobals::new(
        db,
        group.workspace(db),
        file,
        module.clone(),
        members.clone(),
    );
    let mut infer = Infer::new(&globals);
    let mut found = Found {
        members: members.clone(),
        own: BTreeMap::new(),
        diagnostics: Vec::new(),
        declared: Vec::new(),
        plus_sites: Vec::new(),
        value_sites: Vec::new(),
        instance_sites: Vec::new(),
    };

    // Members see each other monomorphically while their group is inferred.
    for name in &members {
        let t = infer.fresh();
        infer.bind_member(name, t.clone());
        found.own.insert(name.clone(), t);
    }
    if let Some((name, instance)) = fixed {
        if let Some(t) = found.own.get(name) {
            infer.expect(t, instance, Span::new(0, 0));
        }
    }
    for name in &members {
        let own = found.own[name].clone();
        let entry = own_index.and_then(|m| m.def(name));
        let body = entry.and_then(|e| DefBody::of(db, e));
        if let Some(sig) = entry.and_then(|e| e.signature.as_ref()) {
            // Written on the definition itself, the signature's errors can point into it.
            let written = body
                .as_ref()
                .filter(|_| entry.is_some_and(|e| e.signature_on_item));
            let sig = written.and_then(DefBody::signature).unwrap_or(sig);
            let mut vars = HashMap::new();
            let t = infer.convert_type(sig, &mut vars);
            if entry.is_some_and(|e| e.has_body) {
                let declared = signature_vars(&infer, vars, &HashMap::new());
                found.declared.push((name.clone(), declared));
            }
            infer.expect(&t, &own, Span::new(0, 0));
        }
        if entry.is_some_and(|e| e.duplicate) {
            found.diagnostics.push((
                name.clone(),
                Diagnostic::error(
                    codes::DUPLICATE_DEFINITION,
                    format!("`{name}` is defined more than once"),
                    Span::new(0, 3),
                ),
            ));
        }
        let Some(body) = body else {
            continue;
        };
        let before = infer.diagnostics.len();
        let (t, header_vars) = infer_def(&mut infer, &body, &own);
        infer.expect(&own, &t, Span::new(0, 3));
        found.declared.push((name.clone(), header_vars));
        found
            .diagnostics
            .extend(infer.diagnostics.drain(before..).map(|d| (name.clone(), d)));
        found.plus_sites.extend(
            infer
                .plus_sites
                .drain(..)
                .map(|(span, x, y)| (name.clone(), span, x, y)),
        );
        found
            .value_sites
            .extend(infer.value_sites.drain(..).map(|v| (name.clone(), v)));
        found
            .instance_sites
            .extend(infer.instance_sites.drain(..).map(|v| (name.clone(), v)));
    }
    infer.settle(Span::new(0, 3));
    finish(&mut infer, found)
}

/// Whether `member` of a group has a deferred `+` in its generic type, so that a use of it at
/// a known type is worth compiling for that type.
pub(crate) fn has_deferred_plus(schemes: &[(String, Scheme)], member: &str) -> bool {
    schemes
        .iter()
        .any(|(n, s)| n == member && crate::infer::has_plus(&s.ty))
}

/// The run-time tests of `data` values used where narrower types are expected (spec §4), one
/// per value, with a warning (into `warnings`, when given) for each that no written type asks
/// for.
pub(crate) fn narrowings(
    infer: &Infer<'_>,
    sites: &[(String, crate::infer::ValueSite)],
    mut warnings: Option<&mut Vec<(String, Diagnostic)>>,
) -> Vec<(String, Span, crate::infer::Narrowing)> {
    let mut out: Vec<(String, Span, crate::infer::Narrowing)> = Vec::new();
    let mut tested: HashSet<(&str, Span)> = HashSet::new();
    let mut warned: HashSet<(&str, Span)> = HashSet::new();
    for (member, site) in sites {
        let Some(narrowing) =
            crate::infer::Narrowing::of(&infer.subst, &site.expected, &site.found)
        else {
            continue;
        };
        let first_test = tested.insert((member, site.span));
        if let Some(warnings) = warnings.as_deref_mut() {
            if !site.explicit && warned.insert((member, site.span)) {
                warnings.push((member.clone(), narrowing_warning(&narrowing, site.span)));
            }
        }
        if first_test {
            out.push((member.clone(), site.span, narrowing));
        }
    }
    out
}

/// W0205 for a narrowing at `span`, the type written as the fix would write it (the
/// narrowing's type already has `_` for type variables, as `type(T, e)` takes them).
fn narrowing_warning(narrowing: &crate::infer::Narrowing, span: Span) -> Diagnostic {
    let shown = crate::ty::Printer::default().print(&narrowing.expected);
    Diagnostic::warning(
        codes::DATA_NARROWED,
        format!("a `data` value is used as `{shown}`: it is checked at run time"),
        span,
    )
    .with_label(span, "this value's type is `data`")
    .with_help(format!(
        "write `type({shown}, e)` or `e : {shown}` to make the check explicit"
    ))
}

/// A type variable of a declared signature: its name, its variable and the constraint
/// (`@data`, `@word`) the declaration gives it.
pub(crate) struct SignatureVar {
    name: Box<str>,
    var: TVar,
    constraint: Option<Constraint>,
    /// Where the variable is first written in the definition's own header (`def f(x: A)`);
    /// `None` for a signature declared apart from the definition.
    written: Option<Span>,
}

/// `vars` as the header or signature that introduced them left them; `written` gives the
/// first place each is written, when that is in the definition's own header.
fn signature_vars(
    infer: &Infer<'_>,
    vars: HashMap<Box<str>, Ty>,
    written: &HashMap<Box<str>, Span>,
) -> Vec<SignatureVar> {
    let mut out: Vec<SignatureVar> = vars
        .into_iter()
        .filter_map(|(name, ty)| match ty {
            Ty::Var(var) => Some(SignatureVar {
                written: written.get(&name).copied(),
                name,
                var,
                constraint: infer.subst.constraint(var),
            }),
            _ => None,
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The first place each type variable is written in `types` (a definition's header).
fn first_written<'t>(types: impl IntoIterator<Item = &'t ast::Type>) -> HashMap<Box<str>, Span> {
    let mut first: HashMap<Box<str>, Span> = HashMap::new();
    for v in types.into_iter().flat_map(mix_syntax::walk::type_variables) {
        let span = first.entry(v.name.clone()).or_insert(v.span);
        if v.span.start < span.start {
            *span = v.span;
        }
    }
    first
}

/// A definition that pins down a type variable of its declared signature (`def f : A -> A`
/// defined as `x * 2`), makes two of them one, constrains one further or adds to one with a
/// deferred `+` (unless it is declared `@word`), is less general than its declaration: its
/// users would be promised a type it does not have. A type variable written in the
/// definition's own header (`def f(x: A): A`) promises the same.
pub(crate) fn less_general(infer: &Infer<'_>, vars: &[SignatureVar]) -> Option<Diagnostic> {
    let mut seen: HashMap<TVar, &str> = HashMap::new();
    let mut in_plus = BTreeSet::new();
    for (x, y, r) in &infer.subst.pending_plus {
        for t in [x, y, r] {
            infer.subst.free_vars(t, &mut in_plus);
        }
    }
    let mut printer = crate::ty::Printer::default();
    let (v, problem) = vars.iter().find_map(|v| {
        let name = &*v.name;
        let promise = match v.written {
            Some(_) => format!("`{name}` stands for any type"),
            None => format!("the declaration promises any type for `{name}`"),
        };
        let problem = match infer.subst.resolve(&Ty::Var(v.var)) {
            Ty::Var(found) => {
                if let Some(other) = seen.insert(found, name) {
                    Some(match v.written {
                        Some(_) => format!(
                            "`{other}` and `{name}` are written as two type variables, but the \
                             definition makes them the same type"
                        ),
                        None => format!(
                            "the declaration keeps `{other}` and `{name}` apart, but the \
                             definition makes them the same type"
                        ),
                    })
                } else if infer.subst.constraint(found) != v.constraint {
                    Some(format!(
                        "{promise}, but the definition needs it to be {}",
                        match infer.subst.constraint(found) {
                            Some(Constraint::Word) => "a word (`@word`: number or string)",
                            _ => "data (`@data`)",
                        }
                    ))
                } else if in_plus.contains(&found) && v.constraint != Some(Constraint::Word) {
                    Some(format!(
                        "{promise}, but the definition uses it with `+`, which is not defined \
                         for every type"
                    ))
                } else {
                    None
                }
            }
            found => Some(format!(
                "{promise}, but the definition needs `{}`",
                printer.print(&found)
            )),
        };
        problem.map(|p| (v, p))
    })?;
    Some(match v.written {
        None => Diagnostic::error(
            codes::SIGNATURE_MISMATCH,
            "this definition is less general than its declared type",
            Span::new(0, 3),
        )
        .with_note(problem)
        .with_help(
            "make the declared type as specific as the definition, or the definition as \
             general as the declared type",
        ),
        Some(at) => Diagnostic::error(
            codes::SIGNATURE_MISMATCH,
            "this definition is less general than its written type",
            at,
        )
        .with_label(
            at,
            format!("`{}` stands for any type a caller chooses", v.name),
        )
        .with_note(problem)
        .with_help(format!(
            "write the type the definition needs in place of `{}`, or `_` to have it inferred",
            v.name
        )),
    })
}

/// A definition's type from its parameters, declared return type and body.
/// `expected` is what the definition is already known to be (its declaration, or a fresh
/// variable): parameters take their declared types, and the body is inferred against the
/// declared result, so `def pair : A -> B -> [A, B]` makes `[a, b]` a tuple, not an array.
/// Also gives the type variables written in its header, to be held to what they promise
/// once the group is settled ([`less_general`]).
fn infer_def(infer: &mut Infer<'_>, body: &DefBody, expected: &Ty) -> (Ty, Vec<SignatureVar>) {
    infer.push_params_scope();
    let mut expected = expected.clone();
    let mut params = Vec::new();
    // One scope of type variables for the whole header: `T` in `def f(a: T, b: T): T` is one
    // type, as every language with written type variables reads it.
    let mut type_vars = HashMap::new();
    let mut take_param = |infer: &mut Infer<'_>, t: &Ty, span: Span| {
        if let Ty::Fun(declared, rest) = infer.subst.head(&expected) {
            infer.expect(&declared, t, span);
            expected = *rest;
        } else {
            expected = infer.fresh();
        }
    };
    match body.params() {
        Some([]) => {
            take_param(infer, &null(), Span::new(0, 3));
            params.push(null());
        }
        Some(ps) => {
            for p in ps {
                let t = match &p.ty {
                    Some(written) => infer.convert_type(written, &mut type_vars),
                    None => infer.fresh(),
                };
                take_param(infer, &t, p.span);
                infer.bind_local(&p.name.name, Scheme::mono(t.clone()), false);
                params.push(t);
            }
        }
        None => {}
    }
    if !params.is_empty() {
        infer.enter_function();
    }
    let ret = body
        .ret()
        .map(|ret| infer.convert_type(ret, &mut type_vars));
    let result = match body.body() {
        Some(Body::Expr(e)) if params.is_empty() && has_short_projection(e) => {
            infer.expr_with_short_scope(e)
        }
        Some(Body::Expr(e)) => {
            let t = infer.expr_expecting(e, ret.as_ref().unwrap_or(&expected));
            if let Some(declared) = &ret {
                infer.value_site(declared, &t, e.span, false);
            }
            t
        }
        Some(Body::Block(b)) => {
            // `return e` meets the declared result type itself, so a `data` value returned as
            // a `number` is narrowed at the `return`.
            let r = ret.clone().unwrap_or_else(|| infer.fresh());
            infer.with_return(r.clone(), |infer| infer.block_body(b, &r));
            r
        }
        None => infer.fresh(),
    };
    if let Some(t) = ret {
        infer.expect(&t, &result, Span::new(0, 3));
    }
    if !params.is_empty() {
        infer.leave_function();
    }
    infer.pop_params_scope();
    if type_vars.is_empty() {
        // most headers name no type variable: nothing to walk for
        let ty = params.into_iter().rev().fold(result, |acc, p| fun(p, acc));
        return (ty, Vec::new());
    }
    let written = first_written(
        body.params()
            .into_iter()
            .flatten()
            .filter_map(|p| p.ty.as_ref())
            .chain(body.ret()),
    );
    let header_vars = signature_vars(infer, type_vars, &written);
    let ty = params.into_iter().rev().fold(result, |acc, p| fun(p, acc));
    (ty, header_vars)
}
