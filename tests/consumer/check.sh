#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The three ways another project uses autograd, as the README shows them:
# (1) a meson subproject, (2) installed and found by pkg-config, (3) installed
# and found by CMake's find_package. The same program each time.
# Usage: check.sh SOURCE_ROOT
set -euo pipefail
src=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
off=(tests=disabled examples=false benchmarks=false)
# Packaging is under test, not debug info: plain builds compile ~35 % faster.
plain=(--buildtype=plain)
expected=$'y = 1.6094, dy/dx = 0.8000\nnn: 8 parameters'

mkdir -p "$work/app/subprojects"
cp "$src/tests/consumer/meson.build" "$src/tests/consumer/app.cpp" "$work/app/"
ln -s "$src" "$work/app/subprojects/autograd"
meson setup "$work/app/build" "$work/app" "${plain[@]}" "${off[@]/#/-Dautograd:}" >/dev/null
meson compile -C "$work/app/build" >/dev/null
[[ "$("$work/app/build/app")" == "$expected" ]]
echo "subproject: ok"

meson setup "$work/lib" "$src" --prefix="$work/prefix" "${plain[@]}" "${off[@]/#/-D}" >/dev/null
meson install -C "$work/lib" >/dev/null
pc=$(dirname "$(find "$work/prefix" -name autograd.pc)")
# Only the include root is exposed: <autograd/...>, never a bare "tensor.hpp".
cflags=$(PKG_CONFIG_PATH=$pc pkg-config --cflags autograd-nn)
[[ "$cflags" != *"include/autograd"* ]] || { echo "pkg-config exposes include/autograd: $cflags"; exit 1; }
c++ -std=c++20 "$src/tests/consumer/app.cpp" $(PKG_CONFIG_PATH=$pc pkg-config --cflags --libs --static autograd-nn) \
  -o "$work/app2"
[[ "$("$work/app2")" == "$expected" ]]
echo "pkg-config: ok"
# ag::dist, where it was built (MPI found): one process, MPI's singleton start.
dist=$(PKG_CONFIG_PATH=$pc pkg-config --exists autograd-dist && echo yes || true)
if [[ -n $dist ]]; then
  c++ -std=c++20 "$src/tests/consumer/dist_app.cpp" \
    $(PKG_CONFIG_PATH=$pc pkg-config --cflags --libs --static autograd-dist) -o "$work/dist_app"
  [[ "$("$work/dist_app")" == "dist: rank 0 of 1" ]]
  echo "pkg-config autograd-dist: ok"
fi

mkdir -p "$work/cmake-app"
cp "$src/tests/consumer/CMakeLists.txt" "$src/tests/consumer/app.cpp" "$src/tests/consumer/dist_app.cpp" \
  "$work/cmake-app/"
cmake -S "$work/cmake-app" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/cmake-build" >/dev/null
[[ "$("$work/cmake-build/app")" == "$expected" ]]
echo "cmake find_package: ok"
# The version file (ours, not CMake's template) refuses another major version.
mkdir -p "$work/cmake-v1"
printf 'cmake_minimum_required(VERSION 3.20)\nproject(v CXX)\nfind_package(autograd 1.0 CONFIG REQUIRED)\n' \
  >"$work/cmake-v1/CMakeLists.txt"
if cmake -S "$work/cmake-v1" -B "$work/cmake-v1/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
  >"$work/cmake-v1/log" 2>&1; then
  echo "find_package(autograd 1.0) accepted version 0.x"
  exit 1
fi
grep -q "considered but not accepted" "$work/cmake-v1/log" || { cat "$work/cmake-v1/log"; exit 1; }
echo "cmake find_package(autograd 1.0): refused"
if [[ -n $dist ]]; then
  [[ "$("$work/cmake-build/dist_app")" == "dist: rank 0 of 1" ]]
  echo "cmake autograd::dist: ok"
fi
