#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An example refuses each bad flag the way the sentiment example does: exit
# status 2 (not a crash, not a run) and one line naming the flag.
# Usage: bad_flags.sh PROGRAM "FLAG VALUE" ...
set -u
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
