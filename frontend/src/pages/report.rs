//! One periodic report: where it stands, the editor for the people who write it (a
//! working copy kept on the device while they type), the review for the consolidating
//! department, and every earlier version.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use tiendo_shared::date::Date;
use tiendo_shared::ids::{PlanCode, TaskNumber};
use tiendo_shared::plan::Period;
use tiendo_shared::progress::{Note, Percent, ProgressError, ProgressStatus};
use tiendo_shared::protocol::{
    AgencyRef, Decision, MutationBody, ReportReview, ReportWrite, Role, Timestamp,
};
use tiendo_shared::report::{
    ConsolidationTask, CycleState, ReportAction, ReportContent, ReportEvent, ReportScope,
    ReportTask, Reporter, draft_agency_report, draft_consolidated, standing,
};

use super::reports::{concerns, consolidates, events_of, now_ms, when, when_text};
use crate::i18n::{self, Lang, T, W};
use crate::state::{AppState, ReportTarget, Route, app};
use crate::store::OutboxEntry;
use crate::{now_rfc3339, sync};

/// Whose report the page shows, what it covers and what the person may do with it.
#[derive(Debug, Clone, PartialEq)]
struct Subject {
    plan: PlanCode,
    period: Period,
    scope: ReportScope,
    agency: AgencyRef,
    deadline: Date,
    /// The tasks the report covers, in plan order, with their titles.
    tasks: Vec<(TaskNumber, String)>,
    /// The agency's entry (its report) or every reporter (the consolidated report).
    reporters: Vec<Reporter>,
    username: String,
    may_write: bool,
    may_submit: bool,
    may_review: bool,
    /// A person of a unit that reports through this agency, or of an agency that
    /// does not write it.
    reads_only: bool,
}

impl Subject {
    fn resolve(app: AppState, period: Period, target: &ReportTarget) -> Option<Subject> {
        let session = app.session.get()?;
        app.plan.with(|plan| {
            let plan = plan.as_ref()?;
            let deadline = plan.reporting.iter().find(|d| d.period == period)?;
            let user = &session.user;
            let titles = |numbers: &dyn Fn(&TaskNumber) -> bool| {
                plan.tasks
                    .iter()
                    .filter(|t| numbers(&t.number))
                    .map(|t| (t.number.clone(), t.title.clone()))
                    .collect::<Vec<_>>()
            };
            let consolidator = consolidates(&session, deadline);
            let reporter = match target {
                ReportTarget::Consolidated => None,
                ReportTarget::Own => Some(
                    deadline
                        .reporters
                        .iter()
                        .find(|r| r.agency.id == user.agency.id)
                        // Someone who is not a supervisor sees only the agency they
                        // report through.
                        .or_else(|| {
                            (!user.role.reads_all())
                                .then(|| deadline.reporters.first())
                                .flatten()
                        })?,
                ),
                ReportTarget::Agency(id) => {
                    Some(deadline.reporters.iter().find(|r| &r.agency.id == id)?)
                }
            };
            Some(match reporter {
                Some(reporter) => {
                    let own = reporter.agency.id == user.agency.id;
                    Subject {
                        plan: plan.code.clone(),
                        period,
                        scope: ReportScope::Agency,
                        agency: reporter.agency.clone(),
                        deadline: deadline.agency_deadline,
                        tasks: titles(&|n| reporter.tasks.contains(n)),
                        reporters: deadline.reporters.clone(),
                        username: user.username.clone(),
                        may_write: own && user.role.records_progress(),
                        may_submit: own && user.role == Role::Head,
                        may_review: consolidator,
                        reads_only: !user.role.reads_all() && !own,
                    }
                }
                None => {
                    let agency = deadline.consolidator.clone()?;
                    Subject {
                        plan: plan.code.clone(),
                        period,
                        scope: ReportScope::Consolidated,
                        agency,
                        deadline: deadline
                            .consolidation_deadline
                            .unwrap_or(deadline.agency_deadline),
                        tasks: titles(&|n| deadline.reporters.iter().any(|r| r.tasks.contains(n))),
                        reporters: deadline.reporters.clone(),
                        username: user.username.clone(),
                        may_write: consolidator,
                        may_submit: consolidator,
                        may_review: false,
                        reads_only: false,
                    }
                }
            })
        })
    }

    /// This report's events, in the server's order.
    fn events(&self, all: &[ReportEvent]) -> Vec<ReportEvent> {
        events_of(all, &self.plan, self.period, self.scope, &self.agency.id)
    }

