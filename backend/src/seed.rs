//! What a new database starts with: the built-in plan (Kon Tum's 215/KH-UBND of 2019)
//! and, in demo mode only, demo accounts.

use tiendo_shared::ids::AgencyId;
use tiendo_shared::plan::{self, Plan};
use tiendo_shared::protocol::Role;

use crate::auth::hash_password;
use crate::db::{Db, NewUser};
use crate::error::AppError;

/// The plan a new database is seeded with.
pub const BUILTIN_PLAN: &str = include_str!("../../seed/ke-hoach-215-KH-UBND-2019-kon-tum.md");

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "tiendo2019";

/// The demo accounts: username, name, agency, role.
pub const DEMO_USERS: &[(&str, &str, &str, Role)] = &[
    (
        "sotttt",
        "Nguyễn Thị Hồng Nhung",
        "so-tttt",
        Role::Supervisor,
    ),
    ("vhttdl", "Trần Văn Đức", "so-vhttdl", Role::Staff),
    ("vhttdl.lanhdao", "Lê Thị Thu Hà", "so-vhttdl", Role::Head),
    ("ngoaivu", "Phạm Minh Quân", "so-ngoai-vu", Role::Staff),
    ("boy", "Y Hiếu", "bdbp-don-bo-y", Role::Staff),
    ("ngochoi", "A Thuận", "ubnd-ngoc-hoi", Role::Staff),
    ("admin", "Quản trị hệ thống", "so-tttt", Role::Admin),
];

/// Parses the built-in plan. It is part of the binary, so failing here is a bug the
/// tests catch.
pub fn builtin_plan() -> Result<Plan, AppError> {
    plan::parse_plan(BUILTIN_PLAN).map_err(|e| AppError::Internal(format!("built-in plan: {e}")))
}

/// Loads the agency registry and the built-in plan into an empty database.
pub async fn seed_plan_if_empty(db: &Db) -> Result<(), AppError> {
    if db.has_plans().await? {
        return Ok(());
    }
    let imported = db
        .import_plan(builtin_plan()?, plan::registry().to_vec())
        .await?;
    tracing::info!(plan = %imported.code, tasks = imported.tasks, "seeded the built-in plan");
    Ok(())
}

/// Creates the demo accounts that do not exist yet.
pub async fn seed_demo_users(db: &Db) -> Result<(), AppError> {
    for (username, name, agency, role) in DEMO_USERS {
        if db.user_for_login((*username).to_owned()).await?.is_some() {
            continue;
        }
        let agency = AgencyId::parse(agency).map_err(|e| AppError::Internal(e.to_string()))?;
        let user = NewUser {
            username: (*username).to_owned(),
            display_name: (*name).to_owned(),
            password_hash: hash_password(DEMO_PASSWORD)?,
            agency,
            role: *role,
        };
        if db.add_user(user).await? {
            tracing::info!(username, "created demo account");
        }
    }
    Ok(())
}
