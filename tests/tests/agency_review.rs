//! The administrators' agencies page through its API: an agency created from a plan's
//! wording waits for confirmation, and is confirmed, renamed or merged; refusals come
//! in the person's language and change nothing.

use serde_json::{Value, json};
use tiendo_shared::protocol::{AgencyEntry, PlanView};
use tiendo_tests::{Reply, TestServer};

const NEW: &str = "trung-tam-xuc-tien-dau-tu-tinh";

/// Kon Tum's 2023 plan names an agency no registry knows.
fn plan_2023() -> Vec<u8> {
    std::fs::read(format!(
        "{}/../shared/src/plan/fixtures/kon-tum-2023-ten-moi.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

fn post(server: &TestServer, token: &str, lang: &str, path: &str, body: Value) -> Reply {
    Reply::from(
        ureq::post(&server.url(path))
            .set("Authorization", &format!("Bearer {token}"))
            .set("Accept-Language", lang)
            .send_json(body),
    )
}

fn entry<'a>(list: &'a [AgencyEntry], id: &str) -> Option<&'a AgencyEntry> {
    list.iter().find(|a| a.id.as_str() == id)
}

fn started() -> (TestServer, String) {
    let server = TestServer::start();
    let admin = server.login("admin").token;
    let reply = server.post_raw(
        "/api/v1/plans/import?dry_run=false",
        Some(&admin),
        "application/octet-stream",
        &plan_2023(),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["new_agencies"][0]["id"], NEW, "{}", reply.body);
    (server, admin)
}

#[test]
fn an_agency_created_from_a_plan_waits_first_and_a_rename_confirms_it() {
    let (server, admin) = started();
    let list: Vec<AgencyEntry> = server.get("/api/v1/agencies", Some(&admin)).json();
    let first = &list[0];
    assert_eq!(first.id.as_str(), NEW, "waiting agencies come first");
    assert!(!first.confirmed);
    assert!(first.tasks >= 1, "{first:?}");
    assert_eq!(
        first.created_by.as_ref().map(|c| c.as_str()),
        Some("412/KH-UBND")
    );
    assert!(
        list[1..].iter().all(|a| a.confirmed),
        "the registry's agencies are confirmed"
    );
    assert!(entry(&list, "so-tttt").is_some());
    assert!(
        list.iter().all(|a| !a.id.as_str().starts_with("quang-tri")),
        "only the province's agencies"
    );

    // Only an administrator sees or changes the registry.
    assert_eq!(
        server
            .get("/api/v1/agencies", Some(&server.login("sotttt").token))
            .status,
        403
    );
    let staff = server.login("vhttdl").token;
    let reply = post(
        &server,
        &staff,
        "vi",
        "/api/v1/agencies/confirm",
        json!({"id": NEW}),
    );
    assert_eq!(reply.status, 403);

    // A name another agency has is refused, in the person's language, changing nothing.
    let taken = json!({"id": NEW, "name": "Sở Ngoại vụ"});
    let reply = post(
        &server,
        &admin,
        "vi",
        "/api/v1/agencies/rename",
        taken.clone(),
    );
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.body["field"], "name");
    let detail = reply.body["detail"].as_str().expect("detail");
    assert!(detail.contains("hãy gộp hai cơ quan"), "{detail}");
    let reply = post(
        &server,
        &admin,
        "en-GB,en;q=0.8",
        "/api/v1/agencies/rename",
        taken,
    );
    let detail = reply.body["detail"].as_str().expect("detail");
    assert!(detail.contains("merge the two instead"), "{detail}");
    let empty = json!({"id": NEW, "name": "  "});
    let reply = post(&server, &admin, "vi", "/api/v1/agencies/rename", empty);
    assert_eq!(reply.status, 422);
    let after: Vec<AgencyEntry> = server.get("/api/v1/agencies", Some(&admin)).json();
    assert_eq!(after, list, "nothing changed");

    // A rename confirms it and keeps the former name as an alias.
    let name = "Trung tâm Xúc tiến Đầu tư tỉnh Kon Tum";
    let reply = post(
        &server,
        &admin,
        "vi",
        "/api/v1/agencies/rename",
        json!({"id": NEW, "name": name, "short_name": "TTXTĐT", "keep_alias": true}),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let list: Vec<AgencyEntry> = reply.json();
    let renamed = entry(&list, NEW).expect("still there");
    assert!(renamed.confirmed);
    assert_eq!(
        (renamed.name.as_str(), renamed.short_name.as_str()),
        (name, "TTXTĐT")
    );
    assert_eq!(renamed.aliases, ["Trung tâm Xúc tiến Đầu tư tỉnh"]);
    assert!(list.iter().all(|a| a.confirmed));
}

#[test]
fn a_new_agency_is_confirmed_or_merged_into_one_the_province_has() {
    let (server, admin) = started();
    // Confirming keeps it as it is.
    let reply = post(
        &server,
        &admin,
        "vi",
        "/api/v1/agencies/confirm",
        json!({"id": NEW}),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let list: Vec<AgencyEntry> = reply.json();
    let confirmed = entry(&list, NEW).expect("kept");
    assert!(confirmed.confirmed);
    assert_eq!(confirmed.name, "Trung tâm Xúc tiến Đầu tư tỉnh");

    // Unknown agencies, and another province's, are not the administrator's: 404.
    for body in [
        json!({"from": NEW, "into": "khong-co"}),
        json!({"from": "khong-co", "into": "so-khdt"}),
    ] {
        let reply = post(&server, &admin, "vi", "/api/v1/agencies/merge", body);
        assert_eq!(reply.status, 404, "{}", reply.body);
    }
    let reply = post(
        &server,
        &admin,
        "vi",
        "/api/v1/agencies/merge",
        json!({"from": NEW, "into": NEW}),
    );
    assert_eq!(reply.status, 422);
    assert!(
        reply.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("là một"),
        "{}",
        reply.body
    );
    let reply = post(
        &server,
        &admin,
        "vi",
        "/api/v1/agencies/merge",
        json!({"from": NEW}),
    );
    assert_eq!(reply.status, 400, "{}", reply.body);

    // Merging it into the Department of Planning and Investment: it leaves the list,
    // and the plan names that department where it named the centre.
    let reply = post(
        &server,
        &admin,
        "vi",
        "/api/v1/agencies/merge",
        json!({"from": NEW, "into": "so-khdt"}),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let list: Vec<AgencyEntry> = reply.json();
    assert!(entry(&list, NEW).is_none());
    assert!(
        entry(&list, "so-khdt")
            .expect("there")
            .aliases
            .contains(&"Trung tâm Xúc tiến Đầu tư tỉnh".to_owned())
    );
    let plan: PlanView = server.login("sotttt").get("/api/v1/plan").json();
    assert_eq!(plan.code.as_str(), "412/KH-UBND");
    let named: Vec<&str> = plan
        .tasks
        .iter()
        .flat_map(|t| t.lead.iter().chain(&t.coordinating))
        .map(|a| a.id.as_str())
        .collect();
    assert!(!named.contains(&NEW), "{named:?}");
    assert!(named.contains(&"so-khdt"), "{named:?}");
}
