#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes layers.json beside this script: PyTorch's float64 outputs and
vector-Jacobian products (inputs and every parameter) for the sequence and
convolution layers of #16, through torch.nn's own modules with the case's
inputs as their parameters (functional_call). Read by
tests/nn/layers_conformance_test.cpp; the tests never need torch.

  /usr/bin/python3 tests/reference/make_layers.py   (Debian's python3-torch)
"""
import pathlib
import sys

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from cases import case, helpers, normal, write  # noqa: E402

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
write("layers.json", "tests/reference/make_layers.py", "Sequence and convolution layers (#16) against torch.nn's modules")
