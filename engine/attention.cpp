// The explorer's attention: one attention sublayer of the trainable transformer (the same
// engine/nn ops), on raw x, with every intermediate written straight into the Trace.
#include "engine/attention.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "engine/embedding.hpp"
#include "engine/nn/ops.hpp"
#include "engine/positional.hpp"

namespace attn {

namespace {

using Shape2 = std::array<std::size_t, 2>;
using Shape3 = std::array<std::size_t, 3>;

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

  // The same ops as a block of the trainable transformer (engine/nn/ops.hpp), on one sequence:
  // 1. qkv (n, 3I) = x · in_proj_weight^T + in_proj_bias: all heads' q | k | v side by side.
  const int N = static_cast<int>(n), Ei = static_cast<int>(E), Hi = static_cast<int>(H), Di = static_cast<int>(D),
            Ii = static_cast<int>(I);
  nn::linear_forward(t.qkv.data(), x.data(), weights.in_proj_weight.data(), weights.in_proj_bias.data(), N, Ei, 3 * Ii);
  // 2. Rotary positions turn q and k (in qkv) by an angle proportional to the token's position.
  if (config.positional == Positional::Rope) {
    t.rope.resize(static_cast<std::size_t>(N) * (D / 2) * 2);
    nn::rope_table(t.rope.data(), N, Di);
    nn::rope_forward(t.qkv.data(), t.rope.data(), 1, N, Hi, Di);
  }
  // 3. scores = q k^T / (sqrt(D) * temperature): dividing by sqrt(D) keeps the dot products'
  //    variance near 1 whatever the head width; mask; softmax over keys; head outputs = attn · v,
  //    side by side in concat.
  const float scale = 1.0f / (std::sqrt(static_cast<float>(D)) * config.temperature);
  nn::attention_forward(t.scores.data(), t.attn.data(), t.concat.data(), t.qkv.data(), 1, N, Hi, Di, scale,
                        config.causal, static_cast<const std::uint8_t*>(nullptr));
  // 4. out (n, E) = concat (n, I) · out_proj.weight^T (I, E) + out_proj.bias.
  nn::linear_forward(t.out.data(), t.concat.data(), weights.out_proj_weight.data(), weights.out_proj_bias.data(), N, Ii,
                     Ei);

  // The views' per-head copies: q, k, v and head_out as (H, n, D).
  for (std::size_t h = 0; h < H; ++h)
    for (std::size_t r = 0; r < n; ++r) {
      const float* row = t.qkv.data() + r * 3 * I + h * D;
      std::memcpy(t.q.data() + (h * n + r) * D, row, D * sizeof(float));
      std::memcpy(t.k.data() + (h * n + r) * D, row + I, D * sizeof(float));
      std::memcpy(t.v.data() + (h * n + r) * D, row + 2 * I, D * sizeof(float));
      std::memcpy(t.head_out.data() + (h * n + r) * D, t.concat.data() + r * I + h * D, D * sizeof(float));
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
  const double n = static_cast<double>(n_tokens), E = config.d_model, H = config.n_heads, D = config.resolved_d_head(),
               I = H * D;
  return 2.0 * n * E * 3.0 * I      // input projection
         + H * 2.0 * n * n * D * 2  // scores and attn · v
         + 2.0 * n * I * E          // output projection
         + 5.0 * H * n * n;         // softmax
}

}  // namespace attn
