//! The fixed numbers of the `.qc` container, shared by the encoder and the decoder (the
//! instruction opcodes live in `opcode.rs`). Described in `docs/qcode.md`.

/// Magic (4), format version (u16), ABI version (u16), body length (u32), CRC-32 of the body
/// (u32); all little-endian.
pub const HEADER_LEN: usize = 16;
pub(crate) const FORMAT_AT: usize = 4;
pub(crate) const ABI_AT: usize = 6;
pub(crate) const BODY_LEN_AT: usize = 8;
pub(crate) const CHECKSUM_AT: usize = 12;

/// The sections of the body, in their required order; a section's id is its index + 1.
pub(crate) const SECTIONS: [&str; 6] = [
    "constants",
    "files",
    "natives",
    "functions",
    "globals",
    "exports",
];

/// Constant-pool entry tags.
pub(crate) const CONST_INT: u8 = 0;
pub(crate) const CONST_FLOAT: u8 = 1;
pub(crate) const CONST_STR: u8 = 2;
pub(crate) const CONST_KEYS: u8 = 3;
pub(crate) const CONST_REGEX: u8 = 4;
pub(crate) const CONST_SHAPE: u8 = 5;

/// Export kinds.
pub(crate) const EXPORT_FUNCTION: u8 = 0;
pub(crate) const EXPORT_GLOBAL: u8 = 1;
