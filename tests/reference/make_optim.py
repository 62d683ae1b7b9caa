#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes optim.json and schedulers.json beside this script: PyTorch 1.13's
trajectories for the optimizers and schedules added after
../shared/conformance, in that data's schema (its README), read by
tests/nn/optim/conformance_test.cpp. Deterministic: parameters and gradients
come from a seeded generator, rounded, and are stored literally.

  /usr/bin/python3 tests/reference/make_optim.py   (Debian's python3-torch)
"""
import json
import math
import pathlib

import torch

import inspect

import importlib

nadam_module = importlib.import_module("torch.optim.nadam")

# PyTorch 1.13's NAdam multiplies mu into mu_product_next twice; PyTorch 2.0
# fixed that (pull request 92699, "clearly a bugfix"), as the paper has it.
# We follow the fix: apply it to 1.13's own single-tensor code.
_source = inspect.getsource(nadam_module._single_tensor_nadam)
assert "mu_product_next = mu_product * mu * mu_next" in _source
exec(_source.replace("mu_product * mu * mu_next", "mu_product * mu_next"), nadam_module.__dict__)

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)
gen = torch.Generator().manual_seed(20261202)
here = pathlib.Path(__file__).parent


def rounded(shape, digits=5):
    return torch.round(torch.randn(shape, generator=gen) * 10**digits) / 10**digits


def encode(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.flatten().tolist()]}


def trajectory(name, optimizer, kwargs, steps=6):
    p0 = {"vec": rounded((3,)), "mat": rounded((2, 2))}
    grads = {k: [rounded(v.shape) for _ in range(steps)] for k, v in p0.items()}
    params = {k: v.clone().requires_grad_() for k, v in p0.items()}
    opt = getattr(torch.optim, optimizer)(list(params.values()), **kwargs)
    after = []
    for k in range(steps):
        for key, p in params.items():
            p.grad = grads[key][k].clone()
        opt.step()
        after.append({key: encode(p.detach()) for key, p in params.items()})
    return {"name": name, "optimizer": optimizer, "constructor_kwargs": kwargs,
            "param_names": list(p0), "p0": {k: encode(v) for k, v in p0.items()},
            "grads": {k: [encode(g) for g in v] for k, v in grads.items()},
            "params_after_step": after}


configs = [
    trajectory("NAdam", "NAdam", {"lr": 0.01}),
    trajectory("NAdam_decay", "NAdam", {"lr": 0.02, "weight_decay": 0.1, "momentum_decay": 0.01,
                                         "betas": [0.8, 0.99]}),
    trajectory("RAdam", "RAdam", {"lr": 0.01}, steps=8),  # rectified from step 6 on
    trajectory("RAdam_decay", "RAdam", {"lr": 0.02, "weight_decay": 0.1, "betas": [0.9, 0.9]}),
    trajectory("Adamax", "Adamax", {"lr": 0.01}),
    trajectory("Adamax_decay", "Adamax", {"lr": 0.02, "weight_decay": 0.1, "betas": [0.8, 0.9]}),
    trajectory("Adamax_maximize", "Adamax", {"lr": 0.01, "maximize": True}),
    trajectory("SGD_maximize", "SGD", {"lr": 0.1, "momentum": 0.9, "maximize": True}),
    trajectory("Adam_maximize", "Adam", {"lr": 0.01, "weight_decay": 0.1, "maximize": True}),
    trajectory("AdamW_maximize", "AdamW", {"lr": 0.01, "maximize": True}),
    trajectory("Adagrad_maximize", "Adagrad", {"lr": 0.1, "maximize": True}),
    trajectory("RMSprop_maximize", "RMSprop", {"lr": 0.01, "maximize": True}),
    trajectory("Adadelta_maximize", "Adadelta", {"lr": 1.0, "maximize": True}),
]


def schedule(name, scheduler, kwargs, make, epochs=12, base_lr=0.1):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
    sched = make(opt)
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return {"name": name, "scheduler": scheduler, "constructor_kwargs": kwargs, "base_lr": base_lr,
            "lr": lrs}


S = torch.optim.lr_scheduler
schedulers = [
    schedule("LambdaLR", "LambdaLR", {"lambda": "0.9^epoch / (1 + epoch % 3)"},
             lambda o: S.LambdaLR(o, lambda e: 0.9**e / (1 + e % 3))),
    schedule("OneCycleLR_cos", "OneCycleLR", {"max_lr": 1.0, "total_steps": 12},
             lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=12, cycle_momentum=False)),
    schedule("OneCycleLR_linear", "OneCycleLR",
             {"max_lr": 0.5, "total_steps": 12, "pct_start": 0.4, "anneal_strategy": "linear",
              "div_factor": 10.0, "final_div_factor": 100.0},
             lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=12, pct_start=0.4,
                                    anneal_strategy="linear", div_factor=10.0,
                                    final_div_factor=100.0, cycle_momentum=False)),
    schedule("OneCycleLR_three_phase", "OneCycleLR",
             {"max_lr": 1.0, "total_steps": 12, "three_phase": True},
             lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=12, three_phase=True,
                                    cycle_momentum=False)),
    schedule("CosineAnnealingWarmRestarts", "CosineAnnealingWarmRestarts",
             {"T_0": 3, "T_mult": 2, "eta_min": 0.01}, epochs=16,
             make=lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.01)),
    schedule("CosineAnnealingWarmRestarts_fixed", "CosineAnnealingWarmRestarts", {"T_0": 4},
             lambda o: S.CosineAnnealingWarmRestarts(o, T_0=4)),
    schedule("SequentialLR", "SequentialLR",
             {"schedulers": ["LinearLR(start_factor=0.25, total_iters=3)",
                             "ExponentialLR(gamma=0.8)"], "milestones": [3]},
             lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.25, total_iters=3),
                                          S.ExponentialLR(o, gamma=0.8)], milestones=[3])),
]

meta = {"generator": "tests/reference/make_optim.py", "schema_version": 1,
        "torch_version_reported": torch.__version__, "torch_package": "Debian python3-torch",
        "dtype": "float64"}
(here / "optim.json").write_text(json.dumps({"meta": meta, "configs": configs}) + "\n")
(here / "schedulers.json").write_text(json.dumps({"meta": meta, "schedulers": schedulers}) + "\n")
print(f"{len(configs)} optimizer configs, {len(schedulers)} schedules")
