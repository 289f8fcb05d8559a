"""Writes BENCHMARKS.md from one side-by-side run: Python Ray's `ray microbenchmark` output and
init/memory JSON, and `ray-microbenchmark --json` of Ray for Swift."""
import argparse
import json
import re

LOWER_IS_BETTER = {"ms", "MiB", "µs"}


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", required=True)
    parser.add_argument("--python-init", required=True)
    parser.add_argument("--swift", required=True)
    parser.add_argument("--machine", required=True)
    parser.add_argument("--command", required=True)
    parser.add_argument("--notes", default="")
    args = parser.parse_args()

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
    if args.notes:
        print("\n" + open(args.notes).read())


if __name__ == "__main__":
    main()
