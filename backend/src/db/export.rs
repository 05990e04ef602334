//! What an export of a period holds: the plan, the period's dates, every report with
//! where it stands and what it says, and the consolidated report's content.
//!
//! A report's content is its current version, whatever its state; an agency that has
//! written nothing yet gets a draft from its progress updates (and those of the units
//! under it) in the data window; the consolidated report, if nobody has written it yet,
//! a draft from the agencies' submitted and accepted versions. Rendering the documents
//! is `crate::export`'s business.

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension};
use tiendo_shared::date::{date_of, parse_rfc3339};
use tiendo_shared::i18n::Lang;
use tiendo_shared::ids::{AgencyId, PlanCode, TaskNumber};
use tiendo_shared::plan::calendar::VIETNAM_OFFSET_MINUTES;
use tiendo_shared::plan::{AgencyKind, Period, Plan, ReportingPeriod};
use tiendo_shared::protocol::{AgencyRef, ProgressUpdate, Timestamp};
use tiendo_shared::report::{
    CycleState, ReportAction, ReportContent, ReportEntry, ReportEvent, ReportScope,
    draft_agency_report, draft_consolidated, end_of_day, standing,
};

use super::plans::Within;
use super::reports::{ListingError, PlanCache, Tree, events_of, find_period};
use super::sync::{PROGRESS_SELECT, progress_from_row};
use super::{Db, DbError, now_ms};

/// An agency as a document names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportAgency {
    pub id: AgencyId,
    /// "Sở Thông tin và Truyền thông".
    pub name: String,
    /// "Sở TT&TT".
    pub short_name: String,
    /// `None` for a kind this build does not know.
    pub kind: Option<AgencyKind>,
    /// The agency it belongs to, if any.
    pub parent: Option<AgencyRef>,
}

impl ExportAgency {
    pub fn reference(&self) -> AgencyRef {
        AgencyRef {
            id: self.id.clone(),
            name: self.name.clone(),
        }
    }
}

/// A saved or submitted version of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub id: i64,
    pub action: ReportAction,
    pub author_name: String,
    /// When the device recorded it.
    pub observed_at: Timestamp,
    /// When the server received it (milliseconds since the epoch).
    pub received_ms: i64,
}

/// Where a report's content comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContentSource {
    /// Its current version.
    Version(Version),
    /// Nothing written yet: drafted from the agency's progress updates.
    ProgressDraft,
    /// Nothing written yet: drafted from the agencies' submitted and accepted reports.
    ReportsDraft,
}

/// One report of the period with what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    pub agency: ExportAgency,
    /// The tasks it reports on (for the consolidated report: every task covered).
    pub tasks: Vec<TaskNumber>,
    /// Of those, the ones the agency (or a unit under it) leads.
    pub leads: Vec<TaskNumber>,
    /// Where it stands.
    pub entry: ReportEntry,
    pub content: ReportContent,
    pub source: ContentSource,
}

impl ExportReport {
    /// The current version, if one was written.
    pub fn version(&self) -> Option<&Version> {
        match &self.source {
            ContentSource::Version(v) => Some(v),
            ContentSource::ProgressDraft | ContentSource::ReportsDraft => None,
        }
    }
}

/// Which export: the consolidated report with every agency, or one agency's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportScope {
    Consolidated,
    Agency(AgencyId),
}

/// Why there is nothing to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportError {
    UnknownPlan,
    /// The plan asks for no report of that period.
    UnknownPeriod,
    /// The agency does not report for that period (or does not exist).
    UnknownAgency,
    /// The plan names no consolidating agency for that period.
    NoConsolidator,
}

/// Everything a period's export shows.
#[derive(Debug, Clone)]
pub struct ExportData {
    pub plan: Arc<Plan>,
    /// The period, its deadlines and its data window.
    pub dates: ReportingPeriod,
    pub consolidator: Option<ExportAgency>,
    /// The agencies' reports the export covers, in the calendar's order: all of them
    /// for the consolidated report, the one asked for otherwise.
    pub reports: Vec<ExportReport>,
    /// The consolidated report, when the export is of it.
    pub consolidated: Option<ExportReport>,
    /// The ministry of the consolidator's sector ("Bộ …" for "Sở …"), when the agency
    /// table has it.
    pub ministry: Option<AgencyRef>,
    /// The instant the states are worked out for.
    pub at_ms: i64,
}

impl ExportData {
    pub fn period(&self) -> Period {
        self.dates.period
    }
}

