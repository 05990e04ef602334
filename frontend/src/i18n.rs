//! Every text a person reads: Vietnamese first, English second.

#[cfg(feature = "workspace")]
use tiendo_shared::date::Date;
pub use tiendo_shared::i18n::Lang;
use tiendo_shared::plan::{Period, PeriodKind};
use tiendo_shared::protocol::ReportDeadline;

/// A text of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum T {
    AppName,
    Subtitle,
    NewVersion,
    SaveFailed,
    Username,
    Password,
    SignIn,
    SigningIn,
    SignOut,
    SignInNeedsNetwork,
    OnlyMine,
    StatusFilter,
    AnyStatus,
    RoleLead,
    RoleCoordinating,
    PlanPicker,
    Lead,
    Coordinating,
    Timeframe,
    NoUpdateYet,
    RecordUpdate,
    Status,
    Percent,
    PercentHint,
    Note,
    Save,
    Saved,
    History,
    CorrectAndResend,
    Unsynced,
    Conflict,
    Synced,
    Syncing,
    Offline,
    SessionExpired,
    UpgradeRequired,
    Rejected,
    NotAssigned,
    ReadOnlyRole,
    BackToTasks,
    TaskNotFound,
    PlanNotLoaded,
    Language,
    Difficulties,
    Proposals,
    NavReports,
    Search,
    SearchHint,
    NoMatch,
    /// The field app's link to the supervisors' workspace.
    #[cfg(not(feature = "workspace"))]
    Workspace,
    #[cfg(not(feature = "workspace"))]
    WorkspaceOnly,
    #[cfg(not(feature = "workspace"))]
    ReportsNeedNetwork,
    /// A text of the workspace (the supervisors' pages and the reports).
    #[cfg(feature = "workspace")]
    Ws(W),
}

