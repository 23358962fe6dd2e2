//! One integration-test binary: API, import/export, layering, browser end to end.

mod api_test;
mod browser_test;
mod layering_test;
mod transfer_test;
mod support;
mod web_test;
