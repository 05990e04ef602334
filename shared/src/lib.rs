//! The domain of Tiến độ, shared by the server and the browser client.
//!
//! Everything here is pure: no IO, no HTTP, no DOM. It compiles for `wasm32` and for
//! native targets, so both sides parse and validate with the same code.

pub mod dashboard;
pub mod date;
pub mod error;
pub mod i18n;
pub mod ids;
pub mod json;
pub mod plan;
pub mod progress;
pub mod protocol;
pub mod report;
pub mod search;