impl T {
    pub fn get(self, lang: Lang) -> &'static str {
        let (vi, en) = match self {
            T::AppName => ("Tiến độ", "Tiến độ"),
            T::NewVersion => ("Có phiên bản mới — tải lại", "New version — reload"),
            T::Subtitle => (
                "Theo dõi thực hiện kế hoạch thông tin đối ngoại",
                "Progress on the external information plan",
            ),
            T::SaveFailed => (
                "Không lưu được trên máy này (bộ nhớ trình duyệt bị chặn hoặc đầy). Cập nhật chưa được ghi.",
                "Could not save on this device (browser storage blocked or full). The update was not recorded.",
            ),
            T::Username => ("Tên đăng nhập", "Username"),
            T::Password => ("Mật khẩu", "Password"),
            T::SignIn => ("Đăng nhập", "Sign in"),
            T::SigningIn => ("Đang đăng nhập…", "Signing in…"),
            T::SignOut => ("Đăng xuất", "Sign out"),
            T::SignInNeedsNetwork => (
                "Không kết nối được máy chủ. Lần đăng nhập đầu tiên cần có mạng.",
                "Cannot reach the server. The first sign-in needs a connection.",
            ),
            T::OnlyMine => ("Chỉ nhiệm vụ của cơ quan tôi", "Only my agency's tasks"),
            T::StatusFilter => ("Tình trạng", "Status"),
            T::AnyStatus => ("Tất cả", "All"),
            T::RoleLead => ("Chủ trì", "Lead"),
            T::RoleCoordinating => ("Phối hợp", "Coordinating"),
            T::PlanPicker => ("Kế hoạch", "Plan"),
            T::Lead => ("Cơ quan chủ trì", "Lead agencies"),
            T::Coordinating => ("Cơ quan phối hợp", "Coordinating agencies"),
            T::Timeframe => ("Thời gian thực hiện", "Timeframe"),
            T::NoUpdateYet => ("Chưa có cập nhật", "No update yet"),
            T::RecordUpdate => ("Cập nhật tiến độ", "Record progress"),
            T::Status => ("Tình trạng", "Status"),
            T::Percent => ("Tỷ lệ hoàn thành (%)", "Percent complete"),
            T::PercentHint => ("Không bắt buộc, từ 0 đến 100", "Optional, 0 to 100"),
            T::Note => ("Kết quả thực hiện", "Results"),
            T::Difficulties => ("Khó khăn, vướng mắc", "Difficulties"),
            T::Proposals => ("Đề xuất, kiến nghị", "Proposals"),
            T::Save => ("Lưu cập nhật", "Save update"),
            T::Saved => (
                "Đã lưu trên máy. Cập nhật sẽ tự gửi khi có mạng.",
                "Saved on this device. It will be sent when there is a connection.",
            ),
            T::History => ("Lịch sử cập nhật", "Update history"),
            T::CorrectAndResend => ("Sửa và gửi lại", "Correct and send again"),
            T::Unsynced => ("Chưa đồng bộ", "Not synced yet"),
            T::Conflict => (
                "Xung đột: sửa cùng lúc với người khác",
                "Conflict: edited at the same time as someone else",
            ),
            T::Synced => ("Đã đồng bộ", "Synced"),
            T::Syncing => ("Đang đồng bộ…", "Syncing…"),
            T::Offline => (
                "Mất kết nối — sẽ tự đồng bộ",
                "Offline — will sync by itself",
            ),
            T::SessionExpired => (
                "Phiên đăng nhập hết hạn — đăng nhập lại để gửi dữ liệu",
                "Session expired — sign in again to send your data",
            ),
            T::UpgradeRequired => (
                "Có phiên bản mới — tải lại trang",
                "New version — reload the page",
            ),
            T::Rejected => ("Không được ghi nhận", "Not accepted"),
            T::NotAssigned => (
                "Cơ quan của bạn không được giao nhiệm vụ này.",
                "Your agency is not assigned to this task.",
            ),
            T::ReadOnlyRole => (
                "Tài khoản theo dõi: chỉ xem, không cập nhật tiến độ.",
                "Supervisor account: read only.",
            ),
            T::BackToTasks => ("← Danh sách nhiệm vụ", "← All tasks"),
            T::TaskNotFound => ("Không tìm thấy nhiệm vụ.", "Task not found."),
            T::PlanNotLoaded => (
                "Chưa tải được kế hoạch. Cần có mạng ở lần mở đầu tiên.",
                "The plan is not loaded yet. The first visit needs a connection.",
            ),
            T::Language => ("English", "Tiếng Việt"),
            T::NavReports => ("Báo cáo", "Reports"),
            T::Search => ("Tìm nhiệm vụ", "Find tasks"),
            T::SearchHint => (
                "Số, nội dung hoặc tên cơ quan (gõ không dấu cũng được)",
                "Number, words or agency (accents optional)",
            ),
            T::NoMatch => (
                "Không có nhiệm vụ nào khớp với từ tìm kiếm.",
                "No task matches the search.",
            ),
            #[cfg(not(feature = "workspace"))]
            T::Workspace => ("Không gian làm việc", "Workspace"),
            #[cfg(not(feature = "workspace"))]
            T::WorkspaceOnly => (
                "Trang này thuộc không gian làm việc của cán bộ theo dõi.",
                "This page is part of the supervisors' workspace.",
            ),
            #[cfg(not(feature = "workspace"))]
            T::ReportsNeedNetwork => (
                "Báo cáo mở trong không gian làm việc; lần đầu mở cần có kết nối mạng.",
                "The reports open in the workspace, which needs a connection the first time.",
            ),
            #[cfg(feature = "workspace")]
            T::Ws(w) => w.texts(),
        };
        lang.pick(vi, en)
    }
}

