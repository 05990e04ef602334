//! An administrator's pages in the workspace: the accounts of their province (import
//! from a CSV file, disable, enable, new password) and the audit trail. Both need the
//! network: they change or read the server's records, not the device's.

use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tiendo_shared::protocol::{AccountEntry, AccountRequest, AuditRow, IssuedPassword, Role};
use tiendo_shared::search::Query;

use super::agencies::failure;
use super::reports::when_text;
use crate::api;
use crate::i18n::{Lang, W};
use crate::pages::Outcome;
use crate::state::{AppState, app};

fn is_admin(app: AppState) -> bool {
    app.session
        .with(|s| s.as_ref().is_some_and(|s| s.user.role == Role::Admin))
}

/// The session's token. Takes the state rather than reading the context, so that it
/// works after an `await` too, where there is no reactive owner.
fn token(app: AppState) -> Option<String> {
    app.session
        .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
}

fn role_label(role: Role, lang: Lang) -> &'static str {
    match role {
        Role::Staff => lang.pick("Cán bộ", "Staff"),
        Role::Head => lang.pick("Lãnh đạo", "Head"),
        Role::Supervisor => lang.pick("Giám sát", "Supervisor"),
        Role::Admin => lang.pick("Quản trị", "Administrator"),
    }
}

#[component]
pub fn AccountsPage() -> impl IntoView {
    let app = app();
    let list = RwSignal::new(None::<Vec<AccountEntry>>);
    let issued = RwSignal::new(Vec::<IssuedPassword>::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(false);
    let search = RwSignal::new(String::new());
    let input = NodeRef::<Input>::new();

    let load = move || {
        let Some(token) = token(app) else { return };
        spawn_local(async move {
            match api::get_json::<Vec<AccountEntry>>(&token, "/api/v1/users").await {
                Ok(read) => list.set(Some(read)),
                Err(e) => message.set(Some((
                    false,
                    failure(e, app.lang.get_untracked(), W::AdminNeedsNetwork),
                ))),
            }
        });
    };
    if is_admin(app) {
        load();
    }

    let import = move |_| {
        let lang = app.lang.get_untracked();
        let file = input
            .get_untracked()
            .and_then(|i| i.files())
            .and_then(|f| f.get(0));
        let (Some(file), Some(token)) = (file, token(app)) else {
            message.set(Some((false, W::AccountsChooseFile.get(lang).to_owned())));
            return;
        };
        busy.set(true);
        message.set(None);
        spawn_local(async move {
            match api::upload::<Vec<IssuedPassword>>(&token, "/api/v1/users/import", &file).await {
                Ok(made) => {
                    message.set(Some((true, W::AccountsImported.get(lang).to_owned())));
                    issued.set(made);
                    load();
                }
                Err(e) => message.set(Some((false, failure(e, lang, W::AdminNeedsNetwork)))),
            }
            busy.set(false);
        });
    };

    let act = move |path: &'static str, username: String, done: W| {
        let Some(token) = token(app) else { return };
        let lang = app.lang.get_untracked();
        busy.set(true);
        message.set(None);
        spawn_local(async move {
            let body = AccountRequest { username };
            let result = if path.ends_with("reset-password") {
                api::post_json::<_, IssuedPassword>(&token, path, &body)
                    .await
                    .map(|made| issued.set(vec![made]))
            } else {
                api::post_json::<_, Vec<AccountEntry>>(&token, path, &body)
                    .await
                    .map(|read| list.set(Some(read)))
            };
            match result {
                Ok(()) => {
                    message.set(Some((true, done.get(lang).to_owned())));
                    load();
                }
                Err(e) => message.set(Some((false, failure(e, lang, W::AdminNeedsNetwork)))),
            }
            busy.set(false);
        });
    };

    let rows = move || {
        let query = search.with(|t| Query::new(t));
        let lang = app.lang.get();
        list.get()
            .into_iter()
            .flatten()
            .filter(|a| {
                query.matches([
                    a.username.as_str(),
                    a.display_name.as_str(),
                    a.agency.name.as_str(),
                ])
            })
            .map(|a| {
                let (toggle, toggle_label, toggle_done) = if a.disabled {
                    ("/api/v1/users/enable", W::AccountsEnable, W::AccountsEnabled)
                } else {
                    ("/api/v1/users/disable", W::AccountsDisable, W::AccountsDisabled)
                };
                let name = a.username.clone();
                let name2 = a.username.clone();
                view! {
                    <tr data-testid="account-row" data-username=a.username.clone() class=if a.disabled { "disabled" } else { "" }>
                        <td><strong>{a.display_name.clone()}</strong><br/><small>{a.username.clone()}</small></td>
                        <td>{a.agency.name.clone()}</td>
                        <td>{role_label(a.role, lang)}</td>
                        <td>{if a.disabled { W::AccountsLocked.get(lang) } else { W::AccountsActive.get(lang) }}</td>
                        <td class="count">{a.sessions}</td>
                        <td class="actions">
                            <button type="button" disabled=move || busy.get()
                                on:click=move |_| act(toggle, name.clone(), toggle_done)>
                                {toggle_label.get(lang)}
                            </button>
                            <button type="button" disabled=move || busy.get()
                                on:click=move |_| act("/api/v1/users/reset-password", name2.clone(), W::AccountsReset)>
                                {W::AccountsResetButton.get(lang)}
                            </button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <main>
            <h1>{app.tr(W::AccountsTitle.into())}</h1>
            <Show when=move || is_admin(app) fallback=move || view! {
                <p class="notice">{app.tr(W::AgenciesAdminOnly.into())}</p>
            }>
                <section class="card">
                    <h2>{app.tr(W::AccountsImport.into())}</h2>
                    <p class="muted">{app.tr(W::AccountsImportHint.into())}</p>
                    <div class="toolbar">
                        <label>
                            {app.tr(W::AccountsFile.into())} " "
                            <input id="accounts-file" type="file" accept=".csv,text/csv" node_ref=input/>
                        </label>
                        <button type="button" data-testid="accounts-import" disabled=move || busy.get() on:click=import>
                            {app.tr(W::AccountsImportButton.into())}
                        </button>
                    </div>
                </section>
                <Outcome message=message/>
                <Show when=move || issued.with(|i| !i.is_empty())>
                    <section class="card passwords" data-testid="issued">
                        <h2>{app.tr(W::AccountsPasswords.into())}</h2>
                        <p class="muted">{app.tr(W::AccountsPasswordsHint.into())}</p>
                        <table class="agencies">
                            <tbody>
                                {move || issued.get().into_iter().map(|i| view! {
                                    <tr><td>{i.display_name}</td><td><code>{i.username}</code></td><td><code data-testid="password">{i.password}</code></td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </section>
                </Show>
                <div class="toolbar">
                    <label>
                        {app.tr(W::AgenciesSearch.into())} " "
                        <input type="search" prop:value=move || search.get()
                            on:input=move |ev| search.set(event_target_value(&ev))/>
                    </label>
                </div>
                <div class="scroll">
                    <table class="agencies" data-testid="accounts">
                        <thead><tr>
                            <th scope="col">{app.tr(W::AccountsPerson.into())}</th>
                            <th scope="col">{app.tr(W::AgenciesName.into())}</th>
                            <th scope="col">{app.tr(W::AccountsRole.into())}</th>
                            <th scope="col">{app.tr(W::AgenciesStatus.into())}</th>
                            <th scope="col">{app.tr(W::AccountsSessions.into())}</th>
                            <th scope="col"><span class="visually-hidden">{app.tr(W::AgenciesEdit.into())}</span></th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </Show>
        </main>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let app = app();
    let rows = RwSignal::new(None::<Vec<AuditRow>>);
    let message = RwSignal::new(None::<(bool, String)>);
    let since = RwSignal::new(String::new());

    let load = move || {
        let Some(token) = token(app) else { return };
        let day = since.get_untracked();
        let path = if day.is_empty() {
            "/api/v1/audit?limit=300".to_owned()
        } else {
            format!("/api/v1/audit?limit=300&since={day}")
        };
        spawn_local(async move {
            match api::get_json::<Vec<AuditRow>>(&token, &path).await {
                Ok(read) => {
                    message.set(None);
                    rows.set(Some(read));
                }
                Err(e) => message.set(Some((
                    false,
                    failure(e, app.lang.get_untracked(), W::AdminNeedsNetwork),
                ))),
            }
        });
    };
    if is_admin(app) {
        load();
    }
    let body = move || {
        rows.get()
            .into_iter()
            .flatten()
            .map(|r| {
                let detail = r.detail.to_string();
                view! {
                    <tr data-testid="audit-row">
                        <td class="times">{when_text(&r.at)}
                            {r.device_at.as_deref().map(|d| view! { <br/><small>{format!("({})", when_text(d))}</small> })}
                        </td>
                        <td>{r.actor}</td>
                        <td><code>{r.kind}</code></td>
                        <td>{r.target}{r.agency.map(|a| format!(" · {a}"))}</td>
                        <td class="note"><small>{detail}</small></td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <main>
            <h1>{app.tr(W::AuditTitle.into())}</h1>
            <Show when=move || is_admin(app) fallback=move || view! {
                <p class="notice">{app.tr(W::AgenciesAdminOnly.into())}</p>
            }>
                <div class="toolbar">
                    <label>
                        {app.tr(W::AuditSince.into())} " "
                        <input type="date" prop:value=move || since.get()
                            on:change=move |ev| { since.set(event_target_value(&ev)); load(); }/>
                    </label>
                </div>
                <Outcome message=message/>
                <div class="scroll">
                    <table class="agencies" data-testid="audit">
                        <thead><tr>
                            <th scope="col">{app.tr(W::AuditWhen.into())}</th>
                            <th scope="col">{app.tr(W::AuditWho.into())}</th>
                            <th scope="col">{app.tr(W::AuditWhat.into())}</th>
                            <th scope="col">{app.tr(W::AuditTarget.into())}</th>
                            <th scope="col">{app.tr(W::AuditDetail.into())}</th>
                        </tr></thead>
                        <tbody>{body}</tbody>
                    </table>
                </div>
            </Show>
        </main>
    }
}
