// Register-resident loops at the issue rate of one instruction; see include/cpeak.h.
#include "cpeak.h"

#include <immintrin.h>
#include <pthread.h>
#include <time.h>

enum { accumulators = 12, iterations = 1 << 20 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

struct job {
    int bf16;
    double seconds;
    double flops;
    float sink;
};

__attribute__((target("avx512f"))) static double fma_loop(double seconds, float *sink) {
    __m512 acc[accumulators];
    for (int i = 0; i < accumulators; ++i) acc[i] = _mm512_set1_ps((float)i);
    const __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(1e-6f);
    double flops = 0, start = now();
    do {
        for (int n = 0; n < iterations; ++n) {
            for (int i = 0; i < accumulators; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
        }
        flops += (double)iterations * accumulators * 32;
    } while (now() - start < seconds);
    __m512 total = acc[0];
    for (int i = 1; i < accumulators; ++i) total = _mm512_add_ps(total, acc[i]);
    *sink = _mm512_reduce_add_ps(total);
    return flops;
}

__attribute__((target("avx512f,avx512bf16"))) static double dot_loop(double seconds, float *sink) {
    __m512 acc[accumulators];
    for (int i = 0; i < accumulators; ++i) acc[i] = _mm512_set1_ps((float)i);
    const __m512bh a = _mm512_cvtne2ps_pbh(_mm512_set1_ps(1e-3f), _mm512_set1_ps(2e-3f));
    const __m512bh b = _mm512_cvtne2ps_pbh(_mm512_set1_ps(3e-3f), _mm512_set1_ps(4e-3f));
    double flops = 0, start = now();
    do {
        for (int n = 0; n < iterations; ++n) {
            for (int i = 0; i < accumulators; ++i) acc[i] = _mm512_dpbf16_ps(acc[i], a, b);
        }
        flops += (double)iterations * accumulators * 64;
    } while (now() - start < seconds);
    __m512 total = acc[0];
    for (int i = 1; i < accumulators; ++i) total = _mm512_add_ps(total, acc[i]);
    *sink = _mm512_reduce_add_ps(total);
    return flops;
}

static void *worker(void *argument) {
    struct job *job = argument;
    job->flops = job->bf16 ? dot_loop(job->seconds, &job->sink) : fma_loop(job->seconds, &job->sink);
    return 0;
}

static double measure(int bf16, int threads, double seconds) {
    enum { most = 64 };
    if (threads < 1) threads = 1;
    if (threads > most) threads = most;
    pthread_t ids[most];
    struct job jobs[most];
    double start = now();
    for (int t = 0; t < threads; ++t) {
        jobs[t] = (struct job){bf16, seconds, 0, 0};
        pthread_create(&ids[t], 0, worker, &jobs[t]);
    }
    double flops = 0;
    for (int t = 0; t < threads; ++t) {
        pthread_join(ids[t], 0);
        flops += jobs[t].flops;
    }
    return flops / (now() - start) / 1e9;
}

double as_peak_fp32_fma(int threads, double seconds) {
    if (!__builtin_cpu_supports("avx512f")) return -1;
    return measure(0, threads, seconds);
}

double as_peak_bf16_dot(int threads, double seconds) {
    if (!__builtin_cpu_supports("avx512bf16")) return -1;
    return measure(1, threads, seconds);
}
