//! The reporting calendar: which reports a plan asks for, when each is due, and, for
//! any day, which are open, due soon, late or missing.
//!
//! Two sets of dates are kept apart. The plan's organisation section sets deadlines:
//! the agencies report by one date ("định kỳ 6 tháng (trước 15/6), năm (trước 05/12)")
//! and the consolidating agency reports to the province by a later one ("trước ngày
//! 25/6", "trước 15/12"). Decree 09/2019/NĐ-CP, Art. 12, sets the data-closing windows
//! the figures cover: for the first half, 15/12 of the year before to 14/6; for the
//! year, 15/12 of the year before to 14/12.
//!
//! A deadline is kept as the plan writes it ("trước ngày 15/6" is 15/6), and read as
//! the instruction says: the report must be in *before* that day begins, in Vietnam
//! time (UTC+7), so 14/6 is the last day on time. [`due_instant`] is that instant.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::fold::{Word, words};
use super::names::Resolver;
use super::{AgencyName, Plan, PlanParseError};
use crate::date::Date;
use crate::ids::{AgencyId, TaskNumber};

/// Which report: a quarter's, the first half's or the whole year's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PeriodKind {
    /// One quarter, 1 to 4.
    Quarter(u8),
    HalfYear,
    Year,
}

/// One reporting period: a quarter, the first half of a year, or a whole year.
///
/// On the wire, in URLs and on the command line it is written `Q1-2019` … `Q4-2019`,
/// `H1-2019` or `Y-2019` (see [`Period::code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    /// First, so that periods sort by year.
    pub year: i32,
    pub kind: PeriodKind,
}

fn ymd(year: i32, month: u8, day: u8) -> Date {
    Date::new(year, month, day).unwrap_or_else(|_| Date::from_days_since_epoch(0))
}

impl Period {
    pub fn half_year(year: i32) -> Period {
        Period {
            kind: PeriodKind::HalfYear,
            year,
        }
    }

    pub fn year(year: i32) -> Period {
        Period {
            kind: PeriodKind::Year,
            year,
        }
    }

    /// Quarter `q` (1 to 4) of `year`; `None` for any other `q`.
    pub fn quarter(year: i32, q: u8) -> Option<Period> {
        (1..=4).contains(&q).then_some(Period {
            kind: PeriodKind::Quarter(q),
            year,
        })
    }

    /// The period as written on the wire: `H1-2019`, `Y-2019`, `Q3-2019`. The year
    /// has four digits, as [`Period::parse`] reads it (`H1-0019`, never `H1-19`).
    pub fn code(self) -> String {
        match self.kind {
            PeriodKind::Quarter(q) => format!("Q{q}-{:04}", self.year),
            PeriodKind::HalfYear => format!("H1-{:04}", self.year),
            PeriodKind::Year => format!("Y-{:04}", self.year),
        }
    }

    /// Reads `H1-2019`, `Y-2019` or `Q1-2019` … `Q4-2019` (case-insensitive).
    pub fn parse(text: &str) -> Option<Period> {
        let text = text.trim().to_ascii_uppercase();
        let (kind, year) = text.split_once('-')?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        match kind {
            "H1" => Some(Period::half_year(year)),
            "Y" => Some(Period::year(year)),
            _ => {
                let q = kind.strip_prefix('Q')?;
                if q.len() != 1 {
                    return None;
                }
                Period::quarter(year, q.parse().ok()?)
            }
        }
    }

    /// The data-closing window of Decree 09/2019/NĐ-CP, Art. 12: for the first half,
    /// 15/12 of the year before to 14/6; for the year, to 14/12; for a quarter, the 15th
    /// of the month before it to the 14th of its last month.
    pub fn data_window(self) -> (Date, Date) {
        let from = ymd(self.year - 1, 12, 15);
        match self.kind {
            PeriodKind::HalfYear => (from, ymd(self.year, 6, 14)),
            PeriodKind::Year => (from, ymd(self.year, 12, 14)),
            PeriodKind::Quarter(q) => {
                let last = q.clamp(1, 4) * 3;
                let start = if last == 3 {
                    from
                } else {
                    ymd(self.year, last - 3, 15)
                };
                (start, ymd(self.year, last, 14))
            }
        }
    }

    /// The part of the calendar whose work the report covers: a quarter, January to
    /// June, or the whole year. A task belongs to a report when it runs within it.
    pub fn span(self) -> (Date, Date) {
        match self.kind {
            PeriodKind::HalfYear => (ymd(self.year, 1, 1), ymd(self.year, 6, 30)),
            PeriodKind::Year => (ymd(self.year, 1, 1), ymd(self.year, 12, 31)),
            PeriodKind::Quarter(q) => {
                let last = q.clamp(1, 4) * 3;
                (
                    ymd(self.year, last - 2, 1),
                    ymd(self.year, last, 1).end_of_month(),
                )
            }
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.code())
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    /// Reads the code (`H1-2019`), and also the `{"kind":…,"year":…}` form that
    /// earlier versions stored, so that a plan cached on a device still reads.
    ///
    /// Written by hand rather than as an untagged enum of the two forms (what it was,
    /// with the same errors): serde's untagged enums buffer every value first, and that
    /// reader was the largest of the field app's types.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PeriodVisitor)
    }
}

/// Reads a [`Period`] from its code or from its parts (a map).
struct PeriodVisitor;

impl PeriodVisitor {
    /// The error of a value of neither form, as the untagged enum worded it.
    fn neither<E: serde::de::Error>() -> E {
        E::custom("data did not match any variant of untagged enum Wire")
    }

    /// Only a period whose code reads back as itself: a quarter 1 to 4 of a year of
    /// four digits.
    fn parts<E: serde::de::Error>(kind: PeriodKind, year: i32) -> Result<Period, E> {
        let period = Period { year, kind };
        Period::parse(&period.code())
            .filter(|read| *read == period)
            .ok_or_else(|| E::custom(format!("not a period: {kind:?} of the year {year}")))
    }
}

