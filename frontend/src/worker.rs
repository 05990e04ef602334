//! The service worker from the page's side: registering it, and offering a new version
//! of the app once one has installed, instead of waiting for every tab to close.

use std::cell::RefCell;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ServiceWorker, ServiceWorkerRegistration, ServiceWorkerState};

thread_local! {
    /// This page's registration, asked again at the moment of updating: the worker
    /// that was waiting when the offer was made may have been replaced since.
    static REGISTRATION: RefCell<Option<ServiceWorkerRegistration>> = const { RefCell::new(None) };
}

/// Where this app's service worker is: the field app's at the root, the workspace's
/// under `/ws/` (its scope).
const WORKER: &str = if cfg!(feature = "workspace") {
    "/ws/sw.js"
} else {
    "/sw.js"
};

/// Registers this app's service worker, and sets `update_ready` when a new version is
/// waiting.
pub fn register(update_ready: RwSignal<bool>) {
    let container = window().navigator().service_worker();
    if container.is_undefined() {
        // No service workers here (an insecure context): the app works online only.
        return;
    }
    let registering = container.register(WORKER);
    spawn_local(async move {
        let Ok(registration) = JsFuture::from(registering).await else {
            return;
        };
        let registration: ServiceWorkerRegistration = registration.unchecked_into();
        REGISTRATION.with(|r| *r.borrow_mut() = Some(registration.clone()));
        offer_if_waiting(&registration, update_ready);
        let watched = registration.clone();
        let on_update_found = Closure::<dyn FnMut()>::new(move || {
            let Some(installing) = watched.installing() else {
                return;
            };
            let (worker, registration) = (installing.clone(), watched.clone());
            let on_state_change = Closure::<dyn FnMut()>::new(move || {
                if worker.state() == ServiceWorkerState::Installed {
                    offer_if_waiting(&registration, update_ready);
                }
            });
            installing.set_onstatechange(Some(on_state_change.as_ref().unchecked_ref()));
            // The handler lives as long as the worker it watches, that is, the page.
            on_state_change.forget();
        });
        registration.set_onupdatefound(Some(on_update_found.as_ref().unchecked_ref()));
        on_update_found.forget();
    });
}

/// The workspace's worker, which also carries the reports (see `pages::WorkspaceOnly`).
#[cfg(not(feature = "workspace"))]
const WORKSPACE_WORKER: &str = "/ws/sw.js";

/// In the field app, installs the workspace's worker in the background, so that an
/// agency head, who writes and submits the period reports, can open them with no
/// connection although they were never opened online. Field staff never fetch it.
#[cfg(not(feature = "workspace"))]
pub fn install_workspace() {
    let container = window().navigator().service_worker();
    if !container.is_undefined() {
        let _ = container.register(WORKSPACE_WORKER);
    }
}

/// In the field app, opens `href`, a page of the workspace, in place of this one when
/// it can be loaded: online, or offline once the workspace's worker keeps it. Whether
/// it went is not known here: the page stays as it is when it cannot.
#[cfg(not(feature = "workspace"))]
pub fn open_workspace(href: String) {
    let window = window();
    if window.navigator().on_line() {
        let _ = window.location().replace(&href);
        return;
    }
    let container = window.navigator().service_worker();
    if container.is_undefined() {
        return;
    }
    let asking = container.get_registration_with_document_url("/ws/");
    spawn_local(async move {
        let kept = JsFuture::from(asking)
            .await
            .ok()
            .and_then(|r| r.dyn_into::<ServiceWorkerRegistration>().ok())
            .is_some_and(|r| r.active().is_some());
        if kept {
            let _ = window.location().replace(&href);
        }
    });
}

/// Offers the waiting version, if there is one and it would replace a running one (the
/// very first install replaces nothing).
fn offer_if_waiting(registration: &ServiceWorkerRegistration, update_ready: RwSignal<bool>) {
    // The field app's worker (scope `/`) also controls the workspace's pages until the
    // workspace's own worker takes over: only this app's worker is a version to replace.
    let replaces = window()
        .navigator()
        .service_worker()
        .controller()
        .is_some_and(|c| c.script_url().ends_with(WORKER));
    if replaces && registration.waiting().is_some() {
        update_ready.set(true);
    }
}

/// Lets the new version take over, then reloads onto it. Nothing on the device is
/// lost: the outbox lives in IndexedDB.
pub fn apply_update() {
    let reload = || {
        let _ = window().location().reload();
    };
    let Some(registration) = REGISTRATION.with(|r| r.borrow().clone()) else {
        return reload();
    };
    let on_controller_change = Closure::once_into_js(reload);
    window()
        .navigator()
        .service_worker()
        .set_oncontrollerchange(Some(on_controller_change.unchecked_ref()));
    let take_over = |worker: &ServiceWorker| {
        let _ = worker.post_message(&JsValue::from_str("skip-waiting"));
    };
    if let Some(waiting) = registration.waiting() {
        take_over(&waiting);
    } else if let Some(installing) = registration.installing() {
        // A newer one is still installing: it takes over as soon as it has installed.
        let worker = installing.clone();
        let on_state_change = Closure::<dyn FnMut()>::new(move || {
            if worker.state() == ServiceWorkerState::Installed {
                take_over(&worker);
            }
        });
        installing.set_onstatechange(Some(on_state_change.as_ref().unchecked_ref()));
        on_state_change.forget();
    } else {
        reload();
    }
}
