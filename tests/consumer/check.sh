#!/usr/bin/env bash
# The two ways another project uses autograd, as the README shows them:
# (1) a meson subproject, (2) an installed library found by pkg-config.
# Usage: check.sh SOURCE_ROOT
set -euo pipefail
src=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
off=(tests=disabled examples=false benchmarks=false)

mkdir -p "$work/app/subprojects"
cp "$src/tests/consumer/meson.build" "$src/tests/consumer/app.cpp" "$work/app/"
ln -s "$src" "$work/app/subprojects/autograd"
meson setup "$work/app/build" "$work/app" "${off[@]/#/-Dautograd:}" >/dev/null
meson compile -C "$work/app/build" >/dev/null
expected=$'y = 1.6094, dy/dx = 0.8000\nnn: 8 parameters'
[[ "$("$work/app/build/app")" == "$expected" ]]
echo "subproject: ok"

meson setup "$work/lib" "$src" --prefix="$work/prefix" "${off[@]/#/-D}" >/dev/null
meson install -C "$work/lib" >/dev/null
export PKG_CONFIG_PATH=$(dirname "$(find "$work/prefix" -name autograd.pc)")
c++ -std=c++20 "$src/tests/consumer/app.cpp" $(pkg-config --cflags --libs --static autograd-nn) \
  -o "$work/app2"
[[ "$("$work/app2")" == "$expected" ]]
echo "pkg-config: ok"
