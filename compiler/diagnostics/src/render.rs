use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};

use crate::{Diagnostic, LineMap, Severity};

#[derive(Clone, Copy, Debug)]
pub struct RenderOptions {
    pub color: bool,
}

/// Renders a diagnostic with a source excerpt, the way a person reads it in a terminal.
///
/// Spans are byte offsets. When a `#line`/`#push` directive remapped the position, the
/// remapped location is added as a note (the excerpt still shows the text actually read).
pub fn render_terminal(
    diagnostic: &Diagnostic,
    file: &str,
    source: &str,
    lines: &LineMap,
    options: RenderOptions,
) -> String {
    let kind = match diagnostic.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let primary_color = match diagnostic.severity {
        Severity::Error => Color::Red,
        Severity::Warning => Color::Yellow,
    };
    let clamp = |offset: u32| (offset as usize).min(source.len());
    let range = |span: crate::Span| clamp(span.start)..clamp(span.end);
    let config = Config::default()
        .with_index_type(IndexType::Byte)
        .with_color(options.color);
    let mut report = Report::build(kind, (file, range(diagnostic.span)))
        .with_config(config)
        .with_code(diagnostic.code)
        .with_message(&diagnostic.message)
        .with_label(
            Label::new((file, range(diagnostic.span)))
                .with_message(primary_label(diagnostic))
                .with_color(primary_color)
                .with_order(0),
        );
    let secondary = diagnostic
        .labels
        .iter()
        .filter(|l| l.span != diagnostic.span);
    for (order, label) in secondary.enumerate() {
        report = report.with_label(
            Label::new((file, range(label.span)))
                .with_message(&label.message)
                .with_color(Color::Blue)
                .with_order(order as i32 + 1),
        );
    }
    if lines.has_directives() {
        let at = lines.location(source, diagnostic.span.start);
        if let Some(mapped) = at.file {
            report = report.with_note(format!("reported at {}:{}:{}", mapped, at.line, at.column));
        } else {
            report = report.with_note(format!(
                "reported at line {}, column {}",
                at.line, at.column
            ));
        }
    }
    for note in &diagnostic.notes {
        report = report.with_note(note);
    }
    if let Some(help) = &diagnostic.help {
        report = report.with_help(help);
    }
    let mut out = Vec::new();
    // Writing into a Vec cannot fail; a failure would only lose the excerpt, never the message.
    if report
        .finish()
        .write((file, Source::from(source)), &mut out)
        .is_err()
    {
        return format!(
            "{}[{}]: {}\n",
            diagnostic.severity.as_str(),
            diagnostic.code,
            diagnostic.message
        );
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The primary span's own text: a label on exactly that span ("expected `)`"), else the
/// message's first line.
fn primary_label(diagnostic: &Diagnostic) -> String {
    match diagnostic.labels.iter().find(|l| l.span == diagnostic.span) {
        Some(label) => label.message.clone(),
        None => diagnostic
            .message
            .lines()
            .next()
            .unwrap_or_default()
            .to_string(),
    }
}
