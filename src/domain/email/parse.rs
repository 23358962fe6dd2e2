//! Reading a raw message with mail-parser: every header a case needs, the text, the sanitised
//! HTML, the attachments, and whether a human wrote it. Nothing here panics or refuses: a
//! message that cannot be read fully is read as far as it safely can be, with warnings.

use super::thread::{normalize_id, thread_root};
use super::{MAX_ATTACHMENT_BYTES, MAX_MESSAGE_BYTES};
use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders, PartType};

/// A message as a case sees it.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// Without angle brackets; `None` when the message had none.
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    /// Outlook's conversation key (hex of Thread-Index's first 22 bytes).
    pub thread_root: Option<String>,
    /// The sender's address as written, and display name.
    pub from: Option<(String, Option<String>)>,
    pub reply_to: Option<String>,
    /// Every address the message was sent to (To, Cc, Delivered-To, X-Original-To).
    pub recipients: Vec<String>,
    pub subject: String,
    /// Epoch milliseconds from the Date header.
    pub date: Option<i64>,
    pub text: String,
    /// Sanitised: no scripts, styles, event handlers, forms or remote images.
    pub html: Option<String>,
    pub parts: Vec<Part>,
    /// From Content-Language, lower-case ("fr", "en-gb").
    pub language: Option<String>,
    pub kind: Kind,
    pub warnings: Vec<Warning>,
}

/// An attachment or inline image.
#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub content_type: String,
    pub content_id: Option<String>,
    pub inline: bool,
    pub size: usize,
    /// Empty when the part was too large to store (it stays in the raw message).
    pub data: Vec<u8>,
}

/// Who wrote it, as far as the headers tell.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Kind {
    #[default]
    Human,
    /// Out-of-office and other automatic answers (RFC 3834 and the common vendor headers).
    AutoReply,
    /// Mailing lists and bulk senders.
    Bulk,
    /// A delivery status notification; `original` is the Message-ID it reports on, if found.
    Bounce { original: Option<String> },
}

impl Kind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Human => "human",
            Kind::AutoReply => "auto_reply",
            Kind::Bulk => "bulk",
            Kind::Bounce { .. } => "bounce",
        }
    }

    /// Whether the message may open or reopen a case and be acknowledged.
    pub fn is_human(&self) -> bool {
        *self == Kind::Human
    }
}

/// Something the parser could not do fully; shown on the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub code: &'static str,
    pub detail: String,
}

impl Warning {
    fn new(code: &'static str, detail: impl Into<String>) -> Warning {
        Warning {
            code,
            detail: detail.into(),
        }
    }
}

