//! kms-emulator: a local fake of the AWS KMS custom key store API, with real SigV4
//! verification, scripted connect outcomes and fault injection, for the console's demo and
//! end-to-end tests. It must behave like KMS, not like any one client.

pub mod account;
pub mod cli;
pub mod cloudwatch;
pub mod clusters;
pub mod cursor;
pub mod faults;
pub mod keyring;
pub mod kms;
pub mod listener;
pub mod rng;
pub mod scenario;
pub mod server;
pub mod sigv4;
pub mod spec;
pub mod stores;
pub mod trust;
pub mod validate;
pub mod wire;
