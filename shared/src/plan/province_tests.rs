//! Plans of other provinces and years, written for these tests in the styles the
//! family uses (`fixtures/`): each read task by task (number, lead, coordinating,
//! groups, timeframe) and report by report (period, both deadlines, consolidator),
//! with the agencies they create, the groups they leave unmapped and the warnings.

use super::*;

const QUANG_TRI_2022: &str = include_str!("fixtures/quang-tri-2022-mot-cau-tong-hop.md");
const HUE_2023: &str = include_str!("fixtures/thua-thien-hue-2023-muc-chu-cai.md");
const LAO_CAI_2020: &str = include_str!("fixtures/lao-cai-2020-nhan-khong-gach.md");
const GIA_LAI_2025: &str = include_str!("fixtures/gia-lai-2025-sau-sap-xep-phu-luc.md");
const DAK_LAK_2021: &str = include_str!("fixtures/dak-lak-2021-co-quan-thuong-truc.md");
const KON_TUM_2023: &str = include_str!("fixtures/kon-tum-2023-ten-moi.md");
const SEED: &str = include_str!("../../../seed/ke-hoach-215-KH-UBND-2019-kon-tum.md");
const QUANG_TRI_JSON: &str = include_str!("../../../seed/registries/quang-tri.json");

use AgencyKind::{ArmedForces, Central, Commune, Department, District, Party, Press};
use Group::{AgenciesAndUnits, BorderDistricts, Communes, Districts, Other};

fn id(s: &str) -> AgencyId {
    AgencyId::parse(s).unwrap()
}

fn num(s: &str) -> TaskNumber {
    TaskNumber::parse(s).unwrap()
}

fn d(y: i32, m: u8, day: u8) -> Date {
    Date::new(y, m, day).unwrap()
}

/// The registries a server would ship: Kon Tum's and Quảng Trị's.
fn registries() -> Vec<Registry> {
    vec![
        Registry::kon_tum().clone(),
        Registry::from_json(QUANG_TRI_JSON).unwrap(),
    ]
}

fn parse(text: &str) -> Plan {
    parse_plan_in(text, &registries()).unwrap()
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

/// What one task should be.
struct T {
    number: &'static str,
    /// The agencies named as leads, in order.
    lead: &'static [&'static str],
    /// The agencies named as coordinating, in order.
    coordinating: &'static [&'static str],
    /// The coordinating group phrases, with how many agencies each stands for.
    groups: &'static [(Group, usize)],
    timeframe: Timeframe,
}

/// What one report should be: period, agencies' deadline, consolidation deadline,
/// consolidator.
type R = (&'static str, Date, Date, &'static str);

fn named(list: &[AgencyName]) -> Vec<&str> {
    list.iter()
        .filter(|a| a.via.is_none())
        .map(|a| a.id.as_str())
        .collect()
}

fn check(plan: &Plan, tasks: &[T], reports: &[R]) {
    let numbers: Vec<&str> = plan.tasks.iter().map(|t| t.number.as_str()).collect();
    let expected: Vec<&str> = tasks.iter().map(|t| t.number).collect();
    assert_eq!(numbers, expected, "{}", plan.province);
    for (t, e) in plan.tasks.iter().zip(tasks) {
        let at = format!("{} {}", plan.province, e.number);
        assert_eq!(named(&t.lead), e.lead, "lead of {at}");
        assert!(t.lead_groups.is_empty(), "lead groups of {at}");
        assert_eq!(
            named(&t.coordinating),
            e.coordinating,
            "coordinating of {at}"
        );
        let groups: Vec<(Group, usize)> = t
            .coordinating_groups
            .iter()
            .map(|g| (g.group, g.members.len()))
            .collect();
        assert_eq!(groups, e.groups, "groups of {at}");
        assert_eq!(t.timeframe, e.timeframe, "timeframe of {at}");
        // Every agency a task names is the registry's or one of the plan's new ones,
        // under that agency's name.
        for a in t.lead.iter().chain(&t.coordinating) {
            let known = registries()
                .iter()
                .filter(|r| r.is_for(&plan.province))
                .find_map(|r| r.get(&a.id).cloned());
            let agency = known
                .or_else(|| plan.new_agencies.iter().find(|n| n.id == a.id).cloned())
                .unwrap_or_else(|| panic!("{} in {at} comes from nowhere", a.id));
            assert_eq!(a.name, agency.name, "{at}");
            assert_eq!(a.external, agency.external, "{at}");
        }
    }
    let got: Vec<(String, Date, Option<Date>, Option<&str>)> = plan
        .reporting
        .iter()
        .map(|r| {
            (
                r.period.code(),
                r.agency_deadline,
                r.consolidation_deadline,
                r.consolidator.as_ref().map(|a| a.id.as_str()),
            )
        })
        .collect();
    let want: Vec<(String, Date, Option<Date>, Option<&str>)> = reports
        .iter()
        .map(|(p, a, c, who)| ((*p).to_owned(), *a, Some(*c), Some(*who)))
        .collect();
    assert_eq!(got, want, "reports of {}", plan.province);
}

