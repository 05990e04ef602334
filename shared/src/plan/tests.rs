//! Tests of the whole parser and calendar: the seed plan task by task, its reporting
//! calendar on every (agency, period) of its year and across year boundaries, and
//! plans written in other styles.

use std::collections::BTreeSet;

use super::*;

const SEED: &str = include_str!("../../../seed/ke-hoach-215-KH-UBND-2019-kon-tum.md");

fn id(s: &str) -> AgencyId {
    AgencyId::parse(s).unwrap()
}

fn num(s: &str) -> TaskNumber {
    TaskNumber::parse(s).unwrap()
}

fn d(y: i32, m: u8, day: u8) -> Date {
    Date::new(y, m, day).unwrap()
}

fn seed() -> Plan {
    parse_plan(SEED).unwrap()
}

/// The agencies a task names outright (not brought in by a group).
fn named(list: &[AgencyName]) -> Vec<&str> {
    list.iter()
        .filter(|a| a.via.is_none())
        .map(|a| a.id.as_str())
        .collect()
}

fn groups(list: &[GroupMention]) -> Vec<Group> {
    list.iter().map(|g| g.group).collect()
}

struct Expect {
    number: &'static str,
    lead: &'static [&'static str],
    lead_groups: &'static [Group],
    coordinating: &'static [&'static str],
    coordinating_groups: &'static [Group],
    timeframe: Timeframe,
}

const ONGOING: Timeframe = Timeframe::Ongoing;
const Y2019: Timeframe = Timeframe::Year { year: 2019 };
const FROM2019: Timeframe = Timeframe::FromYear { year: 2019 };
const fn q(quarter: u8) -> Timeframe {
    Timeframe::Quarter {
        quarter,
        year: 2019,
    }
}

use Group::{AgenciesAndUnits, AllLocal, BorderDistricts, Departments, Districts, Press};

const SEED_TASKS: [Expect; 20] = [
    Expect {
        number: "1.1",
        lead: &["so-tttt"],
        lead_groups: &[],
        coordinating: &[],
        coordinating_groups: &[AllLocal],
        timeframe: ONGOING,
    },
    Expect {
        number: "1.2",
        lead: &["so-tttt"],
        lead_groups: &[Press, Departments, Districts],
        coordinating: &[],
        coordinating_groups: &[AllLocal],
        timeframe: ONGOING,
    },
    Expect {
        number: "1.3",
        lead: &["so-ngoai-vu"],
        lead_groups: &[],
        coordinating: &[],
        coordinating_groups: &[Press, AllLocal],
        timeframe: ONGOING,
    },
    Expect {
        number: "1.4",
        lead: &[
            "so-khdt",
            "so-cong-thuong",
            "so-vhttdl",
            "so-ngoai-vu",
            "bdbp",
            "ban-ql-kkt",
        ],
        lead_groups: &[],
        coordinating: &[],
        coordinating_groups: &[Press, AllLocal],
        timeframe: Y2019,
    },
    Expect {
        number: "2",
        lead: &["so-tttt"],
        lead_groups: &[],
        coordinating: &["cuc-ttdn", "bo-tttt"],
        coordinating_groups: &[AllLocal],
        timeframe: q(3),
    },
    Expect {
        number: "3",
        lead: &[
            "so-tttt",
            "cong-an",
            "bchqs",
            "bdbp",
            "so-ngoai-vu",
            "so-noi-vu",
            "ban-ton-giao",
        ],
        lead_groups: &[],
        coordinating: &["ban-tuyen-giao"],
        coordinating_groups: &[AllLocal],
        timeframe: FROM2019,
    },
    Expect {
        number: "4",
        lead: &["so-tttt"],
        lead_groups: &[],
        coordinating: &["bao-kon-tum", "dai-ptth"],
        coordinating_groups: &[Departments, Districts],
        timeframe: FROM2019,
    },
    Expect {
        number: "5.1",
        lead: &["so-vhttdl"],
        lead_groups: &[],
        coordinating: &[],
        coordinating_groups: &[AllLocal],
        timeframe: q(2),
    },
    Expect {
        number: "5.2",
        lead: &["so-vhttdl"],
        lead_groups: &[],
        coordinating: &[],
        coordinating_groups: &[AllLocal],
        timeframe: q(2),
    },
    Expect {
        number: "5.3",
        lead: &["so-vhttdl"],
        lead_groups: &[],
        coordinating: &[],
        coordinating_groups: &[AllLocal],
        timeframe: q(3),
    },
    Expect {
        number: "5.4",
        lead: &["so-tttt"],
        lead_groups: &[],
        coordinating: &[],
        coordinating_groups: &[AllLocal],
        timeframe: q(4),
    },
    Expect {
        number: "6.1",
        lead: &["so-khdt"],
        lead_groups: &[],
        coordinating: &[],
        coordinating_groups: &[AllLocal],
        timeframe: ONGOING,
    },
    Expect {
        number: "6.2",
        lead: &["so-tttt"],
        lead_groups: &[],
        coordinating: &[],
        coordinating_groups: &[AllLocal],
        timeframe: ONGOING,
    },
    Expect {
        number: "7.1.a",
        lead: &["so-tttt"],
        lead_groups: &[],
        coordinating: &["so-vhttdl"],
        coordinating_groups: &[AllLocal, Press],
        timeframe: Y2019,
    },
    Expect {
        number: "7.1.b",
        lead: &["so-tttt"],
        lead_groups: &[],
        coordinating: &[],
        coordinating_groups: &[AllLocal],
        timeframe: Y2019,
    },
    Expect {
        number: "7.2.a",
        lead: &["so-tttt"],
        lead_groups: &[],
        coordinating: &[],
        coordinating_groups: &[AllLocal],
        timeframe: Y2019,
    },
    Expect {
        number: "7.2.b",
        lead: &["so-tttt", "bdbp"],
        lead_groups: &[],
        coordinating: &[],
        coordinating_groups: &[AgenciesAndUnits, BorderDistricts],
        timeframe: ONGOING,
    },
    Expect {
        number: "7.2.c",
        lead: &["so-tu-phap"],
        lead_groups: &[],
        coordinating: &["bdbp", "so-ngoai-vu", "so-tttt"],
        coordinating_groups: &[BorderDistricts, AllLocal],
        timeframe: ONGOING,
    },
    Expect {
        number: "7.2.d",
        lead: &["so-ngoai-vu"],
        lead_groups: &[],
        coordinating: &[],
        coordinating_groups: &[AllLocal],
        timeframe: Y2019,
    },
    Expect {
        number: "8",
        lead: &["so-tttt"],
        lead_groups: &[],
        coordinating: &[],
        coordinating_groups: &[AllLocal],
        timeframe: Y2019,
    },
];

