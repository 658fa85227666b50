#!/usr/bin/env bash
# Desktop tests: installs what is missing (Debian packages, npm packages, tauri-driver), builds
# the UI and the app, then runs the UI unit tests, type check and lint, the shell's Rust tests
# and the WebDriver end-to-end tests in a real app window under Xvfb.
#
# Idempotent and non-interactive; each install step is skipped when its tool is already there.
#   --install-only   install what is missing, then stop (for a CI image or before `cargo clippy --workspace`)
#   --no-driver      with --install-only: leave out tauri-driver (what running the app needs, for scripts/desktop.sh)
#   --no-e2e         skip the end-to-end tests (unit tests, checks and the build still run)
#   --e2e-only       build the UI and the app, then run only the end-to-end tests
# Environment: CROSSWALK_SHARED_DIR (default ../shared), CARGO_TARGET_DIR (default: the workspace
# target/, so the core crates built by `cargo test` are reused), E2E_PORT (default 4446).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

install_only=false
driver=true
e2e=true
checks=true
for arg in "$@"; do
  case "$arg" in
    --install-only) install_only=true ;;
    --no-driver) driver=false ;;
    --no-e2e) e2e=false ;;
    --e2e-only) checks=false ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

# Each step says how long the run has taken so far (seconds since the script started).
step() { printf '\n=== desktop [%4ds]: %s ===\n' "$SECONDS" "$*" >&2; }

# --- install what is missing ---------------------------------------------------------------
debs=(libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
      libayatana-appindicator3-dev librsvg2-dev pkg-config
      xvfb xauth imagemagick webkit2gtk-driver x11-utils dbus)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The machine image ships Node.js 20 (Vite 8 needs 20.19 or later); fall back to Debian's
# package only when there is none, and say clearly when what is there is too old.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  step "installing Node.js (Debian packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "Node.js $(node --version) is too old for the UI build (Vite 8 needs 20.19 or later)" >&2
  exit 1
fi

# npm ci only when the lockfile changed since the last install (it wipes node_modules).
stamp=ui/node_modules/.crosswalk-lock-sha
want=$(sha256sum ui/package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  step "npm ci"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
fi

export PATH="$HOME/.cargo/bin:$PATH"
if $driver && ! command -v tauri-driver >/dev/null; then
  step "cargo install tauri-driver"
  cargo install tauri-driver --version '^2' --locked --quiet
fi

if $install_only; then
  step "installed"
  exit 0
fi

shared=${CROSSWALK_SHARED_DIR:-$root/../shared}
export CROSSWALK_SHARED_DIR=$(cd "$shared" && pwd)

# --- UI: unit tests, type check, lint, build -------------------------------------------------
if $checks; then
  step "ui unit tests (vitest)"
  (cd ui && npx vitest run)
  step "ui type check (svelte-check, tsc) and lint (eslint)"
  (cd ui && npm run --silent check && npx eslint .)
fi
step "ui build"
(cd ui && npx vite build --logLevel warn)

# --- the shell: Rust tests and the app binary --------------------------------------------------
target=${CARGO_TARGET_DIR:-$root/target}
# One build of everything the shell has (library, its tests, the app binary). With resolver 2,
# a plain `cargo build` resolves features without the dev-dependencies and would compile part
# of the tree a second time for the binary alone; `--all-targets` builds the binary exactly as
# `cargo test` does. Debug build; the default `custom-protocol` feature serves ui/dist.
step "shell build (cargo build -p crosswalk-desktop --all-targets)"
cargo build -p crosswalk-desktop --all-targets --locked --quiet
if $checks; then
  step "shell lint (clippy -D warnings) and tests (cargo test -p crosswalk-desktop)"
  # --no-deps: the core crates are linted by scripts/test-all.sh; this lints the shell alone.
  cargo clippy -p crosswalk-desktop --all-targets --locked --quiet --no-deps -- -D warnings
  cargo test -p crosswalk-desktop --locked --quiet
fi
app="$target/debug/crosswalk-desktop"

$e2e || { step "skipping end-to-end tests (--no-e2e)"; exit 0; }

# --- end-to-end: tauri-driver + WebKitWebDriver + the app under Xvfb ---------------------------
out="$root/ui/test-output/e2e"
rm -rf "$out" && mkdir -p "$out"
port=${E2E_PORT:-4446}
step "end-to-end tests (screenshots in ${out#$root/})"
export CROSSWALK_APP="$app" E2E_OUT="$out" WD_PORT="$port"
# The test hand-over replaces the native dialog; it is off unless this is set.
export CROSSWALK_TEST_HOOKS=1
# The app keeps its recent engagements in its config directory: a fresh one per run, inside the
# test output, so the tests read what it wrote and a developer's own list is never touched.
export XDG_CONFIG_HOME="$out/config"
# No accessibility bus and no DMABUF renderer under Xvfb: either can stall or blank the window.
export NO_AT_BRIDGE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  tauri-driver --port "$WD_PORT" --native-port $((WD_PORT + 1)) > "$E2E_OUT/driver.log" 2>&1 &
  driver=$!
  trap "kill $driver 2>/dev/null || true" EXIT
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$WD_PORT/status" >/dev/null && break; sleep 0.1; done
  cd ui && node --test --test-concurrency=1 --test-reporter=spec tests/e2e/desktop.e2e.mjs'
step "desktop tests passed"
