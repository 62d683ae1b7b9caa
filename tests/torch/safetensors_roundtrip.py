#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The safetensors round trip with PyTorch (Debian's python3-torch; skipped
where it is absent). PyTorch writes an MLP's state_dict and its outputs;
our program loads them and must reproduce the outputs to 1e-6; then it
writes its own MLP, which PyTorch loads and must reproduce ours to 1e-6.
The same one way for a sequence model (a bidirectional 2-layer LSTM,
multi-head attention, Conv1d and BatchNorm1d with trained running
statistics): PyTorch's state_dict, buffers included, must give PyTorch's
outputs in our code.
The files are written and read here by hand (there is no
python3-safetensors in Debian): 8-byte length, JSON header, raw data.

  safetensors_roundtrip.py OUR_PROGRAM
"""
import json
import pathlib
import struct
import subprocess
import sys
import tempfile

try:
    import torch
except ImportError:
    print("skipped: python3-torch is not installed")
    sys.exit(77)

DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}


def save(tensors, path):
    header, data = {}, b""
    for name, t in tensors.items():
        raw = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    pathlib.Path(path).write_bytes(struct.pack("<Q", len(text)) + text + data)


def load(path):
    raw = pathlib.Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, entry in header.items():
        dtype = {v: k for k, v in DTYPES.items()}[entry["dtype"]]
        begin, end = entry["data_offsets"]
        buffer = bytearray(raw[8 + n + begin:8 + n + end])
        out[name] = torch.frombuffer(buffer, dtype=dtype).reshape(entry["shape"])
    return out


def mlp():
    return torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3))


class Sequence(torch.nn.Module):
    """(N, T, 5) -> (N, 3); our program builds the same with the same names."""

    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(5, 6, num_layers=2, bidirectional=True, batch_first=True)
        self.attn = torch.nn.MultiheadAttention(12, 3, batch_first=True)
        self.conv = torch.nn.Conv1d(12, 8, 3, padding=1)
        self.norm = torch.nn.BatchNorm1d(8)
        self.out = torch.nn.Linear(8, 3)

    def forward(self, x):
        h, _ = self.lstm(x)
        a, _ = self.attn(h, h, h, need_weights=False)
        c = self.norm(self.conv(a.transpose(1, 2)))
        return self.out(torch.relu(c).amax(2))


def worst(a, b):
    return ((a - b).abs() / (1 + b.abs())).max().item()


torch.manual_seed(0)
torch.set_num_threads(1)
program = sys.argv[1]
with tempfile.TemporaryDirectory() as tmp:
    model = mlp()
    x = torch.randn(32, 4)
    with torch.no_grad():
        save(model.state_dict(), f"{tmp}/torch_model.safetensors")
        save({"x": x, "y": model(x)}, f"{tmp}/torch_io.safetensors")
        sequence = Sequence()
        for _ in range(3):  # running statistics away from their initial values
            sequence(torch.randn(8, 7, 5) * 2 + 1)
        sequence.eval()
        xs = torch.randn(4, 7, 5)
        save(sequence.state_dict(), f"{tmp}/torch_sequence.safetensors")
        save({"x": xs, "y": sequence(xs)}, f"{tmp}/torch_sequence_io.safetensors")
    subprocess.run([program, tmp], check=True, timeout=60)
    ours = mlp()
    state = load(f"{tmp}/ours_model.safetensors")
    ours.load_state_dict(state, strict=True)
    io = load(f"{tmp}/ours_io.safetensors")
    with torch.no_grad():
        difference = worst(ours(io["x"]), io["y"])
    print(f"our weights in PyTorch: {io['y'].numel()} outputs, worst relative difference "
          f"{difference:.3g}")
    sys.exit(0 if difference <= 1e-6 else 1)
