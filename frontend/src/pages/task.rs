//! One task: what the plan says, a form to record progress, and the history of
//! updates, the unsynced ones marked.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tiendo_shared::date::{format_dmy_hm, parse_rfc3339};
use tiendo_shared::ids::TaskNumber;
use tiendo_shared::progress::{Note, Percent, ProgressStatus};
use tiendo_shared::protocol::{Mutation, MutationBody, ProgressRecord, Timestamp};

use crate::i18n::{self, T};
use crate::state::{Route, app};
use crate::{local_offset_minutes, now_rfc3339, sync};

/// What is being typed in the record form: kept on the device as it is typed (a
/// working copy per person and task), so that a reload, a closed browser or a flat
/// battery loses nothing; gone once the update is queued.
#[derive(Clone, Copy)]
struct Draft {
    status: RwSignal<ProgressStatus>,
    percent: RwSignal<String>,
    note: RwSignal<String>,
    difficulties: RwSignal<String>,
    proposals: RwSignal<String>,
}

/// The working copy as stored: status code, percent, results, difficulties, proposals.
type StoredDraft = (String, String, String, String, String);

impl Draft {
    fn new() -> Draft {
        Draft {
            status: RwSignal::new(ProgressStatus::InProgress),
            percent: RwSignal::new(String::new()),
            note: RwSignal::new(String::new()),
            difficulties: RwSignal::new(String::new()),
            proposals: RwSignal::new(String::new()),
        }
    }

    fn texts(self) -> [RwSignal<String>; 4] {
        [self.note, self.difficulties, self.proposals, self.percent]
    }

    fn stored(self) -> StoredDraft {
        (
            self.status.get().code().to_owned(),
            self.percent.get(),
            self.note.get(),
            self.difficulties.get(),
            self.proposals.get(),
        )
    }

    fn fill(self, (status, percent, note, difficulties, proposals): StoredDraft) {
        if let Some(s) = ProgressStatus::ALL.into_iter().find(|s| s.code() == status) {
            self.status.set(s);
        }
        self.percent.set(percent);
        self.note.set(note);
        self.difficulties.set(difficulties);
        self.proposals.set(proposals);
    }

    /// Restores the working copy of `number`, then keeps it as the person types.
    fn keep(self, number: &TaskNumber) {
        let app = app();
        let Some(username) = app
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.user.username.clone()))
        else {
            return;
        };
        let name = format!("progress:{username}:{number}");
        let restored = RwSignal::new(false);
        {
            let name = name.clone();
            spawn_local(async move {
                if let Some(store) = sync::store()
                    && let Some(copy) = store.working_copy::<StoredDraft>(&name).await
                    && self
                        .texts()
                        .iter()
                        .all(|t| t.with_untracked(String::is_empty))
                {
                    self.fill(copy);
                }
                restored.set(true);
            });
        }
        Effect::new(move |_| {
            let copy = self.stored();
            if !restored.get() {
                return;
            }
            let name = name.clone();
            spawn_local(async move {
                let Some(store) = sync::store() else { return };
                let empty = [&copy.1, &copy.2, &copy.3, &copy.4]
                    .iter()
                    .all(|t| t.trim().is_empty());
                let _ = if empty {
                    store.clear_working_copy(&name).await
                } else {
                    store.set_working_copy(&name, &copy).await
                };
            });
        });
    }
}

#[component]
pub fn TaskPage(number: TaskNumber) -> impl IntoView {
    let app = app();
    let draft = Draft::new();
    draft.keep(&number);
    provide_context(draft);
    // A memo: the page below re-renders only when this task itself changes, never
    // for a language switch or another task's update, so typed text is kept.
    let task = {
        let number = number.clone();
        Memo::new(move |_| {
            app.plan.with(|p| {
                p.as_ref()
                    .and_then(|p| p.tasks.iter().find(|t| t.number == number).cloned())
            })
        })
    };
    view! {
        <main>
            <p><a href=Route::Tasks.href()>{app.tr(T::BackToTasks)}</a></p>
            {move || match task.get() {
                None => view! { <p class="notice">{app.tr(T::TaskNotFound)}</p> }.into_any(),
                Some(task) => view! {
                    <h1><span class="num">{task.number.to_string()}</span> " " {task.title.clone()}</h1>
                    <div class="card">
                        <p class="note" data-testid="task-text">{task.text.clone()}</p>
                        <p><strong>{app.tr(T::Lead)} ": "</strong>{task.lead_text.clone()}</p>
                        <p><strong>{app.tr(T::Coordinating)} ": "</strong>{task.coordinating_text.clone()}</p>
                        <p><strong>{app.tr(T::Timeframe)} ": "</strong>{task.timeframe.clone()}</p>
                    </div>
                    {results(task.number.clone())}
                    <RecordForm number=task.number.clone() assigned=task.assigned/>
                }.into_any(),
            }}
            <History number=number.clone()/>
        </main>
    }
}

