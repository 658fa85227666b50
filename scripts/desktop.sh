#!/usr/bin/env bash
# Starts the desktop workbench: installs what the app needs when it is missing (Debian
# packages, npm packages; see scripts/test-desktop.sh), builds the UI and runs the app in a
# release build. Needs a display; on a machine without one, `xvfb-run -a scripts/desktop.sh`
# starts it in a virtual display (useful only to see that it starts).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/test-desktop.sh --install-only --no-driver
(cd ui && npx vite build --logLevel warn)
exec cargo run --release --locked -p crosswalk-desktop -- "$@"