    /// Whether a mutation on this device is about this report.
    fn concerns(&self, app: AppState, body: &MutationBody) -> bool {
        let own = app.session.with_untracked(|s| {
            s.as_ref()
                .map(|s| s.user.agency.id.clone())
                .filter(|id| *id == self.agency.id)
        });
        match own {
            Some(own) => concerns(
                body,
                &self.plan,
                self.period,
                self.scope,
                &self.agency.id,
                &own,
            ),
            // Only a review can be about another agency's report.
            None => {
                matches!(body, MutationBody::ReportReview(_))
                    && concerns(
                        body,
                        &self.plan,
                        self.period,
                        self.scope,
                        &self.agency.id,
                        &self.agency.id,
                    )
            }
        }
    }

    /// Where the working copy is kept on the device.
    fn key(&self) -> String {
        let whose = match self.scope {
            ReportScope::Agency => self.agency.id.as_str(),
            ReportScope::Consolidated => "consolidated",
        };
        format!("{}:{}:{}:{whose}", self.username, self.plan, self.period)
    }

    fn submit_label(&self) -> T {
        match self.scope {
            ReportScope::Agency => T::Ws(W::SubmitReport),
            ReportScope::Consolidated => T::Ws(W::FinalizeConsolidated),
        }
    }
}

/// Where the report stands now, with its events and what waits on this device.
#[derive(Debug, Clone, PartialEq)]
struct Now {
    state: CycleState,
    late: bool,
    conflict: bool,
    version: Option<i64>,
    /// The current version's event.
    current: Option<ReportEvent>,
    submitted: Option<ReportEvent>,
    reviewed: Option<ReportEvent>,
    /// Every event, in the server's order.
    events: Vec<ReportEvent>,
    /// This report's mutations waiting in the outbox, in order.
    pending: Vec<OutboxEntry>,
}

impl Now {
    fn of(events: Vec<ReportEvent>, pending: Vec<OutboxEntry>, deadline: Date) -> Now {
        let s = standing(&events, deadline, now_ms());
        let (state, late, conflict, version) = (s.state, s.late, s.conflict, s.version);
        let (submitted, reviewed) = (s.submitted.cloned(), s.reviewed.cloned());
        Now {
            state,
            late,
            conflict,
            version,
            current: version.and_then(|v| events.iter().find(|e| e.id == v).cloned()),
            submitted,
            reviewed,
            events,
            pending,
        }
    }

    /// The content of the current submitted or accepted version.
    fn submitted_content(self) -> Option<ReportContent> {
        matches!(self.state, CycleState::Submitted | CycleState::Accepted)
            .then_some(self.submitted?.content)
            .flatten()
    }
}

#[component]
pub fn ReportPage(period: Period, target: ReportTarget) -> impl IntoView {
    let app = app();
    // A memo: the page below re-renders only when whose report it is or what the
    // person may do changes, never for a pull, so text being typed is kept.
    let subject = Memo::new(move |_| Subject::resolve(app, period, &target));
    view! {
        <main>
            <p><a href=Route::Reports(Some(period)).href()>{app.tr(W::BackToReports.into())}</a></p>
            {move || match subject.get() {
                Some(subject) => view! { <Report subject=subject/> }.into_any(),
                None => {
                    let text = if app.plan.with(Option::is_none) { T::PlanNotLoaded } else { T::Ws(W::ReportNotFound) };
                    view! { <p class="notice">{app.tr(text)}</p> }.into_any()
                }
            }}
        </main>
    }
}

