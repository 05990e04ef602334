//! An administrator's accounts and audit trail, in the web app as on the command line
//! (`tiendo user …`, `tiendo audit`): the accounts of their province, imported from a
//! CSV file all or nothing, disabled, enabled and given new passwords; and who changed
//! what, and when.

use std::collections::HashSet;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use serde::Deserialize;
use tiendo_shared::date::Date;
use tiendo_shared::error::ApiError;
use tiendo_shared::ids::AgencyId;
use tiendo_shared::protocol::{
    AccountEntry, AccountRequest, AuditRow, IssuedPassword, MAX_BODY_BYTES,
};

use crate::AppState;
use crate::accounts;
use crate::auth::{CurrentUser, hash_password};
use crate::db::{Db, DbError, NewUser, SessionUser};
use crate::error::{AppError, AppJson};

use super::{admin_province, language};

/// The agencies of the administrator's province, or `403` for anyone else.
async fn province_agencies(
    state: &AppState,
    user: &SessionUser,
) -> Result<HashSet<AgencyId>, AppError> {
    let province = admin_province(state, user).await?;
    Ok(state
        .db
        .registry_of(province)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect())
}

async fn accounts_in(db: &Db, agencies: &HashSet<AgencyId>) -> Result<Vec<AccountEntry>, AppError> {
    Ok(db
        .accounts()
        .await?
        .into_iter()
        .filter(|a| agencies.contains(&a.agency.id))
        .map(|a| AccountEntry {
            username: a.username,
            display_name: a.display_name,
            role: a.role,
            agency: a.agency,
            disabled: a.disabled,
            sessions: u32::try_from(a.sessions).unwrap_or(u32::MAX),
            created_at: a.created_at,
        })
        .collect())
}

#[utoipa::path(get, path = "/api/v1/users", tag = "accounts", security(("bearer" = [])),
    responses(
        (status = 200, description = "The accounts of the administrator's province, by agency and username", body = Vec<AccountEntry>),
        (status = 401, body = ApiError),
        (status = 403, description = "Not an administrator", body = ApiError),
    ))]
/// `GET /api/v1/users`.
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(user, _): CurrentUser,
) -> Result<Json<Vec<AccountEntry>>, AppError> {
    let agencies = province_agencies(&state, &user).await?;
    Ok(Json(accounts_in(&state.db, &agencies).await?))
}

#[utoipa::path(post, path = "/api/v1/users/import", tag = "accounts", security(("bearer" = [])),
    params(("accept-language" = Option<String>, Header, description = "`vi` (the default) or `en`: the language of the rows' problems")),
    request_body(content = String, content_type = "text/csv",
        description = "One account a row: username, display name, agency (id or name), role; a first row naming the columns is skipped. UTF-8."),
    responses(
        (status = 200, description = "Every account created, each with its generated password, shown this once", body = Vec<IssuedPassword>),
        (status = 401, body = ApiError),
        (status = 403, description = "Not an administrator", body = ApiError),
        (status = 413, description = "Over the body bound", body = ApiError),
        (status = 422, description = "Nothing imported: `detail` lists every row to correct (`field` is `file`), in the request's language", body = ApiError),
    ))]
