# SPDX-License-Identifier: MIT
"""The layer rule and the file budget, checked on the source tree (a test in
scripts/test). Usage: check_structure.py SOURCE_ROOT

Layers of autograd/, lowest first. A file may include files of its own layer
and the layers below it, never above: the engine knows nothing of node
kinds, the kinds nothing of ops, the ops nothing of the tools built on them.
nn/, examples/ and bench/ include the installed (public) headers only (bench also
the internals it measures, BENCH_MEASURES)."""
import pathlib
import re
import sys

LAYERS = [
    ("engine", ["error.hpp", "shape.*", "dims.hpp", "dtype.*", "storage.*", "node_pool.*", "node.hpp",
                "node_list.hpp", "graph_walk.hpp", "engine.cpp", "sweep.cpp", "labels.cpp", "grad_mode.hpp", "autocast.hpp", "anomaly.hpp",
                "generator.*", "op_attrs.hpp", "scope.*", "version.*", "parallel.*"]),
    ("kinds", ["scalar.*", "tensor.*", "tensor_from.hpp", "factory.*", "tensor_format.cpp"]),
    ("ops", ["ops.hpp", "ops/*"]),
    ("tools", ["functional.*", "gradcheck.*", "custom_op.*", "trace.*", "dot.*", "render.cpp", "walkthrough.*", "autograd.hpp"]),
]
BUDGET = 400  # lines per source file: past that it is usually two ideas
SOURCES = ("*.cpp", "*.hpp", "*.py", "*.sh")
INCLUDE = re.compile(r'^\s*#\s*include\s+"(autograd/[^"]+)"', re.M)

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
lib = root / "autograd"


def layer_of(relative):
    for rank, (_, patterns) in enumerate(LAYERS):
        if any(pathlib.PurePath(relative).match(p) and (p.startswith("ops/") or "/" not in relative)
               for p in patterns):
            return rank
    return None


problems = []
files = sorted(p for p in lib.rglob("*") if p.suffix in (".cpp", ".hpp"))
for path in files:
    rel = path.relative_to(lib).as_posix()
    own = layer_of(rel)
    if own is None:
        problems.append(f"autograd/{rel}: in no layer (add it to LAYERS in {sys.argv[0]})")
        continue
    for included in INCLUDE.findall(path.read_text()):
        target = layer_of(included[len("autograd/"):])
        if target is not None and target > own:
            problems.append(f"autograd/{rel} ({LAYERS[own][0]}) includes {included} "
                            f"({LAYERS[target][0]}): a lower layer may not include a higher one")

# Internals the benchmarks measure directly: the node pool's bytes per node,
# the product kernel's time within P3's step.
BENCH_MEASURES = ("autograd/node_pool.hpp", "autograd/ops/gemm.hpp")
installed = set()
for name in re.findall(r"'([\w/]+\.hpp)'", (lib / "meson.build").read_text()):
    installed.add("autograd/" + name)
for name in re.findall(r"'([\w/]+\.hpp)'", (root / "nn" / "meson.build").read_text()):
    installed.add("autograd/nn/" + name)
for folder in ("nn", "examples", "bench"):
    for path in sorted((root / folder).rglob("*")):
        if path.suffix not in (".cpp", ".hpp"):
            continue
        for included in INCLUDE.findall(path.read_text()):
            internal_nn = (folder == "nn" and included.startswith("autograd/nn/")
                           and (root / "nn" / included[len("autograd/nn/"):]).exists())
            if (included not in installed and not internal_nn
                    and not (folder == "bench" and included in BENCH_MEASURES)):
                problems.append(f"{path.relative_to(root)} includes {included}, which is not a "
                                "public (installed) header")

for folder in ("autograd", "nn", "examples", "tests", "bench", "scripts"):
    for pattern in SOURCES:
        for path in sorted((root / folder).rglob(pattern)):
            lines = path.read_text(errors="replace").count("\n")
            if lines > BUDGET:
                problems.append(f"{path.relative_to(root)}: {lines} lines, over the budget of {BUDGET}")

for p in problems:
    print(p)
print(f"structure: {len(files)} autograd files in {len(LAYERS)} layers, "
      f"{len(problems)} problem(s)")
sys.exit(1 if problems else 0)
