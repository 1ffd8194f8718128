//! Hindley–Milner inference for one group of mutually recursive definitions (or one
//! expression), over an environment of module-level schemes provided by [`Globals`].

mod call;
mod exhaustive;
mod expr;
mod pattern;
mod stmt;
mod types;
pub mod unify;

use std::collections::{BTreeSet, HashMap};

use mix_diagnostics::{Diagnostic, Span};

use crate::codes;
use crate::ty::*;
use unify::{describe, Mismatch, Subst};

pub use expr::{has_plus, has_short_projection};
pub use types::{builtin_type_names, is_builtin_type, TypeDef};

/// What inference needs to know about the world outside the definitions being inferred.
pub trait Globals {
    /// A module-level value: `name`, `M.name`, `self.name`, `global.name`.
    fn value(&self, path: &[&str]) -> Option<Scheme>;
    /// A case constructor: its scheme is `arg -> result`, or `result` for a constant case.
    fn constructor(&self, path: &[&str]) -> Option<Constructor>;
    /// A named type.
    fn type_def(&self, path: &[&str]) -> Option<TypeDef>;
    /// Whether `path` names a module (so `M.x` is a qualified name, not a field access).
    fn is_module(&self, name: &str) -> bool;
    /// Names that are in scope at module level, for "did you mean".
    fn names(&self) -> Vec<String>;
    /// The definitions of module `module` (empty when there is no such module), for "did you
    /// mean" after an unknown `M.x`.
    fn module_members(&self, module: &[&str]) -> Vec<String>;
    /// Whether the value `path` is declared `_meta_ { deprecated: true }`.
    fn deprecated(&self, path: &[&str]) -> bool;
    /// The module `M` when `M.x` is a `private` definition of another module than this one.
    fn private_in(&self, path: &[&str]) -> Option<String>;
    /// Whether this module has an `import` under `name` (found or not: an import of a missing
    /// module is reported at the import).
    fn is_imported(&self, name: &str) -> bool;
    /// The member cases of a declared union, by its type name as in `Ty::Con`.
    fn union_members(&self, type_name: &str) -> Option<Vec<String>>;
    /// The names of the types this module declares.
    fn type_names(&self) -> Vec<String>;
    /// Whether `name` at module level is the prelude's (`fail`, `debug`, …): no definition of
    /// this module shadows it.
    fn is_prelude(&self, name: &str) -> bool;
}

/// A case constructor as [`Globals::constructor`] finds it.
pub struct Constructor {
    pub scheme: Scheme,
    /// `Some(M)` for a `private case` of another module `M`: only `M` builds it (matching it
    /// and taking it apart with `^` are allowed anywhere).
    pub private_to: Option<String>,
}

#[derive(Clone)]
struct Local {
    scheme: Scheme,
    mutable: bool,
    fn_depth: u32,
    /// No type variables but its own quantified ones when bound. Unification only refines
    /// variables, so it stays so, and `env_vars` can skip it.
    closed: bool,
    /// A member of the group being inferred (a module-level definition seen monomorphically).
    member: bool,
}

pub struct Infer<'g> {
    pub subst: Subst,
    globals: &'g dyn Globals,
    scopes: Vec<HashMap<Box<str>, Local>>,
    fn_depth: u32,
    /// The type `return` must give, innermost last (definition bodies and `do` blocks).
    returns: Vec<Ty>,
    /// The row of the enclosing short projection (`.field`), innermost last.
    short_rows: Vec<Ty>,
    pub diagnostics: Vec<Diagnostic>,
    /// Every `+` with its operand types, resolved to an operation when the group is done.
    pub plus_sites: Vec<(Span, Ty, Ty)>,
    /// Every value passed where a type is expected (arguments, operands, conditions, `e : T`),
    /// resolved to a run-time narrowing when the group is done.
    pub value_sites: Vec<ValueSite>,
    /// Every use of a definition whose `+` waits for its operands' types (a global whose
    /// scheme holds a deferred `+`, or a member of the group), with the type it is used at.
    pub instance_sites: Vec<InstanceSite>,
    /// Set while the constructor of `c^` is inferred: taking a case apart is allowed for
    /// another module's private case, building it is not.
    taking_apart: bool,
    /// The arguments (type and span) of the calls being inferred, innermost call last: kept
    /// without copying so a call that does not fit can try its arguments in another order
    /// (`call.rs`). Each call truncates back to where it started.
    call_args: Vec<(Ty, Span)>,
    /// The module's record aliases as the types they stand for, found at the first mismatch
    /// (see [`Infer::record_aliases`]).
    record_aliases: Option<Vec<(Ty, Name)>>,
}

