//! Substitution, unification with rows, the `+` table, generalisation and instantiation.

use std::collections::{BTreeMap, BTreeSet};

use crate::ty::*;

/// Why two types could not be made equal: the outermost pair, where inside them they differ,
/// and what differs there (what the error message shows).
#[derive(Clone, Debug)]
pub struct Mismatch {
    pub expected: Ty,
    pub found: Ty,
    /// What differs at `place`, when it is not just `expected` against `found`.
    pub detail: Option<String>,
    /// Where inside `expected` and `found` the difference is, outermost first (empty: the two
    /// types themselves). Boxed: a mismatch is the `Err` of every unification.
    pub place: Box<[Place]>,
}

/// One step into a pair of types on the way to where they differ.
#[derive(Clone, Debug, PartialEq)]
pub enum Place {
    Parameter,
    Result,
    Element(usize),
    Field(Name),
}

impl Mismatch {
    /// This mismatch, found at `step` inside `outer`: `outer`'s types, with the place and what
    /// differs there taken from `self`.
    fn inside(self, subst: &Subst, step: Place, outer: Mismatch) -> Mismatch {
        let detail = Some(self.detail.clone().unwrap_or_else(|| pair(subst, &self)));
        let place = std::iter::once(step).chain(self.place).collect();
        Mismatch {
            detail,
            place,
            ..outer
        }
    }
}

/// Cloned only on an error path, to try what would have fitted (see `call.rs`).
#[derive(Default, Clone)]
pub struct Subst {
    bindings: Vec<Option<Ty>>,
    constraints: Vec<Option<Constraint>>,
    /// `a + b = r` equations not yet decidable.
    pub pending_plus: Vec<(Ty, Ty, Ty)>,
}

impl Subst {
    pub fn fresh(&mut self) -> Ty {
        Ty::Var(self.fresh_var())
    }

    pub fn fresh_var(&mut self) -> TVar {
        self.bindings.push(None);
        self.constraints.push(None);
        (self.bindings.len() - 1) as TVar
    }

    /// A fresh variable that only data-range types may fill.
    pub fn fresh_data(&mut self) -> Ty {
        let v = self.fresh_var();
        self.constrain(v, Constraint::Data);
        Ty::Var(v)
    }

    pub fn constrain(&mut self, var: TVar, c: Constraint) {
        let slot = &mut self.constraints[var as usize];
        *slot = Some(match (*slot, c) {
            (Some(Constraint::Word), _) | (_, Constraint::Word) => Constraint::Word,
            _ => Constraint::Data,
        });
    }

    pub fn constraint(&self, var: TVar) -> Option<Constraint> {
        self.constraints.get(var as usize).copied().flatten()
    }

    /// How many arguments a function of type `ty` takes, when its result after them is known
    /// not to be a function (`None` while an unconstrained type variable leaves it open;
    /// `data` and `word` variables and `+` are never functions). By reference, with no
    /// clones: it is asked at every call the checker sees.
    pub fn known_arity(&self, ty: &Ty) -> Option<usize> {
        let mut arity = 0;
        let mut current = ty;
        loop {
            match current {
                Ty::Var(v) => match &self.bindings[*v as usize] {
                    Some(bound) => current = bound,
                    None if self.constraint(*v).is_none() => return None,
                    None => return Some(arity),
                },
                Ty::Fun(_, ret) => {
                    arity += 1;
                    current = ret;
                }
                _ => return Some(arity),
            }
        }
    }

    /// Whether `ty` has `data` anywhere in it, following bindings.
    pub fn mentions_data(&self, ty: &Ty) -> bool {
        self.has_part(ty, &|t| matches!(t, Ty::Con(name, _) if &**name == "data"))
    }

    /// Whether some part of `ty` (itself included) is `wanted`, following bindings and
    /// without building the resolved type.
    fn has_part(&self, ty: &Ty, wanted: &dyn Fn(&Ty) -> bool) -> bool {
        if wanted(ty) {
            return true;
        }
        let part = |t: &Ty| self.has_part(t, wanted);
        let row = |rest: &Option<TVar>| rest.is_some_and(|r| part(&Ty::Var(r)));
        match ty {
            Ty::Var(v) => self.bindings[*v as usize].as_ref().is_some_and(part),
            Ty::Con(_, args) | Ty::Tuple(args) => args.iter().any(part),
            Ty::Fun(a, b) | Ty::Plus(a, b) => part(a) || part(b),
            Ty::Record(fields, rest) => fields.iter().any(|(_, t)| part(t)) || row(rest),
            Ty::Cases(cases, rest) => {
                cases.iter().any(|(_, t)| t.as_ref().is_some_and(part)) || row(rest)
            }
        }
    }

