//! The plan at a glance, for a period and an "as of" day (workspace only): tasks by
//! state, completion by plan section and by agency, the overdue tasks, who reported on
//! the ongoing ones, and where the period's reports stand, with the exports of the
//! period. Worked out on the device from what it has synced, so it reads offline.
//! Charts are inline SVG that scale to the page (a 360 px phone, a printed A4).

use leptos::prelude::*;
use tiendo_shared::dashboard::{Dashboard, TaskStanding, TaskState, dashboard};
use tiendo_shared::date::{Date, date_of};
use tiendo_shared::ids::{PlanCode, TaskNumber};
use tiendo_shared::plan::Period;
use tiendo_shared::plan::calendar::VIETNAM_OFFSET_MINUTES;
use tiendo_shared::protocol::{AgencyRef, PlanView};
use tiendo_shared::report::{CycleState, ReportScope, end_of_day, standing};

use super::default_period;
use super::reports::{events_of, now_ms};
use super::{ExportButton, Outcome, export_query};
use crate::i18n::{self, Lang, T, W};
use crate::state::{ReportTarget, Route, app};

/// Today in Việt Nam: the day the workspace's pages are worked out for unless one is
/// named.
pub fn today() -> Date {
    date_of(now_ms(), VIETNAM_OFFSET_MINUTES)
}

/// `period`, or when none is named the one the reports page picks.
pub fn period_or_default(plan: &PlanView, period: Option<Period>) -> Period {
    period
        .or_else(|| default_period(&plan.reporting, now_ms()))
        .unwrap_or_else(|| Period::year(plan.year))
}

/// The title of task `number`.
pub fn title_of(plan: &PlanView, number: &TaskNumber) -> String {
    plan.tasks
        .iter()
        .find(|t| &t.number == number)
        .map(|t| t.title.clone())
        .unwrap_or_default()
}

#[component]
pub fn DashboardPage(period: Option<Period>, as_of: Option<Date>) -> impl IntoView {
    let app = app();
    let day = as_of.unwrap_or_else(today);
    // What the controls and the exports depend on; they are drawn again only when it
    // changes, never for a pull (a download under way keeps its button).
    let subject = Memo::new(move |_| {
        app.plan.with(|plan| {
            plan.as_ref().map(|plan| {
                let periods: Vec<Period> = plan.reporting.iter().map(|d| d.period).collect();
                (plan.code.clone(), period_or_default(plan, period), periods)
            })
        })
    });
    let message = RwSignal::new(None::<(bool, String)>);
    let controls = move || {
        let (code, chosen, periods) = subject.get()?;
        Some(view! {
            <Controls periods=periods chosen=chosen as_of=as_of day=day/>
            <Exports code=code period=chosen message=message/>
        })
    };
    let body = move || {
        let lang = app.lang.get();
        let Some(plan) = app.plan.get() else {
            return view! { <p class="notice">{T::PlanNotLoaded.get(lang)}</p> }.into_any();
        };
        let chosen = period_or_default(&plan, period);
        let d = app
            .updates
            .with(|updates| dashboard(&plan, updates, chosen, day));
        view! {
            <p class="muted" data-testid="dashboard-subject">
                {format!(
                    "{} ({}) · {} · {} {}",
                    plan.title,
                    plan.code,
                    i18n::period_name(lang, chosen),
                    W::AsOf.get(lang).to_lowercase(),
                    day.to_dmy(),
                )}
            </p>
            <div class="dash">
                {task_states(lang, &d)}
                {overdue(lang, &plan, &d)}
                {report_states(lang, &plan, chosen, day)}
                {by_section(lang, &d)}
                {ongoing(lang, &plan, &d)}
                {by_agency(lang, &d)}
            </div>
        }
        .into_any()
    };
    view! {
        <main class="wide">
            <h1>{app.tr(W::DashboardTitle.into())}</h1>
            {controls}
            {body}
        </main>
    }
}

