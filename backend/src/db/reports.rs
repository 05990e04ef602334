//! The reporting cycle: who must report for a period, applying report saves,
//! submissions and reviews, and the listing of where every report stands.
//!
//! Who must report and on which tasks comes from the plan's reporting calendar
//! (`tiendo_shared::plan::ReportingCalendar`) over the stored plan document, with the
//! agency tree from the `agencies` table: an agency reports through the agency at the
//! top of its parent chain (a border post through the border guard command).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};
use tiendo_shared::date::{Date, format_rfc3339_utc};
use tiendo_shared::ids::{AgencyId, MutationId, PlanCode};
use tiendo_shared::plan::{ObligationRole, Period, Plan, ReportingPeriod};
use tiendo_shared::protocol::{
    AgencyRef, Decision, RejectReason, Rejection, ReportReview, ReportWrite, Role, Timestamp,
};
use tiendo_shared::report::{
    ConsolidationTask, CycleState, GRACE_HOURS, ReportAction, ReportContent, ReportEntry,
    ReportEvent, ReportScope, Reporter, ReportsView, end_of_day, standing,
};

use super::agencies::current_agency;
use super::plans::{Within, plan_id};
use super::sync::Applied;
use super::users::SessionUser;
use super::{Db, DbError, audit};

/// Parsed plan documents by plan id, so that a report mutation or a plan view does
/// not parse the stored document each time, and the ETag of each plan view as a
/// viewer sees it, so that an unchanged plan is answered `304` without building its
/// view. Both are kept under the database's view version (migration 0014), which
/// moves whenever a plan, a task, an assignment or an agency changes, from this
/// process or another one: a new version empties the cache.
#[derive(Clone, Default)]
pub struct PlanCache(Arc<Mutex<Cached>>);

#[derive(Default)]
struct Cached {
    /// The view version the entries were read at.
    version: i64,
    plans: HashMap<i64, Arc<Plan>>,
    tags: HashMap<ViewKey, String>,
}

impl Cached {
    /// Moves on to `version` when it is newer, dropping what was kept under an older
    /// one (a slower reader's older version moves nothing back); whether entries read
    /// at `version` may be kept.
    fn advance(&mut self, version: i64) -> bool {
        if self.version < version {
            *self = Cached {
                version,
                ..Cached::default()
            };
        }
        self.version == version
    }
}

/// Whose view of which plan: what a plan view depends on besides the data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ViewKey {
    pub plan_id: i64,
    /// The viewer's agency (its assignments, the agency it reports through).
    pub agency: AgencyId,
    /// Whether the viewer sees every agency's reporting (a supervisor).
    pub reads_all: bool,
}

/// A plan view's key with the view version it was built at, to keep its ETag under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewStamp {
    pub key: ViewKey,
    pub version: i64,
}

/// The current view version (migration 0014).
pub(super) fn view_version(conn: &Connection) -> Result<i64, DbError> {
    Ok(conn
        .prepare_cached("SELECT n FROM view_version WHERE id = 1")?
        .query_row([], |row| row.get(0))?)
}

impl PlanCache {
    /// The plan `plan_id`, parsed once per view version.
    pub fn plan(&self, conn: &Connection, plan_id: i64) -> Result<Arc<Plan>, DbError> {
        let version = view_version(conn)?;
        // Inside a transaction that changed plans or agencies the version is one no
        // one else sees yet (and may never, if it rolls back): read, but keep nothing.
        let keep = conn.is_autocommit();
        if let Ok(mut cached) = self.0.lock() {
            if keep {
                cached.advance(version);
            }
            if cached.version == version
                && let Some(plan) = cached.plans.get(&plan_id)
            {
                return Ok(Arc::clone(plan));
            }
        }
        let document: String = conn.query_row(
            "SELECT document FROM plans WHERE id = ?1",
            [plan_id],
            |row| row.get(0),
        )?;
        let plan: Arc<Plan> = Arc::new(
            serde_json::from_str(&document)
                .map_err(|e| DbError::Corrupt(format!("stored plan {plan_id}: {e}")))?,
        );
        if let Ok(mut cached) = self.0.lock()
            && cached.version == version
        {
            cached.plans.insert(plan_id, Arc::clone(&plan));
        }
        Ok(plan)
    }

