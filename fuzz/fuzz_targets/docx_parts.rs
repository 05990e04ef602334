//! The XML inside a Word file, without the zip in the way: the input is split at
//! 0xFF bytes (never part of UTF-8 text) into `word/document.xml`, `numbering.xml` and
//! `styles.xml`, stored uncompressed in a zip the harness writes, and read by
//! `import::docx::read` as an upload is, then parsed as a plan. Mutating compressed
//! zips (the `docx` target) rarely reaches deep into the numbering and table code;
//! this does. Any answer is fine but a panic.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use tiendo_backend::import;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0xFF);
    let names = ["word/document.xml", "word/numbering.xml", "word/styles.xml"];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for name in names {
        let Some(part) = parts.next() else { break };
        zip.start_file(name, options).expect("start a part");
        zip.write_all(part).expect("write a part");
    }
    let bytes = zip.finish().expect("finish the zip").into_inner();
    if let Ok(read) = import::docx::read(&bytes) {
        for line in 0..=read.text.lines().count() + 1 {
            let _ = read.place(line);
        }
        let _ = tiendo_shared::plan::parse_plan_in(&read.text, import::registries());
    }
});