/// A use of a definition at a type, resolved when the group is done: where that type is fully
/// known, the code generator compiles the definition for it (its `+`s then typed).
pub struct InstanceSite {
    pub span: Span,
    pub ty: Ty,
    /// The group member used, or `None` for a definition of another group.
    pub member: Option<Box<str>>,
}

/// A value meeting the type expected of it: a call argument, an operand, a condition, or the
/// expression of an `e : T` (`explicit`).
pub struct ValueSite {
    pub span: Span,
    pub expected: Ty,
    pub found: Ty,
    pub explicit: bool,
}

/// The run-time test a `data` value gets where a narrower type is expected of it (spec §4:
/// "inserts a runtime type assertion and a warning"): of its kind, and of the items of a
/// tuple and the fields of a record the expected type names (codegen's `narrowed_shape`; the
/// elements of an array or map are not walked), so that a parsed record with a string `age`
/// fails where it is narrowed, not later in code typed for numbers. (`null` passes every
/// test, so `data` used as `null` needs none.)
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Narrowing {
    /// The kind every value of the expected type has, which the failure message names.
    pub kind: NarrowedKind,
    /// The expected type, resolved, as the warning and the test show it: type variables `_`,
    /// records closed ([`crate::ty::wildcards`]).
    pub expected: Ty,
}

/// The kinds a narrowing tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NarrowedKind {
    Bool,
    Number,
    String,
    Ref,
    Binary,
    Array,
    Map,
}

impl Narrowing {
    /// `Some` when `found` is `data` and `expected` a narrower type with a run-time kind test;
    /// `None` for anything else, including `option(T)`, unions and types still variables.
    pub fn of(subst: &Subst, expected: &Ty, found: &Ty) -> Option<Narrowing> {
        match subst.head(found) {
            Ty::Con(n, args) if &*n == "data" && args.is_empty() => Some(Narrowing {
                kind: NarrowedKind::of(subst, expected)?,
                expected: crate::ty::wildcards(&subst.resolve(expected)),
            }),
            _ => None,
        }
    }
}

impl NarrowedKind {
    /// The one run-time kind every value of `ty` has, when its type fixes one among those a
    /// kind test tells apart; `None` for `data`, unions (which may hold `null`), type
    /// variables and the rest.
    pub fn of(subst: &Subst, ty: &Ty) -> Option<NarrowedKind> {
        match subst.head(ty) {
            Ty::Con(n, _) => match &*n {
                "bool" => Some(NarrowedKind::Bool),
                "number" => Some(NarrowedKind::Number),
                "string" => Some(NarrowedKind::String),
                "ref" => Some(NarrowedKind::Ref),
                "binary" => Some(NarrowedKind::Binary),
                "array" => Some(NarrowedKind::Array),
                "map" => Some(NarrowedKind::Map),
                _ => None,
            },
            Ty::Record(..) => Some(NarrowedKind::Map),
            Ty::Tuple(_) => Some(NarrowedKind::Array),
            _ => None,
        }
    }

    /// The kind as run-time messages name it: "a number", "an array".
    pub fn described(self) -> &'static str {
        match self {
            NarrowedKind::Bool => "a bool",
            NarrowedKind::Number => "a number",
            NarrowedKind::String => "a string",
            NarrowedKind::Ref => "a ref",
            NarrowedKind::Binary => "a binary",
            NarrowedKind::Array => "an array",
            NarrowedKind::Map => "a map or record",
        }
    }
}

/// The operation a `+` compiles to, decided from its operand types after inference. Only
/// `Dynamic` (a `data` or still-polymorphic operand) looks at run-time values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PlusKind {
    Number,
    Concat,
    Array,
    Map,
    Dynamic,
}

