#ifndef ACTIVESEG_CFUZZSUPPORT_H
#define ACTIVESEG_CFUZZSUPPORT_H
#include <stddef.h>
#include <stdint.h>

/*
 * libFuzzer's entry for a program with its own main (compiler-rt's FuzzerInterface.h): it parses
 * libFuzzer's flags from argc/argv and runs `callback` on every input, as libFuzzer's own main does.
 */
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

/* Writes `bytes` to `path` as one gzip stream; 0 on success. */
int cfuzz_write_gzip(const char *path, const void *bytes, size_t length);

#endif
