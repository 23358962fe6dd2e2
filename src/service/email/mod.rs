//! The email channel: receiving (IMAP, MTA pipe, HTTP relay — one path), threading, automatic
//! mail and loops, acknowledgements stating the promise, replies sent by SMTP from a queue.

pub mod imap;
pub mod inbound;
pub mod mailbox;
pub mod outbound;
pub mod secrets;
pub mod socket;
pub mod texts;
mod view;

pub use inbound::{Received, Route, WarningView, receive};
pub use view::{
    CaseEmail, attachment, case_emails, customer_of_case, customer_of_email, email_html,
    raw_message,
};
