//! The reporting cycle of section IV of a plan: an agency's report for a period, the
//! consolidating department's review, the consolidated report, and where each stands.
//!
//! A report is a series of *versions* (each save or submission is one, numbered by the
//! server's change sequence) and *reviews*. Devices receive them as [`ReportEvent`]s in
//! the pull feed; [`standing`] turns the events of one report into its state, whether
//! it was late, and the times people are shown, the same way on the server (for the
//! listing) and on a device (offline).

use serde::{Deserialize, Serialize};

use crate::date::{Date, date_of};
use crate::i18n::Lang;
use crate::ids::{AgencyId, MutationId, PlanCode, TaskNumber};
use crate::plan::Period;
use crate::plan::calendar::{VIETNAM_OFFSET_MINUTES, due_instant};
use crate::progress::{NOTE_MAX_CHARS, Note, Percent, ProgressStatus};
use crate::protocol::{AgencyRef, ProgressUpdate, Timestamp};

/// The most task entries one report may have.
pub const MAX_REPORT_TASKS: usize = 300;
/// The most characters all the texts of one report may have together.
pub const MAX_REPORT_CHARS: usize = 120_000;
/// How long after a deadline a submission the device recorded before it may reach the
/// server and still count as on time. It bounds what a wrong device clock can buy: a
/// device whose clock runs behind gains at most this much.
pub const GRACE_HOURS: i64 = 72;

/// Whose report: an agency's own, or the consolidating department's consolidated one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportScope {
    #[default]
    Agency,
    Consolidated,
}

impl ReportScope {
    pub fn code(self) -> &'static str {
        match self {
            ReportScope::Agency => "agency",
            ReportScope::Consolidated => "consolidated",
        }
    }

    pub fn from_code(code: &str) -> Option<ReportScope> {
        [ReportScope::Agency, ReportScope::Consolidated]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// One task's part of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportTask {
    pub task: TaskNumber,
    pub status: ProgressStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<Percent>,
    /// Kết quả thực hiện.
    #[serde(default)]
    pub results: Note,
    /// Khó khăn, vướng mắc.
    #[serde(default)]
    pub difficulties: Note,
    /// Đề xuất, kiến nghị.
    #[serde(default)]
    pub proposals: Note,
}

/// What a report says: a part per task, then the overall part.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportContent {
    /// Đánh giá chung.
    #[serde(default)]
    pub summary: Note,
    /// Phương hướng kỳ tới.
    #[serde(default)]
    pub direction: Note,
    /// Đề xuất, kiến nghị với tỉnh.
    #[serde(default)]
    pub proposals: Note,
    #[serde(default)]
    pub tasks: Vec<ReportTask>,
}

/// Why a report's content was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentError {
    TooManyTasks,
    TooLong,
    DuplicateTask,
}

impl ContentError {
    pub fn message(self, lang: Lang) -> &'static str {
        match self {
            ContentError::TooManyTasks => lang.pick(
                "Báo cáo có quá nhiều nhiệm vụ.",
                "The report has too many tasks.",
            ),
            ContentError::TooLong => lang.pick(
                "Báo cáo dài quá giới hạn cho phép.",
                "The report is longer than allowed.",
            ),
            ContentError::DuplicateTask => lang.pick(
                "Một nhiệm vụ xuất hiện hai lần trong báo cáo.",
                "A task appears twice in the report.",
            ),
        }
    }
}

impl ReportContent {
    /// Checks the bounds a single text's type does not: the number of tasks, the
    /// total length, and each task once.
    pub fn check(&self) -> Result<(), ContentError> {
        if self.tasks.len() > MAX_REPORT_TASKS {
            return Err(ContentError::TooManyTasks);
        }
        let chars = |n: &Note| n.as_str().chars().count();
        let total = chars(&self.summary)
            + chars(&self.direction)
            + chars(&self.proposals)
            + self
                .tasks
                .iter()
                .map(|t| chars(&t.results) + chars(&t.difficulties) + chars(&t.proposals))
                .sum::<usize>();
        if total > MAX_REPORT_CHARS {
            return Err(ContentError::TooLong);
        }
        for (i, t) in self.tasks.iter().enumerate() {
            if self.tasks[..i].iter().any(|o| o.task == t.task) {
                return Err(ContentError::DuplicateTask);
            }
        }
        Ok(())
    }

