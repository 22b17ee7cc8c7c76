//! What the console knows: the rules of watching, checking and explaining a store, with no DOM.
//! Imports `aws` only, never `web` or `ui`.

pub mod board;
pub mod explain;
pub mod forms;
pub mod health;
pub mod keys;
pub mod link;
pub mod preflight;
pub mod probe;
pub mod report;
pub mod watch;