impl<'de> serde::de::Visitor<'de> for PeriodVisitor {
    type Value = Period;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a period")
    }

    fn visit_str<E: serde::de::Error>(self, code: &str) -> Result<Period, E> {
        Period::parse(code).ok_or_else(|| {
            E::custom(format!(
                "not a period such as H1-2019, Y-2019 or Q1-2019: {code:?}"
            ))
        })
    }

    fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<Period, E> {
        match std::str::from_utf8(bytes) {
            Ok(code) => self.visit_str(code),
            Err(_) => Err(Self::neither()),
        }
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Period, A::Error> {
        let (mut kind, mut year) = (None, None);
        while let Some(key) = map.next_key::<String>().map_err(|_| Self::neither())? {
            match key.as_str() {
                "kind" if kind.is_none() => {
                    kind = Some(
                        map.next_value::<PeriodKind>()
                            .map_err(|_| Self::neither())?,
                    );
                }
                "year" if year.is_none() => {
                    year = Some(map.next_value::<i32>().map_err(|_| Self::neither())?);
                }
                "kind" | "year" => return Err(Self::neither()),
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()
                        .map_err(|_| Self::neither())?;
                }
            }
        }
        match (kind, year) {
            (Some(kind), Some(year)) => Self::parts(kind, year),
            _ => Err(Self::neither()),
        }
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<Period, A::Error> {
        Err(Self::neither())
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Period, E> {
        Err(Self::neither())
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Period, E> {
        Err(Self::neither())
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Period, E> {
        Err(Self::neither())
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Period, E> {
        Err(Self::neither())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Period, E> {
        Err(Self::neither())
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Period {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^(H1|Y|Q[1-4])-[0-9]{4}$"))
            .description(Some(
                "A reporting period: H1-2019, Y-2019, Q1-2019 … Q4-2019",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Period {}

/// A day of the year, as the plan writes a recurring deadline ("15/6").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DayMonth {
    pub day: u8,
    pub month: u8,
}

/// What the plan says about one kind of report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportingRule {
    pub kind: PeriodKind,
    /// When the agencies' reports are due.
    pub agency_deadline: DayMonth,
    /// When the consolidated report is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consolidation_deadline: Option<DayMonth>,
    /// Who consolidates ("Giao Sở Thông tin và Truyền thông … tổng hợp báo cáo").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consolidator: Option<AgencyName>,
}

/// A rule applied to one year: the dates of one report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportingPeriod {
    pub period: Period,
    pub agency_deadline: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consolidation_deadline: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consolidator: Option<AgencyName>,
    /// The data-closing window (Decree 09/2019/NĐ-CP, Art. 12).
    pub data_from: Date,
    pub data_to: Date,
}

impl ReportingRule {
    /// The rule's dates in `year`. A deadline that would fall well before the data
    /// closes (an annual report "trước 15/01") belongs to the next year.
    pub fn for_year(&self, year: i32) -> ReportingPeriod {
        let period = Period {
            kind: self.kind,
            year,
        };
        let (data_from, data_to) = period.data_window();
        let place = |dm: DayMonth| {
            let same = ymd(year, dm.month, dm.day);
            if same < data_to.add_days(-60) {
                ymd(year + 1, dm.month, dm.day)
            } else {
                same
            }
        };
        ReportingPeriod {
            period,
            agency_deadline: place(self.agency_deadline),
            consolidation_deadline: self.consolidation_deadline.map(place),
            consolidator: self.consolidator.clone(),
            data_from,
            data_to,
        }
    }
}

/// One report somebody owes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Obligation {
    pub agency: AgencyId,
    pub period: Period,
    pub role: ObligationRole,
    /// From this day the report can be written.
    pub opens: Date,
    /// The day as the plan writes it ("trước ngày 15/6"): the report is due before
    /// it begins, so the day before is the last one on time.
    pub deadline: Date,
    /// The tasks it reports on.
    pub tasks: Vec<TaskNumber>,
}

/// An agency's own report, or the consolidated one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObligationRole {
    Report,
    Consolidation,
}

/// Where a report stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Open, deadline not near.
    Open,
    /// Within the warning days before the deadline.
    DueSoon,
    /// Past the deadline and not submitted.
    Late,
    /// Submitted.
    Submitted,
}

/// An obligation and its status on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportState {
    #[serde(flatten)]
    pub obligation: Obligation,
    pub status: ReportStatus,
    /// Days from the day asked about to the deadline day (0 on it: already late).
    pub days_left: i64,
}

/// How early reports open and when they count as due soon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalendarOptions {
    /// A report opens this many days before the agencies' deadline.
    pub open_days: i64,
    /// A report is due soon this many days before its deadline, and on it.
    pub due_soon_days: i64,
}

impl Default for CalendarOptions {
    fn default() -> Self {
        CalendarOptions {
            open_days: 30,
            due_soon_days: 7,
        }
    }
}

/// The reporting calendar of one plan.
#[derive(Debug, Clone)]
pub struct ReportingCalendar {
    rules: Vec<ReportingRule>,
    plan_year: i32,
    /// Each task with the agencies that report on it.
    tasks: Vec<(TaskNumber, super::Timeframe, Vec<AgencyId>)>,
    options: CalendarOptions,
}

impl ReportingCalendar {
    /// The calendar of `plan`. Agencies report on the tasks they lead or coordinate,
    /// except agencies outside the province and those the plan only asks for help.
    pub fn new(plan: &Plan) -> ReportingCalendar {
        let tasks = plan
            .tasks
            .iter()
            .map(|t| {
                let mut reporters: Vec<AgencyId> = Vec::new();
                for a in t.lead.iter().chain(&t.coordinating) {
                    if !a.external && !a.requested && !reporters.contains(&a.id) {
                        reporters.push(a.id.clone());
                    }
                }
                (t.number.clone(), t.timeframe, reporters)
            })
            .collect();
        ReportingCalendar {
            rules: plan.reporting_rules.clone(),
            plan_year: plan.year,
            tasks,
            options: CalendarOptions::default(),
        }
    }

    pub fn with_options(mut self, options: CalendarOptions) -> ReportingCalendar {
        self.options = options;
        self
    }

    /// The tasks that run within the period's span.
    fn tasks_in(
        &self,
        period: Period,
    ) -> impl Iterator<Item = &(TaskNumber, super::Timeframe, Vec<AgencyId>)> {
        let (from, to) = period.span();
        self.tasks
            .iter()
            .filter(move |(_, tf, _)| tf.overlaps(self.plan_year, from, to))
    }

    /// The reports of every year from the plan's through `year` that have work to
    /// report on, in date order.
    pub fn periods_through(&self, year: i32) -> Vec<ReportingPeriod> {
        let mut out: Vec<ReportingPeriod> = (self.plan_year..=year)
            .flat_map(|y| self.rules.iter().map(move |r| r.for_year(y)))
            .filter(|p| self.tasks_in(p.period).next().is_some())
            .collect();
        out.sort_by_key(|p| (p.agency_deadline, p.period));
        out
    }

    /// Everything owed for one period: each agency's report on its tasks, then the
    /// consolidated report.
    pub fn obligations(&self, period: &ReportingPeriod) -> Vec<Obligation> {
        let opens = period.agency_deadline.add_days(-self.options.open_days);
        let mut agencies: Vec<AgencyId> = Vec::new();
        let mut all_tasks: Vec<TaskNumber> = Vec::new();
        for (number, _, reporters) in self.tasks_in(period.period) {
            all_tasks.push(number.clone());
            for a in reporters {
                if !agencies.contains(a) {
                    agencies.push(a.clone());
                }
            }
        }
        let mut out: Vec<Obligation> = agencies
            .into_iter()
            .map(|agency| {
                let tasks = self
                    .tasks_in(period.period)
                    .filter(|(_, _, reporters)| reporters.contains(&agency))
                    .map(|(n, _, _)| n.clone())
                    .collect();
                Obligation {
                    agency,
                    period: period.period,
                    role: ObligationRole::Report,
                    opens,
                    deadline: period.agency_deadline,
                    tasks,
                }
            })
            .collect();
        if let (Some(deadline), Some(who)) = (period.consolidation_deadline, &period.consolidator) {
            out.push(Obligation {
                agency: who.id.clone(),
                period: period.period,
                role: ObligationRole::Consolidation,
                opens,
                deadline,
                tasks: all_tasks,
            });
        }
        out
    }

    /// Every obligation that has opened by `date`, with its status. `submitted`
    /// holds the (agency, period) reports already in; `consolidated` the periods
    /// whose consolidated report is in.
    pub fn status_on(
        &self,
        date: Date,
        submitted: &BTreeSet<(AgencyId, Period)>,
        consolidated: &BTreeSet<Period>,
    ) -> Vec<ReportState> {
        let mut out = Vec::new();
        for period in self.periods_through(date.year()) {
            for obligation in self.obligations(&period) {
                if obligation.opens > date {
                    continue;
                }
                let done = match obligation.role {
                    ObligationRole::Report => {
                        submitted.contains(&(obligation.agency.clone(), obligation.period))
                    }
                    ObligationRole::Consolidation => consolidated.contains(&obligation.period),
                };
                let days_left = obligation.deadline.days_since_epoch() - date.days_since_epoch();
                let status = if done {
                    ReportStatus::Submitted
                } else if days_left <= 0 {
                    ReportStatus::Late
                } else if days_left <= self.options.due_soon_days {
                    ReportStatus::DueSoon
                } else {
                    ReportStatus::Open
                };
                out.push(ReportState {
                    obligation,
                    status,
                    days_left,
                });
            }
        }
        out
    }

    /// The agencies' reports whose deadline has passed by `date` and that are not in
    /// `submitted`.
    pub fn missing(&self, date: Date, submitted: &BTreeSet<(AgencyId, Period)>) -> Vec<Obligation> {
        self.status_on(date, submitted, &BTreeSet::new())
            .into_iter()
            .filter(|s| {
                s.status == ReportStatus::Late && s.obligation.role == ObligationRole::Report
            })
            .map(|s| s.obligation)
            .collect()
    }

    /// The consolidated reports whose deadline has passed by `date` and that are not
    /// in `consolidated`.
    pub fn consolidations_missing(
        &self,
        date: Date,
        consolidated: &BTreeSet<Period>,
    ) -> Vec<Obligation> {
        self.status_on(date, &BTreeSet::new(), consolidated)
            .into_iter()
            .filter(|s| {
                s.status == ReportStatus::Late && s.obligation.role == ObligationRole::Consolidation
            })
            .map(|s| s.obligation)
            .collect()
    }

    /// What one agency owes on `date`: its reports open, due soon or late.
    pub fn for_agency(
        &self,
        agency: &AgencyId,
        date: Date,
        submitted: &BTreeSet<(AgencyId, Period)>,
    ) -> Vec<ReportState> {
        self.status_on(date, submitted, &BTreeSet::new())
            .into_iter()
            .filter(|s| {
                &s.obligation.agency == agency && s.obligation.role == ObligationRole::Report
            })
            .collect()
    }
}

/// Việt Nam's offset from UTC, in minutes. The plans' deadlines are Vietnam time.
pub const VIETNAM_OFFSET_MINUTES: i64 = 7 * 60;

/// The instant a deadline written "trước ngày `deadline`" falls: the start of that
/// day in Vietnam time, in milliseconds since the Unix epoch. A report received
/// before it is on time.
pub fn due_instant(deadline: Date) -> i64 {
    deadline.days_since_epoch() * 86_400_000 - VIETNAM_OFFSET_MINUTES * 60_000
}

/// One thing found in a reporting sentence. A quarterly report ("hằng quý") is
/// `Kind(Quarter(0))` until it is paired with its deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    Kind(PeriodKind),
    Deadline(DayMonth),
    /// "ngày 15 của tháng cuối quý" (`month` 3) or "ngày 5 tháng đầu quý sau" (4): a
    /// day of the quarter's `month`-th month, counted from its first.
    InQuarter {
        day: u8,
        month: u8,
    },
}

/// The "every quarter" marker before it is paired.
const QUARTERLY: PeriodKind = PeriodKind::Quarter(0);

/// Reads the reporting rules from the organisation section's paragraphs (line
/// number, text).
///
/// A paragraph with "báo cáo" (or "kết quả") is read clause by clause (clauses end at
/// a semicolon or a full stop). In each clause the agencies' deadlines and the
/// consolidating agency's are kept apart:
///
/// - "… báo cáo 6 tháng trước ngày 15/6 … về Sở X để tổng hợp, báo cáo UBND tỉnh
///   trước ngày 25/6": before "để … tổng hợp" the agencies', after it the
///   consolidator's, and the consolidator is the agency the reports go to ("về Sở X",
///   "(qua Sở X)");
/// - "Sở X tổng hợp, báo cáo UBND tỉnh 6 tháng (trước ngày 25/6) …", or the seed's
///   "Giao Sở X …; định kỳ 6 tháng (trước ngày 25/6) … tổng hợp báo cáo": the clause
///   is the consolidator's, who is the agency named before "tổng hợp" (in the clause,
///   else earlier in the paragraph); deadlines written before that agency's name in
///   the clause are the agencies';
/// - any other clause gives the agencies' deadlines, and "(qua Sở X)" or "về Sở X"
///   names who receives them, the consolidator unless another is named.
///
/// Deadlines without a kind of report ("… báo cáo UBND tỉnh trước ngày 25/6/2022 và
/// 25/11/2022") take the kinds of the clause part before them, in order.
pub(crate) fn read_rules(
    paragraphs: &[(usize, String)],
    names: &mut Resolver,
) -> Result<Vec<ReportingRule>, PlanParseError> {
    let mut agency: Vec<(PeriodKind, DayMonth)> = Vec::new();
    let mut consolidation: Vec<(PeriodKind, DayMonth)> = Vec::new();
    let mut consolidator: Option<AgencyId> = None;
    let mut via: Option<AgencyId> = None;
    let mut consolidation_line: Option<usize> = None;
    let mut last_kinds: Vec<PeriodKind> = Vec::new();
    for (line, text) in paragraphs {
        let line = *line;
        let w = words(text);
        if !has(&w, &["bao", "cao"]) && !has(&w, &["ket", "qua"]) {
            continue;
        }
        for clause in clauses(text, &w) {
            let (from, to) = (clause.start, clause.end);
            let c = &w[from..to];
            let tong_hop = position(c, &["tong", "hop"]);
            let purpose = tong_hop.and_then(|t| {
                (t.saturating_sub(4)..t)
                    .rev()
                    .find(|&k| c[k].folded == "de")
                    .map(|de| (de, t))
            });
            // (role, words of the clause, consolidator found for it).
            let mut segments: Vec<(Role, std::ops::Range<usize>)> = Vec::new();
            let mut named: Option<AgencyId> = None;
            match (purpose, tong_hop) {
                (Some((de, t)), _) => {
                    segments.push((Role::Agencies, from..from + de));
                    segments.push((Role::Consolidator, from + t + 2..to));
                    named = receiver(names, text, &w, from, from + de, line);
                }
                (None, Some(t)) => {
                    let before = names.find_names(text, &w, from, from + t);
                    let split = before.last().map(|(s, _)| *s).filter(|&s| {
                        events(text, &w[from..s])
                            .iter()
                            .any(|e| matches!(e, Event::Deadline(_)))
                    });
                    match split {
                        Some(s) => {
                            segments.push((Role::Agencies, from..s));
                            segments.push((Role::Consolidator, s..to));
                            named = names.name_id(text, &w[..to], s, line);
                        }
                        None => {
                            segments.push((Role::Consolidator, from..to));
                            named = match before.first() {
                                Some((s, _)) => names.name_id(text, &w[..to], *s, line),
                                None => names.first_name(text, &w, 0, from, line),
                            };
                        }
                    }
                }
                (None, None) => segments.push((Role::Agencies, from..to)),
            }
            for (role, range) in segments {
                let ev = events(text, &w[range.clone()]);
                let mut pairs = pair_events(&ev);
                let has_kinds = ev.iter().any(|e| matches!(e, Event::Kind(_)));
                if pairs.is_empty() && !has_kinds {
                    pairs = with_kinds(&last_kinds, &ev);
                }
                if pairs.is_empty() {
                    continue;
                }
                if has_kinds {
                    last_kinds = pairs.iter().map(|(k, _)| *k).collect();
                }
                for (_, dm) in &pairs {
                    if Date::new(2000, dm.month, dm.day).is_err() {
                        return Err(PlanParseError {
                            line,
                            expected: format!(
                                "a real day in the reporting deadline, not {}/{}",
                                dm.day, dm.month
                            ),
                        });
                    }
                }
                match role {
                    Role::Agencies => {
                        agency.extend(pairs);
                        if via.is_none() {
                            via = receiver(names, text, &w, range.start, range.end, line);
                        }
                    }
                    Role::Consolidator => {
                        consolidation.extend(pairs);
                        consolidation_line.get_or_insert(line);
                    }
                }
            }
            if consolidator.is_none() {
                consolidator = named;
            }
        }
    }
    let consolidator = consolidator
        .or(via)
        .and_then(|id| names.get(&id).map(AgencyName::new));
    let mut rules = Vec::new();
    let kinds = (1..=4)
        .map(PeriodKind::Quarter)
        .chain([PeriodKind::HalfYear, PeriodKind::Year]);
    for kind in kinds {
        let own = agency.iter().find(|(k, _)| *k == kind).map(|(_, d)| *d);
        let cons = consolidation
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, d)| *d);
        if let Some(agency_deadline) = own.or(cons) {
            rules.push(ReportingRule {
                kind,
                agency_deadline,
                consolidation_deadline: cons,
                consolidator: cons.and(consolidator.clone()),
            });
        }
    }
    if let (Some(line), None) = (consolidation_line, &consolidator) {
        names.warn(
            line,
            "the consolidated report has deadlines but no agency is named to consolidate it (“… Sở X tổng hợp, báo cáo …” or “về Sở X để tổng hợp”)".into(),
            "báo cáo tổng hợp có hạn nhưng không nêu cơ quan tổng hợp (cần câu như “… Sở X tổng hợp, báo cáo …” hoặc “về Sở X để tổng hợp”)".into(),
        );
    }
    if rules.is_empty() {
        let line = paragraphs.first().map_or(1, |(l, _)| *l);
        names.warn(
            line,
            "no reporting deadlines were found: expected a sentence such as “báo cáo 6 tháng (trước ngày 15/6), năm (trước ngày 05/12)”".into(),
            "không tìm thấy hạn báo cáo: cần một câu như “báo cáo 6 tháng (trước ngày 15/6), năm (trước ngày 05/12)”".into(),
        );
    }
    Ok(rules)
}

