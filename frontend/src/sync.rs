//! The sync engine: it runs in the page, pushes the outbox in order and pulls what
//! changed, by itself, whenever there may be a connection, and backs off when there
//! is none. Background Sync is not used: it exists only in Chromium.

use std::cell::{Cell, RefCell};

use js_sys::{Function, Promise};
use leptos::prelude::*;
use leptos::task::spawn_local;
use tiendo_shared::error::ApiError;
use tiendo_shared::protocol::{Cursor, Mutation, PushRequest, SCHEMA_VERSION};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::api::{self, CallError};
use crate::state::{AppState, SyncStatus};
use crate::store::{OutboxEntry, RejectedEntry, Session, Store};

/// The most mutations one push carries.
const BATCH: usize = 100;
/// The most bytes of JSON one push carries (a batch always has at least one
/// mutation), so that a few long reports never make a body the server refuses.
const BATCH_BYTES: usize = 256 * 1024;
/// How often to look for others' changes when all is well.
const POLL_MS: i32 = 30_000;
/// The longest wait between attempts when the server cannot be reached.
const MAX_BACKOFF_MS: i32 = 10_000;

thread_local! {
    static STORE: RefCell<Option<Store>> = const { RefCell::new(None) };
    static WAKE: RefCell<Option<Function>> = const { RefCell::new(None) };
    /// Set by [`kick`], so that a kick while a sync is running is not lost.
    static KICKED: Cell<bool> = const { Cell::new(false) };
}

/// Sets the store the engine and the pages use.
pub fn set_store(store: Store) {
    STORE.with(|s| *s.borrow_mut() = Some(store));
}

/// The local store.
pub fn store() -> Option<Store> {
    STORE.with(|s| s.borrow().clone())
}

/// Asks the engine to sync now instead of waiting out its timer.
pub fn kick() {
    KICKED.with(|k| k.set(true));
    if let Some(wake) = WAKE.with(|w| w.borrow_mut().take()) {
        let _ = wake.call0(&JsValue::NULL);
    }
}

/// Waits `ms` milliseconds, or less if [`kick`] is called (or was, since the last
/// sync began).
async fn nap(ms: i32) {
    if KICKED.with(|k| k.replace(false)) {
        return;
    }
    let promise = Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
        WAKE.with(|w| *w.borrow_mut() = Some(resolve));
    });
    let _ = JsFuture::from(promise).await;
    WAKE.with(|w| w.borrow_mut().take());
    KICKED.with(|k| k.set(false));
}

/// Whether `session` is still the signed-in one. A sync started for someone who has
/// since signed out finishes its work on the device but never touches the page.
fn current(app: AppState, session: &Session) -> bool {
    app.session
        .with_untracked(|s| s.as_ref().is_some_and(|s| s.token == session.token))
}

/// Starts the engine for the life of the page.
pub fn start(app: AppState) {
    spawn_local(async move {
        let mut backoff = 1_000;
        loop {
            let wait = match sync_once(app).await {
                Ok(()) => {
                    backoff = 1_000;
                    POLL_MS
                }
                Err(Stop::Retry) => {
                    backoff = (backoff * 2).min(MAX_BACKOFF_MS);
                    backoff
                }
                Err(Stop::UntilKicked) => i32::MAX,
            };
            nap(wait).await;
        }
    });
}

fn synced_key(username: &str) -> String {
    format!("tiendo.synced.{username}")
}

/// Keeps on the device when `username` last synced everything.
fn remember_synced(username: &str, ms: i64) {
    if let Some(Ok(Some(storage))) = web_sys::window().map(|w| w.local_storage()) {
        let _ = storage.set_item(&synced_key(username), &ms.to_string());
    }
}

/// When `username` last synced everything on this device.
pub fn last_synced(username: &str) -> Option<i64> {
    let storage = web_sys::window()?.local_storage().ok()??;
    storage.get_item(&synced_key(username)).ok()??.parse().ok()
}

/// Loads what the device holds for the signed-in person into the app's signals.
pub async fn load_local(app: AppState) {
    let (Some(store), Some(session)) = (store(), app.session.get_untracked()) else {
        return;
    };
    let username = session.user.username.clone();
    app.last_synced.set(last_synced(&username));
    if let Ok(plan) = store.plan(&username).await {
        app.plan.set(plan);
    }
    app.plans.set(store.plans(&username).await);
    // The cached changes may be another person's, from an earlier session.
    let holds = store.holds_pulled(&username).await;
    if holds && let Ok(updates) = store.updates().await {
        app.updates.set(updates);
    }
    // Only the workspace shows reports.
    #[cfg(feature = "workspace")]
    if holds && let Ok(reports) = store.reports().await {
        app.reports.set(reports);
    }
    refresh_outbox(app, &store, &session).await;
}

