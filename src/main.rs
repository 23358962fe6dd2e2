//! The `pacte` command: parse the command line, set up logging, dispatch.

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use pacte::app::{self, AppState};
use pacte::config::{Config, redact_url};
use pacte::service::{self, org, transfer};
use pacte::store::Store;
use std::io::{BufReader, Read, Write};

#[derive(Parser)]
#[command(
    name = "pacte",
    version,
    about = "Pacte — customer experience, promises kept and shown"
)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web interface and the API (and run the job queue, unless --no-worker).
    Serve {
        /// Serve HTTP only; leave jobs (mail, alerts, surveys) and IMAP to `pacte worker`.
        #[arg(long)]
        no_worker: bool,
    },
    /// Run the job queue and the IMAP watchers without serving HTTP.
    Worker,
    /// Create the French demo organisation (once) and serve it.
    Demo {
        #[arg(long, default_value_t = 5_000)]
        customers: usize,
        #[arg(long, default_value_t = 60_000)]
        interactions: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Generate only; do not start the server.
        #[arg(long)]
        no_serve: bool,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Organisations.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Import interactions from a JSONL or CSV file (by extension); rerunning imports nothing twice.
    Import {
        file: String,
        #[arg(long)]
        org: String,
    },
    /// Export an organisation's interactions as JSONL (the import format).
    Export {
        #[arg(long)]
        org: String,
        /// File to write; standard output when absent.
        #[arg(long, short)]
        output: Option<String>,
    },
    /// Copy the SQLite database to FILE while Pacte runs (PostgreSQL: use pg_dump).
    Backup { file: String },
    /// Replace the SQLite database with a backup (stop `pacte serve` first).
    Restore { file: String },
    /// Show the configuration in force, secrets redacted.
    Config,
    /// The email channel.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Surveys: list them, import answers collected elsewhere.
    Survey {
        #[command(subcommand)]
        command: SurveyCommand,
    },
    /// The knowledge base the bot answers from.
    Kb {
        #[command(subcommand)]
        command: KbCommand,
    },
    /// The full-text index of cases and customers.
    Search {
        #[command(subcommand)]
        command: SearchCommand,
    },
    /// A customer's personal data: export, erasure (done as an administrator, logged in their name).
    Customer {
        #[command(subcommand)]
        command: CustomerCommand,
    },
}

#[derive(Subcommand)]
enum CustomerCommand {
    /// Everything held about a customer, as JSON (files in base64).
    Export {
        /// The customer's id.
        #[arg(long)]
        id: i64,
        /// The administrator doing it.
        #[arg(long)]
        by: String,
        #[arg(short, long)]
        output: Option<std::path::PathBuf>,
    },
    /// Erase a customer by anonymisation; cannot be undone.
    Erase {
        #[arg(long)]
        id: i64,
        #[arg(long)]
        by: String,
        /// The customer's id again.
        #[arg(long)]
        confirm: i64,
    },
}

#[derive(Subcommand)]
enum SearchCommand {
    /// Rebuild the data directory's index from the database (stop `pacte serve` first: a running
    /// server keeps its index current by itself).
    Reindex,
}

#[derive(Subcommand)]
enum KbCommand {
    /// Import articles from a JSONL or CSV file (by extension); a rerun updates by external_id
    /// and duplicates nothing.
    Import {
        file: String,
        #[arg(long)]
        org: String,
        /// FIELD=KEY when the file's key or header differs, e.g. `--column title=question`.
        /// Fields: external_id, title, short_answer, body, keywords, variants, lang, published.
        #[arg(long = "column")]
        columns: Vec<String>,
    },
}

#[derive(Subcommand)]
enum SurveyCommand {
    /// The organisation's surveys (id, kind, name).
    List {
        #[arg(long)]
        org: String,
    },
    /// Import answers from a CSV file (header on line 1). Refused lines are listed as
    /// `FILE:LINE: reason`; a rerun records nothing twice (by `external_id`).
    Import {
        file: String,
        #[arg(long)]
        org: String,
        /// The survey's id (see `pacte survey list`).
        #[arg(long)]
        survey: i64,
        /// FIELD=HEADER when the file's header differs, e.g. `--column score=nps_score`.
        /// Fields: external_id, answered_at, score, solved, comment, lang, email,
        /// customer_number, site, channel, category.
        #[arg(long = "column")]
        columns: Vec<String>,
        /// Language of answers whose line gives none (fr or en): their verbatims are read with it.
        #[arg(long, default_value = "fr")]
        lang: String,
    },
}

