//! The keys that tie a message to its conversation: Message-IDs, Outlook's Thread-Index, and the
//! case token Pacte puts in the subjects it sends (`[#DEMO-1234]`).

use base64::Engine;

/// `<abc@host>` → `abc@host`; refuses empty, overlong or control-character ids.
pub fn normalize_id(raw: &str) -> Option<String> {
    let id = raw
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    if id.is_empty() || id.len() > 250 || id.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return None;
    }
    Some(id.to_string())
}

/// Outlook's Thread-Index is base64 of a 22-byte conversation header followed by 5 bytes per
/// reply; every message of a conversation shares the header.
pub fn thread_root(raw: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(raw.trim().as_bytes())
        .ok()?;
    if bytes.len() < 22 || (bytes.len() - 22) % 5 != 0 {
        return None;
    }
    Some(hex::encode(&bytes[..22]))
}

/// The token that lets an answer find its case without headers: `[#ACME-42]`.
pub fn token_for(org_slug: &str, number: i64) -> String {
    format!("[#{}-{number}]", org_slug.to_uppercase())
}

/// The case token in a subject: `[#DEMO-1234]` → `("DEMO", 1234)`.
pub fn case_token(subject: &str) -> Option<(String, i64)> {
    let mut rest = subject;
    while let Some(start) = rest.find("[#") {
        let after = &rest[start + 2..];
        if let Some(end) = after.find(']') {
            let inner = &after[..end];
            if let Some((prefix, number)) = inner.rsplit_once('-')
                && !prefix.is_empty()
                && prefix.len() <= 40
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                && !number.is_empty()
                && number.len() <= 12
                && number.chars().all(|c| c.is_ascii_digit())
            {
                return Some((prefix.to_ascii_uppercase(), number.parse().ok()?));
            }
        }
        rest = &rest[start + 2..];
    }
    None
}

/// A header value made safe to show and to send: no line breaks or control characters (they
/// would inject headers), spaces collapsed, at most `max` characters.
pub fn clean_header(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max));
    let mut space = false;
    for c in s.chars() {
        if c.is_control() || c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
        if out.chars().count() >= max {
            break;
        }
    }
    out
}

/// The subject of a reply: the original's without its reply prefixes, `Re: ` once, and the
/// case token so a customer's answer finds its case even without threading headers.
pub fn reply_subject(original: &str, token: &str) -> String {
    let mut s = clean_header(original, 300);
    loop {
        let lower = s.to_lowercase();
        let cut = ["re:", "re :", "tr:", "tr :", "fw:", "fwd:", "aw:"]
            .iter()
            .find(|p| lower.starts_with(*p))
            .map(|p| p.len());
        match cut {
            Some(n) => s = s[n..].trim_start().to_string(),
            None => break,
        }
    }
    if let Some(start) = s.find("[#")
        && case_token(&s[start..]).is_some()
        && let Some(end) = s[start..].find(']')
    {
        s.replace_range(start..start + end + 1, "");
        s = clean_header(&s, 300);
    }
    if s.is_empty() {
        format!("Re: {token}")
    } else {
        format!("Re: {s} {token}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tokens_and_ids() {
        assert_eq!(
            case_token("Re: facture [#DEMO-1234]"),
            Some(("DEMO".into(), 1234))
        );
        assert_eq!(
            case_token("[#] [#a-b] [#LA-POSTE-12]"),
            Some(("LA-POSTE".into(), 12))
        );
        assert_eq!(case_token("Facture #1234"), None);
        assert_eq!(normalize_id(" <a@b> ").as_deref(), Some("a@b"));
        assert_eq!(normalize_id("<a b@c>"), None);
        assert_eq!(normalize_id("<>"), None);
    }

    #[test]
    fn thread_index_roots_match_across_a_conversation() {
        let root = [7u8; 22];
        let mut reply = root.to_vec();
        reply.extend([1, 2, 3, 4, 5]);
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        assert_eq!(thread_root(&b64(&root)), thread_root(&b64(&reply)));
        assert!(thread_root(&b64(&root)).is_some());
        assert_eq!(thread_root(&b64(&[1, 2, 3])), None);
        assert_eq!(thread_root("not base64!"), None);
    }

    #[test]
    fn headers_cannot_be_injected() {
        assert_eq!(
            clean_header("Hello\r\nBcc: victim@example.com", 100),
            "Hello Bcc: victim@example.com"
        );
        assert_eq!(
            reply_subject("RE: Tr: Re : ma facture [#DEMO-9]\r\nX: y", "[#DEMO-9]"),
            "Re: ma facture X: y [#DEMO-9]"
        );
        assert_eq!(reply_subject("", "[#DEMO-9]"), "Re: [#DEMO-9]");
    }
}
