//! The one diagnostic type every phase of the Mix toolchain reports in, and the one place it is
//! rendered: for terminals (ariadne), for tools (JSON lines), and (later) for editors.
//!
//! Phases keep their own error enums and convert them into [`Diagnostic`]; nothing outside this
//! crate formats a diagnostic for display.

mod diagnostic;
mod json;
mod line_map;
mod render;
mod span;

pub use diagnostic::{Diagnostic, Label, Severity};
pub use json::to_json;
pub use line_map::{LineDirective, LineMap, Location};
pub use render::{render_terminal, RenderOptions};
pub use span::Span;