    /// The parameter and result of `ty` when it is (bound to) a function type, by reference.
    pub fn as_fun<'t>(&'t self, ty: &'t Ty) -> Option<(&'t Ty, &'t Ty)> {
        let mut current = ty;
        loop {
            match current {
                Ty::Var(v) => current = self.bindings[*v as usize].as_ref()?,
                Ty::Fun(param, result) => return Some((param, result)),
                _ => return None,
            }
        }
    }

    /// Follows bindings at the head only.
    pub fn head(&self, ty: &Ty) -> Ty {
        // Follow the variable chain by reference; clone only what is returned.
        let mut current = ty;
        loop {
            match current {
                Ty::Var(v) => match &self.bindings[*v as usize] {
                    Some(bound) => current = bound,
                    None => return current.clone(),
                },
                Ty::Plus(a, b) => {
                    let (a, b) = (self.head(a), self.head(b));
                    return match plus_result(&a, &b) {
                        PlusResult::Known(r) => self.head(&r),
                        _ => Ty::Plus(Box::new(a), Box::new(b)),
                    };
                }
                other => return other.clone(),
            }
        }
    }

    /// Follows a row variable through the records (or unions) it is bound to, appending their
    /// members to `items`; returns the row's final, unbound variable, if any.
    fn follow_row<T>(
        &self,
        mut rest: Option<TVar>,
        items: &mut Vec<(Name, T)>,
        members: impl Fn(Ty) -> Option<(Vec<(Name, T)>, Option<TVar>)>,
    ) -> Option<TVar> {
        while let Some(r) = rest {
            match self.head(&Ty::Var(r)) {
                Ty::Var(v) => return Some(v),
                other => match members(other) {
                    Some((more, next)) => {
                        items.extend(more);
                        rest = next;
                    }
                    None => return None,
                },
            }
        }
        None
    }

    /// Applies every binding, everywhere.
    pub fn resolve(&self, ty: &Ty) -> Ty {
        match self.head(ty) {
            Ty::Var(v) => Ty::Var(v),
            Ty::Con(n, args) => Ty::Con(n, args.iter().map(|a| self.resolve(a)).collect()),
            Ty::Fun(a, b) => fun(self.resolve(&a), self.resolve(&b)),
            Ty::Tuple(items) => Ty::Tuple(items.iter().map(|a| self.resolve(a)).collect()),
            Ty::Record(fields, rest) => {
                let mut fields = fields;
                let rest = self.follow_row(rest, &mut fields, |t| match t {
                    Ty::Record(more, next) => Some((more, next)),
                    _ => None,
                });
                let mut fields: Vec<(Name, Ty)> = fields
                    .iter()
                    .map(|(n, t)| (n.clone(), self.resolve(t)))
                    .collect();
                fields.sort_by(|a, b| a.0.cmp(&b.0));
                Ty::Record(fields, rest)
            }
            Ty::Cases(cases, rest) => {
                let mut cases = cases;
                let rest = self.follow_row(rest, &mut cases, |t| match t {
                    Ty::Cases(more, next) => Some((more, next)),
                    _ => None,
                });
                let mut cases: Vec<(Name, Option<Ty>)> = cases
                    .iter()
                    .map(|(n, t)| (n.clone(), t.as_ref().map(|t| self.resolve(t))))
                    .collect();
                cases.sort_by(|a, b| a.0.cmp(&b.0));
                Ty::Cases(cases, rest)
            }
            Ty::Plus(a, b) => Ty::Plus(Box::new(self.resolve(&a)), Box::new(self.resolve(&b))),
        }
    }

    fn occurs(&self, var: TVar, ty: &Ty) -> bool {
        match self.head(ty) {
            Ty::Var(v) => v == var,
            Ty::Con(_, args) | Ty::Tuple(args) => args.iter().any(|a| self.occurs(var, a)),
            Ty::Fun(a, b) | Ty::Plus(a, b) => self.occurs(var, &a) || self.occurs(var, &b),
            Ty::Record(fields, rest) => {
                fields.iter().any(|(_, t)| self.occurs(var, t))
                    || rest.is_some_and(|r| self.occurs(var, &Ty::Var(r)))
            }
            Ty::Cases(cases, rest) => {
                cases
                    .iter()
                    .any(|(_, t)| t.as_ref().is_some_and(|t| self.occurs(var, t)))
                    || rest.is_some_and(|r| self.occurs(var, &Ty::Var(r)))
            }
        }
    }

    fn bind(&mut self, var: TVar, ty: Ty) -> Result<(), Mismatch> {
        // A row variable reached through a record or union may already be bound: overwriting
        // it would lose that binding and could make the substitution cyclic.
        if let Some(existing) = self.bindings[var as usize].clone() {
            if existing == ty {
                return Ok(());
            }
            return self.unify(&existing, &ty);
        }
        let ty = match ty {
            Ty::Var(other) => self.head(&Ty::Var(other)),
            other => other,
        };
        if let Ty::Var(other) = ty {
            if other == var {
                return Ok(());
            }
            if let Some(c) = self.constraint(var) {
                self.constrain(other, c);
            }
            self.bindings[var as usize] = Some(Ty::Var(other));
            return Ok(());
        }
        if self.occurs(var, &ty) {
            return Err(Mismatch {
                expected: Ty::Var(var),
                found: ty,
                detail: Some(
                    "this would be an infinite type; recursive types must go through a case".into(),
                ),
                place: Box::default(),
            });
        }
        if let Some(c) = self.constraint(var) {
            if !satisfies(self, &ty, c) {
                // Named by what the variable stands for: "expected `data`", not "expected `A`".
                let (expected, what) = match c {
                    Constraint::Word => (con("word"), "a number or a string"),
                    Constraint::Data => (data(), "data"),
                };
                return Err(Mismatch {
                    expected,
                    found: ty,
                    detail: Some(format!("the value must be {what}")),
                    place: Box::default(),
                });
            }
        }
        self.bindings[var as usize] = Some(ty);
        Ok(())
    }

    /// Makes `expected` and `found` equal, or explains why not.
    pub fn unify(&mut self, expected: &Ty, found: &Ty) -> Result<(), Mismatch> {
        let (a, b) = (self.head(expected), self.head(found));
        let fail = |detail: Option<String>| Mismatch {
            expected: a.clone(),
            found: b.clone(),
            detail,
            place: Box::default(),
        };
        match (&a, &b) {
            (Ty::Var(_), Ty::Plus(x, y)) | (Ty::Plus(x, y), Ty::Var(_)) => {
                let var = if matches!(a, Ty::Var(_)) { &a } else { &b };
                self.unify_plus(x, y, var)
            }
            (Ty::Var(x), _) => self.bind(*x, b.clone()),
            (_, Ty::Var(y)) => self.bind(*y, a.clone()),
            (Ty::Plus(x, y), other) | (other, Ty::Plus(x, y)) => self.unify_plus(x, y, other),
            // `data` is compatible with every data-range type (a run-time assertion, spec §4).
            (Ty::Con(n, args), other) | (other, Ty::Con(n, args))
                if &**n == "data" && args.is_empty() =>
            {
                if satisfies(self, other, Constraint::Data) {
                    Ok(())
                } else {
                    Err(fail(Some("this type is not data".into())))
                }
            }
            (Ty::Con(n, args), other) | (other, Ty::Con(n, args))
                if &**n == "any" && args.is_empty() =>
            {
                let _ = other;
                Ok(())
            }
            // `null` is a member of `option(T)` (and of declared unions containing null).
            (Ty::Con(n, args), Ty::Con(m, _)) | (Ty::Con(m, _), Ty::Con(n, args))
                if &**n == "null" && args.is_empty() && &**m == "option" =>
            {
                Ok(())
            }
            (Ty::Con(n1, a1), Ty::Con(n2, a2)) if n1 == n2 && a1.len() == a2.len() => {
                for (x, y) in a1.iter().zip(a2) {
                    self.unify(x, y).map_err(|m| {
                        let detail = Some(describe(self, &m));
                        Mismatch {
                            detail,
                            ..fail(None)
                        }
                    })?;
                }
                Ok(())
            }
            (Ty::Con(n, _), other) | (other, Ty::Con(n, _)) if &**n == "word" => {
                if satisfies(self, other, Constraint::Word) {
                    Ok(())
                } else {
                    Err(fail(None))
                }
            }
            (Ty::Fun(a1, r1), Ty::Fun(a2, r2)) => {
                self.unify(a1, a2)
                    .map_err(|m| m.inside(self, Place::Parameter, fail(None)))?;
                self.unify(r1, r2)
                    .map_err(|m| m.inside(self, Place::Result, fail(None)))
            }
            (Ty::Tuple(x), Ty::Tuple(y)) if x.len() == y.len() => {
                for (i, (p, q)) in x.iter().zip(y).enumerate() {
                    self.unify(p, q)
                        .map_err(|m| m.inside(self, Place::Element(i), fail(None)))?;
                }
                Ok(())
            }
            // A bracket literal is an array or a tuple as its context decides (spec §4).
            (Ty::Con(n, args), Ty::Tuple(items)) | (Ty::Tuple(items), Ty::Con(n, args))
                if &**n == "array" && args.len() == 1 =>
            {
                let elem = args[0].clone();
                let arity = items.len();
                for item in items.clone() {
                    self.unify(&elem, &item).map_err(|m| Mismatch {
                        detail: Some(format!(
                            "{}: an array's elements share one type, a tuple's have their \
                             own (element 1 of this tuple is `t[#1 of {arity}]`)",
                            describe(self, &m)
                        )),
                        // the place is in the text now
                        place: Box::default(),
                        ..m
                    })?;
                }
                Ok(())
            }
            // Rows are flattened first (a bound row variable leads to more fields), so the row
            // variables bound below are always unbound ones.
            (Ty::Record(..), Ty::Record(..)) => match (self.resolve(&a), self.resolve(&b)) {
                (Ty::Record(f1, r1), Ty::Record(f2, r2)) => {
                    self.unify_rows(&f1, r1, &f2, r2, &a, &b)
                }
                _ => Err(fail(None)),
            },
            // A record's fields may all be read as a map's values.
            (Ty::Con(n, args), Ty::Record(fields, _))
            | (Ty::Record(fields, _), Ty::Con(n, args))
                if &**n == "map" && args.len() == 1 =>
            {
                let value = args[0].clone();
                for (_, t) in fields.clone() {
                    self.unify(&value, &t)?;
                }
                Ok(())
            }
            (Ty::Cases(..), Ty::Cases(..)) => match (self.resolve(&a), self.resolve(&b)) {
                (Ty::Cases(c1, r1), Ty::Cases(c2, r2)) => {
                    self.unify_cases(&c1, r1, &c2, r2, &a, &b)
                }
                _ => Err(fail(None)),
            },
            _ => Err(fail(None)),
        }
    }

    /// Whether `null` is a value of `ty` (`option(T)`, `T | null`), asked on a copy: only
    /// for a message.
    fn admits_null(&self, ty: &Ty) -> bool {
        let resolved = self.resolve(ty);
        !matches!(resolved, Ty::Var(_)) && self.clone().unify(&resolved, &null()).is_ok()
    }

    fn unify_rows(
        &mut self,
        f1: &[(Name, Ty)],
        r1: Option<TVar>,
        f2: &[(Name, Ty)],
        r2: Option<TVar>,
        a: &Ty,
        b: &Ty,
    ) -> Result<(), Mismatch> {
        let map1: BTreeMap<&Name, &Ty> = f1.iter().map(|(n, t)| (n, t)).collect();
        let map2: BTreeMap<&Name, &Ty> = f2.iter().map(|(n, t)| (n, t)).collect();
        for (name, t1) in &map1 {
            if let Some(t2) = map2.get(name) {
                self.unify(t1, t2).map_err(|m| {
                    let outer = Mismatch {
                        expected: a.clone(),
                        found: b.clone(),
                        detail: None,
                        place: Box::default(),
                    };
                    m.inside(self, Place::Field((*name).clone()), outer)
                })?;
            }
        }
        let only1: Vec<(Name, Ty)> = f1
            .iter()
            .filter(|(n, _)| !map2.contains_key(n))
            .cloned()
            .collect();
        let only2: Vec<(Name, Ty)> = f2
            .iter()
            .filter(|(n, _)| !map1.contains_key(n))
            .cloned()
            .collect();
        // `fields` are missing from a record whose own fields not asked for are `others`
        let missing = |fields: &[(Name, Ty)], others: &[(Name, Ty)]| {
            let names: Vec<String> = fields.iter().map(|(n, _)| format!("`{n}`")).collect();
            let mut said = format!("the record has no field {}", names.join(", "));
            if let [(name, _)] = fields {
                let limit = (name.chars().count() / 3).max(1);
                let nearest = others
                    .iter()
                    .map(|(other, _)| (super::edit_distance(name, other), other))
                    .filter(|(d, _)| *d <= limit)
                    .min();
                if let Some((_, other)) = nearest {
                    said.push_str(&format!(" (did you mean `{other}`?)"));
                }
            }
            // `{name: "Bob"}` for `{name: string, email: option(string)}`: a field that may be
            // null is still written (only a type with `..` leaves fields out)
            if let [(name, ty)] = fields {
                if self.admits_null(ty) {
                    said.push_str(&format!(
                        "; a field that may be null is still written, `{name}: null`"
                    ));
                }
            }
            Some(said)
        };
        match (r1, r2) {
            (None, None) => {
                if !only1.is_empty() {
                    return Err(Mismatch {
                        expected: a.clone(),
                        found: b.clone(),
                        detail: missing(&only1, &only2),
                        place: Box::default(),
                    });
                }
                if !only2.is_empty() {
                    return Err(Mismatch {
                        expected: a.clone(),
                        found: b.clone(),
                        detail: Some(format!("unexpected field `{}`", only2[0].0)),
                        place: Box::default(),
                    });
                }
                Ok(())
            }
            (Some(r), None) => {
                if !only1.is_empty() {
                    return Err(Mismatch {
                        expected: a.clone(),
                        found: b.clone(),
                        detail: missing(&only1, &only2),
                        place: Box::default(),
                    });
                }
                self.bind(r, Ty::Record(only2, None))
            }
            (None, Some(r)) => {
                if !only2.is_empty() {
                    return Err(Mismatch {
                        expected: a.clone(),
                        found: b.clone(),
                        detail: missing(&only2, &only1),
                        place: Box::default(),
                    });
                }
                self.bind(r, Ty::Record(only1, None))
            }
            (Some(x), Some(y)) => {
                if x == y {
                    return if only1.is_empty() && only2.is_empty() {
                        Ok(())
                    } else {
                        Err(Mismatch {
                            expected: a.clone(),
                            found: b.clone(),
                            detail: None,
                            place: Box::default(),
                        })
                    };
                }
                let rest = self.fresh_var();
                self.bind(x, Ty::Record(only2, Some(rest)))?;
                self.bind(y, Ty::Record(only1, Some(rest)))
            }
        }
    }

    fn unify_cases(
        &mut self,
        c1: &[(Name, Option<Ty>)],
        r1: Option<TVar>,
        c2: &[(Name, Option<Ty>)],
        r2: Option<TVar>,
        a: &Ty,
        b: &Ty,
    ) -> Result<(), Mismatch> {
        let map1: BTreeMap<&Name, &Option<Ty>> = c1.iter().map(|(n, t)| (n, t)).collect();
        let map2: BTreeMap<&Name, &Option<Ty>> = c2.iter().map(|(n, t)| (n, t)).collect();
        for (name, t1) in &map1 {
            if let Some(t2) = map2.get(name) {
                match (t1, t2) {
                    (Some(x), Some(y)) => self.unify(x, y)?,
                    (None, None) => {}
                    _ => {
                        return Err(Mismatch {
                            expected: a.clone(),
                            found: b.clone(),
                            detail: Some(format!(
                                "case `{name}` is used with and without an argument"
                            )),
                            place: Box::default(),
                        })
                    }
                }
            }
        }
        let only1: Vec<(Name, Option<Ty>)> = c1
            .iter()
            .filter(|(n, _)| !map2.contains_key(n))
            .cloned()
            .collect();
        let only2: Vec<(Name, Option<Ty>)> = c2
            .iter()
            .filter(|(n, _)| !map1.contains_key(n))
            .cloned()
            .collect();
        let not_member = |cases: &[(Name, Option<Ty>)]| {
            Some(format!(
                "case `{}` is not a member of this union",
                cases[0].0
            ))
        };
        match (r1, r2) {
            (None, None) if only1.is_empty() && only2.is_empty() => Ok(()),
            (None, None) => Err(Mismatch {
                expected: a.clone(),
                found: b.clone(),
                detail: not_member(if only2.is_empty() { &only1 } else { &only2 }),
                place: Box::default(),
            }),
            (Some(r), None) => {
                if !only1.is_empty() {
                    return Err(Mismatch {
                        expected: a.clone(),
                        found: b.clone(),
                        detail: not_member(&only1),
                        place: Box::default(),
                    });
                }
                self.bind(r, Ty::Cases(only2, None))
            }
            (None, Some(r)) => {
                if !only2.is_empty() {
                    return Err(Mismatch {
                        expected: a.clone(),
                        found: b.clone(),
                        detail: not_member(&only2),
                        place: Box::default(),
                    });
                }
                self.bind(r, Ty::Cases(only1, None))
            }
            (Some(x), Some(y)) if x == y => Ok(()),
            (Some(x), Some(y)) => {
                let rest = self.fresh_var();
                self.bind(x, Ty::Cases(only2, Some(rest)))?;
                self.bind(y, Ty::Cases(only1, Some(rest)))
            }
        }
    }

    /// `x + y = result`: decide now when the table allows, improve what it forces, else defer.
    fn unify_plus(&mut self, x: &Ty, y: &Ty, result: &Ty) -> Result<(), Mismatch> {
        let (x, y, r) = (self.head(x), self.head(y), self.head(result));
        match plus_result(&x, &y) {
            PlusResult::Known(t) => return self.unify(&t, &r),
            PlusResult::Impossible => {
                let detail = Some(plus_impossible(self, &x, &y));
                return Err(Mismatch {
                    expected: r,
                    found: Ty::Plus(Box::new(x), Box::new(y)),
                    detail,
                    place: Box::default(),
                });
            }
            PlusResult::Unknown => {}
        }
        // Improvement from the finite table: only number + number gives number, only arrays give
        // arrays, only maps give maps.
        if r.is_con("number") {
            self.unify(&number(), &x)?;
            return self.unify(&number(), &y);
        }
        if let Ty::Con(n, args) = &r {
            if matches!(&**n, "array" | "map") && args.len() == 1 {
                self.unify(&r, &x)?;
                return self.unify(&r, &y);
            }
        }
        let plus = Ty::Plus(Box::new(x.clone()), Box::new(y.clone()));
        if let Ty::Var(v) = r {
            // `B = A + B` is an equation for the table to decide later, not an infinite type.
            if !self.occurs(v, &plus) {
                return self.bind(v, plus);
            }
        }
        self.pending_plus.push((x, y, r));
        Ok(())
    }

    /// For `x + y` with one string operand, the other must be a word (number or string).
    pub fn word_operand(&mut self, x: &Ty, y: &Ty) {
        for (a, b) in [(x, y), (y, x)] {
            if let (true, Ty::Var(v)) = (self.head(a).is_con("string"), self.head(b)) {
                self.constrain(v, Constraint::Word);
            }
        }
    }

    /// Re-examines deferred `+` equations; returns the ones still undecided.
    pub fn settle_plus(&mut self) -> Result<(), Mismatch> {
        let pending = std::mem::take(&mut self.pending_plus);
        let before = pending.len();
        for (x, y, r) in pending {
            self.unify_plus(&x, &y, &r)?;
        }
        if self.pending_plus.len() < before {
            self.settle_plus()?;
        }
        Ok(())
    }

    /// Whether a deferred `+` occurs in `ty` (following bindings, without building anything).
    fn has_plus(&self, ty: &Ty) -> bool {
        self.has_part(ty, &|t| matches!(t, Ty::Plus(..)))
    }

    /// The first `+` in `ty` whose operands are known and cannot be added.
    pub fn impossible_plus(&self, ty: &Ty) -> Option<(Ty, Ty)> {
        if !self.has_plus(ty) {
            return None;
        }
        match self.resolve(ty) {
            Ty::Plus(a, b) => {
                let (x, y) = (self.head(&a), self.head(&b));
                if matches!(plus_result(&x, &y), PlusResult::Impossible) {
                    return Some((x, y));
                }
                self.impossible_plus(&a)
                    .or_else(|| self.impossible_plus(&b))
            }
            Ty::Fun(a, b) => self
                .impossible_plus(&a)
                .or_else(|| self.impossible_plus(&b)),
            Ty::Con(_, args) | Ty::Tuple(args) => args.iter().find_map(|a| self.impossible_plus(a)),
            Ty::Record(fields, _) => fields.iter().find_map(|(_, t)| self.impossible_plus(t)),
            _ => None,
        }
    }

    /// Free variables of `ty` after resolution.
    pub fn free_vars(&self, ty: &Ty, out: &mut BTreeSet<TVar>) {
        match self.resolve(ty) {
            Ty::Var(v) => {
                out.insert(v);
            }
            Ty::Con(_, args) | Ty::Tuple(args) => args.iter().for_each(|a| self.free_vars(a, out)),
            Ty::Fun(a, b) | Ty::Plus(a, b) => {
                self.free_vars(&a, out);
                self.free_vars(&b, out);
            }
            Ty::Record(fields, rest) => {
                fields.iter().for_each(|(_, t)| self.free_vars(t, out));
                out.extend(rest);
            }
            Ty::Cases(cases, rest) => {
                cases
                    .iter()
                    .filter_map(|(_, t)| t.as_ref())
                    .for_each(|t| self.free_vars(t, out));
                out.extend(rest);
            }
        }
    }

    /// Quantifies the variables of `ty` not free in the environment.
    /// `env_vars` is only called when `ty` has variables: most types have none, and
    /// collecting a long block's environment for each `let` made it quadratic.
    pub fn generalize(&self, ty: &Ty, env_vars: impl FnOnce() -> BTreeSet<TVar>) -> Scheme {
        let ty = self.resolve(ty);
        let mut vars = BTreeSet::new();
        self.free_vars(&ty, &mut vars);
        if vars.is_empty() {
            return Scheme::mono(ty);
        }
        let vars = vars
            .difference(&env_vars())
            .map(|v| (*v, self.constraint(*v)))
            .collect();
        Scheme { vars, ty }
    }

    /// A fresh copy of a scheme's type.
    pub fn instantiate(&mut self, scheme: &Scheme) -> Ty {
        let mut map = BTreeMap::new();
        for (var, constraint) in &scheme.vars {
            let fresh = self.fresh_var();
            if let Some(c) = constraint {
                self.constrain(fresh, *c);
            }
            map.insert(*var, fresh);
        }
        substitute(&scheme.ty, &map)
    }
}

