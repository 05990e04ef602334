//! The HTTP API's messages, including the sync protocol (see `docs/sync.md`).
//!
//! A client numbers its own mutations `seq` = 1, 2, 3 … and pushes them in order; the
//! server applies each exactly once and answers with the last one it holds. The client
//! pulls what changed since its cursor, in pages, in the server's order.

use serde::{Deserialize, Serialize};

use crate::date::{Date, parse_rfc3339};
use crate::i18n::Lang;
use crate::ids::{AgencyId, ClientId, MutationId, PlanCode, TaskNumber};
use crate::plan::Period;
use crate::progress::{Note, Percent, ProgressStatus};
use crate::report::{ContentError, ReportContent, ReportEvent, ReportScope, Reporter};

/// The protocol version this build speaks. 2: progress in results, difficulties and
/// proposals; the report mutations; report and agency changes in the pull feed.
pub const SCHEMA_VERSION: u32 = 2;
/// The oldest protocol version the server still accepts.
pub const MIN_SCHEMA_VERSION: u32 = 1;
/// The most mutations one push may carry.
pub const MAX_BATCH: usize = 500;
/// The largest request body the server reads, in bytes.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
/// The most changes one pull page carries.
pub const PULL_PAGE: usize = 500;

/// What a person does in the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Records progress for their agency's tasks.
    Staff,
    /// Also submits the agency's period report.
    Head,
    /// At the consolidating department: reads all, reviews, returns for revision.
    Supervisor,
    /// Manages users and plans.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Staff, Role::Head, Role::Supervisor, Role::Admin];

    pub fn code(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Head => "head",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Whether this role records progress for its own agency.
    pub fn records_progress(self) -> bool {
        matches!(self, Role::Staff | Role::Head)
    }

    /// Whether this role reads every agency's progress.
    pub fn reads_all(self) -> bool {
        matches!(self, Role::Supervisor | Role::Admin)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Role::Staff => lang.pick("Cán bộ", "Staff"),
            Role::Head => lang.pick("Lãnh đạo cơ quan", "Agency head"),
            Role::Supervisor => lang.pick("Cán bộ theo dõi (Sở TT&TT)", "Supervisor"),
            Role::Admin => lang.pick("Quản trị", "Administrator"),
        }
    }
}

/// An agency as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgencyRef {
    pub id: AgencyId,
    pub name: String,
}

/// `POST /api/v1/login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// The signed-in person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInfo {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub agency: AgencyRef,
}

/// The answer to a successful login.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    /// The bearer token for `Authorization: Bearer …`.
    pub token: String,
    /// When the token stops working (RFC 3339).
    pub expires_at: String,
    pub user: UserInfo,
}

/// One plan of `GET /api/v1/plans`: the plans of the person's province, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanListing {
    pub code: PlanCode,
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: Date,
    /// The year the plan is for.
    pub year: i32,
    /// The plan a person is served when they choose none: the latest of their province.
    pub current: bool,
}

/// `GET /api/v1/plan`: the current plan's tasks as the signed-in person may see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanView {
    pub code: PlanCode,
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: Date,
    pub tasks: Vec<TaskView>,
    /// The reports the plan asks of every agency, with their deadlines.
    #[serde(default)]
    pub reporting: Vec<ReportDeadline>,
    /// The year the plan is for (its timeframes are read against it).
    #[serde(default)]
    pub year: i32,
    /// The numbered headings that group tasks ("1. Công tác tuyên truyền …", "7.1. …"),
    /// in plan order. A task belongs to the longest one its number starts with.
    #[serde(default)]
    pub sections: Vec<SectionView>,
    /// Units and the agency each belongs to (a border post and its command), for
    /// every agency of the plan that has a parent.
    #[serde(default)]
    pub parents: Vec<AgencyParent>,
}

/// A numbered heading of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SectionView {
    pub number: TaskNumber,
    pub title: String,
}

/// A unit and the agency above it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgencyParent {
    pub id: AgencyId,
    pub parent: AgencyId,
}

