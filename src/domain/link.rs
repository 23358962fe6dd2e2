//! Signed links sent to customers (survey answers, review invitations): the row id and a MAC
//! under the server's key, so a forged or altered link is told apart without a lookup, and a
//! valid one carries no guessable sequence.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Survey = 1,
    Review = 2,
    /// A chat visitor's hold on their conversation.
    Chat = 3,
}

fn mac(key: &[u8; 32], purpose: Purpose, id: i64) -> [u8; 16] {
    let mut msg = [0u8; 9];
    msg[0] = purpose as u8;
    msg[1..].copy_from_slice(&id.to_le_bytes());
    let full = blake3::keyed_hash(key, &msg);
    let mut out = [0u8; 16];
    out.copy_from_slice(&full.as_bytes()[..16]);
    out
}

/// The link token for row `id`.
pub fn sign(key: &[u8; 32], purpose: Purpose, id: i64) -> String {
    let mut raw = Vec::with_capacity(24);
    raw.extend_from_slice(&id.to_le_bytes());
    raw.extend_from_slice(&mac(key, purpose, id));
    URL_SAFE_NO_PAD.encode(raw)
}

/// The row id of a genuine token; `None` for anything forged, truncated or altered.
pub fn verify(key: &[u8; 32], purpose: Purpose, token: &str) -> Option<i64> {
    let raw = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
    if raw.len() != 24 {
        return None;
    }
    let id = i64::from_le_bytes(raw[..8].try_into().ok()?);
    let expected = mac(key, purpose, id);
    // Constant-time comparison: a forger learns nothing from timing.
    let diff = expected
        .iter()
        .zip(&raw[8..])
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    (diff == 0 && id > 0).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genuine_links_verify_and_others_do_not() {
        let k = [7u8; 32];
        let t = sign(&k, Purpose::Survey, 42);
        assert_eq!(verify(&k, Purpose::Survey, &t), Some(42));
        assert_eq!(verify(&k, Purpose::Review, &t), None, "purposes do not mix");
        assert_eq!(verify(&[8u8; 32], Purpose::Survey, &t), None, "another key");
        let mut forged = sign(&k, Purpose::Survey, 43).into_bytes();
        forged[0] = b'A';
        assert_eq!(
            verify(&k, Purpose::Survey, &String::from_utf8(forged).unwrap()),
            None
        );
        assert_eq!(verify(&k, Purpose::Survey, "abc"), None);
        assert_eq!(verify(&k, Purpose::Survey, ""), None);
    }
}