    /// The part for `task`, if the report has one.
    pub fn task(&self, task: &TaskNumber) -> Option<&ReportTask> {
        self.tasks.iter().find(|t| &t.task == task)
    }
}

/// Where a report stands in the cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CycleState {
    /// Nothing written yet.
    NotStarted,
    /// Being written; never submitted.
    Draft,
    /// Submitted by the agency head; waiting for the department's review.
    Submitted,
    /// Sent back for revision with a comment; editable again.
    Returned,
    /// Accepted by the department.
    Accepted,
    /// The deadline has passed and it was never submitted (a draft may exist).
    Missing,
    /// The consolidated report, marked final by the department.
    Final,
}

impl CycleState {
    pub fn code(self) -> &'static str {
        match self {
            CycleState::NotStarted => "not_started",
            CycleState::Draft => "draft",
            CycleState::Submitted => "submitted",
            CycleState::Returned => "returned",
            CycleState::Accepted => "accepted",
            CycleState::Missing => "missing",
            CycleState::Final => "final",
        }
    }

    pub fn from_code(code: &str) -> Option<CycleState> {
        [
            CycleState::NotStarted,
            CycleState::Draft,
            CycleState::Submitted,
            CycleState::Returned,
            CycleState::Accepted,
            CycleState::Missing,
            CycleState::Final,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            CycleState::NotStarted => lang.pick("Chưa bắt đầu", "Not started"),
            CycleState::Draft => lang.pick("Đang soạn", "Draft"),
            CycleState::Submitted => lang.pick("Đã gửi, chờ duyệt", "Submitted"),
            CycleState::Returned => lang.pick("Bị trả lại", "Returned"),
            CycleState::Accepted => lang.pick("Đã chấp nhận", "Accepted"),
            CycleState::Missing => lang.pick("Chưa nộp (quá hạn)", "Missing"),
            CycleState::Final => lang.pick("Đã hoàn thành", "Final"),
        }
    }

    /// Whether the report's writers may still change it in this state.
    pub fn editable(self) -> bool {
        matches!(
            self,
            CycleState::NotStarted | CycleState::Draft | CycleState::Returned | CycleState::Missing
        )
    }
}

/// What an event did to a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportAction {
    /// A version saved as a draft.
    Saved,
    /// A version submitted (for the consolidated report: marked final).
    Submitted,
    /// The department accepted the version named.
    Accepted,
    /// The department returned the version named for revision.
    Returned,
}

/// One change to a report, as the pull feed carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportEvent {
    /// The server's sequence number of this change (shared with progress updates).
    pub id: i64,
    pub mutation_id: MutationId,
    pub plan: PlanCode,
    pub period: Period,
    pub scope: ReportScope,
    /// Whose report (for the consolidated report: the consolidating department).
    pub agency: AgencyRef,
    pub action: ReportAction,
    /// The version this event made (a save or a submission: its own id) or judged (a
    /// review).
    pub version: i64,
    /// The version a save or submission was made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<i64>,
    /// The report's state after this event.
    pub state: CycleState,
    /// Made from an older version than the current one: kept, and flagged.
    #[serde(default)]
    pub conflict: bool,
    /// The content of a saved or submitted version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<ReportContent>,
    /// A review's comment.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    pub author: String,
    pub author_name: String,
    /// When the person did it, by the device's clock.
    pub observed_at: Timestamp,
    /// When the server applied it (RFC 3339, UTC).
    pub received_at: String,
}

impl ReportEvent {
    fn received_ms(&self) -> i64 {
        crate::date::parse_rfc3339(&self.received_at).unwrap_or_default()
    }
}

/// Whether a submission is on time for a deadline written "trước ngày `deadline`":
/// received before the deadline instant, or recorded by the device before it and
/// received within [`GRACE_HOURS`] after it.
pub fn on_time(received_ms: i64, observed_ms: i64, deadline: Date) -> bool {
    let due = due_instant(deadline);
    received_ms < due || (observed_ms < due && received_ms < due + GRACE_HOURS * 3_600_000)
}