impl PlanView {
    /// The section task `number` belongs to: the longest heading whose number is a
    /// prefix of it (`7.1` for `7.1.a`).
    pub fn section_of(&self, number: &TaskNumber) -> Option<&SectionView> {
        self.sections
            .iter()
            .filter(|s| {
                let n = number.as_str();
                let p = s.number.as_str();
                n.len() > p.len() && n.starts_with(p) && n.as_bytes()[p.len()] == b'.'
            })
            .max_by_key(|s| s.number.as_str().len())
    }

    /// The agency `id` and every agency above it.
    pub fn lineage(&self, id: &AgencyId) -> Vec<AgencyId> {
        let mut out = vec![id.clone()];
        while let Some(p) = out
            .last()
            .and_then(|last| self.parents.iter().find(|p| &p.id == last))
        {
            if out.contains(&p.parent) {
                break;
            }
            out.push(p.parent.clone());
        }
        out
    }
}

/// One report the plan asks for: when agencies send it to the consolidating department,
/// and when that department consolidates it for the province.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportDeadline {
    pub period: Period,
    /// As the plan writes it: reports are due before this day begins.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub agency_deadline: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub consolidation_deadline: Option<Date>,
    /// The department that reviews the agencies' reports and consolidates them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consolidator: Option<AgencyRef>,
    /// The agencies that must report (those without a parent the plan assigns to a
    /// task of the period), each with its tasks. A person who is not a supervisor
    /// sees only their own agency's entry.
    #[serde(default)]
    pub reporters: Vec<Reporter>,
}

impl<'de> Deserialize<'de> for ReportDeadline {
    /// Also reads the form earlier versions cached on devices, whose period was
    /// written as `"kind"` and `"year"` beside the dates.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            period: Option<Period>,
            kind: Option<crate::plan::PeriodKind>,
            year: Option<i32>,
            agency_deadline: Date,
            consolidation_deadline: Option<Date>,
            #[serde(default)]
            consolidator: Option<AgencyRef>,
            #[serde(default)]
            reporters: Vec<Reporter>,
        }
        let w = Wire::deserialize(deserializer)?;
        let period = match (w.period, w.kind, w.year) {
            (Some(p), _, _) => p,
            (None, Some(kind), Some(year)) => Period { year, kind },
            _ => return Err(serde::de::Error::missing_field("period")),
        };
        Ok(ReportDeadline {
            period,
            agency_deadline: w.agency_deadline,
            consolidation_deadline: w.consolidation_deadline,
            consolidator: w.consolidator,
            reporters: w.reporters,
        })
    }
}

/// One task of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskView {
    pub number: TaskNumber,
    pub title: String,
    /// The task's full text as the plan writes it.
    #[serde(default)]
    pub text: String,
    /// Every lead agency, group phrases expanded to their members.
    pub lead: Vec<AgencyRef>,
    /// Every coordinating agency, group phrases expanded to their members.
    pub coordinating: Vec<AgencyRef>,
    /// The lead agencies as the plan writes them, for people to read.
    #[serde(default)]
    pub lead_text: String,
    /// The coordinating agencies as the plan writes them.
    #[serde(default)]
    pub coordinating_text: String,
    /// The timeframe as the plan writes it ("Quý II/2019").
    pub timeframe: String,
    /// The last day of the timeframe, for a task that has one ("Quý II/2019" →
    /// 2019-06-30); absent for ongoing and recurring tasks. Worked out by the server,
    /// so devices need no timeframe parser.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub due: Option<crate::date::Date>,
    /// Whether the signed-in person's agency may record progress on it.
    pub assigned: bool,
}

/// `POST /api/v1/sync/push`. The client sends typed [`Mutation`]s; the server reads
/// [`MutationEnvelope`]s so that one malformed mutation is rejected on its own instead
/// of failing the whole batch.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest<M> {
    pub client_id: ClientId,
    /// The protocol version the client speaks; one older than the server still reads
    /// is answered `426`.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub schema_version: u32,
    pub mutations: Vec<M>,
}

/// A change a client asks the server to make, numbered by the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mutation {
    pub seq: u64,
    pub id: MutationId,
    #[serde(flatten)]
    pub body: MutationBody,
}

