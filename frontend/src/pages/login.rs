//! Signing in. The first sign-in needs the network; afterwards the session is kept on
//! the device and the app opens offline. The first form the app shows takes over what
//! was typed into the page's own form before the app had arrived (`shell`), and signs
//! in at once if the person already asked to.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, CallError};
use crate::i18n::T;
use crate::shell::{self, Typed};
use crate::state::app;
use crate::store::Session;
use crate::sync;

#[component]
pub fn Login() -> impl IntoView {
    let app = app();
    let Typed {
        username,
        password,
        submitted,
    } = shell::typed();
    let username = RwSignal::new(username);
    let password = RwSignal::new(password);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let sign_in = move || {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let lang = app.lang.get_untracked();
            match api::login(&username.get_untracked(), &password.get_untracked()).await {
                Ok(response) => {
                    let session = Session {
                        token: response.token,
                        user: response.user,
                    };
                    if let Some(store) = sync::store() {
                        let _ = store.set_session(&session).await;
                        // A supervisor works in the workspace, which picks the
                        // session up from the device.
                        if crate::to_workspace(&session) {
                            return;
                        }
                    }
                    app.session.set(Some(session));
                    sync::load_local(app).await;
                    sync::kick();
                }
                Err(CallError::Api(e)) => error.set(Some(e.message(lang))),
                Err(_) => error.set(Some(T::SignInNeedsNetwork.get(lang).to_owned())),
            }
            busy.set(false);
        });
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        sign_in();
    };
    if submitted {
        sign_in();
    }

    view! {
        <main class="login">
            <div class="card">
                <h1>{app.tr(T::AppName)}</h1>
                <p class="muted">{app.tr(T::Subtitle)}</p>
                <form on:submit=submit>
                    <label for="username">{app.tr(T::Username)}</label>
                    <input id="username" name="username" autocomplete="username" required
                        prop:value=move || username.get()
                        on:input=move |ev| username.set(event_target_value(&ev))/>
                    <label for="password">{app.tr(T::Password)}</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))/>
                    <p>
                        <button type="submit" class="primary" disabled=move || busy.get()>
                            {move || app.t(if busy.get() { T::SigningIn } else { T::SignIn })}
                        </button>
                    </p>
                </form>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </div>
        </main>
    }
}
