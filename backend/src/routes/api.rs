//! The JSON API handlers. Each checks who is asking, then calls the database.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tiendo_shared::date::{Date, date_of, format_rfc3339_utc};
use tiendo_shared::error::ApiError;
use tiendo_shared::ids::{AgencyId, PlanCode};
use tiendo_shared::plan::Period;
use tiendo_shared::plan::calendar::VIETNAM_OFFSET_MINUTES;
use tiendo_shared::protocol::MAX_BODY_BYTES;
use tiendo_shared::protocol::{
    Cursor, LoginRequest, LoginResponse, MAX_BATCH, MIN_SCHEMA_VERSION, Mutation, MutationEnvelope,
    PULL_PAGE, PlanListing, PlanView, PullResponse, PushRequest, PushResponse, Role, UserInfo,
};
use tiendo_shared::report::ReportsView;

use crate::AppState;
use crate::auth::{CurrentUser, dummy_hash, new_token, token_hash, verify_password};
use crate::db::{
    DbError, ExportError, ExportScope, ListingError, PlanAnswer, PushOutcome, Within, now_ms,
};
use crate::error::{AppError, AppJson};
use crate::export::{self, Format};
use crate::import;

#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "The database answers"), (status = 503, description = "It does not")))]
/// `GET /healthz`: 200 when the database answers, 503 otherwise.
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// How long a login waits for a free password check before it is told to retry.
const VERIFY_WAIT: Duration = Duration::from_secs(5);

#[utoipa::path(post, path = "/api/v1/login", tag = "accounts", request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 400, description = "Not JSON of this shape (or sent without `Content-Type: application/json`)", body = ApiError),
        (status = 401, description = "Wrong username or password", body = ApiError),
        (status = 429, description = "Too many failed attempts", body = ApiError),
    ))]
/// `POST /api/v1/login`.
pub async fn login(
    State(state): State<AppState>,
    AppJson(request): AppJson<LoginRequest>,
) -> Result<Json<LoginResponse>, AppError> {
    let username = request.username.trim().to_owned();
    if username.is_empty() || username.len() > 64 || request.password.len() > 256 {
        return Err(ApiError::BadCredentials.into());
    }
    state.limiter.attempt(&username)?;
    let found = state.db.user_for_login(username.clone()).await?;
    let hash = found
        .as_ref()
        .map_or_else(|| dummy_hash().to_owned(), |(_, hash)| hash.clone());
    let checked = hash.clone();
    // Each check takes about 19 MiB and tens of milliseconds: a few at a time, and a
    // flood of them is told to come back rather than queued without end.
    let permit = tokio::time::timeout(VERIFY_WAIT, Arc::clone(&state.verifier).acquire_owned())
        .await
        .map_err(|_| ApiError::RateLimited { retry_after_s: 5 })?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let password = request.password;
    let matches = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        verify_password(&password, &hash)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let user = match found {
        Some((user, _)) if matches => user,
        _ => return Err(ApiError::BadCredentials.into()),
    };
    state.limiter.succeeded(&username);
    let token = new_token()?;
    let expires_at = now_ms() + state.config.token_ttl.as_millis() as i64;
    // Refused when the account was disabled, or its password reset, meanwhile.
    if !state
        .db
        .create_session(user.id, checked, token_hash(&token), expires_at)
        .await?
    {
        return Err(ApiError::BadCredentials.into());
    }
    Ok(Json(LoginResponse {
        token,
        expires_at: format_rfc3339_utc(expires_at),
        user: user.info(),
    }))
}

#[utoipa::path(post, path = "/api/v1/logout", tag = "accounts", security(("bearer" = [])),
    responses((status = 204, description = "The token no longer works"), (status = 401, body = ApiError)))]
/// `POST /api/v1/logout`: ends the session of the token sent.
pub async fn logout(
    State(state): State<AppState>,
    CurrentUser(_, token): CurrentUser,
) -> Result<StatusCode, AppError> {
    state.db.end_session(token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = UserInfo), (status = 401, body = ApiError)))]
