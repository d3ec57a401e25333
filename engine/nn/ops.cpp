// The transformer's ops. Each backward sits under its forward; the comment above each backward
// line quotes the forward line it differentiates.
#include "engine/nn/ops.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "engine/nn/float_kernels.hpp"
#include "engine/nn/simd.hpp"
#include "engine/nn/vec_math.hpp"
#include "engine/softmax.hpp"

namespace attn::nn {

namespace {

// Row-major GEMM, C = alpha op(A) op(B) + beta C, for both scalar types.
void gemm(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb,
          float beta, float* C, int ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B,
              ldb, beta, C, ldc);
}
void gemm(bool ta, bool tb, int M, int N, int K, double alpha, const double* A, int lda, const double* B, int ldb,
          double beta, double* C, int ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B,
              ldb, beta, C, ldc);
}

// One masked softmax row: the vectorised float kernel the explorer uses, a plain loop for double.
void softmax(const float* scores, float* weights, std::size_t visible, std::size_t n) {
  softmax_row(scores, weights, visible, n);
}
void softmax(const double* scores, double* weights, std::size_t visible, std::size_t n) {
  double max = -INFINITY, sum = 0.0;
  for (std::size_t j = 0; j < visible; ++j) max = std::max(max, scores[j]);
  for (std::size_t j = 0; j < visible; ++j) sum += weights[j] = std::exp(scores[j] - max);
  for (std::size_t j = 0; j < visible; ++j) weights[j] /= sum;
  for (std::size_t j = visible; j < n; ++j) weights[j] = 0.0;
}

}  // namespace

// ---- LayerNorm ---------------------------------------------------------------------------------

// The float rows eight columns at a time (C a multiple of 8, as every d_model in the UI's steps):
// a plain loop's sums stay scalar because float addition may not be reordered.
ATTN_INLINE void layernorm_forward_f32_body(float* out, float* mean, float* rstd, const float* inp, const float* weight,
                                            const float* bias, int N, int C, double eps) {
  const std::size_t c_n = static_cast<std::size_t>(C);
  for (int i = 0; i < N; ++i) {
    const float* x = inp + static_cast<std::size_t>(i) * c_n;
    float* y = out + static_cast<std::size_t>(i) * c_n;
    Floats sum{};
    for (std::size_t c = 0; c < c_n; c += kLanes) sum += load(x + c);
    float m = 0.0f;
    for (std::size_t l = 0; l < kLanes; ++l) m += sum[l];
    m /= static_cast<float>(C);
    Floats sq{};
    for (std::size_t c = 0; c < c_n; c += kLanes) {
      const Floats d = load(x + c) - m;
      sq += d * d;
    }
    float var = 0.0f;
    for (std::size_t l = 0; l < kLanes; ++l) var += sq[l];
    var /= static_cast<float>(C);
    const float r = static_cast<float>(1.0 / std::sqrt(static_cast<double>(var) + eps));
    for (std::size_t c = 0; c < c_n; c += kLanes)
      store(y + c, (load(x + c) - m) * r * load(weight + c) + load(bias + c));
    mean[i] = m;
    rstd[i] = r;
  }
}

ATTN_SIMD_VARIANTS(layernorm_forward_f32, layernorm_forward_f32_body,
                   (float* out, float* mean, float* rstd, const float* inp, const float* weight, const float* bias,
                    int N, int C, double eps),
                   (out, mean, rstd, inp, weight, bias, N, C, eps))

void layernorm_forward_f32_at(SimdLevel level, float* out, float* mean, float* rstd, const float* inp,
                              const float* weight, const float* bias, int N, int C, double eps) {
  using Fn = void (*)(float*, float*, float*, const float*, const float*, const float*, int, int, double);
  pick_simd_kernel<Fn>(level, layernorm_forward_f32_portable, layernorm_forward_f32_avx2, layernorm_forward_f32_avx512)(
      out, mean, rstd, inp, weight, bias, N, C, eps);
}

void layernorm_forward_f32(float* out, float* mean, float* rstd, const float* inp, const float* weight,
                           const float* bias, int N, int C, double eps) {
  using Fn = void (*)(float*, float*, float*, const float*, const float*, const float*, int, int, double);
  static const Fn kernel = pick_simd_kernel<Fn>(cpu_simd_level(), layernorm_forward_f32_portable,
                                                layernorm_forward_f32_avx2, layernorm_forward_f32_avx512);
  kernel(out, mean, rstd, inp, weight, bias, N, C, eps);
}

ATTN_INLINE void layernorm_backward_f32_body(float* dinp, float* dweight, float* dbias, const float* dout,
                                             const float* inp, const float* weight, const float* mean,
                                             const float* rstd, int N, int C) {
  const std::size_t c_n = static_cast<std::size_t>(C);
  for (int i = 0; i < N; ++i) {
    const float* x = inp + static_cast<std::size_t>(i) * c_n;
    const float* dy = dout + static_cast<std::size_t>(i) * c_n;
    float* dx = dinp + static_cast<std::size_t>(i) * c_n;
    Floats dn_sum{}, dnn_sum{};
    for (std::size_t c = 0; c < c_n; c += kLanes) {
      const Floats norm = (load(x + c) - mean[i]) * rstd[i];
      const Floats dnorm = load(weight + c) * load(dy + c);
      dn_sum += dnorm;
      dnn_sum += dnorm * norm;
    }
    float dnorm_mean = 0.0f, dnorm_norm_mean = 0.0f;
    for (std::size_t l = 0; l < kLanes; ++l) dnorm_mean += dn_sum[l], dnorm_norm_mean += dnn_sum[l];
    dnorm_mean /= static_cast<float>(C);
    dnorm_norm_mean /= static_cast<float>(C);
    for (std::size_t c = 0; c < c_n; c += kLanes) {
      const Floats norm = (load(x + c) - mean[i]) * rstd[i];
      const Floats g = load(dy + c);
      store(dbias + c, load(dbias + c) + g);
      store(dweight + c, load(dweight + c) + norm * g);
      const Floats dnorm = load(weight + c) * g;
      store(dx + c, load(dx + c) + (dnorm - dnorm_mean - norm * dnorm_norm_mean) * rstd[i]);
    }
  }
}

ATTN_SIMD_VARIANTS(layernorm_backward_f32, layernorm_backward_f32_body,
                   (float* dinp, float* dweight, float* dbias, const float* dout, const float* inp, const float* weight,
                    const float* mean, const float* rstd, int N, int C),
                   (dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C))

