//! A non-recursive view of the tree: each node's direct children. Passes that must survive
//! arbitrarily deep input (the depth guard, validation) iterate over this with an explicit stack.

use mix_diagnostics::Span;

use crate::ast::*;

#[derive(Clone, Copy)]
pub enum Node<'a> {
    Item(&'a Item),
    Expr(&'a Expr),
    Type(&'a Type),
    Pattern(&'a Pattern),
    Stmt(&'a Stmt),
    Block(&'a Block),
}

impl Node<'_> {
    pub fn span(self) -> Span {
        match self {
            Node::Item(i) => i.span,
            Node::Expr(e) => e.span,
            Node::Type(t) => t.span,
            Node::Pattern(p) => p.span,
            Node::Stmt(s) => s.span,
            Node::Block(b) => b.span,
        }
    }
}

fn body<'a>(b: &'a Option<Body>, out: &mut Vec<Node<'a>>) {
    match b {
        Some(Body::Expr(e)) => out.push(Node::Expr(e)),
        Some(Body::Block(b)) => out.push(Node::Block(b)),
        None => {}
    }
}

fn params<'a>(ps: &'a Option<Vec<Param>>, out: &mut Vec<Node<'a>>) {
    out.extend(
        ps.iter()
            .flatten()
            .filter_map(|p| p.ty.as_ref())
            .map(Node::Type),
    );
}

fn binding<'a>(b: &'a LetBinding, out: &mut Vec<Node<'a>>) {
    match &b.target {
        LetTarget::Pattern(p) => out.push(Node::Pattern(p)),
        LetTarget::Function(_, ps) => out.extend(ps.iter().map(Node::Pattern)),
    }
    out.extend(b.ty.iter().map(Node::Type));
    out.push(Node::Expr(&b.value));
}

/// Whether the name `name` is used anywhere in `e`. Shadowing is ignored (a use under a nested
/// binding of the same name counts too), which is the conservative answer the callers want.
pub fn mentions(e: &Expr, name: &str) -> bool {
    let mut stack = vec![Node::Expr(e)];
    while let Some(node) = stack.pop() {
        if let Node::Expr(Expr {
            kind: ExprKind::Name(n),
            ..
        }) = node
        {
            if &**n == name {
                return true;
            }
        }
        children(node, &mut stack);
    }
    false
}

/// The type variables written in `t` (`A` in `array(A) -> A@data`), one per occurrence, in
/// no particular order.
pub fn type_variables(t: &Type) -> Vec<&Ident> {
    let mut found = Vec::new();
    let mut stack = vec![Node::Type(t)];
    while let Some(node) = stack.pop() {
        if let Node::Type(Type {
            kind: TypeKind::Var(v, _),
            ..
        }) = node
        {
            found.push(v);
        }
        children(node, &mut stack);
    }
    found
}

/// Pushes the direct children of `node` onto `out`.
pub fn children<'a>(node: Node<'a>, out: &mut Vec<Node<'a>>) {
    match node {
        Node::Item(item) => item_children(item, out),
        Node::Expr(e) => expr_children(e, out),
        Node::Type(t) => type_children(t, out),
        Node::Pattern(p) => pattern_children(p, out),
        Node::Stmt(s) => stmt_children(s, out),
        Node::Block(b) => out.extend(b.stmts.iter().map(Node::Stmt)),
    }
}

