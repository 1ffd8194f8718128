//! Rewrites every span of a tree: zeroing them lets two trees be compared for structure only
//! (the formatter's proof that it did not change the program); rebasing them makes a
//! definition's tree independent of where it sits in the file (the checker's incrementality).

use mix_diagnostics::Span;

use crate::ast::*;

/// Rewrites every span of a file.
pub fn file(f: &mut SourceFile, remap: &dyn Fn(Span) -> Span) {
    f.span = remap(f.span);
    f.items.iter_mut().for_each(|x| item(x, remap));
}

fn ident(i: &mut Ident, remap: &dyn Fn(Span) -> Span) {
    i.span = remap(i.span);
}

fn idents(is: &mut [Ident], remap: &dyn Fn(Span) -> Span) {
    is.iter_mut().for_each(|x| ident(x, remap));
}

fn params(ps: &mut [Param], remap: &dyn Fn(Span) -> Span) {
    for p in ps {
        p.span = remap(p.span);
        ident(&mut p.name, remap);
        p.ty.iter_mut().for_each(|x| ty(x, remap));
    }
}

fn body(b: &mut Option<Body>, remap: &dyn Fn(Span) -> Span) {
    match b {
        Some(Body::Expr(e)) => expr(e, remap),
        Some(Body::Block(b)) => block(b, remap),
        None => {}
    }
}

/// Rewrites every span of one item.
pub fn item(i: &mut Item, remap: &dyn Fn(Span) -> Span) {
    i.span = remap(i.span);
    match &mut i.kind {
        ItemKind::Module(m) => {
            ident(&mut m.name, remap);
            m.params.iter_mut().for_each(|p| params(p, remap));
            m.type_params.iter_mut().for_each(|t| idents(t, remap));
            m.meta.iter_mut().for_each(|x| expr(x, remap));
            m.items.iter_mut().for_each(|x| item(x, remap));
        }
        ItemKind::ModuleInstance {
            name,
            target,
            type_args,
        } => {
            ident(name, remap);
            idents(target, remap);
            type_args.iter_mut().for_each(|x| type_arg(x, remap));
        }
        ItemKind::Import(im) => {
            im.alias.iter_mut().for_each(|x| ident(x, remap));
            idents(&mut im.path, remap);
            im.args.iter_mut().flatten().for_each(|x| expr(x, remap));
            im.type_args
                .iter_mut()
                .flatten()
                .for_each(|x| type_arg(x, remap));
        }
        ItemKind::Declare { name, params: ps } => {
            ident(name, remap);
            params(ps, remap);
        }
        ItemKind::Def(d) => {
            ident(&mut d.name, remap);
            d.params.iter_mut().for_each(|p| params(p, remap));
            d.ty.iter_mut().for_each(|x| ty(x, remap));
            body(&mut d.body, remap);
            d.meta.iter_mut().for_each(|x| expr(x, remap));
        }
        ItemKind::Cell(c) => {
            ident(&mut c.name, remap);
            c.params.iter_mut().for_each(|p| params(p, remap));
            c.ty.iter_mut().for_each(|x| ty(x, remap));
            body(&mut c.body, remap);
            c.meta.iter_mut().for_each(|x| expr(x, remap));
        }
        ItemKind::Type(t) => {
            ident(&mut t.name, remap);
            idents(&mut t.params, remap);
            t.body.iter_mut().for_each(|x| ty(x, remap));
        }
        ItemKind::Case(c) => {
            ident(&mut c.name, remap);
            c.arg.iter_mut().for_each(|x| ty(x, remap));
        }
        ItemKind::Foreign(f) => {
            ident(&mut f.name, remap);
            ty(&mut f.ty, remap);
            f.host_name
                .iter_mut()
                .chain(f.fallback.iter_mut())
                .chain(f.meta.iter_mut())
                .for_each(|x| expr(x, remap));
        }
        ItemKind::Pragma(e) | ItemKind::Source(e) => expr(e, remap),
        ItemKind::Alias { name, target, .. } => {
            ident(name, remap);
            expr(target, remap);
        }
        ItemKind::Initializer(b) => block(b, remap),
        ItemKind::On(on) => {
            idents(&mut on.targets, remap);
            on.guard.iter_mut().for_each(|x| expr(x, remap));
            block(&mut on.body, remap);
        }
        ItemKind::Error => {}
    }
}

