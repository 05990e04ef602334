//! An administrator's agencies page: the registry of record of their province. The
//! agencies an imported plan named without any registry knowing them come first,
//! waiting to be confirmed as they are, renamed, or merged into an agency the province
//! already has. Needs the network: these are changes to the registry of record, made
//! at the Department, not in the field.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tiendo_shared::error::ApiError;
use tiendo_shared::ids::AgencyId;
use tiendo_shared::protocol::{
    AgencyConfirmRequest, AgencyEntry, AgencyMergeRequest, AgencyRenameRequest, Role,
};
use tiendo_shared::search::Query;

use crate::api::{self, CallError};
use crate::i18n::{Lang, W};
use crate::pages::Outcome;
use crate::state::app;

/// The kind of an agency as people say it.
fn kind_label(kind: &str, lang: Lang) -> &'static str {
    let (vi, en) = match kind {
        "department" => ("Sở, ban, ngành", "Department"),
        "district" => ("UBND cấp huyện", "District committee"),
        "commune" => ("UBND cấp xã", "Commune committee"),
        "press" => ("Báo chí", "Press"),
        "armed_forces" => ("Lực lượng vũ trang", "Armed forces"),
        "party" => ("Cơ quan Đảng", "Party body"),
        "central" => ("Trung ương", "Central government"),
        _ => ("Khác", "Other"),
    };
    lang.pick(vi, en)
}

/// What went wrong with an administrator's call, as the person reads it (`offline`
/// when there was no answer): a refusal's reason comes as the server words it, in
/// their language where it can.
pub(super) fn failure(e: CallError, lang: Lang, offline: W) -> String {
    match e {
        CallError::Network => offline.get(lang).to_owned(),
        CallError::Api(ApiError::Invalid { detail, .. }) => detail,
        CallError::Api(e) => e.message(lang),
        CallError::Unexpected(_) => W::AgenciesFailed.get(lang).to_owned(),
    }
}

