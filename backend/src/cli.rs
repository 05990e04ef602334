//! The `tiendo` command line: `serve`, `backup`, `restore`, `plan parse|import`,
//! `user add|import|list|disable|enable|reset-password`, `agency list|rename|merge`,
//! `report status|export`, `audit`.

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use tiendo_shared::date::{Date, date_of, format_dmy_hm, parse_rfc3339};
use tiendo_shared::ids::{AgencyId, PlanCode};
use tiendo_shared::plan::Period;
use tiendo_shared::plan::calendar::VIETNAM_OFFSET_MINUTES;
use tiendo_shared::protocol::Role;
use tiendo_shared::report::{ReportScope, ReportsView};
use tokio::net::TcpListener;

use crate::accounts;
use crate::auth::hash_password;
use crate::db::{
    AgencyRename, AuditEntry, Db, ExportError, ExportScope, ListingError, NewUser, Within,
    command_line_actor,
};
use crate::error::AppError;
use crate::export::{self, Format};
use crate::import::{self, PlanSource};
use crate::{AppState, Config, seed};

/// The default database file, relative to the working directory.
pub const DEFAULT_DB: &str = "data/tiendo.sqlite";

#[derive(Debug, Parser)]
#[command(
    name = "tiendo",
    version,
    about = "Tiến độ: progress on a province's annual plan"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Args)]
