//! The sync log: applying pushed mutations exactly once, and the pull feed.
//!
//! Every change devices pull has an id in `feed`, one sequence for progress updates,
//! report events and agency changes; the pull cursor names a feed id.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use tiendo_shared::date::format_rfc3339_utc;
use tiendo_shared::ids::{AgencyId, ClientId, MutationId, PlanCode, TaskNumber};
use tiendo_shared::progress::{Note, Percent, ProgressStatus};
use tiendo_shared::protocol::{
    AgencyRef, Change, Cursor, Mutation, MutationBody, MutationEnvelope, ProgressRecord,
    ProgressUpdate, PullResponse, PushResponse, RejectReason, Rejection, Timestamp,
};

use super::agencies::agency_change;
use super::plans::{find_task, is_assigned};
use super::reports::{PlanCache, apply_report_review, apply_report_write, report_event};
use super::users::SessionUser;
use super::{Db, DbError, audit, now_ms};

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
        self.push_at(user, client_id, mutations, now_ms()).await
    }

    /// [`Db::push`] as if the server received it at `now` (for seeding demo data
    /// dated in the plan's year).
    pub async fn push_at(
        &self,
        user: SessionUser,
        client_id: ClientId,
        mutations: Vec<MutationEnvelope>,
        now: i64,
    ) -> Result<PushOutcome, DbError> {
        let cache = self.plan_cache();
        self.write(move |conn| push(conn, &cache, &user, &client_id, mutations, now))
            .await
    }

    /// The feed id a mutation got, if it was applied.
    pub async fn feed_id_of(&self, mutation_id: MutationId) -> Result<Option<i64>, DbError> {
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT id FROM feed WHERE mutation_id = ?1",
                    [mutation_id.as_str()],
                    |row| row.get(0),
                )
                .optional()?)
        })
        .await
    }

    /// Every progress update, in order (for drafting the demo's reports).
    pub async fn pull_all_progress(&self) -> Result<Vec<ProgressUpdate>, DbError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!("{PROGRESS_SELECT} ORDER BY p.id"))?;
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(progress_from_row(row)?);
            }
            Ok(out)
        })
        .await
    }

    /// Whether any progress update or report is stored.
    pub async fn has_changes(&self) -> Result<bool, DbError> {
        self.read(|conn| {
            Ok(conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM feed WHERE kind IN ('progress', 'report'))",
                [],
                |row| row.get(0),
            )?)
        })
        .await
    }

    /// The changes after `cursor` that `user` may see, one page of at most `limit`.
    /// Report and agency changes go only to clients of schema version 2 or later.
    pub async fn pull(
        &self,
        user: SessionUser,
        cursor: Option<Cursor>,
        limit: usize,
        schema_version: u32,
    ) -> Result<PullResponse, DbError> {
        self.read(move |conn| pull(conn, &user, cursor, limit, schema_version))
            .await
    }
}

fn push(
    conn: &mut Connection,
    cache: &PlanCache,
    user: &SessionUser,
    client_id: &ClientId,
    mut mutations: Vec<MutationEnvelope>,
    now: i64,
) -> Result<PushOutcome, DbError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
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
            Ok(mutation) => apply(&tx, cache, user, client_id, &mutation, now)?,
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