/// In the workspace, what every assigned agency has done, under the plan's text.
#[cfg(feature = "workspace")]
fn results(number: TaskNumber) -> impl IntoView {
    view! { <super::contributions::Contributions number=number/> }
}

#[cfg(not(feature = "workspace"))]
fn results(_: TaskNumber) {}

#[component]
fn RecordForm(number: TaskNumber, assigned: bool) -> impl IntoView {
    let app = app();
    let records = app
        .session
        .with_untracked(|s| s.as_ref().is_some_and(|s| s.user.role.records_progress()));
    if !records {
        return view! { <p class="muted">{app.tr(T::ReadOnlyRole)}</p> }.into_any();
    }
    if !assigned {
        return view! { <p class="muted">{app.tr(T::NotAssigned)}</p> }.into_any();
    }
    let draft = expect_context::<Draft>();
    let Draft {
        status,
        percent,
        note,
        difficulties,
        proposals,
    } = draft;
    let message = RwSignal::new(None::<(bool, String)>);

    let submit = {
        let number = number.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let lang = app.lang.get_untracked();
            let Some(session) = app.session.get_untracked() else {
                return;
            };
            let texts =
                [note, difficulties, proposals].map(|text| Note::parse(&text.get_untracked()));
            let [results, difficulties_value, proposals_value] = match texts {
                [Ok(a), Ok(b), Ok(c)] => [a, b, c],
                [Err(e), ..] | [_, Err(e), _] | [.., Err(e)] => {
                    return message.set(Some((false, e.message(lang).to_owned())));
                }
            };
            let percent_text = percent.get_untracked();
            let percent_value = match percent_text.trim() {
                "" => None,
                text => match text
                    .parse::<i64>()
                    .map_err(|_| ())
                    .and_then(|v| Percent::new(v).map_err(|_| ()))
                {
                    Ok(p) => Some(p),
                    Err(()) => {
                        let e = tiendo_shared::progress::ProgressError::PercentOutOfRange;
                        return message.set(Some((false, e.message(lang).to_owned())));
                    }
                },
            };
            let Ok(observed_at) = Timestamp::parse(&now_rfc3339()) else {
                return;
            };
            // The update this one builds on: the latest the device knows for the agency.
            let base = app.updates.with_untracked(|updates| {
                updates
                    .iter()
                    .rev()
                    .find(|u| u.task == number && u.agency.id == session.user.agency.id)
                    .map(|u| u.id)
            });
            let body = MutationBody::ProgressRecord(ProgressRecord {
                plan: app
                    .plan
                    .with_untracked(|p| p.as_ref().map(|p| p.code.clone())),
                task: number.clone(),
                status: status.get_untracked(),
                note: Note::default(),
                results,
                difficulties: difficulties_value,
                proposals: proposals_value,
                percent: percent_value,
                observed_at,
                base,
            });
            spawn_local(async move {
                let Some(store) = sync::store() else {
                    return;
                };
                match store.enqueue(&session.user.username, body).await {
                    Ok(entry) => {
                        app.pending.update(|p| p.push(entry));
                        for text in draft.texts() {
                            text.set(String::new());
                        }
                        message.set(Some((true, T::Saved.get(lang).to_owned())));
                        sync::kick();
                    }
                    Err(_) => message.set(Some((false, T::SaveFailed.get(lang).to_owned()))),
                }
            });
        }
    };

    view! {
        <form class="card" on:submit=submit data-testid="record-form">
            <h2>{app.tr(T::RecordUpdate)}</h2>
            <fieldset class="statuses">
                <legend class="muted">{app.tr(T::Status)}</legend>
                {ProgressStatus::ALL.into_iter().map(|s| view! {
                    <label>
                        <input type="radio" name="status" value=s.code()
                            prop:checked=move || status.get() == s
                            on:change=move |_| status.set(s)/>
                        {move || s.label(app.lang.get())}
                    </label>
                }).collect_view()}
            </fieldset>
            <label for="percent">{app.tr(T::Percent)}</label>
            <input id="percent" name="percent" type="text" inputmode="numeric" maxlength="3"
                placeholder=app.tr(T::PercentHint)
                prop:value=move || percent.get()
                on:input=move |ev| percent.set(event_target_value(&ev))/>
            <label for="note">{app.tr(T::Note)}</label>
            <textarea id="note" name="note" maxlength="4000"
                prop:value=move || note.get()
                on:input=move |ev| note.set(event_target_value(&ev))></textarea>
            <label for="difficulties">{app.tr(T::Difficulties)}</label>
            <textarea id="difficulties" name="difficulties" maxlength="4000" class="short"
                prop:value=move || difficulties.get()
                on:input=move |ev| difficulties.set(event_target_value(&ev))></textarea>
            <label for="proposals">{app.tr(T::Proposals)}</label>
            <textarea id="proposals" name="proposals" maxlength="4000" class="short"
                prop:value=move || proposals.get()
                on:input=move |ev| proposals.set(event_target_value(&ev))></textarea>
            <p><button type="submit" class="primary">{app.tr(T::Save)}</button></p>
            <super::Outcome message=message/>
        </form>
    }
    .into_any()
}

