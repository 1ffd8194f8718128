//! EscJSON from hostile text: no panic, and accepted values round-trip exactly.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mix_store::escjson::{self, DecodeOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for legacy_refs in [false, true] {
        if let Ok(v) = escjson::from_str(text, DecodeOptions { legacy_refs }) {
            let again = escjson::from_str(&escjson::to_string(&v), DecodeOptions::default());
            assert_eq!(again.ok(), Some(v));
        }
    }
});
