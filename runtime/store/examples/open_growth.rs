//! Diagnostic: how open time and file count evolve over repeated open/write/checkpoint cycles.
use mix_store::value::{map_of, Value};
use mix_store::{Database, Options};
use std::time::Instant;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/open_growth".into());
    let _ = std::fs::remove_dir_all(&dir);
    drop(Database::create(dir.as_ref(), Options::default()).unwrap());
    for cycle in 0..30 {
        let t = Instant::now();
        let raw = mix_store::engine::fjall_engine::FjallStore::open(dir.as_ref()).unwrap();
        let raw_open = t.elapsed();
        drop(raw);
        let t = Instant::now();
        let db = Database::open(dir.as_ref(), Options::default()).unwrap();
        let open = t.elapsed();
        print!("raw {raw_open:?} ");
        for i in 0..30 {
            db.save(map_of([("c", Value::Int(cycle)), ("i", Value::Int(i))]))
                .unwrap();
        }
        let files = db.engine().data_files().len();
        db.close().unwrap();
        println!("cycle {cycle}: open {open:?}, files {files}");
    }
}
