//! Reading the sources a command was given: files, directories (every `*.mix` below them, in
//! sorted order) and `-` for standard input.

use std::io::Read;
use std::path::{Path, PathBuf};

use mix_diagnostics::{Diagnostic, Span};
use mix_syntax::codes;

/// One source text to work on. When the bytes are not UTF-8, `text` holds the diagnostic and
/// the text with invalid bytes replaced, so the diagnostic can still show its place.
pub struct Input {
    pub name: String,
    pub path: Option<PathBuf>,
    pub text: Result<String, Box<InvalidText>>,
}

/// Bytes that are not UTF-8: the diagnostic, and the text with invalid bytes replaced.
pub struct InvalidText {
    pub diagnostic: Diagnostic,
    pub lossy: String,
}

/// Expands the command line's paths, or prints why it cannot (naming the path) and gives the
/// exit code the command should end with.
pub fn load(paths: &[String]) -> Result<Vec<Input>, std::process::ExitCode> {
    collect(paths).map_err(|message| {
        eprintln!("error: {message}");
        std::process::ExitCode::from(2)
    })
}

/// The (name, text) of every source the paths name, and of the files their imports reach
/// (see `imports`); a source that is not UTF-8 is reported and left out.
pub fn texts(
    paths: &[String],
    reporter: &mut crate::report::Reporter,
) -> Result<Vec<(String, String)>, std::process::ExitCode> {
    let mut texts = Vec::new();
    for input in load(paths)? {
        match input.text {
            Ok(source) => texts.push((input.name, source)),
            Err(invalid) => reporter.invalid(&input.name, &invalid),
        }
    }
    crate::imports::add_imported_files(&mut texts);
    Ok(texts)
}

/// Expands the command line's paths. Errors name the path and stop the command.
fn collect(paths: &[String]) -> Result<Vec<Input>, String> {
    let mut inputs = Vec::new();
    for path in paths {
        if path == "-" {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            inputs.push(Input {
                name: "<stdin>".into(),
                path: None,
                text: decode(bytes),
            });
            continue;
        }
        let p = Path::new(path);
        if p.is_dir() {
            let mut files = Vec::new();
            find_mix_files(p, &mut files)
                .map_err(|e| format!("cannot read directory {path}: {e}"))?;
            files.sort();
            for file in files {
                inputs.push(read_file(&file)?);
            }
        } else {
            inputs.push(read_file(p)?);
        }
    }
    Ok(inputs)
}

fn read_file(path: &Path) -> Result<Input, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(Input {
        name: path.display().to_string(),
        path: Some(path.to_path_buf()),
        text: decode(bytes),
    })
}

fn find_mix_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            find_mix_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "mix") {
            out.push(path);
        }
    }
    Ok(())
}

fn decode(bytes: Vec<u8>) -> Result<String, Box<InvalidText>> {
    String::from_utf8(bytes).map_err(|e| {
        // The valid prefix is the same in the replaced text, so the offset is exact there; a
        // point span stays on a character boundary whatever follows.
        let at = e.utf8_error().valid_up_to() as u32;
        let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
        let diagnostic = Diagnostic::error(
            codes::INVALID_UTF8,
            "source is not valid UTF-8",
            Span::point(at),
        )
        .with_help("Mix sources must be UTF-8; re-save the file with UTF-8 encoding");
        Box::new(InvalidText { diagnostic, lossy })
    })
}