/// Reads a raw message. Never fails: an unreadable message gives an empty reading with warnings.
pub fn parse(raw: &[u8]) -> Parsed {
    let mut out = Parsed::default();
    if raw.len() > MAX_MESSAGE_BYTES {
        out.warnings.push(Warning::new(
            "too_large",
            format!("the message is {} bytes", raw.len()),
        ));
        return out;
    }
    let Some(msg) = MessageParser::default().parse(raw) else {
        out.warnings
            .push(Warning::new("unparsable", "no header could be read"));
        return out;
    };
    out.message_id = msg.message_id().and_then(normalize_id);
    out.in_reply_to = ids(msg.in_reply_to());
    out.references = ids(msg.references());
    out.thread_root = msg
        .header_raw("Thread-Index")
        .and_then(|v| thread_root(v.trim()));
    out.from = first_address(msg.from()).or_else(|| first_address(msg.sender()));
    out.reply_to = first_address(msg.reply_to()).map(|(a, _)| a);
    for list in [msg.to(), msg.cc()].into_iter().flatten() {
        out.recipients.extend(addresses(list));
    }
    for name in ["Delivered-To", "X-Original-To", "Envelope-To"] {
        for v in msg.header_values(name) {
            if let Some(t) = v.as_text().map(|t| t.trim().trim_matches(['<', '>']))
                && plain_address(t)
            {
                out.recipients.push(t.to_string());
            }
        }
    }
    out.subject = msg
        .subject()
        .map(|s| super::thread::clean_header(s, 500))
        .unwrap_or_default();
    out.language = msg
        .header_raw("Content-Language")
        .map(|l| super::thread::clean_header(l, 20).to_ascii_lowercase());
    out.date = msg.date().map(|d| d.to_timestamp() * 1000);
    let texts: Vec<String> = (0..msg.text_body_count())
        .filter_map(|i| msg.body_text(i).map(|t| t.into_owned()))
        .collect();
    out.text = texts.join("\n\n");
    let html: Vec<String> = (0..msg.html_body_count())
        .filter_map(|i| msg.body_html(i).map(|t| t.into_owned()))
        .collect();
    if !html.is_empty() {
        out.html = Some(sanitize_html(&html.join("\n")));
    }
    for part in &msg.parts {
        if part.is_encoding_problem {
            out.warnings.push(Warning::new(
                "encoding_problem",
                "a part could not be decoded and is kept as it came",
            ));
        }
        if let Some(ct) = part.content_type()
            && ct.ctype().eq_ignore_ascii_case("text")
            && let Some(cs) = ct.attribute("charset")
            && !known_charset(cs)
        {
            out.warnings.push(Warning::new(
                "unknown_charset",
                format!("charset «{}» is unknown; the text may be garbled", clip(cs)),
            ));
        }
    }
    for part in msg.attachments() {
        let (data, content_type): (&[u8], String) = match &part.body {
            PartType::Binary(b) | PartType::InlineBinary(b) => (b.as_ref(), mime_of(part)),
            PartType::Text(t) | PartType::Html(t) => (t.as_bytes(), mime_of(part)),
            PartType::Message(m) => (m.raw_message(), "message/rfc822".to_string()),
            PartType::Multipart(_) => continue,
        };
        let name = part
            .attachment_name()
            .map(|n| super::thread::clean_header(n, 255))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| default_name(&content_type));
        let too_large = data.len() > MAX_ATTACHMENT_BYTES;
        if too_large {
            out.warnings.push(Warning::new(
                "attachment_too_large",
                format!(
                    "«{name}» ({} MB) is kept in the raw message only",
                    data.len() >> 20
                ),
            ));
        }
        out.parts.push(Part {
            content_id: part
                .content_id()
                .map(|c| c.trim().trim_matches(['<', '>']).to_string()),
            inline: matches!(part.body, PartType::InlineBinary(_))
                || part.content_disposition().is_some_and(|d| d.is_inline()),
            size: data.len(),
            data: if too_large { Vec::new() } else { data.to_vec() },
            name,
            content_type,
        });
    }
    out.kind = classify(&msg, &out);
    if out.message_id.is_none() {
        out.warnings.push(Warning::new(
            "no_message_id",
            "the message has no Message-ID",
        ));
    }
    if out.from.is_none() {
        out.warnings.push(Warning::new(
            "no_sender",
            "the message has no readable From",
        ));
    }
    out
}

fn classify(msg: &mail_parser::Message<'_>, p: &Parsed) -> Kind {
    let header = |name: &str| {
        msg.header_raw(name)
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default()
    };
    let report = msg.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && ct
                .attribute("report-type")
                .is_some_and(|r| r.eq_ignore_ascii_case("delivery-status"))
    });
    let sender = p
        .from
        .as_ref()
        .map(|(a, _)| a.to_ascii_lowercase())
        .unwrap_or_default();
    let daemon = sender.starts_with("mailer-daemon@") || sender.starts_with("postmaster@");
    if report || daemon {
        return Kind::Bounce {
            original: original_of_bounce(msg),
        };
    }
    let auto = header("Auto-Submitted");
    if (!auto.is_empty() && auto != "no")
        || msg.header_raw("X-Autoreply").is_some()
        || msg.header_raw("X-Autorespond").is_some()
    {
        return Kind::AutoReply;
    }
    let subject = p.subject.to_lowercase();
    const AUTO_SUBJECTS: [&str; 7] = [
        "out of office",
        "automatic reply",
        "auto:",
        "réponse automatique",
        "absence du bureau",
        "message d'absence",
        "autoreply",
    ];
    if AUTO_SUBJECTS.iter().any(|s| subject.starts_with(s)) {
        return Kind::AutoReply;
    }
    let precedence = header("Precedence");
    if matches!(precedence.as_str(), "bulk" | "list" | "junk")
        || msg.header_raw("List-Id").is_some()
        || msg.header_raw("List-Unsubscribe").is_some()
    {
        return Kind::Bulk;
    }
    Kind::Human
}

