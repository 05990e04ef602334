//! Plans and their tasks.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};
use tiendo_shared::date::Date;
use tiendo_shared::ids::{AgencyId, PlanCode, TaskNumber};
use tiendo_shared::plan::{Agency, Plan};
use tiendo_shared::protocol::{
    AgencyParent, AgencyRef, PlanView, ReportDeadline, SectionView, TaskView,
};

use super::reports::{PlanCache, period_info};
use super::users::{SessionUser, upsert_agencies};
use super::{Db, DbError, now_ms};

/// What importing a plan did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanImport {
    pub code: PlanCode,
    /// False when a plan with this code was already there (it is updated in place).
    pub created: bool,
    pub tasks: usize,
}

/// A task as the sync code needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRow {
    pub id: i64,
    pub plan: PlanCode,
    pub number: TaskNumber,
}

impl Db {
    /// Loads a parsed plan and the agencies it names, in one transaction. Importing the
    /// same plan again updates it in place and never duplicates it.
    pub async fn import_plan(
        &self,
        plan: Plan,
        agencies: Vec<Agency>,
    ) -> Result<PlanImport, DbError> {
        let cache = self.plan_cache();
        self.write(move |conn| {
            let tx = conn.transaction()?;
            upsert_agencies(&tx, &agencies)?;
            let result = import_plan(&tx, &plan)?;
            tx.commit()?;
            cache.clear();
            Ok(result)
        })
        .await
    }

    /// Whether any plan is loaded.
    pub async fn has_plans(&self) -> Result<bool, DbError> {
        self.read(|conn| {
            Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM plans)", [], |row| row.get(0))?)
        })
        .await
    }

    /// The current plan (the most recent by date) as `user` sees it.
    pub async fn current_plan_view(&self, user: SessionUser) -> Result<Option<PlanView>, DbError> {
        let cache = self.plan_cache();
        self.read(move |conn| {
            let Some(plan_id) = current_plan_id(conn)? else {
                return Ok(None);
            };
            plan_view(conn, &cache, plan_id, &user).map(Some)
        })
        .await
    }
}

fn import_plan(conn: &Connection, plan: &Plan) -> Result<PlanImport, DbError> {
    let document = serde_json::to_string(plan).map_err(|e| DbError::Corrupt(e.to_string()))?;
    let deadlines: Vec<ReportDeadline> = plan
        .reporting
        .iter()
        .map(|r| ReportDeadline {
            period: r.period,
            agency_deadline: r.agency_deadline,
            consolidation_deadline: r.consolidation_deadline,
            consolidator: r.consolidator.as_ref().map(|a| AgencyRef {
                id: a.id.clone(),
                name: a.name.clone(),
            }),
            reporters: Vec::new(),
        })
        .collect();
    let reporting =
        serde_json::to_string(&deadlines).map_err(|e| DbError::Corrupt(e.to_string()))?;
    let existing: Option<i64> = conn
        .query_row(
            "SELECT id FROM plans WHERE code = ?1",
            [plan.code.as_str()],
            |row| row.get(0),
        )
        .optional()?;
    let plan_id = match existing {
        Some(id) => {
            conn.execute(
                "UPDATE plans SET title = ?2, date = ?3, document = ?4, reporting = ?5, year = ?6 WHERE id = ?1",
                params![id, plan.title, plan.date.to_iso(), document, reporting, plan.year],
            )?;
            id
        }
        None => {
            conn.execute(
                "INSERT INTO plans (code, title, date, document, imported_at, reporting, year)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    plan.code.as_str(),
                    plan.title,
                    plan.date.to_iso(),
                    document,
                    now_ms(),
                    reporting,
                    plan.year
                ],
            )?;
            conn.last_insert_rowid()
        }
    };
    let mut upsert_task = conn.prepare(
        "INSERT INTO tasks (plan_id, number, position, title, body, timeframe, lead_text, coordinating_text)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (plan_id, number) DO UPDATE SET position = excluded.position, title = excluded.title,
           body = excluded.body, timeframe = excluded.timeframe, lead_text = excluded.lead_text,
           coordinating_text = excluded.coordinating_text
         RETURNING id",
    )?;
    let mut clear_roles = conn.prepare("DELETE FROM task_agencies WHERE task_id = ?1")?;
    let mut add_role = conn.prepare(
        "INSERT OR IGNORE INTO task_agencies (task_id, agency_id, role, position) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (position, task) in plan.tasks.iter().enumerate() {
        let task_id: i64 = upsert_task.query_row(
            params![
                plan_id,
                task.number.as_str(),
                position as i64,
                task.title,
                task.text,
                task.timeframe_text,
                task.lead_text,
                task.coordinating_text
            ],
            |row| row.get(0),
        )?;
        clear_roles.execute([task_id])?;
        for (role, agencies) in [("lead", &task.lead), ("coordinating", &task.coordinating)] {
            for (position, agency) in agencies.iter().enumerate() {
                add_role.execute(params![task_id, agency.id.as_str(), role, position as i64])?;
            }
        }
    }
    Ok(PlanImport {
        code: plan.code.clone(),
        created: existing.is_none(),
        tasks: plan.tasks.len(),
    })
}

