#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A test build never covers less than it claims: configured with
# -Dtests=enabled on a PATH that lacks one program the tests run, meson must
# fail and name it. Then with the same program hidden and -Dtests=auto it
# must configure (the program is optional there). Libraries are hidden the
# same way by scripts/check_fresh_machine, which removes their packages.
# Usage: requires.sh SOURCE_ROOT
set -euo pipefail
src=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
off=(-Dexamples=true -Dbenchmarks=false)
status=0
for program in valgrind doxygen mpirun chromium chromedriver; do
  # Every program of the usual PATH but this one, as links in one folder.
  bin=$work/bin-$program
  mkdir -p "$bin"
  IFS=: read -ra dirs <<<"$PATH"
  for dir in "${dirs[@]}"; do
    for f in "$dir"/*; do
      name=${f##*/}
      [[ -x $f && ! -e $bin/$name && $name != "$program" ]] && ln -s "$f" "$bin/$name"
    done
  done
  if out=$(PATH=$bin meson setup "$work/b-$program" "$src" -Dtests=enabled "${off[@]}" 2>&1); then
    echo "FAILED: -Dtests=enabled configured without $program"
    status=1
  elif ! grep -q "ERROR.*$program" <<<"$out"; then
    echo "FAILED: configuring without $program did not name it:"
    grep ERROR <<<"$out" || tail -n 3 <<<"$out"
    status=1
  else
    echo "without $program: $(grep ERROR <<<"$out" | head -n 1)"
  fi
  rm -rf "$work/b-$program"
done
# Optional where the tests are not claimed: one configure shows it.
if ! out=$(PATH=$work/bin-valgrind meson setup "$work/b-auto" "$src" -Dtests=auto "${off[@]}" 2>&1)
then
  echo "FAILED: -Dtests=auto did not configure without valgrind:"
  tail -n 5 <<<"$out"
  status=1
else
  echo "without valgrind, -Dtests=auto: configured ($(grep -c 'valgrind.*NO' <<<"$out") 'NO' line)"
fi
exit $status
