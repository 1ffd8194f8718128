//! Zeroes every span so two trees can be compared for structure only (the formatter's proof
//! that it did not change the program).

use mix_diagnostics::Span;

use crate::ast::*;

const ZERO: Span = Span::new(0, 0);

pub fn file(f: &mut SourceFile) {
    f.span = ZERO;
    f.items.iter_mut().for_each(|x| item(x));
}

fn ident(i: &mut Ident) {
    i.span = ZERO;
}

fn idents(is: &mut [Ident]) {
    is.iter_mut().for_each(ident);
}

fn params(ps: &mut [Param]) {
    for p in ps {
        p.span = ZERO;
        ident(&mut p.name);
        p.ty.iter_mut().for_each(|x| ty(x));
    }
}

fn body(b: &mut Option<Body>) {
    match b {
        Some(Body::Expr(e)) => expr(e),
        Some(Body::Block(b)) => block(b),
        None => {}
    }
}

fn item(i: &mut Item) {
    i.span = ZERO;
    match &mut i.kind {
        ItemKind::Module(m) => {
            ident(&mut m.name);
            m.params.iter_mut().for_each(|p| params(p));
            m.type_params.iter_mut().for_each(|t| idents(t));
            m.meta.iter_mut().for_each(|x| expr(x));
            m.items.iter_mut().for_each(|x| item(x));
        }
        ItemKind::ModuleInstance {
            name,
            target,
            type_args,
        } => {
            ident(name);
            idents(target);
            type_args.iter_mut().for_each(|x| type_arg(x));
        }
        ItemKind::Import(im) => {
            im.alias.iter_mut().for_each(ident);
            idents(&mut im.path);
            im.args.iter_mut().flatten().for_each(|x| expr(x));
            im.type_args.iter_mut().flatten().for_each(|x| type_arg(x));
        }
        ItemKind::Declare { name, params: ps } => {
            ident(name);
            params(ps);
        }
        ItemKind::Def(d) => {
            ident(&mut d.name);
            d.params.iter_mut().for_each(|p| params(p));
            d.ty.iter_mut().for_each(|x| ty(x));
            body(&mut d.body);
            d.meta.iter_mut().for_each(|x| expr(x));
        }
        ItemKind::Cell(c) => {
            ident(&mut c.name);
            c.params.iter_mut().for_each(|p| params(p));
            c.ty.iter_mut().for_each(|x| ty(x));
            body(&mut c.body);
            c.meta.iter_mut().for_each(|x| expr(x));
        }
        ItemKind::Type(t) => {
            ident(&mut t.name);
            idents(&mut t.params);
            t.body.iter_mut().for_each(|x| ty(x));
        }
        ItemKind::Case(c) => {
            ident(&mut c.name);
            c.arg.iter_mut().for_each(|x| ty(x));
        }
        ItemKind::Foreign(f) => {
            ident(&mut f.name);
            ty(&mut f.ty);
            f.host_name
                .iter_mut()
                .chain(f.fallback.iter_mut())
                .chain(f.meta.iter_mut())
                .for_each(|x| expr(x));
        }
        ItemKind::Pragma(e) | ItemKind::Source(e) => expr(e),
        ItemKind::Alias { name, target, .. } => {
            ident(name);
            expr(target);
        }
        ItemKind::Initializer(b) => block(b),
        ItemKind::On(on) => {
            idents(&mut on.targets);
            on.guard.iter_mut().for_each(|x| expr(x));
            block(&mut on.body);
        }
        ItemKind::Error => {}
    }
}

fn type_arg(a: &mut TypeArg) {
    ident(&mut a.name);
    ty(&mut a.ty);
}

fn ty(t: &mut Type) {
    t.span = ZERO;
    match &mut t.kind {
        TypeKind::Named(p) | TypeKind::ModuleType(p) => idents(p),
        TypeKind::App(p, args) => {
            idents(p);
            args.iter_mut().for_each(|x| ty(x));
        }
        TypeKind::Var(v, c) => {
            ident(v);
            c.iter_mut().for_each(ident);
        }
        TypeKind::Fun(a, b) => {
            ty(a);
            ty(b);
        }
        TypeKind::Tuple(elems) => {
            for e in elems {
                e.label.iter_mut().for_each(ident);
                ty(&mut e.ty);
            }
        }
        TypeKind::Record(fields) => {
            for f in fields {
                f.span = ZERO;
                f.ty.iter_mut().for_each(|x| ty(x));
            }
        }
        TypeKind::Union(ms) => ms.iter_mut().for_each(|x| ty(x)),
        TypeKind::Stream(a) | TypeKind::VarMarked(a) | TypeKind::Paren(a) => ty(a),
        TypeKind::Forall(vs, a) => {
            idents(vs);
            ty(a);
        }
        TypeKind::Wildcard | TypeKind::Null | TypeKind::Opaque(_) | TypeKind::Error => {}
    }
}

