# SPDX-License-Identifier: MIT
# Shared by the scripts: install what is missing, configure build/, build.
# Sourced, not run. A script that sources it builds the demo's part by
# default; scripts that test set AG_NEEDS=test first (everything, -Werror).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/packages.sh  # demo_packages, test_packages

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

# What a build folder's probes may depend on: every installed -dev package
# and every program the build looks for, with versions. meson caches a failed
# probe across reconfigures ('Has header "oneapi/dnnl/dnnl.h" : NO (cached)'),
# so a folder configured under another set is configured anew: then
# scripts/test builds what the machine has now, whatever ran before it.
package_stamp() {
  dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Version}\n' 2>/dev/null |
    awk '$1 == "ii" && ($2 ~ /-dev$/ || index(" '"${test_packages[*]}"' ", " " $2 " "))' | sort
}

# configure_dir DIR [meson options...]: configure DIR, anew when the
# installed packages changed since it was configured, again when one of the
# -D options differs from its own. configure_build also builds all of it.
configure_dir() {
  local dir=$1
  shift
  local stamp
  stamp=$(package_stamp)
  if [[ -f $dir/build.ninja && "$(cat "$dir/.ag-packages" 2>/dev/null)" != "$stamp" ]]; then
    echo "$dir: installed packages changed since it was configured: configuring it anew"
    rm -rf "$dir"
  fi
  if [[ ! -f $dir/build.ninja ]]; then
    quiet meson setup "$dir" "$@"
  elif ! options_match "$dir" "$@"; then
    quiet meson setup --reconfigure "$dir" "$@"
  fi
  echo "$stamp" >"$dir/.ag-packages"
}
configure_build() {
  configure_dir "$@"
  meson compile -C "$1" >/dev/null || meson compile -C "$1"
}

# Runs a command, showing its output only when it fails.
quiet() {
  local out
  out=$("$@" 2>&1) || {
    printf '%s\n' "$out" | tail -n 25 >&2
    echo "failed: $*" >&2
    return 1
  }
}

# Whether DIR's options already are the -Dname=value ones given.
options_match() {
  local dir=$1
  shift
  meson introspect "$dir" --buildoptions | python3 -c '
import json, sys
have = {o["name"]: o["value"] for o in json.load(sys.stdin)}
def text(v):
    return ",".join(map(str, v)) if isinstance(v, list) else str(v).lower()
want = [a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("-D")]
sys.exit(any(k not in have or text(have[k]) != v.lower() for k, v in want))' "$@"
}

# The libFuzzer build (clang, ASan + UBSan, coverage instrumentation):
# scripts/test runs a short smoke test of each target, scripts/fuzz longer.
setup_fuzz_build() {
  CXX=clang++ configure_build build-fuzz -Dfuzz=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dtests=disabled -Dexamples=false -Dbenchmarks=false -Dwerror=true
}

if [[ ${AG_NEEDS:-demo} == test ]]; then
  install_missing "${test_packages[@]}"
  # Warnings are errors where we test, and every optional part the tests
  # exercise is required (-Dtests=enabled); a user's build (the demo's)
  # keeps going and takes what it finds.
  configure_build build -Dwerror=true -Dtests=enabled
else
  install_missing "${demo_packages[@]}"
  configure_build build
fi
