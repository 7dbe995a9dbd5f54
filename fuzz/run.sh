#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS_PER_TARGET seconds each (default
# 600), two at a time, at the lowest priority. Each works on a copy of its seeds in
# work/corpus/<target>, logs to work/logs/<target>.log (libFuzzer's final statistics at
# the end), and leaves any crashing input in artifacts/<target>/. An input taking over
# TIMEOUT seconds (default 60: wall time, and a process at nice 19 on a busy machine gets
# little of it) counts as a crash. Needs cargo-fuzz; see README.md.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${SECONDS_PER_TARGET:-600}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi
RUSTC_BOOTSTRAP=1 cargo fuzz build -O
mkdir -p work/logs
run() {
    local target=$1 max_len=16384
    case $target in api_query | cursor) max_len=4096 ;; esac
    mkdir -p "work/corpus/$target"
    cp -n "corpus/$target"/* "work/corpus/$target/" 2>/dev/null || true
    RUSTC_BOOTSTRAP=1 nice -n 19 cargo fuzz run -O "$target" "work/corpus/$target" -- \
        -max_total_time="$seconds" -timeout="${TIMEOUT:-60}" -rss_limit_mb=2048 -max_len="$max_len" \
        -print_final_stats=1 >"work/logs/$target.log" 2>&1 || echo "$target: stopped early, see work/logs/$target.log"
}
for ((i = 0; i < ${#targets[@]}; i += 2)); do
    run "${targets[i]}" &
    if [ $((i + 1)) -lt ${#targets[@]} ]; then run "${targets[i + 1]}" & fi
    wait
done
