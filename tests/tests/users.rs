//! Accounts at scale on the command line, against a running server: `tiendo user
//! import` of a CSV file (all or nothing, errors by row), `user list`, `user disable`
//! (sessions end at once) and `user reset-password`.

use serde_json::{Value, json};
use tiendo_tests::TestServer;
use tiendo_tests::cli::{dump, failure, path, stdout, tiendo};

/// Signs in with a password; the token, or the error status.
fn sign_in(server: &TestServer, username: &str, password: &str) -> Result<String, u16> {
    let reply = server.post_json(
        "/api/v1/login",
        None,
        &json!({"username": username, "password": password}),
    );
    match reply.status {
        200 => Ok(reply.body["token"].as_str().expect("token").to_owned()),
        status => Err(status),
    }
}

/// The status of `GET /api/v1/me` with `token`.
fn me(server: &TestServer, token: &str) -> u16 {
    server.get("/api/v1/me", Some(token)).status
}

/// The `username password` lines a command prints after its first line.
fn passwords(out: &str) -> Vec<(String, String)> {
    out.lines()
        .skip(1)
        .filter(|line| !line.starts_with(' '))
        .map(|line| {
            let mut words = line.split_whitespace();
            let username = words.next().expect("username").to_owned();
            let password = words.next().expect("password").to_owned();
            (username, password)
        })
        .collect()
}

fn accounts(db: &str) -> Vec<Value> {
    let out = stdout(&tiendo(&["user", "list", "--json", "--db", db]));
    let list: Value = serde_json::from_str(&out).expect("json");
    list.as_array().expect("array").clone()
}

fn account<'a>(list: &'a [Value], username: &str) -> &'a Value {
    list.iter()
        .find(|a| a["username"] == username)
        .unwrap_or_else(|| panic!("no account {username}"))
}

#[test]
fn a_csv_of_accounts_is_imported_with_generated_passwords_that_sign_in() {
    let server = TestServer::start();
    let db = path(server.db.path());
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("tai-khoan.csv");
    std::fs::write(
        &file,
        "\u{feff}Tên đăng nhập,Họ và tên,Cơ quan,Vai trò\r\n\
         an.nguyen,\"Nguyễn Văn An, chuyên viên\",so-vhttdl,staff\r\n\
         binh.le,Lê Thị Bình,Sở Ngoại vụ,Lãnh đạo\r\n\
         \r\n\
         cuong.tran,Trần Cường,so y te,cán bộ\r\n\
         dung.pham,,SỞ THÔNG TIN VÀ TRUYỀN THÔNG,theo dõi\r\n",
    )
    .expect("write");

    let out = stdout(&tiendo(&["user", "import", &path(&file), "--db", &db]));
    assert!(out.starts_with("imported 4 accounts"), "{out}");
    let printed = passwords(&out);
    let names: Vec<&str> = printed.iter().map(|(u, _)| u.as_str()).collect();
    assert_eq!(names, ["an.nguyen", "binh.le", "cuong.tran", "dung.pham"]);
    for (username, password) in &printed {
        assert!(password.chars().count() >= 12, "{password}");
        let token = sign_in(&server, username, password).expect("the printed password works");
        assert_eq!(me(&server, &token), 200);
    }
    assert_ne!(printed[0].1, printed[1].1, "each has its own password");

    let list = accounts(&db);
    let an = account(&list, "an.nguyen");
    assert_eq!(an["display_name"], "Nguyễn Văn An, chuyên viên");
    assert_eq!(an["role"], "staff");
    assert_eq!(an["agency"]["id"], "so-vhttdl");
    assert_eq!(an["disabled"], false);
    assert_eq!(account(&list, "binh.le")["agency"]["id"], "so-ngoai-vu");
    assert_eq!(account(&list, "binh.le")["role"], "head");
    assert_eq!(account(&list, "cuong.tran")["agency"]["id"], "so-y-te");
    let dung = account(&list, "dung.pham");
    assert_eq!(dung["role"], "supervisor");
    assert_eq!(dung["agency"]["id"], "so-tttt");
    assert_eq!(dung["display_name"], "dung.pham", "no name: the username");
    assert!(account(&list, "vhttdl")["sessions"].as_i64().is_some());

    // The text listing names every account once.
    let text = stdout(&tiendo(&["user", "list", "--db", &db]));
    assert_eq!(text.lines().count(), list.len());
    assert!(
        text.lines()
            .any(|l| l.starts_with("an.nguyen ") && l.contains("active"))
    );

    // The same file again: every row's username is taken now, and nothing changes.
    let before = dump(server.db.path());
    let message = failure(&tiendo(&["user", "import", &path(&file), "--db", &db]));
    assert!(message.contains("nothing imported"), "{message}");
    for row in [2, 3, 5, 6] {
        assert!(
            message.contains(&format!("row {row}: ")),
            "row {row}: {message}"
        );
    }
    assert_eq!(dump(server.db.path()), before);
}

