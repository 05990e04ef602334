//! Plans as data: the model of a provincial plan, its parser, the agency registry and
//! the reporting calendar.
//!
//! [`parse_plan_in`] reads a plan in its text (markdown) form, with tasks either as
//! numbered items followed by role lines ("Cơ quan chủ trì: …") or as rows of a task
//! table. It reads the header first and resolves agencies with the registry of the
//! plan's province, or with none when no registry is for that province. Parsing is all
//! or nothing: the first thing it cannot read is an error that names the line and what
//! was expected. An agency no registry knows is not such a thing: it becomes a new
//! agency (`new_agencies`), with a warning.
//!
//! Group phrases ("các cơ quan, đơn vị, địa phương") are expanded: `lead` and
//! `coordinating` list every agency the task involves, by id, so that "does this task
//! involve agency X" is [`Task::involves`]. Agencies named outright come first; those
//! that come from a group carry `via`, and the phrases as written are kept in
//! `lead_groups` / `coordinating_groups`. An agency that leads is not repeated among
//! the coordinating agencies a group brings in. A group phrase the province's registry
//! has no agencies for keeps no members and is listed in `unmapped_groups`.

pub mod agency;
pub mod calendar;
pub(crate) mod fold;
mod names;
mod parser;
mod table;
pub mod timeframe;

use serde::{Deserialize, Serialize};

pub use agency::{Agency, AgencyKind, Group, Registry, registry};
pub use calendar::{
    CalendarOptions, DayMonth, Obligation, ObligationRole, Period, PeriodKind, ReportState,
    ReportStatus, ReportingCalendar, ReportingPeriod, ReportingRule,
};
pub use timeframe::Timeframe;

use crate::date::Date;
use crate::ids::{AgencyId, PlanCode, TaskNumber};

/// A plan document, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub code: PlanCode,
    pub date: Date,
    pub title: String,
    /// "Ủy ban nhân dân tỉnh Kon Tum".
    #[serde(default)]
    pub issuer: String,
    /// "Kon Tum".
    #[serde(default)]
    pub province: String,
    /// The year the plan is for (from its title, else its date).
    #[serde(default)]
    pub year: i32,
    /// The "Căn cứ …" paragraphs.
    #[serde(default)]
    pub legal_bases: Vec<String>,
    /// The Roman-numbered parts (I. MỤC ĐÍCH, YÊU CẦU; II. NỘI DUNG …).
    #[serde(default)]
    pub parts: Vec<Part>,
    /// Numbered headings that group tasks ("1. Công tác tuyên truyền …", "7.1. …").
    #[serde(default)]
    pub sections: Vec<Section>,
    pub tasks: Vec<Task>,
    /// What the organisation part says about reports, per kind.
    #[serde(default)]
    pub reporting_rules: Vec<ReportingRule>,
    /// The reports of the plan's year, with their dates.
    #[serde(default)]
    pub reporting: Vec<ReportingPeriod>,
    /// Agencies the plan names that no registry knew: created from their names, their
    /// kind inferred, for an administrator to confirm, rename or merge.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub new_agencies: Vec<Agency>,
    /// Group phrases ("UBND các huyện, thị xã, thành phố") the registry of the plan's
    /// province could not map to agencies: kept as written, to be mapped later.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmapped_groups: Vec<String>,
    /// What the reader was unsure of, by line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<PlanWarning>,
}

/// Something the reader of a plan was unsure of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanWarning {
    /// 1-based line of the source.
    pub line: usize,
    /// In English, as the command line prints it.
    pub message: String,
    /// The same in Vietnamese, as the web app shows it (empty in plans stored before).
    #[serde(default)]
    pub message_vi: String,
}

/// A Roman-numbered part of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub numeral: String,
    pub title: String,
}

/// A numbered heading that groups tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub number: TaskNumber,
    pub title: String,
}

/// One task of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub number: TaskNumber,
    pub title: String,
    pub text: String,
    /// Every agency that leads, named ones first, then those a group brings in.
    pub lead: Vec<AgencyName>,
    /// Every agency that coordinates, named ones first, then those a group brings in
    /// (leaving out the lead agencies).
    pub coordinating: Vec<AgencyName>,
    /// As the plan writes it.
    pub timeframe_text: String,
    #[serde(default)]
    pub timeframe: Timeframe,
    /// What the lead label adds ("theo chức năng nhiệm vụ" …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lead_qualifiers: Vec<Qualifier>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coordinating_qualifiers: Vec<Qualifier>,
    /// The group phrases of the lead line, as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lead_groups: Vec<GroupMention>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coordinating_groups: Vec<GroupMention>,
    /// The lead and coordinating lines as written.
    #[serde(default)]
    pub lead_text: String,
    #[serde(default)]
    pub coordinating_text: String,
    /// The line of the source where the task starts.
    #[serde(default)]
    pub line: usize,
}