struct DbArg {
    /// The SQLite database file; created and seeded on first use.
    #[arg(long, env = "TIENDO_DB", default_value = DEFAULT_DB)]
    db: PathBuf,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web app and the API.
    Serve {
        /// The address to listen on.
        #[arg(long, env = "TIENDO_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        #[command(flatten)]
        db: DbArg,
        /// The built web app (Trunk's output).
        #[arg(long, env = "TIENDO_WEB_DIR", default_value = "dist")]
        web_dir: PathBuf,
        /// Create the demo accounts (password `tiendo2019`). Never on a real deployment.
        #[arg(long)]
        demo: bool,
        /// How long a login lasts, in hours.
        #[arg(long, default_value_t = 24 * 30)]
        session_hours: u64,
    },
    /// Write a consistent copy of the database to FILE, while the server runs and
    /// takes pushes.
    Backup {
        /// The copy to write (replaced if it exists).
        file: PathBuf,
        /// The database to copy.
        #[arg(long, env = "TIENDO_DB", default_value = DEFAULT_DB)]
        db: PathBuf,
    },
    /// Put the backup FILE in place of the database. Stop the server first: refused
    /// while a tiendo server (or command) is using the database.
    Restore {
        /// A backup written by `tiendo backup`.
        file: PathBuf,
        /// The database to replace.
        #[arg(long, env = "TIENDO_DB", default_value = DEFAULT_DB)]
        db: PathBuf,
    },
    /// The audit trail: who changed what and when, oldest first.
    Audit {
        /// From this day on (YYYY-MM-DD, Vietnam time).
        #[arg(long)]
        since: Option<String>,
        /// Only the changes about this agency (its id, as it was named at the time).
        #[arg(long)]
        agency: Option<String>,
        /// One JSON array, for machines.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArg,
    },
    /// Read plan documents.
    Plan {
        #[command(subcommand)]
        command: PlanCommand,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The agency registry.
    Agency {
        #[command(subcommand)]
        command: AgencyCommand,
    },
    /// The reporting cycle.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// Where every report of a period stands: each agency that must report, and the
    /// consolidated report (the listing a supervisor sees).
    Status {
        /// The plan's code, e.g. 215/KH-UBND.
        #[arg(long)]
        plan: String,
        /// The plan's province (name or key, e.g. "Kon Tum" or kon-tum); needed only
        /// when several provinces on this server have a plan with that code.
        #[arg(long)]
        province: Option<String>,
        /// H1-2019, Y-2019, Q1-2019 … Q4-2019.
        #[arg(long)]
        period: String,
        /// The day (YYYY-MM-DD, Vietnam time) to work the states out for; default today.
        #[arg(long)]
        as_of: Option<String>,
        /// One JSON document (the API's shape), for machines.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArg,
    },
    /// Export a period: the consolidated report (or, with --agency, that agency's) as a
    /// Word document, or the data as a workbook or CSV.
    Export {
        /// The plan's code, e.g. 215/KH-UBND.
        #[arg(long)]
        plan: String,
        /// The plan's province (name or key, e.g. "Kon Tum" or kon-tum); needed only
        /// when several provinces on this server have a plan with that code.
        #[arg(long)]
        province: Option<String>,
        /// H1-2019, Y-2019, Q1-2019 … Q4-2019.
        #[arg(long)]
        period: String,
        /// docx, xlsx or csv.
        #[arg(long)]
        format: String,
        /// One agency's report (its id, see `tiendo agency list`) instead of the
        /// consolidated report with every agency.
        #[arg(long)]
        agency: Option<String>,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Debug, Subcommand)]
enum PlanCommand {
    /// Print the parsed plan as JSON. FILE is a Word .docx or a text plan, told apart
    /// by its content.
    Parse {
        file: PathBuf,
        /// Print the text the parser reads instead (for a Word file, what it was
        /// turned into: numbers as Word shows them, tables as pipe tables).
        #[arg(long)]
        text: bool,
    },
    /// Load a plan into the database (again: it is updated, not duplicated) and print
    /// what changed. FILE is a Word .docx or a text plan, told apart by its content.
    Import {
        file: PathBuf,
        /// Print what would change, and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the summary as one JSON document, for machines.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add an account; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// The agency id (see `tiendo agency list`).
        #[arg(long)]
        agency: String,
        /// staff, head, supervisor or admin.
        #[arg(long)]
        role: String,
        /// The name people see; the username when absent.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        db: DbArg,
    },
    /// Add the accounts of a CSV file, one a row: username, display name, agency (its
    /// id or its name), role (staff, head, supervisor, admin, or their Vietnamese
    /// names). A first row naming the columns is skipped. Every row is checked first:
    /// one bad row imports nothing, and each is reported with its row number.
    /// Passwords are generated and printed once.
    Import {
        /// The CSV file (UTF-8, separated by commas or semicolons).
        file: PathBuf,
        #[command(flatten)]
        db: DbArg,
    },
    /// List the accounts.
    List {
        /// One JSON array, for machines.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArg,
    },
    /// Disable an account: it can no longer sign in, and its sessions end at once.
    Disable {
        username: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// Let a disabled account sign in again.
    Enable {
        username: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// Give an account a new generated password (printed once) and end its sessions.
    ResetPassword {
        username: String,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Debug, Subcommand)]
enum AgencyCommand {
    /// List the agencies.
    List {
        /// One JSON array, for machines.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArg,
    },
    /// Rename an agency; devices learn of it at their next sync.
    Rename {
        /// The agency's id (see `tiendo agency list`).
        id: String,
        /// The new full name, as plans write it.
        #[arg(long)]
        name: String,
        /// The new abbreviation; unchanged when absent.
        #[arg(long)]
        short_name: Option<String>,
        /// Keep the former name and short name as aliases of the agency.
        #[arg(long)]
        keep_alias: bool,
        #[command(flatten)]
        db: DbArg,
    },
    /// Merge agency FROM into INTO: its progress, reports, task assignments, accounts
    /// and units follow INTO; FROM is kept only as a name leading to INTO. Devices
    /// learn of it at their next sync. Refused, changing nothing, when both have a
    /// report of one period.
    Merge {
        /// The agency merged (its id).
        from: String,
        /// The agency it joins (its id).
        into: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// Keep an agency created from a plan's wording as it is (renaming or merging it
    /// settles it too).
    Confirm {
        /// The agency's id (see `tiendo plan import`'s new agencies).
        id: String,
        #[command(flatten)]
        db: DbArg,
    },
}

/// Runs the command line and returns the process's exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("tiendo: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tiendo: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Serve {
            addr,
            db,
            web_dir,
            demo,
            session_hours,
        } => {
            let db = open_as_server(&db.db).await?;
            if demo {
                seed::seed_demo_users(&db)
                    .await
                    .map_err(|e| e.to_string())?;
                seed::seed_demo_cycle(&db)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            if !web_dir.join("index.html").is_file() {
                tracing::warn!(dir = %web_dir.display(), "no built web app here; only the API is served");
            }
            let listener = TcpListener::bind(addr)
                .await
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            let config = Config {
                web_dir,
                token_ttl: Duration::from_secs(session_hours * 3600),
            };
            tracing::info!(
                addr = %listener.local_addr().map_err(|e| e.to_string())?,
                db = %db.path().display(),
                "serving"
            );
            // On SIGTERM or Ctrl-C: no new connections, and the requests in flight
            // finish (a push being received is applied and answered after its
            // commit), for at most `SHUTDOWN_GRACE`; a push cut off then was not
            // applied, and its device sends it again.
            let (stopping, stopped) = tokio::sync::oneshot::channel();
            let signal = async move {
                shutdown_signal().await;
                let _ = stopping.send(());
            };
            let grace = async move {
                if stopped.await.is_ok() {
                    tokio::time::sleep(SHUTDOWN_GRACE).await;
                } else {
                    std::future::pending::<()>().await;
                }
            };
            tokio::select! {
                served = crate::serve(listener, AppState::new(db, config), signal) => {
                    served.map_err(|e| e.to_string())
                }
                () = grace => {
                    tracing::warn!(
                        grace_s = SHUTDOWN_GRACE.as_secs(),
                        "requests still open after the grace period; stopping without them"
                    );
                    Ok(())
                }
            }
        }
        Command::Backup { file, db } => {
            let copied = crate::db::backup(&db, &file).map_err(|e| e.to_string())?;
            println!(
                "backed up {} to {}: {}",
                db.display(),
                file.display(),
                copied_text(&copied)
            );
            Ok(())
        }
        Command::Restore { file, db } => {
            let copied =
                crate::db::restore(&file, &db, &command_line_actor()).map_err(|e| e.to_string())?;
            println!(
                "restored {} from {}: {}",
                db.display(),
                file.display(),
                copied_text(&copied)
            );
            println!(
                "  start the server again; at their next sync devices start over and send \
                 again what they sent after the backup"
            );
            Ok(())
        }
        Command::Audit {
            since,
            agency,
            json,
            db,
        } => {
            let since = since
                .map(|text| {
                    Date::parse_iso(&text)
                        .map(|day| {
                            day.days_since_epoch() * 86_400_000 - VIETNAM_OFFSET_MINUTES * 60_000
                        })
                        .map_err(|e| format!("--since {text:?}: {e} (expected YYYY-MM-DD)"))
                })
                .transpose()?;
            let agency = agency
                .map(|id| AgencyId::parse(&id).map_err(|e| format!("--agency {id:?}: {e}")))
                .transpose()?;
            let db = open_seeded(&db.db).await?;
            let entries = db.audit(since, agency).await.map_err(|e| e.to_string())?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&entries).map_err(|e| e.to_string())?
                );
            } else {
                for entry in &entries {
                    println!("{}", audit_line(entry));
                }
            }
            Ok(())
        }
        Command::Plan {
            command: PlanCommand::Parse { file, text },
        } => {
            if text {
                let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
                let source =
                    PlanSource::read(&bytes).map_err(|e| format!("{}: {e}", file.display()))?;
                print!("{}", source.text);
                return Ok(());
            }
            let (_, parsed) = import::parse_file(&file)?;
            let json = serde_json::to_string_pretty(&parsed).map_err(|e| e.to_string())?;
            println!("{json}");
            Ok(())
        }
        Command::Plan {
            command:
                PlanCommand::Import {
                    file,
                    dry_run,
                    json,
                    db,
                },
        } => {
            // A file that is not a plan, or a plan the parser stops on, is refused
            // before any database is touched (or made).
            import::parse_file(&file)?;
            let db = open_seeded(&db.db).await?;
            // The database is the registry of record: a renamed or merged agency is
            // read under the names the database knows.
            let registries = import::registries_of_record(
                &db.stored_agencies().await.map_err(|e| e.to_string())?,
            );
            let (source, parsed) = import::parse_file_with(&file, &registries)?;
            let agencies = import::agencies_of(&registries, &parsed.province);
            let summary = import::import_parsed(&db, parsed, agencies, dry_run)
                .await
                .map_err(|e| e.to_string())?;
            if json {
                let value = import::summary_json(&summary, &source).map_err(|e| e.to_string())?;
                println!(
                    "{}",
                    serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?
                );
            } else {
                print!("{}", import::summary_text(&summary, &source));
            }
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    agency,
                    role,
                    name,
                    db,
                },
        } => {
            let role = Role::from_code(&role).ok_or_else(|| {
                format!("unknown role {role:?}: use staff, head, supervisor or admin")
            })?;
            let agency = AgencyId::parse(&agency).map_err(|e| format!("{agency:?}: {e}"))?;
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .map_err(|e| e.to_string())?;
            let password = password.trim_end_matches(['\r', '\n']);
            if password.chars().count() < 8 {
                return Err(
                    "the password (from standard input) must have at least 8 characters".into(),
                );
            }
            let db = open_seeded(&db.db).await?;
            let user = NewUser {
                display_name: name.unwrap_or_else(|| username.clone()),
                username: username.clone(),
                password_hash: hash_password(password).map_err(|e| e.to_string())?,
                agency: agency.clone(),
                role,
            };
            if db.add_user(user).await.map_err(|e| e.to_string())? {
                println!("added {username} ({}, {agency})", role.code());
                Ok(())
            } else {
                Err(format!(
                    "not added: the username {username:?} is taken or the agency {agency} is unknown"
                ))
            }
        }
        Command::User {
            command: UserCommand::Import { file, db },
        } => {
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let text = String::from_utf8(bytes).map_err(|_| {
                format!(
                    "{}: not UTF-8 text; save it as \"CSV UTF-8\" and try again",
                    file.display()
                )
            })?;
            let db = open_seeded(&db.db).await?;
            let agencies = db.stored_agencies().await.map_err(|e| e.to_string())?;
            let taken: Vec<String> = db
                .accounts()
                .await
                .map_err(|e| e.to_string())?
                .into_iter()
                .map(|a| a.username)
                .collect();
            let rows = accounts::read_accounts(&text, &agencies, &taken).map_err(|errors| {
                let lines: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
                format!(
                    "{}: nothing imported; {} {} to correct:\n{}",
                    file.display(),
                    errors.len(),
                    if errors.len() == 1 { "row" } else { "rows" },
                    lines.join("\n")
                )
            })?;
            let mut users = Vec::with_capacity(rows.len());
            let mut passwords = Vec::with_capacity(rows.len());
            for row in &rows {
                let password = accounts::generate_password()?;
                users.push(NewUser {
                    username: row.username.clone(),
                    display_name: row.display_name.clone(),
                    password_hash: hash_password(&password).map_err(|e| e.to_string())?,
                    agency: row.agency.id.clone(),
                    role: row.role,
                });
                passwords.push(password);
            }
            let count = db.add_users(users).await.map_err(|e| e.to_string())?;
            println!(
                "imported {} from {}; each password is shown this once:",
                counted(count, "account", "accounts"),
                file.display()
            );
            for (row, password) in rows.iter().zip(&passwords) {
                println!(
                    "{:<24} {password:<24} {:<10} {} ({})",
                    row.username,
                    row.role.code(),
                    row.agency.id,
                    row.display_name
                );
            }
            Ok(())
        }
        Command::User {
            command: UserCommand::List { json, db },
        } => {
            let db = open_seeded(&db.db).await?;
            let accounts = db.accounts().await.map_err(|e| e.to_string())?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&accounts).map_err(|e| e.to_string())?
                );
                return Ok(());
            }
            for a in accounts {
                println!(
                    "{:<24} {:<10} {:<24} {:<8} {:>12}  {}",
                    a.username,
                    a.role.code(),
                    a.agency.id,
                    if a.disabled { "disabled" } else { "active" },
                    counted(a.sessions as usize, "session", "sessions"),
                    a.display_name
                );
            }
            Ok(())
        }
        Command::User {
            command: UserCommand::Disable { username, db },
        } => {
            let db = open_seeded(&db.db).await?;
            let ended = db
                .disable_user(username.clone())
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| no_account(&username))?;
            if ended.was_disabled {
                println!("{username} was disabled already");
            } else {
                println!(
                    "disabled {username}: they can no longer sign in; {} ended",
                    counted(ended.sessions, "session", "sessions")
                );
            }
            Ok(())
        }
        Command::User {
            command: UserCommand::Enable { username, db },
        } => {
            let db = open_seeded(&db.db).await?;
            let ended = db
                .enable_user(username.clone())
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| no_account(&username))?;
            if ended.was_disabled {
                println!("enabled {username}: they can sign in again");
            } else {
                println!("{username} was not disabled");
            }
            Ok(())
        }
        Command::User {
            command: UserCommand::ResetPassword { username, db },
        } => {
            let db = open_seeded(&db.db).await?;
            let password = accounts::generate_password()?;
            let hash = hash_password(&password).map_err(|e| e.to_string())?;
            let ended = db
                .reset_password(username.clone(), hash)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| no_account(&username))?;
            println!(
                "new password for {username}, shown this once ({} ended):",
                counted(ended.sessions, "session", "sessions")
            );
            println!("{username:<24} {password}");
            if ended.was_disabled {
                println!(
                    "  the account stays disabled: `tiendo user enable {username}` lets it sign in"
                );
            }
            Ok(())
        }
        Command::Report {
            command:
                ReportCommand::Status {
                    plan,
                    province,
                    period,
                    as_of,
                    json,
                    db,
                },
        } => {
            let (plan, period) = plan_and_period(&plan, &period)?;
            let as_of = match as_of {
                Some(text) => Date::parse_iso(&text)
                    .map_err(|e| format!("--as-of {text:?}: {e} (expected YYYY-MM-DD)"))?,
                None => date_of(crate::db::now_ms(), VIETNAM_OFFSET_MINUTES),
            };
            let db = open_seeded(&db.db).await?;
            let view = db
                .reports_as_department(plan.clone(), province, period, as_of)
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| match e {
                    ListingError::UnknownPlan => format!("no plan {plan} in the database"),
                    ListingError::UnknownPeriod => {
                        format!("plan {plan} asks for no report {period}")
                    }
                })?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&view).map_err(|e| e.to_string())?
                );
            } else {
                print!("{}", status_text(&view));
            }
            Ok(())
        }
        Command::Report {
            command:
                ReportCommand::Export {
                    plan,
                    province,
                    period,
                    format,
                    agency,
                    out,
                    db,
                },
        } => {
            let (plan, period) = plan_and_period(&plan, &period)?;
            let format = Format::parse(&format)
                .ok_or_else(|| format!("--format {format:?}: expected docx, xlsx or csv"))?;
            let scope = match &agency {
                Some(id) => ExportScope::Agency(
                    AgencyId::parse(id).map_err(|e| format!("--agency {id:?}: {e}"))?,
                ),
                None => ExportScope::Consolidated,
            };
            let db = open_seeded(&db.db).await?;
            let data = db
                .export_data(plan.clone(), Within::Province(province), period, scope)
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| match e {
                    ExportError::UnknownPlan => format!("no plan {plan} in the database"),
                    ExportError::UnknownPeriod => {
                        format!("plan {plan} asks for no report {period}")
                    }
                    ExportError::UnknownAgency => format!(
                        "agency {} does not report for {period} of plan {plan} (see `tiendo report status`)",
                        agency.as_deref().unwrap_or_default()
                    ),
                    ExportError::NoConsolidator => {
                        format!("plan {plan} names no consolidating agency for {period}")
                    }
                })?;
            let bytes = export::render(&data, format).map_err(|e| e.to_string())?;
            std::fs::write(&out, &bytes).map_err(|e| format!("{}: {e}", out.display()))?;
            println!(
                "wrote {} ({} bytes): {}",
                out.display(),
                bytes.len(),
                export::file_name(&data, format)
            );
            Ok(())
        }
        Command::Agency {
            command: AgencyCommand::List { json, db },
        } => {
            let db = open_seeded(&db.db).await?;
            let agencies = db.agencies().await.map_err(|e| e.to_string())?;
            if json {
                let list: Vec<_> = agencies
                    .iter()
                    .map(|(a, kind)| serde_json::json!({"id": a.id, "name": a.name, "kind": kind}))
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?
                );
            } else {
                for (agency, kind) in agencies {
                    println!("{:<24} {:<12} {}", agency.id, kind, agency.name);
                }
            }
            Ok(())
        }
        Command::Agency {
            command:
                AgencyCommand::Rename {
                    id,
                    name,
                    short_name,
                    keep_alias,
                    db,
                },
        } => {
            let id = AgencyId::parse(&id).map_err(|e| format!("{id:?}: {e}"))?;
            let db = open_seeded(&db.db).await?;
            let renamed = db
                .rename_agency(AgencyRename {
                    id,
                    name,
                    short_name,
                    keep_alias,
                })
                .await
                .map_err(|e| e.to_string())?;
            if !renamed.changed {
                println!(
                    "{} is already named “{}” ({}): nothing changed",
                    renamed.agency.id, renamed.agency.name, renamed.short_name
                );
                return Ok(());
            }
            println!(
                "renamed {}: “{}” → “{}” ({})",
                renamed.agency.id, renamed.previous_name, renamed.agency.name, renamed.short_name
            );
            for alias in &renamed.aliases {
                println!("  kept as an alias: “{alias}”");
            }
            println!("  devices learn of it at their next sync");
            Ok(())
        }
        Command::Agency {
            command: AgencyCommand::Confirm { id, db },
        } => {
            let id = AgencyId::parse(&id).map_err(|e| format!("{id:?}: {e}"))?;
            let db = open_seeded(&db.db).await?;
            if db
                .confirm_agency(id.clone())
                .await
                .map_err(|e| e.to_string())?
            {
                println!("confirmed {id}");
            } else {
                println!("{id} was not waiting for confirmation: nothing changed");
            }
            Ok(())
        }
        Command::Agency {
            command: AgencyCommand::Merge { from, into, db },
        } => {
            let from = AgencyId::parse(&from).map_err(|e| format!("{from:?}: {e}"))?;
            let into = AgencyId::parse(&into).map_err(|e| format!("{into:?}: {e}"))?;
            let db = open_seeded(&db.db).await?;
            let merged = db
                .merge_agency(from, into)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "merged {} (“{}”) into {} (“{}”)",
                merged.from.id, merged.from.name, merged.into.id, merged.into.name
            );
            for (count, what) in [
                (merged.progress, "progress updates"),
                (merged.report_events, "report events"),
                (merged.task_assignments, "task assignments"),
                (merged.accounts, "accounts"),
                (merged.units, "units under it"),
                (merged.plans, "stored plans naming it"),
            ] {
                println!("  {count:>5} {what}");
            }
            println!(
                "  {} is kept only as a name leading to {}; devices learn of it at their next sync",
                merged.from.id, merged.into.id
            );
            Ok(())
        }
    }
}