fn type_arg(a: &mut TypeArg, remap: &dyn Fn(Span) -> Span) {
    ident(&mut a.name, remap);
    ty(&mut a.ty, remap);
}

fn ty(t: &mut Type, remap: &dyn Fn(Span) -> Span) {
    t.span = remap(t.span);
    match &mut t.kind {
        TypeKind::Named(p) | TypeKind::ModuleType(p) => idents(p, remap),
        TypeKind::App(p, args) => {
            idents(p, remap);
            args.iter_mut().for_each(|x| ty(x, remap));
        }
        TypeKind::Var(v, c) => {
            ident(v, remap);
            c.iter_mut().for_each(|x| ident(x, remap));
        }
        TypeKind::Fun(a, b) => {
            ty(a, remap);
            ty(b, remap);
        }
        TypeKind::Tuple(elems) => {
            for e in elems {
                e.label.iter_mut().for_each(|x| ident(x, remap));
                ty(&mut e.ty, remap);
            }
        }
        TypeKind::Record(fields) => {
            for f in fields {
                f.span = remap(f.span);
                f.ty.iter_mut().for_each(|x| ty(x, remap));
            }
        }
        TypeKind::Union(ms) => ms.iter_mut().for_each(|x| ty(x, remap)),
        TypeKind::Stream(a) | TypeKind::VarMarked(a) | TypeKind::Paren(a) => ty(a, remap),
        TypeKind::Forall(vs, a) => {
            idents(vs, remap);
            ty(a, remap);
        }
        TypeKind::Wildcard | TypeKind::Null | TypeKind::Opaque(_) | TypeKind::Error => {}
    }
}

fn binding(b: &mut LetBinding, remap: &dyn Fn(Span) -> Span) {
    b.span = remap(b.span);
    match &mut b.target {
        LetTarget::Pattern(p) => pattern(p, remap),
        LetTarget::Function(name, ps) => {
            ident(name, remap);
            ps.iter_mut().for_each(|x| pattern(x, remap));
        }
    }
    b.ty.iter_mut().for_each(|x| ty(x, remap));
    expr(&mut b.value, remap);
}

fn expr(e: &mut Expr, remap: &dyn Fn(Span) -> Span) {
    use ExprKind::*;
    e.span = remap(e.span);
    match &mut e.kind {
        Null | True | False | Undefined | Int(_) | Float(_) | Str(_) | Regex(_) | Name(_)
        | Primitive(_) | SelfRef | GlobalRef | Unit | ShortField(_) | Error => {}
        Field(a, _)
        | ToStream(a)
        | TupleIndex(a, ..)
        | Defined(a)
        | Inverse(a)
        | Prime(a)
        | Unary(_, a)
        | Try(a)
        | EscJson(a)
        | Paren(a) => expr(a, remap),
        LabelIndex(a, l) | Labeled(l, a) => {
            expr(a, remap);
            ident(l, remap);
        }
        Spread(_, n) => ident(n, remap),
        DynField(a, b) | Index(a, b) | Binary(_, a, b) | Capture(a, b) => {
            expr(a, remap);
            expr(b, remap);
        }
        Slice(a, p, q) => {
            expr(a, remap);
            p.iter_mut()
                .chain(q.iter_mut())
                .for_each(|x| expr(x, remap));
        }
        Call(f, args) => {
            expr(f, remap);
            args.iter_mut().for_each(|x| expr(x, remap));
        }
        With(a, path, v) => {
            expr(a, remap);
            for seg in path {
                if let PathSeg::Dyn(x) | PathSeg::Index(x) = seg {
                    expr(x, remap);
                }
            }
            expr(v, remap);
        }
        Lambda(arms) => {
            for arm in arms {
                arm.span = remap(arm.span);
                arm.params.iter_mut().for_each(|x| pattern(x, remap));
                arm.guard.iter_mut().for_each(|x| expr(x, remap));
                expr(&mut arm.body, remap);
            }
        }
        If(c, t, f) => {
            expr(c, remap);
            expr(t, remap);
            expr(f, remap);
        }
        Let(b, rest, _) => {
            binding(b, remap);
            expr(rest, remap);
        }
        TypeHint(a, t) | TypeAssert(t, a) => {
            expr(a, remap);
            ty(t, remap);
        }
        TypeOf(t) => ty(t, remap),
        Array(items) | ParenList(items) => items.iter_mut().for_each(|x| expr(x, remap)),
        Record(fields) => {
            for f in fields {
                f.span = remap(f.span);
                if let FieldKey::Computed(k) = &mut f.key {
                    expr(k, remap);
                }
                f.value.iter_mut().for_each(|x| expr(x, remap));
            }
        }
        Do(b) => block(b, remap),
        Action(ps, b) => {
            ps.iter_mut().flatten().for_each(|x| pattern(x, remap));
            block(b, remap);
        }
    }
}

