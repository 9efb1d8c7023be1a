#!/usr/bin/env python3
"""Reference values for benchcmp's statistics tests, computed independently of the Rust code.

Writes src/stats/reference.rs. Needs numpy, scipy and statsmodels (pip install numpy scipy
statsmodels). Values recorded with numpy 2.4.6, scipy 1.17.1, statsmodels 0.15.0.

  python3 scripts/reference_values.py > src/stats/reference.rs

- Autoregressive coefficients: statsmodels' AutoReg (OLS, no trend) on the centred series.
- The long-run variance (AR(p) by BIC, bias-corrected persistence, delta-method degrees of
  freedom), the ratio interval, the weighted CUSUM split and the trend's standard error:
  re-implemented here in numpy from the formulas; slopes from numpy.polyfit, periodogram
  ordinates from numpy.fft, t quantiles from scipy.
- Exact count inference: binomial tails from scipy, Clopper-Pearson intervals from
  statsmodels.
"""
import numpy as np
import scipy.stats

MAX_PERSISTENCE = 0.995


def ar1(rng, n, phi, mean, sd):
    e = rng.standard_normal(n)
    x = np.empty(n)
    x[0] = e[0] / np.sqrt(1 - phi * phi)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + e[t]
    return mean + sd * np.sqrt(1 - phi * phi) * x


def fit_ar(d, p, frm):
    n = len(d)
    X = np.column_stack([d[frm - k : n - k] for k in range(1, p + 1)])
    y = d[frm:]
    g = X.T @ X
    phi = np.linalg.solve(g, X.T @ y)
    r = y - X @ phi
    s2 = float(r @ r) / len(r)
    var_s = s2 * float(np.linalg.solve(g, np.ones(p)).sum())
    return phi, s2, var_s, r


def select_order(d, max_p):
    m = len(d) - max_p
    return min(range(1, max_p + 1), key=lambda p: m * np.log(fit_ar(d, p, max_p)[1]) + p * np.log(m))