#[test]
fn seed_header_and_structure() {
    let plan = seed();
    assert_eq!(plan.code.as_str(), "215/KH-UBND");
    assert_eq!(plan.date, d(2019, 1, 28));
    assert_eq!(
        plan.title,
        "Hoạt động thông tin đối ngoại tỉnh Kon Tum năm 2019"
    );
    assert_eq!(plan.province, "Kon Tum");
    assert_eq!(plan.issuer, "Ủy ban nhân dân tỉnh Kon Tum");
    assert_eq!(plan.year, 2019);
    assert_eq!(plan.legal_bases.len(), 3);
    assert!(plan.legal_bases[0].starts_with("Căn cứ Nghị định số 72/2015/NĐ-CP"));
    let numerals: Vec<&str> = plan.parts.iter().map(|p| p.numeral.as_str()).collect();
    assert_eq!(numerals, ["I", "II", "III", "IV"]);
    assert_eq!(plan.parts[3].title, "TỔ CHỨC THỰC HIỆN");
    let sections: Vec<&str> = plan.sections.iter().map(|s| s.number.as_str()).collect();
    assert_eq!(sections, ["1", "5", "6", "7", "7.1", "7.2"]);
    assert_eq!(plan.sections[4].title, "Tuyên truyền về biển, đảo");
}

#[test]
fn seed_has_its_twenty_tasks_right() {
    let plan = seed();
    let numbers: Vec<&str> = plan.tasks.iter().map(|t| t.number.as_str()).collect();
    let expected: Vec<&str> = SEED_TASKS.iter().map(|e| e.number).collect();
    assert_eq!(numbers, expected);
    for (t, e) in plan.tasks.iter().zip(&SEED_TASKS) {
        assert_eq!(named(&t.lead), e.lead, "lead of {}", e.number);
        assert_eq!(
            groups(&t.lead_groups),
            e.lead_groups,
            "lead groups of {}",
            e.number
        );
        assert_eq!(
            named(&t.coordinating),
            e.coordinating,
            "coordinating of {}",
            e.number
        );
        assert_eq!(
            groups(&t.coordinating_groups),
            e.coordinating_groups,
            "coordinating groups of {}",
            e.number
        );
        assert_eq!(t.timeframe, e.timeframe, "timeframe of {}", e.number);
        assert!(!t.title.is_empty() && !t.text.is_empty(), "{}", e.number);
        // Nobody both leads and is brought into coordination by a group.
        for a in t.coordinating.iter().filter(|a| a.via.is_some()) {
            assert!(!t.leads(&a.id), "{} in {}", a.id, e.number);
        }
    }
}

#[test]
fn seed_texts_titles_and_timeframe_texts() {
    let plan = seed();
    let t = |n: &str| plan.task(&num(n)).unwrap();
    assert_eq!(t("2").title, "Tập huấn, bồi dưỡng nghiệp vụ");
    assert!(
        t("2")
            .text
            .starts_with("Tổ chức tập huấn, bồi dưỡng kỹ năng")
    );
    assert_eq!(t("7.1.a").title.chars().next(), Some('T'));
    assert!(t("7.1.a").text.starts_with("Tổ chức Triển lãm bản đồ"));
    // The sentence split by a page break in 6.2 is whole again.
    assert!(
        t("6.2").text.contains("Kế hoạch đẩy mạnh công tác thông tin, tuyên truyền về các sự kiện hội nhập quốc tế nổi bật giai đoạn 2017 - 2020."),
        "{}",
        t("6.2").text
    );
    assert_eq!(t("2").timeframe_text, "Quý III năm 2019");
    assert_eq!(t("5.1").timeframe_text, "Quý II/2019");
    assert_eq!(t("3").timeframe_text, "Năm 2019 và các năm tiếp theo");
    assert_eq!(t("1.4").timeframe_text, "Trong năm 2019");
    assert_eq!(t("1.1").lead_text, "Sở Thông tin và Truyền thông.");
}

#[test]
fn seed_qualifiers_roles_and_requests() {
    let plan = seed();
    let t = |n: &str| plan.task(&num(n)).unwrap();
    assert_eq!(t("1.4").lead_qualifiers, [Qualifier::ByFunction]);
    assert_eq!(t("3").lead_qualifiers, [Qualifier::ByFunction]);
    assert_eq!(t("4").lead_qualifiers, [Qualifier::MonitorGuideConsolidate]);
    assert_eq!(t("4").coordinating_qualifiers, [Qualifier::Implements]);
    assert_eq!(
        t("1.2").coordinating_qualifiers,
        [Qualifier::ProvidesInformation]
    );
    assert_eq!(t("7.2.b").lead_qualifiers, [Qualifier::Implements]);
    assert!(t("1.1").lead_qualifiers.is_empty());

    assert_eq!(t("1.2").lead[0].role.as_deref(), Some("đôn đốc, hướng dẫn"));
    let cuc = &t("2").coordinating[0];
    assert!(cuc.external && cuc.requested, "{cuc:?}");
    let btg = t("3")
        .coordinating
        .iter()
        .find(|a| a.id == id("ban-tuyen-giao"))
        .unwrap();
    assert!(btg.requested && !btg.external);
    assert!(
        t("1.3")
            .coordinating_groups
            .iter()
            .all(|g| g.related == (g.group == AllLocal))
    );
}

#[test]
fn seed_groups_cover_the_agencies_they_name() {
    let plan = seed();
    let t = |n: &str| plan.task(&num(n)).unwrap();
    // "các cơ quan, đơn vị, địa phương" covers departments, districts, press, border posts.
    for covered in [
        "so-vhttdl",
        "ubnd-ngoc-hoi",
        "bao-kon-tum",
        "bdbp-don-bo-y",
        "ban-ql-kkt",
        "cong-an",
    ] {
        assert!(t("1.1").involves(&id(covered)), "{covered}");
    }
    for outside in ["ban-tuyen-giao", "cuc-ttdn", "bo-tttt", "ubnd-xa-bo-y"] {
        assert!(!t("1.1").involves(&id(outside)), "{outside}");
    }
    // 1.2's lead: the press, the departments and the districts through their groups.
    assert!(t("1.2").leads(&id("dai-ptth")));
    assert!(t("1.2").leads(&id("ubnd-ia-hdrai")));
    assert!(!t("1.2").leads(&id("bdbp")));
    assert!(t("1.2").involves(&id("bdbp")));
    // The border districts of 7.2.b are those in the bracket; Kon Rẫy is not one.
    let border = &t("7.2.b").coordinating_groups[1];
    assert_eq!(
        border.members,
        [
            id("ubnd-sa-thay"),
            id("ubnd-ngoc-hoi"),
            id("ubnd-dak-glei"),
            id("ubnd-ia-hdrai")
        ]
    );
    assert!(t("7.2.b").involves(&id("ubnd-ngoc-hoi")));
    assert!(!t("7.2.b").involves(&id("ubnd-kon-ray")));
    assert!(
        t("7.2.b").involves(&id("bao-kon-tum")),
        "the press are among “các cơ quan, đơn vị”"
    );
    // A commune takes part through its district.
    let r = Registry::kon_tum();
    assert!(!t("7.2.b").involves(&id("ubnd-xa-bo-y")));
    assert!(t("7.2.b").involves_within(r, &id("ubnd-xa-bo-y")));
    // A border post is a unit: every task's group takes it in except task 4, whose
    // coordinating agencies are the press, the departments and the districts.
    let post: Vec<&str> = plan
        .tasks_of(&id("bdbp-don-bo-y"))
        .iter()
        .map(|t| t.number.as_str())
        .collect();
    assert_eq!(post.len(), 19);
    assert!(!post.contains(&"4"));
}