fn block(b: &mut Block, remap: &dyn Fn(Span) -> Span) {
    b.span = remap(b.span);
    b.stmts.iter_mut().for_each(|x| stmt(x, remap));
}

fn stmt(s: &mut Stmt, remap: &dyn Fn(Span) -> Span) {
    s.span = remap(s.span);
    match &mut s.kind {
        StmtKind::Let(b) => binding(b, remap),
        StmtKind::LetAlias(n, e) => {
            ident(n, remap);
            expr(e, remap);
        }
        StmtKind::Var { name, ty: t, value } => {
            ident(name, remap);
            t.iter_mut().for_each(|x| ty(x, remap));
            expr(value, remap);
        }
        StmtKind::Assign { target, value } => {
            expr(target, remap);
            expr(value, remap);
        }
        StmtKind::If {
            branches,
            otherwise,
        } => {
            for (c, b) in branches {
                expr(c, remap);
                block(b, remap);
            }
            otherwise.iter_mut().for_each(|x| block(x, remap));
        }
        StmtKind::Switch { scrutinee, cases } => {
            expr(scrutinee, remap);
            for case in cases {
                case.span = remap(case.span);
                pattern(&mut case.pattern, remap);
                case.guard.iter_mut().for_each(|x| expr(x, remap));
                case.body.iter_mut().for_each(|x| stmt(x, remap));
            }
        }
        StmtKind::While(c, b) => {
            expr(c, remap);
            block(b, remap);
        }
        StmtKind::For {
            init,
            cond,
            step,
            body,
        } => {
            init.iter_mut()
                .chain(step.iter_mut())
                .for_each(|s| stmt(s, remap));
            cond.iter_mut().for_each(|x| expr(x, remap));
            block(body, remap);
        }
        StmtKind::ForIn {
            pattern: p,
            iter,
            body,
        } => {
            pattern(p, remap);
            expr(iter, remap);
            block(body, remap);
        }
        StmtKind::Return(e) => e.iter_mut().for_each(|x| expr(x, remap)),
        StmtKind::Expr(e) => expr(e, remap),
        StmtKind::Error => {}
    }
}

fn pattern(p: &mut Pattern, remap: &dyn Fn(Span) -> Span) {
    p.span = remap(p.span);
    match &mut p.kind {
        PatternKind::Array(items) => items.iter_mut().for_each(|x| pattern(x, remap)),
        PatternKind::Spread(_, n) => ident(n, remap),
        PatternKind::Record(fields) => {
            for f in fields {
                f.span = remap(f.span);
                f.pattern.iter_mut().for_each(|x| pattern(x, remap));
            }
        }
        PatternKind::Case { path, arg } => {
            idents(path, remap);
            arg.iter_mut().for_each(|a| pattern(a, remap));
        }
        PatternKind::TypeTest(t) => ty(t, remap),
        PatternKind::Capture(n, inner) => {
            ident(n, remap);
            pattern(inner, remap);
        }
        PatternKind::Compare(_, n, rhs) => {
            ident(n, remap);
            expr(rhs, remap);
        }
        PatternKind::And(a, b) => {
            pattern(a, remap);
            pattern(b, remap);
        }
        PatternKind::Typed(inner, t) => {
            pattern(inner, remap);
            ty(t, remap);
        }
        PatternKind::Paren(inner) => pattern(inner, remap),
        _ => {}
    }
}

/// Whether two trees are equal when spans are ignored: the formatter's proof that it did not
/// change the program. One walk over both trees, no rewriting (zeroing both trees' spans and
/// comparing with `==` walks them four times). Every struct is destructured without `..`, so a
/// field added to the AST does not compile until it is compared here.
pub fn same_file(a: &SourceFile, b: &SourceFile) -> bool {
    let SourceFile { items, span: _ } = a;
    items.same(&b.items)
}

