#!/usr/bin/env python3
"""Synthetic T1c/T2 pairs with known rigid motions, and SimpleITK's registration of them.

The pairs are a pure function of the MNI ICBM152 2009a tissue maps (scripts/fetch-template), the
resolution and the pair's parameters, computed the same way by the Swift tests
(Tests/VolumeTests/RegistrationPairs.swift), so both register identical images:

1. Grey and white matter G, W (uint8, 0..255) on the template's 1 mm grid; parenchyma P = min(G + W,
   255). The support (skull-stripped brain with its CSF) is where the sum of P over the 9×9×9 box
   around a voxel (zero outside the grid) exceeds 0.25·255·9³; CSF C = 255 − P inside it. Integer
   arithmetic, exact in doubles.
2. Inside the support, T1c-like = (300·C + 650·G + 1000·W) / 255 and T2-like = (1000·C + 600·G +
   350·W) / 255 (CSF dark on T1c, bright on T2); zero outside.
3. The fixed image is T1c-like averaged over f×f×f blocks from the first voxel (f = 1 or 2), the
   moving one T2-like over (f+1)-blocks: thicker T2 voxels, on a lattice that does not line up with
   the fixed one (as real T2 and T1c never do), so no registration is helped by samples landing on
   moving voxel centres. A lattice voxel is brain where any of its 1 mm voxels is in the support.
4. Fixed = T1c-like + Gaussian noise (σ = `fixed_sigma`) on its brain voxels. Moving = Rician(T2-like ·
   bias, σ = `moving_sigma`) on its brain voxels, bias = exp(bx·u + by·v + bz·w + bxy·u·v) with u, v, w
   the voxel index scaled to [−1, 1] (2·i/(n−1) − 1). Normal deviates by Box–Muller (cos for the
   first, sin for the second) from the uniforms ((splitmix64(key ^ (2·voxel + {0, 1})) >> 11) + 0.5)·2⁻⁵³,
   key = s << 40 with s = 2·seed for the fixed image and 2·seed + 1 for the moving one.
5. A lattice's affine is the template's with f-mm voxels (A·[f, …, (f−1)/2]); the moving image's
   voxels are placed by T·A_(f+1), T = the pair's transform (Euler angles in degrees, ITK's
   Rz·Rx·Ry, about the fixed grid's centre, then the translation; RAS mm). Registration of moving onto
   fixed therefore has T as its answer.

Errors are the mean displacement |T_found(x) − T(x)| over the support's voxel centres (mm) and the
angle of T_found's rotation relative to T's (degrees).

    python3 scripts/vectors/volume_registration.py Tests/VolumeTests/Vectors/registration.json

writes the pairs at 2 mm (moving 3 mm), checksums of the generated images (the Swift tests check theirs against
them) and SimpleITK's errors. Produced with SimpleITK 2.5, nibabel 5.4, numpy 2 (Python 3.11).
"""
import json
import os
import sys
import time

import nibabel as nib
import numpy as np

TEMPLATE = os.environ.get(
    "ACTIVESEG_TEMPLATE_DIR", os.path.expanduser("~/.cache/activeseg/mni-icbm152-2009a"))

PAIRS = [
    {"name": "identity", "angles": [0, 0, 0], "translation": [0, 0, 0], "bias": [0, 0, 0, 0], "seed": 1},
    {"name": "small", "angles": [5, -3, 8], "translation": [6, -4, 10], "bias": [0.15, -0.1, 0.1, 0.05], "seed": 2},
    {"name": "medium", "angles": [-10, 7, -4], "translation": [-12, 15, 5], "bias": [-0.2, 0.1, 0.15, -0.1], "seed": 3},
    {"name": "pitch15", "angles": [15, -6, 10], "translation": [8, -20, 12], "bias": [0.1, 0.2, -0.15, 0.1], "seed": 4},
    {"name": "yaw15", "angles": [3, 12, -15], "translation": [-20, 5, -15], "bias": [-0.15, -0.2, 0.1, 0.05], "seed": 5},
]
FIXED_SIGMA = 10.0
MOVING_SIGMA = 20.0

# The registration settings both implementations use (RigidRegistration.Configuration's defaults).
SETTINGS = {
    "bins": 32, "sampling_fraction": 0.2, "shrink": [4, 2, 1], "sigmas": [2, 1, 0],
    "learning_rate": 2.0, "min_step": 1e-3, "relaxation": 0.5, "iterations": 200,
}


