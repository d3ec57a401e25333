// Multi-head attention as numbered passes over raw buffers, with the GEMMs on OpenBLAS. Every
// intermediate is written straight into the Trace, so keeping them costs no extra copies.
#include "engine/attention.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "engine/embedding.hpp"
#include "engine/positional.hpp"
#include "engine/softmax.hpp"

namespace attn {

namespace {

using Shape2 = std::array<std::size_t, 2>;
using Shape3 = std::array<std::size_t, 3>;

int as_int(std::size_t v) { return static_cast<int>(v); }

}  // namespace

Trace forward(const xt::xtensor<float, 2>& x, const MhaWeights& weights, const ModelConfig& config) {
  Trace t;
  forward_into(x, weights, config, t);
  return t;
}

void forward_into(const xt::xtensor<float, 2>& x, const MhaWeights& weights, const ModelConfig& config, Trace& t) {
  validate(config);
  check_weights(weights, config);
  const std::size_t n = x.shape()[0];
  const std::size_t E = static_cast<std::size_t>(config.d_model);
  const std::size_t H = static_cast<std::size_t>(config.n_heads);
  const std::size_t D = static_cast<std::size_t>(config.resolved_d_head());
  const std::size_t I = H * D;
  if (x.shape()[1] != E)
    throw std::invalid_argument("x has " + std::to_string(x.shape()[1]) + " columns but d_model is " +
                                std::to_string(E));

  t.config = config;
  t.config.d_head = static_cast<int>(D);
  if (&t.x != &x) t.x = x;
  // resize() keeps the storage when the shape is unchanged; every element is written below.
  t.qkv.resize(Shape2{n, 3 * I});
  t.q.resize(Shape3{H, n, D});
  t.k.resize(Shape3{H, n, D});
  t.v.resize(Shape3{H, n, D});
  t.scores.resize(Shape3{H, n, n});
  t.attn.resize(Shape3{H, n, n});
  t.head_out.resize(Shape3{H, n, D});
  t.concat.resize(Shape2{n, I});
  t.out.resize(Shape2{n, E});
  if (n == 0) return;  // a valid, empty trace: BLAS is never called with a zero dimension

  // 1. qkv (n, 3I) = x (n, E) · in_proj_weight^T (E, 3I); the bias is added in step 2, while
  //    the rows are being copied anyway, so the GEMM need not read C back.
  float* qkv = t.qkv.data();
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, as_int(n), as_int(3 * I), as_int(E), 1.0f, x.data(),
              as_int(E), weights.in_proj_weight.data(), as_int(E), 0.0f, qkv, as_int(3 * I));

  // 2. Add in_proj_bias and split into heads: q[h, t, :] = qkv[t, h*D : (h+1)*D], k and v from
  //    the next two thirds. t.qkv keeps the biased projection.
  const float* bias = weights.in_proj_bias.data();
  for (std::size_t r = 0; r < n; ++r) {
    float* row = qkv + r * 3 * I;
    for (std::size_t c = 0; c < 3 * I; ++c) row[c] += bias[c];
  }
  for (std::size_t h = 0; h < H; ++h)
    for (std::size_t r = 0; r < n; ++r) {
      const float* row = qkv + r * 3 * I + h * D;
      std::memcpy(t.q.data() + (h * n + r) * D, row, D * sizeof(float));
      std::memcpy(t.k.data() + (h * n + r) * D, row + I, D * sizeof(float));
      std::memcpy(t.v.data() + (h * n + r) * D, row + 2 * I, D * sizeof(float));
    }

  // 3. Rotary positions turn q and k by an angle proportional to the token's position.
  if (config.positional == Positional::Rope) {
    apply_rope(t.q);
    apply_rope(t.k);
  }

  // 4-7, per head and per block of query rows, so a block's scores and weights are still in
  // cache when the next step reads them (at n = 512 the full matrices do not fit, and these
  // steps are bound by memory, not arithmetic).
  //   4. scores (rows, n) = q[h] (rows, D) · k[h]^T (D, n) / (sqrt(D) * temperature): dividing by
  //      sqrt(D) keeps the dot products' variance near 1 whatever the head width.
  //   5-6. mask and softmax over keys: with the causal mask, query i sees keys 0..i only.
  //   7. head_out (rows, D) = attn (rows, n) · v[h] (n, D).
  const float scale = 1.0f / (std::sqrt(static_cast<float>(D)) * config.temperature);
  // Wide heads are bound by arithmetic instead, and one large GEMM beats several small ones.
  const std::size_t block = D >= 64 ? n : std::max<std::size_t>(16, std::min<std::size_t>(n, 32768 / n));
  for (std::size_t h = 0; h < H; ++h)
    for (std::size_t r0 = 0; r0 < n; r0 += block) {
      const std::size_t rows = std::min(block, n - r0);
      float* scores = t.scores.data() + (h * n + r0) * n;
      float* attn_rows = t.attn.data() + (h * n + r0) * n;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, as_int(rows), as_int(n), as_int(D), scale,
                  t.q.data() + (h * n + r0) * D, as_int(D), t.k.data() + h * n * D, as_int(D), 0.0f, scores, as_int(n));
      for (std::size_t i = 0; i < rows; ++i)
        softmax_row(scores + i * n, attn_rows + i * n, config.causal ? r0 + i + 1 : n, n);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, as_int(rows), as_int(D), as_int(n), 1.0f, attn_rows,
                  as_int(n), t.v.data() + h * n * D, as_int(D), 0.0f, t.head_out.data() + (h * n + r0) * D, as_int(D));
    }

  // 8. concat (n, I): the heads side by side, head h in columns [h*D, (h+1)*D).
  for (std::size_t h = 0; h < H; ++h)
    for (std::size_t r = 0; r < n; ++r)
      std::memcpy(t.concat.data() + r * I + h * D, t.head_out.data() + (h * n + r) * D, D * sizeof(float));

  // 9. out (n, E) = concat (n, I) · out_proj.weight^T (I, E) + out_proj.bias.
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, as_int(n), as_int(E), as_int(I), 1.0f, t.concat.data(),
              as_int(I), weights.out_proj_weight.data(), as_int(I), 0.0f, t.out.data(), as_int(E));
  const float* out_bias = weights.out_proj_bias.data();
  for (std::size_t r = 0; r < n; ++r) {
    float* row = t.out.data() + r * E;
    for (std::size_t c = 0; c < E; ++c) row[c] += out_bias[c];
  }
}

Trace run(std::string_view text, TokenizerMode mode, const ModelConfig& config, const MhaWeights& weights,
          std::size_t max_tokens) {
  validate(config);
  Trace t;
  t.tokenization = tokenize(text, mode, max_tokens);
  const int n = static_cast<int>(t.tokenization.tokens.size());
  t.embeddings = embed_tokens(t.tokenization.tokens, config.d_model, config.seed);
  t.positions = positional_table(config.positional, n, config.d_model, config.seed);
  t.x = t.embeddings + t.positions;
  forward_into(t.x, weights, config, t);  // x is already in place: no copy
  return t;
}

double forward_flops(std::size_t n_tokens, const ModelConfig& config) {
  const double n = static_cast<double>(n_tokens), E = config.d_model, H = config.n_heads,
               D = config.resolved_d_head(), I = H * D;
  return 2.0 * n * E * 3.0 * I      // input projection
         + H * 2.0 * n * n * D * 2  // scores and attn · v
         + 2.0 * n * I * E          // output projection
         + 5.0 * H * n * n;         // softmax
}

}  // namespace attn
