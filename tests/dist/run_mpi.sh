#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ag::dist's tests under mpirun on this machine, loopback only, each run
# bounded in time: 2 and 3 ranks (oversubscribed) match one process and are
# bit-identical run to run; a rank that throws ends every rank within
# seconds, with a message naming it.
# Usage: run_mpi.sh DDP_TEST_EXE
set -euo pipefail
exe=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mpi=(mpirun --allow-run-as-root --oversubscribe --bind-to none --mca btl self,tcp
  --mca btl_tcp_if_include lo --mca oob_tcp_if_include lo)
for np in 2 3; do
  for run in 1 2; do
    timeout 60 "${mpi[@]}" -np $np "$exe" equivalence >"$work/out$np-$run" 2>&1 ||
      { cat "$work/out$np-$run"; exit 1; }
  done
  cat "$work/out$np-1"
  diff <(grep digest "$work/out$np-1") <(grep digest "$work/out$np-2")
done
start=$(date +%s)
if timeout 60 "${mpi[@]}" -np 3 "$exe" fault >"$work/fault" 2>&1; then
  echo "a failing rank did not fail the job"; exit 1
fi
elapsed=$(($(date +%s) - start))
grep -q "rank 1: rank 1 fails on purpose" "$work/fault" || { cat "$work/fault"; exit 1; }
((elapsed < 30)) || { echo "the job took ${elapsed}s to end after a rank failed"; exit 1; }
echo "a failing rank ended the job in ${elapsed}s"
