#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An example refuses each bad flag the way the sentiment example does: exit
# status 2 (not a crash, not a run) and one line naming the flag.
# Usage: bad_flags.sh PROGRAM "FLAG VALUE" ...
set -u
# A refused flag exits at once, without MPI_Finalize (mlp_trainer runs
# inside ag::dist::run): OpenMPI's own allocations would be reported by
# LeakSanitizer as leaks. Every other sanitizer check stays on.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0"
program=$1
shift
failed=0
for args in "$@"; do
  read -r -a words <<<"$args"
  err=$(timeout 20 "$program" "${words[@]}" 2>&1 >/dev/null)
  status=$?
  if [[ $status != 2 || $err != *"${words[0]}"* ]]; then
    echo "FAIL: $args: exit $status, said: $err"
    failed=1
  else
    echo "ok: $args: $err"
  fi
done
exit $failed