/// A text of the workspace (the supervisors' pages, and the reports' listing and
/// editor), which the field app does not carry.
#[cfg(feature = "workspace")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum W {
    NavAccounts,
    NavAudit,
    AdminNeedsNetwork,
    AccountsTitle,
    AccountsImport,
    AccountsImportHint,
    AccountsFile,
    AccountsImportButton,
    AccountsChooseFile,
    AccountsImported,
    AccountsPasswords,
    AccountsPasswordsHint,
    AccountsPerson,
    AccountsRole,
    AccountsSessions,
    AccountsActive,
    AccountsLocked,
    AccountsDisable,
    AccountsEnable,
    AccountsDisabled,
    AccountsEnabled,
    AccountsResetButton,
    AccountsReset,
    AuditTitle,
    AuditSince,
    AuditWhen,
    AuditWho,
    AuditWhat,
    AuditTarget,
    AuditDetail,
    NavAgencies,
    AgenciesTitle,
    AgenciesAdminOnly,
    AgenciesIntro,
    AgenciesWaitingOnly,
    AgenciesSearch,
    AgenciesLoading,
    AgenciesNone,
    AgenciesName,
    AgenciesKind,
    AgenciesTasks,
    AgenciesAccounts,
    AgenciesStatus,
    AgenciesEdit,
    AgenciesConfirmed,
    AgenciesWaiting,
    AgenciesWaitingFrom,
    AgenciesAliases,
    AgenciesConfirm,
    AgenciesConfirmHint,
    AgenciesRename,
    AgenciesNewName,
    AgenciesShortName,
    AgenciesKeepAlias,
    AgenciesSaveName,
    AgenciesMerge,
    AgenciesMergeInto,
    AgenciesChoose,
    AgenciesMergeButton,
    AgenciesRenamed,
    AgenciesMerged,
    AgenciesConfirmedNow,
    AgenciesNeedNetwork,
    AgenciesFailed,
    NavImport,
    ImportTitle,
    ImportAdminOnly,
    ImportFile,
    ImportPreview,
    ImportConfirm,
    ImportChooseFile,
    ImportPreviewed,
    ImportDone,
    ImportNeedsNetwork,
    ImportFailed,
    ImportTasks,
    ImportAdded,
    ImportChanged,
    ImportWithdrawn,
    ImportNewAgencies,
    ImportReviewAgencies,
    ImportUnmapped,
    ImportWarnings,
    NavDashboard,
    NavMatrix,
    NavTasks,
    DashboardTitle,
    AsOf,
    Exports,
    ExportConsolidated,
    ExportXlsx,
    ExportCsv,
    TaskStates,
    Tasks,
    BySection,
    ByAgency,
    LeadsDone,
    Contributed,
    Overdue,
    NoOverdue,
    Due,
    Ongoing,
    NoOngoing,
    ReportedInPeriod,
    NobodyReported,
    ReportStates,
    LateAgencies,
    NoneLate,
    MatrixTitle,
    MatrixLegend,
    Task,
    RoleLead,
    RoleCoordinating,
    ResultsByAgency,
    NoResultsYet,
    NotReported,
    Everyone,
    PeriodReports,
    ReportsTitle,
    ReportPeriod,
    Agency,
    Version,
    SubmittedAt,
    ReviewedAt,
    ReviewComment,
    Server,
    Device,
    Late,
    ConsolidatedReport,
    NoReportingPeriods,
    NoReporters,
    BackToReports,
    ReportNotFound,
    ReadOnlyReport,
    NotEditableNow,
    ReturnedForRevision,
    ReportTasks,
    NoReportTasks,
    ReportOverall,
    Summary,
    Direction,
    ProvinceProposals,
    Redraft,
    RedraftConsolidated,
    ConfirmRedraft,
    SaveDraft,
    SubmitReport,
    FinalizeConsolidated,
    ReportQueued,
    WorkingCopyKept,
    ReviewTitle,
    Accept,
    ReturnForRevision,
    ReturnNeedsComment,
    Versions,
    NoVersionYet,
    ActionSaved,
    ActionSubmitted,
    ActionFinalized,
    ActionAccepted,
    ActionReturned,
    PendingReport,
    ReviewWaits,
    Open,
    DownloadDocx,
    DownloadNeedsNetwork,
    DownloadFailed,
}

#[cfg(feature = "workspace")]
impl From<W> for T {
    fn from(w: W) -> T {
        T::Ws(w)
    }
}

