#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs one libFuzzer target for SECONDS, starting from its committed seed
# corpus; new inputs go to a scratch directory, never into the repository.
# Usage: smoke.sh TARGET SEED_DIR SECONDS [EXTRA_CORPUS_DIR]
set -euo pipefail
target=$1 seeds=$2 seconds=$3
if [[ $# -ge 4 ]]; then
  work=$4
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
# -error_exitcode=1: libFuzzer's default, 77, is what meson reads as "skipped".
"$target" -max_total_time="$seconds" -error_exitcode=1 -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=64 \
  -max_len=4096 -print_final_stats=1 "$work" "$seeds"
