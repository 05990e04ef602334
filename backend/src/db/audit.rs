//! The audit trail: who changed what and when, appended in the same transaction as
//! the change (so there is never a change without its row, nor a row without its
//! change), and read back by `tiendo audit`. The table refuses updates and deletes.

use rusqlite::{Connection, params};
use serde::Serialize;
use serde_json::Value;
use tiendo_shared::date::format_rfc3339_utc;
use tiendo_shared::ids::AgencyId;

use super::{Db, DbError};

/// Who the command line acts as: `cli:` and the system user running it.
pub fn command_line_actor() -> String {
    let user = std::env::var("SUDO_USER")
        .or_else(|_| std::env::var("USER"))
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_default();
    if user.is_empty() {
        "cli".into()
    } else {
        format!("cli:{user}")
    }
}

/// A row to append.
pub(super) struct Entry<'a> {
    /// The server's time, ms since the Unix epoch.
    pub at: i64,
    /// The device's time, for a change a device made.
    pub device_at: Option<&'a str>,
    pub actor: &'a str,
    pub client_id: Option<&'a str>,
    pub kind: &'a str,
    pub agency: Option<&'a str>,
    pub target: &'a str,
    pub detail: Value,
}

/// Appends `entry` within the caller's transaction.
pub(super) fn record(conn: &Connection, entry: Entry<'_>) -> Result<(), DbError> {
    conn.prepare_cached(
        "INSERT INTO audit (at, device_at, actor, client_id, kind, agency_id, target, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        entry.at,
        entry.device_at,
        entry.actor,
        entry.client_id,
        entry.kind,
        entry.agency,
        entry.target,
        entry.detail.to_string()
    ])?;
    Ok(())
}

/// A row of the audit trail, as `tiendo audit` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    /// The server's time (RFC 3339, UTC).
    pub at: String,
    /// The device's time, for a change a device made.
    pub device_at: Option<String>,
    pub actor: String,
    pub client_id: Option<String>,
    pub kind: String,
    pub agency: Option<String>,
    pub target: String,
    pub detail: Value,
}

impl Db {
    /// The audit trail in order, from the server time `since` (ms) on, about `agency`
    /// if given.
    pub async fn audit(
        &self,
        since: Option<i64>,
        agency: Option<AgencyId>,
    ) -> Result<Vec<AuditEntry>, DbError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT id, at, device_at, actor, client_id, kind, agency_id, target, detail
                 FROM audit WHERE at >= ?1 AND (?2 IS NULL OR agency_id = ?2) ORDER BY id",
            )?;
            let mut rows = stmt.query(params![
                since.unwrap_or(i64::MIN),
                agency.as_ref().map(AgencyId::as_str)
            ])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let detail: String = row.get(8)?;
                out.push(AuditEntry {
                    id: row.get(0)?,
                    at: format_rfc3339_utc(row.get(1)?),
                    device_at: row.get(2)?,
                    actor: row.get(3)?,
                    client_id: row.get(4)?,
                    kind: row.get(5)?,
                    agency: row.get(6)?,
                    target: row.get(7)?,
                    detail: serde_json::from_str(&detail)
                        .map_err(|_| DbError::Corrupt("an audit row's detail".into()))?,
                });
            }
            Ok(out)
        })
        .await
    }
}