#[test]
fn a_csv_with_bad_rows_imports_nothing_and_names_every_bad_row() {
    let server = TestServer::start();
    let db = path(server.db.path());
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("accounts.csv");
    std::fs::write(
        &file,
        "username;display name;agency;role\n\
         tot.mot;Tốt Một;so-vhttdl;staff\n\
         xau.vaitro;Vai Trò Sai;so-vhttdl;boss\n\
         xau.coquan;Cơ Quan Sai;Sở Không Có;staff\n\
         trung;Trùng Một;so-y-te;staff\n\
         Trung;Trùng Hai;so-y-te;head\n\
         vhttdl;Đã Có;so-vhttdl;staff\n\
         thieu.cot;Thiếu Cột;so-vhttdl\n\
         tot.hai;Tốt Hai;bdbp;head\n",
    )
    .expect("write");
    let before = dump(server.db.path());

    let message = failure(&tiendo(&["user", "import", &path(&file), "--db", &db]));
    assert!(
        message.contains("nothing imported; 5 rows to correct"),
        "{message}"
    );
    let line = |row: usize| {
        message
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("row {row}: ")))
            .unwrap_or_else(|| panic!("row {row} is named: {message}"))
            .to_owned()
    };
    assert!(line(3).contains("unknown role \"boss\""), "{}", line(3));
    assert!(line(4).contains("no agency \"Sở Không Có\""), "{}", line(4));
    assert!(line(6).contains("also on row 5"), "{}", line(6));
    assert!(line(7).contains("exists already"), "{}", line(7));
    assert!(line(8).contains("expected 4 columns"), "{}", line(8));
    for good in [2, 5, 9] {
        assert!(
            !message.contains(&format!("row {good}: ")),
            "row {good} is fine: {message}"
        );
    }
    assert_eq!(dump(server.db.path()), before, "nothing imported");
    assert!(sign_in(&server, "tot.mot", "anything").is_err());

    // A file that is not UTF-8, an unclosed quote and an empty file are refused too.
    let latin1 = dir.path().join("latin1.csv");
    std::fs::write(&latin1, b"a,Nguy\xe9n,so-vhttdl,staff\n").expect("write");
    let message = failure(&tiendo(&["user", "import", &path(&latin1), "--db", &db]));
    assert!(message.contains("not UTF-8"), "{message}");
    let unclosed = dir.path().join("unclosed.csv");
    std::fs::write(&unclosed, "a,\"An,so-vhttdl,staff\nb,B,so-vhttdl,staff\n").expect("write");
    let message = failure(&tiendo(&["user", "import", &path(&unclosed), "--db", &db]));
    assert!(
        message.contains("row 1: a quoted field is not closed"),
        "{message}"
    );
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "username,display name,agency,role\n").expect("write");
    let message = failure(&tiendo(&["user", "import", &path(&empty), "--db", &db]));
    assert!(message.contains("no accounts"), "{message}");
    assert_eq!(dump(server.db.path()), before, "nothing imported");
}

#[test]
fn a_disabled_account_is_signed_out_at_once_and_cannot_sign_in_until_enabled() {
    let server = TestServer::start();
    let db = path(server.db.path());
    let staff = server.login("vhttdl");
    let other = server.login("ngoaivu");
    assert_eq!(me(&server, &staff.token), 200);

    let out = stdout(&tiendo(&["user", "disable", "vhttdl", "--db", &db]));
    assert!(out.contains("disabled vhttdl"), "{out}");
    assert!(out.contains("1 session ended"), "{out}");
    assert_eq!(me(&server, &staff.token), 401, "its session ended at once");
    let push = staff.push(
        &tiendo_tests::client_id(70),
        vec![tiendo_tests::progress(1, "5.1", "done", "x")],
    );
    assert_eq!(push.status, 401);
    assert_eq!(
        sign_in(&server, "vhttdl", tiendo_backend::seed::DEMO_PASSWORD),
        Err(401)
    );
    assert_eq!(me(&server, &other.token), 200, "nobody else's");
    assert_eq!(account(&accounts(&db), "vhttdl")["disabled"], true);
    let again = stdout(&tiendo(&["user", "disable", "vhttdl", "--db", &db]));
    assert!(again.contains("disabled already"), "{again}");

    let out = stdout(&tiendo(&["user", "enable", "vhttdl", "--db", &db]));
    assert!(out.contains("enabled vhttdl"), "{out}");
    let token = sign_in(&server, "vhttdl", tiendo_backend::seed::DEMO_PASSWORD).expect("signs in");
    assert_eq!(me(&server, &token), 200);

    let message = failure(&tiendo(&["user", "disable", "nobody", "--db", &db]));
    assert!(message.contains("no account \"nobody\""), "{message}");
}

#[test]
fn a_reset_password_ends_the_sessions_and_only_the_new_password_signs_in() {
    let server = TestServer::start();
    let db = path(server.db.path());
    let first = server.login("ngochoi");
    let second = server.login("ngochoi");

    let out = stdout(&tiendo(&["user", "reset-password", "ngochoi", "--db", &db]));
    assert!(out.contains("2 sessions ended"), "{out}");
    let printed = passwords(&out);
    assert_eq!(printed.len(), 1, "{out}");
    let (username, password) = &printed[0];
    assert_eq!(username, "ngochoi");
    assert!(password.chars().count() >= 12);
    assert_eq!(me(&server, &first.token), 401);
    assert_eq!(me(&server, &second.token), 401);
    assert_eq!(
        sign_in(&server, "ngochoi", tiendo_backend::seed::DEMO_PASSWORD),
        Err(401)
    );
    let token = sign_in(&server, "ngochoi", password).expect("the new password works");
    assert_eq!(me(&server, &token), 200);

    let message = failure(&tiendo(&["user", "reset-password", "nobody", "--db", &db]));
    assert!(message.contains("no account \"nobody\""), "{message}");
}
