//! Copies of the database file: [`backup`] while a server runs and takes pushes (with
//! SQLite's online backup API), [`restore`] with every tiendo process stopped, and the
//! lock that tells whether one is running.
//!
//! Every process that opens the database through [`Db::open`](super::Db::open) holds a
//! shared advisory lock (`flock`) on the file `<database>.lock` beside it for as long
//! as it runs; a restore takes that lock exclusively. So a restore is refused while a
//! server (or any other tiendo command) has the database open, and nothing can open
//! the database in the middle of a restore. The operating system drops the lock when
//! the process ends, however it ends (a SIGKILL or a power cut included), so a crashed
//! server never leaves a stale lock behind, as a PID file would, and nothing has to
//! guess whether a recorded process id still belongs to a server.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags, params};

use super::{DbError, audit, migrations, now_ms};

/// A lock on a database's lock file, held until it is dropped.
#[derive(Debug)]
pub struct DbLock {
    _file: File,
}

/// The lock file of the database `db`: `tiendo.sqlite.lock` beside `tiendo.sqlite`.
fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// The shared lock that every process using the database `db` holds.
pub(super) fn lock_shared(db: &Path) -> Result<DbLock, DbError> {
    let file = open_lock_file(db)?;
    match file.try_lock_shared() {
        Ok(()) => Ok(DbLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(DbError::Refused(format!(
            "{} is being restored from a backup; try again when `tiendo restore` has finished",
            db.display()
        ))),
        Err(TryLockError::Error(e)) => Err(file_error(&lock_path(db), e)),
    }
}

/// The exclusive lock a restore holds: refused while any process uses `db`.
fn lock_exclusive(db: &Path) -> Result<DbLock, DbError> {
    let file = open_lock_file(db)?;
    match file.try_lock() {
        Ok(()) => Ok(DbLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(DbError::Refused(format!(
            "a tiendo server (or another tiendo command) is running on {}: stop it, then \
             restore; nothing was changed",
            db.display()
        ))),
        Err(TryLockError::Error(e)) => Err(file_error(&lock_path(db), e)),
    }
}

fn open_lock_file(db: &Path) -> Result<File, DbError> {
    let path = lock_path(db);
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| file_error(&path, e))
}

/// What a backup or a restore wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    /// The copy's schema version (for a restore, after bringing it up to date).
    pub schema_version: i64,
    /// How many changes of the pull feed it holds.
    pub changes: i64,
    /// How many accounts it holds.
    pub accounts: i64,
    /// Its size in bytes.
    pub bytes: u64,
}