/// The new agencies: id, name, kind and whether outside the province.
fn new_agencies(plan: &Plan) -> Vec<(&str, &str, AgencyKind, bool)> {
    plan.new_agencies
        .iter()
        .map(|a| (a.id.as_str(), a.name.as_str(), a.kind, a.external))
        .collect()
}

#[test]
fn quang_tri_2022_with_its_registry_and_a_one_sentence_calendar() {
    let plan = parse(QUANG_TRI_2022);
    assert_eq!(plan.code.as_str(), "1256/KH-UBND");
    assert_eq!(plan.date, d(2022, 3, 18));
    assert_eq!(plan.province, "Quảng Trị");
    assert_eq!(plan.issuer, "Ủy ban nhân dân tỉnh Quảng Trị");
    assert_eq!(plan.year, 2022);
    assert_eq!(plan.legal_bases.len(), 2);
    check(
        &plan,
        &[
            T {
                number: "1.1",
                lead: &["so-vhttdl"],
                coordinating: &["so-tttt"],
                groups: &[(Group::Press, 0), (Districts, 10)],
                timeframe: Timeframe::Quarter {
                    quarter: 2,
                    year: 2022,
                },
            },
            T {
                number: "1.2",
                lead: &["van-phong-ubnd-tinh"],
                // "Sở Bưu chính, Viễn thông" is Sở TT&TT's former name in the registry.
                coordinating: &["so-tttt", "so-ngoai-vu"],
                groups: &[],
                timeframe: Timeframe::Ongoing,
            },
            T {
                number: "2.1",
                lead: &["bdbp"],
                coordinating: &[
                    "don-bien-phong-cua-khau-quoc-te-lao-bao",
                    "don-bien-phong-a-tuc",
                ],
                groups: &[(BorderDistricts, 2)],
                timeframe: Timeframe::Year { year: 2022 },
            },
            T {
                number: "2.2",
                lead: &["so-ngoai-vu"],
                coordinating: &[
                    "ubnd-huong-hoa",
                    "ubnd-dakrong",
                    "truong-cao-dang-su-pham-quang-tri",
                ],
                groups: &[],
                timeframe: Timeframe::HalfYear {
                    half: 2,
                    year: 2022,
                },
            },
            T {
                number: "3",
                lead: &["cong-an", "so-tttt"],
                coordinating: &["bchqs", "ban-tuyen-giao-tinh-uy"],
                groups: &[],
                timeframe: Timeframe::Ongoing,
            },
        ],
        // "báo cáo 6 tháng trước ngày 15/6/2022 và báo cáo năm trước ngày 15/11/2022
        // về Sở TT&TT để tổng hợp, báo cáo UBND tỉnh trước ngày 25/6/2022 và
        // 25/11/2022": one sentence, both deadlines of each report.
        &[
            ("H1-2022", d(2022, 6, 15), d(2022, 6, 25), "so-tttt"),
            ("Y-2022", d(2022, 11, 15), d(2022, 11, 25), "so-tttt"),
        ],
    );
    let t = |n: &str| plan.task(&num(n)).unwrap();
    // The districts are Quảng Trị's; the border districts those of the file.
    let districts = &t("1.1").coordinating_groups[1].members;
    assert!(districts.contains(&id("ubnd-tp-dong-ha")) && districts.contains(&id("ubnd-con-co")));
    assert_eq!(
        t("2.1").coordinating_groups[0].members,
        [id("ubnd-huong-hoa"), id("ubnd-dakrong")]
    );
    let btg = t("3")
        .coordinating
        .iter()
        .find(|a| a.id == id("ban-tuyen-giao-tinh-uy"))
        .unwrap();
    assert!(btg.requested, "a Party body is asked");
    assert_eq!(
        new_agencies(&plan),
        [
            (
                "van-phong-ubnd-tinh",
                "Văn phòng UBND tỉnh",
                Department,
                false
            ),
            (
                "don-bien-phong-cua-khau-quoc-te-lao-bao",
                "Đồn Biên phòng Cửa khẩu quốc tế Lao Bảo",
                ArmedForces,
                false
            ),
            (
                "don-bien-phong-a-tuc",
                "Đồn Biên phòng A Túc",
                ArmedForces,
                false
            ),
            (
                "truong-cao-dang-su-pham-quang-tri",
                "Trường Cao đẳng Sư phạm Quảng Trị",
                Department,
                false
            ),
            (
                "ban-tuyen-giao-tinh-uy",
                "Ban Tuyên giáo Tỉnh ủy",
                Party,
                false
            ),
        ]
    );
    // Quảng Trị's file lists no press: that group is kept, to be mapped.
    assert_eq!(plan.unmapped_groups, ["các cơ quan báo chí, truyền thông"]);
    let lines: Vec<usize> = plan.warnings.iter().map(|w| w.line).collect();
    let press = line_of(QUANG_TRI_2022, "các cơ quan báo chí, truyền thông;");
    assert_eq!(
        lines,
        [
            press,
            press + 5,
            line_of(QUANG_TRI_2022, "Đồn Biên phòng A Túc"),
            line_of(QUANG_TRI_2022, "Đồn Biên phòng A Túc"),
            line_of(QUANG_TRI_2022, "Trường Cao đẳng"),
            line_of(QUANG_TRI_2022, "Ban Tuyên giáo Tỉnh ủy"),
        ]
    );
    assert!(
        plan.warnings[0]
            .message
            .contains("the registry of Quảng Trị")
    );

    // The consolidated report is Sở TT&TT's, after the agencies'.
    let cal = plan.calendar();
    let h1 = &cal.periods_through(2022)[0];
    let owed = cal.obligations(h1);
    let cons: Vec<&Obligation> = owed
        .iter()
        .filter(|o| o.role == ObligationRole::Consolidation)
        .collect();
    assert_eq!(cons.len(), 1);
    assert_eq!(cons[0].agency, id("so-tttt"));
    assert_eq!(cons[0].deadline, d(2022, 6, 25));
    assert!(
        owed.iter().any(|o| o.agency == id("ubnd-gio-linh")),
        "1.1 is a Q2 task of every district"
    );
    assert!(
        !owed
            .iter()
            .any(|o| o.agency == id("ban-tuyen-giao-tinh-uy")),
        "asked, so not owing"
    );
}