/// The kinds of mutation, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind")]
pub enum MutationBody {
    #[serde(rename = "progress.record")]
    ProgressRecord(ProgressRecord),
    /// Saves a version of a report as a draft.
    #[serde(rename = "report.save")]
    ReportSave(ReportWrite),
    /// Submits a version of a report (the consolidated report: marks it final).
    #[serde(rename = "report.submit")]
    ReportSubmit(ReportWrite),
    /// The consolidating department accepts or returns a submitted version.
    #[serde(rename = "report.review")]
    ReportReview(ReportReview),
}

impl MutationBody {
    /// The wire name of the kind (`progress.record` …).
    pub fn kind(&self) -> &'static str {
        match self {
            MutationBody::ProgressRecord(_) => "progress.record",
            MutationBody::ReportSave(_) => "report.save",
            MutationBody::ReportSubmit(_) => "report.submit",
            MutationBody::ReportReview(_) => "report.review",
        }
    }

    /// When the person made the change, by the device's clock.
    pub fn observed_at(&self) -> &Timestamp {
        match self {
            MutationBody::ProgressRecord(r) => &r.observed_at,
            MutationBody::ReportSave(w) | MutationBody::ReportSubmit(w) => &w.observed_at,
            MutationBody::ReportReview(r) => &r.observed_at,
        }
    }
}

/// `report.save` and `report.submit`: a version of a report, with all it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportWrite {
    pub plan: PlanCode,
    pub period: Period,
    #[serde(default)]
    pub scope: ReportScope,
    /// The version it was made from; absent for the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<i64>,
    #[serde(flatten)]
    pub content: ReportContent,
    pub observed_at: Timestamp,
}

impl ReportWrite {
    /// Reads a report version from a JSON object, as the derived reader does (the same
    /// fields with the same defaults, the rest of the object read as its content), but
    /// without buffering the whole object through serde's `Content` first, which the
    /// derived reader does for the `flatten`ed content: a device reads its queued
    /// versions with this, through [`crate::json::from_value`], and carries no
    /// `Content` code for them. `None` where the derived reader fails.
    pub fn from_json(value: serde_json::Value) -> Option<ReportWrite> {
        use crate::json::from_value;
        if !value.is_object() {
            return None;
        }
        let field = |name: &str| value.get(name).cloned();
        let plan = from_value(field("plan")?)?;
        let period = from_value(field("period")?)?;
        let scope = match field("scope") {
            Some(scope) => from_value(scope)?,
            None => ReportScope::default(),
        };
        let base = from_value(field("base").unwrap_or(serde_json::Value::Null))?;
        let observed_at = from_value(field("observed_at")?)?;
        Some(ReportWrite {
            plan,
            period,
            scope,
            base,
            content: from_value(value)?,
            observed_at,
        })
    }
}

/// A review's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Accept,
    Return,
}

/// `report.review`: the department's decision on one submitted version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportReview {
    pub plan: PlanCode,
    pub period: Period,
    /// The agency whose report is judged.
    pub agency: AgencyId,
    /// The submitted version judged; a review of a replaced version is refused.
    pub version: i64,
    pub decision: Decision,
    /// Required when returning: what to revise.
    #[serde(default)]
    pub comment: Note,
    pub observed_at: Timestamp,
}

/// `progress.record`: an agency's progress on one task, as observed on the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgressRecord {
    /// The plan's code; absent means the server's current plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanCode>,
    pub task: TaskNumber,
    pub status: ProgressStatus,
    /// The note of schema version 1; when `results` is empty it is the results.
    #[serde(default, skip_serializing_if = "note_is_empty")]
    pub note: Note,
    /// Kết quả thực hiện.
    #[serde(default, skip_serializing_if = "note_is_empty")]
    pub results: Note,
    /// Khó khăn, vướng mắc.
    #[serde(default, skip_serializing_if = "note_is_empty")]
    pub difficulties: Note,
    /// Đề xuất, kiến nghị.
    #[serde(default, skip_serializing_if = "note_is_empty")]
    pub proposals: Note,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<Percent>,
    /// When the person recorded it, by the device's clock (RFC 3339). Shown, never
    /// used to order.
    pub observed_at: Timestamp,
    /// The id of the update this one was made from (the current one the device knew),
    /// so the server can tell a concurrent edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<i64>,
}

