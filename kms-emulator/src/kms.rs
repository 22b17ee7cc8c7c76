//! What KMS says, shared by every part of the emulator: its error (`KmsFault`) and a store's
//! `ConnectionState`. It depends on nothing else in the crate.

use serde::{Deserialize, Deserializer};
use std::fmt;
use std::str::FromStr;

/// A KMS error: code and message (status 400, or 500 for KMSInternalException).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsFault {
    pub code: String,
    pub message: String,
}

pub fn fault(code: &str, message: impl Into<String>) -> KmsFault {
    KmsFault {
        code: code.to_string(),
        message: message.into(),
    }
}

/// KMS's `ConnectionStateType`, spelled as on the wire and in scenario files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionState {
    Connected,
    Connecting,
    Disconnected,
    Disconnecting,
    Failed,
}

impl ConnectionState {
    pub const ALL: [Self; 5] = [
        Self::Connected,
        Self::Connecting,
        Self::Disconnected,
        Self::Disconnecting,
        Self::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connected => "CONNECTED",
            Self::Connecting => "CONNECTING",
            Self::Disconnected => "DISCONNECTED",
            Self::Disconnecting => "DISCONNECTING",
            Self::Failed => "FAILED",
        }
    }

    /// A state that lasts until a Connect or Disconnect: a scenario store may start in it.
    pub fn is_resting(self) -> bool {
        !matches!(self, Self::Connecting | Self::Disconnecting)
    }
}

impl fmt::Display for ConnectionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ConnectionState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                let all = Self::ALL.map(Self::as_str).join(", ");
                format!("{s} is not a connection state ({all})")
            })
    }
}

impl<'de> Deserialize<'de> for ConnectionState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}
