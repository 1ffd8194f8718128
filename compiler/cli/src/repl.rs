//! `mixc repl`: an interactive session. Definitions accumulate in a session module; an
//! expression is checked and compiled as a temporary definition of that module, run, and shown
//! with its type. Line editing and history come from rustyline on a terminal; piped input is
//! read line by line without prompts (which is how the tests drive it).

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use clap::Args;
use mix_check::{check_file, file_types, CheckDatabase};
use mix_codegen::{DefKey, Roots};
use mix_runtime::vm::{Limits, Program, Vm};
use mix_runtime::Value;

use crate::report::{MessageFormat, Reporter};
use crate::run::LimitArgs;

#[derive(Args)]
pub struct ReplArgs {
    /// Files to load first (as with `#load`)
    files: Vec<String>,
    #[command(flatten)]
    limits: LimitArgs,
    /// Seed for `random`'s pseudo-random functions (default: a new seed each session)
    #[arg(long)]
    seed: Option<u64>,
}

const SESSION: &str = "repl.mix";
const HELP: &str = "\
  EXPR           evaluate and show the value with its type
  #type EXPR     show the type without evaluating (also #t)
  def …, type …  add a definition (also `let x = e`)
  #load FILE     add a file's definitions
  #defs          list the session's definitions with their types
  #reset         forget every definition
  #quit          leave (also Ctrl-D)
Commands may also start with `:` (`:t EXPR`, `:q`), as in other REPLs.";

/// A checked session: the database, its workspace, the session file and its full text.
type Checked = (
    CheckDatabase,
    mix_check::Workspace,
    mix_check::SourceFile,
    String,
);

struct Session {
    /// The session module's source: loaded files and accepted definitions.
    source: String,
    counter: usize,
    /// Read once per session (the memory cap asks the system how much memory there is).
    limits: Limits,
    /// Where the next input's pseudo-random numbers go on from: one sequence per session,
    /// though each input runs in a VM of its own.
    random: u64,
}

/// One input of the session, named so that positions in it read as the user wrote it.
struct SessionInput {
    /// `input N`, or the loaded file's path.
    name: String,
    /// The text as the user gave it.
    body: String,
}

impl SessionInput {
    /// No input: the session as it stands.
    const NONE: SessionInput = SessionInput {
        name: String::new(),
        body: String::new(),
    };

    /// The directive that names the input in the session's text.
    fn directive(&self) -> String {
        let quoted = self.name.replace('\\', "\\\\").replace('"', "\\\"");
        format!("#push 1 \"{quoted}\"\n")
    }

    /// The input as the session holds it: the directive, the text, `#pop`.
    fn held(&self) -> String {
        format!("{}{}\n#pop", self.directive(), self.body)
    }
}

/// Whether every position `d` points at is inside `range`.
fn within(d: &mix_diagnostics::Diagnostic, range: &std::ops::Range<u32>) -> bool {
    // a point just after the text (where an unfinished input stops) is in it
    let inside = |s: mix_diagnostics::Span| range.start <= s.start && s.end <= range.end;
    inside(d.span) && d.labels.iter().all(|l| inside(l.span))
}

/// `d` with its positions moved back by `by` bytes.
fn shifted(mut d: mix_diagnostics::Diagnostic, by: u32) -> mix_diagnostics::Diagnostic {
    let back = |s: &mut mix_diagnostics::Span| {
        s.start -= by;
        s.end -= by;
    };
    back(&mut d.span);
    for l in &mut d.labels {
        back(&mut l.span);
    }
    d
}

/// A run-time error as the user reads it: frames named by the session's definitions (`f`,
/// not `repl.f`), the evaluated input's frame by the input (`input 3`, not `repl.it__3`).
fn shown_error(e: &mix_runtime::RtError, evaluated: &str, input_name: &str) -> String {
    e.render(|function| {
        let function = function.strip_prefix("repl.").unwrap_or(function);
        if function == evaluated {
            input_name.to_string()
        } else {
            function.to_string()
        }
    })
}

/// What a line of input asks for.
enum Input<'a> {
    Command(&'a str, &'a str),
    Definition(String),
    Expression(&'a str),
}

