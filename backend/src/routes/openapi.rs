//! The OpenAPI 3 description of the HTTP API, generated from the handlers'
//! annotations and the shared types, served at `/api/v1/openapi.json`.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{admin, agencies, api};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tiến độ API",
        description = "Progress on a province's annual plan: accounts, the plan, and the offline sync protocol (see docs/sync.md)."
    ),
    paths(api::healthz, api::login, api::logout, api::me, api::plans, api::plan, api::import_plan, api::push, api::pull, api::reports, api::export, agencies::list, agencies::rename, agencies::merge, agencies::confirm, admin::list, admin::import, admin::disable, admin::enable, admin::reset_password, admin::audit),
    modifiers(&BearerAuth),
    tags(
        (name = "accounts", description = "Signing in; an administrator's accounts and audit trail"),
        (name = "plan", description = "The plans of the person's province, and importing them"),
        (name = "sync", description = "Exactly-once push, cursor pull"),
        (name = "agencies", description = "The registry of record of an administrator's province: confirming, renaming and merging agencies"),
        (name = "reports", description = "The reporting cycle: period reports, where each stands, and their exports"),
        (name = "health", description = "Liveness"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
