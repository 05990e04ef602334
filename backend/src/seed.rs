//! What a new database starts with: the built-in plan (Kon Tum's 215/KH-UBND of 2019)
//! and, in demo mode only, demo accounts.

use std::collections::HashMap;

use tiendo_shared::i18n::Lang;
use tiendo_shared::ids::{AgencyId, Uuid};
use tiendo_shared::plan::{self, Period, Plan};
use tiendo_shared::progress::{Note, Percent, ProgressStatus};
use tiendo_shared::protocol::{
    AgencyRef, Decision, Mutation, MutationBody, MutationEnvelope, ProgressRecord, ReportReview,
    ReportWrite, Role, Timestamp,
};
use tiendo_shared::report::{ReportContent, ReportScope, draft_agency_report, draft_consolidated};

use crate::auth::hash_password;
use crate::db::{Db, NewUser, PushOutcome, SessionUser, Within};
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
    ("ngoaivu.lanhdao", "Võ Thị Lan", "so-ngoai-vu", Role::Head),
    ("boy", "Y Hiếu", "bdbp-don-bo-y", Role::Staff),
    ("bdbp.lanhdao", "Đại tá Nguyễn Văn Hùng", "bdbp", Role::Head),
    ("ngochoi", "A Thuận", "ubnd-ngoc-hoi", Role::Staff),
    ("ngochoi.lanhdao", "Y Vân", "ubnd-ngoc-hoi", Role::Head),
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

/// The period the demo's reporting cycle is in.
const DEMO_PERIOD: &str = "H1-2019";

