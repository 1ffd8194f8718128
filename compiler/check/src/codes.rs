//! Stable codes of type-checker diagnostics (documented in docs/errors.md).

pub const UNKNOWN_NAME: &str = "E0200";
pub const TYPE_MISMATCH: &str = "E0201";
pub const PLUS_IMPOSSIBLE: &str = "E0202";
pub const NOT_A_FUNCTION: &str = "E0203";
pub const UNKNOWN_TYPE: &str = "E0204";
pub const DUPLICATE_DEFINITION: &str = "E0205";
pub const NON_PRODUCTIVE_TYPE: &str = "E0206";
pub const VAR_CAPTURED: &str = "E0207";
pub const UNKNOWN_MODULE: &str = "E0208";
pub const UNKNOWN_CASE: &str = "E0209";
pub const STRING_FOR_REF: &str = "E0210";
pub const ASSIGN_TO_IMMUTABLE: &str = "E0211";
pub const SIGNATURE_MISMATCH: &str = "E0212";
pub const MODULE_CYCLE: &str = "E0213";
pub const NOT_CONSTANT: &str = "E0214";
pub const DUPLICATE_MODULE: &str = "E0215";
pub const NARROWING_NOT_WRITTEN: &str = "E0216";
pub const TOO_MANY_ARGUMENTS: &str = "E0217";
pub const CASE_TAKES_ONE_ARGUMENT: &str = "E0218";

pub const NOT_CHECKED_YET: &str = "W0200";
pub const INTERFACE_ONLY: &str = "W0201";
pub const DEPRECATED: &str = "W0202";
pub const NON_EXHAUSTIVE: &str = "W0203";
pub const UNREACHABLE_ARM: &str = "W0204";
pub const DATA_NARROWED: &str = "W0205";
pub const PRAGMA: &str = "W0206";
pub const ASSERTION_NEVER_PASSES: &str = "W0207";
pub const CASE_NAME_BOUND: &str = "W0208";
pub const NEAR_MISS_TYPE: &str = "W0209";
pub const DISCARDED_VALUE: &str = "W0210";
pub const REPEATED_FIELD: &str = "W0211";
