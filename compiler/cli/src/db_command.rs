//! `mixc db …` and `mixc query --parse`: the command line of the record store (mix-store).
//! Every failure is a message on stderr and a non-zero exit, never a panic.

use mix_store::escjson::{self, DecodeOptions};
use mix_store::export;
use mix_store::query::{self, QueryOptions};
use mix_store::{Database, Options, StoreError};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum DbCommand {
    /// Create a new, empty store in DIR
    Init { dir: PathBuf },
    /// Save EscJSON records read from stdin, one per line; prints each id once it is durable
    Put {
        dir: PathBuf,
        /// Merge the given fields into existing records instead of replacing their content
        #[arg(long)]
        upsert: bool,
        /// Opaque principal id recorded as the writer (never an email)
        #[arg(long)]
        principal: Option<String>,
    },
    /// Print one record as EscJSON (system fields included)
    Get {
        dir: PathBuf,
        id: String,
        /// Print every kept revision, oldest first
        #[arg(long)]
        history: bool,
        /// Print the fields with concurrent values instead of the record
        #[arg(long)]
        conflicts: bool,
        /// Print tombstones too
        #[arg(long)]
        include_deleted: bool,
    },
    /// Run a query string; prints the matching records (or projections) as EscJSON lines
    Query {
        dir: PathBuf,
        query: String,
        /// The query is the JSON AST, not the string form
        #[arg(long)]
        json: bool,
        /// Include superseded revisions (db.all)
        #[arg(long)]
        history: bool,
        /// Include tombstones
        #[arg(long)]
        include_deleted: bool,
        /// Print how candidates are found (index or scan) instead of results
        #[arg(long)]
        explain: bool,
    },
    /// Write the whole store to stdout as EscJSON lines (changes; --records for record heads)
    Export {
        dir: PathBuf,
        #[arg(long)]
        records: bool,
    },
    /// Read EscJSON lines (from `export`, or plain records) into the store
    Import {
        dir: PathBuf,
        file: PathBuf,
        /// Read legacy `"{ref}id"` strings as refs
        #[arg(long)]
        legacy_refs: bool,
    },
    /// Check every stored block and value; exit 0 when the store is clean
    Verify { dir: PathBuf },
    /// Print counts and the replica's state
    Stats { dir: PathBuf },
    /// Exchange missing changes between two local stores (both end up equal)
    Sync { dir: PathBuf, other: PathBuf },
}

#[derive(clap::Args)]
pub struct QueryArgs {
    /// Parse a query string and print its AST as one line of JSON
    #[arg(long)]
    parse: Option<String>,
    /// Read a JSON query AST and print it in the string form
    #[arg(long)]
    print: Option<String>,
}

struct Fail(String);

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Self {
        Fail(e.to_string())
    }
}

impl From<std::io::Error> for Fail {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            // the reader went away (`| head`): stop quietly
            return Fail(String::new());
        }
        Fail(format!("I/O error: {e}"))
    }
}

