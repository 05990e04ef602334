//! Every cell of the authorisation rules: role × action × own or other agency.
//!
//! The border post `bdbp-don-bo-y` is involved in task 1.4 (through its border guard
//! command, a lead agency) and not in task 4 (press, departments and districts only).

use tiendo_backend::auth::hash_password;
use tiendo_backend::db::NewUser;
use tiendo_shared::ids::AgencyId;
use tiendo_shared::protocol::{Change, PlanView, PullResponse, PushResponse, RejectReason, Role};
use tiendo_tests::{Client, TestServer, client_id, progress};

const POST: &str = "bdbp-don-bo-y";
const OWN_TASK: &str = "1.4";
const OTHER_TASK: &str = "4";

fn add_user(server: &TestServer, username: &str, agency: &str, role: Role) -> Client {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let added = runtime
        .block_on(server.db.add_user(NewUser {
            username: username.to_owned(),
            display_name: username.to_owned(),
            password_hash: hash_password("mật khẩu đủ dài").expect("hash"),
            agency: AgencyId::parse(agency).expect("agency"),
            role,
        }))
        .expect("add user");
    assert!(added);
    let reply = server.post_json(
        "/api/v1/login",
        None,
        &serde_json::json!({"username": username, "password": "mật khẩu đủ dài"}),
    );
    assert_eq!(reply.status, 200);
    server.login_with_token(reply.body["token"].as_str().expect("token"))
}

/// What pushing one update on `task` did: applied, or rejected with which reason.
fn record(client: &Client, n: u64, task: &str) -> Result<(), RejectReason> {
    let reply: PushResponse = client
        // Each person's device makes its own mutation ids.
        .push(
            &client_id(n),
            vec![progress(1, task, "in_progress", &format!("thử {n}"))],
        )
        .json();
    assert_eq!(reply.last_seq, 1, "the mutation is consumed either way");
    match reply.rejected.first() {
        None => Ok(()),
        Some(rejection) => Err(rejection.error),
    }
}

fn agencies_seen(client: &Client) -> Vec<String> {
    let page: PullResponse = client.pull(0).json();
    let mut seen: Vec<String> = page
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::Progress(u) => Some(u.agency.id.as_str().to_owned()),
            _ => None,
        })
        .collect();
    seen.sort();
    seen.dedup();
    seen
}

#[test]
fn recording_progress_by_role_and_assignment() {
    let server = TestServer::start();
    let cases = [
        (Role::Staff, Ok(()), Err(RejectReason::Forbidden)),
        (Role::Head, Ok(()), Err(RejectReason::Forbidden)),
        (
            Role::Supervisor,
            Err(RejectReason::Forbidden),
            Err(RejectReason::Forbidden),
        ),
        (
            Role::Admin,
            Err(RejectReason::Forbidden),
            Err(RejectReason::Forbidden),
        ),
    ];
    for (n, (role, own, other)) in cases.into_iter().enumerate() {
        let client = add_user(&server, &format!("u-{}", role.code()), POST, role);
        let n = n as u64 * 2;
        assert_eq!(
            record(&client, 100 + n, OWN_TASK),
            own,
            "{role:?} on an assigned task"
        );
        assert_eq!(
            record(&client, 101 + n, OTHER_TASK),
            other,
            "{role:?} on a task of other agencies"
        );
    }
}

#[test]
fn reading_progress_by_role_and_agency() {
    let server = TestServer::start();
    // One update from the border post, one from another agency (Sở VHTTDL).
    let post_staff = add_user(&server, "post-staff", POST, Role::Staff);
    assert_eq!(record(&post_staff, 200, OWN_TASK), Ok(()));
    assert_eq!(record(&server.login("vhttdl"), 201, "5.1"), Ok(()));

    let everyone = vec!["bdbp-don-bo-y".to_owned(), "so-vhttdl".to_owned()];
    let only_post = vec!["bdbp-don-bo-y".to_owned()];
    let cases = [
        ("r-staff", POST, Role::Staff, only_post.clone()),
        ("r-head", POST, Role::Head, only_post.clone()),
        (
            "r-supervisor",
            "so-tttt",
            Role::Supervisor,
            everyone.clone(),
        ),
        ("r-admin", "so-tttt", Role::Admin, everyone.clone()),
        // The border guard command sees its posts; a sibling agency does not.
        ("r-command", "bdbp", Role::Head, only_post.clone()),
        ("r-other-staff", "so-ngoai-vu", Role::Staff, vec![]),
        ("r-other-head", "so-ngoai-vu", Role::Head, vec![]),
    ];
    for (username, agency, role, expected) in cases {
        let client = add_user(&server, username, agency, role);
        assert_eq!(
            agencies_seen(&client),
            expected,
            "{username} ({role:?} at {agency})"
        );
        let plan: PlanView = client.get("/api/v1/plan").json();
        assert_eq!(plan.tasks.len(), 20, "everyone reads the plan");
    }
}

#[test]
fn the_plan_tells_each_agency_what_it_is_assigned() {
    let server = TestServer::start();
    let post = add_user(&server, "post", POST, Role::Staff);
    let plan: PlanView = post.get("/api/v1/plan").json();
    let assigned = |n: &str| {
        plan.tasks
            .iter()
            .find(|t| t.number.as_str() == n)
            .expect(n)
            .assigned
    };
    assert!(assigned(OWN_TASK));
    assert!(!assigned(OTHER_TASK));
}

#[test]
fn nothing_without_a_valid_token() {
    let server = TestServer::start();
    for path in ["/api/v1/me", "/api/v1/plan", "/api/v1/sync/pull?cursor=0"] {
        assert_eq!(server.get(path, None).status, 401, "{path}");
        assert_eq!(
            server.get(path, Some("0".repeat(64).as_str())).status,
            401,
            "{path}"
        );
    }
    let push = server.post_json(
        "/api/v1/sync/push",
        None,
        &serde_json::json!({"client_id": client_id(1), "schema_version": 1, "mutations": []}),
    );
    assert_eq!(push.status, 401);
}
