//! Sync frames and stored changes from hostile bytes: decode must reject cleanly, and what it
//! accepts must re-encode to the same bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mix_store::crdt::Change;
use mix_store::sync::codec::{read_message, Message};

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Message::decode(data) {
        assert_eq!(Message::decode(&m.encode()).ok(), Some(m));
    }
    let _ = read_message(&mut &data[..]);
    if let Ok(c) = Change::from_bytes(data) {
        assert_eq!(Change::from_bytes(&c.to_bytes()).ok(), Some(c));
    }
});
