//! The agency registry of record: renaming and merging agencies (`tiendo agency
//! rename`, `tiendo agency merge`), each told to devices as an `agency` change of the
//! pull feed.
//!
//! A merge moves everything of one agency to another in one transaction (progress,
//! report events, task assignments, accounts, the units under it, the stored plans'
//! mentions of it) and keeps the merged agency as a row pointing at the one it joined
//! (`agencies.merged_into`): nothing refers to it any more, but what still names it (an
//! older plan's text imported again, a review queued on a device before the merge, a
//! parsed plan another process still holds) is led to the agency it joined.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use tiendo_shared::date::format_rfc3339_utc;
use tiendo_shared::ids::{AgencyId, MutationId, PlanCode};
use tiendo_shared::plan::{Agency, AgencyName, Plan};
use tiendo_shared::protocol::{AgencyChange, AgencyEntry, AgencyRef, ReportDeadline};
use tiendo_shared::search::folded;

use super::plans::province_key;
use super::{Db, DbError, Refusal, audit, now_ms};

/// A rename to make.
#[derive(Debug, Clone)]
pub struct AgencyRename {
    pub id: AgencyId,
    pub name: String,
    /// The new short name; unchanged when `None`.
    pub short_name: Option<String>,
    /// Keep the former name and short name as aliases of the agency.
    pub keep_alias: bool,
}

/// What a rename did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renamed {
    pub agency: AgencyRef,
    pub short_name: String,
    pub previous_name: String,
    /// False when the agency already had this name and short name: nothing changed.
    pub changed: bool,
    /// Former names kept as aliases.
    pub aliases: Vec<String>,
}

/// What a merge moved from the merged agency to the one it joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub from: AgencyRef,
    pub into: AgencyRef,
    pub progress: usize,
    pub report_events: usize,
    pub accounts: usize,
    pub task_assignments: usize,
    pub units: usize,
    pub plans: usize,
}

impl Db {
    /// Renames an agency, in the database and in the stored plans, and tells devices.
    /// Refused (nothing changed) for an unknown or merged agency, an empty name, or a
    /// name another agency of the province has.
    pub async fn rename_agency(&self, rename: AgencyRename) -> Result<Renamed, DbError> {
        let actor = Arc::clone(&self.actor);
        self.write(move |conn| rename_agency(conn, &rename, now_ms(), &actor))
            .await
    }

    /// Merges `from` into `into` in one transaction, and tells devices. Refused
    /// (nothing changed) when they are the same, unknown, merged already, of different
    /// provinces, when `into` is under `from` below its units, or when both have a
    /// report of one period of a plan.
    pub async fn merge_agency(&self, from: AgencyId, into: AgencyId) -> Result<Merged, DbError> {
        let actor = Arc::clone(&self.actor);
        self.write(move |conn| merge_agency(conn, &from, &into, now_ms(), &actor))
            .await
    }

    /// `plan` with every agency of its province that was merged into another named
    /// as that one, as a plan's own text would name it today: what importing an older
    /// plan again assigns to the merged agency goes to the agency it joined.
    pub async fn follow_merges(&self, mut plan: Plan) -> Result<Plan, DbError> {
        let province = province_key(&plan.province);
        self.read(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT f.id, i.id, i.name FROM agencies f JOIN agencies i ON i.id = f.merged_into
                 WHERE f.province = ?1",
            )?;
            let merges: Vec<(String, String, String)> = stmt
                .query_map([province], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })?
                .collect::<Result<_, _>>()?;
            for (from, into, name) in merges {
                let into = AgencyRef {
                    id: parse_id(&into)?,
                    name,
                };
                redirect_plan(&mut plan, &parse_id(&from)?, &into);
            }
            Ok(plan)
        })
        .await
    }
}

/// An agency as a rename or merge reads it.
struct Row {
    id: AgencyId,
    name: String,
    short_name: String,
    parent: Option<String>,
    province: String,
    merged_into: Option<String>,
}

impl Row {
    fn reference(&self) -> AgencyRef {
        AgencyRef {
            id: self.id.clone(),
            name: self.name.clone(),
        }
    }
}

fn parse_id(id: &str) -> Result<AgencyId, DbError> {
    AgencyId::parse(id).map_err(|e| DbError::Corrupt(format!("agency id {id:?}: {e}")))
}