/// `POST /api/v1/users/import`: all the file's accounts, or none.
pub async fn import(
    State(state): State<AppState>,
    CurrentUser(user, _): CurrentUser,
    headers: HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<Vec<IssuedPassword>>, AppError> {
    let agencies = province_agencies(&state, &user).await?;
    let bytes = body.map_err(|e| match e.status() {
        axum::http::StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge {
            limit: MAX_BODY_BYTES as u64,
        },
        _ => invalid("file", e.body_text()),
    })?;
    let lang = language(&headers);
    let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
        let detail = if lang == "vi" {
            "tệp không phải văn bản UTF-8: hãy lưu tệp dạng “CSV UTF-8”"
        } else {
            "not UTF-8 text: save the file as “CSV UTF-8”"
        };
        invalid("file", detail.into())
    })?;
    let stored: Vec<_> = state
        .db
        .stored_agencies()
        .await?
        .into_iter()
        .filter(|a| agencies.contains(&a.agency.id))
        .collect();
    let taken: Vec<String> = state
        .db
        .accounts()
        .await?
        .into_iter()
        .map(|a| a.username)
        .collect();
    let rows = accounts::read_accounts(&text, &stored, &taken).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| e.in_lang(lang)).collect();
        invalid("file", lines.join("\n"))
    })?;
    let mut users = Vec::with_capacity(rows.len());
    let mut issued = Vec::with_capacity(rows.len());
    for row in rows {
        let password = accounts::generate_password().map_err(AppError::Internal)?;
        users.push(NewUser {
            username: row.username.clone(),
            display_name: row.display_name.clone(),
            password_hash: hash_password(&password)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            agency: row.agency.id,
            role: row.role,
        });
        issued.push(IssuedPassword {
            username: row.username,
            display_name: row.display_name,
            password,
        });
    }
    match state.db.acting_as(&user.username).add_users(users).await {
        Ok(_) => Ok(Json(issued)),
        Err(DbError::Declined(reason)) => Err(invalid("file", reason.in_lang(lang).into()).into()),
        Err(e) => Err(e.into()),
    }
}

fn invalid(field: &str, detail: String) -> ApiError {
    ApiError::Invalid {
        field: field.into(),
        detail,
    }
}

/// The account `username` if it is of the administrator's province, else `404`, with
/// the province's agencies; an administrator does not lock themselves out (`422`).
async fn target(
    state: &AppState,
    user: &SessionUser,
    username: &str,
) -> Result<(AccountEntry, HashSet<AgencyId>), AppError> {
    let agencies = province_agencies(state, user).await?;
    let account = accounts_in(&state.db, &agencies)
        .await?
        .into_iter()
        .find(|a| a.username == username)
        .ok_or(ApiError::NotFound)?;
    if account.username == user.username {
        return Err(invalid(
            "username",
            "không thể tự khóa hoặc đặt lại mật khẩu tài khoản đang dùng / you cannot lock or reset the account you are signed in with".into(),
        )
        .into());
    }
    Ok((account, agencies))
}

/// Disables the account `username` (its sessions end at once) or enables it again;
/// the province's accounts after it.
async fn set_disabled(
    state: &AppState,
    user: &SessionUser,
    username: &str,
    disabled: bool,
) -> Result<Json<Vec<AccountEntry>>, AppError> {
    let (account, agencies) = target(state, user, username).await?;
    let db = state.db.acting_as(&user.username);
    if disabled {
        db.disable_user(account.username).await?;
    } else {
        db.enable_user(account.username).await?;
    }
    Ok(Json(accounts_in(&state.db, &agencies).await?))
}

#[utoipa::path(post, path = "/api/v1/users/disable", tag = "accounts", security(("bearer" = [])),
    request_body = AccountRequest,
    responses(
        (status = 200, description = "Disabled, its sessions ended at once; the province's accounts after it", body = Vec<AccountEntry>),
        (status = 400, description = "Not JSON of this shape", body = ApiError),
        (status = 401, body = ApiError),
        (status = 403, description = "Not an administrator", body = ApiError),
        (status = 404, description = "No such account in the administrator's province", body = ApiError),
        (status = 422, description = "The administrator's own account", body = ApiError),
    ))]
/// `POST /api/v1/users/disable`.
pub async fn disable(
    State(state): State<AppState>,
    CurrentUser(user, _): CurrentUser,
    AppJson(request): AppJson<AccountRequest>,
) -> Result<Json<Vec<AccountEntry>>, AppError> {
    set_disabled(&state, &user, &request.username, true).await
}

#[utoipa::path(post, path = "/api/v1/users/enable", tag = "accounts", security(("bearer" = [])),
    request_body = AccountRequest,
    responses(
        (status = 200, description = "It can sign in again; the province's accounts after it", body = Vec<AccountEntry>),
        (status = 400, description = "Not JSON of this shape", body = ApiError),
        (status = 401, body = ApiError),
        (status = 403, description = "Not an administrator", body = ApiError),
        (status = 404, description = "No such account in the administrator's province", body = ApiError),
        (status = 422, description = "The administrator's own account", body = ApiError),
    ))]