#[cfg(feature = "workspace")]
impl W {
    pub fn get(self, lang: Lang) -> &'static str {
        T::Ws(self).get(lang)
    }

    fn texts(self) -> (&'static str, &'static str) {
        match self {
            W::NavAgencies => ("Cơ quan", "Agencies"),
            W::AgenciesTitle => ("Cơ quan của tỉnh", "The province's agencies"),
            W::AgenciesAdminOnly => (
                "Chỉ quản trị hệ thống được sửa danh mục cơ quan.",
                "Only an administrator can change the agency registry.",
            ),
            W::AgenciesIntro => (
                "Cơ quan có trong kế hoạch nhưng chưa có trong danh mục được tạo tự động và chờ xác nhận: giữ nguyên, đổi tên, hoặc gộp vào một cơ quan đã có.",
                "Agencies a plan names that the registry did not know were created and wait for confirmation: keep them as they are, rename them, or merge them into an existing agency.",
            ),
            W::AgenciesWaitingOnly => (
                "Chỉ hiện cơ quan chờ xác nhận",
                "Only agencies waiting for confirmation",
            ),
            W::AgenciesSearch => ("Tìm", "Search"),
            W::AgenciesLoading => ("Đang tải danh mục cơ quan…", "Loading the agencies…"),
            W::AgenciesNone => ("Không có cơ quan nào ở đây.", "No agencies here."),
            W::AgenciesName => ("Cơ quan", "Agency"),
            W::AgenciesKind => ("Loại", "Kind"),
            W::AgenciesTasks => ("Nhiệm vụ", "Tasks"),
            W::AgenciesAccounts => ("Tài khoản", "Accounts"),
            W::AgenciesStatus => ("Trạng thái", "Status"),
            W::AgenciesEdit => ("Xử lý", "Review"),
            W::AgenciesConfirmed => ("Đã xác nhận", "Confirmed"),
            W::AgenciesWaiting => ("Chờ xác nhận", "Waiting for confirmation"),
            W::AgenciesWaitingFrom => (
                "Chờ xác nhận · tạo từ kế hoạch",
                "Waiting for confirmation · created from plan",
            ),
            W::AgenciesAliases => ("Tên khác", "Also known as"),
            W::AgenciesConfirm => ("Xác nhận giữ nguyên", "Confirm as it is"),
            W::AgenciesConfirmHint => (
                "nếu tên và loại cơ quan đã đúng.",
                "if its name and kind are right.",
            ),
            W::AgenciesRename => ("Đổi tên", "Rename"),
            W::AgenciesNewName => ("Tên đầy đủ", "Full name"),
            W::AgenciesShortName => ("Tên viết tắt", "Short name"),
            W::AgenciesKeepAlias => (
                "Giữ tên cũ làm tên khác (kế hoạch còn dùng tên cũ vẫn nhận ra)",
                "Keep the former name as an alias (plans still using it are read as this agency)",
            ),
            W::AgenciesSaveName => ("Lưu tên", "Save the name"),
            W::AgenciesMerge => ("Gộp vào cơ quan khác", "Merge into another agency"),
            W::AgenciesMergeInto => ("Gộp vào", "Merge into"),
            W::AgenciesChoose => ("— Chọn cơ quan —", "— Choose an agency —"),
            W::AgenciesMergeButton => ("Gộp", "Merge"),
            W::AgenciesRenamed => (
                "Đã đổi tên. Các thiết bị sẽ nhận tên mới ở lần đồng bộ sau.",
                "Renamed. Devices learn the new name at their next sync.",
            ),
            W::AgenciesMerged => (
                "Đã gộp. Các thiết bị sẽ được cập nhật ở lần đồng bộ sau.",
                "Merged. Devices are updated at their next sync.",
            ),
            W::AgenciesConfirmedNow => ("Đã xác nhận cơ quan.", "The agency is confirmed."),
            W::AgenciesNeedNetwork => (
                "Cần có mạng để sửa danh mục cơ quan.",
                "Changing the agency registry needs the network.",
            ),
            W::AgenciesFailed => ("Không thực hiện được.", "That did not work."),
            W::NavAccounts => ("Tài khoản", "Accounts"),
            W::NavAudit => ("Nhật ký", "Audit trail"),
            W::AdminNeedsNetwork => ("Cần có mạng để làm việc này.", "This needs the network."),
            W::AccountsTitle => ("Tài khoản của tỉnh", "The province's accounts"),
            W::AccountsImport => (
                "Thêm nhiều tài khoản từ tệp CSV",
                "Add accounts from a CSV file",
            ),
            W::AccountsImportHint => (
                "Mỗi dòng: tên đăng nhập, họ tên, cơ quan (mã hoặc tên), vai trò (cán bộ, lãnh đạo, giám sát, quản trị). Một dòng sai thì không thêm tài khoản nào; các dòng cần sửa được liệt kê.",
                "One row each: username, full name, agency (id or name), role (staff, head, supervisor, admin). One wrong row adds none; the rows to correct are listed.",
            ),
            W::AccountsFile => ("Tệp CSV (UTF-8)", "CSV file (UTF-8)"),
            W::AccountsImportButton => ("Thêm tài khoản", "Add the accounts"),
            W::AccountsChooseFile => ("Hãy chọn một tệp CSV.", "Choose a CSV file."),
            W::AccountsImported => (
                "Đã thêm tài khoản. Mật khẩu chỉ hiện lần này: hãy chuyển cho từng người.",
                "The accounts were added. The passwords show this once: pass them on to each person.",
            ),
            W::AccountsPasswords => (
                "Mật khẩu mới (chỉ hiện lần này)",
                "New passwords (shown this once)",
            ),
            W::AccountsPasswordsHint => (
                "Người dùng nên đổi mật khẩu sau khi đăng nhập.",
                "People should change their password after signing in.",
            ),
            W::AccountsPerson => ("Người dùng", "Person"),
            W::AccountsRole => ("Vai trò", "Role"),
            W::AccountsSessions => ("Phiên đăng nhập", "Sessions"),
            W::AccountsActive => ("Đang dùng", "Active"),
            W::AccountsLocked => ("Đã khóa", "Disabled"),
            W::AccountsDisable => ("Khóa", "Disable"),
            W::AccountsEnable => ("Mở khóa", "Enable"),
            W::AccountsDisabled => (
                "Đã khóa tài khoản; các phiên đăng nhập của tài khoản này đã kết thúc.",
                "Disabled; its sessions have ended.",
            ),
            W::AccountsEnabled => ("Đã mở khóa tài khoản.", "Enabled."),
            W::AccountsResetButton => ("Cấp mật khẩu mới", "New password"),
            W::AccountsReset => (
                "Đã cấp mật khẩu mới; các phiên đăng nhập cũ đã kết thúc.",
                "A new password was issued; the old sessions have ended.",
            ),
            W::AuditTitle => ("Nhật ký thay đổi", "Audit trail"),
            W::AuditSince => ("Từ ngày", "Since"),
            W::AuditWhen => ("Lúc (máy chủ; thiết bị)", "When (server; device)"),
            W::AuditWho => ("Ai", "Who"),
            W::AuditWhat => ("Thay đổi", "Change"),
            W::AuditTarget => ("Đối tượng", "Of"),
            W::AuditDetail => ("Chi tiết", "Detail"),
            W::NavImport => ("Nhập kế hoạch", "Import a plan"),
            W::ImportTitle => ("Nhập kế hoạch", "Import a plan"),
            W::ImportAdminOnly => (
                "Chỉ quản trị hệ thống được nhập kế hoạch.",
                "Only an administrator can import a plan.",
            ),
            W::ImportFile => (
                "Tệp kế hoạch (Word .docx hoặc văn bản)",
                "Plan file (Word .docx or text)",
            ),
            W::ImportPreview => ("Xem trước", "Preview"),
            W::ImportConfirm => ("Xác nhận nhập", "Confirm import"),
            W::ImportChooseFile => ("Hãy chọn một tệp kế hoạch.", "Choose a plan file."),
            W::ImportPreviewed => (
                "Xem trước: chưa có gì thay đổi. Kiểm tra rồi xác nhận nhập.",
                "Preview: nothing has changed yet. Check it, then confirm.",
            ),
            W::ImportDone => ("Đã nhập kế hoạch.", "The plan was imported."),
            W::ImportNeedsNetwork => (
                "Cần có mạng để nhập kế hoạch.",
                "Importing a plan needs the network.",
            ),
            W::ImportFailed => (
                "Không nhập được kế hoạch.",
                "The plan could not be imported.",
            ),
            W::ImportTasks => ("nhiệm vụ", "tasks"),
            W::ImportAdded => ("Nhiệm vụ thêm mới", "Tasks added"),
            W::ImportChanged => ("Nhiệm vụ thay đổi", "Tasks changed"),
            W::ImportWithdrawn => (
                "Nhiệm vụ rút khỏi kế hoạch (giữ lại lịch sử)",
                "Tasks withdrawn (kept with their history)",
            ),
            W::ImportNewAgencies => ("Cơ quan mới", "New agencies"),
            W::ImportReviewAgencies => (
                "Xác nhận, đổi tên hoặc gộp các cơ quan mới →",
                "Confirm, rename or merge the new agencies →",
            ),
            W::ImportUnmapped => ("Cụm từ nhóm chưa ánh xạ", "Group phrases left unmapped"),
            W::ImportWarnings => ("Cảnh báo", "Warnings"),
            W::NavDashboard => ("Tổng quan", "Overview"),
            W::NavMatrix => ("Ma trận", "Matrix"),
            W::NavTasks => ("Nhiệm vụ", "Tasks"),
            W::DashboardTitle => ("Tổng quan thực hiện kế hoạch", "The plan at a glance"),
            W::AsOf => ("Tính đến ngày", "As of"),
            W::Exports => ("Xuất báo cáo, dữ liệu của kỳ", "Exports of the period"),
            W::ExportConsolidated => ("Báo cáo tổng hợp (.docx)", "Consolidated report (.docx)"),
            W::ExportXlsx => ("Dữ liệu (.xlsx)", "Data (.xlsx)"),
            W::ExportCsv => ("(.csv)", "(.csv)"),
            W::TaskStates => ("Nhiệm vụ theo tình trạng", "Tasks by status"),
            W::Tasks => ("nhiệm vụ", "tasks"),
            W::BySection => (
                "Hoàn thành theo mục của kế hoạch",
                "Completion by plan section",
            ),
            W::ByAgency => ("Hoàn thành theo cơ quan", "Completion by agency"),
            W::LeadsDone => ("Chủ trì: đã hoàn thành", "Leads: done"),
            W::Contributed => (
                "Phối hợp: có báo cáo trong kỳ",
                "Coordinates: reported in the period",
            ),
            W::Overdue => ("Nhiệm vụ quá hạn", "Overdue tasks"),
            W::NoOverdue => ("Không có nhiệm vụ quá hạn.", "No task is overdue."),
            W::Due => ("Hạn", "Due"),
            W::Ongoing => (
                "Nhiệm vụ thường xuyên, hằng năm: cơ quan đã báo cáo trong kỳ",
                "Ongoing and recurring tasks: agencies that reported in the period",
            ),
            W::NoOngoing => ("Không có nhiệm vụ thường xuyên.", "No ongoing task."),
            W::ReportedInPeriod => ("Đã báo cáo", "Reported"),
            W::NobodyReported => ("Chưa cơ quan nào báo cáo", "Nobody has reported"),
            W::ReportStates => ("Tình hình báo cáo định kỳ", "Periodic reports"),
            W::LateAgencies => ("Nộp trễ hạn", "Submitted late"),
            W::NoneLate => ("Không có cơ quan nộp trễ hạn.", "No report came in late."),
            W::MatrixTitle => ("Ma trận nhiệm vụ × cơ quan", "Tasks × agencies"),
            W::MatrixLegend => (
                "L: chủ trì · P: phối hợp · tình trạng và ngày cập nhật gần nhất",
                "L: lead · P: coordinating · latest status and its date",
            ),
            W::Task => ("Nhiệm vụ", "Task"),
            W::RoleLead => ("Chủ trì", "Lead"),
            W::RoleCoordinating => ("Phối hợp", "Coordinating"),
            W::ResultsByAgency => ("Kết quả theo cơ quan", "Results by agency"),
            W::NoResultsYet => (
                "Chưa có cơ quan nào cập nhật kết quả.",
                "No agency has recorded results yet.",
            ),
            W::NotReported => ("Chưa có báo cáo", "Not reported yet"),
            W::Everyone => (
                "Mọi cơ quan được giao đã báo cáo trong kỳ.",
                "Every assigned agency reported in the period.",
            ),
            W::PeriodReports => ("Báo cáo định kỳ của kỳ này", "This period's reports"),
            W::ReportsTitle => ("Báo cáo định kỳ", "Periodic reports"),
            W::ReportPeriod => ("Kỳ báo cáo", "Reporting period"),
            W::Agency => ("Cơ quan, đơn vị", "Agency"),
            W::Version => ("Phiên bản", "Version"),
            W::SubmittedAt => ("Thời điểm gửi", "Submitted"),
            W::ReviewedAt => ("Thời điểm duyệt", "Reviewed"),
            W::ReviewComment => ("Nhận xét", "Comment"),
            W::Server => ("Máy chủ", "Server"),
            W::Device => ("Thiết bị", "Device"),
            W::Late => ("Trễ hạn", "Late"),
            W::ConsolidatedReport => ("Báo cáo tổng hợp", "Consolidated report"),
            W::NoReportingPeriods => (
                "Kế hoạch không yêu cầu báo cáo định kỳ.",
                "The plan asks for no periodic report.",
            ),
            W::NoReporters => (
                "Không có cơ quan nào phải báo cáo kỳ này.",
                "No agency has to report for this period.",
            ),
            W::BackToReports => ("← Báo cáo định kỳ", "← Periodic reports"),
            W::ReportNotFound => (
                "Không có báo cáo này trong kế hoạch.",
                "The plan asks for no such report.",
            ),
            W::ReadOnlyReport => (
                "Chỉ xem: báo cáo do cơ quan báo cáo soạn và lãnh đạo cơ quan gửi.",
                "Read only: the reporting agency writes this report and its head submits it.",
            ),
            W::NotEditableNow => (
                "Báo cáo đã gửi hoặc đã được chấp nhận; chỉ sửa được khi Sở trả lại.",
                "The report is submitted or accepted; it can be changed only if it is returned.",
            ),
            W::ReturnedForRevision => ("Sở trả lại để chỉnh sửa", "Returned for revision"),
            W::ReportTasks => ("Kết quả theo nhiệm vụ", "Results by task"),
            W::NoReportTasks => (
                "Kỳ này không có nhiệm vụ nào của cơ quan.",
                "No task of the agency falls in this period.",
            ),
            W::ReportOverall => ("Phần chung", "Overall"),
            W::Summary => ("Đánh giá chung", "Overall assessment"),
            W::Direction => ("Phương hướng kỳ tới", "Plans for the next period"),
            W::ProvinceProposals => ("Đề xuất, kiến nghị với tỉnh", "Proposals to the province"),
            W::Redraft => ("Lập lại bản nháp từ cập nhật", "Redraft from the updates"),
            W::RedraftConsolidated => (
                "Lập lại bản nháp từ báo cáo của các cơ quan",
                "Redraft from the agencies' reports",
            ),
            W::ConfirmRedraft => (
                "Thay nội dung đang soạn bằng bản nháp mới?",
                "Replace what is written with a new draft?",
            ),
            W::SaveDraft => ("Lưu nháp", "Save draft"),
            W::SubmitReport => ("Gửi báo cáo", "Submit report"),
            W::FinalizeConsolidated => (
                "Hoàn thành báo cáo tổng hợp",
                "Finalise the consolidated report",
            ),
            W::ReportQueued => (
                "Đã lưu trên máy. Báo cáo sẽ tự gửi khi có mạng.",
                "Saved on this device. It will be sent when there is a connection.",
            ),
            W::WorkingCopyKept => (
                "Bản đang soạn được giữ trên máy này.",
                "What you are writing is kept on this device.",
            ),
            W::ReviewTitle => ("Duyệt báo cáo", "Review"),
            W::Accept => ("Chấp nhận", "Accept"),
            W::ReturnForRevision => ("Trả lại để chỉnh sửa", "Return for revision"),
            W::ReturnNeedsComment => (
                "Cần ghi nhận xét: cơ quan cần chỉnh sửa những gì.",
                "Write a comment: what the agency should revise.",
            ),
            W::Versions => ("Các phiên bản", "Versions"),
            W::NoVersionYet => ("Chưa có phiên bản nào.", "No version yet."),
            W::ActionSaved => ("Lưu nháp", "Draft saved"),
            W::ActionSubmitted => ("Gửi báo cáo", "Submitted"),
            W::ActionFinalized => ("Hoàn thành", "Finalised"),
            W::ActionAccepted => ("Chấp nhận", "Accepted"),
            W::ActionReturned => ("Trả lại", "Returned"),
            W::PendingReport => ("Chưa đồng bộ", "Not synced yet"),
            W::ReviewWaits => (
                "Đã ghi ý kiến duyệt trên máy; sẽ tự gửi khi có mạng.",
                "The review is saved on this device and will be sent when there is a connection.",
            ),
            W::Open => ("Xem", "Open"),
            W::DownloadDocx => ("Tải về (.docx)", "Download (.docx)"),
            W::DownloadNeedsNetwork => (
                "Cần kết nối mạng để tải tệp.",
                "Downloading a file needs a connection.",
            ),
            W::DownloadFailed => (
                "Không tải được tệp. Vui lòng thử lại.",
                "The file could not be downloaded. Please try again.",
            ),
        }
    }
}

