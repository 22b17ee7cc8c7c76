//! Mounts the console; everything else lives in the library.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    // index.html's static shell (painted before the wasm arrived) gives way to the app, in the
    // same task as the mount: no frame shows both, and its heading is not left behind.
    if let Some(shell) = leptos::prelude::document().get_element_by_id("shell") {
        shell.remove();
    }
    leptos::mount::mount_to_body(cks_console::ui::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("cks-console runs in the browser: see the README (scripts/run.sh serves it).");
}