#[test]
fn seed_json_shape() {
    let plan = seed();
    let v = serde_json::to_value(&plan).unwrap();
    assert_eq!(v["code"], "215/KH-UBND");
    assert_eq!(v["date"], "2019-01-28");
    let task = &v["tasks"][7];
    assert_eq!(task["number"], "5.1");
    assert_eq!(task["lead"][0]["id"], "so-vhttdl");
    assert_eq!(task["lead"][0]["name"], "Sở Văn hóa, Thể thao và Du lịch");
    assert_eq!(
        task["timeframe"],
        serde_json::json!({"kind": "quarter", "quarter": 2, "year": 2019})
    );
    assert_eq!(
        v["tasks"][0]["timeframe"],
        serde_json::json!({"kind": "ongoing"})
    );
    assert_eq!(
        v["tasks"][3]["timeframe"],
        serde_json::json!({"kind": "year", "year": 2019})
    );
    assert_eq!(
        v["tasks"][5]["timeframe"],
        serde_json::json!({"kind": "from_year", "year": 2019})
    );
    assert_eq!(v["tasks"][0]["coordinating"][0]["via"], "all_local");
    assert_eq!(v["reporting"][0]["period"], "H1-2019");
    assert_eq!(v["reporting"][0]["agency_deadline"], "2019-06-15");
    assert_eq!(v["reporting"][0]["consolidation_deadline"], "2019-06-25");
    assert_eq!(v["reporting"][1]["period"], "Y-2019");
    assert_eq!(v["reporting"][1]["agency_deadline"], "2019-12-05");
    assert_eq!(v["reporting"][1]["consolidation_deadline"], "2019-12-15");
    assert_eq!(v["reporting"][1]["data_from"], "2018-12-15");
    assert_eq!(v["reporting"][1]["data_to"], "2019-12-14");
    let back: Plan = serde_json::from_value(v).unwrap();
    assert_eq!(back, plan);
}

#[test]
fn seed_reporting_rules() {
    let plan = seed();
    assert_eq!(plan.reporting_rules.len(), 2);
    let half = &plan.reporting_rules[0];
    assert_eq!(half.kind, PeriodKind::HalfYear);
    assert_eq!(half.agency_deadline, DayMonth { day: 15, month: 6 });
    assert_eq!(
        half.consolidation_deadline,
        Some(DayMonth { day: 25, month: 6 })
    );
    let year = &plan.reporting_rules[1];
    assert_eq!(year.agency_deadline, DayMonth { day: 5, month: 12 });
    assert_eq!(
        year.consolidation_deadline,
        Some(DayMonth { day: 15, month: 12 })
    );
    assert_eq!(
        year.consolidator.as_ref().map(|a| a.id.as_str()),
        Some("so-tttt")
    );
}

/// The tasks an agency reports on for a period, worked out from the plan directly.
fn expected_tasks(plan: &Plan, agency: &AgencyId, period: Period) -> Vec<TaskNumber> {
    let (from, to) = period.span();
    plan.tasks
        .iter()
        .filter(|t| t.timeframe.overlaps(plan.year, from, to))
        .filter(|t| {
            t.lead
                .iter()
                .chain(&t.coordinating)
                .any(|a| &a.id == agency && !a.external && !a.requested)
        })
        .map(|t| t.number.clone())
        .collect()
}

#[test]
fn seed_calendar_for_every_agency_and_period_of_2019() {
    let plan = seed();
    let cal = plan.calendar();
    let periods = cal.periods_through(2019);
    assert_eq!(periods.len(), 2);
    assert_eq!(periods[0].period, Period::half_year(2019));
    assert_eq!(periods[0].agency_deadline, d(2019, 6, 15));
    assert_eq!(periods[0].consolidation_deadline, Some(d(2019, 6, 25)));
    assert_eq!(periods[1].period, Period::year(2019));
    assert_eq!(periods[1].agency_deadline, d(2019, 12, 5));
    assert_eq!(periods[1].consolidation_deadline, Some(d(2019, 12, 15)));

    for p in &periods {
        let obligations = cal.obligations(p);
        for agency in Registry::kon_tum().agencies() {
            let want = expected_tasks(&plan, &agency.id, p.period);
            let got: Vec<&Obligation> = obligations
                .iter()
                .filter(|o| o.agency == agency.id && o.role == ObligationRole::Report)
                .collect();
            if want.is_empty() {
                assert!(
                    got.is_empty(),
                    "{} owes nothing for {:?}",
                    agency.id,
                    p.period
                );
                continue;
            }
            assert_eq!(got.len(), 1, "{} {:?}", agency.id, p.period);
            assert_eq!(got[0].tasks, want, "{} {:?}", agency.id, p.period);
            assert_eq!(got[0].deadline, p.agency_deadline);
        }
        let consolidation: Vec<&Obligation> = obligations
            .iter()
            .filter(|o| o.role == ObligationRole::Consolidation)
            .collect();
        assert_eq!(consolidation.len(), 1);
        assert_eq!(consolidation[0].agency, id("so-tttt"));
        assert_eq!(Some(consolidation[0].deadline), p.consolidation_deadline);
    }

    // Spot checks of the above against the plan as a person reads it.
    let h1 = cal.obligations(&periods[0]);
    let of = |list: &[Obligation], a: &str| {
        list.iter()
            .find(|o| o.agency == id(a) && o.role == ObligationRole::Report)
            .map(|o| o.tasks.clone())
    };
    let vh = of(&h1, "so-vhttdl").unwrap();
    assert!(vh.contains(&num("5.1")) && vh.contains(&num("5.2")) && vh.contains(&num("7.1.a")));
    assert!(
        !vh.contains(&num("5.3")) && !vh.contains(&num("2")) && !vh.contains(&num("5.4")),
        "Q3 and Q4 tasks wait for the annual report"
    );
    let year = cal.obligations(&periods[1]);
    assert!(of(&year, "so-vhttdl").unwrap().contains(&num("5.3")));
    assert_eq!(of(&year, "so-tttt").unwrap().len(), 20);
    assert!(of(&h1, "ban-tuyen-giao").is_none());
    assert!(of(&h1, "cuc-ttdn").is_none());
    assert!(of(&h1, "ubnd-xa-bo-y").is_none());
    assert!(of(&h1, "bdbp-don-bo-y").is_some());
    assert_eq!(consolidated_tasks(&year).len(), 20);
    assert_eq!(consolidated_tasks(&h1).len(), 17);
}

