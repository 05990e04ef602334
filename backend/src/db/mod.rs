//! The one module that owns SQLite.
//!
//! Writes go to a single writer thread over a channel, so they are serialised without
//! lock contention and never block the async runtime; reads run on a small pool of
//! read-only connections through `spawn_blocking` (WAL lets them proceed beside the
//! writer). Handlers call the async methods of [`Db`] defined in the submodules and
//! never see rusqlite.

mod agencies;
mod audit;
mod backup;
mod export;
mod migrations;
mod plans;
mod reports;
mod sync;
mod users;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::oneshot;

pub use agencies::{AgencyRename, Merged, Renamed, StoredAgency};
pub use audit::{AuditEntry, command_line_actor};
pub use backup::{Copied, backup, restore};
pub use export::{
    ContentSource, ExportAgency, ExportData, ExportError, ExportReport, ExportScope, Version,
};
pub use plans::{
    FieldChange, NewAgency, PlanAnswer, PlanImport, TaskBrief, TaskChange, TaskField, TaskRow,
    WithdrawnTask, Within, province_key,
};
pub use reports::{ListingError, PeriodInfo, PlanCache, ViewStamp};
pub use sync::PushOutcome;
pub use users::{Account, Ended, NewUser, SessionUser};

/// A database failure.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration {name}: {source}")]
    Migration {
        name: &'static str,
        source: rusqlite::Error,
    },
    #[error(
        "the database was created by a newer version (schema {found}, this build knows {known})"
    )]
    TooNew { found: i64, known: i64 },
    #[error("the database thread has stopped")]
    Closed,
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("simulated temporary failure")]
    Injected,
    #[error("a database job panicked: {0}")]
    Panicked(String),
    #[error("the mutation id is another person's")]
    MutationIdTaken,
    /// An import, rename or merge refused for a reason the administrator can act on;
    /// nothing was changed.
    #[error("{0}")]
    Refused(String),
    /// The same, for what an administrator also does in the web app: the reason in
    /// both languages.
    #[error("{}", .0.en)]
    Declined(Refusal),
    #[error("no randomness: {0}")]
    NoRandomness(String),
    #[error("{}: {source}", path.display())]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Why an administrator's change was refused, in English (the command line's
/// language) and Vietnamese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub en: String,
    pub vi: String,
}

impl Refusal {
    /// The reason in `lang` (`vi` or anything else for English).
    pub fn in_lang(&self, lang: &str) -> &str {
        if lang == "vi" { &self.vi } else { &self.en }
    }
}

impl DbError {
    /// Whether trying again later may succeed (busy, locked, disk full, I/O).
    pub fn is_temporary(&self) -> bool {
        match self {
            DbError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy
                    | rusqlite::ErrorCode::DatabaseLocked
                    | rusqlite::ErrorCode::DiskFull
                    | rusqlite::ErrorCode::SystemIoFailure
                    | rusqlite::ErrorCode::CannotOpen
            ),
            DbError::Injected | DbError::Closed => true,
            _ => false,
        }
    }
}

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
    /// Who the audit trail names for the changes made through this handle that no
    /// device pushed (see [`Db::acting_as`]).
    actor: Arc<str>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<mpsc::Sender<Job>>,
    readers: Mutex<Vec<Connection>>,
    /// When set, the next write fails as if the disk were busy (for fault tests).
    fail_next_write: AtomicBool,
    plans: PlanCache,
    /// Held while the database is open, so that a restore cannot replace it meanwhile.
    _lock: backup::DbLock,
}

const READERS: usize = 4;