fn note_is_empty(note: &Note) -> bool {
    note.as_str().is_empty()
}

impl ProgressRecord {
    /// The results: `results`, or for an update of schema version 1, its note.
    pub fn results(&self) -> &Note {
        if self.results.as_str().is_empty() {
            &self.note
        } else {
            &self.results
        }
    }
}

/// An RFC 3339 instant, kept as written and validated on parse.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Timestamp(String);

impl Timestamp {
    pub fn parse(s: &str) -> Result<Timestamp, crate::date::DateError> {
        parse_rfc3339(s)?;
        Ok(Timestamp(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Milliseconds since the Unix epoch.
    pub fn millis(&self) -> i64 {
        parse_rfc3339(&self.0).unwrap_or_default()
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Timestamp::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A mutation as the server first reads it: the sequence number, and the rest still
/// unparsed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MutationEnvelope {
    pub seq: u64,
    #[serde(flatten)]
    pub fields: serde_json::Map<String, serde_json::Value>,
}

impl MutationEnvelope {
    /// Parses the mutation, or says why it can never be applied.
    pub fn parse(self) -> Result<Mutation, Rejection> {
        let seq = self.seq;
        let mut fields = self.fields;
        fields.insert("seq".into(), seq.into());
        let mutation: Mutation = serde_json::from_value(serde_json::Value::Object(fields))
            .map_err(|e| Rejection {
                seq,
                error: RejectReason::Invalid,
                message: e.to_string(),
            })?;
        mutation.check().map_err(|e| Rejection {
            seq,
            error: match e {
                ContentError::DuplicateTask => RejectReason::Invalid,
                ContentError::TooManyTasks | ContentError::TooLong => RejectReason::TooLarge,
            },
            message: e.message(Lang::En).to_owned(),
        })?;
        Ok(mutation)
    }
}

impl Mutation {
    /// The bounds that a single field's type does not check.
    pub fn check(&self) -> Result<(), ContentError> {
        match &self.body {
            MutationBody::ReportSave(w) | MutationBody::ReportSubmit(w) => w.content.check(),
            MutationBody::ProgressRecord(_) | MutationBody::ReportReview(_) => Ok(()),
        }
    }
}

/// Why a mutation can never succeed. It is recorded and skipped, so that the queue
/// behind it keeps moving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// Malformed or out of bounds.
    Invalid,
    /// The person may not make this change.
    Forbidden,
    /// The plan has no such task.
    UnknownTask,
    /// The plan asks for no report of that period (or there is no such plan).
    UnknownPeriod,
    /// The report cannot be changed in its state (submitted, accepted, final).
    NotEditable,
    /// A review of a report that is not waiting for one.
    NotSubmitted,
    /// A review of a version that a newer submission has replaced.
    StaleVersion,
    /// Over a size bound.
    TooLarge,
}

impl RejectReason {
    pub const ALL: [RejectReason; 8] = [
        RejectReason::Invalid,
        RejectReason::Forbidden,
        RejectReason::UnknownTask,
        RejectReason::UnknownPeriod,
        RejectReason::NotEditable,
        RejectReason::NotSubmitted,
        RejectReason::StaleVersion,
        RejectReason::TooLarge,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RejectReason::Invalid => "invalid",
            RejectReason::Forbidden => "forbidden",
            RejectReason::UnknownTask => "unknown_task",
            RejectReason::UnknownPeriod => "unknown_period",
            RejectReason::NotEditable => "not_editable",
            RejectReason::NotSubmitted => "not_submitted",
            RejectReason::StaleVersion => "stale_version",
            RejectReason::TooLarge => "too_large",
        }
    }

    pub fn from_code(code: &str) -> Option<RejectReason> {
        RejectReason::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn message(self, lang: Lang) -> &'static str {
        match self {
            RejectReason::Invalid => lang.pick(
                "Cập nhật không hợp lệ nên không được ghi nhận.",
                "The update is not valid and was not recorded.",
            ),
            RejectReason::Forbidden => lang.pick(
                "Cơ quan của bạn không được giao nhiệm vụ này.",
                "Your agency is not assigned to this task.",
            ),
            RejectReason::UnknownTask => lang.pick(
                "Kế hoạch không có nhiệm vụ này.",
                "The plan has no such task.",
            ),
            RejectReason::UnknownPeriod => lang.pick(
                "Kế hoạch không yêu cầu báo cáo kỳ này.",
                "The plan asks for no report of this period.",
            ),
            RejectReason::NotEditable => lang.pick(
                "Báo cáo đã được gửi hoặc đã được chấp nhận nên không thể sửa; chỉ sửa được khi Sở trả lại.",
                "The report has been submitted or accepted and cannot be changed unless it is returned.",
            ),
            RejectReason::NotSubmitted => lang.pick(
                "Báo cáo chưa được gửi nên chưa thể duyệt.",
                "The report has not been submitted, so it cannot be reviewed.",
            ),
            RejectReason::StaleVersion => lang.pick(
                "Cơ quan đã gửi lại phiên bản mới hơn; hãy xem phiên bản mới trước khi duyệt.",
                "A newer version was submitted; review that one instead.",
            ),
            RejectReason::TooLarge => lang.pick(
                "Báo cáo quá lớn nên không được ghi nhận.",
                "The report is too large and was not recorded.",
            ),
        }
    }
}

/// One mutation the server refused for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rejection {
    pub seq: u64,
    pub error: RejectReason,
    /// Technical detail, for logs and support.
    pub message: String,
}

/// The answer to a push, sent only after the transaction committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// Every mutation of this client up to here is applied or rejected for good.
    pub last_seq: u64,
    pub rejected: Vec<Rejection>,
}