void layernorm_backward_f32_at(SimdLevel level, float* dinp, float* dweight, float* dbias, const float* dout,
                               const float* inp, const float* weight, const float* mean, const float* rstd, int N,
                               int C) {
  using Fn =
      void (*)(float*, float*, float*, const float*, const float*, const float*, const float*, const float*, int, int);
  pick_simd_kernel<Fn>(level, layernorm_backward_f32_portable, layernorm_backward_f32_avx2,
                       layernorm_backward_f32_avx512)(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
}

void layernorm_backward_f32(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                            const float* weight, const float* mean, const float* rstd, int N, int C) {
  using Fn =
      void (*)(float*, float*, float*, const float*, const float*, const float*, const float*, const float*, int, int);
  static const Fn kernel = pick_simd_kernel<Fn>(cpu_simd_level(), layernorm_backward_f32_portable,
                                                layernorm_backward_f32_avx2, layernorm_backward_f32_avx512);
  kernel(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
}

template <typename Real>
void layernorm_forward(Real* out, Real* mean, Real* rstd, const Real* inp, const Real* weight, const Real* bias, int N,
                       int C, double eps) {
  if constexpr (std::is_same_v<Real, float>) {
    if (C % static_cast<int>(kLanes) == 0) return layernorm_forward_f32(out, mean, rstd, inp, weight, bias, N, C, eps);
  }
  for (int i = 0; i < N; ++i) {
    const Real* x = inp + static_cast<std::size_t>(i) * C;
    Real* y = out + static_cast<std::size_t>(i) * C;
    Real m = 0;
    for (int c = 0; c < C; ++c) m += x[c];
    m /= static_cast<Real>(C);
    Real var = 0;  // biased variance, as PyTorch's LayerNorm
    for (int c = 0; c < C; ++c) var += (x[c] - m) * (x[c] - m);
    var /= static_cast<Real>(C);
    const Real s = static_cast<Real>(1.0 / std::sqrt(static_cast<double>(var) + eps));
    for (int c = 0; c < C; ++c) y[c] = (x[c] - m) * s * weight[c] + bias[c];
    mean[i] = m;
    rstd[i] = s;
  }
}

template <typename Real>
void layernorm_backward(Real* dinp, Real* dweight, Real* dbias, const Real* dout, const Real* inp, const Real* weight,
                        const Real* mean, const Real* rstd, int N, int C) {
  if constexpr (std::is_same_v<Real, float>) {
    if (C % static_cast<int>(kLanes) == 0)
      return layernorm_backward_f32(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
  }
  for (int i = 0; i < N; ++i) {
    const Real* x = inp + static_cast<std::size_t>(i) * C;
    const Real* dy = dout + static_cast<std::size_t>(i) * C;
    Real* dx = dinp + static_cast<std::size_t>(i) * C;
    // Two reductions first: norm = (x - mean) * rstd depends on every x of the row through mean
    // and rstd, so each dx gets the row's mean of dnorm and of dnorm * norm subtracted.
    Real dnorm_mean = 0, dnorm_norm_mean = 0;
    for (int c = 0; c < C; ++c) {
      const Real norm = (x[c] - mean[i]) * rstd[i];
      const Real dnorm = weight[c] * dy[c];
      dnorm_mean += dnorm;
      dnorm_norm_mean += dnorm * norm;
    }
    dnorm_mean /= static_cast<Real>(C);
    dnorm_norm_mean /= static_cast<Real>(C);
    for (int c = 0; c < C; ++c) {
      const Real norm = (x[c] - mean[i]) * rstd[i];
      // y[c] = norm * weight[c] + bias[c]
      dbias[c] += dy[c];
      dweight[c] += norm * dy[c];
      const Real dnorm = weight[c] * dy[c];
      dx[c] += (dnorm - dnorm_mean - norm * dnorm_norm_mean) * rstd[i];
    }
  }
}

// ---- Linear ------------------------------------------------------------------------------------

template <typename Real>
void linear_forward(Real* out, const Real* inp, const Real* weight, const Real* bias, int N, int C, int OC) {
  if (N == 0) return;
  gemm(false, true, N, OC, C, Real(1), inp, C, weight, C, Real(0), out, OC);
  if (!bias) return;
  for (int i = 0; i < N; ++i) {
    Real* row = out + static_cast<std::size_t>(i) * OC;
    for (int o = 0; o < OC; ++o) row[o] += bias[o];
  }
}

template <typename Real>
void linear_backward(Real* dinp, Real* dweight, Real* dbias, const Real* dout, const Real* inp, const Real* weight,
                     int N, int C, int OC) {
  if (N == 0) return;
  // out = inp · weight^T  =>  dinp = dout · weight,  dweight += dout^T · inp
  gemm(false, false, N, C, OC, Real(1), dout, OC, weight, C, Real(0), dinp, C);
  gemm(true, false, OC, C, N, Real(1), dout, OC, inp, C, Real(1), dweight, C);
  if (!dbias) return;
  // out += bias (every row)  =>  dbias += the column sums of dout
  for (int i = 0; i < N; ++i) {
    const Real* row = dout + static_cast<std::size_t>(i) * OC;
    for (int o = 0; o < OC; ++o) dbias[o] += row[o];
  }
}

// ---- GELU --------------------------------------------------------------------------------------

// Phi(x) = 0.5 (1 + erf(x / sqrt 2)) and phi(x) = e^(-x^2/2) / sqrt(2 pi), for double (libm) and
// for float and Floats (vec_math.hpp, eight at a time).
namespace gelu_math {
constexpr double kInvSqrt2 = 0.70710678118654752440, kInvSqrt2Pi = 0.39894228040143267794;
inline double cdf(double x) { return 0.5 * (1.0 + std::erf(x * kInvSqrt2)); }
inline double pdf(double x) { return kInvSqrt2Pi * std::exp(-0.5 * x * x); }
template <typename T>
ATTN_INLINE T cdf(T x) {
  return 0.5f * (1.0f + erf_approx<T, std::conditional_t<std::is_same_v<T, float>, std::int32_t, Ints>>(
                            x * static_cast<float>(kInvSqrt2)));
}
template <typename T>
ATTN_INLINE T pdf(T x) {
  return static_cast<float>(kInvSqrt2Pi) *
         exp_nonpositive<T, std::conditional_t<std::is_same_v<T, float>, std::int32_t, Ints>>(-0.5f * x * x);
}
}  // namespace gelu_math

// The float loops, built for AVX-512, AVX2 and generic x86-64 and picked at run time (nn/simd.hpp).
ATTN_INLINE void gelu_forward_f32_body(float* out, const float* inp, std::size_t n) {
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const Floats x = load(inp + i);
    store(out + i, x * gelu_math::cdf(x));
  }
  for (; i < n; ++i) out[i] = inp[i] * gelu_math::cdf(inp[i]);
}

ATTN_SIMD_VARIANTS(gelu_forward_f32, gelu_forward_f32_body, (float* out, const float* inp, std::size_t n),
                   (out, inp, n))

void gelu_forward_f32_at(SimdLevel level, float* out, const float* inp, std::size_t n) {
  using Fn = void (*)(float*, const float*, std::size_t);
  pick_simd_kernel<Fn>(level, gelu_forward_f32_portable, gelu_forward_f32_avx2, gelu_forward_f32_avx512)(out, inp, n);
}

void gelu_forward_f32(float* out, const float* inp, std::size_t n) {
  using Fn = void (*)(float*, const float*, std::size_t);
  static const Fn kernel =
      pick_simd_kernel<Fn>(cpu_simd_level(), gelu_forward_f32_portable, gelu_forward_f32_avx2, gelu_forward_f32_avx512);
  kernel(out, inp, n);
}

ATTN_INLINE void gelu_backward_f32_body(float* dinp, const float* inp, const float* dout, std::size_t n) {
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const Floats x = load(inp + i);
    store(dinp + i, load(dout + i) * (gelu_math::cdf(x) + x * gelu_math::pdf(x)));
  }
  for (; i < n; ++i) dinp[i] = dout[i] * (gelu_math::cdf(inp[i]) + inp[i] * gelu_math::pdf(inp[i]));
}

ATTN_SIMD_VARIANTS(gelu_backward_f32, gelu_backward_f32_body,
                   (float* dinp, const float* inp, const float* dout, std::size_t n), (dinp, inp, dout, n))

void gelu_backward_f32_at(SimdLevel level, float* dinp, const float* inp, const float* dout, std::size_t n) {
  using Fn = void (*)(float*, const float*, const float*, std::size_t);
  pick_simd_kernel<Fn>(level, gelu_backward_f32_portable, gelu_backward_f32_avx2, gelu_backward_f32_avx512)(dinp, inp,
                                                                                                            dout, n);
}

void gelu_backward_f32(float* dinp, const float* inp, const float* dout, std::size_t n) {
  using Fn = void (*)(float*, const float*, const float*, std::size_t);
  static const Fn kernel = pick_simd_kernel<Fn>(cpu_simd_level(), gelu_backward_f32_portable, gelu_backward_f32_avx2,
                                                gelu_backward_f32_avx512);
  kernel(dinp, inp, dout, n);
}

template <typename Real>
void gelu_forward(Real* out, const Real* inp, std::size_t n) {
  if constexpr (std::is_same_v<Real, float>) {
    gelu_forward_f32(out, inp, n);
  } else {
    for (std::size_t i = 0; i < n; ++i) out[i] = inp[i] * gelu_math::cdf(inp[i]);
  }
}

template <typename Real>
void gelu_backward(Real* dinp, const Real* inp, const Real* dout, std::size_t n) {
  // out = x * Phi(x)  =>  dout/dx = Phi(x) + x * phi(x)
  if constexpr (std::is_same_v<Real, float>) {
    gelu_backward_f32(dinp, inp, dout, n);
  } else {
    for (std::size_t i = 0; i < n; ++i) dinp[i] = dout[i] * (gelu_math::cdf(inp[i]) + inp[i] * gelu_math::pdf(inp[i]));
  }
}

// ---- GELU, tanh approximation (GPT-2's "gelu_new") ---------------------------------------------

// gelu_tanh(x) = 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3). Since 0.5 (1 + tanh(u)) =
// sigmoid(2u), the float kernels compute x * sigmoid(2u) from one e^(-|2u|) <= 1, which never
// overflows and has no cancellation near u = 0 (1 - e^(-2|u|) would lose digits there).
namespace gelu_tanh_math {
constexpr double kSqrt2OverPi = 0.79788456080286535588, kCubic = 0.044715;
inline double u(double x) { return kSqrt2OverPi * (x + kCubic * x * x * x); }
inline double du(double x) { return kSqrt2OverPi * (1.0 + 3.0 * kCubic * x * x); }
// sigmoid(2u) for float and Floats, and 2u.
template <typename T>
ATTN_INLINE T two_u(T x) {
  return (2.0f * static_cast<float>(kSqrt2OverPi)) * (x + static_cast<float>(kCubic) * x * x * x);
}
// s = sigmoid(z) and its slope s (1 - s), both from e = e^(-|z|): s (1 - s) = e / (1 + e)^2 keeps
// its digits where s is within an ulp of 1 and 1 - s would not.
template <typename T>
ATTN_INLINE T sigmoid(T z, T* slope = nullptr) {
  using I = std::conditional_t<std::is_same_v<T, float>, std::int32_t, Ints>;
  const T a = z < 0.0f ? -z : z;
  const T e = exp_nonpositive<T, I>(-a);  // e^(-|z|) in (0, 1]
  const T inv = 1.0f / (1.0f + e);
  if (slope) *slope = e * inv * inv;
  return z < 0.0f ? e * inv : inv;  // sigmoid(-|z|) = e / (1 + e), sigmoid(|z|) = 1 / (1 + e)
}
}  // namespace gelu_tanh_math

ATTN_INLINE void gelu_tanh_forward_f32_body(float* out, const float* inp, std::size_t n) {
  using namespace gelu_tanh_math;
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const Floats x = load(inp + i);
    store(out + i, x * sigmoid(two_u(x)));
  }
  for (; i < n; ++i) out[i] = inp[i] * sigmoid(two_u(inp[i]));
}

