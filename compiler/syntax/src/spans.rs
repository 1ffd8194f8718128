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