/// [`same_file`] for one item.
pub fn same_item(a: &Item, b: &Item) -> bool {
    a.same(b)
}

trait Same {
    fn same(&self, other: &Self) -> bool;
}

impl<T: Same> Same for [T] {
    fn same(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a.same(b))
    }
}

impl<T: Same> Same for Vec<T> {
    fn same(&self, other: &Self) -> bool {
        self.as_slice().same(other.as_slice())
    }
}

impl<T: Same + ?Sized> Same for Box<T> {
    fn same(&self, other: &Self) -> bool {
        (**self).same(&**other)
    }
}

impl<T: Same> Same for Option<T> {
    fn same(&self, other: &Self) -> bool {
        match (self, other) {
            (Some(a), Some(b)) => a.same(b),
            (None, None) => true,
            _ => false,
        }
    }
}

impl<A: Same, B: Same> Same for (A, B) {
    fn same(&self, other: &Self) -> bool {
        self.0.same(&other.0) && self.1.same(&other.1)
    }
}

/// Types without spans compare with `==`.
macro_rules! same_by_eq {
    ($($t:ty),*) => {$(
        impl Same for $t {
            fn same(&self, other: &Self) -> bool {
                self == other
            }
        }
    )*};
}

same_by_eq!(bool, i64, f64, str, FieldName, CellKind, BinOp, UnOp, SpreadKind, LetStyle);

impl Same for Ident {
    fn same(&self, other: &Self) -> bool {
        let Ident { name, span: _ } = self;
        *name == other.name
    }
}

impl Same for Item {
    fn same(&self, other: &Self) -> bool {
        let Item { kind, span: _ } = self;
        kind.same(&other.kind)
    }
}

impl Same for ItemKind {
    fn same(&self, other: &Self) -> bool {
        use ItemKind as K;
        match (self, other) {
            (K::Module(a), K::Module(b)) => a.same(b),
            (
                K::ModuleInstance {
                    name,
                    target,
                    type_args,
                },
                K::ModuleInstance {
                    name: n2,
                    target: t2,
                    type_args: a2,
                },
            ) => name.same(n2) && target.same(t2) && type_args.same(a2),
            (K::Import(a), K::Import(b)) => a.same(b),
            (
                K::Declare { name, params },
                K::Declare {
                    name: n2,
                    params: p2,
                },
            ) => name.same(n2) && params.same(p2),
            (K::Def(a), K::Def(b)) => a.same(b),
            (K::Type(a), K::Type(b)) => a.same(b),
            (K::Case(a), K::Case(b)) => a.same(b),
            (K::Foreign(a), K::Foreign(b)) => a.same(b),
            (K::Pragma(a), K::Pragma(b)) | (K::Source(a), K::Source(b)) => a.same(b),
            (K::Cell(a), K::Cell(b)) => a.same(b),
            (
                K::Alias {
                    private,
                    name,
                    target,
                },
                K::Alias {
                    private: p2,
                    name: n2,
                    target: t2,
                },
            ) => private == p2 && name.same(n2) && target.same(t2),
            (K::Initializer(a), K::Initializer(b)) => a.same(b),
            (K::On(a), K::On(b)) => a.same(b),
            (K::Error, K::Error) => true,
            _ => false,
        }
    }
}

impl Same for ModuleDecl {
    fn same(&self, o: &Self) -> bool {
        let ModuleDecl {
            is_static,
            name,
            params,
            type_params,
            meta,
            items,
            closed,
        } = self;
        *is_static == o.is_static
            && name.same(&o.name)
            && params.same(&o.params)
            && type_params.same(&o.type_params)
            && meta.same(&o.meta)
            && items.same(&o.items)
            && *closed == o.closed
    }
}

impl Same for TypeArg {
    fn same(&self, o: &Self) -> bool {
        let TypeArg { name, ty } = self;
        name.same(&o.name) && ty.same(&o.ty)
    }
}

impl Same for Import {
    fn same(&self, o: &Self) -> bool {
        let Import {
            alias,
            path,
            args,
            type_args,
        } = self;
        alias.same(&o.alias)
            && path.same(&o.path)
            && args.same(&o.args)
            && type_args.same(&o.type_args)
    }
}

impl Same for Param {
    fn same(&self, o: &Self) -> bool {
        let Param { name, ty, span: _ } = self;
        name.same(&o.name) && ty.same(&o.ty)
    }
}

