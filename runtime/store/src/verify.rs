//! Verification: read every key of every space, check each stored value's checksum and
//! decode it. Damage is reported per key (or per unreadable stretch of a space); everything
//! else stays readable.

use crate::crdt::VersionVector;
use crate::database::Database;
use crate::engine::{Space, Store};
use crate::keys;
use crate::wire::{unseal, Reader};
use std::ops::Bound;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    pub space: &'static str,
    /// The damaged key (hex), or the last good key before an unreadable stretch.
    pub key: String,
    pub detail: String,
}

#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    pub checked: u64,
    pub damaged: Vec<Damage>,
}

impl VerifyReport {
    pub fn is_clean(&self) -> bool {
        self.damaged.is_empty()
    }
}

fn hex(k: &[u8]) -> String {
    let printable = k.iter().all(|b| b.is_ascii_graphic() || *b == b' ');
    if printable {
        String::from_utf8_lossy(k).into_owned()
    } else {
        k.iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn check_value(space: Space, key: &[u8], value: &[u8]) -> Result<(), String> {
    let name = space.name();
    let r = match space {
        Space::Meta => match key {
            b"format" | b"replica" => Ok(()),
            b"vv" => unseal(name, value)
                .and_then(|p| VersionVector::decode(&mut Reader::new(p)).map(|_| ())),
            _ => unseal(name, value).map(|_| ()),
        },
        Space::Changes => keys::decode_change_run(key, value).map(|_| ()),
        Space::Records => keys::parse_record(key, value).and_then(|rec| {
            crate::record::validate_id(rec.id)?;
            rec.state().map(|_| ())
        }),
        Space::Revisions => keys::decode_revision(key, value).map(|_| ()),
        Space::Index => {
            if value.is_empty() {
                Ok(())
            } else {
                Err(crate::StoreError::Corrupt {
                    space: name,
                    detail: "index entry with a value".into(),
                })
            }
        }
        Space::BySeq => {
            std::str::from_utf8(value)
                .map(|_| ())
                .map_err(|_| crate::StoreError::Corrupt {
                    space: name,
                    detail: "record id is not UTF-8".into(),
                })
        }
        Space::Peers => unseal(name, value).map(|_| ()),
    };
    r.map_err(|e| e.to_string())
}

/// Verify every space of an engine.
pub fn verify_store(store: &dyn Store) -> VerifyReport {
    let mut report = VerifyReport::default();
    for space in Space::ALL {
        let mut from: Bound<Vec<u8>> = Bound::Unbounded;
        let mut restarts = 0;
        'scan: loop {
            let mut last: Option<Vec<u8>> = None;
            for kv in store.scan(space, from.clone(), Bound::Unbounded, false) {
                match kv {
                    Ok((k, v)) => {
                        report.checked += 1;
                        if let Err(detail) = check_value(space, &k, &v) {
                            report.damaged.push(Damage {
                                space: space.name(),
                                key: hex(&k),
                                detail,
                            });
                        }
                        last = Some(k);
                    }
                    Err(e) => {
                        let key = last.as_deref().map(hex).unwrap_or_else(|| "(start)".into());
                        report.damaged.push(Damage {
                            space: space.name(),
                            key,
                            detail: format!("unreadable: {e}"),
                        });
                        // resume after the last good key; give up on this space after repeated
                        // failures at the same place
                        restarts += 1;
                        if restarts > 3 {
                            break 'scan;
                        }
                        match last {
                            Some(k) => {
                                let mut next = k;
                                next.push(0);
                                from = Bound::Included(next);
                            }
                            None => break 'scan,
                        }
                        continue 'scan;
                    }
                }
            }
            break;
        }
    }
    report
}

impl Database {
    pub fn verify(&self) -> VerifyReport {
        verify_store(self.engine())
    }
}