fn refused(en: String, vi: String) -> DbError {
    DbError::Declined(Refusal { en, vi })
}

/// The agency `id`, or the refusal naming it as unknown.
fn agency_row(conn: &Connection, id: &AgencyId) -> Result<Row, DbError> {
    conn.query_row(
        "SELECT name, short_name, parent_id, province, merged_into FROM agencies WHERE id = ?1",
        [id.as_str()],
        |row| {
            Ok(Row {
                id: id.clone(),
                name: row.get(0)?,
                short_name: row.get(1)?,
                parent: row.get(2)?,
                province: row.get(3)?,
                merged_into: row.get(4)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| {
        refused(
            format!("no agency {id} (see `tiendo agency list`)"),
            format!("không có cơ quan {id}"),
        )
    })
}

/// Refuses an agency that was merged into another: it lives on only as a name.
/// `what` is the action, in English and Vietnamese.
fn not_merged(row: &Row, what: (&str, &str)) -> Result<(), DbError> {
    match &row.merged_into {
        Some(into) => Err(refused(
            format!(
                "{} was merged into {into}: {} {into} instead",
                row.id, what.0
            ),
            format!("{} đã được gộp vào {into}: hãy {} {into}", row.name, what.1),
        )),
        None => Ok(()),
    }
}

/// The agency `id` leads to now: itself, or the agency it was merged into.
pub(super) fn current_agency(conn: &Connection, id: &AgencyId) -> Result<AgencyId, DbError> {
    let into: Option<String> = conn
        .prepare_cached("SELECT merged_into FROM agencies WHERE id = ?1")?
        .query_row([id.as_str()], |row| row.get(0))
        .optional()?
        .flatten();
    into.map_or_else(|| Ok(id.clone()), |into| parse_id(&into))
}

fn rename_agency(
    conn: &mut Connection,
    rename: &AgencyRename,
    now: i64,
    actor: &str,
) -> Result<Renamed, DbError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let row = agency_row(&tx, &rename.id)?;
    not_merged(&row, ("rename", "đổi tên"))?;
    let name = rename.name.trim().to_owned();
    let short_name = rename
        .short_name
        .as_deref()
        .map_or_else(|| row.short_name.clone(), |s| s.trim().to_owned());
    if name.is_empty() || short_name.is_empty() {
        return Err(refused(
            "the name and the short name must not be empty".into(),
            "tên và tên viết tắt không được để trống".into(),
        ));
    }
    // Two agencies of one province under one name could no longer be told apart in
    // a plan's text: they are one agency, to be merged.
    let mut stmt = tx.prepare(
        "SELECT id, name FROM agencies WHERE id != ?1 AND province = ?2 AND merged_into IS NULL
         UNION ALL SELECT s.agency_id, s.name FROM agency_aliases s JOIN agencies a ON a.id = s.agency_id
         WHERE s.agency_id != ?1 AND a.province = ?2",
    )?;
    let others: Vec<(String, String)> = stmt
        .query_map(params![row.id.as_str(), row.province], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    drop(stmt);
    if let Some((other, _)) = others.iter().find(|(_, n)| folded(n) == folded(&name)) {
        return Err(refused(
            format!(
                "agency {other} is already named “{name}” (or goes by it): merge the two instead (`tiendo agency merge {} {other}`)",
                row.id
            ),
            format!(
                "cơ quan {other} đã có tên “{name}” (hoặc còn được gọi như vậy): hãy gộp hai cơ quan thay vì đổi tên"
            ),
        ));
    }
    let agency = AgencyRef {
        id: row.id.clone(),
        name: name.clone(),
    };
    if name == row.name && short_name == row.short_name {
        return Ok(Renamed {
            agency,
            short_name,
            previous_name: row.name,
            changed: false,
            aliases: Vec::new(),
        });
    }
    tx.execute(
        "UPDATE agencies SET name = ?2, short_name = ?3, confirmed = 1 WHERE id = ?1",
        params![row.id.as_str(), name, short_name],
    )?;
    // Its names are no longer aliases of it.
    tx.execute(
        "DELETE FROM agency_aliases WHERE agency_id = ?1 AND name IN (?2, ?3)",
        params![row.id.as_str(), name, short_name],
    )?;
    let mut aliases = Vec::new();
    if rename.keep_alias {
        for former in [&row.name, &row.short_name] {
            if *former != name && *former != short_name && !aliases.contains(former) {
                aliases.push(former.clone());
            }
        }
        add_aliases(&tx, &row.id, &aliases)?;
    }
    rewrite_plans(&tx, &row.id, &agency)?;
    let change = AgencyChangeRow {
        agency: &agency,
        short_name: &short_name,
        merged_from: None,
        previous_name: &row.name,
    };
    change.append(&tx, now)?;
    audit::record(
        &tx,
        audit::Entry {
            at: now,
            device_at: None,
            actor,
            client_id: None,
            kind: "agency.rename",
            agency: Some(row.id.as_str()),
            target: row.id.as_str(),
            detail: serde_json::json!({
                "from": {"name": row.name, "short_name": row.short_name},
                "to": {"name": agency.name, "short_name": short_name},
                "aliases_kept": aliases,
            }),
        },
    )?;
    tx.commit()?;
    Ok(Renamed {
        agency,
        short_name,
        previous_name: row.name,
        changed: true,
        aliases,
    })
}

fn add_aliases(conn: &Connection, id: &AgencyId, names: &[String]) -> Result<(), DbError> {
    let mut stmt = conn
        .prepare_cached("INSERT OR IGNORE INTO agency_aliases (agency_id, name) VALUES (?1, ?2)")?;
    for name in names {
        stmt.execute(params![id.as_str(), name])?;
    }
    Ok(())
}

fn merge_agency(
    conn: &mut Connection,
    from: &AgencyId,
    into: &AgencyId,
    now: i64,
    actor: &str,
) -> Result<Merged, DbError> {
    if from == into {
        return Err(refused(
            format!("{from} and {into} are the same agency: nothing to merge"),
            "hai cơ quan đã chọn là một: không có gì để gộp".into(),
        ));
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let source = agency_row(&tx, from)?;
    let target = agency_row(&tx, into)?;
    not_merged(&source, ("merge", "gộp"))?;
    not_merged(&target, ("merge into", "gộp vào"))?;
    if source.province != target.province {
        let province = |p: &str| {
            if p.is_empty() {
                "no province".to_owned()
            } else {
                format!("province {p}")
            }
        };
        return Err(refused(
            format!(
                "{from} is of {} and {into} of {}: agencies of different provinces are never merged",
                province(&source.province),
                province(&target.province)
            ),
            format!(
                "{} và {} thuộc hai tỉnh khác nhau: không bao giờ gộp cơ quan của hai tỉnh",
                source.name, target.name
            ),
        ));
    }
    refuse_joined_reports(&tx, from, into)?;
    // The units under the merged agency come under the one it joins. When that one is
    // itself a unit of it, it takes the merged agency's place; deeper down, a unit
    // between them would end up above and below it at once.
    let target_parent = if target.parent.as_deref() == Some(from.as_str()) {
        source.parent.clone()
    } else {
        if is_below(&tx, into, from)? {
            return Err(refused(
                format!(
                    "{into} is below a unit of {from}, which would end up both above and below it: merge {from} into one of its own units or into an agency outside it"
                ),
                format!(
                    "{} nằm dưới một đơn vị của {}, đơn vị đó sẽ vừa ở trên vừa ở dưới nó: hãy gộp vào một đơn vị trực thuộc hoặc một cơ quan bên ngoài",
                    target.name, source.name
                ),
            ));
        }
        target.parent.clone()
    };

    let both: [&dyn rusqlite::ToSql; 2] = [&from.as_str(), &into.as_str()];
    let progress = tx.execute(
        "UPDATE progress_updates SET agency_id = ?2 WHERE agency_id = ?1",
        both,
    )?;
    let report_events = tx.execute(
        "UPDATE report_events SET agency_id = ?2 WHERE agency_id = ?1",
        both,
    )?;
    let accounts = tx.execute("UPDATE users SET agency_id = ?2 WHERE agency_id = ?1", both)?;
    // A role both had becomes one row (in the joined agency's place in the plan's
    // order); leading a task, the joined agency no longer coordinates it.
    tx.execute(
        "INSERT OR IGNORE INTO task_agencies (task_id, agency_id, role, position)
         SELECT task_id, ?2, role, position FROM task_agencies WHERE agency_id = ?1",
        both,
    )?;
    let task_assignments = tx.execute(
        "DELETE FROM task_agencies WHERE agency_id = ?1",
        [from.as_str()],
    )?;
    tx.execute(
        "DELETE FROM task_agencies WHERE agency_id = ?1 AND role = 'coordinating'
         AND task_id IN (SELECT task_id FROM task_agencies WHERE agency_id = ?1 AND role = 'lead')",
        [into.as_str()],
    )?;
    tx.execute(
        "UPDATE agencies SET parent_id = ?2 WHERE id = ?1",
        params![into.as_str(), target_parent],
    )?;
    let units = tx.execute(
        "UPDATE agencies SET parent_id = ?2 WHERE parent_id = ?1 AND id != ?2",
        both,
    )?;
    // Agencies merged into it before now lead to the one it joins, and so does it.
    tx.execute(
        "UPDATE agencies SET merged_into = ?2 WHERE merged_into = ?1 OR id = ?1",
        both,
    )?;
    tx.execute(
        "INSERT OR IGNORE INTO agency_aliases (agency_id, name)
         SELECT ?2, name FROM agency_aliases WHERE agency_id = ?1",
        both,
    )?;
    tx.execute(
        "DELETE FROM agency_aliases WHERE agency_id = ?1",
        [from.as_str()],
    )?;
    let aliases: Vec<String> = [&source.name, &source.short_name]
        .into_iter()
        .filter(|n| **n != target.name && **n != target.short_name)
        .cloned()
        .collect();
    add_aliases(&tx, into, &aliases)?;

    let into_ref = target.reference();
    let plans = rewrite_plans(&tx, from, &into_ref)?;
    let change = AgencyChangeRow {
        agency: &into_ref,
        short_name: &target.short_name,
        merged_from: Some(from),
        previous_name: &source.name,
    };
    change.append(&tx, now)?;
    audit::record(
        &tx,
        audit::Entry {
            at: now,
            device_at: None,
            actor,
            client_id: None,
            kind: "agency.merge",
            agency: Some(from.as_str()),
            target: &format!("{from} → {into}"),
            detail: serde_json::json!({
                "from": {"id": from.as_str(), "name": source.name},
                "into": {"id": into.as_str(), "name": target.name},
                "progress": progress,
                "report_events": report_events,
                "accounts": accounts,
                "task_assignments": task_assignments,
                "units": units,
                "plans": plans,
            }),
        },
    )?;
    tx.commit()?;
    Ok(Merged {
        from: source.reference(),
        into: into_ref,
        progress,
        report_events,
        accounts,
        task_assignments,
        units,
        plans,
    })
}

/// Refuses a merge that would make one report of two: both agencies have events of a
/// report of one plan, period and scope.
fn refuse_joined_reports(
    conn: &Connection,
    from: &AgencyId,
    into: &AgencyId,
) -> Result<(), DbError> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT pl.code, a.period, a.scope FROM report_events a
         JOIN report_events b ON b.plan_id = a.plan_id AND b.period = a.period AND b.scope = a.scope
         JOIN plans pl ON pl.id = a.plan_id
         WHERE a.agency_id = ?1 AND b.agency_id = ?2
         ORDER BY pl.code, a.period, a.scope",
    )?;
    let clashes: Vec<(String, String)> = stmt
        .query_map(params![from.as_str(), into.as_str()], |row| {
            let (code, period, scope): (String, String, String) =
                (row.get(0)?, row.get(1)?, row.get(2)?);
            Ok(if scope == "consolidated" {
                (
                    format!("the consolidated report {period} of plan {code}"),
                    format!("báo cáo tổng hợp kỳ {period} của kế hoạch {code}"),
                )
            } else {
                (
                    format!("{period} of plan {code}"),
                    format!("kỳ {period} của kế hoạch {code}"),
                )
            })
        })?
        .collect::<Result<_, _>>()?;
    if clashes.is_empty() {
        return Ok(());
    }
    let list = |pick: fn(&(String, String)) -> &String| {
        clashes
            .iter()
            .map(pick)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    };
    Err(refused(
        format!(
            "would join two reports of one period: {} ({from} and {into} both have one); nothing was changed",
            list(|c| &c.0)
        ),
        format!(
            "hai cơ quan đều đã có báo cáo của cùng một kỳ ({}): gộp sẽ nhập hai báo cáo làm một, nên không có gì thay đổi",
            list(|c| &c.1)
        ),
    ))
}

/// Whether `id` is somewhere under `ancestor` in the agency tree.
fn is_below(conn: &Connection, id: &AgencyId, ancestor: &AgencyId) -> Result<bool, DbError> {
    Ok(conn.query_row(
        "WITH RECURSIVE up(id, depth) AS (
             SELECT parent_id, 0 FROM agencies WHERE id = ?1 AND parent_id IS NOT NULL
             UNION ALL SELECT a.parent_id, up.depth + 1 FROM agencies a JOIN up ON a.id = up.id
             WHERE a.parent_id IS NOT NULL AND up.depth < 32
         )
         SELECT EXISTS (SELECT 1 FROM up WHERE id = ?2)",
        params![id.as_str(), ancestor.as_str()],
        |row| row.get(0),
    )?)
}

/// Leads every stored plan's mentions of `from` to `to` (the agency renamed, or the
/// one it was merged into): the plan documents and their stored deadlines. How many
/// plans changed.
fn rewrite_plans(conn: &Connection, from: &AgencyId, to: &AgencyRef) -> Result<usize, DbError> {
    let mut stmt = conn.prepare("SELECT id, document, reporting FROM plans ORDER BY id")?;
    let stored: Vec<(i64, String, String)> = stmt
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut changed = 0;
    for (id, document, reporting) in stored {
        let corrupt = |e: serde_json::Error| DbError::Corrupt(format!("stored plan {id}: {e}"));
        let mut plan: Plan = serde_json::from_str(&document).map_err(corrupt)?;
        let mut deadlines: Vec<ReportDeadline> =
            serde_json::from_str(&reporting).map_err(corrupt)?;
        let mut touched = redirect_plan(&mut plan, from, to);
        for consolidator in deadlines.iter_mut().filter_map(|d| d.consolidator.as_mut()) {
            if (consolidator.id == *from || consolidator.id == to.id) && consolidator != to {
                *consolidator = to.clone();
                touched = true;
            }
        }
        if touched {
            conn.execute(
                "UPDATE plans SET document = ?2, reporting = ?3 WHERE id = ?1",
                params![
                    id,
                    serde_json::to_string(&plan).map_err(corrupt)?,
                    serde_json::to_string(&deadlines).map_err(corrupt)?
                ],
            )?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// Names `to` wherever `plan` names `from` or `to` (its tasks' lead and coordinating
/// agencies and group members, its consolidating agencies), keeping each list free of
/// repeats and an agency that leads a task out of its coordinating agencies. The text
/// as the plan writes it stays. Whether anything changed.
fn redirect_plan(plan: &mut Plan, from: &AgencyId, to: &AgencyRef) -> bool {
    let retarget = |a: &mut AgencyName| -> bool {
        if (a.id != *from && a.id != to.id) || (a.id == to.id && a.name == to.name) {
            return false;
        }
        a.id = to.id.clone();
        a.name = to.name.clone();
        true
    };
    let mut changed = false;
    for task in &mut plan.tasks {
        for a in task.lead.iter_mut().chain(task.coordinating.iter_mut()) {
            changed |= retarget(a);
        }
        changed |= dedup(&mut task.lead);
        let leads: HashSet<AgencyId> = task.lead.iter().map(|a| a.id.clone()).collect();
        let before = task.coordinating.len();
        task.coordinating.retain(|a| !leads.contains(&a.id));
        changed |= task.coordinating.len() != before;
        changed |= dedup(&mut task.coordinating);
        for group in task
            .lead_groups
            .iter_mut()
            .chain(task.coordinating_groups.iter_mut())
        {
            let mut seen = HashSet::new();
            let before = group.members.clone();
            group.members = before
                .iter()
                .map(|id| {
                    if id == from {
                        to.id.clone()
                    } else {
                        id.clone()
                    }
                })
                .filter(|id| seen.insert(id.clone()))
                .collect();
            changed |= group.members != before;
        }
    }
    let consolidators = plan
        .reporting_rules
        .iter_mut()
        .filter_map(|r| r.consolidator.as_mut())
        .chain(
            plan.reporting
                .iter_mut()
                .filter_map(|r| r.consolidator.as_mut()),
        );
    for consolidator in consolidators {
        changed |= retarget(consolidator);
    }
    changed
}

/// Drops the later of two mentions of one agency. Whether any was dropped.
fn dedup(agencies: &mut Vec<AgencyName>) -> bool {
    let before = agencies.len();
    let mut seen = HashSet::new();
    agencies.retain(|a| seen.insert(a.id.clone()));
    agencies.len() != before
}

/// A rename or merge, as the feed's `agency` row and its `agency_changes` record.
struct AgencyChangeRow<'a> {
    agency: &'a AgencyRef,
    short_name: &'a str,
    merged_from: Option<&'a AgencyId>,
    previous_name: &'a str,
}

impl AgencyChangeRow<'_> {
    /// Takes the feed's next id, under a mutation id the server makes (a pull cursor
    /// is checked against the mutation id of the change it names).
    fn append(&self, conn: &Connection, now: i64) -> Result<i64, DbError> {
        conn.execute(
            "INSERT INTO feed (kind, mutation_id) VALUES ('agency', ?1)",
            [new_mutation_id()?.as_str()],
        )?;
        let id = conn.last_insert_rowid();
        conn.execute(
            "INSERT INTO agency_changes (id, agency_id, name, short_name, merged_from,
                 previous_name, changed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id,
                self.agency.id.as_str(),
                self.agency.name,
                self.short_name,
                self.merged_from.map(AgencyId::as_str),
                self.previous_name,
                now
            ],
        )?;
        Ok(id)
    }
}

/// A random (version 4) UUID from the system's generator.
fn new_mutation_id() -> Result<MutationId, DbError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| DbError::NoRandomness(e.to_string()))?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let text = format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    );
    MutationId::parse(&text).map_err(|e| DbError::Corrupt(e.to_string()))
}

