//! Types as the checker manipulates them, and their printing in Mix syntax.
//!
//! Records and case unions are rows (a sorted list of labels plus an optional row variable).
//! `Plus(a, b)` is the deferred result of `a + b` while an operand is still unknown; it is
//! normalised by the `+` table (`crate::infer::plus`) as soon as the operands are known.

use std::collections::BTreeMap;
use std::fmt::Write;

pub type Name = std::sync::Arc<str>;
pub type TVar = u32;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    Var(TVar),
    /// A named type with arguments: `number`, `array(T)`, `tree(T)` (a declared union), `<"regexp">`.
    Con(Name, Vec<Ty>),
    Fun(Box<Ty>, Box<Ty>),
    Tuple(Vec<Ty>),
    /// `{name: A, ..R}`: fields sorted by name; `rest` is the row variable of an open record.
    Record(Vec<(Name, Ty)>, Option<TVar>),
    /// An anonymous union of cases (`red | rgb([number, number, number])`).
    Cases(Vec<(Name, Option<Ty>)>, Option<TVar>),
    /// The deferred `a + b`.
    Plus(Box<Ty>, Box<Ty>),
}

/// Constraints a type variable may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Constraint {
    Data,
    Word,
}

/// A generalised type: `vars` are quantified.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scheme {
    pub vars: Vec<(TVar, Option<Constraint>)>,
    pub ty: Ty,
}

impl Scheme {
    pub fn mono(ty: Ty) -> Scheme {
        Scheme {
            vars: Vec::new(),
            ty,
        }
    }
}

pub fn con(name: &str) -> Ty {
    Ty::Con(name.into(), Vec::new())
}

pub fn app(name: &str, arg: Ty) -> Ty {
    Ty::Con(name.into(), vec![arg])
}

pub fn fun(a: Ty, b: Ty) -> Ty {
    Ty::Fun(Box::new(a), Box::new(b))
}

pub fn number() -> Ty {
    con("number")
}
pub fn string() -> Ty {
    con("string")
}
pub fn boolean() -> Ty {
    con("bool")
}
pub fn null() -> Ty {
    con("null")
}
pub fn data() -> Ty {
    con("data")
}

impl Ty {
    /// Of two `+` operands where one is `map(T)`, that map type.
    pub fn max_map(self, other: &Ty) -> Ty {
        match (&self, other) {
            (Ty::Con(n, _), _) if &**n == "map" => self,
            _ => other.clone(),
        }
    }

    pub fn is_con(&self, name: &str) -> bool {
        matches!(self, Ty::Con(n, args) if &**n == name && args.is_empty())
    }
}

/// Prints types in Mix syntax, naming variables `A`, `B`, … in order of appearance and rows
/// `R`, `S`, ….
#[derive(Default)]
pub struct Printer {
    names: BTreeMap<TVar, String>,
    constraints: BTreeMap<TVar, Constraint>,
    next_type: usize,
    next_row: usize,
    /// Closed record types shown by an alias's name (`person`, not `{name:string, …}`).
    aliases: Vec<(Ty, Name)>,
}

impl Printer {
    pub fn with_constraints(scheme: &Scheme) -> Printer {
        let mut printer = Printer::default();
        for (var, constraint) in &scheme.vars {
            if let Some(c) = constraint {
                printer.constraints.insert(*var, *c);
            }
        }
        printer
    }

    fn var_name(&mut self, var: TVar, row: bool) -> String {
        if let Some(name) = self.names.get(&var) {
            return name.clone();
        }
        let name = if row {
            let letters = ["R", "S", "Q", "P"];
            let n = self.next_row;
            self.next_row += 1;
            if n < letters.len() {
                letters[n].to_string()
            } else {
                format!("R{n}")
            }
        } else {
            let n = self.next_type;
            self.next_type += 1;
            let letter = (b'A' + (n % 26) as u8) as char;
            if n < 26 {
                letter.to_string()
            } else {
                format!("{letter}{}", n / 26)
            }
        };
        let shown = match self.constraints.get(&var) {
            Some(Constraint::Data) => format!("{name}@data"),
            Some(Constraint::Word) => format!("{name}@word"),
            None => name.clone(),
        };
        // Constraints are shown at the first occurrence only.
        self.names.insert(var, name);
        shown
    }

    /// A printer that shows each of `aliases`' record types by its name.
    pub fn with_aliases(aliases: Vec<(Ty, Name)>) -> Printer {
        Printer {
            aliases,
            ..Printer::default()
        }
    }

    pub fn print(&mut self, ty: &Ty) -> String {
        let mut out = String::new();
        self.write(ty, &mut out, 0);
        out
    }

