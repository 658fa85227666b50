//! The window's security settings, checked as data: a strict CSP (the same in development),
//! no shell plugin, and a capability set that grants the page nothing but the app's own
//! commands and listening to the shell's events. A loosened setting fails here, not in review.

use serde_json::Value;
use std::path::{Path, PathBuf};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn config() -> Value {
    json(&manifest_dir().join("tauri.conf.json"))
}

fn directive<'a>(csp: &'a Value, name: &str) -> &'a str {
    csp[name]
        .as_str()
        .unwrap_or_else(|| panic!("the CSP sets {name}"))
}

#[test]
fn the_csp_allows_only_the_apps_own_files_and_its_ipc() {
    let security = &config()["app"]["security"];
    let csp = &security["csp"];
    assert_eq!(
        &security["devCsp"], csp,
        "development runs under the same policy, so a CSP problem shows before a release"
    );
    assert_eq!(directive(csp, "default-src"), "'self'");
    assert_eq!(
        directive(csp, "script-src"),
        "'self'",
        "no inline or evaluated script"
    );
    assert_eq!(
        directive(csp, "style-src"),
        "'self'",
        "styles come from the built CSS file"
    );
    assert_eq!(directive(csp, "img-src"), "'self'");
    assert_eq!(directive(csp, "object-src"), "'none'");
    assert_eq!(directive(csp, "base-uri"), "'none'");
    assert_eq!(directive(csp, "form-action"), "'none'");
    assert_eq!(directive(csp, "frame-src"), "'none'");
    assert_eq!(
        directive(csp, "connect-src"),
        "ipc: http://ipc.localhost",
        "the page talks to the shell only, never to the network"
    );
    for (name, value) in csp.as_object().expect("the CSP is a map of directives") {
        let value = value.as_str().unwrap_or_default();
        for loose in [
            "'unsafe-inline'",
            "'unsafe-eval'",
            "'wasm-unsafe-eval'",
            "*",
            "https:",
            "http:",
            "blob:",
            "data:",
        ] {
            assert!(
                !value.split_whitespace().any(|t| t == loose),
                "{name} must not allow {loose}: {value}"
            );
        }
    }
}

#[test]
fn the_page_gets_no_global_api_and_a_frozen_prototype() {
    let app = &config()["app"];
    assert_eq!(app["withGlobalTauri"], Value::Bool(false));
    assert_eq!(app["security"]["freezePrototype"], Value::Bool(true));
    assert!(
        app["security"]
            .get("dangerousDisableAssetCspModification")
            .is_none(),
        "Tauri's nonces and hashes stay in the CSP"
    );
    let windows = app["windows"].as_array().expect("windows");
    assert_eq!(windows.len(), 1, "one window");
    assert!(
        windows[0].get("url").is_none(),
        "the window loads the bundled UI, never a remote page"
    );
}

#[test]
fn capabilities_grant_only_event_listening_to_the_main_window() {
    let dir = manifest_dir().join("capabilities");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("capabilities folder")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert_eq!(
        files,
        vec![dir.join("main.json")],
        "one capability file for the one window"
    );
    let cap = json(&files[0]);
    assert_eq!(cap["windows"], serde_json::json!(["main"]));
    assert!(
        cap.get("remote").is_none(),
        "no remote origin gets any permission"
    );
    let permissions: Vec<&str> = cap["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .map(|p| {
            p.as_str()
                .expect("plain permission names, no scoped objects")
        })
        .collect();
    assert_eq!(
        permissions,
        vec!["core:event:allow-listen", "core:event:allow-unlisten"],
        "files are opened and saved by the shell after a native dialog: the page needs no dialog, fs or shell permission"
    );
}

#[test]
fn there_is_no_shell_plugin() {
    let cargo = std::fs::read_to_string(manifest_dir().join("Cargo.toml")).expect("Cargo.toml");
    assert!(
        !cargo.contains("tauri-plugin-shell"),
        "no shell plugin in the shell's crate"
    );
    let package = json(&manifest_dir().join("../ui/package.json"));
    for section in ["dependencies", "devDependencies"] {
        let deps = package[section].as_object().expect(section);
        assert!(
            !deps.keys().any(|k| k.starts_with("@tauri-apps/plugin-")),
            "the front end uses no Tauri plugin's JavaScript API ({section}): {:?}",
            deps.keys().collect::<Vec<_>>()
        );
    }
}