/// Whose deadlines a part of a clause gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Agencies,
    Consolidator,
}

/// The clauses of a paragraph, as ranges of its words: they end at a semicolon, or at
/// a full stop followed by a capital.
fn clauses(text: &str, w: &[Word]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for k in 1..w.len() {
        let gap = &text[w[k - 1].end..w[k].start];
        let capital = text[w[k].start..]
            .chars()
            .next()
            .is_some_and(char::is_uppercase);
        if gap.contains(';') || (gap.contains('.') && gap.contains(char::is_whitespace) && capital)
        {
            out.push(start..k);
            start = k;
        }
    }
    if start < w.len() {
        out.push(start..w.len());
    }
    out
}

/// Where a phrase first occurs among words.
fn position(w: &[Word], phrase: &[&str]) -> Option<usize> {
    w.windows(phrase.len())
        .position(|win| win.iter().zip(phrase).all(|(a, b)| a.folded == *b))
}

/// The agency reports go to among words `from..to`: "(qua Sở X)", else the last "về
/// Sở X" or "gửi Sở X" (the province's people's committee is not one).
fn receiver(
    names: &mut Resolver,
    text: &str,
    w: &[Word],
    from: usize,
    to: usize,
    line: usize,
) -> Option<AgencyId> {
    let upto = &w[..to];
    let through = (from..to)
        .filter(|&k| w[k].folded == "qua" && text[..w[k].start].trim_end().ends_with('('))
        .find_map(|k| names.name_id(text, upto, k + 1, line));
    through.or_else(|| {
        (from..to)
            .rev()
            .filter(|&k| matches!(w[k].folded.as_str(), "ve" | "gui" | "qua"))
            .find_map(|k| names.name_id(text, upto, k + 1, line))
    })
}