fn classify(text: &str) -> Input<'_> {
    let trimmed = text.trim();
    // `:` as in GHCi or utop: no Mix expression starts with it
    if let Some(command) = trimmed
        .strip_prefix('#')
        .or_else(|| trimmed.strip_prefix(':'))
    {
        let (name, arg) = command.split_once(' ').unwrap_or((command, ""));
        return Input::Command(name, arg.trim());
    }
    let first = trimmed.split_whitespace().next().unwrap_or("");
    match first {
        "def" | "type" | "case" | "private" | "module" | "import" | "foreign" => {
            Input::Definition(trimmed.to_string())
        }
        // `let x = e` at the prompt is a definition of `x`; `let x = e; x + 1` and
        // `let x = e in x + 1` are expressions (spec §3.3).
        "let" => {
            let definition = format!("def {}", trimmed["let".len()..].trim());
            if mix_syntax::parse(&definition).diagnostics.is_empty() {
                Input::Definition(definition)
            } else {
                Input::Expression(trimmed)
            }
        }
        _ => Input::Expression(trimmed),
    }
}

/// Whether `pending` (whole lines) is the start of a longer input: a bracket is open, or its
/// parse stops at the end of the text (`1 +`, `def f(x) =`). A blank line ends the latter, so
/// an input that would never parse is still sent, and its error shown.
fn continues(pending: &str) -> bool {
    if open_brackets(pending) > 0 {
        return true;
    }
    if pending.trim().is_empty() || pending.ends_with("\n\n") {
        return false;
    }
    let ends_early = |text: &str| {
        mix_syntax::parse(text)
            .diagnostics
            .iter()
            .any(|d| d.code == mix_syntax::codes::UNEXPECTED_EOF)
    };
    match classify(pending) {
        Input::Command(..) => false,
        Input::Definition(text) => ends_early(&text),
        Input::Expression(expr) => ends_early(&format!("def it =\n{expr}")),
    }
}

/// Open brackets minus closed ones outside strings: input continues while it is positive.
fn open_brackets(text: &str) -> i64 {
    mix_syntax::brackets::outside_strings(text)
        .last()
        .map_or(0, |(_, depth)| depth)
}

impl Session {
    /// Checks the session with `wrapper` (the text around the input, `{}` where the input's
    /// text goes) appended. Errors, and the warnings of the input itself (earlier inputs' were
    /// shown when they were entered), are printed, those in the input against its own text;
    /// `None` when there are errors.
    fn check(&self, wrapper: &str, input: &SessionInput) -> Option<Checked> {
        let (head, tail) = wrapper.split_once("{}").unwrap_or((wrapper, ""));
        let text = format!("{}{head}{}{tail}\n", self.source, input.held());
        let mut db = CheckDatabase::default();
        let (workspace, files) = db.load(&[(SESSION.to_string(), text.clone())]);
        let file = files[0];
        let new_input = self.source.len() as u32;
        let all = check_file(&db, workspace, file);
        let errors = all.iter().any(|d| d.is_error());
        let shown: Vec<_> = all
            .into_iter()
            .filter(|d| d.is_error() || (!errors && d.span.start >= new_input))
            .collect();
        let typed_at = (self.source.len() + head.len() + input.directive().len()) as u32;
        let typed = typed_at..typed_at + input.body.len() as u32;
        let (in_input, elsewhere): (Vec<_>, Vec<_>) = shown
            .into_iter()
            .partition(|d| !input.body.is_empty() && within(d, &typed));
        let mut reporter = Reporter::new(MessageFormat::Human);
        let in_input: Vec<_> = in_input.into_iter().map(|d| shifted(d, typed_at)).collect();
        reporter.report(&input.name, &input.body, &[], &in_input);
        reporter.report(SESSION, &text, &file.layout(&db).directives, &elsewhere);
        (!errors).then_some((db, workspace, file, text))
    }

    /// `text` as the session's next input, from file `origin` (`#load`) or typed: positions in
    /// it (in diagnostics and stack traces) read `FILE:line:column` or `input N:line:column`,
    /// as the user wrote it, not as the session holds it.
    fn as_input(&mut self, text: &str, origin: Option<&str>) -> SessionInput {
        self.counter += 1;
        SessionInput {
            name: origin.map_or_else(|| format!("input {}", self.counter), str::to_string),
            body: text.to_string(),
        }
    }

