#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nifti2_io.h>
#include "cnifti.h"

static void set_error(char *error, size_t length, const char *format, const char *detail) {
    if (error != NULL && length > 0) snprintf(error, length, format, detail);
}

static int64_t voxel_count(const int64_t *dim) {
    int64_t count = 1;
    for (int axis = 1; axis <= dim[0] && axis < 8; axis++) count *= dim[axis];
    return count;
}

static void copy_matrix(const nifti_dmat44 *matrix, double *out) {
    for (int row = 0; row < 4; row++)
        for (int column = 0; column < 4; column++) out[row * 4 + column] = matrix->m[row][column];
}

/* Files are always opened through zlib, which reads plain files unchanged, so the name never decides. */
static znzFile open_for_reading(const char *path) {
    return znzopen(path, "rb", 1);
}

cnifti_status cnifti_read_prefix(const char *path, void *bytes, size_t capacity, size_t *length) {
    *length = 0;
    znzFile file = open_for_reading(path);
    if (znz_isnull(file)) return CNIFTI_ERROR_OPEN;
    size_t count = znzread(bytes, 1, capacity, file);
    znzclose(file);
    /* znzread passes on zlib's -1 for a damaged stream. */
    if (count > capacity) return CNIFTI_ERROR_DATA;
    *length = count;
    return CNIFTI_OK;
}

cnifti_status cnifti_available_length(const char *path, int64_t length, int64_t *available) {
    *available = 0;
    znzFile file = open_for_reading(path);
    if (znz_isnull(file)) return CNIFTI_ERROR_OPEN;
    char chunk[1 << 16];
    int64_t total = 0;
    cnifti_status status = CNIFTI_OK;
    while (total < length) {
        size_t wanted = length - total < (int64_t)sizeof chunk ? (size_t)(length - total) : sizeof chunk;
        size_t count = znzread(chunk, 1, wanted, file);
        /* znzread passes on zlib's -1 for a damaged stream. */
        if (count > wanted) {
            status = CNIFTI_ERROR_DATA;
            break;
        }
        if (count == 0) break;
        total += (int64_t)count;
    }
    znzclose(file);
    *available = total;
    return status;
}

cnifti_status cnifti_decode_header(const void *bytes, size_t length, cnifti_header *header,
                                   char *error, size_t error_length) {
    nifti_set_debug_level(0);
    nifti_image *image = NULL;
    int version = nifti_header_version((const char *)bytes, length);
    if (version == 2 && length >= sizeof(nifti_2_header)) {
        nifti_2_header stored;
        memcpy(&stored, bytes, sizeof stored);
        image = nifti_convert_n2hdr2nim(stored, NULL);
    } else if (version == 1) {
        nifti_1_header stored;
        memcpy(&stored, bytes, sizeof stored);
        image = nifti_convert_n1hdr2nim(stored, NULL);
    }
    if (image == NULL) {
        set_error(error, error_length, "%s", "libnifti cannot decode the header");
        return CNIFTI_ERROR_OPEN;
    }
    memset(header, 0, sizeof *header);
    header->nifti_version = version;
    for (int i = 0; i < 8; i++) {
        header->dim[i] = image->dim[i];
        header->pixdim[i] = image->pixdim[i];
    }
    header->datatype = image->datatype;
    header->bytes_per_voxel = image->nbyper;
    header->swap_size = image->byteorder != nifti_short_order() ? image->swapsize : 0;
    header->vox_offset = image->iname_offset;
    header->scl_slope = image->scl_slope;
    header->scl_inter = image->scl_inter;
    header->qform_code = image->qform_code;
    header->sform_code = image->sform_code;
    copy_matrix(&image->qto_xyz, header->qform);
    copy_matrix(&image->sto_xyz, header->sform);
    nifti_image_free(image);
    return CNIFTI_OK;
}

/* The image's voxels as stored, in native byte order, or NULL when the file ends early. */
static void *read_raw_voxels(const char *path, const cnifti_header *header, int64_t count) {
    size_t bytes = (size_t)count * (size_t)header->bytes_per_voxel;
    void *data = malloc(bytes > 0 ? bytes : 1);
    if (data == NULL) return NULL;
    znzFile file = open_for_reading(path);
    if (znz_isnull(file)) {
        free(data);
        return NULL;
    }
    /* gzseek returns the new offset and fseek 0, so success is checked with znztell. */
    znzseek(file, (znz_off_t)header->vox_offset, SEEK_SET);
    int complete = znztell(file) == (long)header->vox_offset && znzread(data, 1, bytes, file) == bytes;
    znzclose(file);
    if (!complete) {
        free(data);
        return NULL;
    }
    if (header->swap_size > 1) nifti_swap_Nbytes(count, header->swap_size, data);
    return data;
}