/// Every agency of the table, by id.
fn agencies(conn: &Connection) -> Result<HashMap<String, ExportAgency>, DbError> {
    let mut stmt =
        conn.prepare_cached("SELECT id, name, short_name, kind, parent_id FROM agencies")?;
    let rows: Vec<(String, String, String, String, Option<String>)> = stmt
        .query_map([], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    let names: HashMap<&str, &str> = rows
        .iter()
        .map(|(id, name, ..)| (id.as_str(), name.as_str()))
        .collect();
    let corrupt = |id: &str| DbError::Corrupt(format!("agency id {id:?}"));
    let mut out = HashMap::with_capacity(rows.len());
    for (id, name, short_name, kind, parent) in &rows {
        let parent = match parent {
            Some(p) => Some(AgencyRef {
                id: AgencyId::parse(p).map_err(|_| corrupt(p))?,
                name: names
                    .get(p.as_str())
                    .copied()
                    .unwrap_or_default()
                    .to_owned(),
            }),
            None => None,
        };
        out.insert(
            id.clone(),
            ExportAgency {
                id: AgencyId::parse(id).map_err(|_| corrupt(id))?,
                name: name.clone(),
                short_name: short_name.clone(),
                kind: serde_json::from_value(serde_json::Value::String(kind.clone())).ok(),
                parent,
            },
        );
    }
    Ok(out)
}

/// The ministry whose name is the department's with "Bộ" for "Sở" ("Sở Y tế" →
/// "Bộ Y tế"), if the agency table has it.
fn ministry_of(conn: &Connection, department: &str) -> Result<Option<AgencyRef>, DbError> {
    let Some(sector) = department.strip_prefix("Sở ") else {
        return Ok(None);
    };
    let found: Option<String> = conn
        .prepare_cached(
            "SELECT id FROM agencies WHERE kind = 'central' AND parent_id IS NULL AND name = ?1",
        )?
        .query_row([format!("Bộ {sector}")], |row| row.get(0))
        .optional()?;
    found
        .map(|id| {
            Ok(AgencyRef {
                id: AgencyId::parse(&id).map_err(|e| DbError::Corrupt(e.to_string()))?,
                name: format!("Bộ {sector}"),
            })
        })
        .transpose()
}

/// The current version among a report's events and its content.
fn current_version(events: &[ReportEvent], id: Option<i64>) -> Option<(Version, ReportContent)> {
    let id = id?;
    let event = events.iter().find(|e| e.id == id)?;
    Some((
        Version {
            id,
            action: event.action,
            author_name: event.author_name.clone(),
            observed_at: event.observed_at.clone(),
            received_ms: parse_rfc3339(&event.received_at).unwrap_or_default(),
        },
        event.content.clone().unwrap_or_default(),
    ))
}

/// The progress updates on the plan `plan_id` that may fall in `period`'s data window,
/// in order: those the device dated a day either side of it too, since its clock may
/// be in another time zone than Vietnam's (the drafting keeps the exact window).
fn progress_of_period(
    conn: &Connection,
    plan_id: i64,
    period: Period,
) -> Result<Vec<ProgressUpdate>, DbError> {
    let (from, to) = period.data_window();
    let mut stmt = conn.prepare_cached(&format!(
        "{PROGRESS_SELECT} WHERE pl.id = ?1 AND substr(p.observed_at, 1, 10) BETWEEN ?2 AND ?3
         ORDER BY p.id"
    ))?;
    let mut rows = stmt.query(rusqlite::params![
        plan_id,
        from.add_days(-1).to_iso(),
        to.add_days(1).to_iso()
    ])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(progress_from_row(row)?);
    }
    Ok(out)
}

