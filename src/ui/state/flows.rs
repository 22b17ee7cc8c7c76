//! The page's Connect and Disconnect: two actions (`ui::connect` makes them with its flows).

use super::Ctx;
use crate::console::link::Tab;
use leptos::prelude::*;

/// One Connect and one Disconnect in flight at a time.
#[derive(Clone, Copy)]
pub struct Flows {
    pub connect: Action<(), ()>,
    pub disconnect: Action<(), ()>,
}

impl Flows {
    /// Connects the store on the page (its Connection tab shows how it goes).
    pub fn connect(&self, ctx: Ctx) {
        ctx.selection.tab.set(Tab::Connection);
        self.connect.dispatch(());
    }

    pub fn disconnect(&self, ctx: Ctx) {
        ctx.selection.tab.set(Tab::Connection);
        self.disconnect.dispatch(());
    }
}