impl Subst {
    /// `ty` at a use of a value: a `data` that is a whole input (a parameter, or the result of
    /// a function the caller passes in) becomes a fresh `@data` variable. Values are
    /// immutable, so a function that accepts any data accepts a number as a number:
    /// `array.sort(.total, xs)` leaves the records' `total` a number instead of unifying it
    /// with `data` (which made every later `+` on it dynamic). Outputs stay `data`, and so
    /// does `data` inside a container: `map(data)` holds values of different types, which one
    /// variable could not.
    pub fn widen_data_inputs(&mut self, ty: Ty) -> Ty {
        if !data_in_signature(&ty) {
            return ty;
        }
        self.widen(&ty, true)
    }

    fn widen(&mut self, ty: &Ty, output: bool) -> Ty {
        match ty {
            Ty::Con(n, args) if args.is_empty() && &**n == "data" && !output => self.fresh_data(),
            Ty::Fun(a, b) => fun(self.widen(a, !output), self.widen(b, output)),
            other => other.clone(),
        }
    }
}

/// Whether a `data` is a parameter or result somewhere along `ty`'s arrows.
fn data_in_signature(ty: &Ty) -> bool {
    match ty {
        Ty::Con(n, args) => args.is_empty() && &**n == "data",
        Ty::Fun(a, b) => data_in_signature(a) || data_in_signature(b),
        _ => false,
    }
}