    /// `level`: 0 anywhere, 1 left of `->` (needs parentheses around functions), 2 operand of `+`.
    fn write(&mut self, ty: &Ty, out: &mut String, level: u8) {
        match ty {
            Ty::Var(v) => out.push_str(&self.var_name(*v, false)),
            Ty::Con(name, args) => {
                out.push_str(name);
                if !args.is_empty() {
                    out.push('(');
                    for (i, a) in args.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        self.write(a, out, 0);
                    }
                    out.push(')');
                }
            }
            Ty::Fun(a, b) => {
                if level > 0 {
                    out.push('(');
                }
                self.write(a, out, 1);
                out.push_str(" -> ");
                self.write(b, out, 0);
                if level > 0 {
                    out.push(')');
                }
            }
            Ty::Tuple(items) => {
                out.push('[');
                for (i, a) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write(a, out, 0);
                }
                out.push(']');
            }
            Ty::Record(_, None) if self.aliases.iter().any(|(t, _)| t == ty) => {
                let (_, name) = self.aliases.iter().find(|(t, _)| t == ty).expect("found");
                out.push_str(name);
            }
            Ty::Record(fields, rest) => {
                out.push('{');
                for (i, (name, t)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let _ = write!(out, "{name}:");
                    self.write(t, out, 0);
                }
                if let Some(r) = rest {
                    if !fields.is_empty() {
                        out.push_str(", ");
                    }
                    let name = self.var_name(*r, true);
                    let _ = write!(out, "..{name}");
                }
                out.push('}');
            }
            Ty::Cases(cases, rest) => {
                if level > 0 {
                    out.push('(');
                }
                for (i, (name, arg)) in cases.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" | ");
                    }
                    out.push_str(name);
                    if let Some(a) = arg {
                        out.push('(');
                        self.write(a, out, 0);
                        out.push(')');
                    }
                }
                if let Some(r) = rest {
                    let name = self.var_name(*r, true);
                    let _ = write!(out, " | ..{name}");
                }
                if level > 0 {
                    out.push(')');
                }
            }
            Ty::Plus(a, b) => {
                if level == 1 {
                    out.push('(');
                }
                self.write(a, out, 2);
                out.push_str(" + ");
                self.write(b, out, 2);
                if level == 1 {
                    out.push(')');
                }
            }
        }
    }
}

pub fn show_scheme(scheme: &Scheme) -> String {
    Printer::with_constraints(scheme).print(&scheme.ty)
}

/// [`show_scheme`], showing each of `aliases`' records by its name.
pub fn show_scheme_with_aliases(scheme: &Scheme, aliases: Vec<(Ty, Name)>) -> String {
    let mut printer = Printer::with_constraints(scheme);
    printer.aliases = aliases;
    printer.print(&scheme.ty)
}

/// Whether `ty` has no type variable (row variables included).
pub fn is_ground(ty: &Ty) -> bool {
    match ty {
        Ty::Var(_) => false,
        Ty::Con(_, args) | Ty::Tuple(args) => args.iter().all(is_ground),
        Ty::Fun(a, b) | Ty::Plus(a, b) => is_ground(a) && is_ground(b),
        Ty::Record(fields, rest) => rest.is_none() && fields.iter().all(|(_, t)| is_ground(t)),
        Ty::Cases(cases, rest) => {
            rest.is_none() && cases.iter().all(|(_, t)| t.as_ref().is_none_or(is_ground))
        }
    }
}

/// `ty` with each type variable written `_` and records closed, as a type assertion takes it.
pub fn wildcards(ty: &Ty) -> Ty {
    let each = |items: &[Ty]| items.iter().map(wildcards).collect();
    match ty {
        Ty::Var(_) => Ty::Con("_".into(), Vec::new()),
        Ty::Con(name, args) => Ty::Con(name.clone(), each(args)),
        Ty::Fun(a, b) => fun(wildcards(a), wildcards(b)),
        Ty::Tuple(items) => Ty::Tuple(each(items)),
        Ty::Record(fields, _) => Ty::Record(
            fields
                .iter()
                .map(|(n, t)| (n.clone(), wildcards(t)))
                .collect(),
            None,
        ),
        Ty::Cases(cases, _) => Ty::Cases(
            cases
                .iter()
                .map(|(n, t)| (n.clone(), t.as_ref().map(wildcards)))
                .collect(),
            None,
        ),
        Ty::Plus(a, b) => Ty::Plus(Box::new(wildcards(a)), Box::new(wildcards(b))),
    }
}
