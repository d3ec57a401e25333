// The explorer: multi-head attention on a typed sentence with random (or given) weights, every
// intermediate kept for drawing and export, computed by the transformer's one forward.
#pragma once
#include <string_view>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "engine/config.hpp"
#include "engine/model/transformer.hpp"
#include "engine/text/tokenizer.hpp"
#include "engine/weights.hpp"

namespace attn {

// Shapes: n = n_tokens, E = d_model, H = n_heads, D = d_head, I = H * D.
struct Trace {
  ModelConfig config;                // as used, with d_head resolved (never 0)
  Tokenization tokenization;         // empty for forward() called on a raw x
  xt::xtensor<float, 2> embeddings;  // (n, E) token vectors
  xt::xtensor<float, 2> positions;   // (n, E) added positional table (zeros for none/rope)
  xt::xtensor<float, 2> x;           // (n, E) = embeddings + positions, the attention input
  xt::xtensor<float, 2> qkv;         // (n, 3I) = x · in_proj_weight^T + in_proj_bias, all heads'
                                     // q | k | v side by side (q and k after RoPE when chosen)
  xt::xtensor<float, 3> q, k, v;     // (H, n, D), q and k after RoPE when chosen
  xt::xtensor<float, 3> scores;      // (H, n, n) q k^T / (sqrt(D) * temperature), before masking
  xt::xtensor<float, 3> attn;        // (H, n, n) softmax over keys after the mask; masked
                                     // entries exactly 0, rows sum to 1, never NaN
  xt::xtensor<float, 3> head_out;    // (H, n, D) = attn @ v per head
  xt::xtensor<float, 2> concat;      // (n, I) heads side by side
  xt::xtensor<float, 2> out;         // (n, E) = concat @ out_proj.weight^T + out_proj.bias
  std::vector<float> rope;           // (n, D/2, 2) rotary cos, sin when chosen (a workspace)

  std::size_t n_tokens() const { return x.shape()[0]; }
  const std::vector<Token>& tokens() const { return tokenization.tokens; }
};

// The explorer as a model: one block of the transformer (engine/model/transformer.hpp) with the
// LayerNorms, token embedding, unembedding and MLP switched off, so its attention sublayer is
// exactly nn.MultiheadAttention on the stream it is given. Its parameters are `weights` under the
// transformer's names (blocks.0.attn.in_proj_weight, ...); its run options are config's mask,
// positions and temperature. Throws std::invalid_argument for an invalid config or weights that
// do not fit it.
Model explorer_model(const ModelConfig& config, const MhaWeights& weights);

// x: (n, E) -> Trace of every step (embeddings/positions left empty, x copied in): the explorer
// model's forward (model_forward_stream). Throws std::invalid_argument for an invalid config or
// weights/x that do not fit it. n = 0 gives a valid trace of empty tensors.
Trace forward(const xt::xtensor<float, 2>& x, const MhaWeights& weights, const ModelConfig& config);

// text -> tokens -> embeddings + positions -> the explorer model's forward. The whole pipeline
// the app and CLI use. `model`: explorer_model() of config's shape (its run options are used).
// `acts`, when given, receives the forward's activations (what the tensor catalog reads).
Trace run(std::string_view text, TokenizerMode mode, const ModelConfig& config, const Model& model,
          std::size_t max_tokens = kDefaultMaxTokens, Activations* acts = nullptr);
// The same with the model made from weights first.
Trace run(std::string_view text, TokenizerMode mode, const ModelConfig& config, const MhaWeights& weights,
          std::size_t max_tokens = kDefaultMaxTokens);

// Floating-point operations of one forward() (multiply-add = 2), for benchmark GFLOP/s.
double forward_flops(std::size_t n_tokens, const ModelConfig& config);

}  // namespace attn
