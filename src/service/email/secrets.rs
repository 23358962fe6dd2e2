//! Mailbox passwords at rest: sealed with ChaCha20-Poly1305 under the server's key, or a
//! reference to an environment variable (`env:NAME`) so the password never enters the database.
//! The key comes from `PACTE_SECRET_KEY` (64 hex digits, shared by every node on PostgreSQL) or
//! from `secret.key` in the data directory, created on first start.

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use std::path::Path;
use std::sync::OnceLock;

const SEALED: &str = "sealed:v1:";

static KEY: OnceLock<[u8; 32]> = OnceLock::new();

/// Loads (or creates) the key. Called once at start; later calls keep the first key.
pub fn init(data_dir: &Path) -> anyhow::Result<()> {
    if KEY.get().is_some() {
        return Ok(());
    }
    let key = match std::env::var("PACTE_SECRET_KEY") {
        Ok(hex_key) if !hex_key.trim().is_empty() => parse_key(hex_key.trim())?,
        _ => {
            let path = data_dir.join("secret.key");
            match std::fs::read_to_string(&path) {
                Ok(s) => parse_key(s.trim())?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    let mut k = [0u8; 32];
                    getrandom::fill(&mut k).map_err(|e| anyhow::anyhow!("random: {e}"))?;
                    write_private(&path, &hex::encode(k))?;
                    k
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    let _ = KEY.set(key);
    Ok(())
}

fn parse_key(s: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = hex::decode(s).map_err(|_| anyhow::anyhow!("the secret key is not hexadecimal"))?;
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("the secret key must be 32 bytes (64 hex digits)"))
}

fn write_private(path: &Path, content: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)?.write_all(content.as_bytes())?;
    Ok(())
}

/// The key in force; a process that never called `init` (tests, embedding) gets a random one,
/// so what it seals cannot be read after a restart.
fn key() -> &'static [u8; 32] {
    KEY.get_or_init(|| {
        let mut k = [0u8; 32];
        getrandom::fill(&mut k).expect("random key");
        tracing::warn!(
            "no secret key configured: mailbox passwords sealed now will not survive a restart"
        );
        k
    })
}

/// The key of signed customer links (surveys, review invitations), derived from the server's
/// key so every node of a PostgreSQL deployment signs alike.
pub fn link_key() -> &'static [u8; 32] {
    static LINK: OnceLock<[u8; 32]> = OnceLock::new();
    LINK.get_or_init(|| blake3::derive_key("pacte 2026 signed customer links", key()))
}

/// What to store for a password typed in: `env:NAME` is kept as a reference, anything else sealed.
pub fn seal(plain: &str) -> String {
    if is_reference(plain) {
        return plain.to_string();
    }
    let cipher = ChaCha20Poly1305::new(&Key::from(*key()));
    let mut nonce = [0u8; 12];
    getrandom::fill(&mut nonce).expect("random nonce");
    let sealed = cipher
        .encrypt(&Nonce::from(nonce), plain.as_bytes())
        .expect("encryption of a short secret");
    let mut out = nonce.to_vec();
    out.extend(sealed);
    format!(
        "{SEALED}{}",
        base64::engine::general_purpose::STANDARD.encode(out)
    )
}

/// The password a stored value stands for.
pub fn open(stored: &str) -> Result<String, String> {
    if let Some(name) = stored.strip_prefix("env:") {
        return std::env::var(name.trim())
            .map_err(|_| format!("the environment variable {} is not set", name.trim()));
    }
    let Some(b64) = stored.strip_prefix(SEALED) else {
        return Err("the stored password is in an unknown format".into());
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| "the stored password is damaged".to_string())?;
    if bytes.len() < 12 {
        return Err("the stored password is damaged".into());
    }
    let cipher = ChaCha20Poly1305::new(&Key::from(*key()));
    let plain = cipher
        .decrypt(
            &Nonce::from(<[u8; 12]>::try_from(&bytes[..12]).expect("12 bytes")),
            &bytes[12..],
        )
        .map_err(|_| {
            "the stored password was sealed with another key (PACTE_SECRET_KEY)".to_string()
        })?;
    String::from_utf8(plain).map_err(|_| "the stored password is damaged".into())
}

pub fn is_reference(s: &str) -> bool {
    s.starts_with("env:")
}

#[cfg(test)]
mod tests {
    #[test]
    fn sealed_passwords_open_and_references_stay_references() {
        let s = super::seal("p@ss");
        assert!(s.starts_with("sealed:v1:") && !s.contains("p@ss"));
        assert_eq!(super::open(&s).unwrap(), "p@ss");
        assert_ne!(super::seal("p@ss"), s, "a fresh nonce each time");
        assert_eq!(super::seal("env:IMAP_PW"), "env:IMAP_PW");
        assert!(super::open("env:PACTE_SURELY_UNSET_VAR").is_err());
        assert!(super::open("sealed:v1:AAAA").is_err());
    }
}
