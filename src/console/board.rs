//! Several watches at once, one per store, newest first. The page polls them from one loop:
//! always the watch whose poll is due first (the rate limiter spaces the calls).

use crate::console::watch::{Phase, Watch};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Board {
    watches: Vec<Watch>,
}

impl Board {
    pub fn watches(&self) -> &[Watch] {
        &self.watches
    }

    pub fn is_empty(&self) -> bool {
        self.watches.is_empty()
    }

    /// Adds a watch first; a store has one watch at a time, so an older one is replaced.
    pub fn upsert(&mut self, w: Watch) {
        self.watches.retain(|o| o.store_id != w.store_id);
        self.watches.insert(0, w);
    }

    pub fn watches_mut(&mut self) -> impl Iterator<Item = &mut Watch> {
        self.watches.iter_mut()
    }

    pub fn get(&self, store_id: &str) -> Option<&Watch> {
        self.watches.iter().find(|w| w.store_id == store_id)
    }

    pub fn get_mut(&mut self, store_id: &str) -> Option<&mut Watch> {
        self.watches.iter_mut().find(|w| w.store_id == store_id)
    }

    /// Closes a watch's panel (a settled or stopped one; KMS is not touched).
    pub fn dismiss(&mut self, store_id: &str) {
        self.watches.retain(|w| w.store_id != store_id);
    }

    /// The newest watch: the one the page's link and title follow.
    pub fn primary(&self) -> Option<&Watch> {
        self.watches.first()
    }

    /// The watch to poll next and when (epoch ms), if any is polling.
    pub fn next_due(&self) -> Option<(String, i64)> {
        self.watches
            .iter()
            .filter_map(|w| w.next_poll_at_ms().map(|at| (at, &w.store_id)))
            .min()
            .map(|(at, id)| (id.clone(), at))
    }

    /// Whether any watch is polling or waiting for the user.
    pub fn any_open(&self) -> bool {
        self.watches
            .iter()
            .any(|w| matches!(w.phase, Phase::Watching | Phase::Paused(_)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::kms::{ConnectionState, CustomKeyStore};
    use crate::console::watch::Goal;

    #[test]
    fn one_watch_per_store_newest_first_earliest_due_polled_first() {
        let mut b = Board::default();
        b.upsert(Watch::new("cks-a", Goal::Connect, 0, None));
        b.upsert(Watch::new("cks-b", Goal::Connect, 500, None));
        assert_eq!(b.next_due(), Some(("cks-a".to_string(), 1_000)));
        let read = CustomKeyStore {
            connection_state: Some(ConnectionState::Connecting),
            ..Default::default()
        };
        b.get_mut("cks-a").unwrap().observe(1_000, &read, None);
        assert_eq!(b.next_due(), Some(("cks-b".to_string(), 1_500)));
        b.upsert(Watch::new("cks-a", Goal::Disconnect, 2_000, None));
        assert_eq!(b.watches().len(), 2);
        assert_eq!(b.primary().unwrap().goal, Goal::Disconnect);
        b.get_mut("cks-a").unwrap().stop(2_100);
        b.get_mut("cks-b").unwrap().stop(2_100);
        assert_eq!(b.next_due(), None);
        assert!(!b.any_open());
        b.dismiss("cks-a");
        assert_eq!(b.watches().len(), 1);
    }
}
