# SPDX-License-Identifier: MIT
# Shared by the scripts: install what is missing, configure build/, build.
# Sourced, not run. A script that sources it builds the demo's part by
# default; scripts that test set AG_NEEDS=test first (everything, -Werror).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Debian packages. The demo needs a compiler, meson, fmt, OpenBLAS and
# Graphviz (it renders its diagram); the tests need the rest.
demo_packages=(meson ninja-build pkg-config g++ libfmt-dev libopenblas-dev graphviz
  libgraphviz-dev)
test_packages=("${demo_packages[@]}" python3 doctest-dev libeigen3-dev nlohmann-json3-dev
  libdnnl-dev              # oneDNN: large float32 products (autograd/ops/gemm_backends.cpp)
  valgrind cmake doxygen   # the leak test; the CMake consumer build; the API reference
  clang libclang-rt-14-dev # the libFuzzer targets (tests/fuzz)
  chromium chromium-driver python3-selenium  # the walkthrough's browser test
  libopenmpi-dev openmpi-bin)                # ag::dist, tested under mpirun

install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -eq 0 ]]; then
    echo "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
      >/dev/null
  else
    echo "missing Debian packages; install them with:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
}

# The libFuzzer build (clang, ASan + UBSan, coverage instrumentation):
# scripts/test runs a short smoke test of each target, scripts/fuzz longer.
setup_fuzz_build() {
  if [[ ! -f build-fuzz/build.ninja ]]; then
    CXX=clang++ meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
      -Dtests=disabled -Dexamples=false -Dbenchmarks=false -Dwerror=true >/dev/null
  fi
  meson compile -C build-fuzz >/dev/null || meson compile -C build-fuzz
}

if [[ ${AG_NEEDS:-demo} == test ]]; then
  install_missing "${test_packages[@]}"
  # Warnings are errors where we test; a user's build (the demo's) keeps going.
  if [[ ! -f build/build.ninja ]]; then
    meson setup build -Dwerror=true -Dtests=enabled >/dev/null
  elif [[ $(meson introspect build --buildoptions | python3 -c 'import json, sys
options = {o["name"]: o["value"] for o in json.load(sys.stdin)}
print(options["werror"] and options["tests"] == "enabled")') != True ]]; then
    meson setup --reconfigure build -Dwerror=true -Dtests=enabled >/dev/null
  fi
else
  install_missing "${demo_packages[@]}"
  [[ -f build/build.ninja ]] || meson setup build >/dev/null
fi
meson compile -C build >/dev/null || meson compile -C build
