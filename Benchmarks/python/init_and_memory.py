"""Measures Python Ray the way ray-microbenchmark measures Ray for Swift: program start to the
first task result, shutdown time, and the resident memory of the idle local cluster (the driver
and every process it started). Writes JSON in the same shape as `ray-microbenchmark --json`."""
import json
import statistics
import subprocess
import sys
import time

import psutil

PROBE = r"""
import sys, time, ray
ray.init()
@ray.remote
def small_value():
    return b"ok"
ray.get(small_value.remote())
print("first-result", flush=True)
start = time.perf_counter()
ray.shutdown()
print("shutdown", time.perf_counter() - start, flush=True)
"""


def cold_start(runs):
    starts, shutdowns = [], []
    for _ in range(runs):
        begin = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-c", PROBE], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for line in child.stdout:
            if line.startswith("first-result"):
                starts.append((time.perf_counter() - begin) * 1000)
            elif line.startswith("shutdown"):
                shutdowns.append(float(line.split()[1]) * 1000)
        child.wait()
    return starts, shutdowns


def idle_memory():
    import ray

    start = time.perf_counter()
    ray.init()
    init_ms = (time.perf_counter() - start) * 1000
    time.sleep(5)
    me = psutil.Process()
    processes = [me] + me.children(recursive=True)
    rss = 0
    for process in processes:
        try:
            rss += process.memory_info().rss
        except psutil.Error:
            pass
    ray.shutdown()
    return init_ms, rss / 1048576, len(processes)


def result(name, samples, unit):
    return {"name": name, "value": statistics.mean(samples), "spread": statistics.pstdev(samples), "unit": unit}


def main():
    path = sys.argv[sys.argv.index("--json") + 1]
    starts, shutdowns = cold_start(3)
    init_ms, rss_mib, count = idle_memory()
    results = [
        result("cold start (program start to first task result)", starts, "ms"),
        result("shutdown time", shutdowns, "ms"),
        result("ray.init() / Ray.start()", [init_ms], "ms"),
        result(f"idle cluster memory (RSS of {count} processes)", [rss_mib], "MiB"),
    ]
    with open(path, "w") as f:
        json.dump(results, f, indent=2)
    for r in results:
        print(r["name"], r["unit"], round(r["value"], 3), "+-", round(r["spread"], 3))


if __name__ == "__main__":
    main()
