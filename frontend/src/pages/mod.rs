//! The app's pages, one file each.

pub mod login;
pub mod task;
pub mod tasks;

use tiendo_shared::protocol::AgencyRef;

/// Agency names joined for reading.
pub fn agency_names(agencies: &[AgencyRef]) -> String {
    agencies
        .iter()
        .map(|a| a.name.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}
