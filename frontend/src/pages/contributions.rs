//! On a task's page in the workspace: what each lead agency reported last, with the
//! coordinating agencies' contributions under them, and who has said nothing in the
//! current period.

use leptos::prelude::*;
use std::collections::HashMap;
use tiendo_shared::dashboard::dashboard;

use tiendo_shared::ids::{AgencyId, TaskNumber};
use tiendo_shared::protocol::{AgencyRef, PlanView, ProgressUpdate};

use super::dashboard::{period_or_default, today};
use super::reports::when;
use crate::i18n::{self, Lang, T, W};
use crate::state::{Route, app};

#[component]
pub fn Contributions(number: TaskNumber) -> impl IntoView {
    let app = app();
    move || {
        let lang = app.lang.get();
        let plan = app.plan.get()?;
        let task = plan.tasks.iter().find(|t| t.number == number)?;
        let period = period_or_default(&plan, None);
        // This task's updates only: a supervisor's device holds a year of everyone's.
        let updates: Vec<ProgressUpdate> = app
            .updates
            .with(|all| all.iter().filter(|u| u.task == number).cloned().collect());
        let one_task = PlanView {
            tasks: vec![task.clone()],
            ..plan.clone()
        };
        let standing = dashboard(&one_task, &updates, period, today())
            .tasks
            .into_iter()
            .next()?;
        // The latest update of each agency and of every agency above it (a unit's word
        // counts for its command), in one pass from the newest.
        let mut newest: HashMap<AgencyId, &ProgressUpdate> = HashMap::new();
        for u in updates.iter().rev() {
            for agency in plan.lineage(&u.agency.id) {
                newest.entry(agency).or_insert(u);
            }
        }
        let latest = |agency: &AgencyRef| newest.get(&agency.id).map(|u| (*u).clone());
        // Each update once: a unit that coordinates a task its command leads has its
        // word shown under the command.
        let mut shown = Vec::new();
        let mut part = |agencies: &[AgencyRef], role: W| {
            agencies
                .iter()
                .filter_map(|a| {
                    let u = latest(a).filter(|u| !shown.contains(&u.id))?;
                    shown.push(u.id);
                    Some(contribution(lang, a, role, &u))
                })
                .collect::<Vec<_>>()
        };
        let leads = part(&task.lead, W::RoleLead);
        let coordinating = part(&task.coordinating, W::RoleCoordinating);
        let nothing = (leads.is_empty() && coordinating.is_empty())
            .then(|| view! { <p class="muted">{W::NoResultsYet.get(lang)}</p> });
        let silent = if standing.silent.is_empty() {
            W::Everyone.get(lang).to_owned()
        } else {
            let names: Vec<&str> = standing.silent.iter().map(|a| a.name.as_str()).collect();
            format!("{}: {}.", W::NotReported.get(lang), names.join(", "))
        };
        Some(view! {
            <section class="card" data-testid="contributions">
                <h2>{W::ResultsByAgency.get(lang)}</h2>
                {leads}
                {(!coordinating.is_empty()).then(|| view! { <div class="coordinating">{coordinating}</div> })}
                {nothing}
                <p class="silent" data-testid="silent">{silent}</p>
                <p class="no-print">
                    <a href=Route::Reports(Some(period)).href()>
                        {W::PeriodReports.get(lang)} " (" {i18n::period_name(lang, period)} ") →"
                    </a>
                </p>
            </section>
        })
    }
}

/// One agency's latest word on the task.
fn contribution(
    lang: Lang,
    agency: &AgencyRef,
    role: W,
    u: &ProgressUpdate,
) -> impl IntoView + use<> {
    let text = |label: T, text: &str| {
        (!text.is_empty()).then(|| {
            view! { <p class="detail"><strong>{label.get(lang)} ": "</strong>{text.to_owned()}</p> }
        })
    };
    // An update of schema version 1 has its results in the note.
    let results = if u.results.as_str().is_empty() {
        u.note.as_str()
    } else {
        u.results.as_str()
    };
    // A unit's update counts for the agency above it; say whose it was.
    let unit = (u.agency.id != agency.id).then(|| format!("{} · ", u.agency.name));
    view! {
        <article class="contribution" data-testid=format!("contribution-{}", agency.id)>
            <p>
                <strong>{agency.name.clone()}</strong>
                <span class="muted">" (" {role.get(lang)} ") "</span>
                <span class=format!("status {}", u.status.code())>{u.status.label(lang)}</span>
                {u.percent.map(|p| format!(" {}%", p.value()))}
            </p>
            {text(T::Note, results)}
            {text(T::Difficulties, u.difficulties.as_str())}
            {text(T::Proposals, u.proposals.as_str())}
            <p class="muted">{unit} {u.author_name.clone()} " · " {when(u.observed_at.millis())}</p>
        </article>
    }
}