/// One entry of the history, local or from the server.
#[derive(Clone)]
struct Item {
    key: String,
    status: ProgressStatus,
    percent: Option<Percent>,
    results: String,
    difficulties: String,
    proposals: String,
    who: String,
    observed_ms: i64,
    unsynced: bool,
    conflict: bool,
    /// Why the server refused it for good, if it did.
    rejected: Option<String>,
}

impl Item {
    /// The item as the record form holds it, to correct and send again.
    fn as_draft(&self) -> StoredDraft {
        (
            self.status.code().to_owned(),
            self.percent
                .map(|p| p.value().to_string())
                .unwrap_or_default(),
            self.results.clone(),
            self.difficulties.clone(),
            self.proposals.clone(),
        )
    }
}

impl Item {
    /// An item for a progress record still on this device (queued or refused).
    fn local(
        mutation: &Mutation,
        record: &ProgressRecord,
        who: &str,
        unsynced: bool,
        rejected: Option<String>,
    ) -> Item {
        Item {
            key: mutation.id.to_string(),
            status: record.status,
            percent: record.percent,
            results: record.results().as_str().to_owned(),
            difficulties: record.difficulties.as_str().to_owned(),
            proposals: record.proposals.as_str().to_owned(),
            who: who.to_owned(),
            observed_ms: record.observed_at.millis(),
            unsynced,
            conflict: false,
            rejected,
        }
    }
}

/// The progress record of `mutation` if it is one about `task`.
fn record_on<'a>(mutation: &'a Mutation, task: &TaskNumber) -> Option<&'a ProgressRecord> {
    match &mutation.body {
        MutationBody::ProgressRecord(record) if &record.task == task => Some(record),
        _ => None,
    }
}

/// How many entries of a history show at first, and how many more each time a person
/// asks: a task with thousands of updates opens at once.
const HISTORY_PAGE: usize = 30;