impl Same for Body {
    fn same(&self, o: &Self) -> bool {
        match (self, o) {
            (Body::Expr(a), Body::Expr(b)) => a.same(b),
            (Body::Block(a), Body::Block(b)) => a.same(b),
            _ => false,
        }
    }
}

impl Same for Def {
    fn same(&self, o: &Self) -> bool {
        let Def {
            private,
            name,
            params,
            ty,
            body,
            meta,
        } = self;
        *private == o.private
            && name.same(&o.name)
            && params.same(&o.params)
            && ty.same(&o.ty)
            && body.same(&o.body)
            && meta.same(&o.meta)
    }
}

impl Same for TypeDecl {
    fn same(&self, o: &Self) -> bool {
        let TypeDecl { name, params, body } = self;
        name.same(&o.name) && params.same(&o.params) && body.same(&o.body)
    }
}

impl Same for CaseDecl {
    fn same(&self, o: &Self) -> bool {
        let CaseDecl { private, name, arg } = self;
        *private == o.private && name.same(&o.name) && arg.same(&o.arg)
    }
}

impl Same for ForeignDef {
    fn same(&self, o: &Self) -> bool {
        let ForeignDef {
            private,
            name,
            ty,
            host_name,
            fallback,
            meta,
        } = self;
        *private == o.private
            && name.same(&o.name)
            && ty.same(&o.ty)
            && host_name.same(&o.host_name)
            && fallback.same(&o.fallback)
            && meta.same(&o.meta)
    }
}

impl Same for CellDecl {
    fn same(&self, o: &Self) -> bool {
        let CellDecl {
            private,
            kind,
            name,
            params,
            ty,
            body,
            meta,
        } = self;
        *private == o.private
            && *kind == o.kind
            && name.same(&o.name)
            && params.same(&o.params)
            && ty.same(&o.ty)
            && body.same(&o.body)
            && meta.same(&o.meta)
    }
}

impl Same for OnDecl {
    fn same(&self, o: &Self) -> bool {
        let OnDecl {
            targets,
            parenthesized,
            guard,
            body,
        } = self;
        targets.same(&o.targets)
            && *parenthesized == o.parenthesized
            && guard.same(&o.guard)
            && body.same(&o.body)
    }
}

impl Same for Type {
    fn same(&self, o: &Self) -> bool {
        let Type { kind, span: _ } = self;
        kind.same(&o.kind)
    }
}

impl Same for TypeKind {
    fn same(&self, o: &Self) -> bool {
        use TypeKind as T;
        match (self, o) {
            (T::Named(a), T::Named(b)) | (T::ModuleType(a), T::ModuleType(b)) => a.same(b),
            (T::App(p, a), T::App(p2, a2)) => p.same(p2) && a.same(a2),
            (T::Var(v, c), T::Var(v2, c2)) => v.same(v2) && c.same(c2),
            (T::Wildcard, T::Wildcard) | (T::Null, T::Null) | (T::Error, T::Error) => true,
            (T::Fun(a, b), T::Fun(a2, b2)) => a.same(a2) && b.same(b2),
            (T::Tuple(a), T::Tuple(b)) => a.same(b),
            (T::Record(a), T::Record(b)) => a.same(b),
            (T::Union(a), T::Union(b)) => a.same(b),
            (T::Stream(a), T::Stream(b))
            | (T::VarMarked(a), T::VarMarked(b))
            | (T::Paren(a), T::Paren(b)) => a.same(b),
            (T::Opaque(a), T::Opaque(b)) => a == b,
            (T::Forall(v, a), T::Forall(v2, a2)) => v.same(v2) && a.same(a2),
            _ => false,
        }
    }
}

impl Same for TupleTypeElem {
    fn same(&self, o: &Self) -> bool {
        let TupleTypeElem { label, ty } = self;
        label.same(&o.label) && ty.same(&o.ty)
    }
}

impl Same for FieldType {
    fn same(&self, o: &Self) -> bool {
        let FieldType { key, ty, span: _ } = self;
        *key == o.key && ty.same(&o.ty)
    }
}

impl Same for Expr {
    fn same(&self, o: &Self) -> bool {
        let Expr { kind, span: _ } = self;
        kind.same(&o.kind)
    }
}

