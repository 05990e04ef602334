//! Accounts, sessions and the agency registry.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, params};
use tiendo_shared::ids::AgencyId;
use tiendo_shared::plan::{Agency, AgencyKind};
use tiendo_shared::protocol::{AgencyRef, Role, UserInfo};

use super::{Db, DbError, now_ms};

/// The person behind a valid session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub agency: AgencyRef,
}

impl SessionUser {
    pub fn info(&self) -> UserInfo {
        UserInfo {
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            agency: self.agency.clone(),
        }
    }
}

/// An account to create; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub agency: AgencyId,
    pub role: Role,
}

const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.role, a.id, a.name";

fn user_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<SessionUser> {
    let role: String = row.get(3)?;
    let agency: String = row.get(4)?;
    Ok(SessionUser {
        id: row.get(0)?,
        username: row.get(1)?,
        display_name: row.get(2)?,
        role: Role::from_code(&role).ok_or_else(|| corrupt(3, "role"))?,
        agency: AgencyRef {
            id: AgencyId::parse(&agency).map_err(|_| corrupt(4, "agency id"))?,
            name: row.get(5)?,
        },
    })
}

fn corrupt(column: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        format!("not a valid {what}").into(),
    )
}

impl Db {
    /// Adds or updates the agencies of a registry.
    pub async fn upsert_agencies(&self, agencies: Vec<Agency>) -> Result<(), DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            upsert_agencies(&tx, &agencies)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Every agency, by name (not those merged into another).
    pub async fn agencies(&self) -> Result<Vec<(AgencyRef, String)>, DbError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT id, name, kind FROM agencies WHERE merged_into IS NULL ORDER BY name",
            )?;
            let rows = stmt.query_map([], |row| {
                let id: String = row.get(0)?;
                Ok((
                    AgencyRef {
                        id: AgencyId::parse(&id).map_err(|_| corrupt(0, "agency id"))?,
                        name: row.get(1)?,
                    },
                    row.get::<_, String>(2)?,
                ))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Creates an account; `Ok(false)` when the username is taken or the agency unknown
    /// (or merged into another).
    pub async fn add_user(&self, user: NewUser) -> Result<bool, DbError> {
        self.write(move |conn| {
            let agency_known = conn
                .query_row(
                    "SELECT 1 FROM agencies WHERE id = ?1 AND merged_into IS NULL",
                    [user.agency.as_str()],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            if !agency_known {
                return Ok(false);
            }
            let inserted = conn.execute(
                "INSERT INTO users (username, display_name, password_hash, agency_id, role, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (username) DO NOTHING",
                params![
                    user.username,
                    user.display_name,
                    user.password_hash,
                    user.agency.as_str(),
                    user.role.code(),
                    now_ms()
                ],
            )?;
            Ok(inserted == 1)
        })
        .await
    }

    /// Whether any account exists.
    pub async fn has_users(&self) -> Result<bool, DbError> {
        self.read(|conn| {
            Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM users)", [], |row| row.get(0))?)
        })
        .await
    }

    /// The account and its password hash, for checking a login.
    pub async fn user_for_login(
        &self,
        username: String,
    ) -> Result<Option<(SessionUser, String)>, DbError> {
        self.read(move |conn| {
            let sql = format!(
                "SELECT {USER_COLUMNS}, u.password_hash FROM users u
                 JOIN agencies a ON a.id = u.agency_id WHERE u.username = ?1"
            );
            Ok(conn
                .query_row(&sql, [username], |row| {
                    Ok((user_from_row(row)?, row.get(6)?))
                })
                .optional()?)
        })
        .await
    }

    /// Starts a session for `user_id` under the token whose SHA-256 is `token_hash`.
    pub async fn create_session(
        &self,
        user_id: i64,
        token_hash: Vec<u8>,
        expires_at: i64,
    ) -> Result<(), DbError> {
        self.write(move |conn| {
            let now = now_ms();
            conn.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])?;
            conn.execute(
                "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?1, ?2, ?3)",
                params![token_hash, user_id, expires_at],
            )?;
            Ok(())
        })
        .await
    }

    /// The person behind an unexpired session token hash.
    pub async fn session_user(&self, token_hash: Vec<u8>) -> Result<Option<SessionUser>, DbError> {
        self.read(move |conn| session_user(conn, &token_hash, now_ms()))
            .await
    }

    /// Ends one session.
    pub async fn end_session(&self, token_hash: Vec<u8>) -> Result<(), DbError> {
        self.write(move |conn| {
            conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
            Ok(())
        })
        .await
    }

    /// Ends every session (a test hook for "the token expired mid-sync").
    pub async fn expire_sessions(&self) -> Result<(), DbError> {
        self.write(|conn| {
            conn.execute("UPDATE sessions SET expires_at = 0", [])?;
            Ok(())
        })
        .await
    }
}

fn session_user(
    conn: &Connection,
    token_hash: &[u8],
    now: i64,
) -> Result<Option<SessionUser>, DbError> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id
         JOIN agencies a ON a.id = u.agency_id WHERE s.token_hash = ?1 AND s.expires_at > ?2"
    );
    Ok(conn
        .query_row(&sql, params![token_hash, now], user_from_row)
        .optional()?)
}

pub(super) fn upsert_agencies(conn: &Connection, agencies: &[Agency]) -> Result<(), DbError> {
    let mut stmt = conn.prepare(
        "INSERT INTO agencies (id, name, short_name, kind, parent_id, external) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, short_name = excluded.short_name,
           kind = excluded.kind, parent_id = excluded.parent_id, external = excluded.external",
    )?;
    // Parents go first, so that the foreign key holds whatever order the registry has.
    let in_registry = |id: &AgencyId| agencies.iter().any(|a| &a.id == id);
    let mut written: HashSet<&AgencyId> = HashSet::new();
    let mut remaining: Vec<&Agency> = agencies.iter().collect();
    while !remaining.is_empty() {
        let (ready, blocked): (Vec<&Agency>, Vec<&Agency>) = remaining.into_iter().partition(|a| {
            a.parent
                .as_ref()
                .is_none_or(|p| written.contains(p) || !in_registry(p))
        });
        if ready.is_empty() {
            let ids: Vec<&str> = blocked.iter().map(|a| a.id.as_str()).collect();
            return Err(DbError::Corrupt(format!(
                "agency parents form a cycle: {}",
                ids.join(", ")
            )));
        }
        for agency in ready {
            stmt.execute(params![
                agency.id.as_str(),
                agency.name,
                agency.short_name,
                kind_code(agency.kind),
                agency.parent.as_ref().map(AgencyId::as_str),
                agency.external
            ])?;
            written.insert(&agency.id);
        }
        remaining = blocked;
    }
    Ok(())
}

/// The kind's wire name (`department`, `district` …), as stored.
pub(super) fn kind_code(kind: AgencyKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}