/// "N cập nhật chưa đồng bộ" / "N updates not synced yet".
pub fn pending_count(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Vi => format!("{n} cập nhật chưa đồng bộ"),
        Lang::En if n == 1 => "1 update not synced yet".to_owned(),
        Lang::En => format!("{n} updates not synced yet"),
    }
}

/// A task's deadline in the period being reported on: "Hạn 30/06/2019".
pub fn due_on(lang: Lang, day: &str) -> String {
    match lang {
        Lang::Vi => format!("Hạn {day}"),
        Lang::En => format!("Due {day}"),
    }
}

/// The button under a long history: "Xem thêm 30 cập nhật cũ hơn (còn 2.470)".
pub fn older_updates(lang: Lang, next: usize, hidden: usize) -> String {
    match lang {
        Lang::Vi => format!("Xem thêm {next} cập nhật cũ hơn (còn {hidden})"),
        Lang::En => format!("Show {next} older updates ({hidden} more)"),
    }
}

/// How far a long download has come: "Đang tải 4.000/20.000".
pub fn loading(lang: Lang, done: u64, total: u64) -> String {
    let separator = match lang {
        Lang::Vi => '.',
        Lang::En => ',',
    };
    let group = |n: u64| {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(separator);
            }
            out.push(c);
        }
        out
    };
    match lang {
        Lang::Vi => format!("Đang tải {}/{}", group(done), group(total)),
        Lang::En => format!("Loading {}/{}", group(done), group(total)),
    }
}

