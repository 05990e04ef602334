//! An administrator imports a plan from the file it is published in: choose the file,
//! read the preview (a dry run that changes nothing), then confirm.

use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use tiendo_shared::protocol::Role;

use crate::api::{self, CallError};
use crate::i18n::{T, W};
use crate::pages::Outcome;
use crate::state::{Route, app};
use crate::sync;

/// The import summary, as far as this page shows it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Summary {
    code: String,
    applied: bool,
    tasks: usize,
    added: Vec<Brief>,
    changed: Vec<Brief>,
    withdrawn: Vec<Brief>,
    new_agencies: Vec<NewAgency>,
    unmapped_groups: Vec<String>,
    warnings: Vec<Warning>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Brief {
    number: String,
    title: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct NewAgency {
    name: String,
    kind: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Warning {
    place: String,
    message: String,
    #[serde(default)]
    place_vi: String,
    #[serde(default)]
    message_vi: String,
}

impl Warning {
    /// Where and what, in the language the page is shown in.
    fn text(&self, lang: crate::i18n::Lang) -> String {
        match lang {
            crate::i18n::Lang::Vi if !self.message_vi.is_empty() => {
                format!("{}: {}", self.place_vi, self.message_vi)
            }
            _ => format!("{}: {}", self.place, self.message),
        }
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let app = app();
    let admin = move || {
        app.session
            .with(|s| s.as_ref().is_some_and(|s| s.user.role == Role::Admin))
    };
    let input = NodeRef::<Input>::new();
    let summary = RwSignal::new(None::<Summary>);
    let message = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(false);

    let send = move |dry_run: bool| {
        let lang = app.lang.get_untracked();
        let file = input
            .get_untracked()
            .and_then(|i| i.files())
            .and_then(|f| f.get(0));
        let token = app
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()));
        let (Some(file), Some(token)) = (file, token) else {
            message.set(Some((false, W::ImportChooseFile.get(lang).to_owned())));
            return;
        };
        busy.set(true);
        message.set(None);
        spawn_local(async move {
            let path = format!("/api/v1/plans/import?dry_run={dry_run}");
            match api::upload::<Summary>(&token, &path, &file).await {
                Ok(read) => {
                    let done = if read.applied {
                        sync::kick();
                        W::ImportDone
                    } else {
                        W::ImportPreviewed
                    };
                    message.set(Some((true, done.get(lang).to_owned())));
                    summary.set(Some(read));
                }
                Err(e) => {
                    let text = match e {
                        CallError::Network => W::ImportNeedsNetwork.get(lang).to_owned(),
                        CallError::Api(e) => e.message(lang),
                        CallError::Unexpected(_) => W::ImportFailed.get(lang).to_owned(),
                    };
                    message.set(Some((false, text)));
                    summary.set(None);
                }
            }
            busy.set(false);
        });
    };
    let confirmable = move || summary.with(|s| s.as_ref().is_some_and(|s| !s.applied));

    view! {
        <main>
            <h1>{app.tr(W::ImportTitle.into())}</h1>
            <Show when=admin fallback=move || view! {
                <p class="notice">{app.tr(W::ImportAdminOnly.into())}</p>
            }>
                <div class="toolbar">
                    <label>
                        {app.tr(W::ImportFile.into())} " "
                        <input id="plan-file" type="file" node_ref=input
                            accept=".docx,.md,.txt,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/plain"
                            on:change=move |_| { summary.set(None); message.set(None); }/>
                    </label>
                    <button type="button" data-testid="import-preview"
                        disabled=move || busy.get() on:click=move |_| send(true)>
                        {app.tr(W::ImportPreview.into())}
                    </button>
                    <Show when=confirmable>
                        <button type="button" data-testid="import-confirm"
                            disabled=move || busy.get() on:click=move |_| send(false)>
                            {app.tr(W::ImportConfirm.into())}
                        </button>
                    </Show>
                </div>
                <Outcome message=message/>
                {move || summary.get().map(summary_view)}
            </Show>
        </main>
    }
}

/// What the import did, or would do.
fn summary_view(s: Summary) -> impl IntoView {
    let app = app();
    let briefs = |title: W, list: Vec<Brief>| {
        section(
            title,
            list.into_iter()
                .map(|t| format!("{} {}", t.number, t.title))
                .collect(),
        )
    };
    view! {
        <section data-testid="import-summary">
            <h2>{format!("{}: {} ", s.code, s.tasks)}{app.tr(W::ImportTasks.into())}</h2>
            {briefs(W::ImportAdded, s.added)}
            {briefs(W::ImportChanged, s.changed)}
            {briefs(W::ImportWithdrawn, s.withdrawn)}
            {(s.applied && !s.new_agencies.is_empty()).then(|| view! {
                <p><a href=Route::Agencies.href() data-testid="review-agencies">{app.tr(W::ImportReviewAgencies.into())}</a></p>
            })}
            {section(
                W::ImportNewAgencies,
                s.new_agencies.into_iter().map(|a| format!("{} ({})", a.name, a.kind)).collect(),
            )}
            {section(W::ImportUnmapped, s.unmapped_groups)}
            {move || section(
                W::ImportWarnings,
                s.warnings.iter().map(|w| w.text(app.lang.get())).collect(),
            )}
        </section>
    }
}

/// A titled list with its count; the title alone, with 0, when it is empty.
fn section(title: W, items: Vec<String>) -> impl IntoView {
    let app = app();
    let text: T = title.into();
    view! {
        <h3>{app.tr(text)} {format!(": {}", items.len())}</h3>
        <ul>{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul>
    }
}
