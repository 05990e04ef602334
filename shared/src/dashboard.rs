//! The plan at a glance, for a period and an "as of" day: where each task stands,
//! completion by plan section and by agency. Worked out from the plan view and the
//! progress updates a device holds, so a supervisor on a trip reads it offline, and
//! the same way on the server.
//!
//! - A task is **done** when every lead agency (itself or a unit under it) has
//!   reported it done.
//! - A task with a due date (a quarter, month, half-year, year or dated deadline) is
//!   **overdue** once that day has passed and it is not done. Ongoing ("Thường
//!   xuyên") and recurring ("Năm 2019 và các năm tiếp theo") tasks are never overdue;
//!   for them what counts is which assigned agencies reported in the period.
//! - An agency's **completion** is the share of the tasks it leads that it reports
//!   done, beside the share of the tasks it coordinates that it contributed to in the
//!   period.

use serde::{Deserialize, Serialize};

use crate::date::{Date, date_of};
use crate::i18n::Lang;
use crate::ids::{AgencyId, TaskNumber};
use crate::plan::calendar::{VIETNAM_OFFSET_MINUTES, due_instant};
use crate::plan::{Period, Timeframe};
use crate::progress::{Percent, ProgressStatus};
use crate::protocol::{AgencyRef, PlanView, ProgressUpdate, TaskView};

/// Where a task stands on the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Done,
    InProgress,
    NotStarted,
    Blocked,
    Overdue,
}

impl TaskState {
    pub const ALL: [TaskState; 5] = [
        TaskState::Done,
        TaskState::InProgress,
        TaskState::NotStarted,
        TaskState::Blocked,
        TaskState::Overdue,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TaskState::Done => "done",
            TaskState::InProgress => "in_progress",
            TaskState::NotStarted => "not_started",
            TaskState::Blocked => "blocked",
            TaskState::Overdue => "overdue",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            TaskState::Done => lang.pick("Hoàn thành", "Done"),
            TaskState::InProgress => lang.pick("Đang thực hiện", "In progress"),
            TaskState::NotStarted => lang.pick("Chưa thực hiện", "Not started"),
            TaskState::Blocked => lang.pick("Vướng mắc", "Blocked"),
            TaskState::Overdue => lang.pick("Quá hạn", "Overdue"),
        }
    }
}

/// One agency's latest word on one task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub status: ProgressStatus,
    pub percent: Option<Percent>,
    /// The server's id of the update.
    pub update: i64,
    /// When the device recorded it (milliseconds since the epoch).
    pub observed_ms: i64,
}

/// One task on the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskStanding {
    pub number: TaskNumber,
    pub state: TaskState,
    /// When it is due, if it has a due date.
    pub due: Option<Date>,
    /// Ongoing or recurring: never overdue.
    pub ongoing: bool,
    /// Lead agencies that report it done, of all lead agencies.
    pub leads_done: usize,
    pub leads: usize,
    /// The assigned agencies (lead or coordinating) that reported on it in the
    /// period, and those that did not.
    pub reported: Vec<AgencyRef>,
    pub silent: Vec<AgencyRef>,
    /// Each assigned agency's latest update, in the order the plan names them (lead
    /// agencies first); `None` where it has none.
    pub cells: Vec<(AgencyRef, bool, Option<Cell>)>,
}

/// Completion of a group of tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionCompletion {
    /// The top-level number (`1`, `5`, `7`).
    pub number: String,
    pub title: String,
    pub tasks: usize,
    pub done: usize,
    pub overdue: usize,
}

/// One agency's completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyCompletion {
    pub agency: AgencyRef,
    pub leads: usize,
    pub leads_done: usize,
    pub coordinates: usize,
    pub contributed: usize,
}

/// The plan at a glance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    pub as_of: Date,
    pub period: Period,
    pub tasks: Vec<TaskStanding>,
    pub sections: Vec<SectionCompletion>,
    pub agencies: Vec<AgencyCompletion>,
}

impl Dashboard {
    /// How many tasks are in `state`.
    pub fn count(&self, state: TaskState) -> usize {
        self.tasks.iter().filter(|t| t.state == state).count()
    }
}

