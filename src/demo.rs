//! Demo organisation.
