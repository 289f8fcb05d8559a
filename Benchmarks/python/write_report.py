"""Writes BENCHMARKS.md from one side-by-side run: Python Ray's `ray microbenchmark` output and
init/memory JSON, and `ray-microbenchmark --json` of Ray for Swift; with the multi-node JSON of
both sides (`multinode.py --json`, `ray-microbenchmark --multinode --json`), a "Multi-node"
section. `--multinode-only` writes that section alone (compare.sh --multinode-only splices it into
BENCHMARKS.md between its markers)."""
import argparse
import json
import re

LOWER_IS_BETTER = {"ms", "MiB", "µs"}

MULTINODE_BEGIN = "<!-- multinode:begin -->"
MULTINODE_END = "<!-- multinode:end -->"
LOOPBACK = "loopback TCP, one stream, 8 MiB writes (reference)"
# Issue 10's targets: small operations at least 10x Python Ray; the 100 MB and 1,000 MB transfers
# at least 2x Python Ray and at least half of loopback TCP; `ray start --head` under 200 ms.
SMALL_OPERATIONS = {"cross-node tasks sync", "cross-node tasks async", "cross-node actor calls sync",
                    "cross-node actor calls async", "cross-node get of a 1 MB array", "ray stop"}
TRANSFERS = {"cross-node get of a 100 MB array, bandwidth", "cross-node get of a 1,000 MB array, bandwidth"}


def parse_python_microbenchmark(path):
    results = {}
    pattern = re.compile(r"^(.*?) per second ([\d.]+) \+- ([\d.]+)")
    with open(path) as f:
        for line in f:
            match = pattern.match(line.strip())
            if match:
                results[match.group(1)] = (float(match.group(2)), float(match.group(3)), "per second")
    return results


def load_json(path):
    with open(path) as f:
        return {r["name"]: (r["value"], r["spread"], r["unit"]) for r in json.load(f)}


def key(name):
    """Names match after dropping parenthesised details such as process counts."""
    return re.sub(r"\s*\(RSS of \d+ processes\)", "", name)


def fmt(value, spread):
    digits = 0 if value >= 100 else 2
    return f"{value:,.{digits}f} ± {spread:,.{digits}f}"


def load_results(path):
    with open(path) as f:
        return json.load(f)


def ratio_of(value, p_value, unit):
    """Ours against theirs, higher is better for us: theirs / ours for times, ours / theirs for rates."""
    if not value or not p_value:
        return None
    return p_value / value if unit in LOWER_IS_BETTER else value / p_value


def multinode_section(swift_path, python_path):
    swift = load_results(swift_path)
    python = {r["name"]: r for r in load_results(python_path)} if python_path else {}
    loopback = next((r["value"] for r in swift if r["name"] == LOOPBACK), None)
    lines = ["| line | unit | Python Ray | Ray for Swift | Swift vs Python | target |", "| --- | --- | --- | --- | --- | --- |"]
    for r in swift:
        name, unit = r["name"], r["unit"]
        if r.get("note"):
            lines.append(f"| {name} | | {fmt_result(python.get(name))} | not measured: {r['note']} | | |")
            for suffix in (" sync", " async"):
                if name + suffix in python:
                    p = python[name + suffix]
                    lines.append(f"| {name + suffix} | {p['unit']} | {fmt_result(p)} | — (see above) | | |")
            continue
        p = python.get(name)
        ratio = ratio_of(r["value"], p["value"], unit) if p else None
        ratio_text = "" if ratio is None or unit == "%" else (f"{ratio:,.1f}× less" if unit in LOWER_IS_BETTER else f"{ratio:,.1f}×")
        target = ""
        if name == "ray start --head":
            target = ("met" if r["value"] < 200 else "missed") + ": < 200 ms"
        elif name in SMALL_OPERATIONS and ratio is not None:
            target = ("met" if ratio >= 10 else "missed") + ": ≥ 10× Python"
        elif name in TRANSFERS and ratio is not None and loopback:
            half = r["value"] >= loopback / 2
            target = ("met" if ratio >= 2 and half else "missed") + f": ≥ 2× Python ({ratio:.1f}×), ≥ half of loopback ({r['value'] / loopback:.0%})"
        lines.append(f"| {name} | {unit} | {fmt_result(p)} | {fmt(r['value'], r['spread'])} | {ratio_text} | {target} |")
    seen = {r["name"] for r in swift}
    for name, p in python.items():
        if name not in seen and not any(name.startswith(r["name"]) and r.get("note") for r in swift):
            lines.append(f"| {name} | {p['unit']} | {fmt_result(p)} | — | | |")
    return "\n".join(lines)


def fmt_result(r):
    return fmt(r["value"], r["spread"]) if r else "—"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--python")
    parser.add_argument("--python-init")
    parser.add_argument("--swift")
    parser.add_argument("--swift-multinode", help="ray-microbenchmark --multinode --json")
    parser.add_argument("--python-multinode", help="multinode.py --json")
    parser.add_argument("--multinode-only", action="store_true")
    parser.add_argument("--machine", required=True)
    parser.add_argument("--command", required=True)
    parser.add_argument("--notes", default="")
    args = parser.parse_args()

    multinode = None
    if args.swift_multinode:
        multinode = "\n".join([
            MULTINODE_BEGIN,
            "## Multi-node (issue 10)\n",
            args.machine + "\n",
            "Command: `" + args.command + "`\n",
            "Two nodes on this machine, one CPU each: ours started through `NodeLauncher` (as `ray start`"
            " does), Python Ray's through `ray.cluster_utils.Cluster`; the driver runs on the head, node B"
            " has the custom resource `b` that pins work there. Times are medians of several runs (± the"
            " standard deviation); rates are Ray's `timeit` (mean of four samples). The loopback line is the"
            " reference for the transfers: one TCP stream over 127.0.0.1 in 8 MiB writes, the chunk size of"
            " the object transfer.\n",
            multinode_section(args.swift_multinode, args.python_multinode),
            MULTINODE_END,
        ])
    if args.multinode_only:
        print(multinode or "")
        return

    python = parse_python_microbenchmark(args.python)
    python.update(load_json(args.python_init))
    swift = load_json(args.swift)
    python_by_key = {key(name): (name, value) for name, value in python.items()}

    lines = ["| benchmark | unit | Python Ray | Ray for Swift | Swift vs Python |", "| --- | --- | --- | --- | --- |"]
    seen = set()
    for name, (value, spread, unit) in swift.items():
        match = python_by_key.get(key(name))
        if match:
            seen.add(match[0])
            p_value, p_spread, _ = match[1]
            if unit in LOWER_IS_BETTER:
                ratio = f"{p_value / value:,.1f}× less" if value else "n/a"
            else:
                ratio = f"{value / p_value:,.1f}×" if p_value else "n/a"
            lines.append(f"| {name} | {unit} | {fmt(p_value, p_spread)} | {fmt(value, spread)} | {ratio} |")
        else:
            lines.append(f"| {name} | {unit} | — | {fmt(value, spread)} | |")
    for name, (value, spread, unit) in python.items():
        if name not in seen and key(name) not in {key(n) for n in swift}:
            lines.append(f"| {name} | {unit} | {fmt(value, spread)} | — | |")

    print("# Benchmarks: Ray for Swift side by side with Python Ray\n")
    print(args.machine + "\n")
    print("Command: `" + args.command + "`\n")
    print("\n".join(lines))
    if multinode:
        print("\n" + multinode)
    if args.notes:
        print("\n" + open(args.notes).read())


if __name__ == "__main__":
    main()
