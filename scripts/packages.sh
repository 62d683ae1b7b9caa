# SPDX-License-Identifier: MIT
# The Debian packages the scripts install (sourced: common.sh, check_fresh_machine).
# The demo needs a compiler, meson, fmt, OpenBLAS and Graphviz (it renders its
# diagram); the tests need the rest, and a test build (-Dtests=enabled) fails
# at configure, naming it, where one of them is missing.
demo_packages=(meson ninja-build pkg-config g++ libfmt-dev libopenblas-dev libsleef-dev graphviz
  libgraphviz-dev)
test_packages=("${demo_packages[@]}" python3 doctest-dev libeigen3-dev nlohmann-json3-dev
  libdnnl-dev              # oneDNN: large float32 products (autograd/ops/gemm_backends.cpp)
  valgrind cmake doxygen   # the leak test; the CMake consumer build; the API reference
  clang libclang-rt-14-dev # the libFuzzer targets (tests/fuzz)
  chromium chromium-driver python3-selenium  # the walkthrough's browser test
  libopenmpi-dev openmpi-bin                 # ag::dist, tested under mpirun
  python3-torch            # the safetensors round trip with PyTorch (tests/torch)
  libmpfr-dev)             # correctly rounded references for the kernels' accuracy test
