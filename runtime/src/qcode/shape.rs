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
    /// One of these cases (`null` for a null member), each with its argument's shape.
    Cases(Vec<CaseShape>),
    /// The `Cases` shape `n` levels out (0: the innermost) among those whose case argument
    /// this is part of, checked again here: a recursive union (`lst(T) = nil | cons` with
    /// `cons {head: T, tail: lst(T)}`) tested all the way down its values.
    Again(u8),
}

/// A member of a [`Shape::Cases`]: the case's name and the shape its argument must have
/// (`Any`: not tested, as for a case without argument or one whose argument type has no
/// run-time test).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CaseShape {
    pub name: String,
    pub arg: Shape,
}

impl CaseShape {
    /// Membership only: the case, whatever its argument.
    pub fn named(name: impl Into<String>) -> CaseShape {
        CaseShape {
            name: name.into(),
            arg: Shape::Any,
        }
    }
}

const ANY: u8 = 0;
const KIND: u8 = 1;
const ARRAY: u8 = 2;
const MAP: u8 = 3;
const TUPLE: u8 = 4;
const RECORD: u8 = 5;
const CASES: u8 = 6;
const AGAIN: u8 = 7;

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
            Shape::Cases(cases) => {
                out.push(CASES);
                put_len(out, cases.len());
                for case in cases {
                    put_str(out, &case.name);
                    case.arg.put(out);
                }
            }
            Shape::Again(up) => {
                out.push(AGAIN);
                out.push(*up);
            }
        }
    }

    /// This shape with every part nested `depth` or more levels down replaced by `Any`: what
    /// the loader accepts ([`MAX_SHAPE_DEPTH`]) from a type nested deeper than that.
    pub fn limited(self, depth: usize) -> Shape {
        if depth <= 1 {
            return match self {
                Shape::Kind(_) | Shape::Any | Shape::Again(_) => self,
                _ => Shape::Any,
            };
        }
        let inner = |s: Shape| s.limited(depth - 1);
        match self {
            Shape::Any | Shape::Kind(_) | Shape::Again(_) => self,
            Shape::Array(s) => Shape::Array(Box::new(inner(*s))),
            Shape::Map(s) => Shape::Map(Box::new(inner(*s))),
            Shape::Tuple(items) => Shape::Tuple(items.into_iter().map(inner).collect()),
            Shape::Record(fields) => {
                Shape::Record(fields.into_iter().map(|(n, s)| (n, inner(s))).collect())
            }
            Shape::Cases(cases) => Shape::Cases(
                cases
                    .into_iter()
                    .map(|c| CaseShape {
                        name: c.name,
                        arg: inner(c.arg),
                    })
                    .collect(),
            ),
        }
    }

    /// Reads a shape nested at most [`MAX_SHAPE_DEPTH`] deep, its record fields sorted, each
    /// `Again` naming a `Cases` shape it is inside.
    pub(crate) fn get(r: &mut Reader<'_>, depth: usize) -> Result<Shape> {
        Shape::get_within(r, depth, 0)
    }

    /// [`Self::get`] inside the arguments of `cases` `Cases` shapes.
    fn get_within(r: &mut Reader<'_>, depth: usize, cases: usize) -> Result<Shape> {
        let at = r.offset();
        if depth >= MAX_SHAPE_DEPTH {
            return Err(LoadError::new(
                at,
                format!("shape nested deeper than {MAX_SHAPE_DEPTH}"),
            ));
        }
        let inner = |r: &mut Reader<'_>| Shape::get_within(r, depth + 1, cases);
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
                Shape::Cases(
                    (0..n)
                        .map(|_| {
                            Ok(CaseShape {
                                name: r.string()?,
                                arg: Shape::get_within(r, depth + 1, cases + 1)?,
                            })
                        })
                        .collect::<Result<_>>()?,
                )
            }
            AGAIN => {
                let up = r.byte()?;
                if usize::from(up) >= cases {
                    return Err(LoadError::new(
                        at,
                        format!("shape refers to case shape {up} levels out, inside {cases}"),
                    ));
                }
                Shape::Again(up)
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
            Shape::Cases(cases) => {
                let cases: Vec<String> = cases
                    .iter()
                    .map(|c| match &c.arg {
                        Shape::Any => c.name.clone(),
                        arg => format!("{}({arg})", c.name),
                    })
                    .collect();
                write!(f, "{}", cases.join(" | "))
            }
            // the enclosing union again, as a recursive type names itself
            Shape::Again(_) => write!(f, "…"),
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
            (
                "c".into(),
                Shape::Cases(vec![
                    CaseShape {
                        name: "some".into(),
                        arg: Shape::Kind(KindTest::Number),
                    },
                    CaseShape::named("null"),
                ]),
            ),
            (
                "d".into(),
                Shape::Tuple(vec![Shape::Any, Shape::Kind(KindTest::Number)]),
            ),
        ]);
        assert_eq!(
            shape.to_string(),
            "{a: map(_), b: array(array(_)), c: some(number) | null, d: [_, number]}"
        );
    }

    #[test]
    fn limited_shapes_end_in_any_at_the_depth() {
        let deep = (0..40).fold(Shape::Kind(KindTest::Number), |s, _| {
            Shape::Array(Box::new(s))
        });
        let limited = deep.limited(MAX_SHAPE_DEPTH);
        let mut depth = 0;
        let mut at = &limited;
        while let Shape::Array(inner) = at {
            depth += 1;
            at = inner;
        }
        assert_eq!((depth, at), (MAX_SHAPE_DEPTH - 1, &Shape::Any));
        // and the loader takes it back
        let mut bytes = Vec::new();
        limited.put(&mut bytes);
        let mut r = Reader::new(&bytes, 0);
        assert_eq!(Shape::get(&mut r, 0).unwrap(), limited);
    }
}
