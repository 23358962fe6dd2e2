//! The charter of commitments: defining (SMART on save, versioned once published), backtesting
//! on past data, publishing, reading results (kept incrementally by `evaluate`), and the
//! public charter.

pub mod alerts;
mod backtest;
pub mod compensation;
pub mod consequences;
mod definition;
pub mod evaluate;
pub mod model;
mod public;
mod results;

pub use backtest::{Backtest, backtest};
pub use definition::{
    ADVISED_MAX, CommitmentInput, CommitmentView, create, create_unchecked, get, list, publish,
    publish_at, update,
};
pub use model::Charter;
pub use public::{PublicCharter, PublicItem, period_label, public_charter, response_promise};
pub(crate) use results::results_in;
pub use results::{
    AtRisk, CommitmentResults, PeriodResult, SiteTally, at_risk, deadlines_of, due_after, due_of,
    results,
};