/// `GET /api/v1/me`: who the token belongs to.
pub async fn me(CurrentUser(user, _): CurrentUser) -> Json<UserInfo> {
    Json(user.info())
}

#[utoipa::path(get, path = "/api/v1/plans", tag = "plan", security(("bearer" = [])),
    responses(
        (status = 200, description = "The plans of the person's province, newest first; `current` marks the one served when none is chosen", body = Vec<PlanListing>),
        (status = 401, body = ApiError),
    ))]
/// `GET /api/v1/plans`: the plans a person can switch between.
pub async fn plans(
    State(state): State<AppState>,
    CurrentUser(user, _): CurrentUser,
) -> Result<Json<Vec<PlanListing>>, AppError> {
    Ok(Json(state.db.plans_of(user).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanParams {
    /// The plan's code, e.g. `215/KH-UBND`: one of `GET /api/v1/plans`. Absent: the
    /// current plan.
    #[param(max_length = 64, example = "215/KH-UBND")]
    plan: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/plan", tag = "plan", security(("bearer" = [])),
    params(PlanParams),
    responses(
        (status = 200, body = PlanView, headers(("etag" = String, description = "The version of this view"))),
        (status = 304, description = "Unchanged since the `If-None-Match` version"),
        (status = 401, body = ApiError),
        (status = 404, description = "No plan, or the plan asked for is not one of the person's province", body = ApiError),
        (status = 422, description = "The plan code is malformed", body = ApiError),
    ))]
/// `GET /api/v1/plan[?plan=CODE]`: the plan's tasks (the current plan's when none is
/// named), marked with what the person's agency is assigned. Devices ask for it after
/// every sync; an unchanged plan costs a 304.
pub async fn plan(
    State(state): State<AppState>,
    CurrentUser(user, _): CurrentUser,
    params: Result<Query<PlanParams>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let Query(params) = params?;
    let code = params
        .plan
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(PlanCode::parse)
        .transpose()
        .map_err(|e| ApiError::Invalid {
            field: "plan".into(),
            detail: e.to_string(),
        })?;
    let sent: Vec<String> = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(|tags| tags.split(',').map(|t| t.trim().to_owned()).collect())
        .unwrap_or_default();
    let cache_headers = |etag: String| {
        [
            (header::ETAG, etag),
            (header::CACHE_CONTROL, "private, no-cache".to_owned()),
        ]
    };
    let (view, stamp) = match state.db.plan_answer(user, code, sent.clone()).await? {
        None => return Err(ApiError::NotFound.into()),
        Some(PlanAnswer::Unchanged(etag)) => {
            return Ok((StatusCode::NOT_MODIFIED, cache_headers(etag)).into_response());
        }
        Some(PlanAnswer::View(view, stamp)) => (view, stamp),
    };
    let body = serde_json::to_vec(&view).map_err(|e| AppError::Internal(e.to_string()))?;
    let digest = Sha256::digest(&body);
    // Weak: the bytes sent may be compressed; the meaning is what is versioned.
    let etag = format!(
        "W/\"{}\"",
        digest[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    state.db.remember_view_tag(stamp, etag.clone());
    if sent.contains(&etag) {
        return Ok((StatusCode::NOT_MODIFIED, cache_headers(etag)).into_response());
    }
    let json = [(header::CONTENT_TYPE, "application/json".to_owned())];
    Ok((cache_headers(etag), json, body).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `true` (the default): work out what importing would do and change nothing.
    dry_run: Option<bool>,
}

/// The import summary, as `tiendo plan import --json` prints it.
pub struct ImportSummary;

impl utoipa::PartialSchema for ImportSummary {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::{ObjectBuilder, schema::Type};
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "What was (for a dry run, would be) done: `code`, `created`, `applied`, \
                 `tasks`, `added`, `restored`, `changed`, `withdrawn`, `unchanged`, \
                 `new_agencies`, `unmapped_groups`, and `warnings` (each with `line`, \
                 `place` — where the file has it — and `message`)",
            ))
            .into()
    }
}

impl utoipa::ToSchema for ImportSummary {}

#[utoipa::path(post, path = "/api/v1/plans/import", tag = "plan", security(("bearer" = [])),
    params(ImportParams),
    request_body(content = FileBytes, content_type = "application/octet-stream",
        description = "The plan file: a Word .docx or a text plan, told apart by content"),
    responses(
        (status = 200, body = ImportSummary),
        (status = 401, body = ApiError),
        (status = 403, description = "Not an administrator", body = ApiError),
        (status = 413, description = "Over the body bound", body = ApiError),
        (status = 422, description = "Not a plan file, a line the parser stops on (`field` is `file`, `detail` names the line and what was expected), or an import refused with the reason", body = ApiError),
    ))]
