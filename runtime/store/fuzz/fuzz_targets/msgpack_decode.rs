//! MessagePack from hostile bytes: no panic, and accepted values round-trip.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mix_store::msgpack;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = msgpack::decode(data) {
        assert_eq!(msgpack::decode(&msgpack::encode(&v)).ok(), Some(v));
    }
});
