//! Tauri's build step. `generate_context!` embeds `../ui/dist` at compile time and fails in a
//! proc macro when it is missing, so a placeholder page is written when the UI was not built
//! yet: `cargo clippy --workspace` then works without npm (the app shows a hint instead of a UI).
use std::path::Path;

fn main() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/dist");
    if !dist.join("index.html").exists() {
        std::fs::create_dir_all(&dist).expect("create ui/dist");
        std::fs::write(
            dist.join("index.html"),
            "<!doctype html><title>Crosswalk</title><p>The UI was not built: run <code>npm run build</code> in ui/.</p>",
        )
        .expect("write placeholder ui/dist/index.html");
    }
    tauri_build::build()
}
