//! App-wide state, provided once through context: the language, the session, the
//! cached plan and updates, the outbox, the sync status and the current page.

use leptos::prelude::*;
use tiendo_shared::ids::TaskNumber;
use tiendo_shared::protocol::{PlanView, ProgressUpdate};

use crate::i18n::Lang;
use crate::store::{OutboxEntry, RejectedEntry, Session};

/// Where the sync engine stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncStatus {
    /// Nothing attempted yet.
    Idle,
    Syncing,
    /// Everything sent, and everything new received.
    Synced,
    /// The server could not be reached; retrying by itself.
    Offline,
    /// The token is no longer valid; the queue waits for a new sign-in.
    SessionExpired,
    /// The server wants a newer app; the queue is kept.
    UpgradeRequired,
}

/// A page of the app, from the URL's hash (`#/`, `#/task/5.2`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Tasks,
    Task(TaskNumber),
}

impl Route {
    pub fn from_hash(hash: &str) -> Route {
        hash.trim_start_matches('#')
            .strip_prefix("/task/")
            .and_then(|number| TaskNumber::parse(number).ok())
            .map_or(Route::Tasks, Route::Task)
    }

    pub fn href(&self) -> String {
        match self {
            Route::Tasks => "#/".to_owned(),
            Route::Task(number) => format!("#/task/{number}"),
        }
    }
}

/// The app's signals. `Copy`, so closures take it freely.
#[derive(Clone, Copy)]
pub struct AppState {
    pub lang: RwSignal<Lang>,
    pub session: RwSignal<Option<Session>>,
    pub plan: RwSignal<Option<PlanView>>,
    pub updates: RwSignal<Vec<ProgressUpdate>>,
    pub pending: RwSignal<Vec<OutboxEntry>>,
    pub rejected: RwSignal<Vec<RejectedEntry>>,
    pub sync: RwSignal<SyncStatus>,
    pub route: RwSignal<Route>,
    /// A new version of the app is installed and waiting.
    pub update_ready: RwSignal<bool>,
}

impl AppState {
    pub fn new(lang: Lang, session: Option<Session>, route: Route) -> AppState {
        AppState {
            lang: RwSignal::new(lang),
            session: RwSignal::new(session),
            plan: RwSignal::new(None),
            updates: RwSignal::new(Vec::new()),
            pending: RwSignal::new(Vec::new()),
            rejected: RwSignal::new(Vec::new()),
            sync: RwSignal::new(SyncStatus::Idle),
            route: RwSignal::new(route),
            update_ready: RwSignal::new(false),
        }
    }

    /// A text in the current language.
    pub fn t(&self, text: crate::i18n::T) -> &'static str {
        text.get(self.lang.get())
    }
}

/// The app state from context.
pub fn app() -> AppState {
    expect_context::<AppState>()
}