impl Same for ExprKind {
    fn same(&self, o: &Self) -> bool {
        use ExprKind as E;
        match (self, o) {
            (E::Null, E::Null)
            | (E::True, E::True)
            | (E::False, E::False)
            | (E::Undefined, E::Undefined)
            | (E::SelfRef, E::SelfRef)
            | (E::GlobalRef, E::GlobalRef)
            | (E::Unit, E::Unit)
            | (E::Error, E::Error) => true,
            (E::Int(a), E::Int(b)) => a == b,
            #[allow(clippy::float_cmp)] // exactly what the derived `==` did
            (E::Float(a), E::Float(b)) => a == b,
            (E::Str(a), E::Str(b))
            | (E::Regex(a), E::Regex(b))
            | (E::Name(a), E::Name(b))
            | (E::Primitive(a), E::Primitive(b)) => a == b,
            (E::ShortField(a), E::ShortField(b)) => a == b,
            (E::Field(a, f), E::Field(a2, f2)) => f == f2 && a.same(a2),
            (E::DynField(a, b), E::DynField(a2, b2))
            | (E::Index(a, b), E::Index(a2, b2))
            | (E::Capture(a, b), E::Capture(a2, b2)) => a.same(a2) && b.same(b2),
            (E::Slice(a, p, q), E::Slice(a2, p2, q2)) => a.same(a2) && p.same(p2) && q.same(q2),
            (E::ToStream(a), E::ToStream(b))
            | (E::Defined(a), E::Defined(b))
            | (E::Inverse(a), E::Inverse(b))
            | (E::Prime(a), E::Prime(b))
            | (E::Try(a), E::Try(b))
            | (E::EscJson(a), E::EscJson(b))
            | (E::Paren(a), E::Paren(b)) => a.same(b),
            (E::TupleIndex(a, i, n), E::TupleIndex(a2, i2, n2)) => i == i2 && n == n2 && a.same(a2),
            (E::LabelIndex(a, l), E::LabelIndex(a2, l2)) => l.same(l2) && a.same(a2),
            (E::Call(f, args), E::Call(f2, args2)) => f.same(f2) && args.same(args2),
            (E::Unary(op, a), E::Unary(op2, a2)) => op == op2 && a.same(a2),
            (E::Binary(op, a, b), E::Binary(op2, a2, b2)) => op == op2 && a.same(a2) && b.same(b2),
            (E::With(a, p, v), E::With(a2, p2, v2)) => a.same(a2) && p.same(p2) && v.same(v2),
            (E::Lambda(a), E::Lambda(b)) => a.same(b),
            (E::If(c, t, f), E::If(c2, t2, f2)) => c.same(c2) && t.same(t2) && f.same(f2),
            (E::Let(b, r, s), E::Let(b2, r2, s2)) => s == s2 && b.same(b2) && r.same(r2),
            (E::TypeHint(a, t), E::TypeHint(a2, t2)) => a.same(a2) && t.same(t2),
            (E::TypeOf(t), E::TypeOf(t2)) => t.same(t2),
            (E::TypeAssert(t, a), E::TypeAssert(t2, a2)) => t.same(t2) && a.same(a2),
            (E::Array(a), E::Array(b)) | (E::ParenList(a), E::ParenList(b)) => a.same(b),
            (E::Record(a), E::Record(b)) => a.same(b),
            (E::Do(a), E::Do(b)) => a.same(b),
            (E::Action(p, b), E::Action(p2, b2)) => p.same(p2) && b.same(b2),
            (E::Spread(k, n), E::Spread(k2, n2)) => k == k2 && n.same(n2),
            (E::Labeled(l, a), E::Labeled(l2, a2)) => l.same(l2) && a.same(a2),
            _ => false,
        }
    }
}

impl Same for PathSeg {
    fn same(&self, o: &Self) -> bool {
        match (self, o) {
            (PathSeg::Field(a), PathSeg::Field(b)) => a == b,
            (PathSeg::Dyn(a), PathSeg::Dyn(b)) | (PathSeg::Index(a), PathSeg::Index(b)) => {
                a.same(b)
            }
            _ => false,
        }
    }
}

impl Same for RecordField {
    fn same(&self, o: &Self) -> bool {
        let RecordField {
            key,
            value,
            optional,
            span: _,
        } = self;
        *optional == o.optional && key.same(&o.key) && value.same(&o.value)
    }
}

