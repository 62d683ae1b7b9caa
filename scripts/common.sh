# Shared by scripts/demo and scripts/test: install what is missing, configure
# build/ once, build. Sourced, not run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Debian packages the build, the tests and the demo use. Graphviz is optional
# for the library but the demo renders its diagram with it.
packages=(meson ninja-build pkg-config g++ python3 libfmt-dev doctest-dev graphviz libgraphviz-dev libopenblas-dev libeigen3-dev nlohmann-json3-dev valgrind
  clang libclang-rt-14-dev  # the libFuzzer targets (tests/fuzz)
  chromium chromium-driver python3-selenium)  # the walkthrough's browser test

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "missing Debian packages; install them with:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# The libFuzzer build (clang, ASan + UBSan, coverage instrumentation):
# scripts/test runs a short smoke test of each target, scripts/fuzz longer.
setup_fuzz_build() {
  if [[ ! -f build-fuzz/build.ninja ]]; then
    CXX=clang++ meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
      -Dtests=disabled -Dexamples=false -Dbenchmarks=false -Dwerror=true >/dev/null
  fi
  meson compile -C build-fuzz >/dev/null || meson compile -C build-fuzz
}

if [[ ! -f build/build.ninja ]]; then
  meson setup build -Dwerror=true >/dev/null
fi
meson compile -C build >/dev/null || meson compile -C build
