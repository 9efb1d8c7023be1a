#!/usr/bin/env bash
# Prints speed and memory numbers of the release binary (no assertions):
#  1. the example comparison on the shipped snapshots: table only, and with every report;
#  2. a large comparison: two 24 h runs at a 5 s step (17,281 points per series, 14
#     metrics, ~2.4·10^5 points in all), generated here as snapshots;
#  3. a week: two 7-day runs at a 15 s step (40,321 points per series), table only and with
#     every report and chart;
#  4. against a real Prometheus (needs `prometheus` and `promtool`; skipped without them):
#     the large set, two 24 h runs scraped every 15 s from 3 brokers × 9 partitions with 10
#     worker and 10 starter pods, and the medium set, two 2 h runs with 3 partitions and 4
#     worker pods, both made by the project's generator (`--example bench-data`) and
#     backfilled with promtool. Prints end-to-end time with and without reports and charts,
#     the same comparison on snapshots recorded from that server (benchcmp's own work; the
#     rest is fetching), its share of the end-to-end time, the CPU Prometheus and benchcmp
#     use per comparison against the cores' time, peak memory, and the Prometheus floor:
#     every query of the comparison sent at once (scripts/prom_floor.py).
# Needs hyperfine (apt-get install hyperfine); peak memory comes from /usr/bin/time if present.
#  5. watch: the cost of one poll (judging every gated metric of a 4 h run).
# `scripts/bench.sh snapshots` runs 1–3 and 5 only, `scripts/bench.sh prometheus` 4 only.
set -euo pipefail
what="${1:-all}"
cd "$(dirname "$0")/.."
cargo build --release --quiet
cargo build --release --quiet --example bench-data
# BENCHCMP_BIN: another build to measure (e.g. an older commit's, to compare).
bin="${BENCHCMP_BIN:-$PWD/target/release/benchcmp}"
work="$(mktemp -d)"
# Reports, charts and CSV go to a RAM disk where there is one: the numbers are then
# benchcmp's work and not the disk's (a week's 86 MB CSV on this machine's disk varied
# the time by ±0.1 s from run to run).
out="$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)"
trap 'rm -rf "$work" "$out"' EXIT

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

# 1–3: snapshots generated here.
bench_snapshots() {
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
    "$bin --baseline weekly --candidate rest-run --quiet --charts $out/charts --markdown $out/r.md --junit $out/j.xml --json $out/r.json --export $out/csv" \
    -i 2>&1 | grep -E "Benchmark|Time|Range"

  bench_pair "large comparison (2 × 24 h at 5 s, 14 metrics)" 5 \
    "$work/big-a.json" "$work/big-b.json" "--charts $out/big-charts"
  bench_pair "a week (2 × 7 d at 15 s, 14 metrics)" 3 \
    "$work/week-a.json" "$work/week-b.json" \
    "--charts $out/week-charts --markdown $out/w.md --junit $out/w.xml --json $out/w.json --export $out/week-csv"
}