/// Deadlines with no kind of report, given the kinds of the part before them, in
/// order ("… báo cáo UBND tỉnh trước ngày 20 của tháng cuối quý và trước ngày
/// 30/11"): when there are as many deadlines as kinds, or as kinds other than the
/// quarterly one.
fn with_kinds(kinds: &[PeriodKind], events: &[Event]) -> Vec<(PeriodKind, DayMonth)> {
    let mut groups: Vec<Event> = Vec::new();
    for k in kinds {
        let e = match k {
            PeriodKind::Quarter(_) => Event::Kind(QUARTERLY),
            other => Event::Kind(*other),
        };
        if !groups.contains(&e) {
            groups.push(e);
        }
    }
    let in_quarter = events.iter().any(|e| matches!(e, Event::InQuarter { .. }));
    let dates = events
        .iter()
        .filter(|e| matches!(e, Event::Deadline(_)))
        .count();
    if dates + usize::from(in_quarter) == 0 {
        return Vec::new();
    }
    if !in_quarter {
        groups.retain(|g| *g != Event::Kind(QUARTERLY));
    }
    if groups.len() != dates + usize::from(in_quarter) {
        return Vec::new();
    }
    let mut all = groups;
    all.extend(
        events
            .iter()
            .filter(|e| !matches!(e, Event::Kind(_)))
            .copied(),
    );
    pair_events(&all)
}

