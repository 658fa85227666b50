//! Prints the suggestions for one requirement text against the shipped catalogue.
//!
//!     cargo run -p crosswalk-suggest --example probe -- "requirement text" [top]

use crosswalk_suggest::{Engine, Query};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = args.get(1).cloned().unwrap_or_default();
    let top = args.get(2).and_then(|t| t.parse().ok()).unwrap_or(5);
    let engine = Engine::new(crosswalk_catalogue::shipped());
    for s in engine.suggest(&Query::new("PROBE", "", text), top, &[]) {
        println!(
            "{:<18} {:.3} {:<40} {}",
            s.kind.as_str(),
            s.score,
            s.target.to_string(),
            s.reason
        );
    }
}
