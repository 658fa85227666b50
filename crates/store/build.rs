// Rebuild when a migration file is added or edited, so none is silently left out.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
