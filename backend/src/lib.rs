//! The Tiến độ server as a library: [`app`] builds the router and [`serve`] runs it on
//! a listener until shutdown, so that tests can start it on `127.0.0.1:0`.

pub mod accounts;
pub mod auth;
pub mod cli;
pub mod db;
pub mod error;
pub mod export;
pub mod import;
mod routes;
pub mod seed;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

use crate::auth::LoginLimiter;
use crate::db::Db;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub limiter: Arc<LoginLimiter>,
    /// Bounds how many password checks run at once.
    pub verifier: Arc<tokio::sync::Semaphore>,
    pub config: Arc<Config>,
}

/// Settings of a running server.
#[derive(Debug, Clone)]
pub struct Config {
    /// The built web app (Trunk's `dist`).
    pub web_dir: PathBuf,
    /// How long a session token lasts.
    pub token_ttl: Duration,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> AppState {
        AppState {
            db,
            limiter: Arc::new(LoginLimiter::default()),
            verifier: Arc::new(tokio::sync::Semaphore::new(4)),
            config: Arc::new(config),
        }
    }
}

/// The whole HTTP surface: the API under `/api/v1`, `/healthz`, and the web app.
pub fn app(state: AppState) -> Router {
    routes::router(state)
}

/// Serves `app(state)` on `listener` until `shutdown` resolves, then finishes the
/// requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