/// `POST /api/v1/plans/import?dry_run=true|false`: an administrator imports a plan
/// file, or previews what importing it would do.
pub async fn import_plan(
    State(state): State<AppState>,
    CurrentUser(user, _): CurrentUser,
    params: Result<Query<ImportParams>, axum::extract::rejection::QueryRejection>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    if user.role != Role::Admin {
        return Err(ApiError::Forbidden.into());
    }
    let Query(params) = params?;
    let bytes = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge {
            limit: MAX_BODY_BYTES as u64,
        },
        _ => ApiError::Invalid {
            field: "file".into(),
            detail: e.body_text(),
        },
    })?;
    let invalid = |detail: String| ApiError::Invalid {
        field: "file".into(),
        detail,
    };
    // The database is the registry of record: a renamed or merged agency is read
    // under the names the database knows.
    let registries = import::registries_of_record(&state.db.stored_agencies().await?);
    let (registries, (source, parsed)) = tokio::task::spawn_blocking(move || {
        let read = import::parse_bytes(&bytes, &registries);
        read.map(|parsed| (registries, parsed))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| invalid(e.to_string()))?;
    let agencies = import::agencies_of(&registries, &parsed.province);
    let dry_run = params.dry_run.unwrap_or(true);
    let db = state.db.acting_as(&user.username);
    let summary = match import::import_parsed(&db, parsed, agencies, dry_run).await {
        Ok(summary) => summary,
        Err(DbError::Refused(reason)) => return Err(invalid(reason).into()),
        Err(e) => return Err(e.into()),
    };
    let value =
        import::summary_json(&summary, &source).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Json(value))
}

#[utoipa::path(post, path = "/api/v1/sync/push", tag = "sync", security(("bearer" = [])),
    // Compression is said of the body, not as a header parameter: it is how the JSON
    // travels, and a generated header value would never match a generated body.
    request_body(content = PushRequest<Mutation>, content_type = "application/json",
        description = "The batch. It may travel compressed, with `Content-Encoding: gzip` or `deflate` (browsers compress pushes with `CompressionStream`); the expanded body is bounded like any body"),
    responses(
        (status = 200, description = "Applied or rejected for good, up to `last_seq`; sent after commit", body = PushResponse),
        (status = 400, description = "Not JSON of this shape, or not valid for its `Content-Encoding`", body = ApiError),
        (status = 401, body = ApiError),
        (status = 403, description = "The client id belongs to another person", body = ApiError),
        (status = 409, description = "A sequence number was skipped", body = ApiError),
        (status = 413, description = "Over the body or batch bound, compressed or once expanded", body = ApiError),
        (status = 422, description = "A `Content-Encoding` other than gzip or deflate (`field` is `content-encoding`)", body = ApiError),
        (status = 426, description = "The client's schema version is too old", body = ApiError),
        (status = 503, description = "Temporary failure; nothing applied", body = ApiError),
    ))]