async fn refresh_outbox(app: AppState, store: &Store, session: &Session) {
    let username = &session.user.username;
    let pending = match store.client_id(username).await {
        Ok(client_id) => store.outbox(&client_id).await.ok(),
        Err(_) => None,
    };
    let rejected = store.rejected(username).await.ok();
    if !current(app, session) {
        return;
    }
    if let Some(pending) = pending {
        app.pending.set(pending);
    }
    if let Some(rejected) = rejected {
        app.rejected.set(rejected);
    }
}

enum Stop {
    /// Try again after a back-off.
    Retry,
    /// Nothing to do until something changes (a sign-in, a new update).
    UntilKicked,
}

async fn sync_once(app: AppState) -> Result<(), Stop> {
    let (Some(store), Some(session)) = (store(), app.session.get_untracked()) else {
        return Err(Stop::UntilKicked);
    };
    app.sync.set(SyncStatus::Syncing);
    let result = push_all(app, &store, &session, false).await;
    let result = match result {
        // A server that answers a reset to a known cursor may have been restored from
        // a backup: ask it how far it holds this device's mutations, and send again
        // what it lost.
        Ok(()) => match pull_all(app, &store, &session).await {
            Ok(true) => push_all(app, &store, &session, true).await,
            Ok(false) => Ok(()),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    refresh_outbox(app, &store, &session).await;
    if !current(app, &session) {
        // Someone else signed in meanwhile: start over for them at once.
        return Ok(());
    }
    let (status, stop) = match result {
        Ok(()) => {
            let now = js_sys::Date::now() as i64;
            app.last_synced.set(Some(now));
            remember_synced(&session.user.username, now);
            (SyncStatus::Synced, None)
        }
        Err(CallError::Api(ApiError::Unauthorized)) => {
            (SyncStatus::SessionExpired, Some(Stop::UntilKicked))
        }
        Err(CallError::Api(ApiError::UpgradeRequired { .. })) => {
            (SyncStatus::UpgradeRequired, Some(Stop::UntilKicked))
        }
        Err(_) => (SyncStatus::Offline, Some(Stop::Retry)),
    };
    app.sync.set(status);
    stop.map_or(Ok(()), Err)
}

/// Pushes the outbox in batches until it is empty. With `probe`, asks the server (an
/// empty push) how far it holds this device's mutations even when there is nothing to
/// send.
async fn push_all(
    app: AppState,
    store: &Store,
    session: &Session,
    mut probe: bool,
) -> Result<(), CallError> {
    let username = &session.user.username;
    let local = |_: JsValue| CallError::Unexpected(0);
    let mut client_id = store.client_id(username).await.map_err(local)?;
    let mut renumbered = false;
    let mut resent = false;
    loop {
        let outbox = store.outbox(&client_id).await.map_err(local)?;
        if outbox.is_empty() && !std::mem::take(&mut probe) {
            return Ok(());
        }
        let request = PushRequest {
            client_id: client_id.clone(),
            schema_version: SCHEMA_VERSION,
            mutations: batch(&outbox),
        };
        let acked = store.acked(&client_id).await.map_err(local)?;
        // The server holds fewer of this client id's mutations than it acknowledged:
        // restored from an older backup. Those kept go back to the outbox with their
        // numbers; if some are no longer kept, numbering starts again under a new
        // client id. Once per sync, so that it can never loop.
        let mut lost_after = None;
        match api::push(&session.token, &request).await {
            Ok(response) if response.last_seq < acked && !resent => {
                lost_after = Some(response.last_seq);
            }
            Err(CallError::Api(ApiError::OutOfOrder { expected }))
                if expected.saturating_sub(1) < acked && !resent =>
            {
                lost_after = Some(expected.saturating_sub(1));
            }
            Ok(response) => {
                let rejected = response
                    .rejected
                    .into_iter()
                    .filter_map(|rejection| {
                        let entry = outbox.iter().find(|e| e.mutation.seq == rejection.seq)?;
                        Some(RejectedEntry {
                            mutation: entry.mutation.clone(),
                            rejection,
                        })
                    })
                    .collect();
                store
                    .acknowledge(username, &client_id, response.last_seq, rejected)
                    .await
                    .map_err(local)?;
            }
            // The client id is someone else's on the server, or the server is behind
            // this device further than it kept: start a new client id and number the
            // queue again from 1. The mutation ids stay, and the server never applies
            // an id twice. Once per sync, so that it can never loop.
            Err(CallError::Api(ApiError::OutOfOrder { .. } | ApiError::Forbidden))
                if !renumbered =>
            {
                client_id = store.renumber(username).await.map_err(local)?;
                renumbered = true;
            }
            Err(e) => return Err(e),
        }
        // The server holds fewer of this client id's mutations than it acknowledged:
        // restored from an older backup. Those kept go back to the outbox with their
        // numbers, to be sent again; if some are no longer kept, numbering starts
        // again under a new client id. Once per sync, so that it can never loop.
        if let Some(held) = lost_after {
            resent = true;
            if !store.resend_after(&client_id, held).await.map_err(local)? && !renumbered {
                client_id = store.renumber(username).await.map_err(local)?;
                renumbered = true;
            }
        }
        refresh_outbox(app, store, session).await;
    }
}

/// The head of the outbox that one push carries: at most [`BATCH`] mutations and
/// [`BATCH_BYTES`] of JSON, and never none.
fn batch(outbox: &[OutboxEntry]) -> Vec<Mutation> {
    let mut bytes = 0;
    let mut batch = Vec::new();
    for entry in outbox.iter().take(BATCH) {
        bytes += tiendo_shared::json::to_string(&entry.mutation).map_or(0, |json| json.len()) + 1;
        if !batch.is_empty() && bytes > BATCH_BYTES {
            break;
        }
        batch.push(entry.mutation.clone());
    }
    batch
}

/// Pulls pages of changes until there are no more, then refreshes the plan (cheap when
/// it has not changed: the server answers 304 to the browser's revalidation).
/// Whether the server answered a reset to the cursor this device had (the first pull
/// after a restore from a backup), so that the caller checks what it lost.
async fn pull_all(app: AppState, store: &Store, session: &Session) -> Result<bool, CallError> {
    let username = &session.user.username;
    let local = |_: JsValue| CallError::Unexpected(0);
    // A device signing in for the first time gets the plan before the history, so
    // that the task list is there at once while a long history comes in behind it.
    if app.plan.with_untracked(Option::is_none) {
        refresh_plan(app, store, session).await?;
    }
    let mut cursor = store.cursor(username).await.map_err(local)?;
    let mut agencies_changed = false;
    let mut received = 0;
    let resumed = cursor != Cursor::START;
    let mut reset = false;
    let pulled = loop {
        let page = match api::pull(&session.token, cursor).await {
            Ok(page) => page,
            Err(e) => break Err(e),
        };
        reset |= page.reset && resumed;
        cursor = page.cursor;
        received += page.changes.len() as u64;
        let (has_more, remaining) = (page.has_more, page.remaining);
        match store.apply_pull(username, page).await {
            Ok(agencies) => agencies_changed |= agencies,
            Err(e) => break Err(local(e)),
        }
        if !has_more {
            break Ok(());
        }
        if current(app, session) {
            app.loading
                .set(Some((received, received + remaining.max(1))));
        }
    };
    app.loading.set(None);
    pulled?;
    // The person's own agency may have been renamed or merged: the stored session
    // says so now.
    if agencies_changed
        && let Ok(Some(stored)) = store.session().await
        && stored.token == session.token
        && current(app, session)
        && app.session.with_untracked(|s| s.as_ref() != Some(&stored))
    {
        app.session.set(Some(stored));
    }
    let updates = store.updates().await.map_err(local)?;
    #[cfg(feature = "workspace")]
    let reports = store.reports().await.map_err(local)?;
    if current(app, session) {
        app.updates.set(updates);
        #[cfg(feature = "workspace")]
        if app.reports.with_untracked(|r| *r != reports) {
            app.reports.set(reports);
        }
    }
    refresh_plan(app, store, session).await?;
    Ok(reset)
}

/// Fetches the plans of the person's province and the plan they work on (cheap when
/// unchanged: the server answers 304 to the browser's revalidation).
async fn refresh_plan(app: AppState, store: &Store, session: &Session) -> Result<(), CallError> {
    let username = &session.user.username;
    let local = |_: JsValue| CallError::Unexpected(0);
    // The plan the person chose on this device, while their province still lists it.
    let plans = api::plans(&session.token).await?;
    let choice = store
        .plan_choice(username)
        .await
        .filter(|c| plans.iter().any(|p| &p.code == c && !p.current));
    if current(app, session) && app.plans.with_untracked(|p| *p != plans) {
        store.set_plans(username, &plans).await.map_err(local)?;
        app.plans.set(plans);
    }
    let plan = api::plan(&session.token, choice.as_ref()).await?;
    // The signal mirrors the stored plan of the signed-in person (both are written
    // together, here and at start-up), so it tells whether anything changed. Only a
    // real change is stored and re-renders the pages (never the form being typed in).
    if current(app, session) && app.plan.with_untracked(|p| p.as_ref() != Some(&plan)) {
        store.set_plan(username, &plan).await.map_err(local)?;
        app.plan.set(Some(plan));
    }
    Ok(())
}
