//! Tasks × agencies (workspace only): for each task, under the plan's headings, the
//! role of each reporting agency (L: chủ trì, P: phối hợp) and its latest status and
//! date; each cell leads to the task's page. A search narrows the rows.

use leptos::prelude::*;
use tiendo_shared::dashboard::{Cell, TaskStanding, dashboard};
use tiendo_shared::date::date_of;
use tiendo_shared::ids::AgencyId;
use tiendo_shared::protocol::{AgencyRef, PlanView, TaskView};
use tiendo_shared::search::Query;

use super::dashboard::{period_or_default, today};
use super::tasks::{Entry, grouped, matches};
use crate::i18n::{Lang, T, W};
use crate::local_offset_minutes;
use crate::state::{Route, app};

#[component]
pub fn MatrixPage() -> impl IntoView {
    let app = app();
    let search = RwSignal::new(String::new());
    let table = move || {
        let lang = app.lang.get();
        let Some(plan) = app.plan.get() else {
            return view! { <p class="notice">{T::PlanNotLoaded.get(lang)}</p> }.into_any();
        };
        let query = search.with(|text| Query::new(text));
        let d = app
            .updates
            .with(|updates| dashboard(&plan, updates, period_or_default(&plan, None), today()));
        let columns = columns(&plan);
        let shown = plan.tasks.iter().filter(|t| matches(&query, t));
        let entries = grouped(&plan, shown);
        if entries.is_empty() {
            return view! { <p class="muted" data-testid="no-match">{T::NoMatch.get(lang)}</p> }
                .into_any();
        }
        let span = (columns.len() + 1).to_string();
        let rows = entries
            .into_iter()
            .map(|entry| match entry {
                Entry::Heading(depth, s) => view! {
                    <tr class=format!("section depth-{depth}")>
                        <th colspan=span.clone() scope="rowgroup"><span>{format!("{}. {}", s.number, s.title)}</span></th>
                    </tr>
                }
                .into_any(),
                Entry::Task(task) => {
                    let standing = d.tasks.iter().find(|t| t.number == task.number);
                    row(lang, &plan, task, standing, &columns).into_any()
                }
            })
            .collect_view();
        let heads = columns
            .iter()
            .map(|a| view! { <th scope="col" class="agency"><span>{a.name.clone()}</span></th> })
            .collect_view();
        view! {
            <div class="matrix-wrap">
                <table class="matrix" data-testid="matrix">
                    <thead><tr><th scope="col" class="corner">{W::Task.get(lang)}</th>{heads}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <main class="wide">
            <h1>{app.tr(W::MatrixTitle.into())}</h1>
            <p class="muted">{app.tr(W::MatrixLegend.into())}</p>
            <div class="toolbar">
                <input id="search" type="search" class="search" data-testid="search"
                    aria-label=app.tr(T::Search) placeholder=app.tr(T::SearchHint)
                    prop:value=move || search.get()
                    on:input=move |ev| search.set(event_target_value(&ev))/>
            </div>
            {table}
        </main>
    }
}

/// The columns: the agencies that report to the department (in the calendar's
/// order), or, for a plan without a reporting calendar, every assigned agency that
/// has no parent.
fn columns(plan: &PlanView) -> Vec<AgencyRef> {
    let mut out: Vec<AgencyRef> = Vec::new();
    let mut add = |agency: AgencyRef| {
        if !out.iter().any(|a| a.id == agency.id) {
            out.push(agency);
        }
    };
    for reporter in plan.reporting.iter().flat_map(|d| &d.reporters) {
        add(reporter.agency.clone());
    }
    if plan.reporting.iter().all(|d| d.reporters.is_empty()) {
        for agency in plan
            .tasks
            .iter()
            .flat_map(|t| t.lead.iter().chain(&t.coordinating))
        {
            if plan.lineage(&agency.id).len() == 1 {
                add(agency.clone());
            }
        }
    }
    out
}

/// Whether `agency` is `root` or a unit under it.
fn under(plan: &PlanView, agency: &AgencyId, root: &AgencyId) -> bool {
    plan.lineage(agency).contains(root)
}

fn row(
    lang: Lang,
    plan: &PlanView,
    task: &TaskView,
    standing: Option<&TaskStanding>,
    columns: &[AgencyRef],
) -> impl IntoView + use<> {
    let href = Route::Task(task.number.clone()).href();
    let cells = columns
        .iter()
        .map(|column| {
            let lead = task.lead.iter().any(|a| under(plan, &a.id, &column.id));
            let coordinates = task
                .coordinating
                .iter()
                .any(|a| under(plan, &a.id, &column.id));
            if !lead && !coordinates {
                return view! { <td></td> }.into_any();
            }
            // The latest word of the agency or a unit under it.
            let latest: Option<&Cell> = standing.and_then(|s| {
                s.cells
                    .iter()
                    .filter(|(a, _, _)| under(plan, &a.id, &column.id))
                    .filter_map(|(_, _, cell)| cell.as_ref())
                    .max_by_key(|c| c.update)
            });
            cell(lang, &href, column, lead, latest).into_any()
        })
        .collect_view();
    view! {
        <tr data-testid=format!("matrix-row-{}", task.number)>
            <th scope="row" class="task">
                <a href=href.clone()>
                    <span class="num">{task.number.to_string()}</span> " "
                    <span class="clamp">{task.title.clone()}</span>
                </a>
            </th>
            {cells}
        </tr>
    }
}

fn cell(
    lang: Lang,
    href: &str,
    agency: &AgencyRef,
    lead: bool,
    latest: Option<&Cell>,
) -> impl IntoView + use<> {
    let role = if lead {
        W::RoleLead
    } else {
        W::RoleCoordinating
    };
    let (class, status, day) = match latest {
        Some(c) => {
            let d = date_of(c.observed_ms, local_offset_minutes());
            (
                c.status.code(),
                c.status.label(lang),
                Some((format!("{:02}/{:02}", d.day(), d.month()), d.to_dmy())),
            )
        }
        None => ("none", T::NoUpdateYet.get(lang), None),
    };
    let mut label = format!("{} · {} · {status}", agency.name, role.get(lang));
    if let Some((_, full)) = &day {
        label = format!("{label} · {full}");
    }
    let title = label.clone();
    view! {
        <td class=format!("cell {class}")>
            <a href=href.to_owned() title=title>
                <span class="role" aria-hidden="true">{if lead { "L" } else { "P" }}</span>
                <span class="sr">{label}</span>
                {day.map(|(short, _)| view! { <span class="date" aria-hidden="true">{short}</span> })}
            </a>
        </td>
    }
}