pub fn substitute(ty: &Ty, map: &BTreeMap<TVar, TVar>) -> Ty {
    let var = |v: &TVar| *map.get(v).unwrap_or(v);
    match ty {
        Ty::Var(v) => Ty::Var(var(v)),
        Ty::Con(n, args) => Ty::Con(n.clone(), args.iter().map(|a| substitute(a, map)).collect()),
        Ty::Fun(a, b) => fun(substitute(a, map), substitute(b, map)),
        Ty::Tuple(items) => Ty::Tuple(items.iter().map(|a| substitute(a, map)).collect()),
        Ty::Record(fields, rest) => Ty::Record(
            fields
                .iter()
                .map(|(n, t)| (n.clone(), substitute(t, map)))
                .collect(),
            rest.as_ref().map(var),
        ),
        Ty::Cases(cases, rest) => Ty::Cases(
            cases
                .iter()
                .map(|(n, t)| (n.clone(), t.as_ref().map(|t| substitute(t, map))))
                .collect(),
            rest.as_ref().map(var),
        ),
        Ty::Plus(a, b) => Ty::Plus(Box::new(substitute(a, map)), Box::new(substitute(b, map))),
    }
}

pub enum PlusResult {
    Known(Ty),
    Unknown,
    Impossible,
}

/// The `+` table of spec §4 on operand types already resolved at the head.
pub fn plus_result(x: &Ty, y: &Ty) -> PlusResult {
    let known = |t: &Ty| !matches!(t, Ty::Var(_) | Ty::Plus(..));
    let is = |t: &Ty, n: &str| t.is_con(n);
    if is(x, "data") || is(y, "data") {
        return PlusResult::Known(data());
    }
    if is(x, "number") && is(y, "number") {
        return PlusResult::Known(number());
    }
    let wordish = |t: &Ty| is(t, "number") || is(t, "string") || is(t, "word");
    if (is(x, "string") && wordish(y)) || (is(y, "string") && wordish(x)) {
        return PlusResult::Known(string());
    }
    // Every row with a string operand gives a string; the other operand is constrained to
    // `@word` where the `+` is built (`Subst::word_operand`).
    if (is(x, "string") && matches!(y, Ty::Var(_))) || (is(y, "string") && matches!(x, Ty::Var(_)))
    {
        return PlusResult::Known(string());
    }
    match (x, y) {
        // Records are maps too: `{} + m`, `r1 + r2` (the right side wins, spec §4).
        (Ty::Record(f1, None), Ty::Record(f2, None)) => {
            let mut fields: Vec<(Name, Ty)> = f1
                .iter()
                .filter(|(n, _)| !f2.iter().any(|(m, _)| m == n))
                .cloned()
                .collect();
            fields.extend(f2.iter().cloned());
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            PlusResult::Known(Ty::Record(fields, None))
        }
        (Ty::Record(..), Ty::Con(n, args)) | (Ty::Con(n, args), Ty::Record(..))
            if &**n == "map" && args.len() == 1 =>
        {
            PlusResult::Known(y.clone().max_map(x))
        }
        (Ty::Con(a, ax), Ty::Con(b, bx))
            if a == b && matches!(&**a, "array" | "map") && ax.len() == 1 && bx.len() == 1 =>
        {
            // Element types must agree; the unifier checks them when the result is used.
            if ax == bx {
                PlusResult::Known(x.clone())
            } else {
                PlusResult::Unknown
            }
        }
        _ if known(x) && known(y) => PlusResult::Impossible,
        _ => PlusResult::Unknown,
    }
}

