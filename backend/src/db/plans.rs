//! Plans and their tasks.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use tiendo_shared::date::Date;
use tiendo_shared::ids::{AgencyId, PlanCode, TaskNumber};
use tiendo_shared::plan::{Agency, Plan, PlanWarning, Task};
use tiendo_shared::protocol::{
    AgencyParent, AgencyRef, PlanListing, PlanView, ReportDeadline, SectionView, TaskView,
};

use super::reports::{PlanCache, ViewKey, ViewStamp, period_info, view_version};
use super::users::{SessionUser, kind_code, upsert_agencies};
use super::{Db, DbError, audit, now_ms};

/// What importing a plan did, or for a dry run would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanImport {
    /// The plan's name on the wire, in URLs and on the command line: its number, or,
    /// when its province already has a plan of that number from another date, the
    /// number followed by `_` and its date.
    pub code: PlanCode,
    /// The number as issued.
    pub number: PlanCode,
    /// False when a plan with this code was already there (it is updated in place).
    pub created: bool,
    /// False for a dry run: everything was worked out, then rolled back.
    pub applied: bool,
    /// How many tasks the plan has.
    pub tasks: usize,
    pub added: Vec<TaskBrief>,
    /// Tasks an earlier import withdrew that the plan has again.
    pub restored: Vec<TaskBrief>,
    pub changed: Vec<TaskChange>,
    /// Tasks the plan no longer has: kept, with what was recorded on them, and left
    /// out of the plan devices are served.
    pub withdrawn: Vec<WithdrawnTask>,
    pub unchanged: usize,
    /// Agencies the database did not have before.
    pub new_agencies: Vec<NewAgency>,
    /// Group phrases the plan's registry could not map, as written.
    pub unmapped_groups: Vec<String>,
    /// What the reader was unsure of, by line of the plan's text.
    pub warnings: Vec<PlanWarning>,
}

/// A task, by number and title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskBrief {
    pub number: TaskNumber,
    pub title: String,
}

/// A task whose wording or assignment changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskChange {
    pub number: TaskNumber,
    pub title: String,
    pub changes: Vec<FieldChange>,
}

/// What a task's field was and is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: TaskField,
    pub before: String,
    pub after: String,
}

/// The fields of a task an import compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskField {
    Title,
    Text,
    Timeframe,
    /// The lead agencies (as written, or as resolved when only those changed).
    Lead,
    Coordinating,
}

/// A task the revised plan no longer has, and what is attached to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WithdrawnTask {
    pub number: TaskNumber,
    pub title: String,
    /// Progress updates recorded on it.
    pub progress: usize,
    /// Reports (of any period and agency) whose content mentions it.
    pub reports: usize,
}

