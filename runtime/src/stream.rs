//! Lazy streams. A stream value is an immutable description of a sequence; iterating it makes a
//! cursor, so the same stream can be consumed twice and an infinite one is fine as long as the
//! consumer stops.

use std::rc::Rc;

use crate::error::RtResult;
use crate::native::Host;
use crate::value::Value;

pub enum Stream {
    Empty,
    /// A single value (what `++` wraps a plain value into).
    Once(Value),
    /// Elements `start..end` of an array (`a[]`, `a[p..q]`).
    Slice {
        items: Rc<Vec<Value>>,
        start: usize,
        end: usize,
    },
    /// `a ++ b`
    Append(Rc<Stream>, Rc<Stream>),
}

impl Stream {
    pub fn of_array(items: Rc<Vec<Value>>) -> Stream {
        let end = items.len();
        Stream::Slice {
            items,
            start: 0,
            end,
        }
    }

    /// A value as a stream: streams as they are, anything else as a one-element stream.
    pub fn wrap(v: Value) -> Rc<Stream> {
        match v {
            Value::Stream(s) => s,
            other => Rc::new(Stream::Once(other)),
        }
    }

    pub fn cursor(self: &Rc<Self>) -> Cursor {
        Cursor {
            stack: vec![Frame::new(self.clone())],
        }
    }
}

/// Iteration state over a stream.
pub struct Cursor {
    stack: Vec<Frame>,
}

struct Frame {
    stream: Rc<Stream>,
    position: usize,
}

impl Frame {
    fn new(stream: Rc<Stream>) -> Frame {
        Frame {
            stream,
            position: 0,
        }
    }
}

impl Cursor {
    /// The next element, or `None` at the end.
    pub fn next(&mut self, _host: &mut dyn Host) -> RtResult<Option<Value>> {
        while let Some(top) = self.stack.last_mut() {
            let stream = top.stream.clone();
            match &*stream {
                Stream::Empty => {
                    self.stack.pop();
                }
                Stream::Once(v) => {
                    if top.position == 0 {
                        top.position = 1;
                        return Ok(Some(v.clone()));
                    }
                    self.stack.pop();
                }
                Stream::Slice { items, start, end } => {
                    let i = start + top.position;
                    if i < *end && i < items.len() {
                        top.position += 1;
                        return Ok(Some(items[i].clone()));
                    }
                    self.stack.pop();
                }
                Stream::Append(a, b) => {
                    let (a, b) = (a.clone(), b.clone());
                    self.stack.pop();
                    self.stack.push(Frame::new(b));
                    self.stack.push(Frame::new(a));
                }
            }
        }
        Ok(None)
    }
}