fn consolidated_tasks(list: &[Obligation]) -> Vec<TaskNumber> {
    list.iter()
        .find(|o| o.role == ObligationRole::Consolidation)
        .map(|o| o.tasks.clone())
        .unwrap_or_default()
}

#[test]
fn seed_calendar_statuses_through_the_year() {
    let plan = seed();
    let cal = plan.calendar();
    let none = BTreeSet::new();
    let no_periods = BTreeSet::new();
    let h1 = Period::half_year(2019);
    let status =
        |date: Date, agency: &str, period: Period, submitted: &BTreeSet<(AgencyId, Period)>| {
            cal.status_on(date, submitted, &no_periods)
                .into_iter()
                .find(|s| {
                    s.obligation.agency == id(agency)
                        && s.obligation.period == period
                        && s.obligation.role == ObligationRole::Report
                })
                .map(|s| s.status)
        };
    assert!(
        cal.status_on(d(2019, 5, 15), &none, &no_periods).is_empty(),
        "nothing opens before 16/5"
    );
    assert_eq!(
        status(d(2019, 5, 16), "so-ngoai-vu", h1, &none),
        Some(ReportStatus::Open)
    );
    assert_eq!(
        status(d(2019, 6, 7), "so-ngoai-vu", h1, &none),
        Some(ReportStatus::Open)
    );
    assert_eq!(
        status(d(2019, 6, 8), "so-ngoai-vu", h1, &none),
        Some(ReportStatus::DueSoon)
    );
    assert_eq!(
        status(d(2019, 6, 14), "so-ngoai-vu", h1, &none),
        Some(ReportStatus::DueSoon),
        "the day before the deadline is the last on time"
    );
    assert_eq!(
        status(d(2019, 6, 15), "so-ngoai-vu", h1, &none),
        Some(ReportStatus::Late),
        "“trước ngày 15/6”: on 15/6 it is late"
    );
    assert_eq!(
        status(d(2019, 6, 16), "so-ngoai-vu", h1, &none),
        Some(ReportStatus::Late)
    );
    let mut submitted = BTreeSet::new();
    submitted.insert((id("so-ngoai-vu"), h1));
    assert_eq!(
        status(d(2019, 6, 16), "so-ngoai-vu", h1, &submitted),
        Some(ReportStatus::Submitted)
    );

    let missing = cal.missing(d(2019, 6, 16), &submitted);
    assert!(
        missing
            .iter()
            .all(|o| o.period == h1 && o.deadline == d(2019, 6, 15))
    );
    assert!(missing.iter().any(|o| o.agency == id("so-vhttdl")));
    assert!(!missing.iter().any(|o| o.agency == id("so-ngoai-vu")));
    assert_eq!(
        missing.len(),
        cal.missing(d(2019, 6, 16), &BTreeSet::new()).len() - 1
    );

    // The consolidated report is due later than the agencies'.
    let cons = |date: Date, done: &BTreeSet<Period>| {
        cal.status_on(date, &none, done)
            .into_iter()
            .find(|s| {
                s.obligation.role == ObligationRole::Consolidation && s.obligation.period == h1
            })
            .map(|s| (s.status, s.days_left))
    };
    assert_eq!(
        cons(d(2019, 6, 16), &no_periods),
        Some((ReportStatus::Open, 9))
    );
    assert_eq!(
        cons(d(2019, 6, 20), &no_periods),
        Some((ReportStatus::DueSoon, 5))
    );
    assert_eq!(
        cons(d(2019, 6, 26), &no_periods),
        Some((ReportStatus::Late, -1))
    );
    assert_eq!(
        cal.consolidations_missing(d(2019, 6, 26), &no_periods)
            .len(),
        1
    );
    let done: BTreeSet<Period> = [h1].into();
    assert!(cal.consolidations_missing(d(2019, 6, 26), &done).is_empty());
    assert_eq!(
        cons(d(2019, 6, 26), &done),
        Some((ReportStatus::Submitted, -1))
    );
}

#[test]
fn seed_calendar_across_year_boundaries() {
    let plan = seed();
    let cal = plan.calendar();
    let y2019 = Period::year(2019);
    let h1_2019 = Period::half_year(2019);
    let everyone_h1: BTreeSet<(AgencyId, Period)> = cal
        .obligations(&cal.periods_through(2019)[0])
        .into_iter()
        .map(|o| (o.agency, o.period))
        .collect();

    // Mid-December: the annual report is late for all, the half-year one for nobody.
    let dec = cal.missing(d(2019, 12, 20), &everyone_h1);
    assert!(!dec.is_empty() && dec.iter().all(|o| o.period == y2019));
    // Into the next year, the 2019 annual report is still missing; 2020's are not open.
    let jan = cal.missing(d(2020, 1, 10), &everyone_h1);
    assert_eq!(jan, dec);
    assert!(
        cal.status_on(d(2020, 1, 10), &everyone_h1, &BTreeSet::new())
            .iter()
            .all(|s| s.obligation.period.year == 2019)
    );

    // The 2019 plan's recurring tasks (3 and 4: "Năm 2019 và các năm tiếp theo") carry
    // reports into 2020; tasks of 2019 alone do not.
    let periods_2020: Vec<Period> = cal.periods_through(2020).iter().map(|p| p.period).collect();
    assert_eq!(
        periods_2020,
        [h1_2019, y2019, Period::half_year(2020), Period::year(2020)]
    );
    let p2020 = &cal.periods_through(2020)[2];
    assert_eq!(p2020.agency_deadline, d(2020, 6, 15));
    assert_eq!(p2020.data_from, d(2019, 12, 15));
    for o in cal.obligations(p2020) {
        assert!(
            o.tasks
                .iter()
                .all(|t| t.as_str() == "3" || t.as_str() == "4"),
            "{o:?}"
        );
    }
    let so = cal
        .obligations(p2020)
        .into_iter()
        .find(|o| o.agency == id("so-tttt") && o.role == ObligationRole::Report)
        .unwrap();
    assert_eq!(so.tasks, [num("3"), num("4")]);
    let june_2020 = cal.missing(d(2020, 6, 16), &everyone_h1);
    assert!(
        june_2020
            .iter()
            .any(|o| o.period == Period::half_year(2020))
    );
    assert!(june_2020.iter().any(|o| o.period == y2019));
    // An agency's own view on a day.
    let mine = cal.for_agency(&id("so-tttt"), d(2020, 6, 10), &everyone_h1);
    let statuses: Vec<(Period, ReportStatus)> = mine
        .iter()
        .map(|s| (s.obligation.period, s.status))
        .collect();
    assert_eq!(
        statuses,
        [
            (h1_2019, ReportStatus::Submitted),
            (y2019, ReportStatus::Late),
            (Period::half_year(2020), ReportStatus::DueSoon)
        ]
    );
}

