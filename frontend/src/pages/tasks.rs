//! The plan's tasks under its headings, with where the person's agency stands on each,
//! and a search that ignores diacritics ("bien gioi" finds "biên giới").

use leptos::either::Either;
use leptos::prelude::*;
use tiendo_shared::ids::TaskNumber;
use tiendo_shared::progress::ProgressStatus;
use tiendo_shared::protocol::{MutationBody, PlanView, SectionView, TaskView};
use tiendo_shared::search::Query;

use crate::i18n::{self, T};
use crate::state::{AppState, Route, app};
use crate::sync;

#[component]
pub fn TaskList() -> impl IntoView {
    let app = app();
    let records = move || {
        app.session
            .with(|s| s.as_ref().is_some_and(|s| s.user.role.records_progress()))
    };
    let only_mine = RwSignal::new(records());
    let search = RwSignal::new(String::new());
    // "" for every status, "none" for tasks without an update yet, else a status code.
    let status_filter = RwSignal::new(String::new());

    // Each task shown, with the headings that open before it.
    let rows = move || {
        let mine = only_mine.get();
        let query = search.with(|text| Query::folded_by(text, fold));
        let wanted = status_filter.get();
        app.plan.with(|plan| {
            let Some(plan) = plan else {
                return Vec::new();
            };
            let shown = plan.tasks.iter().filter(|t| {
                (!mine || t.assigned)
                    && matches(&query, t)
                    && (wanted.is_empty()
                        || match current_status(app, &t.number) {
                            Some((status, _)) => status.code() == wanted,
                            None => wanted == "none",
                        })
            });
            let mut rows = Vec::new();
            let mut heads = Vec::new();
            for entry in grouped(plan, shown) {
                match entry {
                    Entry::Heading(depth, s) => heads.push((depth, s.clone())),
                    Entry::Task(t) => rows.push((std::mem::take(&mut heads), t.clone())),
                }
            }
            rows
        })
    };
    let none = move || {
        let searching = search.with(|s| !s.trim().is_empty());
        (searching && rows().is_empty())
            .then(|| view! { <p class="muted" data-testid="no-match">{app.t(T::NoMatch)}</p> })
    };

    view! {
        <main>
            {move || match app.plan.get() {
                None => view! { <p class="notice">{app.t(T::PlanNotLoaded)}</p> }.into_any(),
                Some(plan) => {
                    let lang = app.lang.get();
                    let deadlines = plan
                        .reporting
                        .iter()
                        .map(|d| {
                            let href = Route::Reports(Some(d.period)).href();
                            view! { <li><a href=href>{i18n::report_deadline(lang, d)}</a></li> }
                        })
                        .collect_view();
                    view! {
                        <h1>{format!("{} ({}, {})", plan.title, plan.code, plan.date.to_dmy())}</h1>
                        <ul class="muted deadlines" data-testid="deadlines">{deadlines}</ul>
                    }
                    .into_any()
                }
            }}
            <PlanPicker/>
            <div class="toolbar">
                <input id="search" type="search" class="search" data-testid="search"
                    aria-label=app.tr(T::Search) placeholder=app.tr(T::SearchHint)
                    prop:value=move || search.get()
                    on:input=move |ev| search.set(event_target_value(&ev))/>
                <label>
                    <input type="checkbox" prop:checked=move || only_mine.get()
                        on:change=move |ev| only_mine.set(event_target_checked(&ev))/>
                    {app.tr(T::OnlyMine)}
                </label>
                <label>
                    {app.tr(T::StatusFilter)} " "
                    <select data-testid="status-filter" on:change=move |ev| status_filter.set(event_target_value(&ev))>
                        <option value="">{app.tr(T::AnyStatus)}</option>
                        {ProgressStatus::ALL.into_iter().map(|s| view! {
                            <option value=s.code()>{move || s.label(app.lang.get())}</option>
                        }).collect_view()}
                        <option value="none">{app.tr(T::NoUpdateYet)}</option>
                    </select>
                </label>
            </div>
            <ul class="tasks" data-testid="tasks">
                <For
                    each=rows
                    key=|(heads, task)| (heads.len(), task.number.clone())
                    children=move |(heads, task)| view! {
                        {heads.into_iter().map(|(depth, s)| heading(depth, &s)).collect_view()}
                        <TaskRow task=task/>
                    }
                />
            </ul>
            {none}
        </main>
    }
}

