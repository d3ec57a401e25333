// The softmax over one row of attention scores: the only part of attention that is not a GEMM.
#pragma once
#include <cstddef>

#include "engine/nn/simd.hpp"

namespace attn {

// weights[j] = exp(scores[j] - max) / sum for keys j in [0, visible); keys from `visible` to n are
// masked and get exactly 0. Weights below e^-80 of the row's largest become exactly 0 (see the
// .cpp). A row with no visible key, or with non-finite scores, is spread evenly over the visible
// keys instead of producing NaN. Relative error against std::exp about 3e-7.
// Runs on the instruction set chosen once from the CPU (engine/nn/simd.hpp).
void softmax_row(const float* scores, float* weights, std::size_t visible, std::size_t n);
// The same on a given level, which the CPU must support: the tests compare every level's kernel
// with the portable one.
void softmax_row_at(SimdLevel level, const float* scores, float* weights, std::size_t visible, std::size_t n);

}  // namespace attn