ATTN_SIMD_VARIANTS(gelu_tanh_forward_f32, gelu_tanh_forward_f32_body, (float* out, const float* inp, std::size_t n),
                   (out, inp, n))

void gelu_tanh_forward_f32_at(SimdLevel level, float* out, const float* inp, std::size_t n) {
  using Fn = void (*)(float*, const float*, std::size_t);
  pick_simd_kernel<Fn>(level, gelu_tanh_forward_f32_portable, gelu_tanh_forward_f32_avx2, gelu_tanh_forward_f32_avx512)(
      out, inp, n);
}

void gelu_tanh_forward_f32(float* out, const float* inp, std::size_t n) {
  using Fn = void (*)(float*, const float*, std::size_t);
  static const Fn kernel = pick_simd_kernel<Fn>(cpu_simd_level(), gelu_tanh_forward_f32_portable,
                                                gelu_tanh_forward_f32_avx2, gelu_tanh_forward_f32_avx512);
  kernel(out, inp, n);
}

// d/dx [x s(2u)] = s + x s (1 - s) 2u'(x), with s = sigmoid(2u) and 2u' = 2 sqrt(2/pi) (1 + 3 c x^2).
ATTN_INLINE void gelu_tanh_backward_f32_body(float* dinp, const float* inp, const float* dout, std::size_t n) {
  using namespace gelu_tanh_math;
  const float k2 = 2.0f * static_cast<float>(kSqrt2OverPi), c3 = 3.0f * static_cast<float>(kCubic);
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const Floats x = load(inp + i);
    Floats slope;
    const Floats s = sigmoid(two_u(x), &slope);
    store(dinp + i, load(dout + i) * (s + x * slope * (k2 * (1.0f + c3 * x * x))));
  }
  for (; i < n; ++i) {
    const float x = inp[i];
    float slope;
    const float s = sigmoid(two_u(x), &slope);
    dinp[i] = dout[i] * (s + x * slope * (k2 * (1.0f + c3 * x * x)));
  }
}

ATTN_SIMD_VARIANTS(gelu_tanh_backward_f32, gelu_tanh_backward_f32_body,
                   (float* dinp, const float* inp, const float* dout, std::size_t n), (dinp, inp, dout, n))

void gelu_tanh_backward_f32_at(SimdLevel level, float* dinp, const float* inp, const float* dout, std::size_t n) {
  using Fn = void (*)(float*, const float*, const float*, std::size_t);
  pick_simd_kernel<Fn>(level, gelu_tanh_backward_f32_portable, gelu_tanh_backward_f32_avx2,
                       gelu_tanh_backward_f32_avx512)(dinp, inp, dout, n);
}

void gelu_tanh_backward_f32(float* dinp, const float* inp, const float* dout, std::size_t n) {
  using Fn = void (*)(float*, const float*, const float*, std::size_t);
  static const Fn kernel = pick_simd_kernel<Fn>(cpu_simd_level(), gelu_tanh_backward_f32_portable,
                                                gelu_tanh_backward_f32_avx2, gelu_tanh_backward_f32_avx512);
  kernel(dinp, inp, dout, n);
}

template <typename Real>
void gelu_tanh_forward(Real* out, const Real* inp, std::size_t n) {
  if constexpr (std::is_same_v<Real, float>) {
    gelu_tanh_forward_f32(out, inp, n);
  } else {
    for (std::size_t i = 0; i < n; ++i) out[i] = 0.5 * inp[i] * (1.0 + std::tanh(gelu_tanh_math::u(inp[i])));
  }
}

