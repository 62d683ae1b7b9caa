#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes parity.json beside this script: PyTorch 1.13's values (and float64
vector-Jacobian products) for what a ported PyTorch program needs and the
earlier files lack: integer and bool arithmetic with PyTorch's type
promotion, comparisons and logic, integer reductions, floor division and
remainder, tensor-bound clamp, LibTorch's products (mm, bmm, addmm, outer),
roll, cosine_similarity, indexing (basic, advanced, masks, index_put),
masked_select, and the smooth L1, Huber and KL losses. Read by
tests/ops/parity_test.cpp, which also checks each output's dtype.
Deterministic: seeded inputs, rounded, stored literally.

  /usr/bin/python3 tests/reference/make_parity.py   (Debian's python3-torch)
"""
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from cases import case, helpers, ints, normal, write  # noqa: E402

F = torch.nn.functional

# ---- integer and bool arithmetic, with promotion (values and dtypes) ----
i = ints((3, 4), -5, 6)
j = ints((4,), 1, 4)
f = normal((3, 4))
m = ints((3, 4), 0, 2).bool()
mb = ints((4,), 0, 2).bool()
for name, expr, inputs in [
    ("int_add_int", "a + b", {"a": i, "b": j}),
    ("int_sub_int", "a - b", {"a": i, "b": j}),
    ("int_mul_int", "a * b", {"a": i, "b": j}),
    ("int_add_float", "a + b", {"a": i, "b": f}),
    ("float_mul_int", "a * b", {"a": f, "b": i}),
    ("int_div_int", "a / b", {"a": i, "b": j}),
    ("bool_add_int", "a + b", {"a": m, "b": i}),
    ("bool_add_bool", "a + b", {"a": m, "b": mb}),
    ("bool_mul_bool", "a * b", {"a": m, "b": mb}),
    ("bool_mul_float", "a * b", {"a": m, "b": f}),
    ("int_plus_1", "a + 1", {"a": i}),
    ("int_times_2", "a * 2", {"a": i}),
    ("one_minus_int", "1 - a", {"a": i}),
    ("int_plus_half", "a + 0.5", {"a": i}),
    ("int_div_2", "a / 2", {"a": i}),
    ("neg_int", "-a", {"a": i}),
    ("abs_int", "torch.abs(a)", {"a": i}),
    ("exp_int", "torch.exp(a)", {"a": j}),
    ("floor_divide_int", "torch.floor_divide(a, b)", {"a": i, "b": j}),
    ("floor_divide_neg", "torch.floor_divide(a, b)", {"a": i, "b": -j}),
    ("remainder_int", "torch.remainder(a, b)", {"a": i, "b": j}),
    ("remainder_neg", "torch.remainder(a, b)", {"a": i, "b": -j}),
    ("maximum_int", "torch.maximum(a, b)", {"a": i, "b": j}),
]:
    case(name, name, expr, inputs)
case("floor_divide_float", "floor_divide_float", "torch.floor_divide(a, b)",
     {"a": f * 3, "b": normal((4,), 0.5)}, constants=("a", "b"))
case("remainder_float", "remainder_float", "torch.remainder(a, b)",
     {"a": f * 3, "b": normal((4,), 0.5)})

# ---- comparisons and logic ----
for name, expr, inputs in [
    ("eq_int_float", "a == b", {"a": i, "b": torch.round(f * 3)}),
    ("lt_int_int", "a < b", {"a": i, "b": j}),
    ("ge_int_scalar", "a >= 1", {"a": i}),
    ("gt_int_half", "a > 0.5", {"a": i}),
    ("eq_float_scalar", "a == 0.5", {"a": torch.round(f * 2) / 2}),
    ("ne_bool_int", "a != b", {"a": m, "b": i}),
    ("logical_and", "torch.logical_and(a, b)", {"a": m, "b": mb}),
    ("logical_or_int", "torch.logical_or(a, b)", {"a": i, "b": j}),
    ("logical_xor", "torch.logical_xor(a, b)", {"a": m, "b": mb}),
    ("logical_not", "torch.logical_not(a)", {"a": i}),
]:
    case(name, name, expr, inputs, constants=("a", "b"))

# ---- reductions of integers and bools ----
for name, expr, inputs in [
    ("sum_int", "torch.sum(a)", {"a": i}),
    ("sum_int_dim", "torch.sum(a, 1)", {"a": i}),
    ("sum_bool", "torch.sum(a)", {"a": m}),
    ("sum_bool_dim", "torch.sum(a, 0, keepdim=True)", {"a": m}),
    ("prod_int", "torch.prod(a, 1)", {"a": i}),
    ("cumsum_int", "torch.cumsum(a, 1)", {"a": i}),
    ("cumsum_bool", "torch.cumsum(a, 0)", {"a": m}),
    ("max_int", "torch.max(a)", {"a": i}),
    ("amin_int", "torch.amin(a, 1)", {"a": i}),
    ("argmax_int", "torch.argmax(a, 1)", {"a": i}),
    ("argmin_int", "torch.argmin(a, 0)", {"a": i}),
    ("all_bool", "torch.all(a)", {"a": m}),
    ("all_dim", "torch.all(a, 1)", {"a": m}),
    ("any_int_dim", "torch.any(a, 0)", {"a": i}),
    ("sum_pred_eq", "(a == b).sum()", {"a": i, "b": j}),
]:
    case(name, name, expr, inputs)

# ---- float ops a port needs ----
x = normal((3, 4))
case("clamp_tensor", "clamp_tensor", "torch.clamp(x, lo, hi)",
     {"x": x, "lo": normal((4,)) - 0.5, "hi": normal((3, 1)) + 0.5}, tags=["broadcast"])
case("clamp_min_tensor", "clamp_min_tensor", "torch.clamp(x, min=lo)", {"x": x, "lo": normal((4,))})
case("mm", "mm", "torch.mm(a, b)", {"a": normal((3, 4)), "b": normal((4, 2))})
case("bmm", "bmm", "torch.bmm(a, b)", {"a": normal((2, 3, 4)), "b": normal((2, 4, 5))})
case("addmm", "addmm", "torch.addmm(c, a, b, beta=0.5, alpha=2.0)",
     {"c": normal((3, 2)), "a": normal((3, 4)), "b": normal((4, 2))}, {"beta": 0.5, "alpha": 2.0})
case("outer", "outer", "torch.outer(a, b)", {"a": normal((3,)), "b": normal((4,))})
case("roll_dim", "roll", "torch.roll(x, 1, 1)", {"x": x}, {"shifts": [1], "dims": [1]})
case("roll_two", "roll", "torch.roll(x, (-1, 5), (0, 1))", {"x": x},
     {"shifts": [-1, 5], "dims": [0, 1]})
case("roll_flat", "roll", "torch.roll(x, 3)", {"x": x}, {"shifts": [3], "dims": []})
case("cosine_similarity", "cosine_similarity", "F.cosine_similarity(a, b, dim=1)",
     {"a": normal((3, 4)), "b": normal((3, 4))}, {"dim": 1})
case("cosine_similarity_bcast", "cosine_similarity", "F.cosine_similarity(a, b, dim=-1)",
     {"a": normal((3, 4)), "b": normal((4,))}, {"dim": -1}, ["broadcast"])
case("where_promote", "where_promote", "torch.where(c, a, b)",
     {"c": m, "a": i, "b": x}, constants=("a",))

# ---- indexing (LibTorch's index and index_put_) ----
# Each index is stored as a list of entries the test turns into TensorIndex:
# an int, [start, stop, step] (None for a default), "None", "...", or the
# name of an index tensor among the inputs.
def python_index(spec, names):
    out = []
    for e in spec:
        if isinstance(e, list):
            out.append(slice(*e))
        elif e == "None":
            out.append(None)
        elif e == "...":
            out.append(Ellipsis)
        elif isinstance(e, str):
            out.append(names[e])
        else:
            out.append(e)
    return tuple(out)


def put(x, v, idx):
    y = x.clone()
    y[idx] = v
    return y


helpers["python_index"] = python_index
helpers["put"] = put

x = normal((3, 4, 5))
rows, cols = torch.tensor([2, 0, 2]), torch.tensor([1, -1, 3])
for name, spec, tensors in [
    ("index_int", [1], {}),
    ("index_slice_int", [[None, None, None], 0], {}),
    ("index_step", [[None, None, 2], [1, None, None]], {}),
    ("index_ellipsis_none", ["...", "None", 2], {}),
    ("index_negative", [-1, [None, None, None], -2], {}),
    ("index_rows", ["r"], {"r": rows}),
    ("index_rows_cols", ["r", "c"], {"r": rows, "c": cols}),
    ("index_middle", [[None, None, None], "r", "c"],
     {"r": torch.tensor([0, 3]), "c": torch.tensor([4, 0])}),
    ("index_apart", ["r", [None, None, None], "c"], {"r": rows, "c": cols}),
    ("index_2d_index", [[None, None, None], "r"], {"r": torch.tensor([[0, 1], [3, 3]])}),
    ("index_mask", ["k"], {"k": x > 0.5}),
    ("index_mask_rows", ["k"], {"k": torch.tensor([True, False, True])}),
]:
    names = ", ".join(tensors)
    case(name, "index", f"x[python_index({spec!r}, dict({', '.join(f'{n}={n}' for n in tensors)}))]",
         {"x": x, **tensors}, {"index": spec})
case("masked_select", "masked_select", "torch.masked_select(x, k)",
     {"x": normal((3, 4)), "k": ints((4,), 0, 2).bool()}, tags=["broadcast"])
for name, spec, tensors, v_shape in [
    ("index_put_column", [[None, None, None], 0], {}, (3,)),
    ("index_put_rows", ["r"], {"r": torch.tensor([2, 0])}, (4,)),
    ("index_put_mask", ["k"], {"k": torch.tensor([[True, False, False, True]] * 3)}, ()),
]:
    case(name, "index_put",
         f"put(x, v, python_index({spec!r}, dict({', '.join(f'{n}={n}' for n in tensors)})))",
         {"x": normal((3, 4)), "v": normal(v_shape), **tensors}, {"index": spec})

# ---- losses ----
a, b = normal((3, 4)), normal((3, 4))
for reduction in ["mean", "sum", "none"]:
    case(f"smooth_l1_{reduction}", "smooth_l1_loss",
         f"F.smooth_l1_loss(a, b, reduction='{reduction}', beta=0.5)", {"a": a, "b": b},
         {"reduction": reduction, "beta": 0.5})
    case(f"huber_{reduction}", "huber_loss", f"F.huber_loss(a, b, reduction='{reduction}', delta=0.7)",
         {"a": a, "b": b}, {"reduction": reduction, "delta": 0.7})
case("smooth_l1_beta0", "smooth_l1_loss", "F.smooth_l1_loss(a, b, beta=0.0)", {"a": a, "b": b},
     {"reduction": "mean", "beta": 0.0})
logp = torch.log_softmax(normal((3, 4)), 1)
q = torch.softmax(normal((3, 4)), 1)
q[0, 1] = 0.0  # a zero target: 0 log 0 = 0
for reduction in ["batchmean", "sum", "mean", "none"]:
    case(f"kl_div_{reduction}", "kl_div", f"F.kl_div(x, t, reduction='{reduction}')",
         {"x": logp, "t": q}, {"reduction": reduction, "log_target": False}, constants=("t",))
case("kl_div_target_grad", "kl_div", "F.kl_div(x, t, reduction='batchmean')",
     {"x": logp, "t": torch.softmax(normal((3, 4)), 1)},
     {"reduction": "batchmean", "log_target": False})
case("kl_div_log_target", "kl_div", "F.kl_div(x, t, reduction='batchmean', log_target=True)",
     {"x": logp, "t": torch.log_softmax(normal((3, 4)), 1)},
     {"reduction": "batchmean", "log_target": True})

write("parity.json", "tests/reference/make_parity.py",
      "What ported PyTorch programs need: integer tensors, promotion, indexing, everyday ops")
