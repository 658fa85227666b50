//! The `crosswalk-desktop` binary: starts the Tauri shell.
// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

// Every Crosswalk binary uses the same allocator (see the workspace Cargo.toml for why).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    crosswalk_desktop::run();
}
