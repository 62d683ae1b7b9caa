# SPDX-License-Identifier: MIT
"""What the reference scripts share (make_ops.py, make_layers.py): a seeded
generator, inputs rounded to 4 decimals, and case(), which evaluates a
PyTorch expression on named inputs and records its float64 output and
vector-Jacobian products in ../shared/conformance's schema."""
import json
import math
import pathlib

import torch

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)
gen = torch.Generator().manual_seed(20261202)


def normal(shape, low=None):
    x = torch.randn(shape, generator=gen)
    if low is not None:  # positive inputs: |x| + low
        x = x.abs() + low
    return torch.round(x * 1e4) / 1e4


def ints(shape, low, high):
    return torch.randint(low, high, shape, generator=gen)


def encode(t):
    out = {"shape": list(t.shape), "data": [v if t.dtype == torch.bool else (int(v) if not
            t.dtype.is_floating_point else float(v)) for v in t.flatten().tolist()]}
    if t.dtype == torch.int64:
        out["dtype"] = "int64"
    elif t.dtype == torch.bool:
        out["dtype"] = "bool"
    return out


cases = []
helpers = {}  # functions the expressions call, registered by the scripts


def case(name, op, expr, inputs, attrs=None, tags=(), constants=()):
    """expr: the PyTorch call as text, evaluated with the inputs by name;
    float inputs require a gradient unless named in `constants`."""
    leaves = {}
    for key, value in inputs.items():
        t = value.clone()
        if t.dtype.is_floating_point and key not in constants:
            t.requires_grad_()
        leaves[key] = t
    out = eval(expr, {"torch": torch, "F": torch.nn.functional, "math": math, **helpers},
               dict(leaves))
    entry = {"name": name, "op": op, "attrs": attrs or {}, "torch_expr": expr, "tags": list(tags),
             "inputs": {k: dict(encode(v.detach()), requires_grad=v.requires_grad)
                        for k, v in leaves.items()}}
    values = out[0] if isinstance(out, tuple) else out
    wrt = {k: v for k, v in leaves.items() if v.requires_grad}
    if values.dtype.is_floating_point and values.requires_grad:
        upstream = normal(values.shape) if values.dim() else torch.tensor(0.7)
        grads = torch.autograd.grad(values, list(wrt.values()), upstream, allow_unused=True)
        entry["upstream"] = encode(upstream)
        entry["grads"] = {k: encode(g if g is not None else torch.zeros_like(wrt[k]))
                          for k, g in zip(wrt, grads)}
    else:
        for v in leaves.values():
            v.requires_grad_(False)
        for spec in entry["inputs"].values():
            spec["requires_grad"] = False
        entry["upstream"] = None
        entry["grads"] = {}
    entry["output"] = encode(values.detach())
    if isinstance(out, tuple):
        entry["extra_outputs"] = {"indices": encode(out[1])}
    cases.append(entry)



def write(name, generator, description):
    """Writes the cases to `name` beside this script."""
    meta = {"generator": generator, "schema_version": 1,
            "torch_version_reported": torch.__version__,
            "torch_package": "Debian python3-torch", "dtype": "float64",
            "layout": "row-major (C order), data is the flattened tensor",
            "description": description}
    path = pathlib.Path(__file__).with_name(name)
    path.write_text(json.dumps({"meta": meta, "cases": cases}, indent=None) + "\n")
    print(f"{path}: {len(cases)} cases")
