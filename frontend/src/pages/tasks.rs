//! The plan's tasks, with where the person's agency stands on each.

use leptos::prelude::*;
use tiendo_shared::ids::TaskNumber;
use tiendo_shared::progress::ProgressStatus;
use tiendo_shared::protocol::{MutationBody, TaskView};

use crate::i18n::{self, T};
use crate::state::{AppState, Route, app};

#[component]
pub fn TaskList() -> impl IntoView {
    let app = app();
    let records = move || {
        app.session
            .with(|s| s.as_ref().is_some_and(|s| s.user.role.records_progress()))
    };
    let only_mine = RwSignal::new(records());

    let tasks = move || {
        let mine = only_mine.get();
        app.plan.with(|plan| {
            plan.as_ref().map(|p| {
                p.tasks
                    .iter()
                    .filter(|t| !mine || t.assigned)
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
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
            <div class="toolbar">
                <label>
                    <input type="checkbox" prop:checked=move || only_mine.get()
                        on:change=move |ev| only_mine.set(event_target_checked(&ev))/>
                    {app.tr(T::OnlyMine)}
                </label>
            </div>
            <ul class="tasks" data-testid="tasks">
                <For
                    each=move || tasks().unwrap_or_default()
                    key=|task| task.number.clone()
                    children=move |task| view! { <TaskRow task=task/> }
                />
            </ul>
        </main>
    }
}

#[component]
fn TaskRow(task: TaskView) -> impl IntoView {
    let app = app();
    let href = Route::Task(task.number.clone()).href();
    let number = task.number.clone();
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
                    <span class="muted">{task.timeframe.clone()}</span>
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