/// The period and the day, each changing the address (so a view can be shared).
#[component]
fn Controls(periods: Vec<Period>, chosen: Period, as_of: Option<Date>, day: Date) -> impl IntoView {
    let app = app();
    let go = |route: Route| {
        let _ = window().location().set_hash(&route.href());
    };
    let options = periods
        .into_iter()
        .map(|p| {
            view! {
                <option value=p.code() selected=p == chosen>
                    {move || i18n::report_name(app.lang.get(), p)}
                </option>
            }
        })
        .collect_view();
    view! {
        <form class="toolbar controls" on:submit=|ev| ev.prevent_default()>
            <label for="period">{app.tr(W::ReportPeriod.into())}</label>
            <select id="period" data-testid="dashboard-period" class="narrow"
                on:change=move |ev| {
                    if let Some(p) = Period::parse(&event_target_value(&ev)) {
                        go(Route::Dashboard(Some(p), as_of));
                    }
                }>
                {options}
            </select>
            <label for="as-of">{app.tr(W::AsOf.into())}</label>
            <input id="as-of" type="date" data-testid="as-of" class="narrow" value=day.to_iso()
                on:change=move |ev| {
                    if let Ok(d) = Date::parse_iso(&event_target_value(&ev)) {
                        go(Route::Dashboard(Some(chosen), Some(d)));
                    }
                }/>
        </form>
    }
}

/// The period's exports, from the server.
#[component]
fn Exports(
    code: PlanCode,
    period: Period,
    message: RwSignal<Option<(bool, String)>>,
) -> impl IntoView {
    let app = app();
    let query = |format| export_query(&code, period, format, None);
    view! {
        <div class="toolbar exports">
            <span class="muted">{app.tr(W::Exports.into())} ":"</span>
            <ExportButton label=W::ExportConsolidated.into() testid="export-consolidated-docx"
                query=query("docx") message=message/>
            <ExportButton label=W::ExportXlsx.into() testid="export-xlsx" query=query("xlsx") message=message/>
            <ExportButton label=W::ExportCsv.into() testid="export-csv" query=query("csv") message=message/>
        </div>
        <Outcome message=message/>
    }
}

/// A horizontal bar of `total` units: `done` filled, then `overdue` in red.
fn bar(done: usize, overdue: usize, total: usize) -> impl IntoView {
    let total = total.max(1);
    view! {
        <svg class="bar" viewBox=format!("0 0 {total} 1") preserveAspectRatio="none" aria-hidden="true">
            <rect class="track" width=total.to_string() height="1"></rect>
            <rect class="s-done" width=done.to_string() height="1"></rect>
            <rect class="s-overdue" x=done.to_string() width=overdue.to_string() height="1"></rect>
        </svg>
    }
}

/// A small square of a state's colour, for a legend.
fn swatch(state: TaskState) -> impl IntoView {
    view! {
        <svg class="swatch" viewBox="0 0 1 1" aria-hidden="true">
            <rect class=format!("s-{}", state.code()) width="1" height="1"></rect>
        </svg>
    }
}

