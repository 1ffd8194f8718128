//! The database a running program sees through the `db` module: a record store of
//! `mix-store` (in memory unless the host opens one on disk).

/// One program's database connection.
pub struct Database {
    _private: (),
}

impl Database {
    /// A fresh, empty database in memory.
    pub fn in_memory() -> Database {
        Database { _private: () }
    }
}
