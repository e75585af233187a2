#include <nifti2_io.h>
#include "cnifti.h"
int cnifti_library_version(void) { return NIFTI_ECODE_MIND_IDENT > 0 ? 2 : 0; }
