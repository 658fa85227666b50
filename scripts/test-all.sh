#!/usr/bin/env bash
# Every test Crosswalk has, from a clean clone: installs what is missing, then runs the core
# suite, lints, the suggestion evaluation, the benchmark smoke run and the desktop tests.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n=== %s ===\n' "$*" >&2; }

if ! command -v cc >/dev/null || ! command -v pkg-config >/dev/null; then
  step "installing the C toolchain (Debian packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends build-essential pkg-config >/dev/null
fi

# The real sample spreadsheets live beside the project; say so early when they are missing.
shared=${CROSSWALK_SHARED_DIR:-$root/../shared}
if [ ! -d "$shared/samples/real" ]; then
  echo "missing $shared/samples/real: clone next to the shared folder or set CROSSWALK_SHARED_DIR" >&2
  exit 1
fi

step "formatting"
cargo fmt --all --check

# Without --workspace cargo uses the default members: every crate but the desktop shell, which
# needs WebKitGTK and the built UI; scripts/test-desktop.sh lints and tests the shell.
step "clippy (core crates, -D warnings)"
cargo clippy --all-targets --locked -- -D warnings

step "core tests"
cargo test --locked

if [ -f crates/suggest/Cargo.toml ] && grep -q 'crosswalk-eval' crates/suggest/Cargo.toml 2>/dev/null; then
  step "suggestion quality (fails below the targets)"
  cargo run --release --locked -q -p crosswalk-suggest --bin crosswalk-eval
fi

if [ -x scripts/bench.sh ]; then
  step "benchmarks at smoke size"
  scripts/bench.sh --smoke
fi

if [ -x scripts/test-desktop.sh ]; then
  step "desktop"
  scripts/test-desktop.sh
fi

step "all tests passed"
