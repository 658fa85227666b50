#!/usr/bin/env bash
# Fuzzes the sheet reader and matrix re-import, one target at a time (not part of CI).
#
#   scripts/fuzz.sh                      every target for 600 s each
#   scripts/fuzz.sh 60 sheets_csv        one target for 60 s
#   scripts/fuzz.sh --save ...           afterwards, minimise what was found into fuzz/corpus/
#
# Seeds are written at run time into target/fuzz-seeds/ by `crosswalk-bench fuzz-seeds`: the real
# samples (read in place from ../shared, cut short), generated sheets and bad inputs. New inputs
# land in target/fuzz-work/<target>/. With --save, the work is merged (libFuzzer -merge=1, so
# only inputs adding coverage stay) into fuzz/corpus/<target>/, after removing every input that
# shares content with a real sample. Crashes land in fuzz/artifacts/<target>/: minimise one with
# `cargo fuzz tmin`, copy it to crates/bench/tests/fuzz-crashes/<target>/ (the ordinary test
# suite replays that folder; an input mutated from a real sample is kept as its difference from
# that sample, see crates/bench/tests/fuzz_replay.rs) and fix the cause. Each target's totals
# over all its sessions are printed and appended to target/fuzz-work/runs.txt.
#
# The machine has the stable toolchain only. `--sanitizer none` with max-loads-per-memcmp=0 keeps
# libFuzzer's comparison tracing on multi-byte compares (see ../shared/TOOLING.md); the code is
# safe Rust, so AddressSanitizer adds little.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

save=0
if [ "${1:-}" = "--save" ]; then save=1; shift; fi
seconds=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(sheets_csv sheets_workbook matrix_read); fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi

cargo build -q --locked -p crosswalk-bench
"$root/target/debug/crosswalk-bench" fuzz-seeds --out "$root/target/fuzz-seeds"

export RUSTFLAGS="-Cllvm-args=-max-loads-per-memcmp=0"
fuzz() { (cd fuzz && cargo +stable fuzz run --sanitizer none "$@"); }

found=0
for t in "${targets[@]}"; do
  work="$root/target/fuzz-work/$t"
  corpus="$root/fuzz/corpus/$t"
  mkdir -p "$work" "$corpus" "$root/fuzz/artifacts/$t"
  echo "=== $t: ${seconds}s ===" >&2
  start=$(date +%s)
  : > "$root/target/fuzz-work/$t.all.log"
  # libFuzzer stops at the first crash; start again until the time is used up.
  while :; do
    left=$(( seconds - ($(date +%s) - start) ))
    [ "$left" -gt 5 ] || break
    if fuzz "$t" "$work" "$corpus" "$root/target/fuzz-seeds/$t" -- \
        -max_total_time="$left" -max_len=1048576 -timeout=20 -rss_limit_mb=3072 \
        -print_final_stats=1 2>&1 | tee "$root/target/fuzz-work/$t.log" | grep -E '^#[0-9]+ +(DONE|pulse)|SUMMARY|Test unit written|stat::' >&2
    then :; fi
    cat "$root/target/fuzz-work/$t.log" >> "$root/target/fuzz-work/$t.all.log"
    if grep -q 'Test unit written' "$root/target/fuzz-work/$t.log"; then
      found=1
      grep 'Test unit written' "$root/target/fuzz-work/$t.log" >&2
    else
      break
    fi
  done
  # Every session's figures added up (a crash ends a session; the loop starts the next one).
  awk -v t="$t" -v secs="$(( $(date +%s) - start ))" '
    /^stat::number_of_executed_units:/ { execs += $2; sessions++ }
    /Test unit written/ { crashes++ }
    END { printf "%s: %d s, %d sessions, %d executions, %d crashes\n", t, secs, sessions, execs, crashes }
  ' "$root/target/fuzz-work/$t.all.log" | tee -a "$root/target/fuzz-work/runs.txt" >&2
  if [ $save -eq 1 ]; then
    fresh="$root/target/fuzz-work/$t.merged"
    rm -rf "$fresh"; mkdir -p "$fresh"
    fuzz "$t" "$fresh" "$corpus" "$work" -- -merge=1 -max_len=65536 2>&1 | grep -E 'MERGE-OUTER: [0-9]+ new files' >&2 || true
    "$root/target/debug/crosswalk-bench" fuzz-strip "$fresh"
    # Keep the committed corpus small: inputs over 8 KiB go (they rarely add what a smaller one
    # does not, and the seeds bring the large shapes back at every run).
    find "$fresh" -type f -size +8192c -delete
    rm -rf "$corpus"; mv "$fresh" "$corpus"
    echo "$t: $(ls "$corpus" | wc -l) inputs, $(du -sh "$corpus" | cut -f1) in fuzz/corpus/$t" >&2
  fi
done

if [ $found -eq 1 ]; then
  echo "crashes found: see fuzz/artifacts/" >&2
  exit 1
fi
echo "no crashes" >&2
