#!/usr/bin/env python3
"""benchcmp's own share of an end-to-end comparison against Prometheus: the comparison and
the Prometheus floor (every query it sends, all sent at once, by scripts/prom_floor.py)
run in turns, ROUNDS of each after one warm-up of each, so that both see the same state of
the machine; own share = (end to end − floor) / end to end, from the medians.

    scripts/own_share.py PROMETHEUS_URL REPORT.json ROUNDS LABEL -- COMMAND...

REPORT.json is benchcmp's JSON report of the same comparison (for its queries).
"""

import concurrent.futures
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from prom_floor import fetch, requests_of  # noqa: E402


def main():
    split = sys.argv.index("--")
    url, report_path, rounds, label = sys.argv[1:split]
    command = sys.argv[split + 1:]
    url, rounds = url.rstrip("/"), int(rounds)
    with open(report_path) as f:
        reqs = list(requests_of(json.load(f)))

    def floor():
        with concurrent.futures.ThreadPoolExecutor(len(reqs)) as pool:
            began = time.perf_counter()
            list(pool.map(lambda r: fetch(url, r[2]), reqs))
            return time.perf_counter() - began

    def end_to_end():
        began = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - began

    floor(), end_to_end()
    floors, ends = [], []
    for _ in range(rounds):
        floors.append(floor())
        ends.append(end_to_end())
    f, e = statistics.median(floors), statistics.median(ends)
    print(f"{label}: end to end {e:.3f} s, floor {f:.3f} s (medians of {rounds}, in turns): "
          f"{e / f:.2f}× the floor, own share {(e - f) / e:.1%}")


if __name__ == "__main__":
    main()
