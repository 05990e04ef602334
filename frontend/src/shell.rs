//! The sign-in form of `index.html`, usable before the app's WebAssembly has arrived
//! on a slow link. When the app starts it takes that form over: what was typed goes
//! into the app's own sign-in form (`pages::login`), the focus stays in the field it
//! was in, and a submission made while the app was loading signs in, once, as soon as
//! the app is there. The app's form is built from the page's (`typed`) and the page's
//! form removed (`hand_over`) in the task that mounts the app, so no one ever sees (or
//! finds) both forms, or neither.
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
//! `data-submitted` on `#shell`: nothing is sent. Its submit button is disabled in the
//! HTML and enabled by that script, so the browser itself can never send the form.
//! Both scripts are allowed by the Content-Security-Policy through their hashes
//! (`backend::routes::csp`).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

/// What is in the page's form.
#[derive(Debug, Default)]
pub struct Typed {
    pub username: String,
    pub password: String,
    /// The person asked to sign in while the app was loading.
    pub submitted: bool,
}

/// What is in the page's form while it is there: the app's first sign-in form takes
/// it, in the mount that `hand_over` follows. A later one (after signing out) finds no
/// page's form and starts empty.
pub fn typed() -> Typed {
    let document = document();
    let Some(shell) = document.get_element_by_id("shell") else {
        return Typed::default();
    };
    // The page's fields come first in the document, so their ids find them even
    // while the app's form, being built, has the same ones.
    let value = |id| input(id).map(|field| field.value()).unwrap_or_default();
    Typed {
        username: value("username"),
        password: value("password"),
        submitted: shell.has_attribute("data-submitted"),
    }
}

/// Removes the page's form, and puts the focus (with its caret or selection) in the
/// app's field of the same id. Call it right after the app mounted, in the same task.
pub fn hand_over() {
    let document = document();
    let Some(shell) = document.get_element_by_id("shell") else {
        return;
    };
    // Only the page's fields can have had the focus: the app's are new.
    let focused = document
        .active_element()
        .and_then(|active| active.dyn_into::<HtmlInputElement>().ok());
    shell.remove();
    let Some(focused) = focused else {
        return;
    };
    let Some(field) = input(&focused.id()) else {
        return;
    };
    // The app sets the field's value a moment after the mount; it is set here first,
    // since setting a different value later would put the caret at the end.
    field.set_value(&focused.value());
    let _ = field.focus();
    if let (Ok(Some(start)), Ok(Some(end))) = (focused.selection_start(), focused.selection_end()) {
        let _ = field.set_selection_range(start, end);
    }
}

fn input(id: &str) -> Option<HtmlInputElement> {
    document()
        .get_element_by_id(id)
        .and_then(|field| field.dyn_into::<HtmlInputElement>().ok())
}
