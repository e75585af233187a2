#!/usr/bin/env python3
"""Swift's rigid registration and SimpleITK's on the same synthetic pairs, in one run.

For each pair of scripts/vectors/volume_registration.py at the chosen resolution, writes the fixed
and moving images as NIfTI, then alternates `registration-benchmark` (Swift) and SimpleITK run by
run, each reading both files, registering (Mattes MI, same bins, sampling, pyramid and optimiser
settings), B-spline resampling moving onto the fixed grid and writing it. Prints each pair's
accuracy (mean displacement over the brain, rotation error) for both, the seconds of every run,
the median ratio Swift/SimpleITK and the spread (min–max) across runs.

    registration_vs_simpleitk.py --engine PATH [--runs R] [--resolution 1|2] [--threads T]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vectors"))
import volume_registration as pairs  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--resolution", type=int, default=1, choices=[1, 2])
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--pairs", default=",".join(p["name"] for p in pairs.PAIRS))
    args = parser.parse_args()
    chosen = [p for p in pairs.PAIRS if p["name"] in args.pairs.split(",")]
    tissues = pairs.Tissues()
    grid = pairs.Lattice(tissues, args.resolution)
    print(f"fixed {args.resolution} mm {grid.shape}, {int(grid.support.sum())} brain voxels, moving "
          f"{args.resolution + 1} mm, "
          f"{args.runs} runs, SimpleITK with {args.threads} threads, Swift on all cores ({os.cpu_count()})")
    print(f"{'pair':9} {'Swift mm':>9} {'Swift °':>8} {'SITK mm':>8} {'SITK °':>7} "
          f"{'Swift s (min–max)':>20} {'SITK s (min–max)':>20} {'ratio':>6}")
    all_ratios = []
    with tempfile.TemporaryDirectory() as folder:
        for pair in chosen:
            grid, fixed, moving, moving_affine, truth = pairs.make_pair(tissues, pair, args.resolution)
            paths = {name: os.path.join(folder, f"{name}.nii.gz") for name in ["fixed", "moving", "swift", "sitk"]}
            pairs.write_nifti(fixed, grid.affine, paths["fixed"])
            pairs.write_nifti(moving, moving_affine, paths["moving"])
            swift_times, sitk_times, ratios = [], [], []
            swift_error = sitk_error = None
            for _ in range(args.runs):
                run = subprocess.run([args.engine, paths["fixed"], paths["moving"], paths["swift"]],
                                     capture_output=True, text=True)
                if run.returncode != 0:
                    print(f"{pair['name']}: Swift failed: {run.stderr.strip()}")
                    break
                report = json.loads(run.stdout)
                swift_error = pairs.errors(grid, np.array(report["matrix"]), truth)
                found, seconds = pairs.simpleitk_register(paths["fixed"], paths["moving"], paths["sitk"], args.threads)
                sitk_error = pairs.errors(grid, found, truth)
                swift_times.append(report["seconds"])
                sitk_times.append(seconds)
                ratios.append(report["seconds"] / seconds)
            if not ratios:
                continue
            all_ratios += ratios
            spread = lambda t: f"{statistics.median(t):6.2f} ({min(t):.2f}–{max(t):.2f})"
            print(f"{pair['name']:9} {swift_error[0]:9.3f} {swift_error[1]:8.3f} {sitk_error[0]:8.3f} "
                  f"{sitk_error[1]:7.3f} {spread(swift_times):>20} {spread(sitk_times):>20} "
                  f"{statistics.median(ratios):6.2f}")
    if all_ratios:
        print(f"time ratio Swift/SimpleITK over all runs: median {statistics.median(all_ratios):.2f}, "
              f"min {min(all_ratios):.2f}, max {max(all_ratios):.2f}")


if __name__ == "__main__":
    main()