/// `POST /api/v1/users/enable`.
pub async fn enable(
    State(state): State<AppState>,
    CurrentUser(user, _): CurrentUser,
    AppJson(request): AppJson<AccountRequest>,
) -> Result<Json<Vec<AccountEntry>>, AppError> {
    set_disabled(&state, &user, &request.username, false).await
}

#[utoipa::path(post, path = "/api/v1/users/reset-password", tag = "accounts", security(("bearer" = [])),
    request_body = AccountRequest,
    responses(
        (status = 200, description = "A new generated password, shown this once; the account's sessions are ended", body = IssuedPassword),
        (status = 400, description = "Not JSON of this shape", body = ApiError),
        (status = 401, body = ApiError),
        (status = 403, description = "Not an administrator", body = ApiError),
        (status = 404, description = "No such account in the administrator's province", body = ApiError),
        (status = 422, description = "The administrator's own account", body = ApiError),
    ))]
/// `POST /api/v1/users/reset-password`.
pub async fn reset_password(
    State(state): State<AppState>,
    CurrentUser(user, _): CurrentUser,
    AppJson(request): AppJson<AccountRequest>,
) -> Result<Json<IssuedPassword>, AppError> {
    let (account, _) = target(&state, &user, &request.username).await?;
    let password = accounts::generate_password().map_err(AppError::Internal)?;
    let hash = hash_password(&password).map_err(|e| AppError::Internal(e.to_string()))?;
    state
        .db
        .acting_as(&user.username)
        .reset_password(account.username.clone(), hash)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(IssuedPassword {
        username: account.username,
        display_name: account.display_name,
        password,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// From the start of this day (YYYY-MM-DD, Vietnam time).
    since: Option<String>,
    /// Only changes of this agency.
    agency: Option<String>,
    /// At most this many rows, the newest (default and most 500).
    limit: Option<usize>,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "accounts", security(("bearer" = [])),
    params(AuditParams),
    responses(
        (status = 200, description = "The newest changes first: of the administrator's province's agencies, and those of no agency (plan imports by the command line)", body = Vec<AuditRow>),
        (status = 401, body = ApiError),
        (status = 403, description = "Not an administrator", body = ApiError),
        (status = 422, description = "A malformed parameter", body = ApiError),
    ))]
/// `GET /api/v1/audit?since=YYYY-MM-DD&agency=ID&limit=N`.
pub async fn audit(
    State(state): State<AppState>,
    CurrentUser(user, _): CurrentUser,
    params: Result<Query<AuditParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<AuditRow>>, AppError> {
    let agencies = province_agencies(&state, &user).await?;
    let Query(params) = params?;
    let since = params
        .since
        .as_deref()
        .map(|text| {
            Date::parse_iso(text)
                // The instant the day begins in Vietnam time.
                .map(tiendo_shared::plan::calendar::due_instant)
                .map_err(|e| invalid("since", format!("{e} (expected YYYY-MM-DD)")))
        })
        .transpose()?;
    let agency = params
        .agency
        .as_deref()
        .map(AgencyId::parse)
        .transpose()
        .map_err(|e| invalid("agency", e.to_string()))?;
    let limit = params.limit.unwrap_or(500).clamp(1, 500);
    let rows = state.db.audit(since, agency).await?;
    let province: HashSet<String> = agencies.iter().map(|a| a.to_string()).collect();
    Ok(Json(
        rows.into_iter()
            .rev()
            .filter(|r| r.agency.as_ref().is_none_or(|a| province.contains(a)))
            .take(limit)
            .map(|r| AuditRow {
                id: r.id,
                at: r.at,
                device_at: r.device_at,
                actor: r.actor,
                client_id: r.client_id,
                kind: r.kind,
                agency: r.agency,
                target: r.target,
                detail: r.detail,
            })
            .collect(),
    ))
}