/// Applies one mutation; `Ok(Err(_))` when it can never succeed. A mutation id the
/// server holds already from the same person (sent again under a new client id after
/// a restore) is applied once: the second time it is a no-op. Someone else's id is
/// checked like any mutation, and refused if it would be applied.
fn apply(
    conn: &Connection,
    cache: &PlanCache,
    user: &SessionUser,
    client_id: &ClientId,
    mutation: &Mutation,
    now: i64,
) -> Result<Result<(), Rejection>, DbError> {
    // A change of the feed with this id: its author, or none for one the server made
    // (an agency change), whose id is then taken all the same.
    let author: Option<Option<i64>> = conn
        .prepare_cached(
            "SELECT COALESCE(p.author_id, r.author_id) FROM feed f
             LEFT JOIN progress_updates p ON p.id = f.id LEFT JOIN report_events r ON r.id = f.id
             WHERE f.mutation_id = ?1",
        )?
        .query_row([mutation.id.as_str()], |row| row.get(0))
        .optional()?;
    if author == Some(Some(user.id)) {
        return Ok(Ok(()));
    }
    let applied = Applied {
        user,
        client_id,
        mutation,
        now,
        id_taken: author.is_some(),
    };
    let outcome = match &mutation.body {
        MutationBody::ProgressRecord(record) => apply_progress(conn, &applied, record),
        MutationBody::ReportSave(write) => apply_report_write(conn, cache, &applied, write, false),
        MutationBody::ReportSubmit(write) => apply_report_write(conn, cache, &applied, write, true),
        MutationBody::ReportReview(review) => apply_report_review(conn, cache, &applied, review),
    };
    match outcome {
        // Checked first thing before any write, so nothing of it was written.
        Err(DbError::MutationIdTaken) => applied.reject(
            RejectReason::Invalid,
            "this mutation id was already used by someone else".into(),
        ),
        other => other,
    }
}

/// The mutation being applied, who sent it and when.
pub(super) struct Applied<'a> {
    pub user: &'a SessionUser,
    pub client_id: &'a ClientId,
    pub mutation: &'a Mutation,
    pub now: i64,
    /// Another person's change already has this mutation id.
    pub id_taken: bool,
}

impl Applied<'_> {
    /// A permanent rejection of this mutation.
    pub fn reject(
        &self,
        error: RejectReason,
        message: String,
    ) -> Result<Result<(), Rejection>, DbError> {
        Ok(Err(Rejection {
            seq: self.mutation.seq,
            error,
            message,
        }))
    }

    /// Takes the next id of the feed for this mutation: the first write of every
    /// change, made once every check has passed.
    pub fn feed_id(&self, conn: &Connection, kind: &str) -> Result<i64, DbError> {
        if self.id_taken {
            return Err(DbError::MutationIdTaken);
        }
        conn.prepare_cached("INSERT INTO feed (kind, mutation_id) VALUES (?1, ?2)")?
            .execute(params![kind, self.mutation.id.as_str()])?;
        Ok(conn.last_insert_rowid())
    }
}

fn apply_progress(
    conn: &Connection,
    applied: &Applied<'_>,
    record: &ProgressRecord,
) -> Result<Result<(), Rejection>, DbError> {
    let Applied {
        user,
        client_id,
        mutation,
        now,
        ..
    } = *applied;
    let reject = |error, message| applied.reject(error, message);
    if !user.role.records_progress() {
        return reject(
            RejectReason::Forbidden,
            format!("role {} does not record progress", user.role.code()),
        );
    }
    let Some(task) = find_task(conn, record.plan.as_ref(), &record.task, &user.agency.id)? else {
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
    let id = applied.feed_id(conn, "progress")?;
    insert_progress(conn, id, user, client_id, mutation, record, task.id, now)?;
    audit::record(
        conn,
        audit::Entry {
            at: now,
            device_at: Some(record.observed_at.as_str()),
            actor: &user.username,
            client_id: Some(client_id.as_str()),
            kind: "progress.record",
            agency: Some(user.agency.id.as_str()),
            target: &format!("{} {}", task.plan, task.number),
            detail: serde_json::json!({
                "change": id,
                "mutation_id": mutation.id.as_str(),
                "status": record.status.code(),
                "percent": record.percent.map(Percent::value),
            }),
        },
    )?;
    Ok(Ok(()))
}

#[allow(clippy::too_many_arguments)]
fn insert_progress(
    conn: &Connection,
    id: i64,
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
        "INSERT INTO progress_updates (id, mutation_id, client_id, seq, task_id, agency_id, author_id,
             status, percent, note, observed_at, received_at, base_id, conflict,
             results, difficulties, proposals)
         VALUES (?14, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?9, ?15, ?16)",
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
        record.results().as_str(),
        record.observed_at.as_str(),
        now,
        record.base,
        conflict,
        id,
        record.difficulties.as_str(),
        record.proposals.as_str()
    ])?;
    Ok(())
}