#[test]
fn a_quang_tri_plan_never_gets_kon_tum_agencies() {
    let qt = Registry::from_json(QUANG_TRI_JSON).unwrap();
    let with_qt = parse_plan_in(QUANG_TRI_2022, &registries()).unwrap();
    for plan in [
        parse_plan(QUANG_TRI_2022).unwrap(),
        parse_plan_with(QUANG_TRI_2022, Registry::kon_tum()).unwrap(),
        parse_plan_in(QUANG_TRI_2022, &[Registry::kon_tum().clone()]).unwrap(),
        parse_plan_in(QUANG_TRI_2022, &[]).unwrap(),
    ] {
        assert_eq!(plan.tasks.len(), 5);
        let groups = &plan.task(&num("1.1")).unwrap().coordinating_groups;
        assert_eq!(groups[1].text, "UBND các huyện, thị xã, thành phố");
        assert!(
            groups[1].members.is_empty(),
            "no registry for Quảng Trị here"
        );
        assert!(
            plan.unmapped_groups
                .contains(&"UBND các huyện, thị xã, thành phố".to_owned())
        );
        // Every agency a task involves, named or through a group, is one the plan
        // itself created: none is Kon Tum's.
        let own = |a: &AgencyId| plan.new_agencies.iter().any(|n| &n.id == a);
        for t in &plan.tasks {
            for a in t.lead.iter().chain(&t.coordinating) {
                assert!(own(&a.id), "{} in {}", a.id, t.number);
            }
            for g in t.lead_groups.iter().chain(&t.coordinating_groups) {
                assert!(g.members.iter().all(own), "{}", g.text);
            }
        }
        let districts: Vec<&str> = plan
            .new_agencies
            .iter()
            .filter(|a| a.kind == District)
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(districts, ["ubnd-huyen-huong-hoa", "ubnd-huyen-dakrong"]);
        let dates = |p: &Plan| {
            p.reporting
                .iter()
                .map(|r| (r.period, r.agency_deadline, r.consolidation_deadline))
                .collect::<Vec<_>>()
        };
        assert_eq!(dates(&plan), dates(&with_qt));
        assert_eq!(
            plan.reporting[0]
                .consolidator
                .as_ref()
                .map(|a| a.id.as_str()),
            Some("so-thong-tin-va-truyen-thong")
        );
    }
    // With its registry the same phrase is Quảng Trị's ten districts.
    let groups = &with_qt.task(&num("1.1")).unwrap().coordinating_groups;
    assert_eq!(groups[1].members.len(), 10);
    assert!(groups[1].members.iter().all(|m| qt.get(m).is_some()));
}