# A real Prometheus: bench_prometheus LABEL BENCH-DATA-ARGS...
bench_prometheus() {
  local label="$1"
  shift
  local dir="$work/prom-$RANDOM"
  mkdir -p "$dir/blocks"
  target/release/examples/bench-data "$dir" "$@"
  for run in base cand; do
    promtool tsdb create-blocks-from openmetrics --max-block-duration=24h \
      "$dir/$run.om" "$dir/blocks" >/dev/null
    rm "$dir/$run.om"
  done
  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  printf 'global:\n  scrape_interval: 15s\nscrape_configs: []\n' >"$dir/prometheus.yml"
  prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/blocks" \
    --storage.tsdb.retention.time=3650d --web.listen-address="127.0.0.1:$port" \
    >"$dir/prometheus.log" 2>&1 &
  local server=$!
  local url="http://127.0.0.1:$port"
  until curl -sf "$url/-/ready" >/dev/null; do sleep 0.5; done
  local common="--config $dir/benchcmp.toml --prometheus $url --baseline bench-base --candidate bench-cand --quiet"
  local o="$out/${dir##*/}"
  local outputs="--charts $o/charts --markdown $o/r.md --junit $o/j.xml --json $o/r.json --export $o/csv"
  # shellcheck disable=SC2086
  $bin $common --json "$dir/report.json" >/dev/null || true
  for run in bench-base bench-cand; do
    $bin record "$run" --config "$dir/benchcmp.toml" --prometheus "$url" --quiet \
      -o "$dir/$run.json"
  done
  echo "== $label: end to end against Prometheus, and the same comparison on snapshots"
  hyperfine -N -w 1 -r 5 -i \
    "$bin $common" \
    "$bin $common $outputs" \
    "$bin --baseline $dir/bench-base.json --candidate $dir/bench-cand.json --quiet" \
    "$bin --baseline $dir/bench-base.json --candidate $dir/bench-cand.json --quiet $outputs" \
    --export-json "$dir/times.json" 2>&1 | grep -E "Benchmark|Time|Range"
  python3 - "$dir/times.json" <<'PY'
import json, sys
r = [x["median"] for x in json.load(open(sys.argv[1]))["results"]]
print(f"benchcmp's own share of end to end: table only {r[2] / r[0]:.1%}, "
      f"with every report and chart {r[3] / r[1]:.1%} (snapshot time / Prometheus time, medians)")
print(f"fetch time (end to end minus the same comparison on snapshots, table only): {r[0] - r[2]:.3f} s; "
      f"what the reports and charts add end to end: {r[1] - r[0]:.3f} s")
PY
  # Who uses the two cores during a comparison with every output: Prometheus (from its
  # /proc stat) and benchcmp (its children's times), against the wall time.
  local ticks
  ticks="$(getconf CLK_TCK)"
  # shellcheck disable=SC2086
  python3 - "$server" "$ticks" "$bin" $common $outputs <<'PY'
import os, resource, subprocess, sys, time
pid, ticks, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def server_cpu():
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks
rounds = 5
before, own, start = server_cpu(), resource.getrusage(resource.RUSAGE_CHILDREN), time.time()
for _ in range(rounds):
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall, after = (time.time() - start) / rounds, resource.getrusage(resource.RUSAGE_CHILDREN)
prom = (server_cpu() - before) / rounds
mine = (after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime) / rounds
cores = os.cpu_count()
print(f"CPU per comparison with every output: Prometheus {prom:.3f} s, benchcmp {mine:.3f} s, "
      f"in {wall:.3f} s on {cores} cores ({(prom + mine) / (wall * cores):.0%} busy)")
PY
  if [ -x /usr/bin/time ]; then
    # shellcheck disable=SC2086
    /usr/bin/time -f "peak memory, $label, with every output: %M KiB" \
      $bin $common $outputs >/dev/null || true
  fi
  python3 scripts/prom_floor.py "$url" "$dir/report.json" 5
  # The goals' measure: end to end against the floor, in turns.
  # shellcheck disable=SC2086
  python3 scripts/own_share.py "$url" "$dir/report.json" 9 "$label, table only" -- $bin $common
  # shellcheck disable=SC2086
  python3 scripts/own_share.py "$url" "$dir/report.json" 9 "$label, every report and chart" -- $bin $common $outputs
  kill "$server"
  wait "$server" 2>/dev/null || true
}

# 5. watch: the cost of one poll with the default pack, judging every gated metric of a
# 4 h run at a 30 s step (the weekly run as baseline, another week's replayed as the
# candidate, looked at after every sample and watched to the end of its window).
bench_watch() {
  echo "== watch: cost per poll, default pack, 4 h at 30 s, a poll per sample"
  local lines="$work/watch.jsonl"
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "whole watch (setup, every poll, the final reports): %U s user, %S s system, %M KiB peak" \
      "$bin" watch --baseline weekly --replay baselines/weekly-cw24.json --speed 20000 --every 30s \
      --min-duration 5h --json-lines "$lines" --quiet || true
  else
    "$bin" watch --baseline weekly --replay baselines/weekly-cw24.json --speed 20000 --every 30s \
      --min-duration 5h --json-lines "$lines" --quiet || true
  fi
  python3 - "$lines" <<'PY'
import json, statistics, sys
records = [json.loads(line) for line in open(sys.argv[1])]
ms = [r["judging_ms"] for r in records]
print(f"{len(records)} polls: judging per poll median {statistics.median(ms):.2f} ms, "
      f"at 4 h {ms[-1]:.2f} ms, largest {max(ms):.2f} ms")
PY
}

if [ "$what" != prometheus ]; then
  bench_snapshots
  bench_watch
fi
if [ "$what" = snapshots ]; then
  :
elif command -v prometheus >/dev/null && command -v promtool >/dev/null; then
  bench_prometheus "large set (2 × 24 h at 15 s, 3 brokers × 9 partitions, 10 workers, 10 starters)" \
    --hours 24 --scrape 15 --brokers 3 --partitions 9 --workers 10 --starters 10
  bench_prometheus "medium set (2 × 2 h at 15 s, 3 brokers × 3 partitions, 4 workers)" \
    --hours 2 --scrape 15 --brokers 3 --partitions 3 --workers 4 --starters 1
else
  echo "== Prometheus benchmarks skipped: prometheus and promtool not found"
fi
