#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes ops.json beside this script: PyTorch's float64 forward values and
vector-Jacobian products for the ops added after ../shared/conformance, in
that data's schema (its README describes it), so tests/conformance_test.cpp
reads both. Deterministic: inputs come from a seeded generator, rounded to
4 decimals, and are stored literally; the tests never need torch.

  /usr/bin/python3 tests/reference/make_ops.py   (Debian's python3-torch)
"""
import math
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from cases import case, helpers, ints, normal, write  # noqa: E402


# ---- unary (ops/unary.cpp) ----
x = normal((3, 4)) * 2
for op in ["sin", "cos", "expm1"]:
    case(op, op, f"torch.{op}(x)", {"x": x})
case("log1p", "log1p", "torch.log1p(x)", {"x": normal((3, 4), 0.0) - 0.5})
case("softplus", "softplus", "F.softplus(x)", {"x": x}, {"beta": 1.0, "threshold": 20.0})
case("softplus_beta", "softplus", "F.softplus(x, beta=2.0, threshold=3.0)", {"x": x},
     {"beta": 2.0, "threshold": 3.0})
case("softplus_far", "softplus", "F.softplus(x)", {"x": torch.tensor([-1000.0, -30.0, 30.0, 1000.0])},
     {"beta": 1.0, "threshold": 20.0}, ["hard"])
case("logsigmoid", "logsigmoid", "F.logsigmoid(x)", {"x": x})
case("logsigmoid_far", "logsigmoid", "F.logsigmoid(x)",
     {"x": torch.tensor([-1000.0, -40.0, 40.0, 1000.0])}, {}, ["hard"])

# ---- binary (ops/elementwise.cpp) ----
for a_shape, b_shape, suffix in [((3, 4), (3, 4), "same"), ((3, 4), (4,), "row"),
                                 ((3, 1), (1, 4), "outer")]:
    a, b = normal(a_shape), normal(b_shape)
    for op in ["maximum", "minimum"]:
        case(f"{op}_{suffix}", op, f"torch.{op}(a, b)", {"a": a, "b": b},
             tags=["broadcast"] if a_shape != b_shape else [])
ties = torch.tensor([1.0, 2.0, -3.0, 0.5])
case("maximum_ties", "maximum", "torch.maximum(a, b)",
     {"a": ties, "b": torch.tensor([2.0, 2.0, -3.0, 0.0])}, tags=["tie"])

# ---- reductions (ops/reduce.cpp, ops/statistics.cpp) ----
x = normal((3, 4, 2))
case("amin_dims", "amin", "torch.amin(x, dim=(0, 2))", {"x": x}, {"dim": [0, 2], "keepdim": False})
case("amin_keep", "amin", "torch.amin(x, dim=1, keepdim=True)", {"x": x}, {"dim": 1, "keepdim": True})
case("argmax_all", "argmax", "torch.argmax(x)", {"x": x}, {"dim": None, "keepdim": False})
case("argmax_dim", "argmax", "torch.argmax(x, dim=1)", {"x": x}, {"dim": 1, "keepdim": False})
case("argmin_keep", "argmin", "torch.argmin(x, dim=-1, keepdim=True)", {"x": x},
     {"dim": -1, "keepdim": True})
case("prod_all", "prod", "torch.prod(x)", {"x": normal((5,))}, {"dim": None, "keepdim": False})
case("prod_dim", "prod", "torch.prod(x, 1)", {"x": x}, {"dim": 1, "keepdim": False})
case("prod_zero", "prod", "torch.prod(x, 1, keepdim=True)",
     {"x": torch.tensor([[2.0, 0.0, 3.0], [0.0, 1.5, 0.0], [1.0, -2.0, 0.5]])},
     {"dim": 1, "keepdim": True}, ["kink"])
case("var_all", "var", "torch.var(x)", {"x": x}, {"dim": None, "correction": 1, "keepdim": False})
case("var_dims", "var", "torch.var(x, dim=(0, 2), unbiased=False, keepdim=True)", {"x": x},
     {"dim": [0, 2], "correction": 0, "keepdim": True})
case("std_dim", "std", "torch.std(x, dim=1)", {"x": x}, {"dim": 1, "correction": 1, "keepdim": False})
for p in [1, 2, 3, math.inf]:
    label = "inf" if math.isinf(p) else str(p)
    case(f"norm_{label}", "norm", f"torch.linalg.vector_norm(x, ord={p!r})".replace("inf", "math.inf"), {"x": x},
         {"p": label, "dim": None, "keepdim": False})
    case(f"norm_{label}_dim", "norm", f"torch.linalg.vector_norm(x, ord={p!r}, dim=1, keepdim=True)".replace("inf", "math.inf"),
         {"x": x}, {"p": label, "dim": 1, "keepdim": True})
case("norm_zero", "norm", "torch.linalg.vector_norm(x, ord=2, dim=1)",
     {"x": torch.tensor([[0.0, 0.0], [3.0, -4.0]])}, {"p": "2", "dim": 1, "keepdim": False}, ["kink"])
case("cumsum_0", "cumsum", "torch.cumsum(x, 0)", {"x": x}, {"dim": 0})
case("cumsum_last", "cumsum", "torch.cumsum(x, -1)", {"x": x}, {"dim": -1})

# ---- rearranging (ops/rearrange.cpp) ----
x = normal((3, 4, 2))
case("flip", "flip", "torch.flip(x, (0, 2))", {"x": x}, {"dims": [0, 2]})
case("repeat", "repeat", "x.repeat(2, 1, 1, 3)", {"x": x}, {"repeats": [2, 1, 1, 3]})
case("expand", "expand", "x.expand(2, 3, -1)", {"x": normal((3, 1))}, {"sizes": [2, 3, -1]})
case("split_size", "split", "torch.split(x, 3, dim=1)[1]", {"x": normal((3, 5))},
     {"split_size": 3, "dim": 1, "part": 1})
case("split_sizes", "split", "torch.split(x, [1, 4], dim=-1)[1]", {"x": normal((3, 5))},
     {"sizes": [1, 4], "dim": -1, "part": 1})
case("chunk", "chunk", "torch.chunk(x, 3, dim=0)[2]", {"x": normal((7, 2))},
     {"chunks": 3, "dim": 0, "part": 2})
case("flatten", "flatten", "torch.flatten(x, 1)", {"x": x}, {"start_dim": 1, "end_dim": -1})
case("unflatten", "unflatten", "torch.unflatten(x, 1, (2, -1))", {"x": x}, {"dim": 1, "sizes": [2, -1]})
case("tril", "tril", "torch.tril(x)", {"x": normal((4, 3))}, {"diagonal": 0})
case("triu_batched", "triu", "torch.triu(x, 1)", {"x": normal((2, 3, 3))}, {"diagonal": 1})
case("tril_negative", "tril", "torch.tril(x, -1)", {"x": normal((3, 4))}, {"diagonal": -1})

# ---- sorting (ops/sort.cpp) ----
x = normal((3, 5))
case("sort", "sort", "torch.sort(x, dim=-1, stable=True)", {"x": x}, {"dim": -1, "descending": False})
case("sort_desc", "sort", "torch.sort(x, dim=0, descending=True, stable=True)", {"x": x},
     {"dim": 0, "descending": True})
case("topk", "topk", "torch.topk(x, 2)", {"x": x}, {"k": 2, "dim": -1, "largest": True})
case("topk_smallest", "topk", "torch.topk(x, 2, dim=0, largest=False)", {"x": x},
     {"k": 2, "dim": 0, "largest": False})

# ---- indexing (ops/index.cpp) ----
index = torch.tensor([[0, 2], [1, 0]])
case("scatter", "scatter", "torch.scatter(x, 1, index, src)",
     {"x": normal((2, 3)), "index": index, "src": normal((2, 2))}, {"dim": 1})  # 1.13's
# backward fails for a src larger than the index (our tests cover that case)
case("scatter_add", "scatter_add", "torch.scatter_add(x, 1, index, src)",
     {"x": normal((2, 3)), "index": torch.tensor([[0, 2], [1, 1]]), "src": normal((2, 2))},
     {"dim": 1})
case("scatter_add_dim0", "scatter_add", "torch.scatter_add(x, 0, index, src)",
     {"x": normal((3, 2)), "index": torch.tensor([[2, 0], [2, 1]]), "src": normal((2, 2))},
     {"dim": 0})
case("one_hot", "one_hot", "F.one_hot(indices, 4)", {"indices": torch.tensor([[3, 0], [1, 1]])},
     {"num_classes": 4})

# ---- einsum (ops/einsum.cpp) ----
for equation, shapes in [("ij,jk->ik", [(3, 4), (4, 5)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 2)]),
                         ("bhqd,bhkd->bhqk", [(1, 2, 3, 2), (1, 2, 4, 2)]), ("i,j->ij", [(3,), (4,)]),
                         ("ij,ij->i", [(3, 4), (3, 4)]), ("ij,kl->lj", [(2, 3), (2, 2)]),
                         ("ijk->kj", [(2, 3, 4)]), ("ij", [(2, 3)]), ("ij,jk", [(2, 3), (3, 2)])]:
    names = ["a", "b"][:len(shapes)]
    case(f"einsum_{equation}", "einsum", f"torch.einsum('{equation}', {', '.join(names)})",
         {n: normal(sh) for n, sh in zip(names, shapes)}, {"equation": equation})

# ---- losses and normalization over more dims (nn/loss.cpp, nn/normalization.cpp) ----
for reduction in ["mean", "none"]:
    case(f"cross_entropy_spatial_{reduction}", "cross_entropy",
         f"F.cross_entropy(input, target, reduction='{reduction}', label_smoothing=0.1)",
         {"input": normal((2, 3, 2, 2)), "target": ints((2, 2, 2), 0, 3)},
         {"reduction": reduction, "label_smoothing": 0.1, "ignore_index": -100,
          "target_kind": "indices"})
case("cross_entropy_spatial_weight", "cross_entropy",
     "F.cross_entropy(input, target, weight=weight, ignore_index=1)",
     {"input": normal((2, 3, 4)), "target": ints((2, 4), 0, 3), "weight": normal((3,), 0.5)},
     {"reduction": "mean", "label_smoothing": 0.0, "ignore_index": 1, "target_kind": "indices"},
     constants=("weight",))
case("cross_entropy_one_sample", "cross_entropy", "F.cross_entropy(input, target)",
     {"input": normal((4,)), "target": torch.tensor(2)},
     {"reduction": "mean", "label_smoothing": 0.0, "ignore_index": -100, "target_kind": "indices"})
case("nll_loss_spatial", "nll_loss", "F.nll_loss(input, target, reduction='sum')",
     {"input": normal((2, 3, 4)), "target": ints((2, 4), 0, 3)}, {"reduction": "sum", "ignore_index": -100})
case("layer_norm_2d", "layer_norm", "F.layer_norm(x, (3, 4), weight, bias)",
     {"x": normal((2, 3, 4)), "weight": normal((3, 4)), "bias": normal((3, 4))},
     {"normalized_shape": [3, 4], "eps": 1e-5})
case("layer_norm_plain", "layer_norm", "F.layer_norm(x, (4,))", {"x": normal((2, 3, 4))},
     {"normalized_shape": [4], "eps": 1e-5})

# ---- EmbeddingBag's functional form (nn/layers.cpp) ----
weight = normal((6, 3))
bags = {"indices": torch.tensor([1, 2, 4, 4, 5, 0]), "offsets": torch.tensor([0, 2, 5])}
for mode in ["sum", "mean", "max"]:
    case(f"embedding_bag_{mode}", "embedding_bag",
         f"F.embedding_bag(indices, weight, offsets, mode='{mode}')",
         {"weight": weight, **bags}, {"mode": mode})
case("embedding_bag_weighted", "embedding_bag",
     "F.embedding_bag(indices, weight, offsets, mode='sum', per_sample_weights=psw)",
     {"weight": weight, **bags, "psw": normal((6,))}, {"mode": "sum"})

# ---- recurrent cells (nn/rnn_cells.cpp): PyTorch's modules with the inputs as parameters ----
from torch.nn.utils.stateless import functional_call


def cell_call(kind, x, h, c, w_ih, w_hh, b_ih, b_hh, output="h", nonlinearity="tanh"):
    hidden = w_hh.shape[1]
    module = {"rnn": lambda: torch.nn.RNNCell(x.shape[-1], hidden, nonlinearity=nonlinearity),
              "lstm": lambda: torch.nn.LSTMCell(x.shape[-1], hidden),
              "gru": lambda: torch.nn.GRUCell(x.shape[-1], hidden)}[kind]()
    params = {"weight_ih": w_ih, "weight_hh": w_hh, "bias_ih": b_ih, "bias_hh": b_hh}
    state = (h, c) if kind == "lstm" else h
    out = functional_call(module, params, (x, state))
    return out[1] if output == "c" else out[0] if kind == "lstm" else out


helpers["cell_call"] = cell_call


HCELL = 3
for kind, gates in [("rnn", 1), ("lstm", 4), ("gru", 3)]:
    for batch in [(2,), ()]:
        for output in (["h", "c"] if kind == "lstm" else ["h"]):
            inputs = {"x": normal(batch + (4,)), "h": normal(batch + (HCELL,)),
                      "w_ih": normal((gates * HCELL, 4)), "w_hh": normal((gates * HCELL, HCELL)),
                      "b_ih": normal((gates * HCELL,)), "b_hh": normal((gates * HCELL,))}
            if kind == "lstm":
                inputs["c"] = normal(batch + (HCELL,))
            c = "c" if kind == "lstm" else "None"
            label = "batched" if batch else "single"
            case(f"{kind}_cell_{label}_{output}", f"{kind}_cell",
                 f"cell_call('{kind}', x, h, {c}, w_ih, w_hh, b_ih, b_hh, '{output}')", inputs,
                 {"output": output, "nonlinearity": "tanh"})
case("rnn_cell_relu", "rnn_cell", "cell_call('rnn', x, h, None, w_ih, w_hh, b_ih, b_hh, 'h', 'relu')",
     {"x": normal((2, 4)), "h": normal((2, HCELL)), "w_ih": normal((HCELL, 4)),
      "w_hh": normal((HCELL, HCELL)), "b_ih": normal((HCELL,)), "b_hh": normal((HCELL,))},
     {"output": "h", "nonlinearity": "relu"})

# ---- sliding windows (ops/window.cpp) ----
x = normal((2, 7))
case("as_strided_overlap", "as_strided", "torch.as_strided(x, (2, 3, 3), (7, 2, 1), 0)", {"x": x},
     {"size": [2, 3, 3], "stride": [7, 2, 1], "offset": 0})
case("as_strided_offset", "as_strided", "torch.as_strided(x, (3, 2), (1, 3), 2)", {"x": x},
     {"size": [3, 2], "stride": [1, 3], "offset": 2})
case("unfold", "unfold", "x.unfold(1, 3, 2)", {"x": x}, {"dim": 1, "size": 3, "step": 2})
case("unfold_rows", "unfold", "x.unfold(0, 2, 1)", {"x": x}, {"dim": 0, "size": 2, "step": 1})
case("pad_last", "pad", "F.pad(x, (1, 2))", {"x": x}, {"pads": [1, 2], "value": 0.0})
case("pad_two_dims", "pad", "F.pad(x, (0, 1, 2, 0), value=-1.5)", {"x": x},
     {"pads": [0, 1, 2, 0], "value": -1.5})

# ---- added later (appended, so the cases above keep their inputs) ----
case("rsqrt", "rsqrt", "torch.rsqrt(x)", {"x": normal((3, 4), 0.2)})

write("ops.json", "tests/reference/make_ops.py",
      "Single-op forward/backward cases for ops beyond ../shared/conformance")