/// The agency change with feed id `id`, as devices pull it.
pub(super) fn agency_change(conn: &Connection, id: i64) -> Result<AgencyChange, DbError> {
    let row = conn
        .prepare_cached(
            "SELECT f.mutation_id, c.agency_id, c.name, c.short_name, c.merged_from,
                 c.previous_name, c.changed_at
             FROM agency_changes c JOIN feed f ON f.id = c.id WHERE c.id = ?1",
        )?
        .query_row([id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, i64>(6)?,
            ))
        })?;
    let (mutation_id, agency, name, short_name, merged_from, previous_name, changed_at) = row;
    Ok(AgencyChange {
        id,
        mutation_id: MutationId::parse(&mutation_id)
            .map_err(|_| DbError::Corrupt("an agency change has an invalid mutation id".into()))?,
        agency: AgencyRef {
            id: parse_id(&agency)?,
            name,
        },
        short_name,
        merged_from: merged_from.as_deref().map(parse_id).transpose()?,
        previous_name,
        changed_at: format_rfc3339_utc(changed_at),
    })
}

/// An agency as this database holds it, for building the registries plans are read
/// with: the database is the registry of record once a registry is imported.
#[derive(Debug, Clone)]
pub struct StoredAgency {
    pub agency: Agency,
    /// The province key (`kon-tum`).
    pub province: String,
    /// The agency it was merged into, if it was.
    pub merged_into: Option<AgencyId>,
}

