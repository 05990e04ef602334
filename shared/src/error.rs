//! The one error shape of the HTTP API. Every error body is an [`ApiError`] serialised
//! with its `error` tag, and the client matches on it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// An error as it travels over the wire: `{"error":"out_of_order","expected":7}`.
///
/// Serialised by serde's derive (internally tagged); read back by a hand-written
/// [`Deserialize`] that takes the same JSON through one flat struct, because the
/// derived reader of an internally tagged enum buffers the object and weighs ~16 KB
/// in the web app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ApiError {
    /// The body is not JSON of the expected shape.
    InvalidJson { detail: String },
    /// A field has a value the domain refuses.
    Invalid { field: String, detail: String },
    /// No valid session: missing, unknown or expired token.
    Unauthorized,
    /// Wrong username or password (never says which).
    BadCredentials,
    /// Signed in, but this action is not theirs to take.
    Forbidden,
    /// No such resource.
    NotFound,
    /// A push skipped a sequence number; nothing after the gap was applied.
    OutOfOrder { expected: u64 },
    /// The client speaks an older protocol; it must reload, and keeps its queue.
    UpgradeRequired { min_schema_version: u32 },
    /// The body, the batch or a text is over its bound.
    TooLarge { limit: u64 },
    /// Too many attempts; try again after this many seconds.
    RateLimited { retry_after_s: u64 },
    /// A temporary failure on the server (database busy, disk); nothing was applied.
    Unavailable,
    /// A fault on the server; the details are in its log, never in the answer.
    Internal,
}

impl ApiError {
    /// The HTTP status that carries this error.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::InvalidJson { .. } => 400,
            ApiError::Invalid { .. } => 422,
            ApiError::Unauthorized | ApiError::BadCredentials => 401,
            ApiError::Forbidden => 403,
            ApiError::NotFound => 404,
            ApiError::OutOfOrder { .. } => 409,
            ApiError::UpgradeRequired { .. } => 426,
            ApiError::TooLarge { .. } => 413,
            ApiError::RateLimited { .. } => 429,
            ApiError::Unavailable => 503,
            ApiError::Internal => 500,
        }
    }

    /// What a person reads.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ApiError::InvalidJson { .. } => {
                lang.pick("Dữ liệu gửi lên không hợp lệ.", "The request is not valid.").into()
            }
            ApiError::Invalid { field, detail } => match lang {
                Lang::Vi => format!("Giá trị không hợp lệ ở trường “{field}”: {detail}"),
                Lang::En => format!("Invalid value for “{field}”: {detail}"),
            },
            ApiError::Unauthorized => lang
                .pick(
                    "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.",
                    "Your session has expired. Please sign in again.",
                )
                .into(),
            ApiError::BadCredentials => lang
                .pick(
                    "Tên đăng nhập hoặc mật khẩu không đúng.",
                    "Wrong username or password.",
                )
                .into(),
            ApiError::Forbidden => lang
                .pick("Bạn không có quyền thực hiện thao tác này.", "You are not allowed to do this.")
                .into(),
            ApiError::NotFound => lang.pick("Không tìm thấy.", "Not found.").into(),
            ApiError::OutOfOrder { expected } => match lang {
                Lang::Vi => format!("Thiếu cập nhật trong hàng đợi (cần số {expected})."),
                Lang::En => format!("An update is missing from the queue (expected number {expected})."),
            },
            ApiError::UpgradeRequired { .. } => lang
                .pick(
                    "Ứng dụng đã có phiên bản mới. Vui lòng tải lại trang; dữ liệu chưa đồng bộ vẫn được giữ.",
                    "A new version of the app is available. Please reload; unsynced data is kept.",
                )
                .into(),
            ApiError::TooLarge { limit } => match lang {
                Lang::Vi => format!("Dữ liệu quá lớn (tối đa {limit})."),
                Lang::En => format!("Too large (at most {limit})."),
            },
            ApiError::RateLimited { retry_after_s } => match lang {
                Lang::Vi => format!("Thử quá nhiều lần. Vui lòng thử lại sau {retry_after_s} giây."),
                Lang::En => format!("Too many attempts. Try again in {retry_after_s} seconds."),
            },
            ApiError::Unavailable => lang
                .pick(
                    "Máy chủ đang bận. Dữ liệu sẽ được gửi lại tự động.",
                    "The server is busy. Your data will be sent again automatically.",
                )
                .into(),
            ApiError::Internal => lang
                .pick("Máy chủ gặp lỗi. Vui lòng thử lại sau.", "The server failed. Please try again later.")
                .into(),
        }
    }
}

