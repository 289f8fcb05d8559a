#!/usr/bin/env bash
# Runs Python Ray's own microbenchmark and Ray for Swift's suite back to back on this machine and
# writes BENCHMARKS.md. Python Ray lives in a virtual environment outside the repository
# (RAY_BENCH_VENV, default ~/.cache/ray-swift-bench/venv). Takes about 20 minutes.
#
# `--multinode-only` runs only the multi-node lines of both sides (Benchmarks/python/multinode.py,
# `ray-microbenchmark --multinode`; about 5 minutes) and replaces the "Multi-node" section of
# BENCHMARKS.md (between its markers, else before "## Reading the table"), keeping the rest.
set -euo pipefail
multinode_only=0
if [ "${1:-}" = "--multinode-only" ]; then multinode_only=1; fi
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
venv="${RAY_BENCH_VENV:-$HOME/.cache/ray-swift-bench/venv}"
out="$(mktemp -d)"

if [ ! -x "$venv/bin/ray" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q ray grpcio numpy psutil
fi

machine="Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) memory, $(uname -sr). \
Date: $(date -u +%Y-%m-%d). Python Ray $("$venv/bin/python" -c 'import ray; print(ray.__version__)') on \
$("$venv/bin/python" --version 2>&1); $(swift --version 2>/dev/null | head -1)."

# The multi-node lines: Python Ray first, then ours (`ray start`/`ray stop` time the release `ray`).
echo "== Python Ray: multi-node (ray.cluster_utils.Cluster)"
"$venv/bin/python" "$here/python/multinode.py" --json "$out/python-multinode.json"
echo "== Ray for Swift: ray-microbenchmark --multinode"
swift build -c release --package-path "$root" --product ray
swift build -c release --package-path "$here"
"$here/.build/release/ray-microbenchmark" --multinode --ray-binary "$root/.build/release/ray" --json "$out/swift-multinode.json" \
    | tee "$out/swift-multinode.txt"

if [ "$multinode_only" = 1 ]; then
    command="bash Benchmarks/compare.sh --multinode-only"
    python3 "$here/python/write_report.py" --swift-multinode "$out/swift-multinode.json" --python-multinode "$out/python-multinode.json" \
        --machine "$machine" --command "$command" --multinode-only > "$out/multinode.md"
    python3 - "$root/BENCHMARKS.md" "$out/multinode.md" <<'SPLICE'
import sys
report, section = sys.argv[1], open(sys.argv[2]).read().rstrip("\n")
text = open(report).read()
begin, end = "<!-- multinode:begin -->", "<!-- multinode:end -->"
if begin in text and end in text:
    text = text[:text.index(begin)] + section + text[text.index(end) + len(end):]
elif "\n## Reading the table" in text:
    at = text.index("\n## Reading the table")
    text = text[:at] + "\n" + section + "\n" + text[at:]
else:
    text = text.rstrip("\n") + "\n\n" + section + "\n"
open(report, "w").write(text)
SPLICE
    echo "updated the multi-node section of $root/BENCHMARKS.md (raw output in $out)"
    exit 0
fi

echo "== Python Ray: start-up and memory"
"$venv/bin/python" "$here/python/init_and_memory.py" --json "$out/python-init.json"
echo "== Python Ray: ray microbenchmark"
# Its last part (Ray Client) can fail to start its server on a small machine; the lines before
# it are complete, so a failure there does not stop the comparison.
RAY_DISABLE_USAGE_STATS=1 "$venv/bin/ray" microbenchmark 2>&1 | tee "$out/python-microbenchmark.txt" || true

echo "== Ray for Swift: ray-microbenchmark"
swift build -c release --package-path "$here"
"$here/.build/release/ray-microbenchmark" --json "$out/swift.json" | tee "$out/swift.txt"

notes_args=()
if [ -f "$here/NOTES.md" ]; then notes_args=(--notes "$here/NOTES.md"); fi
python3 "$here/python/write_report.py" --python "$out/python-microbenchmark.txt" --python-init "$out/python-init.json" \
    --swift "$out/swift.json" \
    --swift-multinode "$out/swift-multinode.json" --python-multinode "$out/python-multinode.json" --machine "$machine" --command "bash Benchmarks/compare.sh" "${notes_args[@]}" > "$root/BENCHMARKS.md"
echo "wrote $root/BENCHMARKS.md (raw output in $out)"
