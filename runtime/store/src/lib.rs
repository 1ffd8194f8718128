//! The Mix record store (issue 5).