    /// The ETag of `key`'s view at `version`, if it was kept.
    pub fn tag(&self, key: &ViewKey, version: i64) -> Option<String> {
        let cached = self.0.lock().ok()?;
        (cached.version == version)
            .then(|| cached.tags.get(key).cloned())
            .flatten()
    }

    /// Keeps the ETag of a view built at `stamp`'s version, unless the version has
    /// moved on meanwhile.
    pub fn remember(&self, stamp: ViewStamp, tag: String) {
        if let Ok(mut cached) = self.0.lock()
            && cached.advance(stamp.version)
        {
            cached.tags.insert(stamp.key, tag);
        }
    }
}

/// One period of a plan: its dates, who consolidates, and who reports on what.
#[derive(Debug, Clone)]
pub struct PeriodInfo {
    pub dates: ReportingPeriod,
    pub consolidator: Option<AgencyRef>,
    pub reporters: Vec<Reporter>,
}

impl PeriodInfo {
    /// The plan's tasks that the period's reports cover, each with the reporting
    /// agencies that lead and that coordinate it, as consolidation needs them.
    pub fn consolidation_tasks(&self, plan: &Plan) -> Vec<ConsolidationTask> {
        plan.tasks
            .iter()
            .filter(|t| self.reporters.iter().any(|r| r.tasks.contains(&t.number)))
            .map(|t| ConsolidationTask {
                number: t.number.clone(),
                lead: self
                    .reporters
                    .iter()
                    .filter(|r| r.leads.contains(&t.number))
                    .map(|r| r.agency.clone())
                    .collect(),
                coordinating: self
                    .reporters
                    .iter()
                    .filter(|r| r.tasks.contains(&t.number) && !r.leads.contains(&t.number))
                    .map(|r| r.agency.clone())
                    .collect(),
            })
            .collect()
    }
}

/// Each agency's name and parent, and the agency each merged one joined.
pub(super) struct Tree {
    agencies: HashMap<String, (String, Option<String>)>,
    merged: HashMap<String, String>,
}

impl Tree {
    pub(super) fn load(conn: &Connection) -> Result<Tree, DbError> {
        let mut stmt =
            conn.prepare_cached("SELECT id, name, parent_id, merged_into FROM agencies")?;
        let mut rows = stmt.query([])?;
        let (mut agencies, mut merged) = (HashMap::new(), HashMap::new());
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            if let Some(into) = row.get::<_, Option<String>>(3)? {
                merged.insert(id.clone(), into);
            }
            agencies.insert(id, (row.get(1)?, row.get(2)?));
        }
        Ok(Tree { agencies, merged })
    }

    /// The agency `id` names now: itself, or the one it was merged into (a plan
    /// parsed before the merge still names it).
    fn current<'a>(&'a self, id: &'a str) -> &'a str {
        self.merged.get(id).map_or(id, String::as_str)
    }

    /// The agency at the top of `id`'s parent chain.
    pub(super) fn root<'a>(&'a self, id: &'a str) -> &'a str {
        let mut current = self.current(id);
        for _ in 0..32 {
            match self
                .agencies
                .get(current)
                .and_then(|(_, parent)| parent.as_deref())
            {
                Some(parent) => current = parent,
                None => break,
            }
        }
        current
    }

    fn agency(&self, id: &str) -> Result<AgencyRef, DbError> {
        let id = self.current(id);
        let name = self
            .agencies
            .get(id)
            .map(|(name, _)| name.clone())
            .ok_or_else(|| DbError::Corrupt(format!("unknown agency {id}")))?;
        Ok(AgencyRef {
            id: AgencyId::parse(id).map_err(|e| DbError::Corrupt(e.to_string()))?,
            name,
        })
    }
}