impl PlusKind {
    pub fn of(subst: &Subst, x: &Ty, y: &Ty) -> PlusKind {
        let name = |t: &Ty| match subst.head(t) {
            Ty::Con(n, _) => Some(n),
            _ => None,
        };
        match (name(x).as_deref(), name(y).as_deref()) {
            (Some("data"), _) | (_, Some("data")) => PlusKind::Dynamic,
            (Some("number"), Some("number")) => PlusKind::Number,
            (Some("string"), Some("string" | "number" | "word"))
            | (Some("number" | "word"), Some("string")) => PlusKind::Concat,
            (Some("array"), Some("array")) => PlusKind::Array,
            (Some("map"), Some("map")) => PlusKind::Map,
            _ => PlusKind::Dynamic,
        }
    }
}

impl<'g> Infer<'g> {
    pub fn new(globals: &'g dyn Globals) -> Infer<'g> {
        Infer {
            subst: Subst::default(),
            globals,
            scopes: vec![HashMap::new()],
            fn_depth: 0,
            returns: Vec::new(),
            short_rows: Vec::new(),
            diagnostics: Vec::new(),
            plus_sites: Vec::new(),
            value_sites: Vec::new(),
            instance_sites: Vec::new(),
            taking_apart: false,
            call_args: Vec::new(),
            record_aliases: None,
        }
    }

    pub fn fresh(&mut self) -> Ty {
        self.subst.fresh()
    }

    /// The scope of a definition's parameters.
    pub fn push_params_scope(&mut self) {
        self.push_scope();
    }

    pub fn pop_params_scope(&mut self) {
        self.pop_scope();
    }

    /// Entering a function body: `var`s outside it can no longer be captured.
    pub fn enter_function(&mut self) {
        self.fn_depth += 1;
    }

    pub fn leave_function(&mut self) {
        self.fn_depth -= 1;
    }

    /// Runs `f` with `result` as the type `return` must give.
    pub fn with_return(&mut self, result: Ty, f: impl FnOnce(&mut Self)) {
        self.returns.push(result);
        f(self);
        self.returns.pop();
    }

    fn push_scope(&mut self) {
        self.scopes.push(HashMap::new());
    }

    fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    pub fn bind_local(&mut self, name: &str, scheme: Scheme, mutable: bool) {
        self.bind(name, scheme, mutable, false);
    }

    /// Binds a member of the group being inferred, at its (monomorphic) type.
    pub fn bind_member(&mut self, name: &str, ty: Ty) {
        self.bind(name, Scheme::mono(ty), false, true);
    }

    fn bind(&mut self, name: &str, scheme: Scheme, mutable: bool, member: bool) {
        let mut free = BTreeSet::new();
        self.subst.free_vars(&scheme.ty, &mut free);
        let closed = free.iter().all(|v| scheme.vars.iter().any(|(q, _)| q == v));
        let local = Local {
            scheme,
            mutable,
            fn_depth: self.fn_depth,
            closed,
            member,
        };
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.into(), local);
        }
    }

    fn local(&self, name: &str) -> Option<&Local> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    /// Variables free in the environment (not generalised at a `let`).
    fn env_vars(&self) -> BTreeSet<TVar> {
        let mut vars = BTreeSet::new();
        for scope in &self.scopes {
            for local in scope.values().filter(|l| !l.closed) {
                let quantified: BTreeSet<TVar> =
                    local.scheme.vars.iter().map(|(v, _)| *v).collect();
                let mut free = BTreeSet::new();
                self.subst.free_vars(&local.scheme.ty, &mut free);
                vars.extend(free.difference(&quantified));
            }
        }
        vars
    }

    pub fn generalize(&self, ty: &Ty) -> Scheme {
        self.subst.generalize(ty, || self.env_vars())
    }

    /// [`Self::expect`] for a value expression: a `data` value meeting a narrower type is
    /// then tested at run time (and warned about, unless `explicit`).
    pub fn expect_value(&mut self, expected: &Ty, found: &Ty, value: Span, explicit: bool) {
        self.value_site(expected, found, value, explicit);
        self.expect(expected, found, value);
    }

    /// Records that the value at `span` meets `expected` (unified by the caller).
    pub fn value_site(&mut self, expected: &Ty, found: &Ty, span: Span, explicit: bool) {
        self.value_sites.push(ValueSite {
            span,
            expected: expected.clone(),
            found: found.clone(),
            explicit,
        });
    }

    /// Unifies, reporting a mismatch at `span` as "expected …, found …".
    pub fn expect(&mut self, expected: &Ty, found: &Ty, span: Span) {
        if let Err(m) = self.subst.unify(expected, found) {
            self.mismatch(m, span, None);
        }
    }

    /// The module's aliases of closed records without parameters (`type person = {name:
    /// string, …}`), as the record types they stand for: a message shows such a record by its
    /// alias's name, not as its fields. Computed once per inference, on the first mismatch.
    fn record_aliases(&mut self) -> Vec<(Ty, Name)> {
        if let Some(found) = &self.record_aliases {
            return found.clone();
        }
        let found = record_aliases(self.globals);
        self.record_aliases = Some(found.clone());
        found
    }

    fn mismatch(&mut self, m: Mismatch, span: Span, label: Option<(Span, String)>) {
        let mut printer = Printer::with_aliases(self.record_aliases());
        let expected = printer.print(&self.subst.resolve(&m.expected));
        let found = printer.print(&self.subst.resolve(&m.found));
        let is_plus = matches!(m.found, Ty::Plus(..)) || matches!(m.expected, Ty::Plus(..));
        let detail = describe(&self.subst, &m);
        let mut diagnostic = if is_plus && detail.starts_with("`+`") {
            plus_impossible_error(detail.clone(), span)
        } else {
            let message = format!("type mismatch: expected `{expected}`, found `{found}`");
            let mut d = Diagnostic::error(codes::TYPE_MISMATCH, message, span);
            if m.detail.is_some() {
                d = d.with_note(detail);
            }
            d
        };
        if let Some((at, text)) = label {
            diagnostic = diagnostic.with_label(at, text);
        }
        if let Ty::Fun(param, result) = self.subst.resolve(&m.found) {
            if printer.print(&result) == expected {
                let param = printer.print(&param);
                let start = if param == "db.query" {
                    ": start the pipeline from one, `db.mainDB |> db.all |> db.filter(…)`"
                } else {
                    ""
                };
                diagnostic = diagnostic.with_help(format!(
                    "this is a function still waiting for a `{param}`, a call one argument \
                     short (calls are curried){start}"
                ));
            }
        }
        if expected == "string" && found == "stream(string)" {
            diagnostic = diagnostic.with_help(
                "a stream of strings is not a string: `++` appends streams; join strings with \
                 `+`, and a stream of them with `string.concatStream(\"\", s)`",
            );
        }
        // an `option(T)` used as its `T`: the null case is not handled
        if found == format!("option({expected})") && diagnostic.help.is_none() {
            diagnostic = diagnostic.with_help(UNWRAP_OPTION);
        }
        if expected == "ref" && found == "string" {
            diagnostic.code = codes::STRING_FOR_REF;
            diagnostic = diagnostic.with_help("a string is never a ref: use `db.makeRef(s)`");
        }
        self.diagnostics.push(diagnostic);
    }

    pub fn error(&mut self, code: &'static str, message: impl Into<String>, span: Span) -> Ty {
        self.diagnostics
            .push(Diagnostic::error(code, message, span));
        self.fresh()
    }

    pub fn not_checked_yet(&mut self, what: &str, span: Span) -> Ty {
        self.diagnostics.push(Diagnostic::warning(
            codes::NOT_CHECKED_YET,
            format!("{what} is not type-checked yet; its type is left open"),
            span,
        ));
        self.fresh()
    }

    /// Gives `help` to the first diagnostic reported since `reported` that has none (of code
    /// `code`, when given): the explanations added after a check that failed.
    fn help_first_new(&mut self, reported: usize, code: Option<&str>, help: String) {
        if let Some(d) = self.diagnostics[reported..]
            .iter_mut()
            .find(|d| d.help.is_none() && code.is_none_or(|c| d.code == c))
        {
            d.help = Some(help);
        }
    }

    /// "did you mean" candidates by edit distance.
    fn suggestion(&self, name: &str) -> Option<String> {
        let mut candidates: Vec<String> = self.globals.names();
        for scope in &self.scopes {
            candidates.extend(scope.keys().map(|k| k.to_string()));
        }
        let limit = (name.chars().count() / 3).max(1);
        candidates
            .into_iter()
            .filter(|c| c != name)
            .map(|c| (edit_distance(name, &c), c))
            .filter(|(d, _)| *d <= limit)
            .min()
            .map(|(_, c)| c)
    }

    /// "did you mean" candidates for an unknown `module.name`, qualified: the function another
    /// module has for it (`string.fromNumber` → `number.toString`), else a definition of that
    /// module spelt nearly the same (case aside), else those sharing a long run of letters with
    /// it and at least half of it (`toUpper` → `uppercase`), at most three.
    fn member_suggestions(&self, module: &[&str], name: &str) -> Vec<String> {
        let wanted = name.to_lowercase();
        if let [module] = module {
            if let Some((.., there)) = IN_OTHER_MODULES
                .iter()
                .find(|(m, theirs, _)| m == module && *theirs == wanted)
            {
                return vec![there.to_string()];
            }
        }
        let members = self.globals.module_members(module);
        let qualified = |m: &str| format!("{}.{m}", module.join("."));
        // the name other languages give a function the library names otherwise (one name may
        // be another in each module: `indexOf` is `string.indexOfLeft`, `array.findIndex`)
        if let Some((_, ours)) = OTHER_NAMES
            .iter()
            .find(|(theirs, ours)| *theirs == wanted && members.iter().any(|m| m == ours))
        {
            return vec![qualified(ours)];
        }
        let limit = (wanted.chars().count() / 3).max(1);
        let close = members
            .iter()
            .map(|m| (edit_distance(&wanted, &m.to_lowercase()), m))
            .filter(|(d, _)| *d <= limit)
            .min();
        if let Some((_, m)) = close {
            return vec![qualified(m)];
        }
        let least = (wanted.chars().count() / 2).max(4);
        let mut shared: Vec<(usize, &String)> = members
            .iter()
            .map(|m| (longest_common_run(&wanted, &m.to_lowercase()), m))
            // half of the candidate too: `toString` shares `stri` with `stripPrefix`, no more
            .filter(|(run, m)| *run >= least && *run * 2 >= m.chars().count())
            .collect();
        shared.sort_by(|(ra, a), (rb, b)| rb.cmp(ra).then(a.len().cmp(&b.len())).then(a.cmp(b)));
        shared
            .into_iter()
            .take(3)
            .map(|(_, m)| qualified(m))
            .collect()
    }

    /// Finishes: settles deferred `+` equations, reporting the impossible ones.
    pub fn settle(&mut self, span: Span) {
        if let Err(m) = self.subst.settle_plus() {
            self.mismatch(m, span, None);
        }
    }
}