template <typename Real>
void gelu_tanh_backward(Real* dinp, const Real* inp, const Real* dout, std::size_t n) {
  if constexpr (std::is_same_v<Real, float>) {
    gelu_tanh_backward_f32(dinp, inp, dout, n);
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      // out = 0.5 x (1 + tanh(u(x)))  =>  dout/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) u'(x)
      const double x = inp[i], t = std::tanh(gelu_tanh_math::u(x));
      dinp[i] = dout[i] * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * gelu_tanh_math::du(x));
    }
  }
}

// ---- Rotary positions --------------------------------------------------------------------------

template <typename Real>
void rope_table(Real* cos_sin, int T, int D) {
  // The same angles as apply_rope() in engine/positional.cpp, computed in double.
  for (int t = 0; t < T; ++t)
    for (int i = 0; i < D / 2; ++i) {
      const double freq = std::pow(10000.0, -2.0 * static_cast<double>(i) / static_cast<double>(D));
      const double angle = static_cast<double>(t) * freq;
      Real* cs = cos_sin + (static_cast<std::size_t>(t) * (D / 2) + i) * 2;
      cs[0] = static_cast<Real>(std::cos(angle));
      cs[1] = static_cast<Real>(std::sin(angle));
    }
}

namespace {

// Rotates the q and k parts of every row by +angle (sign 1) or -angle (sign -1).
template <typename Real>
void rope_rotate(Real* qkv, const Real* cos_sin, int B, int T, int H, int D, Real sign) {
  const std::size_t I = static_cast<std::size_t>(H) * D;
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t) {
      Real* row = qkv + (static_cast<std::size_t>(b) * T + t) * 3 * I;
      const Real* cs = cos_sin + static_cast<std::size_t>(t) * (D / 2) * 2;
      for (std::size_t part = 0; part < 2; ++part)  // q, then k
        for (int h = 0; h < H; ++h) {
          Real* x = row + part * I + static_cast<std::size_t>(h) * D;
          for (int i = 0; i < D / 2; ++i) {
            const Real c = cs[2 * i], s = sign * cs[2 * i + 1];
            const Real a = x[2 * i], b2 = x[2 * i + 1];
            x[2 * i] = a * c - b2 * s;
            x[2 * i + 1] = a * s + b2 * c;
          }
        }
    }
}

}  // namespace

template <typename Real>
void rope_forward(Real* qkv, const Real* cos_sin, int B, int T, int H, int D) {
  rope_rotate(qkv, cos_sin, B, T, H, D, Real(1));
}

template <typename Real>
void rope_backward(Real* dqkv, const Real* cos_sin, int B, int T, int H, int D) {
  // (a', b') = R(angle) (a, b)  =>  (da, db) = R(angle)^T (da', db') = R(-angle) (da', db')
  rope_rotate(dqkv, cos_sin, B, T, H, D, Real(-1));
}

// ---- Attention ---------------------------------------------------------------------------------

// The float heads of the trained models (d_head a multiple of 8, at most 64; at most 64 tokens)
// in one pass per head instead of OpenBLAS calls: there each product is a few thousand
// multiply-adds (32 x 32 x 16 in the reference model), so the calls' fixed cost and packing were
// most of attention's time, and with the causal mask the weighted sums and every backward product
// skip the masked half. The same sums as the GEMMs, in another order: float rounding apart. At
// 128 tokens OpenBLAS is faster again (the English model's heads of 32: attention was 8.5% of a
// training step through OpenBLAS, 11.4% here).
namespace {
constexpr int kMaxFusedDHead = 64, kMaxFusedTokens = 64;

bool fused_attention(int T, int D) {
  return D % static_cast<int>(kLanes) == 0 && D <= kMaxFusedDHead && T <= kMaxFusedTokens;
}
}  // namespace

// Eight rows of eight floats transposed in registers: pairs interleaved, then pairs of pairs, then
// the two 128-bit halves swapped (three rounds of two-input shuffles, 24 in all).
// A two-input shuffle with constant indices: GCC's __builtin_shuffle takes them as a vector,
// clang's __builtin_shufflevector (the fuzz build) as arguments.
#if defined(__clang__)
#define ATTN_SHUFFLE(a, b, i0, i1, i2, i3, i4, i5, i6, i7) __builtin_shufflevector(a, b, i0, i1, i2, i3, i4, i5, i6, i7)
#else
#define ATTN_SHUFFLE(a, b, i0, i1, i2, i3, i4, i5, i6, i7) __builtin_shuffle(a, b, Ints{i0, i1, i2, i3, i4, i5, i6, i7})
#endif

ATTN_INLINE void transpose8(Floats r[8]) {
  Floats t[8], u[8];
  for (int k = 0; k < 4; ++k) {
    t[2 * k] = ATTN_SHUFFLE(r[2 * k], r[2 * k + 1], 0, 8, 1, 9, 4, 12, 5, 13);        // r_2k, r_2k+1 columns 0 1 | 4 5
    t[2 * k + 1] = ATTN_SHUFFLE(r[2 * k], r[2 * k + 1], 2, 10, 3, 11, 6, 14, 7, 15);  // columns 2 3 | 6 7
  }
  for (int g = 0; g < 2; ++g) {  // rows 0-3, then 4-7
    Floats* ts = t + 4 * g;
    u[4 * g + 0] = ATTN_SHUFFLE(ts[0], ts[2], 0, 1, 8, 9, 4, 5, 12, 13);    // column 0 | 4
    u[4 * g + 1] = ATTN_SHUFFLE(ts[0], ts[2], 2, 3, 10, 11, 6, 7, 14, 15);  // column 1 | 5
    u[4 * g + 2] = ATTN_SHUFFLE(ts[1], ts[3], 0, 1, 8, 9, 4, 5, 12, 13);    // column 2 | 6
    u[4 * g + 3] = ATTN_SHUFFLE(ts[1], ts[3], 2, 3, 10, 11, 6, 7, 14, 15);  // column 3 | 7
  }
  for (int c = 0; c < 4; ++c) {
    r[c] = ATTN_SHUFFLE(u[c], u[4 + c], 0, 1, 2, 3, 8, 9, 10, 11);
    r[c + 4] = ATTN_SHUFFLE(u[c], u[4 + c], 4, 5, 6, 7, 12, 13, 14, 15);
  }
}
#undef ATTN_SHUFFLE

// dst (cols, rows) with row stride dst_stride = src (rows, cols) with row stride src_stride, by
// blocks of 8 x 8 in registers (a column copied element by element strides a line per element).
ATTN_INLINE void transpose_block(float* dst, std::size_t dst_stride, const float* src, std::size_t src_stride, int rows,
                                 int cols) {
  const int L = static_cast<int>(kLanes);
  int r0 = 0;
  for (; r0 + L <= rows; r0 += L) {
    int c0 = 0;
    for (; c0 + L <= cols; c0 += L) {
      Floats block[8];
      for (int k = 0; k < L; ++k) block[k] = load(src + static_cast<std::size_t>(r0 + k) * src_stride + c0);
      transpose8(block);
      for (int k = 0; k < L; ++k) store(dst + static_cast<std::size_t>(c0 + k) * dst_stride + r0, block[k]);
    }
    for (; c0 < cols; ++c0)
      for (int r = r0; r < r0 + L; ++r)
        dst[static_cast<std::size_t>(c0) * dst_stride + r] = src[static_cast<std::size_t>(r) * src_stride + c0];
  }
  for (; r0 < rows; ++r0)
    for (int c = 0; c < cols; ++c)
      dst[static_cast<std::size_t>(c) * dst_stride + r0] = src[static_cast<std::size_t>(r0) * src_stride + c];
}

