//! The sync log: applying pushed mutations exactly once, and the pull feed.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use tiendo_shared::date::format_rfc3339_utc;
use tiendo_shared::ids::{AgencyId, ClientId, MutationId, PlanCode, TaskNumber};
use tiendo_shared::progress::{Note, Percent, ProgressStatus};
use tiendo_shared::protocol::{
    AgencyRef, Change, Cursor, Mutation, MutationBody, MutationEnvelope, ProgressRecord,
    ProgressUpdate, PullResponse, PushResponse, RejectReason, Rejection, Timestamp,
};

use super::plans::{find_task, is_assigned};
use super::users::SessionUser;
use super::{Db, DbError, now_ms};

/// What a push did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// Everything in the batch is now applied or rejected for good.
    Applied(PushResponse),
    /// A sequence number was skipped: what came before the gap is applied, nothing after.
    OutOfOrder { expected: u64 },
    /// The client id belongs to another person.
    ForeignClient,
}

impl Db {
    /// Applies a client's mutations in one transaction, each exactly once, in `seq`
    /// order, and records how far the client got in the same transaction.
    pub async fn push(
        &self,
        user: SessionUser,
        client_id: ClientId,
        mutations: Vec<MutationEnvelope>,
    ) -> Result<PushOutcome, DbError> {
        self.write(move |conn| push(conn, &user, &client_id, mutations))
            .await
    }

    /// The changes after `cursor` that `user` may see, one page of at most `limit`.
    pub async fn pull(
        &self,
        user: SessionUser,
        cursor: Option<Cursor>,
        limit: usize,
    ) -> Result<PullResponse, DbError> {
        self.read(move |conn| pull(conn, &user, cursor, limit))
            .await
    }
}

fn push(
    conn: &mut Connection,
    user: &SessionUser,
    client_id: &ClientId,
    mut mutations: Vec<MutationEnvelope>,
) -> Result<PushOutcome, DbError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let now = now_ms();
    let owner: Option<(i64, i64)> = tx
        .query_row(
            "SELECT user_id, last_seq FROM clients WHERE client_id = ?1",
            [client_id.as_str()],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let mut last_seq = match owner {
        Some((owner_id, _)) if owner_id != user.id => return Ok(PushOutcome::ForeignClient),
        Some((_, last_seq)) => last_seq as u64,
        None => {
            tx.execute(
                "INSERT INTO clients (client_id, user_id, last_seq, last_push_at) VALUES (?1, ?2, 0, ?3)",
                params![client_id.as_str(), user.id, now],
            )?;
            0
        }
    };

    mutations.sort_by_key(|m| m.seq);
    let mut rejected = Vec::new();
    let mut gap = None;
    for envelope in mutations {
        if envelope.seq <= last_seq {
            // Applied or rejected before: a retry after a lost answer. Its rejection,
            // if it had one, is told again, or the device would never learn of it.
            if let Some(rejection) = earlier_rejection(&tx, client_id, envelope.seq)? {
                rejected.push(rejection);
            }
            continue;
        }
        if envelope.seq != last_seq + 1 {
            gap = Some(last_seq + 1);
            break;
        }
        let seq = envelope.seq;
        let outcome = match envelope.parse() {
            Ok(mutation) => apply(&tx, user, client_id, &mutation, now)?,
            Err(rejection) => Err(rejection),
        };
        if let Err(rejection) = outcome {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO rejected_mutations (client_id, seq, reason, detail, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![client_id.as_str(), seq as i64, rejection.error.code(), rejection.message, now])?;
            rejected.push(rejection);
        }
        last_seq = seq;
    }
    tx.prepare_cached("UPDATE clients SET last_seq = ?2, last_push_at = ?3 WHERE client_id = ?1")?
        .execute(params![client_id.as_str(), last_seq as i64, now])?;
    tx.commit()?;
    Ok(match gap {
        Some(expected) => PushOutcome::OutOfOrder { expected },
        None => PushOutcome::Applied(PushResponse { last_seq, rejected }),
    })
}

