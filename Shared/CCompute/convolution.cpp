// oneDNN-backed 3×3×3 convolutions; see include/ccompute_convolution.h for the contract.
#include "ccompute_convolution.h"
#include "ccompute_parallel.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

extern "C" void omp_set_num_threads(int);

namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

/// Reorder and operand buffers shared by every plan in the process. A training step reuses the same
/// few sizes over and over, so buffers go back to the pool instead of being unmapped and faulted in
/// again; the pool holds at most `limit` idle bytes, so a large inference leaves no lasting
/// footprint, and concurrent calls (two trainings in one process) each take their own buffers.
class BufferPool {
public:
    static constexpr size_t limit = size_t(256) << 20;

    std::unique_ptr<char[]> take(size_t bytes, size_t &capacity) {
        std::lock_guard<std::mutex> lock(mutex);
        size_t best = idle.size();
        for (size_t i = 0; i < idle.size(); ++i) {
            if (idle[i].second >= bytes && (best == idle.size() || idle[i].second < idle[best].second)) best = i;
        }
        if (best == idle.size()) {
            capacity = bytes;
            return std::unique_ptr<char[]>(new char[bytes]);
        }
        auto buffer = std::move(idle[best].first);
        capacity = idle[best].second;
        idleBytes -= capacity;
        idle.erase(idle.begin() + static_cast<std::ptrdiff_t>(best));
        return buffer;
    }

    void give(std::unique_ptr<char[]> buffer, size_t capacity) {
        std::lock_guard<std::mutex> lock(mutex);
        if (capacity > limit) return;
        idle.emplace_back(std::move(buffer), capacity);
        idleBytes += capacity;
        // Over the limit, the largest idle buffers go first.
        std::sort(idle.begin(), idle.end(), [](const auto &a, const auto &b) { return a.second < b.second; });
        while (idleBytes > limit) {
            idleBytes -= idle.back().second;
            idle.pop_back();
        }
    }

private:
    std::mutex mutex;
    std::vector<std::pair<std::unique_ptr<char[]>, size_t>> idle;
    size_t idleBytes = 0;
};

BufferPool pool;

/// The buffers of one call, by slot, returned to the pool when the call ends.
class Workspace {
public:
    ~Workspace() {
        for (auto &slot : slots) {
            if (slot.buffer) pool.give(std::move(slot.buffer), slot.capacity);
        }
    }

    void *get(size_t index, size_t bytes) {
        if (index >= slots.size()) slots.resize(index + 1);
        auto &slot = slots[index];
        if (!slot.buffer) slot.buffer = pool.take(bytes, slot.capacity);
        return slot.buffer.get();
    }

private:
    struct Slot {
        std::unique_ptr<char[]> buffer;
        size_t capacity = 0;
    };
    std::vector<Slot> slots;
};

enum Slot : size_t { sourceSlot, gradientSlot, inputGradientSlot, weightSlot, weightGradientSlot };

/// float32 → bfloat16, rounding to nearest even as oneDNN and PyTorch do.
inline uint16_t bfloat16(float value) {
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    bits += 0x7FFF + ((bits >> 16) & 1);
    return static_cast<uint16_t>(bits >> 16);
}

/// Voxel rows per task of a copy between channel blocks and a plan's operand buffer.
constexpr int64_t rowsPerTask = 256;

/// Runs `body(begin, end)` over `count` voxel rows in tasks of `rowsPerTask`, split over `threads`
/// workers of the engine's thread team.
template <typename Body>
void overRows(int64_t count, int threads, const Body &body) {
    struct Work {
        const Body *body;
        int64_t count;
        int workers;
    } work{&body, count, std::max(1, threads)};
    as_parallel(work.workers, [](void *context, int worker) {
        auto &w = *static_cast<Work *>(context);
        const int64_t tasks = (w.count + rowsPerTask - 1) / rowsPerTask;
        for (int64_t t = tasks * worker / w.workers; t < tasks * (worker + 1) / w.workers; ++t) {
            (*w.body)(t * rowsPerTask, std::min(w.count, (t + 1) * rowsPerTask));
        }
    }, &work);
}