#define CONVERT(TYPE)                                                          \
    do {                                                                       \
        const TYPE *source = (const TYPE *)data;                               \
        for (int64_t i = 0; i < count; i++)                                    \
            voxels[i] = (float)((double)source[i] * slope + inter);            \
    } while (0)

cnifti_status cnifti_read_float(const char *path, const cnifti_header *header, float *voxels, int64_t count,
                               char *error, size_t error_length) {
    if (voxel_count(header->dim) != count) {
        set_error(error, error_length, "voxel count of %s differs from the buffer", path);
        return CNIFTI_ERROR_ARGUMENT;
    }
    switch (header->datatype) {
    case NIFTI_TYPE_UINT8: case NIFTI_TYPE_INT8: case NIFTI_TYPE_INT16: case NIFTI_TYPE_UINT16:
    case NIFTI_TYPE_INT32: case NIFTI_TYPE_FLOAT32: case NIFTI_TYPE_FLOAT64:
        break;
    default:
        set_error(error, error_length, "unsupported NIfTI datatype in %s", path);
        return CNIFTI_ERROR_DATATYPE;
    }
    /*
     * The voxels are read here rather than by nifti_image_load, which silently replaces NaN and
     * infinite values by zero; the caller must see them to reject such images.
     */
    void *data = read_raw_voxels(path, header, count);
    if (data == NULL) {
        set_error(error, error_length, "voxel data of %s is truncated or corrupt", path);
        return CNIFTI_ERROR_DATA;
    }
    double slope = header->scl_slope, inter = header->scl_inter;
    if (slope == 0 || isnan(slope) || isinf(slope)) { slope = 1; inter = 0; }
    if (isnan(inter) || isinf(inter)) inter = 0;
    switch (header->datatype) {
    case NIFTI_TYPE_UINT8: CONVERT(uint8_t); break;
    case NIFTI_TYPE_INT8: CONVERT(int8_t); break;
    case NIFTI_TYPE_INT16: CONVERT(int16_t); break;
    case NIFTI_TYPE_UINT16: CONVERT(uint16_t); break;
    case NIFTI_TYPE_INT32: CONVERT(int32_t); break;
    case NIFTI_TYPE_FLOAT32: CONVERT(float); break;
    case NIFTI_TYPE_FLOAT64: CONVERT(double); break;
    }
    free(data);
    return CNIFTI_OK;
}

/*
 * Writes header, empty extension flag and voxels into one .nii or .nii.gz file. libnifti 3.0.1 would
 * write a NIfTI-2 single file as a header/image pair with the same name, losing the header, so the
 * file is assembled here from libnifti's header conversion for both versions.
 */
static int write_single_file(nifti_image *image, const char *path, int nifti2, int64_t count) {
    nifti_1_header header1;
    nifti_2_header header2;
    void *header;
    size_t header_size;
    if (nifti2) {
        image->nifti_type = NIFTI_FTYPE_NIFTI2_1;
        image->iname_offset = 544;
        if (nifti_convert_nim2n2hdr(image, &header2) != 0) return 0;
        header2.vox_offset = 544;
        header = &header2;
        header_size = sizeof header2;
    } else {
        image->nifti_type = NIFTI_FTYPE_NIFTI1_1;
        image->iname_offset = 352;
        if (nifti_convert_nim2n1hdr(image, &header1) != 0) return 0;
        header1.vox_offset = 352;
        header = &header1;
        header_size = sizeof header1;
    }
    znzFile file = znzopen(path, "wb", nifti_is_gzfile(path));
    if (znz_isnull(file)) return 0;
    const char extender[4] = {0, 0, 0, 0};
    size_t data_size = (size_t)count * (size_t)image->nbyper;
    int complete = znzwrite(header, 1, header_size, file) == header_size
        && znzwrite(extender, 1, sizeof extender, file) == sizeof extender
        && znzwrite(image->data, 1, data_size, file) == data_size;
    return znzclose(file) == 0 && complete;
}