#[test]
fn thua_thien_hue_2023_with_lettered_items_and_no_registry() {
    let plan = parse(HUE_2023);
    assert_eq!(plan.code.as_str(), "35/KH-UBND");
    assert_eq!(plan.province, "Thừa Thiên Huế");
    assert_eq!(plan.issuer, "Ủy ban nhân dân tỉnh Thừa Thiên Huế");
    let sections: Vec<&str> = plan.sections.iter().map(|s| s.number.as_str()).collect();
    assert_eq!(sections, ["1", "2"]);
    check(
        &plan,
        &[
            T {
                number: "1.a",
                lead: &["trung-tam-festival-hue"],
                coordinating: &["so-du-lich", "dai-phat-thanh-va-truyen-hinh-thua-thien-hue"],
                groups: &[],
                timeframe: Timeframe::Quarter {
                    quarter: 1,
                    year: 2023,
                },
            },
            T {
                number: "1.b",
                lead: &["so-ngoai-vu"],
                coordinating: &["cong-an-tinh", "so-thong-tin-va-truyen-thong"],
                groups: &[],
                timeframe: Timeframe::Deadline {
                    date: d(2023, 6, 30),
                },
            },
            T {
                number: "2.a",
                lead: &["bo-chi-huy-bo-doi-bien-phong-tinh"],
                // "UBND các huyện A Lưới, Nam Đông": one agency each.
                coordinating: &[
                    "ubnd-huyen-a-luoi",
                    "ubnd-huyen-nam-dong",
                    "don-bien-phong-hong-van",
                ],
                groups: &[],
                timeframe: Timeframe::Year { year: 2023 },
            },
            T {
                number: "2.b",
                lead: &["so-tu-phap"],
                coordinating: &[],
                groups: &[(Districts, 0), (AgenciesAndUnits, 0)],
                timeframe: Timeframe::HalfYear {
                    half: 1,
                    year: 2023,
                },
            },
            T {
                number: "3",
                lead: &["so-thong-tin-va-truyen-thong"],
                coordinating: &["cuc-bao-chi", "bo-thong-tin-va-truyen-thong"],
                groups: &[],
                timeframe: Timeframe::Ongoing,
            },
        ],
        // "6 tháng đầu năm … và báo cáo năm …", sent to Sở Ngoại vụ, which consolidates.
        &[
            ("H1-2023", d(2023, 6, 10), d(2023, 6, 20), "so-ngoai-vu"),
            ("Y-2023", d(2023, 11, 20), d(2023, 12, 5), "so-ngoai-vu"),
        ],
    );
    let t = |n: &str| plan.task(&num(n)).unwrap();
    assert!(
        t("3")
            .coordinating
            .iter()
            .all(|a| a.requested && a.external)
    );
    assert_eq!(
        new_agencies(&plan),
        [
            (
                "trung-tam-festival-hue",
                "Trung tâm Festival Huế",
                Department,
                false
            ),
            ("so-du-lich", "Sở Du lịch", Department, false),
            (
                "dai-phat-thanh-va-truyen-hinh-thua-thien-hue",
                "Đài Phát thanh và Truyền hình Thừa Thiên Huế",
                Press,
                false
            ),
            ("so-ngoai-vu", "Sở Ngoại vụ", Department, false),
            ("cong-an-tinh", "Công an tỉnh", ArmedForces, false),
            (
                "so-thong-tin-va-truyen-thong",
                "Sở Thông tin và Truyền thông",
                Department,
                false
            ),
            (
                "bo-chi-huy-bo-doi-bien-phong-tinh",
                "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
                ArmedForces,
                false
            ),
            ("ubnd-huyen-a-luoi", "UBND huyện A Lưới", District, false),
            (
                "ubnd-huyen-nam-dong",
                "UBND huyện Nam Đông",
                District,
                false
            ),
            (
                "don-bien-phong-hong-van",
                "Đồn Biên phòng Hồng Vân",
                ArmedForces,
                false
            ),
            ("so-tu-phap", "Sở Tư pháp", Department, false),
            ("cuc-bao-chi", "Cục Báo chí", Central, true),
            (
                "bo-thong-tin-va-truyen-thong",
                "Bộ Thông tin và Truyền thông",
                Central,
                true
            ),
        ]
    );
    assert_eq!(
        plan.unmapped_groups,
        [
            "UBND các huyện, thị xã, thành phố",
            "các cơ quan, đơn vị liên quan"
        ]
    );
    assert_eq!(plan.warnings.len(), 15);
    let list_line = line_of(HUE_2023, "UBND các huyện A Lưới");
    assert_eq!(
        plan.warnings.iter().filter(|w| w.line == list_line).count(),
        3
    );
    // Sở Ngoại vụ consolidates, and owes its own report too.
    let cal = plan.calendar();
    let year = &cal.periods_through(2023)[1];
    let owed = cal.obligations(year);
    let cons = owed
        .iter()
        .find(|o| o.role == ObligationRole::Consolidation)
        .unwrap();
    assert_eq!(
        (cons.agency.as_str(), cons.deadline),
        ("so-ngoai-vu", d(2023, 12, 5))
    );
    assert_eq!(cons.tasks.len(), 5);
    assert!(!owed.iter().any(|o| o.agency == id("cuc-bao-chi")));
}