pub(super) fn current_plan_id(conn: &Connection) -> Result<Option<i64>, DbError> {
    Ok(conn
        .query_row(
            "SELECT id FROM plans ORDER BY date DESC, id DESC LIMIT 1",
            [],
            |row| row.get(0),
        )
        .optional()?)
}

/// The task `number` of the plan `code` (the current plan when `None`).
pub(super) fn find_task(
    conn: &Connection,
    code: Option<&PlanCode>,
    number: &TaskNumber,
) -> Result<Option<TaskRow>, DbError> {
    let plan_id = match code {
        Some(code) => conn
            .query_row(
                "SELECT id FROM plans WHERE code = ?1",
                [code.as_str()],
                |row| row.get(0),
            )
            .optional()?,
        None => current_plan_id(conn)?,
    };
    let Some(plan_id) = plan_id else {
        return Ok(None);
    };
    let row = conn
        .query_row(
            "SELECT t.id, p.code FROM tasks t JOIN plans p ON p.id = t.plan_id
             WHERE t.plan_id = ?1 AND t.number = ?2",
            params![plan_id, number.as_str()],
            |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)),
        )
        .optional()?;
    row.map(|(id, plan)| {
        Ok(TaskRow {
            id,
            plan: PlanCode::parse(&plan).map_err(|e| DbError::Corrupt(e.to_string()))?,
            number: number.clone(),
        })
    })
    .transpose()
}

/// The agency at the top of `agency`'s parent chain: the one it reports through.
pub(super) fn root_of(conn: &Connection, agency: &AgencyId) -> Result<AgencyId, DbError> {
    let root: String = conn.query_row(
        "WITH RECURSIVE up(id, parent, depth) AS (
             SELECT id, parent_id, 0 FROM agencies WHERE id = ?1
             UNION ALL SELECT a.id, a.parent_id, up.depth + 1 FROM agencies a JOIN up ON a.id = up.parent
             WHERE up.depth < 32
         )
         SELECT COALESCE((SELECT id FROM up ORDER BY depth DESC LIMIT 1), ?1)",
        [agency.as_str()],
        |row| row.get(0),
    )?;
    AgencyId::parse(&root).map_err(|e| DbError::Corrupt(e.to_string()))
}

/// Whether `agency`, or an agency above it (a border post under the border guard
/// command), is a lead or coordinating agency of the task.
pub(super) fn is_assigned(
    conn: &Connection,
    task_id: i64,
    agency: &AgencyId,
) -> Result<bool, DbError> {
    Ok(conn.query_row(
        "WITH RECURSIVE up(id) AS (
             SELECT ?2 UNION SELECT a.parent_id FROM agencies a JOIN up ON a.id = up.id WHERE a.parent_id IS NOT NULL
         )
         SELECT EXISTS (SELECT 1 FROM task_agencies WHERE task_id = ?1 AND agency_id IN (SELECT id FROM up))",
        params![task_id, agency.as_str()],
        |row| row.get(0),
    )?)
}

