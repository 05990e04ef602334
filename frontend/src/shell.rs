//! The sign-in form of `index.html`, usable before the app's WebAssembly has arrived
//! on a slow link. When the app starts it takes that form over: what was typed goes
//! into the app's own sign-in form (`pages::login`), the focus stays in the field it
//! was in, and a submission made while the app was loading signs in, once, as soon as
//! the app is there. The page's form is removed in the same task as the app mounts, so
//! no one ever sees (or finds) both forms, or neither.
//!
//! The page's side, in `index.html` (no comments there: the page is part of the first
//! visit on 2G): `<div id="shell">` holds the signed-out header of `lib.rs` and the
//! form of `pages::login`, with the same markup, ids, names, labels and classes. A script
//! in `<head>` adds the class `signed-in` to `<html>` before the first paint when
//! `store::flag_signed_in` has marked the device as holding a session; the stylesheet
//! then hides the form and shows "Đang tải…" instead. A script after the form puts
//! its texts in the language the app will use (`tiendo.lang`; the texts are those of
//! `i18n`, checked by `tests/browser/login-before-app.test.mjs`), makes its language
//! button work, and turns a submission into a wait ("Đang tải ứng dụng…") marked by
//! `data-submitted` on the form: nothing is sent. Its submit button is disabled in the
//! HTML and enabled by that script, so the browser itself can never send the form.
//! Both scripts are allowed by the Content-Security-Policy through their hashes
//! (`backend::routes::csp`).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

/// What was in the page's form when the app started.
#[derive(Debug, Default)]
pub struct Typed {
    pub username: String,
    pub password: String,
    /// The person asked to sign in while the app was loading.
    pub submitted: bool,
}

/// The field that had the focus, by id, with its value and selection.
pub struct Focus {
    id: String,
    value: String,
    selection: Option<(u32, u32)>,
}

/// The page's form as the app found it.
#[derive(Default)]
pub struct Shell {
    pub typed: Option<Typed>,
    pub focus: Option<Focus>,
}

/// What was typed, given through context to the first sign-in form the app shows,
/// which takes it (a later one, after signing out, starts empty).
#[derive(Clone, Copy)]
pub struct Handoff(StoredValue<Option<Typed>>);

impl Handoff {
    pub fn new(typed: Option<Typed>) -> Handoff {
        Handoff(StoredValue::new(typed))
    }

    pub fn take(self) -> Option<Typed> {
        self.0.try_update_value(Option::take).flatten()
    }
}

/// Reads the page's form and removes it (with its header). Call it just before the
/// app mounts, in the same task.
pub fn take() -> Shell {
    let document = document();
    let Some(shell) = document.get_element_by_id("shell") else {
        return Shell::default();
    };
    let field = |id: &str| {
        document
            .get_element_by_id(id)
            .filter(|field| shell.contains(Some(field)))
            .and_then(|field| field.dyn_into::<HtmlInputElement>().ok())
    };
    let value = |id: &str| field(id).map(|f| f.value()).unwrap_or_default();
    let typed = Typed {
        username: value("username"),
        password: value("password"),
        submitted: shell
            .query_selector("form[data-submitted]")
            .ok()
            .flatten()
            .is_some(),
    };
    let focus = document
        .active_element()
        .map(|active| active.id())
        .and_then(|id| {
            let field = field(&id)?;
            let selection = field
                .selection_start()
                .ok()
                .flatten()
                .zip(field.selection_end().ok().flatten());
            Some(Focus {
                id,
                value: field.value(),
                selection,
            })
        });
    shell.remove();
    Shell {
        typed: Some(typed),
        focus,
    }
}

/// Puts the focus back in the app's field of the same id, with the same selection.
/// Call it right after the app mounted. The field's value is set here too: the app
/// sets it a moment later (its views update after the mount), and setting a different
/// value would put the caret at the end.
pub fn restore(focus: Option<Focus>) {
    let Some(focus) = focus else {
        return;
    };
    let Some(field) = document()
        .get_element_by_id(&focus.id)
        .and_then(|field| field.dyn_into::<HtmlInputElement>().ok())
    else {
        return;
    };
    field.set_value(&focus.value);
    let _ = field.focus();
    if let Some((start, end)) = focus.selection {
        let _ = field.set_selection_range(start, end);
    }
}
