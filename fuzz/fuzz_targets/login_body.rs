//! The body of `POST /api/v1/login` as the handler reads it before any password is
//! checked: JSON into `LoginRequest`, the username trimmed and bounded, and the
//! attempt counted by the login limiter (keyed by the lower-cased username). The
//! Argon2 check itself is left out: tens of milliseconds a run would starve the
//! fuzzer, and its input is only the password's bytes. Any answer is fine but a panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tiendo_backend::auth::{LoginLimiter, token_hash};
use tiendo_shared::protocol::LoginRequest;

fuzz_target!(|data: &[u8]| {
    static LIMITER: OnceLock<LoginLimiter> = OnceLock::new();
    let Ok(request) = serde_json::from_slice::<LoginRequest>(data) else {
        return;
    };
    let username = request.username.trim();
    if username.is_empty() || username.len() > 64 || request.password.len() > 256 {
        return;
    }
    let limiter = LIMITER.get_or_init(LoginLimiter::default);
    if limiter.attempt(username).is_ok() && request.password.len() % 2 == 0 {
        limiter.succeeded(username);
    }
    let _ = token_hash(&request.password);
});