fn finish(r: Result<(), Fail>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail(msg)) if msg.is_empty() => ExitCode::SUCCESS,
        Err(Fail(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// A record id as given on the command line: the plain id, or the EscJSON ref that `put` and
/// `query` print (`{"_rmx_type":"{tag}case:db.ref","_rmx_value":"…"}`).
fn record_id(arg: &str) -> String {
    match escjson::from_str(arg, DecodeOptions::default()) {
        Ok(mix_store::Value::Ref(id)) => id,
        _ => arg.to_string(),
    }
}

fn open(dir: &Path, principal: Option<String>) -> Result<Database, Fail> {
    Ok(Database::open(
        dir,
        Options {
            principal,
            ..Options::default()
        },
    )?)
}

pub fn run(cmd: DbCommand) -> ExitCode {
    finish(run_inner(cmd))
}

fn run_inner(cmd: DbCommand) -> Result<(), Fail> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cmd {
        DbCommand::Init { dir } => {
            let db = Database::create(&dir, Options::default())?;
            writeln!(
                out,
                "initialised store at {} (replica {})",
                dir.display(),
                db.replica_id()
            )?;
        }
        DbCommand::Put {
            dir,
            upsert,
            principal,
        } => {
            let db = open(&dir, principal)?;
            let result = put_lines(&db, upsert, &mut out);
            // leave no journal to replay (the next open reads only metadata), even after an
            // error: every id printed so far is durable either way
            let closed = db.close();
            result?;
            closed?;
        }
        DbCommand::Get {
            dir,
            id,
            history,
            conflicts,
            include_deleted,
        } => {
            let db = open(&dir, None)?;
            let id = record_id(&id);
            if conflicts {
                let c = db.conflicts(&id)?;
                let m = c
                    .into_iter()
                    .map(|(k, vs)| (k, mix_store::Value::Array(vs)))
                    .collect();
                writeln!(out, "{}", escjson::to_string(&mix_store::Value::Map(m)))?;
            } else if history {
                let revs = db.history(&id)?;
                if revs.is_empty() {
                    return Err(Fail(format!("no record with id {id:?}")));
                }
                for r in revs {
                    writeln!(out, "{}", escjson::to_string(&r))?;
                }
            } else {
                let r = if include_deleted {
                    db.get_any(&id)?
                } else {
                    db.get(&id)?
                };
                match r {
                    Some(v) => writeln!(out, "{}", escjson::to_string(&v))?,
                    None => return Err(Fail(format!("no record with id {id:?}"))),
                }
            }
        }
        DbCommand::Query {
            dir,
            query: text,
            json,
            history,
            include_deleted,
            explain,
        } => {
            let q = if json {
                let j: serde_json::Value = serde_json::from_str(&text)
                    .map_err(|e| Fail(format!("query is not JSON: {e}")))?;
                query::query_from_json(&j).map_err(|e| Fail(e.to_string()))?
            } else {
                query::parse_query(&text).map_err(|e| Fail(render_parse_error(&text, &e)))?
            };
            let db = open(&dir, None)?;
            let opts = QueryOptions {
                history,
                include_deleted,
                ..QueryOptions::default()
            };
            if explain {
                writeln!(out, "{:?}", query::plan(&db, &q, &opts)?)?;
                return Ok(());
            }
            for row in query::execute(&db, &q, &opts)? {
                writeln!(out, "{}", escjson::to_string(&row?))?;
            }
        }
        DbCommand::Export { dir, records } => {
            let db = open(&dir, None)?;
            let mut w = std::io::BufWriter::new(out);
            if records {
                export::export_records(&db, &mut w)?;
            } else {
                export::export(&db, &mut w)?;
            }
            return Ok(());
        }
        DbCommand::Import {
            dir,
            file,
            legacy_refs,
        } => {
            let db = open(&dir, None)?;
            let f = std::fs::File::open(&file)
                .map_err(|e| Fail(format!("cannot open {}: {e}", file.display())))?;
            let report = export::import(&db, &mut BufReader::new(f), legacy_refs)?;
            db.close()?;
            writeln!(out, "{}", import_summary(&report))?;
        }
        DbCommand::Verify { dir } => {
            let db = open(&dir, None)?;
            let report = db.verify();
            for d in &report.damaged {
                writeln!(out, "damaged: {} {}: {}", d.space, d.key, d.detail)?;
            }
            if !report.is_clean() {
                return Err(Fail(format!(
                    "{} damaged entries ({} read); undamaged records stay readable",
                    report.damaged.len(),
                    report.checked
                )));
            }
            writeln!(out, "ok: {} entries checked, no damage", report.checked)?;
        }
        DbCommand::Stats { dir } => {
            let db = open(&dir, None)?;
            let s = db.stats()?;
            writeln!(out, "engine:        {}", s.engine)?;
            writeln!(out, "replica:       {}", s.replica)?;
            writeln!(out, "records:       {} (approx.)", s.records)?;
            writeln!(out, "changes:       {}", s.changes)?;
            writeln!(out, "revisions:     {} (approx.)", s.revisions)?;
            writeln!(out, "index entries: {} (approx.)", s.index_entries)?;
            writeln!(out, "replicas seen: {}", s.replicas_known)?;
        }
        DbCommand::Sync { dir, other } => {
            let a = open(&dir, None)?;
            let b = open(&other, None)?;
            let (sent, received) = mix_store::sync::sync_in_process(&a, &b)?;
            a.close()?;
            b.close()?;
            writeln!(out, "sent {sent} changes, received {received}")?;
        }
    }
    Ok(())
}

/// Saves one record per line of standard input, printing each id once the write is durable. A
/// line that is not a valid record (bad EscJSON, a forged system field, a bad id) is reported
/// with its number and skipped, and the rest go on: stopping there would leave the lines
/// before it written, and putting the file again would write those twice. A failure of the
/// store itself (I/O, a corrupt file) stops at once. Exit status 1 when a line was rejected.
///
/// Lines that have already arrived are committed together (one sync for the group, at most
/// [`PUT_GROUP`] lines), so a piped file goes at batch speed, while a line typed at a terminal
/// is still acknowledged on its own as soon as it is durable.
fn put_lines(db: &Database, upsert: bool, out: &mut dyn Write) -> Result<(), Fail> {
    let (lines, arrived) = std::sync::mpsc::sync_channel(PUT_GROUP);
    // The reader runs ahead of the commits, so the lines that arrive during one sync make up
    // the next group; it ends when stdin ends or when the main thread stops receiving.
    std::thread::spawn(move || {
        for (i, line) in std::io::stdin().lock().lines().enumerate() {
            if lines.send((i + 1, line)).is_err() {
                break;
            }
        }
    });
    let (mut written, mut rejected) = (0u64, 0u64);
    while let Ok(first) = arrived.recv() {
        let mut group = Vec::new();
        let mut ids = Vec::new();
        for (line_no, line) in std::iter::once(first).chain(arrived.try_iter().take(PUT_GROUP - 1))
        {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            let prepared = escjson::from_str(&line, DecodeOptions::default())
                .and_then(|v| db.prepare_write(v, upsert));
            match prepared {
                Ok((id, write)) => {
                    ids.push(id.clone());
                    group.push((id, write));
                }
                Err(e) if rejects_the_line(&e) => {
                    eprintln!("error: stdin line {line_no}: {e} (line skipped)");
                    rejected += 1;
                }
                Err(e) => return Err(Fail(format!("stdin line {line_no}: {e}"))),
            }
        }
        if group.is_empty() {
            continue;
        }
        db.write_local_batch(group)?;
        // printed only now that the whole group is durable
        for id in ids {
            writeln!(out, "{}", escjson::to_string(&mix_store::Value::Ref(id)))?;
            written += 1;
        }
        out.flush()?;
    }
    if rejected > 0 {
        return Err(Fail(format!(
            "{rejected} line(s) rejected, {written} record(s) written"
        )));
    }
    Ok(())
}

/// The most lines `db put` commits together.
const PUT_GROUP: usize = 1000;

/// Whether `e` is about the line's record (skip it) rather than about the store (stop).
fn rejects_the_line(e: &mix_store::StoreError) -> bool {
    use mix_store::StoreError::*;
    matches!(
        e,
        EscJson(_) | InvalidRecord(_) | InvalidId { .. } | InvalidPrincipal(_) | Decode { .. }
    )
}

fn render_parse_error(src: &str, e: &query::ParseError) -> String {
    let line = src.lines().nth(e.line.saturating_sub(1)).unwrap_or("");
    format!(
        "{e}\n  {line}\n  {}^",
        " ".repeat(e.column.saturating_sub(1))
    )
}

pub fn run_query(args: QueryArgs) -> ExitCode {
    finish(run_query_inner(args))
}

fn run_query_inner(args: QueryArgs) -> Result<(), Fail> {
    let mut out = std::io::stdout().lock();
    match (args.parse, args.print) {
        (Some(text), None) => {
            let q = query::parse_query(&text).map_err(|e| Fail(render_parse_error(&text, &e)))?;
            writeln!(out, "{}", query::query_to_json(&q))?;
        }
        (None, Some(json)) => {
            let j: serde_json::Value =
                serde_json::from_str(&json).map_err(|e| Fail(format!("query is not JSON: {e}")))?;
            let q = query::query_from_json(&j).map_err(|e| Fail(e.to_string()))?;
            writeln!(out, "{}", query::print_query(&q))?;
        }
        _ => {
            return Err(Fail(
                "give exactly one of --parse QUERY or --print JSON".into(),
            ))
        }
    }
    Ok(())
}

/// "imported 3 changes", "imported 2 records (1 already present)": what an import wrote, by
/// the kind of lines the file held (a full export's changes, or plain records).
fn import_summary(report: &export::ImportReport) -> String {
    let counted = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let mut parts = Vec::new();
    if report.changes > 0 || report.records == 0 {
        parts.push(counted(report.changes, "change"));
    }
    if report.records > 0 {
        parts.push(counted(report.records, "record"));
    }
    let mut said = format!("imported {}", parts.join(" and "));
    if report.duplicates > 0 {
        said.push_str(&format!(" ({} already present)", report.duplicates));
    }
    said
}