fn pull(
    conn: &Connection,
    user: &SessionUser,
    cursor: Option<Cursor>,
    limit: usize,
    schema_version: u32,
) -> Result<PullResponse, DbError> {
    // One read transaction, so the page and the high-water mark agree.
    let tx = conn.unchecked_transaction()?;
    let generation = generation(&tx)?;
    let high = last_change(&tx, generation)?;
    // A cursor this database did not issue (text no server wrote, a number beyond
    // its last change, or one naming a different change, as after a restore from an
    // older backup) starts the device over from the beginning.
    let (from, reset) = match cursor {
        Some(cursor) if cursor == Cursor::START => (0, false),
        Some(cursor) if cursor_is_known(&tx, cursor, generation)? => (cursor.id as i64, false),
        _ => (0, true),
    };
    let scope: Option<&str> = (!user.role.reads_all()).then_some(user.agency.id.as_str());
    let reports = schema_version >= 2;
    // Progress of the person's agency and the units under it; reports of their
    // agency and those above it (a border post sees its command's report); every
    // agency change.
    let visible = |columns: &str| {
        format!(
        "WITH RECURSIVE down(id) AS (
             SELECT ?2 WHERE ?2 IS NOT NULL
             UNION SELECT a.id FROM agencies a JOIN down ON a.parent_id = down.id
         ), up(id) AS (
             SELECT ?2 WHERE ?2 IS NOT NULL
             UNION SELECT a.parent_id FROM agencies a JOIN up ON a.id = up.id WHERE a.parent_id IS NOT NULL
         )
         SELECT {columns} FROM feed f
         LEFT JOIN progress_updates p ON f.kind = 'progress' AND p.id = f.id
         LEFT JOIN report_events r ON f.kind = 'report' AND r.id = f.id
         WHERE f.id > ?1 AND (
             (p.id IS NOT NULL AND (?2 IS NULL OR p.agency_id IN (SELECT id FROM down)))
             OR (?4 AND r.id IS NOT NULL AND (?2 IS NULL
                 OR (r.scope = 'agency' AND r.agency_id IN (SELECT id FROM up))))
             OR (?4 AND f.kind = 'agency')
         )
         ORDER BY f.id LIMIT ?3"
        )
    };
    let rows: Vec<(i64, String)> = tx
        .prepare_cached(&visible("f.id, f.kind"))?
        .query_map(params![from, scope, limit as i64 + 1, reports], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    let has_more = rows.len() > limit;
    // How many more after this page, for the device to show its progress.
    let remaining: i64 = match rows.get(limit.wrapping_sub(1)) {
        Some((last, _)) if has_more => tx
            .prepare_cached(&format!("SELECT count(*) FROM ({})", visible("f.id")))?
            .query_row(params![last, scope, -1, reports], |row| row.get(0))?,
        _ => 0,
    };
    let mut changes = Vec::with_capacity(rows.len().min(limit));
    let mut last: Option<(i64, MutationId)> = None;
    for (id, kind) in rows.into_iter().take(limit) {
        let change = match kind.as_str() {
            "progress" => {
                let update = tx
                    .prepare_cached(&format!("{PROGRESS_SELECT} WHERE p.id = ?1"))?
                    .query_row([id], |row| Ok(progress_from_row(row)))??;
                last = Some((id, update.mutation_id.clone()));
                Change::Progress(update)
            }
            "report" => {
                let event = report_event(&tx, id)?;
                last = Some((id, event.mutation_id.clone()));
                Change::Report(event)
            }
            "agency" => {
                let change = agency_change(&tx, id)?;
                last = Some((id, change.mutation_id.clone()));
                Change::Agency(change)
            }
            other => return Err(DbError::Corrupt(format!("a change of kind {other:?}"))),
        };
        changes.push(change);
    }
    let cursor = match last {
        Some((id, mutation_id)) if has_more => cursor_after(id as u64, &mutation_id, generation),
        _ => high,
    };
    Ok(PullResponse {
        changes,
        cursor,
        has_more,
        remaining: remaining as u64,
        reset,
    })
}

