//! The Crosswalk desktop shell: thin Tauri commands over `crosswalk-api`.

/// Builds and runs the app until its last window closes.
pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .run(tauri::generate_context!())
        .expect("the Tauri application failed to start");
}
