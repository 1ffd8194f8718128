//! Shapes: the run-time test of a type written with structure (`type(array(number), e)`,
//! `type({name: string}, e)`), a constant that `TestShape` checks a value against in one
//! instruction. Kinds alone are `TestKind`; a shape goes into arrays, maps, tuples and records
//! (facts §4.4: a record assertion passes when the record has extra fields).

use super::error::LoadError;
use super::wire::{put_len, put_str, Reader, Wire};
use super::KindTest;

type Result<T> = std::result::Result<T, LoadError>;

/// How deep a shape may nest. Written types are shallow; the bound keeps decoding and
/// checking a hostile file's shape from exhausting the stack.
pub const MAX_SHAPE_DEPTH: usize = 32;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    /// Every value passes (`_`, `any`, a type variable).
    Any,
    Kind(KindTest),
    /// An array whose every element has the shape.
    Array(Box<Shape>),
    /// A map (or record) whose every value has the shape.
    Map(Box<Shape>),
    /// An array of exactly these elements.
    Tuple(Vec<Shape>),
    /// A map or record with at least these fields (sorted by name, no repeats).
    Record(Vec<(String, Shape)>),
    /// One of these cases (`null` for a null member).
    Cases(Vec<String>),
}

const ANY: u8 = 0;
const KIND: u8 = 1;
const ARRAY: u8 = 2;
const MAP: u8 = 3;
const TUPLE: u8 = 4;
const RECORD: u8 = 5;
const CASES: u8 = 6;

impl Shape {
    pub(crate) fn put(&self, out: &mut Vec<u8>) {
        match self {
            Shape::Any => out.push(ANY),
            Shape::Kind(k) => {
                out.push(KIND);
                k.put(out);
            }
            Shape::Array(s) | Shape::Map(s) => {
                out.push(if matches!(self, Shape::Array(_)) {
                    ARRAY
                } else {
                    MAP
                });
                s.put(out);
            }
            Shape::Tuple(items) => {
                out.push(TUPLE);
                put_len(out, items.len());
                for s in items {
                    s.put(out);
                }
            }
            Shape::Record(fields) => {
                out.push(RECORD);
                put_len(out, fields.len());
                for (name, s) in fields {
                    put_str(out, name);
                    s.put(out);
                }
            }
            Shape::Cases(names) => {
                out.push(CASES);
                put_len(out, names.len());
                for name in names {
                    put_str(out, name);
                }
            }
        }
    }

    /// Reads a shape nested at most [`MAX_SHAPE_DEPTH`] deep, its record fields sorted.
    pub(crate) fn get(r: &mut Reader<'_>, depth: usize) -> Result<Shape> {
        let at = r.offset();
        if depth >= MAX_SHAPE_DEPTH {
            return Err(LoadError::new(
                at,
                format!("shape nested deeper than {MAX_SHAPE_DEPTH}"),
            ));
        }
        let inner = |r: &mut Reader<'_>| Shape::get(r, depth + 1);
        Ok(match r.byte()? {
            ANY => Shape::Any,
            KIND => Shape::Kind(KindTest::get(r)?),
            ARRAY => Shape::Array(Box::new(inner(r)?)),
            MAP => Shape::Map(Box::new(inner(r)?)),
            TUPLE => {
                let n = r.count("tuple element")?;
                Shape::Tuple((0..n).map(|_| inner(r)).collect::<Result<_>>()?)
            }
            RECORD => {
                let n = r.count("record field")?;
                let fields: Vec<(String, Shape)> = (0..n)
                    .map(|_| Ok((r.string()?, inner(r)?)))
                    .collect::<Result<_>>()?;
                if fields.windows(2).any(|w| w[0].0 >= w[1].0) {
                    return Err(LoadError::new(
                        at,
                        "shape's record fields are not strictly sorted",
                    ));
                }
                Shape::Record(fields)
            }
            CASES => {
                let n = r.count("case")?;
                Shape::Cases((0..n).map(|_| r.string()).collect::<Result<_>>()?)
            }
            tag => return Err(LoadError::new(at, format!("unknown shape tag {tag}"))),
        })
    }
}

impl std::fmt::Display for Shape {
    /// In Mix type syntax, as the disassembler shows it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Shape::Any => write!(f, "_"),
            // As Mix writes them: a map or record of anything, an array of anything.
            Shape::Kind(KindTest::Object) => write!(f, "map(_)"),
            Shape::Kind(KindTest::Array) => write!(f, "array(_)"),
            Shape::Kind(k) => write!(f, "{}", format!("{k:?}").to_lowercase()),
            Shape::Array(s) => write!(f, "array({s})"),
            Shape::Map(s) => write!(f, "map({s})"),
            Shape::Tuple(items) => {
                let items: Vec<String> = items.iter().map(ToString::to_string).collect();
                write!(f, "[{}]", items.join(", "))
            }
            Shape::Record(fields) => {
                let fields: Vec<String> = fields.iter().map(|(n, s)| format!("{n}: {s}")).collect();
                write!(f, "{{{}}}", fields.join(", "))
            }
            Shape::Cases(names) => write!(f, "{}", names.join(" | ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_display_in_mix_type_syntax() {
        let shape = Shape::Record(vec![
            ("a".into(), Shape::Kind(KindTest::Object)),
            (
                "b".into(),
                Shape::Array(Box::new(Shape::Kind(KindTest::Array))),
            ),
            ("c".into(), Shape::Cases(vec!["some".into(), "null".into()])),
            (
                "d".into(),
                Shape::Tuple(vec![Shape::Any, Shape::Kind(KindTest::Number)]),
            ),
        ]);
        assert_eq!(
            shape.to_string(),
            "{a: map(_), b: array(array(_)), c: some | null, d: [_, number]}"
        );
    }
}