fn has(w: &[Word], phrase: &[&str]) -> bool {
    w.windows(phrase.len())
        .any(|win| win.iter().zip(phrase).all(|(a, b)| a.folded == *b))
}

/// The period kinds and deadlines of a reporting sentence, in order, counted from
/// its last "định kỳ" when it has one.
fn events(text: &str, w: &[Word]) -> Vec<Event> {
    let start = w
        .windows(2)
        .rposition(|p| p[0].folded == "dinh" && p[1].folded == "ky")
        .unwrap_or(0);
    let is_year = |s: &str| s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit());
    let small = |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    let mut out = Vec::new();
    let mut last_deadline_end: Option<usize> = None;
    let mut i = start;
    while i < w.len() {
        let f = w[i].folded.as_str();
        let next = w.get(i + 1).map(|x| x.folded.as_str());
        // "hằng quý", "hàng quý", "báo cáo quý", "định kỳ quý": quarterly reports ("Quý
        // II" with a numeral is a timeframe, not a kind of report).
        if f == "quy"
            && !next.is_some_and(|n| {
                matches!(
                    n,
                    "i" | "ii" | "iii" | "iv" | "1" | "2" | "3" | "4" | "cuoi" | "sau" | "dau"
                )
            })
            && !matches!(prev_folded(w, i), "cuoi" | "dau" | "thang")
        {
            out.push(Event::Kind(QUARTERLY));
            i += 1;
            continue;
        }
        // "ngày 15 (của) tháng cuối quý", "ngày 5 tháng đầu quý sau".
        if f == "ngay" && next.is_some_and(small) {
            let rest: Vec<&str> = w[i + 2..(i + 7).min(w.len())]
                .iter()
                .map(|x| x.folded.as_str())
                .collect();
            let rest: Vec<&str> = rest.into_iter().filter(|x| *x != "cua").collect();
            let month = match rest.as_slice() {
                ["thang", "cuoi", "quy", ..] => Some(3),
                ["thang", "dau", "quy", "sau", ..] | ["thang", "dau", "cua", "quy", "sau", ..] => {
                    Some(4)
                }
                _ => None,
            };
            if let Some(month) = month {
                let day = next.and_then(|n| n.parse().ok()).unwrap_or(0);
                out.push(Event::InQuarter { day, month });
                i += 2;
                continue;
            }
        }
        if (f == "6" || f == "sau") && next == Some("thang") {
            out.push(Event::Kind(PeriodKind::HalfYear));
            i += 2;
            if w.get(i)
                .is_some_and(|x| x.folded == "dau" || x.folded == "cuoi")
            {
                i += 2;
            }
            continue;
        }
        let original = text[w[i].start..w[i].end].to_lowercase();
        let prev = if i > 0 { w[i - 1].folded.as_str() } else { "" };
        if f == "nam"
            && original != "nam"
            && (!next.is_some_and(is_year) || matches!(prev, "cao" | "ket"))
            && !matches!(prev, "cac" | "nhung" | "dau" | "cuoi")
            && !matches!(next, Some("sau" | "tiep" | "toi"))
        {
            out.push(Event::Kind(PeriodKind::Year));
            i += 1;
            continue;
        }
        if small(f) && next.is_some_and(small) && text[w[i].end..w[i + 1].start].trim() == "/" {
            let before: Vec<&str> = w[i.saturating_sub(2)..i]
                .iter()
                .map(|x| x.folded.as_str())
                .collect();
            // A date right after a deadline ("20/3, 20/6, 20/9 và 20/12") is one too.
            let follows_deadline = last_deadline_end == Some(i)
                || (before.last() == Some(&"va") && matches!(out.last(), Some(Event::Deadline(_))));
            let deadline_word = before
                .iter()
                .any(|b| matches!(*b, "truoc" | "han" | "nhat"))
                || follows_deadline;
            // "15/6/2022": the year goes with the date.
            let with_year = w.get(i + 2).is_some_and(|y| is_year(&y.folded))
                && text[w[i + 1].end..w[i + 2].start].trim() == "/";
            if deadline_word {
                last_deadline_end = Some(i + if with_year { 3 } else { 2 });
                let day = f.parse().unwrap_or(0);
                let month = next.and_then(|n| n.parse().ok()).unwrap_or(0);
                out.push(Event::Deadline(DayMonth { day, month }));
            }
            i += if with_year { 3 } else { 2 };
            continue;
        }
        i += 1;
    }
    out
}

