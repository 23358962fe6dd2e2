//! Configuration: defaults, then `PACTE_*` environment variables, then command-line flags
//! (clap reads both). Secrets are redacted when shown.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone, clap::Args)]
pub struct Config {
    /// Directory of the embedded SQLite database and other local files.
    #[arg(
        long,
        env = "PACTE_DATA_DIR",
        default_value = "pacte-data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// postgres://user:pass@host/db to use PostgreSQL instead of the embedded SQLite.
    #[arg(long, env = "PACTE_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Address the server listens on.
    #[arg(
        long,
        env = "PACTE_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "PACTE_BODY_LIMIT", default_value_t = 1 << 20, global = true)]
    pub body_limit: usize,
    /// Set the Secure flag on cookies (when served over HTTPS).
    #[arg(
        long,
        env = "PACTE_SECURE_COOKIES",
        default_value_t = false,
        value_parser = clap::builder::BoolishValueParser::new(),
        global = true
    )]
    pub secure_cookies: bool,
    /// Seconds between two reads of an IMAP mailbox whose server lacks IDLE.
    #[arg(long, env = "PACTE_IMAP_POLL", default_value = "60", value_parser = parse_secs, global = true)]
    pub imap_poll: std::time::Duration,
    /// Address customers reach Pacte at, for the links in survey and review emails
    /// (default: http://LISTEN).
    #[arg(long, env = "PACTE_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Proxies whose X-Forwarded-For is believed for the client's address (addresses or ranges,
    /// comma-separated, e.g. 127.0.0.1,10.0.0.0/8); without, the header is ignored.
    #[arg(long, env = "PACTE_TRUSTED_PROXIES", value_delimiter = ',', value_parser = crate::web::client::parse_proxy, global = true)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Let webhooks and mail servers be on loopback or private addresses (a relay on this
    /// machine, an internal mail server); refused by default, as an organisation's administrator
    /// could otherwise reach the machine's internal services.
    #[arg(
        long,
        env = "PACTE_ALLOW_PRIVATE_NETWORKS",
        default_value_t = false,
        value_parser = clap::builder::BoolishValueParser::new(),
        global = true
    )]
    pub allow_private_networks: bool,
    /// Seconds a stopping server (SIGTERM, Ctrl-C) gives requests and jobs under way before it
    /// stops without them.
    #[arg(long, env = "PACTE_SHUTDOWN_GRACE", default_value = "10", value_parser = parse_secs, global = true)]
    pub shutdown_grace: std::time::Duration,
    /// Seconds a request may take before it is stopped and answered 503.
    #[arg(long, env = "PACTE_REQUEST_TIMEOUT", default_value = "30", value_parser = parse_secs, global = true)]
    pub request_timeout: std::time::Duration,
    /// Days an API token lives when its maker does not say.
    #[arg(long, env = "PACTE_TOKEN_DAYS", default_value_t = 90, global = true)]
    pub token_days: i64,
    /// The longest life an API token may be given, in days.
    #[arg(
        long,
        env = "PACTE_TOKEN_MAX_DAYS",
        default_value_t = 365,
        global = true
    )]
    pub token_max_days: i64,
}

fn parse_secs(s: &str) -> Result<std::time::Duration, String> {
    s.parse::<u64>()
        .map(std::time::Duration::from_secs)
        .map_err(|_| format!("«{s}» is not a number of seconds"))
}

impl Config {
    /// The base of links sent to customers, without a trailing slash.
    pub fn public_base(&self) -> String {
        match &self.public_url {
            Some(u) if !u.trim().is_empty() => u.trim().trim_end_matches('/').to_string(),
            _ => format!("http://{}", self.listen),
        }
    }

    /// The rule for connections an organisation's settings ask for.
    pub fn egress(&self) -> crate::service::egress::Egress {
        crate::service::egress::Egress {
            allow_private: self.allow_private_networks,
        }
    }

    pub fn token_policy(&self) -> crate::service::auth::TokenPolicy {
        crate::service::auth::TokenPolicy {
            default_days: self.token_days.clamp(1, self.token_max_days.max(1)),
            max_days: self.token_max_days.max(1),
        }
    }

    /// The database URL in force: PostgreSQL when configured, else SQLite in the data directory.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => url.clone(),
            _ => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("pacte.db").display()
            ),
        }
    }

    /// For tests and embedding: a config on a given database.
    pub fn for_database(url: &str) -> Config {
        Config {
            data_dir: PathBuf::from("."),
            database_url: Some(url.to_string()),
            listen: "127.0.0.1:0".parse().expect("valid address"),
            body_limit: 1 << 20,
            secure_cookies: false,
            imap_poll: std::time::Duration::from_secs(60),
            public_url: None,
            trusted_proxies: Vec::new(),
            allow_private_networks: false,
            shutdown_grace: std::time::Duration::from_secs(10),
            request_timeout: std::time::Duration::from_secs(30),
            token_days: 90,
            token_max_days: 365,
        }
    }
}

/// `postgres://user:secret@host` → `postgres://user:***@host`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(&self.effective_database_url()))
            .field("listen", &self.listen)
            .field("body_limit", &self.body_limit)
            .field("secure_cookies", &self.secure_cookies)
            .field("public_url", &self.public_base())
            .field("trusted_proxies", &self.trusted_proxies)
            .field("allow_private_networks", &self.allow_private_networks)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact_url("postgres://pacte:s3cret@db:5432/pacte"),
            "postgres://pacte:***@db:5432/pacte"
        );
        assert_eq!(super::redact_url("sqlite://x.db"), "sqlite://x.db");
    }
}
