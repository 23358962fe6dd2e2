//! Email as Pacte understands it: a raw RFC 5322 message read into what a case needs (who wrote,
//! what they said, what it answers, whether a human wrote it), the keys that thread it, and the
//! folding of quoted history for display. Pure: parsing never fails on hostile input, it warns.

mod parse;
mod quote;
mod thread;

pub use parse::{Kind, Parsed, Part, Warning, parse};
pub use quote::{Folded, fold};
pub use thread::{case_token, clean_header, normalize_id, reply_subject, thread_root};

/// Largest message accepted at all (raw); larger ones are refused before parsing.
pub const MAX_MESSAGE_BYTES: usize = 64 << 20;
/// Largest attachment stored for download; a larger one stays in the raw message only.
pub const MAX_ATTACHMENT_BYTES: usize = 25 << 20;