/// The Message-ID a delivery report is about: in its returned message or returned headers.
fn original_of_bounce(msg: &mail_parser::Message<'_>) -> Option<String> {
    for part in &msg.parts {
        match &part.body {
            PartType::Message(m) => {
                if let Some(id) = m.message_id().and_then(normalize_id) {
                    return Some(id);
                }
            }
            PartType::Text(t)
                if part
                    .content_type()
                    .and_then(|ct| ct.subtype())
                    .is_some_and(|s| s.eq_ignore_ascii_case("rfc822-headers")) =>
            {
                if let Some(h) = MessageParser::default().parse_headers(t.as_bytes())
                    && let Some(id) = h.message_id().and_then(normalize_id)
                {
                    return Some(id);
                }
            }
            _ => {}
        }
    }
    None
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    let raw: Vec<&str> = match v {
        HeaderValue::Text(t) => vec![t.as_ref()],
        HeaderValue::TextList(l) => l.iter().map(|t| t.as_ref()).collect(),
        _ => Vec::new(),
    };
    raw.into_iter().filter_map(normalize_id).take(100).collect()
}

fn first_address(a: Option<&Address<'_>>) -> Option<(String, Option<String>)> {
    let a = a?.first()?;
    let address = a.address()?.trim();
    if !plain_address(address) {
        return None;
    }
    Some((
        address.to_string(),
        a.name()
            .map(|n| super::thread::clean_header(n, 200))
            .filter(|n| !n.is_empty()),
    ))
}

fn addresses(a: &Address<'_>) -> Vec<String> {
    a.iter()
        .filter_map(|x| x.address())
        .map(|s| s.trim().to_string())
        .filter(|s| plain_address(s))
        .take(100)
        .collect()
}

/// An address fit to store, show and answer: no control characters or spaces (found by the
/// fuzzer: a From with a carriage return inside).
fn plain_address(a: &str) -> bool {
    !a.is_empty() && a.len() <= 254 && !a.chars().any(|c| c.is_control() || c.is_whitespace())
}

fn mime_of(part: &mail_parser::MessagePart<'_>) -> String {
    part.content_type()
        .map(|ct| match ct.subtype() {
            Some(s) => format!("{}/{}", ct.ctype(), s),
            None => ct.ctype().to_string(),
        })
        .map(|s| super::thread::clean_header(&s.to_ascii_lowercase(), 100))
        .unwrap_or_else(|| "application/octet-stream".into())
}

fn default_name(content_type: &str) -> String {
    let ext = content_type.rsplit('/').next().unwrap_or("bin");
    format!("piece-jointe.{}", if ext.is_empty() { "bin" } else { ext })
}