/// When the device last synced, as the header shows it: the time alone today, the
/// day and time before ("10:45", "26/11 10:45"), Vietnam time.
pub fn synced_at(lang: Lang, ms: i64, now_ms: i64) -> String {
    let offset = tiendo_shared::plan::calendar::VIETNAM_OFFSET_MINUTES;
    let full = tiendo_shared::date::format_dmy_hm(ms, offset);
    let same_day =
        tiendo_shared::date::date_of(ms, offset) == tiendo_shared::date::date_of(now_ms, offset);
    let shown = match full.split_once(' ') {
        Some((_, time)) if same_day => time.to_owned(),
        Some((day, time)) => format!("{} {time}", &day[..day.len().min(5)]),
        None => full,
    };
    match lang {
        Lang::Vi => format!("lần cuối {shown}"),
        Lang::En => format!("last {shown}"),
    }
}

/// The question before signing out with updates still on the device.
pub fn confirm_sign_out(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Vi => format!(
            "Còn {n} cập nhật chưa đồng bộ. Chúng vẫn được giữ trên máy và sẽ được gửi khi bạn đăng nhập lại. Đăng xuất?"
        ),
        Lang::En => format!(
            "{n} updates are not synced yet. They stay on this device and are sent when you sign in again. Sign out?"
        ),
    }
}

