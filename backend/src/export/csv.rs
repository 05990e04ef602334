//! The period's data as CSV: the long table of the workbook's first sheet, UTF-8 with
//! a byte-order mark (so Excel reads the Vietnamese right), fields quoted as RFC 4180
//! asks, lines ending in CRLF.

use super::{LINE_HEADER, lines};
use crate::db::ExportData;

/// The byte-order mark that tells Excel the file is UTF-8.
const BOM: &str = "\u{feff}";

/// `field` as RFC 4180 writes it: quoted, with quotes doubled, when it holds a
/// comma, a quote or a line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn record<S: AsRef<str>>(out: &mut String, cells: &[S]) {
    let fields: Vec<String> = cells.iter().map(|c| field(c.as_ref())).collect();
    out.push_str(&fields.join(","));
    out.push_str("\r\n");
}

/// The data of `data` as CSV bytes.
pub fn render(data: &ExportData) -> Vec<u8> {
    let mut out = String::from(BOM);
    record(&mut out, &LINE_HEADER);
    for line in lines(data) {
        record(&mut out, &line.cells());
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        assert_eq!(field("Sở Ngoại vụ"), "Sở Ngoại vụ");
        assert_eq!(field("Sở Văn hóa, Thể thao"), "\"Sở Văn hóa, Thể thao\"");
        assert_eq!(field("“a” \"b\"\nc"), "\"“a” \"\"b\"\"\nc\"");
    }
}
