//! The periodic reports of one period: who must report, where each report stands, and
//! (for the consolidating department) the consolidated report. Worked out on the
//! device from the pulled report events, so it reads offline too.

use super::default_period;
use leptos::prelude::*;
use tiendo_shared::date::{Date, format_dmy_hm, parse_rfc3339};
use tiendo_shared::ids::{AgencyId, PlanCode};
use tiendo_shared::plan::Period;
use tiendo_shared::protocol::{AgencyRef, MutationBody, ReportDeadline, Role};
use tiendo_shared::report::{CycleState, ReportEvent, ReportScope, standing};

use crate::i18n::{self, T, W};
use crate::local_offset_minutes;
use crate::state::{AppState, ReportTarget, Route, app};
use crate::store::Session;

/// The current instant, in milliseconds since the epoch.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// An instant as a person reads it, `dd/mm/yyyy HH:MM` on the device's clock.
pub fn when(ms: i64) -> String {
    format_dmy_hm(ms, local_offset_minutes())
}

/// An RFC 3339 instant as a person reads it.
pub fn when_text(rfc3339: &str) -> String {
    parse_rfc3339(rfc3339).map(when).unwrap_or_default()
}

/// The events of one report, in the server's order.
pub fn events_of(
    events: &[ReportEvent],
    plan: &PlanCode,
    period: Period,
    scope: ReportScope,
    agency: &AgencyId,
) -> Vec<ReportEvent> {
    events
        .iter()
        .filter(|e| {
            &e.plan == plan && e.period == period && e.scope == scope && &e.agency.id == agency
        })
        .cloned()
        .collect()
}

/// Whether the person reviews reports and writes the consolidated one: a supervisor
/// of the consolidating department.
pub fn consolidates(session: &Session, deadline: &ReportDeadline) -> bool {
    session.user.role == Role::Supervisor
        && deadline
            .consolidator
            .as_ref()
            .is_some_and(|c| c.id == session.user.agency.id)
}

/// Whether `body` is a change to the report of `agency` (`scope`) for `period`, made
/// on this device by a person of `own` agency. A save or submission is always of the
/// writer's own agency's report.
pub fn concerns(
    body: &MutationBody,
    plan: &PlanCode,
    period: Period,
    scope: ReportScope,
    agency: &AgencyId,
    own: &AgencyId,
) -> bool {
    match body {
        MutationBody::ReportSave(w) | MutationBody::ReportSubmit(w) => {
            &w.plan == plan && w.period == period && w.scope == scope && agency == own
        }
        MutationBody::ReportReview(r) => {
            scope == ReportScope::Agency
                && &r.plan == plan
                && r.period == period
                && &r.agency == agency
        }
        MutationBody::ProgressRecord(_) => false,
    }
}

/// One row of the listing, owned so that the view can keep it.
#[derive(Clone, PartialEq)]
struct Row {
    agency: AgencyRef,
    scope: ReportScope,
    href: String,
    state: CycleState,
    late: bool,
    conflict: bool,
    version: Option<i64>,
    /// Server and device time of the latest submission, and who.
    submitted: Option<(String, String, String)>,
    reviewed: Option<(String, String, String)>,
    comment: Option<String>,
    unsynced: bool,
}

impl Row {
    fn new(
        app: AppState,
        plan: &PlanCode,
        period: Period,
        scope: ReportScope,
        agency: &AgencyRef,
        deadline: Date,
        own: &AgencyId,
    ) -> Row {
        let events = app
            .reports
            .with(|all| events_of(all, plan, period, scope, &agency.id));
        let s = standing(&events, deadline, now_ms());
        let times = |e: &ReportEvent| {
            (
                when_text(&e.received_at),
                when(e.observed_at.millis()),
                e.author_name.clone(),
            )
        };
        let target = match scope {
            ReportScope::Agency => ReportTarget::Agency(agency.id.clone()),
            ReportScope::Consolidated => ReportTarget::Consolidated,
        };
        let unsynced = app.pending.with(|p| {
            p.iter()
                .any(|e| concerns(&e.mutation.body, plan, period, scope, &agency.id, own))
        });
        Row {
            agency: agency.clone(),
            scope,
            href: Route::Report(period, target).href(),
            state: s.state,
            late: s.late,
            conflict: s.conflict,
            version: s.version,
            submitted: s.submitted.map(times),
            reviewed: s.reviewed.map(times),
            comment: s
                .reviewed
                .filter(|e| !e.comment.is_empty())
                .map(|e| e.comment.clone()),
            unsynced,
        }
    }
}