/// What `plan` asks for `period`, or `None` when it asks for no such report.
pub fn period_info(
    conn: &Connection,
    plan: &Plan,
    period: Period,
) -> Result<Option<PeriodInfo>, DbError> {
    let calendar = plan.calendar();
    let Some(dates) = calendar
        .periods_through(period.year)
        .into_iter()
        .find(|p| p.period == period)
    else {
        return Ok(None);
    };
    let tree = Tree::load(conn)?;
    // The agencies that report, in the calendar's order, each through its root.
    let mut roots: Vec<String> = Vec::new();
    for obligation in calendar.obligations(&dates) {
        let root = tree.root(obligation.agency.as_str());
        if obligation.role == ObligationRole::Report && !roots.iter().any(|r| r == root) {
            roots.push(root.to_owned());
        }
    }
    let mut reporters = Vec::with_capacity(roots.len());
    for root in &roots {
        let under = |id: &str| tree.root(id) == root;
        let (from, to) = period.span();
        let mut tasks = Vec::new();
        let mut leads = Vec::new();
        for task in &plan.tasks {
            if !task.timeframe.overlaps(plan.year, from, to) {
                continue;
            }
            let reports = |a: &&tiendo_shared::plan::AgencyName| {
                !a.external && !a.requested && under(a.id.as_str())
            };
            if task.lead.iter().any(|a| reports(&a)) {
                leads.push(task.number.clone());
                tasks.push(task.number.clone());
            } else if task.coordinating.iter().any(|a| reports(&a)) {
                tasks.push(task.number.clone());
            }
        }
        reporters.push(Reporter {
            agency: tree.agency(root)?,
            tasks,
            leads,
        });
    }
    let consolidator = dates
        .consolidator
        .as_ref()
        .map(|a| tree.agency(a.id.as_str()))
        .transpose()?;
    Ok(Some(PeriodInfo {
        dates,
        consolidator,
        reporters,
    }))
}

/// The last event of a report and its current version (the last save or submission),
/// each with its author.
struct Head {
    state: Option<CycleState>,
    version: Option<(i64, i64)>,
}