/// Writes a consistent copy of the database `db` to `out`, while a server may be
/// using it. The copy is taken in a single step of SQLite's backup API, under one read
/// transaction, so it is the database as of one commit, whatever is pushed meanwhile;
/// in WAL mode the server's writes go on during the copy. It is written beside `out`,
/// checked, and renamed into place, so `out` is never a half-written file.
pub fn backup(db: &Path, out: &Path) -> Result<Copied, DbError> {
    let source = open_existing(db, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    if same_file(db, out) {
        return Err(DbError::Refused(format!(
            "{} is the database itself: write the backup to another file",
            out.display()
        )));
    }
    let temp = temp_beside(out, "backup")?;
    let written = (|| {
        let mut copy = Connection::open(&temp)?;
        copy_all(&source, &mut copy)?;
        // One self-contained file, readable without its -wal and -shm companions.
        copy.pragma_update(None, "journal_mode", "DELETE")?;
        check_tiendo(&copy, db)?;
        let copied = summary(&copy, &temp)?;
        drop(copy);
        sync_file(&temp)?;
        Ok(copied)
    })();
    finish(written, &temp, out)
}

/// Puts the backup `file` in place of the database `db`, with every tiendo process
/// stopped (refused, changing nothing, while one has the database open). `file` must
/// be a whole tiendo database of a schema this version knows; the copy is checked,
/// brought up to this version's schema and marked as restored (which makes every
/// device's next pull start over), written beside `db` and renamed over it, so `db`
/// is either the old database or the whole restored one.
pub fn restore(file: &Path, db: &Path, actor: &str) -> Result<Copied, DbError> {
    if let Some(dir) = db
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !d.is_dir())
    {
        return Err(DbError::Refused(format!(
            "there is no directory {}",
            dir.display()
        )));
    }
    let _lock = lock_exclusive(db)?;
    let source = open_existing(file, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    check_tiendo(&source, file)?;
    let temp = temp_beside(db, "restore")?;
    let written = (|| {
        let mut copy = Connection::open(&temp)?;
        copy_all(&source, &mut copy)?;
        copy.pragma_update(None, "journal_mode", "DELETE")?;
        copy.pragma_update(None, "foreign_keys", "ON")?;
        migrations::apply(&mut copy)?;
        let mut token = [0u8; 4];
        getrandom::fill(&mut token).map_err(|e| DbError::NoRandomness(e.to_string()))?;
        let now = now_ms();
        copy.execute(
            "INSERT INTO restores (restored_at, backup_file, token) VALUES (?1, ?2, ?3)",
            params![
                now,
                file.display().to_string(),
                i64::from(u32::from_le_bytes(token).max(1))
            ],
        )?;
        audit::record(
            &copy,
            audit::Entry {
                at: now,
                device_at: None,
                actor,
                client_id: None,
                kind: "database.restore",
                agency: None,
                target: &file.display().to_string(),
                detail: serde_json::json!({"database": db.display().to_string()}),
            },
        )?;
        let copied = summary(&copy, &temp)?;
        drop(copy);
        sync_file(&temp)?;
        Ok(copied)
    })();
    let written = written.and_then(|copied| {
        settle_replaced(db)?;
        Ok(copied)
    });
    finish(written, &temp, db)
}

/// Whether `a` and `b` name one file (`b` need not exist).
fn same_file(a: &Path, b: &Path) -> bool {
    let resolve = |p: &Path| -> Option<PathBuf> {
        let dir = p.parent().filter(|d| !d.as_os_str().is_empty());
        let dir = dir.unwrap_or(Path::new(".")).canonicalize().ok()?;
        Some(dir.join(p.file_name()?))
    };
    match (a.canonicalize(), resolve(b)) {
        (Ok(a), Some(b)) => b.canonicalize().map_or(a == b, |b| a == b),
        _ => false,
    }
}

/// Opens a database file that must exist already.
fn open_existing(path: &Path, flags: OpenFlags) -> Result<Connection, DbError> {
    if !path.is_file() {
        return Err(DbError::Refused(format!(
            "there is no database file {}",
            path.display()
        )));
    }
    let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    Ok(conn)
}

/// Copies every page of `from` into `to` in one step, retrying while the source is
/// locked (a checkpoint or a recovery) for at most about ten seconds.
fn copy_all(from: &Connection, to: &mut Connection) -> Result<(), DbError> {
    let backup = Backup::new(from, to)?;
    for _ in 0..100 {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    Err(DbError::Refused(
        "the database stayed locked for ten seconds; nothing was written: try again".into(),
    ))
}

/// Checks that `conn` is a whole tiendo database of a schema this version knows;
/// `name` is the file as the person named it.
fn check_tiendo(conn: &Connection, name: &Path) -> Result<(), DbError> {
    let name = name.display();
    let unreadable = |e: rusqlite::Error| {
        DbError::Refused(match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseCorrupt) => format!("{name} is damaged: {e}"),
            Some(rusqlite::ErrorCode::NotADatabase) => {
                format!("{name} is not a tiendo database: it is not an SQLite file")
            }
            _ => format!("{name} cannot be read as a tiendo database: {e}"),
        })
    };
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(unreadable)?;
    let known = migrations::known_version();
    if version > known {
        return Err(DbError::Refused(format!(
            "{name} was written by a newer version of tiendo (schema {version}; this one \
             knows up to {known}): use that version"
        )));
    }
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'
             AND name IN ('users', 'clients', 'progress_updates', 'plans')",
            [],
            |row| row.get(0),
        )
        .map_err(unreadable)?;
    if version < 1 || tables < 4 {
        return Err(DbError::Refused(format!(
            "{name} is not a tiendo database: it has no tiendo tables"
        )));
    }
    let problems: Vec<String> = conn
        .prepare("PRAGMA integrity_check(5)")
        .and_then(|mut stmt| {
            stmt.query_map([], |row| row.get(0))?
                .collect::<Result<_, _>>()
        })
        .map_err(unreadable)?;
    if problems != ["ok"] {
        return Err(DbError::Refused(format!(
            "{name} is damaged (SQLite's integrity check: {})",
            problems.join("; ")
        )));
    }
    Ok(())
}

