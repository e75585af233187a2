// The engine's thread team on libgomp; see include/ccompute_parallel.h.
#include "ccompute_parallel.h"

// libgomp's entry points (the ABI GCC's `#pragma omp parallel` compiles to), declared here because
// the C compiler building this target need not ship an OpenMP header.
extern void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
extern int omp_get_thread_num(void);
extern int omp_get_num_threads(void);

struct team_work {
    void (*body)(void *, int);
    void *context;
    int workers;
};

static void run_share(void *data) {
    const struct team_work *work = data;
    // A team smaller than asked for (nested regions run on one thread) still covers every worker.
    for (int worker = omp_get_thread_num(); worker < work->workers; worker += omp_get_num_threads()) {
        work->body(work->context, worker);
    }
}

void as_parallel(int workers, void (*body)(void *context, int worker), void *context) {
    if (workers <= 1) {
        body(context, 0);
        return;
    }
    struct team_work work = {body, context, workers};
    GOMP_parallel(run_share, &work, (unsigned)workers, 0);
}