#[test]
fn lao_cai_2020_with_labels_without_bullets_and_quarterly_reports() {
    let plan = parse(LAO_CAI_2020);
    assert_eq!(plan.province, "Lào Cai");
    assert_eq!(plan.date, d(2020, 2, 21));
    const SO: &str = "so-thong-tin-va-truyen-thong";
    check(
        &plan,
        &[
            T {
                number: "1",
                lead: &["so-cong-thuong"],
                coordinating: &["so-ngoai-vu", "so-van-hoa-va-the-thao", "bao-lao-cai"],
                groups: &[],
                timeframe: Timeframe::Quarter {
                    quarter: 4,
                    year: 2020,
                },
            },
            T {
                number: "2",
                lead: &["bo-chi-huy-bo-doi-bien-phong-tinh"],
                coordinating: &[
                    "don-bien-phong-cua-khau-quoc-te-lao-cai",
                    "ubnd-huyen-bat-xat",
                    "ubnd-huyen-muong-khuong",
                    "ubnd-thanh-pho-lao-cai",
                ],
                groups: &[],
                timeframe: Timeframe::Ongoing,
            },
            T {
                number: "3",
                lead: &["ban-quan-ly-khu-kinh-te-tinh"],
                coordinating: &["cuc-hai-quan-tinh", "dai-phat-thanh-truyen-hinh-lao-cai"],
                groups: &[],
                timeframe: Timeframe::HalfYear {
                    half: 1,
                    year: 2020,
                },
            },
            T {
                number: "4",
                lead: &[SO],
                coordinating: &["cuc-thong-tin-doi-ngoai", "bo-thong-tin-va-truyen-thong"],
                groups: &[(Districts, 0)],
                timeframe: Timeframe::Quarter {
                    quarter: 3,
                    year: 2020,
                },
            },
        ],
        &[
            ("Q1-2020", d(2020, 3, 15), d(2020, 3, 20), SO),
            ("Q2-2020", d(2020, 6, 15), d(2020, 6, 20), SO),
            ("Q3-2020", d(2020, 9, 15), d(2020, 9, 20), SO),
            ("Q4-2020", d(2020, 12, 15), d(2020, 12, 20), SO),
            ("Y-2020", d(2020, 11, 15), d(2020, 11, 25), SO),
        ],
    );
    let by_id = |s: &str| plan.new_agencies.iter().find(|a| a.id == id(s)).unwrap();
    assert_eq!(
        by_id("so-van-hoa-va-the-thao").name,
        "Sở Văn hóa và Thể thao"
    );
    assert_eq!(
        by_id("ubnd-thanh-pho-lao-cai").short_name,
        "UBND TP Lào Cai"
    );
    assert_eq!(by_id("ubnd-thanh-pho-lao-cai").kind, District);
    assert_eq!(
        by_id("ban-quan-ly-khu-kinh-te-tinh").short_name,
        "Ban QLKKT tỉnh"
    );
    // A "Cục … tỉnh" is the central office's branch in the province.
    assert!(!by_id("cuc-hai-quan-tinh").external);
    assert!(by_id("cuc-thong-tin-doi-ngoai").external);
    assert_eq!(plan.new_agencies.len(), 15);
    assert_eq!(plan.unmapped_groups, ["UBND các huyện, thị xã, thành phố"]);

    let cal = plan.calendar();
    let periods: Vec<String> = cal
        .periods_through(2020)
        .iter()
        .map(|p| p.period.code())
        .collect();
    assert_eq!(
        periods,
        ["Q1-2020", "Q2-2020", "Q3-2020", "Y-2020", "Q4-2020"]
    );
    let q3 = cal.obligations(&cal.periods_through(2020)[2]);
    let mine: Vec<&str> = q3
        .iter()
        .filter(|o| o.role == ObligationRole::Report)
        .map(|o| o.agency.as_str())
        .collect();
    assert!(
        mine.contains(&SO) && mine.contains(&"ubnd-huyen-bat-xat"),
        "{mine:?}"
    );
    assert!(!mine.contains(&"cuc-thong-tin-doi-ngoai"));
    assert!(!mine.contains(&"so-cong-thuong"), "a Q4 task");
}