/// Which of the province's plans to work on, when it has more than one: the choice is
/// kept on the device and the chosen plan fetched by the next sync, started at once.
#[component]
fn PlanPicker() -> impl IntoView {
    let app = app();
    let choose = move |ev: leptos::ev::Event| {
        let code = event_target_value(&ev);
        let choice = app.plans.with_untracked(|plans| {
            plans
                .iter()
                .find(|p| p.code.as_str() == code && !p.current)
                .map(|p| p.code.clone())
        });
        let (Some(store), Some(session)) = (sync::store(), app.session.get_untracked()) else {
            return;
        };
        leptos::task::spawn_local(async move {
            if store
                .set_plan_choice(&session.user.username, choice.as_ref())
                .await
                .is_ok()
            {
                sync::kick();
            }
        });
    };
    move || {
        let plans = app.plans.get();
        (plans.len() > 1).then(|| {
            let shown = app.plan.with(|p| p.as_ref().map(|p| p.code.clone()));
            let options = plans
                .into_iter()
                .map(|p| {
                    let selected = shown.as_ref() == Some(&p.code);
                    let label = format!("{} ({}, {})", p.code, p.year, p.date.to_dmy());
                    view! { <option value=p.code.to_string() selected=selected>{label}</option> }
                })
                .collect_view();
            view! {
                <label class="toolbar">
                    {app.tr(T::PlanPicker)}
                    <select id="plan-picker" data-testid="plan-picker" on:change=choose>
                        {options}
                    </select>
                </label>
            }
        })
    }
}

/// A line of a list of tasks grouped by the plan's headings.
pub enum Entry<'a> {
    /// A heading, `depth` 0 for a top-level one.
    Heading(usize, &'a SectionView),
    Task(&'a TaskView),
}

/// The headings task `number` falls under, outermost first ("7.", "7.2." for 7.2.b);
/// none for a task that stands alone.
pub fn headings<'a>(plan: &'a PlanView, number: &TaskNumber) -> Vec<&'a SectionView> {
    let mut chain = Vec::new();
    let mut current = plan.section_of(number);
    while let Some(section) = current {
        if chain
            .iter()
            .any(|s: &&SectionView| s.number == section.number)
        {
            break;
        }
        chain.push(section);
        current = plan.section_of(&section.number);
    }
    chain.reverse();
    chain
}

/// `tasks` (in plan order) with each heading before the first task under it.
pub fn grouped<'a>(
    plan: &'a PlanView,
    tasks: impl IntoIterator<Item = &'a TaskView>,
) -> Vec<Entry<'a>> {
    let mut out = Vec::new();
    let mut open: Vec<&SectionView> = Vec::new();
    for task in tasks {
        let chain = headings(plan, &task.number);
        let kept = open
            .iter()
            .zip(&chain)
            .take_while(|(a, b)| a.number == b.number)
            .count();
        out.extend(
            chain
                .iter()
                .enumerate()
                .skip(kept)
                .map(|(depth, s)| Entry::Heading(depth, s)),
        );
        open = chain;
        out.push(Entry::Task(task));
    }
    out
}

/// Whether a task matches a search: every word in its number, title, text and the
/// agencies as the plan writes them, or in the name of one agency assigned to it. A
/// word is not taken from one agency's name to complete another text: nearly every
/// task has "Bộ đội Biên phòng" among its agencies, and "bien gioi" must not find
/// every task that also says "giới thiệu".
pub fn matches(query: &Query, task: &TaskView) -> bool {
    query.is_empty()
        || query.matches_folded_by(
            [
                task.number.as_str(),
                &task.title,
                &task.text,
                &task.lead_text,
                &task.coordinating_text,
            ],
            fold,
        )
        || task
            .lead
            .iter()
            .chain(&task.coordinating)
            .any(|a| query.matches_folded_by([a.name.as_str()], fold))
}

/// How the field app folds text for its search: put in lower case by the browser
/// (`toLowerCase`), so that the app carries none of Rust's Unicode case tables.
#[cfg(not(feature = "workspace"))]
fn fold(text: &str) -> String {
    let lower = js_sys::JsString::from(text).to_lower_case();
    tiendo_shared::search::folded_lowercase(&String::from(lower))
}