/// A period as a person reads it: "6 tháng đầu năm 2019", "năm 2019", "quý II năm 2019".
pub fn period_name(lang: Lang, period: Period) -> String {
    let year = period.year;
    match (period.kind, lang) {
        (PeriodKind::HalfYear, Lang::Vi) => format!("6 tháng đầu năm {year}"),
        (PeriodKind::HalfYear, Lang::En) => format!("first half of {year}"),
        (PeriodKind::Year, Lang::Vi) => format!("năm {year}"),
        (PeriodKind::Year, Lang::En) => format!("year {year}"),
        (PeriodKind::Quarter(q), Lang::Vi) => format!("quý {} năm {year}", roman(q)),
        (PeriodKind::Quarter(q), Lang::En) => format!("Q{q} {year}"),
    }
}

/// A report's name: "Báo cáo 6 tháng đầu năm 2019" / "First-half report 2019".
pub fn report_name(lang: Lang, period: Period) -> String {
    let year = period.year;
    match (period.kind, lang) {
        (_, Lang::Vi) => format!("Báo cáo {}", period_name(lang, period)),
        (PeriodKind::HalfYear, Lang::En) => format!("First-half report {year}"),
        (PeriodKind::Year, Lang::En) => format!("Annual report {year}"),
        (PeriodKind::Quarter(q), Lang::En) => format!("Q{q} report {year}"),
    }
}