/// The last millisecond of the civil day `as_of` in Vietnam time: "as of 20/06"
/// means everything received by the end of that day.
pub fn end_of_day(as_of: Date) -> i64 {
    due_instant(as_of.add_days(1)) - 1
}

/// Where one report stands at an instant, worked out from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing<'a> {
    pub state: CycleState,
    /// Its first submission came after the deadline (and the grace), or it was never
    /// submitted and the deadline has passed. Kept once the report is accepted.
    pub late: bool,
    /// The current version.
    pub version: Option<i64>,
    /// The latest submission.
    pub submitted: Option<&'a ReportEvent>,
    /// The latest review.
    pub reviewed: Option<&'a ReportEvent>,
    /// The current version was made from an older one.
    pub conflict: bool,
}

/// The standing at `at_ms` of the report whose events (in server order, any others
/// already left out) are `events`, against its deadline.
pub fn standing(events: &[ReportEvent], deadline: Date, at_ms: i64) -> Standing<'_> {
    let seen: Vec<&ReportEvent> = events.iter().filter(|e| e.received_ms() <= at_ms).collect();
    let last = seen.last();
    let submissions = || seen.iter().filter(|e| e.action == ReportAction::Submitted);
    let first_submission = submissions().next();
    let past_due = at_ms >= due_instant(deadline);
    let mut state = last.map_or(CycleState::NotStarted, |e| e.state);
    if past_due && matches!(state, CycleState::NotStarted | CycleState::Draft) {
        state = CycleState::Missing;
    }
    let late = match first_submission {
        Some(e) => !on_time(e.received_ms(), e.observed_at.millis(), deadline),
        None => past_due,
    };
    let current = seen
        .iter()
        .rev()
        .find(|e| matches!(e.action, ReportAction::Saved | ReportAction::Submitted));
    Standing {
        state,
        late,
        version: current.map(|e| e.id),
        submitted: submissions().next_back().copied(),
        reviewed: seen
            .iter()
            .rev()
            .find(|e| matches!(e.action, ReportAction::Accepted | ReportAction::Returned))
            .copied(),
        conflict: current.is_some_and(|e| e.conflict),
    }
}

/// An agency that must report for a period, and the tasks its report covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reporter {
    pub agency: AgencyRef,
    /// The tasks it (or a unit under it) leads or coordinates, in plan order.
    pub tasks: Vec<TaskNumber>,
    /// Of those, the ones it (or a unit under it) leads.
    #[serde(default)]
    pub leads: Vec<TaskNumber>,
}

/// `GET /api/v1/reports`: every report of a period the person may see, with where it
/// stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportsView {
    pub plan: PlanCode,
    pub period: Period,
    /// The day the states are worked out for (Vietnam time, end of day).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub as_of: Date,
    /// The agencies' deadline as the plan writes it ("trước ngày 15/6").
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub deadline: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub consolidation_deadline: Option<Date>,
    /// See [`GRACE_HOURS`].
    pub grace_hours: i64,
    pub reports: Vec<ReportEntry>,
}

/// One report in the listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportEntry {
    pub agency: AgencyRef,
    pub scope: ReportScope,
    pub state: CycleState,
    pub late: bool,
    /// The current version, if anything was written.
    pub version: Option<i64>,
    /// The current version was made from an older one by someone else.
    #[serde(default)]
    pub conflict: bool,
    /// The latest submission: when the server received it, and when the device
    /// recorded it (RFC 3339).
    pub submitted_at: Option<String>,
    pub submitted_device_at: Option<String>,
    pub submitted_by: Option<String>,
    /// The latest review.
    pub reviewed_at: Option<String>,
    pub reviewed_device_at: Option<String>,
    pub reviewed_by: Option<String>,
    pub review_comment: Option<String>,
}