/// Copies a channels-last float32 block `[rows, channels]` into channels `offset ..< offset +
/// channels` of a channels-last `[rows, stride]` buffer of `Element` (float32 or bfloat16).
template <typename Element>
void intoSlice(const float *source, int64_t channels, int64_t rows, Element *destination, int64_t stride,
               int64_t offset, int threads) {
    overRows(rows, threads, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            const float *from = source + r * channels;
            Element *to = destination + r * stride + offset;
            for (int64_t c = 0; c < channels; ++c) {
                if constexpr (sizeof(Element) == 2) {
                    to[c] = bfloat16(from[c]);
                } else {
                    to[c] = from[c];
                }
            }
        }
    });
}

/// Channels `offset ..< offset + channels` of a channels-last float32 `[rows, stride]` buffer into
/// a channels-last block `[rows, channels]`.
void fromSlice(const float *source, int64_t stride, int64_t offset, int64_t channels, int64_t rows,
               float *destination, int threads) {
    overRows(rows, threads, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            std::memcpy(destination + r * channels, source + r * stride + offset, sizeof(float) * channels);
        }
    });
}

void copyError(const char *message, char *error, size_t size) {
    if (error && size > 0) std::snprintf(error, size, "%s", message);
}

}  // namespace

struct as_convolution {
    dnnl::engine engine{dnnl::engine::kind::cpu, 0};
    dnnl::stream stream{engine};
    memory::dims spatial;  // D, H, W
    int batch, inChannels, outChannels;
    dt operand;
    std::string implementation;

    dnnl::convolution_forward::primitive_desc forwardDesc;
    dnnl::convolution_forward forward;
    std::optional<dnnl::convolution_backward_data::primitive_desc> backwardDataDesc;
    std::optional<dnnl::convolution_backward_data> backwardData;
    std::optional<dnnl::convolution_backward_weights::primitive_desc> backwardWeightsDesc;
    std::optional<dnnl::convolution_backward_weights> backwardWeights;

    memory::dims dims(int channels) const { return {batch, channels, spatial[0], spatial[1], spatial[2]}; }

    int64_t voxels() const { return spatial[0] * spatial[1] * spatial[2]; }

    /// Workers of the engine's thread team for the current call.
    int threads = 1;

    /// Voxel rows of an operand: batch times voxels.
    int64_t rows() const { return batch * voxels(); }

    /// A channels-last float32 block `[N, D, H, W, channels]` into channels `offset ..< offset +
    /// channels` of the `[N, D, H, W, total]` buffer `destination` of `type`.
    void intoSlice(const float *source, int channels, int total, int offset, void *destination, dt type) {
        if (type == dt::bf16) {
            ::intoSlice(source, channels, rows(), static_cast<uint16_t *>(destination), total, offset, threads);
        } else {
            ::intoSlice(source, channels, rows(), static_cast<float *>(destination), total, offset, threads);
        }
    }

    void reorder(const memory::desc &from, const void *source, const memory::desc &to, void *destination) {
        memory a(from, engine, const_cast<void *>(source)), b(to, engine, destination);
        dnnl::reorder(a, b).execute(stream, a, b);
    }

    /// The input blocks as one channels-last operand: the caller's tensor itself when it is a single
    /// float32 block, otherwise the blocks gathered (and converted to bfloat16) into a buffer.
    void *operandInputs(Workspace &workspace, int count, const float *const *inputs, const int *channels) {
        if (count == 1 && operand == dt::f32) return const_cast<float *>(inputs[0]);
        void *buffer = workspace.get(sourceSlot, forwardDesc.src_desc().get_size());
        int offset = 0;
        for (int b = 0; b < count; ++b) {
            intoSlice(inputs[b], channels[b], inChannels, offset, buffer, operand);
            offset += channels[b];
        }
        return buffer;
    }

    void *weightsAs(Workspace &workspace, const memory::desc &layout, const float *weights) {
        void *buffer = workspace.get(weightSlot, layout.get_size());
        reorder(memory::desc({outChannels, inChannels, 3, 3, 3}, dt::f32, tag::oidhw), weights, layout, buffer);
        return buffer;
    }

