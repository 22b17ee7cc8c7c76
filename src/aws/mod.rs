//! Talking to AWS: everything a signed request needs and everything its reply means, with no
//! DOM. Time, randomness and the network come in as arguments. Imports nothing outside `aws`.

pub mod clock;
pub mod cloudhsm;
pub mod cloudwatch;
pub mod credentials;
pub mod date;
pub mod endpoint;
pub mod error;
pub mod json;
pub mod keys;
pub mod kms;
pub mod limits;
pub mod rate;
pub mod retry;
pub mod sign;
pub mod trust;