#[derive(Subcommand)]
enum MailCommand {
    /// Receive one RFC 5322 message on standard input (for an MTA pipe). Exit status: 0 accepted,
    /// 65 refused for good (reason on stderr), 75 temporary failure (the MTA retries).
    Ingest {
        /// The organisation's slug; without it, the organisation is found from the recipients.
        #[arg(long)]
        org: Option<String>,
    },
    /// Add a mailbox (the address customers write to). IMAP and SMTP are set in the
    /// administration or through the API.
    AddMailbox {
        #[arg(long)]
        org: String,
        #[arg(long)]
        address: String,
        #[arg(long)]
        display_name: Option<String>,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    Add {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
    },
    List,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user and print a new API token for them.
    Add {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: Option<String>,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Print a new API token for an existing user (it replaces their live token of that name).
    Token {
        #[arg(long)]
        email: String,
        /// What the token is for.
        #[arg(long, default_value = "cli")]
        name: String,
        /// Days it lives (default --token-days, at most --token-max-days).
        #[arg(long)]
        days: Option<i64>,
    },
    /// List a user's API tokens (never their secrets).
    Tokens {
        #[arg(long)]
        email: String,
    },
    /// Revoke an API token by its id (from `pacte user tokens`).
    Revoke {
        #[arg(long)]
        email: String,
        #[arg(long)]
        id: i64,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PACTE_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let config = cli.config;
    if let Command::Config = cli.command {
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "data_dir = {:?}",
            config.data_dir.display().to_string()
        )?;
        writeln!(
            out,
            "database_url = {:?}",
            redact_url(&config.effective_database_url())
        )?;
        writeln!(out, "listen = {:?}", config.listen.to_string())?;
        writeln!(out, "body_limit = {}", config.body_limit)?;
        writeln!(out, "secure_cookies = {}", config.secure_cookies)?;
        let proxies: Vec<String> = config
            .trusted_proxies
            .iter()
            .map(|p| p.to_string())
            .collect();
        writeln!(out, "trusted_proxies = {proxies:?}")?;
        writeln!(
            out,
            "allow_private_networks = {}",
            config.allow_private_networks
        )?;
        return Ok(());
    }
    if let Command::Restore { file } = &cli.command {
        return restore(&config, file);
    }
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating {}", config.data_dir.display()))?;
    if let Command::Mail {
        command: MailCommand::Ingest { org },
    } = &cli.command
    {
        std::process::exit(mail_ingest(&config, org.as_deref()).await);
    }
    pacte::service::email::secrets::init(&config.data_dir).context("loading the secret key")?;
    let store = Store::open(&config.effective_database_url())
        .await
        .context("opening the database")?;
    match cli.command {
        Command::Serve { no_worker } => serve(store, config, !no_worker).await,
        Command::Worker => {
            tracing::info!("pacte worker running");
            pacte::app::work(AppState::new(store, config)?).await;
            Ok(())
        }
        Command::Demo {
            customers,
            interactions,
            seed,
            no_serve,
        } => {
            let opts = pacte::demo::Options {
                customers,
                interactions,
                seed,
            };
            let started = std::time::Instant::now();
            let history = pacte::demo::prepare(&store, &opts).await.map_err(explain)?;
            if no_serve {
                if let Some(h) = history {
                    let bar = progress_bar(h.size() as u64, "demo");
                    h.record(&store, |done, _| bar.set_position(done as u64))
                        .await
                        .map_err(explain)?;
                    bar.finish_and_clear();
                    eprintln!(
                        "Demo organisation generated in {:.1} s.",
                        started.elapsed().as_secs_f64()
                    );
                }
                return Ok(());
            }
            if let Some(h) = history {
                // Serve at once; the year of history fills in behind (the inbox grows as it lands).
                eprintln!(
                    "Recording {} demo interactions in the background…",
                    h.size()
                );
                let store = store.clone();
                tokio::spawn(async move {
                    // A line at each tenth, so the terminal says how far it has got.
                    let mut shown = 0;
                    let progress = |done: usize, total: usize| {
                        let tenth = done * 10 / total.max(1);
                        if tenth > shown {
                            shown = tenth;
                            eprintln!("  demo history: {done} / {total} interactions");
                        }
                    };
                    match h.record(&store, progress).await {
                        Ok(()) => eprintln!(
                            "Demo history recorded in {:.1} s.",
                            started.elapsed().as_secs_f64()
                        ),
                        Err(e) => eprintln!("Demo history failed: {e}"),
                    }
                });
            }
            eprintln!("\nPacte demo — http://{}/", config.listen);
            for (email, role) in pacte::demo::LOGINS {
                eprintln!("  {role:<8} {email}  /  {}", pacte::demo::PASSWORD);
            }
            eprintln!();
            serve(store, config, true).await
        }
        Command::Migrate => {
            eprintln!("Database is up to date.");
            Ok(())
        }
        Command::Customer { command } => {
            let (CustomerCommand::Export { by, .. } | CustomerCommand::Erase { by, .. }) = &command;
            let admin = org::user_by_email(&store, by).await.map_err(explain)?;
            let actor = service::auth::actor_of_user(&admin);
            match command {
                CustomerCommand::Export { id, output, .. } => {
                    let data = service::privacy::export(&store, &actor, id)
                        .await
                        .map_err(explain)?;
                    let text = serde_json::to_string_pretty(&data)?;
                    match output {
                        Some(path) => std::fs::write(&path, text)
                            .with_context(|| format!("writing {}", path.display()))?,
                        None => println_out(&text)?,
                    }
                    Ok(())
                }
                CustomerCommand::Erase { id, confirm, .. } => {
                    let done = service::privacy::erase(
                        &store,
                        &actor,
                        id,
                        &service::privacy::EraseInput { confirm },
                    )
                    .await
                    .map_err(explain)?;
                    let rows: u64 = done.rows.values().sum();
                    eprintln!("customer {id} erased: {rows} rows changed or removed");
                    Ok(())
                }
            }
        }
        Command::Search {
            command: SearchCommand::Reindex,
        } => {
            let started = std::time::Instant::now();
            let index = service::search::open(&config.data_dir).map_err(explain)?;
            let bar = progress_bar(0, "index");
            let n = service::search::reindex(&store, &index, |done, total| {
                bar.set_length(total);
                bar.set_position(done);
            })
            .await
            .map_err(explain)?;
            bar.finish_and_clear();
            eprintln!(
                "Search index rebuilt: {n} cases and customers in {:.1} s.",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Org {
            command: OrgCommand::Add { slug, name },
        } => {
            let o = org::create_org(&store, &slug, &name)
                .await
                .map_err(explain)?;
            println_out(&format!("organisation {} created (id {})", o.slug, o.id))
        }
        Command::Org {
            command: OrgCommand::List,
        } => {
            for o in org::list_orgs(&store).await.map_err(explain)? {
                println_out(&format!("{}\t{}", o.slug, o.name))?;
            }
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    org: slug,
                    email,
                    role,
                    name,
                    password_stdin,
                },
        } => {
            let o = org::org_by_slug(&store, &slug).await.map_err(explain)?;
            let password = if password_stdin {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s)?;
                Some(s.trim_end_matches(['\n', '\r']).to_string())
            } else {
                None
            };
            let name =
                name.unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_string());
            let input = org::UserInput {
                email,
                name,
                role,
                team_id: None,
                password,
            };
            let u = org::add_user_unchecked(&store, o.id, &input)
                .await
                .map_err(explain)?;
            let policy = config.token_policy();
            let until = service::now_ms() + policy.default_days * 86_400_000;
            let (_, token) = service::auth::issue_token(&store, u.id, "cli", Some(until))
                .await
                .map_err(explain)?;
            eprintln!(
                "user {} created (id {}, role {}); API token:",
                u.email, u.id, u.role
            );
            println_out(&token)
        }
        Command::User {
            command: UserCommand::Token { email, name, days },
        } => {
            let u = org::user_by_email(&store, &email).await.map_err(explain)?;
            let actor = service::auth::actor_of_user(&u);
            let input = service::auth::TokenInput {
                name,
                expires_in_days: days,
            };
            let t =
                service::auth::create_token(&store, &actor, None, &input, config.token_policy())
                    .await
                    .map_err(explain)?;
            eprintln!(
                "token {} «{}» for {}, until {}:",
                t.id, t.name, u.email, t.expires_at
            );
            println_out(&t.token)
        }
        Command::User {
            command: UserCommand::Tokens { email },
        } => {
            let u = org::user_by_email(&store, &email).await.map_err(explain)?;
            let actor = service::auth::actor_of_user(&u);
            let list = service::auth::tokens(&store, &actor, Some(u.id))
                .await
                .map_err(explain)?;
            let when = |t: Option<i64>| t.map_or("—".to_string(), service::iso);
            let mut out = String::from("id\tname\tcreated\texpires\tlast used\trevoked\n");
            for t in list {
                out.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\t{}\n",
                    t.id,
                    t.label,
                    service::iso(t.created_at),
                    when(t.expires_at),
                    when(t.last_used_at),
                    when(t.revoked_at)
                ));
            }
            println_out(out.trim_end())
        }
        Command::User {
            command: UserCommand::Revoke { email, id },
        } => {
            let u = org::user_by_email(&store, &email).await.map_err(explain)?;
            let actor = service::auth::actor_of_user(&u);
            service::auth::revoke_token(&store, &actor, id)
                .await
                .map_err(explain)?;
            eprintln!("token {id} revoked");
            Ok(())
        }
        Command::Import { file, org: slug } => import(&store, &file, &slug).await,
        Command::Export { org: slug, output } => {
            let o = org::org_by_slug(&store, &slug).await.map_err(explain)?;
            let n = match output {
                Some(path) => {
                    let f =
                        std::fs::File::create(&path).with_context(|| format!("creating {path}"))?;
                    transfer::export(&store, o.id, std::io::BufWriter::new(f))
                        .await
                        .map_err(explain)?
                }
                None => transfer::export(
                    &store,
                    o.id,
                    std::io::BufWriter::new(std::io::stdout().lock()),
                )
                .await
                .map_err(explain)?,
            };
            eprintln!("{n} interactions exported");
            Ok(())
        }
        Command::Backup { file } => {
            if std::path::Path::new(&file).exists() {
                bail!("{file} already exists; choose a new file name");
            }
            store.backup_to(&file).await.context("backup")?;
            eprintln!("backup written to {file}");
            Ok(())
        }
        Command::Mail {
            command:
                MailCommand::AddMailbox {
                    org: slug,
                    address,
                    display_name,
                },
        } => {
            let o = service::org::org_by_slug(&store, &slug)
                .await
                .map_err(explain)?;
            let input = pacte::service::email::mailbox::MailboxInput {
                address,
                display_name,
                ..Default::default()
            };
            let m = pacte::service::email::mailbox::create_unchecked(&store, o.id, &input)
                .await
                .map_err(explain)?;
            println_out(&format!("{}\t{}", m.id, m.address))
        }
        Command::Kb {
            command:
                KbCommand::Import {
                    file,
                    org: slug,
                    columns,
                },
        } => {
            let started = std::time::Instant::now();
            let report =
                service::kb::import_file(&store, &slug, std::path::Path::new(&file), &columns)
                    .await
                    .map_err(|e| e.context(file.clone()))?;
            for (line, reason) in &report.refused {
                eprintln!("{file}:{line}: {reason}");
            }
            eprintln!(
                "{file}: {} created, {} updated, {} unchanged, {} refused in {:.2} s",
                report.created,
                report.updated,
                report.unchanged,
                report.refused.len(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Survey {
            command: SurveyCommand::List { org: slug },
        } => {
            let o = org::org_by_slug(&store, &slug).await.map_err(explain)?;
            let mut out = std::io::stdout().lock();
            for s in service::survey::list_unchecked(&store, o.id)
                .await
                .map_err(explain)?
            {
                writeln!(out, "{}\t{}\t{}\t{}", s.id, s.kind, s.trigger, s.name)?;
            }
            Ok(())
        }
        Command::Survey {
            command:
                SurveyCommand::Import {
                    file,
                    org: slug,
                    survey,
                    columns,
                    lang,
                },
        } => {
            let mut map = Vec::new();
            for c in &columns {
                let (k, v) = c
                    .split_once('=')
                    .with_context(|| format!("--column {c}: expected FIELD=HEADER"))?;
                map.push((k.trim().to_string(), v.trim().to_string()));
            }
            let started = std::time::Instant::now();
            let report = service::survey::import::import_file(
                &store,
                &slug,
                survey,
                std::path::Path::new(&file),
                &map,
                &lang,
            )
            .await
            .map_err(|e| e.context(file.clone()))?;
            for (line, reason) in &report.refused {
                eprintln!("{file}:{line}: {reason}");
            }
            eprintln!(
                "{file}: {} imported, {} already there, {} refused in {:.2} s",
                report.imported,
                report.duplicates,
                report.refused.len(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Config | Command::Restore { .. } | Command::Mail { .. } => {
            unreachable!("handled before opening the store")
        }
    }
}

/// `pacte mail ingest`: the exit status tells the MTA what to do (sysexits.h).
async fn mail_ingest(config: &Config, org: Option<&str>) -> i32 {
    const TEMPFAIL: i32 = 75;
    const DATAERR: i32 = 65;
    let mut raw = Vec::new();
    if let Err(e) = tokio::io::AsyncReadExt::read_to_end(&mut tokio::io::stdin(), &mut raw).await {
        eprintln!("pacte: reading the message: {e}");
        return TEMPFAIL;
    }
    // A server on this data directory takes the message and commits it with others.
    if let Some(answer) = pacte::service::email::socket::hand_off(&config.data_dir, org, &raw).await
    {
        return match answer {
            Ok(a) => {
                for reason in &a.reasons {
                    eprintln!("pacte: {} ({reason})", a.outcome);
                }
                match (a.outcome.as_str(), a.received) {
                    ("accepted", Some(r)) => {
                        report(&r);
                        eprintln!("pacte: committed by the server running on this data directory");
                        0
                    }
                    ("refused", _) => DATAERR,
                    _ => TEMPFAIL,
                }
            }
            Err(e) => {
                eprintln!("pacte: temporary failure: the server did not answer ({e})");
                TEMPFAIL
            }
        };
    }
    // The MTA keeps the message and retries: no need to wait long for a database that is down.
    let opened = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        Store::open(&config.effective_database_url()),
    )
    .await;
    let store = match opened {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            eprintln!("pacte: opening the database: {e}");
            return TEMPFAIL;
        }
        Err(_) => {
            eprintln!("pacte: the database did not answer within 5 s");
            return TEMPFAIL;
        }
    };
    let route = match org {
        Some(slug) => match service::org::org_by_slug(&store, slug).await {
            Ok(o) => pacte::service::email::Route::Org(o.id),
            Err(service::Error::NotFound(_)) => {
                eprintln!("pacte: no organisation has the slug «{slug}»");
                return DATAERR;
            }
            Err(e) => {
                eprintln!("pacte: {e}");
                return TEMPFAIL;
            }
        },
        None => pacte::service::email::Route::Recipient,
    };
    let code = match pacte::service::email::receive(&store, route, &raw).await {
        Ok(r) => {
            report(&r);
            0
        }
        Err(service::Error::Invalid(fields)) => {
            for f in fields {
                eprintln!("pacte: refused ({}): {}", f.code, f.message);
            }
            DATAERR
        }
        Err(e) => {
            eprintln!("pacte: temporary failure: {e}");
            TEMPFAIL
        }
    };
    store.close().await;
    code
}

fn report(r: &pacte::service::email::Received) {
    let case = r
        .case_number
        .map(|n| format!(" case {n}"))
        .unwrap_or_default();
    eprintln!(
        "pacte: {} {}{case}{}",
        if r.duplicate {
            "already received"
        } else {
            "received"
        },
        r.kind,
        r.warnings
            .iter()
            .map(|w| format!("; warning {}: {}", w.code, w.detail))
            .collect::<String>()
    );
}

fn println_out(s: &str) -> anyhow::Result<()> {
    writeln!(std::io::stdout().lock(), "{s}")?;
    Ok(())
}

fn explain(e: service::Error) -> anyhow::Error {
    match e {
        service::Error::Invalid(fields) => {
            anyhow::anyhow!(
                fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        }
        other => anyhow::anyhow!(other.to_string()),
    }
}

fn progress_bar(len: u64, what: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({per_sec}, {eta})")
            .expect("valid template"),
    );
    bar.set_message(what.to_string());
    bar
}

async fn serve(store: Store, config: Config, workers: bool) -> anyhow::Result<()> {
    // Held while serving, so `pacte restore` can tell the database is in use.
    let _serving = serving_lock(&config, false)?;
    let listen = config.listen;
    let state = AppState::new(store, config)?;
    let stopped = app::serve(state, listen, workers)
        .await
        .with_context(|| format!("serving on {listen}"))?;
    if stopped == app::Stopped::Forced {
        // What was cut may still hold a thread the runtime would wait for; every acknowledged
        // write is already on disk.
        std::process::exit(0);
    }
    Ok(())
}

/// The data directory's lock file: shared by servers, exclusive for `restore`.
fn serving_lock(config: &Config, exclusive: bool) -> anyhow::Result<std::fs::File> {
    let path = config.data_dir.join("pacte.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    let locked = if exclusive {
        file.try_lock()
    } else {
        file.try_lock_shared()
    };
    match locked {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => bail!(
            "pacte serve is running on {}; stop it first",
            config.data_dir.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("locking {}", path.display()))
        }
    }
}

async fn import(store: &Store, file: &str, slug: &str) -> anyhow::Result<()> {
    let o = org::org_by_slug(store, slug).await.map_err(explain)?;
    let f = std::fs::File::open(file).with_context(|| format!("opening {file}"))?;
    let size = f.metadata()?.len();
    let bar = progress_bar(size / 200 + 1, "import");
    let started = std::time::Instant::now();
    let report = transfer::import(
        store,
        o.id,
        BufReader::with_capacity(1 << 20, f),
        transfer::Format::of_path(file),
        |n| bar.set_position(n),
    )
    .await
    .map_err(|e| explain(e).context(file.to_string()))?;
    bar.finish_and_clear();
    for e in &report.errors {
        eprintln!("{file}:{}: {}", e.line, e.message);
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "{file}: {} lines read, {} accepted, {} refused in {secs:.2} s ({:.0} lines/s)",
        report.read,
        report.accepted,
        report.errors.len(),
        report.read as f64 / secs.max(1e-9)
    );
    if !report.errors.is_empty() {
        std::process::exit(2);
    }
    Ok(())
}

fn restore(config: &Config, file: &str) -> anyhow::Result<()> {
    if config
        .database_url
        .as_deref()
        .is_some_and(|u| u.starts_with("postgres"))
    {
        bail!(
            "restore works on the embedded SQLite database; for PostgreSQL use pg_restore or psql"
        );
    }
    let src = std::path::Path::new(file);
    if !src.is_file() {
        bail!("{file}: no such backup file");
    }
    std::fs::create_dir_all(&config.data_dir)?;
    let _exclusive = serving_lock(config, true)?;
    let db = config.data_dir.join("pacte.db");
    for ext in ["-wal", "-shm"] {
        let p = config.data_dir.join(format!("pacte.db{ext}"));
        if p.exists() {
            std::fs::remove_file(&p)?;
        }
    }
    let tmp = config.data_dir.join("pacte.db.restoring");
    std::fs::copy(src, &tmp).with_context(|| format!("copying {file}"))?;
    std::fs::rename(&tmp, &db)?;
    // The search index followed the database replaced: the next server rebuilds it.
    let index = config.data_dir.join("search");
    if index.exists() {
        std::fs::remove_dir_all(&index)?;
    }
    eprintln!("restored {} from {file}", db.display());
    Ok(())
}