#[component]
fn Report(subject: Subject) -> impl IntoView {
    let app = app();
    let subject = StoredValue::new(subject);
    let now = Memo::new(move |_| {
        subject.with_value(|s| {
            let events = app.reports.with(|all| s.events(all));
            let pending = app.pending.with(|p| {
                p.iter()
                    .filter(|e| s.concerns(app, &e.mutation.body))
                    .cloned()
                    .collect()
            });
            Now::of(events, pending, s.deadline)
        })
    });
    // Editable by its writers, unless a submission is waiting on this device.
    let editable = Memo::new(move |_| {
        now.with(|n| {
            let submitting = n
                .pending
                .iter()
                .any(|e| matches!(e.mutation.body, MutationBody::ReportSubmit(_)));
            subject.with_value(|s| s.may_write) && n.state.editable() && !submitting
        })
    });
    let reviewable = Memo::new(move |_| {
        subject.with_value(|s| s.may_review) && now.with(|n| n.state == CycleState::Submitted)
    });

    // Everything but the forms, rendered again as a whole when anything in it changes.
    let status = move || {
        let lang = app.lang.get();
        let n = now.get();
        let editing = editable.get();
        let s = subject.get_value();
        let name = i18n::report_name(lang, s.period);
        let heading = match s.scope {
            ReportScope::Agency => format!("{name} — {}", s.agency.name),
            ReportScope::Consolidated => {
                format!(
                    "{} — {name} — {}",
                    W::ConsolidatedReport.get(lang),
                    s.agency.name
                )
            }
        };
        let returned = (n.state == CycleState::Returned)
            .then_some(n.reviewed)
            .flatten()
            .filter(|e| e.action == ReportAction::Returned);
        let mut local: Vec<(bool, &MutationBody, &'static str)> = n
            .pending
            .iter()
            .map(|e| (false, &e.mutation.body, W::PendingReport.get(lang)))
            .collect();
        let rejected = app.rejected.get();
        local.extend(
            rejected
                .iter()
                .rev()
                .filter(|e| s.concerns(app, &e.mutation.body))
                .map(|e| (true, &e.mutation.body, e.rejection.error.message(lang))),
        );
        let local = local
            .into_iter()
            .map(|(bad, body, text)| {
                let (class, testid, badge) = if bad {
                    ("badge bad", "report-rejected", T::Rejected.get(lang))
                } else {
                    ("badge", "report-pending", W::PendingReport.get(lang))
                };
                let detail = if bad {
                    format!(": {text}")
                } else {
                    String::new()
                };
                view! {
                    <li data-testid=testid>
                        <span class=class>{badge}</span> " " {action_of(body, lang)} " · "
                        {when(body.observed_at().millis())} {detail}
                    </li>
                }
            })
            .collect_view();
        let note = if s.reads_only {
            Some(T::Ws(W::ReadOnlyReport))
        } else if s.may_write && !editing {
            Some(T::Ws(W::NotEditableNow))
        } else {
            None
        };
        // Without an editor, what the report says now.
        let current = (!editing)
            .then_some(n.current)
            .flatten()
            .and_then(|e| e.content)
            .map(|content| {
                view! {
                    <section class="card" data-testid="report-current">
                        <ContentView content=content titles=s.tasks.clone()/>
                    </section>
                }
            });
        view! {
            <h1>{heading}</h1>
            <p data-testid="report-deadline"><strong>{i18n::due_before(lang, s.deadline)}</strong></p>
            <p>
                <span class=format!("state {}", n.state.code()) data-testid="report-state" data-state=n.state.code()>
                    {n.state.label(lang)}
                </span>
                {n.late.then(|| view! { <span class="badge bad" data-testid="late">{W::Late.get(lang)}</span> })}
                {n.conflict.then(|| view! { <span class="badge bad">{T::Conflict.get(lang)}</span> })}
                {n.version.map(|v| view! { <span class="muted">" · " {i18n::version(lang, v)}</span> })}
            </p>
            {n.submitted.map(|e| view! {
                <p class="muted">
                    {W::SubmittedAt.get(lang)} ": " {e.author_name} " · "
                    {W::Server.get(lang)} " " {when_text(&e.received_at)} " · "
                    {W::Device.get(lang)} " " {when(e.observed_at.millis())}
                </p>
            })}
            {returned.map(|e| view! {
                <div class="card returned" data-testid="review-comment">
                    <strong>{W::ReturnedForRevision.get(lang)}</strong>
                    <span class="muted">" · " {e.author_name} " · " {when_text(&e.received_at)}</span>
                    <p class="note">{e.comment}</p>
                </div>
            })}
            <ul class="local">{local}</ul>
            {note.map(|t| view! { <p class="muted">{t.get(lang)}</p> })}
            {current}
        }
    };

    // The report as a Word document, from the server: an agency's for its people and
    // the supervisors, the consolidated one for the supervisors.
    let export_message = RwSignal::new(None::<(bool, String)>);
    let reads_all = app
        .session
        .with_untracked(|s| s.as_ref().is_some_and(|s| s.user.role.reads_all()));
    let export = subject.with_value(|s| {
        let agency = match s.scope {
            ReportScope::Agency => Some(&s.agency.id),
            ReportScope::Consolidated if reads_all => None,
            ReportScope::Consolidated => return None,
        };
        let query = super::export_query(&s.plan, s.period, "docx", agency);
        Some(view! {
            <p class="actions">
                <super::ExportButton label=T::Ws(W::DownloadDocx) testid="export-docx" query=query message=export_message/>
            </p>
            <super::Outcome message=export_message/>
        })
    });

    view! {
        {status}
        {export}
        {move || editable.get().then(|| view! { <Editor subject=subject.get_value() now=now/> })}
        {move || reviewable.get().then(|| view! { <Review subject=subject.get_value() now=now/> })}
        <Versions subject=subject now=now/>
    }
}

/// What a mutation does, as a person reads it.
fn action_of(body: &MutationBody, lang: Lang) -> &'static str {
    match body {
        MutationBody::ReportSave(_) => W::ActionSaved.get(lang),
        MutationBody::ReportSubmit(w) if w.scope == ReportScope::Consolidated => {
            W::ActionFinalized.get(lang)
        }
        MutationBody::ReportSubmit(_) => W::ActionSubmitted.get(lang),
        MutationBody::ReportReview(r) => match r.decision {
            Decision::Accept => W::ActionAccepted.get(lang),
            Decision::Return => W::ActionReturned.get(lang),
        },
        MutationBody::ProgressRecord(_) => T::RecordUpdate.get(lang),
    }
}