// transposed (D, T) = rows (T, D) with row stride `stride`: the keys (or values) of one head with
// a token's D values apart, so a query's T scores are a sum of D vectors over tokens.
ATTN_INLINE void transpose_head(float* transposed, const float* rows, int T, int D, int stride) {
  transpose_block(transposed, static_cast<std::size_t>(T), rows, static_cast<std::size_t>(stride), T, D);
}

// s_row (n) = scale * q_i (D) . the first n keys (and maybe more, see below), keys given
// transposed (D, T). Four vectors of keys at a time: one sum over d is a chain of dependent
// multiply-adds, and four chains keep the vector unit busy while each waits for its last.
ATTN_INLINE void scores_row(float* s_row, const float* q_i, const float* kt, int n, int T, int D, float scale) {
  const int L = static_cast<int>(kLanes);
  // Keys up to the next group of four vectors (within T) are computed too: the masked rows of a
  // causal head end anywhere, and a lone vector is one chain, four times slower per key. So up to
  // 31 entries past n may be written.
  n = std::min(T, (n + 4 * L - 1) / (4 * L) * (4 * L));
  int j = 0;
  for (; j + 4 * L <= n; j += 4 * L) {
    Floats acc0{}, acc1{}, acc2{}, acc3{};
    for (int d = 0; d < D; ++d) {
      const float* kr = kt + static_cast<std::size_t>(d) * T + j;
      const float qd = q_i[d];
      acc0 += qd * load(kr);
      acc1 += qd * load(kr + L);
      acc2 += qd * load(kr + 2 * L);
      acc3 += qd * load(kr + 3 * L);
    }
    store(s_row + j, acc0 * scale);
    store(s_row + j + L, acc1 * scale);
    store(s_row + j + 2 * L, acc2 * scale);
    store(s_row + j + 3 * L, acc3 * scale);
  }
  for (; j + L <= n; j += L) {
    Floats acc{};
    for (int d = 0; d < D; ++d) acc += q_i[d] * load(kt + static_cast<std::size_t>(d) * T + j);
    store(s_row + j, acc * scale);
  }
  for (; j < n; ++j) {
    float acc = 0.0f;
    for (int d = 0; d < D; ++d) acc += q_i[d] * kt[static_cast<std::size_t>(d) * T + j];
    s_row[j] = acc * scale;
  }
}

// sum_j a[j] b[j] over n floats, eight lanes at a time.
ATTN_INLINE float dot_row(const float* a, const float* b, int n) {
  Floats acc{};
  int j = 0;
  for (; j + static_cast<int>(kLanes) <= n; j += static_cast<int>(kLanes)) acc += load(a + j) * load(b + j);
  float sum = 0.0f;
  for (std::size_t l = 0; l < kLanes; ++l) sum += acc[l];
  for (; j < n; ++j) sum += a[j] * b[j];
  return sum;
}

// out (D) = sum over j in [begin, end) of w[j * w_stride] * rows[j * stride .. + D), with the D
// sums held in registers (C = D / 8 vectors) while the rows stream past.
// Narrow rows take U rows per turn into U sets of sums, so that at least eight independent
// multiply-add chains are in flight (a single chain waits on each add's latency).
template <int C>
ATTN_INLINE void weighted_rows_n(float* out, const float* w, std::size_t w_stride, const float* rows,
                                 std::size_t stride, int begin, int end) {
  constexpr int U = C <= 2 ? 4 : C <= 4 ? 2 : 1;
  Floats acc[U][C] = {};
  int j = begin;
  for (; j + U <= end; j += U)
    for (int u = 0; u < U; ++u) {
      const float wj = w[static_cast<std::size_t>(j + u) * w_stride];
      const float* r = rows + static_cast<std::size_t>(j + u) * stride;
      for (int c = 0; c < C; ++c) acc[u][c] += wj * load(r + static_cast<std::size_t>(c) * kLanes);
    }
  for (; j < end; ++j) {
    const float wj = w[static_cast<std::size_t>(j) * w_stride];
    const float* r = rows + static_cast<std::size_t>(j) * stride;
    for (int c = 0; c < C; ++c) acc[0][c] += wj * load(r + static_cast<std::size_t>(c) * kLanes);
  }
  for (int u = 1; u < U; ++u)
    for (int c = 0; c < C; ++c) acc[0][c] += acc[u][c];
  for (int c = 0; c < C; ++c) store(out + static_cast<std::size_t>(c) * kLanes, acc[0][c]);
}

// weighted_rows_n for D = 8, 16, ..., 64 (fused_attention() admits no other).
ATTN_INLINE void weighted_rows(float* out, const float* w, std::size_t w_stride, const float* rows, std::size_t stride,
                               int begin, int end, int D) {
  switch (D / static_cast<int>(kLanes)) {
    case 1:
      return weighted_rows_n<1>(out, w, w_stride, rows, stride, begin, end);
    case 2:
      return weighted_rows_n<2>(out, w, w_stride, rows, stride, begin, end);
    case 3:
      return weighted_rows_n<3>(out, w, w_stride, rows, stride, begin, end);
    case 4:
      return weighted_rows_n<4>(out, w, w_stride, rows, stride, begin, end);
    case 5:
      return weighted_rows_n<5>(out, w, w_stride, rows, stride, begin, end);
    case 6:
      return weighted_rows_n<6>(out, w, w_stride, rows, stride, begin, end);
    case 7:
      return weighted_rows_n<7>(out, w, w_stride, rows, stride, begin, end);
    case 8:
      return weighted_rows_n<8>(out, w, w_stride, rows, stride, begin, end);
  }
}

// One head of attention_forward: q, k, v rows of stride `row`, out rows of stride `out_stride`.
// kt: D*T floats of workspace.
ATTN_INLINE void attention_head_forward_f32_body(float* s, float* a, float* out, const float* q, const float* k,
                                                 const float* v, float* kt, int T, int D, int row, int out_stride,
                                                 float scale, bool causal, bool knocked) {
  const std::size_t stride = static_cast<std::size_t>(row);
  transpose_head(kt, k, T, D, row);
  for (int i = 0; i < T; ++i) {
    float* s_i = s + static_cast<std::size_t>(i) * T;
    float* a_i = a + static_cast<std::size_t>(i) * T;
    // 1. scores_i = q_i k^T * scale, every key (the views show the scores before the mask).
    scores_row(s_i, q + static_cast<std::size_t>(i) * stride, kt, T, T, D, scale);
    // 2. softmax over the visible keys; masked keys get exactly 0.
    const int visible = causal ? i + 1 : T;
    softmax_row(s_i, a_i, static_cast<std::size_t>(visible), static_cast<std::size_t>(T));
    // 3. out_i = sum over visible keys of a_ij v_j; a knocked-out head writes zeros.
    float* o = out + static_cast<std::size_t>(i) * static_cast<std::size_t>(out_stride);
    weighted_rows(o, a_i, 1, v, stride, 0, knocked ? 0 : visible, D);
  }
}

