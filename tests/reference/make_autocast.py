#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes autocast.json beside this script: what PyTorch 1.13's CPU autocast
(torch.autocast("cpu", dtype=torch.bfloat16)) does to matrix products, for
tests/ops/autocast_test.cpp. Deterministic (seeded inputs, stored literally);
the tests never need torch.

- rounding: float32 bit patterns and torch's .bfloat16() of each (bits), with
  ties, NaN, infinities, overflow, subnormals and signed zeros.
- products: float32 operands, an upstream gradient, and for the output and each
  operand's gradient (1) "exact": the float64 product of the operands rounded
  to bfloat16 (the arithmetic autocast promises: bfloat16 operands, sums in
  higher precision; the backward products round their operands too), and
  (2) "torch": what torch.autocast gives: bfloat16 outputs, and Debian's build
  (BLAS_INFO=generic) also sums partly in bfloat16, so these lie up to 1.2 %
  of the largest value away from "exact" (the tests allow 2^-6).

  /usr/bin/python3 tests/reference/make_autocast.py   (Debian's python3-torch)
"""
import json
import pathlib
import struct

import torch

torch.set_num_threads(1)
gen = torch.Generator().manual_seed(20261203)


def bits32(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


def from_bits32(b):
    return struct.unpack("<f", struct.pack("<I", b))[0]


# ---- rounding ----
patterns = [0x3F800000, 0x3F808000, 0x3F818000, 0x3F808001, 0x3F807FFF, 0xBF808000,
            0x00000000, 0x80000000, 0x00000001, 0x00008000, 0x00018000, 0x007FFFFF,
            0x7F7FFFFF, 0x7F7F8000, 0x7F7F7FFF, 0xFF7FFFFF, 0x7F800000, 0xFF800000,
            0x7FC00000, 0x7F800001, 0xFFC00001, 0x7FBFFFFF]
patterns += [bits32(v) for v in torch.randn(40, generator=gen, dtype=torch.float32).tolist()]
rounding = []
for b in patterns:
    x = torch.tensor([from_bits32(b)], dtype=torch.float32)
    y = x.bfloat16().view(torch.int16).item() & 0xFFFF
    rounding.append({"float32_bits": b, "bfloat16_bits": y})


# ---- products ----
def normal(shape, scale=1.0):
    return (torch.randn(shape, generator=gen, dtype=torch.float64) * scale).float()


def encode(t):
    # 9 significant digits give float32 values back exactly
    digits = ".9g" if t.dtype == torch.float32 else ".17g"
    return {"shape": list(t.shape), "data": [float(format(v, digits)) for v in t.flatten().tolist()]}


def r16(t):
    return t.bfloat16().double()


products = []


def product(name, op, inputs, exact_fn):
    leaves = {k: v.clone().requires_grad_() for k, v in inputs.items()}
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = (leaves["a"] @ leaves["b"] if op == "matmul"
               else torch.nn.functional.linear(leaves["input"], leaves["weight"], leaves["bias"]))
    upstream = normal(out.shape)
    (out.float() * upstream).sum().backward()
    exact = exact_fn({k: v.double() for k, v in inputs.items()}, upstream.double())
    products.append({
        "name": name, "op": op,
        "inputs": {k: encode(v) for k, v in inputs.items()},
        "upstream": encode(upstream),
        "torch": {"output": encode(out.float()),
                  **{f"grad_{k}": encode(v.grad) for k, v in leaves.items()}},
        "exact": {k: encode(v) for k, v in exact.items()},
    })


def matmul_exact(x, g):
    a, b = x["a"], x["b"]
    out = r16(a) @ r16(b)
    # dA = g B^T, dB = A^T g, each product of bfloat16-rounded operands
    return {"output": out, "grad_a": r16(g) @ r16(b).transpose(-1, -2),
            "grad_b": r16(a).transpose(-1, -2) @ r16(g)}


def linear_exact(x, g):
    inp, w, bias = x["input"], x["weight"], x["bias"]
    # autocast's linear also rounds the bias; ours adds it in float32 (compared loosely)
    return {"output": r16(inp) @ r16(w).T + bias, "grad_input": r16(g) @ r16(w),
            "grad_weight": r16(g).T @ r16(inp), "grad_bias": g.sum(0)}


product("matmul_2d", "matmul", {"a": normal((7, 33)), "b": normal((33, 5))}, matmul_exact)
product("matmul_batched", "matmul", {"a": normal((3, 4, 20)), "b": normal((3, 20, 6), 3.0)},
        matmul_exact)
product("matmul_large", "matmul", {"a": normal((24, 64)), "b": normal((64, 32), 0.1)},
        matmul_exact)
product("linear", "linear", {"input": normal((9, 40)), "weight": normal((12, 40), 0.2),
                             "bias": normal((12,))}, linear_exact)

meta = {"generator": "tests/reference/make_autocast.py", "torch_version_reported": torch.__version__,
        "torch_package": "Debian python3-torch",
        "description": "CPU autocast to bfloat16: rounding of float32 and matrix products"}
path = pathlib.Path(__file__).with_name("autocast.json")
path.write_text(json.dumps({"meta": meta, "rounding": rounding, "products": products}) + "\n")
print(f"wrote {path}: {len(rounding)} roundings, {len(products)} products")
