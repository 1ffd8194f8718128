//! AST to document, following the style rules of facts §2.3: definition keywords start their
//! line, a definition's body fits after `=` or moves entirely to the indented lines below,
//! continuation lines start with the operator, a broken list puts one element per line with
//! the closer under its opener's line, and every comment is kept near where it was.

use mix_diagnostics::Span;

use super::doc::*;
use crate::ast::*;
use crate::trivia::{CommentKind, Trivia};

const INDENT: usize = 2;

/// A comment or directive line, in source order.
struct Piece {
    span: Span,
    kind: Option<CommentKind>,
}

pub struct Printer<'s> {
    source: &'s str,
    pieces: Vec<Piece>,
    next: usize,
    /// Where the last comment printed as trailing ended: blank lines are measured from there
    /// (a multi-line block comment must not count as blank lines).
    trailing_end: u32,
}

impl<'s> Printer<'s> {
    pub fn new(source: &'s str, trivia: &Trivia) -> Printer<'s> {
        let mut pieces: Vec<Piece> = trivia
            .comments
            .iter()
            .map(|c| Piece {
                span: c.span,
                kind: Some(c.kind),
            })
            .collect();
        pieces.extend(trivia.directives.iter().map(|d| Piece {
            span: *d,
            kind: None,
        }));
        pieces.sort_by_key(|p| p.span.start);
        Printer {
            source,
            pieces,
            next: 0,
            trailing_end: 0,
        }
    }

    fn slice(&self, span: Span) -> &'s str {
        self.source.get(span.range()).unwrap_or_default()
    }

    fn newlines_between(&self, from: u32, to: u32) -> usize {
        // `to` may be `u32::MAX` (the end of the file, for comments after the last item).
        let to = to.min(self.source.len() as u32);
        if from >= to {
            return 0;
        }
        self.slice(Span::new(from, to))
            .bytes()
            .filter(|b| *b == b'\n')
            .count()
    }