fn item_children<'a>(item: &'a Item, out: &mut Vec<Node<'a>>) {
    match &item.kind {
        ItemKind::Module(m) => {
            params(&m.params, out);
            out.extend(m.meta.iter().map(Node::Expr));
            out.extend(m.items.iter().map(Node::Item));
        }
        ItemKind::ModuleInstance { type_args, .. } => {
            out.extend(type_args.iter().map(|a| Node::Type(&a.ty)))
        }
        ItemKind::Import(i) => {
            out.extend(i.args.iter().flatten().map(Node::Expr));
            out.extend(i.type_args.iter().flatten().map(|a| Node::Type(&a.ty)));
        }
        ItemKind::Declare { params: ps, .. } => {
            out.extend(ps.iter().filter_map(|p| p.ty.as_ref()).map(Node::Type))
        }
        ItemKind::Def(d) => {
            params(&d.params, out);
            out.extend(d.ty.iter().map(Node::Type));
            body(&d.body, out);
            out.extend(d.meta.iter().map(Node::Expr));
        }
        ItemKind::Cell(c) => {
            params(&c.params, out);
            out.extend(c.ty.iter().map(Node::Type));
            body(&c.body, out);
            out.extend(c.meta.iter().map(Node::Expr));
        }
        ItemKind::Type(t) => out.extend(t.body.iter().map(Node::Type)),
        ItemKind::Case(c) => out.extend(c.arg.iter().map(Node::Type)),
        ItemKind::Foreign(f) => {
            out.push(Node::Type(&f.ty));
            out.extend(
                f.host_name
                    .iter()
                    .chain(&f.fallback)
                    .chain(&f.meta)
                    .map(Node::Expr),
            );
        }
        ItemKind::Pragma(e) | ItemKind::Source(e) => out.push(Node::Expr(e)),
        ItemKind::Alias { target, .. } => out.push(Node::Expr(target)),
        ItemKind::Initializer(b) => out.push(Node::Block(b)),
        ItemKind::On(on) => {
            out.extend(on.guard.iter().map(Node::Expr));
            out.push(Node::Block(&on.body));
        }
        ItemKind::Error => {}
    }
}

fn expr_children<'a>(e: &'a Expr, out: &mut Vec<Node<'a>>) {
    use ExprKind::*;
    match &e.kind {
        Null | True | False | Undefined | Int(_) | Float(_) | Str(_) | Regex(_) | Name(_)
        | Primitive(_) | SelfRef | GlobalRef | Unit | ShortField(_) | Spread(..) | Error => {}
        Field(a, _)
        | ToStream(a)
        | TupleIndex(a, ..)
        | LabelIndex(a, _)
        | Defined(a)
        | Inverse(a)
        | Prime(a)
        | Unary(_, a)
        | Try(a)
        | EscJson(a)
        | Paren(a)
        | Labeled(_, a) => out.push(Node::Expr(a)),
        DynField(a, b) | Index(a, b) | Binary(_, a, b) | Capture(a, b) => {
            out.push(Node::Expr(a));
            out.push(Node::Expr(b));
        }
        Slice(a, p, q) => {
            out.push(Node::Expr(a));
            out.extend(p.iter().chain(q.iter()).map(|x| Node::Expr(x)));
        }
        Call(f, args) => {
            out.push(Node::Expr(f));
            out.extend(args.iter().map(Node::Expr));
        }
        With(a, path, v) => {
            out.push(Node::Expr(a));
            for seg in path {
                if let PathSeg::Dyn(x) | PathSeg::Index(x) = seg {
                    out.push(Node::Expr(x));
                }
            }
            out.push(Node::Expr(v));
        }
        Lambda(arms) => {
            for arm in arms {
                out.extend(arm.params.iter().map(Node::Pattern));
                out.extend(arm.guard.iter().map(|x| Node::Expr(x)));
                out.push(Node::Expr(&arm.body));
            }
        }
        If(c, t, f) => out.extend([Node::Expr(c), Node::Expr(t), Node::Expr(f)]),
        Let(b, rest, _) => {
            binding(b, out);
            out.push(Node::Expr(rest));
        }
        TypeHint(a, t) => {
            out.push(Node::Expr(a));
            out.push(Node::Type(t));
        }
        TypeOf(t) => out.push(Node::Type(t)),
        TypeAssert(t, a) => {
            out.push(Node::Type(t));
            out.push(Node::Expr(a));
        }
        Array(items) | ParenList(items) => out.extend(items.iter().map(Node::Expr)),
        Record(fields) => {
            for field in fields {
                if let FieldKey::Computed(k) = &field.key {
                    out.push(Node::Expr(k));
                }
                out.extend(field.value.iter().map(Node::Expr));
            }
        }
        Do(b) => out.push(Node::Block(b)),
        Action(ps, b) => {
            out.extend(ps.iter().flatten().map(Node::Pattern));
            out.push(Node::Block(b));
        }
    }
}