/// Where a pull resumes: the server's sequence number of the last change seen, and a
/// check taken from that change's mutation id. The check lets the server tell a
/// cursor it issued from one that names a different change (after a restore from an
/// older backup the same numbers come back for other changes). On the wire it is
/// opaque text, `<id>.<check>` in hexadecimal; `0` is the beginning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cursor {
    pub id: u64,
    pub check: u32,
}

impl Cursor {
    /// The beginning of the feed.
    pub const START: Cursor = Cursor { id: 0, check: 0 };

    /// The cursor just after the change `id` whose mutation id is `mutation_id`.
    pub fn after(id: u64, mutation_id: &MutationId) -> Cursor {
        let check = u32::from_str_radix(&mutation_id.as_str()[..8], 16).unwrap_or_default();
        Cursor { id, check }
    }

    /// Reads a cursor; `None` for text no server issued.
    pub fn parse(text: &str) -> Option<Cursor> {
        if text == "0" || text.is_empty() {
            return Some(Cursor::START);
        }
        let (id, check) = text.split_once('.')?;
        Some(Cursor {
            id: u64::from_str_radix(id, 16).ok()?,
            check: u32::from_str_radix(check, 16).ok()?,
        })
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if *self == Cursor::START {
            f.write_str("0")
        } else {
            write!(f, "{:x}.{:08x}", self.id, self.check)
        }
    }
}

impl Serialize for Cursor {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cursor {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Cursor::parse(&text).ok_or_else(|| serde::de::Error::custom("not a cursor"))
    }
}

/// `GET /api/v1/sync/pull?cursor=C`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// Pass this back as `cursor` for the next page.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub cursor: Cursor,
    pub has_more: bool,
    /// How many more changes the person may see after this page (0 on the last one),
    /// so that a device downloading a long history can show how far it has come.
    #[serde(default)]
    pub remaining: u64,
    /// The cursor sent was not valid here: drop what was pulled before and take these
    /// changes (and the following pages) as the whole state.
    #[serde(default)]
    pub reset: bool,
}

/// Something that changed on the server, in the server's order.
///
/// Written by serde's derive, tagged by `kind`; read by a hand-written [`Deserialize`]
/// that takes the object as a `serde_json::Value` and reads the variant from it, so
/// that a client which reads all its JSON through `Value` has one reader per variant
/// type instead of a second one over serde's buffered `Content`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    Progress(ProgressUpdate),
    /// A report was saved, submitted or reviewed. Sent only to clients that pull with
    /// `schema_version=2` or later.
    Report(ReportEvent),
    /// An agency was renamed, or another was merged into it. Sent only to clients that
    /// pull with `schema_version=2` or later.
    Agency(AgencyChange),
    /// A kind this build does not know (from a newer server): skipped.
    #[serde(other)]
    Unknown,
}

