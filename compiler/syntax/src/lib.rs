//! Mix syntax.