fn head(
    conn: &Connection,
    plan_id: i64,
    period: Period,
    scope: ReportScope,
    agency: &str,
) -> Result<Head, DbError> {
    let state: Option<String> = conn
        .prepare_cached(
            "SELECT state FROM report_events WHERE plan_id = ?1 AND period = ?2 AND scope = ?3
             AND agency_id = ?4 ORDER BY id DESC LIMIT 1",
        )?
        .query_row(
            params![plan_id, period.code(), scope.code(), agency],
            |row| row.get(0),
        )
        .optional()?;
    let version: Option<(i64, i64)> = conn
        .prepare_cached(
            "SELECT id, author_id FROM report_events WHERE plan_id = ?1 AND period = ?2
             AND scope = ?3 AND agency_id = ?4 AND action IN ('saved', 'submitted')
             ORDER BY id DESC LIMIT 1",
        )?
        .query_row(
            params![plan_id, period.code(), scope.code(), agency],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let state = state
        .map(|s| {
            CycleState::from_code(&s).ok_or_else(|| DbError::Corrupt(format!("report state {s}")))
        })
        .transpose()?;
    Ok(Head { state, version })
}

type Outcome = Result<Result<(), Rejection>, DbError>;

/// A plan's id, the plan, and what it asks for one period.
pub(super) type Found = (i64, Arc<Plan>, PeriodInfo);

/// The plan and period a report mutation names, or the rejection saying why not.
fn plan_and_period(
    conn: &Connection,
    cache: &PlanCache,
    applied: &Applied<'_>,
    code: &PlanCode,
    period: Period,
) -> Result<Result<Found, Rejection>, DbError> {
    let reject = |message: String| {
        Ok(Err(Rejection {
            seq: applied.mutation.seq,
            error: RejectReason::UnknownPeriod,
            message,
        }))
    };
    let within = Within::AgencyOf(applied.user.agency.id.clone());
    match find_period(conn, cache, code, &within, period)? {
        Ok(found) => Ok(Ok(found)),
        Err(ListingError::UnknownPlan) => reject(format!("no plan {code}")),
        Err(ListingError::UnknownPeriod) => {
            reject(format!("plan {code} asks for no report {period}"))
        }
    }
}

/// The plan `code` `within` a province (its id and document) and what it asks for
/// `period`, or which of the two is not there.
pub(super) fn find_period(
    conn: &Connection,
    cache: &PlanCache,
    code: &PlanCode,
    within: &Within,
    period: Period,
) -> Result<Result<Found, ListingError>, DbError> {
    let Some(plan_id) = plan_id(conn, code, within)? else {
        return Ok(Err(ListingError::UnknownPlan));
    };
    let plan = cache.plan(conn, plan_id)?;
    Ok(period_info(conn, &plan, period)?
        .map(|info| (plan_id, plan, info))
        .ok_or(ListingError::UnknownPeriod))
}

/// `report.save` and `report.submit`.
pub fn apply_report_write(
    conn: &Connection,
    cache: &PlanCache,
    applied: &Applied<'_>,
    write: &ReportWrite,
    submit: bool,
) -> Outcome {
    let user = applied.user;
    let (plan_id, plan, info) =
        match plan_and_period(conn, cache, applied, &write.plan, write.period)? {
            Ok(found) => found,
            Err(rejection) => return Ok(Err(rejection)),
        };
    let forbidden = |message: String| applied.reject(RejectReason::Forbidden, message);
    let agency = match write.scope {
        ReportScope::Agency => {
            if !user.role.records_progress() {
                return forbidden(format!(
                    "role {} does not write agency reports",
                    user.role.code()
                ));
            }
            if !info.reporters.iter().any(|r| r.agency.id == user.agency.id) {
                return forbidden(format!(
                    "agency {} has no report of its own for {}",
                    user.agency.id, write.period
                ));
            }
            if submit && user.role != Role::Head {
                return forbidden("only the agency head submits its report".into());
            }
            user.agency.id.clone()
        }
        ReportScope::Consolidated => match &info.consolidator {
            Some(c) if user.role == Role::Supervisor && c.id == user.agency.id => c.id.clone(),
            Some(c) => {
                return forbidden(format!(
                    "only supervisors of {} write the consolidated report",
                    c.id
                ));
            }
            None => {
                return applied.reject(
                    RejectReason::UnknownPeriod,
                    format!(
                        "the plan names no consolidating agency for {}",
                        write.period
                    ),
                );
            }
        },
    };
    if let Some(unknown) = write
        .content
        .tasks
        .iter()
        .find(|t| plan.task(&t.task).is_none())
    {
        return applied.reject(
            RejectReason::UnknownTask,
            format!("no task {}", unknown.task),
        );
    }
    let head = head(conn, plan_id, write.period, write.scope, agency.as_str())?;
    let current = head.state;
    if current.is_some_and(|s| !s.editable()) {
        return applied.reject(
            RejectReason::NotEditable,
            format!("the report is {}", current.map_or("", CycleState::code)),
        );
    }
    let conflict = head
        .version
        .is_some_and(|(id, author)| write.base != Some(id) && author != user.id);
    let (action, state) = match (submit, write.scope, current) {
        (true, ReportScope::Consolidated, _) => (ReportAction::Submitted, CycleState::Final),
        (true, ReportScope::Agency, _) => (ReportAction::Submitted, CycleState::Submitted),
        (false, _, Some(CycleState::Returned)) => (ReportAction::Saved, CycleState::Returned),
        (false, _, _) => (ReportAction::Saved, CycleState::Draft),
    };
    let content = serde_json::to_string(&write.content)
        .map_err(|e| DbError::Corrupt(format!("report content: {e}")))?;
    let id = applied.feed_id(conn, "report")?;
    insert_event(
        conn,
        applied,
        NewEvent {
            id,
            plan_id,
            period: write.period,
            scope: write.scope,
            agency: &agency,
            action,
            version: id,
            base: write.base,
            state,
            conflict,
            content: Some(content),
            comment: "",
            observed_at: &write.observed_at,
        },
    )?;
    Ok(Ok(()))
}

/// `report.review`.
pub fn apply_report_review(
    conn: &Connection,
    cache: &PlanCache,
    applied: &Applied<'_>,
    review: &ReportReview,
) -> Outcome {
    let user = applied.user;
    let (plan_id, _, info) =
        match plan_and_period(conn, cache, applied, &review.plan, review.period)? {
            Ok(found) => found,
            Err(rejection) => return Ok(Err(rejection)),
        };
    let reviews = user.role == Role::Supervisor
        && info
            .consolidator
            .as_ref()
            .is_none_or(|c| c.id == user.agency.id);
    if !reviews {
        return applied.reject(
            RejectReason::Forbidden,
            "only supervisors of the consolidating agency review reports".into(),
        );
    }
    // A review queued on a device before the agency was merged judges the report
    // that is now the agency's it joined.
    let agency = current_agency(conn, &review.agency)?;
    let head = head(
        conn,
        plan_id,
        review.period,
        ReportScope::Agency,
        agency.as_str(),
    )?;
    if head.state != Some(CycleState::Submitted) {
        return applied.reject(
            RejectReason::NotSubmitted,
            format!(
                "the report of {} is {}",
                agency,
                head.state.map_or("not_started", CycleState::code)
            ),
        );
    }
    if head.version.map(|(id, _)| id) != Some(review.version) {
        return applied.reject(
            RejectReason::StaleVersion,
            format!(
                "version {} was replaced by version {}",
                review.version,
                head.version.map_or(0, |(id, _)| id)
            ),
        );
    }
    if review.decision == Decision::Return && review.comment.as_str().is_empty() {
        return applied.reject(
            RejectReason::Invalid,
            "a report is returned with a comment saying what to revise".into(),
        );
    }
    let (action, state) = match review.decision {
        Decision::Accept => (ReportAction::Accepted, CycleState::Accepted),
        Decision::Return => (ReportAction::Returned, CycleState::Returned),
    };
    let id = applied.feed_id(conn, "report")?;
    insert_event(
        conn,
        applied,
        NewEvent {
            id,
            plan_id,
            period: review.period,
            scope: ReportScope::Agency,
            agency: &agency,
            action,
            version: review.version,
            base: None,
            state,
            conflict: false,
            content: None,
            comment: review.comment.as_str(),
            observed_at: &review.observed_at,
        },
    )?;
    Ok(Ok(()))
}

struct NewEvent<'a> {
    id: i64,
    plan_id: i64,
    period: Period,
    scope: ReportScope,
    agency: &'a AgencyId,
    action: ReportAction,
    version: i64,
    base: Option<i64>,
    state: CycleState,
    conflict: bool,
    content: Option<String>,
    comment: &'a str,
    observed_at: &'a Timestamp,
}