#define STORE(TYPE, LOW, HIGH)                                                 \
    do {                                                                       \
        TYPE *target = (TYPE *)image->data;                                    \
        for (int64_t i = 0; i < count; i++) {                                  \
            double value = nearbyint(((double)voxels[i] - inter) / slope);     \
            if (value < (LOW)) value = (LOW);                                  \
            if (value > (HIGH)) value = (HIGH);                                \
            target[i] = (TYPE)value;                                           \
        }                                                                      \
    } while (0)

cnifti_status cnifti_write_float(const char *path, const cnifti_header *header, const float *voxels,
                                 char *error, size_t error_length) {
    nifti_set_debug_level(0);
    int64_t dims[8];
    for (int i = 0; i < 8; i++) dims[i] = header->dim[i];
    if (dims[0] < 1 || dims[0] > 7) {
        set_error(error, error_length, "invalid number of dimensions for %s", path);
        return CNIFTI_ERROR_ARGUMENT;
    }
    nifti_image *image = nifti_make_new_nim(dims, header->datatype, 1);
    if (image == NULL || image->data == NULL) {
        if (image != NULL) nifti_image_free(image);
        set_error(error, error_length, "cannot allocate an image for %s", path);
        return CNIFTI_ERROR_MEMORY;
    }
    int64_t count = voxel_count(image->dim);
    double slope = header->scl_slope, inter = header->scl_inter;
    if (slope == 0 || isnan(slope)) { slope = 1; inter = 0; }
    image->scl_slope = slope == 1 && inter == 0 ? 0 : slope;
    image->scl_inter = image->scl_slope == 0 ? 0 : inter;
    switch (header->datatype) {
    case NIFTI_TYPE_UINT8: STORE(uint8_t, 0, 255); break;
    case NIFTI_TYPE_INT8: STORE(int8_t, -128, 127); break;
    case NIFTI_TYPE_INT16: STORE(int16_t, -32768, 32767); break;
    case NIFTI_TYPE_UINT16: STORE(uint16_t, 0, 65535); break;
    case NIFTI_TYPE_INT32: STORE(int32_t, -2147483648.0, 2147483647.0); break;
    case NIFTI_TYPE_FLOAT32: memcpy(image->data, voxels, (size_t)count * sizeof(float)); break;
    case NIFTI_TYPE_FLOAT64: {
        double *target = (double *)image->data;
        for (int64_t i = 0; i < count; i++) target[i] = voxels[i];
        break;
    }
    default:
        nifti_image_free(image);
        set_error(error, error_length, "unsupported NIfTI datatype for %s", path);
        return CNIFTI_ERROR_DATATYPE;
    }
    for (int i = 1; i < 8; i++) {
        image->pixdim[i] = header->pixdim[i];
    }
    image->dx = image->pixdim[1]; image->dy = image->pixdim[2]; image->dz = image->pixdim[3];
    image->dt = image->pixdim[4];
    image->xyz_units = NIFTI_UNITS_MM;
    image->time_units = NIFTI_UNITS_SEC;
    image->sform_code = header->sform_code;
    image->qform_code = header->qform_code;
    for (int row = 0; row < 4; row++)
        for (int column = 0; column < 4; column++) {
            image->sto_xyz.m[row][column] = header->sform[row * 4 + column];
            image->qto_xyz.m[row][column] = header->qform[row * 4 + column];
        }
    image->sto_ijk = nifti_dmat44_inverse(image->sto_xyz);
    if (header->qform_code > 0) {
        double dx, dy, dz, qfac;
        nifti_dmat44_to_quatern(image->qto_xyz, &image->quatern_b, &image->quatern_c, &image->quatern_d,
                                &image->qoffset_x, &image->qoffset_y, &image->qoffset_z,
                                &dx, &dy, &dz, &qfac);
        image->qfac = qfac;
        image->pixdim[0] = qfac;
        image->qto_ijk = nifti_dmat44_inverse(image->qto_xyz);
    }
    int written = write_single_file(image, path, header->nifti_version == 2, count);
    nifti_image_free(image);
    if (!written) {
        set_error(error, error_length, "cannot write %s completely", path);
        return CNIFTI_ERROR_WRITE;
    }
    return CNIFTI_OK;
}