#[test]
fn an_unknown_agency_is_a_new_agency_not_an_error() {
    let renamed = SEED.replace(
        "- *Cơ quan chủ trì:* Sở Ngoại vụ.",
        "- *Cơ quan chủ trì:* Sở Hàng hải.",
    );
    let line = SEED
        .lines()
        .position(|l| l.contains("*Cơ quan chủ trì:* Sở Ngoại vụ."))
        .unwrap()
        + 1;
    let plan = parse_plan(&renamed).unwrap();
    assert_eq!(plan.tasks.len(), 20);
    assert_eq!(
        named(&plan.task(&num("1.3")).unwrap().lead),
        ["so-hang-hai"]
    );
    assert_eq!(plan.new_agencies.len(), 1);
    let a = &plan.new_agencies[0];
    assert_eq!(
        (a.name.as_str(), a.kind, a.external),
        ("Sở Hàng hải", AgencyKind::Department, false)
    );
    assert_eq!(plan.warnings.len(), 1);
    assert_eq!(plan.warnings[0].line, line);
    assert!(
        plan.warnings[0].message.contains("Sở Hàng hải"),
        "{:?}",
        plan.warnings
    );
    // The seed itself names nothing new and maps every group.
    let base = seed();
    assert!(base.new_agencies.is_empty() && base.unmapped_groups.is_empty());
    assert_eq!(base.warnings, []);
}

#[test]
fn errors_name_the_line_and_what_was_expected() {
    let bad_agency = SEED.replace(
        "- *Cơ quan chủ trì:* Sở Ngoại vụ.",
        "- *Cơ quan chủ trì:* theo phân công của UBND tỉnh.",
    );
    let e = parse_plan(&bad_agency).unwrap_err();
    let line = SEED
        .lines()
        .position(|l| l.contains("*Cơ quan chủ trì:* Sở Ngoại vụ."))
        .unwrap()
        + 1;
    assert_eq!(e.line, line);
    assert!(e.expected.contains("agency name"), "{e}");
    assert!(e.expected.contains("theo phân công"), "{e}");

    let bad_time = SEED.replace("Quý IV/2019", "khi có yêu cầu");
    // "khi có yêu cầu" (on request) is not a timeframe the model has.
    let e = parse_plan(&bad_time).unwrap_err();
    assert_eq!(
        e.line,
        SEED.lines()
            .position(|l| l.contains("Quý IV/2019"))
            .unwrap()
            + 1
    );
    assert!(e.expected.contains("Thường xuyên"), "{e}");
    assert!(
        e.to_string()
            .starts_with(&format!("line {}: expected", e.line))
    );

    let bad_label = SEED.replace(
        "*Cơ quan chủ trì*: Sở Tư pháp",
        "*Cơ quan quyết định*: Sở Tư pháp",
    );
    let e = parse_plan(&bad_label).unwrap_err();
    assert!(e.expected.contains("Cơ quan chủ trì"), "{e}");

    let no_code = SEED.replace("Số: 215/KH-UBND", "");
    assert!(parse_plan(&no_code).unwrap_err().expected.contains("Số"));
    let no_date = SEED.replace("Kon Tum, ngày 28 tháng 01 năm 2019", "");
    assert!(parse_plan(&no_date).unwrap_err().expected.contains("ngày"));
    // Found by the plan_file fuzzer: a mistyped year of five digits was taken, and the
    // plan stored as JSON (`20196-01-28`) no longer read back, so the server could not
    // work out who must report on it. The date line must name a four-digit year.
    let five_digit_year = SEED.replace("tháng 01 năm 2019", "tháng 01 năm 20196");
    assert_ne!(five_digit_year, SEED);
    let e = parse_plan(&five_digit_year).unwrap_err();
    assert!(e.expected.contains("ngày"), "{e}");
    let plan = parse_plan(SEED).unwrap();
    let stored = serde_json::to_string(&plan).unwrap();
    assert_eq!(serde_json::from_str::<Plan>(&stored).unwrap(), plan);
    assert!(parse_plan("").is_err());
    let two_times = SEED.replace(
        "- *Thời gian thực hiện:* Thường xuyên.\n\n1.2.",
        "- *Thời gian thực hiện:* Thường xuyên.\n- *Thời gian thực hiện:* Năm 2019.\n\n1.2.",
    );
    assert!(parse_plan(&two_times).unwrap_err().expected.contains("one"));
    let orphan_role = SEED.replace(
        "II. NỘI DUNG\n",
        "II. NỘI DUNG\n\n- *Cơ quan chủ trì:* Sở Tư pháp.\n",
    );
    let e = parse_plan(&orphan_role).unwrap_err();
    assert_eq!(
        e.line,
        SEED.lines().position(|l| l == "II. NỘI DUNG").unwrap() + 3
    );
    assert!(e.expected.contains("numbered task"), "{e}");
    let no_tasks = SEED.replace("II. NỘI DUNG", "II. GHI CHÚ");
    let e = parse_plan(&no_tasks).unwrap_err();
    assert!(e.expected.contains("task table"), "{e}");
    let duplicate = SEED.replace("5.4. Xây dựng", "5.3. Xây dựng");
    assert!(parse_plan(&duplicate).unwrap_err().expected.contains("5.3"));
}

#[test]
fn tolerates_spelling_and_layout_variants_of_the_seed() {
    // Old-style tone marks, decomposed letters, abbreviations and plain role labels.
    let variant = SEED
        .replace("Sở Văn hóa, Thể thao và Du lịch.", "Sở VHTTDL.")
        .replace("Bộ Chỉ huy Bộ đội Biên phòng tỉnh, Ban Quản lý", "BĐBP tỉnh, Ban QL Khu kinh tế tỉnh, Ban Quản lý")
        .replace("- *Cơ quan chủ trì:* Sở Thông tin và Truyền thông.\n- *Cơ quan phối hợp:* Các cơ quan, đơn vị, địa phương.", "Cơ quan chủ trì: So\u{31b}\u{309} Thông tin và Truyền thông.\nCơ quan phối hợp: Các cơ quan, đơn vị, địa phương.");
    let plan = parse_plan(&variant).unwrap();
    let base = seed();
    for (a, b) in plan.tasks.iter().zip(&base.tasks) {
        assert_eq!(named(&a.lead), named(&b.lead), "{}", a.number);
        assert_eq!(a.coordinating.len(), b.coordinating.len(), "{}", a.number);
    }
}