/// The word before `w[i]`, folded ("" at the start).
fn prev_folded(w: &[Word], i: usize) -> &str {
    if i > 0 { w[i - 1].folded.as_str() } else { "" }
}

/// Pairs kinds with deadlines in the order the sentence gives them: "6 tháng (trước
/// 15/6), năm (trước 05/12)", "6 tháng, năm (trước ngày 15/6 và 05/12)" and "trước
/// ngày 15/6 (báo cáo 6 tháng) và trước ngày 30/11 (báo cáo năm)" all work. Quarterly
/// reports take a day of a month of each quarter ("trước ngày 15 của tháng cuối
/// quý"), or four dates, one per quarter.
fn pair_events(events: &[Event]) -> Vec<(PeriodKind, DayMonth)> {
    let mut out = Vec::new();
    let mut rest: Vec<Event> = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        if events[i] == Event::Kind(QUARTERLY) {
            let relative = events[i + 1..].iter().find_map(|e| match *e {
                Event::InQuarter { day, month } => Some((day, month)),
                _ => None,
            });
            let dates: Vec<DayMonth> = events[i + 1..]
                .iter()
                .take_while(|e| !matches!(e, Event::Kind(_)))
                .filter_map(|e| match *e {
                    Event::Deadline(d) => Some(d),
                    _ => None,
                })
                .collect();
            if let Some((day, month)) = relative {
                out.extend((1..=4u8).map(|q| {
                    let m = (q - 1) * 3 + month;
                    (
                        PeriodKind::Quarter(q),
                        DayMonth {
                            day,
                            month: if m > 12 { m - 12 } else { m },
                        },
                    )
                }));
            } else if dates.len() >= 4 {
                out.extend(
                    (1..=4u8)
                        .map(PeriodKind::Quarter)
                        .zip(dates.iter().copied()),
                );
                // The four dates are the quarters'; skip them.
                let mut skipped = 0;
                i += 1;
                while i < events.len() && skipped < 4 {
                    if matches!(events[i], Event::Deadline(_)) {
                        skipped += 1;
                    }
                    i += 1;
                }
                continue;
            }
            i += 1;
            continue;
        }
        if !matches!(events[i], Event::InQuarter { .. }) {
            rest.push(events[i]);
        }
        i += 1;
    }
    out.extend(pair_fixed(&rest));
    out
}