impl Db {
    /// Opens (creating if needed) the database at `path` and brings its schema up to
    /// date. Refused while `tiendo restore` is replacing it.
    pub fn open(path: &Path) -> Result<Db, DbError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                DbError::Sqlite(rusqlite::Error::InvalidPath(
                    format!("{}: {e}", dir.display()).into(),
                ))
            })?;
        }
        let lock = backup::lock_shared(path)?;
        let mut writer = Connection::open(path)?;
        configure(&writer)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        migrations::apply(&mut writer)?;

        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let conn = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            configure(&conn)?;
            readers.push(conn);
        }

        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    job(&mut writer);
                }
            })
            .map_err(|e| DbError::Corrupt(format!("cannot start the writer thread: {e}")))?;

        Ok(Db {
            actor: Arc::from("server"),
            inner: Arc::new(Inner {
                path: path.to_owned(),
                writer: Mutex::new(tx),
                readers: Mutex::new(readers),
                fail_next_write: AtomicBool::new(false),
                plans: PlanCache::default(),
                _lock: lock,
            }),
        })
    }

    /// This handle, naming `actor` in the audit trail for the changes made through it
    /// that no device pushed (accounts, plan imports, agency changes): a username, or
    /// [`command_line_actor`]. A device's changes are always its person's.
    pub fn acting_as(&self, actor: &str) -> Db {
        Db {
            inner: Arc::clone(&self.inner),
            actor: Arc::from(actor),
        }
    }

    /// Where the database lives.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The parsed plans, shared by every connection.
    pub(crate) fn plan_cache(&self) -> PlanCache {
        self.inner.plans.clone()
    }

    /// Makes the next write fail with a temporary error, as a busy disk would.
    pub fn inject_write_failure(&self) {
        self.inner.fail_next_write.store(true, Ordering::SeqCst);
    }

    /// Runs `f` on the writer connection, after every write queued before it.
    async fn write<R, F>(&self, f: F) -> Result<R, DbError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, DbError> + Send + 'static,
    {
        if self.inner.fail_next_write.swap(false, Ordering::SeqCst) {
            return Err(DbError::Injected);
        }
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            // A panic must not take the writer thread (and every later write) with it:
            // it rolls back this job's transaction and fails this request only.
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(conn)))
                .unwrap_or_else(|panic| Err(DbError::Panicked(panic_message(&panic))));
            // The receiver is gone only if the request was dropped; nothing to tell.
            let _ = tx.send(result);
        });
        self.inner
            .writer
            .lock()
            .map_err(|_| DbError::Closed)?
            .send(job)
            .map_err(|_| DbError::Closed)?;
        rx.await.map_err(|_| DbError::Closed)?
    }

    /// Runs `f` on a read-only connection off the async runtime.
    async fn read<R, F>(&self, f: F) -> Result<R, DbError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, DbError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let pooled = inner.readers.lock().map_err(|_| DbError::Closed)?.pop();
            let conn = match pooled {
                Some(conn) => conn,
                None => {
                    let conn = Connection::open_with_flags(
                        &inner.path,
                        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                    )?;
                    configure(&conn)?;
                    conn
                }
            };
            let result = f(&conn);
            if let Ok(mut pool) = inner.readers.lock()
                && pool.len() < READERS
            {
                pool.push(conn);
            }
            result
        })
        .await
        .map_err(|e| DbError::Panicked(e.to_string()))?
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), DbError> {
        self.read(|conn| {
            conn.query_row("SELECT 1", [], |_| Ok(()))?;
            Ok(())
        })
        .await
    }
}

/// Settings every connection needs.
fn configure(conn: &Connection) -> Result<(), DbError> {
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Every acknowledged push must survive a power cut: sync the log on each commit.
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(())
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// The text of a panic's payload, for the log.
fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_job_fails_alone_and_the_writer_goes_on() {
        let dir = std::env::temp_dir().join(format!("tiendo-panic-{}", std::process::id()));
        let db = Db::open(&dir.join("t.sqlite")).unwrap();
        let failed = db
            .write(|_| -> Result<(), DbError> { panic!("boom") })
            .await;
        assert!(matches!(failed, Err(DbError::Panicked(message)) if message == "boom"));
        let after = db
            .write(|conn| Ok(conn.query_row("SELECT 41 + 1", [], |r| r.get::<_, i64>(0))?))
            .await;
        assert_eq!(after.unwrap(), 42);
        let _ = std::fs::remove_dir_all(dir);
    }
}