fn known_charset(cs: &str) -> bool {
    let lower = cs.trim().to_ascii_lowercase();
    matches!(lower.as_str(), "utf-8" | "utf8" | "us-ascii")
        || mail_parser::decoders::charsets::map::charset_decoder(lower.as_bytes()).is_some()
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

/// Keeps text formatting, links and inline (`cid:`) images; drops scripts, styles, forms and
/// remote images (they track the reader).
pub(crate) fn sanitize_html(html: &str) -> String {
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto", "cid"].into())
        .link_rel(Some("noopener noreferrer nofollow"))
        .attribute_filter(|element, attribute, value| {
            if element == "img" && attribute == "src" && !value.starts_with("cid:") {
                None
            } else {
                Some(value.into())
            }
        })
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_latin1_message_with_encoded_subject_and_attachment() {
        let raw = b"From: =?ISO-8859-1?Q?Ren=E9e_Lef=E8vre?= <renee@example.fr>\r\n\
To: contact@pacte.example\r\n\
Subject: =?ISO-8859-15?Q?Re=E7u_=A4?=\r\n\
Message-ID: <abc@example.fr>\r\n\
In-Reply-To: <out-1@pacte.example>\r\n\
References: <root@pacte.example> <out-1@pacte.example>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b\"\r\n\
\r\n\
--b\r\n\
Content-Type: text/plain; charset=windows-1252\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Bonjour, voici ma facture =E9lectricit=E9 =80 100\r\n\
--b\r\n\
Content-Type: application/pdf; name=\"facture.pdf\"\r\n\
Content-Disposition: attachment; filename=\"facture.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
JVBERi0xLjQK\r\n\
--b--\r\n";
        let p = parse(raw);
        assert_eq!(p.message_id.as_deref(), Some("abc@example.fr"));
        assert_eq!(p.in_reply_to, vec!["out-1@pacte.example"]);
        assert_eq!(p.references.len(), 2);
        assert_eq!(
            p.from,
            Some(("renee@example.fr".into(), Some("Renée Lefèvre".into())))
        );
        assert_eq!(p.subject, "Reçu €");
        assert!(p.text.contains("électricité € 100"), "{}", p.text);
        assert_eq!(p.parts.len(), 1);
        assert_eq!(p.parts[0].name, "facture.pdf");
        assert_eq!(p.parts[0].data, b"%PDF-1.4\n");
        assert_eq!(p.kind, Kind::Human);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    }

    #[test]
    fn tells_automatic_mail_from_human_mail() {
        let with = |headers: &str| {
            parse(format!("From: a@b.fr\r\nMessage-ID: <x@b>\r\n{headers}\r\n\r\nbody").as_bytes())
                .kind
        };
        assert_eq!(with("Auto-Submitted: auto-replied"), Kind::AutoReply);
        assert_eq!(with("Auto-Submitted: no"), Kind::Human);
        assert_eq!(
            with("Subject: Réponse automatique : absent"),
            Kind::AutoReply
        );
        assert_eq!(with("Precedence: bulk"), Kind::Bulk);
        assert_eq!(with("List-Id: <news.b.fr>"), Kind::Bulk);
        let bounce = "From: MAILER-DAEMON@mx.example\r\nMessage-ID: <d@mx>\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=z\r\n\r\n\
--z\r\nContent-Type: text/plain\r\n\r\nUndeliverable\r\n\
--z\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <out-7@pacte.example>\r\nSubject: x\r\n\r\n\
--z--\r\n";
        assert_eq!(
            parse(bounce.as_bytes()).kind,
            Kind::Bounce {
                original: Some("out-7@pacte.example".into())
            }
        );
    }

    #[test]
    fn sanitises_html_and_warns_on_unknown_charsets() {
        let raw = b"From: a@b.fr\r\nMessage-ID: <x@b>\r\nContent-Type: text/html; charset=x-klingon\r\n\r\n\
<p onclick=\"steal()\">Hi<script>alert(1)</script><img src=\"https://track.example/p.gif\"><img src=\"cid:logo\"></p>";
        let p = parse(raw);
        let html = p.html.unwrap();
        assert!(!html.contains("script") && !html.contains("onclick") && !html.contains("track."));
        assert!(html.contains("cid:logo"));
        assert!(p.warnings.iter().any(|w| w.code == "unknown_charset"));
    }

    #[test]
    fn never_fails_on_garbage() {
        for raw in [
            &b""[..],
            b"\r\n\r\n",
            b"\xff\xfe\x00garbage",
            b"Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n--a\r\n",
        ] {
            let _ = parse(raw);
        }
        assert!(parse(b"").warnings.iter().any(|w| w.code == "unparsable"));
    }
}
