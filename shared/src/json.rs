//! JSON for a device: reading a `serde_json::Value` into a type, and writing a value as
//! JSON text. It reads as serde_json's own reader of a `Value` does (the same visits,
//! the same checks) and writes the same text as `serde_json::to_string`, but fails with
//! an error that says nothing: serde_json builds a descriptive message at every turn
//! and writes through `io::Write`, and the web app never shows those errors (a text it
//! cannot read is simply not read), yet every type's reader and writer in the app
//! carried that code (about 30 KB of the field app's WebAssembly). The server keeps
//! serde_json's, whose messages it sends.

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use serde::ser;
use serde_json::Value;

/// A value that could not be read as the type asked for.
#[derive(Debug)]
pub struct Unreadable;

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unreadable")
    }
}

impl std::error::Error for Unreadable {}

impl de::Error for Unreadable {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Unreadable
    }
}

/// `value` as `T`, if it reads as one.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Option<T> {
    T::deserialize(Reader(value)).ok()
}

/// The reader of one value.
struct Reader(Value);

impl<'de> de::Deserializer<'de> for Reader {
    type Error = Unreadable;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unreadable> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), ..) => visitor.visit_u64(u),
                (None, Some(i), _) => visitor.visit_i64(i),
                (None, None, Some(f)) => visitor.visit_f64(f),
                (None, None, None) => Err(Unreadable),
            },
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => {
                let mut seq = Items(items.into_iter());
                let read = visitor.visit_seq(&mut seq)?;
                // As serde_json: every element read, or the value is not one.
                if seq.0.len() == 0 {
                    Ok(read)
                } else {
                    Err(Unreadable)
                }
            }
            Value::Object(object) => {
                let mut map = Entries {
                    entries: object.into_iter(),
                    value: None,
                };
                let read = visitor.visit_map(&mut map)?;
                if map.entries.len() == 0 {
                    Ok(read)
                } else {
                    Err(Unreadable)
                }
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unreadable> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            value => visitor.visit_some(Reader(value)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Unreadable> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Unreadable> {
        // A unit variant by its name, or any variant as an object of one entry.
        let (name, value) = match self.0 {
            Value::String(name) => (name, None),
            Value::Object(object) if object.len() == 1 => match object.into_iter().next() {
                Some((name, value)) => (name, Some(value)),
                None => return Err(Unreadable),
            },
            _ => return Err(Unreadable),
        };
        visitor.visit_enum(Variant { name, value })
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unreadable> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// The elements of an array.
struct Items(std::vec::IntoIter<Value>);

impl<'de> de::SeqAccess<'de> for Items {
    type Error = Unreadable;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Unreadable> {
        match self.0.next() {
            Some(value) => seed.deserialize(Reader(value)).map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// The entries of an object; keys are read as strings.
struct Entries {
    entries: serde_json::map::IntoIter,
    value: Option<Value>,
}

impl<'de> de::MapAccess<'de> for Entries {
    type Error = Unreadable;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Unreadable> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(key.into_deserializer()).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Unreadable> {
        match self.value.take() {
            Some(value) => seed.deserialize(Reader(value)),
            None => Err(Unreadable),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An enum's variant: its name, and what it holds when written as an object.
struct Variant {
    name: String,
    value: Option<Value>,
}

impl<'de> de::EnumAccess<'de> for Variant {
    type Error = Unreadable;
    type Variant = Payload;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Payload), Unreadable> {
        let variant = seed.deserialize(self.name.into_deserializer())?;
        Ok((variant, Payload(self.value)))
    }
}

/// What a variant holds.
struct Payload(Option<Value>);

impl<'de> de::VariantAccess<'de> for Payload {
    type Error = Unreadable;

    fn unit_variant(self) -> Result<(), Unreadable> {
        match self.0 {
            Some(value) => de::Deserialize::deserialize(Reader(value)),
            None => Ok(()),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, Unreadable> {
        match self.0 {
            Some(value) => seed.deserialize(Reader(value)),
            None => Err(Unreadable),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, Unreadable> {
        match self.0 {
            Some(Value::Array(items)) if items.is_empty() => visitor.visit_unit(),
            Some(value @ Value::Array(_)) => {
                de::Deserializer::deserialize_any(Reader(value), visitor)
            }
            _ => Err(Unreadable),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Unreadable> {
        match self.0 {
            Some(value @ Value::Object(_)) => {
                de::Deserializer::deserialize_any(Reader(value), visitor)
            }
            _ => Err(Unreadable),
        }
    }
}

/// `value` as JSON text, written as `serde_json::to_string` writes it (compact, the
/// same escapes and numbers), by a writer into a `String` that cannot fail: serde_json's
/// writes through `io::Write` and carries an error path at every write. `None` for
/// what JSON cannot hold as serde_json refuses it (a map key that is not a string or
/// a number, for one), which the app's types never have.
pub fn to_string<T: serde::Serialize + ?Sized>(value: &T) -> Option<String> {
    let mut out = String::new();
    value.serialize(Writer(&mut out)).ok()?;
    Some(out)
}

impl ser::Error for Unreadable {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Unreadable
    }
}

/// Writes a string's JSON form: quoted, with serde_json's escapes.
fn write_str(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 0xf] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes a number as serde_json does (`Display` for integers).
fn write_display(out: &mut String, n: impl std::fmt::Display) {
    use std::fmt::Write;
    let _ = write!(out, "{n}");
}

/// The writer of one value.
struct Writer<'a>(&'a mut String);

/// A sequence, map or struct being written: whether an element was, and what closes it.
struct Compound<'a> {
    out: &'a mut String,
    first: bool,
    close: &'static str,
}

impl<'a> Compound<'a> {
    fn open(out: &'a mut String, open: &str, close: &'static str) -> Compound<'a> {
        out.push_str(open);
        Compound {
            out,
            first: true,
            close,
        }
    }

    fn comma(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.out.push(',');
        }
    }

    fn element<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unreadable> {
        self.comma();
        value.serialize(Writer(self.out))
    }

    fn field<T: serde::Serialize + ?Sized>(
        &mut self,
        key: &str,
        value: &T,
    ) -> Result<(), Unreadable> {
        self.comma();
        write_str(self.out, key);
        self.out.push(':');
        value.serialize(Writer(self.out))
    }

    fn end(self) -> Result<(), Unreadable> {
        self.out.push_str(self.close);
        Ok(())
    }
}

impl<'a> ser::Serializer for Writer<'a> {
    type Ok = ();
    type Error = Unreadable;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Unreadable> {
        self.0.push_str(if v { "true" } else { "false" });
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), Unreadable> {
        self.serialize_i64(v.into())
    }

    fn serialize_i16(self, v: i16) -> Result<(), Unreadable> {
        self.serialize_i64(v.into())
    }

    fn serialize_i32(self, v: i32) -> Result<(), Unreadable> {
        self.serialize_i64(v.into())
    }

    fn serialize_i64(self, v: i64) -> Result<(), Unreadable> {
        write_display(self.0, v);
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Result<(), Unreadable> {
        self.serialize_u64(v.into())
    }

    fn serialize_u16(self, v: u16) -> Result<(), Unreadable> {
        self.serialize_u64(v.into())
    }

    fn serialize_u32(self, v: u32) -> Result<(), Unreadable> {
        self.serialize_u64(v.into())
    }

    fn serialize_u64(self, v: u64) -> Result<(), Unreadable> {
        write_display(self.0, v);
        Ok(())
    }

    fn serialize_f32(self, _: f32) -> Result<(), Unreadable> {
        // serde_json writes an f32's own shortest form; the app has none to write.
        Err(Unreadable)
    }

    fn serialize_f64(self, v: f64) -> Result<(), Unreadable> {
        // As serde_json: a finite number in its shortest form, `null` otherwise.
        match serde_json::Number::from_f64(v) {
            Some(n) => write_display(self.0, n),
            None => self.0.push_str("null"),
        }
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), Unreadable> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<(), Unreadable> {
        write_str(self.0, v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Unreadable> {
        let mut seq = Compound::open(self.0, "[", "]");
        for b in v {
            seq.element(b)?;
        }
        seq.end()
    }

    fn serialize_none(self) -> Result<(), Unreadable> {
        self.serialize_unit()
    }

    fn serialize_some<T: serde::Serialize + ?Sized>(self, value: &T) -> Result<(), Unreadable> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Unreadable> {
        self.0.push_str("null");
        Ok(())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unreadable> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Unreadable> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: serde::Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Unreadable> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: serde::Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Unreadable> {
        let mut object = Compound::open(self.0, "{", "}");
        object.field(variant, value)?;
        object.end()
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>, Unreadable> {
        Ok(Compound::open(self.0, "[", "]"))
    }

    fn serialize_tuple(self, _: usize) -> Result<Compound<'a>, Unreadable> {
        Ok(Compound::open(self.0, "[", "]"))
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, Unreadable> {
        Ok(Compound::open(self.0, "[", "]"))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Unreadable> {
        self.0.push('{');
        write_str(self.0, variant);
        Ok(Compound::open(self.0, ":[", "]}"))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>, Unreadable> {
        Ok(Compound::open(self.0, "{", "}"))
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, Unreadable> {
        Ok(Compound::open(self.0, "{", "}"))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Unreadable> {
        self.0.push('{');
        write_str(self.0, variant);
        Ok(Compound::open(self.0, ":{", "}}"))
    }
}

/// The sequences and tuples: their elements one after the other.
macro_rules! elements {
    ($($trait:ident :: $method:ident),+) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Unreadable;

            fn $method<T: serde::Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Unreadable> {
                self.element(v)
            }

            fn end(self) -> Result<(), Unreadable> {
                Compound::end(self)
            }
        }
    )+};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Unreadable;

    fn serialize_key<T: serde::Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unreadable> {
        self.comma();
        // As serde_json: a key is a string, or a number written as one.
        let mut written = String::new();
        key.serialize(Writer(&mut written))?;
        if written.starts_with('"') {
            self.out.push_str(&written);
        } else if !written.is_empty() && written.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            self.out.push('"');
            self.out.push_str(&written);
            self.out.push('"');
        } else {
            return Err(Unreadable);
        }
        Ok(())
    }

    fn serialize_value<T: serde::Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Unreadable> {
        self.out.push(':');
        v.serialize(Writer(self.out))
    }

    fn end(self) -> Result<(), Unreadable> {
        Compound::end(self)
    }
}

/// The structs: their fields by name.
macro_rules! fields {
    ($($trait:ident),+) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Unreadable;

            fn serialize_field<T: serde::Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                v: &T,
            ) -> Result<(), Unreadable> {
                self.field(key, v)
            }

            fn end(self) -> Result<(), Unreadable> {
                Compound::end(self)
            }
        }
    )+};
}

fields!(SerializeStruct, SerializeStructVariant);

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::protocol::{
        AgencyChange, PlanListing, PlanView, ProgressRecord, ProgressUpdate, PushResponse,
        ReportWrite, UserInfo,
    };
    use crate::report::ReportEvent;

    /// The value, without each of its fields, with each field given odd values or
    /// changed one level down, with a field more, and as an array.
    fn variants(value: &Value) -> Vec<Value> {
        let mut out = vec![value.clone()];
        if let Value::Object(object) = value {
            for key in object.keys() {
                let mut without = object.clone();
                without.remove(key);
                out.push(Value::Object(without));
                let odd = [
                    Value::Null,
                    json!(-1),
                    json!(1.5),
                    json!(300),
                    json!(u64::MAX),
                    json!("x"),
                    json!(true),
                    json!([]),
                    json!({}),
                    json!({"done": null}),
                ];
                for changed in odd.into_iter().chain(variants_shallow(&object[key])) {
                    let mut with = object.clone();
                    with.insert(key.clone(), changed);
                    out.push(Value::Object(with));
                }
            }
            let mut extra = object.clone();
            extra.insert("extra".into(), json!(1));
            out.push(Value::Object(extra));
            out.push(Value::Array(object.values().cloned().collect()));
        } else {
            out.extend(variants_shallow(value));
        }
        out
    }

    fn variants_shallow(value: &Value) -> Vec<Value> {
        let mut out = Vec::new();
        match value {
            Value::Object(object) => {
                for key in object.keys() {
                    let mut without = object.clone();
                    without.remove(key);
                    out.push(Value::Object(without));
                    let mut with = object.clone();
                    with.insert(key.clone(), json!(7));
                    out.push(Value::Object(with));
                }
            }
            Value::Array(items) if !items.is_empty() => {
                out.push(Value::Array(items[1..].to_vec()));
                let mut longer = items.clone();
                longer.push(json!("more"));
                out.push(Value::Array(longer));
                for first in variants_shallow(&items[0]) {
                    let mut changed = items.clone();
                    changed[0] = first;
                    out.push(Value::Array(changed));
                }
            }
            _ => {}
        }
        out
    }

    /// Reads every variant of `value` as `T`, asserting that serde_json reads the same
    /// (or refuses it too); how many variants read.
    fn reads_as_serde_json<T: DeserializeOwned + serde::Serialize + std::fmt::Debug>(
        value: &Value,
    ) -> usize {
        let mut read = 0;
        for variant in variants(value) {
            let theirs = serde_json::from_value::<T>(variant.clone()).ok();
            let ours = from_value::<T>(variant.clone());
            // What reads writes back as serde_json writes it.
            if let Some(read) = &ours {
                writes_as_serde_json(read);
            }
            assert_eq!(
                ours.as_ref().map(|v| format!("{v:?}")),
                theirs.as_ref().map(|v| format!("{v:?}")),
                "{variant}"
            );
            read += usize::from(ours.is_some());
        }
        read
    }

    /// Writes `value` both ways and asserts the same text.
    fn writes_as_serde_json<T: serde::Serialize + ?Sized>(value: &T) {
        assert_eq!(to_string(value), serde_json::to_string(value).ok());
    }

    #[test]
    fn writes_what_serde_json_writes() {
        let tricky = json!({
            "text": "a \"quoted\" \\ back\u{1}\u{1f}\n\r\t\u{8}\u{c}\u{7f}\u{2028} Đắk Glei 😀",
            "numbers": [0, -1, 1.5, 1e21, 1e-7, 1764240000000.0, -0.0, u64::MAX, i64::MIN],
            "nested": {"b": [], "a": {}, "c": [null, true, false]},
            "": ""
        });
        writes_as_serde_json(&tricky);
        writes_as_serde_json(&f64::NAN);
        writes_as_serde_json(&'é');
        writes_as_serde_json(&(1u8, "x", Some(2i64), None::<bool>));
        writes_as_serde_json(&std::collections::BTreeMap::from([(3u32, "x"), (10, "y")]));
        let mutation: crate::protocol::Mutation = serde_json::from_value(json!({
            "seq": 3, "id": "0b5e7f3a-9c1d-4e2f-8a6b-1c2d3e4f5a6b", "kind": "report.submit",
            "plan": "215/KH-UBND", "period": "H1-2019", "scope": "agency", "base": 41,
            "summary": "Tốt", "tasks": [{"task": "5.2", "status": "done", "results": "r"}],
            "observed_at": "2019-06-14T20:00:00+07:00"
        }))
        .unwrap();
        writes_as_serde_json(&mutation);
        writes_as_serde_json(&crate::error::ApiError::OutOfOrder { expected: 4 });
        writes_as_serde_json(&crate::plan::Period::half_year(2019));
    }

    #[test]
    fn reads_what_serde_json_reads_and_refuses_what_it_refuses() {
        let agency = json!({"id": "so-vhttdl", "name": "Sở Văn hóa, Thể thao và Du lịch"});
        let update = json!({
            "kind": "progress", "id": 1, "mutation_id": "de000000-0001-4000-8000-000000000001",
            "plan": "215/KH-UBND", "task": "5.2", "agency": agency, "author": "vhttdl",
            "author_name": "Trần Văn Đức", "status": "in_progress", "percent": 30,
            "note": "Đã xây dựng dự thảo", "results": "Đã xây dựng dự thảo", "difficulties": "",
            "proposals": "", "observed_at": "2019-03-15T09:10:00+07:00",
            "received_at": "2019-03-15T02:11:00.000Z", "conflict": false
        });
        let event = json!({
            "kind": "report", "id": 8, "mutation_id": "de000000-0001-4000-8000-000000000003",
            "plan": "215/KH-UBND", "period": "H1-2019", "scope": "agency", "agency": agency,
            "action": "saved", "version": 8, "state": "draft", "conflict": false,
            "content": {"summary": "Cơ quan đã triển khai", "direction": "", "proposals": "",
                "tasks": [{"task": "5.2", "status": "in_progress", "percent": 70,
                    "results": "Đã xây dựng", "difficulties": "", "proposals": ""}]},
            "author": "vhttdl.lanhdao", "author_name": "Lê Thị Hoa",
            "observed_at": "2019-06-10T08:00:00+07:00", "received_at": "2019-06-10T01:00:00.000Z"
        });
        let plan = json!({
            "code": "215/KH-UBND", "title": "Kế hoạch", "date": "2019-03-01", "year": 2019,
            "tasks": [{"number": "5.2", "title": "Quảng bá", "text": "…", "lead": [agency],
                "coordinating": [], "lead_text": "Sở VHTTDL", "coordinating_text": "",
                "timeframe": "Quý II/2019", "due": "2019-06-30", "assigned": true}],
            "reporting": [{"period": "H1-2019", "agency_deadline": "2019-06-15",
                "consolidation_deadline": "2019-06-20", "consolidator": agency,
                "reporters": [{"agency": agency, "tasks": ["5.2"]}]},
                {"kind": {"quarter": 3}, "year": 2019, "agency_deadline": "2019-09-15",
                "consolidation_deadline": null}],
            "sections": [{"number": "5", "title": "Du lịch"}],
            "parents": [{"id": "don-bp-bo-y", "parent": "bdbp"}]
        });
        let record = json!({
            "task": "5.2", "status": "done", "note": "x", "percent": 40,
            "observed_at": "2019-06-14T08:30:00+07:00", "base": 3
        });
        let write = json!({
            "plan": "215/KH-UBND", "period": "H1-2019", "scope": "agency", "base": 41,
            "summary": "Tốt", "tasks": [{"task": "5.2", "status": "done", "results": "r"}],
            "observed_at": "2019-06-14T20:00:00+07:00"
        });
        let counts = [
            reads_as_serde_json::<ProgressUpdate>(&update),
            reads_as_serde_json::<ReportEvent>(&event),
            reads_as_serde_json::<PlanView>(&plan),
            reads_as_serde_json::<UserInfo>(&json!({
                "username": "vhttdl", "display_name": "Trần Văn Đức", "role": "staff",
                "agency": agency
            })),
            reads_as_serde_json::<Vec<PlanListing>>(&json!([{"code": "215/KH-UBND",
                "title": "Kế hoạch", "date": "2019-03-01", "year": 2019, "current": true}])),
            reads_as_serde_json::<AgencyChange>(&json!({
                "kind": "agency", "id": 9, "mutation_id": "0b5e7f3a-9c1d-4e2f-8a6b-1c2d3e4f5a6b",
                "agency": agency, "short_name": "Sở VHTT", "merged_from": "so-dl",
                "previous_name": "Sở Du lịch", "changed_at": "2026-01-01T00:00:00.000Z"
            })),
            reads_as_serde_json::<PushResponse>(&json!({"last_seq": 3,
                "rejected": [{"seq": 2, "error": "forbidden", "message": "no"}]})),
            reads_as_serde_json::<ProgressRecord>(&record),
            reads_as_serde_json::<ReportWrite>(&write),
            reads_as_serde_json::<crate::error::ApiError>(&json!({"error": "out_of_order",
                "expected": 4})),
            reads_as_serde_json::<(String, String, String, String, String)>(&json!([
                "done", "40", "a", "b", "c"
            ])),
            reads_as_serde_json::<Option<u64>>(&json!(5)),
            reads_as_serde_json::<Value>(&plan),
        ];
        // An update read by hand, as its derived reader reads it.
        for variant in variants(&update) {
            assert_eq!(
                ProgressUpdate::from_json(&variant),
                serde_json::from_value::<ProgressUpdate>(variant.clone()).ok(),
                "{variant}"
            );
        }
        assert!(ProgressUpdate::from_json(&update).is_some());
        // A report version read by hand, as its derived reader reads it.
        for variant in variants(&write) {
            assert_eq!(
                ReportWrite::from_json(variant.clone()),
                serde_json::from_value::<ReportWrite>(variant.clone()).ok(),
                "{variant}"
            );
        }
        assert!(ReportWrite::from_json(write.clone()).is_some());
        // Each sample reads (not only refusals agree).
        assert!(counts.iter().all(|&n| n >= 1), "{counts:?}");
    }
}
