//! Helpers shared by the TLS integration tests.

#![allow(dead_code, unused_imports)] // Each test binary uses a different subset.

pub mod pki;

pub use pki::{Pki, field, parse_openssl_date, unhex};