#[test]
fn reads_windows_line_ends_decomposed_letters_and_page_markers() {
    let base = seed();
    let crlf = parse_plan(&SEED.replace('\n', "\r\n")).unwrap();
    assert_eq!(crlf, base);
    let nfd = parse_plan(SEED_NFD).unwrap();
    assert_eq!(nfd.code, base.code);
    assert_eq!(nfd.date, base.date);
    for (a, b) in nfd.tasks.iter().zip(&base.tasks) {
        assert_eq!(a.number, b.number);
        assert_eq!(
            a.lead.iter().map(|x| &x.id).collect::<Vec<_>>(),
            b.lead.iter().map(|x| &x.id).collect::<Vec<_>>()
        );
        assert_eq!(a.coordinating.len(), b.coordinating.len(), "{}", a.number);
        assert_eq!(a.timeframe, b.timeframe);
    }
    assert_eq!(nfd.tasks.len(), 20);
    assert_eq!(nfd.reporting, base.reporting);
    // A page break written as a rule and a page number, in the middle of 6.2.
    let paged = SEED.replace("đẩy mạnh\n\ncông tác", "đẩy mạnh\n\n---\n\n4\n\ncông tác");
    assert_ne!(paged, SEED);
    let paged = parse_plan(&paged).unwrap();
    assert_eq!(
        paged.task(&num("6.2")).unwrap().text,
        base.task(&num("6.2")).unwrap().text
    );
}

const SEED_NFD: &str = include_str!("fixtures/ke-hoach-215-KH-UBND-2019-kon-tum.nfd.md");
const KON_TUM_2020: &str = include_str!("fixtures/kon-tum-2020-kh-ubnd.md");
const GIA_LAI_2020: &str = include_str!("fixtures/gia-lai-2020-phu-luc.md");
const KON_TUM_2021: &str = include_str!("fixtures/kon-tum-2021-co-quan-thuc-hien.md");

fn agency(
    id_: &str,
    name: &str,
    short: &str,
    kind: AgencyKind,
    border: bool,
    aliases: &[&str],
) -> Agency {
    Agency {
        id: id(id_),
        name: name.into(),
        short_name: short.into(),
        kind,
        parent: None,
        external: kind == AgencyKind::Central,
        border,
        aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
    }
}

/// A small registry for Gia Lai, to read a plan of another province.
fn gia_lai() -> Registry {
    use AgencyKind::{ArmedForces, Central, Department, District, Press};
    Registry::new(vec![
        agency(
            "so-tttt",
            "Sở Thông tin và Truyền thông",
            "Sở TT&TT",
            Department,
            false,
            &[],
        ),
        agency(
            "so-ngoai-vu",
            "Sở Ngoại vụ",
            "Sở NgV",
            Department,
            false,
            &[],
        ),
        agency(
            "so-vhttdl",
            "Sở Văn hóa, Thể thao và Du lịch",
            "Sở VHTTDL",
            Department,
            false,
            &[],
        ),
        agency(
            "bao-gia-lai",
            "Báo Gia Lai",
            "Báo Gia Lai",
            Press,
            false,
            &[],
        ),
        agency(
            "dai-ptth",
            "Đài Phát thanh - Truyền hình tỉnh",
            "Đài PT-TH tỉnh",
            Press,
            false,
            &[],
        ),
        agency(
            "cong-an",
            "Công an tỉnh",
            "CA tỉnh",
            ArmedForces,
            false,
            &[],
        ),
        agency(
            "bdbp",
            "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
            "BĐBP tỉnh",
            ArmedForces,
            false,
            &["Bộ Chỉ huy BĐBP tỉnh"],
        ),
        agency(
            "bo-tttt",
            "Bộ Thông tin và Truyền thông",
            "Bộ TT&TT",
            Central,
            false,
            &[],
        ),
        agency(
            "ubnd-tp-pleiku",
            "UBND thành phố Pleiku",
            "UBND TP Pleiku",
            District,
            false,
            &["Pleiku"],
        ),
        agency(
            "ubnd-duc-co",
            "UBND huyện Đức Cơ",
            "UBND Đức Cơ",
            District,
            true,
            &["Đức Cơ", "huyện Đức Cơ"],
        ),
        agency(
            "ubnd-chu-prong",
            "UBND huyện Chư Prông",
            "UBND Chư Prông",
            District,
            true,
            &["Chư Prông", "huyện Chư Prông"],
        ),
        agency(
            "ubnd-ia-grai",
            "UBND huyện Ia Grai",
            "UBND Ia Grai",
            District,
            true,
            &["Ia Grai", "huyện Ia Grai"],
        ),
        agency(
            "ubnd-chu-se",
            "UBND huyện Chư Sê",
            "UBND Chư Sê",
            District,
            false,
            &["Chư Sê"],
        ),
    ])
}

fn numbers(plan: &Plan) -> Vec<&str> {
    plan.tasks.iter().map(|t| t.number.as_str()).collect()
}