/// The columns of a progress update as [`progress_from_row`] reads them.
pub(super) const PROGRESS_SELECT: &str =
    "SELECT p.id, p.mutation_id, pl.code, t.number, a.id, a.name, u.username,
        u.display_name, p.status, p.percent, p.note, p.observed_at, p.received_at, p.conflict,
        p.results, p.difficulties, p.proposals
    FROM progress_updates p
    JOIN tasks t ON t.id = p.task_id JOIN plans pl ON pl.id = t.plan_id
    JOIN agencies a ON a.id = p.agency_id JOIN users u ON u.id = p.author_id";

/// What the cursors this database issues depend on besides the change they name: the
/// last merge of agencies and the last restore from a backup (0 when there was
/// neither). A merge widens what people may see (a merged agency's history is the
/// joined agency's now, and its units are under another agency), and a device holds
/// nothing of what it did not see before; after a restore the server has gone back in
/// time, and a device must learn it even when its cursor names a change the backup
/// holds. Every cursor issued before either is no longer honoured, so each device
/// starts over from the beginning once (`reset`), whatever its version, and its cursor
/// is valid again.
fn generation(conn: &Connection) -> Result<u32, DbError> {
    let merge: Option<String> = conn
        .prepare_cached(
            "SELECT f.mutation_id FROM agency_changes c JOIN feed f ON f.id = c.id
             WHERE c.merged_from IS NOT NULL ORDER BY c.id DESC LIMIT 1",
        )?
        .query_row([], |row| row.get(0))
        .optional()?;
    let merge = merge.map_or(0, |mutation_id| {
        u32::from_str_radix(mutation_id.get(..8).unwrap_or_default(), 16)
            .unwrap_or_default()
            .max(1)
    });
    let restore: Option<i64> = conn
        .prepare_cached("SELECT token FROM restores ORDER BY id DESC LIMIT 1")?
        .query_row([], |row| row.get(0))
        .optional()?;
    Ok(merge ^ restore.map_or(0, |token| token as u32))
}

/// The cursor just after the change `id` whose mutation id is `mutation_id`, in the
/// current [`generation`].
fn cursor_after(id: u64, mutation_id: &MutationId, generation: u32) -> Cursor {
    let cursor = Cursor::after(id, mutation_id);
    Cursor {
        id,
        check: cursor.check ^ generation,
    }
}

/// The cursor just after the last change of all (whether this person may see it or
/// not), or the start when there is none.
fn last_change(conn: &Connection, generation: u32) -> Result<Cursor, DbError> {
    let last: Option<(i64, String)> = conn
        .prepare_cached("SELECT id, mutation_id FROM feed ORDER BY id DESC LIMIT 1")?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    last.map_or(Ok(Cursor::START), |(id, mutation_id)| {
        let mutation_id = MutationId::parse(&mutation_id)
            .map_err(|_| DbError::Corrupt("a change has an invalid mutation id".into()))?;
        Ok(cursor_after(id as u64, &mutation_id, generation))
    })
}

/// Whether `cursor` names a change this database holds, by number and check, in the
/// current [`generation`].
fn cursor_is_known(conn: &Connection, cursor: Cursor, generation: u32) -> Result<bool, DbError> {
    let Ok(id) = i64::try_from(cursor.id) else {
        return Ok(false);
    };
    let mutation_id: Option<String> = conn
        .prepare_cached("SELECT mutation_id FROM feed WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()?;
    Ok(mutation_id
        .and_then(|m| MutationId::parse(&m).ok())
        .is_some_and(|m| cursor_after(cursor.id, &m, generation) == cursor))
}

pub(super) fn progress_from_row(row: &rusqlite::Row<'_>) -> Result<ProgressUpdate, DbError> {
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
        results: Note::parse(&text(14)?).map_err(|_| corrupt("results"))?,
        difficulties: Note::parse(&text(15)?).map_err(|_| corrupt("difficulties"))?,
        proposals: Note::parse(&text(16)?).map_err(|_| corrupt("proposals"))?,
        observed_at: Timestamp::parse(&text(11)?).map_err(|_| corrupt("time"))?,
        received_at: format_rfc3339_utc(row.get(12)?),
        conflict: row.get(13)?,
    })
}