    fn piece_text(&self, piece: &Piece) -> &'s str {
        self.slice(piece.span).trim_end()
    }

    /// Comments before `pos`, each on its own line (or inline for a block comment that sat
    /// inline). With `prev_end`, a blank line before a comment or before `pos` is kept.
    fn leading(&mut self, pos: u32, prev_end: Option<u32>) -> Doc<'s> {
        let mut out = Vec::new();
        let mut last = prev_end;
        while self.next < self.pieces.len() && self.pieces[self.next].span.start < pos {
            let piece = &self.pieces[self.next];
            self.next += 1;
            if let Some(last) = last {
                if self.newlines_between(last, piece.span.start) >= 2 {
                    out.push(Doc::HardLine);
                }
            }
            let text = self.piece_text(piece);
            match piece.kind {
                None => {
                    out.push(Doc::ColumnOne(text.into()));
                    out.push(Doc::HardLine);
                }
                Some(CommentKind::Line | CommentKind::Doc) => {
                    out.push(Doc::Text(text.into()));
                    out.push(Doc::HardLine);
                }
                Some(CommentKind::Block | CommentKind::DocBlock) => {
                    let own_line = self.newlines_between(piece.span.end, pos) > 0;
                    out.push(Doc::Text(text.into()));
                    out.push(if own_line {
                        Doc::HardLine
                    } else {
                        text_space()
                    });
                }
            }
            last = Some(piece.span.end);
        }
        if let Some(last) = last {
            if prev_end.is_some() && self.newlines_between(last, pos) >= 2 && !out.is_empty() {
                out.push(Doc::HardLine);
            }
        }
        concat(out)
    }

    /// Comments between the last element and a closer (`}`, `module end`): the caller breaks
    /// the line before the closer, so the comments must not end in a break of their own.
    fn before_closer(&mut self, pos: u32, prev_end: Option<u32>) -> Doc<'s> {
        match self.leading(pos, prev_end) {
            Doc::Concat(mut parts) => {
                while matches!(parts.last(), Some(Doc::HardLine)) {
                    parts.pop();
                }
                concat(parts)
            }
            other => other,
        }
    }

    /// Whether the source had a blank line between `prev_end` and the next thing (comment or code) before `pos`.
    fn blank_line_before(&self, prev_end: u32, pos: u32) -> bool {
        let first = match self.pieces.get(self.next) {
            Some(p) if p.span.start < pos => p.span.start,
            _ => pos,
        };
        self.newlines_between(prev_end, first) >= 2
    }

    /// Comments that start on the line where `end` is, before any more code.
    fn trailing(&mut self, end: u32) -> Doc<'s> {
        let mut out = Vec::new();
        let mut last = end;
        while self.next < self.pieces.len() {
            let piece = &self.pieces[self.next];
            let gap = self.slice(Span::new(last, piece.span.start));
            if piece.kind.is_none()
                || gap.contains('\n')
                || !gap.trim().chars().all(|c| c == ',' || c == ';')
            {
                break;
            }
            self.next += 1;
            out.push(text_space());
            out.push(Doc::Text(self.piece_text(piece).into()));
            if matches!(piece.kind, Some(CommentKind::Line | CommentKind::Doc)) {
                out.push(Doc::BreakParent);
            }
            last = piece.span.end;
            self.trailing_end = self.trailing_end.max(piece.span.end);
        }
        concat(out)
    }

    /// The end of a node or of the comment that trails it, whichever is later.
    fn after(&self, end: u32) -> u32 {
        end.max(self.trailing_end)
    }

    /// Everything still pending (comments at the end of the file).
    fn rest(&mut self, prev_end: u32) -> Doc<'s> {
        if self.next >= self.pieces.len() {
            return Doc::Nil;
        }
        let doc = self.leading(u32::MAX, Some(prev_end));
        concat([Doc::HardLine, doc])
    }

    // -----------------------------------------------------------------------------------------
    // Items

    /// The file's document, handed to `emit` one top-level item at a time (each piece after
    /// the first starts with a hard line break; see `doc::Renderer`), so that no document for
    /// the whole file is ever built.
    pub fn file(&mut self, file: &'s SourceFile, emit: &mut dyn FnMut(&Doc<'s>)) {
        self.each_item(&file.items, None, &mut |parts| emit(&Doc::Concat(parts)));
        // After the last item's trailing comments, as between items: counting from the item's
        // own end would see the line breaks inside a multi-line trailing comment.
        let end = file.items.last().map_or(0, |i| self.after(i.span.end));
        emit(&self.rest(end));
    }

    fn items(&mut self, items: &'s [Item], prev_end: Option<u32>) -> Doc<'s> {
        let mut out = Vec::new();
        self.each_item(items, prev_end, &mut |parts| out.extend(parts));
        concat(out)
    }

    /// The parts of each item's document in turn: line breaks, leading comments, the item, its
    /// trailing comments.
    fn each_item(
        &mut self,
        items: &'s [Item],
        mut prev_end: Option<u32>,
        emit: &mut dyn FnMut(Vec<Doc<'s>>),
    ) {
        for (index, item) in items.iter().enumerate() {
            let mut out = Vec::with_capacity(5);
            if index > 0 {
                out.push(Doc::HardLine);
                if let Some(prev) = prev_end {
                    if self.blank_line_before(prev, item.span.start) {
                        out.push(Doc::HardLine);
                    }
                }
            }
            let lead = self.leading(item.span.start, if index > 0 { None } else { prev_end });
            out.push(lead);
            out.push(self.item(item));
            out.push(self.trailing(item.span.end));
            prev_end = Some(self.after(item.span.end));
            emit(out);
        }
    }

    fn item(&mut self, item: &'s Item) -> Doc<'s> {
        match &item.kind {
            ItemKind::Module(m) => self.module(m, item.span),
            ItemKind::ModuleInstance {
                name,
                target,
                type_args,
            } => concat([
                text(format!("module {} = {}", name.name, path(target))),
                self.type_args(type_args),
            ]),
            ItemKind::Import(import) => {
                let mut parts = vec![text("import ")];
                if let Some(alias) = &import.alias {
                    parts.push(text(format!("{} = ", alias.name)));
                }
                parts.push(text(path(&import.path)));
                if let Some(args) = &import.args {
                    let args = args.iter().map(|a| (a.span, a)).collect::<Vec<_>>();
                    parts.push(self.list("(", ")", &args, |p, e| p.expr(e)));
                }
                if let Some(type_args) = &import.type_args {
                    parts.push(self.type_args(type_args));
                }
                concat(parts)
            }
            ItemKind::Declare { name, params } => {
                concat([text(format!("declare {}", name.name)), self.params(params)])
            }
            ItemKind::Def(def) => {
                let keyword = if def.private { "private def " } else { "def " };
                self.definition(
                    keyword.into(),
                    &def.name,
                    &def.params,
                    &def.ty,
                    &def.body,
                    &def.meta,
                )
            }
            ItemKind::Cell(cell) => {
                let kind = match cell.kind {
                    CellKind::Plain => "",
                    CellKind::Var => "var ",
                    CellKind::Live => "live ",
                    CellKind::Sync => "sync ",
                };
                let keyword = format!("{}{kind}cell ", if cell.private { "private " } else { "" });
                self.definition(
                    keyword.into(),
                    &cell.name,
                    &cell.params,
                    &cell.ty,
                    &cell.body,
                    &cell.meta,
                )
            }
            ItemKind::Type(decl) => {
                let mut head = format!("type {}", decl.name.name);
                if !decl.params.is_empty() {
                    head.push_str(&format!("({})", names(&decl.params)));
                }
                match &decl.body {
                    None => text(head),
                    Some(Type {
                        kind: TypeKind::Union(members),
                        ..
                    }) => {
                        let mut inner = vec![Doc::Line, if_break(text("| "), Doc::Nil)];
                        for (i, member) in members.iter().enumerate() {
                            if i > 0 {
                                inner.push(Doc::Line);
                                inner.push(text("| "));
                            }
                            inner.push(self.ty(member));
                        }
                        group(concat([
                            text(head),
                            text(" ="),
                            nest(INDENT, concat(inner)),
                        ]))
                    }
                    Some(body) => group(concat([
                        text(head),
                        text(" ="),
                        nest(INDENT, concat([Doc::Line, self.ty(body)])),
                    ])),
                }
            }
            ItemKind::Case(case) => {
                let keyword = if case.private {
                    "private case "
                } else {
                    "case "
                };
                let arg = match &case.arg {
                    None => Doc::Nil,
                    Some(
                        t @ Type {
                            kind: TypeKind::Paren(_),
                            ..
                        },
                    ) => self.ty(t),
                    Some(t) => concat([text_space(), self.ty(t)]),
                };
                concat([text(format!("{keyword}{}", case.name.name)), arg])
            }
            ItemKind::Foreign(f) => {
                let keyword = if f.private {
                    "private foreign def "
                } else {
                    "foreign def "
                };
                let mut parts = vec![text(format!("{keyword}{} : ", f.name.name)), self.ty(&f.ty)];
                if let Some(host) = &f.host_name {
                    parts.push(text(" = "));
                    parts.push(self.expr(host));
                    if let Some(fallback) = &f.fallback {
                        parts.push(nest(INDENT, concat([Doc::Line, self.expr(fallback)])));
                    }
                }
                parts.push(self.meta(&f.meta));
                group(concat(parts))
            }
            ItemKind::Pragma(e) => concat([text("_pragma_ "), self.expr(e)]),
            ItemKind::Source(e) => concat([text("_source_ "), self.expr(e)]),
            ItemKind::Alias {
                private,
                name,
                target,
            } => {
                let keyword = if *private { "private alias " } else { "alias " };
                self.equals(text(format!("{keyword}{}", name.name)), target)
            }
            ItemKind::Initializer(block) => concat([text("initializer "), self.block(block)]),
            ItemKind::On(on) => {
                let targets = if on.parenthesized {
                    format!("({})", names(&on.targets))
                } else {
                    names(&on.targets)
                };
                let guard = match &on.guard {
                    Some(g) => concat([text(" when "), self.expr(g)]),
                    None => Doc::Nil,
                };
                concat([
                    text(format!("on {targets}")),
                    guard,
                    text(" do "),
                    self.block(&on.body),
                ])
            }
            ItemKind::Error => text(self.slice(item.span)),
        }
    }

    fn module(&mut self, m: &'s ModuleDecl, span: Span) -> Doc<'s> {
        let mut head = String::new();
        if m.is_static {
            head.push_str("static ");
        }
        head.push_str("module ");
        head.push_str(&m.name.name);
        let mut parts = vec![text(head)];
        if let Some(params) = &m.params {
            parts.push(self.params(params));
        }
        if let Some(tps) = &m.type_params {
            parts.push(text(format!("[{}]", names(tps))));
        }
        parts.push(self.meta(&m.meta));
        let head_end = m.items.first().map_or(span.end, |i| i.span.start);
        parts.push(self.trailing(m.meta.as_ref().map_or(m.name.span.end, |e| e.span.end)));
        if !m.closed {
            if !m.items.is_empty() {
                parts.push(Doc::HardLine);
                let blank = self.blank_line_before(m.name.span.end, head_end);
                if blank {
                    parts.push(Doc::HardLine);
                }
                parts.push(self.items(&m.items, None));
            }
            return concat(parts);
        }
        let end_keyword = span.end.saturating_sub(3);
        let body = if m.items.is_empty() {
            let lead = self.before_closer(end_keyword, None);
            if matches!(lead, Doc::Concat(ref v) if v.is_empty()) {
                Doc::Nil
            } else {
                nest(INDENT, concat([Doc::HardLine, lead]))
            }
        } else {
            let items = self.items(&m.items, None);
            let last_end = m.items.last().map_or(span.start, |i| i.span.end);
            let lead = self.before_closer(end_keyword.saturating_sub(7), Some(last_end));
            let lead = if matches!(lead, Doc::Concat(ref v) if v.is_empty()) {
                Doc::Nil
            } else {
                concat([Doc::HardLine, lead])
            };
            nest(INDENT, concat([Doc::HardLine, items, lead]))
        };
        parts.push(body);
        parts.push(Doc::HardLine);
        parts.push(text("module end"));
        concat(parts)
    }

    fn definition(
        &mut self,
        keyword: std::borrow::Cow<'static, str>,
        name: &'s Ident,
        params: &'s Option<Vec<Param>>,
        ty: &'s Option<Type>,
        body: &'s Option<Body>,
        meta: &'s Option<Expr>,
    ) -> Doc<'s> {
        let mut head = vec![text(keyword), text(&*name.name)];
        if let Some(params) = params {
            head.push(self.params(params));
        }
        if let Some(ty) = ty {
            head.push(text(if params.is_some() { ": " } else { " : " }));
            head.push(self.ty(ty));
        }
        let head = concat(head);
        let doc = match body {
            None => head,
            Some(Body::Block(block)) => concat([head, text_space(), self.block(block)]),
            Some(Body::Expr(e)) => self.equals(head, e),
        };
        concat([doc, self.meta(meta)])
    }

    /// `head = body`: the body stays on the line when it fits, else it moves entirely below;
    /// a `do { … }` body always opens on the line (`def f(x) = do {`) and breaks inside, and so
    /// does an array or record literal (`def xs = [`, one element per line, `]`), as people
    /// write them and other formatters print them.
    fn equals(&mut self, head: Doc<'s>, body: &'s Expr) -> Doc<'s> {
        let opens_a_block = match &body.kind {
            ExprKind::Do(_) => true,
            ExprKind::Array(items) => !items.is_empty(),
            ExprKind::Record(fields) => !fields.is_empty(),
            _ => false,
        };
        let body = self.expr(body);
        if opens_a_block {
            return concat([head, text(" = "), body]);
        }
        group(concat([
            head,
            text(" ="),
            nest(INDENT, concat([Doc::Line, body])),
        ]))
    }

    fn meta(&mut self, meta: &'s Option<Expr>) -> Doc<'s> {
        match meta {
            Some(m) => concat([text(" _meta_ "), self.expr(m)]),
            None => Doc::Nil,
        }
    }

    fn params(&mut self, params: &'s [Param]) -> Doc<'s> {
        let items: Vec<(Span, &Param)> = params.iter().map(|p| (p.span, p)).collect();
        self.list("(", ")", &items, |p, param| match &param.ty {
            Some(t) => concat([text(&*param.name.name), text(": "), p.ty(t)]),
            None => text(&*param.name.name),
        })
    }

    fn type_args(&mut self, args: &'s [TypeArg]) -> Doc<'s> {
        let items: Vec<(Span, &TypeArg)> = args
            .iter()
            .map(|a| (a.name.span.to(a.ty.span), a))
            .collect();
        self.list("[", "]", &items, |p, arg| {
            concat([text(&*arg.name.name), text("="), p.ty(&arg.ty)])
        })
    }

    // -----------------------------------------------------------------------------------------
    // Lists

    /// `open a, b close`, one element per line when it does not fit, comments kept per element.
    fn list<T>(
        &mut self,
        open: &'static str,
        close: &'static str,
        items: &[(Span, T)],
        mut print: impl FnMut(&mut Self, &T) -> Doc<'s>,
    ) -> Doc<'s> {
        if items.is_empty() {
            return concat([text(open), text(close)]);
        }
        let mut inner = vec![Doc::SoftLine];
        for (index, (span, item)) in items.iter().enumerate() {
            inner.push(self.leading(span.start, None));
            inner.push(print(self, item));
            let last = index + 1 == items.len();
            if !last {
                inner.push(text(","));
            }
            inner.push(self.trailing(span.end));
            if !last {
                inner.push(Doc::Line);
            }
        }
        group(concat([
            text(open),
            nest(INDENT, concat(inner)),
            Doc::SoftLine,
            text(close),
        ]))
    }

    // -----------------------------------------------------------------------------------------
    // Statements

    fn block(&mut self, block: &'s Block) -> Doc<'s> {
        let close = block.span.end.saturating_sub(1);
        if block.stmts.is_empty() {
            let lead = self.before_closer(close, None);
            if matches!(lead, Doc::Concat(ref v) if v.is_empty()) {
                return text("{}");
            }
            return concat([
                text("{"),
                nest(INDENT, concat([Doc::HardLine, lead])),
                text("}"),
            ]);
        }
        let stmts = self.stmts(&block.stmts);
        let last_end = block.stmts.last().map_or(block.span.start, |s| s.span.end);
        let rest = self.before_closer(close, Some(last_end));
        let rest = if matches!(rest, Doc::Concat(ref v) if v.is_empty()) {
            Doc::Nil
        } else {
            concat([Doc::HardLine, rest])
        };
        concat([
            text("{"),
            nest(INDENT, concat([Doc::HardLine, stmts, rest])),
            Doc::HardLine,
            text("}"),
        ])
    }

    fn stmts(&mut self, stmts: &'s [Stmt]) -> Doc<'s> {
        let mut out = Vec::new();
        let mut prev: Option<&Stmt> = None;
        for stmt in stmts {
            if let Some(prev) = prev {
                if !ends_in_block(prev) {
                    out.push(text(";"));
                }
                out.push(self.trailing(prev.span.end));
                out.push(Doc::HardLine);
                if self.blank_line_before(self.after(prev.span.end), stmt.span.start) {
                    out.push(Doc::HardLine);
                }
            }
            out.push(self.leading(stmt.span.start, None));
            out.push(self.stmt(stmt));
            prev = Some(stmt);
        }
        if let Some(prev) = prev {
            out.push(self.trailing(prev.span.end));
        }
        concat(out)
    }

    fn stmt(&mut self, stmt: &'s Stmt) -> Doc<'s> {
        match &stmt.kind {
            StmtKind::Let(binding) => self.binding(binding),
            StmtKind::LetAlias(name, e) => {
                self.equals(concat([text("let alias "), text(&*name.name)]), e)
            }
            StmtKind::Var { name, ty, value } => {
                let mut head = vec![text("var "), text(&*name.name)];
                if let Some(t) = ty {
                    head.push(text(": "));
                    head.push(self.ty(t));
                }
                self.equals(concat(head), value)
            }
            StmtKind::Assign { target, value } => {
                let target = self.expr(target);
                self.equals(target, value)
            }
            StmtKind::If {
                branches,
                otherwise,
            } => {
                let mut parts = Vec::new();
                for (index, (cond, block)) in branches.iter().enumerate() {
                    parts.push(text(if index == 0 { "if (" } else { " else if (" }));
                    parts.push(self.expr(cond));
                    parts.push(text(") "));
                    parts.push(self.block(block));
                }
                if let Some(block) = otherwise {
                    parts.push(text(" else "));
                    parts.push(self.block(block));
                }
                concat(parts)
            }
            StmtKind::Switch { scrutinee, cases } => {
                let mut inner = Vec::new();
                for case in cases {
                    inner.push(Doc::HardLine);
                    inner.push(self.leading(case.span.start, None));
                    inner.push(self.switch_case(case));
                }
                let close = stmt.span.end.saturating_sub(1);
                let rest = self.before_closer(close, None);
                let rest = if matches!(rest, Doc::Concat(ref v) if v.is_empty()) {
                    Doc::Nil
                } else {
                    concat([Doc::HardLine, rest])
                };
                concat([
                    text("switch ("),
                    self.expr(scrutinee),
                    text(") {"),
                    nest(INDENT, concat([concat(inner), rest])),
                    Doc::HardLine,
                    text("}"),
                ])
            }
            StmtKind::While(cond, block) => concat([
                text("while ("),
                self.expr(cond),
                text(") "),
                self.block(block),
            ]),
            StmtKind::For {
                init,
                cond,
                step,
                body,
            } => {
                let init = init.as_ref().map_or(Doc::Nil, |s| self.stmt(s));
                let cond = cond
                    .as_ref()
                    .map_or(Doc::Nil, |e| concat([text_space(), self.expr(e)]));
                let step = step
                    .as_ref()
                    .map_or(Doc::Nil, |s| concat([text_space(), self.stmt(s)]));
                concat([
                    text("for ("),
                    init,
                    text(";"),
                    cond,
                    text(";"),
                    step,
                    text(") "),
                    self.block(body),
                ])
            }
            StmtKind::ForIn {
                pattern,
                iter,
                body,
            } => concat([
                text("for (let "),
                self.pattern(pattern),
                text(" in "),
                self.expr(iter),
                text(") "),
                self.block(body),
            ]),
            StmtKind::Return(None) => text("return"),
            StmtKind::Return(Some(e)) => concat([text("return "), self.expr(e)]),
            StmtKind::Expr(e) => self.expr(e),
            StmtKind::Error => text(self.slice(stmt.span)),
        }
    }

    fn switch_case(&mut self, case: &'s SwitchCase) -> Doc<'s> {
        let mut head = vec![text("case "), self.pattern(&case.pattern)];
        if let Some(guard) = &case.guard {
            head.push(text(" when "));
            head.push(self.expr(guard));
        }
        head.push(text(":"));
        if case.body.is_empty() {
            return concat(head);
        }
        let body = self.stmts(&case.body);
        if case.body.len() == 1 {
            group(concat([
                concat(head),
                nest(INDENT, concat([Doc::Line, body])),
            ]))
        } else {
            concat([concat(head), nest(INDENT, concat([Doc::HardLine, body]))])
        }
    }

    fn binding(&mut self, binding: &'s LetBinding) -> Doc<'s> {
        let mut head = vec![text("let ")];
        match &binding.target {
            LetTarget::Pattern(p) => head.push(self.pattern(p)),
            LetTarget::Function(name, params) => {
                head.push(text(&*name.name));
                let items: Vec<(Span, &Pattern)> = params.iter().map(|p| (p.span, p)).collect();
                head.push(self.list("(", ")", &items, |p, pat| p.pattern(pat)));
            }
        }
        if let Some(t) = &binding.ty {
            head.push(text(" : "));
            head.push(self.ty(t));
        }
        self.equals(concat(head), &binding.value)
    }

    // -----------------------------------------------------------------------------------------
    // Expressions

    fn expr(&mut self, e: &'s Expr) -> Doc<'s> {
        use ExprKind::*;
        match &e.kind {
            Null | True | False | Undefined | Int(_) | Float(_) | Str(_) | Regex(_) | Error => {
                text(self.slice(e.span))
            }
            Name(n) | Primitive(n) => text(&**n),
            SelfRef => text("self"),
            GlobalRef => text("global"),
            Unit => text("()"),
            ShortField(f) => concat([text("."), text(field_name(f))]),
            Field(base, f) => concat([self.expr(base), text("."), text(field_name(f))]),
            DynField(base, k) => concat([self.expr(base), text(".("), self.expr(k), text(")")]),
            Index(base, i) => concat([self.expr(base), text("["), self.expr(i), text("]")]),
            Slice(base, p, q) => {
                let p = p.as_ref().map_or(Doc::Nil, |p| self.expr(p));
                let q = q.as_ref().map_or(Doc::Nil, |q| self.expr(q));
                concat([self.expr(base), text("["), p, text(".."), q, text("]")])
            }
            ToStream(base) => concat([self.expr(base), text("[]")]),
            TupleIndex(base, i, n) => concat([self.expr(base), text(format!("[#{i} of {n}]"))]),
            LabelIndex(base, label) => {
                concat([self.expr(base), text(format!("[#{}]", label.name))])
            }
            Call(callee, args) => {
                let callee = self.expr(callee);
                let items: Vec<(Span, &Expr)> = args.iter().map(|a| (a.span, a)).collect();
                concat([callee, self.list("(", ")", &items, |p, a| p.expr(a))])
            }
            Defined(base) => concat([self.expr(base), text("?")]),
            Inverse(base) => concat([self.expr(base), text("^")]),
            Prime(base) => concat([self.expr(base), text("'")]),
            Unary(UnOp::Neg, inner) => concat([text("-"), self.expr(inner)]),
            Unary(UnOp::Not, inner) => concat([text("not "), self.expr(inner)]),
            Binary(op, _, _) => self.chain(e, *op),
            With(base, path, value) => {
                let base = self.expr(base);
                let mut segs = Vec::new();
                for seg in path {
                    segs.push(match seg {
                        PathSeg::Field(f) => concat([text("."), text(field_name(f))]),
                        PathSeg::Dyn(k) => concat([text(".("), self.expr(k), text(")")]),
                        PathSeg::Index(i) => concat([text("["), self.expr(i), text("]")]),
                    });
                }
                let value = self.expr(value);
                group(concat([
                    base,
                    nest(
                        INDENT,
                        concat([Doc::Line, text("with "), concat(segs), text(" = "), value]),
                    ),
                ]))
            }
            Lambda(arms) if arms.len() == 1 => self.arm(&arms[0]),
            Lambda(arms) => {
                let mut inner = vec![text("("), if_break(text(" "), Doc::Nil)];
                for (index, arm) in arms.iter().enumerate() {
                    if index > 0 {
                        inner.push(Doc::Line);
                        inner.push(text("| "));
                    }
                    inner.push(self.leading(arm.span.start, None));
                    inner.push(self.arm(arm));
                    inner.push(self.trailing(arm.span.end));
                }
                inner.push(if_break(text(" )"), text(")")));
                align(group(concat(inner)))
            }
            If(cond, then, otherwise) => {
                let cond = self.expr(cond);
                let then = self.expr(then);
                let otherwise_doc = match otherwise.kind {
                    If(..) => concat([text(" "), self.expr(otherwise)]),
                    _ => nest(INDENT, concat([Doc::Line, self.expr(otherwise)])),
                };
                group(concat([
                    text("if ("),
                    cond,
                    text(")"),
                    nest(INDENT, concat([Doc::Line, then])),
                    Doc::Line,
                    text("else"),
                    otherwise_doc,
                ]))
            }
            Let(..) => self.let_chain(e),
            Try(inner) => concat([text("try "), self.expr(inner)]),
            TypeHint(inner, t) => concat([self.expr(inner), text(" : "), self.ty(t)]),
            TypeOf(t) => concat([text("type("), self.ty(t), text(")")]),
            TypeAssert(t, inner) => concat([
                text("type("),
                self.ty(t),
                text(", "),
                self.expr(inner),
                text(")"),
            ]),
            Array(items) | ParenList(items) => {
                let (open, close) = if matches!(e.kind, Array(_)) {
                    ("[", "]")
                } else {
                    ("(", ")")
                };
                let items: Vec<(Span, &Expr)> = items.iter().map(|a| (a.span, a)).collect();
                self.list(open, close, &items, |p, a| p.expr(a))
            }
            Record(fields) => {
                let items: Vec<(Span, &RecordField)> = fields.iter().map(|f| (f.span, f)).collect();
                self.list("{", "}", &items, |p, f| p.record_field(f))
            }
            Do(block) => concat([text("do "), self.block(block)]),
            Action(None, block) => concat([text("action "), self.block(block)]),
            Action(Some(params), block) => {
                let items: Vec<(Span, &Pattern)> = params.iter().map(|p| (p.span, p)).collect();
                let params = self.list("(", ")", &items, |p, pat| p.pattern(pat));
                concat([text("action "), params, text_space(), self.block(block)])
            }
            EscJson(inner) => concat([text("_escJSON_ "), self.expr(inner)]),
            Paren(inner) => concat([text("("), self.expr(inner), text(")")]),
            Spread(kind, name) => text(format!("{} {}", spread(*kind), name.name)),
            Capture(a, b) => concat([self.expr(a), text(" @ "), self.expr(b)]),
            Labeled(label, value) => concat([text(format!("#{}: ", label.name)), self.expr(value)]),
        }
    }

    fn record_field(&mut self, field: &'s RecordField) -> Doc<'s> {
        let key = match &field.key {
            FieldKey::Name(f) => text(field_name(f)),
            FieldKey::Computed(k) => concat([text("("), self.expr(k), text(")")]),
            FieldKey::Short(f) => return concat([text("."), text(field_name(f))]),
        };
        match &field.value {
            None => key,
            Some(v) => {
                let sep = if field.optional { "?: " } else { ": " };
                concat([key, text(sep), self.expr(v)])
            }
        }
    }

    /// A left-associative chain of one precedence level (or `++`, right-associative), printed
    /// with continuation lines that start with the operator.
    fn chain(&mut self, e: &'s Expr, op: BinOp) -> Doc<'s> {
        let level = precedence(op);
        let mut operands = Vec::new();
        let mut ops = Vec::new();
        if op == BinOp::Append {
            let mut current = e;
            while let ExprKind::Binary(BinOp::Append, a, b) = &current.kind {
                operands.push(&**a);
                ops.push(BinOp::Append);
                current = b;
            }
            operands.push(current);
        } else if op.is_comparison() {
            if let ExprKind::Binary(_, a, b) = &e.kind {
                operands.push(&**a);
                operands.push(&**b);
                ops.push(op);
            }
        } else {
            let mut current = e;
            while let ExprKind::Binary(o, a, b) = &current.kind {
                if precedence(*o) != level {
                    break;
                }
                operands.push(&**b);
                ops.push(*o);
                current = a;
            }
            operands.push(current);
            operands.reverse();
            ops.reverse();
        }
        let first = self.expr(operands[0]);
        let mut rest = Vec::new();
        for (op, operand) in ops.iter().zip(&operands[1..]) {
            rest.push(Doc::Line);
            rest.push(text(op.text()));
            rest.push(text(" "));
            rest.push(self.expr(operand));
        }
        group(concat([first, nest(INDENT, concat(rest))]))
    }

    fn let_chain(&mut self, e: &'s Expr) -> Doc<'s> {
        let mut parts = Vec::new();
        let mut current = e;
        while let ExprKind::Let(binding, body, style) = &current.kind {
            parts.push(self.binding(binding));
            parts.push(text(match style {
                LetStyle::Semi => ";",
                LetStyle::In => " in",
            }));
            parts.push(Doc::Line);
            current = body;
        }
        parts.push(self.expr(current));
        group(concat(parts))
    }

    fn arm(&mut self, arm: &'s Arm) -> Doc<'s> {
        let mut head = Vec::new();
        if arm.parenthesized {
            let items: Vec<(Span, &Pattern)> = arm.params.iter().map(|p| (p.span, p)).collect();
            head.push(self.list("(", ")", &items, |p, pat| p.pattern(pat)));
        } else if let Some(p) = arm.params.first() {
            head.push(self.pattern(p));
        }
        if let Some(guard) = &arm.guard {
            head.push(text(" when "));
            head.push(self.expr(guard));
        }
        let body = self.expr(&arm.body);
        group(concat([
            concat(head),
            text(" ->"),
            nest(INDENT, concat([Doc::Line, body])),
        ]))
    }

    // -----------------------------------------------------------------------------------------
    // Patterns and types

    fn pattern(&mut self, p: &'s Pattern) -> Doc<'s> {
        match &p.kind {
            PatternKind::Wildcard => text("_"),
            PatternKind::Bind(n) => text(&**n),
            PatternKind::Null
            | PatternKind::Undefined
            | PatternKind::Bool(_)
            | PatternKind::Int(_)
            | PatternKind::Float(_)
            | PatternKind::Str(_)
            | PatternKind::Error => text(self.slice(p.span)),
            PatternKind::Array(items) => {
                let items: Vec<(Span, &Pattern)> = items.iter().map(|i| (i.span, i)).collect();
                self.list("[", "]", &items, |pr, i| pr.pattern(i))
            }
            PatternKind::Spread(kind, name) => text(format!("{} {}", spread(*kind), name.name)),
            PatternKind::Record(fields) => {
                let items: Vec<(Span, &FieldPattern)> =
                    fields.iter().map(|f| (f.span, f)).collect();
                self.list("{", "}", &items, |pr, f| {
                    let key = field_name(&f.key);
                    match &f.pattern {
                        None => text(key),
                        Some(inner) => {
                            let sep = if f.optional { "?: " } else { ": " };
                            concat([text(format!("{key}{sep}")), pr.pattern(inner)])
                        }
                    }
                })
            }
            PatternKind::Case {
                path: case_path,
                arg,
            } => {
                let head = text(path(case_path));
                match arg {
                    Some(arg) => concat([head, text("("), self.pattern(arg), text(")")]),
                    None => head,
                }
            }
            PatternKind::TypeTest(t) => concat([text("type("), self.ty(t), text(")")]),
            PatternKind::Capture(name, inner) => {
                concat([text(format!("{} @ ", name.name)), self.pattern(inner)])
            }
            PatternKind::Compare(op, name, rhs) => concat([
                text(format!("{} {} ", name.name, op.text())),
                self.expr(rhs),
            ]),
            PatternKind::And(a, b) => concat([self.pattern(a), text(" && "), self.pattern(b)]),
            PatternKind::Typed(inner, t) => concat([self.pattern(inner), text(" : "), self.ty(t)]),
            PatternKind::Paren(inner) => concat([text("("), self.pattern(inner), text(")")]),
        }
    }

    fn ty(&mut self, t: &'s Type) -> Doc<'s> {
        match &t.kind {
            TypeKind::Named(p) => text(path(p)),
            TypeKind::App(p, args) => {
                let items: Vec<(Span, &Type)> = args.iter().map(|a| (a.span, a)).collect();
                concat([text(path(p)), self.list("(", ")", &items, |pr, a| pr.ty(a))])
            }
            TypeKind::Var(v, None) => text(&*v.name),
            TypeKind::Var(v, Some(c)) => text(format!("{}@{}", v.name, c.name)),
            TypeKind::Wildcard => text("_"),
            TypeKind::Null => text("null"),
            TypeKind::Fun(..) => {
                // An arrow chain breaks after its arrows, continuing on indented lines.
                let mut members = Vec::new();
                let mut current = t;
                while let TypeKind::Fun(a, b) = &current.kind {
                    members.push(&**a);
                    current = b;
                }
                members.push(current);
                let first = self.ty(members[0]);
                let mut rest = Vec::new();
                for member in &members[1..] {
                    rest.push(text(" ->"));
                    rest.push(Doc::Line);
                    rest.push(self.ty(member));
                }
                group(concat([first, nest(INDENT, concat(rest))]))
            }
            TypeKind::Tuple(elems) => {
                let items: Vec<(Span, &TupleTypeElem)> =
                    elems.iter().map(|e| (e.ty.span, e)).collect();
                self.list("[", "]", &items, |pr, e| match &e.label {
                    Some(label) => concat([text(format!("#{}: ", label.name)), pr.ty(&e.ty)]),
                    None => pr.ty(&e.ty),
                })
            }
            TypeKind::Record(fields) => {
                let items: Vec<(Span, &FieldType)> = fields.iter().map(|f| (f.span, f)).collect();
                self.list("{", "}", &items, |pr, f| match &f.ty {
                    Some(t) => concat([text(field_name(&f.key)), text(": "), pr.ty(t)]),
                    None => text(field_name(&f.key)),
                })
            }
            TypeKind::Union(members) => {
                let mut parts = Vec::new();
                for (i, m) in members.iter().enumerate() {
                    if i > 0 {
                        parts.push(text(" | "));
                    }
                    parts.push(self.ty(m));
                }
                concat(parts)
            }
            TypeKind::Stream(inner) => concat([self.ty(inner), text("*")]),
            TypeKind::Opaque(name) => text(format!("<{}>", quote(name))),
            TypeKind::ModuleType(p) => text(format!("(module type {})", path(p))),
            TypeKind::Forall(vars, inner) => concat([
                text(format!("~forall {}: ", names_spaced(vars))),
                self.ty(inner),
            ]),
            TypeKind::VarMarked(inner) => concat([self.ty(inner), text("<var>")]),
            TypeKind::Paren(inner) => concat([text("("), self.ty(inner), text(")")]),
            TypeKind::Error => text(self.slice(t.span)),
        }
    }
}

fn text_space() -> Doc<'static> {
    text(" ")
}

fn ends_in_block(stmt: &Stmt) -> bool {
    matches!(
        stmt.kind,
        StmtKind::If { .. }
            | StmtKind::Switch { .. }
            | StmtKind::While(..)
            | StmtKind::For { .. }
            | StmtKind::ForIn { .. }
    )
}

fn precedence(op: BinOp) -> u8 {
    use BinOp::*;
    match op {
        Pipe => 2,
        Or => 4,
        And => 5,
        Append => 8,
        Add | Sub => 9,
        Mul | Div | Rem => 10,
        _ => 7,
    }
}

fn spread(kind: SpreadKind) -> &'static str {
    match kind {
        SpreadKind::Multiple => "~multiple",
        SpreadKind::Optional => "~optional",
    }
}

fn path(idents: &[Ident]) -> String {
    idents
        .iter()
        .map(|i| &*i.name)
        .collect::<Vec<_>>()
        .join(".")
}

fn names(idents: &[Ident]) -> String {
    idents
        .iter()
        .map(|i| &*i.name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn names_spaced(idents: &[Ident]) -> String {
    idents
        .iter()
        .map(|i| &*i.name)
        .collect::<Vec<_>>()
        .join(" ")
}

fn field_name(f: &FieldName) -> std::borrow::Cow<'_, str> {
    if f.quoted {
        quote(&f.name).into()
    } else {
        (&*f.name).into()
    }
}

/// A Mix string literal with the same value.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