/// The aliases of closed, ground records without parameters that the module of `globals`
/// declares (`type person = {name: string, …}`), each with the record type it stands for, so
/// that a printer can show such a record by its name.
pub fn record_aliases(globals: &dyn Globals) -> Vec<(Ty, Name)> {
    let mut found = Vec::new();
    for name in globals.type_names() {
        let Some(TypeDef::Alias { params, body }) = globals.type_def(&[&name]) else {
            continue;
        };
        if !params.is_empty() {
            continue;
        }
        // converted apart, so that nothing it finds is reported
        let mut scratch = Infer::new(globals);
        let ty = scratch.convert_type(&body, &mut HashMap::new());
        let ty = scratch.subst.resolve(&ty);
        if matches!(ty, Ty::Record(_, None)) && scratch.diagnostics.is_empty() && is_ground(&ty) {
            found.push((ty, Name::from(name.as_str())));
        }
    }
    found
}

/// The help for an `option(T)` used where its `T` goes.
const UNWRAP_OPTION: &str = "an option may be `null`: take the value out first, with a default \
     (`option.withDefault(d, o)`) or by matching (`switch (o) { case some(v): … case null: … }`)";

/// E0202 with `message` (from `unify::plus_impossible`), with a help when an operand is an
/// option: `"<" + p.email + ">"` adds an `option(string)`, whose null case is not handled.
pub(crate) fn plus_impossible_error(message: String, at: Span) -> Diagnostic {
    let has_option = message.contains("`option(");
    let diagnostic = Diagnostic::error(codes::PLUS_IMPOSSIBLE, message, at);
    if has_option {
        diagnostic.with_help(UNWRAP_OPTION)
    } else {
        diagnostic
    }
}

