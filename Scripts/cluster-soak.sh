#!/usr/bin/env bash
# Memory over a long run of cross-node traffic (issue 10: "memory stays flat in a 10-minute run").
# Starts a two-node cluster on this machine with the release `ray` command, runs the test driver's
# `soak` mode against it (arrays made on one node and read on the other, both ways, small tasks
# and actor calls on the other node), and prints every 30 s the private resident memory (RssAnon:
# the shared-memory store is not counted, its size is fixed) of the control store, both raylets,
# the driver and the workers.
#   Scripts/cluster-soak.sh [seconds, default 600]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
swift build -c release --product ray >/dev/null
swift build -c release --product RayTestDriver >/dev/null
ray=.build/release/ray
root="$(mktemp -d /tmp/rsXXXXXX)"
mkdir -p "$root/a" "$root/b"
port=$(( 20000 + RANDOM % 20000 ))
cleanup() {
    RAY_TMPDIR="$root/b" "$ray" stop >/dev/null || true
    RAY_TMPDIR="$root/a" "$ray" stop >/dev/null || true
    [ -n "${driver:-}" ] && kill "$driver" 2>/dev/null || true
    rm -rf "$root"
}
trap cleanup EXIT
RAY_TMPDIR="$root/a" "$ray" start --head --port "$port" --num-cpus 1 --object-store-memory 1073741824 >/dev/null
token="$(ls "$root"/a/ray/session_*/cluster_token)"
RAY_TMPDIR="$root/b" "$ray" start --address "127.0.0.1:$port" --token-file "$token" --num-cpus 1 \
    --resources '{"second": 4}' --object-store-memory 1073741824 >/dev/null
pids() { grep -ho '"pid" : [0-9]*' "$root"/*/ray/session_*/node.json | awk '{print $3}'; }
rss() { awk '/RssAnon/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
children() { for p in "$@"; do ps -o pid= --ppid "$p"; done; }
RAY_ADDRESS="127.0.0.1:$port" RAY_TMPDIR="$root/a" .build/release/RayTestDriver soak "$seconds" &
driver=$!
echo "time_s  gcs+raylets_kB  driver_kB  workers_kB  (RssAnon)"
start=$(date +%s)
while kill -0 "$driver" 2>/dev/null; do
    services=0; for p in $(pids); do services=$(( services + $(rss "$p") )); done
    workers=0; for p in $(children $(pids)); do workers=$(( workers + $(rss "$p") )); done
    echo "$(( $(date +%s) - start ))  $services  $(rss "$driver")  $workers"
    for _ in $(seq 30); do kill -0 "$driver" 2>/dev/null || break; sleep 1; done
done
wait "$driver"