    void prepareBackward() {
        if (backwardData) return;
        const memory::dims unit = {1, 1, 1};
        auto src = memory::desc(dims(inChannels), operand, tag::ndhwc);
        auto diffSrc = memory::desc(dims(inChannels), dt::f32, tag::ndhwc);
        auto diffDst = memory::desc(dims(outChannels), operand, tag::ndhwc);
        auto weightsAny = memory::desc({outChannels, inChannels, 3, 3, 3}, operand, tag::any);
        auto diffWeightsAny = memory::desc({outChannels, inChannels, 3, 3, 3}, dt::f32, tag::any);
        dnnl::convolution_backward_data::desc data(dnnl::algorithm::convolution_direct, diffSrc, weightsAny, diffDst,
                                                   unit, unit, unit);
        backwardDataDesc.emplace(data, engine, forwardDesc);
        backwardData.emplace(*backwardDataDesc);
        dnnl::convolution_backward_weights::desc weights(dnnl::algorithm::convolution_direct, src, diffWeightsAny,
                                                         diffDst, unit, unit, unit);
        backwardWeightsDesc.emplace(weights, engine, forwardDesc);
        backwardWeights.emplace(*backwardWeightsDesc);
        implementation += std::string(" | backward data ") + backwardDataDesc->impl_info_str()
                          + " | backward weights " + backwardWeightsDesc->impl_info_str();
    }
};

