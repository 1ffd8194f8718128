//! The sync protocol, in-process and over any byte stream (TCP, Unix sockets, pipes).
//!
//! Each side, concurrently: send `Hello{replica, vv}`; on the peer's `Hello`, send the
//! changes it lacks in `Changes` batches, then `Done`; apply every received batch (durably)
//! until the peer's `Done`; send `Ack(vv)`; record the peer's `Ack` as what it holds.

use super::codec::{read_message, write_message, Message, MAX_CHANGES};
use crate::crdt::{ReplicaId, VersionVector};
use crate::database::Database;
use crate::engine::{Put, Space};
use crate::error::{Result, StoreError};
use crate::wire::{seal, unseal, Reader, Writer};
use std::io::{Read, Write};
use std::sync::mpsc;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub peer: Option<ReplicaId>,
    pub sent: usize,
    pub received: usize,
}

impl Database {
    /// Record what a peer has acknowledged holding.
    pub fn record_peer_ack(&self, peer: ReplicaId, vv: &VersionVector) -> Result<()> {
        let mut w = Writer::new();
        vv.encode(&mut w);
        self.engine().write(
            vec![Put::set(
                Space::Peers,
                peer.0.to_be_bytes().to_vec(),
                seal(&w.finish()),
            )],
            true,
        )
    }

    /// What a peer last acknowledged holding.
    pub fn peer_ack(&self, peer: ReplicaId) -> Result<Option<VersionVector>> {
        match self.engine().get(Space::Peers, &peer.0.to_be_bytes())? {
            None => Ok(None),
            Some(b) => Ok(Some(VersionVector::decode(&mut Reader::new(unseal(
                "peers", &b,
            )?))?)),
        }
    }

    /// How many changes are queued for a peer (held here, not acknowledged there).
    pub fn pending_for(&self, peer: ReplicaId) -> Result<usize> {
        let acked = self.peer_ack(peer)?.unwrap_or_default();
        let mut n = 0;
        for c in self.changes_missing_from(&acked) {
            c?;
            n += 1;
        }
        Ok(n)
    }
}

/// Sync two stores in one process: afterwards both hold the same changes. Messages go
/// through the codec, as on a wire. Returns (changes a→b, changes b→a).
pub fn sync_in_process(a: &Database, b: &Database) -> Result<(usize, usize)> {
    let to_b = transfer(a, b)?;
    let to_a = transfer(b, a)?;
    a.record_peer_ack(b.replica_id(), &b.version_vector())?;
    b.record_peer_ack(a.replica_id(), &a.version_vector())?;
    Ok((to_b, to_a))
}

fn transfer(from: &Database, to: &Database) -> Result<usize> {
    let want = to.version_vector();
    let mut batch = Vec::new();
    let mut n = 0;
    for c in from.changes_missing_from(&want) {
        batch.push(c?);
        if batch.len() == MAX_CHANGES {
            n += deliver(to, std::mem::take(&mut batch))?;
        }
    }
    n += deliver(to, batch)?;
    Ok(n)
}

fn deliver(to: &Database, batch: Vec<crate::crdt::Change>) -> Result<usize> {
    if batch.is_empty() {
        return Ok(0);
    }
    let frame = Message::Changes(batch).encode();
    match Message::decode(&frame)? {
        Message::Changes(cs) => Ok(to.apply_remote(cs)?.applied),
        _ => Err(StoreError::Protocol(
            "codec returned the wrong message".into(),
        )),
    }
}

/// Run one sync session over a byte stream (both halves of a connection). The other end
/// runs `sync_stream` too.
pub fn sync_stream<R, W>(db: &Database, mut reader: R, mut writer: W) -> Result<SyncReport>
where
    R: Read + Send,
    W: Write + Send,
{
    let (peer_vv_tx, peer_vv_rx) = mpsc::channel::<Option<VersionVector>>();
    let (done_tx, done_rx) = mpsc::channel::<Option<VersionVector>>();
    std::thread::scope(|s| {
        let sender = s.spawn(move || -> Result<usize> {
            write_message(
                &mut writer,
                &Message::Hello {
                    replica: db.replica_id(),
                    vv: db.version_vector(),
                },
            )?;
            let Ok(Some(peer_vv)) = peer_vv_rx.recv() else {
                return Err(StoreError::Protocol("peer sent no Hello".into()));
            };
            let mut sent = 0;
            let mut batch = Vec::new();
            for c in db.changes_missing_from(&peer_vv) {
                batch.push(c?);
                if batch.len() == MAX_CHANGES {
                    sent += batch.len();
                    write_message(&mut writer, &Message::Changes(std::mem::take(&mut batch)))?;
                }
            }
            if !batch.is_empty() {
                sent += batch.len();
                write_message(&mut writer, &Message::Changes(batch))?;
            }
            write_message(&mut writer, &Message::Done)?;
            match done_rx.recv() {
                Ok(Some(vv)) => write_message(&mut writer, &Message::Ack(vv))?,
                _ => {
                    let _ =
                        write_message(&mut writer, &Message::Error("receiving side failed".into()));
                }
            }
            Ok(sent)
        });
        let mut receive = || -> Result<(ReplicaId, usize)> {
            let (peer, vv) = match read_message(&mut reader)? {
                Message::Hello { replica, vv } => (replica, vv),
                Message::Error(e) => return Err(StoreError::Protocol(format!("peer failed: {e}"))),
                other => {
                    return Err(StoreError::Protocol(format!(
                        "expected Hello, got {other:?}"
                    )))
                }
            };
            let _ = peer_vv_tx.send(Some(vv));
            let mut received = 0;
            loop {
                match read_message(&mut reader)? {
                    Message::Changes(cs) => received += db.apply_remote(cs)?.applied,
                    Message::Done => break,
                    Message::Error(e) => {
                        return Err(StoreError::Protocol(format!("peer failed: {e}")))
                    }
                    other => {
                        return Err(StoreError::Protocol(format!(
                            "unexpected message {other:?}"
                        )))
                    }
                }
            }
            let _ = done_tx.send(Some(db.version_vector()));
            match read_message(&mut reader)? {
                Message::Ack(vv) => db.record_peer_ack(peer, &vv)?,
                Message::Error(e) => return Err(StoreError::Protocol(format!("peer failed: {e}"))),
                other => return Err(StoreError::Protocol(format!("expected Ack, got {other:?}"))),
            }
            Ok((peer, received))
        };
        let res = receive();
        if res.is_err() {
            // unblock the sender
            let _ = peer_vv_tx.send(None);
            let _ = done_tx.send(None);
        }
        let sent = sender
            .join()
            .map_err(|_| StoreError::Protocol("sender thread panicked".into()))?;
        let (peer, received) = res?;
        Ok(SyncReport {
            peer: Some(peer),
            sent: sent?,
            received,
        })
    })
}