/// The rejection recorded for `seq` of `client_id`, if it was rejected.
fn earlier_rejection(
    conn: &Connection,
    client_id: &ClientId,
    seq: u64,
) -> Result<Option<Rejection>, DbError> {
    let row: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT reason, detail FROM rejected_mutations WHERE client_id = ?1 AND seq = ?2",
        )?
        .query_row(params![client_id.as_str(), seq as i64], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    row.map(|(reason, message)| {
        let error = RejectReason::from_code(&reason)
            .ok_or_else(|| DbError::Corrupt(format!("unknown rejection reason {reason:?}")))?;
        Ok(Rejection {
            seq,
            error,
            message,
        })
    })
    .transpose()
}

/// Applies one mutation; `Ok(Err(_))` when it can never succeed.
fn apply(
    conn: &Connection,
    user: &SessionUser,
    client_id: &ClientId,
    mutation: &Mutation,
    now: i64,
) -> Result<Result<(), Rejection>, DbError> {
    let reject = |error: RejectReason, message: String| {
        Ok(Err(Rejection {
            seq: mutation.seq,
            error,
            message,
        }))
    };
    let MutationBody::ProgressRecord(record) = &mutation.body;
    if !user.role.records_progress() {
        return reject(
            RejectReason::Forbidden,
            format!("role {} does not record progress", user.role.code()),
        );
    }
    let Some(task) = find_task(conn, record.plan.as_ref(), &record.task)? else {
        return reject(
            RejectReason::UnknownTask,
            format!("no task {}", record.task),
        );
    };
    if !is_assigned(conn, task.id, &user.agency.id)? {
        return reject(
            RejectReason::Forbidden,
            format!(
                "agency {} is not assigned to task {}",
                user.agency.id, task.number
            ),
        );
    }
    let already: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM progress_updates WHERE mutation_id = ?1)")?
        .query_row([mutation.id.as_str()], |row| row.get(0))?;
    if already {
        return Ok(Ok(()));
    }
    insert_progress(conn, user, client_id, mutation, record, task.id, now)?;
    Ok(Ok(()))
}

fn insert_progress(
    conn: &Connection,
    user: &SessionUser,
    client_id: &ClientId,
    mutation: &Mutation,
    record: &ProgressRecord,
    task_id: i64,
    now: i64,
) -> Result<(), DbError> {
    let current: Option<(i64, i64)> = conn
        .prepare_cached(
            "SELECT id, author_id FROM progress_updates WHERE task_id = ?1 AND agency_id = ?2
             ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![task_id, user.agency.id.as_str()], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    let conflict = current.is_some_and(|(id, author)| record.base != Some(id) && author != user.id);
    conn.prepare_cached(
        "INSERT INTO progress_updates (mutation_id, client_id, seq, task_id, agency_id, author_id,
             status, percent, note, observed_at, received_at, base_id, conflict)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        mutation.id.as_str(),
        client_id.as_str(),
        mutation.seq as i64,
        task_id,
        user.agency.id.as_str(),
        user.id,
        record.status.code(),
        record.percent.map(Percent::value),
        record.note.as_str(),
        record.observed_at.as_str(),
        now,
        record.base,
        conflict
    ])?;
    Ok(())
}