impl Db {
    /// Every agency with its province, aliases and merge, for the importer.
    pub async fn stored_agencies(&self) -> Result<Vec<StoredAgency>, DbError> {
        self.read(|conn| {
            let mut aliases: HashMap<String, Vec<String>> = HashMap::new();
            let mut stmt =
                conn.prepare("SELECT agency_id, name FROM agency_aliases ORDER BY name")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                aliases.entry(row.get(0)?).or_default().push(row.get(1)?);
            }
            let mut stmt = conn.prepare(
                "SELECT id, name, short_name, kind, parent_id, external, province, merged_into
                 FROM agencies ORDER BY rowid",
            )?;
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let corrupt =
                    |what: &str| DbError::Corrupt(format!("stored agency has an invalid {what}"));
                let id: String = row.get(0)?;
                let kind: String = row.get(3)?;
                let parent: Option<String> = row.get(4)?;
                let merged: Option<String> = row.get(7)?;
                let agency = Agency {
                    id: AgencyId::parse(&id).map_err(|_| corrupt("id"))?,
                    name: row.get(1)?,
                    short_name: row.get(2)?,
                    kind: serde_json::from_value(serde_json::Value::String(kind))
                        .map_err(|_| corrupt("kind"))?,
                    parent: parent
                        .map(|p| AgencyId::parse(&p))
                        .transpose()
                        .map_err(|_| corrupt("parent"))?,
                    external: row.get(5)?,
                    border: false,
                    aliases: aliases.remove(&id).unwrap_or_default(),
                };
                out.push(StoredAgency {
                    agency,
                    province: row.get(6)?,
                    merged_into: merged
                        .map(|m| AgencyId::parse(&m))
                        .transpose()
                        .map_err(|_| corrupt("merge"))?,
                });
            }
            Ok(out)
        })
        .await
    }
}

