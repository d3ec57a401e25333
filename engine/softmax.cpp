// A softmax written on GCC's vector types, eight floats at a time. The compiler would not
// vectorise the plain loops well (the running maximum stayed scalar), and at n = 512 the softmax
// is the largest cost after the GEMMs. target_clones adds AVX-512 and AVX2 builds of the row
// function, picked at run time from the CPU; the generic build still runs anywhere x86-64 does.
#include "engine/softmax.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace attn {

namespace {

// The helpers below pass 32-byte vectors by value, which GCC warns changes the calling convention
// between SSE and AVX code. They are always inlined into the per-CPU clones of softmax_row, so
// no call ever crosses that boundary.
#pragma GCC diagnostic ignored "-Wpsabi"
#define ATTN_INLINE [[gnu::always_inline]] inline

using Floats = float __attribute__((vector_size(32)));
using Ints = std::int32_t __attribute__((vector_size(32)));
constexpr std::size_t kLanes = sizeof(Floats) / sizeof(float);

ATTN_INLINE Floats load(const float* p) {
  Floats v;
  std::memcpy(&v, p, sizeof v);  // unaligned; compiles to one vector load
  return v;
}
ATTN_INLINE void store(float* p, Floats v) { std::memcpy(p, &v, sizeof v); }

// exp(x) for x <= 0 (scores minus their row maximum). Range reduction x = k ln2 + r with
// |r| <= ln2/2, a degree-6 polynomial for e^r, and 2^k built from its exponent bits.
// Below -80 the result is exactly 0: such a weight is < 2e-35 of the row's largest, and keeping
// it would leave denormal floats in the attention matrix that make every later GEMM touching
// them many times slower. T is float or Floats; the same code serves the vector body and the tail.
template <typename T, typename I>
ATTN_INLINE T exp_nonpositive(T x) {
  const T too_small = x < -80.0f ? T{} + 1.0f : T{};  // 1 where x < -80 (as a float mask)
  x = x < -80.0f ? T{} - 80.0f : x;
  const float kMagic = 12582912.0f;  // 1.5 * 2^23: adding and subtracting rounds to an integer
  const T k = (x * 1.44269504088896341f + kMagic) - kMagic;
  const T r = x - k * 0.693145751953125f - k * 1.428606765330187e-06f;
  T p = T{} + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  I exponent;
  if constexpr (sizeof(T) == sizeof(float)) exponent = (static_cast<I>(k) + 127) << 23;
  else exponent = (__builtin_convertvector(k, I) + 127) << 23;
  T two_to_k;
  std::memcpy(&two_to_k, &exponent, sizeof two_to_k);
  return p * two_to_k * (1.0f - too_small);
}

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

}  // namespace

__attribute__((target_clones("avx512f", "avx2", "default")))
void softmax_row(const float* scores, float* weights, std::size_t visible, std::size_t n) {
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

  // 3. Normalise. Non-finite scores (from extreme weights) or no visible key: spread evenly
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

}  // namespace attn
