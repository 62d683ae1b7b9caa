#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes layers.json beside this script: PyTorch's float64 outputs and
vector-Jacobian products (inputs and every parameter) for the sequence and
convolution layers of #16, through torch.nn's own modules with the case's
inputs as their parameters (functional_call). Read by
tests/nn/layers_conformance_test.cpp; the tests never need torch.

  /usr/bin/python3 tests/reference/make_layers.py   (Debian's python3-torch)
"""
import math
import pathlib
import sys

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from torch.nn.utils.stateless import functional_call

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from cases import case, gen, helpers, normal, write  # noqa: E402

# ---- RNN, LSTM, GRU over packed batches (nn/rnn.cpp) ----


def rnn_call(kind, x, lengths, h0, c0, weights, layers, bidirectional, batch_first, bias, output,
             nonlinearity="tanh"):
    batched = x.dim() == 3
    features, hidden = x.shape[-1], weights[1].shape[1]
    options = dict(num_layers=layers, bidirectional=bidirectional, batch_first=batch_first,
                   bias=bias)
    module = {"rnn": lambda: torch.nn.RNN(features, hidden, nonlinearity=nonlinearity, **options),
              "lstm": lambda: torch.nn.LSTM(features, hidden, **options),
              "gru": lambda: torch.nn.GRU(features, hidden, **options)}[kind]()
    # The module runs on _flat_weights (functional_call would not reach them).
    module._flat_weights = list(weights)
    state = None if h0 is None else (h0, c0) if kind == "lstm" else h0
    if lengths is None:
        out, final = module(x, state)
    else:
        time = x.shape[1] if batch_first else x.shape[0]
        packed = pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=False)
        out, final = module(packed, state)
        out, _ = pad_packed_sequence(out, batch_first=batch_first, total_length=time)
    h_n, c_n = final if kind == "lstm" else (final, None)
    assert batched or out.dim() == 2
    return {"output": out, "h_n": h_n, "c_n": c_n}[output]


helpers["rnn_call"] = rnn_call
IN, HID = 3, 2


def rnn_case(name, kind, time, batch, lengths, layers=1, bidirectional=False, batch_first=False,
             bias=True, initial=False, nonlinearity="tanh", outputs=("output", "h_n")):
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[kind]
    dirs = 2 if bidirectional else 1
    shape = (time, IN) if batch is None else (batch, time, IN) if batch_first else (time, batch, IN)
    inputs = {"x": normal(shape)}
    if lengths is not None:
        inputs["lengths"] = torch.tensor(lengths)
    state_shape = (layers * dirs, HID) if batch is None else (layers * dirs, batch, HID)
    if initial:
        inputs["h0"] = normal(state_shape)
        if kind == "lstm":
            inputs["c0"] = normal(state_shape)
    names = []
    for layer in range(layers):
        for _ in range(dirs):
            width = IN if layer == 0 else dirs * HID
            shapes = [(gates * HID, width), (gates * HID, HID)] + ([(gates * HID,)] * 2 if bias else [])
            for s in shapes:
                names.append(f"w{len(names)}")
                inputs[names[-1]] = normal(s)
    h0 = "h0" if initial else "None"
    c0 = "c0" if initial and kind == "lstm" else "None"
    length_arg = "lengths" if lengths is not None else "None"
    for output in outputs:
        expr = (f"rnn_call('{kind}', x, {length_arg}, {h0}, {c0}, [{', '.join(names)}], {layers}, "
                f"{bidirectional}, {batch_first}, {bias}, '{output}', '{nonlinearity}')")
        case(f"{name}_{output}", "rnn", expr, inputs,
             {"kind": kind, "nonlinearity": nonlinearity, "num_layers": layers,
              "bidirectional": bidirectional, "batch_first": batch_first, "bias": bias,
              "output": output}, constants=("lengths",))


rnn_case("lstm_packed_bidirectional", "lstm", 4, 3, [4, 2, 3], layers=2, bidirectional=True,
         initial=True, outputs=("output", "h_n", "c_n"))
rnn_case("gru_packed_batch_first", "gru", 5, 3, [2, 5, 1], batch_first=True)
rnn_case("rnn_relu_two_layers", "rnn", 3, 2, None, layers=2, initial=True, nonlinearity="relu")
rnn_case("lstm_unbatched_bidirectional", "lstm", 3, None, None, bidirectional=True,
         outputs=("output", "h_n", "c_n"))
rnn_case("gru_no_bias_bidirectional", "gru", 4, 2, [3, 4], bidirectional=True, bias=False,
         initial=True)
rnn_case("rnn_tanh_sorted_lengths", "rnn", 4, 3, [4, 4, 2], bidirectional=True)

# ---- Conv1d and the pools (nn/conv.cpp) ----
for name, x_shape, w_shape, bias, stride, padding, dilation, groups in [
        ("conv1d", (2, 3, 7), (4, 3, 3), True, 1, 0, 1, 1),
        ("conv1d_strided", (2, 3, 9), (4, 3, 3), True, 2, 1, 2, 1),
        ("conv1d_groups", (2, 4, 6), (6, 2, 2), True, 1, 1, 1, 2),
        ("conv1d_unbatched", (3, 5), (2, 3, 2), False, 1, 0, 1, 1)]:
    inputs = {"x": normal(x_shape), "weight": normal(w_shape)}
    if bias:
        inputs["bias"] = normal((w_shape[0],))
    b = "bias" if bias else "None"
    case(name, "conv1d",
         f"F.conv1d(x, weight, {b}, stride={stride}, padding={padding}, dilation={dilation}, "
         f"groups={groups})", inputs,
         {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups})

x = normal((2, 3, 8))
for name, kernel, stride, padding, dilation, ceil in [
        ("max_pool1d", 2, 2, 0, 1, False), ("max_pool1d_padded", 3, 2, 1, 1, False),
        ("max_pool1d_dilated_ceil", 2, 2, 0, 2, True), ("max_pool1d_overlap", 3, 1, 0, 1, False)]:
    case(name, "max_pool1d",
         f"F.max_pool1d(x, {kernel}, {stride}, {padding}, {dilation}, ceil_mode={ceil})", {"x": x},
         {"kernel": kernel, "stride": stride, "padding": padding, "dilation": dilation,
          "ceil_mode": ceil})
for name, kernel, stride, padding, ceil, include in [
        ("avg_pool1d", 3, 2, 0, False, True), ("avg_pool1d_padded", 3, 2, 1, False, True),
        ("avg_pool1d_padded_exclude", 3, 2, 1, False, False),
        ("avg_pool1d_ceil", 3, 2, 1, True, True), ("avg_pool1d_ceil_exclude", 2, 3, 1, True, False)]:
    case(name, "avg_pool1d",
         f"F.avg_pool1d(x, {kernel}, {stride}, {padding}, ceil_mode={ceil}, "
         f"count_include_pad={include})", {"x": x},
         {"kernel": kernel, "stride": stride, "padding": padding, "ceil_mode": ceil,
          "count_include_pad": include})
x7 = normal((2, 3, 7))
for size in [1, 3, 5]:
    case(f"adaptive_max_pool1d_{size}", "adaptive_max_pool1d", f"F.adaptive_max_pool1d(x, {size})",
         {"x": x7}, {"output_size": size})
    case(f"adaptive_avg_pool1d_{size}", "adaptive_avg_pool1d", f"F.adaptive_avg_pool1d(x, {size})",
         {"x": x7}, {"output_size": size})
case("adaptive_max_pool1d_unbatched", "adaptive_max_pool1d", "F.adaptive_max_pool1d(x, 2)",
     {"x": normal((3, 5))}, {"output_size": 2})

# ---- BatchNorm1d's functional form (nn/normalization.cpp) ----


def bn_call(x, running_mean, running_var, weight, bias, training, output):
    rm, rv = running_mean.clone(), running_var.clone()
    y = torch.nn.functional.batch_norm(x, rm, rv, weight, bias, training, 0.1, 1e-5)
    return {"output": y, "running_mean": rm, "running_var": rv}[output]


helpers["bn_call"] = bn_call
for shape in [(4, 3), (4, 3, 5)]:
    stats = {"x": normal(shape), "running_mean": normal((3,)), "running_var": normal((3,), 0.5),
             "weight": normal((3,)), "bias": normal((3,))}
    for training in [True, False]:
        outputs = ["output", "running_mean", "running_var"] if training else ["output"]
        for output in outputs:
            mode = "train" if training else "eval"
            case(f"batch_norm_{len(shape)}d_{mode}_{output}", "batch_norm",
                 f"bn_call(x, running_mean, running_var, weight, bias, {training}, '{output}')",
                 stats, {"training": training, "output": output, "momentum": 0.1, "eps": 1e-5},
                 constants=("running_mean", "running_var"))

# ---- attention (nn/attention.cpp) ----


def sdpa(q, k, v, mask=None, causal=False):
    """PyTorch 2's documented F.scaled_dot_product_attention, written out
    (1.13 has no public one): bool masks are true where attending is allowed."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, -math.inf) if mask.dtype == torch.bool else scores + mask
    if causal:
        above = torch.ones(q.shape[-2], k.shape[-2]).triu(1).bool()
        scores = scores.masked_fill(above, -math.inf)
    return torch.softmax(scores, -1) @ v


def mha_call(query, key, value, w_in, b_in, w_out, b_out, heads, batch_first, key_padding_mask,
             attn_mask, output, average=True):
    module = torch.nn.MultiheadAttention(w_out.shape[0], heads, batch_first=batch_first)
    params = {"in_proj_weight": w_in, "in_proj_bias": b_in, "out_proj.weight": w_out,
              "out_proj.bias": b_out}
    out, weights = functional_call(module, params, (query, key, value),
                                   {"key_padding_mask": key_padding_mask, "attn_mask": attn_mask,
                                    "average_attn_weights": average})
    return out if output == "output" else weights


helpers["sdpa"] = sdpa
helpers["mha_call"] = mha_call
q, k, v = normal((2, 3, 4, 5)), normal((2, 3, 6, 5)), normal((2, 3, 6, 2))
case("sdpa", "sdpa", "sdpa(q, k, v)", {"q": q, "k": k, "v": v}, {"causal": False})
case("sdpa_bool_mask", "sdpa", "sdpa(q, k, v, mask)",
     {"q": q, "k": k, "v": v, "mask": torch.rand(4, 6, generator=gen) > 0.3}, {"causal": False})
case("sdpa_float_mask", "sdpa", "sdpa(q, k, v, mask)",
     {"q": q, "k": k, "v": v, "mask": normal((3, 1, 6))}, {"causal": False}, constants=("mask",))
qs, ks = normal((2, 4, 3)), normal((2, 4, 3))
case("sdpa_causal", "sdpa", "sdpa(q, k, v, None, True)", {"q": qs, "k": ks, "v": normal((2, 4, 2))},
     {"causal": True})

E, H = 4, 2
for name, q_shape, kv_len, batch_first, masks, average in [
        ("mha_self", (3, 2, E), None, False, False, True),
        ("mha_cross_masked", (2, 3, E), 5, True, True, True),
        ("mha_heads_float_mask", (3, 2, E), None, False, "float", False),
        ("mha_unbatched", (3, E), 4, False, False, True)]:
    query = normal(q_shape)
    if kv_len is None:
        key = value = query
    else:
        kv_shape = ((q_shape[0], kv_len, E) if batch_first else (kv_len, q_shape[1], E)) \
            if len(q_shape) == 3 else (kv_len, E)
        key, value = normal(kv_shape), normal(kv_shape)
    n = (q_shape[0] if batch_first else q_shape[1]) if len(q_shape) == 3 else 1
    length = q_shape[1] if batch_first else q_shape[0]
    keys = length if kv_len is None else kv_len
    inputs = {"query": query, "key": key, "value": value, "w_in": normal((3 * E, E)),
              "b_in": normal((3 * E,)), "w_out": normal((E, E)), "b_out": normal((E,))}
    kpm = am = "None"
    if masks is True:
        padding = torch.zeros(n, keys, dtype=torch.bool)
        padding[0, -2:] = True
        inputs["key_padding_mask"] = padding
        inputs["attn_mask"] = torch.rand(length, keys, generator=gen) > 0.7
        inputs["attn_mask"][:, 0] = False  # every query sees key 0
        kpm, am = "key_padding_mask", "attn_mask"
    elif masks == "float":
        inputs["attn_mask"] = normal((n * H, length, keys))
        am = "attn_mask"
    if kv_len is None:  # self-attention: one tensor
        del inputs["key"], inputs["value"]
        kv = "query, query"
    else:
        kv = "key, value"
    for output in ["output", "weights"]:
        case(f"{name}_{output}", "mha",
             f"mha_call(query, {kv}, w_in, b_in, w_out, b_out, {H}, {batch_first}, {kpm}, {am}, "
             f"'{output}', {average})", inputs,
             {"heads": H, "batch_first": batch_first, "output": output, "average": average},
             constants=("attn_mask",))


def sinusoidal(length, dim):
    """The encoding of "Attention Is All You Need", as PyTorch's tutorial computes it."""
    position = torch.arange(length).unsqueeze(1).double()
    div = torch.exp(torch.arange(0, dim, 2).double() * (-math.log(10000.0) / dim))
    pe = torch.zeros(length, dim)
    pe[:, 0::2] = torch.sin(position * div)
    pe[:, 1::2] = torch.cos(position * div[: dim // 2])
    return pe


helpers["sinusoidal"] = sinusoidal
for length, dim in [(7, 6), (5, 5)]:
    case(f"sinusoidal_{length}x{dim}", "sinusoidal", f"sinusoidal({length}, {dim})", {},
         {"length": length, "dim": dim})

write("layers.json", "tests/reference/make_layers.py", "Sequence and convolution layers (#16) against torch.nn's modules")
