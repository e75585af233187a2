#!/usr/bin/env python3
"""SimpleITK's N4 bias field correction on the MNI template under known smooth fields, for the Volume tests.

The MNI ICBM152 2009a T1 (skull-stripped, zero outside the brain) and its white-matter map are
averaged over 2×2×2 blocks (1 mm → 2 mm, 98×116×94 voxels) and the T1 is multiplied by each field of
`FIELDS`, a formula of the normalised voxel coordinates x, y, z ∈ [−1, 1] (−1 at the first voxel
centre, +1 at the last) that BiasFieldCorrectionTests evaluates the same way. N4 runs with the
parameters in `PARAMETERS` on the image shrunk by `shrink` (sitk.Shrink), with the mask of nonzero
T1 voxels; its log field is then evaluated on the 2 mm grid (GetLogBiasFieldAsImage) and the biased
image divided by it. Recorded per field:

- `correlation`: Pearson correlation of the estimated and the true log field over the mask (the
  log domain, where N4 fits; correlation ignores the field's unknown scale);
- `wmCoV`: coefficient of variation (population standard deviation / mean) of the corrected image
  where the white-matter probability exceeds 0.9; `wmCoVBiased` the same before correction, and
  `wmCoVTemplate` (top level) for the template itself;
- `otsuVoxels`: the voxels of the biased image above Otsu's threshold (`sitk.OtsuThreshold(image, 0,
  1, 200)`), the mask N4 uses by default.

Produced with SimpleITK 2.5.7 (ITK 5.4), nibabel 5.4, numpy 2 (Python 3.11):
    python3 -m venv /tmp/sitk && /tmp/sitk/bin/pip install SimpleITK numpy nibabel
    /tmp/sitk/bin/python scripts/vectors/volume_n4.py ~/.cache/activeseg/mni-icbm152-2009a \
        Tests/VolumeTests/Vectors/n4.json
"""
import json
import math
import sys

import nibabel as nib
import numpy as np
import SimpleITK as sitk

PARAMETERS = {
    "shrink": 4,
    "iterations": [50, 50, 50, 50],
    "convergence": 0.001,
    "fwhm": 0.15,
    "wienerNoise": 0.01,
    "bins": 200,
    "controlPoints": 4,
    "splineOrder": 3,
}


def gaussian(x, y, z, cx, cy, cz, sigma):
    return math.exp(-((x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2) / (2 * sigma * sigma))


# Multiplicative fields within ±30%, the same formulas as BiasFieldCorrectionTests.field(named:).
FIELDS = {
    "polynomial": lambda x, y, z: 1 + 0.15 * x + 0.08 * y * y - 0.07 * x * z,
    "gaussians": lambda x, y, z: 0.85
    + 0.3 * gaussian(x, y, z, 0.5, 0.4, 0.3, 0.45)
    + 0.2 * gaussian(x, y, z, -0.6, -0.3, -0.2, 0.5),
    "sinusoid": lambda x, y, z: 1 + 0.25 * math.sin(math.pi * (0.6 * x + 0.3 * z)) * math.cos(math.pi * 0.5 * y),
}


def block_average(volume):
    """Mean over 2×2×2 blocks, dropping an odd last slice (as the Swift test does)."""
    nx, ny, nz = (n // 2 for n in volume.shape)
    cut = volume[: 2 * nx, : 2 * ny, : 2 * nz]
    return cut.reshape(nx, 2, ny, 2, nz, 2).mean(axis=(1, 3, 5))


def field_array(formula, shape):
    axes = [np.array([2 * i / (n - 1) - 1 for i in range(n)]) for n in shape]
    out = np.empty(shape)
    for i, x in enumerate(axes[0]):
        for j, y in enumerate(axes[1]):
            for k, z in enumerate(axes[2]):
                out[i, j, k] = formula(x, y, z)
    return out


def to_sitk(array):
    """A volume indexed [i, j, k] (i fastest on disk, as NIfTI) as a SimpleITK image."""
    image = sitk.GetImageFromArray(np.ascontiguousarray(array.transpose(2, 1, 0)))
    image.SetSpacing((2.0, 2.0, 2.0))
    return image


def from_sitk(image):
    return sitk.GetArrayFromImage(image).transpose(2, 1, 0)


def n4(biased, mask, parameters):
    image = to_sitk(biased.astype(np.float32))
    mask_image = to_sitk(mask.astype(np.uint8))
    shrink = [parameters["shrink"]] * 3
    corrector = sitk.N4BiasFieldCorrectionImageFilter()
    corrector.SetMaximumNumberOfIterations(parameters["iterations"])
    corrector.SetConvergenceThreshold(parameters["convergence"])
    corrector.SetBiasFieldFullWidthAtHalfMaximum(parameters["fwhm"])
    corrector.SetWienerFilterNoise(parameters["wienerNoise"])
    corrector.SetNumberOfHistogramBins(parameters["bins"])
    corrector.SetNumberOfControlPoints([parameters["controlPoints"]] * 3)
    corrector.SetSplineOrder(parameters["splineOrder"])
    corrector.Execute(sitk.Shrink(image, shrink), sitk.Shrink(mask_image, shrink))
    log_field = from_sitk(corrector.GetLogBiasFieldAsImage(image)).astype(np.float64)
    corrected = biased.astype(np.float64) / np.exp(log_field)
    return log_field, corrected


def coefficient_of_variation(values):
    return float(values.std() / values.mean())


def main():
    folder, output = sys.argv[1], sys.argv[2]
    name = "mni_icbm152_{}_tal_nlin_sym_09a_converted.nii.gz"
    t1 = block_average(nib.load(f"{folder}/{name.format('t1')}").get_fdata()).astype(np.float32)
    wm = block_average(nib.load(f"{folder}/{name.format('wm')}").get_fdata())
    mask = t1 > 0
    white = wm > 0.9 * 255  # the converted maps store probabilities as 0...255
    result = {
        "simpleITK": sitk.Version.VersionString(),
        "shape": list(t1.shape),
        "parameters": PARAMETERS,
        "maskVoxels": int(mask.sum()),
        "whiteMatterVoxels": int(white.sum()),
        "wmCoVTemplate": coefficient_of_variation(t1[white].astype(np.float64)),
        "fields": [],
    }
    for field_name, formula in FIELDS.items():
        truth = field_array(formula, t1.shape)
        biased = (t1.astype(np.float64) * truth).astype(np.float32)
        log_field, corrected = n4(biased, mask, PARAMETERS)
        correlation = float(np.corrcoef(log_field[mask], np.log(truth[mask]))[0, 1])
        otsu = from_sitk(sitk.OtsuThreshold(to_sitk(biased), 0, 1, 200))
        entry = {
            "name": field_name,
            "otsuVoxels": int(otsu.sum()),
            "correlation": correlation,
            "wmCoV": coefficient_of_variation(corrected[white]),
            "wmCoVBiased": coefficient_of_variation(biased[white].astype(np.float64)),
        }
        print(entry, file=sys.stderr)
        result["fields"].append(entry)
    with open(output, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
