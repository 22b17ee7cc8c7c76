//! kms-emulator: a local fake of the AWS KMS custom key store API, with real SigV4 verification
//! and scripted connect outcomes, for the console's demo and end-to-end tests.

pub mod scenario;
pub mod server;
pub mod sigv4;
pub mod stores;
