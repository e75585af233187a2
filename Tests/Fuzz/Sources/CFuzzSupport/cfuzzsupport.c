/* LLVMFuzzerRunDriver comes from libFuzzer, linked into each harness; gzip from zlib. */
#include <zlib.h>
#include "cfuzzsupport.h"

int cfuzz_write_gzip(const char *path, const void *bytes, size_t length) {
    gzFile file = gzopen(path, "wb1");
    if (file == NULL) return -1;
    int complete = length == 0 || gzwrite(file, bytes, (unsigned)length) == (int)length;
    return gzclose(file) == Z_OK && complete ? 0 : -1;
}
