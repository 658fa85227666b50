#!/usr/bin/env bash
# Crosswalk against the libraries it stands on: import vs calamine alone and the csv crate
# alone, export vs rust_xlsxwriter alone, suggest, growth between sizes, and the Python peers
# (openpyxl, XlsxWriter). Each side runs in its own process; the figures and ratios printed are
# all measured in the same run, on this machine.
#
#   scripts/bench.sh --smoke            1,000 rows, once (what CI runs: fails only when a
#                                       measurement breaks, never on a ratio)
#   scripts/bench.sh                    1,000, 10,000 and 100,000 rows
#   scripts/bench.sh --sizes 10000      chosen sizes
#   scripts/bench.sh --markdown F       also write the tables to F
#   scripts/bench.sh --limit S          stop any one measurement after S seconds (default 900
#                                       in a full run) and report it as unfinished
#
# Any other option is passed to `crosswalk-bench run` (see `crosswalk-bench run --help`).
# The generated sheets are kept in target/bench-data/ and reused while the generator is the
# same. The Python peers run when python3 has openpyxl and XlsxWriter; a full run installs them
# from PyPI into target/bench-venv when they are missing and pip can reach it (the smoke run
# only uses what is already there).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

smoke=0
no_peers=0
limit=()
for a in "$@"; do
  [ "$a" = "--smoke" ] && smoke=1
  [ "$a" = "--no-peers" ] && no_peers=1
done
# A full run stops any one measurement after 15 minutes (reported as unfinished) unless told.
if [ $smoke -eq 0 ] && [[ " $* " != *" --limit "* ]]; then limit=(--limit 900); fi

venv="$root/target/bench-venv"
has_peers() { "$1" -c 'import openpyxl, xlsxwriter' >/dev/null 2>&1; }
if [ -x "$venv/bin/python3" ] && has_peers "$venv/bin/python3"; then
  export PATH="$venv/bin:$PATH"
elif command -v python3 >/dev/null && ! has_peers python3 && [ $smoke -eq 0 ] && [ $no_peers -eq 0 ]; then
  echo "installing openpyxl and XlsxWriter into $venv for the peer figures" >&2
  if python3 -m venv "$venv" >/dev/null 2>&1 &&
      "$venv/bin/pip" install -q openpyxl XlsxWriter >/dev/null 2>&1; then
    export PATH="$venv/bin:$PATH"
  else
    echo "could not install them; the peers are left out" >&2
  fi
fi

# Release build: the comparison is with optimised libraries.
cargo build -q --release --locked -p crosswalk-bench
bench="$root/target/release/crosswalk-bench"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" >&2
echo "rustc: $(rustc --version)" >&2
exec "$bench" run "${limit[@]}" "$@"
