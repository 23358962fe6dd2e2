//! Pacte: one customer across channels, cases handled once & done, a charter of commitments.

pub mod api; // JSON API under /api/v1 and its OpenAPI document
pub mod app; // the HTTP application: state, router, server
pub mod config; // configuration: defaults, environment, flags
pub mod demo; // the generated French demo organisation
pub mod domain; // pure types and rules
pub mod i18n; // French and English wording of the interface
pub mod search; // the full-text index of cases and customers (tantivy)
pub mod service; // use cases and permission checks
pub mod store; // SQL on SQLite or PostgreSQL
pub mod web; // server-rendered HTML interface
