//! Reading a `serde_json::Value` into a type, for a device. It reads as serde_json's
//! own reader of a `Value` does (the same visits, the same checks), but fails with an
//! error that says nothing: serde_json's builds a descriptive message at every turn,
//! which the web app never shows (a text it cannot read is simply not read), and every
//! type's reader in the app carried that code (about 30 KB of the field app's
//! WebAssembly). The server keeps serde_json's reader, whose messages it sends.

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
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
    fn reads_as_serde_json<T: DeserializeOwned + std::fmt::Debug>(value: &Value) -> usize {
        let mut read = 0;
        for variant in variants(value) {
            let theirs = serde_json::from_value::<T>(variant.clone()).ok();
            let ours = from_value::<T>(variant.clone());
            assert_eq!(
                ours.as_ref().map(|v| format!("{v:?}")),
                theirs.as_ref().map(|v| format!("{v:?}")),
                "{variant}"
            );
            read += usize::from(ours.is_some());
        }
        read
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
