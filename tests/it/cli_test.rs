//! The `pacte` command itself: organisations, users, import with its error report, export,
//! backup and restore, config — as an operator runs them.

use crate::support::process::{Server, ok, pacte};

#[test]
fn operator_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&pacte(
        d,
        &[
            "org",
            "add",
            "--slug",
            "poste",
            "--name",
            "La Poste de test",
        ],
        None,
        &[],
    ));
    let dup = pacte(
        d,
        &["org", "add", "--slug", "poste", "--name", "Bis"],
        None,
        &[],
    );
    assert!(!dup.status.success());
    assert!(ok(&pacte(d, &["org", "list"], None, &[])).contains("poste\tLa Poste de test"));
    let token = ok(&pacte(
        d,
        &[
            "user",
            "add",
            "--org",
            "poste",
            "--email",
            "a@poste.fr",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("un mot de passe\n"),
        &[],
    ));
    assert!(
        token.trim().starts_with("pct_") && token.trim().len() == 68,
        "{token}"
    );
    // Tokens by name: a new one replaces the live one of its name; listed; revoked by id.
    let user = |args: &[&str]| {
        let mut all = vec!["user"];
        all.extend_from_slice(args);
        pacte(d, &all, None, &[])
    };
    ok(&user(&[
        "token",
        "--email",
        "a@poste.fr",
        "--name",
        "sync",
        "--days",
        "7",
    ]));
    ok(&user(&["token", "--email", "a@poste.fr", "--name", "sync"]));
    let listed = ok(&user(&["tokens", "--email", "a@poste.fr"]));
    let rows: Vec<Vec<&str>> = listed
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 3, "{listed}");
    let sync: Vec<&Vec<&str>> = rows.iter().filter(|r| r[1] == "sync").collect();
    assert_eq!(
        sync.iter().filter(|r| r[5] == "—").count(),
        1,
        "one live sync token: {listed}"
    );
    assert!(
        !user(&["token", "--email", "a@poste.fr", "--days", "9999"])
            .status
            .success()
    );
    let live_id = sync.iter().find(|r| r[5] == "—").unwrap()[0];
    ok(&user(&["revoke", "--email", "a@poste.fr", "--id", live_id]));
    assert!(
        !user(&["revoke", "--email", "a@poste.fr", "--id", live_id])
            .status
            .success()
    );
    let bad_role = pacte(
        d,
        &[
            "user",
            "add",
            "--org",
            "poste",
            "--email",
            "b@poste.fr",
            "--role",
            "boss",
        ],
        None,
        &[],
    );
    assert!(!bad_role.status.success());
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("role"));

    let file = d.join("in.csv");
    std::fs::write(&file, "channel,direction,occurred_at,email,subject,body\nemail,inbound,2026-10-01T08:00:00Z,x@exemple.fr,Colis,Où ?\nemail,inbound,pas-une-date,y@exemple.fr,A,B\n").unwrap();
    let imp = pacte(
        d,
        &["import", file.to_str().unwrap(), "--org", "poste"],
        None,
        &[],
    );
    assert_eq!(
        imp.status.code(),
        Some(2),
        "refused lines make the exit code 2"
    );
    let err = String::from_utf8_lossy(&imp.stderr);
    assert!(err.contains("in.csv:3: occurred_at"), "{err}");
    assert!(err.contains("2 lines read, 1 accepted, 1 refused"), "{err}");

    let export = ok(&pacte(d, &["export", "--org", "poste"], None, &[]));
    assert_eq!(export.lines().count(), 1);
    assert!(export.contains("\"x@exemple.fr\""));

    let backup = d.join("backup.db");
    ok(&pacte(d, &["backup", backup.to_str().unwrap()], None, &[]));
    let again = pacte(d, &["backup", backup.to_str().unwrap()], None, &[]);
    assert!(!again.status.success(), "never overwrites a backup");
    // Restore into a fresh data directory and find the same data.
    let other = tempfile::tempdir().unwrap();
    ok(&pacte(
        other.path(),
        &["restore", backup.to_str().unwrap()],
        None,
        &[],
    ));
    assert_eq!(
        ok(&pacte(
            other.path(),
            &["export", "--org", "poste"],
            None,
            &[]
        )),
        export
    );

    // Never under a running server.
    let server = Server::start(d);
    let busy = pacte(d, &["restore", backup.to_str().unwrap()], None, &[]);
    server.kill();
    assert!(!busy.status.success());
    assert!(String::from_utf8_lossy(&busy.stderr).contains("stop it first"));

    let config = ok(&pacte(
        d,
        &["config"],
        None,
        &[("PACTE_DATABASE_URL", "postgres://pacte:s3cret@db/pacte")],
    ));
    assert!(
        config.contains("postgres://pacte:***@db/pacte") && !config.contains("s3cret"),
        "{config}"
    );
}

