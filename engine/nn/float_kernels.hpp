// The float kernels of nn/ops that are written on vector types and built once per instruction set
// (nn/simd.hpp). The ops call the plain names, which run on the level chosen from the CPU; the
// *_at forms run a given level, so the tests can check every level against the portable one.
#pragma once
#include <cstddef>

#include "engine/nn/simd.hpp"

namespace attn::nn {

// LayerNorm rows of C floats, C a multiple of 8 (the vector width): as layernorm_forward/backward.
void layernorm_forward_f32(float* out, float* mean, float* rstd, const float* inp, const float* weight,
                           const float* bias, int N, int C, double eps = 1e-5);
void layernorm_backward_f32(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                            const float* weight, const float* mean, const float* rstd, int N, int C);
// The exact GELU and its backward over n floats: as gelu_forward/backward.
void gelu_forward_f32(float* out, const float* inp, std::size_t n);
void gelu_backward_f32(float* dinp, const float* inp, const float* dout, std::size_t n);
// GPT-2's tanh GELU and its backward over n floats: as gelu_tanh_forward/backward.
void gelu_tanh_forward_f32(float* out, const float* inp, std::size_t n);
void gelu_tanh_backward_f32(float* dinp, const float* inp, const float* dout, std::size_t n);
// One row of V logits: probs = softmax(logits) (weights below e^-80 of the largest are exactly 0)
// and returns log sum_j e^(logits_j); NaN when a logit is not finite (NaN or +-inf).
float softmax_lse_row_f32(float* probs, const float* logits, std::size_t V);

void layernorm_forward_f32_at(SimdLevel level, float* out, float* mean, float* rstd, const float* inp,
                              const float* weight, const float* bias, int N, int C, double eps = 1e-5);
void layernorm_backward_f32_at(SimdLevel level, float* dinp, float* dweight, float* dbias, const float* dout,
                               const float* inp, const float* weight, const float* mean, const float* rstd, int N,
                               int C);
void gelu_forward_f32_at(SimdLevel level, float* out, const float* inp, std::size_t n);
void gelu_backward_f32_at(SimdLevel level, float* dinp, const float* inp, const float* dout, std::size_t n);
void gelu_tanh_forward_f32_at(SimdLevel level, float* out, const float* inp, std::size_t n);
void gelu_tanh_backward_f32_at(SimdLevel level, float* dinp, const float* inp, const float* dout, std::size_t n);

float softmax_lse_row_f32_at(SimdLevel level, float* probs, const float* logits, std::size_t V);

}  // namespace attn::nn
