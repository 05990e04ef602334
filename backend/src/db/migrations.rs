//! Numbered SQL migrations, embedded in the binary and applied at start-up. An applied
//! file is never edited; a change to the schema is a new file.

use rusqlite::Connection;

use super::DbError;

/// Every migration in order; the schema version is the number applied.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../../migrations/0001_init.sql")),
    (
        "0002_task_agency_order",
        include_str!("../../migrations/0002_task_agency_order.sql"),
    ),
    (
        "0003_plan_view_columns",
        include_str!("../../migrations/0003_plan_view_columns.sql"),
    ),
    (
        "0004_reporting_cycle",
        include_str!("../../migrations/0004_reporting_cycle.sql"),
    ),
];

/// Applies the migrations this database has not had yet, each in its own transaction.
pub fn apply(conn: &mut Connection) -> Result<(), DbError> {
    let known = MIGRATIONS.len() as i64;
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > known {
        return Err(DbError::TooNew { found, known });
    }
    for (index, (name, sql)) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)
            .map_err(|source| DbError::Migration { name, source })?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
        tracing::info!(migration = name, "applied");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_refuse_a_newer_database() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn).unwrap();
        apply(&mut conn).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        conn.pragma_update(None, "user_version", 999).unwrap();
        assert!(matches!(
            apply(&mut conn),
            Err(DbError::TooNew { found: 999, .. })
        ));
    }
}
