#!/usr/bin/env python3
"""The Prometheus floor of a comparison: how long the server needs for every query benchcmp
sent, all sent at once, and each query alone.

    scripts/prom_floor.py PROMETHEUS_URL REPORT.json [ROUNDS]

REPORT.json is benchcmp's JSON report of the comparison; its metrics carry the rendered
queries of both runs and its runs the window and step. A metric derived from a
`[[histogram]]` shows its PromQL equivalent (`histogram_quantile(q, <buckets>)`,
`(<sum>)\n/\n(<count>)`); benchcmp sends the parts instead, once per run however many
metrics share them, and so does this script. Count metrics (kind "count") are fetched
with `query_range` like the others. Prints medians over ROUNDS (default 5) after one
warm-up round. Standard library only.
"""

import re

import concurrent.futures
import json
import statistics
import sys
import time
import urllib.parse
import urllib.request


QUANTILE = re.compile(r"^histogram_quantile\(([0-9.]+), (.*)\)$", re.S)


def sent(query):
    """The queries benchcmp sends for a metric whose (equivalent) PromQL is `query`."""
    quantile = QUANTILE.match(query)
    if quantile:
        return [quantile.group(2)]
    if query.startswith("(") and query.endswith(")") and ")\n/\n(" in query:
        return query[1:-1].split(")\n/\n(")
    return [query]


def requests_of(report):
    runs = {"baseline": report["baseline"], "candidate": report["candidate"]}
    seen = set()
    for metric in report["metrics"]:
        for side, query in (metric.get("queries") or {}).items():
            run = runs[side]
            for part in sent(query):
                if (side, part) in seen:
                    continue
                seen.add((side, part))
                yield metric["id"], side, {
                    "query": part,
                    "start": run["start"],
                    "end": run["end"],
                    "step": run["step"],
                }


def fetch(url, form):
    data = urllib.parse.urlencode(form).encode()
    began = time.perf_counter()
    with urllib.request.urlopen(url + "/api/v1/query_range", data=data, timeout=300) as resp:
        body = resp.read()
    elapsed = time.perf_counter() - began
    if json.loads(body).get("status") != "success":
        raise SystemExit(f"query failed: {form['query']!r}")
    return elapsed


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    url, report_path = sys.argv[1].rstrip("/"), sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    with open(report_path) as f:
        report = json.load(f)
    reqs = list(requests_of(report))

    def all_at_once():
        with concurrent.futures.ThreadPoolExecutor(len(reqs)) as pool:
            began = time.perf_counter()
            list(pool.map(lambda r: fetch(url, r[2]), reqs))
            return time.perf_counter() - began

    all_at_once()
    together = statistics.median(all_at_once() for _ in range(rounds))
    alone = {}
    for metric, side, form in reqs:
        alone.setdefault(metric, []).append(
            statistics.median(fetch(url, form) for _ in range(rounds))
        )
    print(f"Prometheus floor: {len(reqs)} queries sent at once: {together:.3f} s "
          f"(median of {rounds})")
    print(f"sum of the queries alone: {sum(sum(v) for v in alone.values()):.3f} s")
    print("each metric alone (both runs, s):")
    for metric, times in sorted(alone.items(), key=lambda kv: -sum(kv[1])):
        print(f"  {metric:<16} {sum(times):.3f}")


if __name__ == "__main__":
    main()
