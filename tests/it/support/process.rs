//! The real `pacte` binary: run a command as an operator would, or serve on a free port.

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// Runs `pacte --data-dir DIR ARGS…` on the embedded SQLite, with optional standard input and
/// extra environment.
pub fn pacte(dir: &Path, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pacte"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("PACTE_DATABASE_URL")
        .env("PACTE_ALLOW_PRIVATE_NETWORKS", "1")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pacte runs");
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// Its standard output, after checking it succeeded.
pub fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// `pacte serve` on a free loopback port; killed (SIGKILL) when dropped. Its log goes to
/// `server.log` in the data directory, for a failing test to show.
pub struct Server {
    pub port: u16,
    child: Child,
    log: std::path::PathBuf,
}

impl Server {
    pub fn start(dir: &Path) -> Server {
        Self::start_with(dir, &[])
    }

    /// With extra global flags (e.g. `--shutdown-grace 2`).
    pub fn start_with(dir: &Path, flags: &[&str]) -> Server {
        let log = dir.join("server.log");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_pacte"))
            .arg("--data-dir")
            .arg(dir)
            .args(flags)
            .args(["--listen", &format!("127.0.0.1:{port}"), "serve"])
            .env_remove("PACTE_DATABASE_URL")
            .env("PACTE_ALLOW_PRIVATE_NETWORKS", "1")
            .env("PACTE_LOG", "info")
            .stderr(Stdio::from(
                std::fs::File::create(&log).expect("server log"),
            ))
            .spawn()
            .expect("pacte serve runs");
        for _ in 0..400 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        Server { port, child, log }
    }

    /// The last lines the server logged.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Sends SIGTERM (as a service manager stopping it) and waits for the process to end, at
    /// most `within`; whether it ended.
    pub fn terminate(&mut self, within: Duration) -> bool {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let until = std::time::Instant::now() + within;
        while std::time::Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// Kills it at once, as a crash would.
    pub fn kill(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Headless Debian Chromium through chromedriver at `webdriver`.
pub async fn browser(webdriver: &str) -> fantoccini::Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({"args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--window-size=1280,900"]}),
    );
    fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(webdriver)
        .await
        .expect("chromedriver reachable")
}

fn run(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> String {
    ok(&pacte(dir, args, stdin, &[]))
}

/// An organisation with a quality manager and an admin; returns the admin's API token.
pub fn organisation(dir: &std::path::Path) -> String {
    run(
        dir,
        &["org", "add", "--slug", "acme", "--name", "Acme"],
        None,
    );
    run(
        dir,
        &[
            "user",
            "add",
            "--org",
            "acme",
            "--email",
            "nadia@acme.fr",
            "--role",
            "quality",
            "--name",
            "Nadia",
            "--password-stdin",
        ],
        Some("motdepasse-long\n"),
    );
    let out = run(
        dir,
        &[
            "user",
            "add",
            "--org",
            "acme",
            "--email",
            "claire@acme.fr",
            "--role",
            "admin",
            "--name",
            "Claire",
            "--password-stdin",
        ],
        Some("motdepasse-long\n"),
    );
    out.split_whitespace()
        .find(|w| w.starts_with("pct_"))
        .expect("token printed")
        .to_string()
}

pub async fn sign_in(
    b: &fantoccini::Client,
    base: &str,
    email: &str,
) -> Result<(), fantoccini::error::CmdError> {
    b.goto(&format!("{base}/login")).await?;
    b.find(fantoccini::Locator::Id("email"))
        .await?
        .send_keys(email)
        .await?;
    b.find(fantoccini::Locator::Id("password"))
        .await?
        .send_keys("motdepasse-long")
        .await?;
    b.find(fantoccini::Locator::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    b.wait()
        .for_element(fantoccini::Locator::Css("table.cases, p.empty"))
        .await?;
    Ok(())
}

pub async fn text(
    b: &fantoccini::Client,
    css: &str,
) -> Result<String, fantoccini::error::CmdError> {
    b.find(fantoccini::Locator::Css(css)).await?.text().await
}
