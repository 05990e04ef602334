//! The app's pages, one file each.

pub mod login;
pub mod report;
pub mod reports;
pub mod task;
pub mod tasks;

use leptos::prelude::*;

/// What came of a form: a notice, or an error.
#[component]
pub fn Outcome(message: RwSignal<Option<(bool, String)>>) -> impl IntoView {
    move || {
        message.get().map(|(ok, text)| {
            view! { <p class=if ok { "notice" } else { "error" } role="status">{text}</p> }
        })
    }
}
