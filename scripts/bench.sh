#!/usr/bin/env bash
# Prints speed and memory numbers of the release binary (no assertions):
#  1. the example comparison on the shipped snapshots: table only, and with every report;
#  2. a large comparison: two 24 h runs at a 5 s step (17,281 points per series, 14
#     metrics, ~2.4·10^5 points in all), generated here as snapshots;
#  3. a week: two 7-day runs at a 15 s step (40,321 points per series), table only and with
#     every report and chart.
# Needs hyperfine (apt-get install hyperfine); peak memory comes from /usr/bin/time if present.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="$PWD/target/release/benchcmp"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 - "$work" <<'PY'
import json, math, random, sys
out = sys.argv[1]
base = json.load(open("baselines/weekly.json"))
def run(name, start, seed, level, step=5, duration=86400):
    rnd = random.Random(seed)
    snap = {"format": "benchcmp.snapshot.v1",
            "run": {"name": name, "vars": base["run"]["vars"], "start": start, "end": None, "step": f"{step}s"},
            "metrics": {}}
    t0 = int(__import__("datetime").datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=__import__("datetime").timezone.utc).timestamp())
    n = duration // step + 1
    snap["run"]["end"] = __import__("datetime").datetime.utcfromtimestamp(t0 + duration).strftime("%Y-%m-%dT%H:%M:%SZ")
    for metric, m in base["metrics"].items():
        x, values = 0.0, []
        for i in range(n):
            x = 0.95 * x + math.sqrt(1 - 0.95 ** 2) * rnd.gauss(0, 1)
            values.append([t0 + step * i, repr(max(0.0, level * (1 + 0.05 * x)))])
        snap["metrics"][metric] = {"query": m["query"], "data": {"resultType": "matrix", "result": [{"metric": {}, "values": values}]}}
    json.dump(snap, open(f"{out}/{name}.json", "w"))
run("big-a", "2025-06-27T08:00:00Z", 1, 100.0)
run("big-b", "2025-06-28T08:00:00Z", 2, 97.0)
run("week-a", "2025-06-27T08:00:00Z", 3, 100.0, step=15, duration=7 * 86400)
run("week-b", "2025-07-04T08:00:00Z", 4, 97.0, step=15, duration=7 * 86400)
PY
ls -la "$work"/*.json | awk '{print $5, $9}'

echo "== example comparison (shipped snapshots, 2 × 14 series of 481 points)"
hyperfine -N -w 3 -r 20 \
  "$bin --baseline weekly --candidate rest-run --quiet" \
  "$bin --baseline weekly --candidate rest-run --quiet --charts $work/charts --markdown $work/r.md --junit $work/j.xml --json $work/r.json --export $work/csv" \
  -i 2>&1 | grep -E "Benchmark|Time|Range"

# Times a pair of snapshots, table only and with the outputs in $4, and prints the peak
# memory of the second: bench_pair LABEL RUNS BASELINE CANDIDATE OUTPUTS
bench_pair() {
  echo "== $1"
  hyperfine -N -w 1 -r "$2" -i \
    "$bin --baseline $3 --candidate $4 --quiet" \
    "$bin --baseline $3 --candidate $4 --quiet $5" \
    2>&1 | grep -E "Benchmark|Time|Range"
  if [ -x /usr/bin/time ]; then
    # shellcheck disable=SC2086
    /usr/bin/time -f "peak memory, $1, with those outputs: %M KiB" \
      "$bin" --baseline "$3" --candidate "$4" --quiet $5 >/dev/null || true
  fi
}

bench_pair "large comparison (2 × 24 h at 5 s, 14 metrics)" 5 \
  "$work/big-a.json" "$work/big-b.json" "--charts $work/big-charts"
bench_pair "a week (2 × 7 d at 15 s, 14 metrics)" 3 \
  "$work/week-a.json" "$work/week-b.json" \
  "--charts $work/week-charts --markdown $work/w.md --junit $work/w.xml --json $work/w.json --export $work/week-csv"
