//! The app's pages, one file each. The supervisors' workspace (`dashboard`, `matrix`,
//! the results by agency on a task's page, `contributions`, and an administrator's
//! plan import, `import`) is built only with the `workspace` feature, so field staff
//! never download it.

#[cfg(feature = "workspace")]
pub mod admin;
#[cfg(feature = "workspace")]
pub mod agencies;
#[cfg(feature = "workspace")]
pub mod contributions;
#[cfg(feature = "workspace")]
pub mod dashboard;
#[cfg(feature = "workspace")]
pub mod import;
pub mod login;
#[cfg(feature = "workspace")]
pub mod matrix;
#[cfg(feature = "workspace")]
pub mod report;
#[cfg(feature = "workspace")]
pub mod reports;
pub mod task;
pub mod tasks;

use leptos::prelude::*;
#[cfg(feature = "workspace")]
use leptos::task::spawn_local;
#[cfg(feature = "workspace")]
use tiendo_shared::ids::{AgencyId, PlanCode};
#[cfg(feature = "workspace")]
use tiendo_shared::plan::Period;

#[cfg(feature = "workspace")]
use crate::api::{self, CallError};
use crate::i18n::T;
#[cfg(feature = "workspace")]
use crate::i18n::W;
use crate::state::app;

/// What came of a form: a notice, or an error.
#[component]
pub fn Outcome(message: RwSignal<Option<(bool, String)>>) -> impl IntoView {
    move || {
        message.get().map(|(ok, text)| {
            view! { <p class=if ok { "notice" } else { "error" } role="status">{text}</p> }
        })
    }
}

/// The query of an export of `period`: the consolidated report when `agency` is
/// `None`. The exports are on the workspace's pages only.
#[cfg(feature = "workspace")]
pub fn export_query(
    plan: &PlanCode,
    period: Period,
    format: &str,
    agency: Option<&AgencyId>,
) -> String {
    let plan = String::from(js_sys::encode_uri_component(plan.as_str()));
    let mut query = format!("plan={plan}&period={period}&format={format}");
    if let Some(agency) = agency {
        query.push_str("&agency=");
        query.push_str(agency.as_str());
    }
    query
}

/// A button that downloads an export from the server, and says so plainly in
/// `message` when it cannot: an export needs the network.
#[cfg(feature = "workspace")]
#[component]
pub fn ExportButton(
    label: T,
    testid: &'static str,
    query: String,
    message: RwSignal<Option<(bool, String)>>,
) -> impl IntoView {
    let app = app();
    let busy = RwSignal::new(false);
    let path = StoredValue::new(format!("/api/v1/reports/export?{query}"));
    let click = move |_| {
        let Some(token) = app
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
        else {
            return;
        };
        busy.set(true);
        message.set(None);
        spawn_local(async move {
            let lang = app.lang.get_untracked();
            let failed = match api::download(&token, &path.get_value()).await {
                Ok((blob, name)) => api::save(&blob, &name)
                    .err()
                    .map(|_| W::DownloadFailed.get(lang).to_owned()),
                Err(CallError::Network) => Some(W::DownloadNeedsNetwork.get(lang).to_owned()),
                Err(CallError::Api(e)) => Some(e.message(lang)),
                Err(CallError::Unexpected(_)) => Some(W::DownloadFailed.get(lang).to_owned()),
            };
            message.set(failed.map(|text| (false, text)));
            busy.set(false);
        });
    };
    view! {
        <button type="button" class="export" data-testid=testid
            disabled=move || busy.get() on:click=click>
            {app.tr(label)}
        </button>
    }
}

/// In the field app, a page of the workspace: where to find it. The reports (the
/// period reports' listing and editor) are built into the workspace too, so that field
/// staff who only record progress never download them: their routes go on to the
/// workspace by themselves when it can be loaded, and say why not otherwise.
#[cfg(not(feature = "workspace"))]
#[component]
pub fn WorkspaceOnly(route: crate::state::Route) -> impl IntoView {
    use crate::state::Route;
    let app = app();
    let href = format!("/ws/{}", route.href());
    let reports = matches!(route, Route::Reports(_) | Route::Report(..));
    let (text, link) = if reports {
        crate::worker::open_workspace(href.clone());
        (T::ReportsNeedNetwork, T::NavReports)
    } else {
        (T::WorkspaceOnly, T::Workspace)
    };
    view! {
        <main>
            <p class="notice" data-testid="workspace-only">{app.tr(text)}</p>
            <p><a href=href>{app.tr(link)} " →"</a></p>
        </main>
    }
}

/// The period to show when none is named: the one whose agencies' deadline comes
/// next, else the one whose deadline passed last.
pub fn default_period(
    reporting: &[tiendo_shared::protocol::ReportDeadline],
    now: i64,
) -> Option<tiendo_shared::plan::Period> {
    let upcoming = reporting
        .iter()
        .filter(|d| tiendo_shared::plan::calendar::due_instant(d.agency_deadline) > now)
        .min_by_key(|d| d.agency_deadline);
    upcoming
        .or_else(|| reporting.iter().max_by_key(|d| d.agency_deadline))
        .map(|d| d.period)
}