/// Names common in other languages' libraries (lower case) and the standard library's name for
/// the same function, for "did you mean" (`stream.take` → `stream.firstn`).
const OTHER_NAMES: &[(&str, &str)] = &[
    ("take", "firstn"),
    ("range", "enumerate"),
    ("drop", "skipn"),
    ("head", "first"),
    ("size", "length"),
    ("len", "length"),
    ("count", "length"),
    ("split", "splitSep"),
    ("join", "concat"),
    ("includes", "contains"),
    ("has", "contains"),
    ("upper", "uppercase"),
    ("toupper", "uppercase"),
    ("touppercase", "uppercase"),
    ("lower", "lowercase"),
    ("tolower", "lowercase"),
    ("tolowercase", "lowercase"),
    ("fold", "reduce"),
    ("foldl", "reduce"),
    ("reverse", "rev"),
    ("foreach", "iter"),
    ("any", "exists"),
    ("some", "exists"),
    ("all", "forAll"),
    ("substr", "sub"),
    ("substring", "sub"),
    ("slice", "sub"),
    ("test", "match"),
    ("exec", "findSubmatch"),
    ("matchall", "findAllSubmatch"),
    ("search", "findIndex"),
    ("ismatch", "match"),
    ("matches", "match"),
    ("insert", "saveOne"),
    ("create", "saveOne"),
    ("update", "upsertOne"),
    ("where", "filter"),
    ("select", "map"),
    ("every", "forAll"),
    ("max", "maxValue"),
    ("min", "minValue"),
    ("indexof", "indexOfLeft"),
    ("indexof", "findIndex"),
    ("lastindexof", "indexOfRight"),
    ("replace", "replaceAll"),
    ("trimstart", "trimLeft"),
    ("trimend", "trimRight"),
    ("concat", "add"),
    ("haskey", "contains"),
    ("containskey", "contains"),
    ("delete", "remove"),
    ("entries", "bindings"),
    ("items", "bindings"),
    ("pairs", "bindings"),
    ("toarray", "bindings"),
    ("tolist", "bindings"),
    ("log", "info"),
    ("warn", "warning"),
    ("debug", "debugValue"),
];

