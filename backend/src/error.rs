//! The server's errors and how each becomes an HTTP answer.
//!
//! Client mistakes carry their [`ApiError`] as they are; database failures become 503
//! when temporary and 500 otherwise, and their causes are logged, never sent.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use tiendo_shared::error::ApiError;
use tiendo_shared::protocol::MAX_BODY_BYTES;

use crate::db::DbError;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Api(#[from] ApiError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Internal(String),
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let api = match self {
            AppError::Api(api) => api,
            AppError::Db(e) if e.is_temporary() => {
                tracing::warn!(error = %e, "temporary database failure");
                ApiError::Unavailable
            }
            AppError::Db(e) => {
                tracing::error!(error = %e, "database failure");
                ApiError::Internal
            }
            AppError::Internal(e) => {
                tracing::error!(error = %e, "internal failure");
                ApiError::Internal
            }
        };
        api_response(api)
    }
}

/// The response that carries `error`.
pub fn api_response(error: ApiError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(error)).into_response()
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        AppError::Api(match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge {
                limit: MAX_BODY_BYTES as u64,
            },
            _ => ApiError::InvalidJson {
                detail: rejection.body_text(),
            },
        })
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::Api(ApiError::Invalid {
            field: "query".into(),
            detail: rejection.body_text(),
        })
    }
}

/// `Json`, but a body that does not parse answers with the shared error shape.
pub struct AppJson<T>(pub T);

impl<S, T> FromRequest<S> for AppJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<T>::from_request(req, state).await?;
        Ok(AppJson(value))
    }
}