ATTN_SIMD_VARIANTS(attention_head_forward_f32, attention_head_forward_f32_body,
                   (float* s, float* a, float* out, const float* q, const float* k, const float* v, float* kt, int T,
                    int D, int row, int out_stride, float scale, bool causal, bool knocked),
                   (s, a, out, q, k, v, kt, T, D, row, out_stride, scale, causal, knocked))

// dst (T, T) = src^T.
ATTN_INLINE void transpose_square(float* dst, const float* src, int T) {
  transpose_block(dst, static_cast<std::size_t>(T), src, static_cast<std::size_t>(T), T, T);
}

// One head of attention_backward: writes dq, dk, dv (rows of stride `row`) from dout (stride
// `out_stride`) and the weights a (T, T). work: D*T + 3*T*T floats.
ATTN_INLINE void attention_head_backward_f32_body(float* dq, float* dk, float* dv, const float* dout, const float* q,
                                                  const float* k, const float* v, const float* a, float* work, int T,
                                                  int D, int row, int out_stride, float scale, bool causal) {
  const std::size_t stride = static_cast<std::size_t>(row), o_stride = static_cast<std::size_t>(out_stride),
                    t_n = static_cast<std::size_t>(T);
  float* vt = work;                                    // (D, T) the values, transposed
  float* ds = vt + static_cast<std::size_t>(D) * t_n;  // (T, T) score gradients
  float* ds_t = ds + t_n * t_n;                        // (T, T) the same, transposed
  float* a_t = ds_t + t_n * t_n;                       // (T, T) the weights, transposed
  transpose_head(vt, v, T, D, row);
  for (int i = 0; i < T; ++i) {
    const float* a_i = a + static_cast<std::size_t>(i) * t_n;
    float* ds_i = ds + static_cast<std::size_t>(i) * t_n;
    const int visible = causal ? i + 1 : T;
    // 1. out_i = sum_j a_ij v_j  =>  d a_ij = dout_i . v_j (visible keys; the others have
    //    a_ij = 0 and get no gradient).
    scores_row(ds_i, dout + static_cast<std::size_t>(i) * o_stride, vt, visible, T, D, 1.0f);
    // 2. a_i = softmax(s_i)  =>  ds_ij = a_ij (d a_ij - sum_k a_ik d a_ik), times the scale of
    //    s = q k^T * scale.
    const float dot = dot_row(a_i, ds_i, visible);
    for (int j = 0; j < visible; ++j) ds_i[j] = a_i[j] * (ds_i[j] - dot) * scale;
    std::fill(ds_i + visible, ds_i + T, 0.0f);
    // 3. s_ij = q_i . k_j  =>  dq_i = sum over visible j of ds_ij k_j
    weighted_rows(dq + static_cast<std::size_t>(i) * stride, ds_i, 1, k, stride, 0, visible, D);
  }
  // 4. ... and dk_t = sum over the queries i that see key t of ds_it q_i; out_i = sum_j a_ij v_j
  //    =>  dv_t = sum_i a_it dout_i. Both read columns, so ds and a are transposed first (a
  //    column read directly strides T floats per step, out of the first-level cache).
  transpose_square(ds_t, ds, T);
  transpose_square(a_t, a, T);
  for (int t = 0; t < T; ++t) {
    const int first = causal ? t : 0;
    weighted_rows(dk + static_cast<std::size_t>(t) * stride, ds_t + static_cast<std::size_t>(t) * t_n, 1, q, stride,
                  first, T, D);
    weighted_rows(dv + static_cast<std::size_t>(t) * stride, a_t + static_cast<std::size_t>(t) * t_n, 1, dout, o_stride,
                  first, T, D);
  }
}

ATTN_SIMD_VARIANTS(attention_head_backward_f32, attention_head_backward_f32_body,
                   (float* dq, float* dk, float* dv, const float* dout, const float* q, const float* k, const float* v,
                    const float* a, float* work, int T, int D, int row, int out_stride, float scale, bool causal),
                   (dq, dk, dv, dout, q, k, v, a, work, T, D, row, out_stride, scale, causal))

ATTN_INLINE void dot_row_f32_body(float* out, const float* a, const float* b, int n) { *out = dot_row(a, b, n); }

ATTN_SIMD_VARIANTS(dot_row_f32, dot_row_f32_body, (float* out, const float* a, const float* b, int n), (out, a, b, n))

namespace {

float dot_row_f32(const float* a, const float* b, int n) {
  using Fn = void (*)(float*, const float*, const float*, int);
  static const Fn kernel =
      pick_simd_kernel<Fn>(cpu_simd_level(), dot_row_f32_portable, dot_row_f32_avx2, dot_row_f32_avx512);
  float out = 0.0f;
  kernel(&out, a, b, n);
  return out;
}

using HeadForwardFn = void (*)(float*, float*, float*, const float*, const float*, const float*, float*, int, int, int,
                               int, float, bool, bool);
using HeadBackwardFn = void (*)(float*, float*, float*, const float*, const float*, const float*, const float*,
                                const float*, float*, int, int, int, int, float, bool);

// The transposed keys or values of one head, its score gradients and two transposes: at most
// 64 x 64 + 3 x 64 x 64 floats (64 KiB), kept per thread (the model host and the trainer run
// on their own threads).
float* head_workspace() {
  thread_local float buffer[kMaxFusedDHead * kMaxFusedTokens + 3 * kMaxFusedTokens * kMaxFusedTokens];
  return buffer;
}

void attention_forward_fused(float* scores, float* attn, float* concat, const float* qkv, int B, int T, int H, int D,
                             float scale, bool causal, const std::uint8_t* knocked_out) {
  static const HeadForwardFn kernel =
      pick_simd_kernel<HeadForwardFn>(cpu_simd_level(), attention_head_forward_f32_portable,
                                      attention_head_forward_f32_avx2, attention_head_forward_f32_avx512);
  const int I = H * D, row = 3 * I;
  const std::size_t TT = static_cast<std::size_t>(T) * T;
  float* kt = head_workspace();
  for (int b = 0; b < B; ++b)
    for (int h = 0; h < H; ++h) {
      const float* q = qkv + static_cast<std::size_t>(b) * T * row + static_cast<std::size_t>(h) * D;
      const std::size_t bh = static_cast<std::size_t>(b) * H + static_cast<std::size_t>(h);
      kernel(scores + bh * TT, attn + bh * TT,
             concat + static_cast<std::size_t>(b) * T * I + static_cast<std::size_t>(h) * D, q, q + I, q + 2 * I, kt, T,
             D, row, I, scale, causal, knocked_out && knocked_out[h]);
    }
}

void attention_backward_fused(float* dqkv, const float* dconcat, const float* qkv, const float* attn, int B, int T,
                              int H, int D, float scale, bool causal, const std::uint8_t* knocked_out) {
  static const HeadBackwardFn kernel =
      pick_simd_kernel<HeadBackwardFn>(cpu_simd_level(), attention_head_backward_f32_portable,
                                       attention_head_backward_f32_avx2, attention_head_backward_f32_avx512);
  const int I = H * D, row = 3 * I;
  const std::size_t TT = static_cast<std::size_t>(T) * T;
  float* work = head_workspace();
  for (int b = 0; b < B; ++b)
    for (int h = 0; h < H; ++h) {
      const std::size_t off = static_cast<std::size_t>(b) * T * row + static_cast<std::size_t>(h) * D;
      if (knocked_out && knocked_out[h]) {  // its output is a constant 0: no gradient flows
        for (int t = 0; t < T; ++t)
          for (int part = 0; part < 3; ++part)
            std::fill_n(dqkv + off + static_cast<std::size_t>(t) * row + static_cast<std::size_t>(part) * I, D, 0.0f);
        continue;
      }
      const std::size_t bh = static_cast<std::size_t>(b) * H + static_cast<std::size_t>(h);
      kernel(dqkv + off, dqkv + off + I, dqkv + off + 2 * I,
             dconcat + static_cast<std::size_t>(b) * T * I + static_cast<std::size_t>(h) * D, qkv + off, qkv + off + I,
             qkv + off + 2 * I, attn + bh * TT, work, T, D, row, I, scale, causal);
    }
}

}  // namespace

