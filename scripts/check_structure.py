# SPDX-License-Identifier: MIT
"""The layer rule and the file budget, checked on the source tree (a test in
scripts/test). Usage: check_structure.py SOURCE_ROOT

Layers of autograd/, lowest first. A file may include files of its own layer
and the layers below it, never above: the engine knows nothing of node
kinds, the kinds nothing of ops, the ops nothing of the tools built on them.
nn/, examples/ and bench/ include the installed (public) headers only (bench also
the internals it measures, BENCH_MEASURES).

nn/ is folders of one namespace each, a chain: models and layers (nn/, ag::nn),
optimizers and schedules (nn/optim/, ag::optim), files (nn/io/, ag::io),
data-parallel training (nn/dist/, ag::dist). Models and optim never include io
or dist, and optim takes from models only the StateDict type; io never
includes dist; dist includes only installed headers (and its own). The
umbrella nn.hpp, compat.hpp and the forwarding headers at the old paths
(nothing but includes) are exempt."""
import pathlib
import re
import sys

LAYERS = [
    ("engine", ["error.hpp", "shape.*", "dims.hpp", "dtype.*", "storage.*", "node_pool.*", "node.hpp",
                "node_list.hpp", "graph_walk.hpp", "engine.cpp", "sweep.cpp", "labels.cpp", "node_hooks.cpp", "grad_mode.hpp", "autocast.hpp", "anomaly.hpp",
                "generator.*", "op_attrs.hpp", "scope.*", "version.*", "parallel.*"]),
    ("kinds", ["scalar.*", "tensor.*", "tensor_from.hpp", "tensor_methods.hpp", "factory.*", "tensor_format.cpp"]),
    ("ops", ["ops.hpp", "ops_*.hpp", "ops/*", "ops/vmath/*"]),
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

# nn's folders: which may include which (by the included path's folder).
NN_FOLDERS = {"models": "", "optim": "optim/", "io": "io/", "dist": "dist/"}
NN_MAY_INCLUDE = {
    "models": {"models"},
    "optim": {"optim", "autograd/nn/state_dict.hpp"},
    "io": {"models", "optim", "io"},
    "dist": {"models", "optim", "io", "dist"},
}
NN_EXEMPT = {"nn.hpp", "compat.hpp"}
NN_INCLUDE = re.compile(r'^\s*#\s*include\s+"(autograd/nn/[^"]+)"', re.M)


def nn_folder(relative):
    """The folder of a path below nn/ ("optim/adam.hpp" -> "optim")."""
    head = relative.split("/")[0] if "/" in relative else ""
    return next((name for name, prefix in NN_FOLDERS.items() if prefix == (head + "/" if head else "")),
                None)


def forwarding(path):
    """A header that holds nothing but includes: an old path kept for one release."""
    code = [line for line in path.read_text().splitlines()
            if line.strip() and not line.startswith("//")]
    return all(line.startswith(("#pragma once", "#include")) for line in code)


nn_root = root / "nn"
nn_files = sorted(p for p in nn_root.rglob("*") if p.suffix in (".cpp", ".hpp"))
for path in nn_files:
    rel = path.relative_to(nn_root).as_posix()
    own = nn_folder(rel)
    if own is None:
        problems.append(f"nn/{rel}: in no folder of nn (add it to NN_FOLDERS in {sys.argv[0]})")
        continue
    if rel in NN_EXEMPT or (own == "models" and path.suffix == ".hpp" and forwarding(path)):
        continue
    for included in NN_INCLUDE.findall(path.read_text()):
        target = nn_folder(included[len("autograd/nn/"):])
        allowed = NN_MAY_INCLUDE[own]
        if target not in allowed and included not in allowed:
            problems.append(f"nn/{rel} ({own}) includes {included} ({target}): "
                            f"{own} may include only {', '.join(sorted(allowed))}")
        elif own == "dist" and target != "dist" and included not in installed:
            problems.append(f"nn/{rel} (dist) includes {included}, an internal header of {target}")

for folder in ("autograd", "nn", "examples", "tests", "bench", "scripts"):
    for pattern in SOURCES:
        for path in sorted((root / folder).rglob(pattern)):
            lines = path.read_text(errors="replace").count("\n")
            if lines > BUDGET:
                problems.append(f"{path.relative_to(root)}: {lines} lines, over the budget of {BUDGET}")

for p in problems:
    print(p)
print(f"structure: {len(files)} autograd files in {len(LAYERS)} layers, {len(nn_files)} nn files "
      f"in {len(NN_FOLDERS)} folders, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