impl ReportEntry {
    /// The entry for `agency`'s report given its standing.
    pub fn new(agency: AgencyRef, scope: ReportScope, s: &Standing<'_>) -> ReportEntry {
        ReportEntry {
            agency,
            scope,
            state: s.state,
            late: s.late,
            version: s.version,
            conflict: s.conflict,
            submitted_at: s.submitted.map(|e| e.received_at.clone()),
            submitted_device_at: s.submitted.map(|e| e.observed_at.as_str().to_owned()),
            submitted_by: s.submitted.map(|e| e.author_name.clone()),
            reviewed_at: s.reviewed.map(|e| e.received_at.clone()),
            reviewed_device_at: s.reviewed.map(|e| e.observed_at.as_str().to_owned()),
            reviewed_by: s.reviewed.map(|e| e.author_name.clone()),
            review_comment: s
                .reviewed
                .filter(|e| !e.comment.is_empty())
                .map(|e| e.comment.clone()),
        }
    }
}

/// Keeps the last `NOTE_MAX_CHARS` characters' worth of whole lines of `text`.
fn bounded(text: &str) -> Note {
    let mut lines: Vec<&str> = text.lines().collect();
    while lines.iter().map(|l| l.chars().count() + 1).sum::<usize>() > NOTE_MAX_CHARS {
        lines.remove(0);
    }
    let kept: String = lines.join("\n").chars().take(NOTE_MAX_CHARS).collect();
    Note::parse(&kept).unwrap_or_default()
}

/// Drafts an agency's report from the progress updates of the agency and the units
/// under it (`updates`, in server order) whose device time falls inside the period's
/// data window (Decree 09/2019/NĐ-CP, Art. 12). For each task: the latest status and
/// percentage, every result in order (a unit's prefixed with its name), and the
/// difficulties and proposals of each agency's latest update.
pub fn draft_agency_report<'a>(
    reporter: &Reporter,
    period: Period,
    updates: impl IntoIterator<Item = &'a ProgressUpdate>,
) -> ReportContent {
    let (from, to) = period.data_window();
    let in_window: Vec<&ProgressUpdate> = updates
        .into_iter()
        .filter(|u| {
            let day = date_of(u.observed_at.millis(), VIETNAM_OFFSET_MINUTES);
            from <= day && day <= to
        })
        .collect();
    let tasks = reporter
        .tasks
        .iter()
        .map(|task| {
            let mine: Vec<&&ProgressUpdate> =
                in_window.iter().filter(|u| &u.task == task).collect();
            let label = |u: &ProgressUpdate, text: &str| {
                if u.agency.id == reporter.agency.id {
                    text.to_owned()
                } else {
                    format!("{}: {text}", u.agency.name)
                }
            };
            let mut results = Vec::new();
            for u in &mine {
                let text = u.results.as_str();
                if !text.is_empty() && !results.iter().any(|r: &String| r.ends_with(text)) {
                    results.push(label(u, text));
                }
            }
            let mut difficulties = Vec::new();
            let mut proposals = Vec::new();
            let mut agencies: Vec<&AgencyId> = Vec::new();
            for u in mine.iter().rev() {
                if agencies.contains(&&u.agency.id) {
                    continue;
                }
                agencies.push(&u.agency.id);
                if !u.difficulties.as_str().is_empty() {
                    difficulties.push(label(u, u.difficulties.as_str()));
                }
                if !u.proposals.as_str().is_empty() {
                    proposals.push(label(u, u.proposals.as_str()));
                }
            }
            let latest = mine.last();
            ReportTask {
                task: task.clone(),
                status: latest.map_or(ProgressStatus::NotStarted, |u| u.status),
                percent: latest.and_then(|u| u.percent),
                results: bounded(&results.join("\n")),
                difficulties: bounded(&difficulties.join("\n")),
                proposals: bounded(&proposals.join("\n")),
            }
        })
        .collect();
    ReportContent {
        tasks,
        ..ReportContent::default()
    }
}

/// One task of the plan as consolidation needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsolidationTask {
    pub number: TaskNumber,
    /// The reporting agencies that lead it (themselves or through a unit), in order.
    pub lead: Vec<AgencyRef>,
    /// The reporting agencies that coordinate it.
    pub coordinating: Vec<AgencyRef>,
}