/// An agency an import adds to the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewAgency {
    pub id: AgencyId,
    pub name: String,
    /// `department`, `district` …
    pub kind: String,
    /// Named by the plan (else it only came with the registry).
    pub named: bool,
    /// Created from the plan's wording, its kind inferred: for an administrator to
    /// confirm, rename or merge.
    pub from_plan: bool,
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
    /// same plan again updates it in place and never duplicates it: tasks are matched
    /// by number, so what was recorded on them stays attached, and a task the plan no
    /// longer has is withdrawn, never deleted.
    pub async fn import_plan(
        &self,
        plan: Plan,
        agencies: Vec<Agency>,
    ) -> Result<PlanImport, DbError> {
        self.import(plan, agencies, true).await
    }

    /// What [`Db::import_plan`] would do, worked out in the same transaction and then
    /// rolled back: nothing changes.
    pub async fn preview_plan_import(
        &self,
        plan: Plan,
        agencies: Vec<Agency>,
    ) -> Result<PlanImport, DbError> {
        self.import(plan, agencies, false).await
    }

    async fn import(
        &self,
        plan: Plan,
        agencies: Vec<Agency>,
        apply: bool,
    ) -> Result<PlanImport, DbError> {
        let actor = Arc::clone(&self.actor);
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let summary = import_plan(&tx, &plan, &agencies, apply)?;
            if apply {
                audit::record(
                    &tx,
                    audit::Entry {
                        at: now_ms(),
                        device_at: None,
                        actor: &actor,
                        client_id: None,
                        kind: "plan.import",
                        agency: None,
                        target: summary.code.as_str(),
                        detail: serde_json::json!({
                            "created": summary.created,
                            "tasks": summary.tasks,
                            "added": summary.added.len(),
                            "restored": summary.restored.len(),
                            "changed": summary.changed.len(),
                            "withdrawn": summary.withdrawn.len(),
                            "new_agencies": summary.new_agencies.len(),
                        }),
                    },
                )?;
                tx.commit()?;
            }
            // A dry run's transaction is dropped here, which rolls it back.
            Ok(summary)
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

    /// The plan `code` (the current plan, the most recent by date of the person's
    /// province, when `None`) as `user` sees it; or that it is unchanged, when its
    /// ETag is one of `sent` (which costs a lookup, not the view). `None` when there is
    /// no such plan in the person's province.
    pub async fn plan_answer(
        &self,
        user: SessionUser,
        code: Option<PlanCode>,
        sent: Vec<String>,
    ) -> Result<Option<PlanAnswer>, DbError> {
        let cache = self.plan_cache();
        self.read(move |conn| {
            let found = match &code {
                Some(code) => plan_id(conn, code, &Within::AgencyOf(user.agency.id.clone()))?,
                None => current_plan_id(conn, &user.agency.id)?,
            };
            let Some(plan_id) = found else {
                return Ok(None);
            };
            let key = ViewKey {
                plan_id,
                agency: user.agency.id.clone(),
                reads_all: user.role.reads_all(),
            };
            // The version first: a view built after it is at least as new, so the ETag
            // kept under it can only be missed later, never wrongly matched.
            let version = view_version(conn)?;
            if let Some(tag) = cache.tag(&key, version).filter(|tag| sent.contains(tag)) {
                return Ok(Some(PlanAnswer::Unchanged(tag)));
            }
            let view = plan_view(conn, &cache, plan_id, &user)?;
            Ok(Some(PlanAnswer::View(view, ViewStamp { key, version })))
        })
        .await
    }

    /// Keeps the ETag the view of `stamp` was sent with, for the next `plan_answer`.
    pub fn remember_view_tag(&self, stamp: ViewStamp, tag: String) {
        self.plan_cache().remember(stamp, tag);
    }
    /// The plans of the person's province, newest first, the current one marked.
    pub async fn plans_of(&self, user: SessionUser) -> Result<Vec<PlanListing>, DbError> {
        self.read(move |conn| {
            let current = current_plan_id(conn, &user.agency.id)?;
            province_plans(conn, &user.agency.id, current)
        })
        .await
    }
}

/// What a device asking for a plan gets.
#[derive(Debug)]
pub enum PlanAnswer {
    /// The view whose ETag it sent is still the view.
    Unchanged(String),
    /// The view, to be sent with its ETag, kept then with `Db::remember_view_tag`.
    View(PlanView, ViewStamp),
}

/// Where a plan's code is looked up: a code names one plan within a province (two
/// provinces may each have a "215/KH-UBND").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Within {
    /// The plans a person of this agency works on: those of its province.
    AgencyOf(AgencyId),
    /// The plans of this province (its name or key); `None`: of any province, as long
    /// as only one holds the code.
    Province(Option<String>),
}