fn roman(q: u8) -> &'static str {
    match q {
        1 => "I",
        2 => "II",
        3 => "III",
        _ => "IV",
    }
}

/// One report deadline as a person reads it: "Báo cáo 6 tháng đầu năm 2019: gửi trước
/// 15/06/2019 (Sở tổng hợp trước 25/06/2019)".
pub fn report_deadline(lang: Lang, deadline: &ReportDeadline) -> String {
    let name = report_name(lang, deadline.period);
    let due = deadline.agency_deadline.to_dmy();
    let consolidation = deadline.consolidation_deadline.map(|d| d.to_dmy());
    match (lang, consolidation) {
        (Lang::Vi, Some(c)) => format!("{name}: gửi trước {due} (Sở tổng hợp trước {c})"),
        (Lang::Vi, None) => format!("{name}: gửi trước {due}"),
        (Lang::En, Some(c)) => format!("{name}: due {due} (consolidated by {c})"),
        (Lang::En, None) => format!("{name}: due {due}"),
    }
}

#[cfg(feature = "workspace")]
/// "Hạn gửi: trước ngày 15/06/2019".
pub fn due_before(lang: Lang, date: Date) -> String {
    match lang {
        Lang::Vi => format!("Hạn gửi: trước ngày {}", date.to_dmy()),
        Lang::En => format!("Due: before {}", date.to_dmy()),
    }
}

#[cfg(feature = "workspace")]
/// "Hạn tổng hợp: trước ngày 25/06/2019".
pub fn consolidation_due_before(lang: Lang, date: Date) -> String {
    match lang {
        Lang::Vi => format!("Hạn tổng hợp: trước ngày {}", date.to_dmy()),
        Lang::En => format!("Consolidation due: before {}", date.to_dmy()),
    }
}

#[cfg(feature = "workspace")]
/// "Phiên bản 12" / "Version 12".
pub fn version(lang: Lang, id: i64) -> String {
    format!("{} {id}", W::Version.get(lang))
}
