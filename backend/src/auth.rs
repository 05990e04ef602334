//! Passwords, session tokens, the signed-in-person extractor and login rate limits.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use tiendo_shared::error::ApiError;

use crate::AppState;
use crate::db::SessionUser;
use crate::error::AppError;

/// Hashes a password with Argon2id and a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Whether `password` matches `hash`. A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of no one's password, checked when the username is unknown so that the
/// answer takes as long as for a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no one's password").unwrap_or_default())
}

/// A new random session token, as sent to the client.
pub fn new_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// What the database keeps of a token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The signed-in person, from `Authorization: Bearer <token>`, and the hash of the
/// token that identified them.
pub struct CurrentUser(pub SessionUser, pub Vec<u8>);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty() && token.len() <= 128)
            .ok_or(ApiError::Unauthorized)?;
        let hash = token_hash(token);
        let user = state
            .db
            .session_user(hash.clone())
            .await?
            .ok_or(ApiError::Unauthorized)?;
        Ok(CurrentUser(user, hash))
    }
}

/// Counts login attempts per username and refuses more than
/// [`LoginLimiter::MAX_FAILURES`] unsuccessful ones within [`LoginLimiter::WINDOW`].
/// An attempt counts from the moment it starts, so a burst of parallel guesses is
/// limited too; a success forgets the count.
///
/// The usernames tried are kept for one window. A flood of made-up usernames cannot
/// make the map cost more than [`LoginLimiter::MAX_TRACKED`] entries (beyond it a new
/// username waits for the next window) nor its clean-up run on every attempt.
#[derive(Default)]
pub struct LoginLimiter {
    attempts: Mutex<Attempts>,
}

#[derive(Default)]
struct Attempts {
    by_username: HashMap<String, (u32, Instant)>,
    /// When the expired entries were last dropped.
    swept: Option<Instant>,
}

impl LoginLimiter {
    pub const MAX_FAILURES: u32 = 5;
    pub const WINDOW: Duration = Duration::from_secs(60);
    /// At most this many usernames are tracked at once (a few MB).
    pub const MAX_TRACKED: usize = 50_000;
    /// Expired entries are dropped once the map holds this many, at most once a second.
    const SWEEP_FROM: usize = 10_000;

    /// Counts an attempt for `username`, or refuses it when there were too many.
    pub fn attempt(&self, username: &str) -> Result<(), ApiError> {
        // A panic elsewhere must not switch the limit off: take the map back.
        let mut guard = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        let Attempts { by_username, swept } = &mut *guard;
        if by_username.len() >= Self::SWEEP_FROM
            && swept.is_none_or(|at| at.elapsed() >= Duration::from_secs(1))
        {
            by_username.retain(|_, (_, since)| since.elapsed() < Self::WINDOW);
            *swept = Some(Instant::now());
        }
        let key = username.to_lowercase();
        if by_username.len() >= Self::MAX_TRACKED && !by_username.contains_key(&key) {
            return Err(ApiError::RateLimited { retry_after_s: 5 });
        }
        let entry = by_username.entry(key).or_insert((0, Instant::now()));
        let elapsed = entry.1.elapsed();
        if elapsed >= Self::WINDOW {
            *entry = (0, Instant::now());
        } else if entry.0 >= Self::MAX_FAILURES {
            return Err(ApiError::RateLimited {
                retry_after_s: Self::WINDOW.saturating_sub(elapsed).as_secs().max(1),
            });
        }
        entry.0 += 1;
        Ok(())
    }

    /// Forgets the attempts of a username after a successful login.
    pub fn succeeded(&self, username: &str) {
        let mut attempts = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        attempts.by_username.remove(&username.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let hash = hash_password("mật khẩu").unwrap();
        assert!(verify_password("mật khẩu", &hash));
        assert!(!verify_password("mat khau", &hash));
        assert!(!verify_password("anything", "not a hash"));
        assert!(!verify_password("anything", dummy_hash()));
        assert!(PasswordHash::new(dummy_hash()).is_ok());
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a).len(), 32);
        assert_ne!(token_hash(&a), token_hash(&b));
    }

    #[test]
    fn limiter_tracks_a_bounded_number_of_usernames() {
        let limiter = LoginLimiter::default();
        for n in 0..LoginLimiter::MAX_TRACKED {
            assert!(limiter.attempt(&format!("u{n}")).is_ok(), "u{n}");
        }
        // Full: a new username waits, one already tracked is still counted.
        assert!(matches!(
            limiter.attempt("someone.new"),
            Err(ApiError::RateLimited { .. })
        ));
        assert!(limiter.attempt("u7").is_ok());
        limiter.succeeded("u7");
        assert!(limiter.attempt("someone.new").is_ok());
    }

    #[test]
    fn limiter_blocks_after_repeated_attempts() {
        let limiter = LoginLimiter::default();
        for _ in 0..LoginLimiter::MAX_FAILURES {
            assert!(limiter.attempt("An").is_ok());
        }
        assert!(matches!(
            limiter.attempt("AN"),
            Err(ApiError::RateLimited { .. })
        ));
        assert!(limiter.attempt("binh").is_ok());
        limiter.succeeded("an");
        assert!(limiter.attempt("an").is_ok());
    }
}
