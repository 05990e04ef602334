//! The plans of a province over HTTP, black-box: listing them, reading an earlier one,
//! and an administrator importing a plan file through the API.

use tiendo_shared::error::ApiError;
use tiendo_shared::protocol::{PlanListing, PlanView};
use tiendo_tests::{Reply, TestServer};

/// A plan of the test fixtures in `shared`.
fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../shared/src/plan/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `POST /api/v1/plans/import` with the file's bytes, as `username`.
fn import(server: &TestServer, username: &str, dry_run: bool, bytes: &[u8]) -> Reply {
    let token = server.login(username).token;
    server.post_raw(
        &format!("/api/v1/plans/import?dry_run={dry_run}"),
        Some(&token),
        "application/octet-stream",
        bytes,
    )
}

fn codes(plans: &[PlanListing]) -> Vec<(&str, bool)> {
    plans.iter().map(|p| (p.code.as_str(), p.current)).collect()
}

#[test]
fn an_administrator_imports_a_later_plan_and_people_can_switch_back() {
    let server = TestServer::start();
    let staff = server.login("vhttdl");
    let before: Vec<PlanListing> = staff.get("/api/v1/plans").json();
    assert_eq!(codes(&before), [("215/KH-UBND", true)]);

    let file = fixture("kon-tum-2023-ten-moi.md");
    let preview = import(&server, "admin", true, &file);
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert_eq!(preview.body["code"], "412/KH-UBND");
    assert_eq!(preview.body["applied"], false);
    assert_eq!(preview.body["created"], true);
    assert!(preview.body["tasks"].as_u64().is_some_and(|n| n > 0));
    assert!(
        preview.body["added"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    );
    let after_preview: Vec<PlanListing> = staff.get("/api/v1/plans").json();
    assert_eq!(after_preview, before, "a dry run changes nothing");

    let imported = import(&server, "admin", false, &file);
    assert_eq!(imported.status, 200, "{}", imported.body);
    assert_eq!(imported.body["applied"], true);
    assert_eq!(imported.body["added"], preview.body["added"]);

    let plans: Vec<PlanListing> = staff.get("/api/v1/plans").json();
    assert_eq!(
        codes(&plans),
        [("412/KH-UBND", true), ("215/KH-UBND", false)],
        "newest first, the 2023 plan current"
    );
    assert_eq!(plans[0].year, 2023);
    assert_eq!(plans[1].year, 2019);

    let current: PlanView = staff.get("/api/v1/plan").json();
    assert_eq!(current.code.as_str(), "412/KH-UBND");
    let earlier: PlanView = staff.get("/api/v1/plan?plan=215/KH-UBND").json();
    assert_eq!(earlier.code.as_str(), "215/KH-UBND");
    assert_eq!(earlier.year, 2019);
    assert_eq!(earlier.tasks.len(), 20, "the seed's tasks, as before");
    let chosen: PlanView = staff.get("/api/v1/plan?plan=412%2FKH-UBND").json();
    assert_eq!(chosen, current);
}

#[test]
fn a_chosen_plan_keeps_its_etag() {
    let server = TestServer::start();
    let token = server.login("vhttdl").token;
    let path = "/api/v1/plan?plan=215/KH-UBND";
    let (status, headers) = server.get_headers(
        path,
        &[("Authorization", &format!("Bearer {token}"))],
        &["etag"],
    );
    assert_eq!(status, 200);
    let etag = headers[0].clone().expect("an etag");
    let (status, _) = server.get_headers(
        path,
        &[
            ("Authorization", &format!("Bearer {token}")),
            ("If-None-Match", &etag),
        ],
        &[],
    );
    assert_eq!(status, 304);
    let (_, current) = server.get_headers(
        "/api/v1/plan",
        &[("Authorization", &format!("Bearer {token}"))],
        &["etag"],
    );
    assert_eq!(current[0].as_deref(), Some(etag.as_str()), "the same view");
}

#[test]
fn only_an_administrator_imports() {
    let server = TestServer::start();
    let file = fixture("kon-tum-2023-ten-moi.md");
    for username in ["vhttdl", "sotttt"] {
        let reply = import(&server, username, true, &file);
        assert_eq!(reply.status, 403, "{username}");
        assert_eq!(reply.error(), ApiError::Forbidden);
    }
    let anonymous = server.post_raw(
        "/api/v1/plans/import?dry_run=true",
        None,
        "application/octet-stream",
        &file,
    );
    assert_eq!(anonymous.status, 401);
}

#[test]
fn what_is_not_a_plan_is_refused_with_the_reason() {
    let server = TestServer::start();
    let garbage = import(
        &server,
        "admin",
        false,
        b"\xFF\xD8\xFF\xE0 not a plan\0\x01",
    );
    assert_eq!(garbage.status, 422);
    let ApiError::Invalid { field, detail } = garbage.error() else {
        panic!("{}", garbage.body);
    };
    assert_eq!(field, "file");
    assert!(
        detail.contains("expected a Word .docx or a text plan"),
        "{detail}"
    );

    let text = import(&server, "admin", false, "Xin chào\n".as_bytes());
    assert_eq!(text.status, 422);
    let ApiError::Invalid { field, detail } = text.error() else {
        panic!("{}", text.body);
    };
    assert_eq!(field, "file");
    assert!(
        detail.starts_with("line ") && detail.contains(": expected "),
        "{detail}"
    );
    let staff = server.login("vhttdl");
    let plans: Vec<PlanListing> = staff.get("/api/v1/plans").json();
    assert_eq!(codes(&plans), [("215/KH-UBND", true)], "nothing imported");
}

#[test]
fn another_provinces_plan_is_not_served() {
    let server = TestServer::start();
    let file = fixture("quang-tri-2022-mot-cau-tong-hop.md");
    let imported = import(&server, "admin", false, &file);
    assert_eq!(imported.status, 200, "{}", imported.body);
    let code = imported.body["code"].as_str().expect("a code").to_owned();

    let staff = server.login("vhttdl");
    let plans: Vec<PlanListing> = staff.get("/api/v1/plans").json();
    assert_eq!(codes(&plans), [("215/KH-UBND", true)]);
    let other = staff.get(&format!("/api/v1/plan?plan={code}"));
    assert_eq!(other.status, 404);
    assert_eq!(other.error(), ApiError::NotFound);
    assert_eq!(staff.get("/api/v1/plan?plan=9/KH-UBND").status, 404);
    assert_eq!(staff.get("/api/v1/plan?plan=").status, 200, "empty is none");
    assert_eq!(staff.get("/api/v1/plan?plan=%20%20").status, 422);
}

/// The plan view's ETag as `token` asks with `sent`: its status, ETag and body.
fn plan_as(
    server: &TestServer,
    token: &str,
    sent: Option<&str>,
) -> (u16, String, Option<PlanView>) {
    let bearer = format!("Bearer {token}");
    let mut request = ureq::get(&server.url("/api/v1/plan")).set("Authorization", &bearer);
    if let Some(tag) = sent {
        request = request.set("If-None-Match", tag);
    }
    let response = match request.call() {
        Ok(response) => response,
        Err(ureq::Error::Status(_, response)) => response,
        Err(e) => panic!("{e}"),
    };
    let status = response.status();
    let etag = response.header("etag").expect("an etag").to_owned();
    let view = (status == 200).then(|| response.into_json().expect("a plan view"));
    (status, etag, view)
}

#[test]
fn an_unchanged_plan_is_answered_304_until_another_process_renames_an_agency() {
    let server = TestServer::start();
    let token = server.login("vhttdl").token;
    let (status, etag, _) = plan_as(&server, &token, None);
    assert_eq!(status, 200);
    // Answered from the kept ETag, again and again.
    for _ in 0..3 {
        let (status, again, view) = plan_as(&server, &token, Some(&etag));
        assert_eq!(
            (status, again.as_str(), view.is_none()),
            (304, etag.as_str(), true)
        );
    }
    // Another handle on the file, with caches of its own, as `tiendo` on the command
    // line beside the running server would be.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let other = tiendo_backend::db::Db::open(server.db.path()).expect("open");
        other
            .acting_as("test")
            .rename_agency(tiendo_backend::db::AgencyRename {
                id: tiendo_shared::ids::AgencyId::parse("so-ngoai-vu").expect("id"),
                name: "Sở Ngoại vụ tỉnh Kon Tum".into(),
                short_name: None,
                keep_alias: true,
            })
            .await
            .expect("renamed");
    });
    let (status, changed, view) = plan_as(&server, &token, Some(&etag));
    assert_eq!(status, 200, "the view changed");
    assert_ne!(changed, etag);
    let view = view.expect("a view");
    assert!(
        view.tasks
            .iter()
            .flat_map(|t| t.lead.iter().chain(&t.coordinating))
            .any(|a| a.name == "Sở Ngoại vụ tỉnh Kon Tum"),
        "the new name is in the view"
    );
    let (status, same, _) = plan_as(&server, &token, Some(&changed));
    assert_eq!((status, &same), (304, &changed));
    // Another person's view of the same plan has its own ETag.
    let supervisor = server.login("sotttt").token;
    let (status, theirs, _) = plan_as(&server, &supervisor, Some(&changed));
    assert_eq!(status, 200);
    assert_ne!(theirs, changed);
}
