#!/usr/bin/env python3
"""Times ActiveSeg's N4 (`activeseg volume n4`) and SimpleITK's on one volume; run by n4-vs-simpleitk.

The volume is the 1 mm MNI ICBM152 2009a T1 (197×233×189) times the "polynomial" field of
scripts/vectors/volume_n4.py, written as float32 NIfTI with the mask of its nonzero voxels. Both
sides fit on the image shrunk by --shrink with ITK's defaults (four levels of at most 50 iterations,
convergence 0.001, 200 bins, FWHM 0.15, Wiener noise 0.01, 4 control points) and divide the field
out on the full grid. The time compared is N4 alone: for ActiveSeg the figure `volume n4` prints
(shrink, fit, full-grid field and division; reading and writing excluded), for SimpleITK the same
steps (Shrink, Execute, GetLogBiasFieldAsImage on the full image, division). The process's wall time
of `volume n4` (with reading and writing the NIfTI files) is printed beside it.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import nibabel as nib
import numpy as np
import SimpleITK as sitk

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vectors"))
from volume_n4 import FIELDS, PARAMETERS, field_array  # noqa: E402


def simpleitk_n4(image, mask, shrink):
    start = time.perf_counter()
    corrector = sitk.N4BiasFieldCorrectionImageFilter()
    corrector.SetMaximumNumberOfIterations(PARAMETERS["iterations"])
    corrector.SetConvergenceThreshold(PARAMETERS["convergence"])
    corrector.SetBiasFieldFullWidthAtHalfMaximum(PARAMETERS["fwhm"])
    corrector.SetWienerFilterNoise(PARAMETERS["wienerNoise"])
    corrector.SetNumberOfHistogramBins(PARAMETERS["bins"])
    corrector.SetNumberOfControlPoints([PARAMETERS["controlPoints"]] * 3)
    iterations = {}
    corrector.AddCommand(
        sitk.sitkIterationEvent,
        lambda: iterations.__setitem__(corrector.GetCurrentLevel(), corrector.GetElapsedIterations()))
    corrector.Execute(sitk.Shrink(image, [shrink] * 3), sitk.Shrink(mask, [shrink] * 3))
    log_field = corrector.GetLogBiasFieldAsImage(image)
    corrected = image / sitk.Exp(log_field)
    corrected.GetPixel(0, 0, 0)
    return time.perf_counter() - start, "+".join(str(iterations[level]) for level in sorted(iterations))


def activeseg_n4(executable, folder, shrink):
    start = time.perf_counter()
    run = subprocess.run(
        [executable, "volume", "n4", "biased.nii", "corrected.nii", "--mask", "mask.nii", "--shrink", str(shrink)],
        cwd=folder, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    match = re.search(r"N4 in ([0-9.]+) s, .*iterations ([0-9+]+)", run.stdout)
    if not match:
        sys.exit(f"unexpected output from activeseg volume n4: {run.stdout}{run.stderr}")
    return float(match.group(1)), wall, match.group(2)


def spread(values):
    return f"median {statistics.median(values):.3f} s (min {min(values):.3f}, max {max(values):.3f})"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--activeseg", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--shrink", type=int, default=4)
    parser.add_argument(
        "--template", default=os.environ.get(
            "ACTIVESEG_TEMPLATE_DIR", os.path.expanduser("~/.cache/activeseg/mni-icbm152-2009a")))
    args = parser.parse_args()

    t1_file = nib.load(os.path.join(args.template, "mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz"))
    t1 = t1_file.get_fdata().astype(np.float32)
    biased = (t1.astype(np.float64) * field_array(FIELDS["polynomial"], t1.shape)).astype(np.float32)
    with tempfile.TemporaryDirectory() as folder:
        nib.save(nib.Nifti1Image(biased, t1_file.affine), os.path.join(folder, "biased.nii"))
        nib.save(nib.Nifti1Image((t1 > 0).astype(np.uint8), t1_file.affine), os.path.join(folder, "mask.nii"))
        image = sitk.ReadImage(os.path.join(folder, "biased.nii"), sitk.sitkFloat32)
        mask = sitk.ReadImage(os.path.join(folder, "mask.nii"), sitk.sitkUInt8)
        print(f"MNI T1 {t1.shape[0]}×{t1.shape[1]}×{t1.shape[2]} at 1 mm, {int((t1 > 0).sum())} mask voxels, "
              f"shrink {args.shrink}, SimpleITK {sitk.Version.VersionString()} with "
              f"{sitk.ProcessObject.GetGlobalDefaultNumberOfThreads()} threads, {os.cpu_count()} cores")
        ours, walls, theirs = [], [], []
        for run in range(args.runs):
            seconds, wall, iterations = activeseg_n4(args.activeseg, folder, args.shrink)
            reference, reference_iterations = simpleitk_n4(image, mask, args.shrink)
            ours.append(seconds)
            walls.append(wall)
            theirs.append(reference)
            print(f"run {run + 1}: ActiveSeg {seconds:.3f} s (process {wall:.3f} s, iterations {iterations}), "
                  f"SimpleITK {reference:.3f} s (iterations {reference_iterations}), "
                  f"SimpleITK / ActiveSeg {reference / seconds:.2f}")
        ratios = [r / o for o, r in zip(ours, theirs)]
        print(f"ActiveSeg N4: {spread(ours)}; whole process {spread(walls)}")
        print(f"SimpleITK N4: {spread(theirs)}")
        print(f"SimpleITK / ActiveSeg: median {statistics.median(ratios):.2f} (min {min(ratios):.2f}, "
              f"max {max(ratios):.2f})")


if __name__ == "__main__":
    main()