/// The id of the plan `code` `within` a province; `None` when there is none. Refused,
/// naming the provinces, when no province is named and several hold the code.
pub(super) fn plan_id(
    conn: &Connection,
    code: &PlanCode,
    within: &Within,
) -> Result<Option<i64>, DbError> {
    match within {
        Within::AgencyOf(agency) => {
            let current = current_plan_id(conn, agency)?;
            Ok(conn
                .prepare_cached(
                    "SELECT p.id FROM plans p WHERE p.code = ?1 AND (p.id = ?3 OR p.province = (
                         SELECT a.province FROM agencies a WHERE a.id = ?2 AND a.province != ''))",
                )?
                .query_row(
                    params![code.as_str(), agency.as_str(), current.unwrap_or(-1)],
                    |row| row.get(0),
                )
                .optional()?)
        }
        Within::Province(Some(province)) => Ok(conn
            .prepare_cached("SELECT id FROM plans WHERE code = ?1 AND province = ?2")?
            .query_row(params![code.as_str(), province_key(province)], |row| {
                row.get(0)
            })
            .optional()?),
        Within::Province(None) => {
            let found: Vec<(i64, String)> = conn
                .prepare_cached("SELECT id, province FROM plans WHERE code = ?1 ORDER BY province")?
                .query_map([code.as_str()], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<Result<_, _>>()?;
            match found.as_slice() {
                [] => Ok(None),
                [(id, _)] => Ok(Some(*id)),
                several => Err(DbError::Refused(format!(
                    "several provinces have a plan {code} ({}): name one with --province",
                    several
                        .iter()
                        .map(|(_, p)| p.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
            }
        }
    }
}

/// The plans of `agency`'s province, newest first; when its province has none, the
/// plan it is served instead (`current`) alone, never another province's list.
fn province_plans(
    conn: &Connection,
    agency: &AgencyId,
    current: Option<i64>,
) -> Result<Vec<PlanListing>, DbError> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.code, p.title, p.date, p.year FROM plans p
         WHERE p.id = ?2 OR p.province = (
             SELECT a.province FROM agencies a WHERE a.id = ?1 AND a.province != '')
         ORDER BY p.date DESC, p.id DESC",
    )?;
    let rows: Vec<(i64, String, String, String, i32)> = stmt
        .query_map(params![agency.as_str(), current.unwrap_or(-1)], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    let corrupt = |e: &dyn std::fmt::Display| DbError::Corrupt(e.to_string());
    rows.into_iter()
        .map(|(id, code, title, date, year)| {
            Ok(PlanListing {
                code: PlanCode::parse(&code).map_err(|e| corrupt(&e))?,
                title,
                date: Date::parse_iso(&date).map_err(|e| corrupt(&e))?,
                year,
                current: Some(id) == current,
            })
        })
        .collect()
}

/// A task as stored before an import.
struct StoredTask {
    id: i64,
    number: String,
    title: String,
    body: String,
    timeframe: String,
    lead_text: String,
    coordinating_text: String,
    withdrawn: bool,
    /// (id, name) in the plan's order.
    lead: Vec<(String, String)>,
    coordinating: Vec<(String, String)>,
}

fn stored_tasks(conn: &Connection, plan_id: i64) -> Result<Vec<StoredTask>, DbError> {
    let mut stmt = conn.prepare(
        "SELECT id, number, title, body, timeframe, lead_text, coordinating_text, withdrawn
         FROM tasks WHERE plan_id = ?1 ORDER BY position, id",
    )?;
    let mut tasks: Vec<StoredTask> = stmt
        .query_map([plan_id], |row| {
            Ok(StoredTask {
                id: row.get(0)?,
                number: row.get(1)?,
                title: row.get(2)?,
                body: row.get(3)?,
                timeframe: row.get(4)?,
                lead_text: row.get(5)?,
                coordinating_text: row.get(6)?,
                withdrawn: row.get(7)?,
                lead: Vec::new(),
                coordinating: Vec::new(),
            })
        })?
        .collect::<Result<_, _>>()?;
    let index: HashMap<i64, usize> = tasks.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    let mut stmt = conn.prepare(
        "SELECT ta.task_id, ta.role, a.id, a.name FROM task_agencies ta
         JOIN tasks t ON t.id = ta.task_id JOIN agencies a ON a.id = ta.agency_id
         WHERE t.plan_id = ?1 ORDER BY ta.position",
    )?;
    let mut rows = stmt.query([plan_id])?;
    while let Some(row) = rows.next()? {
        let Some(&i) = index.get(&row.get::<_, i64>(0)?) else {
            continue;
        };
        let role: String = row.get(1)?;
        let agency = (row.get(2)?, row.get(3)?);
        if role == "lead" {
            tasks[i].lead.push(agency);
        } else {
            tasks[i].coordinating.push(agency);
        }
    }
    Ok(tasks)
}

/// How a stored task differs from the plan's.
fn task_changes(old: &StoredTask, new: &Task) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    for (field, before, after) in [
        (TaskField::Title, &old.title, &new.title),
        (TaskField::Text, &old.body, &new.text),
        (TaskField::Timeframe, &old.timeframe, &new.timeframe_text),
    ] {
        if before != after {
            changes.push(FieldChange {
                field,
                before: before.clone(),
                after: after.clone(),
            });
        }
    }
    let roles = [
        (
            TaskField::Lead,
            &old.lead_text,
            &old.lead,
            &new.lead_text,
            &new.lead,
        ),
        (
            TaskField::Coordinating,
            &old.coordinating_text,
            &old.coordinating,
            &new.coordinating_text,
            &new.coordinating,
        ),
    ];
    for (field, old_text, old_agencies, new_text, new_agencies) in roles {
        let same_agencies = old_agencies.len() == new_agencies.len()
            && old_agencies
                .iter()
                .zip(new_agencies)
                .all(|((id, _), a)| id == a.id.as_str());
        if old_text == new_text && same_agencies {
            continue;
        }
        let (before, after) = if old_text != new_text {
            (old_text.clone(), new_text.clone())
        } else {
            let names = |names: Vec<&str>| names.join(", ");
            (
                names(old_agencies.iter().map(|(_, n)| n.as_str()).collect()),
                names(new_agencies.iter().map(|a| a.name.as_str()).collect()),
            )
        };
        changes.push(FieldChange {
            field,
            before,
            after,
        });
    }
    changes
}

/// The key a province is stored under: its name folded to lowercase ASCII words joined
/// by `-` ("Kon Tum" → `kon-tum`, "Quảng Trị" → `quang-tri`).
pub fn province_key(name: &str) -> String {
    let folded = tiendo_shared::search::folded(name);
    let mut key = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c);
        } else if !key.is_empty() && !key.ends_with('-') {
            key.push('-');
        }
    }
    key.trim_end_matches('-').to_owned()
}

