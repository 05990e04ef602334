//! The administrators' agencies page: the registry of record of their province, and
//! the agencies created from a plan's wording to confirm, rename or merge.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use tiendo_shared::error::ApiError;
use tiendo_shared::ids::AgencyId;
use tiendo_shared::protocol::{
    AgencyConfirmRequest, AgencyEntry, AgencyMergeRequest, AgencyRenameRequest,
};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::db::{AgencyRename, DbError};
use crate::error::{AppError, AppJson};

use super::{admin_province, language};

/// `404` unless every agency named is one of the province's (and not merged away).
fn in_registry(registry: &[AgencyEntry], ids: &[&AgencyId]) -> Result<(), AppError> {
    if ids.iter().all(|id| registry.iter().any(|a| &a.id == *id)) {
        Ok(())
    } else {
        Err(ApiError::NotFound.into())
    }
}

/// A refusal as the shared error shape, in the request's language.
fn refusal(e: DbError, field: &str, lang: &str) -> AppError {
    match e {
        DbError::Declined(r) => ApiError::Invalid {
            field: field.into(),
            detail: r.in_lang(lang).to_owned(),
        }
        .into(),
        e => e.into(),
    }
}

#[utoipa::path(get, path = "/api/v1/agencies", tag = "agencies", security(("bearer" = [])),
    responses(
        (status = 200, description = "The agencies of the administrator's province, those waiting for confirmation first", body = Vec<AgencyEntry>),
        (status = 401, body = ApiError),
        (status = 403, description = "Not an administrator", body = ApiError),
    ))]
/// `GET /api/v1/agencies`.
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(user, _): CurrentUser,
) -> Result<Json<Vec<AgencyEntry>>, AppError> {
    let province = admin_province(&state, &user).await?;
    Ok(Json(state.db.registry_of(province).await?))
}

#[utoipa::path(post, path = "/api/v1/agencies/rename", tag = "agencies", security(("bearer" = [])),
    request_body = AgencyRenameRequest,
    params(("accept-language" = Option<String>, Header, description = "`vi` (the default) or `en`: the language of a refusal")),
    responses(
        (status = 200, description = "Renamed (and confirmed); the province's agencies after it", body = Vec<AgencyEntry>),
        (status = 400, description = "Not JSON of this shape", body = ApiError),
        (status = 401, body = ApiError),
        (status = 403, description = "Not an administrator", body = ApiError),
        (status = 404, description = "Not an agency of the administrator's province", body = ApiError),
        (status = 422, description = "Refused with the reason (`field` is `name`): an empty name, or a name another agency has", body = ApiError),
    ))]
/// `POST /api/v1/agencies/rename`.
pub async fn rename(
    State(state): State<AppState>,
    CurrentUser(user, _): CurrentUser,
    headers: HeaderMap,
    AppJson(request): AppJson<AgencyRenameRequest>,
) -> Result<Json<Vec<AgencyEntry>>, AppError> {
    let province = admin_province(&state, &user).await?;
    in_registry(
        &state.db.registry_of(province.clone()).await?,
        &[&request.id],
    )?;
    state
        .db
        .acting_as(&user.username)
        .rename_agency(AgencyRename {
            id: request.id,
            name: request.name,
            short_name: request.short_name,
            keep_alias: request.keep_alias,
        })
        .await
        .map_err(|e| refusal(e, "name", language(&headers)))?;
    Ok(Json(state.db.registry_of(province).await?))
}

#[utoipa::path(post, path = "/api/v1/agencies/merge", tag = "agencies", security(("bearer" = [])),
    request_body = AgencyMergeRequest,
    params(("accept-language" = Option<String>, Header, description = "`vi` (the default) or `en`: the language of a refusal")),
    responses(
        (status = 200, description = "Merged; the province's agencies after it", body = Vec<AgencyEntry>),
        (status = 400, description = "Not JSON of this shape", body = ApiError),
        (status = 401, body = ApiError),
        (status = 403, description = "Not an administrator", body = ApiError),
        (status = 404, description = "Not an agency of the administrator's province", body = ApiError),
        (status = 422, description = "Refused with the reason, nothing changed (`field` is `into`): the same agency, one below the other's units, or two reports of one period", body = ApiError),
    ))]
/// `POST /api/v1/agencies/merge`.
pub async fn merge(
    State(state): State<AppState>,
    CurrentUser(user, _): CurrentUser,
    headers: HeaderMap,
    AppJson(request): AppJson<AgencyMergeRequest>,
) -> Result<Json<Vec<AgencyEntry>>, AppError> {
    let province = admin_province(&state, &user).await?;
    in_registry(
        &state.db.registry_of(province.clone()).await?,
        &[&request.from, &request.into],
    )?;
    state
        .db
        .acting_as(&user.username)
        .merge_agency(request.from, request.into)
        .await
        .map_err(|e| refusal(e, "into", language(&headers)))?;
    Ok(Json(state.db.registry_of(province).await?))
}

#[utoipa::path(post, path = "/api/v1/agencies/confirm", tag = "agencies", security(("bearer" = [])),
    request_body = AgencyConfirmRequest,
    responses(
        (status = 200, description = "Confirmed as it is; the province's agencies after it", body = Vec<AgencyEntry>),
        (status = 400, description = "Not JSON of this shape", body = ApiError),
        (status = 401, body = ApiError),
        (status = 403, description = "Not an administrator", body = ApiError),
        (status = 404, description = "Not an agency of the administrator's province", body = ApiError),
    ))]
/// `POST /api/v1/agencies/confirm`.
pub async fn confirm(
    State(state): State<AppState>,
    CurrentUser(user, _): CurrentUser,
    headers: HeaderMap,
    AppJson(request): AppJson<AgencyConfirmRequest>,
) -> Result<Json<Vec<AgencyEntry>>, AppError> {
    let province = admin_province(&state, &user).await?;
    in_registry(
        &state.db.registry_of(province.clone()).await?,
        &[&request.id],
    )?;
    state
        .db
        .acting_as(&user.username)
        .confirm_agency(request.id)
        .await
        .map_err(|e| refusal(e, "id", language(&headers)))?;
    Ok(Json(state.db.registry_of(province).await?))
}
