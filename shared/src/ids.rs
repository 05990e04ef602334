//! Identifiers, each a parsed newtype so that a value that exists is a valid one.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdError {
    /// Which kind of identifier, e.g. `"task number"`.
    pub what: &'static str,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a valid {}", self.what)
    }
}

impl std::error::Error for IdError {}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, $what:literal, $check:expr,
     schema: { pattern: $pattern:expr, max_length: $max:expr, uuid: $uuid:expr }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        // The description says what `parse` accepts, so that a client knows the rule
        // before the server refuses a value.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{SchemaFormat, Type};
                let pattern: Option<&str> = $pattern;
                let uuid: bool = $uuid;
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(uuid.then(|| SchemaFormat::Custom("uuid".into())))
                    .pattern(pattern)
                    .min_length(Some(1))
                    .max_length(Some($max))
                    .description(Some(concat!("A well-formed ", $what)))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl $name {
            /// Parses the identifier, refusing anything malformed.
            pub fn parse(s: &str) -> Result<Self, IdError> {
                let check: fn(&str) -> bool = $check;
                if check(s) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(IdError { what: $what })
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = String::deserialize(deserializer)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_id!(
    /// A task's number as the plan writes it: `1.1`, `2`, `7.2.b`.
    TaskNumber,
    "task number",
    |s| {
        !s.is_empty()
            && s.len() <= 16
            && s.split('.').all(|part| {
                !part.is_empty()
                    && (part.bytes().all(|b| b.is_ascii_digit())
                        || (part.len() == 1 && part.bytes().all(|b| b.is_ascii_lowercase())))
            })
            && s.as_bytes()[0].is_ascii_digit()
    },
    schema: { pattern: Some("^[0-9]+(\\.([0-9]+|[a-z]))*$"), max_length: 16, uuid: false }
);

string_id!(
    /// A stable agency id: lowercase ASCII words joined by `-` (`so-tttt`, `bdbp-don-bo-y`).
    AgencyId,
    "agency id",
    |s| {
        !s.is_empty()
            && s.len() <= 64
            && !s.starts_with('-')
            && !s.ends_with('-')
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    },
    schema: { pattern: Some("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"), max_length: 64, uuid: false }
);

string_id!(
    /// A plan's code as issued: `215/KH-UBND`.
    PlanCode,
    "plan code",
    |s| {
        !s.is_empty()
            && s.len() <= 64
            && s.chars().all(|c| c.is_alphanumeric() || matches!(c, '/' | '-' | '.' | '_'))
    },
    // Letters and digits of any script, which a JSON Schema pattern cannot say portably.
    schema: { pattern: None, max_length: 64, uuid: false }
);

string_id!(
    /// A UUID in its canonical lowercase hyphenated form. Browsers make them with
    /// `crypto.randomUUID()`; client ids and mutation ids are UUIDs.
    Uuid,
    "UUID",
    |s| {
        let b = s.as_bytes();
        b.len() == 36
            && b.iter().enumerate().all(|(i, &c)| match i {
                8 | 13 | 18 | 23 => c == b'-',
                _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
            })
    },
    schema: {
        pattern: Some("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
        max_length: 36,
        uuid: true
    }
);

/// A browser installation's sync identity (one per person per device).
pub type ClientId = Uuid;

/// The id a client gives a mutation when it first records it.
pub type MutationId = Uuid;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_numbers_follow_the_plan() {
        for ok in ["1", "1.1", "7.2.b", "12.3"] {
            assert!(TaskNumber::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a.1", "1.", "1..2", "1.ab", "1 .2", "1.B"] {
            assert!(TaskNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn agency_ids_are_slugs() {
        assert!(AgencyId::parse("so-tttt").is_ok());
        assert!(AgencyId::parse("So-TTTT").is_err());
        assert!(AgencyId::parse("-so").is_err());
        assert!(AgencyId::parse("sở").is_err());
    }

    #[test]
    fn uuids_are_canonical() {
        assert!(Uuid::parse("0b5e7f3a-9c1d-4e2f-8a6b-1c2d3e4f5a6b").is_ok());
        assert!(Uuid::parse("0B5E7F3A-9C1D-4E2F-8A6B-1C2D3E4F5A6B").is_err());
        assert!(Uuid::parse("0b5e7f3a9c1d4e2f8a6b1c2d3e4f5a6b").is_err());
        let parsed: Result<Uuid, _> = serde_json::from_str("\"nope\"");
        assert!(parsed.is_err());
    }
}
