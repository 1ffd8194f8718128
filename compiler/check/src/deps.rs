//! Which module-level names a definition's body refers to (for the dependency graph), with
//! local bindings shadowing them.

use std::collections::BTreeSet;

use mix_syntax::ast::*;

#[derive(Default)]
struct Collector {
    bound: Vec<Box<str>>,
    found: BTreeSet<String>,
}

pub fn of_def(params: Option<&[Param]>, body: &Body) -> BTreeSet<String> {
    let mut c = Collector::default();
    c.bound.extend(
        params
            .unwrap_or_default()
            .iter()
            .map(|p| p.name.name.clone()),
    );
    match body {
        Body::Expr(e) => c.expr(e),
        Body::Block(b) => c.block(b),
    }
    c.found
}

impl Collector {
    fn name(&mut self, n: &str) {
        if !self.bound.iter().any(|b| &**b == n) {
            self.found.insert(n.to_string());
        }
    }

    fn scoped(&mut self, f: impl FnOnce(&mut Self)) {
        let mark = self.bound.len();
        f(self);
        self.bound.truncate(mark);
    }

    fn pattern(&mut self, p: &Pattern) {
        match &p.kind {
            PatternKind::Bind(n) => self.bound.push(n.clone()),
            PatternKind::Array(items) => items.iter().for_each(|i| self.pattern(i)),
            PatternKind::Spread(_, n) => self.bound.push(n.name.clone()),
            PatternKind::Record(fields) => {
                for f in fields {
                    match &f.pattern {
                        Some(inner) => self.pattern(inner),
                        None => self.bound.push(f.key.name.clone()),
                    }
                }
            }
            PatternKind::Case { path, arg } => {
                if let Some(last) = path.last() {
                    if path.len() <= 2
                        && path
                            .first()
                            .is_some_and(|f| matches!(&*f.name, "self") || path.len() == 1)
                    {
                        self.found.insert(last.name.to_string());
                    }
                }
                if let Some(arg) = arg {
                    self.pattern(arg);
                }
            }
            PatternKind::Capture(n, inner) => {
                self.pattern(inner);
                self.bound.push(n.name.clone());
            }
            PatternKind::Compare(_, n, rhs) => {
                self.expr(rhs);
                self.bound.push(n.name.clone());
            }
            PatternKind::And(a, b) => {
                self.pattern(a);
                self.pattern(b);
            }
            PatternKind::Typed(inner, _) | PatternKind::Paren(inner) => self.pattern(inner),
            _ => {}
        }
    }

    fn binding(&mut self, b: &LetBinding) {
        match &b.target {
            LetTarget::Pattern(p) => {
                self.expr(&b.value);
                self.pattern(p);
            }
            LetTarget::Function(name, params) => {
                self.bound.push(name.name.clone());
                self.scoped(|c| {
                    params.iter().for_each(|p| c.pattern(p));
                    c.expr(&b.value);
                });
            }
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Name(n) => self.name(n),
            ExprKind::Field(base, f) if matches!(base.kind, ExprKind::SelfRef) => {
                self.found.insert(f.name.to_string());
            }
            ExprKind::Lambda(arms) => {
                for arm in arms {
                    self.scoped(|c| {
                        arm.params.iter().for_each(|p| c.pattern(p));
                        if let Some(g) = &arm.guard {
                            c.expr(g);
                        }
                        c.expr(&arm.body);
                    });
                }
            }
            ExprKind::Let(binding, body, _) => self.scoped(|c| {
                c.binding(binding);
                c.expr(body);
            }),
            ExprKind::Do(block) | ExprKind::Action(_, block) => self.block(block),
            _ => {
                let mut children = Vec::new();
                mix_syntax::walk::children(mix_syntax::walk::Node::Expr(e), &mut children);
                for child in children {
                    if let mix_syntax::walk::Node::Expr(x) = child {
                        self.expr(x);
                    }
                }
            }
        }
    }

    fn block(&mut self, b: &Block) {
        self.scoped(|c| b.stmts.iter().for_each(|s| c.stmt(s)));
    }

    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Let(b) => self.binding(b),
            StmtKind::Var { name, value, .. } => {
                self.expr(value);
                self.bound.push(name.name.clone());
            }
            StmtKind::LetAlias(n, e) => {
                self.expr(e);
                self.bound.push(n.name.clone());
            }
            StmtKind::Assign { target, value } => {
                self.expr(target);
                self.expr(value);
            }
            StmtKind::If {
                branches,
                otherwise,
            } => {
                for (c, b) in branches {
                    self.expr(c);
                    self.block(b);
                }
                if let Some(b) = otherwise {
                    self.block(b);
                }
            }
            StmtKind::Switch { scrutinee, cases } => {
                self.expr(scrutinee);
                for case in cases {
                    self.scoped(|c| {
                        c.pattern(&case.pattern);
                        if let Some(g) = &case.guard {
                            c.expr(g);
                        }
                        case.body.iter().for_each(|s| c.stmt(s));
                    });
                }
            }
            StmtKind::While(c, b) => {
                self.expr(c);
                self.block(b);
            }
            StmtKind::For {
                init,
                cond,
                step,
                body,
            } => self.scoped(|c| {
                if let Some(i) = init {
                    c.stmt(i);
                }
                if let Some(e) = cond {
                    c.expr(e);
                }
                if let Some(s) = step {
                    c.stmt(s);
                }
                c.block(body);
            }),
            StmtKind::ForIn {
                pattern,
                iter,
                body,
            } => {
                self.expr(iter);
                self.scoped(|c| {
                    c.pattern(pattern);
                    c.block(body);
                });
            }
            StmtKind::Return(e) => {
                if let Some(e) = e {
                    self.expr(e);
                }
            }
            StmtKind::Expr(e) => self.expr(e),
            StmtKind::Error => {}
        }
    }
}
