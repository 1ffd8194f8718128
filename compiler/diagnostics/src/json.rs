use serde_json::{json, Value};

use crate::{Diagnostic, LineMap};

/// One diagnostic as the JSON object `mixc --message-format json` prints per line.
/// Lines and columns are 1-based; columns count Unicode scalar values.
pub fn to_json(diagnostic: &Diagnostic, file: &str, source: &str, lines: &LineMap) -> Value {
    let start = lines.location(source, diagnostic.span.start);
    let end = lines.location(source, diagnostic.span.end);
    let labels: Vec<Value> = diagnostic
        .labels
        .iter()
        .map(|label| {
            let at = lines.location(source, label.span.start);
            json!({
                "message": label.message,
                "line": at.line,
                "column": at.column,
                "byte_start": label.span.start,
                "byte_end": label.span.end,
            })
        })
        .collect();
    json!({
        "severity": diagnostic.severity.as_str(),
        "code": diagnostic.code,
        "message": diagnostic.message,
        "file": start.file.as_deref().unwrap_or(file),
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
        "byte_start": diagnostic.span.start,
        "byte_end": diagnostic.span.end,
        "labels": labels,
        "notes": diagnostic.notes,
        "help": diagnostic.help,
    })
}
