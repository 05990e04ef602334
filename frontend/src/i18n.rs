//! Every text a person reads: Vietnamese first, English second.

pub use tiendo_shared::i18n::Lang;

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
            T::Lead => ("Cơ quan chủ trì", "Lead agencies"),
            T::Coordinating => ("Cơ quan phối hợp", "Coordinating agencies"),
            T::Timeframe => ("Thời gian thực hiện", "Timeframe"),
            T::NoUpdateYet => ("Chưa có cập nhật", "No update yet"),
            T::RecordUpdate => ("Cập nhật tiến độ", "Record progress"),
            T::Status => ("Tình trạng", "Status"),
            T::Percent => ("Tỷ lệ hoàn thành (%)", "Percent complete"),
            T::PercentHint => ("Không bắt buộc, từ 0 đến 100", "Optional, 0 to 100"),
            T::Note => ("Nội dung, kết quả thực hiện", "What was done"),
            T::Save => ("Lưu cập nhật", "Save update"),
            T::Saved => (
                "Đã lưu trên máy. Cập nhật sẽ tự gửi khi có mạng.",
                "Saved on this device. It will be sent when there is a connection.",
            ),
            T::History => ("Lịch sử cập nhật", "Update history"),
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
        };
        lang.pick(vi, en)
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

/// One report deadline as a person reads it: "Báo cáo 6 tháng đầu năm 2019: trước
/// 15/06/2019 (tổng hợp trước 25/06/2019)".
pub fn report_deadline(lang: Lang, deadline: &tiendo_shared::protocol::ReportDeadline) -> String {
    use tiendo_shared::plan::PeriodKind;
    let year = deadline.period.year;
    let name = match (deadline.period.kind, lang) {
        (PeriodKind::HalfYear, Lang::Vi) => format!("Báo cáo 6 tháng đầu năm {year}"),
        (PeriodKind::HalfYear, Lang::En) => format!("First-half report {year}"),
        (PeriodKind::Year, Lang::Vi) => format!("Báo cáo năm {year}"),
        (PeriodKind::Year, Lang::En) => format!("Annual report {year}"),
    };
    let due = deadline.agency_deadline.to_dmy();
    let consolidation = deadline.consolidation_deadline.map(|d| d.to_dmy());
    match (lang, consolidation) {
        (Lang::Vi, Some(c)) => format!("{name}: gửi trước {due} (Sở tổng hợp trước {c})"),
        (Lang::Vi, None) => format!("{name}: gửi trước {due}"),
        (Lang::En, Some(c)) => format!("{name}: due {due} (consolidated by {c})"),
        (Lang::En, None) => format!("{name}: due {due}"),
    }
}
