//! The router: which path goes to which handler, and the layers around them.

mod admin;
mod agencies;
mod api;
mod csp;
mod openapi;
mod web;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::{HeaderName, HeaderValue};
use axum::routing::{get, post};
use tiendo_shared::error::ApiError;
use tiendo_shared::protocol::MAX_BODY_BYTES;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;
use crate::error::api_response;

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/login", post(api::login))
        .route("/logout", post(api::logout))
        .route("/me", get(api::me))
        .route("/plan", get(api::plan))
        .route("/plans", get(api::plans))
        .route("/plans/import", post(api::import_plan))
        // Only pushes may come compressed (the browser gzips them on 2G); elsewhere a
        // wrong method is told 405 whatever the body.
        .route(
            "/sync/push",
            post(api::push.layer(axum::middleware::from_fn(decompress_request))),
        )
        .route("/sync/pull", get(api::pull))
        .route("/reports", get(api::reports))
        .route("/reports/export", get(api::export))
        .route("/agencies", get(agencies::list))
        .route("/agencies/rename", post(agencies::rename))
        .route("/agencies/merge", post(agencies::merge))
        .route("/agencies/confirm", post(agencies::confirm))
        .route("/users", get(admin::list))
        .route("/users/import", post(admin::import))
        .route("/users/disable", post(admin::disable))
        .route("/users/enable", post(admin::enable))
        .route("/users/reset-password", post(admin::reset_password))
        .route("/audit", get(admin::audit))
        .route("/openapi.json", get(openapi::document))
        .fallback(|| async { api_response(ApiError::NotFound) });

    Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(api::healthz))
        .merge(web::router(&state.config.web_dir))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(refuse_declared_oversize))
        .layer(CompressionLayer::new())
        .layer(header("x-content-type-options", "nosniff"))
        .layer(header("x-frame-options", "DENY"))
        .layer(header("referrer-policy", "no-referrer"))
        // The web app sets its own policy (`web`); everything else runs nothing.
        .layer(header("content-security-policy", csp::API_POLICY))
        .with_state(state)
}

/// Sets a security header on every response that does not have it already.
fn header(name: &'static str, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        HeaderName::from_static(name),
        HeaderValue::from_static(value),
    )
}

/// Answers 413 to a request whose declared length is over the bound before reading a
/// byte of its body, so that a device on 2G is not made to upload what will be refused.
/// (A body without a declared length is still cut at the bound by `DefaultBodyLimit`.)
async fn refuse_declared_oversize(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return api_response(ApiError::TooLarge {
            limit: MAX_BODY_BYTES as u64,
        });
    }
    next.run(request).await
}

/// Reads a request body the browser compressed (`Content-Encoding: gzip` or `deflate`,
/// as `CompressionStream` writes them; devices on 2G compress their pushes) and hands
/// the handler the plain body. The compressed body is bounded like any body, and so is
/// what it expands to: a body that would expand past `MAX_BODY_BYTES` (a compression
/// bomb) is refused with `413` after reading no more than that, a body that is not
/// what its encoding says with `400`, another encoding with `415`.
async fn decompress_request(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::header::{CONTENT_ENCODING, CONTENT_LENGTH};
    use std::io::Read;

    let encoding = match request.headers().get(CONTENT_ENCODING) {
        None => return next.run(request).await,
        Some(value) => value
            .to_str()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase(),
    };
    let too_large = || {
        api_response(ApiError::TooLarge {
            limit: MAX_BODY_BYTES as u64,
        })
    };
    if encoding == "identity" {
        return next.run(request).await;
    }
    if encoding != "gzip" && encoding != "deflate" {
        // Read (bounded) before answering, so the client is not cut off mid-upload.
        let _ = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES).await;
        return api_response(ApiError::Invalid {
            field: "content-encoding".into(),
            detail: format!("{encoding:?}: expected gzip or deflate"),
        });
    }
    let (mut parts, body) = request.into_parts();
    let Ok(compressed) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return too_large();
    };
    let limit = MAX_BODY_BYTES as u64 + 1;
    let mut plain = Vec::new();
    let read = if encoding == "gzip" {
        flate2::read::MultiGzDecoder::new(&compressed[..])
            .take(limit)
            .read_to_end(&mut plain)
    } else {
        flate2::read::ZlibDecoder::new(&compressed[..])
            .take(limit)
            .read_to_end(&mut plain)
    };
    if read.is_err() {
        return api_response(ApiError::InvalidJson {
            detail: format!("the body is not valid {encoding}"),
        });
    }
    if plain.len() > MAX_BODY_BYTES {
        return too_large();
    }
    parts.headers.remove(CONTENT_ENCODING);
    parts.headers.insert(CONTENT_LENGTH, plain.len().into());
    next.run(axum::extract::Request::from_parts(
        parts,
        axum::body::Body::from(plain),
    ))
    .await
}

/// The language a refusal is written in: Vietnamese unless the request prefers English.
pub(crate) fn language(headers: &axum::http::HeaderMap) -> &'static str {
    let wanted = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("vi")
        .trim_start();
    if wanted.to_ascii_lowercase().starts_with("en") {
        "en"
    } else {
        "vi"
    }
}

/// The administrator's province, or `403` for anyone else: what the administrator's
/// pages (agencies, accounts, audit) are limited to.
pub(crate) async fn admin_province(
    state: &crate::AppState,
    user: &crate::db::SessionUser,
) -> Result<String, crate::error::AppError> {
    if user.role != tiendo_shared::protocol::Role::Admin {
        return Err(tiendo_shared::error::ApiError::Forbidden.into());
    }
    Ok(state.db.province_of(user.agency.id.clone()).await?)
}