fn plan_view(
    conn: &Connection,
    cache: &PlanCache,
    plan_id: i64,
    user: &SessionUser,
) -> Result<PlanView, DbError> {
    let agency = &user.agency.id;
    let (code, title, date, reporting): (String, String, String, String) = conn.query_row(
        "SELECT code, title, date, reporting FROM plans WHERE id = ?1",
        [plan_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
    )?;
    let corrupt = |e: &dyn std::fmt::Display| DbError::Corrupt(e.to_string());

    let mut roles: HashMap<i64, (Vec<AgencyRef>, Vec<AgencyRef>)> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT ta.task_id, ta.role, a.id, a.name FROM task_agencies ta
         JOIN tasks t ON t.id = ta.task_id JOIN agencies a ON a.id = ta.agency_id
         WHERE t.plan_id = ?1 ORDER BY ta.position",
    )?;
    let mut rows = stmt.query([plan_id])?;
    while let Some(row) = rows.next()? {
        let task_id: i64 = row.get(0)?;
        let role: String = row.get(1)?;
        let id: String = row.get(2)?;
        let agency_ref = AgencyRef {
            id: AgencyId::parse(&id).map_err(|e| corrupt(&e))?,
            name: row.get(3)?,
        };
        let entry = roles.entry(task_id).or_default();
        if role == "lead" {
            entry.0.push(agency_ref);
        } else {
            entry.1.push(agency_ref);
        }
    }

    let mut stmt = conn.prepare(
        "SELECT id, number, title, body, timeframe, lead_text, coordinating_text
         FROM tasks WHERE plan_id = ?1 ORDER BY position",
    )?;
    type Row = (i64, String, String, String, String, String, String);
    let raw: Vec<Row> = stmt
        .query_map([plan_id], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
                row.get(6)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut reporting: Vec<ReportDeadline> = serde_json::from_str(&reporting)
        .map_err(|e| DbError::Corrupt(format!("stored deadlines: {e}")))?;
    // Who reports on what: every agency for a supervisor, one's own agency (or the one
    // it reports through) for anyone else.
    let plan = cache.plan(conn, plan_id)?;
    let own_root = root_of(conn, agency)?;
    for deadline in &mut reporting {
        if let Some(info) = period_info(conn, &plan, deadline.period)? {
            deadline.consolidator = info.consolidator;
            deadline.reporters = info
                .reporters
                .into_iter()
                .filter(|r| user.role.reads_all() || r.agency.id == own_root)
                .collect();
        }
    }
    let mut tasks = Vec::with_capacity(raw.len());
    for (id, number, title, text, timeframe, lead_text, coordinating_text) in raw {
        let (lead, coordinating) = roles.remove(&id).unwrap_or_default();
        tasks.push(TaskView {
            number: TaskNumber::parse(&number).map_err(|e| corrupt(&e))?,
            title,
            text,
            lead_text,
            coordinating_text,
            lead,
            coordinating,
            timeframe,
            assigned: is_assigned(conn, id, agency)?,
        });
    }
    let mut parents = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT id, parent_id FROM agencies WHERE parent_id IS NOT NULL ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let parent: String = row.get(1)?;
        parents.push(AgencyParent {
            id: AgencyId::parse(&id).map_err(|e| corrupt(&e))?,
            parent: AgencyId::parse(&parent).map_err(|e| corrupt(&e))?,
        });
    }
    Ok(PlanView {
        code: PlanCode::parse(&code).map_err(|e| corrupt(&e))?,
        title,
        date: Date::parse_iso(&date).map_err(|e| corrupt(&e))?,
        tasks,
        reporting,
        year: plan.year,
        sections: plan
            .sections
            .iter()
            .map(|s| SectionView {
                number: s.number.clone(),
                title: s.title.clone(),
            })
            .collect(),
        parents,
    })
}
