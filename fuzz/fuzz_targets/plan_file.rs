//! A plan file's bytes, as `tiendo plan import` and `POST /api/v1/plans/import` read
//! them: told apart by content (a Word .docx, text in UTF-8 or UTF-16, or neither) and
//! parsed with the shipped registries. Any answer is fine but a panic. A plan that
//! parses is also asked what the server asks of it: its reporting calendar, the tasks
//! of the agencies it created, where each line came from, and the stored form — the
//! server keeps the parsed plan as JSON and reads it back to work out who must report,
//! so it must read back as the same plan.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tiendo_backend::import;
use tiendo_shared::plan::Plan;

fuzz_target!(|data: &[u8]| {
    match import::parse_bytes(data, import::registries()) {
        Ok((source, plan)) => {
            let _ = plan.calendar();
            for agency in &plan.new_agencies {
                let _ = plan.tasks_of(&agency.id);
            }
            for line in 0..=source.text.lines().count() + 1 {
                let _ = source.place(line);
            }
            let stored = serde_json::to_string(&plan).expect("a plan serialises");
            let read: Plan = serde_json::from_str(&stored)
                .unwrap_or_else(|e| panic!("a stored plan reads back: {e}"));
            assert_eq!(read, plan, "a stored plan reads back as itself");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