impl Task {
    /// Whether `agency` leads or coordinates this task (directly or through a group
    /// phrase that covers it).
    pub fn involves(&self, agency: &AgencyId) -> bool {
        self.leads(agency) || self.coordinating.iter().any(|a| &a.id == agency)
    }

    /// Whether `agency` leads this task.
    pub fn leads(&self, agency: &AgencyId) -> bool {
        self.lead.iter().any(|a| &a.id == agency)
    }

    /// Whether `agency` or an agency above it (a border post's command, a commune's
    /// district) leads or coordinates this task.
    pub fn involves_within(&self, registry: &Registry, agency: &AgencyId) -> bool {
        registry.lineage(agency).iter().any(|a| self.involves(a))
    }
}

/// What a role label adds to the role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    /// "theo chức năng nhiệm vụ của từng cơ quan, đơn vị".
    ByFunction,
    /// "theo dõi, hướng dẫn, tổng hợp".
    MonitorGuideConsolidate,
    /// "cung cấp thông tin".
    ProvidesInformation,
    /// "thực hiện" ("Cơ quan thực hiện", "Cơ quan phối hợp, thực hiện").
    Implements,
}

/// A group phrase of a role line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMention {
    pub group: Group,
    /// As written ("Các cơ quan, đơn vị, địa phương liên quan").
    pub text: String,
    /// Written with "liên quan" (those concerned).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub related: bool,
    /// The agencies it stands for here.
    pub members: Vec<AgencyId>,
}

/// An agency as named in a plan, resolved to the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyName {
    pub id: AgencyId,
    /// The registry's full name.
    pub name: String,
    /// Outside the province.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
    /// Asked for help ("Đề nghị …") rather than assigned.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub requested: bool,
    /// What the plan says this agency does here ("đôn đốc, hướng dẫn").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The group phrase that brought it in, when it was not named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<Group>,
}

impl AgencyName {
    /// The agency, named as the registry names it.
    pub fn new(agency: &Agency) -> AgencyName {
        AgencyName {
            id: agency.id.clone(),
            name: agency.name.clone(),
            external: agency.external,
            requested: false,
            role: None,
            via: None,
        }
    }
}

/// Why a plan could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanParseError {
    /// 1-based line of the source.
    pub line: usize,
    pub expected: String,
}

impl std::fmt::Display for PlanParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: expected {}", self.line, self.expected)
    }
}

impl std::error::Error for PlanParseError {}

/// Parses a plan document in its text form, with Kon Tum's registry for a Kon Tum plan
/// and none for another province's.
pub fn parse_plan(text: &str) -> Result<Plan, PlanParseError> {
    parser::parse(text, &[Registry::kon_tum()])
}

/// Parses a plan document, resolving agencies with `registry` when it is for the
/// plan's province (or for any, as [`Registry::new`] makes), else with none.
pub fn parse_plan_with(text: &str, registry: &Registry) -> Result<Plan, PlanParseError> {
    parser::parse(text, &[registry])
}

/// Parses a plan document, resolving agencies with the registry among `registries`
/// whose province is the plan's (compared without diacritics). With none, every
/// agency the plan names is new and its group phrases stay unmapped: another
/// province's agencies are never used.
pub fn parse_plan_in(text: &str, registries: &[Registry]) -> Result<Plan, PlanParseError> {
    let refs: Vec<&Registry> = registries.iter().collect();
    parser::parse(text, &refs)
}

impl Plan {
    /// The task with this number.
    pub fn task(&self, number: &TaskNumber) -> Option<&Task> {
        self.tasks.iter().find(|t| &t.number == number)
    }

    /// The tasks `agency` leads or coordinates.
    pub fn tasks_of(&self, agency: &AgencyId) -> Vec<&Task> {
        self.tasks.iter().filter(|t| t.involves(agency)).collect()
    }

    /// The plan's reporting calendar.
    pub fn calendar(&self) -> ReportingCalendar {
        ReportingCalendar::new(self)
    }
}

/// A role line's value, before resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RoleValue {
    pub line: usize,
    pub value: String,
    pub qualifiers: Vec<Qualifier>,
}

/// Which line of a task a role line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RoleKind {
    Lead,
    Coordinating,
    Time,
}

