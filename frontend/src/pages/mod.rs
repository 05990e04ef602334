//! The app's pages, one file each.

pub mod login;
pub mod task;
pub mod tasks;