/// Conversions people look for in the module of the value they have, where the library keeps
/// them with the result's type: (module, name in lower case, the library's function).
const IN_OTHER_MODULES: &[(&str, &str, &str)] = &[
    ("string", "tostring", "number.toString"),
    ("string", "fromnumber", "number.toString"),
    ("string", "ofnumber", "number.toString"),
    ("string", "fromint", "number.toString"),
    ("string", "tonumber", "number.parse"),
    ("string", "parsenumber", "number.parse"),
    ("string", "parsefloat", "number.parse"),
    ("string", "toint", "number.parseInt"),
    ("string", "parseint", "number.parseInt"),
    ("number", "fromstring", "number.parse"),
    ("array", "join", "string.concat"),
    ("stream", "join", "string.concatStream"),
    // `json` declares nothing: JSON text is read and written by `string`'s functions.
    ("json", "format", "string.formatJSON"),
    ("json", "stringify", "string.formatJSON"),
    ("json", "encode", "string.formatJSON"),
    ("json", "tostring", "string.formatJSON"),
    ("json", "serialize", "string.formatJSON"),
    ("json", "parse", "string.parseJSON"),
    ("json", "decode", "string.parseJSON"),
    ("json", "fromstring", "string.parseJSON"),
    ("json", "deserialize", "string.parseJSON"),
];

const DAY_OF_WEEK: &str = "`calendar.format(\"%u\", day)` (\"1\" for Monday … \"7\" for \
                           Sunday; `%A` gives the day's name)";

const RECORD_IS_A_MAP: &str =
    "the record itself: `map.keys({x: 3, y: 4})` (a record whose fields share one type is \
         a map where a map is expected)";

