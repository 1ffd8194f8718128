//! The QCode loader on arbitrary bytes: must never panic, and whatever it accepts must be
//! canonical (re-encoding gives the same bytes) and load again to the same module.
//!
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run qcode_load -- -max_total_time=300 -jobs=1`
//!
//! Random bytes almost never pass the checksum, so the target also loads the input behind a
//! valid header (body length and CRC-32 fixed up): that reaches the section parser and the
//! verifier with every input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mix_runtime::qcode::checksum::crc32;
use mix_runtime::qcode::decode::{decode, decode_unverified};
use mix_runtime::qcode::disasm::disassemble;
use mix_runtime::qcode::encode::encode;
use mix_runtime::qcode::layout::HEADER_LEN;
use mix_runtime::qcode::{ABI_VERSION, FORMAT_VERSION, MAGIC};

fn check(bytes: &[u8]) {
    if let Ok(module) = decode_unverified(bytes) {
        // Disassembly must cope with unverified modules.
        let _ = disassemble(&module);
        assert_eq!(encode(&module), bytes, "accepted a non-canonical encoding");
    }
    if let Ok(module) = decode(bytes) {
        let again = encode(&module);
        assert_eq!(again, bytes, "accepted a non-canonical encoding");
        let reloaded = decode(&again).expect("a re-encoded module must load");
        // Compare the encodings rather than the modules: NaN constants are not equal to
        // themselves.
        assert_eq!(encode(&reloaded), again);
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    let mut sealed = Vec::with_capacity(HEADER_LEN + data.len());
    sealed.extend_from_slice(&MAGIC);
    sealed.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    sealed.extend_from_slice(&ABI_VERSION.to_le_bytes());
    sealed.extend_from_slice(&(data.len() as u32).to_le_bytes());
    sealed.extend_from_slice(&crc32(data).to_le_bytes());
    sealed.extend_from_slice(data);
    check(&sealed);
});
