#!/usr/bin/env python3
"""Reference values for benchcmp's statistics tests, computed independently of the Rust code.

Writes src/stats/reference.rs. Needs numpy, scipy and statsmodels (pip install numpy scipy
statsmodels). Values recorded with numpy 2.4.6, scipy 1.17.1, statsmodels 0.15.0.

  python3 scripts/reference_values.py > src/stats/reference.rs

- Newey-West long-run variance with Bartlett weights: statsmodels' HAC covariance of an
  intercept-only OLS (use_correction=False), times n.
- Prewhitened estimate, ratio interval and CUSUM split: re-implemented here in numpy from
  the formulas (Andrews 1991 AR(1) plug-in bandwidth, Andrews & Monahan 1992 prewhitening,
  delta method on the log ratio, Welch-Satterthwaite df), t quantiles from scipy.
"""
import numpy as np
import scipy.stats
import statsmodels.api as sm

MAX_RHO = 0.97


def ar1(rng, n, phi, mean, sd):
    e = rng.standard_normal(n)
    x = np.empty(n)
    x[0] = e[0] / np.sqrt(1 - phi * phi)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + e[t]
    return mean + sd * np.sqrt(1 - phi * phi) * x


def acov(d, lag):
    n = len(d)
    return float(np.dot(d[lag:], d[: n - lag]) / n)


def nw(d, lags):
    v = acov(d, 0)
    for j in range(1, min(lags, len(d) - 1) + 1):
        v += 2 * (1 - j / (lags + 1)) * acov(d, j)
    return v


def andrews_lags(rho, n):
    rho = min(max(rho, -MAX_RHO), MAX_RHO)
    alpha = 4 * rho**2 / ((1 - rho) ** 2 * (1 + rho) ** 2)
    return min(int(np.floor(1.1447 * (alpha * n) ** (1 / 3))), n - 1)


def prewhitened(x):
    x = np.asarray(x, float)
    n = len(x)
    m = x.mean()
    d = x - m
    var = acov(d, 0)
    rho = min(max(acov(d, 1) / var, -MAX_RHO), MAX_RHO)
    e = d[1:] - rho * d[:-1]
    lags = andrews_lags(acov(e, 1) / acov(e, 0), len(e))
    lrv = nw(e, lags) / (1 - rho) ** 2
    n_eff = min(n * var / lrv, n)
    return dict(mean=m, variance=var, rho=rho, lags=lags, lrv=lrv, n_eff=n_eff, n=n)


def ratio(b, c, conf):
    vb = b["lrv"] / b["n"] / b["mean"] ** 2
    vc = c["lrv"] / c["n"] / c["mean"] ** 2
    v = vb + vc
    df = v**2 / (vb**2 / (b["n_eff"] - 1) + vc**2 / (c["n_eff"] - 1))
    t = scipy.stats.t.ppf(1 - (1 - conf) / 2, df)
    lr = np.log(c["mean"] / b["mean"])
    se = np.sqrt(v)
    return dict(ratio=np.exp(lr), se_log=se, df=df, low=np.exp(lr - t * se), high=np.exp(lr + t * se))


def best_split(x, min_seg):
    x = np.asarray(x, float)
    n = len(x)
    cs = np.cumsum(x - x.mean())
    ks = np.arange(1, n + 1)
    ok = (ks >= min_seg) & (ks <= n - min_seg)
    k = int(ks[ok][np.argmax(np.abs(cs[ok]))])
    s = abs(cs[k - 1])
    res = np.concatenate([x[:k] - x[:k].mean(), x[k:] - x[k:].mean()])
    lrv = prewhitened(res)["lrv"]
    return k, s / np.sqrt(n * lrv)


def arr(name, xs):
    body = ", ".join(repr(float(v)) for v in xs)
    return f"pub const {name}: [f64; {len(xs)}] = [{body}];"


