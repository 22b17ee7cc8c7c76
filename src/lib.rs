//! cks-console: a browser console for AWS KMS custom key stores.
//!
//! Four layers, each a folder; a module imports only from its own layer or the layers below it
//! (`ui → web → console → aws`), and no two modules import each other:
//! - [`aws`]: talking to AWS, pure Rust: credentials, endpoints, SigV4, clock skew, the KMS and
//!   CloudHSM wire types, request limits, errors, retries, the request rate, and `trust` (where a
//!   signed request may go). Imports nothing else of the crate.
//! - [`console`]: what the console knows, pure Rust: watches, the board, pre-flight checks, the
//!   forms, explanations, reports, deep links. Imports `aws` only.
//! - `web`: the browser shell (wasm32 only): the fetch client, the API layer (every AWS call the
//!   page makes), timers, clipboard, notifications. Imports `console` and `aws`, never `ui`.
//! - `ui`: the Leptos components (wasm32 only). They call `web`'s API layer and never build a
//!   request.
//!
//! `aws` and `console` have no DOM and run under native `cargo test`.

pub mod aws;
pub mod console;

#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod web;