fn binding(b: &mut LetBinding) {
    b.span = ZERO;
    match &mut b.target {
        LetTarget::Pattern(p) => pattern(p),
        LetTarget::Function(name, ps) => {
            ident(name);
            ps.iter_mut().for_each(|x| pattern(x));
        }
    }
    b.ty.iter_mut().for_each(|x| ty(x));
    expr(&mut b.value);
}

fn expr(e: &mut Expr) {
    use ExprKind::*;
    e.span = ZERO;
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
        | Paren(a) => expr(a),
        LabelIndex(a, l) | Labeled(l, a) => {
            expr(a);
            ident(l);
        }
        Spread(_, n) => ident(n),
        DynField(a, b) | Index(a, b) | Binary(_, a, b) | Capture(a, b) => {
            expr(a);
            expr(b);
        }
        Slice(a, p, q) => {
            expr(a);
            p.iter_mut().chain(q.iter_mut()).for_each(|x| expr(x));
        }
        Call(f, args) => {
            expr(f);
            args.iter_mut().for_each(|x| expr(x));
        }
        With(a, path, v) => {
            expr(a);
            for seg in path {
                if let PathSeg::Dyn(x) | PathSeg::Index(x) = seg {
                    expr(x);
                }
            }
            expr(v);
        }
        Lambda(arms) => {
            for arm in arms {
                arm.span = ZERO;
                arm.params.iter_mut().for_each(|x| pattern(x));
                arm.guard.iter_mut().for_each(|x| expr(x));
                expr(&mut arm.body);
            }
        }
        If(c, t, f) => {
            expr(c);
            expr(t);
            expr(f);
        }
        Let(b, rest, _) => {
            binding(b);
            expr(rest);
        }
        TypeHint(a, t) | TypeAssert(t, a) => {
            expr(a);
            ty(t);
        }
        TypeOf(t) => ty(t),
        Array(items) | ParenList(items) => items.iter_mut().for_each(|x| expr(x)),
        Record(fields) => {
            for f in fields {
                f.span = ZERO;
                if let FieldKey::Computed(k) = &mut f.key {
                    expr(k);
                }
                f.value.iter_mut().for_each(|x| expr(x));
            }
        }
        Do(b) => block(b),
        Action(ps, b) => {
            ps.iter_mut().flatten().for_each(|x| pattern(x));
            block(b);
        }
    }
}

fn block(b: &mut Block) {
    b.span = ZERO;
    b.stmts.iter_mut().for_each(|x| stmt(x));
}

fn stmt(s: &mut Stmt) {
    s.span = ZERO;
    match &mut s.kind {
        StmtKind::Let(b) => binding(b),
        StmtKind::LetAlias(n, e) => {
            ident(n);
            expr(e);
        }
        StmtKind::Var { name, ty: t, value } => {
            ident(name);
            t.iter_mut().for_each(|x| ty(x));
            expr(value);
        }
        StmtKind::Assign { target, value } => {
            expr(target);
            expr(value);
        }
        StmtKind::If {
            branches,
            otherwise,
        } => {
            for (c, b) in branches {
                expr(c);
                block(b);
            }
            otherwise.iter_mut().for_each(|x| block(x));
        }
        StmtKind::Switch { scrutinee, cases } => {
            expr(scrutinee);
            for case in cases {
                case.span = ZERO;
                pattern(&mut case.pattern);
                case.guard.iter_mut().for_each(|x| expr(x));
                case.body.iter_mut().for_each(|x| stmt(x));
            }
        }
        StmtKind::While(c, b) => {
            expr(c);
            block(b);
        }
        StmtKind::For {
            init,
            cond,
            step,
            body,
        } => {
            init.iter_mut().chain(step.iter_mut()).for_each(|s| stmt(s));
            cond.iter_mut().for_each(|x| expr(x));
            block(body);
        }
        StmtKind::ForIn {
            pattern: p,
            iter,
            body,
        } => {
            pattern(p);
            expr(iter);
            block(body);
        }
        StmtKind::Return(e) => e.iter_mut().for_each(|x| expr(x)),
        StmtKind::Expr(e) => expr(e),
        StmtKind::Error => {}
    }
}

fn pattern(p: &mut Pattern) {
    p.span = ZERO;
    match &mut p.kind {
        PatternKind::Array(items) => items.iter_mut().for_each(|x| pattern(x)),
        PatternKind::Spread(_, n) => ident(n),
        PatternKind::Record(fields) => {
            for f in fields {
                f.span = ZERO;
                f.pattern.iter_mut().for_each(|x| pattern(x));
            }
        }
        PatternKind::Case { path, arg } => {
            idents(path);
            arg.iter_mut().for_each(|a| pattern(a));
        }
        PatternKind::TypeTest(t) => ty(t),
        PatternKind::Capture(n, inner) => {
            ident(n);
            pattern(inner);
        }
        PatternKind::Compare(_, n, rhs) => {
            ident(n);
            expr(rhs);
        }
        PatternKind::And(a, b) => {
            pattern(a);
            pattern(b);
        }
        PatternKind::Typed(inner, t) => {
            pattern(inner);
            ty(t);
        }
        PatternKind::Paren(inner) => pattern(inner),
        _ => {}
    }
}
