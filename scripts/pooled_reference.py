# Reference values for src/stats/pooled.rs: random effects (Paule-Mandel tau^2, statsmodels'
# method_re="iterated") with the Hartung-Knapp-Sidik-Jonkman variance of the pooled mean.
import numpy as np
from statsmodels.stats.meta_analysis import combine_effects
cases = {
 "spread": ([100.0, 104.0, 97.0, 101.5, 99.0], [1.0, 1.5, 0.8, 1.2, 1.1]),
 "homogeneous": ([100.0, 100.2, 99.9], [4.0, 4.0, 4.0]),
 "two": ([150.0, 141.0], [2.0, 3.0]),
}
for name,(m,v) in cases.items():
    r = combine_effects(np.array(m), np.array(v), method_re="iterated", use_t=True)
    print(name, "tau2=%.12g mu=%.12g var_re=%.12g scale_hksj=%.12g var_hksj=%.12g" % (r.tau2, r.mean_effect_re, r.var_eff_w_re, r.scale_hksj_re, r.var_hksj_re))