impl<'de> Deserialize<'de> for Change {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(deserializer)?;
        let kind = match value.get("kind") {
            Some(serde_json::Value::String(kind)) => kind.clone(),
            Some(_) => return Err(D::Error::custom("`kind` is not a string")),
            None => return Err(D::Error::missing_field("kind")),
        };
        let change = match kind.as_str() {
            "progress" => serde_json::from_value(value).map(Change::Progress),
            "report" => serde_json::from_value(value).map(Change::Report),
            "agency" => serde_json::from_value(value).map(Change::Agency),
            _ => return Ok(Change::Unknown),
        };
        change.map_err(D::Error::custom)
    }
}

/// One account of `GET /api/v1/users`: the accounts of an administrator's province.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountEntry {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub agency: AgencyRef,
    /// A disabled account cannot sign in.
    pub disabled: bool,
    /// Its unexpired sessions (devices signed in).
    pub sessions: u32,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
}

/// `POST /api/v1/users/disable`, `/enable` and `/reset-password`: the account acted on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountRequest {
    pub username: String,
}

/// An account created or given a new password: the password is shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedPassword {
    pub username: String,
    pub display_name: String,
    pub password: String,
}

/// One row of `GET /api/v1/audit`: who changed what, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRow {
    pub id: i64,
    /// The server's time (RFC 3339, UTC).
    pub at: String,
    /// The device's time, for a change a device made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_at: Option<String>,
    /// A username, `server`, or `cli:` and the system user of a command.
    pub actor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// `progress.record`, `report.submit`, `account.disable`, `plan.import`, …
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    pub target: String,
    /// What changed, as the kind has it.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub detail: serde_json::Value,
}

/// One agency of `GET /api/v1/agencies`: the registry of record of an administrator's
/// province, as the agencies page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgencyEntry {
    pub id: AgencyId,
    pub name: String,
    pub short_name: String,
    /// `department`, `district`, `commune`, `press`, `armed_forces`, `party` or
    /// `central`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<AgencyId>,
    /// False for an agency created from a plan's wording (a name no registry knew),
    /// until an administrator confirms, renames or merges it.
    pub confirmed: bool,
    /// For an agency created from a plan's wording: the code of the plan that named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<PlanCode>,
    /// Its former names and the names of agencies merged into it.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Tasks of the province's plans it leads or coordinates.
    pub tasks: u32,
    /// Its accounts.
    pub accounts: u32,
}

/// `POST /api/v1/agencies/rename`: an administrator renames an agency of their province
/// (which confirms it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgencyRenameRequest {
    pub id: AgencyId,
    pub name: String,
    /// Unchanged when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    /// Keep the former name and short name as aliases (plans that still use them are
    /// read as this agency).
    #[serde(default)]
    pub keep_alias: bool,
}

/// `POST /api/v1/agencies/merge`: everything of `from` moves to `into`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgencyMergeRequest {
    pub from: AgencyId,
    pub into: AgencyId,
}

/// `POST /api/v1/agencies/confirm`: an agency created from a plan's wording is kept as
/// it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgencyConfirmRequest {
    pub id: AgencyId,
}

/// An agency renamed (`tiendo agency rename`) or another merged into it (`tiendo agency
/// merge`). Everyone is told, whatever they may see: a device rewrites the agency of
/// what it holds with [`AgencyChange::apply`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgencyChange {
    /// The server's sequence number for this change.
    pub id: i64,
    /// Made by the server, as every change in the feed has one.
    pub mutation_id: MutationId,
    /// The agency as it is named from now on; for a merge, the one merged into.
    pub agency: AgencyRef,
    pub short_name: String,
    /// For a merge: the agency now part of `agency`. What named it names `agency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_from: Option<AgencyId>,
    /// The name before: of the renamed agency, or of the merged one.
    pub previous_name: String,
    /// When the server made the change (RFC 3339, UTC).
    pub changed_at: String,
}

