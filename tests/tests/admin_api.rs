//! An administrator's accounts and audit trail through the API the workspace uses:
//! a CSV import all or nothing with passwords shown once, disabling (its sessions end
//! at once), enabling, new passwords, and who did what.

use serde_json::json;
use tiendo_shared::protocol::{AccountEntry, AuditRow, IssuedPassword};
use tiendo_tests::{Reply, TestServer};

fn post_csv(server: &TestServer, token: &str, csv: &str) -> Reply {
    server.post_raw(
        "/api/v1/users/import",
        Some(token),
        "text/csv",
        csv.as_bytes(),
    )
}

fn login(server: &TestServer, username: &str, password: &str) -> Reply {
    server.post_json(
        "/api/v1/login",
        None,
        &json!({"username": username, "password": password}),
    )
}

#[test]
fn an_administrator_imports_accounts_and_each_can_sign_in_with_the_password_shown_once() {
    let server = TestServer::start();
    let admin = server.login("admin").token;
    let staff = server.login("vhttdl").token;
    assert_eq!(server.get("/api/v1/users", Some(&staff)).status, 403);
    assert_eq!(post_csv(&server, &staff, "a,b,so-tttt,staff\n").status, 403);

    // One bad row refuses the whole file, naming every row to correct.
    let bad = "username,display name,agency,role\n\
               ngoc.anh,Nguyễn Ngọc Ánh,Sở Ngoại vụ,staff\n\
               x.y,Người thứ hai,Sở Không Có,staff\n\
               z.w,Người thứ ba,so-tttt,chief\n";
    // In Vietnamese unless the request asks for English, as the web app does.
    let reply = post_csv(&server, &admin, bad);
    assert_eq!(reply.status, 422, "{}", reply.body);
    let detail = reply.body["detail"].as_str().expect("detail");
    assert!(
        detail.contains("dòng 3: không có cơ quan “Sở Không Có”")
            && detail.contains("dòng 4: không có vai trò “chief”"),
        "{detail}"
    );
    assert!(!detail.contains("dòng 2"), "row 2 is fine: {detail}");
    let reply = Reply::from(
        ureq::post(&server.url("/api/v1/users/import"))
            .set("Authorization", &format!("Bearer {admin}"))
            .set("Content-Type", "text/csv")
            .set("Accept-Language", "en-GB,en;q=0.8")
            .send_bytes(bad.as_bytes()),
    );
    assert_eq!(reply.status, 422, "{}", reply.body);
    let detail = reply.body["detail"].as_str().expect("detail");
    assert!(
        detail.contains("row 3: no agency \"Sở Không Có\"")
            && detail.contains("row 4: unknown role \"chief\""),
        "{detail}"
    );
    let before: Vec<AccountEntry> = server.get("/api/v1/users", Some(&admin)).json();
    assert!(
        before.iter().all(|a| a.username != "ngoc.anh"),
        "nothing imported"
    );

    let good =
        "ngoc.anh,Nguyễn Ngọc Ánh,Sở Ngoại vụ,staff\nthanh.binh,Lê Thanh Bình,so ngoai vu,head\n";
    let reply = post_csv(&server, &admin, good);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let issued: Vec<IssuedPassword> = reply.json();
    assert_eq!(issued.len(), 2);
    for account in &issued {
        assert!(account.password.len() >= 12);
        assert_eq!(
            login(&server, &account.username, &account.password).status,
            200
        );
    }
    let after: Vec<AccountEntry> = server.get("/api/v1/users", Some(&admin)).json();
    let binh = after
        .iter()
        .find(|a| a.username == "thanh.binh")
        .expect("listed");
    assert_eq!(binh.agency.id.as_str(), "so-ngoai-vu");
    assert_eq!(after.len(), before.len() + 2);
}

#[test]
fn a_disabled_account_is_signed_out_at_once_and_a_new_password_ends_old_sessions() {
    let server = TestServer::start();
    let admin = server.login("admin").token;
    let staff = server.login("vhttdl");
    assert_eq!(staff.get("/api/v1/plan").status, 200);

    let act = |path: &str, username: &str| {
        server.post_json(path, Some(&admin), &json!({"username": username}))
    };
    let reply = act("/api/v1/users/disable", "vhttdl");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let list: Vec<AccountEntry> = reply.json();
    assert!(list.iter().any(|a| a.username == "vhttdl" && a.disabled));
    assert_eq!(
        staff.get("/api/v1/plan").status,
        401,
        "its token stopped working"
    );
    assert_eq!(login(&server, "vhttdl", "tiendo2019").status, 401);

    assert_eq!(act("/api/v1/users/enable", "vhttdl").status, 200);
    let again = server.login("vhttdl");
    let reply = act("/api/v1/users/reset-password", "vhttdl");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let issued: IssuedPassword = reply.json();
    assert_eq!(again.get("/api/v1/plan").status, 401, "sessions ended");
    assert_eq!(login(&server, "vhttdl", "tiendo2019").status, 401);
    assert_eq!(login(&server, "vhttdl", &issued.password).status, 200);

    // Not someone unknown, nor the administrator's own account.
    assert_eq!(act("/api/v1/users/disable", "khong.co").status, 404);
    assert_eq!(act("/api/v1/users/disable", "admin").status, 422);
    assert_eq!(act("/api/v1/users/reset-password", "admin").status, 422);

    // Each change is in the audit trail, newest first, with who made it.
    let audit: Vec<AuditRow> = server.get("/api/v1/audit", Some(&admin)).json();
    let kinds: Vec<(&str, &str, &str)> = audit
        .iter()
        .filter(|r| r.kind.starts_with("account."))
        .map(|r| (r.kind.as_str(), r.actor.as_str(), r.target.as_str()))
        .collect();
    assert_eq!(
        kinds[..3],
        [
            ("account.reset_password", "admin", "vhttdl"),
            ("account.enable", "admin", "vhttdl"),
            ("account.disable", "admin", "vhttdl"),
        ]
    );
    let limited: Vec<AuditRow> = server.get("/api/v1/audit?limit=2", Some(&admin)).json();
    assert_eq!(limited.len(), 2);
    assert_eq!(
        server
            .get("/api/v1/audit?since=27-11-2026", Some(&admin))
            .status,
        422
    );
    assert_eq!(
        server
            .get("/api/v1/audit", Some(&server.login("sotttt").token))
            .status,
        403
    );
}