fn action_code(action: ReportAction) -> &'static str {
    match action {
        ReportAction::Saved => "saved",
        ReportAction::Submitted => "submitted",
        ReportAction::Accepted => "accepted",
        ReportAction::Returned => "returned",
    }
}

fn action_from_code(code: &str) -> Option<ReportAction> {
    [
        ReportAction::Saved,
        ReportAction::Submitted,
        ReportAction::Accepted,
        ReportAction::Returned,
    ]
    .into_iter()
    .find(|a| action_code(*a) == code)
}

fn insert_event(conn: &Connection, applied: &Applied<'_>, e: NewEvent<'_>) -> Result<(), DbError> {
    conn.prepare_cached(
        "INSERT INTO report_events (id, mutation_id, client_id, seq, plan_id, period, scope,
             agency_id, action, version, base_id, state, conflict, content, comment, author_id,
             observed_at, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?
    .execute(params![
        e.id,
        applied.mutation.id.as_str(),
        applied.client_id.as_str(),
        applied.mutation.seq as i64,
        e.plan_id,
        e.period.code(),
        e.scope.code(),
        e.agency.as_str(),
        action_code(e.action),
        e.version,
        e.base,
        e.state.code(),
        e.conflict,
        e.content,
        e.comment,
        applied.user.id,
        e.observed_at.as_str(),
        applied.now
    ])?;
    let plan: String = conn
        .prepare_cached("SELECT code FROM plans WHERE id = ?1")?
        .query_row([e.plan_id], |row| row.get(0))?;
    let kind = match e.action {
        ReportAction::Saved => "report.save",
        ReportAction::Submitted => "report.submit",
        ReportAction::Accepted | ReportAction::Returned => "report.review",
    };
    audit::record(
        conn,
        audit::Entry {
            at: applied.now,
            device_at: Some(e.observed_at.as_str()),
            actor: &applied.user.username,
            client_id: Some(applied.client_id.as_str()),
            kind,
            agency: Some(e.agency.as_str()),
            target: &format!("{plan} {} {}", e.period.code(), e.scope.code()),
            detail: serde_json::json!({
                "change": e.id,
                "mutation_id": applied.mutation.id.as_str(),
                "action": action_code(e.action),
                "version": e.version,
                "state": e.state.code(),
                "conflict": e.conflict,
                "comment": (!e.comment.is_empty()).then_some(e.comment),
            }),
        },
    )?;
    Ok(())
}

const EVENT_SELECT: &str = "SELECT r.id, r.mutation_id, pl.code, r.period, r.scope, a.id, a.name,
        r.action, r.version, r.base_id, r.state, r.conflict, r.content, r.comment, u.username,
        u.display_name, r.observed_at, r.received_at
    FROM report_events r JOIN plans pl ON pl.id = r.plan_id
    JOIN agencies a ON a.id = r.agency_id JOIN users u ON u.id = r.author_id";

fn event_from_row(row: &rusqlite::Row<'_>) -> Result<ReportEvent, DbError> {
    let corrupt = |what: &str| DbError::Corrupt(format!("report event has an invalid {what}"));
    let text = |i: usize| row.get::<_, String>(i);
    let content: Option<String> = row.get(12)?;
    Ok(ReportEvent {
        id: row.get(0)?,
        mutation_id: MutationId::parse(&text(1)?).map_err(|_| corrupt("mutation id"))?,
        plan: PlanCode::parse(&text(2)?).map_err(|_| corrupt("plan"))?,
        period: Period::parse(&text(3)?).ok_or_else(|| corrupt("period"))?,
        scope: ReportScope::from_code(&text(4)?).ok_or_else(|| corrupt("scope"))?,
        agency: AgencyRef {
            id: AgencyId::parse(&text(5)?).map_err(|_| corrupt("agency"))?,
            name: text(6)?,
        },
        action: action_from_code(&text(7)?).ok_or_else(|| corrupt("action"))?,
        version: row.get(8)?,
        base: row.get(9)?,
        state: CycleState::from_code(&text(10)?).ok_or_else(|| corrupt("state"))?,
        conflict: row.get(11)?,
        content: content
            .map(|c| serde_json::from_str::<ReportContent>(&c))
            .transpose()
            .map_err(|_| corrupt("content"))?,
        comment: text(13)?,
        author: text(14)?,
        author_name: text(15)?,
        observed_at: Timestamp::parse(&text(16)?).map_err(|_| corrupt("time"))?,
        received_at: format_rfc3339_utc(row.get(17)?),
    })
}

/// The report event with feed id `id`.
pub fn report_event(conn: &Connection, id: i64) -> Result<ReportEvent, DbError> {
    conn.prepare_cached(&format!("{EVENT_SELECT} WHERE r.id = ?1"))?
        .query_row([id], |row| Ok(event_from_row(row)))?
}

/// Every event of one report, in order.
pub(super) fn events_of(
    conn: &Connection,
    plan_id: i64,
    period: Period,
    scope: ReportScope,
    agency: &AgencyId,
) -> Result<Vec<ReportEvent>, DbError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{EVENT_SELECT} WHERE r.plan_id = ?1 AND r.period = ?2 AND r.scope = ?3
         AND r.agency_id = ?4 ORDER BY r.id"
    ))?;
    let mut rows = stmt.query(params![
        plan_id,
        period.code(),
        scope.code(),
        agency.as_str()
    ])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(event_from_row(row)?);
    }
    Ok(out)
}