/// A report as it is being typed: every value as text, kept on the device.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
struct WorkingCopy {
    tasks: Vec<WorkingTask>,
    summary: String,
    direction: String,
    proposals: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct WorkingTask {
    task: TaskNumber,
    status: ProgressStatus,
    percent: String,
    results: String,
    difficulties: String,
    proposals: String,
}

impl From<&ReportContent> for WorkingCopy {
    fn from(content: &ReportContent) -> WorkingCopy {
        WorkingCopy {
            tasks: content
                .tasks
                .iter()
                .map(|t| WorkingTask {
                    task: t.task.clone(),
                    status: t.status,
                    percent: t.percent.map(|p| p.value().to_string()).unwrap_or_default(),
                    results: t.results.as_str().to_owned(),
                    difficulties: t.difficulties.as_str().to_owned(),
                    proposals: t.proposals.as_str().to_owned(),
                })
                .collect(),
            summary: content.summary.as_str().to_owned(),
            direction: content.direction.as_str().to_owned(),
            proposals: content.proposals.as_str().to_owned(),
        }
    }
}

impl WorkingCopy {
    /// The content to send, or why it cannot be.
    fn content(&self, lang: Lang) -> Result<ReportContent, String> {
        let note = |text: &str| Note::parse(text).map_err(|e| e.message(lang).to_owned());
        let tasks = self
            .tasks
            .iter()
            .map(|t| {
                let percent = match t.percent.trim() {
                    "" => None,
                    text => Some(
                        text.parse::<i64>()
                            .ok()
                            .and_then(|v| Percent::new(v).ok())
                            .ok_or_else(|| {
                                let e = ProgressError::PercentOutOfRange;
                                format!("{}: {}", t.task, e.message(lang))
                            })?,
                    ),
                };
                let field = |text: &str| note(text).map_err(|e| format!("{}: {e}", t.task));
                Ok(ReportTask {
                    task: t.task.clone(),
                    status: t.status,
                    percent,
                    results: field(&t.results)?,
                    difficulties: field(&t.difficulties)?,
                    proposals: field(&t.proposals)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let content = ReportContent {
            summary: note(&self.summary)?,
            direction: note(&self.direction)?,
            proposals: note(&self.proposals)?,
            tasks,
        };
        content.check().map_err(|e| e.message(lang).to_owned())?;
        Ok(content)
    }
}

/// The editor's fields, one signal each, so that typing re-renders nothing.
#[derive(Clone)]
struct Fields {
    tasks: Vec<TaskFields>,
    summary: RwSignal<String>,
    direction: RwSignal<String>,
    proposals: RwSignal<String>,
}

#[derive(Clone)]
struct TaskFields {
    number: TaskNumber,
    title: String,
    status: RwSignal<ProgressStatus>,
    percent: RwSignal<String>,
    results: RwSignal<String>,
    difficulties: RwSignal<String>,
    proposals: RwSignal<String>,
}

impl Fields {
    fn new(tasks: &[(TaskNumber, String)]) -> Fields {
        Fields {
            tasks: tasks
                .iter()
                .map(|(number, title)| TaskFields {
                    number: number.clone(),
                    title: title.clone(),
                    status: RwSignal::new(ProgressStatus::NotStarted),
                    percent: RwSignal::new(String::new()),
                    results: RwSignal::new(String::new()),
                    difficulties: RwSignal::new(String::new()),
                    proposals: RwSignal::new(String::new()),
                })
                .collect(),
            summary: RwSignal::new(String::new()),
            direction: RwSignal::new(String::new()),
            proposals: RwSignal::new(String::new()),
        }
    }

    /// Puts `copy` in the fields; a task it does not mention is emptied.
    fn load(&self, copy: &WorkingCopy) {
        for t in &self.tasks {
            let part = copy.tasks.iter().find(|p| p.task == t.number);
            t.status
                .set(part.map_or(ProgressStatus::NotStarted, |p| p.status));
            t.percent
                .set(part.map(|p| p.percent.clone()).unwrap_or_default());
            t.results
                .set(part.map(|p| p.results.clone()).unwrap_or_default());
            t.difficulties
                .set(part.map(|p| p.difficulties.clone()).unwrap_or_default());
            t.proposals
                .set(part.map(|p| p.proposals.clone()).unwrap_or_default());
        }
        self.summary.set(copy.summary.clone());
        self.direction.set(copy.direction.clone());
        self.proposals.set(copy.proposals.clone());
    }

    fn snapshot(&self) -> WorkingCopy {
        WorkingCopy {
            tasks: self
                .tasks
                .iter()
                .map(|t| WorkingTask {
                    task: t.number.clone(),
                    status: t.status.get_untracked(),
                    percent: t.percent.get_untracked(),
                    results: t.results.get_untracked(),
                    difficulties: t.difficulties.get_untracked(),
                    proposals: t.proposals.get_untracked(),
                })
                .collect(),
            summary: self.summary.get_untracked(),
            direction: self.direction.get_untracked(),
            proposals: self.proposals.get_untracked(),
        }
    }
}

/// A fresh draft: an agency's from the progress updates on the device, the
/// consolidated one from the agencies' submitted or accepted reports.
fn fresh_draft(app: AppState, s: &Subject) -> ReportContent {
    match s.scope {
        ReportScope::Agency => {
            let Some(reporter) = s.reporters.iter().find(|r| r.agency.id == s.agency.id) else {
                return ReportContent::default();
            };
            // The updates of the agency and of the units that report through it: any
            // agency on the tasks that is not itself a reporter of the period.
            app.updates.with(|updates| {
                let mine = updates.iter().filter(|u| {
                    u.plan == s.plan
                        && reporter.tasks.contains(&u.task)
                        && (u.agency.id == reporter.agency.id
                            || !s.reporters.iter().any(|r| r.agency.id == u.agency.id))
                });
                draft_agency_report(reporter, s.period, mine)
            })
        }
        ReportScope::Consolidated => {
            let tasks: Vec<ConsolidationTask> = s
                .tasks
                .iter()
                .map(|(number, _)| {
                    let involved = s.reporters.iter().filter(|r| r.tasks.contains(number));
                    let (lead, coordinating): (Vec<&Reporter>, Vec<&Reporter>) =
                        involved.partition(|r| r.leads.contains(number));
                    ConsolidationTask {
                        number: number.clone(),
                        lead: lead.into_iter().map(|r| r.agency.clone()).collect(),
                        coordinating: coordinating.into_iter().map(|r| r.agency.clone()).collect(),
                    }
                })
                .collect();
            let reports: Vec<(AgencyRef, ReportContent)> = app.reports.with(|all| {
                s.reporters
                    .iter()
                    .filter_map(|r| {
                        let events =
                            events_of(all, &s.plan, s.period, ReportScope::Agency, &r.agency.id);
                        let n = Now::of(events, Vec::new(), s.deadline);
                        Some((r.agency.clone(), n.submitted_content()?))
                    })
                    .collect()
            });
            draft_consolidated(&tasks, &reports, app.lang.get_untracked())
        }
    }
}

#[component]
fn Editor(subject: Subject, now: Memo<Now>) -> impl IntoView {
    let app = app();
    let fields = StoredValue::new(Fields::new(&subject.tasks));
    let key = subject.key();
    let subject = StoredValue::new(subject);
    // Whether the fields hold what the person typed (kept on the device) rather than
    // what the form shows until then: the newest version waiting on this device, else
    // the current version, else a fresh draft.
    let touched = RwSignal::new(false);
    let kept = RwSignal::new(false);
    let message = RwSignal::new(None::<(bool, String)>);
    Effect::new(move |_| {
        let queued = now.with(|n| {
            n.pending.iter().rev().find_map(|e| match &e.mutation.body {
                MutationBody::ReportSave(w) | MutationBody::ReportSubmit(w) => {
                    Some(WorkingCopy::from(&w.content))
                }
                _ => None,
            })
        });
        let copy = queued
            .or_else(|| {
                now.with(|n| {
                    n.current
                        .as_ref()
                        .and_then(|e| e.content.as_ref())
                        .map(WorkingCopy::from)
                })
            })
            .unwrap_or_else(|| subject.with_value(|s| WorkingCopy::from(&fresh_draft(app, s))));
        if !touched.get_untracked() {
            fields.with_value(|f| f.load(&copy));
        }
    });
    {
        let key = key.clone();
        spawn_local(async move {
            let Some(store) = sync::store() else {
                return;
            };
            if let Some(copy) = store.working_copy::<WorkingCopy>(&key).await {
                touched.set(true);
                fields.with_value(|f| f.load(&copy));
                kept.set(true);
            }
        });
    }

    // Writes the working copy after each change, one write at a time; a change made
    // during a write is written once that write ends.
    let writing = StoredValue::new(false);
    let again = StoredValue::new(false);
    let persist = {
        let key = key.clone();
        move || {
            touched.set(true);
            if writing.get_value() {
                again.set_value(true);
                return;
            }
            writing.set_value(true);
            let key = key.clone();
            spawn_local(async move {
                if let Some(store) = sync::store() {
                    loop {
                        again.set_value(false);
                        let copy = fields.with_value(Fields::snapshot);
                        let _ = store.set_working_copy(&key, &copy).await;
                        if !touched.get_untracked() {
                            // Saved meanwhile: the copy is in the outbox now.
                            let _ = store.clear_working_copy(&key).await;
                            break;
                        }
                        kept.set(true);
                        if !again.get_value() {
                            break;
                        }
                    }
                }
                writing.set_value(false);
            });
        }
    };
    let persist = StoredValue::new(persist);
    let changed = move || persist.with_value(|p| p());

    let redraft = move |_| {
        let lang = app.lang.get_untracked();
        if touched.get_untracked()
            && !window()
                .confirm_with_message(W::ConfirmRedraft.get(lang))
                .unwrap_or(false)
        {
            return;
        }
        let draft = subject.with_value(|s| WorkingCopy::from(&fresh_draft(app, s)));
        fields.with_value(|f| f.load(&draft));
        changed();
    };

    let enqueue = {
        let key = key.clone();
        move |submit: bool| {
            let lang = app.lang.get_untracked();
            let Some(session) = app.session.get_untracked() else {
                return;
            };
            let content = match fields.with_value(Fields::snapshot).content(lang) {
                Ok(content) => content,
                Err(e) => return message.set(Some((false, e))),
            };
            let Ok(observed_at) = Timestamp::parse(&now_rfc3339()) else {
                return;
            };
            let write = subject.with_value(|s| ReportWrite {
                plan: s.plan.clone(),
                period: s.period,
                scope: s.scope,
                base: now.with_untracked(|n| n.version),
                content,
                observed_at,
            });
            let body = if submit {
                MutationBody::ReportSubmit(write)
            } else {
                MutationBody::ReportSave(write)
            };
            touched.set(false);
            let key = key.clone();
            spawn_local(async move {
                let Some(store) = sync::store() else {
                    return;
                };
                match store.enqueue(&session.user.username, body).await {
                    Ok(entry) => {
                        app.pending.update(|p| p.push(entry));
                        // Unless the person has typed again meanwhile.
                        if !touched.get_untracked() {
                            let _ = store.clear_working_copy(&key).await;
                            kept.set(false);
                        }
                        message.set(Some((true, W::ReportQueued.get(lang).to_owned())));
                        sync::kick();
                    }
                    Err(_) => {
                        touched.set(true);
                        message.set(Some((false, T::SaveFailed.get(lang).to_owned())));
                    }
                }
            });
        }
    };
    let enqueue = StoredValue::new(enqueue);
    let (may_submit, submit_label, scope) =
        subject.with_value(|s| (s.may_submit, s.submit_label(), s.scope));
    let redraft_label = match scope {
        ReportScope::Agency => T::Ws(W::Redraft),
        ReportScope::Consolidated => T::Ws(W::RedraftConsolidated),
    };

    let text_field = move |id: String, label: T, value: RwSignal<String>, class: &'static str| {
        view! {
            <label for=id.clone()>{app.tr(label)}</label>
            <textarea id=id.clone() data-testid=id maxlength="4000" class=class
                prop:value=move || value.get()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    changed();
                }></textarea>
        }
    };
    let tasks = fields.with_value(|f| f.tasks.clone());
    let task_views = tasks
        .into_iter()
        .map(|t| {
            let n = t.number.to_string();
            let status = t.status;
            let percent = t.percent;
            view! {
                <fieldset class="report-task" data-testid=format!("report-task-{n}")>
                    <legend><span class="num">{n.clone()}</span> " " {t.title.clone()}</legend>
                    <div class="row">
                        <div>
                            <label for=format!("status-{n}")>{app.tr(T::Status)}</label>
                            <select id=format!("status-{n}") data-testid=format!("status-{n}")
                                on:change=move |ev| {
                                    if let Some(s) = ProgressStatus::from_code(&event_target_value(&ev)) {
                                        status.set(s);
                                        changed();
                                    }
                                }>
                                {ProgressStatus::ALL.into_iter().map(|s| view! {
                                    <option value=s.code() prop:selected=move || status.get() == s>
                                        {move || s.label(app.lang.get())}
                                    </option>
                                }).collect_view()}
                            </select>
                        </div>
                        <div>
                            <label for=format!("percent-{n}")>{app.tr(T::Percent)}</label>
                            <input id=format!("percent-{n}") data-testid=format!("percent-{n}")
                                type="text" inputmode="numeric" maxlength="3"
                                prop:value=move || percent.get()
                                on:input=move |ev| {
                                    percent.set(event_target_value(&ev));
                                    changed();
                                }/>
                        </div>
                    </div>
                    {text_field(format!("results-{n}"), T::Note, t.results, "")}
                    {text_field(format!("difficulties-{n}"), T::Difficulties, t.difficulties, "short")}
                    {text_field(format!("proposals-{n}"), T::Proposals, t.proposals, "short")}
                </fieldset>
            }
        })
        .collect_view();
    let (summary, direction, proposals) =
        fields.with_value(|f| (f.summary, f.direction, f.proposals));
    let no_tasks = subject.with_value(|s| s.tasks.is_empty());

    view! {
        <form class="card report-editor" data-testid="report-editor"
            on:submit=move |ev| {
                ev.prevent_default();
                enqueue.with_value(|e| e(false));
            }>
            <div class="toolbar">
                <button type="button" data-testid="report-redraft" on:click=redraft>
                    {app.tr(redraft_label)}
                </button>
                {move || kept.get().then(|| view! {
                    <span class="muted" data-testid="working-copy">{app.t(W::WorkingCopyKept.into())}</span>
                })}
            </div>
            <h2>{app.tr(W::ReportTasks.into())}</h2>
            {no_tasks.then(|| view! { <p class="muted">{app.tr(W::NoReportTasks.into())}</p> })}
            {task_views}
            <h2>{app.tr(W::ReportOverall.into())}</h2>
            {text_field("summary".to_owned(), T::Ws(W::Summary), summary, "")}
            {text_field("direction".to_owned(), T::Ws(W::Direction), direction, "")}
            {text_field("province-proposals".to_owned(), T::Ws(W::ProvinceProposals), proposals, "")}
            <p class="actions">
                <button type="submit" data-testid="report-save">{app.tr(W::SaveDraft.into())}</button>
                {may_submit.then(|| view! {
                    <button type="button" class="primary" data-testid="report-submit"
                        on:click=move |_| enqueue.with_value(|e| e(true))>
                        {app.tr(submit_label)}
                    </button>
                })}
            </p>
            <super::Outcome message=message/>
        </form>
    }
}

#[component]
fn Review(subject: Subject, now: Memo<Now>) -> impl IntoView {
    let app = app();
    let comment = RwSignal::new(String::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let subject = StoredValue::new(subject);
    // The version judged: the submitted one the device knows.
    let version = move || now.with(|n| n.submitted.as_ref().map(|e| e.version));
    let waiting = move || {
        let v = version();
        now.with(|n| {
            n.pending.iter().any(|e| {
                matches!(&e.mutation.body, MutationBody::ReportReview(r) if Some(r.version) == v)
            })
        })
    };
    let decide = move |decision: Decision| {
        let lang = app.lang.get_untracked();
        let Some(session) = app.session.get_untracked() else {
            return;
        };
        let Some(version) = now.with_untracked(|n| n.submitted.as_ref().map(|e| e.version)) else {
            return;
        };
        let comment_value = match Note::parse(&comment.get_untracked()) {
            Ok(note) => note,
            Err(e) => return message.set(Some((false, e.message(lang).to_owned()))),
        };
        if decision == Decision::Return && comment_value.as_str().is_empty() {
            return message.set(Some((false, W::ReturnNeedsComment.get(lang).to_owned())));
        }
        let Ok(observed_at) = Timestamp::parse(&now_rfc3339()) else {
            return;
        };
        let body = subject.with_value(|s| {
            MutationBody::ReportReview(ReportReview {
                plan: s.plan.clone(),
                period: s.period,
                agency: s.agency.id.clone(),
                version,
                decision,
                comment: comment_value,
                observed_at,
            })
        });
        spawn_local(async move {
            let Some(store) = sync::store() else {
                return;
            };
            match store.enqueue(&session.user.username, body).await {
                Ok(entry) => {
                    app.pending.update(|p| p.push(entry));
                    comment.set(String::new());
                    message.set(None);
                    sync::kick();
                }
                Err(_) => message.set(Some((false, T::SaveFailed.get(lang).to_owned()))),
            }
        });
    };
    view! {
        <section class="card review" data-testid="review">
            <h2>{app.tr(W::ReviewTitle.into())}</h2>
            {move || if waiting() {
                view! { <p class="notice">{app.t(W::ReviewWaits.into())}</p> }.into_any()
            } else {
                view! {
                    <label for="review-comment">{app.tr(W::ReviewComment.into())}</label>
                    <textarea id="review-comment" maxlength="4000"
                        prop:value=move || comment.get()
                        on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                    <p class="actions">
                        <button type="button" class="primary" data-testid="review-accept"
                            on:click=move |_| decide(Decision::Accept)>{app.tr(W::Accept.into())}</button>
                        <button type="button" data-testid="review-return"
                            on:click=move |_| decide(Decision::Return)>{app.tr(W::ReturnForRevision.into())}</button>
                    </p>
                }
                .into_any()
            }}
            <super::Outcome message=message/>
        </section>
    }
}

#[component]
fn Versions(subject: StoredValue<Subject>, now: Memo<Now>) -> impl IntoView {
    let app = app();
    let open = RwSignal::new(None::<i64>);
    let list = move || {
        let lang = app.lang.get();
        let list = now.with(|n| n.events.clone());
        let opened = open.get();
        if list.is_empty() {
            return view! { <p class="muted">{W::NoVersionYet.get(lang)}</p> }.into_any();
        }
        let consolidated = subject.with_value(|s| s.scope == ReportScope::Consolidated);
        let items = list
            .into_iter()
            .rev()
            .map(|e| {
                let id = e.id;
                let action = match e.action {
                    ReportAction::Saved => T::Ws(W::ActionSaved),
                    ReportAction::Submitted if consolidated => T::Ws(W::ActionFinalized),
                    ReportAction::Submitted => T::Ws(W::ActionSubmitted),
                    ReportAction::Accepted => T::Ws(W::ActionAccepted),
                    ReportAction::Returned => T::Ws(W::ActionReturned),
                };
                let heading = match e.action {
                    ReportAction::Saved | ReportAction::Submitted => i18n::version(lang, e.version),
                    ReportAction::Accepted | ReportAction::Returned => {
                        format!("→ {}", i18n::version(lang, e.version))
                    }
                };
                let content = e.content.clone();
                let has_content = content.is_some();
                let expanded = opened == Some(id);
                view! {
                    <li data-testid="version" data-version=id.to_string() data-action=format!("{:?}", e.action).to_lowercase()>
                        <p>
                            <strong>{action.get(lang)}</strong> " · " {heading} " · "
                            {e.author_name.clone()} " · " {when_text(&e.received_at)}
                            <span class="muted">" (" {W::Device.get(lang)} " " {when(e.observed_at.millis())} ")"</span>
                            {e.conflict.then(|| view! { <span class="badge bad">{T::Conflict.get(lang)}</span> })}
                        </p>
                        {(!e.comment.is_empty()).then(|| view! { <p class="note">{e.comment.clone()}</p> })}
                        {has_content.then(|| view! {
                            <button type="button" class="link" data-testid="version-toggle"
                                aria-expanded=expanded.to_string()
                                on:click=move |_| open.set((!expanded).then_some(id))>
                                {if expanded { "▾ " } else { "▸ " }} {W::Open.get(lang)}
                            </button>
                        })}
                        {expanded.then_some(content).flatten().map(|content| view! {
                            <div class="version-content" data-testid="version-content">
                                <ContentView content=content titles=subject.with_value(|s| s.tasks.clone())/>
                            </div>
                        })}
                    </li>
                }
            })
            .collect_view();
        view! { <ol class="history versions" data-testid="versions">{items}</ol> }.into_any()
    };
    view! {
        <h2>{app.tr(W::Versions.into())}</h2>
        {list}
    }
}

/// A version's content, read only.
#[component]
fn ContentView(content: ReportContent, titles: Vec<(TaskNumber, String)>) -> impl IntoView {
    let app = app();
    let lang = app.lang.get_untracked();
    let text = move |label: T, note: &Note| {
        (!note.as_str().is_empty()).then(|| {
            view! {
                <p class="detail"><strong>{label.get(lang)} ": "</strong>{note.as_str().to_owned()}</p>
            }
        })
    };
    let tasks = content
        .tasks
        .iter()
        .map(|t| {
            let title = titles
                .iter()
                .find(|(n, _)| *n == t.task)
                .map(|(_, title)| title.clone())
                .unwrap_or_default();
            view! {
                <div class="report-task">
                    <p>
                        <span class="num">{t.task.to_string()}</span> " " {title} " "
                        <span class=format!("status {}", t.status.code())>{t.status.label(lang)}</span>
                        {t.percent.map(|p| format!(" {}%", p.value()))}
                    </p>
                    {text(T::Note, &t.results)}
                    {text(T::Difficulties, &t.difficulties)}
                    {text(T::Proposals, &t.proposals)}
                </div>
            }
        })
        .collect_view();
    view! {
        {tasks}
        {text(T::Ws(W::Summary), &content.summary)}
        {text(T::Ws(W::Direction), &content.direction)}
        {text(T::Ws(W::ProvinceProposals), &content.proposals)}
    }
}