fn task_states(lang: Lang, d: &Dashboard) -> impl IntoView + use<> {
    let total = d.tasks.len();
    let mut x = 0;
    let segments = TaskState::ALL
        .into_iter()
        .filter_map(|state| {
            let n = d.count(state);
            let segment = (n > 0).then(|| {
                view! {
                    <rect class=format!("s-{}", state.code()) x=x.to_string() width=n.to_string() height="1"></rect>
                }
            });
            x += n;
            segment
        })
        .collect_view();
    let summary = TaskState::ALL
        .into_iter()
        .map(|s| format!("{}: {}", s.label(lang), d.count(s)))
        .collect::<Vec<_>>()
        .join(", ");
    let legend = TaskState::ALL
        .into_iter()
        .map(|state| {
            view! {
                <li>
                    {swatch(state)}
                    <span>{state.label(lang)}</span>
                    <strong data-testid=format!("count-{}", state.code())>{d.count(state)}</strong>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card" data-testid="task-states">
            <h2>{W::TaskStates.get(lang)} <span class="muted">{format!(" ({total} {})", W::Tasks.get(lang))}</span></h2>
            <svg class="stack" viewBox=format!("0 0 {} 1", total.max(1)) preserveAspectRatio="none"
                role="img" aria-label=summary>
                {segments}
            </svg>
            <ul class="legend">{legend}</ul>
        </section>
    }
}

fn overdue(lang: Lang, plan: &PlanView, d: &Dashboard) -> impl IntoView + use<> {
    let late: Vec<&TaskStanding> = d
        .tasks
        .iter()
        .filter(|t| t.state == TaskState::Overdue)
        .collect();
    let count = late.len();
    let list = if late.is_empty() {
        view! { <p class="muted">{W::NoOverdue.get(lang)}</p> }.into_any()
    } else {
        let items = late
            .into_iter()
            .map(|t| {
                let due = t
                    .due
                    .map(|due| format!("{}: {}", W::Due.get(lang), due.to_dmy()));
                view! {
                    <li data-testid=format!("overdue-{}", t.number)>
                        <a href=Route::Task(t.number.clone()).href()>
                            <span class="num">{t.number.to_string()}</span> " " {title_of(plan, &t.number)}
                        </a>
                        <br/>
                        <span class="due">{due}</span>
                        <span class="muted">{format!(" · {}: {}/{}", W::LeadsDone.get(lang), t.leads_done, t.leads)}</span>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="plain">{items}</ul> }.into_any()
    };
    view! {
        <section class="card" data-testid="overdue">
            <h2>{W::Overdue.get(lang)} " (" {count} ")"</h2>
            {list}
        </section>
    }
}

/// Where each report of the period stood at the end of the day, the agencies named.
fn report_states(lang: Lang, plan: &PlanView, period: Period, day: Date) -> impl IntoView + use<> {
    let app = app();
    let heading = W::ReportStates.get(lang);
    let Some(deadline) = plan.reporting.iter().find(|d| d.period == period) else {
        return view! {
            <section class="card" data-testid="report-states">
                <h2>{heading}</h2>
                <p class="muted">{W::ReportNotFound.get(lang)}</p>
            </section>
        }
        .into_any();
    };
    let at = end_of_day(day);
    let state_of = |scope: ReportScope, agency: &AgencyRef, due: Date| {
        app.reports.with(|all| {
            let events = events_of(all, &plan.code, period, scope, &agency.id);
            let s = standing(&events, due, at);
            (s.state, s.late && s.submitted.is_some())
        })
    };
    let rows: Vec<(AgencyRef, CycleState, bool)> = deadline
        .reporters
        .iter()
        .map(|r| {
            let (state, late) = state_of(ReportScope::Agency, &r.agency, deadline.agency_deadline);
            (r.agency.clone(), state, late)
        })
        .collect();
    let link = |agency: &AgencyRef| {
        let href = Route::Report(period, ReportTarget::Agency(agency.id.clone())).href();
        view! { <a href=href>{agency.name.clone()}</a> }
    };
    let late: Vec<&AgencyRef> = rows.iter().filter(|r| r.2).map(|r| &r.0).collect();
    let late_view = if late.is_empty() {
        view! { <p class="muted">{W::NoneLate.get(lang)}</p> }.into_any()
    } else {
        let items = late
            .iter()
            .map(|a| view! { <li data-testid=format!("late-{}", a.id)>{link(a)}</li> })
            .collect_view();
        view! { <ul class="names">{items}</ul> }.into_any()
    };
    let groups = [
        CycleState::Missing,
        CycleState::Returned,
        CycleState::Submitted,
        CycleState::Draft,
        CycleState::NotStarted,
        CycleState::Accepted,
    ]
    .into_iter()
    .filter_map(|state| {
        let named: Vec<&AgencyRef> = rows.iter().filter(|r| r.1 == state).map(|r| &r.0).collect();
        if named.is_empty() {
            return None;
        }
        let count = named.len();
        let items = named
            .into_iter()
            .map(|a| view! { <li data-testid=format!("report-{}", a.id)>{link(a)}</li> })
            .collect_view();
        Some(view! {
            <div class="group" data-testid=format!("reports-{}", state.code())>
                <h3><span class=format!("state {}", state.code())>{state.label(lang)}</span> " (" {count} ")"</h3>
                <ul class="names">{items}</ul>
            </div>
        })
    })
    .collect_view();
    let consolidated = deadline
        .consolidator
        .as_ref()
        .zip(deadline.consolidation_deadline)
        .map(|(agency, due)| {
            let (state, _) = state_of(ReportScope::Consolidated, agency, due);
            let href = Route::Report(period, ReportTarget::Consolidated).href();
            view! {
                <p data-testid="consolidated-state">
                    <a href=href>{W::ConsolidatedReport.get(lang)}</a> " "
                    <span class=format!("state {}", state.code())>{state.label(lang)}</span>
                </p>
            }
        });
    view! {
        <section class="card" data-testid="report-states">
            <h2>{heading}</h2>
            <p class="muted">{i18n::report_deadline(lang, deadline)}</p>
            <div class="group late" data-testid="late-agencies">
                <h3><span class="badge bad">{W::LateAgencies.get(lang)}</span> " (" {late.len()} ")"</h3>
                {late_view}
            </div>
            {groups}
            {consolidated}
            <p class="no-print"><a href=Route::Reports(Some(period)).href()>{W::PeriodReports.get(lang)} " →"</a></p>
        </section>
    }
    .into_any()
}

fn by_section(lang: Lang, d: &Dashboard) -> impl IntoView + use<> {
    let items = d
        .sections
        .iter()
        .map(|s| {
            let overdue = (s.overdue > 0).then(|| {
                format!(
                    " · {} {}",
                    s.overdue,
                    TaskState::Overdue.label(lang).to_lowercase()
                )
            });
            view! {
                <li data-testid=format!("by-section-{}", s.number)>
                    <div class="bar-label">
                        <span>{format!("{}. {}", s.number, s.title)}</span>
                        <span class="figure">{format!("{}/{}", s.done, s.tasks)} {overdue}</span>
                    </div>
                    {bar(s.done, s.overdue, s.tasks)}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card" data-testid="by-section">
            <h2>{W::BySection.get(lang)}</h2>
            <ul class="bars">{items}</ul>
            <ul class="legend">
                <li>{swatch(TaskState::Done)} {TaskState::Done.label(lang)}</li>
                <li>{swatch(TaskState::Overdue)} {TaskState::Overdue.label(lang)}</li>
            </ul>
        </section>
    }
}

/// The ongoing and recurring tasks, which are never overdue: who reported in the
/// period.
fn ongoing(lang: Lang, plan: &PlanView, d: &Dashboard) -> impl IntoView + use<> {
    let items = d
        .tasks
        .iter()
        .filter(|t| t.ongoing)
        .map(|t| {
            let assigned = t.reported.len() + t.silent.len();
            let who = if t.reported.is_empty() {
                W::NobodyReported.get(lang).to_owned()
            } else {
                let names: Vec<&str> = t.reported.iter().map(|a| a.name.as_str()).collect();
                format!(
                    "{} ({}/{assigned}): {}",
                    W::ReportedInPeriod.get(lang),
                    t.reported.len(),
                    names.join(", ")
                )
            };
            view! {
                <li data-testid=format!("ongoing-{}", t.number)>
                    <a href=Route::Task(t.number.clone()).href()>
                        <span class="num">{t.number.to_string()}</span> " "
                        <span class="clamp">{title_of(plan, &t.number)}</span>
                    </a>
                    <br/>
                    <span class=if t.reported.is_empty() { "muted" } else { "" }>{who}</span>
                </li>
            }
        })
        .collect::<Vec<_>>();
    let list = if items.is_empty() {
        view! { <p class="muted">{W::NoOngoing.get(lang)}</p> }.into_any()
    } else {
        view! { <ul class="plain">{items}</ul> }.into_any()
    };
    view! {
        <section class="card" data-testid="ongoing">
            <h2>{W::Ongoing.get(lang)}</h2>
            {list}
        </section>
    }
}

fn by_agency(lang: Lang, d: &Dashboard) -> impl IntoView + use<> {
    let share = |done: usize, of: usize| {
        if of == 0 {
            return view! { <span class="muted">"—"</span> }.into_any();
        }
        view! {
            <span class="figure">{format!("{done}/{of}")}</span>
            {bar(done, 0, of)}
        }
        .into_any()
    };
    let rows = d
        .agencies
        .iter()
        .map(|a| {
            view! {
                <tr data-testid=format!("agency-{}", a.agency.id)>
                    <td>{a.agency.name.clone()}</td>
                    <td class="share">{share(a.leads_done, a.leads)}</td>
                    <td class="share">{share(a.contributed, a.coordinates)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card full" data-testid="by-agency">
            <h2>{W::ByAgency.get(lang)}</h2>
            <table class="agencies">
                <thead><tr>
                    <th>{W::Agency.get(lang)}</th>
                    <th>{W::LeadsDone.get(lang)}</th>
                    <th>{W::Contributed.get(lang)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}