pub fn plus_impossible(subst: &Subst, x: &Ty, y: &Ty) -> String {
    let mut printer = Printer::default();
    let (xs, ys) = (
        printer.print(&subst.resolve(x)),
        printer.print(&subst.resolve(y)),
    );
    format!("`+` cannot combine `{xs}` and `{ys}`: it adds numbers, joins strings with numbers or strings, concatenates arrays and merges maps")
}

/// Whether `ty` can satisfy a constraint (data-range, word).
pub fn satisfies(subst: &Subst, ty: &Ty, c: Constraint) -> bool {
    match subst.head(ty) {
        // An unknown type can still become one that satisfies it.
        Ty::Var(_) => true,
        Ty::Con(n, args) => match c {
            Constraint::Word => matches!(&*n, "number" | "string" | "word" | "data"),
            Constraint::Data => match &*n {
                "null" | "bool" | "number" | "string" | "word" | "data" | "ref" | "binary" => true,
                "array" | "map" | "option" => args.iter().all(|a| satisfies(subst, a, c)),
                "any" | "stream" | "appstate" => false,
                _ => args.iter().all(|a| satisfies(subst, a, c)),
            },
        },
        Ty::Tuple(items) => c == Constraint::Data && items.iter().all(|a| satisfies(subst, a, c)),
        Ty::Record(fields, _) => {
            c == Constraint::Data && fields.iter().all(|(_, t)| satisfies(subst, t, c))
        }
        Ty::Cases(cases, _) => {
            c == Constraint::Data
                && cases
                    .iter()
                    .all(|(_, t)| t.as_ref().is_none_or(|t| satisfies(subst, t, c)))
        }
        Ty::Fun(..) => false,
        Ty::Plus(..) => true,
    }
}