/// The due date of a task with one, and whether it is ongoing or recurring.
pub fn due_date(task: &TaskView, plan_year: i32) -> (Option<Date>, bool) {
    match Timeframe::parse(&task.timeframe).unwrap_or_default() {
        Timeframe::Ongoing
        | Timeframe::Unspecified
        | Timeframe::FromYear { .. }
        | Timeframe::Annual => (None, true),
        other => (other.span(plan_year).1, false),
    }
}

/// The dashboard of `plan` for `period` as of the end of `as_of` (Vietnam time), from
/// `updates` (in server order). Updates the server received after `as_of` are left
/// out, so a supervisor can see where things stood on a past day.
pub fn dashboard(
    plan: &PlanView,
    updates: &[ProgressUpdate],
    period: Period,
    as_of: Date,
) -> Dashboard {
    let end = due_instant(as_of.add_days(1));
    let (from, to) = period.data_window();
    let seen: Vec<&ProgressUpdate> = updates
        .iter()
        .filter(|u| crate::date::parse_rfc3339(&u.received_at).unwrap_or(i64::MAX) < end)
        .collect();
    let in_period = |u: &ProgressUpdate| {
        let day = date_of(u.observed_at.millis(), VIETNAM_OFFSET_MINUTES);
        from <= day && day <= to
    };
    // The latest update of `agency` (or a unit under it) on `task`.
    let latest = |task: &TaskNumber, agency: &AgencyId| -> Option<Cell> {
        seen.iter()
            .rev()
            .find(|u| &u.task == task && plan.lineage(&u.agency.id).contains(agency))
            .map(|u| Cell {
                status: u.status,
                percent: u.percent,
                update: u.id,
                observed_ms: u.observed_at.millis(),
            })
    };
    let contributed = |task: &TaskNumber, agency: &AgencyId| {
        seen.iter()
            .any(|u| &u.task == task && in_period(u) && plan.lineage(&u.agency.id).contains(agency))
    };

    let mut tasks = Vec::with_capacity(plan.tasks.len());
    for task in &plan.tasks {
        let (due, ongoing) = due_date(task, plan.year);
        let mut cells = Vec::new();
        let mut reported = Vec::new();
        let mut silent = Vec::new();
        for (agency, lead) in task
            .lead
            .iter()
            .map(|a| (a, true))
            .chain(task.coordinating.iter().map(|a| (a, false)))
        {
            let cell = latest(&task.number, &agency.id);
            if contributed(&task.number, &agency.id) {
                reported.push(agency.clone());
            } else {
                silent.push(agency.clone());
            }
            cells.push((agency.clone(), lead, cell));
        }
        let lead_cells: Vec<&Option<Cell>> = cells.iter().filter(|c| c.1).map(|c| &c.2).collect();
        let leads_done = lead_cells
            .iter()
            .filter(|c| c.as_ref().is_some_and(|c| c.status == ProgressStatus::Done))
            .count();
        let statuses: Vec<ProgressStatus> = cells
            .iter()
            .filter_map(|c| c.2.as_ref().map(|c| c.status))
            .collect();
        let done = !lead_cells.is_empty() && leads_done == lead_cells.len();
        let state = if done {
            TaskState::Done
        } else if due.is_some_and(|d| d < as_of) {
            TaskState::Overdue
        } else if statuses.contains(&ProgressStatus::Blocked) {
            TaskState::Blocked
        } else if statuses
            .iter()
            .any(|s| matches!(s, ProgressStatus::InProgress | ProgressStatus::Done))
        {
            TaskState::InProgress
        } else {
            TaskState::NotStarted
        };
        tasks.push(TaskStanding {
            number: task.number.clone(),
            state,
            due,
            ongoing,
            leads_done,
            leads: lead_cells.len(),
            reported,
            silent,
            cells,
        });
    }

    let mut sections: Vec<SectionCompletion> = Vec::new();
    for (task, standing) in plan.tasks.iter().zip(&tasks) {
        let top = task
            .number
            .as_str()
            .split('.')
            .next()
            .unwrap_or_default()
            .to_owned();
        let index = match sections.iter().position(|s| s.number == top) {
            Some(i) => i,
            None => {
                let title = plan
                    .sections
                    .iter()
                    .find(|s| s.number.as_str() == top)
                    .map_or_else(|| task.title.clone(), |s| s.title.clone());
                sections.push(SectionCompletion {
                    number: top,
                    title,
                    tasks: 0,
                    done: 0,
                    overdue: 0,
                });
                sections.len() - 1
            }
        };
        let s = &mut sections[index];
        s.tasks += 1;
        s.done += usize::from(standing.state == TaskState::Done);
        s.overdue += usize::from(standing.state == TaskState::Overdue);
    }

    let mut agencies: Vec<AgencyCompletion> = Vec::new();
    for standing in &tasks {
        for (agency, lead, cell) in &standing.cells {
            let index = match agencies.iter().position(|a| a.agency.id == agency.id) {
                Some(i) => i,
                None => {
                    agencies.push(AgencyCompletion {
                        agency: agency.clone(),
                        leads: 0,
                        leads_done: 0,
                        coordinates: 0,
                        contributed: 0,
                    });
                    agencies.len() - 1
                }
            };
            let a = &mut agencies[index];
            if *lead {
                a.leads += 1;
                a.leads_done += usize::from(
                    cell.as_ref()
                        .is_some_and(|c| c.status == ProgressStatus::Done),
                );
            } else {
                a.coordinates += 1;
                a.contributed += usize::from(standing.reported.iter().any(|r| r.id == agency.id));
            }
        }
    }
    Dashboard {
        as_of,
        period,
        tasks,
        sections,
        agencies,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{MutationId, PlanCode};
    use crate::progress::Note;
    use crate::protocol::{AgencyParent, SectionView, Timestamp};

    fn agency(id: &str) -> AgencyRef {
        AgencyRef {
            id: AgencyId::parse(id).unwrap(),
            name: id.to_uppercase(),
        }
    }

    fn task(number: &str, timeframe: &str, lead: &[&str], coordinating: &[&str]) -> TaskView {
        TaskView {
            number: TaskNumber::parse(number).unwrap(),
            title: format!("Nhiệm vụ {number}"),
            text: String::new(),
            lead: lead.iter().map(|a| agency(a)).collect(),
            coordinating: coordinating.iter().map(|a| agency(a)).collect(),
            lead_text: String::new(),
            coordinating_text: String::new(),
            timeframe: timeframe.into(),
            due: None,
            assigned: true,
        }
    }

    fn update(id: i64, task: &str, who: &str, status: ProgressStatus, day: &str) -> ProgressUpdate {
        ProgressUpdate {
            id,
            mutation_id: MutationId::parse(&format!("00000000-0000-4000-8000-{id:012}")).unwrap(),
            plan: PlanCode::parse("1/KH").unwrap(),
            task: TaskNumber::parse(task).unwrap(),
            agency: agency(who),
            author: who.into(),
            author_name: who.into(),
            status,
            percent: None,
            note: Note::default(),
            results: Note::default(),
            difficulties: Note::default(),
            proposals: Note::default(),
            observed_at: Timestamp::parse(&format!("{day}T09:00:00+07:00")).unwrap(),
            received_at: format!("{day}T02:00:00.000Z"),
            conflict: false,
        }
    }

    fn plan() -> PlanView {
        PlanView {
            code: PlanCode::parse("1/KH").unwrap(),
            title: "Kế hoạch".into(),
            date: Date::new(2019, 1, 15).unwrap(),
            tasks: vec![
                task("1.1", "Thường xuyên", &["so-a"], &["so-b"]),
                task("1.2", "Quý II/2019", &["so-a", "bdbp"], &["so-b"]),
                task("2", "Năm 2019 và các năm tiếp theo", &["so-b"], &["so-a"]),
                task("3", "Quý III/2019", &["so-b"], &[]),
            ],
            reporting: vec![],
            year: 2019,
            sections: vec![SectionView {
                number: TaskNumber::parse("1").unwrap(),
                title: "Tuyên truyền".into(),
            }],
            parents: vec![AgencyParent {
                id: AgencyId::parse("bdbp-don-bo-y").unwrap(),
                parent: AgencyId::parse("bdbp").unwrap(),
            }],
        }
    }

    #[test]
    fn done_needs_every_lead_agency_and_a_unit_counts_for_its_command() {
        use ProgressStatus::*;
        let updates = vec![
            update(1, "1.2", "so-a", Done, "2019-05-02"),
            update(2, "1.2", "bdbp-don-bo-y", InProgress, "2019-05-03"),
            update(3, "1.1", "so-b", Blocked, "2019-05-04"),
            update(4, "2", "so-a", InProgress, "2019-05-05"),
            update(5, "1.2", "bdbp-don-bo-y", Done, "2019-07-02"),
        ];
        let h1 = Period::half_year(2019);
        let june = dashboard(&plan(), &updates, h1, Date::new(2019, 6, 20).unwrap());
        let state = |d: &Dashboard, n: &str| {
            d.tasks
                .iter()
                .find(|t| t.number.as_str() == n)
                .unwrap()
                .state
        };
        // 1.2 is due at the end of June; one of its two lead agencies is done.
        assert_eq!(state(&june, "1.2"), TaskState::InProgress);
        assert_eq!(
            state(&june, "1.1"),
            TaskState::Blocked,
            "a coordinating agency is stuck"
        );
        assert_eq!(state(&june, "2"), TaskState::InProgress);
        assert_eq!(state(&june, "3"), TaskState::NotStarted);
        let july = dashboard(&plan(), &updates, h1, Date::new(2019, 7, 1).unwrap());
        assert_eq!(
            state(&july, "1.2"),
            TaskState::Overdue,
            "due 30/6, not every lead done"
        );
        let later = dashboard(&plan(), &updates, h1, Date::new(2019, 7, 5).unwrap());
        assert_eq!(
            state(&later, "1.2"),
            TaskState::Done,
            "the border post's done counts for bdbp"
        );
        // Ongoing and recurring tasks are never overdue.
        let december = dashboard(&plan(), &[], h1, Date::new(2019, 12, 31).unwrap());
        assert_eq!(state(&december, "1.1"), TaskState::NotStarted);
        assert_eq!(state(&december, "2"), TaskState::NotStarted);
        assert_eq!(state(&december, "3"), TaskState::Overdue);
        assert_eq!(december.count(TaskState::Overdue), 2);
    }

    #[test]
    fn completion_by_section_and_agency() {
        use ProgressStatus::*;
        let updates = vec![
            update(1, "1.1", "so-a", Done, "2019-03-02"),
            update(2, "2", "so-a", InProgress, "2019-04-02"),
            update(3, "1.1", "so-b", InProgress, "2018-11-02"),
        ];
        let d = dashboard(
            &plan(),
            &updates,
            Period::half_year(2019),
            Date::new(2019, 6, 14).unwrap(),
        );
        assert_eq!(d.sections[0].number, "1");
        assert_eq!(d.sections[0].title, "Tuyên truyền");
        assert_eq!((d.sections[0].tasks, d.sections[0].done), (2, 1));
        assert_eq!(
            d.sections[1].title, "Nhiệm vụ 2",
            "a task with no heading is its own group"
        );
        let a = d
            .agencies
            .iter()
            .find(|a| a.agency.id.as_str() == "so-a")
            .unwrap();
        assert_eq!((a.leads, a.leads_done), (2, 1));
        assert_eq!((a.coordinates, a.contributed), (1, 1));
        let b = d
            .agencies
            .iter()
            .find(|a| a.agency.id.as_str() == "so-b")
            .unwrap();
        assert_eq!(
            (b.coordinates, b.contributed),
            (2, 0),
            "its update predates the period"
        );
        let t = &d.tasks[0];
        assert_eq!(t.reported.len(), 1);
        assert_eq!(t.silent[0].id.as_str(), "so-b");
    }
}
