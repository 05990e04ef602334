//! The Tiến độ web app: Leptos, rendered in the browser, offline first.
//!
//! [`start`] opens the local store, restores the session and mounts [`App`]. Pages
//! live in `pages`; the page's own sign-in form, usable before the app has arrived, is
//! taken over in `shell`; every network call in `api`; the outbox and caches in `store`
//! over `idb`; the sync loop in `sync`; the texts in `i18n`.
//!
//! The crate builds two apps: the field app (the default, served at `/`) and, with the
//! `workspace` feature, the supervisors' workspace (served at `/ws/`), which adds the
//! dashboard, the matrix and the results by agency. A supervisor who opens the field
//! app is sent to the workspace when it can be loaded.

mod api;
mod i18n;
mod idb;
mod pages;
mod shell;
mod state;
mod store;
mod sync;
mod worker;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::{Lang, T};
use crate::state::{AppState, Route, SyncStatus, app};
use crate::store::{Session, Store};

const LANG_KEY: &str = "tiendo.lang";

/// Boots the app.
pub fn start() {
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    // Leptos's executor starts with the first mount, so the boot itself is spawned
    // with wasm-bindgen's.
    wasm_bindgen_futures::spawn_local(async {
        let store = Store::open().await.ok();
        let session = match &store {
            Some(store) => store.session().await.ok().flatten(),
            None => None,
        };
        if let Some(store) = store {
            sync::set_store(store);
        }
        store::flag_signed_in(session.is_some());
        if session.as_ref().is_some_and(to_workspace) {
            return;
        }
        let state = AppState::new(saved_lang(), session, Route::from_hash(&location_hash()));
        if let Some(boot) = document().get_element_by_id("boot") {
            boot.remove();
        }
        leptos::mount::mount_to_body(move || {
            provide_context(state);
            view! { <App/> }
        });
        // The page's own sign-in form gives way to the app's, which took what was typed.
        shell::hand_over();
        sync::load_local(state).await;
        sync::start(state);
        worker::register(state.update_ready);
        store::request_persistence().await;
        if let Some(store) = sync::store() {
            let _ = store.prune_sent().await;
        }
    });
}

#[component]
fn App() -> impl IntoView {
    let app = app();
    let _ = window_event_listener(leptos::ev::hashchange, move |_| {
        app.route.set(Route::from_hash(&location_hash()));
    });
    let _ = window_event_listener(leptos::ev::online, move |_| sync::kick());
    // An agency head's device keeps the reports (built into the workspace) for offline
    // use from the first sign-in on; see `worker::install_workspace`.
    #[cfg(not(feature = "workspace"))]
    Effect::new(move |installed: Option<bool>| {
        let head = app.session.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.user.role == tiendo_shared::protocol::Role::Head)
        });
        if head && installed != Some(true) {
            worker::install_workspace();
        }
        head || installed == Some(true)
    });
    Effect::new(move |_| {
        let lang = app.lang.get();
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", lang.tag());
        }
    });
    view! {
        <Header/>
        {move || match (app.session.get().is_some(), app.route.get()) {
            (false, _) => view! { <pages::login::Login/> }.into_any(),
            (true, Route::Tasks) => view! { <pages::tasks::TaskList/> }.into_any(),
            (true, Route::Task(number)) => view! { <pages::task::TaskPage number=number/> }.into_any(),
            (true, route @ (Route::Reports(..) | Route::Report(..) | Route::Dashboard(..) | Route::Matrix | Route::Import | Route::Agencies | Route::Accounts | Route::Audit)) => {
                workspace_page(route)
            }
        }}
    }
}

#[cfg(feature = "workspace")]
fn workspace_page(route: Route) -> AnyView {
    match route {
        Route::Dashboard(period, as_of) => {
            view! { <pages::dashboard::DashboardPage period=period as_of=as_of/> }.into_any()
        }
        Route::Reports(period) => view! { <pages::reports::ReportsPage period=period/> }.into_any(),
        Route::Report(period, target) => {
            view! { <pages::report::ReportPage period=period target=target/> }.into_any()
        }
        Route::Import => view! { <pages::import::ImportPage/> }.into_any(),
        Route::Agencies => view! { <pages::agencies::AgenciesPage/> }.into_any(),
        Route::Accounts => view! { <pages::admin::AccountsPage/> }.into_any(),
        Route::Audit => view! { <pages::admin::AuditPage/> }.into_any(),
        _ => view! { <pages::matrix::MatrixPage/> }.into_any(),
    }
}

