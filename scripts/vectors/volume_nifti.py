#!/usr/bin/env python3
"""Reference NIfTI files and the values nibabel reads from them, for the Volume tests.

Writes small images with nibabel covering the affine rules (sform, qform, neither), each datatype,
scl_slope/scl_inter, NIfTI-2 and a 4D image with one volume, plus `expected.json` holding the affine
nibabel chooses (`img.affine`) and the scaled voxels in NIfTI (x-fastest) order.

Produced with nibabel 5.4.2, numpy 2.4.6 (Python 3.11):
    python3 scripts/vectors/volume_nifti.py Tests/VolumeTests/Vectors/nifti
"""
import json
import os
import sys

import nibabel as nib
import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
shape = (4, 3, 2)
rng = np.random.default_rng(7)
expected = {}


def save(name, img):
    path = os.path.join(out, name)
    nib.save(img, path)
    back = nib.load(path)
    data = np.asarray(back.get_fdata(dtype=np.float64))
    expected[name] = {
        "shape": list(back.shape),
        "affine": back.affine.tolist(),
        "voxels": data.reshape(-1, order="F").tolist(),
    }


oblique = np.array([[0.9, -0.2, 0.1, -30.0], [0.15, 1.1, -0.05, 12.5], [-0.1, 0.1, 1.4, 7.25], [0, 0, 0, 1]])
rotation = np.array([[0.0, 0.0, -1.2, 40.0], [-0.95, 0.0, 0.0, 20.0], [0.0, 1.0, 0.0, -15.0], [0, 0, 0, 1]])
values = rng.uniform(-50, 200, size=shape).astype(np.float32)

# sform only: an oblique sform, qform code 0.
img = nib.Nifti1Image(values, oblique)
img.set_qform(None, code=0)
img.set_sform(oblique, code=1)
save("sform_only.nii.gz", img)

# qform only (a permutation with flips, qfac -1 in the quaternion), sform code 0.
img = nib.Nifti1Image(values, rotation)
img.set_sform(None, code=0)
img.set_qform(rotation, code=1)
save("qform_only.nii.gz", img)

# both set and different: the sform wins.
img = nib.Nifti1Image(values, oblique)
img.set_qform(rotation, code=1)
img.set_sform(oblique, code=2)
save("sform_over_qform.nii", img)

# neither: nibabel's pixdim fallback (x flipped, grid centred).
img = nib.Nifti1Image(values, None)
img.header.set_zooms((1.5, 2.0, 2.5))
img.set_qform(None, code=0)
img.set_sform(None, code=0)
save("pixdim_only.nii", img)

# every datatype, NIfTI-1 compressed; int16 also with scl_slope/scl_inter.
integers = rng.integers(0, 100, size=shape)
for dtype in ["uint8", "int8", "int16", "uint16", "int32", "float32", "float64"]:
    img = nib.Nifti1Image(integers.astype(dtype), rotation)
    img.set_data_dtype(dtype)
    save(f"datatype_{dtype}.nii.gz", img)

img = nib.Nifti1Image(integers.astype(np.int16), rotation)
img.set_data_dtype(np.int16)
img.header.set_slope_inter(0.5, -3.0)
save("scaled_int16.nii.gz", img)

img = nib.Nifti2Image(values, oblique)
save("nifti2.nii.gz", img)

img = nib.Nifti1Image(values[..., np.newaxis], rotation)
save("singleton_4d.nii.gz", img)

with open(os.path.join(out, "expected.json"), "w") as handle:
    json.dump(expected, handle, indent=1)
