#ifndef ACTIVESEG_CCOMPUTE_PARALLEL_H
#define ACTIVESEG_CCOMPUTE_PARALLEL_H

/// The engine's one thread team: the OpenMP team oneDNN's kernels run on.
///
/// The engine's own kernels (normalisation, pooling, upsampling, elementwise) split their work
/// on the same team, so that two pools never compete for the same cores and no pool's idle threads
/// spin while the other one works.

#ifdef __cplusplus
extern "C" {
#endif

/// Calls `body(context, worker)` once for every `worker` in `0 ..< workers`, spread over a team of
/// at most `workers` threads (the calling thread among them), and returns when all calls have.
void as_parallel(int workers, void (*body)(void *context, int worker), void *context);

#ifdef __cplusplus
}
#endif

#endif
