"""Skull stripping: the product's BET-style surface beside a SimpleITK threshold pipeline.

Run through scripts/bench/skull-strip-vs-simpleitk, which builds the product's benchmark command and
passes its path. The heads come from the product's synthetic cohort with skull and scalp; both
methods see the same files and are scored against each case's true brain mask (`_brainmask`).
"""

import argparse
import os
import statistics
import subprocess
import tempfile
import time

import numpy as np
import SimpleITK as sitk


def simpleitk_mask(t1_path):
    """Otsu threshold, erode 2 voxels to cut the brain from the scalp, keep the largest component,
    dilate back, close and fill holes: what a user without a brain extraction tool would try."""
    image = sitk.ReadImage(t1_path, sitk.sitkFloat32)
    start = time.perf_counter()
    foreground = sitk.OtsuThreshold(image, 0, 1)
    eroded = sitk.BinaryErode(foreground, [2, 2, 2])
    components = sitk.RelabelComponent(sitk.ConnectedComponent(eroded), sortByObjectSize=True)
    largest = sitk.BinaryThreshold(components, 1, 1, 1, 0)
    dilated = sitk.BinaryDilate(largest, [2, 2, 2])
    closed = sitk.BinaryMorphologicalClosing(dilated, [2, 2, 2])
    filled = sitk.BinaryFillhole(closed)
    seconds = time.perf_counter() - start
    return sitk.GetArrayFromImage(filled), seconds


def dice(a, b):
    a, b = a != 0, b != 0
    total = a.sum() + b.sum()
    return 2 * np.logical_and(a, b).sum() / total if total else 1.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--product", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", type=int, default=12)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--spacing-scale", type=float, default=2)
    parser.add_argument("--anatomy", choices=["template", "phantom"], default="template")
    args = parser.parse_args()
    sitk.ProcessObject.SetGlobalDefaultNumberOfThreads(os.cpu_count() or 1)

    with tempfile.TemporaryDirectory(prefix="skull-strip-bench-") as folder:
        subprocess.run(
            [args.product, "write", folder, str(args.cases), str(args.seed), str(args.spacing_scale), args.anatomy],
            check=True, stdout=subprocess.DEVNULL)
        product_times, reference_times = [], []
        product_dice, reference_dice, subtypes = {}, {}, {}
        for run in range(args.runs):
            output = subprocess.run([args.product, "strip", folder], check=True, capture_output=True, text=True)
            seconds = 0.0
            for line in output.stdout.split("\n"):
                fields = line.split()
                if len(fields) < 3:
                    continue
                subtypes[fields[0]] = fields[1]
                if fields[2] == "failed":
                    product_dice[fields[0]] = float("nan")
                    continue
                product_dice[fields[0]] = float(fields[2])
                seconds += float(fields[3])
            product_times.append(seconds / len(subtypes))
            total = 0.0
            for case in sorted(subtypes):
                base = os.path.join(folder, case, case)
                mask, elapsed = simpleitk_mask(base + "_t1ce.nii.gz")
                truth = sitk.GetArrayFromImage(sitk.ReadImage(base + "_brainmask.nii.gz"))
                reference_dice[case] = dice(mask, truth)
                total += elapsed
            reference_times.append(total / len(subtypes))
            print(f"run {run + 1}: product {product_times[-1]:.3f} s/case, SimpleITK {reference_times[-1]:.3f} s/case, "
                  f"ratio {product_times[-1] / reference_times[-1]:.2f}")

        print(f"\n{args.cases} synthetic heads, {args.anatomy} anatomy, seed {args.seed}, spacing scale {args.spacing_scale}")
        print(f"{'case':<13}{'subtype':<20}{'Dice product':>14}{'Dice SimpleITK':>16}")
        for case in sorted(subtypes):
            print(f"{case:<13}{subtypes[case]:<20}{product_dice[case]:>14.4f}{reference_dice[case]:>16.4f}")
        print(f"{'mean':<33}{np.nanmean(list(product_dice.values())):>14.4f}"
              f"{np.mean(list(reference_dice.values())):>16.4f}")
        print(f"{'min':<33}{np.nanmin(list(product_dice.values())):>14.4f}"
              f"{np.min(list(reference_dice.values())):>16.4f}")
        ratios = [p / r for p, r in zip(product_times, reference_times)]

        def spread(values):
            return f"median {statistics.median(values):.3f}, min {min(values):.3f}, max {max(values):.3f}"

        print(f"\nseconds per case, product:   {spread(product_times)}")
        print(f"seconds per case, SimpleITK: {spread(reference_times)}")
        print(f"ratio product / SimpleITK:   {spread(ratios)} over {args.runs} runs")


if __name__ == "__main__":
    main()