impl Db {
    /// The agencies of `province` (its key) that are not merged into another, for the
    /// administrators' agencies page: the ones waiting for confirmation first, then by
    /// name.
    pub async fn registry_of(&self, province: String) -> Result<Vec<AgencyEntry>, DbError> {
        self.read(move |conn| registry_of(conn, &province)).await
    }

    /// The province key of `agency` (empty for an agency stored before provinces).
    pub async fn province_of(&self, agency: AgencyId) -> Result<String, DbError> {
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT province FROM agencies WHERE id = ?1",
                    [agency.as_str()],
                    |row| row.get(0),
                )
                .optional()?
                .unwrap_or_default())
        })
        .await
    }

    /// Keeps an agency created from a plan's wording as it is. Whether it was waiting
    /// for confirmation.
    pub async fn confirm_agency(&self, id: AgencyId) -> Result<bool, DbError> {
        let actor = Arc::clone(&self.actor);
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let row = agency_row(&tx, &id)?;
            not_merged(&row, ("confirm", "xác nhận"))?;
            let confirmed = tx.execute(
                "UPDATE agencies SET confirmed = 1 WHERE id = ?1 AND confirmed = 0",
                [id.as_str()],
            )? > 0;
            if confirmed {
                audit::record(
                    &tx,
                    audit::Entry {
                        at: now_ms(),
                        device_at: None,
                        actor: &actor,
                        client_id: None,
                        kind: "agency.confirm",
                        agency: Some(id.as_str()),
                        target: id.as_str(),
                        detail: serde_json::json!({"name": row.name}),
                    },
                )?;
            }
            tx.commit()?;
            Ok(confirmed)
        })
        .await
    }
}