/// `id` within `province`: the province's key before it, cut to an agency id's length.
fn scoped_id(province: &str, id: &AgencyId, taken: &HashSet<String>) -> Result<AgencyId, DbError> {
    let base: String = format!("{province}-{id}").chars().take(60).collect();
    let base = base.trim_end_matches('-').to_owned();
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    AgencyId::parse(&candidate).map_err(|e| DbError::Corrupt(e.to_string()))
}

/// Gives the agencies of a plan of `province` whose ids another province's agencies
/// already have in this database ids of their own, in the plan and in the registry
/// alike, so that importing one province's plan never touches another's agencies.
fn scope_to_province(
    conn: &Connection,
    province: &str,
    plan: &Plan,
    registry: &[Agency],
) -> Result<(Plan, Vec<Agency>), DbError> {
    let mut plan = plan.clone();
    let mut registry = registry.to_vec();
    if province.is_empty() {
        return Ok((plan, registry));
    }
    let others: HashMap<String, String> = conn
        .prepare("SELECT id, province FROM agencies WHERE province != '' AND province != ?1")?
        .query_map([province], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    if others.is_empty() {
        return Ok((plan, registry));
    }
    let mut taken: HashSet<String> = conn
        .prepare("SELECT id FROM agencies")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let mut remap: HashMap<AgencyId, AgencyId> = HashMap::new();
    for agency in registry.iter().chain(&plan.new_agencies) {
        if others.contains_key(agency.id.as_str()) && !remap.contains_key(&agency.id) {
            let scoped = scoped_id(province, &agency.id, &taken)?;
            taken.insert(scoped.as_str().to_owned());
            remap.insert(agency.id.clone(), scoped);
        }
    }
    let map = |id: &mut AgencyId| {
        if let Some(scoped) = remap.get(id) {
            *id = scoped.clone();
        }
    };
    for agency in registry.iter_mut().chain(plan.new_agencies.iter_mut()) {
        map(&mut agency.id);
        if let Some(parent) = agency.parent.as_mut() {
            map(parent);
        }
    }
    for task in &mut plan.tasks {
        for a in task.lead.iter_mut().chain(task.coordinating.iter_mut()) {
            map(&mut a.id);
        }
        for g in task
            .lead_groups
            .iter_mut()
            .chain(task.coordinating_groups.iter_mut())
        {
            g.members.iter_mut().for_each(map);
        }
    }
    for r in &mut plan.reporting {
        if let Some(c) = r.consolidator.as_mut() {
            map(&mut c.id);
        }
    }
    for r in &mut plan.reporting_rules {
        if let Some(c) = r.consolidator.as_mut() {
            map(&mut c.id);
        }
    }
    Ok((plan, registry))
}

fn import_plan(
    conn: &Connection,
    plan: &Plan,
    registry: &[Agency],
    apply: bool,
) -> Result<PlanImport, DbError> {
    let province = province_key(&plan.province);
    let (plan, registry) = scope_to_province(conn, &province, plan, registry)?;
    let (plan, registry) = (&plan, registry.as_slice());
    let known: HashSet<String> = conn
        .prepare("SELECT id FROM agencies")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    // A plan is its issuer's number on its date, within its province: the same number
    // from another province, or on another date (numbers start again every year), is
    // another plan, stored beside this one. Its code (its name on the wire) is its
    // number, unless the province already has a plan of that number; then the date
    // follows it.
    let existing: Option<(i64, String)> = conn
        .query_row(
            "SELECT id, code FROM plans WHERE province = ?1 AND number = ?2 AND date = ?3",
            params![province, plan.code.as_str(), plan.date.to_iso()],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let code = match &existing {
        Some((_, code)) => PlanCode::parse(code).map_err(|e| DbError::Corrupt(e.to_string()))?,
        None => {
            let taken: bool = conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM plans WHERE province = ?1 AND code = ?2)",
                params![province, plan.code.as_str()],
                |row| row.get(0),
            )?;
            if taken {
                PlanCode::parse(&format!("{}_{}", plan.code, plan.date.to_iso()))
                    .map_err(|e| DbError::Refused(format!("plan number {}: {e}", plan.code)))?
            } else {
                plan.code.clone()
            }
        }
    };
    let existing = existing.map(|(id, _)| id);
    let stored = match existing {
        Some(id) => stored_tasks(conn, id)?,
        None => Vec::new(),
    };

    // The database is the registry of record: a registry's agency, or one created from
    // the plan's wording, is added only when the database does not have it yet, so an
    // import never undoes a rename or a merge made since.
    let missing: Vec<Agency> = registry
        .iter()
        .filter(|a| !known.contains(a.id.as_str()))
        .cloned()
        .collect();
    upsert_agencies(conn, &missing)?;
    let created: Vec<Agency> = plan
        .new_agencies
        .iter()
        .filter(|a| !known.contains(a.id.as_str()) && !registry.iter().any(|r| r.id == a.id))
        .cloned()
        .collect();
    upsert_agencies(conn, &created)?;
    // Made from the plan's wording: an administrator confirms, renames or merges them.
    let mut unconfirmed =
        conn.prepare("UPDATE agencies SET confirmed = 0, created_by = ?2 WHERE id = ?1")?;
    for agency in &created {
        unconfirmed.execute(params![agency.id.as_str(), code.as_str()])?;
    }
    drop(unconfirmed);
    if !province.is_empty() {
        let mut mark = conn.prepare(
            "UPDATE agencies SET province = ?2 WHERE id = ?1 AND (province = '' OR province = ?2)",
        )?;
        for agency in registry.iter().chain(&created) {
            mark.execute(params![agency.id.as_str(), province])?;
        }
    }
    let named: HashSet<&AgencyId> = plan
        .tasks
        .iter()
        .flat_map(|t| t.lead.iter().chain(&t.coordinating))
        .map(|a| &a.id)
        .chain(
            plan.reporting
                .iter()
                .filter_map(|r| r.consolidator.as_ref().map(|a| &a.id)),
        )
        .collect();
    let mut new_agencies: Vec<NewAgency> = Vec::new();
    for a in registry.iter().chain(&plan.new_agencies) {
        if known.contains(a.id.as_str()) || new_agencies.iter().any(|n| n.id == a.id) {
            continue;
        }
        new_agencies.push(NewAgency {
            id: a.id.clone(),
            name: a.name.clone(),
            kind: kind_code(a.kind),
            named: named.contains(&a.id),
            from_plan: plan.new_agencies.iter().any(|n| n.id == a.id),
        });
    }

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
    let plan_id = match existing {
        Some(id) => {
            conn.execute(
                "UPDATE plans SET title = ?2, date = ?3, document = ?4, reporting = ?5, year = ?6,
                   province = ?7 WHERE id = ?1",
                params![
                    id,
                    plan.title,
                    plan.date.to_iso(),
                    document,
                    reporting,
                    plan.year,
                    province
                ],
            )?;
            id
        }
        None => {
            conn.execute(
                "INSERT INTO plans (code, number, title, date, document, imported_at, reporting, year, province)
                 VALUES (?1, ?9, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    code.as_str(),
                    plan.title,
                    plan.date.to_iso(),
                    document,
                    now_ms(),
                    reporting,
                    plan.year,
                    province,
                    plan.code.as_str()
                ],
            )?;
            conn.last_insert_rowid()
        }
    };

    let by_number: HashMap<&str, &StoredTask> =
        stored.iter().map(|t| (t.number.as_str(), t)).collect();
    let brief = |t: &Task| TaskBrief {
        number: t.number.clone(),
        title: t.title.clone(),
    };
    let (mut added, mut restored, mut changed, mut unchanged) =
        (Vec::new(), Vec::new(), Vec::new(), 0);
    for task in &plan.tasks {
        match by_number.get(task.number.as_str()) {
            None => added.push(brief(task)),
            Some(old) if old.withdrawn => restored.push(brief(task)),
            Some(old) => {
                let changes = task_changes(old, task);
                if changes.is_empty() {
                    unchanged += 1;
                } else {
                    changed.push(TaskChange {
                        number: task.number.clone(),
                        title: task.title.clone(),
                        changes,
                    });
                }
            }
        }
    }

    let mut upsert_task = conn.prepare(
        "INSERT INTO tasks (plan_id, number, position, title, body, timeframe, lead_text, coordinating_text)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (plan_id, number) DO UPDATE SET position = excluded.position, title = excluded.title,
           body = excluded.body, timeframe = excluded.timeframe, lead_text = excluded.lead_text,
           coordinating_text = excluded.coordinating_text, withdrawn = 0
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

    // Tasks the plan no longer has are withdrawn, whatever is attached to them: an
    // offline device may still push progress on one, which then lands on it rather
    // than being refused, and the task comes back as it was if a later revision has
    // it again. Their lead and coordinating agencies stay, for the same reason.
    let mut withdrawn = Vec::new();
    let mut withdraw = conn.prepare("UPDATE tasks SET withdrawn = 1 WHERE id = ?1")?;
    let mut progress = conn.prepare("SELECT COUNT(*) FROM progress_updates WHERE task_id = ?1")?;
    let mut reports = conn.prepare(
        "SELECT COUNT(DISTINCT r.period || '|' || r.scope || '|' || r.agency_id)
         FROM report_events r, json_each(r.content, '$.tasks') t
         WHERE r.plan_id = ?1 AND r.content IS NOT NULL AND json_extract(t.value, '$.task') = ?2",
    )?;
    for old in stored.iter().filter(|t| !t.withdrawn) {
        if plan.tasks.iter().any(|t| t.number.as_str() == old.number) {
            continue;
        }
        withdraw.execute([old.id])?;
        let count = |stmt: &mut rusqlite::Statement<'_>, p: &[&dyn rusqlite::ToSql]| {
            stmt.query_row(p, |row| row.get::<_, i64>(0))
                .map(|n| n as usize)
        };
        withdrawn.push(WithdrawnTask {
            number: TaskNumber::parse(&old.number).map_err(|e| DbError::Corrupt(e.to_string()))?,
            title: old.title.clone(),
            progress: count(&mut progress, &[&old.id])?,
            reports: count(&mut reports, &[&plan_id, &old.number])?,
        });
    }

    Ok(PlanImport {
        code,
        number: plan.code.clone(),
        created: existing.is_none(),
        applied: apply,
        tasks: plan.tasks.len(),
        added,
        restored,
        changed,
        withdrawn,
        unchanged,
        new_agencies,
        unmapped_groups: plan.unmapped_groups.clone(),
        warnings: plan.warnings.clone(),
    })
}