/// Every field any variant of [`ApiError`] has, as the wire may carry them.
#[derive(Deserialize)]
struct WireError {
    error: String,
    detail: Option<String>,
    field: Option<String>,
    expected: Option<u64>,
    min_schema_version: Option<u32>,
    limit: Option<u64>,
    retry_after_s: Option<u64>,
}

impl<'de> Deserialize<'de> for ApiError {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        fn need<T, E: Error>(value: Option<T>, name: &'static str) -> Result<T, E> {
            value.ok_or_else(|| E::missing_field(name))
        }
        let w = WireError::deserialize(deserializer)?;
        Ok(match w.error.as_str() {
            "invalid_json" => ApiError::InvalidJson {
                detail: need(w.detail, "detail")?,
            },
            "invalid" => ApiError::Invalid {
                field: need(w.field, "field")?,
                detail: need(w.detail, "detail")?,
            },
            "unauthorized" => ApiError::Unauthorized,
            "bad_credentials" => ApiError::BadCredentials,
            "forbidden" => ApiError::Forbidden,
            "not_found" => ApiError::NotFound,
            "out_of_order" => ApiError::OutOfOrder {
                expected: need(w.expected, "expected")?,
            },
            "upgrade_required" => ApiError::UpgradeRequired {
                min_schema_version: need(w.min_schema_version, "min_schema_version")?,
            },
            "too_large" => ApiError::TooLarge {
                limit: need(w.limit, "limit")?,
            },
            "rate_limited" => ApiError::RateLimited {
                retry_after_s: need(w.retry_after_s, "retry_after_s")?,
            },
            "unavailable" => ApiError::Unavailable,
            "internal" => ApiError::Internal,
            other => return Err(D::Error::custom(format_args!("unknown error `{other}`"))),
        })
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_tagged_on_the_wire() {
        let json = serde_json::to_value(ApiError::OutOfOrder { expected: 7 }).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error": "out_of_order", "expected": 7})
        );
        let back: ApiError = serde_json::from_str(r#"{"error":"unauthorized"}"#).unwrap();
        assert_eq!(back, ApiError::Unauthorized);
    }

    #[test]
    fn every_error_reads_back_as_written() {
        let all = [
            ApiError::InvalidJson { detail: "d".into() },
            ApiError::Invalid {
                field: "f".into(),
                detail: "d".into(),
            },
            ApiError::Unauthorized,
            ApiError::BadCredentials,
            ApiError::Forbidden,
            ApiError::NotFound,
            ApiError::OutOfOrder { expected: 7 },
            ApiError::UpgradeRequired {
                min_schema_version: 2,
            },
            ApiError::TooLarge { limit: 9 },
            ApiError::RateLimited { retry_after_s: 3 },
            ApiError::Unavailable,
            ApiError::Internal,
        ];
        for e in all {
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(
                serde_json::from_str::<ApiError>(&json).unwrap(),
                e,
                "{json}"
            );
        }
        assert!(serde_json::from_str::<ApiError>(r#"{"error":"out_of_order"}"#).is_err());
        assert!(serde_json::from_str::<ApiError>(r#"{"error":"nope"}"#).is_err());
        assert!(serde_json::from_str::<ApiError>(r#"{"expected":1}"#).is_err());
    }

    #[test]
    fn client_mistakes_are_never_5xx() {
        let client_mistakes = [
            ApiError::InvalidJson {
                detail: String::new(),
            },
            ApiError::Invalid {
                field: "note".into(),
                detail: String::new(),
            },
            ApiError::Unauthorized,
            ApiError::BadCredentials,
            ApiError::Forbidden,
            ApiError::NotFound,
            ApiError::OutOfOrder { expected: 1 },
            ApiError::UpgradeRequired {
                min_schema_version: 1,
            },
            ApiError::TooLarge { limit: 1 },
            ApiError::RateLimited { retry_after_s: 1 },
        ];
        for e in client_mistakes {
            assert!((400..500).contains(&e.status()), "{e:?}");
            assert!(!e.message(Lang::Vi).is_empty());
        }
    }
}