/// Why a listing (or anything else about one plan's period) could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListingError {
    UnknownPlan,
    UnknownPeriod,
}

/// The listing of `period`'s reports as `user` may see it, on `as_of` (Vietnam time).
pub fn reports_view(
    conn: &Connection,
    cache: &PlanCache,
    user: &SessionUser,
    code: &PlanCode,
    within: &Within,
    period: Period,
    as_of: Date,
) -> Result<Result<ReportsView, ListingError>, DbError> {
    let (plan_id, _, info) = match find_period(conn, cache, code, within, period)? {
        Ok(found) => found,
        Err(missing) => return Ok(Err(missing)),
    };
    let at = end_of_day(as_of);
    let tree = Tree::load(conn)?;
    let own_root = tree.root(user.agency.id.as_str()).to_owned();
    let mut reports = Vec::new();
    for reporter in &info.reporters {
        if !user.role.reads_all() && reporter.agency.id.as_str() != own_root {
            continue;
        }
        let events = events_of(
            conn,
            plan_id,
            period,
            ReportScope::Agency,
            &reporter.agency.id,
        )?;
        let s = standing(&events, info.dates.agency_deadline, at);
        reports.push(ReportEntry::new(
            reporter.agency.clone(),
            ReportScope::Agency,
            &s,
        ));
    }
    if user.role.reads_all()
        && let (Some(consolidator), Some(deadline)) =
            (&info.consolidator, info.dates.consolidation_deadline)
    {
        let events = events_of(
            conn,
            plan_id,
            period,
            ReportScope::Consolidated,
            &consolidator.id,
        )?;
        let s = standing(&events, deadline, at);
        reports.push(ReportEntry::new(
            consolidator.clone(),
            ReportScope::Consolidated,
            &s,
        ));
    }
    Ok(Ok(ReportsView {
        plan: code.clone(),
        period,
        as_of,
        deadline: info.dates.agency_deadline,
        consolidation_deadline: info.dates.consolidation_deadline,
        grace_hours: GRACE_HOURS,
        reports,
    }))
}

