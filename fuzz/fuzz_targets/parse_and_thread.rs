//! Any bytes through the reading and threading of a message: nothing panics, no header value
//! keeps a line break, sanitised HTML keeps no script.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    pacte::domain::email::check_invariants(data);
});
