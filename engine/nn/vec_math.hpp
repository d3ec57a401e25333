// Eight floats at a time on GCC's vector types, for the few element-wise functions that the
// compiler will not vectorise by itself (exp, erf): the softmax and the GELU. Each function is a
// template over T = float or Floats, so one definition serves the vector body and the scalar tail.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace attn {

// The helpers below pass 32-byte vectors by value, which GCC warns changes the calling convention
// between SSE and AVX code. They are always inlined into the per-instruction-set kernels
// (nn/simd.hpp's ATTN_SIMD_VARIANTS), so no call ever crosses that boundary.
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
  if constexpr (sizeof(T) == sizeof(float))
    exponent = (static_cast<I>(k) + 127) << 23;
  else
    exponent = (__builtin_convertvector(k, I) + 127) << 23;
  T two_to_k;
  std::memcpy(&two_to_k, &exponent, sizeof two_to_k);
  return p * two_to_k * (1.0f - too_small);
}

// erf(x) to within 1.5e-7 (Abramowitz and Stegun 7.1.26): 1 - poly(t) e^(-x^2) with
// t = 1 / (1 + p|x|), odd in x. Used by the float GELU, where libm's scalar erff was half the
// time of a training step with MLPs; the double path keeps std::erf.
template <typename T, typename I>
ATTN_INLINE T erf_approx(T x) {
  const T sign = x < 0.0f ? T{} - 1.0f : T{} + 1.0f;
  const T a = x * sign;
  const T t = 1.0f / (1.0f + 0.3275911f * a);
  T poly = T{} + 1.061405429f;
  poly = poly * t - 1.453152027f;
  poly = poly * t + 1.421413741f;
  poly = poly * t - 0.284496736f;
  poly = poly * t + 0.254829592f;
  poly = poly * t;
  return sign * (1.0f - poly * exp_nonpositive<T, I>(-a * a));
}

}  // namespace attn
