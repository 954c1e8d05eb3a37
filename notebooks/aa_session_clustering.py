#!/usr/bin/env python3
"""A/A false-positive rate of a rank test on page views when views of one session share a latency
factor (docs/DISCUSSION.md, "Issue 16 audit, 2026-12-03", finding on item 6).

Each simulated session gets one network factor and one device factor with the shipped generator's
shares (flink-conf/generator.yaml) and factors (SessionFactory: wifi and 5g 1, 4g 1.15, 3g 2, 2g 4,
slow-2g 6; desktop 1, tablet 1.2, mobile 1.35; as if every browser reported its network), 1 +
Poisson(3) views, each a lognormal load time times the session's factors. Two arms are drawn from the same distribution
(A/A), so any "significant" difference is a false positive. Compared: Mann-Whitney on every view
(what rum-comparisons does today) and on one value per session (the session's median).

    python3 notebooks/aa_session_clustering.py [runs] [sessions-per-arm]

Result on 2026-12-03 (400 runs, 2,500 sessions per arm, seed 1): 0.125 on views, 0.068 on sessions
(standard error of each rate about 0.011).
Needs numpy and scipy.
"""
import sys

import numpy as np
from scipy.stats import mannwhitneyu

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 400
SESSIONS = int(sys.argv[2]) if len(sys.argv) > 2 else 2500
rng = np.random.default_rng(1)
NET = np.array([1.0, 1.15, 1.0, 2, 4, 6])  # wifi, 4g, 5g, 3g, 2g, slow-2g
NET_P = np.array([0.55, 0.30, 0.06, 0.06, 0.02, 0.01])


def arm(sessions):
    factor = rng.choice(NET, size=sessions, p=NET_P) * rng.choice(
        [1.0, 1.2, 1.35], size=sessions, p=[0.42, 0.05, 0.53])
    views_per_session = rng.poisson(3, size=sessions) + 1
    views, medians = [], []
    for f, m in zip(factor, views_per_session):
        v = f * rng.lognormal(np.log(1500), 0.5, size=m)
        views.append(v)
        medians.append(np.median(v))
    return np.concatenate(views), np.array(medians)


false_views = false_sessions = 0
for _ in range(RUNS):
    a, a_sessions = arm(SESSIONS)
    b, b_sessions = arm(SESSIONS)
    false_views += mannwhitneyu(a, b).pvalue < 0.05
    false_sessions += mannwhitneyu(a_sessions, b_sessions).pvalue < 0.05
print(f"A/A false-positive rate at alpha 0.05 over {RUNS} runs: "
      f"per-view test {false_views / RUNS:.3f}, per-session test {false_sessions / RUNS:.3f}")
