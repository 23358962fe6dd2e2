//! The API against its own OpenAPI document, with Schemathesis (property-based, from PyPI; the
//! README's test command installs it): thousands of generated requests to every operation of a
//! real `pacte serve`, and not one may be answered with a server error. Skipped, saying so, when
//! Schemathesis is not installed.

use crate::support::process::{self, Server};

#[test]
fn no_generated_request_gets_a_server_error() {
    if std::process::Command::new("schemathesis")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("schemathesis not installed: contract test skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let token = process::organisation(dir.path());
    let server = Server::start(dir.path());
    let base = format!("http://127.0.0.1:{}", server.port);
    let out = std::process::Command::new("schemathesis")
        .args([
            "run",
            &format!("{base}/api/v1/openapi.json"),
            "--url",
            &base,
        ])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .args(["--checks", "not_a_server_error", "--max-examples", "10"])
        // One worker: with two, Hypothesis parses lambdas' sources in two threads at once and
        // CPython 3.11 can fail with "AST constructor recursion depth mismatch" (cpython#106905),
        // an error of the tool, not of the server.
        .args(["--workers", "1", "--seed", "20261202", "--no-color"])
        // A raw RFC 5322 body: Schemathesis cannot generate one.
        .args(["--exclude-path", "/api/v1/inbound/email"])
        .env("SCHEMATHESIS_TELEMETRY", "false")
        // Its caches go with the test's directory, not into the repository.
        .current_dir(dir.path())
        .output()
        .expect("schemathesis runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.contains("passed"),
        "{text}\n{}",
        server.log_tail()
    );
}