/// Functions other languages have that the library leaves to a short expression: (module, name
/// in lower case, how to write it).
const RECIPES: &[(&str, &str, &str)] = &[
    ("calendar", "dayofweek", DAY_OF_WEEK),
    ("calendar", "weekday", DAY_OF_WEEK),
    ("map", "fromrecord", RECORD_IS_A_MAP),
    ("map", "ofrecord", RECORD_IS_A_MAP),
    (
        "array",
        "sum",
        "`array.reduce((x, total) -> x + total, 0, xs)`",
    ),
    (
        "stream",
        "sum",
        "`stream.reduce((x, total) -> x + total, 0, s)`",
    ),
    (
        "array",
        "average",
        "`array.reduce((x, total) -> x + total, 0, xs) / array.length(xs)`",
    ),
    (
        "array",
        "mean",
        "`array.reduce((x, total) -> x + total, 0, xs) / array.length(xs)`",
    ),
    (
        "number",
        "tofixed",
        "`number.format({format: \"0.00\"}, n)`, one `0` per decimal",
    ),
    (
        "string",
        "repeat",
        "`string.concat(\"\", array.initialize(n, i -> text))`",
    ),
    (
        "string",
        "reverse",
        "`string.concat(\"\", array.rev(string.splitSep(\"\", text)))` (`splitSep(\"\")` \
         splits into characters)",
    ),
    (
        "stream",
        "iterate",
        "`stream.initUnbound(i -> i * 2)`, element `i` of an endless stream \
         (`stream.enumUnbound(null)` is 0, 1, 2, …)",
    ),
    ("string", "padleft", PAD_LEFT),
    ("string", "padstart", PAD_LEFT),
];

/// Padding on the left to `n` characters (JavaScript's `padStart`).
const PAD_LEFT: &str =
    "`string.concat(\"\", array.initialize(n - string.length(text), i -> \" \")) + text`";

/// The help for `module.name` when the library leaves it to an expression (`array.sum`).
pub(crate) fn recipe(module: &[&str], name: &str) -> Option<String> {
    let [module] = module else { return None };
    let wanted = name.to_lowercase();
    RECIPES
        .iter()
        .find(|(m, n, _)| m == module && *n == wanted)
        .map(|(_, _, how)| format!("Mix has no `{module}.{name}`: write {how}"))
}

/// The length in characters of the longest run of characters `a` and `b` share.
fn longest_common_run(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous = vec![0usize; b.len() + 1];
    let mut best = 0;
    for ca in a.chars() {
        let mut row = vec![0usize; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            if ca == *cb {
                row[j + 1] = previous[j] + 1;
                best = best.max(row[j + 1]);
            }
        }
        previous = row;
    }
    best
}

pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(row[j]).min(row[j + 1])
            };
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::{IN_OTHER_MODULES, OTHER_NAMES, RECIPES};
    use crate::{check_file, CheckDatabase};

    fn errors(source: String) -> Vec<mix_diagnostics::Diagnostic> {
        let mut db = CheckDatabase::default();
        let (workspace, files) = db.load(&[("t.mix".to_string(), source)]);
        check_file(&db, workspace, files[0])
            .into_iter()
            .filter(|d| d.is_error())
            .collect()
    }

    #[test]
    fn every_function_suggested_in_another_module_exists() {
        for (_, _, there) in IN_OTHER_MODULES {
            let errors = errors(format!("def f = {there}\n"));
            assert!(errors.is_empty(), "{there}: {errors:?}");
        }
    }

    #[test]
    fn every_name_suggested_for_another_language_s_exists_somewhere() {
        let modules = ["array", "map", "string", "stream", "db", "logging", "regex"];
        for (theirs, ours) in OTHER_NAMES {
            let found = modules
                .iter()
                .any(|m| errors(format!("def f = {m}.{ours}\n")).is_empty());
            assert!(found, "{theirs} → {ours}: no module has it");
        }
    }

    #[test]
    fn every_recipe_type_checks() {
        for (module, name, how) in RECIPES {
            let expression = how
                .split('`')
                .nth(1)
                .expect("a recipe quotes its expression");
            let source = format!(
                "def f(xs: array(number), s: stream(number), n: number, text: string, day: \
                 calendar.t_date) = {expression}\n"
            );
            let errors = errors(source);
            assert!(errors.is_empty(), "{module}.{name}: {errors:?}");
        }
    }
}
