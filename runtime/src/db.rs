//! The database a running program sees through the `db` module: record stores of `mix-store`
//! (in memory unless the host opens the main one on disk), and the conversions between run-time
//! values and store values.
//!
//! A program has one main database (`null`, `db.mainDB`) and, by name, the other databases of
//! facts §6.1 (`db.appDB(n)`, `db.localInMemDB(n)`, `db.globalInMemDB(n)`, `minidb.DB`): in this
//! single-process runtime those are stores in memory, created on first use and gone when the
//! program ends. `db.remoteDB(url, n)` needs a server and is refused when used.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use mix_store::value::Value as SValue;
use mix_store::Options;

use crate::error::{RtError, RtResult};
use crate::value::{Case, Obj, Value};

/// One program's database connection.
pub struct Database {
    main: Option<mix_store::Database>,
    /// Where the main store lives on disk (`None`: in memory).
    path: Option<PathBuf>,
    /// The named databases, by `scope:name`.
    named: BTreeMap<String, mix_store::Database>,
}

/// Which database a designator value names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    Main,
    /// A named database in memory (`app:n`, `session:n`, `global:n`, `minidb`).
    Named(String),
    /// `db.remoteDB(url, name)`: needs a server.
    Remote {
        url: String,
        name: String,
    },
}

impl Database {
    /// A fresh, empty database in memory.
    pub fn in_memory() -> Database {
        Database {
            main: None,
            path: None,
            named: BTreeMap::new(),
        }
    }

    /// The main database on disk at `path` (a fjall store, created when the directory holds
    /// none yet).
    pub fn open(path: impl AsRef<Path>) -> Result<Database, String> {
        let path = path.as_ref();
        let store = mix_store::Database::open_or_create(path, Options::default())
            .map_err(|e| format!("cannot open the database at {}: {e}", path.display()))?;
        Ok(Database {
            main: Some(store),
            path: Some(path.to_path_buf()),
            named: BTreeMap::new(),
        })
    }

    /// Where the main database is stored (`None` when it is in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The store a selector names (created in memory on first use).
    pub fn store(&mut self, sel: &Selector) -> RtResult<&mix_store::Database> {
        let fresh = || {
            mix_store::Database::memory(Options::default())
                .map_err(|e| RtError::runtime(format!("cannot create a database: {e}")))
        };
        match sel {
            Selector::Main => {
                if self.main.is_none() {
                    self.main = Some(fresh()?);
                }
                Ok(self.main.as_ref().expect("just created"))
            }
            Selector::Named(name) => {
                if !self.named.contains_key(name) {
                    let s = fresh()?;
                    self.named.insert(name.clone(), s);
                }
                Ok(&self.named[name])
            }
            Selector::Remote { url, name } => Err(RtError::runtime(format!(
                "db: the remote database {name:?} at {url:?} needs a server (db.remoteDB is \
                 not available in this runtime)"
            ))),
        }
    }