    fn define(&mut self, text: &str, origin: Option<&str>, out: &mut impl Write) {
        let input = self.as_input(text, origin);
        let Some((db, workspace, file, full)) = self.check("{}", &input) else {
            return;
        };
        let added = defined_names(text);
        for (name, ty) in file_types(&db, workspace, file) {
            let short = name.strip_prefix("repl.").unwrap_or(&name);
            if added.iter().any(|a| a == short) {
                let _ = writeln!(out, "{short} : {ty}");
            }
        }
        self.source = full;
    }

    /// Checks `expr` as a definition of its own: the checked session, that definition's name
    /// and its type; `None` after showing the errors.
    fn typed(&mut self, expr: &str) -> Option<(Checked, String, String, SessionInput)> {
        let input = self.as_input(expr, None);
        let name = format!("it__{}", self.counter);
        let checked = self.check(&format!("def {name} =\n{{}}"), &input)?;
        let (db, workspace, file, _) = &checked;
        let ty = file_types(db, *workspace, *file)
            .into_iter()
            .find(|(n, _)| *n == format!("repl.{name}"))
            .map(|(_, t)| t)
            .unwrap_or_else(|| "?".into());
        Some((checked, name, ty, input))
    }

    fn show_type(&mut self, expr: &str, out: &mut impl Write) {
        if let Some((.., ty, _)) = self.typed(expr) {
            let _ = writeln!(out, "{expr} : {ty}");
        }
    }

    fn evaluate(&mut self, expr: &str, out: &mut impl Write) {
        let Some(((db, workspace, file, _), name, ty, input)) = self.typed(expr) else {
            return;
        };
        let key = DefKey::new(file, "repl", name.clone());
        let module = match mix_codegen::compile(&db, workspace, Roots::Defs(vec![key])) {
            Ok(m) => m,
            Err(errors) => {
                for e in errors {
                    let _ = writeln!(
                        out,
                        "error[{}]: {}",
                        e.diagnostic.code, e.diagnostic.message
                    );
                }
                return;
            }
        };
        let program = match Program::new(module) {
            Ok(p) => p,
            Err(e) => {
                let _ = writeln!(out, "error: {e}");
                return;
            }
        };
        let mut vm = Vm::new(&program, self.limits);
        vm.seed_random(self.random);
        let shown = vm.export(&format!("repl.{name}"));
        self.random = vm.random_continuation();
        match shown {
            Ok(Value::Null) => {
                let _ = writeln!(out, "null : {ty}");
            }
            Ok(v) => {
                let _ = writeln!(out, "{v} : {ty}");
            }
            Err(e) => {
                let _ = writeln!(out, "error: {}", shown_error(&e, &name, &input.name));
            }
        }
    }

    /// Handles one complete input; `false` ends the session.
    fn handle(&mut self, text: &str, out: &mut impl Write) -> bool {
        match classify(text) {
            Input::Command("quit" | "q" | "exit", _) => return false,
            Input::Command("help", _) => {
                let _ = writeln!(out, "{HELP}");
            }
            Input::Command("reset", _) => {
                self.source.clear();
                let _ = writeln!(out, "session cleared");
            }
            Input::Command("defs", _) => {
                if let Some((db, workspace, file, _)) = self.check("{}", &SessionInput::NONE) {
                    for (name, ty) in file_types(&db, workspace, file) {
                        let short = name.strip_prefix("repl.").unwrap_or(&name);
                        let _ = writeln!(out, "{short} : {ty}");
                    }
                }
            }
            Input::Command("load", path) => match std::fs::read_to_string(path) {
                Ok(text) => {
                    let before = self.source.len();
                    self.define(&text, Some(path), out);
                    if self.source.len() > before {
                        let _ = writeln!(out, "loaded {path}");
                    }
                }
                Err(e) => {
                    let _ = writeln!(out, "error: cannot read {path}: {e}");
                }
            },
            Input::Command("type" | "t", expr) => self.show_type(expr, out),
            Input::Command(other, _) => {
                let _ = writeln!(out, "unknown command #{other}; #help lists them");
            }
            Input::Definition(def) => self.define(&def, None, out),
            Input::Expression("") => {}
            Input::Expression(word @ ("help" | "quit" | "exit"))
                if !defined_names(&self.source).iter().any(|d| d == word) =>
            {
                let _ = writeln!(
                    out,
                    "commands start with `#`: #help lists them, #quit leaves"
                );
            }
            Input::Expression(expr) => self.evaluate(expr, out),
        }
        true
    }
}