#[test]
fn gia_lai_2025_after_the_merger_with_an_appendix_table() {
    let plan = parse(GIA_LAI_2025);
    assert_eq!(plan.province, "Gia Lai");
    assert_eq!(plan.year, 2025);
    // Two provinces' "215/KH-UBND" are told apart by their issuers.
    let seed = parse(SEED);
    assert_eq!(plan.code, seed.code);
    assert_ne!(plan.issuer, seed.issuer);
    const VH: &str = "so-van-hoa-the-thao-va-du-lich";
    check(
        &plan,
        &[
            T {
                number: "1.1",
                lead: &[VH],
                coordinating: &["so-ngoai-vu", "so-khoa-hoc-va-cong-nghe"],
                groups: &[],
                timeframe: Timeframe::Quarter {
                    quarter: 4,
                    year: 2025,
                },
            },
            T {
                number: "1.2",
                lead: &["van-phong-ubnd-tinh"],
                coordinating: &["bao-va-phat-thanh-truyen-hinh-gia-lai"],
                groups: &[],
                timeframe: Timeframe::Ongoing,
            },
            T {
                number: "2.1.a",
                lead: &["bo-chi-huy-bo-doi-bien-phong-tinh"],
                coordinating: &["don-bien-phong-cua-khau-quoc-te-le-thanh", "ubnd-xa-ia-dom"],
                groups: &[],
                timeframe: Timeframe::Quarter {
                    quarter: 3,
                    year: 2025,
                },
            },
            T {
                number: "2.1.b",
                lead: &["bo-chi-huy-bo-doi-bien-phong-tinh"],
                coordinating: &["ubnd-xa-ia-puch", "ubnd-xa-ia-mo"],
                groups: &[],
                timeframe: Timeframe::Year { year: 2025 },
            },
            T {
                number: "2.2",
                lead: &["so-nong-nghiep-va-moi-truong"],
                coordinating: &["cong-an-tinh"],
                groups: &[(Communes, 0)],
                timeframe: Timeframe::Quarter {
                    quarter: 4,
                    year: 2025,
                },
            },
        ],
        // The consolidator is read from the text: a department the plan names for the
        // first time in its calendar sentence.
        &[
            ("Q1-2025", d(2025, 3, 10), d(2025, 3, 20), VH),
            ("Q2-2025", d(2025, 6, 10), d(2025, 6, 20), VH),
            ("Q3-2025", d(2025, 9, 10), d(2025, 9, 20), VH),
            ("Q4-2025", d(2025, 12, 10), d(2025, 12, 20), VH),
            ("Y-2025", d(2025, 11, 20), d(2025, 11, 30), VH),
        ],
    );
    let kinds: Vec<(&str, AgencyKind)> = plan
        .new_agencies
        .iter()
        .map(|a| (a.id.as_str(), a.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            (VH, Department),
            ("so-ngoai-vu", Department),
            ("so-khoa-hoc-va-cong-nghe", Department),
            ("van-phong-ubnd-tinh", Department),
            ("bao-va-phat-thanh-truyen-hinh-gia-lai", Press),
            ("bo-chi-huy-bo-doi-bien-phong-tinh", ArmedForces),
            ("don-bien-phong-cua-khau-quoc-te-le-thanh", ArmedForces),
            ("ubnd-xa-ia-dom", Commune),
            ("ubnd-xa-ia-puch", Commune),
            ("ubnd-xa-ia-mo", Commune),
            ("so-nong-nghiep-va-moi-truong", Department),
            ("cong-an-tinh", ArmedForces),
        ]
    );
    assert_eq!(plan.unmapped_groups, ["UBND các xã, phường"]);
    let row = line_of(GIA_LAI_2025, "UBND xã Ia Dom");
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.line == row && w.message.contains("UBND xã Ia Dom")),
        "{:?}",
        plan.warnings
    );
    // The communes report on their tasks; the consolidated Q3 report is the
    // department's.
    let cal = plan.calendar();
    let q3 = cal
        .periods_through(2025)
        .into_iter()
        .find(|p| p.period.code() == "Q3-2025")
        .unwrap();
    let owed = cal.obligations(&q3);
    let dom = owed
        .iter()
        .find(|o| o.agency == id("ubnd-xa-ia-dom"))
        .unwrap();
    assert_eq!(dom.tasks, [num("2.1.a")]);
    let cons = owed
        .iter()
        .find(|o| o.role == ObligationRole::Consolidation)
        .unwrap();
    assert_eq!((cons.agency.as_str(), cons.deadline), (VH, d(2025, 9, 20)));
}