/// Progress the demo agencies recorded in the first half of 2019: who, on which task
/// of the built-in plan, status, percent, results, difficulties, proposals, and when
/// (Vietnam time). A step naming a task the plan does not have is skipped.
type DemoProgress = (
    &'static str,
    &'static str,
    ProgressStatus,
    Option<i64>,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const DEMO_PROGRESS: &[DemoProgress] = &[
    (
        "vhttdl",
        "5.2",
        ProgressStatus::InProgress,
        Some(30),
        "Đã xây dựng dự thảo kế hoạch quảng bá hình ảnh tỉnh, gửi xin ý kiến các sở, ngành.",
        "",
        "",
        "2019-03-15T09:10:00+07:00",
    ),
    (
        "vhttdl",
        "5.2",
        ProgressStatus::InProgress,
        Some(70),
        "Tổ chức 02 đoàn khảo sát (famtrip) cho doanh nghiệp lữ hành; đăng 45 tin, bài trên Cổng thông tin du lịch.",
        "Kinh phí quảng bá còn hạn chế.",
        "Đề nghị bổ sung kinh phí quảng bá du lịch năm 2019.",
        "2019-05-20T14:30:00+07:00",
    ),
    (
        "ngoaivu",
        "1.4",
        ProgressStatus::InProgress,
        Some(50),
        "Đón và làm việc với 06 đoàn khách quốc tế; cung cấp thông tin cho 12 phóng viên nước ngoài.",
        "",
        "",
        "2019-04-10T10:00:00+07:00",
    ),
    (
        "ngoaivu",
        "7.2.d",
        ProgressStatus::Blocked,
        None,
        "Đã xây dựng đề cương tuyên truyền về biên giới cho các xã biên giới.",
        "Chưa bố trí được kinh phí in tài liệu song ngữ Việt - Lào.",
        "Đề nghị Sở Tài chính thẩm định, bổ sung kinh phí.",
        "2019-05-28T16:00:00+07:00",
    ),
    (
        "ngochoi",
        "7.2.a",
        ProgressStatus::InProgress,
        Some(40),
        "Tuyên truyền trên hệ thống loa truyền thanh 07 xã, thị trấn; phát 1.200 tờ rơi về chủ quyền biên giới.",
        "Sóng điện thoại yếu ở các thôn vùng sâu.",
        "",
        "2019-04-22T08:45:00+07:00",
    ),
    (
        "boy",
        "7.2.b",
        ProgressStatus::InProgress,
        Some(60),
        "Phối hợp tuyên truyền tại Cửa khẩu quốc tế Bờ Y cho 350 lượt người xuất nhập cảnh.",
        "",
        "",
        "2019-05-05T07:30:00+07:00",
    ),
    (
        "boy",
        "7.2.b",
        ProgressStatus::InProgress,
        Some(80),
        "Tổ chức 04 buổi nói chuyện chuyên đề về biên giới tại các thôn giáp biên.",
        "Một số thôn đi lại khó khăn trong mùa mưa.",
        "",
        "2019-06-08T15:00:00+07:00",
    ),
];

/// One step of the demo's H1-2019 cycle: who, what, and when the device recorded it
/// and the server received it.
enum DemoStep {
    Save(&'static str, &'static str, &'static str, &'static str),
    Submit(&'static str, &'static str, &'static str, &'static str),
    Review(
        &'static str,
        &'static str,
        Decision,
        &'static str,
        &'static str,
        &'static str,
    ),
}

/// On time and accepted; submitted on time, returned and resubmitted (waiting for a
/// review); late and accepted; a border post's progress with no report yet (missing,
/// as are the agencies that never started); and a consolidated draft.
const DEMO_CYCLE: &[DemoStep] = &[
    DemoStep::Save(
        "vhttdl",
        "so-vhttdl",
        "2019-06-10T09:00:00+07:00",
        "2019-06-10T09:00:05+07:00",
    ),
    DemoStep::Submit(
        "vhttdl.lanhdao",
        "so-vhttdl",
        "2019-06-12T10:00:00+07:00",
        "2019-06-12T10:00:04+07:00",
    ),
    DemoStep::Save(
        "ngoaivu",
        "so-ngoai-vu",
        "2019-06-11T14:00:00+07:00",
        "2019-06-11T14:00:03+07:00",
    ),
    DemoStep::Submit(
        "ngoaivu.lanhdao",
        "so-ngoai-vu",
        "2019-06-13T16:20:00+07:00",
        "2019-06-13T16:20:02+07:00",
    ),
    DemoStep::Save(
        "ngochoi",
        "ubnd-ngoc-hoi",
        "2019-06-14T08:00:00+07:00",
        "2019-06-14T08:00:09+07:00",
    ),
    DemoStep::Review(
        "sotttt",
        "so-ngoai-vu",
        Decision::Return,
        "Đề nghị bổ sung số liệu cụ thể về các đoàn khách quốc tế đã đón và nêu rõ nguồn kinh phí đề xuất.",
        "2019-06-17T09:30:00+07:00",
        "2019-06-17T09:30:02+07:00",
    ),
    DemoStep::Review(
        "sotttt",
        "so-vhttdl",
        Decision::Accept,
        "",
        "2019-06-18T08:15:00+07:00",
        "2019-06-18T08:15:01+07:00",
    ),
    DemoStep::Submit(
        "ngochoi.lanhdao",
        "ubnd-ngoc-hoi",
        "2019-06-19T15:40:00+07:00",
        "2019-06-19T15:40:30+07:00",
    ),
    DemoStep::Submit(
        "ngoaivu.lanhdao",
        "so-ngoai-vu",
        "2019-06-20T10:05:00+07:00",
        "2019-06-20T10:05:02+07:00",
    ),
    DemoStep::Review(
        "sotttt",
        "ubnd-ngoc-hoi",
        Decision::Accept,
        "",
        "2019-06-21T11:00:00+07:00",
        "2019-06-21T11:00:01+07:00",
    ),
];

/// What the demo agencies write in a report's overall part.
const DEMO_SUMMARY: &str = "Cơ quan đã triển khai các nhiệm vụ được giao theo Kế hoạch số 215/KH-UBND; \
    các nhiệm vụ thường xuyên được thực hiện đúng tiến độ.";
const DEMO_DIRECTION: &str =
    "Tiếp tục triển khai các nhiệm vụ còn lại trong 6 tháng cuối năm 2019.";

/// Seeds a plausible H1-2019 reporting cycle into a database that has no progress
/// and no reports yet, through the same path devices use (so every step is checked
/// as a device's would be), dated in 2019.
pub async fn seed_demo_cycle(db: &Db) -> Result<(), AppError> {
    if db.has_changes().await? {
        return Ok(());
    }
    let plan = builtin_plan()?;
    let period =
        Period::parse(DEMO_PERIOD).ok_or_else(|| AppError::Internal("demo period".into()))?;
    let Some(info) = db
        .period_info(
            plan.code.clone(),
            Within::Province(Some(plan.province.clone())),
            period,
        )
        .await?
    else {
        tracing::warn!("the built-in plan has no {DEMO_PERIOD} report; no demo cycle");
        return Ok(());
    };
    let mut demo = DemoPusher::new(db);
    let reporter_of = |agency: &str| {
        info.reporters
            .iter()
            .find(|r| r.agency.id.as_str() == agency)
    };
    for (username, task, status, percent, results, difficulties, proposals, at) in DEMO_PROGRESS {
        let user = demo.user(username).await?;
        let Some(task) = plan
            .tasks
            .iter()
            .map(|t| &t.number)
            .find(|n| n.as_str() == *task)
        else {
            continue;
        };
        let note = |text: &str| Note::parse(text).map_err(|e| AppError::Internal(e.to_string()));
        let body = MutationBody::ProgressRecord(ProgressRecord {
            plan: Some(plan.code.clone()),
            task: task.clone(),
            status: *status,
            note: Note::default(),
            results: note(results)?,
            difficulties: note(difficulties)?,
            proposals: note(proposals)?,
            percent: percent
                .map(Percent::new)
                .transpose()
                .map_err(|e| AppError::Internal(e.to_string()))?,
            observed_at: timestamp(at)?,
            base: None,
        });
        demo.push(&user, body, timestamp(at)?.millis() + 60_000)
            .await?;
    }
    let updates = db.pull_all_progress().await?;
    let mut contents: Vec<(AgencyRef, ReportContent)> = Vec::new();
    for step in DEMO_CYCLE {
        match step {
            DemoStep::Save(username, agency, observed, received)
            | DemoStep::Submit(username, agency, observed, received) => {
                let Some(reporter) = reporter_of(agency) else {
                    continue;
                };
                let mine = updates.iter().filter(|u| u.agency.id == reporter.agency.id);
                let mut content = draft_agency_report(reporter, period, mine);
                content.summary = Note::parse(DEMO_SUMMARY).unwrap_or_default();
                content.direction = Note::parse(DEMO_DIRECTION).unwrap_or_default();
                let write = ReportWrite {
                    plan: plan.code.clone(),
                    period,
                    scope: ReportScope::Agency,
                    base: demo.version(agency),
                    content: content.clone(),
                    observed_at: timestamp(observed)?,
                };
                let body = if matches!(step, DemoStep::Submit(..)) {
                    contents.retain(|(a, _)| a.id != reporter.agency.id);
                    contents.push((reporter.agency.clone(), content));
                    MutationBody::ReportSubmit(write)
                } else {
                    MutationBody::ReportSave(write)
                };
                let user = demo.user(username).await?;
                let id = demo
                    .push(&user, body, timestamp(received)?.millis())
                    .await?;
                demo.versions.insert((*agency).to_owned(), id);
            }
            DemoStep::Review(username, agency, decision, comment, observed, received) => {
                let (Some(version), Ok(agency_id)) =
                    (demo.version(agency), AgencyId::parse(agency))
                else {
                    continue;
                };
                let body = MutationBody::ReportReview(ReportReview {
                    plan: plan.code.clone(),
                    period,
                    agency: agency_id,
                    version,
                    decision: *decision,
                    comment: Note::parse(comment).unwrap_or_default(),
                    observed_at: timestamp(observed)?,
                });
                let user = demo.user(username).await?;
                demo.push(&user, body, timestamp(received)?.millis())
                    .await?;
            }
        }
    }
    // The department's consolidated draft from the reports submitted so far.
    if let Some(consolidator) = &info.consolidator {
        let tasks = info.consolidation_tasks(&plan);
        let content = draft_consolidated(&tasks, &contents, Lang::Vi);
        let body = MutationBody::ReportSave(ReportWrite {
            plan: plan.code.clone(),
            period,
            scope: ReportScope::Consolidated,
            base: None,
            content,
            observed_at: timestamp("2019-06-24T09:00:00+07:00")?,
        });
        let user = demo.user("sotttt").await?;
        let _ = consolidator;
        demo.push(
            &user,
            body,
            timestamp("2019-06-24T09:00:03+07:00")?.millis(),
        )
        .await?;
    }
    tracing::info!("seeded the demo's {DEMO_PERIOD} reporting cycle");
    Ok(())
}

fn timestamp(text: &str) -> Result<Timestamp, AppError> {
    Timestamp::parse(text).map_err(|e| AppError::Internal(format!("demo time {text}: {e}")))
}

/// Pushes the demo's mutations as each demo person's device would.
struct DemoPusher<'a> {
    db: &'a Db,
    seqs: HashMap<String, u64>,
    users: HashMap<String, SessionUser>,
    versions: HashMap<String, i64>,
}

