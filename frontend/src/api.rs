//! All network access: typed calls to the server's API with `fetch`, and the files it
//! sends (exports) handed to the browser to save.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tiendo_shared::error::ApiError;
use tiendo_shared::ids::PlanCode;
use tiendo_shared::protocol::{
    Cursor, LoginRequest, LoginResponse, Mutation, PlanListing, PlanView, PushRequest,
    PushResponse, SCHEMA_VERSION,
};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, Request, RequestInit, Response};

#[wasm_bindgen]
extern "C" {
    /// A file's bytes, as the browser holds them.
    #[wasm_bindgen(extends = js_sys::Object)]
    pub type Blob;

    #[wasm_bindgen(catch, js_namespace = URL, js_name = createObjectURL)]
    fn create_object_url(blob: &Blob) -> Result<String, JsValue>;

    #[wasm_bindgen(js_namespace = URL, js_name = revokeObjectURL)]
    fn revoke_object_url(url: &str);
}

/// How long one request may take before it counts as a lost connection. Generous,
/// for 2G.
const TIMEOUT_MS: u32 = 30_000;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum CallError {
    /// No answer: offline, server down, or timed out. Try again later.
    Network,
    /// The server answered with the shared error shape.
    Api(ApiError),
    /// An answer that is neither the expected body nor the error shape (a proxy page).
    Unexpected(u16),
}

pub async fn login(username: &str, password: &str) -> Result<LoginResponse, CallError> {
    let body = LoginRequest {
        username: username.to_owned(),
        password: password.to_owned(),
    };
    call("POST", "/api/v1/login", None, Some(&body)).await
}

/// Ends the session on the server. Best effort: signing out works offline too.
pub async fn logout(token: &str) -> Result<(), CallError> {
    match call::<(), serde_json::Value>("POST", "/api/v1/logout", Some(token), None).await {
        // 204 has no body to read as JSON.
        Ok(_) | Err(CallError::Unexpected(204)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The plan `choice`, or the current plan of the person's province.
pub async fn plan(token: &str, choice: Option<&PlanCode>) -> Result<PlanView, CallError> {
    let path = match choice {
        Some(code) => format!(
            "/api/v1/plan?plan={}",
            js_sys::encode_uri_component(code.as_str())
        ),
        None => "/api/v1/plan".to_owned(),
    };
    call::<(), _>("GET", &path, Some(token), None).await
}

/// The plans of the person's province, newest first.
pub async fn plans(token: &str) -> Result<Vec<PlanListing>, CallError> {
    call::<(), _>("GET", "/api/v1/plans", Some(token), None).await
}

/// Sends a batch of the outbox. The body goes gzipped where the browser can compress
/// (`CompressionStream`): on 2G every uploaded byte costs time and money, and the
/// server expands it within the same bound.
pub async fn push(token: &str, request: &PushRequest<Mutation>) -> Result<PushResponse, CallError> {
    let json = tiendo_shared::json::to_string(request).ok_or(CallError::Unexpected(0))?;
    let body = match gzip(&json).await {
        Some(bytes) => (JSON, Some("gzip"), JsValue::from(bytes)),
        None => (JSON, None, JsValue::from_str(&json)),
    };
    answer(send("POST", "/api/v1/sync/push", Some(token), Some(body), JSON).await).await
}

const JSON: &str = "application/json";

#[wasm_bindgen]
extern "C" {
    type CompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<CompressionStream, JsValue>;

    type ReadableStream;
    #[wasm_bindgen(method, js_name = pipeThrough)]
    fn pipe_through(this: &ReadableStream, transform: &CompressionStream) -> ReadableStream;

    #[wasm_bindgen(constructor, catch, js_class = "Blob")]
    fn blob_of(parts: &js_sys::Array) -> Result<Blob, JsValue>;
    #[wasm_bindgen(method)]
    fn stream(this: &Blob) -> ReadableStream;

    #[wasm_bindgen(js_name = Response)]
    type StreamReader;
    #[wasm_bindgen(constructor, catch, js_class = "Response")]
    fn reading(stream: &ReadableStream) -> Result<StreamReader, JsValue>;
    #[wasm_bindgen(method, catch, js_name = arrayBuffer)]
    fn array_buffer(this: &StreamReader) -> Result<js_sys::Promise, JsValue>;
}

/// `text` gzipped by the browser; `None` when it cannot compress (an older browser) or
/// the text is too short to gain, and the body goes as it is.
async fn gzip(text: &str) -> Option<js_sys::Uint8Array> {
    const WORTH_IT: usize = 256;
    let able = js_sys::Reflect::has(&js_sys::global(), &JsValue::from_str("CompressionStream"))
        .unwrap_or(false);
    if !able || text.len() < WORTH_IT {
        return None;
    }
    let blob = Blob::blob_of(&js_sys::Array::of1(&JsValue::from_str(text))).ok()?;
    let compressed = blob
        .stream()
        .pipe_through(&CompressionStream::new("gzip").ok()?);
    let buffer = JsFuture::from(
        StreamReader::reading(&compressed)
            .ok()?
            .array_buffer()
            .ok()?,
    )
    .await
    .ok()?;
    Some(js_sys::Uint8Array::new(&buffer))
}

/// A page of the pull feed: the server's `PullResponse`, with each change left as its
/// JSON object, to be read by its `kind` as it is stored (`Store::apply_pull`). The field
/// app keeps report events as the server sends them without reading them (only the
/// workspace shows reports), so it carries no reader of `ReportEvent`.
#[derive(Deserialize)]
pub struct PullPage {
    pub changes: Vec<serde_json::Value>,
    pub cursor: Cursor,
    pub has_more: bool,
    #[serde(default)]
    pub remaining: u64,
    #[serde(default)]
    pub reset: bool,
}

/// One page of changes after `cursor`, report events included (they come only to a
/// client that names a schema version that knows them).
pub async fn pull(token: &str, cursor: Cursor) -> Result<PullPage, CallError> {
    let path = format!("/api/v1/sync/pull?cursor={cursor}&schema_version={SCHEMA_VERSION}");
    call::<(), _>("GET", &path, Some(token), None).await
}

#[cfg(feature = "workspace")]
/// A file from the server (an export), with the name the server gives it.
pub async fn download(token: &str, path: &str) -> Result<(Blob, String), CallError> {
    let response = send("GET", path, Some(token), None, "*/*")
        .await
        .map_err(|_| CallError::Network)?;
    if !response.ok() {
        let status = response.status();
        let text = read_text(&response).await.ok_or(CallError::Network)?;
        return Err(serde_json::from_str::<ApiError>(&text)
            .map_or(CallError::Unexpected(status), CallError::Api));
    }
    let name = response
        .headers()
        .get("Content-Disposition")
        .ok()
        .flatten()
        .and_then(|header| file_name(&header))
        .unwrap_or_else(|| "tiendo".to_owned());
    let blob = match response.blob() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .map_err(|_| CallError::Network)?,
        Err(_) => return Err(CallError::Network),
    };
    Ok((blob.unchecked_into(), name))
}

#[cfg(feature = "workspace")]
/// Hands a downloaded file to the browser to save under `name`, through a temporary
/// link to it.
pub fn save(blob: &Blob, name: &str) -> Result<(), JsValue> {
    let url = create_object_url(blob)?;
    let document = leptos::prelude::document();
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.set_hidden(true);
    let body = document
        .body()
        .ok_or_else(|| JsValue::from_str("no body"))?;
    body.append_child(&link)?;
    link.click();
    link.remove();
    // The browser has taken the file by the next task; the URL can go then.
    let revoke = Closure::once_into_js(move || revoke_object_url(&url));
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 1_000);
    }
    Ok(())
}

