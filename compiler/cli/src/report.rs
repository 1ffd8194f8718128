//! Printing diagnostics: rendered excerpts for people (coloured on a terminal), one JSON object
//! per line for tools.

use std::io::{IsTerminal, Write};

use clap::ValueEnum;
use mix_diagnostics::{
    render_terminal, to_json, Diagnostic, LineDirective, LineMap, RenderOptions,
};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum MessageFormat {
    #[default]
    Human,
    Json,
}

pub struct Reporter {
    format: MessageFormat,
    color: bool,
    pub errors: usize,
    pub warnings: usize,
}

impl Reporter {
    pub fn new(format: MessageFormat) -> Reporter {
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Reporter {
            format,
            color,
            errors: 0,
            warnings: 0,
        }
    }

    pub fn report(
        &mut self,
        file: &str,
        source: &str,
        directives: &[LineDirective],
        diagnostics: &[Diagnostic],
    ) {
        if diagnostics.is_empty() {
            return;
        }
        let lines = LineMap::new(source, directives);
        for diagnostic in diagnostics {
            if diagnostic.is_error() {
                self.errors += 1;
            } else {
                self.warnings += 1;
            }
            match self.format {
                MessageFormat::Json => {
                    let value = to_json(diagnostic, file, source, &lines);
                    // A closed pipe (`mixc check … | head`) is not an error of ours.
                    let _ = writeln!(std::io::stdout().lock(), "{value}");
                }
                MessageFormat::Human => {
                    let text = render_terminal(
                        diagnostic,
                        file,
                        source,
                        &lines,
                        RenderOptions { color: self.color },
                    );
                    let _ = std::io::stderr().write_all(text.as_bytes());
                }
            }
        }
    }

    /// A source that was not UTF-8: its diagnostic, shown against the text with invalid bytes
    /// replaced.
    pub fn invalid(&mut self, file: &str, invalid: &crate::input::InvalidText) {
        self.report(
            file,
            &invalid.lossy,
            &[],
            std::slice::from_ref(&invalid.diagnostic),
        );
    }

    /// The closing summary people see (nothing in JSON mode, where stdout is for tools).
    pub fn summary(&self) {
        if self.format == MessageFormat::Human && (self.errors > 0 || self.warnings > 0) {
            eprintln!("{} error(s), {} warning(s)", self.errors, self.warnings);
        }
    }
}