impl<'a> DemoPusher<'a> {
    fn new(db: &'a Db) -> DemoPusher<'a> {
        DemoPusher {
            db,
            seqs: HashMap::new(),
            users: HashMap::new(),
            versions: HashMap::new(),
        }
    }

    fn version(&self, agency: &str) -> Option<i64> {
        self.versions.get(agency).copied()
    }

    async fn user(&mut self, username: &str) -> Result<SessionUser, AppError> {
        if let Some(user) = self.users.get(username) {
            return Ok(user.clone());
        }
        let (user, _) = self
            .db
            .user_for_login(username.to_owned())
            .await?
            .ok_or_else(|| AppError::Internal(format!("no demo account {username}")))?;
        self.users.insert(username.to_owned(), user.clone());
        Ok(user)
    }

    /// Pushes one mutation and returns the id it got in the feed.
    async fn push(
        &mut self,
        user: &SessionUser,
        body: MutationBody,
        now: i64,
    ) -> Result<i64, AppError> {
        let index = DEMO_USERS
            .iter()
            .position(|(name, ..)| *name == user.username)
            .unwrap_or(99);
        let client_id = Uuid::parse(&format!("de000000-0000-4000-8000-{index:012}"))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let seq = self.seqs.entry(user.username.clone()).or_insert(0);
        *seq += 1;
        let mutation_id = Uuid::parse(&format!("de000000-{:04}-4000-8000-{:012}", index, *seq))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let mutation = Mutation {
            seq: *seq,
            id: mutation_id.clone(),
            body,
        };
        let envelope: MutationEnvelope = serde_json::to_value(&mutation)
            .and_then(serde_json::from_value)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        match self
            .db
            .push_at(user.clone(), client_id, vec![envelope], now)
            .await?
        {
            PushOutcome::Applied(response) if response.rejected.is_empty() => {}
            outcome => {
                return Err(AppError::Internal(format!(
                    "demo step refused: {outcome:?}"
                )));
            }
        }
        self.db
            .feed_id_of(mutation_id)
            .await?
            .ok_or_else(|| AppError::Internal("demo step not stored".into()))
    }
}