impl AgencyChange {
    /// Rewrites `agency` as this change has it: its new name, or for the merged agency
    /// the agency it joined. Whether anything changed.
    pub fn apply(&self, agency: &mut AgencyRef) -> bool {
        let concerned =
            agency.id == self.agency.id || self.merged_from.as_ref() == Some(&agency.id);
        if !concerned || *agency == self.agency {
            return false;
        }
        *agency = self.agency.clone();
        true
    }
}

/// An applied progress update, as everyone who may see it sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgressUpdate {
    /// The server's sequence number for this update.
    pub id: i64,
    pub mutation_id: MutationId,
    pub plan: PlanCode,
    pub task: TaskNumber,
    pub agency: AgencyRef,
    pub author: String,
    pub author_name: String,
    pub status: ProgressStatus,
    pub percent: Option<Percent>,
    /// The results, for clients of schema version 1.
    pub note: Note,
    #[serde(default)]
    pub results: Note,
    #[serde(default)]
    pub difficulties: Note,
    #[serde(default)]
    pub proposals: Note,
    pub observed_at: Timestamp,
    /// When the server applied it (RFC 3339, UTC).
    pub received_at: String,
    /// Made from an older version than the current one by a different author.
    pub conflict: bool,
}

impl ProgressUpdate {
    /// Reads an update from a JSON object, as the derived reader does (the same fields
    /// with the same defaults), field by field through [`crate::json::from_value`]: a
    /// device reads every update it holds with this. `None` where the derived reader
    /// fails on an object.
    pub fn from_json(value: &serde_json::Value) -> Option<ProgressUpdate> {
        use crate::json::from_value;
        let object = value.as_object()?;
        let field = |name: &str| object.get(name).cloned();
        let note_or_empty = |name: &str| match field(name) {
            Some(note) => from_value(note),
            None => Some(Note::default()),
        };
        Some(ProgressUpdate {
            id: from_value(field("id")?)?,
            mutation_id: from_value(field("mutation_id")?)?,
            plan: from_value(field("plan")?)?,
            task: from_value(field("task")?)?,
            agency: from_value(field("agency")?)?,
            author: from_value(field("author")?)?,
            author_name: from_value(field("author_name")?)?,
            status: from_value(field("status")?)?,
            percent: from_value(field("percent").unwrap_or(serde_json::Value::Null))?,
            note: from_value(field("note")?)?,
            results: note_or_empty("results")?,
            difficulties: note_or_empty("difficulties")?,
            proposals: note_or_empty("proposals")?,
            observed_at: from_value(field("observed_at")?)?,
            received_at: from_value(field("received_at")?)?,
            conflict: from_value(field("conflict")?)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn wire_mutation() -> serde_json::Value {
        json!({
            "seq": 3,
            "id": "0b5e7f3a-9c1d-4e2f-8a6b-1c2d3e4f5a6b",
            "kind": "progress.record",
            "task": "5.2",
            "status": "in_progress",
            "note": "Đã họp triển khai",
            "percent": 40,
            "observed_at": "2019-06-14T08:30:00+07:00"
        })
    }

    #[test]
    fn mutations_are_flat_on_the_wire() {
        let m: Mutation = serde_json::from_value(wire_mutation()).unwrap();
        assert_eq!(m.seq, 3);
        let MutationBody::ProgressRecord(record) = &m.body else {
            panic!("a progress record");
        };
        assert_eq!(record.task.as_str(), "5.2");
        assert_eq!(record.results().as_str(), "Đã họp triển khai");
        assert_eq!(record.percent.map(Percent::value), Some(40));
        assert_eq!(serde_json::to_value(&m).unwrap(), wire_mutation());
    }

    /// Found by the push_body fuzzer (fuzz/artifacts/push_body, a report.submit for
    /// `H1-0019`): a mutation the server reads must read again as itself once
    /// serialised, as a device's queue and the server's records hold it.
    #[test]
    fn a_report_for_a_year_written_with_leading_zeros_survives_the_wire() {
        let wire = json!({
            "seq": 9, "id": "9c1d3e4f-0000-4000-8000-000000000009", "kind": "report.submit",
            "plan": "215/KH-UBND", "period": "H1-0019", "scope": "agency", "base": 41,
            "summary": "Tốt", "tasks": [], "observed_at": "2019-06-14T20:00:00+07:00"
        });
        let envelope: MutationEnvelope = serde_json::from_value(wire).unwrap();
        let mutation = envelope.parse().unwrap();
        let again: Mutation =
            serde_json::from_value(serde_json::to_value(&mutation).unwrap()).unwrap();
        assert_eq!(again, mutation);
        let MutationBody::ReportSubmit(write) = &again.body else {
            panic!("a submission");
        };
        assert_eq!(write.period.code(), "H1-0019");
    }

    #[test]
    fn envelope_rejects_one_bad_mutation_with_its_seq() {
        let mut bad = wire_mutation();
        bad["status"] = json!("finished");
        let envelope: MutationEnvelope = serde_json::from_value(bad).unwrap();
        let rejection = envelope.parse().unwrap_err();
        assert_eq!(rejection.seq, 3);
        assert_eq!(rejection.error, RejectReason::Invalid);

        let good: MutationEnvelope = serde_json::from_value(wire_mutation()).unwrap();
        assert_eq!(good.parse().unwrap().seq, 3);
    }

    #[test]
    fn envelope_refuses_out_of_bounds_values() {
        for (field, value) in [
            ("percent", json!(101)),
            ("observed_at", json!("yesterday")),
            ("task", json!("")),
            ("kind", json!("progress.delete")),
        ] {
            let mut m = wire_mutation();
            m[field] = value;
            let envelope: MutationEnvelope = serde_json::from_value(m).unwrap();
            assert!(envelope.parse().is_err(), "{field}");
        }
    }

    #[test]
    fn cursors_are_opaque_text_that_round_trips() {
        let id = MutationId::parse("0b5e7f3a-9c1d-4e2f-8a6b-1c2d3e4f5a6b").unwrap();
        let cursor = Cursor::after(300, &id);
        assert_eq!(cursor.to_string(), "12c.0b5e7f3a");
        assert_eq!(Cursor::parse(&cursor.to_string()), Some(cursor));
        assert_eq!(Cursor::parse("0"), Some(Cursor::START));
        for unknown in ["-1", "12c", "12c.", "x.1", "12c.0b5e7f3a.9"] {
            assert_eq!(Cursor::parse(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn an_agency_change_rewrites_the_renamed_and_the_merged_agency_only() {
        let change: Change = serde_json::from_value(json!({
            "kind": "agency", "id": 9, "mutation_id": "0b5e7f3a-9c1d-4e2f-8a6b-1c2d3e4f5a6b",
            "agency": {"id": "so-vhtt", "name": "Sở Văn hóa và Thể thao"},
            "short_name": "Sở VHTT", "merged_from": "so-dl", "previous_name": "Sở Du lịch",
            "changed_at": "2026-01-01T00:00:00.000Z"
        }))
        .unwrap();
        let Change::Agency(change) = change else {
            panic!("an agency change");
        };
        let named = |id: &str, name: &str| AgencyRef {
            id: AgencyId::parse(id).unwrap(),
            name: name.into(),
        };
        let mut merged = named("so-dl", "Sở Du lịch");
        assert!(change.apply(&mut merged));
        assert_eq!(merged, change.agency);
        let mut renamed = named("so-vhtt", "Sở Văn hóa, Thể thao và Du lịch");
        assert!(change.apply(&mut renamed));
        assert_eq!(renamed, change.agency);
        assert!(!change.apply(&mut renamed), "already as the change has it");
        let mut other = named("so-tttt", "Sở Thông tin và Truyền thông");
        assert!(!change.apply(&mut other));
        assert_eq!(other.name, "Sở Thông tin và Truyền thông");
    }

    #[test]
    fn changes_are_tagged() {
        let pull: PullResponse =
            serde_json::from_value(json!({"changes": [], "cursor": "0", "has_more": false}))
                .unwrap();
        assert!(!pull.reset);
        assert_eq!(pull.cursor, Cursor::START);
        assert_eq!(Role::from_code("head"), Some(Role::Head));
        assert!(Role::Head.records_progress() && !Role::Supervisor.records_progress());
    }
}
