//! The `crosswalk-desktop` binary: starts the Tauri shell.
// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    crosswalk_desktop::run();
}