#[component]
pub fn ReportsPage(period: Option<Period>) -> impl IntoView {
    let app = app();
    let body = move || {
        let lang = app.lang.get();
        let session = app.session.get()?;
        let Some(plan) = app.plan.get() else {
            return Some(view! { <p class="notice">{T::PlanNotLoaded.get(lang)}</p> }.into_any());
        };
        let Some(chosen) = period.or_else(|| default_period(&plan.reporting, now_ms())) else {
            return Some(
                view! { <p class="muted">{W::NoReportingPeriods.get(lang)}</p> }.into_any(),
            );
        };
        let picker = view! {
            <label for="period">{W::ReportPeriod.get(lang)}</label>
            <select id="period" data-testid="report-period" class="narrow"
                on:change=move |ev| {
                    if let Some(p) = Period::parse(&event_target_value(&ev)) {
                        let _ = window().location().set_hash(&Route::Reports(Some(p)).href());
                    }
                }>
                {plan.reporting.iter().map(|d| view! {
                    <option value=d.period.code() selected=d.period == chosen>
                        {i18n::report_name(lang, d.period)}
                    </option>
                }).collect_view()}
            </select>
        };
        let Some(deadline) = plan.reporting.iter().find(|d| d.period == chosen) else {
            return Some(
                view! { {picker} <p class="notice">{W::ReportNotFound.get(lang)}</p> }.into_any(),
            );
        };
        let own = &session.user.agency.id;
        let mut rows: Vec<Row> = deadline
            .reporters
            .iter()
            .map(|r| {
                let due = deadline.agency_deadline;
                Row::new(
                    app,
                    &plan.code,
                    chosen,
                    ReportScope::Agency,
                    &r.agency,
                    due,
                    own,
                )
            })
            .collect();
        if session.user.role.reads_all()
            && let (Some(consolidator), Some(due)) =
                (&deadline.consolidator, deadline.consolidation_deadline)
        {
            let scope = ReportScope::Consolidated;
            rows.push(Row::new(
                app,
                &plan.code,
                chosen,
                scope,
                consolidator,
                due,
                own,
            ));
        }
        let dates = view! {
            <p data-testid="report-deadline"><strong>{i18n::due_before(lang, deadline.agency_deadline)}</strong></p>
            {deadline.consolidation_deadline.map(|c| view! {
                <p class="muted">{i18n::consolidation_due_before(lang, c)}</p>
            })}
        };
        let table = if rows.is_empty() {
            view! { <p class="muted">{W::NoReporters.get(lang)}</p> }.into_any()
        } else {
            view! {
                <table class="reports" data-testid="reports">
                    <thead><tr>
                        <th>{W::Agency.get(lang)}</th>
                        <th>{T::Status.get(lang)}</th>
                        <th>{W::Version.get(lang)}</th>
                        <th>{W::SubmittedAt.get(lang)}</th>
                        <th>{W::ReviewedAt.get(lang)}</th>
                        <th>{W::ReviewComment.get(lang)}</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|row| row_view(lang, row)).collect_view()}
                    </tbody>
                </table>
            }
            .into_any()
        };
        Some(view! { {picker} {dates} {table} }.into_any())
    };
    view! {
        <main>
            <h1>{app.tr(W::ReportsTitle.into())}</h1>
            {body}
        </main>
    }
}

fn row_view(lang: i18n::Lang, row: Row) -> impl IntoView {
    let testid = match row.scope {
        ReportScope::Agency => format!("report-row-{}", row.agency.id),
        ReportScope::Consolidated => "report-row-consolidated".to_owned(),
    };
    let name = match row.scope {
        ReportScope::Agency => row.agency.name.clone(),
        ReportScope::Consolidated => {
            format!("{} ({})", W::ConsolidatedReport.get(lang), row.agency.name)
        }
    };
    let times = move |t: Option<(String, String, String)>| {
        t.map(|(server, device, who)| {
            view! {
                <span class="times">
                    {format!("{}: {server}", W::Server.get(lang))}<br/>
                    {format!("{}: {device}", W::Device.get(lang))}<br/>
                    <span class="muted">{who}</span>
                </span>
            }
        })
    };
    view! {
        <tr data-testid=testid data-state=row.state.code() data-late=row.late.to_string()>
            <td data-label=W::Agency.get(lang)><a href=row.href.clone()>{name}</a></td>
            <td data-label=T::Status.get(lang)>
                <span class=format!("state {}", row.state.code())>{row.state.label(lang)}</span>
                {row.late.then(|| view! { <span class="badge bad" data-testid="late">{W::Late.get(lang)}</span> })}
                {row.conflict.then(|| view! { <span class="badge bad">{T::Conflict.get(lang)}</span> })}
                {row.unsynced.then(|| view! { <span class="badge">{T::Unsynced.get(lang)}</span> })}
            </td>
            <td data-label=W::Version.get(lang)>{row.version.map(|v| v.to_string())}</td>
            <td data-label=W::SubmittedAt.get(lang)>{times(row.submitted)}</td>
            <td data-label=W::ReviewedAt.get(lang)>{times(row.reviewed)}</td>
            <td data-label=W::ReviewComment.get(lang) class="note">{row.comment}</td>
        </tr>
    }
}
