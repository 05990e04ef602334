//! App-wide state, provided once through context: the language, the session, the
//! cached plan, updates and report events, the outbox, the sync status and the current
//! page.

use leptos::prelude::*;
use tiendo_shared::date::Date;
use tiendo_shared::ids::{AgencyId, TaskNumber};
use tiendo_shared::plan::Period;
use tiendo_shared::protocol::{PlanListing, PlanView, ProgressUpdate};
#[cfg(feature = "workspace")]
use tiendo_shared::report::ReportEvent;

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

/// A page of the app, from the URL's hash (`#/`, `#/task/5.2`, `#/reports/H1-2019`,
/// `#/report/H1-2019/so-vhttdl`, `#/dashboard/H1-2019/2019-07-01`, `#/matrix`). The
/// dashboard and the matrix are pages of the supervisors' workspace; the field app
/// knows their addresses only to send people there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Tasks,
    Task(TaskNumber),
    /// The reports of a period (the default period when `None`).
    Reports(Option<Period>),
    Report(Period, ReportTarget),
    /// The plan at a glance for a period (the default one when `None`) as of a day
    /// (today when `None`).
    Dashboard(Option<Period>, Option<Date>),
    /// Tasks × agencies.
    Matrix,
    /// An administrator imports a plan file (workspace).
    Import,
    /// An administrator confirms, renames and merges agencies (workspace).
    Agencies,
    /// An administrator's accounts (workspace).
    Accounts,
    /// An administrator's audit trail (workspace).
    Audit,
}

/// Whose report a report page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportTarget {
    /// The person's own reporting agency.
    Own,
    Agency(AgencyId),
    /// The consolidating department's consolidated report.
    Consolidated,
}

impl Route {
    pub fn from_hash(hash: &str) -> Route {
        let path = hash.trim_start_matches('#');
        let mut parts = path.split('/').filter(|part| !part.is_empty());
        let route = match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some("task"), Some(number), None, None) => {
                TaskNumber::parse(number).ok().map(Route::Task)
            }
            (Some("reports"), None, ..) => Some(Route::Reports(None)),
            (Some("reports"), Some(period), None, None) => {
                Period::parse(period).map(|p| Route::Reports(Some(p)))
            }
            (Some("report"), Some(period), target, None) => {
                let target = match target {
                    None => Some(ReportTarget::Own),
                    Some("consolidated") => Some(ReportTarget::Consolidated),
                    Some(id) => AgencyId::parse(id).ok().map(ReportTarget::Agency),
                };
                Period::parse(period)
                    .zip(target)
                    .map(|(p, t)| Route::Report(p, t))
            }
            (Some("dashboard"), period, as_of, None) => match (period, as_of) {
                (None, _) => Some(Route::Dashboard(None, None)),
                (Some(period), None) => {
                    Period::parse(period).map(|p| Route::Dashboard(Some(p), None))
                }
                (Some(period), Some(day)) => Period::parse(period)
                    .zip(Date::parse_iso(day).ok())
                    .map(|(p, d)| Route::Dashboard(Some(p), Some(d))),
            },
            (Some("matrix"), None, ..) => Some(Route::Matrix),
            (Some("import"), None, ..) => Some(Route::Import),
            (Some("agencies"), None, ..) => Some(Route::Agencies),
            (Some("accounts"), None, ..) => Some(Route::Accounts),
            (Some("audit"), None, ..) => Some(Route::Audit),
            _ => None,
        };
        route.unwrap_or(Route::Tasks)
    }

    pub fn href(&self) -> String {
        match self {
            Route::Tasks => "#/".to_owned(),
            Route::Task(number) => format!("#/task/{number}"),
            Route::Reports(None) => "#/reports".to_owned(),
            Route::Reports(Some(period)) => format!("#/reports/{period}"),
            Route::Report(period, ReportTarget::Own) => format!("#/report/{period}"),
            Route::Report(period, ReportTarget::Agency(id)) => format!("#/report/{period}/{id}"),
            Route::Report(period, ReportTarget::Consolidated) => {
                format!("#/report/{period}/consolidated")
            }
            Route::Dashboard(None, _) => "#/dashboard".to_owned(),
            Route::Dashboard(Some(period), None) => format!("#/dashboard/{period}"),
            Route::Dashboard(Some(period), Some(day)) => {
                format!("#/dashboard/{period}/{}", day.to_iso())
            }
            Route::Matrix => "#/matrix".to_owned(),
            Route::Import => "#/import".to_owned(),
            Route::Agencies => "#/agencies".to_owned(),
            Route::Accounts => "#/accounts".to_owned(),
            Route::Audit => "#/audit".to_owned(),
        }
    }
}

/// The app's signals. `Copy`, so closures take it freely.
#[derive(Clone, Copy)]
pub struct AppState {
    pub lang: RwSignal<Lang>,
    pub session: RwSignal<Option<Session>>,
    pub plan: RwSignal<Option<PlanView>>,
    /// The plans of the person's province, newest first (a picker when more than one).
    pub plans: RwSignal<Vec<PlanListing>>,
    pub updates: RwSignal<Vec<ProgressUpdate>>,
    /// Every report event the person may see, in the server's order (the workspace's
    /// pages only: the field app keeps them on the device without reading them).
    #[cfg(feature = "workspace")]
    pub reports: RwSignal<Vec<ReportEvent>>,
    pub pending: RwSignal<Vec<OutboxEntry>>,
    pub rejected: RwSignal<Vec<RejectedEntry>>,
    pub sync: RwSignal<SyncStatus>,
    pub route: RwSignal<Route>,
    /// A new version of the app is installed and waiting.
    pub update_ready: RwSignal<bool>,
    /// While a long download goes on: the changes received and the total expected.
    pub loading: RwSignal<Option<(u64, u64)>>,
    /// When the device last synced everything (ms since the epoch), kept on the device.
    pub last_synced: RwSignal<Option<i64>>,
}

impl AppState {
    pub fn new(lang: Lang, session: Option<Session>, route: Route) -> AppState {
        AppState {
            lang: RwSignal::new(lang),
            session: RwSignal::new(session),
            plan: RwSignal::new(None),
            plans: RwSignal::new(Vec::new()),
            updates: RwSignal::new(Vec::new()),
            #[cfg(feature = "workspace")]
            reports: RwSignal::new(Vec::new()),
            pending: RwSignal::new(Vec::new()),
            rejected: RwSignal::new(Vec::new()),
            sync: RwSignal::new(SyncStatus::Idle),
            route: RwSignal::new(route),
            update_ready: RwSignal::new(false),
            loading: RwSignal::new(None),
            last_synced: RwSignal::new(None),
        }
    }

    /// A text in the current language.
    pub fn t(&self, text: crate::i18n::T) -> &'static str {
        text.get(self.lang.get())
    }

    /// A text for a view, that follows the language. Every text is the same closure
    /// type, so the views share one copy of its rendering code (a smaller bundle than
    /// a closure of its own at each place).
    pub fn tr(self, text: crate::i18n::T) -> impl Fn() -> &'static str + Copy + Send + Sync {
        move || text.get(self.lang.get())
    }
}

/// The app state from context.
pub fn app() -> AppState {
    expect_context::<AppState>()
}