fn pull(
    conn: &Connection,
    user: &SessionUser,
    cursor: Option<Cursor>,
    limit: usize,
) -> Result<PullResponse, DbError> {
    // One read transaction, so the page and the high-water mark agree.
    let tx = conn.unchecked_transaction()?;
    let high = last_change(&tx)?;
    // A cursor this database did not issue (text no server wrote, a number beyond
    // its last change, or one naming a different change, as after a restore from an
    // older backup) starts the device over from the beginning.
    let (from, reset) = match cursor {
        Some(cursor) if cursor == Cursor::START => (0, false),
        Some(cursor) if cursor_is_known(&tx, cursor)? => (cursor.id as i64, false),
        _ => (0, true),
    };
    let scope: Option<&str> = (!user.role.reads_all()).then_some(user.agency.id.as_str());
    let mut stmt = tx.prepare_cached(
        "WITH RECURSIVE down(id) AS (
             SELECT ?2 WHERE ?2 IS NOT NULL
             UNION SELECT a.id FROM agencies a JOIN down ON a.parent_id = down.id
         )
         SELECT p.id, p.mutation_id, pl.code, t.number, a.id, a.name, u.username, u.display_name,
                p.status, p.percent, p.note, p.observed_at, p.received_at, p.conflict
         FROM progress_updates p
         JOIN tasks t ON t.id = p.task_id JOIN plans pl ON pl.id = t.plan_id
         JOIN agencies a ON a.id = p.agency_id JOIN users u ON u.id = p.author_id
         WHERE p.id > ?1 AND (?2 IS NULL OR p.agency_id IN (SELECT id FROM down))
         ORDER BY p.id LIMIT ?3",
    )?;
    let mut rows = stmt.query(params![from, scope, limit as i64 + 1])?;
    let mut changes = Vec::new();
    let mut has_more = false;
    while let Some(row) = rows.next()? {
        if changes.len() == limit {
            has_more = true;
            break;
        }
        changes.push(Change::Progress(progress_from_row(row)?));
    }
    let cursor = match changes.last() {
        Some(Change::Progress(p)) if has_more => Cursor::after(p.id as u64, &p.mutation_id),
        _ => high,
    };
    Ok(PullResponse {
        changes,
        cursor,
        has_more,
        reset,
    })
}

/// The cursor just after the last change of all (whether this person may see it or
/// not), or the start when there is none.
fn last_change(conn: &Connection) -> Result<Cursor, DbError> {
    let last: Option<(i64, String)> = conn
        .prepare_cached("SELECT id, mutation_id FROM progress_updates ORDER BY id DESC LIMIT 1")?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    last.map_or(Ok(Cursor::START), |(id, mutation_id)| {
        let mutation_id = MutationId::parse(&mutation_id)
            .map_err(|_| DbError::Corrupt("progress update has an invalid mutation id".into()))?;
        Ok(Cursor::after(id as u64, &mutation_id))
    })
}

/// Whether `cursor` names a change this database holds, by number and check.
fn cursor_is_known(conn: &Connection, cursor: Cursor) -> Result<bool, DbError> {
    let Ok(id) = i64::try_from(cursor.id) else {
        return Ok(false);
    };
    let mutation_id: Option<String> = conn
        .prepare_cached("SELECT mutation_id FROM progress_updates WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()?;
    Ok(mutation_id
        .and_then(|m| MutationId::parse(&m).ok())
        .is_some_and(|m| Cursor::after(cursor.id, &m) == cursor))
}

fn progress_from_row(row: &rusqlite::Row<'_>) -> Result<ProgressUpdate, DbError> {
    let corrupt = |what: &str| DbError::Corrupt(format!("progress update has an invalid {what}"));
    let text = |i: usize| row.get::<_, String>(i);
    Ok(ProgressUpdate {
        id: row.get(0)?,
        mutation_id: MutationId::parse(&text(1)?).map_err(|_| corrupt("mutation id"))?,
        plan: PlanCode::parse(&text(2)?).map_err(|_| corrupt("plan code"))?,
        task: TaskNumber::parse(&text(3)?).map_err(|_| corrupt("task number"))?,
        agency: AgencyRef {
            id: AgencyId::parse(&text(4)?).map_err(|_| corrupt("agency"))?,
            name: text(5)?,
        },
        author: text(6)?,
        author_name: text(7)?,
        status: ProgressStatus::from_code(&text(8)?).ok_or_else(|| corrupt("status"))?,
        percent: row
            .get::<_, Option<i64>>(9)?
            .map(Percent::new)
            .transpose()
            .map_err(|_| corrupt("percent"))?,
        note: Note::parse(&text(10)?).map_err(|_| corrupt("note"))?,
        observed_at: Timestamp::parse(&text(11)?).map_err(|_| corrupt("time"))?,
        received_at: format_rfc3339_utc(row.get(12)?),
        conflict: row.get(13)?,
    })
}