fn registry_of(conn: &Connection, province: &str) -> Result<Vec<AgencyEntry>, DbError> {
    let mut aliases: HashMap<String, Vec<String>> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT s.agency_id, s.name FROM agency_aliases s JOIN agencies a ON a.id = s.agency_id
         WHERE a.province = ?1 ORDER BY s.name",
    )?;
    let mut rows = stmt.query([province])?;
    while let Some(row) = rows.next()? {
        aliases.entry(row.get(0)?).or_default().push(row.get(1)?);
    }
    let mut stmt = conn.prepare(
        "SELECT a.id, a.name, a.short_name, a.kind, a.parent_id, a.confirmed, a.created_by,
             (SELECT count(DISTINCT ta.task_id) FROM task_agencies ta JOIN tasks t ON t.id = ta.task_id
              WHERE ta.agency_id = a.id AND t.withdrawn = 0),
             (SELECT count(*) FROM users u WHERE u.agency_id = a.id)
         FROM agencies a WHERE a.province = ?1 AND a.merged_into IS NULL",
    )?;
    let mut rows = stmt.query([province])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let corrupt = |what: &str| DbError::Corrupt(format!("stored agency has an invalid {what}"));
        let id: String = row.get(0)?;
        let parent: Option<String> = row.get(4)?;
        let created_by: Option<String> = row.get(6)?;
        out.push(AgencyEntry {
            id: AgencyId::parse(&id).map_err(|_| corrupt("id"))?,
            name: row.get(1)?,
            short_name: row.get(2)?,
            kind: row.get(3)?,
            parent: parent
                .map(|p| AgencyId::parse(&p))
                .transpose()
                .map_err(|_| corrupt("parent"))?,
            confirmed: row.get(5)?,
            created_by: created_by
                .map(|c| PlanCode::parse(&c))
                .transpose()
                .map_err(|_| corrupt("plan"))?,
            aliases: aliases.remove(&id).unwrap_or_default(),
            tasks: row.get(7)?,
            accounts: row.get(8)?,
        });
    }
    out.sort_by(|a, b| {
        a.confirmed
            .cmp(&b.confirmed)
            .then_with(|| folded(&a.name).cmp(&folded(&b.name)))
    });
    Ok(out)
}