/// The workspace, whose other pages search with Rust's own, folds the same way.
#[cfg(feature = "workspace")]
fn fold(text: &str) -> String {
    tiendo_shared::search::folded(text)
}

/// A heading of the plan in a list of tasks: a level-2 heading for a top-level one,
/// level 3 under it.
fn heading(depth: usize, section: &SectionView) -> impl IntoView + use<> {
    let text = format!("{}. {}", section.number, section.title);
    view! {
        <li class="section" data-testid=format!("section-{}", section.number)>
            {if depth == 0 {
                Either::Left(view! { <h2>{text}</h2> })
            } else {
                Either::Right(view! { <h3>{text}</h3> })
            }}
        </li>
    }
}

/// Whether the person's agency (or one above it: a border post under its command)
/// leads the task, coordinates it, or neither.
fn role_of(app: AppState, task: &TaskView) -> Option<T> {
    let agency = app
        .session
        .with(|s| s.as_ref().map(|s| s.user.agency.id.clone()))?;
    let lineage = app
        .plan
        .with(|p| p.as_ref().map(|p| p.lineage(&agency)))
        .unwrap_or_else(|| vec![agency]);
    let named =
        |list: &[tiendo_shared::protocol::AgencyRef]| list.iter().any(|a| lineage.contains(&a.id));
    if named(&task.lead) {
        Some(T::RoleLead)
    } else if named(&task.coordinating) || task.assigned {
        Some(T::RoleCoordinating)
    } else {
        None
    }
}

/// The task's own deadline when it falls in the period being reported on now, and
/// whether it has passed: "Hạn 30/06/2019".
fn due_in_open_period(app: AppState, task: &TaskView) -> Option<(String, bool)> {
    let now = js_sys::Date::now() as i64;
    app.plan.with(|plan| {
        let plan = plan.as_ref()?;
        let period = super::default_period(&plan.reporting, now)?;
        let due = task.due?;
        let (from, to) = period.span();
        (from <= due && due <= to).then(|| {
            let passed = tiendo_shared::plan::calendar::due_instant(due.add_days(1)) <= now;
            (due.to_dmy(), passed)
        })
    })
}

#[component]
fn TaskRow(task: TaskView) -> impl IntoView {
    let app = app();
    let href = Route::Task(task.number.clone()).href();
    let number = task.number.clone();
    let role = role_of(app, &task).map(|role| {
        let class = if role == T::RoleLead {
            "role lead"
        } else {
            "role"
        };
        view! { <span class=class>{app.tr(role)}</span> " " }
    });
    let due = due_in_open_period(app, &task).map(|(day, passed)| {
        let class = if passed { "due passed" } else { "due" };
        view! { " · " <span class=class data-testid="due">{move || i18n::due_on(app.lang.get(), &day)}</span> }
    });
    let chip = move || {
        let lang = app.lang.get();
        let (status, unsynced) = current_status(app, &number)?;
        let mut text = status.label(lang).to_owned();
        if unsynced {
            text = format!("{text} · {}", T::Unsynced.get(lang));
        }
        Some(view! { <span class=format!("status {}", status.code())>{text}</span> })
    };
    view! {
        <li>
            <a href=href data-testid=format!("task-{}", task.number)>
                <span class="num">{task.number.to_string()}</span>
                <span>
                    {task.title.clone()}
                    <br/>
                    {role}
                    <span class="muted">{task.timeframe.clone()}</span>
                    {due}
                </span>
                {chip}
            </a>
        </li>
    }
}

/// The latest status the person's view has for a task, and whether it is still only
/// on this device. Staff see their own agency's; supervisors the latest of any agency.
pub fn current_status(app: AppState, number: &TaskNumber) -> Option<(ProgressStatus, bool)> {
    let pending = app.pending.with(|pending| {
        pending
            .iter()
            .rev()
            .find_map(|entry| match &entry.mutation.body {
                MutationBody::ProgressRecord(record) if &record.task == number => {
                    Some(record.status)
                }
                _ => None,
            })
    });
    if let Some(status) = pending {
        return Some((status, true));
    }
    let session = app.session.get()?;
    app.updates.with(|updates| {
        updates
            .iter()
            .rev()
            .find(|u| {
                &u.task == number
                    && (session.user.role.reads_all() || u.agency.id == session.user.agency.id)
            })
            .map(|u| (u.status, false))
    })
}