#[component]
fn History(number: TaskNumber) -> impl IntoView {
    let app = app();
    let shown = RwSignal::new(HISTORY_PAGE);
    let items = move || {
        let session = app.session.get();
        let who_local = session
            .as_ref()
            .map(|s| format!("{} · {}", s.user.display_name, s.user.agency.name))
            .unwrap_or_default();
        let mut items: Vec<Item> = app.pending.with(|pending| {
            pending
                .iter()
                .rev()
                .filter_map(|entry| {
                    let record = record_on(&entry.mutation, &number)?;
                    Some(Item::local(&entry.mutation, record, &who_local, true, None))
                })
                .collect()
        });
        // Refused for good: shown before the history, never paged away.
        let lang = app.lang.get();
        app.rejected.with(|rejected| {
            items.extend(rejected.iter().rev().filter_map(|entry| {
                let record = record_on(&entry.mutation, &number)?;
                let reason = entry.rejection.error.message(lang).to_owned();
                Some(Item::local(
                    &entry.mutation,
                    record,
                    &who_local,
                    false,
                    Some(reason),
                ))
            }));
        });
        app.updates.with(|updates| {
            items.extend(
                updates
                    .iter()
                    .rev()
                    .filter(|u| u.task == number)
                    .map(|u| Item {
                        key: u.mutation_id.to_string(),
                        status: u.status,
                        percent: u.percent,
                        // An update of schema version 1 has its results in the note.
                        results: if u.results.as_str().is_empty() {
                            u.note.as_str().to_owned()
                        } else {
                            u.results.as_str().to_owned()
                        },
                        difficulties: u.difficulties.as_str().to_owned(),
                        proposals: u.proposals.as_str().to_owned(),
                        who: format!("{} · {}", u.author_name, u.agency.name),
                        observed_ms: parse_rfc3339(u.observed_at.as_str()).unwrap_or_default(),
                        unsynced: false,
                        conflict: u.conflict,
                        rejected: None,
                    }),
            );
        });
        // An update that synced while its local copy was still listed shows once.
        let mut seen = std::collections::HashSet::new();
        items.retain(|item| seen.insert(item.key.clone()));
        items
    };
    view! {
        <h2>{app.tr(T::History)}</h2>
        {move || {
            let mut list = items();
            if list.is_empty() {
                return view! { <p class="muted">{app.t(T::NoUpdateYet)}</p> }.into_any();
            }
            let hidden = list.len().saturating_sub(shown.get());
            list.truncate(shown.get());
            let more = (hidden > 0).then(|| {
                let lang = app.lang.get();
                view! {
                    <button type="button" data-testid="history-more"
                        on:click=move |_| shown.update(|n| *n += HISTORY_PAGE)>
                        {i18n::older_updates(lang, hidden.min(HISTORY_PAGE), hidden)}
                    </button>
                }
            });
            view! {
                <ol class="history" data-testid="history">
                    {list.into_iter().map(|item| view! { <HistoryItem item=item/> }).collect_view()}
                </ol>
                {more}
            }
            .into_any()
        }}
    }
}

/// Takes a refused update back into the record form, to be corrected and saved again
/// (a new update, queued like any other); the refusal leaves the history.
fn correct(copy: StoredDraft, id: String) {
    let app = app();
    if let Some(draft) = use_context::<Draft>() {
        draft.fill(copy);
    }
    if let Some(note) = document().get_element_by_id("note")
        && let Ok(note) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(note)
    {
        let _ = note.focus();
    }
    let Some(username) = app
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.user.username.clone()))
    else {
        return;
    };
    spawn_local(async move {
        if let Some(store) = sync::store()
            && let Ok(rejected) = store.discard_rejected(&username, &id).await
        {
            app.rejected.set(rejected);
        }
    });
}

#[component]
fn HistoryItem(item: Item) -> impl IntoView {
    let app = app();
    let class = if item.unsynced {
        "unsynced"
    } else if item.conflict || item.rejected.is_some() {
        "conflict"
    } else {
        ""
    };
    let status = item.status;
    view! {
        <li class=class data-testid="update" data-synced=if item.unsynced { "false" } else { "true" }>
            <span class=format!("status {}", status.code())>{move || status.label(app.lang.get())}</span>
            {item.percent.map(|p| format!(" {}%", p.value()))}
            {item.unsynced.then(|| view! { <span class="badge">{app.tr(T::Unsynced)}</span> })}
            {item.conflict.then(|| view! { <span class="badge bad">{app.tr(T::Conflict)}</span> })}
            {item.rejected.clone().map(|reason| view! {
                <span class="badge bad" data-testid="rejected">{app.tr(T::Rejected)} ": " {reason.clone()}</span>
            })}
            {item.rejected.is_some().then(|| {
                let copy = item.as_draft();
                let id = item.key.clone();
                view! {
                    <button type="button" data-testid="correct" on:click=move |_| correct(copy.clone(), id.clone())>
                        {app.tr(T::CorrectAndResend)}
                    </button>
                }
            })}
            <p class="note">{item.results.clone()}</p>
            {(!item.difficulties.is_empty()).then(|| view! {
                <p class="detail"><strong>{app.tr(T::Difficulties)} ": "</strong>{item.difficulties.clone()}</p>
            })}
            {(!item.proposals.is_empty()).then(|| view! {
                <p class="detail"><strong>{app.tr(T::Proposals)} ": "</strong>{item.proposals.clone()}</p>
            })}
            <p class="muted">{item.who.clone()} " · " {format_dmy_hm(item.observed_ms, local_offset_minutes())}</p>
        </li>
    }
}