impl Db {
    /// What the plan `code` asks for `period`: its dates, its consolidating agency and
    /// who reports on what; `None` when there is no such plan or report.
    pub async fn period_info(
        &self,
        code: PlanCode,
        within: Within,
        period: Period,
    ) -> Result<Option<PeriodInfo>, DbError> {
        let cache = self.plan_cache();
        self.read(move |conn| {
            Ok(find_period(conn, &cache, &code, &within, period)?
                .ok()
                .map(|(_, _, info)| info))
        })
        .await
    }

    /// The listing of a period's reports as the consolidating department sees it (for
    /// the command line).
    pub async fn reports_as_department(
        &self,
        plan: PlanCode,
        province: Option<String>,
        period: Period,
        as_of: Date,
    ) -> Result<Result<ReportsView, ListingError>, DbError> {
        let department = SessionUser {
            id: 0,
            username: String::new(),
            display_name: String::new(),
            role: Role::Admin,
            agency: AgencyRef {
                id: AgencyId::parse("department").map_err(|e| DbError::Corrupt(e.to_string()))?,
                name: String::new(),
            },
        };
        let cache = self.plan_cache();
        let within = Within::Province(province);
        self.read(move |conn| {
            reports_view(conn, &cache, &department, &plan, &within, period, as_of)
        })
        .await
    }

    /// The listing of a period's reports as `user` may see it.
    pub async fn reports(
        &self,
        user: SessionUser,
        plan: PlanCode,
        period: Period,
        as_of: Date,
    ) -> Result<Result<ReportsView, ListingError>, DbError> {
        let cache = self.plan_cache();
        let within = Within::AgencyOf(user.agency.id.clone());
        self.read(move |conn| reports_view(conn, &cache, &user, &plan, &within, period, as_of))
            .await
    }
}