#[test]
fn dak_lak_2021_consolidated_by_a_new_department() {
    let plan = parse(DAK_LAK_2021);
    assert_eq!(plan.province, "Đắk Lắk");
    assert_eq!(plan.issuer, "Ủy ban nhân dân tỉnh Đắk Lắk");
    const VH: &str = "so-van-hoa-the-thao-va-du-lich";
    check(
        &plan,
        &[
            T {
                number: "1.1",
                lead: &[VH],
                // "Sở Nội vụ, Sở Tài chính, Công an tỉnh": three.
                coordinating: &[
                    "so-noi-vu",
                    "so-tai-chinh",
                    "cong-an-tinh",
                    "ubnd-thanh-pho-buon-ma-thuot",
                ],
                groups: &[(Other, 0)],
                timeframe: Timeframe::Month {
                    month: 3,
                    year: 2021,
                },
            },
            T {
                number: "1.2",
                lead: &[VH],
                coordinating: &[
                    "dai-phat-thanh-va-truyen-hinh-dak-lak",
                    "bao-dak-lak",
                    "so-thong-tin-va-truyen-thong",
                ],
                groups: &[],
                timeframe: Timeframe::HalfYear {
                    half: 1,
                    year: 2021,
                },
            },
            T {
                number: "2.1",
                lead: &["bo-chi-huy-bo-doi-bien-phong-tinh", "ban-dan-toc-tinh"],
                coordinating: &["don-bien-phong-yok-don"],
                groups: &[(BorderDistricts, 2)],
                timeframe: Timeframe::FromYear { year: 2021 },
            },
            T {
                number: "2.2",
                lead: &["so-ngoai-vu"],
                coordinating: &["bo-ngoai-giao"],
                groups: &[(AgenciesAndUnits, 0)],
                timeframe: Timeframe::Quarter {
                    quarter: 3,
                    year: 2021,
                },
            },
        ],
        &[
            ("H1-2021", d(2021, 6, 5), d(2021, 6, 15), VH),
            ("Y-2021", d(2021, 11, 5), d(2021, 11, 15), VH),
        ],
    );
    let t = |n: &str| plan.task(&num(n)).unwrap();
    // The bracket after "các huyện biên giới" names them: new districts on the border.
    assert_eq!(
        t("2.1").coordinating_groups[0].members,
        [id("ubnd-huyen-ea-sup"), id("ubnd-huyen-buon-don")]
    );
    let border: Vec<&str> = plan
        .new_agencies
        .iter()
        .filter(|a| a.border)
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(border, ["UBND huyện Ea Súp", "UBND huyện Buôn Đôn"]);
    assert_eq!(
        t("1.1").coordinating_groups[0].text,
        "các doanh nghiệp du lịch"
    );
    assert_eq!(
        plan.unmapped_groups,
        ["các doanh nghiệp du lịch", "các cơ quan, đơn vị liên quan"]
    );
    // Short names stay apart: Sở Nội vụ is "Sở NV", so Sở Ngoại vụ keeps its name.
    let short = |s: &str| {
        plan.new_agencies
            .iter()
            .find(|a| a.id == id(s))
            .map(|a| a.short_name.as_str())
            .unwrap()
    };
    assert_eq!(short("so-noi-vu"), "Sở NV");
    assert_eq!(short("so-ngoai-vu"), "Sở Ngoại vụ");
    assert_eq!(short(VH), "Sở VHTT&DL");
    assert_eq!(plan.new_agencies.len(), 15);
    assert_eq!(
        plan.warnings.len(),
        plan.new_agencies.len() + plan.unmapped_groups.len(),
        "one warning for each new agency and each unmapped group"
    );
}