/// `pacte mail ingest` in an MTA pipe: the exit status tells the MTA to deliver, bounce (65,
/// with the reason) or retry later (75).
#[test]
fn mail_ingest_speaks_to_the_mta_in_exit_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&pacte(
        d,
        &["org", "add", "--slug", "acme", "--name", "Acme"],
        None,
        &[],
    ));
    let msg = |id: &str, to: &str| {
        format!(
            "From: Lou <lou@example.fr>\r\nTo: {to}\r\nSubject: Facture\r\nMessage-ID: <{id}@example.fr>\r\n\r\nBonjour\r\n"
        )
    };
    let code = |o: &std::process::Output| o.status.code().unwrap();
    let no_mailbox = pacte(
        d,
        &["mail", "ingest", "--org", "acme"],
        Some(&msg("a", "contact@acme.fr")),
        &[],
    );
    assert_eq!(code(&no_mailbox), 65);
    assert!(String::from_utf8_lossy(&no_mailbox.stderr).contains("no_mailbox"));
    ok(&pacte(
        d,
        &[
            "mail",
            "add-mailbox",
            "--org",
            "acme",
            "--address",
            "contact@acme.fr",
        ],
        None,
        &[],
    ));
    let first = pacte(
        d,
        &["mail", "ingest"],
        Some(&msg("a", "Contact@Acme.fr")),
        &[],
    );
    assert_eq!(
        code(&first),
        0,
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stderr).contains("received human case 1"));
    let again = pacte(
        d,
        &["mail", "ingest"],
        Some(&msg("a", "contact@acme.fr")),
        &[],
    );
    assert_eq!(code(&again), 0);
    assert!(String::from_utf8_lossy(&again.stderr).contains("already received"));
    let stranger = pacte(
        d,
        &["mail", "ingest"],
        Some(&msg("b", "nobody@elsewhere.fr")),
        &[],
    );
    assert_eq!(code(&stranger), 65);
    assert!(String::from_utf8_lossy(&stranger.stderr).contains("unknown_recipient"));
    assert_eq!(code(&pacte(d, &["mail", "ingest"], Some(""), &[])), 65);
    let unknown_org = pacte(
        d,
        &["mail", "ingest", "--org", "nope"],
        Some(&msg("c", "x@y.fr")),
        &[],
    );
    assert_eq!(code(&unknown_org), 65);
    let down = pacte(
        d,
        &["mail", "ingest"],
        Some(&msg("d", "contact@acme.fr")),
        &[("PACTE_DATABASE_URL", "postgres://pacte@127.0.0.1:1/pacte")],
    );
    assert_eq!(
        code(&down),
        75,
        "a database that cannot be reached is temporary"
    );

    // With a server on the data directory, the pipe hands the message over its socket.
    let server = Server::start(d);
    let handed = pacte(
        d,
        &["mail", "ingest"],
        Some(&msg("e", "contact@acme.fr")),
        &[],
    );
    let said = String::from_utf8_lossy(&handed.stderr).to_string();
    assert_eq!(code(&handed), 0, "{said}");
    assert!(
        said.contains("committed by the server") && said.contains("received human"),
        "{said}"
    );
    let refused = pacte(
        d,
        &["mail", "ingest", "--org", "nope"],
        Some(&msg("f", "x@y.fr")),
        &[],
    );
    assert_eq!(code(&refused), 65);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("unknown_org"));
    let again = pacte(
        d,
        &["mail", "ingest"],
        Some(&msg("e", "contact@acme.fr")),
        &[],
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("already received"));
    drop(server);
}

#[test]
fn an_operator_exports_and_erases_a_customer() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    crate::support::process::organisation(d);
    let file = d.join("one.jsonl");
    std::fs::write(
        &file,
        r#"{"channel":"phone","direction":"inbound","occurred_at":"2026-11-01T09:00:00Z","customer":{"phone":"0611223344","name":"Paul Verlaine"},"body":"Appel"}"#,
    )
    .unwrap();
    ok(&pacte(
        d,
        &["import", file.to_str().unwrap(), "--org", "acme"],
        None,
        &[],
    ));
    let out = d.join("paul.json");
    ok(&pacte(
        d,
        &[
            "customer",
            "export",
            "--id",
            "1",
            "--by",
            "claire@acme.fr",
            "-o",
            out.to_str().unwrap(),
        ],
        None,
        &[],
    ));
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("Paul Verlaine")
    );
    let refused = pacte(
        d,
        &[
            "customer",
            "erase",
            "--id",
            "1",
            "--by",
            "nadia@acme.fr",
            "--confirm",
            "1",
        ],
        None,
        &[],
    );
    assert!(!refused.status.success(), "a quality manager may not erase");
    ok(&pacte(
        d,
        &[
            "customer",
            "erase",
            "--id",
            "1",
            "--by",
            "claire@acme.fr",
            "--confirm",
            "1",
        ],
        None,
        &[],
    ));
    let after = ok(&pacte(
        d,
        &["customer", "export", "--id", "1", "--by", "claire@acme.fr"],
        None,
        &[],
    ));
    assert!(
        !after.contains("Paul") && !after.contains("0611223344") && !after.contains("+33611223344")
    );
}
