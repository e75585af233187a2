#!/usr/bin/env python3
"""Reference values for the Statistics tests, computed with scipy, statsmodels and numpy.

    python3 scripts/vectors/statistics_vectors.py

writes Tests/StatisticsTests/Vectors/*.json. Each file records the library versions that made it.
The Swift tests read these files; they never run Python.
"""
import json
import pathlib

import numpy as np
import scipy
import statsmodels
from scipy import ndimage, stats
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW, ttost_ind, ttost_paired

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "StatisticsTests" / "Vectors"
VERSIONS = {"numpy": np.__version__, "scipy": scipy.__version__, "statsmodels": statsmodels.__version__}


def write(name, payload):
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / name).write_text(json.dumps({"versions": VERSIONS, **payload}, separators=(",", ":")) + "\n")


def student_t():
    dfs = [1, 1.5, 2, 3, 4.7, 5, 10, 29, 30, 100, 250.5, 1000]
    ts = [-1e6, -300, -50, -12, -5, -3, -2, -1, -0.5, -1e-4, 0, 1e-6, 0.3, 1, 1.96, 2.5, 4, 8, 20, 100, 1e4]
    ps = [1e-15, 1e-10, 1e-6, 1e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 0.95, 0.975,
          0.99, 0.999, 1 - 1e-6, 1 - 1e-10]
    cdf = [{"df": df, "t": t, "cdf": float(stats.t.cdf(t, df)), "sf": float(stats.t.sf(t, df))}
           for df in dfs for t in ts]
    quantile = [{"df": df, "p": p, "t": float(stats.t.ppf(p, df))} for df in dfs for p in ps]
    write("student_t.json", {"cdf": cdf, "quantile": quantile})


def tost():
    rng = np.random.default_rng(20241)
    cases = []
    for n1, n2, shift, spread2, low, high in [
        (8, 8, 0.0, 1.0, -0.05, 0.05), (12, 12, 0.01, 1.0, -0.04, 0.06), (25, 25, -0.02, 1.5, -0.1, 0.1),
        (40, 40, 0.05, 0.7, -0.03, 0.03), (5, 5, 0.0, 1.0, -0.2, 0.1), (103, 103, 0.003, 1.2, -0.02, 0.02),
    ]:
        x1 = np.clip(rng.normal(0.8, 0.08, n1), 0, 1)
        x2 = np.clip(x1[:n2] + shift + rng.normal(0, 0.03 * spread2, n2), 0, 1)
        p, lower, upper = ttost_paired(x1, x2, low, upp=high)
        # The 90% (1 - 2 alpha at alpha = 0.05) interval of the mean difference, which lies inside
        # (low, high) exactly when the TOST at 0.05 rejects.
        interval = DescrStatsW(x1 - x2).tconfint_mean(alpha=0.1)
        cases.append({"design": "paired", "first": x1.tolist(), "second": x2.tolist(), "low": low, "high": high,
                      "p": float(p), "lower": [float(v) for v in lower], "upper": [float(v) for v in upper],
                      "interval90": [float(v) for v in interval]})
    for n1, n2, sd1, sd2, shift, low, high in [
        (10, 10, 0.08, 0.08, 0.0, -0.05, 0.05), (15, 22, 0.05, 0.12, 0.02, -0.06, 0.06),
        (6, 30, 0.1, 0.03, -0.01, -0.1, 0.08), (50, 45, 0.07, 0.09, 0.0, -0.02, 0.02),
    ]:
        x1 = rng.normal(0.8, sd1, n1)
        x2 = rng.normal(0.8 + shift, sd2, n2)
        for usevar, design in [("pooled", "pooled"), ("unequal", "welch")]:
            p, lower, upper = ttost_ind(x1, x2, low, high, usevar=usevar)
            interval = CompareMeans(DescrStatsW(x1), DescrStatsW(x2)).tconfint_diff(alpha=0.1, usevar=usevar)
            # statsmodels returns (t, p, df) for each one-sided test.
            cases.append({"design": design, "first": x1.tolist(), "second": x2.tolist(), "low": low,
                          "high": high, "p": float(p), "lower": [float(v) for v in lower],
                          "upper": [float(v) for v in upper], "interval90": [float(v) for v in interval]})
    write("tost.json", {"cases": cases})


