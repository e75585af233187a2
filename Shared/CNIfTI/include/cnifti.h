#ifndef ACTIVESEG_CNIFTI_H
#define ACTIVESEG_CNIFTI_H
/*
 * The small part of libnifti2 that ActiveSeg's Volume library uses.
 *
 * No libnifti type crosses this header: a file is read into a plain header struct and a caller-owned
 * float buffer, and written from the same, so the Swift side never manages a nifti_image.
 *
 * Reading never lets libnifti choose a file: its header reader looks for sibling files by name
 * (X.hdr -> X.img, X -> X.nii) and trusts dim[0] and the extension sizes, so the caller reads the
 * header bytes of the exact path, checks them, and has libnifti decode those bytes only.
 */
#include <stddef.h>
#include <stdint.h>

/* Why a call failed; the Swift side turns these into typed errors. */
typedef enum {
    CNIFTI_OK = 0,
    CNIFTI_ERROR_OPEN = 1,          /* the header could not be read: missing, not NIfTI, corrupt */
    CNIFTI_ERROR_DATA = 2,          /* the header was read but the voxel data was short or corrupt */
    CNIFTI_ERROR_DATATYPE = 3,      /* a datatype this API does not convert */
    CNIFTI_ERROR_ARGUMENT = 4,      /* buffer size or header fields inconsistent */
    CNIFTI_ERROR_WRITE = 5,         /* the file could not be written completely */
    CNIFTI_ERROR_MEMORY = 6
} cnifti_status;

/* Header fields needed to place and scale the voxels. Matrices are row-major 4x4. */
typedef struct {
    int nifti_version;      /* 1 or 2 */
    int64_t dim[8];         /* dim[0] = number of dimensions, dim[1...] = sizes */
    double pixdim[8];       /* pixdim[0] = qfac */
    int datatype;           /* NIFTI_TYPE_* code */
    int bytes_per_voxel;    /* of the stored datatype (read only) */
    int swap_size;          /* bytes to swap per value when the file's byte order is not the host's, else 0 (read only) */
    int64_t vox_offset;     /* where the voxels start in the (decompressed) file (read only) */
    double scl_slope;
    double scl_inter;
    int qform_code;
    int sform_code;
    double qform[16];       /* qform as libnifti derives it from the quaternion fields */
    double sform[16];
} cnifti_header;

/*
 * Reads up to `capacity` bytes from the start of `path`, decompressing gzip whatever the file's name;
 * `*length` is the number read. CNIFTI_ERROR_DATA means a damaged gzip stream.
 */
cnifti_status cnifti_read_prefix(const char *path, void *bytes, size_t capacity, size_t *length);

/*
 * Reads `path` (decompressing gzip) up to `length` bytes in small chunks, keeping none of them;
 * `*available` is how many it holds, at most `length`. A reader calls it before allocating for a
 * compressed file, whose size says nothing about the length its header claims. CNIFTI_ERROR_DATA
 * means a damaged gzip stream.
 */
cnifti_status cnifti_available_length(const char *path, int64_t length, int64_t *available);

/*
 * Decodes a NIfTI-1 or NIfTI-2 header from its bytes (byte order, qform from the quaternion). The
 * caller must have checked them first: libnifti loops over dim[1...dim[0]] without a bound.
 */
cnifti_status cnifti_decode_header(const void *bytes, size_t length, cnifti_header *header,
                                   char *error, size_t error_length);

/*
 * Reads the voxels of the single-file image at `path`, whose header `cnifti_decode_header` decoded, as
 * float32 with scl_slope/scl_inter applied (a slope of 0 or NaN means unscaled, as nibabel reads it).
 * `count` must equal the product of the header's dimensions.
 */
cnifti_status cnifti_read_float(const char *path, const cnifti_header *header, float *voxels, int64_t count,
                                char *error, size_t error_length);

/*
 * Writes `voxels` (float32, x fastest) to `path` in the given datatype, rounding and clamping for
 * integer types after removing scl_slope/scl_inter. The file name's ending selects gzip (.nii.gz).
 * `nifti_version` selects the NIfTI-1 or NIfTI-2 header. The qform is derived from the sform when
 * qform_code > 0; both matrices are taken from `header`.
 */
cnifti_status cnifti_write_float(const char *path, const cnifti_header *header, const float *voxels,
                                 char *error, size_t error_length);

#endif