extern "C" {

as_convolution *as_convolution_create(int batch, int in_channels, int out_channels, int depth, int height,
                                      int width, as_precision precision, int threads, char *error,
                                      size_t error_size) {
    // A bf16 plan must run on bfloat16 instructions: oneDNN's emulation on plain AVX-512
    // (`jit_bf16:avx512_core`) trains at about 0.4x the fp32 rate on cores without VDPBF16PS, so it
    // is refused before any kernel is compiled.
    const unsigned native_bf16 = dnnl_cpu_isa_avx512_core_bf16;
    const bool has_native_bf16 = (static_cast<unsigned>(dnnl_get_effective_cpu_isa()) & native_bf16) == native_bf16;
    if (precision == AS_PRECISION_BF16 && !has_native_bf16) {
        copyError("this CPU has no bfloat16 dot-product instructions (AVX512-BF16)", error, error_size);
        return nullptr;
    }
    try {
        omp_set_num_threads(threads);
        auto plan = std::make_unique<as_convolution>();
        plan->threads = threads;
        plan->spatial = {depth, height, width};
        plan->batch = batch;
        plan->inChannels = in_channels;
        plan->outChannels = out_channels;
        plan->operand = precision == AS_PRECISION_BF16 ? dt::bf16 : dt::f32;
        const memory::dims unit = {1, 1, 1};
        auto src = memory::desc(plan->dims(in_channels), plan->operand, tag::ndhwc);
        auto dst = memory::desc(plan->dims(out_channels), dt::f32, tag::ndhwc);
        auto weights = memory::desc({out_channels, in_channels, 3, 3, 3}, plan->operand, tag::any);
        dnnl::convolution_forward::desc forward(dnnl::prop_kind::forward_training,
                                                dnnl::algorithm::convolution_direct, src, weights, dst, unit, unit,
                                                unit);
        plan->forwardDesc = dnnl::convolution_forward::primitive_desc(forward, plan->engine);
        plan->forward = dnnl::convolution_forward(plan->forwardDesc);
        plan->implementation = std::string("forward ") + plan->forwardDesc.impl_info_str();
        // Nor on a reference loop where oneDNN has no bf16 kernel for the shape.
        if (precision == AS_PRECISION_BF16 && plan->implementation.find("ref") != std::string::npos) {
            copyError(("oneDNN has only a reference kernel here: " + plan->implementation).c_str(), error, error_size);
            return nullptr;
        }
        return plan.release();
    } catch (const dnnl::error &e) {
        copyError(e.what(), error, error_size);
        return nullptr;
    }
}

void as_convolution_destroy(as_convolution *plan) { delete plan; }

const char *as_convolution_implementation(const as_convolution *plan) { return plan->implementation.c_str(); }

int as_convolution_forward(as_convolution *plan, int block_count, const float *const *inputs,
                           const int *block_channels, const float *weights, float *output, int threads,
                           char *error, size_t error_size) {
    try {
        omp_set_num_threads(threads);
        plan->threads = threads;
        Workspace workspace;
        void *src = plan->operandInputs(workspace, block_count, inputs, block_channels);
        void *w = plan->weightsAs(workspace, plan->forwardDesc.weights_desc(), weights);
        memory s(plan->forwardDesc.src_desc(), plan->engine, src), k(plan->forwardDesc.weights_desc(), plan->engine, w),
            d(plan->forwardDesc.dst_desc(), plan->engine, output);
        plan->forward.execute(plan->stream, {{DNNL_ARG_SRC, s}, {DNNL_ARG_WEIGHTS, k}, {DNNL_ARG_DST, d}});
        plan->stream.wait();
        return 0;
    } catch (const dnnl::error &e) {
        copyError(e.what(), error, error_size);
        return -1;
    }
}

int as_convolution_backward(as_convolution *plan, int block_count, const float *const *inputs,
                            const int *block_channels, const float *weights, const float *output_gradient,
                            float *weight_gradient, float *const *input_gradients, int threads,
                            char *error, size_t error_size) {
    try {
        omp_set_num_threads(threads);
        plan->threads = threads;
        plan->prepareBackward();
        auto &data = *plan->backwardDataDesc;
        auto &weightsDesc = *plan->backwardWeightsDesc;
        Workspace workspace;
        void *diffDst = const_cast<float *>(output_gradient);
        if (plan->operand != dt::f32) {
            diffDst = workspace.get(gradientSlot, data.diff_dst_desc().get_size());
            plan->intoSlice(output_gradient, plan->outChannels, plan->outChannels, 0, diffDst, plan->operand);
        }
        memory dd(data.diff_dst_desc(), plan->engine, diffDst);

        void *src = plan->operandInputs(workspace, block_count, inputs, block_channels);
        void *dw = workspace.get(weightGradientSlot, weightsDesc.diff_weights_desc().get_size());
        memory s(weightsDesc.src_desc(), plan->engine, src), g(weightsDesc.diff_weights_desc(), plan->engine, dw);
        plan->backwardWeights->execute(plan->stream,
                                       {{DNNL_ARG_SRC, s}, {DNNL_ARG_DIFF_DST, dd}, {DNNL_ARG_DIFF_WEIGHTS, g}});
        // The gradient comes back in oneDNN's blocked weight layout: reorder it, then accumulate.
        const auto count = static_cast<size_t>(plan->outChannels) * plan->inChannels * 27;
        std::vector<float> plain(count);
        plan->reorder(weightsDesc.diff_weights_desc(), dw,
                      memory::desc({plan->outChannels, plan->inChannels, 3, 3, 3}, dt::f32, tag::oidhw), plain.data());
        plan->stream.wait();
        for (size_t i = 0; i < count; ++i) weight_gradient[i] += plain[i];

        if (input_gradients) {
            void *w = plan->weightsAs(workspace, data.weights_desc(), weights);
            // A single block receives the gradient in place; two are written through a buffer.
            void *diffSrc = block_count == 1 ? static_cast<void *>(input_gradients[0])
                                             : workspace.get(inputGradientSlot, data.diff_src_desc().get_size());
            memory k(data.weights_desc(), plan->engine, w), ds(data.diff_src_desc(), plan->engine, diffSrc);
            plan->backwardData->execute(plan->stream,
                                        {{DNNL_ARG_DIFF_DST, dd}, {DNNL_ARG_WEIGHTS, k}, {DNNL_ARG_DIFF_SRC, ds}});
            plan->stream.wait();
            if (block_count > 1) {
                int offset = 0;
                for (int b = 0; b < block_count; ++b) {
                    ::fromSlice(static_cast<const float *>(diffSrc), plan->inChannels, offset, block_channels[b],
                                plan->rows(), input_gradients[b], plan->threads);
                    offset += block_channels[b];
                }
            }
        }
        return 0;
    } catch (const dnnl::error &e) {
        copyError(e.what(), error, error_size);
        return -1;
    }
}

}  // extern "C"