#[cfg(not(feature = "workspace"))]
fn workspace_page(route: Route) -> AnyView {
    view! { <pages::WorkspaceOnly route=route/> }.into_any()
}

/// In the field app, sends a supervisor's or administrator's session to the workspace
/// (same page, same hash) when the field app was opened at its root and the
/// workspace can be loaded (the browser is online). Whether it left the page.
pub(crate) fn to_workspace(session: &Session) -> bool {
    if cfg!(feature = "workspace") || !session.user.role.reads_all() {
        return false;
    }
    let window = window();
    let location = window.location();
    let at_root = location.pathname().is_ok_and(|path| path == "/");
    at_root
        && window.navigator().on_line()
        && location
            .replace(&format!("/ws/{}", location_hash()))
            .is_ok()
}

/// The header's links to the pages.
#[cfg(feature = "workspace")]
fn nav(app: AppState) -> impl IntoView {
    use crate::i18n::W;
    move || {
        app.session.get().is_some().then(|| {
            view! {
                <nav class="nav">
                    {app.session.with(|s| s.as_ref().is_some_and(|s| s.user.role.reads_all())).then(|| view! {
                        <a href=Route::Dashboard(None, None).href() data-testid="nav-dashboard">{app.tr(W::NavDashboard.into())}</a>
                        <a href=Route::Matrix.href() data-testid="nav-matrix">{app.tr(W::NavMatrix.into())}</a>
                    })}
                    <a href=Route::Reports(None).href() data-testid="nav-reports">{app.tr(T::NavReports)}</a>
                    <a href=Route::Tasks.href() data-testid="nav-tasks">{app.tr(W::NavTasks.into())}</a>
                    {app.session.with(|s| s.as_ref().is_some_and(|s| s.user.role == tiendo_shared::protocol::Role::Admin)).then(|| view! {
                        <a href=Route::Import.href() data-testid="nav-import">{app.tr(W::NavImport.into())}</a>
                        <a href=Route::Agencies.href() data-testid="nav-agencies">{app.tr(W::NavAgencies.into())}</a>
                        <a href=Route::Accounts.href() data-testid="nav-accounts">{app.tr(W::NavAccounts.into())}</a>
                        <a href=Route::Audit.href() data-testid="nav-audit">{app.tr(W::NavAudit.into())}</a>
                    })}
                </nav>
            }
        })
    }
}

/// The header's links to the pages, and for a supervisor the way to the workspace.
#[cfg(not(feature = "workspace"))]
fn nav(app: AppState) -> impl IntoView {
    move || {
        app.session.get().map(|s| {
            view! {
                <nav class="nav">
                    <a href=Route::Reports(None).href() data-testid="nav-reports">{app.tr(T::NavReports)}</a>
                    {s.user.role.reads_all().then(|| view! {
                        <a href="/ws/#/dashboard" data-testid="nav-workspace">{app.tr(T::Workspace)}</a>
                    })}
                </nav>
            }
        })
    }
}

