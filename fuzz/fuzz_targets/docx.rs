//! The uploaded Word file: the zip reader and the XML of `word/document.xml`,
//! `numbering.xml` and `styles.xml` (`import::docx::read`), then the plan parser on the
//! text it gives, as an import does. Any answer is fine but a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tiendo_backend::import;

fuzz_target!(|data: &[u8]| {
    if let Ok(read) = import::docx::read(data) {
        for line in 0..=read.text.lines().count() + 1 {
            let _ = read.place(line);
        }
        let _ = tiendo_shared::plan::parse_plan_in(&read.text, import::registries());
    }
});