/// A task as read, before its agencies and timeframe are resolved.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawTask {
    pub number: String,
    pub line: usize,
    pub title: String,
    pub text: String,
    pub lead: Option<RoleValue>,
    pub coordinating: Option<RoleValue>,
    pub time: Option<RoleValue>,
}

impl RawTask {
    /// Adds a role line; two lead (or coordinating) lines are read as one, two time
    /// lines are an error.
    pub(crate) fn set(&mut self, kind: RoleKind, value: RoleValue) -> Result<(), PlanParseError> {
        let slot = match kind {
            RoleKind::Lead => &mut self.lead,
            RoleKind::Coordinating => &mut self.coordinating,
            RoleKind::Time => &mut self.time,
        };
        match slot {
            None => *slot = Some(value),
            Some(_) if kind == RoleKind::Time => {
                return Err(PlanParseError {
                    line: value.line,
                    expected: "one “Thời gian thực hiện” line per task".into(),
                });
            }
            Some(existing) => {
                existing.value = format!("{}; {}", existing.value, value.value);
                for q in value.qualifiers {
                    if !existing.qualifiers.contains(&q) {
                        existing.qualifiers.push(q);
                    }
                }
            }
        }
        Ok(())
    }

    /// Resolves the task's agencies and timeframe.
    pub(crate) fn finish(self, names: &mut names::Resolver) -> Result<Task, PlanParseError> {
        let number = TaskNumber::parse(&self.number).map_err(|_| PlanParseError {
            line: self.line,
            expected: format!("a task number such as 1.1 or 7.2.b, not “{}”", self.number),
        })?;
        let mut read = |v: &Option<RoleValue>| -> Result<Vec<names::Mention>, PlanParseError> {
            match v {
                None => Ok(Vec::new()),
                Some(v) => names
                    .read_line(&v.value, v.line)
                    .map_err(|expected| PlanParseError {
                        line: v.line,
                        expected,
                    }),
            }
        };
        let lead_mentions = read(&self.lead)?;
        let coordinating_mentions = read(&self.coordinating)?;
        let (lead, lead_groups) = expand(names, &lead_mentions, &[]);
        let lead_ids: Vec<AgencyId> = lead.iter().map(|a| a.id.clone()).collect();
        let (coordinating, coordinating_groups) = expand(names, &coordinating_mentions, &lead_ids);
        let timeframe = match &self.time {
            None => Timeframe::Unspecified,
            Some(v) => Timeframe::parse(&v.value).map_err(|expected| PlanParseError {
                line: v.line,
                expected,
            })?,
        };
        let text_of =
            |v: &Option<RoleValue>| v.as_ref().map(|v| v.value.clone()).unwrap_or_default();
        let quals =
            |v: &Option<RoleValue>| v.as_ref().map(|v| v.qualifiers.clone()).unwrap_or_default();
        Ok(Task {
            number,
            title: self.title,
            text: self.text,
            lead,
            coordinating,
            timeframe_text: text_of(&self.time).trim_end_matches('.').trim().to_owned(),
            timeframe,
            lead_qualifiers: quals(&self.lead),
            coordinating_qualifiers: quals(&self.coordinating),
            lead_groups,
            coordinating_groups,
            lead_text: text_of(&self.lead),
            coordinating_text: text_of(&self.coordinating),
            line: self.line,
        })
    }
}

/// Named agencies first (known or new), then group members not yet listed nor in
/// `exclude`.
fn expand(
    names: &names::Resolver,
    mentions: &[names::Mention],
    exclude: &[AgencyId],
) -> (Vec<AgencyName>, Vec<GroupMention>) {
    let mut out: Vec<AgencyName> = Vec::new();
    let mut groups = Vec::new();
    for m in mentions {
        if let names::MentionTarget::Agency(id) = &m.target {
            if out.iter().any(|a| &a.id == id) {
                continue;
            }
            if let Some(a) = names.get(id) {
                out.push(AgencyName {
                    requested: m.requested,
                    role: m.role.clone(),
                    ..AgencyName::new(a)
                });
            }
        }
    }
    for m in mentions {
        if let names::MentionTarget::Group(group, members) = &m.target {
            groups.push(GroupMention {
                group: *group,
                text: m.text.clone(),
                related: m.related,
                members: members.clone(),
            });
            for id in members {
                if out.iter().any(|a| &a.id == id) || exclude.contains(id) {
                    continue;
                }
                if let Some(a) = names.get(id) {
                    out.push(AgencyName {
                        role: m.role.clone(),
                        via: Some(*group),
                        ..AgencyName::new(a)
                    });
                }
            }
        }
    }
    (out, groups)
}

#[cfg(test)]
mod province_tests;
#[cfg(test)]
mod tests;
