//! Byte offsets to human positions, honouring `#line` / `#push` / `#pop` directives.

/// A position directive found by the lexer, applying from the line after `line_index`
/// (0-based physical line of the directive itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineDirective {
    /// `#line N "file"`: the next line is line N (of `file`, when given).
    Set {
        line_index: u32,
        line: u32,
        file: Option<String>,
    },
    /// `#push N "file"`: like `Set`, undone by the matching `Pop`.
    Push {
        line_index: u32,
        line: u32,
        file: Option<String>,
    },
    /// `#pop`: back to the mapping before the matching `Push`, continuing after the push line.
    Pop { line_index: u32 },
}

impl LineDirective {
    fn line_index(&self) -> u32 {
        match self {
            LineDirective::Set { line_index, .. }
            | LineDirective::Push { line_index, .. }
            | LineDirective::Pop { line_index } => *line_index,
        }
    }
}

/// Where an offset is, as a person reads it: 1-based line and column (column counts Unicode
/// scalar values), in `file` when a directive renamed it, else in the file being read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: Option<String>,
    pub line: u32,
    pub column: u32,
}

/// One stretch of physical lines sharing a mapping: physical line `p >= from` is logical line
/// `first_logical + (p - from)` of `file`.
#[derive(Clone, Debug)]
struct Segment {
    from: u32,
    first_logical: u32,
    file: Option<String>,
}

impl Segment {
    fn logical(&self, physical: u32) -> u32 {
        self.first_logical + (physical - self.from)
    }
}

#[derive(Clone, Debug)]
pub struct LineMap {
    line_starts: Vec<u32>,
    segments: Vec<Segment>,
}

impl LineMap {
    pub fn new(source: &str, directives: &[LineDirective]) -> LineMap {
        let mut line_starts = vec![0u32];
        line_starts.extend(
            source
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        );
        LineMap {
            line_starts,
            segments: build_segments(directives),
        }
    }

    /// 0-based physical line and the byte offset where it starts.
    fn physical_line(&self, offset: u32) -> (u32, u32) {
        let index = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        (index as u32, self.line_starts[index])
    }

    /// The physical (unmapped) 1-based line and column of `offset`.
    pub fn physical_location(&self, source: &str, offset: u32) -> (u32, u32) {
        let offset = offset.min(source.len() as u32);
        let (line, start) = self.physical_line(offset);
        let column = column_of(source, start, offset);
        (line + 1, column)
    }

    /// The location diagnostics report for `offset`, with directives applied.
    pub fn location(&self, source: &str, offset: u32) -> Location {
        let offset = offset.min(source.len() as u32);
        let (physical, start) = self.physical_line(offset);
        let column = column_of(source, start, offset);
        let segment_index = self.segments.partition_point(|s| s.from <= physical);
        match segment_index.checked_sub(1).map(|i| &self.segments[i]) {
            Some(segment) => Location {
                file: segment.file.clone(),
                line: segment.logical(physical),
                column,
            },
            None => Location {
                file: None,
                line: physical + 1,
                column,
            },
        }
    }

    pub fn has_directives(&self) -> bool {
        !self.segments.is_empty()
    }
}

fn column_of(source: &str, line_start: u32, offset: u32) -> u32 {
    // Offsets inside a multi-byte character count as that character.
    let bytes = &source.as_bytes()[line_start as usize..offset as usize];
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count() as u32 + 1
}

fn build_segments(directives: &[LineDirective]) -> Vec<Segment> {
    let mut segments: Vec<Segment> = Vec::new();
    // Each pushed entry remembers the mapping to resume and the physical line it resumes at.
    let mut stack: Vec<(Option<Segment>, u32)> = Vec::new();
    let current = |segments: &Vec<Segment>| segments.last().cloned();
    let mut ordered: Vec<&LineDirective> = directives.iter().collect();
    ordered.sort_by_key(|d| d.line_index());
    for directive in ordered {
        let next = directive.line_index() + 1;
        match directive {
            LineDirective::Set { line, file, .. } => {
                let file = file
                    .clone()
                    .or_else(|| current(&segments).and_then(|s| s.file));
                segments.push(Segment {
                    from: next,
                    first_logical: *line,
                    file,
                });
            }
            LineDirective::Push {
                line,
                file,
                line_index,
            } => {
                stack.push((current(&segments), *line_index + 1));
                segments.push(Segment {
                    from: next,
                    first_logical: *line,
                    file: file.clone(),
                });
            }
            LineDirective::Pop { .. } => {
                let Some((outer, resume_physical)) = stack.pop() else {
                    continue; // an unmatched #pop is reported by the lexer
                };
                let first_logical = match &outer {
                    Some(segment) => segment.logical(resume_physical),
                    None => resume_physical + 1,
                };
                let file = outer.and_then(|s| s.file);
                segments.push(Segment {
                    from: next,
                    first_logical,
                    file,
                });
            }
        }
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "a\nbé c\n#line 40 \"gen.mix\"\nx\ny\n#push 1 \"inc.mix\"\ni\n#pop\nz\n";

    fn directives() -> Vec<LineDirective> {
        vec![
            LineDirective::Set {
                line_index: 2,
                line: 40,
                file: Some("gen.mix".into()),
            },
            LineDirective::Push {
                line_index: 5,
                line: 1,
                file: Some("inc.mix".into()),
            },
            LineDirective::Pop { line_index: 7 },
        ]
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let map = LineMap::new(SRC, &[]);
        let c = SRC.find('c').unwrap() as u32;
        assert_eq!(
            map.location(SRC, c),
            Location {
                file: None,
                line: 2,
                column: 4
            }
        );
    }

    #[test]
    fn line_directive_renames_and_renumbers() {
        let map = LineMap::new(SRC, &directives());
        let x = SRC.find("\nx\n").unwrap() as u32 + 1;
        let y = SRC.find('y').unwrap() as u32;
        assert_eq!(
            map.location(SRC, x),
            Location {
                file: Some("gen.mix".into()),
                line: 40,
                column: 1
            }
        );
        assert_eq!(map.location(SRC, y).line, 41);
    }

    #[test]
    fn push_and_pop_nest() {
        let map = LineMap::new(SRC, &directives());
        let i = SRC.find("\ni\n").unwrap() as u32 + 1;
        let z = SRC.find('z').unwrap() as u32;
        assert_eq!(
            map.location(SRC, i),
            Location {
                file: Some("inc.mix".into()),
                line: 1,
                column: 1
            }
        );
        // After #pop the outer mapping resumes as if the pushed block were one line.
        assert_eq!(
            map.location(SRC, z),
            Location {
                file: Some("gen.mix".into()),
                line: 43,
                column: 1
            }
        );
    }
}