fn type_children<'a>(t: &'a Type, out: &mut Vec<Node<'a>>) {
    match &t.kind {
        TypeKind::App(_, args) | TypeKind::Union(args) => out.extend(args.iter().map(Node::Type)),
        TypeKind::Fun(a, b) => out.extend([Node::Type(a), Node::Type(b)]),
        TypeKind::Tuple(elems) => out.extend(elems.iter().map(|e| Node::Type(&e.ty))),
        TypeKind::Record(fields) => {
            out.extend(fields.iter().filter_map(|f| f.ty.as_ref()).map(Node::Type))
        }
        TypeKind::Stream(a)
        | TypeKind::Forall(_, a)
        | TypeKind::VarMarked(a)
        | TypeKind::Paren(a) => out.push(Node::Type(a)),
        TypeKind::Named(_)
        | TypeKind::Var(..)
        | TypeKind::Wildcard
        | TypeKind::Null
        | TypeKind::Opaque(_)
        | TypeKind::ModuleType(_)
        | TypeKind::Error => {}
    }
}

fn pattern_children<'a>(p: &'a Pattern, out: &mut Vec<Node<'a>>) {
    match &p.kind {
        PatternKind::Array(items) => out.extend(items.iter().map(Node::Pattern)),
        PatternKind::Record(fields) => out.extend(
            fields
                .iter()
                .filter_map(|f| f.pattern.as_ref())
                .map(Node::Pattern),
        ),
        PatternKind::Case { arg, .. } => out.extend(arg.iter().map(|a| Node::Pattern(a))),
        PatternKind::TypeTest(t) => out.push(Node::Type(t)),
        PatternKind::Capture(_, inner) | PatternKind::Paren(inner) => {
            out.push(Node::Pattern(inner))
        }
        PatternKind::Compare(_, _, rhs) => out.push(Node::Expr(rhs)),
        PatternKind::And(a, b) => out.extend([Node::Pattern(a), Node::Pattern(b)]),
        PatternKind::Typed(inner, t) => {
            out.push(Node::Pattern(inner));
            out.push(Node::Type(t));
        }
        _ => {}
    }
}

fn stmt_children<'a>(s: &'a Stmt, out: &mut Vec<Node<'a>>) {
    match &s.kind {
        StmtKind::Let(b) => binding(b, out),
        StmtKind::LetAlias(_, e) | StmtKind::Expr(e) => out.push(Node::Expr(e)),
        StmtKind::Var { ty, value, .. } => {
            out.extend(ty.iter().map(|x| Node::Type(x)));
            out.push(Node::Expr(value));
        }
        StmtKind::Assign { target, value } => out.extend([Node::Expr(target), Node::Expr(value)]),
        StmtKind::If {
            branches,
            otherwise,
        } => {
            for (c, b) in branches {
                out.push(Node::Expr(c));
                out.push(Node::Block(b));
            }
            out.extend(otherwise.iter().map(Node::Block));
        }
        StmtKind::Switch { scrutinee, cases } => {
            out.push(Node::Expr(scrutinee));
            for case in cases {
                out.push(Node::Pattern(&case.pattern));
                out.extend(case.guard.iter().map(|x| Node::Expr(x)));
                out.extend(case.body.iter().map(Node::Stmt));
            }
        }
        StmtKind::While(c, b) => out.extend([Node::Expr(c), Node::Block(b)]),
        StmtKind::For {
            init,
            cond,
            step,
            body,
        } => {
            out.extend(init.iter().chain(step.iter()).map(|s| Node::Stmt(s)));
            out.extend(cond.iter().map(|x| Node::Expr(x)));
            out.push(Node::Block(body));
        }
        StmtKind::ForIn {
            pattern,
            iter,
            body,
        } => {
            out.extend([Node::Pattern(pattern), Node::Expr(iter), Node::Block(body)]);
        }
        StmtKind::Return(e) => out.extend(e.iter().map(|x| Node::Expr(x))),
        StmtKind::Error => {}
    }
}
