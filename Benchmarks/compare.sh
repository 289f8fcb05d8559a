#!/usr/bin/env bash
# Runs Python Ray's own microbenchmark and Ray for Swift's suite back to back on this machine and
# writes BENCHMARKS.md. Python Ray lives in a virtual environment outside the repository
# (RAY_BENCH_VENV, default ~/.cache/ray-swift-bench/venv). Takes about 15 minutes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
venv="${RAY_BENCH_VENV:-$HOME/.cache/ray-swift-bench/venv}"
out="$(mktemp -d)"

if [ ! -x "$venv/bin/ray" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q ray grpcio numpy psutil
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

machine="Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) memory, $(uname -sr). \
Date: $(date -u +%Y-%m-%d). Python Ray $("$venv/bin/python" -c 'import ray; print(ray.__version__)') on \
$("$venv/bin/python" --version 2>&1); $(swift --version 2>/dev/null | head -1)."
notes_args=()
if [ -f "$here/NOTES.md" ]; then notes_args=(--notes "$here/NOTES.md"); fi
python3 "$here/python/write_report.py" --python "$out/python-microbenchmark.txt" --python-init "$out/python-init.json" \
    --swift "$out/swift.json" --machine "$machine" --command "bash Benchmarks/compare.sh" "${notes_args[@]}" > "$root/BENCHMARKS.md"
echo "wrote $root/BENCHMARKS.md (raw output in $out)"
