#ifndef ACTIVESEG_CNIFTI_H
#define ACTIVESEG_CNIFTI_H
/* The small part of libnifti2 that ActiveSeg's Volume library uses. */
int cnifti_library_version(void);
#endif