fn summary(conn: &Connection, path: &Path) -> Result<Copied, DbError> {
    let count = |table: &str| -> Result<i64, DbError> {
        Ok(
            conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                row.get(0)
            })?,
        )
    };
    Ok(Copied {
        schema_version: conn.pragma_query_value(None, "user_version", |row| row.get(0))?,
        changes: count("feed")?,
        accounts: count("users")?,
        bytes: std::fs::metadata(path)
            .map_err(|e| file_error(path, e))?
            .len(),
    })
}

/// Before the restored copy replaces `db`: folds the old database's write-ahead log
/// into it and removes its -wal and -shm files, which would otherwise be read as part
/// of the restored file. Should the machine stop between this and the rename, `db` is
/// still the old database, whole.
fn settle_replaced(db: &Path) -> Result<(), DbError> {
    if db.is_file()
        && let Ok(old) = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_WRITE)
    {
        // A damaged old database is replaced all the same.
        let _ = old.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        let _ = old.close();
    }
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        remove_if_present(Path::new(&name))?;
    }
    Ok(())
}

/// A temporary file beside `target`, in the same directory so that it can be renamed
/// over it.
fn temp_beside(target: &Path, what: &str) -> Result<PathBuf, DbError> {
    let name = target
        .file_name()
        .ok_or_else(|| DbError::Refused(format!("{} does not name a file", target.display())))?;
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(DbError::Refused(format!(
            "there is no directory {}",
            dir.display()
        )));
    }
    let temp = dir.join(format!(
        ".{}.{what}-{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    remove_temp(&temp);
    Ok(temp)
}

/// Renames the finished `temp` over `target` and makes the rename durable; on an
/// earlier failure, removes `temp` and leaves `target` as it was.
fn finish(written: Result<Copied, DbError>, temp: &Path, target: &Path) -> Result<Copied, DbError> {
    let renamed = written.and_then(|copied| {
        std::fs::rename(temp, target).map_err(|e| file_error(target, e))?;
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            // The rename is in the directory: without this a power cut may undo it.
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| file_error(dir, e))?;
        }
        Ok(copied)
    });
    if renamed.is_err() {
        remove_temp(temp);
    }
    renamed
}

fn sync_file(path: &Path) -> Result<(), DbError> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| file_error(path, e))
}

/// Removes a temporary file and its journal, if they are there.
fn remove_temp(temp: &Path) {
    let mut journal = temp.as_os_str().to_owned();
    journal.push("-journal");
    for path in [temp, Path::new(&journal)] {
        let _ = std::fs::remove_file(path);
    }
}

fn remove_if_present(path: &Path) -> Result<(), DbError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(file_error(path, e)),
        _ => Ok(()),
    }
}

fn file_error(path: &Path, source: std::io::Error) -> DbError {
    DbError::File {
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restore_waits_for_every_user_of_the_database_to_stop() {
        let dir = tempfile_dir("lock");
        let db = dir.join("t.sqlite");
        let shared = lock_shared(&db).unwrap();
        let other = lock_shared(&db).unwrap();
        assert!(matches!(lock_exclusive(&db), Err(DbError::Refused(m)) if m.contains("running")));
        drop((shared, other));
        let exclusive = lock_exclusive(&db).unwrap();
        assert!(matches!(lock_shared(&db), Err(DbError::Refused(m)) if m.contains("restored")));
        drop(exclusive);
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempfile_dir(what: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tiendo-{what}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
