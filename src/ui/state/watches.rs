//! Every watch (the board) and the one poll loop that serves them.

use crate::console::board::Board;
use crate::web::Bell;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Watches {
    /// Every watch, newest first.
    pub board: RwSignal<Board>,
    /// Benchmarks only (`#pace=N` in the link): watches poll N times faster, to match an
    /// emulator run with `--time-scale N`.
    pub pace: RwSignal<u32>,
    /// Wakes the poll loop (a new or resumed watch, a tab shown again with a poll overdue).
    bell: StoredValue<Bell, LocalStorage>,
    /// Whether the poll loop runs (it ends when nothing is left to poll).
    running: StoredValue<bool>,
}

impl Watches {
    pub(super) fn new() -> Self {
        Self {
            board: RwSignal::new(Board::default()),
            pace: RwSignal::new(1),
            bell: StoredValue::new_local(Bell::default()),
            running: StoredValue::new(false),
        }
    }

    /// Rings the poll loop's bell if the loop runs (true); otherwise marks it as running
    /// (false), and the caller starts it.
    pub fn ring_or_claim(&self) -> bool {
        if self.running.get_value() {
            self.bell.with_value(|b| b.ring());
            true
        } else {
            self.running.set_value(true);
            false
        }
    }

    /// The poll loop has ended (nothing is left to poll).
    pub fn ended(&self) {
        let _ = self.running.try_set_value(false);
    }

    /// The poll loop's bell, to sleep on.
    pub fn bell(&self) -> Option<Bell> {
        self.bell.try_get_value()
    }
}
