//! Accounts, sessions and the agency registry.

use std::collections::HashSet;
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, params};
use tiendo_shared::date::format_rfc3339_utc;
use tiendo_shared::ids::AgencyId;
use tiendo_shared::plan::{Agency, AgencyKind};
use tiendo_shared::protocol::{AgencyRef, Role, UserInfo};

use super::{Db, DbError, audit, now_ms};

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

/// An account as `tiendo user list` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Account {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub agency: AgencyRef,
    /// A disabled account cannot sign in.
    pub disabled: bool,
    /// Its unexpired sessions (devices signed in).
    pub sessions: i64,
    pub created_at: String,
}

/// What disabling an account, enabling it or resetting its password did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ended {
    /// The sessions ended.
    pub sessions: usize,
    /// Whether the account was disabled before.
    pub was_disabled: bool,
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
        let actor = Arc::clone(&self.actor);
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let agency_known = tx
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
            let now = now_ms();
            let inserted = tx.execute(
                "INSERT INTO users (username, display_name, password_hash, agency_id, role, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (username) DO NOTHING",
                params![
                    user.username,
                    user.display_name,
                    user.password_hash,
                    user.agency.as_str(),
                    user.role.code(),
                    now
                ],
            )?;
            if inserted == 1 {
                record_account(&tx, now, &actor, "account.add", &user)?;
                tx.commit()?;
            }
            Ok(inserted == 1)
        })
        .await
    }

    /// Every account, by agency and username.
    pub async fn accounts(&self) -> Result<Vec<Account>, DbError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {USER_COLUMNS}, u.disabled, u.created_at,
                     (SELECT count(*) FROM sessions s WHERE s.user_id = u.id AND s.expires_at > ?1)
                 FROM users u JOIN agencies a ON a.id = u.agency_id
                 ORDER BY a.name, u.username"
            ))?;
            let rows = stmt.query_map([now_ms()], |row| {
                let user = user_from_row(row)?;
                Ok(Account {
                    username: user.username,
                    display_name: user.display_name,
                    role: user.role,
                    agency: user.agency,
                    disabled: row.get(6)?,
                    created_at: format_rfc3339_utc(row.get(7)?),
                    sessions: row.get(8)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Creates every account of `users` in one transaction, or none: refused, creating
    /// nothing, when a username is taken (compared without regard to case) or an agency
    /// is unknown or merged into another.
    pub async fn add_users(&self, users: Vec<NewUser>) -> Result<usize, DbError> {
        let actor = Arc::clone(&self.actor);
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let now = now_ms();
            let mut problems = Vec::new();
            for user in &users {
                let taken: Option<String> = tx
                    .prepare_cached("SELECT username FROM users WHERE lower(username) = lower(?1)")?
                    .query_row([&user.username], |row| row.get(0))
                    .optional()?;
                if let Some(taken) = taken {
                    problems.push((
                        format!("the username {taken:?} is taken"),
                        format!("tên đăng nhập “{taken}” đã có"),
                    ));
                    continue;
                }
                let agency_known = tx
                    .prepare_cached("SELECT 1 FROM agencies WHERE id = ?1 AND merged_into IS NULL")?
                    .query_row([user.agency.as_str()], |_| Ok(()))
                    .optional()?
                    .is_some();
                if !agency_known {
                    problems.push((
                        format!("the agency {} is unknown or merged", user.agency),
                        format!("cơ quan {} không có hoặc đã được hợp nhất", user.agency),
                    ));
                    continue;
                }
                tx.prepare_cached(
                    "INSERT INTO users (username, display_name, password_hash, agency_id, role, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    user.username,
                    user.display_name,
                    user.password_hash,
                    user.agency.as_str(),
                    user.role.code(),
                    now
                ])?;
                record_account(&tx, now, &actor, "account.import", user)?;
            }
            if !problems.is_empty() {
                let (en, vi): (Vec<String>, Vec<String>) = problems.into_iter().unzip();
                return Err(DbError::Declined(super::Refusal {
                    en: format!("nothing imported: {}", en.join("; ")),
                    vi: format!("chưa nhập tài khoản nào: {}", vi.join("; ")),
                }));
            }
            tx.commit()?;
            Ok(users.len())
        })
        .await
    }

    /// Disables the account `username` and ends its sessions at once; `None` when
    /// there is no such account.
    pub async fn disable_user(&self, username: String) -> Result<Option<Ended>, DbError> {
        let actor = Arc::clone(&self.actor);
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let Some((id, disabled)) = account_id(&tx, &username)? else {
                return Ok(None);
            };
            tx.execute("UPDATE users SET disabled = 1 WHERE id = ?1", [id])?;
            let sessions = tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
            let detail = serde_json::json!({"sessions_ended": sessions, "was_disabled": disabled});
            record_change(&tx, id, &actor, "account.disable", detail)?;
            tx.commit()?;
            Ok(Some(Ended {
                sessions,
                was_disabled: disabled,
            }))
        })
        .await
    }

    /// Lets the disabled account `username` sign in again; `None` when there is no
    /// such account.
    pub async fn enable_user(&self, username: String) -> Result<Option<Ended>, DbError> {
        let actor = Arc::clone(&self.actor);
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let Some((id, disabled)) = account_id(&tx, &username)? else {
                return Ok(None);
            };
            tx.execute("UPDATE users SET disabled = 0 WHERE id = ?1", [id])?;
            let detail = serde_json::json!({"was_disabled": disabled});
            record_change(&tx, id, &actor, "account.enable", detail)?;
            tx.commit()?;
            Ok(Some(Ended {
                sessions: 0,
                was_disabled: disabled,
            }))
        })
        .await
    }

    /// Gives the account `username` the password whose hash is `password_hash` and
    /// ends its sessions; `None` when there is no such account.
    pub async fn reset_password(
        &self,
        username: String,
        password_hash: String,
    ) -> Result<Option<Ended>, DbError> {
        let actor = Arc::clone(&self.actor);
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let Some((id, disabled)) = account_id(&tx, &username)? else {
                return Ok(None);
            };
            tx.execute(
                "UPDATE users SET password_hash = ?2 WHERE id = ?1",
                params![id, password_hash],
            )?;
            let sessions = tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
            let detail = serde_json::json!({"sessions_ended": sessions});
            record_change(&tx, id, &actor, "account.reset_password", detail)?;
            tx.commit()?;
            Ok(Some(Ended {
                sessions,
                was_disabled: disabled,
            }))
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

    /// The account and its password hash, for checking a login; `None` for a disabled
    /// account, which cannot sign in.
    pub async fn user_for_login(
        &self,
        username: String,
    ) -> Result<Option<(SessionUser, String)>, DbError> {
        self.read(move |conn| {
            let sql = format!(
                "SELECT {USER_COLUMNS}, u.password_hash FROM users u
                 JOIN agencies a ON a.id = u.agency_id WHERE u.username = ?1 AND NOT u.disabled"
            );
            Ok(conn
                .query_row(&sql, [username], |row| {
                    Ok((user_from_row(row)?, row.get(6)?))
                })
                .optional()?)
        })
        .await
    }

    /// Starts a session for `user_id` under the token whose SHA-256 is `token_hash`,
    /// if the account still has the password hash `checked` was checked against and is
    /// not disabled: `false` when the account was disabled or its password reset while
    /// the password was being checked.
    pub async fn create_session(
        &self,
        user_id: i64,
        checked: String,
        token_hash: Vec<u8>,
        expires_at: i64,
    ) -> Result<bool, DbError> {
        self.write(move |conn| {
            let now = now_ms();
            conn.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])?;
            let created = conn.execute(
                "INSERT INTO sessions (token_hash, user_id, expires_at)
                 SELECT ?1, id, ?3 FROM users WHERE id = ?2 AND password_hash = ?4 AND NOT disabled",
                params![token_hash, user_id, expires_at, checked],
            )?;
            Ok(created == 1)
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

/// Appends the creation of the account `user` to the audit trail.
fn record_account(
    conn: &Connection,
    now: i64,
    actor: &str,
    kind: &str,
    user: &NewUser,
) -> Result<(), DbError> {
    audit::record(
        conn,
        audit::Entry {
            at: now,
            device_at: None,
            actor,
            client_id: None,
            kind,
            agency: Some(user.agency.as_str()),
            target: &user.username,
            detail: serde_json::json!({
                "display_name": user.display_name,
                "role": user.role.code(),
            }),
        },
    )
}

/// Appends a change of the account `id` to the audit trail.
fn record_change(
    conn: &Connection,
    id: i64,
    actor: &str,
    kind: &str,
    detail: serde_json::Value,
) -> Result<(), DbError> {
    let (username, agency): (String, String) = conn.query_row(
        "SELECT username, agency_id FROM users WHERE id = ?1",
        [id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    audit::record(
        conn,
        audit::Entry {
            at: now_ms(),
            device_at: None,
            actor,
            client_id: None,
            kind,
            agency: Some(&agency),
            target: &username,
            detail,
        },
    )
}

/// The id of the account `username` and whether it is disabled.
fn account_id(conn: &Connection, username: &str) -> Result<Option<(i64, bool)>, DbError> {
    Ok(conn
        .query_row(
            "SELECT id, disabled FROM users WHERE username = ?1",
            [username],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?)
}

fn session_user(
    conn: &Connection,
    token_hash: &[u8],
    now: i64,
) -> Result<Option<SessionUser>, DbError> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id
         JOIN agencies a ON a.id = u.agency_id
         WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND NOT u.disabled"
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
