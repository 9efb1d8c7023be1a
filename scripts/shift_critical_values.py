#!/usr/bin/env python3
"""Critical values of benchcmp's level-shift statistic, by simulation.

The statistic is the weighted CUSUM  max_{m <= k <= n-m} |S_k - (k/n) S_n| / sqrt(k (n-k) / n)
of a series with unit long-run variance, with segments of at least m = 5 samples. Its null
distribution depends on n (more positions, larger maxima). This script simulates it for
independent standard normal samples and prints the 99.9% quantile for a grid of n as Rust
(src/stats/shift_table.rs); benchcmp interpolates in log n and widens the value for the
uncertainty of the estimated long-run variance (Student t with the estimate's degrees of
freedom). Needs numpy and numba; deterministic (seed 20251127).

    python3 scripts/shift_critical_values.py > src/stats/shift_table.rs
"""
import numpy as np
import numba

MIN_SEGMENT = 5
LEVEL = 0.999
REPS = 200_000
GRID = [10, 14, 20, 28, 40, 56, 80, 113, 160, 226, 320, 453, 640, 905, 1280, 1810, 2560, 3620, 5120, 7240, 10240, 14480, 20480, 40960]


@numba.njit(cache=True)
def sup_stat(x, m):
    n = x.shape[0]
    total = x.sum()
    s = 0.0
    best = 0.0
    for i in range(n - m):
        s += x[i]
        k = i + 1
        if k < m:
            continue
        w = np.sqrt(k * (n - k) / n)
        v = abs(s - k / n * total) / w
        if v > best:
            best = v
    return best


@numba.njit(cache=True)
def simulate(n, reps, m, seed):
    np.random.seed(seed)
    out = np.empty(reps)
    for r in range(reps):
        out[r] = sup_stat(np.random.standard_normal(n), m)
    return out


rows = []
for i, n in enumerate(GRID):
    reps = REPS if n <= 5120 else REPS // 4
    q = float(np.quantile(simulate(n, reps, MIN_SEGMENT, 20251127 + i), LEVEL))
    rows.append((n, q))
print("//! Critical values of the weighted CUSUM shift statistic (99.9% quantile under no shift,")
print("//! unit long-run variance, segments of at least 5 samples), written by")
print("//! scripts/shift_critical_values.py (numpy %s, numba %s; %d replicates per n, a quarter" % (np.__version__, numba.__version__, REPS))
print("//! of that above n = 5120). Do not edit by hand.")
print("")
print("/// `(n, 99.9% quantile)`, n ascending.")
print("pub const QUANTILE_999: [(f64, f64); %d] = [%s];" % (len(rows), ", ".join(f"({n}.0, {q!r})" for n, q in rows)))