def ar_estimate(d):
    """AR(p) by BIC on a centred series: (order, persistence, df, lrv, lrv_upper, raw)."""
    n = len(d)
    p = select_order(d, min(max(n // 10, 1), 8))
    phi, s2, var_s, r = fit_ar(d, p, p)
    raw = float(phi.sum())
    s = min(raw + (1 + 3 * raw) / n, MAX_PERSISTENCE)
    df = 2 / (2 / max(len(r) - p, 1) + 4 * var_s / (1 - s) ** 2)
    upper = s2 / (1 - s) ** 2
    return p, s, df, upper / (1 + 3 * var_s / (1 - s) ** 2), upper, raw


def longrun(x):
    """The long-run variance of a series without periodic components: the autoregression
    of the samples, or of block means of 2, 4 or 8 when the samples need more than two
    coefficients or sit near a unit root (the most degrees of freedom when none will do)."""
    x = np.asarray(x, float)
    n = len(x)
    mean = x.mean()
    var = float(((x - mean) ** 2).mean())
    d = x - mean
    tried = []
    for k in (1, 2, 4, 8):
        m = n // k
        if k > 1 and m < 30:
            break
        b = d[n - m * k :].reshape(m, k).mean(axis=1)
        b = b - b.mean()
        p, s, df, lrv, upper, raw = ar_estimate(b)
        fit = dict(n=n, mean=mean, variance=var, order=p, block=k, persistence=s, df=df, lrv=k * lrv, lrv_upper=k * upper)
        if p <= 2 and s < 0.95:
            return fit
        tried.append(fit)
    return max(tried, key=lambda f: f["df"])


def ratio(b, c, conf):
    vb = b["lrv"] / b["n"] / b["mean"] ** 2
    vc = c["lrv"] / c["n"] / c["mean"] ** 2
    v = vb + vc
    df = v**2 / (vb**2 / b["df"] + vc**2 / c["df"])
    t = scipy.stats.t.ppf(1 - (1 - conf) / 2, df)
    lr = np.log(c["mean"] / b["mean"])
    se = np.sqrt(v)
    return dict(ratio=np.exp(lr), se_log=se, df=df, low=np.exp(lr - t * se), high=np.exp(lr + t * se))


def best_split(x, min_seg):
    """The weighted CUSUM split, standardized by the residuals' long-run variance."""
    x = np.asarray(x, float)
    n = len(x)
    cs = np.cumsum(x) - np.arange(1, n + 1) / n * x.sum()
    ks = np.arange(1, n + 1)
    ok = (ks >= min_seg) & (ks <= n - min_seg)
    w = np.sqrt(ks * (n - ks) / n)
    vals = np.where(ok, np.abs(cs) / np.where(ok, w, 1), -1)
    k = int(ks[np.argmax(vals)])
    res = np.concatenate([x[:k] - x[:k].mean(), x[k:] - x[k:].mean()])
    return k, float(vals[k - 1] / np.sqrt(longrun(res)["lrv_upper"]))


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
import statsmodels.tsa.ar_model as arm

for p in (1, 3):
    params = arm.AutoReg(d, lags=p, trend="n").fit().params
    lines.append(arr(f"AUTOREG_P{p}", params))
e = rng.standard_normal(303)
ma3 = 50.0 + (e[3:] + e[2:-1] + e[1:-2] + e[:-3]) / 2
lines.append(arr("MA3_N300", ma3))
lines.append("pub struct LongRunRef { pub order: usize, pub block: usize, pub persistence: f64, pub lrv: f64, pub df: f64 }")
for name, series in [("LONGRUN_AR1", x), ("LONGRUN_MA3", ma3)]:
    lr = longrun(series)
    lines.append(
        f"pub const {name}: LongRunRef = LongRunRef {{ order: {lr['order']}, block: {lr['block']}, persistence: {lr['persistence']!r}, lrv: {lr['lrv']!r}, df: {lr['df']!r} }};"
    )
tq = [(c, df, float(scipy.stats.t.ppf(1 - (1 - c) / 2, df))) for c, df in [(0.95, 5.0), (0.95, 30.0), (0.9, 12.5), (0.99, 100.0), (0.95, 1.0), (0.95, 2.5)]]
lines.append("pub const T_QUANTILES: [(f64, f64, f64); %d] = [%s];" % (len(tq), ", ".join(f"({c!r}, {df!r}, {v!r})" for c, df, v in tq)))
b = ar1(rng, 300, 0.9, 100.0, 5.0)
c = ar1(rng, 300, 0.9, 95.0, 5.0)
lines.append(arr("RATIO_BASELINE", b))
lines.append(arr("RATIO_CANDIDATE", c))
r = ratio(longrun(b), longrun(c), 0.95)
lines.append(
    "pub struct Ratio { pub ratio: f64, pub se_log: f64, pub df: f64, pub low: f64, pub high: f64 }\n"
    f"pub const RATIO_RESULT: Ratio = Ratio {{ ratio: {float(r['ratio'])!r}, se_log: {float(r['se_log'])!r}, df: {float(r['df'])!r}, "
    f"low: {float(r['low'])!r}, high: {float(r['high'])!r} }};"
)
s = ar1(rng, 240, 0.5, 100.0, 4.0)
s[150:] *= 0.8
lines.append(arr("SHIFT_SERIES", s))
k, stat = best_split(s, 5)
lines.append(f"pub const SHIFT_BEST: (usize, f64) = ({k}, {float(stat)!r});")
tr = ar1(rng, 300, 0.7, 200.0, 6.0) + 0.05 * np.arange(300)
lines.append(arr("TREND_SERIES", tr))
tt = np.arange(300) * 30.0
slope, intercept_at_0 = np.polyfit(tt, tr, 1)
resid = tr - (slope * tt + intercept_at_0)
se = np.sqrt(longrun(resid)["lrv"] / ((tt - tt.mean()) ** 2).sum())
lines.append(f"pub const TREND_FIT: (f64, f64, f64) = ({float(slope)!r}, {float(intercept_at_0)!r}, {float(se)!r});")
pg = ar1(rng, 128, 0.3, 0.0, 1.0)
lines.append(arr("PERIODOGRAM_SERIES", pg))
ordinates = np.abs(np.fft.fft(pg)) ** 2 / len(pg)
lines.append(arr("PERIODOGRAM_1_TO_5", ordinates[1:6]))
# Exact count inference: binomial tails (scipy) and Clopper-Pearson intervals (statsmodels).
from statsmodels.stats.proportion import proportion_confint

tails = [(k, n, p, float(scipy.stats.binom.sf(k - 1, n, p))) for k, n, p in [(6, 6, 0.5), (3, 10, 0.2), (1, 1, 0.523), (40, 100, 0.3), (7, 9, 0.61)]]
lines.append("pub const BINOMIAL_UPPER_TAILS: &[(u64, u64, f64, f64)] = &[%s];" % ", ".join(f"({k}, {n}, {p!r}, {v!r})" for k, n, p, v in tails))
cp = []
for k, n, conf in [(0, 10, 0.95), (3, 10, 0.95), (10, 10, 0.95), (20, 30, 0.9), (1, 200, 0.99)]:
    lo, hi = proportion_confint(k, n, alpha=1 - conf, method="beta")
    cp.append((k, n, conf, float(lo), float(hi)))
lines.append("pub const CLOPPER_PEARSON: &[(u64, u64, f64, f64, f64)] = &[%s];" % ", ".join(f"({k}, {n}, {c!r}, {lo!r}, {hi!r})" for k, n, c, lo, hi in cp))
# Sequential: the normal-mixture boundary's mixing parameter that is tightest at V* = 1,
# alpha = 5% (minimising (1 + r) ln((1 + r) / (r alpha^2)) over r).
from scipy.optimize import minimize_scalar


def mixture_objective(log_r, alpha=0.05):
    r = np.exp(log_r)
    return (1 + r) * np.log((1 + r) / (r * alpha * alpha))


best = minimize_scalar(mixture_objective, bounds=(np.log(1e-6), np.log(10)), method="bounded", options={"xatol": 1e-12})
lines.append(f"pub const MIXTURE_RHO_AT_5_PERCENT: f64 = {float(np.exp(best.x))!r};")
print("\n".join(lines))
