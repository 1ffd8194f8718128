//! Stable codes of syntax diagnostics (documented in docs/errors.md). Tests match on these.

pub const INVALID_CHARACTER: &str = "E0001";
pub const UNTERMINATED_STRING: &str = "E0002";
pub const INVALID_ESCAPE: &str = "E0003";
pub const UNTERMINATED_COMMENT: &str = "E0004";
pub const BAD_NUMBER: &str = "E0005";
pub const BAD_DIRECTIVE: &str = "E0006";
pub const INVALID_UTF8: &str = "E0007";
pub const SOURCE_TOO_LARGE: &str = "E0009";
pub const TOO_DEEP: &str = "E0010";
pub const UNEXPECTED_TOKEN: &str = "E0100";
pub const UNEXPECTED_EOF: &str = "E0101";
pub const INVALID_PATTERN: &str = "E0102";
pub const PATTERN_ONLY: &str = "E0103";
pub const INVALID_ASSIGN_TARGET: &str = "E0104";
pub const PRIMITIVE_OUTSIDE_STDLIB: &str = "E0105";
pub const PAREN_LIST: &str = "E0106";
pub const BAD_ARM: &str = "E0107";
pub const BAD_LET_TARGET: &str = "E0108";
pub const CHAINED_COMPARISON: &str = "E0109";