impl Same for FieldKey {
    fn same(&self, o: &Self) -> bool {
        match (self, o) {
            (FieldKey::Name(a), FieldKey::Name(b)) | (FieldKey::Short(a), FieldKey::Short(b)) => {
                a == b
            }
            (FieldKey::Computed(a), FieldKey::Computed(b)) => a.same(b),
            _ => false,
        }
    }
}

impl Same for Arm {
    fn same(&self, o: &Self) -> bool {
        let Arm {
            params,
            parenthesized,
            guard,
            body,
            span: _,
        } = self;
        *parenthesized == o.parenthesized
            && params.same(&o.params)
            && guard.same(&o.guard)
            && body.same(&o.body)
    }
}

impl Same for LetTarget {
    fn same(&self, o: &Self) -> bool {
        match (self, o) {
            (LetTarget::Pattern(a), LetTarget::Pattern(b)) => a.same(b),
            (LetTarget::Function(n, p), LetTarget::Function(n2, p2)) => n.same(n2) && p.same(p2),
            _ => false,
        }
    }
}

impl Same for LetBinding {
    fn same(&self, o: &Self) -> bool {
        let LetBinding {
            target,
            ty,
            value,
            span: _,
        } = self;
        target.same(&o.target) && ty.same(&o.ty) && value.same(&o.value)
    }
}

impl Same for Block {
    fn same(&self, o: &Self) -> bool {
        let Block { stmts, span: _ } = self;
        stmts.same(&o.stmts)
    }
}

impl Same for Stmt {
    fn same(&self, o: &Self) -> bool {
        let Stmt { kind, span: _ } = self;
        kind.same(&o.kind)
    }
}

impl Same for StmtKind {
    fn same(&self, o: &Self) -> bool {
        use StmtKind as S;
        match (self, o) {
            (S::Let(a), S::Let(b)) => a.same(b),
            (S::LetAlias(n, e), S::LetAlias(n2, e2)) => n.same(n2) && e.same(e2),
            (
                S::Var { name, ty, value },
                S::Var {
                    name: n2,
                    ty: t2,
                    value: v2,
                },
            ) => name.same(n2) && ty.same(t2) && value.same(v2),
            (
                S::Assign { target, value },
                S::Assign {
                    target: t2,
                    value: v2,
                },
            ) => target.same(t2) && value.same(v2),
            (
                S::If {
                    branches,
                    otherwise,
                },
                S::If {
                    branches: b2,
                    otherwise: o2,
                },
            ) => branches.same(b2) && otherwise.same(o2),
            (
                S::Switch { scrutinee, cases },
                S::Switch {
                    scrutinee: s2,
                    cases: c2,
                },
            ) => scrutinee.same(s2) && cases.same(c2),
            (S::While(c, b), S::While(c2, b2)) => c.same(c2) && b.same(b2),
            (
                S::For {
                    init,
                    cond,
                    step,
                    body,
                },
                S::For {
                    init: i2,
                    cond: c2,
                    step: s2,
                    body: b2,
                },
            ) => init.same(i2) && cond.same(c2) && step.same(s2) && body.same(b2),
            (
                S::ForIn {
                    pattern,
                    iter,
                    body,
                },
                S::ForIn {
                    pattern: p2,
                    iter: i2,
                    body: b2,
                },
            ) => pattern.same(p2) && iter.same(i2) && body.same(b2),
            (S::Return(a), S::Return(b)) => a.same(b),
            (S::Expr(a), S::Expr(b)) => a.same(b),
            (S::Error, S::Error) => true,
            _ => false,
        }
    }
}

impl Same for SwitchCase {
    fn same(&self, o: &Self) -> bool {
        let SwitchCase {
            pattern,
            guard,
            body,
            span: _,
        } = self;
        pattern.same(&o.pattern) && guard.same(&o.guard) && body.same(&o.body)
    }
}

impl Same for Pattern {
    fn same(&self, o: &Self) -> bool {
        let Pattern { kind, span: _ } = self;
        kind.same(&o.kind)
    }
}