/// The export of `period` of plan `code` for `scope`, with states as of `at` (ms).
pub fn export_data(
    conn: &Connection,
    cache: &PlanCache,
    code: &PlanCode,
    within: &Within,
    period: Period,
    scope: &ExportScope,
    at: i64,
) -> Result<Result<ExportData, ExportError>, DbError> {
    let (plan_id, plan, info) = match find_period(conn, cache, code, within, period)? {
        Ok(found) => found,
        Err(ListingError::UnknownPlan) => return Ok(Err(ExportError::UnknownPlan)),
        Err(ListingError::UnknownPeriod) => return Ok(Err(ExportError::UnknownPeriod)),
    };
    let table = agencies(conn)?;
    let known = |id: &AgencyId| {
        table
            .get(id.as_str())
            .cloned()
            .ok_or_else(|| DbError::Corrupt(format!("unknown agency {id}")))
    };
    let consolidator = info
        .consolidator
        .as_ref()
        .map(|c| known(&c.id))
        .transpose()?;
    let reporters: Vec<_> = match scope {
        ExportScope::Consolidated => {
            if consolidator.is_none() {
                return Ok(Err(ExportError::NoConsolidator));
            }
            info.reporters.iter().collect()
        }
        ExportScope::Agency(id) => match info.reporters.iter().find(|r| &r.agency.id == id) {
            Some(r) => vec![r],
            None => return Ok(Err(ExportError::UnknownAgency)),
        },
    };
    let tree = Tree::load(conn)?;
    // Read only when an agency has written nothing yet and is drafted from them.
    let mut updates: Option<Vec<ProgressUpdate>> = None;
    let mut reports = Vec::with_capacity(reporters.len());
    for reporter in reporters {
        let events = events_of(
            conn,
            plan_id,
            period,
            ReportScope::Agency,
            &reporter.agency.id,
        )?;
        let s = standing(&events, info.dates.agency_deadline, at);
        let entry = ReportEntry::new(reporter.agency.clone(), ReportScope::Agency, &s);
        let (content, source) = match current_version(&events, s.version) {
            Some((version, content)) => (content, ContentSource::Version(version)),
            None => {
                if updates.is_none() {
                    updates = Some(progress_of_period(conn, plan_id, period)?);
                }
                let root = reporter.agency.id.as_str();
                let mine = updates
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .filter(|u| tree.root(u.agency.id.as_str()) == root);
                (
                    draft_agency_report(reporter, period, mine),
                    ContentSource::ProgressDraft,
                )
            }
        };
        reports.push(ExportReport {
            agency: known(&reporter.agency.id)?,
            tasks: reporter.tasks.clone(),
            leads: reporter.leads.clone(),
            entry,
            content,
            source,
        });
    }
    let consolidated = match (scope, &consolidator) {
        (ExportScope::Consolidated, Some(agency)) => {
            let events = events_of(conn, plan_id, period, ReportScope::Consolidated, &agency.id)?;
            let deadline = info
                .dates
                .consolidation_deadline
                .unwrap_or(info.dates.agency_deadline);
            let s = standing(&events, deadline, at);
            let entry = ReportEntry::new(agency.reference(), ReportScope::Consolidated, &s);
            let tasks = info.consolidation_tasks(&plan);
            let (content, source) = match current_version(&events, s.version) {
                Some((version, content)) => (content, ContentSource::Version(version)),
                None => {
                    let submitted: Vec<(AgencyRef, ReportContent)> = reports
                        .iter()
                        .filter(|r| r.version().is_some())
                        .filter(|r| {
                            matches!(r.entry.state, CycleState::Submitted | CycleState::Accepted)
                        })
                        .map(|r| (r.agency.reference(), r.content.clone()))
                        .collect();
                    (
                        draft_consolidated(&tasks, &submitted, Lang::Vi),
                        ContentSource::ReportsDraft,
                    )
                }
            };
            Some(ExportReport {
                agency: agency.clone(),
                tasks: tasks.into_iter().map(|t| t.number).collect(),
                leads: Vec::new(),
                entry,
                content,
                source,
            })
        }
        _ => None,
    };
    let ministry = match &consolidator {
        Some(c) => ministry_of(conn, &c.name)?,
        None => None,
    };
    Ok(Ok(ExportData {
        plan,
        dates: info.dates,
        consolidator,
        reports,
        consolidated,
        ministry,
        at_ms: at,
    }))
}

impl Db {
    /// The export of `period` of plan `code` for `scope`, with every state as of the
    /// end of today (Vietnam time), as the listing shows them.
    pub async fn export_data(
        &self,
        code: PlanCode,
        within: Within,
        period: Period,
        scope: ExportScope,
    ) -> Result<Result<ExportData, ExportError>, DbError> {
        let cache = self.plan_cache();
        let at = end_of_day(date_of(now_ms(), VIETNAM_OFFSET_MINUTES));
        self.read(move |conn| export_data(conn, &cache, &code, &within, period, &scope, at))
            .await
    }

    /// The agency at the top of `agency`'s parent chain: the one it reports through.
    pub async fn reporting_root(&self, agency: AgencyId) -> Result<AgencyId, DbError> {
        self.read(move |conn| {
            let tree = Tree::load(conn)?;
            AgencyId::parse(tree.root(agency.as_str())).map_err(|e| DbError::Corrupt(e.to_string()))
        })
        .await
    }
}