    /// Closes the stores cleanly (flushes an on-disk main store so the next open replays
    /// nothing).
    pub fn close(self) -> Result<(), String> {
        if let Some(main) = self.main {
            main.close().map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

/// The selector of a database designator (facts §6.1): `null` is the main database; maps
/// `{"type": "rmx", "scope": …, "db": …}`, `{"type": "rmx_remote", …}`, `{"type": "minidb"}`.
pub fn selector(name: &str, v: &Value) -> RtResult<Selector> {
    let bad = || {
        RtError::runtime(format!(
            "{name}: expected a database (null, db.mainDB, db.appDB(name), …), got {}",
            crate::print::literal(v)
        ))
    };
    let m = match v {
        Value::Null => return Ok(Selector::Main),
        Value::Obj(m) => m,
        _ => return Err(bad()),
    };
    let field = |k: &str| m.get(k).and_then(Value::as_str);
    match field("type") {
        Some("rmx") => match (field("scope"), field("db")) {
            (Some("main") | None, None) => Ok(Selector::Main),
            (Some(scope), Some(db)) => Ok(Selector::Named(format!("{scope}:{db}"))),
            _ => Err(bad()),
        },
        Some("rmx_remote") => Ok(Selector::Remote {
            url: field("url").unwrap_or_default().to_string(),
            name: field("db").unwrap_or_default().to_string(),
        }),
        Some("minidb") => Ok(Selector::Named("minidb".into())),
        _ => Err(bad()),
    }
}

/// A designator value: `{"type": "rmx", "scope": scope}` plus the given fields.
pub fn designator(fields: &[(&str, Value)]) -> Value {
    let mut m = Obj::new();
    for (k, v) in fields {
        m.insert(Rc::from(*k), v.clone());
    }
    Value::obj(m)
}

/// A run-time value as a store value: `data` only (`undefined`, functions, streams and host
/// objects cannot be stored). `what` names the context for the error.
pub fn to_store(v: &Value, what: &str) -> RtResult<SValue> {
    Ok(match v {
        Value::Null => SValue::Null,
        Value::Bool(b) => SValue::Bool(*b),
        Value::Int(i) => SValue::Int(*i),
        Value::Float(f) => SValue::Float(*f),
        Value::Str(s) => SValue::String(s.to_string()),
        Value::Ref(id) => SValue::Ref(id.to_string()),
        Value::Binary(b) => SValue::Binary(b.to_vec()),
        Value::Array(items) => SValue::Array(
            items
                .iter()
                .map(|x| to_store(x, what))
                .collect::<RtResult<_>>()?,
        ),
        Value::Obj(m) => {
            let mut out = BTreeMap::new();
            for (k, x) in m.iter() {
                out.insert(k.to_string(), to_store(x, what)?);
            }
            SValue::Map(out)
        }
        Value::Case(c) => SValue::Case(
            c.name.to_string(),
            match &c.arg {
                Some(a) => Some(Box::new(to_store(a, what)?)),
                None => None,
            },
        ),
        Value::Undefined => {
            return Err(RtError::runtime(format!(
                "cannot store undefined in {what}"
            )))
        }
        other => {
            return Err(RtError::runtime(format!(
                "cannot store a {} in {what} (only data can be stored)",
                other.kind()
            )))
        }
    })
}

/// A store value as a run-time value.
pub fn from_store(v: SValue) -> Value {
    match v {
        SValue::Null => Value::Null,
        SValue::Bool(b) => Value::Bool(b),
        SValue::Int(i) => Value::Int(i),
        SValue::Float(f) => Value::Float(f),
        SValue::String(s) => Value::str(s),
        SValue::Ref(id) => Value::Ref(Rc::new(id)),
        SValue::Binary(b) => Value::Binary(Rc::new(b)),
        SValue::Array(items) => Value::array(items.into_iter().map(from_store).collect()),
        SValue::Map(m) => Value::obj(Obj::from_sorted(
            m.into_iter()
                .map(|(k, x)| (Rc::from(k.as_str()), from_store(x)))
                .collect(),
        )),
        SValue::Case(name, arg) => Value::Case(Rc::new(Case {
            name: Rc::from(name.as_str()),
            arg: arg.map(|a| from_store(*a)),
        })),
    }
}

/// A run-time value as (Esc)JSON, for query-AST nodes.
pub fn to_json(v: &Value, what: &str) -> RtResult<serde_json::Value> {
    Ok(mix_store::escjson::to_json(&to_store(v, what)?))
}

/// (Esc)JSON as a run-time value.
pub fn from_json(j: &serde_json::Value) -> RtResult<Value> {
    mix_store::escjson::from_json(j, Default::default())
        .map(from_store)
        .map_err(|e| RtError::runtime(format!("invalid query AST: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_through_the_store_form() {
        let mut m = Obj::new();
        m.insert(Rc::from("b"), Value::Float(2.5));
        m.insert(Rc::from("a"), Value::Int(1));
        m.insert(Rc::from("r"), Value::Ref(Rc::new("x".into())));
        m.insert(Rc::from("c"), Value::case("some", Some(Value::str("s"))));
        m.insert(
            Rc::from("l"),
            Value::array(vec![Value::Null, Value::Bool(true)]),
        );
        let v = Value::obj(m);
        let back = from_store(to_store(&v, "a test").unwrap());
        assert_eq!(back, v);
        assert_eq!(crate::print::literal(&back), crate::print::literal(&v));
        assert!(to_store(&Value::Undefined, "the database")
            .unwrap_err()
            .message
            .contains("undefined"));
    }

    #[test]
    fn designators_select_databases() {
        assert_eq!(selector("t", &Value::Null).unwrap(), Selector::Main);
        let main = designator(&[("type", Value::str("rmx")), ("scope", Value::str("main"))]);
        assert_eq!(selector("t", &main).unwrap(), Selector::Main);
        let app = designator(&[
            ("type", Value::str("rmx")),
            ("scope", Value::str("app")),
            ("db", Value::str("x")),
        ]);
        assert_eq!(
            selector("t", &app).unwrap(),
            Selector::Named("app:x".into())
        );
        assert!(selector("t", &Value::Int(1)).is_err());
        let mut db = Database::in_memory();
        assert!(db.store(&Selector::Main).is_ok());
        let remote = Selector::Remote {
            url: "u".into(),
            name: "n".into(),
        };
        assert!(db.store(&remote).is_err());
    }

    #[test]
    fn an_on_disk_database_keeps_its_records() {
        let dir = std::env::temp_dir().join(format!("mix-runtime-db-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let id = {
            let mut db = Database::open(&dir).unwrap();
            let store = db.store(&Selector::Main).unwrap();
            let rec = mix_store::value::map_of([("a", SValue::Int(1))]);
            let id = store.save(rec).unwrap();
            db.close().unwrap();
            id
        };
        let mut db = Database::open(&dir).unwrap();
        let rec = db
            .store(&Selector::Main)
            .unwrap()
            .get(&id)
            .unwrap()
            .unwrap();
        assert_eq!(rec.get_path(&["a".into()]), Some(&SValue::Int(1)));
        drop(db);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
