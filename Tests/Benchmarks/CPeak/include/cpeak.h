#ifndef ACTIVESEG_CPEAK_H
#define ACTIVESEG_CPEAK_H

/// Arithmetic peaks of this CPU, for printing achieved GFLOP/s next to what the cores can do.
///
/// Each kernel keeps enough independent accumulators in registers to hide the instruction latency,
/// on `threads` threads for about `seconds`, and returns GFLOP/s (a multiply and an add count two).

/// AVX-512 fused multiply-add on float32 (`VFMADD231PS`: 16 lanes × 2 flops).
double as_peak_fp32_fma(int threads, double seconds);

/// AVX512-BF16 dot products (`VDPBF16PS`: 16 float32 lanes, each adding two bfloat16 products,
/// 64 flops), or a negative value when the CPU lacks the instruction.
double as_peak_bf16_dot(int threads, double seconds);

#endif
