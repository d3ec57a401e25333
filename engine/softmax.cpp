// A softmax written on GCC's vector types, eight floats at a time. The compiler would not
// vectorise the plain loops well (the running maximum stayed scalar), and at n = 512 the softmax
// is the largest cost after the GEMMs. The row body is built for AVX-512, AVX2 and generic x86-64,
// and engine/nn/simd picks one at run time from the CPU; the generic build runs anywhere x86-64 does.
#include "engine/softmax.hpp"

#include "engine/nn/simd.hpp"
#include "engine/nn/vec_math.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace attn {

namespace {

ATTN_INLINE Floats max_of(Floats a, Floats b) { return a > b ? a : b; }

ATTN_INLINE float horizontal_max(Floats v) {
  float m = v[0];
  for (std::size_t l = 1; l < kLanes; ++l) m = v[l] > m ? v[l] : m;
  return m;
}

ATTN_INLINE float horizontal_sum(Floats v) {
  float s = 0.0f;
  for (std::size_t l = 0; l < kLanes; ++l) s += v[l];
  return s;
}

ATTN_INLINE void softmax_row_body(const float* scores, float* weights, std::size_t visible, std::size_t n) {
  // 1. The row maximum, subtracted only for numerical stability (it cancels in the ratio).
  std::size_t j = 0;
  float max = -INFINITY;
  if (visible >= kLanes) {
    Floats lane_max = load(scores);
    for (j = kLanes; j + kLanes <= visible; j += kLanes) lane_max = max_of(lane_max, load(scores + j));
    max = horizontal_max(lane_max);
  }
  for (; j < visible; ++j) max = scores[j] > max ? scores[j] : max;

  // 2. e^(score - max) and their sum, in one pass.
  float sum = 0.0f;
  if (std::isfinite(max)) {
    Floats lane_sum{};
    for (j = 0; j + kLanes <= visible; j += kLanes) {
      const Floats e = exp_nonpositive<Floats, Ints>(load(scores + j) - max);
      store(weights + j, e);
      lane_sum += e;
    }
    sum = horizontal_sum(lane_sum);
    for (; j < visible; ++j) sum += weights[j] = exp_nonpositive<float, std::int32_t>(scores[j] - max);
  }

  // 3. Normalize. Non-finite scores (from extreme weights) or no visible key: spread evenly
  //    rather than produce NaN, so the picture and every downstream number stay defined.
  if (sum > 0.0f && std::isfinite(sum)) {
    const float inv = 1.0f / sum;
    for (j = 0; j + kLanes <= visible; j += kLanes) store(weights + j, load(weights + j) * inv);
    for (; j < visible; ++j) weights[j] *= inv;
  } else {
    const float even = visible > 0 ? 1.0f / static_cast<float>(visible) : 0.0f;
    for (j = 0; j < visible; ++j) weights[j] = even;
  }
  if (n > visible) std::memset(weights + visible, 0, (n - visible) * sizeof(float));
}

ATTN_SIMD_VARIANTS(softmax_row, softmax_row_body,
                   (const float* scores, float* weights, std::size_t visible, std::size_t n),
                   (scores, weights, visible, n))

using SoftmaxRowFn = void (*)(const float*, float*, std::size_t, std::size_t);

}  // namespace

void softmax_row_at(SimdLevel level, const float* scores, float* weights, std::size_t visible, std::size_t n) {
  pick_simd_kernel<SoftmaxRowFn>(level, softmax_row_portable, softmax_row_avx2, softmax_row_avx512)(scores, weights,
                                                                                                    visible, n);
}

void softmax_row(const float* scores, float* weights, std::size_t visible, std::size_t n) {
  static const SoftmaxRowFn kernel =
      pick_simd_kernel<SoftmaxRowFn>(cpu_simd_level(), softmax_row_portable, softmax_row_avx2, softmax_row_avx512);
  kernel(scores, weights, visible, n);
}

}  // namespace attn