#[test]
fn kon_tum_2020_in_another_text_style() {
    let plan = parse_plan(KON_TUM_2020).unwrap();
    assert_eq!(plan.code.as_str(), "87/KH-UBND");
    assert_eq!(plan.date, d(2020, 1, 10));
    assert_eq!(
        plan.title,
        "Hoạt động thông tin đối ngoại tỉnh Kon Tum năm 2020"
    );
    assert_eq!(plan.year, 2020);
    assert_eq!(plan.legal_bases.len(), 2);
    assert_eq!(
        numbers(&plan),
        ["1.1", "1.2", "1.3", "2.1.a", "2.1.b", "2.2", "3"]
    );
    let t = |n: &str| plan.task(&num(n)).unwrap();

    assert_eq!(named(&t("1.1").lead), ["so-vhttdl", "so-ngoai-vu"]);
    assert_eq!(t("1.1").lead_qualifiers, [Qualifier::ByFunction]);
    assert_eq!(named(&t("1.1").coordinating), ["bao-kon-tum", "dai-ptth"]);
    assert_eq!(
        t("1.1").coordinating_qualifiers,
        [Qualifier::ProvidesInformation]
    );
    assert_eq!(
        t("1.1").timeframe,
        Timeframe::Month {
            month: 6,
            year: 2020
        }
    );

    assert_eq!(named(&t("1.2").lead), ["van-phong-ubnd"]);
    assert_eq!(named(&t("1.2").coordinating), ["so-tttt"]);
    assert_eq!(
        t("1.2").timeframe,
        Timeframe::HalfYear {
            half: 1,
            year: 2020
        }
    );
    assert_eq!(
        t("1.2").text,
        "Cập nhật thông tin đối ngoại trên Cổng thông tin điện tử tỉnh, hoàn thiện chuyên mục tiếng Anh và tiếng Lào."
    );

    // No role lines at all: kept, with nothing resolved.
    assert!(t("1.3").lead.is_empty() && t("1.3").coordinating.is_empty());
    assert_eq!(t("1.3").timeframe, Timeframe::Unspecified);

    // Lettered sub-items; a coordinating line under heading 2 is inherited.
    assert_eq!(named(&t("2.1.a").lead), ["bdbp-don-bo-y", "ubnd-ngoc-hoi"]);
    assert_eq!(t("2.1.a").lead_qualifiers, [Qualifier::Implements]);
    assert_eq!(groups(&t("2.1.a").coordinating_groups), [BorderDistricts]);
    assert!(t("2.1.a").involves(&id("ubnd-sa-thay")));
    assert_eq!(
        t("2.1.a").timeframe,
        Timeframe::Quarter {
            quarter: 3,
            year: 2020
        }
    );
    assert_eq!(named(&t("2.1.b").lead), ["bdbp"]);
    assert_eq!(
        named(&t("2.1.b").coordinating),
        ["ubnd-dak-glei", "ubnd-sa-thay"]
    );
    assert_eq!(
        t("2.1.b").timeframe,
        Timeframe::HalfYear {
            half: 2,
            year: 2020
        }
    );

    // A sentence across a page break, "Ủy ban nhân dân" written out, a dated deadline.
    assert!(
        t("2.2")
            .text
            .contains("cung cấp thông tin cho cộng đồng người Việt"),
        "{}",
        t("2.2").text
    );
    assert_eq!(groups(&t("2.2").coordinating_groups), [Districts]);
    assert_eq!(t("2.2").coordinating_qualifiers, [Qualifier::Implements]);
    assert_eq!(
        t("2.2").timeframe,
        Timeframe::Deadline {
            date: d(2020, 6, 30)
        }
    );
    assert_eq!(t("2.2").timeframe_text, "trước ngày 30/6/2020");

    assert_eq!(named(&t("3").lead), ["so-tttt"]);
    assert_eq!(t("3").lead_qualifiers, [Qualifier::MonitorGuideConsolidate]);
    assert_eq!(
        groups(&t("3").coordinating_groups),
        [Departments, Districts]
    );
    assert_eq!(
        t("3").timeframe,
        Timeframe::Quarter {
            quarter: 4,
            year: 2020
        }
    );

    let sections: Vec<&str> = plan.sections.iter().map(|s| s.number.as_str()).collect();
    assert_eq!(sections, ["1", "2", "2.1"]);

    assert_eq!(plan.reporting.len(), 2);
    assert_eq!(plan.reporting[0].agency_deadline, d(2020, 6, 10));
    assert_eq!(
        plan.reporting[0].consolidation_deadline,
        Some(d(2020, 6, 20))
    );
    assert_eq!(plan.reporting[1].agency_deadline, d(2020, 11, 30));
    assert_eq!(
        plan.reporting[1].consolidation_deadline,
        Some(d(2020, 12, 10))
    );
    assert_eq!(
        plan.reporting[1]
            .consolidator
            .as_ref()
            .map(|a| a.id.as_str()),
        Some("so-tttt")
    );

    // Tasks of the second half wait for the annual report.
    let cal = plan.calendar();
    let h1 = cal.obligations(&cal.periods_through(2020)[0]);
    assert!(
        !h1.iter().any(|o| o.agency == id("bdbp")),
        "bdbp's only task is in the second half"
    );
    assert!(
        !h1.iter().any(|o| o.agency == id("bdbp-don-bo-y")),
        "2.1.a is a third-quarter task"
    );
    let districts = h1.iter().find(|o| o.agency == id("ubnd-kon-ray")).unwrap();
    assert_eq!(districts.tasks, [num("2.2")]);
    let year = cal.obligations(&cal.periods_through(2020)[1]);
    let lead_b = year
        .iter()
        .find(|o| o.agency == id("bdbp") && o.role == ObligationRole::Report)
        .unwrap();
    assert_eq!(lead_b.tasks, [num("2.1.b")]);
    let post = year
        .iter()
        .find(|o| o.agency == id("bdbp-don-bo-y"))
        .unwrap();
    assert_eq!(post.tasks, [num("2.1.a")]);
}

#[test]
fn gia_lai_2020_with_a_task_table_appendix() {
    let registry = gia_lai();
    let plan = parse_plan_with(GIA_LAI_2020, &registry).unwrap();
    assert_eq!(plan.code.as_str(), "512/KH-UBND");
    assert_eq!(plan.date, d(2020, 2, 20));
    assert_eq!(plan.province, "Gia Lai");
    assert_eq!(plan.issuer, "Ủy ban nhân dân tỉnh Gia Lai");
    assert_eq!(numbers(&plan), ["1.1", "1.2", "2.1.a", "2.1.b", "2.2"]);
    let t = |n: &str| plan.task(&num(n)).unwrap();

    assert_eq!(named(&t("1.1").lead), ["so-tttt"]);
    assert_eq!(named(&t("1.1").coordinating), ["bao-gia-lai", "dai-ptth"]);
    assert_eq!(t("1.1").timeframe, Timeframe::Ongoing);
    assert_eq!(named(&t("1.2").lead), ["so-ngoai-vu"]);
    assert_eq!(
        groups(&t("1.2").coordinating_groups),
        [Departments, Districts]
    );
    assert!(t("1.2").involves(&id("ubnd-chu-se")));
    assert!(
        t("1.2")
            .text
            .ends_with("trong đó có nội dung quảng bá du lịch và thu hút đầu tư"),
        "{}",
        t("1.2").text
    );
    assert_eq!(
        t("1.2").timeframe,
        Timeframe::Quarter {
            quarter: 2,
            year: 2020
        }
    );

    // Lettered rows take their lead from the numbered row above.
    assert_eq!(named(&t("2.1.a").lead), ["bdbp"]);
    assert_eq!(named(&t("2.1.a").coordinating), ["ubnd-duc-co"]);
    assert_eq!(t("2.1.a").title, "Cửa khẩu quốc tế Lệ Thanh");
    assert_eq!(named(&t("2.1.b").lead), ["bdbp"]);
    assert_eq!(
        t("2.1.b").coordinating_groups[0].members,
        [id("ubnd-duc-co"), id("ubnd-chu-prong"), id("ubnd-ia-grai")]
    );
    assert_eq!(t("2.1.b").timeframe, Timeframe::FromYear { year: 2020 });
    assert_eq!(named(&t("2.2").lead), ["cong-an", "bdbp"]);
    assert_eq!(groups(&t("2.2").coordinating_groups), [Press]);
    assert_eq!(
        t("2.2").timeframe,
        Timeframe::HalfYear {
            half: 2,
            year: 2020
        }
    );

    let sections: Vec<(&str, &str)> = plan
        .sections
        .iter()
        .map(|s| (s.number.as_str(), s.title.as_str()))
        .collect();
    assert_eq!(
        sections,
        [
            ("1", "Thông tin, tuyên truyền đối ngoại"),
            ("2", "Thông tin đối ngoại khu vực biên giới"),
            ("2.1", "Tổ chức thông tin đối ngoại tại khu vực cửa khẩu")
        ]
    );

    // Deadlines written before their kind ("trước ngày 15/6 (báo cáo 6 tháng)").
    assert_eq!(plan.reporting.len(), 2);
    assert_eq!(plan.reporting[0].agency_deadline, d(2020, 6, 10));
    assert_eq!(
        plan.reporting[0].consolidation_deadline,
        Some(d(2020, 6, 15))
    );
    assert_eq!(plan.reporting[1].agency_deadline, d(2020, 11, 20));
    assert_eq!(
        plan.reporting[1].consolidation_deadline,
        Some(d(2020, 11, 30))
    );

    // Through Kon Tum's registry alone, Gia Lai's plan gets none of Kon Tum's
    // agencies: what it names is new, its groups stay unmapped.
    let alone = parse_plan(GIA_LAI_2020).unwrap();
    assert_eq!(numbers(&alone), numbers(&plan));
    // (Ids are scoped by province: Gia Lai's new "so-ngoai-vu" is its own.)
    for t in &alone.tasks {
        for a in t.lead.iter().chain(&t.coordinating) {
            assert!(
                alone
                    .new_agencies
                    .iter()
                    .any(|n| n.id == a.id && n.name == a.name),
                "{} in {}",
                a.id,
                t.number
            );
        }
    }
    assert_eq!(
        alone.unmapped_groups,
        [
            "Các sở, ban, ngành",
            "UBND các huyện, thị xã, thành phố",
            "Các cơ quan báo chí, truyền thông tỉnh"
        ]
    );
    let new: Vec<&str> = alone.new_agencies.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        new,
        [
            "so-thong-tin-va-truyen-thong",
            "bao-gia-lai",
            "dai-phat-thanh-truyen-hinh-tinh",
            "so-ngoai-vu",
            "bo-chi-huy-bo-doi-bien-phong-tinh",
            "ubnd-huyen-duc-co",
            "ubnd-huyen-chu-prong",
            "ubnd-huyen-ia-grai",
            "cong-an-tinh"
        ]
    );
    let t21b = alone.task(&num("2.1.b")).unwrap();
    assert_eq!(
        t21b.coordinating_groups[0].members,
        [
            id("ubnd-huyen-duc-co"),
            id("ubnd-huyen-chu-prong"),
            id("ubnd-huyen-ia-grai")
        ],
        "the bracket names the border districts"
    );
    assert!(alone.new_agencies[5].border);
    assert_eq!(
        named(&alone.task(&num("2.2")).unwrap().lead),
        ["cong-an-tinh", "bo-chi-huy-bo-doi-bien-phong-tinh"],
        "“Bộ Chỉ huy BĐBP tỉnh” is the same command"
    );
    let line = GIA_LAI_2020
        .lines()
        .position(|l| l.contains("Báo Gia Lai<br>"))
        .unwrap()
        + 1;
    assert!(
        alone
            .warnings
            .iter()
            .any(|w| w.line == line && w.message.contains("Báo Gia Lai")),
        "{:?}",
        alone.warnings
    );
}