/// `POST /api/v1/sync/push`.
pub async fn push(
    State(state): State<AppState>,
    CurrentUser(user, _): CurrentUser,
    AppJson(request): AppJson<PushRequest<MutationEnvelope>>,
) -> Result<Json<PushResponse>, AppError> {
    if request.schema_version < MIN_SCHEMA_VERSION {
        return Err(ApiError::UpgradeRequired {
            min_schema_version: MIN_SCHEMA_VERSION,
        }
        .into());
    }
    if request.mutations.len() > MAX_BATCH {
        return Err(ApiError::TooLarge {
            limit: MAX_BATCH as u64,
        }
        .into());
    }
    match state
        .db
        .push(user, request.client_id, request.mutations)
        .await?
    {
        PushOutcome::Applied(response) => Ok(Json(response)),
        PushOutcome::OutOfOrder { expected } => Err(ApiError::OutOfOrder { expected }.into()),
        PushOutcome::ForeignClient => Err(ApiError::Forbidden.into()),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullParams {
    /// The cursor of the previous answer, as it was sent; `0` (or absent) for
    /// everything. A cursor this server did not issue answers a reset.
    #[serde(default)]
    cursor: String,
    /// At most this many changes (default and maximum 500).
    limit: Option<usize>,
    /// The protocol version the client speaks (default 1). Report changes are sent
    /// only from version 2 on, so an older client never meets a kind it cannot read.
    schema_version: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/sync/pull", tag = "sync", security(("bearer" = [])),
    params(PullParams),
    responses((status = 200, body = PullResponse), (status = 401, body = ApiError), (status = 422, body = ApiError)))]
/// `GET /api/v1/sync/pull?cursor=C`.
pub async fn pull(
    State(state): State<AppState>,
    CurrentUser(user, _): CurrentUser,
    params: Result<Query<PullParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PullResponse>, AppError> {
    let Query(params) = params?;
    let limit = params.limit.unwrap_or(PULL_PAGE).clamp(1, PULL_PAGE);
    let cursor = Cursor::parse(&params.cursor);
    let schema_version = params.schema_version.unwrap_or(1);
    Ok(Json(
        state.db.pull(user, cursor, limit, schema_version).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportsParams {
    /// The plan's code, e.g. `215/KH-UBND`.
    #[param(max_length = 64, example = "215/KH-UBND")]
    plan: String,
    /// The period: `H1-2019`, `Y-2019`, `Q1-2019` … `Q4-2019`.
    #[param(pattern = "^(H1|Y|Q[1-4])-[0-9]{4}$", example = "H1-2019")]
    period: String,
    /// The day (Vietnam time) the states are worked out for; default today.
    #[param(format = Date, example = "2019-07-01")]
    as_of: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", security(("bearer" = [])),
    params(ReportsParams),
    responses(
        (status = 200, description = "Every report of the period the person may see: a supervisor every agency that must report and the consolidated report; anyone else their own agency's", body = ReportsView),
        (status = 401, body = ApiError),
        (status = 404, description = "No such plan, or the plan asks for no report of that period", body = ApiError),
        (status = 422, description = "A parameter is malformed", body = ApiError),
    ))]
/// `GET /api/v1/reports?plan=CODE&period=PERIOD[&as_of=YYYY-MM-DD]`.
pub async fn reports(
    State(state): State<AppState>,
    CurrentUser(user, _): CurrentUser,
    params: Result<Query<ReportsParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ReportsView>, AppError> {
    let Query(params) = params?;
    let invalid = |field: &str, detail: &str| ApiError::Invalid {
        field: field.into(),
        detail: detail.into(),
    };
    let plan = PlanCode::parse(&params.plan).map_err(|e| invalid("plan", &e.to_string()))?;
    let period = Period::parse(&params.period)
        .ok_or_else(|| invalid("period", "expected H1-2019, Y-2019 or Q1-2019 … Q4-2019"))?;
    let as_of = match params.as_of.as_deref() {
        Some(text) => Date::parse_iso(text).map_err(|e| invalid("as_of", &e.to_string()))?,
        None => date_of(now_ms(), VIETNAM_OFFSET_MINUTES),
    };
    match state.db.reports(user, plan, period, as_of).await? {
        Ok(view) => Ok(Json(view)),
        Err(ListingError::UnknownPlan | ListingError::UnknownPeriod) => {
            Err(ApiError::NotFound.into())
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// The plan's code, e.g. `215/KH-UBND`.
    #[param(max_length = 64, example = "215/KH-UBND")]
    plan: String,
    /// The period: `H1-2019`, `Y-2019`, `Q1-2019` … `Q4-2019`.
    #[param(pattern = "^(H1|Y|Q[1-4])-[0-9]{4}$", example = "H1-2019")]
    period: String,
    /// `docx` (the report as a Word document), `xlsx` (the data as a workbook) or `csv`
    /// (the data as CSV, UTF-8 with a byte-order mark).
    #[param(pattern = "^(docx|xlsx|csv)$", example = "csv")]
    format: String,
    /// Whose report: an agency id. Absent: the consolidated report with every agency
    /// for a supervisor, the person's own agency for anyone else.
    #[param(
        pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$",
        max_length = 64,
        example = "so-vhttdl"
    )]
    agency: Option<String>,
}

/// A file's bytes, as the OpenAPI description names them (`string`, `binary`).
pub struct FileBytes;

impl utoipa::PartialSchema for FileBytes {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::{KnownFormat, ObjectBuilder, SchemaFormat, schema::Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl utoipa::ToSchema for FileBytes {}

#[utoipa::path(get, path = "/api/v1/reports/export", tag = "reports", security(("bearer" = [])),
    params(ExportParams),
    responses(
        (status = 200, description = "The export as a file to download, named in `Content-Disposition` (an ASCII `filename` and the Vietnamese `filename*`)",
            content((FileBytes = export::DOCX_TYPE), (FileBytes = export::XLSX_TYPE), (String = export::CSV_TYPE)),
            headers(("content-disposition" = String, description = "attachment; filename=\"…\"; filename*=UTF-8''…"))),
        (status = 401, body = ApiError),
        (status = 403, description = "Another agency's report, or the consolidated report, asked for by someone who is not a supervisor", body = ApiError),
        (status = 404, description = "No such plan, no report of that period, or the agency does not report for it", body = ApiError),
        (status = 422, description = "A parameter is malformed", body = ApiError),
    ))]
/// `GET /api/v1/reports/export?plan=CODE&period=PERIOD&format=docx|xlsx|csv[&agency=ID]`:
/// a supervisor exports the consolidated report or any agency's; an agency head or
/// staff only their own agency's (the agency they report through).
pub async fn export(
    State(state): State<AppState>,
    CurrentUser(user, _): CurrentUser,
    params: Result<Query<ExportParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    let Query(params) = params?;
    let invalid = |field: &str, detail: &str| ApiError::Invalid {
        field: field.into(),
        detail: detail.into(),
    };
    let plan = PlanCode::parse(&params.plan).map_err(|e| invalid("plan", &e.to_string()))?;
    let period = Period::parse(&params.period)
        .ok_or_else(|| invalid("period", "expected H1-2019, Y-2019 or Q1-2019 … Q4-2019"))?;
    let format = Format::parse(&params.format)
        .ok_or_else(|| invalid("format", "expected docx, xlsx or csv"))?;
    let agency = params
        .agency
        .as_deref()
        .map(AgencyId::parse)
        .transpose()
        .map_err(|e| invalid("agency", &e.to_string()))?;
    let scope = if user.role.reads_all() {
        agency.map_or(ExportScope::Consolidated, ExportScope::Agency)
    } else {
        let own = state.db.reporting_root(user.agency.id.clone()).await?;
        match agency {
            Some(asked) if asked != own && asked != user.agency.id => {
                return Err(ApiError::Forbidden.into());
            }
            _ => ExportScope::Agency(own),
        }
    };
    let within = Within::AgencyOf(user.agency.id.clone());
    let data = match state.db.export_data(plan, within, period, scope).await? {
        Ok(data) => data,
        Err(
            ExportError::UnknownPlan
            | ExportError::UnknownPeriod
            | ExportError::UnknownAgency
            | ExportError::NoConsolidator,
        ) => return Err(ApiError::NotFound.into()),
    };
    let name = export::file_name(&data, format);
    let bytes = tokio::task::spawn_blocking(move || export::render(&data, format))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let headers = [
        (header::CONTENT_TYPE, format.content_type().to_owned()),
        (
            header::CONTENT_DISPOSITION,
            export::content_disposition(&name),
        ),
        (header::CACHE_CONTROL, "private, no-store".to_owned()),
    ];
    Ok((headers, bytes).into_response())
}
