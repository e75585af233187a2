#!/usr/bin/env python3
"""Hostile NIfTI files for the Volume tests: headers that crashed or exhausted a reader that trusted them.

Each file is a few hundred bytes, built field by field (no nibabel: it refuses to write most of
them). The expected error code of each is in Tests/VolumeTests/HostileFileTests.swift.

    python3 scripts/vectors/volume_hostile.py Tests/VolumeTests/Vectors/hostile
"""
import gzip
import os
import struct
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
UINT8 = 2
VOXELS = bytes(range(256)) * 2  # 8×8×8 uint8 voxels, none of them all zero


def nifti1(dims, spacing=(1.0, 1.0, 1.0), sform=None, vox_offset=352.0, magic=b"n+1\0"):
    """A little-endian NIfTI-1 header (348 bytes); sform is a 3×4 row list, or None for pixdim only."""
    header = bytearray(348)
    struct.pack_into("<i", header, 0, 348)
    struct.pack_into("<8h", header, 40, *(list(dims) + [1] * (8 - len(dims))))
    struct.pack_into("<hh", header, 70, UINT8, 8)
    struct.pack_into("<8f", header, 76, 1.0, *spacing, 1.0, 1.0, 1.0, 1.0)
    struct.pack_into("<f", header, 108, vox_offset)
    struct.pack_into("<f", header, 112, 1.0)
    if sform is not None:
        struct.pack_into("<hh", header, 252, 0, 2)
        for row, offset in zip(sform, (280, 296, 312)):
            struct.pack_into("<4f", header, offset, *row)
    header[344:348] = magic
    return bytes(header)


def nifti2(dims, vox_offset=544):
    """A little-endian NIfTI-2 header (540 bytes) with pixdim spacing 1 mm."""
    header = bytearray(540)
    struct.pack_into("<i", header, 0, 540)
    header[4:12] = b"n+2\0\r\n\x1a\n"
    struct.pack_into("<hh", header, 12, UINT8, 8)
    struct.pack_into("<8q", header, 16, *(list(dims) + [1] * (8 - len(dims))))
    struct.pack_into("<8d", header, 104, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
    struct.pack_into("<q", header, 168, vox_offset)
    struct.pack_into("<d", header, 176, 1.0)
    return bytes(header)


def scaled(size):
    return [[size, 0, 0, 0], [0, size, 0, 0], [0, 0, size, 0]]


def write(name, data):
    path = os.path.join(out, name)
    if name.endswith(".gz"):
        with open(path, "wb") as file, gzip.GzipFile(fileobj=file, mode="wb", mtime=0, filename="") as stream:
            stream.write(data)
    else:
        with open(path, "wb") as file:
            file.write(data)


NO_EXTENSION = b"\0\0\0\0"

# NIfTI-2 dim[0] outside 1...7: libnifti indexes dim[dim[0]] (8) or loops to 2^40 on its stack copy.
write("nifti2_dim0_8.nii", nifti2([8, 8, 8, 8]) + NO_EXTENSION + VOXELS)
write("nifti2_dim0_2e40.nii", nifti2([1 << 40, 8, 8, 8]) + NO_EXTENSION + VOXELS)
# Sizes whose product overflows 64 bits: 2^22 · 2^21 · 2^21 = 2^64, and a 5D 8³ · 2^40 · 2^40.
write("nifti2_count_2e64.nii", nifti2([3, 1 << 22, 1 << 21, 1 << 21]) + NO_EXTENSION + VOXELS)
write("nifti2_rank5_huge.nii", nifti2([5, 8, 8, 8, 1 << 40, 1 << 40]) + NO_EXTENSION + VOXELS)
# A size of 0 inside dim[1...dim[0]].
write("nifti1_dim_zero.nii", nifti1([3, 8, 0, 8]) + NO_EXTENSION + VOXELS)
# Voxel sizes: 1e4 and 1e30 mm are outside the accepted range and NaN is not a size; 1e3 mm is
# accepted but resampling it to 1 mm would make an 8000³ grid.
write("nifti1_sform_1e4.nii", nifti1([3, 8, 8, 8], sform=scaled(1e4)) + NO_EXTENSION + VOXELS)
write("nifti1_sform_1e30.nii", nifti1([3, 8, 8, 8], sform=scaled(1e30)) + NO_EXTENSION + VOXELS)
write("nifti1_sform_nan.nii", nifti1([3, 8, 8, 8], sform=scaled(float("nan"))) + NO_EXTENSION + VOXELS)
write("nifti1_sform_1e3.nii.gz", nifti1([3, 8, 8, 8], sform=scaled(1e3)) + NO_EXTENSION + VOXELS)
# A 2 GiB header extension, as large as the space before vox_offset (2^31 - 128, the largest float
# below 2^31), that libnifti would allocate and read before looking at the voxels; the offset lies past
# the cap on extensions (and past the end of the file).
extension = b"\1\0\0\0" + struct.pack("<ii", 2**31 - 480, 6) + b"{}" + bytes(6)
write("nifti1_extension_2gib.nii", nifti1([3, 8, 8, 8], vox_offset=2.0**31 - 128) + extension + VOXELS)
write("nifti1_extension_2gib.nii.gz", nifti1([3, 8, 8, 8], vox_offset=2.0**31 - 128) + extension + VOXELS)
# A data offset inside the cap but past the end of an uncompressed file.
write("nifti1_offset_past_end.nii", nifti1([3, 8, 8, 8], vox_offset=4096.0) + NO_EXTENSION + VOXELS)
# A header/image pair header: libnifti would open the .img beside it.
write("nifti1_pair.hdr", nifti1([3, 8, 8, 8], magic=b"ni1\0"))
# An ANALYZE 7.5 header (no NIfTI magic), also half of a pair.
write("analyze.hdr", nifti1([3, 8, 8, 8], magic=b"\0\0\0\0"))
# A compressed file whose header claims 512³ voxels (the default cap) but holds 512 bytes of them: its
# size bounds nothing, so a reader that allocated for the claim before reading would take 512 MiB of
# float voxels (and libnifti's raw buffer) for a file of a few kilobytes.
write("nifti1_gz_voxels_missing.nii.gz", nifti1([3, 512, 512, 512]) + NO_EXTENSION + VOXELS)