#[component]
pub fn AgenciesPage() -> impl IntoView {
    let app = app();
    let admin = move || {
        app.session
            .with(|s| s.as_ref().is_some_and(|s| s.user.role == Role::Admin))
    };
    let list = RwSignal::new(None::<Vec<AgencyEntry>>);
    let message = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(false);
    let waiting_only = RwSignal::new(true);
    let search = RwSignal::new(String::new());
    let editing = RwSignal::new(None::<AgencyId>);
    let token = move || {
        app.session
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
    };

    let load = move || {
        let Some(token) = token() else { return };
        spawn_local(async move {
            match api::agencies(&token).await {
                Ok(read) => {
                    waiting_only.set(read.iter().any(|a| !a.confirmed));
                    list.set(Some(read));
                }
                Err(e) => message.set(Some((
                    false,
                    failure(e, app.lang.get_untracked(), W::AgenciesNeedNetwork),
                ))),
            }
        });
    };
    if admin() {
        load();
    }

    // One change to the registry: sent, then the list as the server has it after.
    let act = move |path: &'static str, body: Action, done: W| {
        let Some(token) = token() else { return };
        let lang = app.lang.get_untracked();
        busy.set(true);
        message.set(None);
        spawn_local(async move {
            let result = match &body {
                Action::Rename(r) => api::agency_action(&token, path, r).await,
                Action::Merge(m) => api::agency_action(&token, path, m).await,
                Action::Confirm(c) => api::agency_action(&token, path, c).await,
            };
            match result {
                Ok(read) => {
                    editing.set(None);
                    list.set(Some(read));
                    message.set(Some((true, done.get(lang).to_owned())));
                }
                Err(e) => message.set(Some((false, failure(e, lang, W::AgenciesNeedNetwork)))),
            }
            busy.set(false);
        });
    };

    let shown = move || {
        let query = search.with(|text| Query::new(text));
        let waiting = waiting_only.get();
        list.with(|l| {
            l.iter()
                .flatten()
                .filter(|a| !waiting || !a.confirmed)
                .filter(|a| {
                    query.matches(
                        [a.name.as_str(), a.short_name.as_str(), a.id.as_str()]
                            .into_iter()
                            .chain(a.aliases.iter().map(String::as_str)),
                    )
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let waiting_count = move || list.with(|l| l.iter().flatten().filter(|a| !a.confirmed).count());

    let row = move |a: AgencyEntry| {
        let lang = app.lang.get();
        let id = a.id.clone();
        let open = {
            let id = id.clone();
            move |_| {
                editing.update(|e| {
                    *e = if e.as_ref() == Some(&id) {
                        None
                    } else {
                        Some(id.clone())
                    }
                })
            }
        };
        let status = if a.confirmed {
            W::AgenciesConfirmed.get(lang).to_owned()
        } else {
            match &a.created_by {
                Some(plan) => format!("{} {plan}", W::AgenciesWaitingFrom.get(lang)),
                None => W::AgenciesWaiting.get(lang).to_owned(),
            }
        };
        let is_open = Memo::new({
            let id = id.clone();
            move |_| editing.with(|e| e.as_ref() == Some(&id))
        });
        let aliases = (!a.aliases.is_empty())
            .then(|| format!("{}: {}", W::AgenciesAliases.get(lang), a.aliases.join("; ")));
        view! {
            <tr class=if a.confirmed { "" } else { "waiting" } data-testid="agency-row" data-id=a.id.to_string()>
                <td>
                    <strong>{a.name.clone()}</strong>
                    <br/><small>{a.short_name.clone()} " · " {a.id.to_string()}</small>
                    {aliases.map(|t| view! { <br/><small>{t}</small> })}
                </td>
                <td>{kind_label(&a.kind, lang)}</td>
                <td class="count" data-label=W::AgenciesTasks.get(lang).to_lowercase()>{a.tasks}</td>
                <td class="count" data-label=W::AgenciesAccounts.get(lang).to_lowercase()>{a.accounts}</td>
                <td>{status}</td>
                <td>
                    <button type="button" on:click=open aria-expanded=move || is_open.get().to_string()>
                        {app.tr(W::AgenciesEdit.into())}
                    </button>
                </td>
            </tr>
            <Show when=move || is_open.get()>
                <tr class="editor">
                    <td colspan="6">{editor(a.clone(), list, busy, act)}</td>
                </tr>
            </Show>
        }
    };

    view! {
        <main>
            <h1>{app.tr(W::AgenciesTitle.into())}</h1>
            <Show when=admin fallback=move || view! {
                <p class="notice">{app.tr(W::AgenciesAdminOnly.into())}</p>
            }>
                <p>{app.tr(W::AgenciesIntro.into())}</p>
                <div class="toolbar">
                    <label>
                        <input type="checkbox" data-testid="agencies-waiting"
                            prop:checked=move || waiting_only.get()
                            on:change=move |ev| waiting_only.set(event_target_checked(&ev))/>
                        " " {app.tr(W::AgenciesWaitingOnly.into())}
                        {move || format!(" ({})", waiting_count())}
                    </label>
                    <label>
                        {app.tr(W::AgenciesSearch.into())} " "
                        <input type="search" prop:value=move || search.get()
                            on:input=move |ev| search.set(event_target_value(&ev))/>
                    </label>
                </div>
                <Outcome message=message/>
                {move || {
                    let rows = shown();
                    if list.with(Option::is_none) {
                        return view! { <p>{app.tr(W::AgenciesLoading.into())}</p> }.into_any();
                    }
                    if rows.is_empty() {
                        return view! { <p class="notice" data-testid="agencies-none">{app.tr(W::AgenciesNone.into())}</p> }.into_any();
                    }
                    view! {
                        <div class="scroll">
                        <table class="agencies" data-testid="agencies">
                            <thead><tr>
                                <th scope="col">{app.tr(W::AgenciesName.into())}</th>
                                <th scope="col">{app.tr(W::AgenciesKind.into())}</th>
                                <th scope="col">{app.tr(W::AgenciesTasks.into())}</th>
                                <th scope="col">{app.tr(W::AgenciesAccounts.into())}</th>
                                <th scope="col">{app.tr(W::AgenciesStatus.into())}</th>
                                <th scope="col"><span class="visually-hidden">{app.tr(W::AgenciesEdit.into())}</span></th>
                            </tr></thead>
                            <tbody>{rows.into_iter().map(row).collect_view()}</tbody>
                        </table>
                        </div>
                    }.into_any()
                }}
            </Show>
        </main>
    }
}

/// A change to send.
enum Action {
    Rename(AgencyRenameRequest),
    Merge(AgencyMergeRequest),
    Confirm(AgencyConfirmRequest),
}

/// The forms for one agency: confirm it, rename it, or merge it into another.
fn editor(
    a: AgencyEntry,
    list: RwSignal<Option<Vec<AgencyEntry>>>,
    busy: RwSignal<bool>,
    act: impl Fn(&'static str, Action, W) + Copy + 'static,
) -> impl IntoView {
    let app = app();
    let name = RwSignal::new(a.name.clone());
    let short_name = RwSignal::new(a.short_name.clone());
    let keep_alias = RwSignal::new(true);
    let into = RwSignal::new(String::new());
    let id = a.id.clone();
    let key = a.id.to_string();
    let others: Vec<(String, String)> = list.with_untracked(|l| {
        l.iter()
            .flatten()
            .filter(|o| o.id != a.id)
            .map(|o| (o.id.to_string(), format!("{} ({})", o.name, o.short_name)))
            .collect()
    });
    let rename = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let request = AgencyRenameRequest {
                id: id.clone(),
                name: name.get_untracked(),
                short_name: Some(short_name.get_untracked()),
                keep_alias: keep_alias.get_untracked(),
            };
            act(
                "/api/v1/agencies/rename",
                Action::Rename(request),
                W::AgenciesRenamed,
            );
        }
    };
    let merge = {
        let id = id.clone();
        let from_name = a.name.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let lang = app.lang.get_untracked();
            let Ok(target) = AgencyId::parse(&into.get_untracked()) else {
                return;
            };
            let into_name = list.with_untracked(|l| {
                l.iter()
                    .flatten()
                    .find(|o| o.id == target)
                    .map(|o| o.name.clone())
                    .unwrap_or_default()
            });
            let question = match lang {
                Lang::Vi => format!(
                    "Gộp “{from_name}” vào “{into_name}”? Tiến độ, báo cáo, nhiệm vụ và tài khoản của cơ quan này sẽ chuyển sang “{into_name}”. Không hoàn tác được."
                ),
                Lang::En => format!(
                    "Merge “{from_name}” into “{into_name}”? Its progress, reports, tasks and accounts move to “{into_name}”. This cannot be undone."
                ),
            };
            if !window().confirm_with_message(&question).unwrap_or(false) {
                return;
            }
            let request = AgencyMergeRequest {
                from: id.clone(),
                into: target,
            };
            act(
                "/api/v1/agencies/merge",
                Action::Merge(request),
                W::AgenciesMerged,
            );
        }
    };
    let confirm = {
        let id = id.clone();
        move |_| {
            let request = AgencyConfirmRequest { id: id.clone() };
            act(
                "/api/v1/agencies/confirm",
                Action::Confirm(request),
                W::AgenciesConfirmedNow,
            );
        }
    };
    let field = |suffix: &str| format!("agency-{key}-{suffix}");
    view! {
        <div class="agency-editor" data-testid="agency-editor">
            {(!a.confirmed).then(|| view! {
                <p>
                    <button type="button" data-testid="agency-confirm" disabled=move || busy.get() on:click=confirm>
                        {app.tr(W::AgenciesConfirm.into())}
                    </button>
                    " " {app.tr(W::AgenciesConfirmHint.into())}
                </p>
            })}
            <form on:submit=rename data-testid="agency-rename">
                <h3>{app.tr(W::AgenciesRename.into())}</h3>
                <label for=field("name")>{app.tr(W::AgenciesNewName.into())}</label>
                <input id=field("name") type="text" required prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))/>
                <label for=field("short")>{app.tr(W::AgenciesShortName.into())}</label>
                <input id=field("short") type="text" required prop:value=move || short_name.get()
                    on:input=move |ev| short_name.set(event_target_value(&ev))/>
                <label>
                    <input type="checkbox" prop:checked=move || keep_alias.get()
                        on:change=move |ev| keep_alias.set(event_target_checked(&ev))/>
                    " " {app.tr(W::AgenciesKeepAlias.into())}
                </label>
                <button type="submit" disabled=move || busy.get()>{app.tr(W::AgenciesSaveName.into())}</button>
            </form>
            <form on:submit=merge data-testid="agency-merge">
                <h3>{app.tr(W::AgenciesMerge.into())}</h3>
                <label for=field("into")>{app.tr(W::AgenciesMergeInto.into())}</label>
                <select id=field("into") required on:change=move |ev| into.set(event_target_value(&ev))>
                    <option value="">{app.tr(W::AgenciesChoose.into())}</option>
                    {others.into_iter().map(|(id, label)| view! { <option value=id>{label}</option> }).collect_view()}
                </select>
                <button type="submit" disabled=move || busy.get() || into.with(String::is_empty)>
                    {app.tr(W::AgenciesMergeButton.into())}
                </button>
            </form>
        </div>
    }
}
