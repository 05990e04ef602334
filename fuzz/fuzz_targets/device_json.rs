//! The JSON a device reads and writes with `tiendo_shared::json` (the field app's own
//! reader and writer, smaller than serde_json's in WebAssembly) against serde_json, the
//! reference, on any JSON value: every wire type the app reads is read to the same
//! result or refused by both, and whatever is read is written to the same text. A
//! difference would be an update or a queued mutation a device reads otherwise than the
//! server does, or writes so that an earlier build of the app cannot read it back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tiendo_shared::error::ApiError;
use tiendo_shared::json;
use tiendo_shared::protocol::{
    AgencyChange, AgencyRef, PlanListing, PlanView, ProgressRecord, ProgressUpdate,
    PushResponse, ReportReview, ReportWrite, UserInfo,
};
use tiendo_shared::report::ReportEvent;

/// `value` read as `T` by both readers, and what they read written by both writers.
fn same<T>(value: &Value)
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let reference = serde_json::from_value::<T>(value.clone()).ok();
    let ours = json::from_value::<T>(value.clone());
    assert_eq!(ours, reference, "read as {}", std::any::type_name::<T>());
    if let Some(read) = reference {
        assert_eq!(
            json::to_string(&read),
            serde_json::to_string(&read).ok(),
            "written as {}",
            std::any::type_name::<T>()
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    same::<Value>(&value);
    same::<ProgressUpdate>(&value);
    same::<ProgressRecord>(&value);
    same::<ReportWrite>(&value);
    same::<ReportReview>(&value);
    same::<ReportEvent>(&value);
    same::<PlanView>(&value);
    same::<Vec<PlanListing>>(&value);
    same::<UserInfo>(&value);
    same::<AgencyChange>(&value);
    same::<AgencyRef>(&value);
    same::<PushResponse>(&value);
    same::<ApiError>(&value);
    same::<Option<u64>>(&value);
    same::<(String, i64, Option<bool>)>(&value);
    // The hand-written readers of the types a device holds most of.
    assert_eq!(
        ProgressUpdate::from_json(&value),
        serde_json::from_value::<ProgressUpdate>(value.clone()).ok(),
        "ProgressUpdate::from_json"
    );
    assert_eq!(
        ReportWrite::from_json(value.clone()),
        serde_json::from_value::<ReportWrite>(value.clone()).ok(),
        "ReportWrite::from_json"
    );
});
