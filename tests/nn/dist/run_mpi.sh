#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ag::dist's tests under mpirun on this machine, loopback only, each run
# bounded in time: 2 and 3 ranks (oversubscribed) match one process and are
# bit-identical run to run; a rank that throws ends every rank within
# seconds, with a message naming it; a rank killed during training ends the
# job within seconds, and a run resumed from rank 0's last checkpoint ends
# with the parameters of a run that never stopped; the sentiment example
# trains as 2 ranks (sparse embeddings), rank 0 alone reporting and saving.
# Usage: run_mpi.sh DDP_TEST_EXE MLP_TRAINER_EXE SENTIMENT_EXE SST_TINY_DIR
set -euo pipefail
exe=$1
trainer=$2
sentiment=$3
sst=$4
work=$(mktemp -d)
job=
trap '[[ -n $job ]] && kill -9 $job 2>/dev/null; rm -rf "$work"' EXIT
mpi=(mpirun --allow-run-as-root --oversubscribe --bind-to none --mca btl self,tcp
  --mca btl_tcp_if_include lo --mca oob_tcp_if_include lo)
timeout 60 "$exe" solo  # one process: MPI's singleton start, no mpirun
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

# Killed: the same 2-rank training three ways. Uninterrupted; killed (-9,
# rank 1's process) once epoch 3 is logged; resumed from the checkpoint.
train=("${mpi[@]}" -np 2 "$trainer" --epochs 30)
timeout 60 "${train[@]}" --checkpoint "$work/whole.ckpt" >"$work/whole" 2>&1 ||
  { cat "$work/whole"; exit 1; }
"${train[@]}" --checkpoint "$work/cut.ckpt" >"$work/cut" 2>&1 &
job=$!
for ((i = 0; i < 600; ++i)); do
  grep -q "^epoch   3 " "$work/cut" && break
  sleep 0.1
done
victim=$(pgrep -P $job | tail -1)
[[ -n $victim ]] || { echo "no rank to kill"; cat "$work/cut"; exit 1; }
start=$(date +%s)
kill -9 "$victim"
for ((i = 0; i < 300; ++i)); do
  kill -0 $job 2>/dev/null || break
  sleep 0.1
done
if kill -0 $job 2>/dev/null; then
  echo "the job still runs 30 s after a rank was killed"; exit 1
fi
wait $job && { echo "a killed rank did not fail the job"; exit 1; } || true
job=
elapsed=$(($(date +%s) - start))
grep -E "process rank [0-9]+ .*exited on signal 9" "$work/cut" ||
  { cat "$work/cut"; exit 1; }
grep -q "^epoch  30 " "$work/cut" && { echo "the run ended before the kill"; exit 1; }
echo "a killed rank ended the job in ${elapsed}s, after: $(grep '^epoch' "$work/cut" | tail -1)"
timeout 60 "${train[@]}" --checkpoint "$work/cut.ckpt" --resume >"$work/resumed" 2>&1 ||
  { cat "$work/resumed"; exit 1; }
head -1 "$work/resumed"
want=$(grep digest "$work/whole")
got=$(grep digest "$work/resumed")
[[ "$want" == "$got" ]] || { echo "resumed: $got, uninterrupted: $want"; exit 1; }
echo "resumed run ends as the uninterrupted one: $got"

# The sentiment example, unchanged, as 2 ranks.
timeout 120 "${mpi[@]}" -np 2 "$sentiment" --data "$sst" --runs "$work/runs" --model lstm \
  --dim 16 --hidden 8 --epochs 2 --quiet >"$work/sentiment" 2>&1 || { cat "$work/sentiment"; exit 1; }
grep -q "seed 1, 2 ranks" "$work/sentiment" || { cat "$work/sentiment"; exit 1; }
[[ $(grep -c "best dev accuracy" "$work/sentiment") == 1 ]] || { cat "$work/sentiment"; exit 1; }
"$sentiment" --runs "$work/runs" --name binary-lstm --predict | grep -c -- "->" | grep -qx 3
echo "sentiment trained as 2 ranks: $(grep "best dev accuracy" "$work/sentiment")"