/// The names `text` defines at its top level.
fn defined_names(text: &str) -> Vec<String> {
    mix_syntax::parse(text)
        .file
        .items
        .iter()
        .filter_map(|item| match &item.kind {
            mix_syntax::ast::ItemKind::Def(d) => Some(d.name.name.to_string()),
            _ => None,
        })
        .collect()
}

pub fn run(args: ReplArgs) -> ExitCode {
    let mut session = Session {
        source: String::new(),
        counter: 0,
        limits: args.limits.limits(),
        random: args.seed.unwrap_or_else(crate::run::fresh_seed),
    };
    let stdout = std::io::stdout();
    for path in &args.files {
        session.handle(&format!("#load {path}"), &mut stdout.lock());
    }
    if std::io::stdin().is_terminal() {
        interactive(&mut session)
    } else {
        piped(&mut session)
    }
}

fn piped(session: &mut Session) -> ExitCode {
    let stdin = std::io::stdin();
    let mut pending = String::new();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        pending.push_str(&line);
        pending.push('\n');
        if continues(&pending) {
            continue;
        }
        let text = std::mem::take(&mut pending);
        if !session.handle(&text, &mut std::io::stdout().lock()) {
            return ExitCode::SUCCESS;
        }
    }
    // input cut short by the end of the file (an open bracket) is still checked, so its
    // error is shown rather than nothing
    if !pending.trim().is_empty() {
        session.handle(&pending, &mut std::io::stdout().lock());
    }
    ExitCode::SUCCESS
}

fn interactive(session: &mut Session) -> ExitCode {
    let mut editor = match rustyline::DefaultEditor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start line editing: {e}");
            return piped(session);
        }
    };
    let history = std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".mix_history"));
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    println!(
        "Mix {} — #help for commands, #quit to leave",
        env!("CARGO_PKG_VERSION")
    );
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() { "mix> " } else { "...> " };
        match editor.readline(prompt) {
            Ok(line) => {
                pending.push_str(&line);
                pending.push('\n');
                if continues(&pending) {
                    continue;
                }
                let text = std::mem::take(&mut pending);
                let _ = editor.add_history_entry(text.trim_end());
                if !session.handle(&text, &mut std::io::stdout().lock()) {
                    break;
                }
            }
            Err(rustyline::error::ReadlineError::Interrupted) => pending.clear(),
            Err(_) => break,
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_continue_input_outside_strings() {
        assert_eq!(open_brackets("def f(x) = {"), 1);
        assert_eq!(open_brackets("\"(\" + x"), 0);
        assert_eq!(open_brackets("[1, [2]]"), 0);
    }

    #[test]
    fn input_stopping_short_continues_until_a_blank_line() {
        assert!(continues("1 +\n"));
        assert!(continues("def f(x) =\n"));
        assert!(continues("[1,\n"));
        assert!(!continues("1 + 2\n"));
        assert!(!continues("def f(x) = x\n"));
        assert!(!continues("#defs\n"));
        assert!(!continues("1 +\n\n"));
        // a mistake that no more text can mend is sent at once
        assert!(!continues("1 + )\n"));
    }

    #[test]
    fn let_at_the_prompt_is_a_definition() {
        assert!(matches!(classify("let x = 3"), Input::Definition(d) if d == "def x = 3"));
        assert!(matches!(
            classify("#load a.mix"),
            Input::Command("load", "a.mix")
        ));
        assert!(matches!(classify("1 + 2"), Input::Expression("1 + 2")));
    }

    #[test]
    fn let_with_a_body_is_an_expression() {
        for text in ["let y = 3; y + 1", "let p = 1 in p + 1"] {
            assert!(
                matches!(classify(text), Input::Expression(e) if e == text),
                "{text}"
            );
        }
    }
}
