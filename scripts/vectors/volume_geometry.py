#!/usr/bin/env python3
"""Reference values for reorientation and cubic B-spline resampling, for the Volume tests.

- `axcodes`: nibabel's aff2axcodes for a few affines, including oblique ones.
- `reorient`: a small asymmetric volume reoriented with nibabel (`as_reoriented`) to several codes.
- `points`: scipy.ndimage.map_coordinates(order=3, mode='mirror') at scattered points of a random volume.
- `resample`: the same spline sampled on the grid Volume's spacing change produces (new count =
  round(n * spacing / target), centred on the old grid).

Produced with nibabel 5.4.2, scipy 1.17.1, numpy 2.4.6 (Python 3.11):
    python3 scripts/vectors/volume_geometry.py Tests/VolumeTests/Vectors/geometry.json
"""
import json
import sys

import nibabel as nib
import numpy as np
from scipy import ndimage

rng = np.random.default_rng(11)
out = {}

affines = {
    "ras": np.diag([1.0, 1.0, 1.0, 1.0]),
    "lps": np.diag([-1.0, -1.0, 1.0, 1.0]),
    "permuted": np.array([[0, 0, -1.2, 40], [-0.95, 0, 0, 20], [0, 1, 0, -15], [0, 0, 0, 1]], float),
    "oblique": np.array([[0.9, -0.3, 0.1, 0], [0.35, 1.1, -0.05, 0], [-0.1, 0.2, -1.4, 0], [0, 0, 0, 1]]),
    "sheared": np.array([[0.2, 1.0, 0.5, 0], [-1.0, 0.1, 0.0, 0], [0.3, 0.0, 0.8, 0], [0, 0, 0, 1]]),
}
out["axcodes"] = [{"affine": a.tolist(), "codes": "".join(nib.aff2axcodes(a))} for a in affines.values()]

shape = (5, 4, 3)
data = np.zeros(shape, dtype=np.float32)
for i in range(shape[0]):
    for j in range(shape[1]):
        for k in range(shape[2]):
            data[i, j, k] = 1 + i + 100 * j + 10000 * k
source_affine = affines["permuted"]
img = nib.Nifti1Image(data, source_affine)
out["reorient"] = {"shape": list(shape), "affine": source_affine.tolist(), "targets": []}
for codes in ["RAS", "LPS", "PIR", "SLA"]:
    target = nib.orientations.axcodes2ornt(tuple(codes))
    current = nib.orientations.io_orientation(source_affine)
    moved = img.as_reoriented(nib.orientations.ornt_transform(current, target))
    out["reorient"]["targets"].append({
        "codes": codes,
        "shape": list(moved.shape),
        "affine": moved.affine.tolist(),
        "voxels": np.asarray(moved.dataobj).reshape(-1, order="F").tolist(),
    })

volume = rng.uniform(-1, 1, size=(7, 6, 5))
points = np.stack([rng.uniform(-0.5, n - 0.5, size=40) for n in volume.shape])
values = ndimage.map_coordinates(volume, points, order=3, mode="mirror")
out["points"] = {
    "shape": list(volume.shape),
    "voxels": volume.reshape(-1, order="F").tolist(),
    "points": points.T.tolist(),
    "values": values.tolist(),
}

volume = rng.uniform(0, 100, size=(9, 8, 6))
spacing = np.array([1.5, 0.9, 1.2])
target = np.array([1.0, 1.0, 1.0])
axes = []
for n, s, t in zip(volume.shape, spacing, target):
    m = max(1, int(round(n * s / t)))
    step = t / s
    axes.append((n - 1) / 2 - (m - 1) / 2 * step + np.arange(m) * step)
grid = np.meshgrid(*axes, indexing="ij")
resampled = ndimage.map_coordinates(volume, grid, order=3, mode="mirror")
out["resample"] = {
    "shape": list(volume.shape),
    "spacing": spacing.tolist(),
    "voxels": volume.reshape(-1, order="F").tolist(),
    "newShape": list(resampled.shape),
    "values": resampled.reshape(-1, order="F").tolist(),
}

with open(sys.argv[1], "w") as handle:
    json.dump(out, handle)