template <typename Real>
void attention_forward(Real* scores, Real* attn, Real* concat, const Real* qkv, int B, int T, int H, int D, Real scale,
                       bool causal, const std::uint8_t* knocked_out) {
  if constexpr (std::is_same_v<Real, float>) {
    if (fused_attention(T, D))
      return attention_forward_fused(scores, attn, concat, qkv, B, T, H, D, scale, causal, knocked_out);
  }
  const int I = H * D, row = 3 * I;
  const std::size_t TT = static_cast<std::size_t>(T) * T;
  // Per head and per block of query rows, so a block's scores and weights are still in cache when
  // the next step reads them (at T = 512 the whole matrices do not fit, and these steps are bound
  // by memory). Wide heads are bound by arithmetic instead: one large GEMM beats several small.
  const int block = D >= 64 ? T : std::max(16, std::min(T, 32768 / std::max(T, 1)));
  for (int b = 0; b < B; ++b)
    for (int h = 0; h < H; ++h) {
      const Real* q = qkv + static_cast<std::size_t>(b) * T * row + static_cast<std::size_t>(h) * D;
      const Real* k = q + I;
      const Real* v = q + 2 * I;
      Real* s = scores + (static_cast<std::size_t>(b) * H + h) * TT;
      Real* a = attn + (static_cast<std::size_t>(b) * H + h) * TT;
      Real* out = concat + static_cast<std::size_t>(b) * T * I + static_cast<std::size_t>(h) * D;
      const bool knocked = knocked_out && knocked_out[h];
      for (int r0 = 0; r0 < T; r0 += block) {
        const int rows = std::min(block, T - r0);
        const std::size_t first = static_cast<std::size_t>(r0);
        // 1. scores (rows, T) = q (rows, D) · k^T (D, T) * scale; q, k, v are strided views of qkv.
        gemm(false, true, rows, T, D, scale, q + first * row, row, k, row, Real(0), s + first * T, T);
        // 2. mask and softmax over keys: query i sees keys 0..i when causal.
        for (int i = r0; i < r0 + rows; ++i)
          softmax(s + static_cast<std::size_t>(i) * T, a + static_cast<std::size_t>(i) * T,
                  causal ? static_cast<std::size_t>(i) + 1 : static_cast<std::size_t>(T), static_cast<std::size_t>(T));
        // 3. head output (rows, D) = attn (rows, T) · v (T, D), into its columns of concat; a
        //    knocked-out head writes zeros (its weights are still computed, to be drawn).
        if (knocked) {
          for (int i = r0; i < r0 + rows; ++i) std::fill_n(out + static_cast<std::size_t>(i) * I, D, Real(0));
          continue;
        }
        gemm(false, false, rows, D, T, Real(1), a + first * T, T, v, row, Real(0), out + first * I, I);
      }
    }
}

template <typename Real>
void attention_backward(Real* dqkv, Real* workspace, const Real* dconcat, const Real* qkv, const Real* attn, int B,
                        int T, int H, int D, Real scale, bool causal, const std::uint8_t* knocked_out) {
  if constexpr (std::is_same_v<Real, float>) {
    if (fused_attention(T, D))
      return attention_backward_fused(dqkv, dconcat, qkv, attn, B, T, H, D, scale, causal, knocked_out);
  }
  const int I = H * D, row = 3 * I;
  const std::size_t TT = static_cast<std::size_t>(T) * T;
  Real* da = workspace;  // (T, T): d attn, then d scores in place
  for (int b = 0; b < B; ++b)
    for (int h = 0; h < H; ++h) {
      const std::size_t off = static_cast<std::size_t>(b) * T * row + static_cast<std::size_t>(h) * D;
      if (knocked_out && knocked_out[h]) {  // its output is a constant 0: no gradient flows
        for (int t = 0; t < T; ++t)
          for (int part = 0; part < 3; ++part)
            std::fill_n(dqkv + off + static_cast<std::size_t>(t) * row + static_cast<std::size_t>(part) * I, D,
                        Real(0));
        continue;
      }
      const Real* q = qkv + off;
      const Real* k = q + I;
      const Real* v = q + 2 * I;
      Real* dq = dqkv + off;
      Real* dk = dq + I;
      Real* dv = dq + 2 * I;
      const Real* a = attn + (static_cast<std::size_t>(b) * H + h) * TT;
      const Real* dout = dconcat + static_cast<std::size_t>(b) * T * I + static_cast<std::size_t>(h) * D;
      // out = attn · v  =>  d attn = dout · v^T,  dv = attn^T · dout
      gemm(false, true, T, T, D, Real(1), dout, I, v, row, Real(0), da, T);
      gemm(true, false, T, D, T, Real(1), a, T, dout, I, Real(0), dv, row);
      // attn_i = softmax(s_i)  =>  ds_ij = attn_ij (d attn_ij - sum_k attn_ik d attn_ik); masked keys
      // have attn 0 and so get 0. The scale of s = q k^T * scale is folded in here.
      for (int i = 0; i < T; ++i) {
        const Real* ai = a + static_cast<std::size_t>(i) * T;
        Real* di = da + static_cast<std::size_t>(i) * T;
        const int visible = causal ? i + 1 : T;
        Real dot = 0;
        if constexpr (std::is_same_v<Real, float>) {
          dot = dot_row_f32(ai, di, visible);  // eight lanes: a scalar sum is one chain of adds
        } else {
          for (int j = 0; j < visible; ++j) dot += ai[j] * di[j];
        }
        for (int j = 0; j < visible; ++j) di[j] = ai[j] * (di[j] - dot) * scale;
        for (int j = visible; j < T; ++j) di[j] = 0;
      }
      // s = q k^T (scaled above)  =>  dq = ds · k,  dk = ds^T · q
      gemm(false, false, T, D, T, Real(1), da, T, k, row, Real(0), dq, row);
      gemm(true, false, T, D, T, Real(1), da, T, q, row, Real(0), dk, row);
    }
}

// ---- Cross-entropy -----------------------------------------------------------------------------