#[test]
fn kon_tum_2023_picks_kon_tums_registry_and_reads_later_names() {
    let plan = parse(KON_TUM_2023);
    assert_eq!(plan.province, "Kon Tum");
    assert_eq!(plan.title, "Thông tin đối ngoại năm 2023");
    check(
        &plan,
        &[
            T {
                number: "1",
                // "Sở Văn hóa và Thể thao": an alias in Kon Tum's registry.
                lead: &["so-vhttdl"],
                coordinating: &["ubnd-kon-plong", "trung-tam-xuc-tien-dau-tu-tinh"],
                groups: &[],
                timeframe: Timeframe::Quarter {
                    quarter: 2,
                    year: 2023,
                },
            },
            T {
                number: "2",
                lead: &["so-tttt"],
                coordinating: &["bdbp"],
                groups: &[(BorderDistricts, 4), (Group::Press, 2)],
                timeframe: Timeframe::Year { year: 2023 },
            },
            T {
                number: "3",
                lead: &["so-ngoai-vu"],
                coordinating: &["bdbp-don-bo-y"],
                groups: &[(Districts, 10)],
                timeframe: Timeframe::HalfYear {
                    half: 2,
                    year: 2023,
                },
            },
        ],
        &[
            ("Q1-2023", d(2023, 3, 15), d(2023, 3, 20), "so-tttt"),
            ("Q2-2023", d(2023, 6, 15), d(2023, 6, 20), "so-tttt"),
            ("Q3-2023", d(2023, 9, 15), d(2023, 9, 20), "so-tttt"),
            ("Q4-2023", d(2023, 12, 15), d(2023, 12, 20), "so-tttt"),
            ("H1-2023", d(2023, 6, 10), d(2023, 6, 20), "so-tttt"),
            ("Y-2023", d(2023, 11, 30), d(2023, 12, 10), "so-tttt"),
        ],
    );
    assert_eq!(
        new_agencies(&plan),
        [(
            "trung-tam-xuc-tien-dau-tu-tinh",
            "Trung tâm Xúc tiến Đầu tư tỉnh",
            Department,
            false
        )]
    );
    assert!(plan.unmapped_groups.is_empty());
    assert_eq!(plan.warnings.len(), 1);
    assert_eq!(
        plan.warnings[0].line,
        line_of(KON_TUM_2023, "Trung tâm Xúc tiến")
    );
    // The same plan without Kon Tum's registry knows none of these agencies.
    let alone = parse_plan_in(
        KON_TUM_2023,
        &[Registry::from_json(QUANG_TRI_JSON).unwrap()],
    )
    .unwrap();
    assert_eq!(
        named(&alone.task(&num("1")).unwrap().lead),
        ["so-van-hoa-va-the-thao"]
    );
    assert_eq!(alone.unmapped_groups.len(), 3);
}

#[test]
fn the_seed_reads_the_same_through_every_entry_point() {
    let base = parse_plan(SEED).unwrap();
    assert_eq!(base.tasks.len(), 20);
    assert_eq!(parse(SEED), base);
    assert_eq!(parse_plan_with(SEED, Registry::kon_tum()).unwrap(), base);
    assert!(base.new_agencies.is_empty() && base.unmapped_groups.is_empty());
    assert!(base.warnings.is_empty(), "{:?}", base.warnings);
}
