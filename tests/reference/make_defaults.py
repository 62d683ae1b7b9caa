#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes defaults.json beside this script: the default of every setting of
PyTorch 1.13's optimizers, schedules, layers and losses that this library
has an option for, read off their signatures (inspect), so that
tests/nn/defaults_test.cpp checks ours against PyTorch's own, with and
without other fields given. Deterministic (no randomness).

  /usr/bin/python3 tests/reference/make_defaults.py   (Debian's python3-torch)
"""
import inspect
import json
import pathlib

import torch


def defaults(fn, skip=()):
    out = {}
    for name, p in inspect.signature(fn).parameters.items():
        if p.default is inspect.Parameter.empty or name in skip or name == "self":
            continue
        value = p.default
        if name == "betas":
            out["beta1"], out["beta2"] = value
            continue
        if isinstance(value, (bool, int, float, str)) or value is None:
            out[name] = value
    return out


optim = torch.optim
out = {
    "optimizers": {
        "SGD": defaults(optim.SGD, skip=("lr", "foreach", "differentiable")),
        "RMSprop": defaults(optim.RMSprop, skip=("foreach", "differentiable")),
        "Adam": defaults(optim.Adam, skip=("foreach", "capturable", "differentiable", "fused")),
        "AdamW": defaults(optim.AdamW, skip=("foreach", "capturable", "differentiable", "fused")),
        "Adagrad": defaults(optim.Adagrad, skip=("foreach", "differentiable")),
        "Adadelta": defaults(optim.Adadelta, skip=("foreach", "differentiable")),
        "SparseAdam": defaults(optim.SparseAdam),
        "NAdam": defaults(optim.NAdam, skip=("foreach", "differentiable")),
        "RAdam": defaults(optim.RAdam, skip=("foreach", "differentiable")),
        "Adamax": defaults(optim.Adamax, skip=("foreach", "differentiable")),
    },
    "schedules": {
        "OneCycleLR": defaults(optim.lr_scheduler.OneCycleLR,
                               skip=("max_lr", "total_steps", "epochs", "steps_per_epoch",
                                     "cycle_momentum", "base_momentum", "max_momentum",
                                     "last_epoch", "verbose")),
        "ReduceLROnPlateau": defaults(optim.lr_scheduler.ReduceLROnPlateau,
                                      skip=("verbose", "threshold_mode")),
    },
    "layers": {
        "RNN": {"num_layers": 1, "bias": True, "batch_first": False, "dropout": 0.0,
                "bidirectional": False},  # torch.nn.RNNBase takes them as **kwargs
        "DataLoader": defaults(torch.utils.data.DataLoader,
                               skip=("batch_size", "sampler", "batch_sampler", "num_workers",
                                     "collate_fn", "pin_memory", "timeout", "worker_init_fn",
                                     "multiprocessing_context", "generator", "prefetch_factor",
                                     "persistent_workers", "pin_memory_device")),
    },
    "losses": {
        "cross_entropy": defaults(torch.nn.functional.cross_entropy,
                                  skip=("weight", "size_average", "reduce")),
    },
}
# RNNBase's documented defaults, checked against a module PyTorch builds.
rnn = torch.nn.RNN(2, 3)
assert (rnn.num_layers, rnn.bias, rnn.batch_first, rnn.dropout, rnn.bidirectional) == (
    1, True, False, 0.0, False)

path = pathlib.Path(__file__).with_name("defaults.json")
path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
print(f"wrote {path}")
