//! cks-console: a browser console for AWS KMS custom key stores.
//!
//! The modules at the top are pure Rust (no DOM) and run under native `cargo test`; `web` (the
//! browser shell: fetch, clock, timers) and `ui` (Leptos components) exist only on wasm32.

pub mod board;
pub mod clock;
pub mod cloudhsm;
pub mod credentials;
pub mod endpoint;
pub mod error;
pub mod explain;
pub mod forms;
pub mod json;
pub mod kms;
pub mod limits;
pub mod link;
pub mod preflight;
pub mod rate;
pub mod report;
pub mod retry;
pub mod sign;
pub mod trust;
pub mod watch;

#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod web;
