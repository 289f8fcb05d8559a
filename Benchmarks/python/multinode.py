"""The multi-node lines of issue 10 for Python Ray, under the same names as
`ray-microbenchmark --multinode`: two raylets on this machine through `ray.cluster_utils.Cluster`
(the way Ray's own tests make a multi-node cluster), head and node B with one CPU each, B with the
custom resource `b` that pins work there; and `ray start --head` / `ray stop` of the real command.
Writes JSON in the same shape as `ray-microbenchmark --json` (times: median of the runs).
Note: Python's `ray stop` stops every Python Ray process of this machine, not only the one it timed."""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter

import numpy as np
import ray
from ray._private.ray_microbenchmark_helpers import timeit
from ray.cluster_utils import Cluster

results = []


def record_median(name, samples, unit):
    value = statistics.median(samples)
    results.append({"name": name, "value": value, "spread": statistics.pstdev(samples), "unit": unit})
    print(f"{name} {unit} {value:.3f} +- {statistics.pstdev(samples):.3f} (median of {len(samples)}: "
          + " ".join(f"{s:.3f}" for s in sorted(samples)) + ")", flush=True)


def record_timeit(name, fn, multiplier=1):
    for line_name, mean, sd in timeit(name, fn, multiplier):
        results.append({"name": line_name, "value": mean, "spread": sd, "unit": "per second"})
    sys.stdout.flush()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ray_start_stop(runs):
    ray_binary = os.path.join(os.path.dirname(sys.executable), "ray")
    starts, stops = [], []
    for _ in range(runs):
        temp = tempfile.mkdtemp(prefix="rp", dir="/tmp")
        env = dict(os.environ, RAY_DISABLE_USAGE_STATS="1")
        begin = time.perf_counter()
        subprocess.run([ray_binary, "start", "--head", "--port", str(free_port()), "--num-cpus", "1", "--temp-dir", temp,
                        "--include-dashboard", "false"], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        starts.append((time.perf_counter() - begin) * 1000)
        begin = time.perf_counter()
        subprocess.run([ray_binary, "stop"], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stops.append((time.perf_counter() - begin) * 1000)
        subprocess.run(["rm", "-rf", temp])
    record_median("ray start --head", starts, "ms")
    record_median("ray stop", stops, "ms")


@ray.remote(num_cpus=1, resources={"b": 1})
def small_value_on_b():
    return b"ok"


@ray.remote(num_cpus=1, resources={"b": 1}, num_returns=2)
def make_array_on_b(nbytes):
    # A small result (inline) tells the driver the array is made, without pulling the array.
    return nbytes, np.ones(nbytes, dtype=np.uint8)


@ray.remote(num_cpus=1)
def sleep_and_tell_node(ms):
    time.sleep(ms / 1000)
    return ray.get_runtime_context().get_node_id()


@ray.remote(resources={"b": 1})
class RemoteNodeActor:
    def small_value(self):
        return b"ok"

    def node_id(self):
        return ray.get_runtime_context().get_node_id()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-start-stop", action="store_true")
    args = parser.parse_args()
    runs = args.runs

    if not args.skip_start_stop:
        ray_start_stop(runs)

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "object_store_memory": 4 << 30})
    cluster.add_node(num_cpus=1, resources={"b": 1000}, object_store_memory=4 << 30)
    cluster.wait_for_nodes()
    ray.init(address=cluster.address)
    try:
        here = ray.get_runtime_context().get_node_id()
        assert ray.get(small_value_on_b.remote()) == b"ok"

        record_timeit("cross-node tasks sync", lambda: ray.get(small_value_on_b.remote()))
        record_timeit("cross-node tasks async", lambda: ray.get([small_value_on_b.remote() for _ in range(1000)]), 1000)

        for megabytes in [1, 100, 1000]:
            nbytes = megabytes * 1_000_000
            count = runs if megabytes >= 1000 else 7 if megabytes >= 100 else 21
            samples = []
            for _ in range(count):
                done, inner = make_array_on_b.remote(nbytes)
                ray.get(done)
                begin = time.perf_counter()
                array = ray.get(inner)
                elapsed = time.perf_counter() - begin
                assert array.size == nbytes and array[-1] == 1
                samples.append(elapsed * 1000)
                del array, inner, done
            name = f"cross-node get of a {'1,000' if megabytes == 1000 else megabytes} MB array"
            record_median(name, samples, "ms")
            if megabytes >= 100:
                record_median(name + ", bandwidth", [nbytes / (s / 1000) / 1e9 for s in samples], "GB/s")

        times, shares = [], []
        for _ in range(runs):
            begin = time.perf_counter()
            nodes = ray.get([sleep_and_tell_node.remote(10) for _ in range(200)])
            times.append((time.perf_counter() - begin) * 1000)
            counts = Counter(nodes)
            shares.append(max(counts.values()) / len(nodes) * 100)
            print("  200 tasks:", ", ".join(f"{'head' if n == here else 'B'}: {c}" for n, c in sorted(counts.items())), flush=True)
        record_median("200 tasks of 10 ms over two one-CPU nodes", times, "ms")
        record_median("200 tasks of 10 ms over two one-CPU nodes, busier node's share", shares, "%")

        actor = RemoteNodeActor.remote()
        assert ray.get(actor.node_id.remote()) != here
        record_timeit("cross-node actor calls sync", lambda: ray.get(actor.small_value.remote()))
        record_timeit("cross-node actor calls async", lambda: ray.get([actor.small_value.remote() for _ in range(1000)]), 1000)
    finally:
        ray.shutdown()
        cluster.shutdown()

    with open(args.json, "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