def splitmix64(x):
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def normals(seed, count):
    """Two independent standard normal deviates per voxel (flat index in NIfTI order)."""
    index = np.arange(count, dtype=np.uint64)
    key = np.uint64(seed) << np.uint64(40)
    u1 = ((splitmix64(key ^ (np.uint64(2) * index)) >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53
    u2 = ((splitmix64(key ^ (np.uint64(2) * index + np.uint64(1))) >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53
    radius = np.sqrt(-2 * np.log(u1))
    return radius * np.cos(2 * np.pi * u2), radius * np.sin(2 * np.pi * u2)


def block_mean(a, f):
    n = [s // f for s in a.shape]
    a = a[: n[0] * f, : n[1] * f, : n[2] * f]
    return a.reshape(n[0], f, n[1], f, n[2], f).sum(axis=(1, 3, 5)) / f**3


def box_sum(a, r):
    out = a
    for axis in range(3):
        padded = np.concatenate(
            [np.zeros_like(out.take([0], axis=axis)).repeat(r + 1, axis=axis), out,
             np.zeros_like(out.take([0], axis=axis)).repeat(r, axis=axis)], axis=axis)
        c = np.cumsum(padded, axis=axis)
        n = out.shape[axis]
        out = c.take(np.arange(2 * r + 1, 2 * r + 1 + n), axis=axis) - c.take(np.arange(0, n), axis=axis)
    return out


def rotation(angles_deg):
    x, y, z = np.radians(angles_deg)
    rx = np.array([[1, 0, 0], [0, np.cos(x), -np.sin(x)], [0, np.sin(x), np.cos(x)]])
    ry = np.array([[np.cos(y), 0, np.sin(y)], [0, 1, 0], [-np.sin(y), 0, np.cos(y)]])
    rz = np.array([[np.cos(z), -np.sin(z), 0], [np.sin(z), np.cos(z), 0], [0, 0, 1]])
    return rz @ rx @ ry


def transform_matrix(angles_deg, translation, centre):
    r = rotation(angles_deg)
    m = np.eye(4)
    m[:3, :3] = r
    m[:3, 3] = np.asarray(centre) + np.asarray(translation) - r @ np.asarray(centre)
    return m


class Tissues:
    """Steps 1–3 on the template's 1 mm grid, shared by every pair and resolution."""

    def __init__(self):
        gm_img = nib.load(os.path.join(TEMPLATE, "mni_icbm152_gm_tal_nlin_sym_09a_converted.nii.gz"))
        wm_img = nib.load(os.path.join(TEMPLATE, "mni_icbm152_wm_tal_nlin_sym_09a_converted.nii.gz"))
        g = np.asarray(gm_img.dataobj).astype(np.int64)
        w = np.asarray(wm_img.dataobj).astype(np.int64)
        p = np.minimum(g + w, 255)
        support = box_sum(p, 4) > 0.25 * 255 * 9**3
        c = np.where(support, 255 - p, 0)
        self.t1 = np.where(support, (300.0 * c + 650.0 * g + 1000.0 * w) / 255, 0.0)
        self.t2 = np.where(support, (1000.0 * c + 600.0 * g + 350.0 * w) / 255, 0.0)
        self.support = support.astype(np.float64)
        self.affine = gm_img.affine


class Lattice:
    """The 1 mm images averaged over f×f×f blocks (from the first voxel), with their affine."""

    def __init__(self, tissues, f):
        self.t1 = block_mean(tissues.t1, f)
        self.t2 = block_mean(tissues.t2, f)
        self.support = block_mean(tissues.support, f) > 0
        scale = np.diag([f, f, f, 1.0])
        scale[:3, 3] = (f - 1) / 2
        self.affine = tissues.affine @ scale
        self.shape = self.t1.shape
        self.centre = (self.affine @ np.array([(n - 1) / 2 for n in self.shape] + [1.0]))[:3]
        idx = np.argwhere(self.support).astype(np.float64)
        self.support_points = idx @ self.affine[:3, :3].T + self.affine[:3, 3]


def make_pair(tissues, pair, f):
    """Steps 4–5: the fixed lattice (f mm) and its voxels, the moving voxels ((f+1) mm), the moving
    affine and the true transform (RAS 4×4)."""
    fixed_grid, moving_grid = Lattice(tissues, f), Lattice(tissues, f + 1)
    flat = lambda a: a.reshape(-1, order="F")
    n1, _ = normals(2 * pair["seed"], int(np.prod(fixed_grid.shape)))
    fixed = np.where(flat(fixed_grid.support), flat(fixed_grid.t1) + FIXED_SIGMA * n1, 0.0)
    shape = moving_grid.shape
    u, v, w = [2 * np.arange(n)[sl] / (n - 1) - 1
               for n, sl in zip(shape, [np.s_[:, None, None], np.s_[None, :, None], np.s_[None, None, :]])]
    bx, by, bz, bxy = pair["bias"]
    bias = np.exp(bx * u + by * v + bz * w + bxy * u * v)
    signal = flat(moving_grid.t2 * bias)
    m1, m2 = normals(2 * pair["seed"] + 1, int(np.prod(shape)))
    moving = np.where(
        flat(moving_grid.support), np.sqrt((signal + MOVING_SIGMA * m1) ** 2 + (MOVING_SIGMA * m2) ** 2), 0.0)
    truth = transform_matrix(pair["angles"], pair["translation"], fixed_grid.centre)
    as_image = lambda a, grid: a.astype(np.float32).reshape(grid.shape, order="F")
    return fixed_grid, as_image(fixed, fixed_grid), as_image(moving, moving_grid), truth @ moving_grid.affine, truth


def errors(grid, found, truth):
    """Mean displacement over the fixed image's brain (mm) and rotation error (degrees) of a found
    RAS transform."""
    x = grid.support_points
    d = x @ (found[:3, :3] - truth[:3, :3]).T + (found[:3, 3] - truth[:3, 3])
    relative = found[:3, :3] @ truth[:3, :3].T
    angle = np.degrees(np.arccos(np.clip((np.trace(relative) - 1) / 2, -1, 1)))
    return float(np.linalg.norm(d, axis=1).mean()), float(angle)


def write_nifti(voxels, affine, path):
    image = nib.Nifti1Image(voxels, affine)
    image.set_qform(affine, code=1)
    image.set_sform(affine, code=1)
    nib.save(image, path)


def simpleitk_register(fixed_path, moving_path, out_path=None, threads=2):
    """SimpleITK with the same settings; returns the found transform as a RAS 4×4 and the seconds
    taken by reading, registering, B-spline resampling and writing (when out_path is given)."""
    import SimpleITK as sitk

    sitk.ProcessObject.SetGlobalDefaultNumberOfThreads(threads)
    start = time.perf_counter()
    fixed = sitk.ReadImage(fixed_path, sitk.sitkFloat32)
    moving = sitk.ReadImage(moving_path, sitk.sitkFloat32)
    method = sitk.ImageRegistrationMethod()
    method.SetMetricAsMattesMutualInformation(numberOfHistogramBins=SETTINGS["bins"])
    method.SetMetricSamplingStrategy(method.REGULAR)
    method.SetMetricSamplingPercentage(SETTINGS["sampling_fraction"], 1)
    method.SetMetricFixedMask(sitk.Cast(fixed != 0, sitk.sitkUInt8))
    method.SetInterpolator(sitk.sitkLinear)
    method.SetOptimizerAsRegularStepGradientDescent(
        learningRate=SETTINGS["learning_rate"], minStep=SETTINGS["min_step"],
        numberOfIterations=SETTINGS["iterations"], relaxationFactor=SETTINGS["relaxation"],
        gradientMagnitudeTolerance=1e-12)
    method.SetOptimizerScalesFromPhysicalShift()
    method.SetShrinkFactorsPerLevel(SETTINGS["shrink"])
    method.SetSmoothingSigmasPerLevel(SETTINGS["sigmas"])
    method.SmoothingSigmasAreSpecifiedInPhysicalUnitsOff()
    initial = sitk.CenteredTransformInitializer(
        fixed, moving, sitk.Euler3DTransform(), sitk.CenteredTransformInitializerFilter.MOMENTS)
    method.SetInitialTransform(initial, inPlace=False)
    transform = method.Execute(fixed, moving)
    if out_path:
        moved = sitk.Resample(moving, fixed, transform, sitk.sitkBSpline, 0.0, sitk.sitkFloat32)
        sitk.WriteImage(moved, out_path)
    seconds = time.perf_counter() - start
    # The transform's action on the origin and unit vectors (LPS), then LPS → RAS.
    origin = np.array(transform.TransformPoint((0.0, 0.0, 0.0)))
    lps = np.eye(4)
    for axis in range(3):
        e = [0.0, 0.0, 0.0]
        e[axis] = 1.0
        lps[:3, axis] = np.array(transform.TransformPoint(tuple(e))) - origin
    lps[:3, 3] = origin
    flip = np.diag([-1.0, -1.0, 1.0, 1.0])
    return flip @ lps @ flip, seconds


def main(output):
    import tempfile

    tissues = Tissues()
    records = []
    with tempfile.TemporaryDirectory() as folder:
        for pair in PAIRS:
            grid, fixed, moving, moving_affine, truth = make_pair(tissues, pair, 2)
            fixed_path, moving_path = os.path.join(folder, "fixed.nii"), os.path.join(folder, "moving.nii")
            write_nifti(fixed, grid.affine, fixed_path)
            write_nifti(moving, moving_affine, moving_path)
            found, _ = simpleitk_register(fixed_path, moving_path)
            displacement, angle = errors(grid, found, truth)
            print(f"{pair['name']}: SimpleITK {displacement:.3f} mm, {angle:.3f}°", file=sys.stderr)
            records.append({
                **pair,
                "fixed_sum": float(fixed.astype(np.float64).sum()),
                "moving_sum": float(moving.astype(np.float64).sum()),
                "truth": truth.tolist(),
                "simpleitk": {"displacement_mm": displacement, "rotation_deg": angle, "matrix": found.tolist()},
            })
    out = {
        "fixed_mm": 2, "moving_mm": 3, "shape": list(grid.shape), "brain_voxels": int(grid.support.sum()),
        "centre": grid.centre.tolist(), "fixed_sigma": FIXED_SIGMA, "moving_sigma": MOVING_SIGMA,
        "settings": SETTINGS, "pairs": records,
    }
    with open(output, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