#[test]
fn table_errors_name_the_row() {
    let registry = gia_lai();
    let broken = GIA_LAI_2020.replace(
        "| Tuyên truyền về đường biên giới Việt Nam - Campuchia |",
        "| Tuyên truyền về đường biên giới |  |",
    );
    let e = parse_plan_with(&broken, &registry).unwrap_err();
    assert_eq!(e.line, GIA_LAI_2020.lines().count());
    assert!(e.expected.contains("6 cells"), "{e}");
    let bad_number = GIA_LAI_2020.replace("| 2 | Xây dựng", "| 2x | Xây dựng");
    let e = parse_plan_with(&bad_number, &registry).unwrap_err();
    assert!(e.expected.contains("2x"), "{e}");
}

#[test]
fn kon_tum_2021_with_implementing_agencies_and_dated_deadlines() {
    let plan = parse_plan(KON_TUM_2021).unwrap();
    assert_eq!(plan.code.as_str(), "1044/KH-UBND");
    assert_eq!(plan.year, 2021);
    assert_eq!(numbers(&plan), ["1", "2", "3", "4"]);
    let t = |n: &str| plan.task(&num(n)).unwrap();

    // Bullets with no role lines of their own are the task's content.
    assert_eq!(
        t("1").title,
        "Tuyên truyền kỷ niệm các ngày lễ lớn của đất nước và của tỉnh"
    );
    assert!(t("1").text.contains("- Tổ chức tọa đàm"), "{}", t("1").text);
    assert_eq!(named(&t("1").lead), ["bao-kon-tum", "dai-ptth"]);
    assert_eq!(t("1").lead_qualifiers, [Qualifier::Implements]);
    assert_eq!(
        named(&t("1").coordinating),
        ["so-ngoai-vu", "so-noi-vu", "ban-ton-giao"]
    );
    assert_eq!(
        t("1").timeframe,
        Timeframe::Deadline {
            date: d(2021, 6, 30)
        }
    );

    assert_eq!(named(&t("2").lead), ["so-vhttdl"]);
    assert_eq!(t("2").lead_qualifiers, [Qualifier::MonitorGuideConsolidate]);
    assert_eq!(
        named(&t("2").coordinating),
        ["ubnd-kon-plong", "ubnd-dak-glei"]
    );
    assert_eq!(
        t("2").timeframe,
        Timeframe::Deadline {
            date: d(2021, 9, 15)
        }
    );

    assert_eq!(named(&t("3").lead), ["cong-an", "bchqs"]);
    let bng = &t("3").coordinating[0];
    assert_eq!(bng.id, id("bo-ngoai-giao"));
    assert!(bng.external && bng.requested);
    assert_eq!(t("3").coordinating_groups[0].members.len(), 4);
    assert_eq!(t("3").timeframe, Timeframe::Year { year: 2021 });

    assert_eq!(named(&t("4").lead), ["so-tu-phap"]);
    assert!(t("4").coordinating.is_empty());
    assert_eq!(t("4").timeframe, Timeframe::Unspecified);

    // The annual consolidation "trước ngày 15/01 năm sau" falls in the next year.
    assert_eq!(plan.reporting[0].agency_deadline, d(2021, 6, 10));
    assert_eq!(
        plan.reporting[0].consolidation_deadline,
        Some(d(2021, 6, 20))
    );
    assert_eq!(plan.reporting[1].agency_deadline, d(2021, 12, 1));
    assert_eq!(
        plan.reporting[1].consolidation_deadline,
        Some(d(2022, 1, 15))
    );
    let cal = plan.calendar();
    let late = cal.consolidations_missing(d(2022, 1, 16), &BTreeSet::new());
    assert_eq!(
        late.iter().map(|o| o.period).collect::<Vec<_>>(),
        [Period::half_year(2021), Period::year(2021)]
    );
    assert_eq!(
        cal.consolidations_missing(d(2022, 1, 14), &[Period::half_year(2021)].into()),
        []
    );
}