/// One row of the audit trail as a person reads it: times in Vietnam time, the
/// device's time after the server's when a device made the change.
fn audit_line(entry: &AuditEntry) -> String {
    let vietnam = |t: &str| {
        parse_rfc3339(t)
            .map(|ms| format_dmy_hm(ms, VIETNAM_OFFSET_MINUTES))
            .unwrap_or_else(|_| t.to_owned())
    };
    let device = entry
        .device_at
        .as_deref()
        .map(|t| format!(" (thiết bị: {})", vietnam(t)))
        .unwrap_or_default();
    format!(
        "{}{device}  {:<16} {:<22} {:<16} {}  {}",
        vietnam(&entry.at),
        entry.actor,
        entry.kind,
        entry.agency.as_deref().unwrap_or("-"),
        entry.target,
        entry.detail
    )
}

/// "1 account", "2 accounts".
fn counted(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The message for a username no account has.
fn no_account(username: &str) -> String {
    format!("no account {username:?} (see `tiendo user list`)")
}

/// What a backup or a restore wrote, in a line.
fn copied_text(copied: &crate::db::Copied) -> String {
    format!(
        "schema {}, {} changes, {} accounts, {} bytes",
        copied.schema_version, copied.changes, copied.accounts, copied.bytes
    )
}

/// The `--plan` and `--period` arguments, read.
fn plan_and_period(plan: &str, period: &str) -> Result<(PlanCode, Period), String> {
    let code = PlanCode::parse(plan).map_err(|e| format!("--plan {plan:?}: {e}"))?;
    let period = Period::parse(period).ok_or_else(|| {
        format!("--period {period:?}: expected H1-2019, Y-2019 or Q1-2019 … Q4-2019")
    })?;
    Ok((code, period))
}

/// The listing as a person reads it, in Vietnamese.
fn status_text(view: &ReportsView) -> String {
    use std::fmt::Write;
    let when = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| parse_rfc3339(t).ok())
            .map(|ms| format_dmy_hm(ms, VIETNAM_OFFSET_MINUTES))
            .unwrap_or_else(|| "-".into())
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Kế hoạch {} · kỳ {} · tính đến hết ngày {} · hạn gửi: trước ngày {}{}",
        view.plan,
        view.period,
        view.as_of.to_dmy(),
        view.deadline.to_dmy(),
        view.consolidation_deadline
            .map(|d| format!(" · hạn tổng hợp: trước ngày {}", d.to_dmy()))
            .unwrap_or_default()
    );
    let row = |out: &mut String, cells: [&str; 6]| {
        let [agency, state, late, submitted, reviewed, comment] = cells;
        let _ = writeln!(
            out,
            "{agency:<48} {state:<20} {late:<8} {submitted:<17} {reviewed:<17} {comment}"
        );
    };
    row(
        &mut out,
        [
            "Cơ quan",
            "Trạng thái",
            "Trễ hạn",
            "Gửi lúc (máy chủ)",
            "Duyệt lúc",
            "Ý kiến",
        ],
    );
    for r in &view.reports {
        let name = match r.scope {
            ReportScope::Agency => r.agency.name.clone(),
            ReportScope::Consolidated => format!("{} (báo cáo tổng hợp)", r.agency.name),
        };
        row(
            &mut out,
            [
                &name,
                r.state.label(tiendo_shared::i18n::Lang::Vi),
                if r.late { "có" } else { "không" },
                &when(&r.submitted_at),
                &when(&r.reviewed_at),
                r.review_comment.as_deref().unwrap_or(""),
            ],
        );
    }
    out
}

/// Opens the database for a command, seeding the built-in plan on first use; the
/// audit trail names the command line (and the system user) for what it changes.
async fn open_seeded(path: &Path) -> Result<Db, String> {
    Ok(open_as_server(path).await?.acting_as(&command_line_actor()))
}

/// Opens the database as the server, seeding the built-in plan on first use.
async fn open_as_server(path: &Path) -> Result<Db, String> {
    let db = Db::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    seed::seed_plan_if_empty(&db)
        .await
        .map_err(|e: AppError| e.to_string())?;
    Ok(db)
}

/// How long requests in flight may take to finish once the server is told to stop:
/// well under systemd's 90 s before it kills the process.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