rng = np.random.default_rng(42)
x = ar1(rng, 200, 0.8, 10.0, 1.0)
lines = [
    "//! Reference values for the statistics tests, written by scripts/reference_values.py",
    "//! (numpy 2.4.6, scipy 1.17.1, statsmodels 0.15.0). Do not edit by hand.",
    "#![allow(clippy::all)]",
    "",
    arr("AR1_PHI08_N200", x),
]
d = x - x.mean()
hac = []
for lags in [0, 1, 3, 5, 10]:
    fit = sm.OLS(x, np.ones(len(x))).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": False})
    hac.append((lags, float(fit.cov_params()[0, 0]) * len(x)))
lines.append("pub const HAC_LRV_BY_LAGS: [(usize, f64); %d] = [%s];" % (len(hac), ", ".join(f"({l}, {v!r})" for l, v in hac)))
p = prewhitened(x)
lines.append(
    "pub struct Prewhitened { pub mean: f64, pub variance: f64, pub rho: f64, pub lags: usize, pub lrv: f64 }\n"
    f"pub const PREWHITENED: Prewhitened = Prewhitened {{ mean: {float(p['mean'])!r}, variance: {float(p['variance'])!r}, "
    f"rho: {float(p['rho'])!r}, lags: {p['lags']}, lrv: {float(p['lrv'])!r} }};"
)
tq = [(c, df, float(scipy.stats.t.ppf(1 - (1 - c) / 2, df))) for c, df in [(0.95, 5.0), (0.95, 30.0), (0.9, 12.5), (0.99, 100.0), (0.95, 1.0)]]
lines.append("pub const T_QUANTILES: [(f64, f64, f64); %d] = [%s];" % (len(tq), ", ".join(f"({c!r}, {df!r}, {v!r})" for c, df, v in tq)))
b = ar1(rng, 300, 0.9, 100.0, 5.0)
c = ar1(rng, 300, 0.9, 95.0, 5.0)
lines.append(arr("RATIO_BASELINE", b))
lines.append(arr("RATIO_CANDIDATE", c))
r = ratio(prewhitened(b), prewhitened(c), 0.95)
lines.append(
    "pub struct Ratio { pub ratio: f64, pub se_log: f64, pub df: f64, pub low: f64, pub high: f64 }\n"
    f"pub const RATIO_RESULT: Ratio = Ratio {{ ratio: {float(r['ratio'])!r}, se_log: {float(r['se_log'])!r}, df: {float(r['df'])!r}, "
    f"low: {float(r['low'])!r}, high: {float(r['high'])!r} }};"
)
s = ar1(rng, 240, 0.5, 100.0, 4.0)
s[150:] *= 0.8
lines.append(arr("SHIFT_SERIES", s))
k, stat = best_split(s, 10)
lines.append(f"pub const SHIFT_BEST: (usize, f64) = ({k}, {float(stat)!r});")
# Exact count inference: binomial tails (scipy) and Clopper-Pearson intervals (statsmodels).
from statsmodels.stats.proportion import proportion_confint

tails = [(k, n, p, float(scipy.stats.binom.sf(k - 1, n, p))) for k, n, p in [(6, 6, 0.5), (3, 10, 0.2), (1, 1, 0.523), (40, 100, 0.3), (7, 9, 0.61)]]
lines.append("pub const BINOMIAL_UPPER_TAILS: &[(u64, u64, f64, f64)] = &[%s];" % ", ".join(f"({k}, {n}, {p!r}, {v!r})" for k, n, p, v in tails))
cp = []
for k, n, conf in [(0, 10, 0.95), (3, 10, 0.95), (10, 10, 0.95), (20, 30, 0.9), (1, 200, 0.99)]:
    lo, hi = proportion_confint(k, n, alpha=1 - conf, method="beta")
    cp.append((k, n, conf, float(lo), float(hi)))
lines.append("pub const CLOPPER_PEARSON: &[(u64, u64, f64, f64, f64)] = &[%s];" % ", ".join(f"({k}, {n}, {c!r}, {lo!r}, {hi!r})" for k, n, c, lo, hi in cp))
print("\n".join(lines))