#[component]
fn Header() -> impl IntoView {
    let app = app();
    let toggle_lang = move |_| {
        let next = match app.lang.get_untracked() {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        };
        app.lang.set(next);
        if let Ok(Some(storage)) = window().local_storage() {
            let _ = storage.set_item(LANG_KEY, next.tag());
        }
    };
    let sign_out = move |_| {
        let pending = app.pending.with_untracked(Vec::len);
        if pending > 0 {
            let question = i18n::confirm_sign_out(app.lang.get_untracked(), pending);
            if !window().confirm_with_message(&question).unwrap_or(false) {
                return;
            }
        }
        let token = app
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()));
        app.session.set(None);
        app.plan.set(None);
        app.updates.set(Vec::new());
        #[cfg(feature = "workspace")]
        app.reports.set(Vec::new());
        app.pending.set(Vec::new());
        app.rejected.set(Vec::new());
        app.sync.set(SyncStatus::Idle);
        app.last_synced.set(None);
        spawn_local(async move {
            if let Some(store) = sync::store() {
                let _ = store.clear_session().await;
                let _ = store.clear_pulled().await;
            }
            // The outbox stays for the next sign-in; the token ends now if the server
            // can be reached, and expires by itself otherwise.
            if let Some(token) = token {
                let _ = api::logout(&token).await;
            }
        });
    };
    let badge = move || {
        let lang = app.lang.get();
        let pending = app.pending.with(Vec::len);
        let status = app.sync.get();
        let (class, text) = match (&status, app.loading.get()) {
            (SyncStatus::Syncing, Some((done, total))) => {
                ("sync", i18n::loading(lang, done, total))
            }
            _ => badge_text(&status, pending, lang),
        };
        // The last time everything was sent and received, whatever the state now.
        let last = app.last_synced.get().map(|ms| {
            let text = i18n::synced_at(lang, ms, js_sys::Date::now() as i64);
            view! { <span class="last-sync" data-testid="last-sync">{text}</span> }
        });
        view! { <span class=class data-testid="sync-status" aria-live="polite">{text}</span> {last} }
    };
    fn badge_text(status: &SyncStatus, pending: usize, lang: Lang) -> (&'static str, String) {
        match status {
            SyncStatus::SessionExpired => ("sync problem", T::SessionExpired.get(lang).to_owned()),
            SyncStatus::UpgradeRequired => {
                ("sync problem", T::UpgradeRequired.get(lang).to_owned())
            }
            _ if pending > 0 => ("sync pending", i18n::pending_count(lang, pending)),
            SyncStatus::Offline => ("sync problem", T::Offline.get(lang).to_owned()),
            // Idle: a sync starts at once after sign-in or start-up; never "synced" before.
            SyncStatus::Idle | SyncStatus::Syncing => ("sync", T::Syncing.get(lang).to_owned()),
            SyncStatus::Synced => ("sync", T::Synced.get(lang).to_owned()),
        }
    }
    let offline_hint = move || {
        (app.sync.get() == SyncStatus::Offline && app.pending.with(|p| !p.is_empty()))
            .then(|| view! { <span class="sync problem" data-testid="offline">{app.t(T::Offline)}</span> })
    };
    view! {
        <header class="bar">
            <a class="brand" href="#/">{app.tr(T::AppName)}</a>
            {move || app.session.get().map(|s| view! {
                <span class="who" data-testid="who">{s.user.display_name.clone()} " · " {s.user.agency.name.clone()}</span>
            })}
            {nav(app)}
            <span class="spacer"></span>
            {move || app.session.get().is_some().then(|| view! { {badge} {offline_hint} })}
            {move || app.update_ready.get().then(|| view! {
                <button class="update" data-testid="new-version" on:click=move |_| worker::apply_update()>
                    {app.tr(T::NewVersion)}
                </button>
            })}
            <button on:click=toggle_lang data-testid="lang">{app.tr(T::Language)}</button>
            {move || app.session.get().is_some().then(|| view! {
                <button on:click=sign_out>{app.tr(T::SignOut)}</button>
            })}
        </header>
    }
}

fn location_hash() -> String {
    window().location().hash().unwrap_or_default()
}

fn saved_lang() -> Lang {
    window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(LANG_KEY).ok().flatten())
        .map_or(Lang::Vi, |tag| Lang::from_tag(&tag))
}

/// The offset times are shown in, in minutes east of UTC: Việt Nam's (UTC+7), whatever
/// the device's zone, because the plans' deadlines and the reporting calendar are in
/// Vietnam time and a time must read the same on every device.
pub(crate) fn local_offset_minutes() -> i64 {
    tiendo_shared::plan::calendar::VIETNAM_OFFSET_MINUTES
}

/// The current instant as RFC 3339.
pub(crate) fn now_rfc3339() -> String {
    js_sys::Date::new_0()
        .to_iso_string()
        .as_string()
        .unwrap_or_default()
}
