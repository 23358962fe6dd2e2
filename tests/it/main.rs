//! One integration-test binary: API, import/export, layering, browser end to end.

mod admin_test;
mod api_test;
mod browser_test;
mod charter_browser_test;
mod charter_test;
mod cli_test;
mod concurrency_test;
mod counter_test;
mod demo_test;
mod durability_test;
mod email_browser_test;
mod email_test;
mod hardening_test;
mod ingest_batch_test;
mod jobs_test;
mod layering_test;
mod live_test;
mod privacy_browser_test;
mod privacy_test;
mod search_test;
mod support;
mod transfer_test;
mod verbatim_agreement_test;
mod voice_browser_test;
mod voice_test;
mod web_test;