impl Same for PatternKind {
    fn same(&self, o: &Self) -> bool {
        use PatternKind as P;
        match (self, o) {
            (P::Wildcard, P::Wildcard)
            | (P::Null, P::Null)
            | (P::Undefined, P::Undefined)
            | (P::Error, P::Error) => true,
            (P::Bind(a), P::Bind(b)) | (P::Str(a), P::Str(b)) => a == b,
            (P::Bool(a), P::Bool(b)) => a == b,
            (P::Int(a), P::Int(b)) => a == b,
            #[allow(clippy::float_cmp)] // exactly what the derived `==` did
            (P::Float(a), P::Float(b)) => a == b,
            (P::Array(a), P::Array(b)) => a.same(b),
            (P::Spread(k, n), P::Spread(k2, n2)) => k == k2 && n.same(n2),
            (P::Record(a), P::Record(b)) => a.same(b),
            (P::Case { path, arg }, P::Case { path: p2, arg: a2 }) => path.same(p2) && arg.same(a2),
            (P::TypeTest(a), P::TypeTest(b)) => a.same(b),
            (P::Capture(n, a), P::Capture(n2, a2)) => n.same(n2) && a.same(a2),
            (P::Compare(op, n, e), P::Compare(op2, n2, e2)) => {
                op == op2 && n.same(n2) && e.same(e2)
            }
            (P::And(a, b), P::And(a2, b2)) => a.same(a2) && b.same(b2),
            (P::Typed(a, t), P::Typed(a2, t2)) => a.same(a2) && t.same(t2),
            (P::Paren(a), P::Paren(b)) => a.same(b),
            _ => false,
        }
    }
}

impl Same for FieldPattern {
    fn same(&self, o: &Self) -> bool {
        let FieldPattern {
            key,
            pattern,
            optional,
            span: _,
        } = self;
        *key == o.key && *optional == o.optional && pattern.same(&o.pattern)
    }
}

#[cfg(test)]
mod tests {
    use super::same_file;

    fn same(a: &str, b: &str) -> bool {
        let (pa, pb) = (crate::parse(a), crate::parse(b));
        assert!(!pa.has_errors() && !pb.has_errors(), "{a} / {b}");
        let result = same_file(&pa.file, &pb.file);
        // It agrees with comparing after zeroing every span.
        let (mut fa, mut fb) = (pa.file, pb.file);
        let zero = |_| mix_diagnostics::Span::new(0, 0);
        super::file(&mut fa, &zero);
        super::file(&mut fb, &zero);
        assert_eq!(result, fa == fb, "{a} / {b}");
        result
    }

    #[test]
    fn spans_and_layout_do_not_count() {
        assert!(same("def a = f(x, 1 + 2)", "def  a =\n  f( x,1+2 )"));
        assert!(same(
            "module m\n def f(x: number) { var y = x; y = y * 2; return y }\nmodule end",
            "module m\ndef f(x:number){var y=x;y=y*2;return y}\nmodule end"
        ));
        assert!(same(
            "def g = (n < 3 -> 1 | {a: [p, ~multiple r]} -> 2.5 | _ -> \"s\")",
            "def g = ( n<3 -> 1 | { a:[p,~multiple r] } -> 2.5 | _ -> \"s\" )"
        ));
    }

    #[test]
    fn any_difference_in_the_tree_counts() {
        let base = "def a = f(x, 1 + 2)";
        for other in [
            "def b = f(x, 1 + 2)",
            "def a = f(y, 1 + 2)",
            "def a = f(x, 1 - 2)",
            "def a = f(x, 1 + 3)",
            "def a = f(x, (1 + 2))",
            "def a = f(x)",
            "def a = f(x, 1 + 2, 3)",
            "def a = g(x, 1 + 2)",
            "def a = f(x, 1.0 + 2)",
            "private def a = f(x, 1 + 2)",
            "def a() = f(x, 1 + 2)",
            "def a = f(x, 1 + 2) _meta_ {}",
        ] {
            assert!(!same(base, other), "{other}");
        }
        assert!(!same("module m\nmodule end", "module m"));
        assert!(!same("def a = {k: 1}", "def a = {\"k\": 1}"));
        assert!(!same("def a = r.k", "def a = r.\"k\""));
        assert!(!same(
            "def f(x) { if (x) { g() } }",
            "def f(x) { if (x) { g() } else { } }"
        ));
        assert!(!same("def a = (x -> 1)", "def a = ((x) -> 1)"));
        assert!(!same("def a = [1, 2]", "def a = [1, 2.0]"));
        assert!(!same("type t = number", "type t = string"));
    }
}
