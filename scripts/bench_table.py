# SPDX-License-Identifier: MIT
"""The table scripts/bench prints: median (min - max) of every result line
("name value unit ...") of ours, and where a LibTorch twin printed the same
name, its median and our speed-up (>1: we are faster) from the same run.
Lines whose second word is not a number (a step's phases) are details: the
last run's are listed under the table."""
import collections
import statistics
import sys


def read(path):
    runs, units, details = collections.defaultdict(list), {}, {}
    for line in open(path):
        words = line.split()
        if len(words) < 3:
            continue
        name, value, unit = words[:3]
        try:
            number = float(value)
        except ValueError:
            details[name] = line.strip()
            continue
        runs[name].append(number)
        units[name] = unit
    return runs, units, details


ours, units, details = read(sys.argv[1])
theirs, _, _ = read(sys.argv[2]) if len(sys.argv) > 2 else ({}, {}, {})
# LibTorch has no scalar nodes: its P1 twin is the tensor version.
twin_of = {"p1-scalar": "p1", "p1-tensor": "p1"}
higher_is_better = {"GFLOP/s"}

print(f"{'workload':<18} {'median':>10} {'(min - max)':>24}  {'unit':<8} {'LibTorch':>10} {'speed-up':>9}")
for name, values in ours.items():
    median = statistics.median(values)
    row = f"{name:<18} {median:>10.3f} {f'({min(values):.3f} - {max(values):.3f})':>24}  {units[name]:<8}"
    twin = theirs.get(twin_of.get(name, name))
    if twin:
        other = statistics.median(twin)
        speedup = median / other if units[name] in higher_is_better else other / median
        if units[name] == "MiB":
            speedup = other / median  # memory: >1 means we use less
        row += f" {other:>10.3f} {speedup:>8.2f}x"
    print(row + f"  [{len(values)} runs]")
for line in details.values():
    print(line)

# Elementwise ops (bench/elementwise.cpp): each median as a multiple of the
# memory-bandwidth floor of its pass measured in the same run, on the large
# shape (the small one stays in cache, where no loop is a bandwidth floor).
floors = {name: statistics.median(v) for name, v in ours.items() if name.startswith("ew-floor-")}
if floors:
    print(f"\n{'elementwise op':<24} {'x floor':>8}")
    for name, values in ours.items():
        parts = name.split("-")
        if name.startswith("ew-") and not name.startswith("ew-floor-") and parts[-2] == "l":
            floor = floors.get(f"ew-floor-{parts[-2]}-{parts[-1]}")
            if floor:
                print(f"{name:<24} {statistics.median(values) / floor:>8.2f}")