/// Drafts the consolidated report from the agencies' reports (`reports`: the current
/// submitted or accepted version of each). Per task: the lead agencies' results, each
/// coordinating agency's contribution under them, an aggregated status (done when
/// every lead agency is done, blocked when one is, in progress when any work is
/// reported), and the lead agencies that did not report on it; the summary names
/// every agency that sent no report.
pub fn draft_consolidated(
    tasks: &[ConsolidationTask],
    reports: &[(AgencyRef, ReportContent)],
    lang: Lang,
) -> ReportContent {
    let part = |agency: &AgencyRef, task: &TaskNumber| {
        reports
            .iter()
            .find(|(a, _)| a.id == agency.id)
            .and_then(|(_, content)| content.task(task))
    };
    let mut missing_overall: Vec<&str> = Vec::new();
    let out_tasks = tasks
        .iter()
        .map(|t| {
            let mut results = Vec::new();
            let mut difficulties = Vec::new();
            let mut proposals = Vec::new();
            let mut silent = Vec::new();
            let mut lead_status = Vec::new();
            let mut percents = Vec::new();
            for (agency, lead) in t
                .lead
                .iter()
                .map(|a| (a, true))
                .chain(t.coordinating.iter().map(|a| (a, false)))
            {
                let Some(p) = part(agency, &t.number) else {
                    // Per task only the lead agencies that said nothing; every agency
                    // that did not report at all is named once, in the summary.
                    if lead {
                        silent.push(agency.name.as_str());
                    }
                    if !reports.iter().any(|(a, _)| a.id == agency.id)
                        && !missing_overall.contains(&agency.name.as_str())
                    {
                        missing_overall.push(agency.name.as_str());
                    }
                    continue;
                };
                if lead {
                    lead_status.push(p.status);
                    percents.extend(p.percent.map(|p| u32::from(p.value())));
                }
                let name = if lead {
                    agency.name.clone()
                } else {
                    format!(
                        "- {} ({})",
                        agency.name,
                        lang.pick("phối hợp", "coordinating")
                    )
                };
                if !p.results.as_str().is_empty() {
                    results.push(format!("{name}: {}", p.results.as_str()));
                }
                if !p.difficulties.as_str().is_empty() {
                    difficulties.push(format!("{}: {}", agency.name, p.difficulties.as_str()));
                }
                if !p.proposals.as_str().is_empty() {
                    proposals.push(format!("{}: {}", agency.name, p.proposals.as_str()));
                }
            }
            if !silent.is_empty() {
                results.push(format!(
                    "{}: {}",
                    lang.pick("Chưa báo cáo", "Not reported"),
                    silent.join(", ")
                ));
            }
            let status = if !lead_status.is_empty()
                && lead_status.len() == t.lead.len()
                && lead_status.iter().all(|s| *s == ProgressStatus::Done)
            {
                ProgressStatus::Done
            } else if lead_status.contains(&ProgressStatus::Blocked) {
                ProgressStatus::Blocked
            } else if lead_status
                .iter()
                .any(|s| matches!(s, ProgressStatus::InProgress | ProgressStatus::Done))
            {
                ProgressStatus::InProgress
            } else {
                ProgressStatus::NotStarted
            };
            let percent = (!percents.is_empty())
                .then(|| {
                    Percent::new(i64::from(
                        percents.iter().sum::<u32>() / percents.len() as u32,
                    ))
                    .ok()
                })
                .flatten();
            ReportTask {
                task: t.number.clone(),
                status,
                percent,
                results: bounded(&results.join("\n")),
                difficulties: bounded(&difficulties.join("\n")),
                proposals: bounded(&proposals.join("\n")),
            }
        })
        .collect();
    let summary = match lang {
        Lang::Vi => format!(
            "Tổng hợp từ báo cáo của {} cơ quan, đơn vị.{}",
            reports.len(),
            if missing_overall.is_empty() {
                String::new()
            } else {
                format!(
                    " Các cơ quan, đơn vị chưa báo cáo: {}.",
                    missing_overall.join(", ")
                )
            }
        ),
        Lang::En => format!(
            "Consolidated from the reports of {} agencies.{}",
            reports.len(),
            if missing_overall.is_empty() {
                String::new()
            } else {
                format!(" Not reported: {}.", missing_overall.join(", "))
            }
        ),
    };
    ReportContent {
        summary: bounded(&summary),
        tasks: out_tasks,
        ..ReportContent::default()
    }
}

#[cfg(test)]
mod tests;
