//! Pagination cursors for KMS's markers and CloudHSM's tokens: both are opaque to clients, so
//! neither shows the listing position it holds.

/// A fixed prefix, then the position of the next item, masked, in 16 hex digits.
pub struct Cursor {
    pub prefix: &'static str,
    pub mask: u64,
}

impl Cursor {
    pub fn encode(&self, seq: u64) -> String {
        format!("{}{:016x}", self.prefix, seq ^ self.mask)
    }

    /// The position `encode` hid, or `None` for text it could not have made.
    pub fn decode(&self, text: &str) -> Option<u64> {
        let hex = text.strip_prefix(self.prefix)?;
        if hex.len() != 16 {
            return None;
        }
        Some(u64::from_str_radix(hex, 16).ok()? ^ self.mask)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_only_what_it_wrote() {
        let c = Cursor {
            prefix: "AB",
            mask: 0x0f0f,
        };
        assert_eq!(c.encode(5), "AB0000000000000f0a");
        assert_eq!(c.decode(&c.encode(5)), Some(5));
        for bad in [
            "",
            "AB",
            "AB0000000000000f0",
            "XY0000000000000f0a",
            "AB000000000000zz0a",
        ] {
            assert_eq!(c.decode(bad), None, "{bad}");
        }
    }
}
