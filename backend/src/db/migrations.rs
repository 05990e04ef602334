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
    (
        "0005_withdrawn_tasks",
        include_str!("../../migrations/0005_withdrawn_tasks.sql"),
    ),
    (
        "0006_provinces",
        include_str!("../../migrations/0006_provinces.sql"),
    ),
    (
        "0007_agency_changes",
        include_str!("../../migrations/0007_agency_changes.sql"),
    ),
    (
        "0008_plan_identity",
        include_str!("../../migrations/0008_plan_identity.sql"),
    ),
    (
        "0009_agency_review",
        include_str!("../../migrations/0009_agency_review.sql"),
    ),
    (
        "0010_restores",
        include_str!("../../migrations/0010_restores.sql"),
    ),
    (
        "0011_user_disabled",
        include_str!("../../migrations/0011_user_disabled.sql"),
    ),
    (
        "0012_audit",
        include_str!("../../migrations/0012_audit.sql"),
    ),
    (
        "0013_reporting_periods",
        include_str!("../../migrations/0013_reporting_periods.sql"),
    ),
    (
        "0014_view_version",
        include_str!("../../migrations/0014_view_version.sql"),
    ),
];

/// The schema version of a database with every migration applied.
pub fn known_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Applies the migrations this database has not had yet, each in its own transaction.
pub fn apply(conn: &mut Connection) -> Result<(), DbError> {
    apply_through(conn, MIGRATIONS.len())
}

/// Applies the migrations up to the `count`-th.
fn apply_through(conn: &mut Connection, count: usize) -> Result<(), DbError> {
    let known = MIGRATIONS.len() as i64;
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > known {
        return Err(DbError::TooNew { found, known });
    }
    for (index, (name, sql)) in MIGRATIONS
        .iter()
        .enumerate()
        .take(count)
        .skip(found as usize)
    {
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

    #[test]
    fn progress_keeps_its_ids_in_the_feed_and_its_note_becomes_the_results() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply_through(&mut conn, 3).unwrap();
        conn.execute_batch(
            "INSERT INTO agencies (id, name, short_name, kind) VALUES ('so-a', 'Sở A', 'A', 'department');
             INSERT INTO plans (code, title, date, document, imported_at)
                 VALUES ('1/KH', 'Kế hoạch', '2019-01-15', '{\"year\": 2019}', 0);
             INSERT INTO tasks (plan_id, number, position, title, body, timeframe) VALUES (1, '1', 0, 't', 'b', 'Năm 2019');
             INSERT INTO users (username, display_name, password_hash, agency_id, role, created_at)
                 VALUES ('a', 'A', 'x', 'so-a', 'staff', 0);
             INSERT INTO clients (client_id, user_id, last_seq, last_push_at) VALUES ('c', 1, 3, 0);
             INSERT INTO progress_updates (mutation_id, client_id, seq, task_id, agency_id, author_id,
                 status, note, observed_at, received_at)
             VALUES ('m1', 'c', 1, 1, 'so-a', 1, 'done', 'Đã làm', '2019-06-01T00:00:00Z', 0),
                    ('m2', 'c', 2, 1, 'so-a', 1, 'done', 'Lần hai', '2019-06-01T00:00:00Z', 0),
                    ('m3', 'c', 3, 1, 'so-a', 1, 'done', 'Lần ba', '2019-06-01T00:00:00Z', 0);
             DELETE FROM progress_updates WHERE id = 3;",
        )
        .unwrap();
        apply(&mut conn).unwrap();
        let feed: Vec<(i64, String)> = conn
            .prepare("SELECT id, mutation_id FROM feed ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(feed, [(1, "m1".to_owned()), (2, "m2".to_owned())]);
        let results: String = conn
            .query_row(
                "SELECT results FROM progress_updates WHERE id = 2",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(results, "Lần hai");
        let year: i64 = conn
            .query_row("SELECT year FROM plans", [], |r| r.get(0))
            .unwrap();
        assert_eq!(year, 2019);
        // An id progress_updates once gave out (3) is never given out again.
        conn.execute(
            "INSERT INTO feed (kind, mutation_id) VALUES ('report', 'm4')",
            [],
        )
        .unwrap();
        let next: i64 = conn
            .query_row("SELECT id FROM feed WHERE mutation_id = 'm4'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(next, 4);
    }

    #[test]
    fn the_feed_is_rebuilt_for_agency_changes_keeping_ids_references_and_its_sequence() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        apply_through(&mut conn, 6).unwrap();
        conn.execute_batch(
            "INSERT INTO agencies (id, name, short_name, kind) VALUES ('so-a', 'Sở A', 'A', 'department');
             INSERT INTO plans (code, title, date, document, imported_at)
                 VALUES ('1/KH', 'Kế hoạch', '2019-01-15', '{\"year\": 2019}', 0);
             INSERT INTO tasks (plan_id, number, position, title, body, timeframe) VALUES (1, '1', 0, 't', 'b', 'Năm 2019');
             INSERT INTO users (username, display_name, password_hash, agency_id, role, created_at)
                 VALUES ('a', 'A', 'x', 'so-a', 'head', 0);
             INSERT INTO clients (client_id, user_id, last_seq, last_push_at) VALUES ('c', 1, 3, 0);
             INSERT INTO feed (kind, mutation_id) VALUES ('progress', 'm1'), ('report', 'm2'), ('progress', 'm3');
             INSERT INTO progress_updates (id, mutation_id, client_id, seq, task_id, agency_id, author_id,
                 status, note, observed_at, received_at)
             VALUES (1, 'm1', 'c', 1, 1, 'so-a', 1, 'done', '', '2019-06-01T00:00:00Z', 0);
             INSERT INTO report_events (id, mutation_id, client_id, seq, plan_id, period, scope, agency_id,
                 action, version, state, author_id, observed_at, received_at)
             VALUES (2, 'm2', 'c', 2, 1, 'H1-2019', 'agency', 'so-a', 'saved', 2, 'draft', 1,
                 '2019-06-01T00:00:00Z', 0);
             DELETE FROM feed WHERE id = 3;",
        )
        .unwrap();
        apply(&mut conn).unwrap();
        let feed: Vec<(i64, String)> = conn
            .prepare("SELECT id, kind FROM feed ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(feed, [(1, "progress".into()), (2, "report".into())]);
        let violations: i64 = conn
            .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(violations, 0);
        // The new kind is allowed, and the id 3 given out before is not given again.
        conn.execute(
            "INSERT INTO feed (kind, mutation_id) VALUES ('agency', 'm4')",
            [],
        )
        .unwrap();
        assert_eq!(conn.last_insert_rowid(), 4);
        assert!(
            conn.execute(
                "INSERT INTO feed (kind, mutation_id) VALUES ('other', 'm5')",
                []
            )
            .is_err()
        );
        // Report events still refer to the feed: one naming no change is refused.
        assert!(
            conn.execute(
                "INSERT INTO report_events (id, mutation_id, client_id, seq, plan_id, period, scope,
                     agency_id, action, version, state, author_id, observed_at, received_at)
                 VALUES (99, 'm99', 'c', 9, 1, 'H1-2019', 'agency', 'so-a', 'saved', 99, 'draft', 1,
                     '2019-06-01T00:00:00Z', 0)",
                []
            )
            .is_err()
        );
    }
}
