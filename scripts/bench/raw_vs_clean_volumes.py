#!/usr/bin/env python3
"""Compares the ingested volumes of a clean and a raw dataset case by case; run by raw-vs-clean-volumes.

For every case both datasets ingested, reads the stored two-channel image and binary target (the
`cases` rows give their sha256; the files lie under ACTIVESEG_ARTIFACT_ROOT, the filesystem
backend), carries each voxel centre of the raw case's grid into the clean case's grid through the
two affines (nearest voxel: both grids have the profile's spacing and orientation, their crops
differ) and prints:
- the Dice of the raw brain mask (its nonzero voxels, as z-scoring leaves them) with the clean one,
  which is the generator's true brain, so this scores skull stripping;
- the correlation of each channel with the clean one over the voxels both masks hold: T2's below
  T1c's says registration left T2 off (T1c's own is below 1 from noise, lattices and N4);
- the Dice of the two targets (the same tumour, sampled on lattices up to half a voxel apart), and
  the share of the raw target inside the raw brain mask (a tumour cut by skull stripping).
Then the median and lowest of each over the cases, and the cases whose T2 correlation is below half
their T1c's.
"""
import argparse
import gzip
import os
import statistics
import subprocess

import nibabel as nib
import numpy as np


def ingested(dsn, dataset):
    query = (
        "SELECT source_name, split, image_sha256, coalesce(label_sha256, '') FROM cases "
        f"WHERE dataset_id = '{dataset}' AND state = 'ingested'")
    out = subprocess.run(["psql", dsn, "-Atc", query], capture_output=True, text=True, check=True).stdout
    return {fields[0]: fields[1:] for fields in (line.split("|") for line in out.strip().splitlines())}


def load(root, sha):
    image = nib.Nifti1Image.from_bytes(gzip.open(os.path.join(root, sha[:2], sha)).read())
    return np.asarray(image.dataobj), image.affine


def compare(root, clean, raw):
    clean_image, clean_affine = load(root, clean[1])
    raw_image, raw_affine = load(root, raw[1])
    clean_label = load(root, clean[2])[0] if clean[2] else None
    raw_label = load(root, raw[2])[0] if raw[2] else None
    shape = np.array(raw_image.shape[:3])
    index = np.stack(np.meshgrid(*[np.arange(n) for n in shape], indexing="ij"), -1).reshape(-1, 3)
    world = index @ raw_affine[:3, :3].T + raw_affine[:3, 3]
    target = np.rint((world - clean_affine[:3, 3]) @ np.linalg.inv(clean_affine[:3, :3]).T).astype(int)
    inside = np.all((target >= 0) & (target < np.array(clean_image.shape[:3])), axis=1)
    at = tuple(target[inside].T)
    clean_values = np.zeros((len(index), 2), np.float32)
    clean_values[inside] = clean_image[at]
    raw_values = raw_image.reshape(-1, 2)
    raw_mask, clean_mask = np.any(raw_values != 0, 1), np.any(clean_values != 0, 1)
    clean_brain = int(np.any(clean_image != 0, -1).sum())
    both = raw_mask & clean_mask
    row = {
        "mask Dice": 2 * (both.sum()) / (raw_mask.sum() + clean_brain),
        "T1c r": np.corrcoef(raw_values[both, 0], clean_values[both, 0])[0, 1],
        "T2 r": np.corrcoef(raw_values[both, 1], clean_values[both, 1])[0, 1],
    }
    if raw_label is not None and clean_label is not None:
        clean_target = np.zeros(len(index), np.uint8)
        clean_target[inside] = clean_label[at]
        raw_target = raw_label.reshape(-1)
        voxels = int(raw_target.sum()) + int(clean_label.sum())
        if voxels:
            row["target Dice"] = 2 * ((raw_target > 0) & (clean_target > 0)).sum() / voxels
        if raw_target.sum():
            row["target in raw mask"] = ((raw_target > 0) & raw_mask).sum() / raw_target.sum()
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", required=True, help="the clean dataset's id")
    parser.add_argument("--raw", required=True, help="the raw dataset's id")
    arguments = parser.parse_args()
    dsn, root = os.environ["ACTIVESEG_POSTGRES_DSN"], os.environ["ACTIVESEG_ARTIFACT_ROOT"]
    clean, raw = ingested(dsn, arguments.clean), ingested(dsn, arguments.raw)
    columns = ["mask Dice", "T1c r", "T2 r", "target Dice", "target in raw mask"]
    print(f"{'case':<14}{'split':<7}" + "".join(f"{c:>20}" for c in columns))
    rows = {}
    for name in sorted(set(clean) & set(raw)):
        rows[name] = compare(root, clean[name], raw[name])
        cells = "".join(f"{rows[name][c]:20.3f}" if c in rows[name] else f"{'-':>20}" for c in columns)
        print(f"{name:<14}{raw[name][0]:<7}{cells}")
    for title, pick in (("median", statistics.median), ("lowest", min)):
        cells = "".join(f"{pick([r[c] for r in rows.values() if c in r]):20.3f}" for c in columns)
        print(f"{title:<21}{cells}")
    off = [name for name, r in rows.items() if r["T2 r"] < r["T1c r"] / 2]
    print(f"only in clean: {', '.join(sorted(set(clean) - set(raw))) or 'none'}")
    print(f"T2 correlation below half the T1c one (T2 left off by registration?): {', '.join(off) or 'none'}")


if __name__ == "__main__":
    main()