def mean_intervals():
    # Per-repetition outcomes (data shares, normalised areas): the 95% t-interval of their mean.
    rng = np.random.default_rng(11)
    cases = []
    for n, level in [(2, 0.95), (3, 0.95), (4, 0.95), (5, 0.95), (10, 0.95), (30, 0.95), (5, 0.9), (8, 0.99)]:
        x = rng.uniform(0.2, 0.7, n)
        low, high = stats.t.interval(level, n - 1, loc=np.mean(x), scale=stats.sem(x))
        cases.append({"values": x.tolist(), "level": level, "mean": float(np.mean(x)),
                      "lower": float(low), "upper": float(high)})
    write("mean_intervals.json", {"cases": cases})


def surface(mask):
    # Foreground voxels with a background face neighbour; outside the grid counts as background.
    return mask & ~ndimage.binary_erosion(mask, structure=ndimage.generate_binary_structure(3, 1),
                                          border_value=0)


def hd95(prediction, reference, spacing):
    sp, sr = surface(prediction), surface(reference)
    to_reference = ndimage.distance_transform_edt(~sr, sampling=spacing)
    to_prediction = ndimage.distance_transform_edt(~sp, sampling=spacing)
    return float(np.percentile(np.hstack([to_reference[sp], to_prediction[sr]]), 95))


def masks():
    rng = np.random.default_rng(7)
    cases = []
    for shape, spacing in [((12, 10, 8), (1.0, 1.0, 1.0)), ((16, 14, 6), (0.9375, 0.9375, 1.5)),
                           ((9, 20, 11), (0.5, 2.0, 3.0)), ((24, 24, 24), (1.0, 1.0, 1.0))]:
        for _ in range(3):
            grid = np.indices(shape).astype(float)
            centre = [rng.uniform(0.3, 0.7) * s for s in shape]
            radius = rng.uniform(0.15, 0.35) * min(shape)
            reference = sum((g - c) ** 2 for g, c in zip(grid, centre)) <= radius ** 2
            shifted = [c + rng.uniform(-2, 2) for c in centre]
            prediction = sum((g - c) ** 2 for g, c in zip(grid, shifted)) <= (radius * rng.uniform(0.7, 1.2)) ** 2
            prediction ^= rng.random(shape) < 0.01
            # Fortran order = x fastest, the masks' voxel order.
            cases.append({"dimensions": list(shape), "spacing": list(spacing),
                          "prediction": np.flatnonzero(prediction.ravel(order="F")).tolist(),
                          "reference": np.flatnonzero(reference.ravel(order="F")).tolist(),
                          "dice": float(2 * (prediction & reference).sum() / (prediction.sum() + reference.sum())),
                          "hd95": hd95(prediction, reference, spacing)})
    write("masks.json", {"cases": cases})


def summaries():
    rng = np.random.default_rng(3)
    cases = []
    for n in [2, 3, 7, 10, 51]:
        x = rng.beta(8, 2, n)
        cases.append({"values": x.tolist(), "mean": float(np.mean(x)), "median": float(np.median(x)),
                      "sd": float(np.std(x, ddof=1)), "se": float(stats.sem(x))})
    write("summaries.json", {"cases": cases})


def test_split_sizes():
    """The fewest test cases n with 2 * t(1 - alpha; 2n - 2) * s * sqrt(2 / n) <= margin."""
    cases = []
    for s, margin, alpha in [(0.337, 0.15, 0.05), (0.35, 0.15, 0.05), (0.25, 0.15, 0.05), (0.3, 0.1, 0.05),
                             (0.1, 0.05, 0.05), (0.2, 0.5, 0.05), (0.337, 0.176, 0.05), (0.3, 0.15, 0.025)]:
        n = 2
        while 2 * stats.t.ppf(1 - alpha, 2 * n - 2) * s * np.sqrt(2 / n) > margin:
            n += 1
        cases.append({"sd": s, "margin": margin, "alpha": alpha, "n": n})
    write("test_split_sizes.json", {"cases": cases})


if __name__ == "__main__":
    student_t()
    tost()
    mean_intervals()
    masks()
    summaries()
    test_split_sizes()