/// [`pair_events`] for half-year and annual reports.
fn pair_fixed(events: &[Event]) -> Vec<(PeriodKind, DayMonth)> {
    let dates_first = matches!(events.first(), Some(Event::Deadline(_)));
    let mut out = Vec::new();
    let mut kinds: Vec<PeriodKind> = Vec::new();
    let mut dates: Vec<DayMonth> = Vec::new();
    let mut flush = |kinds: &mut Vec<PeriodKind>, dates: &mut Vec<DayMonth>| {
        out.extend(kinds.iter().copied().zip(dates.iter().copied()));
        kinds.clear();
        dates.clear();
    };
    for e in events {
        match *e {
            Event::Kind(k) => {
                if !dates_first && !dates.is_empty() {
                    flush(&mut kinds, &mut dates);
                }
                kinds.push(k);
            }
            Event::Deadline(d) => {
                if dates_first && !kinds.is_empty() {
                    flush(&mut kinds, &mut dates);
                }
                dates.push(d);
            }
            Event::InQuarter { .. } => {}
        }
    }
    flush(&mut kinds, &mut dates);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Registry;

    fn dm(day: u8, month: u8) -> DayMonth {
        DayMonth { day, month }
    }

    fn read(paragraphs: &[(usize, String)]) -> Vec<ReportingRule> {
        read_rules(paragraphs, &mut Resolver::new(Registry::kon_tum())).unwrap()
    }

    /// Found by the push_body fuzzer: `H1-0019` read as the year 19 and was written
    /// back as `H1-19`, which no reader takes, so a mutation naming it did not survive
    /// the wire; the `{"kind","year"}` form took any year and any quarter.
    #[test]
    fn a_period_read_from_the_wire_is_written_back_as_itself() {
        for code in [
            "H1-2019", "Y-2019", "Q4-2019", "H1-0019", "q2-0000", "Y-9999",
        ] {
            let period: Period = serde_json::from_value(serde_json::json!(code)).unwrap();
            let written = serde_json::to_value(period).unwrap();
            assert_eq!(written, code.to_ascii_uppercase(), "{code}");
            assert_eq!(serde_json::from_value::<Period>(written).unwrap(), period);
        }
        let parts = |kind: serde_json::Value, year: i64| {
            serde_json::from_value::<Period>(serde_json::json!({"kind": kind, "year": year}))
        };
        assert_eq!(
            parts("half_year".into(), 2019).unwrap(),
            Period::half_year(2019)
        );
        assert_eq!(
            parts(serde_json::json!({"quarter": 3}), 19).unwrap().code(),
            "Q3-0019"
        );
        for (kind, year) in [
            (serde_json::json!("year"), -5),
            (serde_json::json!("half_year"), 12_345),
            (serde_json::json!({"quarter": 9}), 2019),
            (serde_json::json!({"quarter": 0}), 2019),
        ] {
            assert!(parts(kind.clone(), year).is_err(), "{kind} {year}");
        }
    }

    /// The hand-written reader takes what the untagged enum it replaced took, and
    /// refuses the rest with the same words, from text and from a `Value`.
    #[test]
    fn a_period_reads_as_the_untagged_enum_read_it() {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire {
            Code(String),
            Parts { kind: PeriodKind, year: i32 },
        }
        fn old(wire: Result<Wire, serde_json::Error>) -> Result<Period, String> {
            match wire.map_err(|e| e.to_string())? {
                Wire::Code(code) => Period::parse(&code).ok_or(format!(
                    "not a period such as H1-2019, Y-2019 or Q1-2019: {code:?}"
                )),
                Wire::Parts { kind, year } => {
                    let period = Period { year, kind };
                    Period::parse(&period.code())
                        .filter(|read| *read == period)
                        .ok_or(format!("not a period: {kind:?} of the year {year}"))
                }
            }
        }
        for text in [
            r#""H1-2019""#,
            r#""q3-2020""#,
            r#""H2-2019""#,
            r#""Y-19""#,
            r#""a\"b""#,
            r#"{"kind":"half_year","year":2019}"#,
            r#"{"year":2019,"kind":{"quarter":2},"other":[1,{"x":null}]}"#,
            r#"{"kind":{"quarter":7},"year":2019}"#,
            r#"{"kind":"year","year":12345}"#,
            r#"{"kind":"year"}"#,
            r#"{"kind":"decade","year":2019}"#,
            r#"{"kind":"year","year":"2019"}"#,
            r#"{"kind":"year","year":2019,"kind":"year"}"#,
            r#"{}"#,
            r#"["year",2019]"#,
            r#"[{"quarter":1},2019]"#,
            r#"["year"]"#,
            r#"["year",2019,1]"#,
            r#"[]"#,
            "2019",
            "-3",
            "1.5",
            "true",
            "null",
        ] {
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            let expected = old(serde_json::from_str::<Wire>(text));
            let read = serde_json::from_str::<Period>(text).map_err(|e| e.to_string());
            // The text reader adds the position to its errors; the message comes first.
            let position = |r: Result<Period, String>| {
                r.map_err(|e| e.split(" at line").next().unwrap_or_default().to_owned())
            };
            assert_eq!(position(read), position(expected.clone()), "{text}");
            let expected = old(serde_json::from_value::<Wire>(value.clone()));
            let read = serde_json::from_value::<Period>(value).map_err(|e| e.to_string());
            assert_eq!(read, expected, "{text} as a Value");
        }
    }

    #[test]
    fn pairs_kinds_and_deadlines_in_both_word_orders() {
        let rules = read(
            &[
                (1, "định kỳ 6 tháng (trước 15/6), năm (trước 05/12) báo cáo kết quả về UBND tỉnh (qua Sở Thông tin và Truyền thông).".into()),
                (2, "Giao Sở Thông tin và Truyền thông tổng hợp báo cáo định kỳ 6 tháng, năm (trước ngày 25/6 và 15/12).".into()),
            ],
        );
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].agency_deadline, dm(15, 6));
        assert_eq!(rules[0].consolidation_deadline, Some(dm(25, 6)));
        assert_eq!(rules[1].agency_deadline, dm(5, 12));
        assert_eq!(rules[1].consolidation_deadline, Some(dm(15, 12)));
        assert_eq!(
            rules[1].consolidator.as_ref().unwrap().id.as_str(),
            "so-tttt"
        );
    }

    #[test]
    fn quarterly_reports_take_a_day_of_each_quarter() {
        let rules = read(
            &[(
                1,
                "Các cơ quan, đơn vị báo cáo kết quả định kỳ hằng quý (trước ngày 15 của tháng cuối quý), 6 tháng (trước ngày 15/6) và năm (trước ngày 05/12) về Sở Thông tin và Truyền thông.".into(),
            )],
        );
        let kinds: Vec<(PeriodKind, DayMonth)> =
            rules.iter().map(|r| (r.kind, r.agency_deadline)).collect();
        assert_eq!(
            kinds,
            [
                (PeriodKind::Quarter(1), dm(15, 3)),
                (PeriodKind::Quarter(2), dm(15, 6)),
                (PeriodKind::Quarter(3), dm(15, 9)),
                (PeriodKind::Quarter(4), dm(15, 12)),
                (PeriodKind::HalfYear, dm(15, 6)),
                (PeriodKind::Year, dm(5, 12)),
            ]
        );
        let q4 = rules[3].for_year(2023);
        assert_eq!(q4.period, Period::quarter(2023, 4).unwrap());
        assert_eq!(q4.agency_deadline, Date::new(2023, 12, 15).unwrap());

        let next_quarter = read(&[(1, "Báo cáo quý gửi trước ngày 05 tháng đầu quý sau.".into())]);
        assert_eq!(next_quarter.len(), 4);
        assert_eq!(next_quarter[3].agency_deadline, dm(5, 1));
        assert_eq!(
            next_quarter[3].for_year(2023).agency_deadline,
            Date::new(2024, 1, 5).unwrap(),
            "the fourth quarter's report is due in the next year"
        );

        let dated = read(&[(
            1,
            "Báo cáo hằng quý trước ngày 20/3, 20/6, 20/9 và 20/12.".into(),
        )]);
        assert_eq!(dated.len(), 4);
        assert_eq!(dated[1].agency_deadline, dm(20, 6));
    }

    fn consolidator(rules: &[ReportingRule]) -> Option<&str> {
        rules[0].consolidator.as_ref().map(|a| a.id.as_str())
    }

    #[test]
    fn keeps_the_two_deadlines_apart_in_one_sentence() {
        // The issue's sentence: the first deadline is the agencies', the one after
        // "để tổng hợp" the consolidator's; dates carry a year.
        let one = read(&[(
            1,
            "Các cơ quan, đơn vị báo cáo 6 tháng trước ngày 15/6/2022 về Sở Thông tin và Truyền thông để tổng hợp, báo cáo UBND tỉnh trước ngày 25/6/2022.".into(),
        )]);
        assert_eq!(one.len(), 1);
        assert_eq!(
            (
                one[0].kind,
                one[0].agency_deadline,
                one[0].consolidation_deadline
            ),
            (PeriodKind::HalfYear, dm(15, 6), Some(dm(25, 6)))
        );
        assert_eq!(consolidator(&one), Some("so-tttt"));

        // Without "để": deadlines before the consolidator's name are the agencies'.
        let split = read(&[(
            1,
            "Các sở, ngành báo cáo 6 tháng trước ngày 10/6 và báo cáo năm 2023 chậm nhất ngày 20/11/2023, Sở Ngoại vụ tổng hợp báo cáo UBND tỉnh trước ngày 20/6 và 30/11.".into(),
        )]);
        let got: Vec<(PeriodKind, DayMonth, Option<DayMonth>)> = split
            .iter()
            .map(|r| (r.kind, r.agency_deadline, r.consolidation_deadline))
            .collect();
        assert_eq!(
            got,
            [
                (PeriodKind::HalfYear, dm(10, 6), Some(dm(20, 6))),
                (PeriodKind::Year, dm(20, 11), Some(dm(30, 11))),
            ]
        );
        assert_eq!(consolidator(&split), Some("so-ngoai-vu"));

        // "6 tháng đầu năm … và báo cáo năm …", the consolidator in its own paragraph.
        let two = read(&[
            (
                1,
                "Báo cáo kết quả 6 tháng đầu năm trước ngày 05/6 và báo cáo năm trước ngày 05/11 gửi về UBND tỉnh (qua Sở Ngoại vụ).".into(),
            ),
            (
                2,
                "Giao Sở Văn hóa, Thể thao và Du lịch theo dõi; định kỳ 6 tháng, năm (trước ngày 15/6 và 15/11) tổng hợp báo cáo UBND tỉnh.".into(),
            ),
        ]);
        assert_eq!(two[0].agency_deadline, dm(5, 6));
        assert_eq!(two[1].agency_deadline, dm(5, 11));
        assert_eq!(two[1].consolidation_deadline, Some(dm(15, 11)));
        assert_eq!(consolidator(&two), Some("so-vhttdl"), "named, not assumed");
    }

    #[test]
    fn a_consolidator_the_registry_does_not_know_is_created() {
        let empty = Registry::empty("Bình Định");
        let mut names = Resolver::new(&empty);
        let rules = read_rules(
            &[(
                9,
                "Các cơ quan báo cáo năm trước ngày 20/11 về Sở Văn hóa và Thể thao để tổng hợp, báo cáo UBND tỉnh trước ngày 30/11.".into(),
            )],
            &mut names,
        )
        .unwrap();
        assert_eq!(consolidator(&rules), Some("so-van-hoa-va-the-thao"));
        let found = names.finish();
        assert_eq!(found.new_agencies.len(), 1);
        assert_eq!(found.warnings[0].line, 9);

        // Deadlines for the consolidated report with nobody named: a warning.
        let mut names = Resolver::new(&empty);
        let rules = read_rules(
            &[(
                4,
                "Định kỳ 6 tháng (trước ngày 20/6) tổng hợp báo cáo UBND tỉnh.".into(),
            )],
            &mut names,
        )
        .unwrap();
        assert_eq!(rules[0].consolidator, None);
        let found = names.finish();
        assert_eq!(found.warnings.len(), 1);
        assert_eq!(found.warnings[0].line, 4);
        // No deadlines at all: a warning too.
        let mut names = Resolver::new(&empty);
        assert!(
            read_rules(&[(2, "Kinh phí từ ngân sách tỉnh.".into())], &mut names)
                .unwrap()
                .is_empty()
        );
        assert_eq!(names.finish().warnings.len(), 1);
    }

    #[test]
    fn deadlines_early_in_the_year_belong_to_the_next() {
        let rule = ReportingRule {
            kind: PeriodKind::Year,
            agency_deadline: dm(15, 1),
            consolidation_deadline: None,
            consolidator: None,
        };
        let p = rule.for_year(2019);
        assert_eq!(p.agency_deadline, Date::new(2020, 1, 15).unwrap());
        assert_eq!(p.data_from, Date::new(2018, 12, 15).unwrap());
        assert_eq!(p.data_to, Date::new(2019, 12, 14).unwrap());
    }

    #[test]
    fn data_windows_follow_decree_09() {
        assert_eq!(
            Period::half_year(2020).data_window(),
            (
                Date::new(2019, 12, 15).unwrap(),
                Date::new(2020, 6, 14).unwrap()
            )
        );
        assert_eq!(
            Period::year(2020).data_window(),
            (
                Date::new(2019, 12, 15).unwrap(),
                Date::new(2020, 12, 14).unwrap()
            )
        );
    }
}
