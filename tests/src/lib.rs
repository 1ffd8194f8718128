//! End-to-end tests live in `tests/` of this crate; see the case files under `cases/`.