#[cfg(feature = "workspace")]
/// The file name a `Content-Disposition` header gives: its UTF-8 `filename*` (the
/// Vietnamese name), else its plain `filename`.
fn file_name(header: &str) -> Option<String> {
    let param = |key: &str| {
        header
            .split(';')
            .map(str::trim)
            .find_map(|p| p.strip_prefix(key).map(str::to_owned))
    };
    let encoded = param("filename*=UTF-8''").or_else(|| param("filename*=utf-8''"));
    encoded
        .and_then(|e| js_sys::decode_uri_component(&e).ok())
        .map(String::from)
        .or_else(|| param("filename=").map(|n| n.trim_matches('"').to_owned()))
        .filter(|n| !n.is_empty())
}

async fn read_text(response: &Response) -> Option<String> {
    match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|t| t.as_string()),
        Err(_) => None,
    }
}

async fn call<B: Serialize, R: DeserializeOwned>(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&B>,
) -> Result<R, CallError> {
    let body = match body {
        Some(body) => {
            let json = tiendo_shared::json::to_string(body).ok_or(CallError::Unexpected(0))?;
            Some(("application/json", None, JsValue::from_str(&json)))
        }
        None => None,
    };
    answer(send(method, path, token, body, "application/json").await).await
}

/// The agencies of the administrator's province.
#[cfg(feature = "workspace")]
pub async fn agencies(token: &str) -> Result<Vec<tiendo_shared::protocol::AgencyEntry>, CallError> {
    call::<(), _>("GET", "/api/v1/agencies", Some(token), None).await
}

/// A JSON document the workspace reads (an administrator's lists).
#[cfg(feature = "workspace")]
pub async fn get_json<R: DeserializeOwned>(token: &str, path: &str) -> Result<R, CallError> {
    call::<(), _>("GET", path, Some(token), None).await
}

/// A JSON request the workspace sends, the JSON answer read.
#[cfg(feature = "workspace")]
pub async fn post_json<B: Serialize, R: DeserializeOwned>(
    token: &str,
    path: &str,
    body: &B,
) -> Result<R, CallError> {
    call("POST", path, Some(token), Some(body)).await
}