/// The current plan of `agency`: the latest (by date) of its province; the latest of
/// all when its province has none.
pub(super) fn current_plan_id(
    conn: &Connection,
    agency: &AgencyId,
) -> Result<Option<i64>, DbError> {
    let own: Option<i64> = conn
        .prepare_cached(
            "SELECT p.id FROM plans p JOIN agencies a ON a.id = ?1
             WHERE a.province != '' AND p.province = a.province
             ORDER BY p.date DESC, p.id DESC LIMIT 1",
        )?
        .query_row([agency.as_str()], |row| row.get(0))
        .optional()?;
    if own.is_some() {
        return Ok(own);
    }
    Ok(conn
        .prepare_cached("SELECT id FROM plans ORDER BY date DESC, id DESC LIMIT 1")?
        .query_row([], |row| row.get(0))
        .optional()?)
}

/// The task `number` of the plan `code` (when `None`, the current plan of `agency`).
pub(super) fn find_task(
    conn: &Connection,
    code: Option<&PlanCode>,
    number: &TaskNumber,
    agency: &AgencyId,
) -> Result<Option<TaskRow>, DbError> {
    let plan_id = match code {
        Some(code) => plan_id(conn, code, &Within::AgencyOf(agency.clone()))?,
        None => current_plan_id(conn, agency)?,
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
         WHERE t.plan_id = ?1 AND t.withdrawn = 0 ORDER BY ta.position",
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
         FROM tasks WHERE plan_id = ?1 AND withdrawn = 0 ORDER BY position",
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
            due: None,
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
        tasks: tasks
            .into_iter()
            .map(|mut task| {
                task.due = tiendo_shared::dashboard::due_date(&task, plan.year).0;
                task
            })
            .collect(),
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
