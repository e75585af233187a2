#ifndef ACTIVESEG_CCOMPUTE_CONVOLUTION_H
#define ACTIVESEG_CCOMPUTE_CONVOLUTION_H

/// 3×3×3 convolutions (stride 1, zero padding 1) on oneDNN, called from the Neural engine.
///
/// The engine's activations are dense channels-last float32 `[N, D, H, W, C]`, the layout oneDNN's
/// direct (im2col-free) kernels read, so a float32 plan convolves the caller's tensors in place and
/// writes its output straight into the caller's buffer. Inputs and input gradients can come as
/// channel blocks (the U-Net's `[upsampled, skip]`), which are copied into and out of channel slices
/// of one operand buffer, so the concatenation never exists in the engine; a bfloat16 plan converts
/// its operands on the way in.
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct as_convolution as_convolution;

/// Arithmetic of a plan's convolutions: operands in this type, accumulation and outputs in float32.
typedef enum { AS_PRECISION_FP32 = 0, AS_PRECISION_BF16 = 1 } as_precision;

/// A plan for one shape: `batch × in_channels × depth × height × width` in, `out_channels` out, run
/// by `threads` workers. oneDNN splits a kernel's work for the thread count current when the plan is
/// made and starts that many threads at every call, so the plan is made for the count its calls
/// use. Returns NULL and writes the reason into `error` (at most `error_size` bytes) when oneDNN
/// has no implementation for the shape and precision on this CPU, or for a bf16 plan on a CPU
/// without bfloat16 dot-product instructions, where oneDNN's emulation is slower than fp32.
as_convolution *as_convolution_create(int batch, int in_channels, int out_channels, int depth, int height,
                                      int width, as_precision precision, int threads, char *error,
                                      size_t error_size);
void as_convolution_destroy(as_convolution *plan);

/// oneDNN's name for the kernels the plan runs (forward, backward data, backward weights), for
/// benchmarks and logs.
const char *as_convolution_implementation(const as_convolution *plan);

/// `output[N, D, H, W, Cout] = conv(input, weights)`, `weights` `[Cout, Cin, 3, 3, 3]`; the input is
/// `block_count` tensors `[N, D, H, W, block_channels[b]]` whose channels add up to `Cin`.
/// Returns 0, or −1 with the reason in `error`.
int as_convolution_forward(as_convolution *plan, int block_count, const float *const *inputs,
                           const int *block_channels, const float *weights, float *output, int threads,
                           char *error, size_t error_size);

/// The backward pass of `as_convolution_forward` for the same inputs: adds the weight gradient to
/// `weight_gradient` and, unless `input_gradients` is NULL, writes the input gradient as the same
/// channel blocks. Returns 0, or −1 with the reason in `error`.
int as_convolution_backward(as_convolution *plan, int block_count, const float *const *inputs,
                            const int *block_channels, const float *weights, const float *output_gradient,
                            float *weight_gradient, float *const *input_gradients, int threads,
                            char *error, size_t error_size);

#ifdef __cplusplus
}
#endif

#endif