/// A change to the agency registry (`path` is the rename, merge or confirm endpoint);
/// the province's agencies after it.
#[cfg(feature = "workspace")]
pub async fn agency_action<B: Serialize>(
    token: &str,
    path: &str,
    body: &B,
) -> Result<Vec<tiendo_shared::protocol::AgencyEntry>, CallError> {
    call("POST", path, Some(token), Some(body)).await
}

/// A file sent as it is (an administrator's plan file) to `path`, the JSON answer read.
#[cfg(feature = "workspace")]
pub async fn upload<R: DeserializeOwned>(
    token: &str,
    path: &str,
    file: &web_sys::File,
) -> Result<R, CallError> {
    let body = Some((
        "application/octet-stream",
        None,
        JsValue::from(file.clone()),
    ));
    answer(send("POST", path, Some(token), body, "application/json").await).await
}

/// The body of an answer as `R`, or the shared error shape.
async fn answer<R: DeserializeOwned>(response: Result<Response, JsValue>) -> Result<R, CallError> {
    let response = response.map_err(|_| CallError::Network)?;
    let status = response.status();
    let text = read_text(&response).await.ok_or(CallError::Network)?;
    if response.ok() {
        return read_json(&text).ok_or(CallError::Unexpected(status));
    }
    Err(read_json::<ApiError>(&text).map_or(CallError::Unexpected(status), CallError::Api))
}

/// JSON text as `T`. Parsed into a `serde_json::Value` first: every type is then read
/// by one instantiation of its `Deserialize` (over `Value`), whether it comes from the
/// network, from IndexedDB or from inside a pulled change, instead of one per source.
pub fn read_json<T: DeserializeOwned>(text: &str) -> Option<T> {
    tiendo_shared::json::from_value(parse_json(text)?)
}

/// JSON text as a `serde_json::Value`. The field app has the browser parse it
/// (`JSON.parse`) and carries no JSON parser of its own; the workspace, which reads
/// far more (every agency's updates), keeps serde_json's, the faster in WebAssembly.
#[cfg(not(feature = "workspace"))]
pub fn parse_json(text: &str) -> Option<serde_json::Value> {
    js_sys::JSON::parse(text)
        .ok()
        .map(|parsed| from_js(&parsed))
}

#[cfg(feature = "workspace")]
pub fn parse_json(text: &str) -> Option<serde_json::Value> {
    serde_json::from_str(text).ok()
}

/// What `JSON.parse` made, as a `serde_json::Value`. A whole number within 2^53 is an
/// integer, as serde_json reads it; a JSON text never holds `undefined` or functions.
#[cfg(not(feature = "workspace"))]
fn from_js(value: &JsValue) -> serde_json::Value {
    use serde_json::Value;
    if let Some(text) = value.as_string() {
        Value::String(text)
    } else if let Some(n) = value.as_f64() {
        const EXACT: f64 = 9_007_199_254_740_992.0;
        if n.fract() == 0.0 && n.abs() <= EXACT {
            if n >= 0.0 {
                Value::from(n as u64)
            } else {
                Value::from(n as i64)
            }
        } else {
            Value::from(n)
        }
    } else if let Some(b) = value.as_bool() {
        Value::Bool(b)
    } else if value.is_null() || value.is_undefined() {
        Value::Null
    } else if js_sys::Array::is_array(value) {
        let array: &js_sys::Array = value.unchecked_ref();
        Value::Array(array.iter().map(|item| from_js(&item)).collect())
    } else {
        // Inserted one by one: collecting would sort the entries first, with code of
        // its own.
        let mut object = serde_json::Map::new();
        for entry in js_sys::Object::entries(value.unchecked_ref()).iter() {
            let entry: js_sys::Array = entry.unchecked_into();
            let key = entry.get(0).as_string().unwrap_or_default();
            object.insert(key, from_js(&entry.get(1)));
        }
        Value::Object(object)
    }
}

/// A request, with a body of its content type (and encoding) when there is one.
async fn send(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<(&str, Option<&str>, JsValue)>,
    accept: &str,
) -> Result<Response, JsValue> {
    let headers = Headers::new()?;
    headers.set("Accept", accept)?;
    // The app's language (the page's `lang`), for the reasons the server writes out.
    if let Some(lang) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("lang"))
    {
        headers.set("Accept-Language", &lang)?;
    }
    if let Some(token) = token {
        headers.set("Authorization", &format!("Bearer {token}"))?;
    }
    let init = RequestInit::new();
    init.set_method(method);
    init.set_headers(&headers);
    init.set_signal(Some(&AbortSignal::timeout_with_u32(TIMEOUT_MS)));
    if let Some((content_type, encoding, body)) = body {
        headers.set("Content-Type", content_type)?;
        if let Some(encoding) = encoding {
            headers.set("Content-Encoding", encoding)?;
        }
        init.set_body(&body);
    }
    let request = Request::new_with_str_and_init(path, &init)?;
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let response = JsFuture::from(window.fetch_with_request(&request)).await?;
    Ok(response.unchecked_into())
}