/// The innermost difference of a mismatch, for messages.
/// What a mismatch says: where the types differ, then what differs there.
pub fn describe(subst: &Subst, m: &Mismatch) -> String {
    let what = m.detail.clone().unwrap_or_else(|| pair(subst, m));
    format!("{}{what}", where_in(&m.place))
}

/// "expected `A`, found `B`" for the mismatch's own two types.
fn pair(subst: &Subst, m: &Mismatch) -> String {
    let mut printer = Printer::default();
    let expected = printer.print(&subst.resolve(&m.expected));
    let found = printer.print(&subst.resolve(&m.found));
    format!("expected `{expected}`, found `{found}`")
}

/// The words for a place, each step ending in ": ". A curried function's result is another
/// function, so its parameters and results are counted from the outside ("in parameter 2",
/// "in the result after 2 arguments") rather than nested ("in the result: in the parameter").
fn where_in(place: &[Place]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < place.len() {
        let results = place[i..]
            .iter()
            .take_while(|p| **p == Place::Result)
            .count();
        let step = match (&place[i], results, place.get(i + results)) {
            (Place::Result, n, Some(Place::Parameter)) => {
                i += n + 1;
                format!("in parameter {}: ", n + 1)
            }
            (Place::Result, 1, _) => {
                i += 1;
                "in the result: ".to_string()
            }
            (Place::Result, n, _) => {
                i += n;
                format!("in the result after {n} arguments: ")
            }
            (Place::Parameter, ..) => {
                i += 1;
                "in the parameter: ".to_string()
            }
            (Place::Element(e), ..) => {
                i += 1;
                format!("in element {e}: ")
            }
            (Place::Field(name), ..) => {
                i += 1;
                format!("in the field `{name}`: ")
            }
        };
        out.push_str(&step);
    }
    out
}
