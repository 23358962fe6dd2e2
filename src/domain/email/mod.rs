//! Email as Pacte understands it: a raw RFC 5322 message read into what a case needs (who wrote,
//! what they said, what it answers, whether a human wrote it), the keys that thread it, and the
//! folding of quoted history for display. Pure: parsing never fails on hostile input, it warns.

mod parse;
mod quote;
mod thread;

pub use parse::{Kind, Parsed, Part, Warning, parse};
pub use quote::{Folded, fold};
pub use thread::{case_token, clean_header, normalize_id, reply_subject, thread_root, token_for};

/// Largest message accepted at all (raw); larger ones are refused before parsing.
pub const MAX_MESSAGE_BYTES: usize = 64 << 20;
/// Largest attachment stored for download; a larger one stays in the raw message only.
pub const MAX_ATTACHMENT_BYTES: usize = 25 << 20;

/// The properties that must hold for any input whatsoever; panics when one breaks. Run by the
/// fuzz target (`fuzz/`) and, over its corpus, by the test suite.
pub fn check_invariants(raw: &[u8]) {
    let p = parse(raw);
    for id in p
        .message_id
        .iter()
        .chain(&p.in_reply_to)
        .chain(&p.references)
    {
        assert!(
            !id.is_empty() && !id.contains(char::is_whitespace),
            "id {id:?}"
        );
    }
    for text in [&p.subject]
        .into_iter()
        .chain(p.from.iter().map(|(a, _)| a))
        .chain(p.from.iter().filter_map(|(_, n)| n.as_ref()))
        .chain(p.parts.iter().map(|a| &a.name))
    {
        assert!(!text.contains(['\r', '\n']), "header text {text:?}");
    }
    let subject = reply_subject(&p.subject, "[#X-1]");
    assert!(!subject.contains(['\r', '\n']) && subject.ends_with("[#X-1]"));
    let _ = case_token(&p.subject);
    if let Some(html) = &p.html {
        assert_safe_html(html);
    }
    let f = fold(&p.text);
    assert!(f.body.len() <= p.text.len());
}

/// Every `<` of sanitised HTML opens a real tag (text has `&lt;`) and attribute values are
/// double-quoted: no tag may be a script or style, carry an event handler or a script URL.
fn assert_safe_html(html: &str) {
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("").to_ascii_lowercase();
        let name = tag.trim_start_matches('/');
        assert!(
            !name.starts_with("script")
                && !name.starts_with("style")
                && !name.starts_with("iframe"),
            "unsafe tag <{tag}>"
        );
        // Outside quoted values, no attribute named on…
        let unquoted: String = tag.split('"').step_by(2).collect::<Vec<_>>().join(" ");
        assert!(
            !unquoted
                .split(|c: char| c.is_whitespace() || c == '/')
                .any(|a| a.starts_with("on") && a.contains('=')),
            "event handler in <{tag}>"
        );
        assert!(!tag.contains("javascript:"), "script URL in <{tag}>");
    }
}