// One row of float logits in two vector passes: the row maximum, then e^(z - max) into probs with
// their sum; then probs are normalized and the log-sum-exp max + log(sum) returned, so the loss of
// any target is lse - z[target] even where its probability was flushed to 0 (below e^-80 of the
// largest, as softmax_row). With tied embeddings, freshly initialised logits spread over +-50 and
// a third of the targets were below that; the exact scalar fallback they took was a fifth of a
// training step. A NaN logit makes the sum, and so *lse, NaN. (lse is written through a pointer
// because ATTN_SIMD_VARIANTS makes void functions.)
ATTN_INLINE void softmax_lse_row_f32_body(float* probs, float* lse, const float* z, std::size_t V) {
  // 1. The maximum, subtracted only for numerical stability (it cancels in the ratio).
  std::size_t j = 0;
  float max = -INFINITY;
  if (V >= kLanes) {
    Floats lane_max = load(z);
    for (j = kLanes; j + kLanes <= V; j += kLanes) {
      const Floats x = load(z + j);
      lane_max = x > lane_max ? x : lane_max;
    }
    for (std::size_t l = 0; l < kLanes; ++l) max = lane_max[l] > max ? lane_max[l] : max;
  }
  for (; j < V; ++j) max = z[j] > max ? z[j] : max;
  if (!std::isfinite(max)) {  // +-inf logits: the caller's exact path decides
    *lse = NAN;
    return;
  }
  // 2. e^(z - max) and their sum in one pass.
  Floats lane_sum{};
  for (j = 0; j + kLanes <= V; j += kLanes) {
    const Floats e = exp_nonpositive<Floats, Ints>(load(z + j) - max);
    store(probs + j, e);
    lane_sum += e;
  }
  float sum = 0.0f;
  for (std::size_t l = 0; l < kLanes; ++l) sum += lane_sum[l];
  for (; j < V; ++j) sum += probs[j] = exp_nonpositive<float, std::int32_t>(z[j] - max);
  // 3. Normalize: sum >= 1 (the maximum's own term), so the division is safe.
  const float inv = 1.0f / sum;
  for (j = 0; j + kLanes <= V; j += kLanes) store(probs + j, load(probs + j) * inv);
  for (; j < V; ++j) probs[j] *= inv;
  *lse = max + std::log(sum);
}

ATTN_SIMD_VARIANTS(softmax_lse_row_f32, softmax_lse_row_f32_body,
                   (float* probs, float* lse, const float* z, std::size_t V), (probs, lse, z, V))

namespace {
using SoftmaxLseFn = void (*)(float*, float*, const float*, std::size_t);
}  // namespace

float softmax_lse_row_f32_at(SimdLevel level, float* probs, const float* logits, std::size_t V) {
  float lse = 0.0f;
  pick_simd_kernel<SoftmaxLseFn>(level, softmax_lse_row_f32_portable, softmax_lse_row_f32_avx2,
                                 softmax_lse_row_f32_avx512)(probs, &lse, logits, V);
  return lse;
}

float softmax_lse_row_f32(float* probs, const float* logits, std::size_t V) {
  static const SoftmaxLseFn kernel = pick_simd_kernel<SoftmaxLseFn>(
      cpu_simd_level(), softmax_lse_row_f32_portable, softmax_lse_row_f32_avx2, softmax_lse_row_f32_avx512);
  float lse = 0.0f;
  kernel(probs, &lse, logits, V);
  return lse;
}

template <typename Real>
Real crossentropy_forward(Real* probs, Real* losses, const Real* logits, const std::int32_t* targets, int N, int V) {
  double total = 0.0;
  int counted = 0;
  for (int i = 0; i < N; ++i) {
    const Real* z = logits + static_cast<std::size_t>(i) * V;
    Real* p = probs + static_cast<std::size_t>(i) * V;
    losses[i] = 0;
    if constexpr (std::is_same_v<Real, float>) {
      // The vectorised row; non-finite logits take the exact path below, so they give a
      // non-finite loss, never a made-up one.
      const float lse = softmax_lse_row_f32(p, z, static_cast<std::size_t>(V));
      if (std::isfinite(lse)) {
        if (targets[i] < 0) continue;
        losses[i] = lse - z[targets[i]];
        total += static_cast<double>(losses[i]);
        ++counted;
        continue;
      }
    }
    // The maximum is subtracted only for numerical stability; loss = logsumexp(z) - z[target].
    Real max = z[0];
    for (int j = 1; j < V; ++j) max = std::max(max, z[j]);
    Real sum = 0;
    for (int j = 0; j < V; ++j) sum += p[j] = std::exp(z[j] - max);
    for (int j = 0; j < V; ++j) p[j] /= sum;
    if (targets[i] < 0) continue;
    losses[i] = std::log(sum) + max - z[targets[i]];
    total += static_cast<double>(losses[i]);
    ++counted;
  }
  return counted ? static_cast<Real>(total / counted) : Real(0);
}

template <typename Real>
void crossentropy_backward(Real* dlogits, const Real* probs, const std::int32_t* targets, int N, int V) {
  int counted = 0;
  for (int i = 0; i < N; ++i) counted += targets[i] >= 0;
  const Real inv = counted ? Real(1) / static_cast<Real>(counted) : Real(0);
  for (int i = 0; i < N; ++i) {
    Real* d = dlogits + static_cast<std::size_t>(i) * V;
    const Real* p = probs + static_cast<std::size_t>(i) * V;
    if (targets[i] < 0) {
      std::fill_n(d, V, Real(0));
      continue;
    }
    // loss = mean over counted rows of (logsumexp(z) - z[target])  =>  dz = (p - onehot) / counted
    for (int j = 0; j < V; ++j) d[j] = p[j] * inv;
    d[targets[i]] -= inv;
  }
}

// ---- Instantiations ----------------------------------------------------------------------------

#define ATTN_NN_INSTANTIATE(Real)                                                                                      \
  template void layernorm_forward<Real>(Real*, Real*, Real*, const Real*, const Real*, const Real*, int, int, double); \
  template void layernorm_backward<Real>(Real*, Real*, Real*, const Real*, const Real*, const Real*, const Real*,      \
                                         const Real*, int, int);                                                       \
  template void linear_forward<Real>(Real*, const Real*, const Real*, const Real*, int, int, int);                     \
  template void linear_backward<Real>(Real*, Real*, Real*, const Real*, const Real*, const Real*, int, int, int);      \
  template void gelu_forward<Real>(Real*, const Real*, std::size_t);                                                   \
  template void gelu_backward<Real>(Real*, const Real*, const Real*, std::size_t);                                     \
  template void gelu_tanh_forward<Real>(Real*, const Real*, std::size_t);                                              \
  template void gelu_tanh_backward<Real>(Real*, const Real*, const Real*, std::size_t);                                \
  template void rope_table<Real>(Real*, int, int);                                                                     \
  template void rope_forward<Real>(Real*, const Real*, int, int, int, int);                                            \
  template void rope_backward<Real>(Real*, const Real*, int, int, int, int);                                           \
  template void attention_forward<Real>(Real*, Real*, Real*, const Real*, int, int, int, int, Real, bool,              \
                                        const std::uint8_t*);                                                          \
  template void attention_backward<Real>(Real*, Real*, const Real*, const Real*, const Real*, int, int, int, int,      \
                                         Real, bool, const std::uint8_t*);                                             \
  template Real crossentropy_forward<Real>(Real*, Real*, const Real*, const std::int32_t*, int, int);                  \
  template void crossentropy_backward<Real>(Real*, const Real*, const std::int32_t*, int, int);

ATTN_NN_INSTANTIATE(float)
ATTN_NN_INSTANTIATE(double)
#undef ATTN_NN_INSTANTIATE

}  // namespace attn::nn
