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
    // Any span renders: offsets are clamped into the text and onto character boundaries.
    let clamp = |offset: u32| floor_char_boundary(source, (offset as usize).min(source.len()));
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
    if line_too_long(source, diagnostic.span.start as usize) {
        return render_compact(diagnostic, file, source, lines);
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

fn floor_char_boundary(source: &str, mut offset: usize) -> usize {
    while offset > 0 && !source.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Excerpts longer than this are clipped: a 10 MB line must not be printed per diagnostic.
const MAX_EXCERPT_LINE: usize = 400;

fn line_too_long(source: &str, offset: usize) -> bool {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    let start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = source[offset..]
        .find('\n')
        .map_or(source.len(), |i| offset + i);
    end - start > MAX_EXCERPT_LINE
}

/// The diagnostic with a clipped excerpt around its position, for very long lines.
fn render_compact(diagnostic: &Diagnostic, file: &str, source: &str, lines: &LineMap) -> String {
    let at = lines.location(source, diagnostic.span.start);
    let offset = floor_char_boundary(source, (diagnostic.span.start as usize).min(source.len()));
    let from = floor_char_boundary(source, offset.saturating_sub(60));
    let to = floor_char_boundary(source, (offset + 60).min(source.len()));
    let excerpt: String = source[from..to]
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect();
    let marker = " ".repeat(source[from..offset].chars().count()) + "^";
    let mut out = format!(
        "[{}] {}: {}\n   ╭─[ {}:{}:{} ]\n   │ …{excerpt}…\n   │  {marker}\n",
        diagnostic.code,
        if diagnostic.is_error() {
            "Error"
        } else {
            "Warning"
        },
        diagnostic.message,
        at.file.as_deref().unwrap_or(file),
        at.line,
        at.column,
    );
    for note in &diagnostic.notes {
        out.push_str(&format!("   │ Note: {note}\n"));
    }
    if let Some(help) = &diagnostic.help {
        out.push_str(&format!("   │ Help: {help}\n"));
    }
    out.push_str("───╯\n");
    out
}
